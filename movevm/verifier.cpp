#include "movevm/verifier.hpp"

#include "movevm/verifier_internal.hpp"

#include <set>
#include <string>

namespace lumio::movevm {
namespace {

VMError at(StatusCode status, IndexKind kind, size_t idx) {
  return VMError{status, {}, {{kind, uint16_t(idx)}}, {}};
}
VMError plain(StatusCode status) { return VMError{status, {}, {}, {}}; }

// ---- limits (limits.rs) ----

std::optional<VMError> type_node_limits(const VerifierConfig& c, const SignatureToken& root) {
  if (!c.max_type_nodes && !c.max_function_parameters && !c.max_function_return_values && !c.max_type_depth)
    return std::nullopt;
  constexpr size_t kStructWeight = 4, kParamWeight = 4;
  size_t size = 0;
  std::vector<std::pair<const SignatureToken*, size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [t, depth] = stack.back();
    stack.pop_back();
    if (c.max_type_depth && depth > *c.max_type_depth) return plain(StatusCode::TOO_MANY_TYPE_NODES);
    switch (t->kind) {
      case TokenKind::Struct: case TokenKind::StructInstantiation: size += kStructWeight; break;
      case TokenKind::TypeParameter: size += kParamWeight; break;
      case TokenKind::Function: {
        size_t params = t->function_args, results = t->children.size() - t->function_args;
        if (c.max_function_parameters && params > *c.max_function_parameters)
          return plain(StatusCode::TOO_MANY_PARAMETERS);
        if (c.max_function_return_values && results > *c.max_function_return_values)
          return plain(StatusCode::TOO_MANY_PARAMETERS);
        size += 1;
        break;
      }
      default: size += 1; break;
    }
    for (auto it = t->children.rbegin(); it != t->children.rend(); ++it) stack.push_back({&*it, depth + 1});
  }
  if (c.max_type_nodes && size > *c.max_type_nodes) return plain(StatusCode::TOO_MANY_TYPE_NODES);
  return std::nullopt;
}

std::optional<VMError> limits(const VerifierConfig& c, const CommonTables& u, const CompiledModule* m) {
  for (size_t i = 0; i < u.function_handles.size(); ++i) {
    const auto& fh = u.function_handles[i];
    if (c.max_generic_instantiation_length && fh.type_parameters.size() > *c.max_generic_instantiation_length)
      return at(StatusCode::TOO_MANY_TYPE_PARAMETERS, IndexKind::FunctionHandle, i);
    if (c.max_function_parameters && u.signatures[fh.parameters].size() > *c.max_function_parameters)
      return at(StatusCode::TOO_MANY_PARAMETERS, IndexKind::FunctionHandle, i);
    if (c.max_function_return_values && u.signatures[fh.return_].size() > *c.max_function_return_values)
      return at(StatusCode::TOO_MANY_PARAMETERS, IndexKind::FunctionHandle, i);
  }
  if (c.max_generic_instantiation_length)
    for (size_t i = 0; i < u.struct_handles.size(); ++i)
      if (u.struct_handles[i].type_parameters.size() > *c.max_generic_instantiation_length)
        return at(StatusCode::TOO_MANY_TYPE_PARAMETERS, IndexKind::StructHandle, i);
  for (const auto& sig : u.signatures)
    for (const auto& t : sig)
      if (auto e = type_node_limits(c, t)) return e;
  for (const auto& k : u.constant_pool)
    if (auto e = type_node_limits(c, k.type)) return e;
  if (!m) return std::nullopt;
  for (const auto& d : m->struct_defs) {
    for (const auto& f : d.fields)
      if (auto e = type_node_limits(c, f.type)) return e;
    for (const auto& v : d.variants)
      for (const auto& f : v.fields)
        if (auto e = type_node_limits(c, f.type)) return e;
  }
  if (c.max_function_definitions && m->function_defs.size() > *c.max_function_definitions)
    return plain(StatusCode::MAX_FUNCTION_DEFINITIONS_REACHED);
  if (c.max_struct_definitions && m->struct_defs.size() > *c.max_struct_definitions)
    return plain(StatusCode::MAX_STRUCT_DEFINITIONS_REACHED);
  if (c.max_fields_in_struct)
    for (const auto& d : m->struct_defs) {
      size_t most = d.layout == StructLayout::Declared ? d.fields.size() : 0;
      for (const auto& v : d.variants) most = std::max(most, v.fields.size());
      if (most > *c.max_fields_in_struct) return plain(StatusCode::MAX_FIELD_DEFINITIONS_REACHED);
    }
  if (c.max_struct_variants)
    for (const auto& d : m->struct_defs)
      if (d.layout == StructLayout::DeclaredVariants && d.variants.size() > *c.max_struct_variants)
        return plain(StatusCode::MAX_STRUCT_VARIANTS_REACHED);
  return std::nullopt;
}

// ---- duplication (check_duplication.rs) ----

// Index of the first element equal to an earlier one.
template <class T, class Key>
std::optional<size_t> first_duplicate(const std::vector<T>& items, Key key) {
  std::set<decltype(key(items[0]))> seen;
  for (size_t i = 0; i < items.size(); ++i)
    if (!seen.insert(key(items[i])).second) return i;
  return std::nullopt;
}

std::string token_key(const SignatureToken& t) {
  std::string k = std::to_string(int(t.kind)) + ":" + std::to_string(t.index) + ":" +
                  std::to_string(int(t.abilities)) + ":" + std::to_string(int(t.function_args)) + "(";
  for (const auto& c : t.children) k += token_key(c);
  return k + ")";
}

std::optional<VMError> duplication_common(const CommonTables& u, const CompiledModule* m) {
  auto check = [](std::optional<size_t> dup, IndexKind kind) -> std::optional<VMError> {
    if (dup) return at(StatusCode::DUPLICATE_ELEMENT, kind, *dup);
    return std::nullopt;
  };
  auto same = [](const auto& x) { return x; };
  auto handle_pair = [](const auto& h) { return std::pair{h.module, h.name}; };
  auto module_handle = [](const ModuleHandle& h) { return std::pair{h.address, h.name}; };
  auto inst = [](const Instantiation& i) { return std::pair{i.handle, i.type_parameters}; };
  if (auto e = check(first_duplicate(u.identifiers, same), IndexKind::Identifier)) return e;
  if (auto e = check(first_duplicate(u.address_identifiers, same), IndexKind::AddressIdentifier)) return e;
  if (auto e = check(first_duplicate(u.constant_pool, [](const Constant& c) {
                       return token_key(c.type) + "=" + to_hex(c.data, false);
                     }),
                     IndexKind::ConstantPool))
    return e;
  if (auto e = check(first_duplicate(u.signatures, [](const Signature& s) {
                       std::string k;
                       for (const auto& t : s) k += token_key(t) + ";";
                       return k;
                     }),
                     IndexKind::Signature))
    return e;
  if (auto e = check(first_duplicate(u.module_handles, module_handle), IndexKind::ModuleHandle)) return e;
  if (m)
    if (auto e = check(first_duplicate(m->friend_decls, module_handle), IndexKind::ModuleHandle)) return e;
  if (auto e = check(first_duplicate(u.struct_handles, handle_pair), IndexKind::StructHandle)) return e;
  if (auto e = check(first_duplicate(u.function_handles, handle_pair), IndexKind::FunctionHandle)) return e;
  if (auto e = check(first_duplicate(u.function_instantiations, inst), IndexKind::FunctionInstantiation)) return e;
  return std::nullopt;
}

std::optional<VMError> duplication_module(const CompiledModule& m) {
  auto check = [](std::optional<size_t> dup, IndexKind kind) -> std::optional<VMError> {
    if (dup) return at(StatusCode::DUPLICATE_ELEMENT, kind, *dup);
    return std::nullopt;
  };
  auto inst = [](const Instantiation& i) { return std::pair{i.handle, i.type_parameters}; };
  if (auto e = check(first_duplicate(m.field_handles, [](const FieldHandle& h) { return std::pair{h.owner, h.field}; }),
                     IndexKind::FieldHandle))
    return e;
  if (auto e = check(first_duplicate(m.field_instantiations, inst), IndexKind::FieldInstantiation)) return e;
  if (auto e = check(first_duplicate(m.variant_field_handles,
                                     [](const VariantFieldHandle& h) {
                                       return std::tuple{h.struct_index, h.variants, h.field};
                                     }),
                     IndexKind::VariantFieldHandle))
    return e;
  if (auto e = check(first_duplicate(m.variant_field_instantiations, inst), IndexKind::VariantFieldInstantiation))
    return e;
  if (auto e = check(first_duplicate(m.struct_variant_handles,
                                     [](const StructVariantHandle& h) { return std::pair{h.struct_index, h.variant}; }),
                     IndexKind::StructVariantHandle))
    return e;
  if (auto e = check(first_duplicate(m.struct_variant_instantiations, inst), IndexKind::StructVariantInstantiation))
    return e;

  // Function definitions: distinct handles, distinct acquires, all in this module, and every
  // function handle of this module defined.
  if (auto e = check(first_duplicate(m.function_defs, [](const FunctionDefinition& d) { return d.function; }),
                     IndexKind::FunctionDefinition))
    return e;
  for (size_t i = 0; i < m.function_defs.size(); ++i)
    if (first_duplicate(m.function_defs[i].acquires_global_resources, [](uint16_t x) { return x; }))
      return at(StatusCode::DUPLICATE_ACQUIRES_ANNOTATION, IndexKind::FunctionDefinition, i);
  for (size_t i = 0; i < m.function_defs.size(); ++i)
    if (m.function_handles[m.function_defs[i].function].module != m.self_module_handle_idx)
      return at(StatusCode::INVALID_MODULE_HANDLE, IndexKind::FunctionDefinition, i);
  {
    std::set<uint16_t> defined;
    for (const auto& d : m.function_defs) defined.insert(d.function);
    for (size_t i = 0; i < m.function_handles.size(); ++i)
      if (m.function_handles[i].module == m.self_module_handle_idx && !defined.count(uint16_t(i)))
        return at(StatusCode::UNIMPLEMENTED_HANDLE, IndexKind::FunctionHandle, i);
  }

  // Struct definitions: distinct handles, non-empty structs, distinct field and variant names,
  // all in this module, and every struct handle of this module defined.
  if (auto e = check(first_duplicate(m.struct_defs, [](const StructDefinition& d) { return d.struct_handle; }),
                     IndexKind::StructDefinition))
    return e;
  auto field_names = [](const FieldDefinition& f) { return f.name; };
  for (size_t i = 0; i < m.struct_defs.size(); ++i) {
    const auto& d = m.struct_defs[i];
    if (d.layout == StructLayout::Declared) {
      if (d.fields.empty()) return at(StatusCode::ZERO_SIZED_STRUCT, IndexKind::StructDefinition, i);
      if (auto e = check(first_duplicate(d.fields, field_names), IndexKind::FieldDefinition)) return e;
    } else if (d.layout == StructLayout::DeclaredVariants) {
      if (auto e = check(first_duplicate(d.variants, [](const VariantDefinition& v) { return v.name; }),
                         IndexKind::VariantDefinition))
        return e;
      for (const auto& v : d.variants)
        if (auto e = check(first_duplicate(v.fields, field_names), IndexKind::FieldDefinition)) return e;
    }
  }
  for (size_t i = 0; i < m.struct_defs.size(); ++i)
    if (m.struct_handles[m.struct_defs[i].struct_handle].module != m.self_module_handle_idx)
      return at(StatusCode::INVALID_MODULE_HANDLE, IndexKind::StructDefinition, i);
  {
    std::set<uint16_t> defined;
    for (const auto& d : m.struct_defs) defined.insert(d.struct_handle);
    for (size_t i = 0; i < m.struct_handles.size(); ++i)
      if (m.struct_handles[i].module == m.self_module_handle_idx && !defined.count(uint16_t(i)))
        return at(StatusCode::UNIMPLEMENTED_HANDLE, IndexKind::StructHandle, i);
  }
  return check(first_duplicate(m.struct_def_instantiations, inst), IndexKind::StructDefInstantiation);
}

}  // namespace

