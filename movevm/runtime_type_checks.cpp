// Paranoid runtime type checks: see runtime_type_checks.hpp. The rules and messages follow
// Aptos's runtime_type_checks.rs (FullRuntimeTypeCheck) and the paranoid helpers of its
// runtime types (paranoid_check_eq / _assignable / _has_ability / _ref_eq / _is_vec_ref_ty …).
#include "movevm/runtime_type_checks.hpp"

#include <cstring>

namespace lumio::movevm {

namespace {

constexpr AbilitySet kPrimitiveAbilities = kAbilityCopy | kAbilityDrop | kAbilityStore;
constexpr AbilitySet kReferenceAbilities = kAbilityCopy | kAbilityDrop;

const char* ability_name(AbilitySet a) {
  switch (a) {
    case kAbilityCopy: return "copy";
    case kAbilityDrop: return "drop";
    case kAbilityStore: return "store";
    default: return "key";
  }
}

std::string abilities_text(AbilitySet a) {
  std::string s = "[";
  for (AbilitySet b : {kAbilityCopy, kAbilityDrop, kAbilityStore, kAbilityKey})
    if (a & b) {
      if (s.size() > 1) s += ", ";
      s += ability_name(b);
    }
  return s + "]";
}

bool is_generic_op(Opcode op) {
  switch (op) {
    case Opcode::ImmBorrowFieldGeneric: case Opcode::MutBorrowFieldGeneric:
    case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric:
    case Opcode::PackGeneric: case Opcode::UnpackGeneric: case Opcode::PackVariantGeneric:
    case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric: case Opcode::ExistsGeneric:
    case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: case Opcode::MoveFromGeneric:
    case Opcode::MoveToGeneric: case Opcode::CallGeneric: case Opcode::PackClosureGeneric:
      return true;
    default: return false;
  }
}

TypeKind cast_kind(Opcode op) {
  switch (op) {
    case Opcode::CastU8: return TypeKind::U8;
    case Opcode::CastU16: return TypeKind::U16;
    case Opcode::CastU32: return TypeKind::U32;
    case Opcode::CastU64: return TypeKind::U64;
    case Opcode::CastU128: return TypeKind::U128;
    case Opcode::CastU256: return TypeKind::U256;
    case Opcode::CastI8: return TypeKind::I8;
    case Opcode::CastI16: return TypeKind::I16;
    case Opcode::CastI32: return TypeKind::I32;
    case Opcode::CastI64: return TypeKind::I64;
    case Opcode::CastI128: return TypeKind::I128;
    default: return TypeKind::I256;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Interner

TypeInterner::TypeInterner() {
  for (int k = 0; k <= int(TypeKind::Signer); ++k) make(TypeKind(k), {});
}

TypeId TypeInterner::make(TypeKind kind, std::span<const TypeId> args, const StructInfo* si, AbilitySet fn_abilities,
                          uint8_t fn_args) {
  key_.clear();
  key_.push_back(char(kind));
  key_.push_back(char(fn_abilities));
  key_.push_back(char(fn_args));
  key_.append(reinterpret_cast<const char*>(&si), sizeof si);
  key_.append(reinterpret_cast<const char*>(args.data()), args.size() * sizeof(TypeId));
  if (auto it = ids_.find(key_); it != ids_.end()) return it->second;

  AbilitySet ab = 0;
  switch (kind) {
    case TypeKind::Signer: ab = kAbilityDrop; break;
    case TypeKind::Reference: case TypeKind::MutableReference: ab = kReferenceAbilities; break;
    case TypeKind::Vector: ab = args.empty() ? 0 : AbilitySet(abilities(args[0]) & kPrimitiveAbilities); break;
    case TypeKind::Function: ab = fn_abilities; break;
    case TypeKind::Struct: {
      // Declared abilities, each kept only where every non-phantom argument has what it
      // requires (copy/drop/store need the same, key needs store).
      ab = si->abilities;
      for (size_t i = 0; i < args.size(); ++i) {
        if (i < si->type_params.size() && si->type_params[i].is_phantom) continue;
        AbilitySet a = abilities(args[i]);
        AbilitySet keep = a & (kAbilityCopy | kAbilityDrop | kAbilityStore);
        if (a & kAbilityStore) keep |= kAbilityKey;
        ab &= keep;
      }
      break;
    }
    default: ab = kPrimitiveAbilities; break;  // integers, bool, address
  }
  TypeId id = TypeId(nodes_.size()) << 4 | ab;
  nodes_.push_back(Node{kind, fn_abilities, fn_args, si, uint32_t(args_.size()), uint32_t(args.size())});
  args_.insert(args_.end(), args.begin(), args.end());
  ids_.emplace(key_, id);
  return id;
}

TypeId TypeInterner::intern(const Type& t, std::span<const TypeId> ty_args) {
  switch (t.kind) {
    case TypeKind::TypeParam: return t.index < ty_args.size() ? ty_args[t.index] : kNoType;
    case TypeKind::Vector: case TypeKind::Struct: case TypeKind::Reference: case TypeKind::MutableReference:
    case TypeKind::Function: {
      TypeId small[8];
      std::vector<TypeId> big;
      TypeId* ids = small;
      if (t.args.size() > std::size(small)) {
        big.resize(t.args.size());
        ids = big.data();
      }
      for (size_t i = 0; i < t.args.size(); ++i)
        if ((ids[i] = intern(t.args[i], ty_args)) == kNoType) return kNoType;
      if ((t.kind == TypeKind::Vector || t.is_reference()) && t.args.size() != 1) return kNoType;
      if (t.kind == TypeKind::Struct && !t.struct_info) return kNoType;
      return make(t.kind, {ids, t.args.size()}, t.kind == TypeKind::Struct ? t.struct_info : nullptr,
                  t.kind == TypeKind::Function ? t.abilities : 0, t.kind == TypeKind::Function ? t.function_args : 0);
    }
    default: return prim(t.kind);
  }
}

std::string TypeInterner::name(TypeId id) const {
  static const char* prim[] = {"bool", "u8", "u16", "u32", "u64", "u128", "u256", "i8",
                               "i16", "i32", "i64", "i128", "i256", "address", "signer"};
  if (id == kNoType || (id >> 4) >= nodes_.size()) return "?";
  const Node& n = nodes_[id >> 4];
  auto list = [&](size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) s += (i > from ? ", " : "") + name(args_[n.args_off + i]);
    return s;
  };
  switch (n.kind) {
    case TypeKind::Vector: return "vector<" + list(0, 1) + ">";
    case TypeKind::Reference: return "&" + list(0, 1);
    case TypeKind::MutableReference: return "&mut " + list(0, 1);
    case TypeKind::Struct: {
      std::string s = short_hex(n.si->address) + "::" + n.si->module_name + "::" + n.si->name;
      return n.nargs ? s + "<" + list(0, n.nargs) + ">" : s;
    }
    case TypeKind::Function: {
      std::string s = "|" + list(0, n.fn_args) + "|" + list(n.fn_args, n.nargs);
      return n.fn_abilities ? s + " has " + abilities_text(n.fn_abilities) : s;
    }
    default: return size_t(n.kind) < std::size(prim) ? prim[size_t(n.kind)] : "?";
  }
}

// ---------------------------------------------------------------------------------------------
// Checker

RuntimeTypeChecker::RuntimeTypeChecker(Loader& loader, size_t max_stack) : loader_(loader), max_(max_stack) {
  stack_.resize(max_stack + 1);
  st_ = stack_.data();
}

bool RuntimeTypeChecker::underflow() { return fail_status(StatusCode::EMPTY_VALUE_STACK, "runtime type stack empty"); }
bool RuntimeTypeChecker::overflow() { return fail_status(StatusCode::EXECUTION_STACK_OVERFLOW, ""); }

bool RuntimeTypeChecker::fail(std::string msg) {
  error_ = TypeCheckError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, std::move(msg), kParanoidFailure};
  return false;
}

bool RuntimeTypeChecker::fail_status(StatusCode s, std::string msg) {
  error_ = TypeCheckError{s, std::move(msg), std::nullopt};
  return false;
}

bool RuntimeTypeChecker::assignable(TypeId given, TypeId expected) {
  if (given == expected) return true;
  TypeKind ek = types_.kind(expected), gk = types_.kind(given);
  if (ek == TypeKind::Function && gk == TypeKind::Function) {
    // Same parameters and results; the given function may have more abilities.
    auto ea = types_.args(expected), ga = types_.args(given);
    return types_.function_args(expected) == types_.function_args(given) && ea.size() == ga.size() &&
           std::equal(ea.begin(), ea.end(), ga.begin()) &&
           (types_.function_abilities(expected) & ~types_.function_abilities(given)) == 0;
  }
  if (ek == TypeKind::Reference && gk == TypeKind::Reference)
    return assignable(types_.args(given)[0], types_.args(expected)[0]);
  return false;
}

bool RuntimeTypeChecker::check_assignable(TypeId given, TypeId expected) {
  if (assignable(given, expected)) return true;
  return fail("Expected type " + types_.name(expected) + ", got " + types_.name(given) + " which is not assignable ");
}

bool RuntimeTypeChecker::check_eq(TypeId given, TypeId expected) {
  if (given == expected) return true;
  return fail("Expected type " + types_.name(expected) + ", got " + types_.name(given));
}

bool RuntimeTypeChecker::check_ability(TypeId t, AbilitySet a) {
  if ((types_.abilities(t) & a) == a) return true;
  if (a == kAbilityCopy || a == kAbilityDrop || a == kAbilityStore || a == kAbilityKey)
    return fail("Type " + types_.name(t) + " does not have expected ability " + ability_name(a));
  return fail("Type " + types_.name(t) + " has unexpected ability: expected " + abilities_text(a) + ", got " +
              abilities_text(types_.abilities(t)));
}

bool RuntimeTypeChecker::check_ref_eq(TypeId ref, TypeId inner, bool mut) {
  TypeKind k = types_.kind(ref);
  if (k == TypeKind::MutableReference || (k == TypeKind::Reference && !mut)) return check_eq(types_.args(ref)[0], inner);
  return fail(std::string("Expected a (mutable: ") + (mut ? "true" : "false") + ") reference type, got " +
              types_.name(ref));
}

bool RuntimeTypeChecker::check_vec_ref(TypeId ref, TypeId elem, bool mut) {
  TypeKind k = types_.kind(ref);
  if (k == TypeKind::MutableReference || (k == TypeKind::Reference && !mut)) {
    TypeId v = types_.args(ref)[0];
    if (types_.kind(v) == TypeKind::Vector) return check_eq(types_.args(v)[0], elem);
  }
  return fail(std::string("Expected a (mutable: ") + (mut ? "true" : "false") + ") vector reference, got " +
              types_.name(ref));
}

// Aptos's check_cross_module_regular_call_visibility (also for packing a closure).
bool RuntimeTypeChecker::visible(const LoadedFunction& caller, const LoadedFunction& callee) {
  if (caller.module == callee.module || callee.visibility == Visibility::Public) return true;
  const LoadedModule& cm = *callee.module;
  std::string id = cm.id() + "::" + callee.name;
  if (callee.visibility == Visibility::Private)
    return fail("Function " + id + " cannot be called because it is private");
  // Friend: the caller's module must be among the callee module's friends.
  const LoadedModule& from = *caller.module;
  if (!from.is_script && cm.module) {
    const CompiledModule& m = *cm.module;
    for (const auto& f : m.friend_decls)
      if (f.address < m.address_identifiers.size() && f.name < m.identifiers.size() &&
          m.address_identifiers[f.address] == from.address && m.identifiers[f.name] == from.name)
        return true;
  }
  return fail("Function " + id + " cannot be called because it has friend visibility, but " + from.id() +
              " is not " + cm.id() + "'s friend");
}

FunctionTypes* RuntimeTypeChecker::instance(const LoadedFunction& fn, std::span<const TypeId> ty_args) {
  const LoadedFunction* p = &fn;
  key_.assign(reinterpret_cast<const char*>(&p), sizeof p);
  key_.append(reinterpret_cast<const char*>(ty_args.data()), ty_args.size() * sizeof(TypeId));
  if (auto it = instance_ids_.find(key_); it != instance_ids_.end()) return instances_[it->second].get();
  std::string key = key_;
  auto ft = std::make_unique<FunctionTypes>();
  ft->fn = &fn;
  ft->id = uint32_t(instances_.size());
  ft->ty_args.assign(ty_args.begin(), ty_args.end());
  auto conv = [&](const std::vector<Type>& in, std::vector<TypeId>& out) {
    for (const auto& t : in) {
      TypeId id = types_.intern(t, ft->ty_args);
      if (id == kNoType) return false;
      out.push_back(id);
    }
    return true;
  };
  if (!conv(fn.locals, ft->locals) || !conv(fn.params, ft->params) || !conv(fn.returns, ft->returns)) {
    fail("type substitution failed: type parameter out of range in " + fn.name);
    return nullptr;
  }
  for (TypeId t : ft->locals) ft->locals_all_drop &= (types_.abilities(t) & kAbilityDrop) != 0;
  if (fn.code) ft->slot.assign(fn.code->code.size(), kNoType);
  instance_ids_.emplace(std::move(key), uint32_t(instances_.size()));
  instances_.push_back(std::move(ft));
  return instances_.back().get();
}

FunctionTypes* RuntimeTypeChecker::function_types(const LoadedFunction& fn, std::span<const Type> ty_args) {
  std::vector<TypeId> ids;
  for (const auto& t : ty_args) {
    TypeId id = types_.intern(t, {});
    if (id == kNoType) {
      fail("unresolved type argument");
      return nullptr;
    }
    ids.push_back(id);
  }
  return instance(fn, ids);
}

// Per-instruction entries (see step for their layouts).
bool RuntimeTypeChecker::compute_entry(FunctionTypes& ft, const LoadedModule& unit, const Instruction& ins,
                                       std::vector<uint32_t>& out) {
  const CompiledModule* m = unit.module.get();
  auto inst_args = [&](TableIndex sig, std::vector<TypeId>& ids) {
    if (sig >= unit.signatures.size()) return fail("bad signature index");
    for (const auto& t : unit.signatures[sig]) {
      TypeId id = types_.intern(t, ft.ty_args);
      if (id == kNoType) return fail("type substitution failed");
      ids.push_back(id);
    }
    return true;
  };
  auto struct_ty = [&](TableIndex def, const std::vector<TypeId>& args, const StructInfo*& si) -> TypeId {
    if (def >= unit.structs.size()) return fail("bad struct definition index"), kNoType;
    si = unit.structs[def].get();
    if (args.size() != si->type_params.size()) return fail("type argument count mismatch"), kNoType;
    return types_.make(TypeKind::Struct, args, si);
  };
  auto field_ty = [&](const Type& f, const std::vector<TypeId>& args) {
    TypeId id = types_.intern(f, args);
    if (id == kNoType) fail("type substitution failed");
    return id;
  };
  switch (ins.op) {
    case Opcode::LdConst: {
      if (ins.index >= unit.tables->constant_pool.size()) return fail("bad constant index");
      auto t = loader_.type_of(unit, unit.tables->constant_pool[ins.index].type);
      if (!t) return fail("bad constant type");
      TypeId id = types_.intern(*t, {});
      if (id == kNoType) return fail("bad constant type");
      out = {id};
      return true;
    }
    case Opcode::ImmBorrowField: case Opcode::MutBorrowField: case Opcode::ImmBorrowFieldGeneric:
    case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowVariantField: case Opcode::MutBorrowVariantField:
    case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric: {
      if (!m) return fail("field access in a script");
      bool variant = ins.op >= Opcode::ImmBorrowVariantField && ins.op <= Opcode::MutBorrowVariantFieldGeneric;
      TableIndex h = ins.index;
      std::vector<TypeId> args;
      if (is_generic_op(ins.op)) {
        const auto& insts = variant ? m->variant_field_instantiations : m->field_instantiations;
        if (h >= insts.size()) return fail("bad field instantiation");
        if (!inst_args(insts[h].type_parameters, args)) return false;
        h = insts[h].handle;
      }
      TableIndex def;
      uint16_t field;
      const std::vector<uint16_t>* variants = nullptr;
      if (variant) {
        if (h >= m->variant_field_handles.size()) return fail("bad field handle");
        def = m->variant_field_handles[h].struct_index;
        field = m->variant_field_handles[h].field;
        variants = &m->variant_field_handles[h].variants;
      } else {
        if (h >= m->field_handles.size()) return fail("bad field handle");
        def = m->field_handles[h].owner;
        field = m->field_handles[h].field;
      }
      const StructInfo* si = nullptr;
      TypeId st = struct_ty(def, args, si);
      if (st == kNoType) return false;
      TypeId ft_id = kNoType;
      if (variants) {
        // Every listed variant must have this field, of one type.
        if (!si->is_enum || variants->empty()) return fail("bad variant field handle");
        for (uint16_t v : *variants) {
          if (v >= si->variants.size() || field >= si->variants[v].size()) return fail("bad variant field handle");
          TypeId t = field_ty(si->variants[v][field], args);
          if (t == kNoType) return false;
          if (ft_id != kNoType && t != ft_id) return fail("variant field types differ");
          ft_id = t;
        }
      } else {
        if (si->is_enum || field >= si->fields.size()) return fail("bad field handle");
        if ((ft_id = field_ty(si->fields[field], args)) == kNoType) return false;
      }
      out = {st, ft_id};
      return true;
    }
    case Opcode::Pack: case Opcode::PackGeneric: case Opcode::Unpack: case Opcode::UnpackGeneric:
    case Opcode::PackVariant: case Opcode::PackVariantGeneric: case Opcode::UnpackVariant:
    case Opcode::UnpackVariantGeneric: case Opcode::TestVariant: case Opcode::TestVariantGeneric:
    case Opcode::Exists: case Opcode::ExistsGeneric: case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
    case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: case Opcode::MoveFrom:
    case Opcode::MoveFromGeneric: case Opcode::MoveTo: case Opcode::MoveToGeneric: {
      if (!m) return fail("struct operation in a script");
      bool variant_op = ins.op == Opcode::PackVariant || ins.op == Opcode::PackVariantGeneric ||
                        ins.op == Opcode::UnpackVariant || ins.op == Opcode::UnpackVariantGeneric ||
                        ins.op == Opcode::TestVariant || ins.op == Opcode::TestVariantGeneric;
      TableIndex h = ins.index;
      std::vector<TypeId> args;
      if (is_generic_op(ins.op)) {
        const auto& insts = variant_op ? m->struct_variant_instantiations : m->struct_def_instantiations;
        if (h >= insts.size()) return fail("bad struct instantiation");
        if (!inst_args(insts[h].type_parameters, args)) return false;
        h = insts[h].handle;
      }
      TableIndex def = h;
      std::optional<uint16_t> variant;
      if (variant_op) {
        if (h >= m->struct_variant_handles.size()) return fail("bad variant handle");
        def = m->struct_variant_handles[h].struct_index;
        variant = m->struct_variant_handles[h].variant;
      }
      const StructInfo* si = nullptr;
      TypeId st = struct_ty(def, args, si);
      if (st == kNoType) return false;
      out = {st};
      if (ins.op == Opcode::Pack || ins.op == Opcode::PackGeneric || ins.op == Opcode::Unpack ||
          ins.op == Opcode::UnpackGeneric || ins.op == Opcode::PackVariant || ins.op == Opcode::PackVariantGeneric ||
          ins.op == Opcode::UnpackVariant || ins.op == Opcode::UnpackVariantGeneric) {
        const std::vector<Type>* fields = nullptr;
        if (variant) {
          if (!si->is_enum || *variant >= si->variants.size()) return fail("bad variant");
          fields = &si->variants[*variant];
        } else {
          if (si->is_enum) return fail("pack of an enum");
          fields = &si->fields;
        }
        out.push_back(uint32_t(fields->size()));
        for (const auto& f : *fields) {
          TypeId t = field_ty(f, args);
          if (t == kNoType) return false;
          out.push_back(t);
        }
      }
      return true;
    }
    case Opcode::VecPack: case Opcode::VecLen: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow:
    case Opcode::VecPushBack: case Opcode::VecPopBack: case Opcode::VecUnpack: case Opcode::VecSwap: {
      std::vector<TypeId> elem;
      if (!inst_args(ins.index, elem)) return false;
      if (elem.size() != 1) return fail("bad vector signature");
      out = {elem[0], types_.vec(elem[0])};
      return true;
    }
    case Opcode::CallClosure: {
      std::vector<TypeId> fty;
      if (!inst_args(ins.index, fty)) return false;
      if (fty.size() != 1 || types_.kind(fty[0]) != TypeKind::Function) return fail("bad closure signature");
      out = {fty[0]};
      return true;
    }
    case Opcode::Call: case Opcode::CallGeneric: case Opcode::PackClosure: case Opcode::PackClosureGeneric: {
      const LoadedFunction* fn = nullptr;
      std::vector<TypeId> args;
      if (!is_generic_op(ins.op)) {
        if (ins.index >= unit.function_handles.size()) return fail("bad function handle");
        fn = unit.function_handles[ins.index];
      } else {
        const auto& insts = unit.tables->function_instantiations;
        if (ins.index >= insts.size() || insts[ins.index].handle >= unit.function_handles.size())
          return fail("bad function instantiation");
        fn = unit.function_handles[insts[ins.index].handle];
        if (!inst_args(insts[ins.index].type_parameters, args)) return false;
      }
      if (!fn) return fail("unlinked function");
      if (args.size() != fn->type_params.size()) return fail("type argument count mismatch");
      FunctionTypes* callee = instance(*fn, args);
      if (!callee) return false;
      out = {callee->id};
      return true;
    }
    default: return fail("no type entry for this instruction");
  }
}

const uint32_t* RuntimeTypeChecker::entry(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc,
                                          const Instruction& ins) {
  if (pc >= ft.slot.size()) return fail("bad code offset"), nullptr;
  if (ft.slot[pc] == kNoType) {
    std::vector<uint32_t> e;
    if (!compute_entry(ft, unit, ins, e)) return nullptr;
    ft.slot[pc] = uint32_t(ft.cache.size());
    ft.cache.insert(ft.cache.end(), e.begin(), e.end());
  }
  return ft.cache.data() + ft.slot[pc];
}

bool RuntimeTypeChecker::pop_args(const FunctionTypes& callee, uint64_t captured_mask) {
  for (size_t i = callee.params.size(); i-- > 0;) {
    if (i < 64 && (captured_mask >> i) & 1) continue;
    TypeId a = 0;
    if (!pop(a) || !check_assignable(a, callee.params[i])) return false;
  }
  return true;
}

bool RuntimeTypeChecker::closure_call(const LoadedFunction& fn, std::span<const Type> ty_args, uint64_t mask) {
  callee_ = function_types(fn, ty_args);
  return callee_ && pop_args(*callee_, mask);
}

bool RuntimeTypeChecker::native_returns(const FunctionTypes& native, size_t nvalues) {
  if (nvalues != native.returns.size())
    return fail_status(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR,
                       "Arity mismatch: return value count does not match return type count");
  for (TypeId t : native.returns)
    if (!push(t)) return false;
  return true;
}

bool RuntimeTypeChecker::step(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc, const Instruction& ins,
                                   const Value* locals, size_t nlocals, size_t type_base) {
  TypeId a = 0, b = 0;
  auto local = [&](TypeId& out) {
    if (ins.index >= ft.locals.size()) return fail("local index out of range");
    out = ft.locals[ins.index];
    return true;
  };
  auto top = [&](TypeId& out) {
    if (n_ == 0) return fail_status(StatusCode::EMPTY_VALUE_STACK, "runtime type stack empty");
    out = stack_[n_ - 1];
    return true;
  };
  const uint32_t* e = nullptr;
  switch (ins.op) {
    case Opcode::Nop: case Opcode::Branch: return true;
    case Opcode::Pop: return pop(a) && check_ability(a, kAbilityDrop);
    case Opcode::Ret: {
      if (!ft.locals_all_drop)
        for (size_t i = 0; i < ft.locals.size() && i < nlocals; ++i)
          if (locals[i].kind != ValueKind::Invalid && !check_ability(ft.locals[i], kAbilityDrop)) return false;
      size_t nret = ft.returns.size();
      if (n_ != type_base + nret)
        return fail_status(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR,
                           "Paranoid mode: stack size mismatch on return: expected " +
                               std::to_string(type_base + nret) + ", got " + std::to_string(n_));
      for (size_t i = 0; i < nret; ++i)
        if (!check_assignable(stack_[type_base + i], ft.returns[i])) return false;
      return true;
    }
    case Opcode::BrTrue: case Opcode::BrFalse: return pop(a) && check_eq(a, prim(TypeKind::Bool));
    case Opcode::LdU8: return push(prim(TypeKind::U8));
    case Opcode::LdU16: return push(prim(TypeKind::U16));
    case Opcode::LdU32: return push(prim(TypeKind::U32));
    case Opcode::LdU64: return push(prim(TypeKind::U64));
    case Opcode::LdU128: return push(prim(TypeKind::U128));
    case Opcode::LdU256: return push(prim(TypeKind::U256));
    case Opcode::LdI8: return push(prim(TypeKind::I8));
    case Opcode::LdI16: return push(prim(TypeKind::I16));
    case Opcode::LdI32: return push(prim(TypeKind::I32));
    case Opcode::LdI64: return push(prim(TypeKind::I64));
    case Opcode::LdI128: return push(prim(TypeKind::I128));
    case Opcode::LdI256: return push(prim(TypeKind::I256));
    case Opcode::LdTrue: case Opcode::LdFalse: return push(prim(TypeKind::Bool));
    case Opcode::LdConst: return (e = entry(ft, unit, pc, ins)) && push(e[0]);
    case Opcode::CopyLoc: return local(a) && check_ability(a, kAbilityCopy) && push(a);
    case Opcode::MoveLoc: return local(a) && push(a);
    case Opcode::StLoc:
      if (!local(b) || !pop(a) || !check_assignable(a, b)) return false;
      if (ins.index < nlocals && locals[ins.index].kind != ValueKind::Invalid) return check_ability(b, kAbilityDrop);
      return true;
    case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc:
      if (!local(a)) return false;
      if (types_.is_ref(a)) return fail("Cannot borrow a local of reference type " + types_.name(a));
      return push(types_.ref(a, ins.op == Opcode::MutBorrowLoc));
    case Opcode::ImmBorrowField: case Opcode::MutBorrowField: case Opcode::ImmBorrowFieldGeneric:
    case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowVariantField: case Opcode::MutBorrowVariantField:
    case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric: {
      bool mut = ins.op == Opcode::MutBorrowField || ins.op == Opcode::MutBorrowFieldGeneric ||
                 ins.op == Opcode::MutBorrowVariantField || ins.op == Opcode::MutBorrowVariantFieldGeneric;
      if (!(e = entry(ft, unit, pc, ins)) || !pop(a) || !check_ref_eq(a, e[0], mut)) return false;
      return push(types_.ref(e[1], mut));
    }
    case Opcode::Call: case Opcode::CallGeneric:
      if (!(e = entry(ft, unit, pc, ins))) return false;
      callee_ = instances_[e[0]].get();
      return visible(*ft.fn, *callee_->fn) && pop_args(*callee_, 0);
    case Opcode::Pack: case Opcode::PackGeneric: case Opcode::PackVariant: case Opcode::PackVariantGeneric: {
      if (!(e = entry(ft, unit, pc, ins))) return false;
      TypeId st = e[0];
      size_t n = e[1];
      // Fields of a key struct need store (not key); otherwise the struct's own abilities.
      AbilitySet ab = types_.abilities(st);
      AbilitySet need = (ab & kAbilityKey) ? AbilitySet((ab & ~kAbilityKey) | kAbilityStore) : ab;
      if (n_ < n) return fail_status(StatusCode::EMPTY_VALUE_STACK, "runtime type stack empty");
      for (size_t i = 0; i < n; ++i) {
        TypeId given = stack_[n_ - n + i];
        if (!check_ability(given, need) || !check_assignable(given, e[2 + i])) return false;
      }
      n_ -= n;
      return push(st);
    }
    case Opcode::Unpack: case Opcode::UnpackGeneric: case Opcode::UnpackVariant: case Opcode::UnpackVariantGeneric: {
      if (!(e = entry(ft, unit, pc, ins)) || !pop(a) || !check_eq(a, e[0])) return false;
      for (size_t i = 0; i < e[1]; ++i)
        if (!push(e[2 + i])) return false;
      return true;
    }
    case Opcode::TestVariant: case Opcode::TestVariantGeneric:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_ref_eq(a, e[0], false) &&
             push(prim(TypeKind::Bool));
    case Opcode::ReadRef:
      if (!pop(a)) return false;
      if (!types_.is_ref(a)) return fail("Expected a reference to read, got " + types_.name(a));
      b = types_.args(a)[0];
      return check_ability(b, kAbilityCopy) && push(b);
    case Opcode::WriteRef:
      if (!pop(a) || !pop(b)) return false;
      if (types_.kind(a) != TypeKind::MutableReference)
        return fail("Cannot write type " + types_.name(b) + " to immutable type " + types_.name(a));
      return check_assignable(b, types_.args(a)[0]) && check_ability(types_.args(a)[0], kAbilityDrop);
    case Opcode::FreezeRef:
      if (!pop(a)) return false;
      if (types_.kind(a) != TypeKind::MutableReference)
        return fail("Expected a mutable reference to freeze, got " + types_.name(a));
      return push(types_.ref(types_.args(a)[0], false));
    case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Div: case Opcode::Mod:
    case Opcode::BitOr: case Opcode::BitAnd: case Opcode::Xor: case Opcode::Or: case Opcode::And:
      return pop(b) && top(a) && check_eq(b, a);
    case Opcode::Shl: case Opcode::Shr: return pop(b) && top(a) && check_eq(b, prim(TypeKind::U8));
    case Opcode::Lt: case Opcode::Gt: case Opcode::Le: case Opcode::Ge:
      return pop(b) && pop(a) && check_eq(b, a) && push(prim(TypeKind::Bool));
    case Opcode::Eq: case Opcode::Neq:
      return pop(b) && pop(a) && check_eq(b, a) && check_ability(b, kAbilityDrop) && push(prim(TypeKind::Bool));
    case Opcode::Not: return top(a) && check_eq(a, prim(TypeKind::Bool));
    case Opcode::Negate: return top(a);
    case Opcode::CastU8: case Opcode::CastU16: case Opcode::CastU32: case Opcode::CastU64:
    case Opcode::CastU128: case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16:
    case Opcode::CastI32: case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256:
      return pop(a) && push(TypeInterner::prim(cast_kind(ins.op)));
    case Opcode::Abort: return pop(a) && check_eq(a, prim(TypeKind::U64));
    case Opcode::AbortMsg:
      return pop(b) && check_eq(b, types_.vec(prim(TypeKind::U8))) && pop(a) && check_eq(a, prim(TypeKind::U64));
    case Opcode::Exists: case Opcode::ExistsGeneric:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_eq(a, prim(TypeKind::Address)) &&
             push(prim(TypeKind::Bool));
    case Opcode::MoveFrom: case Opcode::MoveFromGeneric:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_eq(a, prim(TypeKind::Address)) &&
             check_ability(e[0], kAbilityKey) && push(e[0]);
    case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal: case Opcode::MutBorrowGlobalGeneric:
    case Opcode::ImmBorrowGlobalGeneric: {
      bool mut = ins.op == Opcode::MutBorrowGlobal || ins.op == Opcode::MutBorrowGlobalGeneric;
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_eq(a, prim(TypeKind::Address)) &&
             check_ability(e[0], kAbilityKey) && push(types_.ref(e[0], mut));
    }
    case Opcode::MoveTo: case Opcode::MoveToGeneric:
      if (!(e = entry(ft, unit, pc, ins)) || !pop(a) || !pop(b)) return false;
      if (b != types_.ref(prim(TypeKind::Signer), false)) return fail("Expected &signer type, got " + types_.name(b));
      return check_eq(a, e[0]) && check_ability(a, kAbilityKey);
    case Opcode::VecPack: {
      if (!(e = entry(ft, unit, pc, ins))) return false;
      size_t n = size_t(ins.value);
      if (n_ < n) return fail_status(StatusCode::EMPTY_VALUE_STACK, "runtime type stack empty");
      for (size_t i = n_ - n; i < n_; ++i)
        if (!check_assignable(stack_[i], e[0])) return false;
      n_ -= n;
      return push(e[1]);
    }
    case Opcode::VecLen:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_vec_ref(a, e[0], false) &&
             push(prim(TypeKind::U64));
    case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: {
      bool mut = ins.op == Opcode::VecMutBorrow;
      return (e = entry(ft, unit, pc, ins)) && pop(b) && check_eq(b, prim(TypeKind::U64)) && pop(a) &&
             check_vec_ref(a, e[0], mut) && push(types_.ref(e[0], mut));
    }
    case Opcode::VecPushBack:
      return (e = entry(ft, unit, pc, ins)) && pop(b) && check_assignable(b, e[0]) && pop(a) &&
             check_vec_ref(a, e[0], true);
    case Opcode::VecPopBack:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_vec_ref(a, e[0], true) && push(e[0]);
    case Opcode::VecUnpack: {
      if (!(e = entry(ft, unit, pc, ins)) || !pop(a)) return false;
      if (types_.kind(a) != TypeKind::Vector) return fail("Expected vector type, got " + types_.name(a));
      if (!check_eq(types_.args(a)[0], e[0])) return false;
      // More elements than the stack holds: the interpreter fails it (length mismatch first, as Aptos).
      if (ins.value > max_ - n_) return true;
      for (uint64_t i = 0; i < ins.value; ++i) stack_[n_++] = e[0];
      return true;
    }
    case Opcode::VecSwap:
      return (e = entry(ft, unit, pc, ins)) && pop(b) && check_eq(b, prim(TypeKind::U64)) && pop(b) &&
             check_eq(b, prim(TypeKind::U64)) && pop(a) && check_vec_ref(a, e[0], true);
    case Opcode::PackClosure: case Opcode::PackClosureGeneric: {
      if (!(e = entry(ft, unit, pc, ins))) return false;
      const FunctionTypes& fn = *instances_[e[0]];
      if (!visible(*ft.fn, *fn.fn)) return false;
      uint64_t mask = ins.value;
      size_t np = fn.params.size();
      if (np < 64 && (mask >> np)) return true;  // the interpreter reports INVALID_CLOSURE_MASK
      // Persistent (public or #[persistent]) functions may be stored.
      bool persistent = fn.fn->visibility == Visibility::Public;
      if (!persistent && fn.fn->module->module && !fn.fn->in_script) {
        const CompiledModule& m = *fn.fn->module->module;
        if (fn.fn->def_index < m.function_defs.size()) {
          TableIndex h = m.function_defs[fn.fn->def_index].function;
          if (h < m.function_handles.size())
            for (const auto& at : m.function_handles[h].attributes)
              persistent |= at.kind == FunctionAttributeKind::Persistent;
        }
      }
      AbilitySet abilities = persistent ? kPrimitiveAbilities : kReferenceAbilities;
      size_t k = 0;
      for (size_t i = 0; i < np && i < 64; ++i) k += (mask >> i) & 1;
      if (n_ < k) return fail_status(StatusCode::EMPTY_VALUE_STACK, "runtime type stack empty");
      size_t at = n_ - k;
      scratch_.clear();
      for (size_t i = 0; i < np; ++i) {
        if (i < 64 && (mask >> i) & 1) {
          TypeId expected = fn.params[i], given = stack_[at++];
          if (types_.is_ref(expected))
            return fail("Captured argument type `" + types_.name(expected) + "` cannot be a reference");
          abilities &= types_.abilities(given);
          if (!check_assignable(given, expected)) return false;
        } else {
          scratch_.push_back(fn.params[i]);
        }
      }
      uint8_t nargs = uint8_t(scratch_.size());
      scratch_.insert(scratch_.end(), fn.returns.begin(), fn.returns.end());
      n_ -= k;
      return push(types_.make(TypeKind::Function, scratch_, nullptr, abilities, nargs));
    }
    case Opcode::CallClosure:
      return (e = entry(ft, unit, pc, ins)) && pop(a) && check_assignable(a, e[0]);
  }
  return fail("unknown instruction");
}

}  // namespace lumio::movevm
