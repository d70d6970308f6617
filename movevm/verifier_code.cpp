// The start of the code-unit verifier (code_unit_verifier.rs): per function, control flow
// (no fall-through off the end; reducible CFG), stack usage (balanced basic blocks), type
// safety and locals safety. The later per-function passes (reference safety, acquires) do not exist yet, so
// a verdict is only given when it cannot depend on them: an error in a function after which
// every earlier function is known clean (reference-free units pass reference safety trivially;
// acquires are checked), or a module without functions.
#include <algorithm>
#include <set>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

bool is_branch(Opcode op) {
  return op == Opcode::BrTrue || op == Opcode::BrFalse || op == Opcode::Branch || op == Opcode::Ret ||
         op == Opcode::Abort || op == Opcode::AbortMsg;
}
bool is_unconditional(Opcode op) {
  return op == Opcode::Branch || op == Opcode::Ret || op == Opcode::Abort || op == Opcode::AbortMsg;
}

// Basic blocks as VMControlFlowGraph forms them: starts at 0, branch targets, and after every
// branching instruction.
struct Cfg {
  std::vector<uint16_t> starts;                 // ascending
  std::vector<uint16_t> ends;                   // inclusive
  std::vector<std::vector<size_t>> successors;  // block indices

  explicit Cfg(const std::vector<Instruction>& code) {
    std::set<uint16_t> ids = {0};
    for (size_t pc = 0; pc < code.size(); ++pc) {
      Opcode op = code[pc].op;
      if (op == Opcode::BrTrue || op == Opcode::BrFalse || op == Opcode::Branch) ids.insert(code[pc].index);
      if (is_branch(op) && pc + 1 < code.size()) ids.insert(uint16_t(pc + 1));
    }
    uint16_t entry = 0;
    for (size_t pc = 0; pc < code.size(); ++pc)
      if (pc + 1 == code.size() || ids.count(uint16_t(pc + 1))) {
        starts.push_back(entry);
        ends.push_back(uint16_t(pc));
        entry = uint16_t(pc + 1);
      }
    auto block_of = [&](uint16_t off) {
      return size_t(std::lower_bound(starts.begin(), starts.end(), off) - starts.begin());
    };
    successors.resize(starts.size());
    for (size_t b = 0; b < starts.size(); ++b) {
      const Instruction& last = code[ends[b]];
      if (last.op == Opcode::BrTrue || last.op == Opcode::BrFalse || last.op == Opcode::Branch)
        successors[b].push_back(block_of(last.index));
      if (!is_unconditional(last.op) && size_t(ends[b]) + 1 < code.size()) successors[b].push_back(b + 1);
    }
  }

  // Reducible iff every edge to a block still on the DFS path goes to a dominator of its source.
  bool reducible() const {
    size_t n = starts.size();
    // Dominators (iterative bit sets; functions are small).
    std::vector<std::vector<bool>> dom(n, std::vector<bool>(n, true));
    std::vector<std::vector<size_t>> preds(n);
    for (size_t b = 0; b < n; ++b)
      for (size_t s : successors[b]) preds[s].push_back(b);
    dom[0].assign(n, false);
    dom[0][0] = true;
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t b = 1; b < n; ++b) {
        std::vector<bool> d(n, true);
        if (preds[b].empty()) d.assign(n, false);
        for (size_t p : preds[b])
          for (size_t i = 0; i < n; ++i) d[i] = d[i] && dom[p][i];
        d[b] = true;
        if (d != dom[b]) {
          dom[b] = d;
          changed = true;
        }
      }
    }
    std::vector<int> state(n, 0);  // 0 new, 1 on path, 2 done
    std::vector<std::pair<size_t, size_t>> stack{{0, 0}};
    state[0] = 1;
    while (!stack.empty()) {
      auto [b, i] = stack.back();
      if (i < successors[b].size()) {
        ++stack.back().second;
        size_t s = successors[b][i];
        if (state[s] == 1 && !dom[b][s]) return false;
        if (state[s] == 0) {
          state[s] = 1;
          stack.push_back({s, 0});
        }
      } else {
        state[b] = 2;
        stack.pop_back();
      }
    }
    return true;
  }
};

struct Effect {
  uint64_t pops, pushes;
};

