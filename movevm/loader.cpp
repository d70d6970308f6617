#include "movevm/loader.hpp"

#include <algorithm>

namespace lumio::movevm {

namespace {

VMError err(StatusCode s, std::string msg = {}) { return VMError{s, std::move(msg), {}, {}}; }

std::string full_id(const AccountAddress& a, const std::string& name) { return to_hex(a.view(), false) + "::" + name; }

// Primitive token kinds map 1:1 onto type kinds.
std::optional<TypeKind> prim_kind(TokenKind k) {
  switch (k) {
    case TokenKind::Bool: return TypeKind::Bool;
    case TokenKind::U8: return TypeKind::U8;
    case TokenKind::U16: return TypeKind::U16;
    case TokenKind::U32: return TypeKind::U32;
    case TokenKind::U64: return TypeKind::U64;
    case TokenKind::U128: return TypeKind::U128;
    case TokenKind::U256: return TypeKind::U256;
    case TokenKind::I8: return TypeKind::I8;
    case TokenKind::I16: return TypeKind::I16;
    case TokenKind::I32: return TypeKind::I32;
    case TokenKind::I64: return TypeKind::I64;
    case TokenKind::I128: return TypeKind::I128;
    case TokenKind::I256: return TypeKind::I256;
    case TokenKind::Address: return TypeKind::Address;
    case TokenKind::Signer: return TypeKind::Signer;
    default: return std::nullopt;
  }
}

}  // namespace

std::string LoadedModule::id() const { return is_script ? "script" : short_hex(address) + "::" + name; }

void Loader::add_module(std::shared_ptr<const CompiledModule> module) {
  const auto& h = module->module_handles.at(module->self_module_handle_idx);
  auto key = std::make_pair(module->address_identifiers.at(h.address), module->identifiers.at(h.name));
  added_[key] = std::move(module);
  loaded_.erase(key);
}

Expected<Type> Loader::type_of(const LoadedModule& unit, const SignatureToken& tok) {
  Type t;
  if (auto p = prim_kind(tok.kind)) {
    t.kind = *p;
    return t;
  }
  switch (tok.kind) {
    case TokenKind::TypeParameter:
      t.kind = TypeKind::TypeParam;
      t.index = tok.index;
      return t;
    case TokenKind::Vector: case TokenKind::Reference: case TokenKind::MutableReference: {
      t.kind = tok.kind == TokenKind::Vector ? TypeKind::Vector
               : tok.kind == TokenKind::Reference ? TypeKind::Reference : TypeKind::MutableReference;
      if (tok.children.size() != 1) return err(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "bad token");
      auto e = type_of(unit, tok.children[0]);
      if (!e) return e.error();
      t.args.push_back(std::move(*e));
      return t;
    }
    case TokenKind::Struct: case TokenKind::StructInstantiation: case TokenKind::Function: {
      if (tok.kind == TokenKind::Function) {
        t.kind = TypeKind::Function;
        t.abilities = tok.abilities;
        t.function_args = tok.function_args;
      } else {
        t.kind = TypeKind::Struct;
        if (tok.index >= unit.struct_handles.size() || !unit.struct_handles[tok.index])
          return err(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "unresolved struct handle");
        t.struct_info = unit.struct_handles[tok.index];
      }
      for (const auto& c : tok.children) {
        auto e = type_of(unit, c);
        if (!e) return e.error();
        t.args.push_back(std::move(*e));
      }
      return t;
    }
    default: return err(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "bad token");
  }
}

Type Loader::instantiate(const Type& t, std::span<const Type> args) {
  if (t.kind == TypeKind::TypeParam) return t.index < args.size() ? args[t.index] : t;
  if (t.args.empty()) return t;
  Type r;
  r.kind = t.kind;
  r.index = t.index;
  r.abilities = t.abilities;
  r.function_args = t.function_args;
  r.struct_info = t.struct_info;
  r.args.reserve(t.args.size());
  for (const auto& a : t.args) r.args.push_back(instantiate(a, args));
  return r;
}

AbilitySet Loader::abilities_of(const Type& t) const {
  switch (t.kind) {
    case TypeKind::Signer: return kAbilityDrop;
    case TypeKind::Reference: case TypeKind::MutableReference: return kAbilityCopy | kAbilityDrop;
    case TypeKind::Vector: return abilities_of(t.args.at(0)) & (kAbilityCopy | kAbilityDrop | kAbilityStore);
    case TypeKind::Function: return t.abilities;
    case TypeKind::TypeParam: return 0;
    case TypeKind::Struct: {
      const StructInfo& s = *t.struct_info;
      // Declared abilities, limited by each non-phantom argument's abilities (key needs store).
      AbilitySet a = s.abilities;
      for (size_t i = 0; i < t.args.size() && i < s.type_params.size(); ++i) {
        if (s.type_params[i].is_phantom) continue;
        AbilitySet arg = abilities_of(t.args[i]);
        AbilitySet req = (arg & kAbilityCopy ? kAbilityCopy : 0) | (arg & kAbilityDrop ? kAbilityDrop : 0) |
                         (arg & kAbilityStore ? kAbilityStore | kAbilityKey : 0);
        a &= req;
      }
      return a;
    }
    default: return kAbilityCopy | kAbilityDrop | kAbilityStore;
  }
}

Expected<TypeTag> Loader::tag_of(const Type& t) {
  if (auto tk = primitive_tag_kind(t.kind)) return TypeTag{*tk, nullptr, nullptr};
  if (t.kind == TypeKind::Vector) {
    auto e = tag_of(t.args.at(0));
    if (!e) return e.error();
    return TypeTag{TagKind::Vector, std::make_shared<TypeTag>(std::move(*e)), nullptr};
  }
  if (t.kind == TypeKind::Struct) {
    auto st = std::make_shared<StructTag>();
    st->address = t.struct_info->address;
    st->module = t.struct_info->module_name;
    st->name = t.struct_info->name;
    for (const auto& a : t.args) {
      auto e = tag_of(a);
      if (!e) return e.error();
      st->type_args.push_back(std::move(*e));
    }
    return TypeTag{TagKind::Struct, nullptr, st};
  }
  return err(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "no type tag for this type");
}

Expected<Type> Loader::type_of_tag(const TypeTag& tag) {
  static const std::pair<TagKind, TypeKind> kPrims[] = {
      {TagKind::Bool, TypeKind::Bool}, {TagKind::U8, TypeKind::U8}, {TagKind::U16, TypeKind::U16},
      {TagKind::U32, TypeKind::U32}, {TagKind::U64, TypeKind::U64}, {TagKind::U128, TypeKind::U128},
      {TagKind::U256, TypeKind::U256}, {TagKind::I8, TypeKind::I8}, {TagKind::I16, TypeKind::I16},
      {TagKind::I32, TypeKind::I32}, {TagKind::I64, TypeKind::I64}, {TagKind::I128, TypeKind::I128},
      {TagKind::I256, TypeKind::I256}, {TagKind::Address, TypeKind::Address}, {TagKind::Signer, TypeKind::Signer}};
  for (auto [k, tk] : kPrims)
    if (tag.kind == k) return Type{tk, 0, 0, 0, nullptr, {}};
  if (tag.kind == TagKind::Vector && tag.element) {
    auto e = type_of_tag(*tag.element);
    if (!e) return e.error();
    Type t{TypeKind::Vector, 0, 0, 0, nullptr, {}};
    t.args.push_back(std::move(*e));
    return t;
  }
  if (tag.kind == TagKind::Struct && tag.struct_tag) {
    const StructTag& st = *tag.struct_tag;
    auto m = load_module(st.address, st.module);
    if (!m) return m.error();
    for (const auto& s : (*m)->structs) {
      if (s->name != st.name) continue;
      if (s->type_params.size() != st.type_args.size())
        return err(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
      Type t{TypeKind::Struct, 0, 0, 0, s.get(), {}};
      for (const auto& a : st.type_args) {
        auto e = type_of_tag(a);
        if (!e) return e.error();
        t.args.push_back(std::move(*e));
      }
      return t;
    }
    return err(StatusCode::TYPE_RESOLUTION_FAILURE, "no struct " + st.to_string());
  }
  return err(StatusCode::TYPE_RESOLUTION_FAILURE, "unsupported type tag");
}

Expected<TypeLayout> Loader::layout_of(const Type& t) {
  static const std::pair<TypeKind, LayoutKind> kPrims[] = {
      {TypeKind::Bool, LayoutKind::Bool}, {TypeKind::U8, LayoutKind::U8}, {TypeKind::U16, LayoutKind::U16},
      {TypeKind::U32, LayoutKind::U32}, {TypeKind::U64, LayoutKind::U64}, {TypeKind::U128, LayoutKind::U128},
      {TypeKind::U256, LayoutKind::U256}, {TypeKind::I8, LayoutKind::I8}, {TypeKind::I16, LayoutKind::I16},
      {TypeKind::I32, LayoutKind::I32}, {TypeKind::I64, LayoutKind::I64}, {TypeKind::I128, LayoutKind::I128},
      {TypeKind::I256, LayoutKind::I256}, {TypeKind::Address, LayoutKind::Address},
      {TypeKind::Signer, LayoutKind::Signer}};
  for (auto [k, lk] : kPrims)
    if (t.kind == k) return TypeLayout{lk, {}, {}};
  if (t.kind == TypeKind::Vector) {
    auto e = layout_of(t.args.at(0));
    if (!e) return e.error();
    TypeLayout l{LayoutKind::Vector, {}, {}};
    l.fields.push_back(std::move(*e));
    return l;
  }
  if (t.kind == TypeKind::Function) return TypeLayout{LayoutKind::Function, {}, {}};
  if (t.kind == TypeKind::Struct) {
    const StructInfo& s = *t.struct_info;
    if (s.is_enum) {
      TypeLayout l{LayoutKind::Enum, {}, {}};
      for (const auto& v : s.variants) {
        std::vector<TypeLayout> fl;
        for (const auto& f : v) {
          auto e = layout_of(instantiate(f, t.args));
          if (!e) return e.error();
          fl.push_back(std::move(*e));
        }
        l.variants.push_back(std::move(fl));
      }
      return l;
    }
    TypeLayout l{LayoutKind::Struct, {}, {}};
    for (const auto& f : s.fields) {
      auto e = layout_of(instantiate(f, t.args));
      if (!e) return e.error();
      l.fields.push_back(std::move(*e));
    }
    return l;
  }
  return err(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "no layout for this type");
}

Expected<const LoadedModule*> Loader::load_module(const AccountAddress& address, const std::string& name) {
  auto key = std::make_pair(address, name);
  if (auto it = loaded_.find(key); it != loaded_.end()) return it->second.get();
  if (std::find(loading_.begin(), loading_.end(), key) != loading_.end())
    return err(StatusCode::CYCLIC_MODULE_DEPENDENCY);
  std::shared_ptr<const CompiledModule> cm;
  if (auto it = added_.find(key); it != added_.end()) {
    cm = it->second;
  } else {
    std::optional<Bytes> bytes;
    try {
      bytes = state_.get_module(address, name);
    } catch (const StorageError& e) {
      return err(StatusCode::STORAGE_ERROR, e.message);
    }
    if (!bytes) return err(StatusCode::LINKER_ERROR, "Linker Error: Module " + full_id(address, name) + " doesn't exist");
    auto m = deserialize_module(*bytes);
    if (!m) return err(StatusCode::CODE_DESERIALIZATION_ERROR, m.error().message);
    cm = std::make_shared<const CompiledModule>(std::move(*m));
  }
  auto unit = std::make_unique<LoadedModule>();
  unit->module = cm;
  unit->tables = cm.get();
  unit->address = address;
  unit->name = name;
  loading_.push_back(key);
  auto r = link(std::move(unit));
  loading_.pop_back();
  return r;
}

Expected<std::shared_ptr<const LoadedModule>> Loader::load_script(std::shared_ptr<const CompiledScript> script) {
  auto unit = std::make_unique<LoadedModule>();
  unit->is_script = true;
  unit->script = script;
  unit->tables = script.get();
  unit->name = "script";
  auto r = link(std::move(unit));
  if (!r) return r.error();
  return std::shared_ptr<const LoadedModule>(std::move(linked_script_));
}

Expected<const LoadedModule*> Loader::link(std::unique_ptr<LoadedModule> unit) {
  const CommonTables& t = *unit->tables;
  const CompiledModule* cm = unit->module.get();
  LoadedModule* self = unit.get();

  // Struct definitions of a module (before handles: its own handles point at them).
  if (cm) {
    for (size_t i = 0; i < cm->struct_defs.size(); ++i) {
      const auto& def = cm->struct_defs[i];
      const auto& h = cm->struct_handles.at(def.struct_handle);
      auto s = std::make_unique<StructInfo>();
      s->module = self;
      s->address = unit->address;
      s->module_name = unit->name;
      s->name = cm->identifiers.at(h.name);
      s->def_index = uint16_t(i);
      s->abilities = h.abilities;
      s->type_params = h.type_parameters;
      s->is_native = def.layout == StructLayout::Native;
      s->is_enum = def.layout == StructLayout::DeclaredVariants;
      unit->structs.push_back(std::move(s));
    }
  }
  // Struct handles: own definitions or the imported module's.
  for (const auto& h : t.struct_handles) {
    const auto& mh = t.module_handles.at(h.module);
    const AccountAddress& addr = t.address_identifiers.at(mh.address);
    const std::string& mname = t.identifiers.at(mh.name);
    const std::string& sname = t.identifiers.at(h.name);
    const LoadedModule* owner = nullptr;
    if (cm && addr == unit->address && mname == unit->name) {
      owner = self;
    } else {
      auto dep = load_module(addr, mname);
      if (!dep) return dep.error();
      owner = *dep;
    }
    const StructInfo* found = nullptr;
    for (const auto& s : owner->structs)
      if (s->name == sname) found = s.get();
    if (!found) return err(StatusCode::LINKER_ERROR, "missing struct " + sname);
    unit->struct_handles.push_back(found);
  }
  // Field types (need the handles).
  if (cm) {
    for (size_t i = 0; i < cm->struct_defs.size(); ++i) {
      const auto& def = cm->struct_defs[i];
      StructInfo& s = *unit->structs[i];
      for (const auto& f : def.fields) {
        auto ty = type_of(*unit, f.type);
        if (!ty) return ty.error();
        s.fields.push_back(std::move(*ty));
        s.field_names.push_back(cm->identifiers.at(f.name));
      }
      for (const auto& v : def.variants) {
        std::vector<Type> fl;
        std::vector<std::string> names;
        for (const auto& f : v.fields) {
          auto ty = type_of(*unit, f.type);
          if (!ty) return ty.error();
          fl.push_back(std::move(*ty));
          names.push_back(cm->identifiers.at(f.name));
        }
        s.variants.push_back(std::move(fl));
        s.variant_names.push_back(cm->identifiers.at(v.name));
        s.variant_field_names.push_back(std::move(names));
      }
    }
  }
  for (const auto& sig : t.signatures) {
    std::vector<Type> tys;
    for (const auto& tok : sig) {
      auto ty = type_of(*unit, tok);
      if (!ty) return ty.error();
      tys.push_back(std::move(*ty));
    }
    unit->signatures.push_back(std::move(tys));
  }
  auto make_fn = [&](const FunctionHandle* fh, const CodeUnit* code, std::vector<AbilitySet> tparams,
                     TableIndex params, TableIndex returns) -> std::unique_ptr<LoadedFunction> {
    auto f = std::make_unique<LoadedFunction>();
    f->module = self;
    f->in_script = unit->is_script;
    f->name = fh ? t.identifiers.at(fh->name) : "main";
    f->type_params = std::move(tparams);
    f->params = unit->signatures.at(params);
    if (fh) f->returns = unit->signatures.at(returns);
    f->locals = f->params;
    if (code) {
      f->code = code;
      const auto& l = unit->signatures.at(code->locals);
      f->locals.insert(f->locals.end(), l.begin(), l.end());
    }
    static constexpr std::pair<TypeKind, ValueKind> kPrims[] = {
        {TypeKind::Bool, ValueKind::Bool}, {TypeKind::U8, ValueKind::U8}, {TypeKind::U16, ValueKind::U16},
        {TypeKind::U32, ValueKind::U32}, {TypeKind::U64, ValueKind::U64}, {TypeKind::U128, ValueKind::U128},
        {TypeKind::U256, ValueKind::U256}, {TypeKind::I8, ValueKind::I8}, {TypeKind::I16, ValueKind::I16},
        {TypeKind::I32, ValueKind::I32}, {TypeKind::I64, ValueKind::I64}, {TypeKind::I128, ValueKind::I128},
        {TypeKind::I256, ValueKind::I256}, {TypeKind::Address, ValueKind::Address}};
    for (const auto& t : f->locals) {
      ValueKind k = ValueKind::Invalid;
      for (auto [tk, vk] : kPrims)
        if (t.kind == tk) k = vk;
      f->local_prim_kinds.push_back(k);
    }
    return f;
  };
  if (cm) {
    for (size_t i = 0; i < cm->function_defs.size(); ++i) {
      const auto& def = cm->function_defs[i];
      const auto& fh = cm->function_handles.at(def.function);
      auto f = make_fn(&fh, def.code ? &*def.code : nullptr, fh.type_parameters, fh.parameters, fh.return_);
      f->def_index = uint16_t(i);
      f->visibility = def.visibility;
      f->is_entry = def.is_entry;
      if (!def.code) f->native = natives_.find(unit->address, unit->name, f->name);
      unit->functions.push_back(std::move(f));
    }
  } else {
    const CompiledScript& s = *unit->script;
    auto f = make_fn(nullptr, &s.code, s.type_parameters, s.parameters, 0);
    f->is_entry = true;
    unit->functions.push_back(std::move(f));
  }
  for (const auto& fh : t.function_handles) {
    const auto& mh = t.module_handles.at(fh.module);
    const AccountAddress& addr = t.address_identifiers.at(mh.address);
    const std::string& mname = t.identifiers.at(mh.name);
    const std::string& fname = t.identifiers.at(fh.name);
    const LoadedModule* owner = nullptr;
    if (cm && addr == unit->address && mname == unit->name) {
      owner = self;
    } else {
      auto dep = load_module(addr, mname);
      if (!dep) return dep.error();
      owner = *dep;
    }
    const LoadedFunction* found = nullptr;
    for (const auto& f : owner->functions)
      if (f->name == fname) found = f.get();
    if (!found) return err(StatusCode::LINKER_ERROR, "missing function " + fname);
    unit->function_handles.push_back(found);
  }
  for (const auto& c : t.constant_pool) {
    auto ty = type_of(*unit, c.type);
    if (!ty) return ty.error();
    auto layout = layout_of(*ty);
    if (!layout) return layout.error();
    auto v = deserialize_value(c.data, *layout);
    if (!v) return err(StatusCode::VERIFIER_INVARIANT_VIOLATION, "malformed constant");
    unit->constants.push_back(std::move(*v));
  }
  const LoadedModule* r = unit.get();
  if (unit->is_script) {
    linked_script_ = std::move(unit);
  } else {
    auto key = std::make_pair(unit->address, unit->name);
    loaded_[key] = std::move(unit);
  }
  return r;
}

}  // namespace lumio::movevm
