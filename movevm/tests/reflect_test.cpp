// 0x1::reflect::native_resolve: resolving public functions into closures of the requested
// function type (type arguments inferred), and each ReflectionError result.

#include "movevm/framework.hpp"
#include "movevm/tests/closure_test_util.hpp"
#include "movevm/tests/genesis_chain.hpp"

using namespace lumio;
using namespace lumio::movevm;
using namespace lumio::movevm::closure_test;

namespace {

struct ReflectContext final : NativeContext {
  Loader& loader;
  UnmeteredGasMeter meter;
  NativeExtensions ext;
  explicit ReflectContext(Loader& l) : loader(l) {}
  GasMeter& gas() override { return meter; }
  NativeExtensions& extensions() override { return ext; }
  ResourceAccess& resources() override { std::abort(); }
  Expected<TypeLayout> layout_of(const Type& t) override { return loader.layout_of(t); }
  Expected<TypeTag> type_tag_of(const Type& t) override { return loader.tag_of(t); }
  Expected<Type> type_of(const TypeTag& tag) override { return loader.type_of_tag(tag); }
  Expected<const LoadedFunction*> find_function(const AccountAddress& a, const std::string& module,
                                                const std::string& function) override {
    auto m = loader.load_module(a, module);
    if (m)
      for (const auto& f : (*m)->functions)
        if (f->name == function) return f.get();
    return VMError{StatusCode::FUNCTION_RESOLUTION_FAILURE, "", {}, {}};
  }
};

Type ty(TypeKind k) { return Type{k, 0, 0, 0, nullptr, {}}; }
Type fun_type(std::vector<Type> params, std::vector<Type> results, AbilitySet a = kAbilityCopy | kAbilityDrop) {
  Type t{TypeKind::Function, 0, a, uint8_t(params.size()), nullptr, {}};
  t.args = std::move(params);
  for (auto& r : results) t.args.push_back(std::move(r));
  return t;
}
Value str(const std::string& s) { return make_struct({make_vec_u8(Bytes(s.begin(), s.end()))}); }

}  // namespace

TEST(Reflect, NativeResolve) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  const NativeFunction* native = env.natives.find(addr(1), "reflect", "native_resolve");
  ASSERT_NE(native, nullptr);
  ReflectContext ctx(s->loader());
  // Result<F, ReflectionError>: Ok = variant 0 holding the closure, Err = variant 1 holding
  // the error variant (0 InvalidIdentifier .. 4 FunctionNotInstantiated).
  auto call = [&](const Type& want, uint64_t a, const std::string& module, const std::string& fn) {
    std::vector<Value> args{Value::addr(addr(a)), str(module), str(fn)};
    std::vector<Type> tys{want};
    auto r = (*native)(ctx, tys, args);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->values.size(), 1u);
    return r->values.at(0);
  };
  auto error_of = [&](const Value& v) -> int {
    if (!v.is_container(ContainerKind::Variant) || v.c->variant != 1) return -1;
    return v.c->values.at(0).c->variant;
  };
  Type u64 = ty(TypeKind::U64);
  Type binop = fun_type({u64, u64}, {u64});

  Value ok = call(binop, 0x42, "FV", "add");
  ASSERT_TRUE(ok.is_container(ContainerKind::Variant));
  EXPECT_EQ(ok.c->variant, 0);
  const Value& f = ok.c->values.at(0);
  ASSERT_TRUE(f.is_container(ContainerKind::Closure));
  EXPECT_EQ(f.c->function, Env::fn(m, "add"));
  EXPECT_EQ(f.c->mask, 0u);
  EXPECT_TRUE(f.c->values.empty());
  // A resolved public function value is storable.
  EXPECT_TRUE(serialize_value(f, kFunctionLayout));

  // Generic: id<T: copy> against |u64|u64 infers T = u64.
  Value gen = call(fun_type({u64}, {u64}), 0x42, "FV", "id");
  ASSERT_EQ(gen.c->variant, 0);
  ASSERT_EQ(gen.c->values[0].c->function_type_args.size(), 1u);
  EXPECT_EQ(gen.c->values[0].c->function_type_args[0], u64);

  EXPECT_EQ(error_of(call(binop, 0x42, "FV", "1add")), 0);       // InvalidIdentifier
  EXPECT_EQ(error_of(call(binop, 0x42, "F-V", "add")), 0);       // InvalidIdentifier
  EXPECT_EQ(error_of(call(binop, 0x42, "FV", "nope")), 1);       // FunctionNotFound
  EXPECT_EQ(error_of(call(binop, 0x43, "FV", "add")), 1);        // no module
  EXPECT_EQ(error_of(call(binop, 0x42, "FV", "secret")), 2);     // FunctionNotAccessible
  EXPECT_EQ(error_of(call(binop, 0x1, "event", "emit")), 2);     // forbidden before lookup
  EXPECT_EQ(error_of(call(fun_type({u64}, {u64}), 0x42, "FV", "add")), 3);  // FunctionIncompatibleType
  EXPECT_EQ(error_of(call(fun_type({u64, u64}, {ty(TypeKind::Bool)}), 0x42, "FV", "add")), 3);
  EXPECT_EQ(error_of(call(u64, 0x42, "FV", "add")), 3);          // not a function type
  EXPECT_EQ(error_of(call(fun_type({u64, u64}, {u64}, kAbilityCopy | kAbilityDrop | kAbilityKey), 0x42, "FV", "add")),
            3);
  EXPECT_EQ(error_of(call(fun_type({ty(TypeKind::Signer)}, {ty(TypeKind::Signer)}), 0x42, "FV", "id")), 3);  // T: copy
  EXPECT_EQ(error_of(call(fun_type({u64}, {u64}), 0x42, "FV", "ghost")), 4);  // FunctionNotInstantiated
}