Effect effect(const CommonTables& u, const CompiledModule* m, const Signature& returns, const Instruction& ins) {
  auto fields = [&](uint16_t def, std::optional<uint16_t> variant) -> uint64_t {
    return m ? m->struct_defs[def].field_count(variant) : 0;
  };
  switch (ins.op) {
    case Opcode::Pop: case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::StLoc: case Opcode::Abort:
      return {1, 0};
    case Opcode::AbortMsg: return {2, 0};
    case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32: case Opcode::LdU64: case Opcode::LdU128:
    case Opcode::LdU256: case Opcode::LdI8: case Opcode::LdI16: case Opcode::LdI32: case Opcode::LdI64:
    case Opcode::LdI128: case Opcode::LdI256: case Opcode::LdTrue: case Opcode::LdFalse: case Opcode::LdConst:
    case Opcode::CopyLoc: case Opcode::MoveLoc: case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc:
      return {0, 1};
    case Opcode::Not: case Opcode::Negate: case Opcode::FreezeRef: case Opcode::ReadRef: case Opcode::Exists:
    case Opcode::ExistsGeneric: case Opcode::MutBorrowGlobal: case Opcode::MutBorrowGlobalGeneric:
    case Opcode::ImmBorrowGlobal: case Opcode::ImmBorrowGlobalGeneric: case Opcode::MutBorrowField:
    case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowField: case Opcode::ImmBorrowFieldGeneric:
    case Opcode::MutBorrowVariantField: case Opcode::MutBorrowVariantFieldGeneric:
    case Opcode::ImmBorrowVariantField: case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::TestVariant:
    case Opcode::TestVariantGeneric: case Opcode::MoveFrom: case Opcode::MoveFromGeneric: case Opcode::CastU8:
    case Opcode::CastU16: case Opcode::CastU32: case Opcode::CastU64: case Opcode::CastU128:
    case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16: case Opcode::CastI32:
    case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256: case Opcode::VecLen:
    case Opcode::VecPopBack:
      return {1, 1};
    case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Mod: case Opcode::Div:
    case Opcode::BitOr: case Opcode::BitAnd: case Opcode::Xor: case Opcode::Shl: case Opcode::Shr:
    case Opcode::Or: case Opcode::And: case Opcode::Eq: case Opcode::Neq: case Opcode::Lt: case Opcode::Gt:
    case Opcode::Le: case Opcode::Ge: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow:
      return {2, 1};
    case Opcode::VecPack: return {ins.value, 1};
    case Opcode::VecUnpack: return {1, ins.value};
    case Opcode::MoveTo: case Opcode::MoveToGeneric: case Opcode::WriteRef: case Opcode::VecPushBack:
      return {2, 0};
    case Opcode::VecSwap: return {3, 0};
    case Opcode::Branch: case Opcode::Nop: return {0, 0};
    case Opcode::Ret: return {returns.size(), 0};
    case Opcode::Call: case Opcode::CallGeneric: {
      uint16_t fh = ins.op == Opcode::Call ? ins.index : u.function_instantiations[ins.index].handle;
      return {u.signatures[u.function_handles[fh].parameters].size(),
              u.signatures[u.function_handles[fh].return_].size()};
    }
    case Opcode::CallClosure: {
      const Signature& s = u.signatures[ins.index];
      if (!s.empty() && s[0].kind == TokenKind::Function)
        return {1 + uint64_t(s[0].function_args), uint64_t(s[0].children.size() - s[0].function_args)};
      return {0, 0};
    }
    case Opcode::PackClosure: case Opcode::PackClosureGeneric:
      return {uint64_t(__builtin_popcountll(ins.value)), 1};
    case Opcode::Pack: return {fields(ins.index, std::nullopt), 1};
    case Opcode::PackGeneric: return {fields(m->struct_def_instantiations[ins.index].handle, std::nullopt), 1};
    case Opcode::Unpack: return {1, fields(ins.index, std::nullopt)};
    case Opcode::UnpackGeneric: return {1, fields(m->struct_def_instantiations[ins.index].handle, std::nullopt)};
    case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::PackVariantGeneric:
    case Opcode::UnpackVariantGeneric: {
      bool generic = ins.op == Opcode::PackVariantGeneric || ins.op == Opcode::UnpackVariantGeneric;
      const auto& h = m->struct_variant_handles[generic ? m->struct_variant_instantiations[ins.index].handle : ins.index];
      uint64_t n = fields(h.struct_index, h.variant);
      bool pack = ins.op == Opcode::PackVariant || ins.op == Opcode::PackVariantGeneric;
      return pack ? Effect{n, 1} : Effect{1, n};
    }
  }
  return {0, 0};
}

