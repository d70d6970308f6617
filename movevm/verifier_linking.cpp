// Publish-time linking (the loader's verify_module_for_publication): dependencies and friends
// must be published, imported handles must match their definitions (dependencies.rs), and the
// dependency and friend relations must be acyclic and disjoint (cyclic_dependencies.rs).
#include <map>
#include <set>

#include "movevm/verifier.hpp"

namespace lumio::movevm {
namespace {

using ModuleId = std::pair<FixedBytes<32>, std::string>;

ModuleId id_of(const CommonTables& u, const ModuleHandle& h) {
  return {u.address_identifiers[h.address], u.identifiers[h.name]};
}
ModuleId self_id(const CompiledModule& m) { return id_of(m, m.module_handles[m.self_module_handle_idx]); }

std::vector<ModuleId> immediate_dependencies(const CompiledModule& m) {
  std::vector<ModuleId> out;
  for (size_t i = 0; i < m.module_handles.size(); ++i)
    if (i != m.self_module_handle_idx) out.push_back(id_of(m, m.module_handles[i]));
  return out;
}
std::vector<ModuleId> immediate_friends(const CompiledModule& m) {
  std::vector<ModuleId> out;
  for (const auto& f : m.friend_decls) out.push_back(id_of(m, f));
  return out;
}

// Aptos's expected outputs show no message for this status.
VMError linker_error(const ModuleId&) { return VMError{StatusCode::LINKER_ERROR, {}, {}, {}}; }
VMError at(StatusCode s, IndexKind k, size_t i) { return VMError{s, {}, {{k, uint16_t(i)}}, {}}; }

// Loads `root`'s dependencies transitively (each must exist).
std::optional<VMError> load_dependencies(const std::vector<ModuleId>& roots, const ModuleResolver& r,
                                         std::set<ModuleId>& visited) {
  std::vector<ModuleId> todo(roots.rbegin(), roots.rend());
  while (!todo.empty()) {
    ModuleId id = std::move(todo.back());
    todo.pop_back();
    if (!visited.insert(id).second) continue;
    const CompiledModule* m = r.find(id.first, id.second);
    if (!m) return linker_error(id);
    auto deps = immediate_dependencies(*m);
    todo.insert(todo.end(), deps.rbegin(), deps.rend());
  }
  return std::nullopt;
}

// dependencies.rs for a module (`self` set) or a script.
class Linker {
 public:
  Linker(const CommonTables& u, std::optional<uint16_t> self_handle, const std::optional<ModuleId>& self,
         const ModuleResolver& r)
      : u_(u), self_handle_(self_handle) {
    for (size_t i = 0; i < u.module_handles.size(); ++i) {
      if (self_handle && i == *self_handle) continue;
      ModuleId id = id_of(u, u.module_handles[i]);
      if (self && id == *self) continue;
      if (const CompiledModule* d = r.find(id.first, id.second)) deps_[id] = d;
    }
    for (const auto& [id, d] : deps_) {
      auto friends = immediate_friends(*d);
      bool is_friend = self && std::find(friends.begin(), friends.end(), *self) != friends.end();
      for (const auto& sd : d->struct_defs) structs_[{id, d->identifiers[d->struct_handles[sd.struct_handle].name]}] = sd.struct_handle;
      for (const auto& fd : d->function_defs) {
        bool callable = fd.visibility == Visibility::Public || (fd.visibility == Visibility::Friend && is_friend);
        if (callable) functions_[{id, d->identifiers[d->function_handles[fd.function].name]}] = fd.function;
      }
    }
  }

