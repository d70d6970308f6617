// 0x1::reflect::native_resolve<FuncType>(addr, &String module, &String function)
//   : Result<FuncType, ReflectionError>
// (Aptos move-stdlib natives/reflect.rs, LoaderContext::resolve_function): looks a public
// function up by name and returns it as a closure capturing nothing, its type arguments
// inferred by matching its signature against FuncType. Errors are values, not aborts:
// ReflectionError variants InvalidIdentifier (0; the function name is checked before the
// module name), FunctionNotFound (1; missing module or function), FunctionNotAccessible (2;
// not public, or 0x1::event::emit), FunctionIncompatibleType (3; FuncType is not a function
// type, signatures differ, or inferred type arguments violate constraints),
// FunctionNotInstantiated (4; a type parameter is not determined by FuncType).
#include <bit>

#include "movevm/loader.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm {
namespace {

using natives::invariant;
using Args = std::vector<Value>;
using Ty = std::span<const Type>;

enum : uint16_t {
  kInvalidIdentifier = 0, kFunctionNotFound = 1, kFunctionNotAccessible = 2, kFunctionIncompatibleType = 3,
  kFunctionNotInstantiated = 4,
};
constexpr uint16_t kResultOk = 0, kResultErr = 1;  // 0x1::result::Result variants

// Abilities of an instantiated type (Move's rule: a struct keeps a declared ability when every
// non-phantom type argument has it, `key` needing `store`).
AbilitySet abilities(const Type& t) {
  switch (t.kind) {
    case TypeKind::Signer: return kAbilityDrop;
    case TypeKind::Reference: case TypeKind::MutableReference: return kAbilityCopy | kAbilityDrop;
    case TypeKind::Vector: return abilities(t.args.at(0)) & (kAbilityCopy | kAbilityDrop | kAbilityStore);
    case TypeKind::Function: return t.abilities;
    case TypeKind::TypeParam: return 0;
    case TypeKind::Struct: {
      const StructInfo& s = *t.struct_info;
      AbilitySet r = s.abilities;
      for (size_t i = 0; i < t.args.size() && i < s.type_params.size(); ++i) {
        if (s.type_params[i].is_phantom) continue;
        AbilitySet a = abilities(t.args[i]);
        AbilitySet keep = a & (kAbilityCopy | kAbilityDrop | kAbilityStore);
        if (a & kAbilityStore) keep |= kAbilityKey;
        r &= keep;
      }
      return r;
    }
    default: return kAbilityCopy | kAbilityDrop | kAbilityStore;
  }
}

// Matches a declared type (with the function's type parameters) against a concrete one,
// binding parameters in `subst` (TypeParamMap::match_ty).
bool match(const Type& formal, const Type& actual, std::vector<std::optional<Type>>& subst) {
  if (formal.kind == TypeKind::TypeParam) {
    if (formal.index >= subst.size()) return false;
    auto& slot = subst[formal.index];
    if (slot) return *slot == actual;
    slot = actual;
    return true;
  }
  if (formal.kind != actual.kind || formal.args.size() != actual.args.size()) return false;
  if (formal.kind == TypeKind::Struct && formal.struct_info != actual.struct_info) return false;
  if (formal.kind == TypeKind::Function &&
      (formal.abilities != actual.abilities || formal.function_args != actual.function_args))
    return false;
  for (size_t i = 0; i < formal.args.size(); ++i)
    if (!match(formal.args[i], actual.args[i], subst)) return false;
  return true;
}

Value error_result(uint16_t e) { return make_variant(kResultErr, {make_variant(e, {})}); }

std::optional<std::string> identifier(const Value& v) {
  const Bytes* b = natives::string_bytes_of(v);
  if (!b) return std::nullopt;
  std::string s(b->begin(), b->end());
  if (!is_valid_identifier(s)) return std::string();
  return s;
}

}  // namespace

void natives::register_reflect(Registrar& r, const GasParameters& g) {
  uint64_t base = g.native("aptos_framework.reflect.resolve_base");
  r.add(1, "reflect", "native_resolve", [=](NativeContext& ctx, Ty ty_args, Args& a) -> Expected<NativeResult> {
    if (ty_args.size() != 1 || a.size() != 3) return invariant("wrong number of type arguments");
    auto addr = natives::address_of(a[0]);
    auto module = identifier(a[1]);
    auto function = identifier(a[2]);
    if (!addr || !module || !function) return invariant("reflect::native_resolve arguments");
    if (function->empty() || module->empty()) return NativeResult::ok({error_result(kInvalidIdentifier)}, base);
    if (*addr == address_from_u64(1) && *module == "event" && *function == "emit")
      return NativeResult::ok({error_result(kFunctionNotAccessible)}, base);
    auto fn = ctx.find_function(*addr, *module, *function);
    if (!fn) {
      if (fn.error().status == StatusCode::FUNCTION_RESOLUTION_FAILURE || fn.error().status == StatusCode::LINKER_ERROR)
        return NativeResult::ok({error_result(kFunctionNotFound)}, base);
      return fn.error();
    }
    const LoadedFunction& f = **fn;
    if (f.visibility != Visibility::Public) return NativeResult::ok({error_result(kFunctionNotAccessible)}, base);
    const Type& want = ty_args[0];
    // A resolved function is public and captures nothing: its value has copy, drop and store,
    // so a type asking for more has no inhabitant.
    if (want.kind != TypeKind::Function || (want.abilities & ~(kAbilityCopy | kAbilityDrop | kAbilityStore)))
      return NativeResult::ok({error_result(kFunctionIncompatibleType)}, base);
    size_t nparams = want.function_args;
    if (f.params.size() != nparams || f.returns.size() != want.args.size() - nparams)
      return NativeResult::ok({error_result(kFunctionIncompatibleType)}, base);
    std::vector<std::optional<Type>> subst(f.type_params.size());
    for (size_t i = 0; i < nparams; ++i)
      if (!match(f.params[i], want.args[i], subst)) return NativeResult::ok({error_result(kFunctionIncompatibleType)}, base);
    for (size_t i = 0; i < f.returns.size(); ++i)
      if (!match(f.returns[i], want.args[nparams + i], subst))
        return NativeResult::ok({error_result(kFunctionIncompatibleType)}, base);
    std::vector<Type> tys;
    for (auto& t : subst) {
      if (!t) return NativeResult::ok({error_result(kFunctionNotInstantiated)}, base);
      tys.push_back(std::move(*t));
    }
    for (size_t i = 0; i < tys.size(); ++i)
      if (f.type_params[i] & ~abilities(tys[i])) return NativeResult::ok({error_result(kFunctionIncompatibleType)}, base);
    auto c = std::make_shared<Container>(ContainerKind::Closure);
    c->function = &f;
    c->function_type_args = std::move(tys);
    return NativeResult::ok({make_variant(kResultOk, {Value::container(std::move(c))})}, base);
  });
}

}  // namespace lumio::movevm
