// Test helpers for function values: an IR module given a function-typed resource field and
// closure instructions (bytecode v8) by hand, since Move IR has no closure syntax; a state of
// committed resources; closure constructors and Aptos's function-data header bytes.
#pragma once
#include <gtest/gtest.h>

#include <map>

#include "movevm/function_values.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"

namespace lumio::movevm::closure_test {


inline AccountAddress addr(uint64_t v) { return address_from_u64(v); }

inline Bytes u64_bcs(uint64_t v) {
  Bytes b;
  for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
  return b;
}
inline Bytes addr_bcs(const AccountAddress& a) { return Bytes(a.bytes.begin(), a.bytes.end()); }

// Resources committed from change sets; no modules (tests add them to each session's loader).
struct MapState final : StateView {
  std::map<std::pair<AccountAddress, std::string>, Bytes> resources;
  std::optional<Bytes> get_resource(const AccountAddress& a, const StructTag& t) const override {
    auto it = resources.find({a, t.to_canonical_string()});
    if (it == resources.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Bytes> get_module(const AccountAddress&, std::string_view) const override { return std::nullopt; }
  void commit(const ChangeSet& cs) {
    for (const auto& [key, bytes] : cs.resources) {
      auto k = std::make_pair(key.first, key.second.to_canonical_string());
      if (bytes) resources[k] = *bytes;
      else resources.erase(k);
    }
  }
};

inline CompiledModule compile(const std::string& src) {
  auto parsed = ir::parse_module(src);
  EXPECT_TRUE(std::holds_alternative<ir::Module>(parsed));
  auto compiled = ir::compile_module(std::get<ir::Module>(parsed), {});
  EXPECT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
  return std::get<CompiledModule>(compiled);
}

inline TableIndex handle_of(const CompiledModule& m, const std::string& name) {
  for (size_t i = 0; i < m.function_handles.size(); ++i)
    if (m.function_handles[i].module == m.self_module_handle_idx && m.identifiers[m.function_handles[i].name] == name)
      return TableIndex(i);
  ADD_FAILURE() << "no function " << name;
  return 0;
}
inline FunctionDefinition& def_of(CompiledModule& m, const std::string& name) {
  TableIndex h = handle_of(m, name);
  for (auto& d : m.function_defs)
    if (d.function == h) return d;
  ADD_FAILURE() << "no definition " << name;
  return m.function_defs[0];
}
inline size_t find_op(const std::vector<Instruction>& code, Opcode op) {
  for (size_t i = 0; i < code.size(); ++i)
    if (code[i].op == op) return i;
  ADD_FAILURE() << "opcode not found";
  return 0;
}

inline SignatureToken prim(TokenKind k) { return SignatureToken{k, 0, 0, 0, {}}; }
// |u64|u64 has copy + drop + store
inline SignatureToken fun_u64_u64() {
  return SignatureToken{TokenKind::Function, 0, kAbilityCopy | kAbilityDrop | kAbilityStore, 1,
                        {prim(TokenKind::U64), prim(TokenKind::U64)}};
}

inline constexpr const char* kModule = R"(module 0x42.FV {
    struct Holder has key { f: u64 }
    struct Pair has copy, drop, store { a: u64, b: bool }
    public add(x: u64, y: u64): u64 {
    label b0:
        return move(x) + move(y);
    }
    secret(x: u64, y: u64): u64 {
    label b0:
        return move(x) * move(y);
    }
    kept(x: u64, y: u64): u64 {
    label b0:
        return move(x) - move(y);
    }
    public with_pair(p: Self.Pair, y: u64): u64 {
    label b0:
        return *&(&p).Pair::a + move(y);
    }
    public id<T: copy>(x: T): T {
    label b0:
        return move(x);
    }
    public ghost<T>(x: u64): u64 {
    label b0:
        return move(x);
    }
    public put(s: &signer, k: u64) {
    label b0:
        move_to<Holder>(move(s), Holder { f: move(k) });
        return;
    }
    public put_secret(s: &signer, k: u64) {
    label b0:
        move_to<Holder>(move(s), Holder { f: move(k) });
        return;
    }
    public get(a: address, y: u64): u64 acquires Holder {
    label b0:
        return *&borrow_global<Holder>(move(a)).Holder::f + move(y);
    }
})";

// The IR module with Holder.f : |u64|u64 has copy+drop+store, `put` storing add(k, _),
// `put_secret` storing secret(k, _), `get` calling the stored closure with y, and `kept`
// marked #[persistent].
inline std::shared_ptr<const CompiledModule> closure_module() {
  CompiledModule m = compile(kModule);
  m.version = 8;
  m.struct_defs[0].fields[0].type = fun_u64_u64();
  m.signatures.push_back({fun_u64_u64()});
  TableIndex fun_sig = TableIndex(m.signatures.size() - 1);
  m.function_handles[handle_of(m, "kept")].attributes.push_back({FunctionAttributeKind::Persistent, 0});
  for (auto [fn, target] : {std::pair{"put", "add"}, std::pair{"put_secret", "secret"}}) {
    auto& code = def_of(m, fn).code->code;
    size_t pack = find_op(code, Opcode::Pack);
    code.insert(code.begin() + long(pack), Instruction{Opcode::PackClosure, handle_of(m, target), 0b1, {}});
  }
  // get: y, then the closure read from Holder.f, then CallClosure.
  auto& code = def_of(m, "get").code->code;
  EXPECT_EQ(code.size(), 7u);  // MoveLoc a, ImmBorrowGlobal, ImmBorrowField, ReadRef, MoveLoc y, Add, Ret
  std::vector<Instruction> get = {code[4], code[0], code[1], code[2], code[3],
                                  Instruction{Opcode::CallClosure, fun_sig, 0, {}}, code[6]};
  code = get;
  return std::make_shared<const CompiledModule>(std::move(m));
}

struct Env {
  GasParameters gas_params{GasSchedule{}};
  NativeRegistry natives;
  UnmeteredGasMeter gas;
  std::shared_ptr<const CompiledModule> module = closure_module();
  MapState state;