  std::optional<VMError> run() {
    for (size_t i = 0; i < u_.module_handles.size(); ++i)
      if (!(self_handle_ && i == *self_handle_) && !deps_.count(id_of(u_, u_.module_handles[i])))
        return at(StatusCode::MISSING_DEPENDENCY, IndexKind::ModuleHandle, i);
    for (size_t i = 0; i < u_.struct_handles.size(); ++i) {
      const auto& sh = u_.struct_handles[i];
      if (self_handle_ && sh.module == *self_handle_) continue;
      ModuleId owner = id_of(u_, u_.module_handles[sh.module]);
      auto dep = deps_.find(owner);
      if (dep == deps_.end()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
      auto def = structs_.find({owner, u_.identifiers[sh.name]});
      if (def == structs_.end()) return at(StatusCode::LOOKUP_FAILED, IndexKind::StructHandle, i);
      const StructHandle& dh = dep->second->struct_handles[def->second];
      bool ok = (sh.abilities & dh.abilities) == sh.abilities && sh.type_parameters.size() == dh.type_parameters.size();
      for (size_t k = 0; ok && k < sh.type_parameters.size(); ++k) {
        const auto &l = sh.type_parameters[k], &d = dh.type_parameters[k];
        ok = (!l.is_phantom || d.is_phantom) && (d.constraints & l.constraints) == d.constraints;
      }
      if (!ok) return at(StatusCode::TYPE_MISMATCH, IndexKind::StructHandle, i);
    }
    for (size_t i = 0; i < u_.function_handles.size(); ++i) {
      const auto& fh = u_.function_handles[i];
      if (self_handle_ && fh.module == *self_handle_) continue;
      ModuleId owner = id_of(u_, u_.module_handles[fh.module]);
      auto dep = deps_.find(owner);
      if (dep == deps_.end()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
      auto def = functions_.find({owner, u_.identifiers[fh.name]});
      if (def == functions_.end()) return at(StatusCode::LOOKUP_FAILED, IndexKind::FunctionHandle, i);
      const CompiledModule& dm = *dep->second;
      const FunctionHandle& dh = dm.function_handles[def->second];
      bool ok = fh.type_parameters.size() == dh.type_parameters.size();
      for (size_t k = 0; ok && k < fh.type_parameters.size(); ++k)
        ok = (dh.type_parameters[k] & fh.type_parameters[k]) == dh.type_parameters[k];
      if (!ok || !same_signature(u_.signatures[fh.parameters], dm.signatures[dh.parameters], dm) ||
          !same_signature(u_.signatures[fh.return_], dm.signatures[dh.return_], dm))
        return at(StatusCode::TYPE_MISMATCH, IndexKind::FunctionHandle, i);
    }
    return script_visibility();
  }

 private:
  // Before v5, `public(script)` functions could only be called from other script functions.
  std::optional<VMError> script_visibility() const {
    if (u_.version >= 5 || !self_handle_) return std::nullopt;  // scripts are script-visible
    const auto& m = static_cast<const CompiledModule&>(u_);
    std::set<uint16_t> script_functions;
    for (const auto& fd : m.function_defs)
      if (fd.is_entry) script_functions.insert(fd.function);
    for (size_t i = 0; i < u_.function_handles.size(); ++i) {
      const auto& fh = u_.function_handles[i];
      if (fh.module == *self_handle_) continue;
      auto dep = deps_.find(id_of(u_, u_.module_handles[fh.module]));
      if (dep == deps_.end() || dep->second->version >= 5) continue;
      for (const auto& fd : dep->second->function_defs)
        if (dep->second->identifiers[dep->second->function_handles[fd.function].name] == u_.identifiers[fh.name] &&
            fd.is_entry)
          script_functions.insert(uint16_t(i));
    }
    for (size_t f = 0; f < m.function_defs.size(); ++f) {
      const auto& fd = m.function_defs[f];
      if (!fd.code || fd.is_entry) continue;
      for (size_t pc = 0; pc < fd.code->code.size(); ++pc) {
        const Instruction& ins = fd.code->code[pc];
        if (ins.op != Opcode::Call && ins.op != Opcode::CallGeneric) continue;
        uint16_t h = ins.op == Opcode::Call ? ins.index : u_.function_instantiations[ins.index].handle;
        if (script_functions.count(h))
          return VMError{StatusCode::CALLED_SCRIPT_VISIBLE_FROM_NON_SCRIPT_VISIBLE, {}, {}, {{uint16_t(f), uint16_t(pc)}}};
      }
    }
    return std::nullopt;
  }

  bool same_signature(const std::vector<SignatureToken>& a, const std::vector<SignatureToken>& b,
                      const CompiledModule& dm) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same_type(a[i], b[i], dm)) return false;
    return true;
  }
  // compare_types: structurally equal, struct handles naming the same module and struct.
  bool same_type(const SignatureToken& a, const SignatureToken& b, const CompiledModule& dm) const {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case TokenKind::Struct: case TokenKind::StructInstantiation: {
        const auto &sa = u_.struct_handles[a.index], &sb = dm.struct_handles[b.index];
        if (id_of(u_, u_.module_handles[sa.module]) != id_of(dm, dm.module_handles[sb.module]) ||
            u_.identifiers[sa.name] != dm.identifiers[sb.name])
          return false;
        return same_signature(a.children, b.children, dm);
      }
      case TokenKind::TypeParameter: return a.index == b.index;
      case TokenKind::Function:
        return a.function_args == b.function_args && same_signature(a.children, b.children, dm) &&
               a.abilities == b.abilities;
      default: return same_signature(a.children, b.children, dm);
    }
  }

