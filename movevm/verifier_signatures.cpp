// Signature checker (Aptos signature_v2.rs): types well formed, references only where allowed,
// type arguments satisfy declared abilities, struct fields carry the abilities their struct
// promises, phantom parameters only in phantom positions. Type-parameter requirements are
// collected per type and then checked against each use's context, as Aptos does, so the first
// error and its index path match.
#include <map>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

constexpr AbilitySet kPrimitives = kAbilityCopy | kAbilityDrop | kAbilityStore;
constexpr AbilitySet kSignerAbilities = kAbilityDrop;
constexpr AbilitySet kReferenceAbilities = kAbilityCopy | kAbilityDrop;
constexpr AbilitySet kVectorAbilities = kAbilityCopy | kAbilityDrop | kAbilityStore;

// Abilities the contents need for a container to have `a` (key needs store inside).
AbilitySet requires_of(AbilitySet a) {
  AbilitySet r = a & (kAbilityCopy | kAbilityDrop | kAbilityStore);
  if (a & kAbilityKey) r |= kAbilityStore;
  return r;
}
bool subset(AbilitySet a, AbilitySet of) { return (a & ~of) == 0; }

// Required abilities per type parameter index.
using Constraints = std::map<uint16_t, AbilitySet>;

void merge(Constraints& into, const Constraints& from) {
  for (auto [i, a] : from) into[i] |= a;
}

std::optional<VMError> check_in_context(const Constraints& required, const std::vector<AbilitySet>& context) {
  for (auto [i, a] : required) {
    AbilitySet have = i < context.size() ? context[i] : 0;
    if ((a | have) != have) return VMError{StatusCode::CONSTRAINT_NOT_SATISFIED, {}, {}, {}};
  }
  return std::nullopt;
}

VMError error(StatusCode s) { return VMError{s, {}, {}, {}}; }
VMError& with_index(VMError& e, IndexKind k, size_t i) {
  e.indices.emplace_back(k, uint16_t(i));
  return e;
}
bool is_reference(const SignatureToken& t) {
  return t.kind == TokenKind::Reference || t.kind == TokenKind::MutableReference;
}

class SignatureChecker {
 public:
  SignatureChecker(const CommonTables& u, const CompiledModule* m) : u_(u), m_(m) {}