VerifierConfig VerifierConfig::production() {
  VerifierConfig c;
  c.max_generic_instantiation_length = 32;
  c.max_function_parameters = 128;
  c.max_type_nodes = 128;
  c.max_struct_definitions = 200;
  c.max_fields_in_struct = 30;
  c.max_struct_variants = 90;
  c.max_function_definitions = 1000;
  c.max_function_return_values = 128;
  c.max_type_depth = 20;
  c.max_loop_depth = 5;
  c.max_push_size = 10000;
  c.max_basic_blocks = 1024;
  c.max_basic_blocks_in_script = 1024;
  c.max_per_fun_meter_units = 1000 * 8000;
  c.max_per_mod_meter_units = 1000 * 8000;
  return c;
}

VerifierConfig VerifierConfig::aptos_prod() {
  VerifierConfig c;
  c.max_loop_depth = 5;
  c.max_push_size = 10000;
  c.max_generic_instantiation_length = 32;
  c.max_function_parameters = 128;
  c.max_basic_blocks = 1024;
  c.max_type_nodes = 128;
  c.max_per_fun_meter_units = 1000 * 80000;
  c.max_per_mod_meter_units = 1000 * 80000;
  c.max_function_return_values = 128;
  c.max_type_depth = 20;
  return c;
}