// Through the genuine v10 framework: 0x1::reflect::resolve (feature-gated, then the native)
// called from a module whose placeholder type u128 is rewritten to |u64, u64| u64; the
// resolved closure is then called.
namespace {

constexpr const char* kCaller = R"(module 0x42.E {
    import 0x1.reflect;
    import 0x1.result;
    import 0x1.string;
    public add(x: u64, y: u64): u64 {
    label b0:
        return move(x) + move(y);
    }
    public probe(m: vector<u8>, f: vector<u8>): u64 {
        let r: result.Result<u128, reflect.ReflectionError>;
        let ms: string.String;
        let fs: string.String;
    label b0:
        ms = string.utf8(move(m));
        fs = string.utf8(move(f));
        r = reflect.resolve<u128>(0x42, &ms, &fs);
        jump_if_false (result.is_ok<u128, reflect.ReflectionError>(&r)) b2;
    label b1:
        _ = result.unwrap<u128, reflect.ReflectionError>(move(r));
        return 100;
    label b2:
        return reflect.error_code(result.unwrap_err<u128, reflect.ReflectionError>(move(r)));
    }
})";

void rewrite_u128(SignatureToken& t) {
  if (t.kind == TokenKind::U128) {
    t = SignatureToken{TokenKind::Function, 0, kAbilityCopy | kAbilityDrop | kAbilityStore, 2,
                       {prim(TokenKind::U64), prim(TokenKind::U64), prim(TokenKind::U64)}};
    return;
  }
  for (auto& c : t.children) rewrite_u128(c);
}

}  // namespace

TEST(Reflect, ResolveThroughTheV10Framework) {
  const auto& chain = test_util::GenesisChain::get("v10_2026-07-16");
  const MoveState* state = &chain.state;
  const NativeRegistry& natives = chain.natives;

  std::vector<CompiledModule> deps;
  for (const char* name : {"reflect", "result", "string"}) {
    auto m = deserialize_module(state->modules().at({addr(1), name}));
    ASSERT_TRUE(m.ok());
    deps.push_back(std::move(*m));
  }
  auto parsed = ir::parse_module(kCaller);
  ASSERT_TRUE(std::holds_alternative<ir::Module>(parsed)) << std::get<ir::ParseError>(parsed).describe();
  auto compiled = ir::compile_module(std::get<ir::Module>(parsed), {&deps[0], &deps[1], &deps[2]});
  ASSERT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
  CompiledModule m = std::get<CompiledModule>(compiled);
  m.version = 8;
  for (auto& sig : m.signatures)
    for (auto& t : sig) rewrite_u128(t);
  // b1 calls the resolved function: `_ = unwrap(r); return 100` becomes `unwrap(r)(2, 3)`.
  TableIndex fun_sig = 0;
  for (size_t i = 0; i < m.signatures.size(); ++i)
    if (m.signatures[i].size() == 1 && m.signatures[i][0].kind == TokenKind::Function) fun_sig = TableIndex(i);
  for (auto& d : m.function_defs) {
    if (m.identifiers[m.function_handles[d.function].name] != "probe") continue;
    auto& code = d.code->code;
    size_t pop = find_op(code, Opcode::Pop);
    ASSERT_TRUE(pop >= 2 && code[pop + 1].op == Opcode::LdU64 && code[pop + 2].op == Opcode::Ret);
    std::vector<Instruction> call{Instruction{Opcode::LdU64, 0, 2, {}}, Instruction{Opcode::LdU64, 0, 3, {}},
                                  code[pop - 2], code[pop - 1], Instruction{Opcode::CallClosure, fun_sig, 0, {}}};
    code.erase(code.begin() + long(pop - 2), code.begin() + long(pop + 2));
    code.insert(code.begin() + long(pop - 2), call.begin(), call.end());
    for (auto& ins : code)
      if (ins.op == Opcode::BrFalse) ins.index += 1;  // b2 moved by one instruction
  }

  Session session(*state, natives);
  add_session_extensions(session.extensions(), TransactionContext{}, &*state);
  session.loader().add_module(std::make_shared<const CompiledModule>(std::move(m)));
  UnmeteredGasMeter gas;
  auto probe = [&](const std::string& module, const std::string& fn) -> int64_t {
    auto bytes = [](const std::string& s) {
      Bytes b{uint8_t(s.size())};
      b.insert(b.end(), s.begin(), s.end());
      return b;
    };
    auto r = session.execute_function(addr(0x42), "E", "probe", {}, {}, {bytes(module), bytes(fn)}, gas);
    if (auto* e = std::get_if<ExecutionError>(&r)) {
      ADD_FAILURE() << status_name(e->error.status) << " " << e->error.message;
      return -1;
    }
    return int64_t(std::get<ExecutionResult>(r).return_values.at(0).u64);
  };
  EXPECT_EQ(probe("E", "add"), 5);      // Ok: the resolved closure add(2, 3)
  EXPECT_EQ(probe("E", "3x"), 0);       // InvalidIdentifier
  EXPECT_EQ(probe("E", "missing"), 1);  // FunctionNotFound
  EXPECT_EQ(probe("E", "probe"), 3);    // FunctionIncompatibleType
  EXPECT_EQ(probe("F", "add"), 1);      // no such module
}