  Env() { EXPECT_FALSE(register_all_natives(natives, gas_params)); }

  std::unique_ptr<Session> session() {
    auto s = std::make_unique<Session>(state, natives);
    s->loader().add_module(module);
    return s;
  }
  const LoadedModule& loaded(Session& s) {
    auto m = s.loader().load_module(addr(0x42), "FV");
    EXPECT_TRUE(m.ok());
    return **m;
  }
  static const LoadedFunction* fn(const LoadedModule& m, const std::string& name) {
    for (const auto& f : m.functions)
      if (f->name == name) return f.get();
    ADD_FAILURE() << "no function " << name;
    return nullptr;
  }
};

inline Value closure(const LoadedFunction* f, uint64_t mask, std::vector<Value> captured, std::vector<Type> tys = {}) {
  auto c = std::make_shared<Container>(ContainerKind::Closure);
  c->function = f;
  c->mask = mask;
  c->values = std::move(captured);
  c->function_type_args = std::move(tys);
  return Value::container(std::move(c));
}

inline const TypeLayout kFunctionLayout{LayoutKind::Function, {}, {}};

// Aptos function data V1 written out field by field (function.rs / function_values_impl.rs):
// seq length, u16 version, ModuleId(address, name), function name, vector<TypeTag>, u64 mask.
inline Bytes header(uint8_t seq_len, const std::string& fn, const Bytes& ty_args, uint64_t mask,
                    const std::string& module = "FV") {
  Bytes b{seq_len, 0x01, 0x00};
  AccountAddress a = addr(0x42);
  b.insert(b.end(), a.bytes.begin(), a.bytes.end());
  b.push_back(uint8_t(module.size()));
  b.insert(b.end(), module.begin(), module.end());
  b.push_back(uint8_t(fn.size()));
  b.insert(b.end(), fn.begin(), fn.end());
  b.insert(b.end(), ty_args.begin(), ty_args.end());
  Bytes m = u64_bcs(mask);
  b.insert(b.end(), m.begin(), m.end());
  return b;
}

}  // namespace lumio::movevm::closure_test
