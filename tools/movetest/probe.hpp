// Probing unverified code: call every function of a published module with default arguments
// (zero integers, false, address 0x0, empty vectors, structs of defaults, variant 0; signers for
// the leading signer parameters; u64 for every type parameter) under a small instruction
// budget. Used by `lumio-movetest --no-verify` (what do the runtime checks make of code the
// verifier rejects?) and by the movevm_exec_fuzz target. Header-only so the fuzzer compiles it
// against its instrumented copy of the VM.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "movevm/loader.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"

namespace lumio::movetest {

// Counts work instead of pricing it: every instruction costs 1, plus its elements/fields;
// natives pay their (schedule) units. OUT_OF_GAS after `budget`.
class StepMeter final : public movevm::GasMeter {
 public:
  explicit StepMeter(uint64_t budget) : left_(budget), budget_(budget) {}
  bool charge_simple(movevm::Opcode) override { return take(1); }
  bool charge_instr(const movevm::InstrCharge& c) override { return take(1 + c.elements + c.fields + c.bytes / 64); }
  bool charge_native(uint64_t units) override { return take(1 + units / 1000); }
  bool charge_load_resource(uint64_t bytes) override { return take(1 + bytes / 64); }
  uint64_t consumed() const override { return budget_ - left_; }
  uint64_t remaining() const override { return left_; }

 private:
  bool take(uint64_t n) {
    if (n > left_) {
      left_ = 0;
      return false;
    }
    left_ -= n;
    return true;
  }
  uint64_t left_, budget_;
};

// BCS of the default value of `layout`; nullopt where there is none (function values, enums
// without variants, layouts nested beyond `depth`).
inline std::optional<Bytes> default_bcs(const movevm::TypeLayout& layout, int depth = 0) {
  using movevm::LayoutKind;
  if (depth > 64) return std::nullopt;
  switch (layout.kind) {
    case LayoutKind::Bool: case LayoutKind::U8: case LayoutKind::I8: return Bytes(1, 0);
    case LayoutKind::U16: case LayoutKind::I16: return Bytes(2, 0);
    case LayoutKind::U32: case LayoutKind::I32: return Bytes(4, 0);
    case LayoutKind::U64: case LayoutKind::I64: return Bytes(8, 0);
    case LayoutKind::U128: case LayoutKind::I128: return Bytes(16, 0);
    case LayoutKind::U256: case LayoutKind::I256: case LayoutKind::Address: case LayoutKind::Signer:
      return Bytes(32, 0);
    case LayoutKind::Vector: return Bytes(1, 0);
    case LayoutKind::Struct: {
      Bytes out;
      for (const auto& f : layout.fields) {
        auto b = default_bcs(f, depth + 1);
        if (!b) return std::nullopt;
        out.insert(out.end(), b->begin(), b->end());
      }
      return out;
    }
    case LayoutKind::Enum: {
      if (layout.variants.empty()) return std::nullopt;
      Bytes out(1, 0);
      for (const auto& f : layout.variants[0]) {
        auto b = default_bcs(f, depth + 1);
        if (!b) return std::nullopt;
        out.insert(out.end(), b->begin(), b->end());
      }
      return out;
    }
    case LayoutKind::Function: return std::nullopt;
  }
  return std::nullopt;
}

struct ProbeResult {
  std::string function;
  // nullopt: the call returned. Otherwise its error (arguments without a default value give
  // no call at all and are not listed).
  std::optional<movevm::ExecutionError> error;
};

// Can a transaction (an entry call or a script) call `fn` with arguments of its own making?
// Public or entry Move functions whose parameters are signers, primitives and vectors of them;
// other values (structs) only reach a function through code that built them.
inline bool transaction_callable(const movevm::LoadedFunction& fn) {
  using movevm::TypeKind;
  if (fn.is_native() || (fn.visibility != movevm::Visibility::Public && !fn.is_entry)) return false;
  for (const auto& p : fn.params) {
    const movevm::Type* t = p.is_reference() && !p.args.empty() ? &p.args[0] : &p;
    while (t->kind == TypeKind::Vector && !t->args.empty()) t = &t->args[0];
    if (t->kind == TypeKind::Struct || t->kind == TypeKind::Function || t->is_reference()) return false;
  }
  return true;
}

// Calls each function defined by the module `address::name` (already visible to the session's
// loader), each in a fresh session over `code` (so one call's failure cannot leave state for
// the next), with its own budget of `steps`. `transaction_only`: only the functions a
// transaction could call (transaction_callable).
inline std::vector<ProbeResult> probe_module(const movevm::StateView& state, const movevm::TableResolver* tables,
                                             const std::shared_ptr<movevm::Loader>& code,
                                             const movevm::AccountAddress& address, const std::string& name,
                                             uint64_t steps, movevm::VMLimits limits = {},
                                             bool transaction_only = false) {
  using namespace movevm;
  std::vector<ProbeResult> results;
  auto unit = code->load_module(address, name);
  if (!unit) {
    ExecutionError e;
    e.error = unit.error();
    results.push_back({"<load>", e});
    return results;
  }
  TypeTag u64_tag{TagKind::U64, nullptr, nullptr};
  Type u64_type;
  u64_type.kind = TypeKind::U64;
  for (const auto& fn : (*unit)->functions) {
    if (transaction_only && !transaction_callable(*fn)) continue;
    std::vector<TypeTag> type_args(fn->type_params.size(), u64_tag);
    std::vector<Type> type_arg_types(fn->type_params.size(), u64_type);
    std::vector<AccountAddress> signers;
    std::vector<Bytes> args;
    bool callable = true, leading = true;
    for (const auto& p : fn->params) {
      const Type& target = p.is_reference() && !p.args.empty() ? p.args[0] : p;
      if (leading && target.kind == TypeKind::Signer) {
        AccountAddress a;
        a.bytes[31] = uint8_t(0xA0 + signers.size());
        signers.push_back(a);
        continue;
      }
      leading = false;
      auto layout = code->layout_of(Loader::instantiate(target, type_arg_types));
      auto bytes = layout ? default_bcs(*layout) : std::nullopt;
      if (!bytes) {
        callable = false;
        break;
      }
      args.push_back(std::move(*bytes));
    }
    if (!callable) continue;
    Session session(state, code, limits);
    TransactionContext txn;
    if (!signers.empty()) txn.sender = signers[0];
    add_session_extensions(session.extensions(), txn, tables);
    StepMeter gas(steps);
    auto outcome = session.execute_function(address, name, fn->name, type_args, signers, args, gas);
    ProbeResult r{fn->name, std::nullopt};
    if (auto* e = std::get_if<ExecutionError>(&outcome)) {
      r.error = *e;
    } else if (auto cs = session.change_set(); std::holds_alternative<ExecutionError>(cs)) {
      r.error = std::get<ExecutionError>(cs);
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace lumio::movetest