// bcs::to_bytes and from_bcs::from_bytes on function values: storable closures give their
// function data, others abort with NFE_BCS_SERIALIZATION_FAILURE (0x1C5); bytes come back as
// an unresolved closure equal to the original.
TEST(FunctionValues, BcsNatives) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  ReflectContext ctx(s->loader());
  const NativeFunction* to_bytes = env.natives.find(addr(1), "bcs", "to_bytes");
  const NativeFunction* from_bytes = env.natives.find(addr(1), "from_bcs", "from_bytes");
  ASSERT_TRUE(to_bytes && from_bytes);
  std::vector<Type> tys{fun_type({ty(TypeKind::U64)}, {ty(TypeKind::U64)}, kAbilityCopy | kAbilityDrop | kAbilityStore)};
  Value c = closure(Env::fn(m, "add"), 0b1, {Value::u64v(7)});
  std::vector<Value> args{Value::container_ref(c.c)};
  auto r = (*to_bytes)(ctx, tys, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->aborted);
  EXPECT_EQ(r->values.at(0).c->bytes, *serialize_value(c, kFunctionLayout));
  std::vector<Value> back_args{r->values.at(0)};
  auto back = (*from_bytes)(ctx, tys, back_args);
  ASSERT_TRUE(back.ok());
  ASSERT_FALSE(back->aborted);
  EXPECT_TRUE(*values_equal(back->values.at(0), c));

  Value secret = closure(Env::fn(m, "secret"), 0b1, {Value::u64v(7)});
  std::vector<Value> secret_args{Value::container_ref(secret.c)};
  auto failed = (*to_bytes)(ctx, tys, secret_args);
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->aborted);
  EXPECT_EQ(failed->abort_code, 0x1C5u);
}

// 0x1::cmp::compare on closures (values_impl.rs compare_with_depth): the functions by module id,
// name and type arguments, then the captured values, then their count.
TEST(FunctionValues, CmpCompare) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  ReflectContext ctx(s->loader());
  const NativeFunction* compare = env.natives.find(addr(1), "cmp", "compare");
  ASSERT_NE(compare, nullptr);
  std::vector<Type> tys{fun_type({ty(TypeKind::U64)}, {ty(TypeKind::U64)})};
  auto cmp = [&](const Value& a, const Value& b) -> int {
    std::vector<Value> args{Value::container_ref(a.c), Value::container_ref(b.c)};
    auto r = (*compare)(ctx, tys, args);
    EXPECT_TRUE(r.ok());
    if (!r.ok() || r->values.size() != 1 || !r->values[0].is_container(ContainerKind::Variant)) return -9;
    return int(r->values[0].c->variant) - 1;  // Ordering: Less, Equal, Greater
  };
  Value add7 = closure(Env::fn(m, "add"), 0b1, {Value::u64v(7)});
  Value add8 = closure(Env::fn(m, "add"), 0b1, {Value::u64v(8)});
  Value kept7 = closure(Env::fn(m, "kept"), 0b1, {Value::u64v(7)});
  EXPECT_EQ(cmp(add7, add8), -1);
  EXPECT_EQ(cmp(add8, add7), 1);
  EXPECT_EQ(cmp(kept7, add8), 1);  // "add" < "kept" before any captured value
  EXPECT_EQ(cmp(add7, closure(Env::fn(m, "add"), 0, {})), 1);  // more captured values
  auto stored = deserialize_value(*serialize_value(add7, kFunctionLayout), kFunctionLayout);
  ASSERT_TRUE(stored);
  EXPECT_EQ(cmp(*stored, add7), 0);  // unresolved and resolved alike
  // Type arguments: id<u64> < id<u128> (TypeTag variant order U64 = 2 < U128 = 3).
  EXPECT_EQ(cmp(closure(Env::fn(m, "id"), 0, {}, {ty(TypeKind::U64)}),
                closure(Env::fn(m, "id"), 0, {}, {ty(TypeKind::U128)})),
            -1);
}