constexpr uint64_t kMaxValueStackSize = 1024;

// Control flow and stack usage of one code unit; offsets name `function`.
bool reference_free(const CommonTables& u, const CodeUnit& code, const Signature& params);

std::optional<VMError> check_unit(const CommonTables& u, const CompiledModule* m, uint16_t function,
                                  const CodeUnit& code, const Signature& params, const Signature& returns,
                                  const std::vector<AbilitySet>& type_params, bool& judged) {
  judged = true;
  auto at = [&](StatusCode s, size_t off) { return VMError{s, {}, {}, {{function, uint16_t(off)}}}; };
  if (code.code.empty()) return VMError{StatusCode::EMPTY_CODE_UNIT, {}, {}, {}};
  if (!is_unconditional(code.code.back().op)) return at(StatusCode::INVALID_FALL_THROUGH, code.code.size() - 1);
  Cfg cfg(code.code);
  if (!cfg.reducible()) {  // Aptos names a specific block here; we do not reproduce which
    judged = false;
    return std::nullopt;
  }
  for (size_t b = 0; b < cfg.starts.size(); ++b) {
    uint64_t height = 0;
    for (size_t pc = cfg.starts[b]; pc <= cfg.ends[b]; ++pc) {
      Effect e = effect(u, m, returns, code.code[pc]);
      if (height < e.pops) return at(StatusCode::NEGATIVE_STACK_SIZE_WITHIN_BLOCK, cfg.starts[b]);
      height = height - e.pops + e.pushes;
      if (height > kMaxValueStackSize) return at(StatusCode::VALUE_STACK_OVERFLOW, cfg.starts[b]);
    }
    if (height != 0) return at(StatusCode::POSITIVE_STACK_SIZE_AT_BLOCK_END, cfg.starts[b]);
  }
  auto types = verify_type_safety(u, m, function, code, params, returns, type_params);
  if (!types.known || types.error) {
    judged = types.known;
    return types.error;
  }
  auto locals = verify_locals_safety(u, function, code, params, type_params);
  // Reference safety is not implemented, but it has nothing to object to in a unit where no
  // reference ever exists: then the unit is clean (`judged` with no error).
  judged = locals.has_value() || reference_free(u, code, params);
  return locals;
}

// No value of reference type can arise: no reference parameters, no borrowing instruction, no
// call returning a reference (locals only receive values from the stack).
bool reference_free(const CommonTables& u, const CodeUnit& code, const Signature& params) {
  auto has_ref = [](const Signature& s) {
    for (const auto& t : s)
      if (t.kind == TokenKind::Reference || t.kind == TokenKind::MutableReference) return true;
    return false;
  };
  if (has_ref(params)) return false;
  for (const auto& ins : code.code) {
    switch (ins.op) {
      case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc: case Opcode::MutBorrowField:
      case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowField: case Opcode::ImmBorrowFieldGeneric:
      case Opcode::MutBorrowVariantField: case Opcode::MutBorrowVariantFieldGeneric:
      case Opcode::ImmBorrowVariantField: case Opcode::ImmBorrowVariantFieldGeneric:
      case Opcode::MutBorrowGlobal: case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobal:
      case Opcode::ImmBorrowGlobalGeneric: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow:
      case Opcode::FreezeRef: case Opcode::ReadRef: case Opcode::WriteRef:
        return false;
      case Opcode::Call: case Opcode::CallGeneric: {
        uint16_t fh = ins.op == Opcode::Call ? ins.index : u.function_instantiations[ins.index].handle;
        if (has_ref(u.signatures[u.function_handles[fh].return_])) return false;
        break;
      }
      default: break;
    }
  }
  return true;
}

