// Resource access control: specifiers of the binary format resolved at function entry, checked
// at global-storage instructions.
#include "movevm/access_control.hpp"

namespace lumio::movevm {

namespace {

constexpr size_t kAccessStackSizeLimit = 256;  // Aptos ACCESS_STACK_SIZE_LIMIT

VMError fail(StatusCode s, std::string msg) { return VMError{s, std::move(msg), {}, {}}; }

const std::optional<std::vector<AccessSpecifier>>* specifiers_of(const LoadedFunction& fn) {
  const LoadedModule* unit = fn.module;
  if (!unit) return nullptr;
  if (unit->is_script) return unit->script ? &unit->script->access_specifiers : nullptr;
  const CompiledModule& m = *unit->module;
  if (fn.def_index >= m.function_defs.size()) return nullptr;
  TableIndex h = m.function_defs[fn.def_index].function;
  return h < m.function_handles.size() ? &m.function_handles[h].access_specifiers : nullptr;
}

bool has_specifiers(const LoadedFunction& fn) {
  auto* s = specifiers_of(fn);
  return s && s->has_value();
}

// The address a parameter designates: an address, or (signer::address_of) a signer or a
// reference to one.
std::optional<AccountAddress> eval_address(const Value& v, bool signer) {
  const Value* target = &v;
  const Value* slot = v.kind == ValueKind::IndexedRef ? peek_indexed(v) : nullptr;
  if (slot) target = slot;
  if (!signer) {
    if (target->kind == ValueKind::Address) return target->address;
    return std::nullopt;
  }
  const Container* c = nullptr;
  if (target->kind == ValueKind::Container || target->kind == ValueKind::ContainerRef) c = target->c.get();
  if (!c || c->kind != ContainerKind::Signer || c->values.empty() || c->values[0].kind != ValueKind::Address)
    return std::nullopt;
  return c->values[0].address;
}

std::optional<VMError> resolve(const LoadedFunction& fn, const AccessSpecifier& spec, const Container& locals,
                               AccessControl::Clause& out) {
  const LoadedModule& unit = *fn.module;
  const CommonTables& t = *unit.tables;
  auto bad = [] { return fail(StatusCode::ACCESS_CONTROL_INVARIANT_VIOLATION, "malformed access specifier"); };
  out.kind = spec.kind;
  out.resource = spec.resource;
  switch (spec.resource) {
    case ResourceSpecifierKind::Any: break;
    case ResourceSpecifierKind::DeclaredAtAddress:
      if (spec.resource_index >= t.address_identifiers.size()) return bad();
      out.module_address = t.address_identifiers[spec.resource_index];
      break;
    case ResourceSpecifierKind::DeclaredInModule: {
      if (spec.resource_index >= t.module_handles.size()) return bad();
      const ModuleHandle& mh = t.module_handles[spec.resource_index];
      if (mh.address >= t.address_identifiers.size() || mh.name >= t.identifiers.size()) return bad();
      out.module_address = t.address_identifiers[mh.address];
      out.module_name = t.identifiers[mh.name];
      break;
    }
    case ResourceSpecifierKind::Resource: case ResourceSpecifierKind::ResourceInstantiation: {
      if (spec.resource_index >= unit.struct_handles.size() || !unit.struct_handles[spec.resource_index]) return bad();
      const StructInfo& s = *unit.struct_handles[spec.resource_index];
      out.module_address = s.address;
      out.module_name = s.module_name;
      out.struct_name = s.name;
      if (spec.resource == ResourceSpecifierKind::ResourceInstantiation) {
        if (spec.resource_signature >= unit.signatures.size()) return bad();
        out.instance = unit.signatures[spec.resource_signature];
      }
      break;
    }
  }
  switch (spec.address) {
    case AddressSpecifierKind::Any: break;
    case AddressSpecifierKind::Literal:
      if (spec.address_index >= t.address_identifiers.size()) return bad();
      out.address = t.address_identifiers[spec.address_index];
      break;
    case AddressSpecifierKind::Parameter: {
      bool signer = false;
      if (spec.address_function) {
        // Aptos knows signer::address_of (and object::owner, which it cannot evaluate).
        if (*spec.address_function >= t.function_instantiations.size()) return bad();
        TableIndex h = t.function_instantiations[*spec.address_function].handle;
        if (h >= t.function_handles.size()) return bad();
        const FunctionHandle& fh = t.function_handles[h];
        if (fh.module >= t.module_handles.size() || fh.name >= t.identifiers.size()) return bad();
        const ModuleHandle& mh = t.module_handles[fh.module];
        bool at_one = mh.address < t.address_identifiers.size() &&
                      t.address_identifiers[mh.address] == address_from_u64(1);
        const std::string& mod = mh.name < t.identifiers.size() ? t.identifiers[mh.name] : std::string();
        if (!at_one || mod != "signer" || t.identifiers[fh.name] != "address_of")
          return fail(StatusCode::ACCESS_CONTROL_INVARIANT_VIOLATION,
                      "unsupported address specifier function " + mod + "::" + t.identifiers[fh.name]);
        signer = true;
      }
      if (spec.address_index >= locals.values.size()) return bad();
      auto a = eval_address(locals.values[spec.address_index], signer);
      if (!a) return fail(StatusCode::ACCESS_CONTROL_INVARIANT_VIOLATION, "address specifier parameter of the wrong type");
      out.address = *a;
      break;
    }
  }
  return std::nullopt;
}

bool matches(const AccessControl::Clause& c, const Type& r, const AccountAddress& addr) {
  if (c.address && *c.address != addr) return false;
  const StructInfo& s = *r.struct_info;
  switch (c.resource) {
    case ResourceSpecifierKind::Any: return true;
    case ResourceSpecifierKind::DeclaredAtAddress: return s.address == c.module_address;
    case ResourceSpecifierKind::DeclaredInModule: return s.address == c.module_address && s.module_name == c.module_name;
    case ResourceSpecifierKind::Resource:
      return s.address == c.module_address && s.module_name == c.module_name && s.name == c.struct_name;
    case ResourceSpecifierKind::ResourceInstantiation:
      return s.address == c.module_address && s.module_name == c.module_name && s.name == c.struct_name &&
             c.instance == r.args;
  }
  return false;
}

bool enables(const AccessControl::Specifier& s, AccessKind kind, const Type& r, const AccountAddress& addr) {
  bool included = s.inclusions.empty() && !s.exclusions.empty();
  for (const auto& c : s.inclusions)
    if ((c.kind == AccessKind::Writes || kind == AccessKind::Reads) && matches(c, r, addr)) included = true;
  if (!included) return false;
  for (const auto& c : s.exclusions)
    if ((c.kind == AccessKind::Reads || kind == AccessKind::Writes) && matches(c, r, addr)) return false;
  return true;
}

}  // namespace

std::optional<VMError> AccessControl::enter(const LoadedFunction& fn, const Container& locals) {
  if (!enabled_) return std::nullopt;
  auto* specs = specifiers_of(fn);
  if (!specs || !specs->has_value()) return std::nullopt;
  Specifier s;
  for (const auto& spec : **specs) {
    Clause c;
    if (auto e = resolve(fn, spec, locals, c)) return e;
    (spec.negated ? s.exclusions : s.inclusions).push_back(std::move(c));
  }
  if (stack_.size() + 1 >= kAccessStackSizeLimit)  // Aptos's stack starts with `Any`
    return fail(StatusCode::ACCESS_STACK_LIMIT_EXCEEDED,
                "access specifier stack overflow (limit = " + std::to_string(kAccessStackSizeLimit) + ")");
  stack_.push_back(std::move(s));
  return std::nullopt;
}

void AccessControl::exit(const LoadedFunction& fn) {
  if (enabled_ && !stack_.empty() && has_specifiers(fn)) stack_.pop_back();
}

std::optional<VMError> AccessControl::check(Opcode op, const Type& resource, const Value* operands, size_t n) const {
  if (stack_.empty() || resource.kind != TypeKind::Struct || !resource.struct_info) return std::nullopt;
  bool move_to = op == Opcode::MoveTo || op == Opcode::MoveToGeneric;
  if (n < (move_to ? 2u : 1u)) return std::nullopt;  // the instruction reports the bad stack
  auto a = eval_address(operands[n - (move_to ? 2 : 1)], move_to);
  if (!a) return std::nullopt;
  const AccountAddress& address = *a;
  AccessKind kind = (op == Opcode::Exists || op == Opcode::ExistsGeneric || op == Opcode::ImmBorrowGlobal ||
                     op == Opcode::ImmBorrowGlobalGeneric)
                        ? AccessKind::Reads
                        : AccessKind::Writes;
  for (const auto& s : stack_)
    if (!enables(s, kind, resource, address)) {
      const StructInfo& si = *resource.struct_info;
      return fail(StatusCode::ACCESS_DENIED, std::string("not allowed to perform `") +
                                                 (kind == AccessKind::Reads ? "read" : "write") + " " +
                                                 short_hex(si.address) + "::" + si.module_name + "::" + si.name +
                                                 "(@" + short_hex(address) + ")`");
    }
  return std::nullopt;
}

}  // namespace lumio::movevm