  const CommonTables& u_;
  std::optional<uint16_t> self_handle_;
  std::map<ModuleId, const CompiledModule*> deps_;
  std::map<std::pair<ModuleId, std::string>, uint16_t> structs_;
  std::map<std::pair<ModuleId, std::string>, uint16_t> functions_;
};

// cyclic_dependencies.rs: every module reachable from `root`'s immediate relations; reaching
// `root` again is a cycle.
std::optional<std::set<ModuleId>> reachable(const ModuleId& root, const std::vector<ModuleId>& immediate,
                                            const ModuleResolver& r,
                                            std::vector<ModuleId> (*next)(const CompiledModule&)) {
  std::set<ModuleId> visited;
  std::vector<ModuleId> todo(immediate.rbegin(), immediate.rend());
  while (!todo.empty()) {
    ModuleId id = std::move(todo.back());
    todo.pop_back();
    if (id == root) return std::nullopt;
    if (!visited.insert(id).second) continue;
    if (const CompiledModule* m = r.find(id.first, id.second)) {
      auto n = next(*m);
      todo.insert(todo.end(), n.rbegin(), n.rend());
    }
  }
  return visited;
}

}  // namespace

VerificationResult verify_module_with_dependencies(const CompiledModule& module, const ModuleResolver& published,
                                                   const VerifierConfig& config) {
  VerificationResult r = verify_module(module, config);
  if (r.error || !r.complete) return r;
  ModuleId self = self_id(module);
  std::set<ModuleId> loaded{self};
  auto fail = [&](VMError e, bool located) {
    r.error = std::move(e);
    r.located_in_unit = located;
    return r;
  };
  if (auto e = load_dependencies(immediate_dependencies(module), published, loaded)) return fail(*e, false);
  if (auto e = Linker(module, module.self_module_handle_idx, self, published).run()) return fail(*e, true);
  if (auto e = load_dependencies(immediate_friends(module), published, loaded)) return fail(*e, false);
  auto deps = reachable(self, immediate_dependencies(module), published, &immediate_dependencies);
  if (!deps) return fail(VMError{StatusCode::CYCLIC_MODULE_DEPENDENCY, {}, {}, {}}, true);
  auto friends = reachable(self, immediate_friends(module), published, &immediate_friends);
  if (!friends) return fail(VMError{StatusCode::CYCLIC_MODULE_FRIENDSHIP, {}, {}, {}}, true);
  for (const auto& d : *deps)
    if (friends->count(d))
      return fail(VMError{StatusCode::INVALID_FRIEND_DECL_WITH_MODULES_IN_DEPENDENCIES, {}, {}, {}}, true);
  return r;
}

VerificationResult verify_script_with_dependencies(const CompiledScript& script, const ModuleResolver& published,
                                                   const VerifierConfig& config) {
  VerificationResult r = verify_script(script, config);
  if (r.error || !r.complete) return r;
  std::vector<ModuleId> deps;
  for (const auto& h : script.module_handles) deps.push_back(id_of(script, h));
  std::set<ModuleId> loaded;
  if (auto e = load_dependencies(deps, published, loaded)) {
    r.error = *e;
    r.located_in_unit = false;
    return r;
  }
  if (auto e = Linker(script, std::nullopt, std::nullopt, published).run()) {
    r.error = *e;
    r.located_in_unit = true;
  }
  return r;
}

}  // namespace lumio::movevm