// acquires_list_verifier.rs: every global access (directly or through a call to a function of
// this module) is annotated, and every annotation is used and names a `key` struct.
std::optional<VMError> verify_acquires(const CompiledModule& m, uint16_t function) {
  const FunctionDefinition& fd = m.function_defs[function];
  std::set<uint16_t> annotated(fd.acquires_global_resources.begin(), fd.acquires_global_resources.end()), actual;
  auto missing = [&](size_t pc) {
    return VMError{StatusCode::MISSING_ACQUIRES_ANNOTATION, {}, {}, {{function, uint16_t(pc)}}};
  };
  for (size_t pc = 0; pc < fd.code->code.size(); ++pc) {
    const Instruction& ins = fd.code->code[pc];
    switch (ins.op) {
      case Opcode::Call: case Opcode::CallGeneric: {
        uint16_t h = ins.op == Opcode::Call ? ins.index : m.function_instantiations[ins.index].handle;
        if (m.function_handles[h].module != m.self_module_handle_idx) break;
        const FunctionDefinition* callee = nullptr;  // Aptos keeps the last definition per handle
        for (const auto& d : m.function_defs)
          if (d.function == h) callee = &d;
        if (!callee) break;
        for (uint16_t r : callee->acquires_global_resources)
          if (!annotated.count(r)) return missing(pc);
        actual.insert(callee->acquires_global_resources.begin(), callee->acquires_global_resources.end());
        break;
      }
      case Opcode::MoveFrom: case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
      case Opcode::MoveFromGeneric: case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: {
        bool generic = ins.op == Opcode::MoveFromGeneric || ins.op == Opcode::MutBorrowGlobalGeneric ||
                       ins.op == Opcode::ImmBorrowGlobalGeneric;
        uint16_t def = generic ? m.struct_def_instantiations[ins.index].handle : ins.index;
        if (!annotated.count(def)) return missing(pc);
        actual.insert(def);
        break;
      }
      default: break;
    }
  }
  for (uint16_t a : annotated) {
    if (!actual.count(a)) return VMError{StatusCode::EXTRANEOUS_ACQUIRES_ANNOTATION, {}, {}, {}};
    if (!(m.struct_handles[m.struct_defs[a].struct_handle].abilities & kAbilityKey))
      return VMError{StatusCode::INVALID_ACQUIRES_ANNOTATION, {}, {}, {}};
  }
  return std::nullopt;
}

bool has_struct_api_attribute(const FunctionHandle& fh) {
  for (const auto& a : fh.attributes)
    if (a.kind >= FunctionAttributeKind::Pack && a.kind <= FunctionAttributeKind::BorrowFieldMutable) return true;
  return false;
}

}  // namespace

CodeVerdict verify_code_units(const CompiledModule& m) {
  if (m.function_defs.empty()) return {std::nullopt, true};
  if (m.version < 6) return {std::nullopt, false};  // v5 uses the older control-flow rules
  for (size_t i = 0; i < m.function_defs.size(); ++i) {
    const auto& fd = m.function_defs[i];
    const auto& fh = m.function_handles[fd.function];
    if (has_struct_api_attribute(fh)) return {std::nullopt, false};
    if (!fd.code) continue;
    bool judged = false;
    auto e = check_unit(m, &m, uint16_t(i), *fd.code, m.signatures[fh.parameters], m.signatures[fh.return_],
                        fh.type_parameters, judged);
    if (!e && judged) e = verify_acquires(m, uint16_t(i));
    if (e) e->indices.emplace_back(IndexKind::FunctionDefinition, uint16_t(i));
    if (e || !judged) return {e, false};
    // This function passed every code-unit pass: go on to the next.
  }
  // Every function is clean. The script-signature pass checks nothing from v5 on (Aptos calls
  // it with no additional checks); natives still need the loader to resolve them, so a module
  // with natives is not claimed.
  for (const auto& fd : m.function_defs)
    if (!fd.code) return {std::nullopt, false};
  return {std::nullopt, true};
}

CodeVerdict verify_code_units(const CompiledScript& s) {
  if (s.version < 6) return {std::nullopt, false};
  bool judged = false;
  static const Signature kNoReturns;
  auto e = check_unit(s, nullptr, 0, s.code, s.signatures[s.parameters], kNoReturns, s.type_parameters, judged);
  return {e, false};
}

}  // namespace lumio::movevm::internal