  std::optional<VMError> check_ty(const SignatureToken& t, bool allow_ref, AbilitySet required, Constraints& out) const {
    auto need = [&](AbilitySet have) -> std::optional<VMError> {
      if (!subset(required, have)) return error(StatusCode::CONSTRAINT_NOT_SATISFIED);
      return std::nullopt;
    };
    switch (t.kind) {
      case TokenKind::TypeParameter:
        if (required) out[t.index] |= required;
        return std::nullopt;
      case TokenKind::Signer: return need(kSignerAbilities);
      case TokenKind::Reference: case TokenKind::MutableReference:
        if (!allow_ref) return error(StatusCode::INVALID_SIGNATURE_TOKEN);
        if (auto e = need(kReferenceAbilities)) return e;
        return check_ty(t.children[0], false, 0, out);
      case TokenKind::Vector:
        if (auto e = need(kVectorAbilities)) return e;
        return check_ty(t.children[0], false, requires_of(required), out);
      case TokenKind::Function:
        if (auto e = need(t.abilities)) return e;
        for (const auto& c : t.children)
          if (auto e = check_ty(c, true, 0, out)) return e;
        return std::nullopt;
      case TokenKind::Struct:
        return need(u_.struct_handles[t.index].abilities);
      case TokenKind::StructInstantiation: {
        const auto& sh = u_.struct_handles[t.index];
        if (auto e = need(sh.abilities)) return e;
        if (sh.type_parameters.size() != t.children.size())
          return error(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
        for (size_t i = 0; i < t.children.size(); ++i) {
          const auto& tp = sh.type_parameters[i];
          AbilitySet req = tp.is_phantom ? tp.constraints : AbilitySet(tp.constraints | requires_of(required));
          if (auto e = check_ty(t.children[i], false, req, out)) return e;
        }
        return std::nullopt;
      }
      default:  // integers, bool, address
        return need(kPrimitives);
    }
  }

  // One type of a signature, context-free; errors point at the signature.
  std::optional<VMError> type_in_signature(uint16_t sig, size_t i, AbilitySet required, bool allow_ref,
                                           Constraints& out) const {
    Constraints c;
    if (auto e = check_ty(u_.signatures[sig][i], allow_ref, required, c)) {
      with_index(*e, IndexKind::Signature, sig);
      return e;
    }
    merge(out, c);
    return std::nullopt;
  }

  std::optional<VMError> signature(uint16_t sig, bool allow_ref, Constraints& out) const {
    for (size_t i = 0; i < u_.signatures[sig].size(); ++i)
      if (auto e = type_in_signature(sig, i, 0, allow_ref, out)) return e;
    return std::nullopt;
  }

  std::optional<VMError> signature_in_context(const std::vector<AbilitySet>& ctx, uint16_t sig, bool allow_ref) const {
    Constraints c;
    if (auto e = signature(sig, allow_ref, c)) return e;
    return check_in_context(c, ctx);
  }

  std::optional<VMError> function_instantiation(size_t idx, Constraints& out) const {
    const auto& fi = u_.function_instantiations[idx];
    const auto& fh = u_.function_handles[fi.handle];
    const auto& args = u_.signatures[fi.type_parameters];
    if (fh.type_parameters.size() != args.size()) {
      VMError e = error(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
      return with_index(e, IndexKind::FunctionInstantiation, idx);
    }
    for (size_t i = 0; i < args.size(); ++i) {
      if (is_reference(args[i])) {
        VMError e = error(StatusCode::INVALID_SIGNATURE_TOKEN);
        return with_index(e, IndexKind::FunctionInstantiation, idx);
      }
      if (auto e = type_in_signature(fi.type_parameters, i, fh.type_parameters[i], false, out)) return e;
    }
    return std::nullopt;
  }

  std::optional<VMError> struct_type_params(AbilitySet required, uint16_t def, uint16_t sig, Constraints& out) const {
    const auto& sh = u_.struct_handles[m_->struct_defs[def].struct_handle];
    const auto& args = u_.signatures[sig];
    if (sh.type_parameters.size() != args.size()) return error(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
    if (!subset(required, sh.abilities)) return error(StatusCode::CONSTRAINT_NOT_SATISFIED);
    for (size_t i = 0; i < args.size(); ++i) {
      const auto& tp = sh.type_parameters[i];
      AbilitySet req = tp.is_phantom ? tp.constraints : AbilitySet(tp.constraints | requires_of(required));
      if (is_reference(args[i])) return error(StatusCode::INVALID_SIGNATURE_TOKEN);
      if (auto e = type_in_signature(sig, i, req, false, out)) return e;
    }
    return std::nullopt;
  }

  template <class F>
  static std::optional<VMError> indexed(F&& f, IndexKind kind, size_t idx) {
    auto e = f();
    if (e) with_index(*e, kind, idx);
    return e;
  }

  std::optional<VMError> struct_inst(size_t idx, AbilitySet required, Constraints& out) const {
    const auto& si = m_->struct_def_instantiations[idx];
    return indexed([&] { return struct_type_params(required, si.handle, si.type_parameters, out); },
                   IndexKind::StructDefInstantiation, idx);
  }
  std::optional<VMError> variant_inst(size_t idx, AbilitySet required, Constraints& out) const {
    const auto& vi = m_->struct_variant_instantiations[idx];
    uint16_t def = m_->struct_variant_handles[vi.handle].struct_index;
    return indexed([&] { return struct_type_params(required, def, vi.type_parameters, out); },
                   IndexKind::StructVariantInstantiation, idx);
  }
  std::optional<VMError> field_inst(size_t idx, Constraints& out) const {
    const auto& fi = m_->field_instantiations[idx];
    uint16_t def = m_->field_handles[fi.handle].owner;
    return indexed([&] { return struct_type_params(0, def, fi.type_parameters, out); }, IndexKind::FieldInstantiation,
                   idx);
  }
  std::optional<VMError> variant_field_inst(size_t idx, Constraints& out) const {
    const auto& fi = m_->variant_field_instantiations[idx];
    uint16_t def = m_->variant_field_handles[fi.handle].struct_index;
    return indexed([&] { return struct_type_params(0, def, fi.type_parameters, out); },
                   IndexKind::VariantFieldInstantiation, idx);
  }

  std::optional<VMError> code(const std::vector<AbilitySet>& ctx, const CodeUnit& code) const {
    if (auto e = signature_in_context(ctx, code.locals, true)) return with_index(*e, IndexKind::Signature, code.locals);
    auto in_ctx = [&](const Constraints& c) { return check_in_context(c, ctx); };
    for (const auto& ins : code.code) {
      Constraints c;
      std::optional<VMError> e;
      switch (ins.op) {
        case Opcode::PackGeneric: case Opcode::UnpackGeneric: case Opcode::PackVariantGeneric:
        case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric: case Opcode::ExistsGeneric:
        case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric: case Opcode::ImmBorrowGlobalGeneric:
        case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowFieldGeneric: case Opcode::MutBorrowFieldGeneric:
        case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric:
          // Scripts have no instantiation tables: Aptos's resolver refuses the lookup.
          if (!m_) return error(StatusCode::INVALID_OPERATION_IN_SCRIPT);
          break;
        default: break;
      }
      switch (ins.op) {
        case Opcode::CallGeneric: case Opcode::PackClosureGeneric:
          if (!(e = function_instantiation(ins.index, c))) e = in_ctx(c);
          break;
        case Opcode::PackGeneric: case Opcode::UnpackGeneric:
          if (!(e = struct_inst(ins.index, 0, c))) e = in_ctx(c);
          break;
        case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric:
          if (!(e = variant_inst(ins.index, 0, c))) e = in_ctx(c);
          break;
        case Opcode::ExistsGeneric: case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric:
        case Opcode::ImmBorrowGlobalGeneric: case Opcode::MutBorrowGlobalGeneric: {
          // Global-storage instantiations need `key`. Aptos's expected outputs attach the
          // instantiation index when the struct itself lacks `key`, but not when a type
          // argument lacks the `store` that `key` implies (then only the signature index).
          const auto& si = m_->struct_def_instantiations[ins.index];
          const auto& sh = u_.struct_handles[m_->struct_defs[si.handle].struct_handle];
          if (!(sh.abilities & kAbilityKey)) {
            VMError err = error(StatusCode::CONSTRAINT_NOT_SATISFIED);
            e = with_index(err, IndexKind::StructDefInstantiation, ins.index);
          } else if (!(e = struct_type_params(kAbilityKey, si.handle, si.type_parameters, c))) {
            e = in_ctx(c);
          }
          break;
        }
        case Opcode::ImmBorrowFieldGeneric: case Opcode::MutBorrowFieldGeneric:
          if (!(e = field_inst(ins.index, c))) e = in_ctx(c);
          break;
        case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric:
          if (!(e = variant_field_inst(ins.index, c))) e = in_ctx(c);
          break;
        case Opcode::CallClosure: {
          const auto& s = u_.signatures[ins.index];
          if (s.size() != 1 || s[0].kind != TokenKind::Function) e = error(StatusCode::CLOSURE_CALL_REQUIRES_FUNCTION);
          break;
        }
        case Opcode::VecPack: case Opcode::VecLen: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow:
        case Opcode::VecPushBack: case Opcode::VecPopBack: case Opcode::VecUnpack: case Opcode::VecSwap: {
          const auto& s = u_.signatures[ins.index];
          if (s.size() != 1) e = error(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
          else if (is_reference(s[0])) e = error(StatusCode::INVALID_SIGNATURE_TOKEN);
          else e = signature_in_context(ctx, ins.index, false);
          break;
        }
        default: break;
      }
      if (e) return e;
    }
    return std::nullopt;
  }

  std::optional<VMError> phantom_positions(const std::vector<StructTypeParameter>& ctx, bool phantom_pos,
                                           const SignatureToken& t) const {
    switch (t.kind) {
      case TokenKind::Vector: return phantom_positions(ctx, false, t.children[0]);
      case TokenKind::Function:
        for (const auto& c : t.children)
          if (auto e = phantom_positions(ctx, false, c)) return e;
        return std::nullopt;
      case TokenKind::StructInstantiation: {
        const auto& sh = u_.struct_handles[t.index];
        for (size_t i = 0; i < t.children.size(); ++i)
          if (auto e = phantom_positions(ctx, sh.type_parameters[i].is_phantom, t.children[i])) return e;
        return std::nullopt;
      }
      case TokenKind::TypeParameter:
        if (ctx[t.index].is_phantom && !phantom_pos) return error(StatusCode::INVALID_PHANTOM_TYPE_PARAM_POSITION);
        return std::nullopt;
      default: return std::nullopt;
    }
  }

  std::optional<VMError> struct_def(const StructDefinition& d) const {
    const auto& sh = u_.struct_handles[d.struct_handle];
    std::vector<AbilitySet> ctx, all;
    for (const auto& tp : sh.type_parameters) {
      ctx.push_back(tp.constraints);
      all.push_back(kAbilityAll);
    }
    AbilitySet conditional = requires_of(sh.abilities);
    auto field = [&](const FieldDefinition& f) -> std::optional<VMError> {
      Constraints c;
      if (auto e = check_ty(f.type, false, 0, c)) return e;
      if (auto e = check_in_context(c, ctx)) return e;
      Constraints c2;
      if (check_ty(f.type, false, conditional, c2) || check_in_context(c2, all))
        return error(StatusCode::FIELD_MISSING_TYPE_ABILITY);
      return phantom_positions(sh.type_parameters, false, f.type);
    };
    for (const auto& f : d.fields)
      if (auto e = field(f)) return e;
    for (const auto& v : d.variants)
      for (const auto& f : v.fields)
        if (auto e = field(f)) return e;
    return std::nullopt;
  }

  std::optional<VMError> common() const {
    Constraints c;
    for (size_t i = 0; i < u_.signatures.size(); ++i)
      if (auto e = signature(uint16_t(i), true, c)) return e;
    for (size_t i = 0; i < u_.function_instantiations.size(); ++i)
      if (auto e = function_instantiation(i, c)) return e;
    return std::nullopt;
  }

  std::optional<VMError> function_handles() const {
    for (size_t i = 0; i < u_.function_handles.size(); ++i) {
      const auto& fh = u_.function_handles[i];
      auto e = signature_in_context(fh.type_parameters, fh.parameters, true);
      if (!e) e = signature_in_context(fh.type_parameters, fh.return_, true);
      if (e) return with_index(*e, IndexKind::FunctionHandle, i);
    }
    return std::nullopt;
  }

  std::optional<VMError> module() const {
    if (auto e = common()) return e;
    Constraints c;
    for (size_t i = 0; i < m_->struct_def_instantiations.size(); ++i)
      if (auto e = struct_inst(i, 0, c)) return e;
    for (size_t i = 0; i < m_->field_instantiations.size(); ++i)
      if (auto e = field_inst(i, c)) return e;
    for (size_t i = 0; i < m_->struct_variant_instantiations.size(); ++i)
      if (auto e = variant_inst(i, 0, c)) return e;
    for (size_t i = 0; i < m_->variant_field_instantiations.size(); ++i)
      if (auto e = variant_field_inst(i, c)) return e;
    if (auto e = function_handles()) return e;
    for (size_t i = 0; i < m_->function_defs.size(); ++i) {
      const auto& fd = m_->function_defs[i];
      if (!fd.code) continue;
      if (auto e = code(u_.function_handles[fd.function].type_parameters, *fd.code))
        return with_index(*e, IndexKind::FunctionDefinition, i);
    }
    for (size_t i = 0; i < m_->struct_defs.size(); ++i)
      if (auto e = struct_def(m_->struct_defs[i])) return with_index(*e, IndexKind::StructDefinition, i);
    return std::nullopt;
  }

  std::optional<VMError> script(const CompiledScript& s) const {
    if (auto e = common()) return e;
    if (auto e = function_handles()) return e;
    if (auto e = signature_in_context(s.type_parameters, s.parameters, true)) return e;
    return code(s.type_parameters, s.code);
  }

 private:
  const CommonTables& u_;
  const CompiledModule* m_;
};

// Aptos sizes its constraint bitsets by the largest type-parameter count or index in use and
// gives up beyond 256 (16 words of 16 parameters).
size_t max_type_params(const CommonTables& u, const CompiledModule* m) {
  size_t n = 0;
  for (const auto& fh : u.function_handles) n = std::max(n, fh.type_parameters.size());
  for (const auto& sh : u.struct_handles) n = std::max(n, sh.type_parameters.size());
  std::vector<const SignatureToken*> stack;
  auto scan = [&](const SignatureToken& root) {
    stack.push_back(&root);
    while (!stack.empty()) {
      const SignatureToken* t = stack.back();
      stack.pop_back();
      if (t->kind == TokenKind::TypeParameter) n = std::max(n, size_t(t->index) + 1);
      for (const auto& c : t->children) stack.push_back(&c);
    }
  };
  for (const auto& s : u.signatures)
    for (const auto& t : s) scan(t);
  if (m)
    for (const auto& d : m->struct_defs) {
      for (const auto& f : d.fields) scan(f.type);
      for (const auto& v : d.variants)
        for (const auto& f : v.fields) scan(f.type);
    }
  return n;
}

}  // namespace

SignatureVerdict verify_signatures(const CompiledModule& m) {
  if (max_type_params(m, &m) > 256)
    return {VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "too many type parameters/arguments", {}, {}},
            false};
  return {SignatureChecker(m, &m).module(), true};
}

SignatureVerdict verify_signatures(const CompiledScript& s) {
  size_t n = std::max(max_type_params(s, nullptr), s.type_parameters.size());
  if (n > 256)
    return {VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "too many type parameters/arguments", {}, {}},
            false};
  return {SignatureChecker(s, nullptr).script(s), true};
}

}  // namespace lumio::movevm::internal