namespace {
// The feature pass (features.rs), resource access control part: runs right after bounds.
template <class Unit> std::optional<VMError> features(const VerifierConfig& c, const Unit& u) {
  if (c.enable_resource_access_control) return std::nullopt;
  for (size_t i = 0; i < u.function_handles.size(); ++i)
    if (u.function_handles[i].access_specifiers)
      return VMError{StatusCode::FEATURE_NOT_ENABLED, "resource access control feature not enabled",
                     {{IndexKind::FunctionHandle, uint16_t(i)}}, {}};
  return std::nullopt;
}

VerificationResult verify_module_passes(const CompiledModule& module, const VerifierConfig& config) {
  VerificationResult r;
  if ((r.error = check_bounds(module))) return r;
  r.located_in_unit = true;
  if ((r.error = features(config, module))) return r;
  if ((r.error = limits(config, module, &module))) return r;
  if ((r.error = duplication_common(module, &module))) return r;
  if ((r.error = duplication_module(module))) return r;
  auto sig = internal::verify_signatures(module);
  r.located_in_unit = sig.located_in_unit;
  if ((r.error = sig.error)) return r;
  if ((r.error = internal::verify_instruction_consistency(module))) return r;
  if ((r.error = internal::verify_constants(module))) return r;
  if ((r.error = internal::verify_friends(module))) return r;
  if ((r.error = internal::verify_struct_recursion(module))) return r;
  if ((r.error = internal::verify_instantiation_loops(module))) return r;
  auto code = internal::verify_code_units(module, config);
  r.error = code.error;
  r.complete = code.complete;
  return r;
}

VerificationResult verify_script_passes(const CompiledScript& script, const VerifierConfig& config) {
  VerificationResult r;
  if ((r.error = check_bounds(script))) return r;
  r.located_in_unit = true;
  if ((r.error = features(config, script))) return r;
  if ((r.error = limits(config, script, nullptr))) return r;
  if ((r.error = duplication_common(script, nullptr))) return r;
  auto sig = internal::verify_signatures(script);
  r.located_in_unit = sig.located_in_unit;
  if ((r.error = sig.error)) return r;
  if ((r.error = internal::verify_instruction_consistency(script))) return r;
  if ((r.error = internal::verify_constants(script))) return r;
  auto code = internal::verify_code_units(script, config);
  r.error = code.error;
  r.complete = code.complete;
  return r;
}

}  // namespace

// An error from any pass is final (the passes run in Aptos's order and stop at the first).
VerificationResult verify_module(const CompiledModule& module, const VerifierConfig& config) {
  auto r = verify_module_passes(module, config);
  r.complete = r.complete || r.error.has_value();
  return r;
}

VerificationResult verify_script(const CompiledScript& script, const VerifierConfig& config) {
  auto r = verify_script_passes(script, config);
  r.complete = r.complete || r.error.has_value();
  return r;
}

}  // namespace lumio::movevm
