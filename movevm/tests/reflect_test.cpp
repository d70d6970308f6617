// 0x1::reflect::native_resolve: resolving public functions into closures of the requested
// function type (type arguments inferred), and each ReflectionError result.
#include "movevm/tests/closure_test_util.hpp"

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
