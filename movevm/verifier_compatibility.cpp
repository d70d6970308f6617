// Module upgrade compatibility (Compatibility::legacy_check on normalized modules): structs may
// gain abilities but keep their layout; exposed (public, friend, entry) functions keep their
// signatures, visibility may only widen; friend declarations may only be added. Types compare
// by name (module id + struct name), not by handle index, since the two modules have
// independent tables.
#include <map>
#include <set>

#include "movevm/verifier.hpp"

namespace lumio::movevm {
namespace {

struct Side {
  const CompiledModule& m;
  std::string name(TableIndex i) const { return m.identifiers[i]; }
  std::pair<FixedBytes<32>, std::string> module_of(TableIndex handle) const {
    const auto& h = m.module_handles[handle];
    return {m.address_identifiers[h.address], m.identifiers[h.name]};
  }
};

bool same_type(const Side& a, const SignatureToken& x, const Side& b, const SignatureToken& y);
bool same_types(const Side& a, const std::vector<SignatureToken>& x, const Side& b, const std::vector<SignatureToken>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!same_type(a, x[i], b, y[i])) return false;
  return true;
}
bool same_type(const Side& a, const SignatureToken& x, const Side& b, const SignatureToken& y) {
  if (x.kind != y.kind) return false;
  switch (x.kind) {
    case TokenKind::Struct: case TokenKind::StructInstantiation: {
      const auto &sx = a.m.struct_handles[x.index], &sy = b.m.struct_handles[y.index];
      return a.module_of(sx.module) == b.module_of(sy.module) && a.name(sx.name) == b.name(sy.name) &&
             same_types(a, x.children, b, y.children);
    }
    case TokenKind::TypeParameter: return x.index == y.index;
    case TokenKind::Function:
      return x.function_args == y.function_args && x.abilities == y.abilities && same_types(a, x.children, b, y.children);
    default: return same_types(a, x.children, b, y.children);
  }
}
bool same_fields(const Side& a, const std::vector<FieldDefinition>& x, const Side& b,
                 const std::vector<FieldDefinition>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (a.name(x[i].name) != b.name(y[i].name) || !same_type(a, x[i].type, b, y[i].type)) return false;
  return true;
}

}  // namespace

std::optional<VMError> check_compatibility(const CompiledModule& old_module, const CompiledModule& new_module,
                                           const CompatibilityCheck& check) {
  Side o{old_module}, n{new_module};
  bool linking = true, layout = true, friends = true;
  if (o.module_of(old_module.self_module_handle_idx) != n.module_of(new_module.self_module_handle_idx)) linking = false;

  std::map<std::string, const StructDefinition*> new_structs;
  for (const auto& d : new_module.struct_defs) new_structs[n.name(new_module.struct_handles[d.struct_handle].name)] = &d;
  std::map<std::string, const StructDefinition*> old_structs;  // by name, as the normalized map iterates
  for (const auto& d : old_module.struct_defs) old_structs[o.name(old_module.struct_handles[d.struct_handle].name)] = &d;
  for (const auto& [name, od] : old_structs) {
    auto it = new_structs.find(name);
    if (it == new_structs.end()) {
      linking = layout = false;
      break;
    }
    const auto& oh = old_module.struct_handles[od->struct_handle];
    const auto& nh = new_module.struct_handles[it->second->struct_handle];
    bool params = oh.type_parameters.size() == nh.type_parameters.size();
    for (size_t i = 0; params && i < oh.type_parameters.size(); ++i) {
      const auto &op = oh.type_parameters[i], &np = nh.type_parameters[i];
      params = (!op.is_phantom || np.is_phantom) && (np.constraints & op.constraints) == np.constraints;
    }
    if ((oh.abilities & nh.abilities) != oh.abilities || !params) linking = false;
    const StructDefinition& nd = *it->second;
    bool same_layout = od->layout == nd.layout && same_fields(o, od->fields, n, nd.fields) &&
                       od->variants.size() == nd.variants.size();
    for (size_t v = 0; same_layout && v < od->variants.size(); ++v)
      same_layout = o.name(od->variants[v].name) == n.name(nd.variants[v].name) &&
                    same_fields(o, od->variants[v].fields, n, nd.variants[v].fields);
    if (!same_layout) layout = false;
  }

  auto exposed = [](const FunctionDefinition& d) { return d.visibility != Visibility::Private || d.is_entry; };
  std::map<std::string, const FunctionDefinition*> new_functions;
  for (const auto& d : new_module.function_defs)
    if (exposed(d)) new_functions[n.name(new_module.function_handles[d.function].name)] = &d;
  for (const auto& od : old_module.function_defs) {
    if (!exposed(od)) continue;
    const auto& oh = old_module.function_handles[od.function];
    bool friend_fn = od.visibility == Visibility::Friend;
    auto it = new_functions.find(o.name(oh.name));
    if (it == new_functions.end()) {
      if (friend_fn && !(od.is_entry && check.treat_entry_as_public)) friends = false;
      else linking = false;
      continue;
    }
    const FunctionDefinition& nd = *it->second;
    const auto& nh = new_module.function_handles[nd.function];
    bool visibility = od.visibility == Visibility::Public   ? nd.visibility == Visibility::Public
                      : od.visibility == Visibility::Friend ? nd.visibility != Visibility::Private
                                                            : true;
    bool entry = old_module.version < 5 && new_module.version < 5 ? od.is_entry == nd.is_entry
                                                                  : (!od.is_entry || nd.is_entry);
    bool tparams = oh.type_parameters.size() == nh.type_parameters.size();
    for (size_t i = 0; tparams && i < oh.type_parameters.size(); ++i)
      tparams = (nh.type_parameters[i] & oh.type_parameters[i]) == nh.type_parameters[i];
    if (!visibility || !entry || !tparams ||
        !same_types(o, old_module.signatures[oh.parameters], n, new_module.signatures[nh.parameters]) ||
        !same_types(o, old_module.signatures[oh.return_], n, new_module.signatures[nh.return_])) {
      if (friend_fn && (!od.is_entry || !check.treat_entry_as_public)) friends = false;
      else linking = false;
    }
  }

  std::set<std::pair<FixedBytes<32>, std::string>> new_friends;
  for (const auto& f : new_module.friend_decls) new_friends.insert({new_module.address_identifiers[f.address], n.name(f.name)});
  for (const auto& f : old_module.friend_decls)
    if (!new_friends.count({old_module.address_identifiers[f.address], o.name(f.name)})) friends = false;

  auto id = [&] {
    auto [address, name] = o.module_of(old_module.self_module_handle_idx);
    return to_hex(address.view(), false) + "::" + name;
  };
  auto fail = [&](const std::string& what) {
    return VMError{StatusCode::BACKWARD_INCOMPATIBLE_MODULE_UPDATE, "Module Update Failure: " + what + id(), {}, {}};
  };
  if (check.struct_and_pub_function_linking && !linking)
    return fail("Public function/struct signature of new module differs from existing module in ");
  if (check.struct_layout && !layout) return fail("Struct layout of new module differs from existing modul in ");
  if (check.friend_linking && !friends) return fail("Friend signature of new module differs from existing module in ");
  return std::nullopt;
}

}  // namespace lumio::movevm
