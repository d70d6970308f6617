// Type safety of one code unit (type_safety.rs): an abstract stack of types walked through the
// code in block order. Stack usage is already verified, so every block starts and ends with an
// empty stack and no pop underflows; walking the instructions in offset order is the same walk.
// Closures (v8): function types with ability subtyping (`is_assignable_from`: a value whose
// function type has more abilities fits a slot with fewer); signed integers (v9): arithmetic
// and comparisons, Negate and casts, but no bitwise operations or shifts; AbortMsg (v10).
// Every pushed type charges the complexity meter by its node count, as Aptos does.
#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

using ST = SignatureToken;

constexpr AbilitySet kPrimitive = kAbilityCopy | kAbilityDrop | kAbilityStore;

ST prim(TokenKind k) { return ST{k, 0, 0, 0, {}}; }
ST wrap(TokenKind k, ST inner) { return ST{k, 0, 0, 0, {std::move(inner)}}; }
bool is_ref(const ST& t) { return t.kind == TokenKind::Reference || t.kind == TokenKind::MutableReference; }
bool is_unsigned(const ST& t) {
  switch (t.kind) {
    case TokenKind::U8: case TokenKind::U16: case TokenKind::U32: case TokenKind::U64:
    case TokenKind::U128: case TokenKind::U256: return true;
    default: return false;
  }
}
bool is_signed(const ST& t) {
  switch (t.kind) {
    case TokenKind::I8: case TokenKind::I16: case TokenKind::I32: case TokenKind::I64:
    case TokenKind::I128: case TokenKind::I256: return true;
    default: return false;
  }
}
bool is_integer(const ST& t) { return is_unsigned(t) || is_signed(t); }
// SignatureToken::is_assignable_from: equal types, except that a function type accepts a
// function value with the same parameters and results and at least its abilities.
bool assignable(const ST& to, const ST& from) {
  if (to.kind == TokenKind::Function && from.kind == TokenKind::Function)
    return to.function_args == from.function_args && to.children == from.children &&
           (to.abilities & from.abilities) == to.abilities;
  return to == from;
}
size_t node_count(const ST& t) {
  size_t n = 1;
  for (const auto& c : t.children) n += node_count(c);
  return n;
}
constexpr unsigned __int128 kTypeNodeCost = 30;

// Abilities a container keeps given one non-phantom argument's abilities (Ability::required_by).
AbilitySet enabled_by(AbilitySet arg) {
  AbilitySet r = arg & (kAbilityCopy | kAbilityDrop | kAbilityStore);
  if (arg & kAbilityStore) r |= kAbilityKey;
  return r;
}

}  // namespace

AbilitySet type_abilities(const CommonTables& u, const SignatureToken& t, const std::vector<AbilitySet>& type_params) {
  switch (t.kind) {
    case TokenKind::Reference: case TokenKind::MutableReference: return kAbilityCopy | kAbilityDrop;
    case TokenKind::Signer: return kAbilityDrop;
    case TokenKind::TypeParameter: return t.index < type_params.size() ? type_params[t.index] : 0;
    case TokenKind::Vector: return kPrimitive & enabled_by(type_abilities(u, t.children[0], type_params));
    case TokenKind::Struct: return u.struct_handles[t.index].abilities;
    case TokenKind::StructInstantiation: {
      const auto& sh = u.struct_handles[t.index];
      AbilitySet a = sh.abilities;
      for (size_t i = 0; i < t.children.size() && i < sh.type_parameters.size(); ++i)
        if (!sh.type_parameters[i].is_phantom) a &= enabled_by(type_abilities(u, t.children[i], type_params));
      return a;
    }
    case TokenKind::Function: return t.abilities;
    default: return kPrimitive;
  }
}

namespace {

class Checker {
 public:
  Checker(const CommonTables& u, const CompiledModule* m, uint16_t function, const Signature& params,
          const Signature& locals, const Signature& returns, const std::vector<AbilitySet>& type_params, Meter& meter)
      : u_(u), m_(m), function_(function), params_(params), locals_(locals), returns_(returns), tparams_(type_params),
        meter_(meter) {}

  TypeSafetyVerdict run(const CodeUnit& code) {
    for (size_t pc = 0; pc < code.code.size(); ++pc) {
      Outcome o = step(code.code[pc]);
      if (o == Outcome::Unknown) return {std::nullopt, false};
      if (o == Outcome::Error) return {VMError{status_, {}, {}, {{function_, uint16_t(pc)}}}, true};
      if (meter_error_) return {meter_error_, true};
    }
    return {std::nullopt, true};
  }

 private:
  enum class Outcome { Ok, Error, Unknown };

  AbilitySet abilities(const ST& t) const { return type_abilities(u_, t, tparams_); }

  const ST& local(uint16_t i) const { return i < params_.size() ? params_[i] : locals_[i - params_.size()]; }

  static ST instantiate(const ST& t, const Signature& args) {
    if (args.empty()) return t;
    if (t.kind == TokenKind::TypeParameter) return t.index < args.size() ? args[t.index] : t;
    ST r = t;
    for (auto& c : r.children) c = instantiate(c, args);
    return r;
  }
  static ST materialize(uint16_t struct_handle, const Signature& args) {
    ST t{args.empty() ? TokenKind::Struct : TokenKind::StructInstantiation, struct_handle, 0, 0, args};
    return t;
  }
  // Element type of a vector reference (mutable only when `mut_only`).
  static std::optional<ST> element_of(const ST& t, bool mut_only) {
    if (t.kind == TokenKind::MutableReference || (!mut_only && t.kind == TokenKind::Reference))
      if (t.children[0].kind == TokenKind::Vector) return t.children[0].children[0];
    return std::nullopt;
  }

  void push(ST t) {
    if (!meter_error_) meter_error_ = meter_.add_items(kTypeNodeCost, node_count(t));
    stack_.push_back(std::move(t));
  }
  void charge(const Signature& tys) {
    for (const auto& t : tys)
      if (!meter_error_) meter_error_ = meter_.add_items(kTypeNodeCost, node_count(t));
  }

  ST pop() {
    ST t = std::move(stack_.back());
    stack_.pop_back();
    return t;
  }
  Outcome fail(StatusCode s) {
    status_ = s;
    return Outcome::Error;
  }

  Outcome borrow_field(bool mut, uint16_t owner, const std::vector<uint16_t>* variants, uint16_t field,
                       const Signature& args) {
    ST operand = pop();
    if (mut && operand.kind != TokenKind::MutableReference) return fail(StatusCode::BORROWFIELD_TYPE_MISMATCH_ERROR);
    const StructDefinition& def = m_->struct_defs[owner];
    if (!is_ref(operand) || operand.children[0] != materialize(def.struct_handle, args))
      return fail(StatusCode::BORROWFIELD_TYPE_MISMATCH_ERROR);
    std::optional<ST> field_ty;
    if (variants) {
      if (variants->empty()) return fail(StatusCode::ZERO_VARIANTS_ERROR);
      for (uint16_t v : *variants) {
        if (def.layout != StructLayout::DeclaredVariants || v >= def.variants.size() ||
            field >= def.variants[v].fields.size())
          return fail(StatusCode::BORROWFIELD_BAD_FIELD_ERROR);
        ST ty = instantiate(def.variants[v].fields[field].type, args);
        if (field_ty && ty != *field_ty) return fail(StatusCode::BORROWFIELD_TYPE_MISMATCH_ERROR);
        field_ty = std::move(ty);
      }
    } else if (def.layout == StructLayout::Declared && field < def.fields.size()) {
      field_ty = instantiate(def.fields[field].type, args);
    }
    // A missing field was reported by instruction consistency; Aptos pushes a placeholder.
    push(field_ty ? wrap(mut ? TokenKind::MutableReference : TokenKind::Reference, *field_ty)
                              : prim(TokenKind::Bool));
    return Outcome::Ok;
  }

  std::optional<Signature> fields_of(const StructDefinition& def, std::optional<uint16_t> variant,
                                     const Signature& args) {
    const std::vector<FieldDefinition>* fields = nullptr;
    if (def.layout == StructLayout::Declared && !variant) fields = &def.fields;
    if (def.layout == StructLayout::DeclaredVariants && variant && *variant < def.variants.size())
      fields = &def.variants[*variant].fields;
    if (!fields) return std::nullopt;
    Signature s;
    for (const auto& f : *fields) s.push_back(instantiate(f.type, args));
    return s;
  }

  Outcome pack(uint16_t def_idx, std::optional<uint16_t> variant, const Signature& args) {
    const StructDefinition& def = m_->struct_defs[def_idx];
    auto fields = fields_of(def, variant, args);
    if (!fields) return fail(StatusCode::PACK_TYPE_MISMATCH_ERROR);
    for (auto it = fields->rbegin(); it != fields->rend(); ++it)
      if (!assignable(*it, pop())) return fail(StatusCode::PACK_TYPE_MISMATCH_ERROR);
    push(materialize(def.struct_handle, args));
    return Outcome::Ok;
  }

  Outcome unpack(uint16_t def_idx, std::optional<uint16_t> variant, const Signature& args) {
    const StructDefinition& def = m_->struct_defs[def_idx];
    if (pop() != materialize(def.struct_handle, args)) return fail(StatusCode::UNPACK_TYPE_MISMATCH_ERROR);
    auto fields = fields_of(def, variant, args);
    if (!fields) return fail(StatusCode::PACK_TYPE_MISMATCH_ERROR);  // as Aptos: the shared helper's status
    for (auto& f : *fields) push(std::move(f));
    return Outcome::Ok;
  }

  Outcome global(Opcode kind, uint16_t def_idx, const Signature& args) {
    ST type = materialize(m_->struct_defs[def_idx].struct_handle, args);
    bool key = abilities(type) & kAbilityKey;
    switch (kind) {
      case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal: {
        if (pop() != prim(TokenKind::Address)) return fail(StatusCode::BORROWGLOBAL_TYPE_MISMATCH_ERROR);
        if (!key) return fail(StatusCode::BORROWGLOBAL_WITHOUT_KEY_ABILITY);
        push(wrap(kind == Opcode::MutBorrowGlobal ? TokenKind::MutableReference : TokenKind::Reference, type));
        return Outcome::Ok;
      }
      case Opcode::Exists:
        if (!key) return fail(StatusCode::EXISTS_WITHOUT_KEY_ABILITY_OR_BAD_ARGUMENT);
        if (pop() != prim(TokenKind::Address)) return fail(StatusCode::EXISTS_WITHOUT_KEY_ABILITY_OR_BAD_ARGUMENT);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      case Opcode::MoveFrom:
        if (!key) return fail(StatusCode::MOVEFROM_WITHOUT_KEY_ABILITY);
        if (pop() != prim(TokenKind::Address)) return fail(StatusCode::MOVEFROM_TYPE_MISMATCH_ERROR);
        push(type);
        return Outcome::Ok;
      default: {  // MoveTo: resource on top, &signer below
        if (!key) return fail(StatusCode::MOVETO_WITHOUT_KEY_ABILITY);
        ST resource = pop(), signer = pop();
        if (resource != type || signer != wrap(TokenKind::Reference, prim(TokenKind::Signer)))
          return fail(StatusCode::MOVETO_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      }
    }
  }

  Outcome call(uint16_t handle, const Signature& args) {
    const FunctionHandle& fh = u_.function_handles[handle];
    const Signature& params = u_.signatures[fh.parameters];
    for (auto it = params.rbegin(); it != params.rend(); ++it)
      if (!assignable(instantiate(*it, args), pop())) return fail(StatusCode::CALL_TYPE_MISMATCH_ERROR);
    for (const auto& r : u_.signatures[fh.return_]) push(instantiate(r, args));
    return Outcome::Ok;
  }

  const ST& element_sig(uint16_t sig) const { return u_.signatures[sig][0]; }

  Outcome step(const Instruction& ins) {
    static const Signature kNone;
    // Module-only tables are absent in scripts; Aptos's resolver fails there differently.
    auto module_only = [&] { return m_ == nullptr; };
    switch (ins.op) {
      case Opcode::Pop:
        if (!(abilities(pop()) & kAbilityDrop)) return fail(StatusCode::POP_WITHOUT_DROP_ABILITY);
        return Outcome::Ok;
      case Opcode::BrTrue: case Opcode::BrFalse:
        if (pop() != prim(TokenKind::Bool)) return fail(StatusCode::BR_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      case Opcode::StLoc:
        if (!assignable(local(ins.index), pop())) return fail(StatusCode::STLOC_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      case Opcode::Abort:
        if (pop() != prim(TokenKind::U64)) return fail(StatusCode::ABORT_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      case Opcode::Ret:
        for (auto it = returns_.rbegin(); it != returns_.rend(); ++it)
          if (!assignable(*it, pop())) return fail(StatusCode::RET_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      case Opcode::Branch: case Opcode::Nop: return Outcome::Ok;
      case Opcode::FreezeRef: {
        ST t = pop();
        if (t.kind != TokenKind::MutableReference) return fail(StatusCode::FREEZEREF_TYPE_MISMATCH_ERROR);
        t.kind = TokenKind::Reference;
        push(std::move(t));
        return Outcome::Ok;
      }
      case Opcode::MutBorrowField: case Opcode::ImmBorrowField: {
        if (module_only()) return Outcome::Unknown;
        const auto& fh = m_->field_handles[ins.index];
        return borrow_field(ins.op == Opcode::MutBorrowField, fh.owner, nullptr, fh.field, kNone);
      }
      case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric: {
        if (module_only()) return Outcome::Unknown;
        const auto& fi = m_->field_instantiations[ins.index];
        const auto& fh = m_->field_handles[fi.handle];
        charge(u_.signatures[fi.type_parameters]);
        return borrow_field(ins.op == Opcode::MutBorrowFieldGeneric, fh.owner, nullptr, fh.field,
                            u_.signatures[fi.type_parameters]);
      }
      case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField: {
        if (module_only()) return Outcome::Unknown;
        const auto& fh = m_->variant_field_handles[ins.index];
        return borrow_field(ins.op == Opcode::MutBorrowVariantField, fh.struct_index, &fh.variants, fh.field, kNone);
      }
      case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric: {
        if (module_only()) return Outcome::Unknown;
        const auto& fi = m_->variant_field_instantiations[ins.index];
        const auto& fh = m_->variant_field_handles[fi.handle];
        charge(u_.signatures[fi.type_parameters]);
        return borrow_field(ins.op == Opcode::MutBorrowVariantFieldGeneric, fh.struct_index, &fh.variants, fh.field,
                            u_.signatures[fi.type_parameters]);
      }
      case Opcode::LdU8: push(prim(TokenKind::U8)); return Outcome::Ok;
      case Opcode::LdU16: push(prim(TokenKind::U16)); return Outcome::Ok;
      case Opcode::LdU32: push(prim(TokenKind::U32)); return Outcome::Ok;
      case Opcode::LdU64: push(prim(TokenKind::U64)); return Outcome::Ok;
      case Opcode::LdU128: push(prim(TokenKind::U128)); return Outcome::Ok;
      case Opcode::LdU256: push(prim(TokenKind::U256)); return Outcome::Ok;
      case Opcode::LdConst: push(u_.constant_pool[ins.index].type); return Outcome::Ok;
      case Opcode::LdTrue: case Opcode::LdFalse: push(prim(TokenKind::Bool)); return Outcome::Ok;
      case Opcode::CopyLoc:
        if (!(abilities(local(ins.index)) & kAbilityCopy)) return fail(StatusCode::COPYLOC_WITHOUT_COPY_ABILITY);
        push(local(ins.index));
        return Outcome::Ok;
      case Opcode::MoveLoc: push(local(ins.index)); return Outcome::Ok;
      case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc:
        if (is_ref(local(ins.index))) return fail(StatusCode::BORROWLOC_REFERENCE_ERROR);
        push(wrap(ins.op == Opcode::MutBorrowLoc ? TokenKind::MutableReference : TokenKind::Reference,
                              local(ins.index)));
        return Outcome::Ok;
      case Opcode::Call: return call(ins.index, kNone);
      case Opcode::CallGeneric: {
        const auto& fi = u_.function_instantiations[ins.index];
        charge(u_.signatures[fi.type_parameters]);
        return call(fi.handle, u_.signatures[fi.type_parameters]);
      }
      case Opcode::Pack: case Opcode::Unpack:
        if (module_only()) return Outcome::Unknown;
        return ins.op == Opcode::Pack ? pack(ins.index, std::nullopt, kNone) : unpack(ins.index, std::nullopt, kNone);
      case Opcode::PackGeneric: case Opcode::UnpackGeneric: {
        if (module_only()) return Outcome::Unknown;
        const auto& si = m_->struct_def_instantiations[ins.index];
        const Signature& args = u_.signatures[si.type_parameters];
        charge(args);
        return ins.op == Opcode::PackGeneric ? pack(si.handle, std::nullopt, args) : unpack(si.handle, std::nullopt, args);
      }
      case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::TestVariant:
      case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric: {
        if (module_only()) return Outcome::Unknown;
        bool generic = ins.op == Opcode::PackVariantGeneric || ins.op == Opcode::UnpackVariantGeneric ||
                       ins.op == Opcode::TestVariantGeneric;
        const Instantiation* inst = generic ? &m_->struct_variant_instantiations[ins.index] : nullptr;
        const auto& h = m_->struct_variant_handles[generic ? inst->handle : ins.index];
        const Signature& args = generic ? u_.signatures[inst->type_parameters] : kNone;
        if (ins.op != Opcode::TestVariantGeneric) charge(args);  // Aptos does not charge TestVariant
        if (ins.op == Opcode::PackVariant || ins.op == Opcode::PackVariantGeneric)
          return pack(h.struct_index, h.variant, args);
        if (ins.op == Opcode::UnpackVariant || ins.op == Opcode::UnpackVariantGeneric)
          return unpack(h.struct_index, h.variant, args);
        ST operand = pop();
        if (!is_ref(operand) || operand.children[0] != materialize(m_->struct_defs[h.struct_index].struct_handle, args))
          return fail(StatusCode::TEST_VARIANT_TYPE_MISMATCH_ERROR);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      }
      case Opcode::ReadRef: {
        ST t = pop();
        if (!is_ref(t)) return fail(StatusCode::READREF_TYPE_MISMATCH_ERROR);
        if (!(abilities(t.children[0]) & kAbilityCopy)) return fail(StatusCode::READREF_WITHOUT_COPY_ABILITY);
        push(std::move(t.children[0]));
        return Outcome::Ok;
      }
      case Opcode::WriteRef: {
        ST ref = pop(), value = pop();
        if (ref.kind != TokenKind::MutableReference) return fail(StatusCode::WRITEREF_NO_MUTABLE_REFERENCE_ERROR);
        if (!(abilities(ref.children[0]) & kAbilityDrop)) return fail(StatusCode::WRITEREF_WITHOUT_DROP_ABILITY);
        if (!assignable(ref.children[0], value)) return fail(StatusCode::WRITEREF_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      }
      case Opcode::CastU8: case Opcode::CastU16: case Opcode::CastU32: case Opcode::CastU64:
      case Opcode::CastU128: case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16:
      case Opcode::CastI32: case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256: {
        if (!is_integer(pop())) return fail(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR);
        TokenKind to = TokenKind::U8;
        switch (ins.op) {
          case Opcode::CastU8: to = TokenKind::U8; break;
          case Opcode::CastU16: to = TokenKind::U16; break;
          case Opcode::CastU32: to = TokenKind::U32; break;
          case Opcode::CastU64: to = TokenKind::U64; break;
          case Opcode::CastU128: to = TokenKind::U128; break;
          case Opcode::CastU256: to = TokenKind::U256; break;
          case Opcode::CastI8: to = TokenKind::I8; break;
          case Opcode::CastI16: to = TokenKind::I16; break;
          case Opcode::CastI32: to = TokenKind::I32; break;
          case Opcode::CastI64: to = TokenKind::I64; break;
          case Opcode::CastI128: to = TokenKind::I128; break;
          default: to = TokenKind::I256; break;
        }
        push(prim(to));
        return Outcome::Ok;
      }
      case Opcode::Negate: {
        ST a = pop();
        if (!is_signed(a)) return fail(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR);
        push(std::move(a));
        return Outcome::Ok;
      }
      case Opcode::LdI8: push(prim(TokenKind::I8)); return Outcome::Ok;
      case Opcode::LdI16: push(prim(TokenKind::I16)); return Outcome::Ok;
      case Opcode::LdI32: push(prim(TokenKind::I32)); return Outcome::Ok;
      case Opcode::LdI64: push(prim(TokenKind::I64)); return Outcome::Ok;
      case Opcode::LdI128: push(prim(TokenKind::I128)); return Outcome::Ok;
      case Opcode::LdI256: push(prim(TokenKind::I256)); return Outcome::Ok;
      case Opcode::AbortMsg: {
        ST message = pop(), code = pop();
        if (code != prim(TokenKind::U64) || message != wrap(TokenKind::Vector, prim(TokenKind::U8)))
          return fail(StatusCode::ABORT_TYPE_MISMATCH_ERROR);
        return Outcome::Ok;
      }
      case Opcode::PackClosure: return pack_closure(ins.index, kNone, ins.value);
      case Opcode::PackClosureGeneric: {
        const auto& fi = u_.function_instantiations[ins.index];
        charge(u_.signatures[fi.type_parameters]);
        return pack_closure(fi.handle, u_.signatures[fi.type_parameters], ins.value);
      }
      case Opcode::CallClosure: {
        const Signature& sig = u_.signatures[ins.index];
        if (sig.empty() || sig[0].kind != TokenKind::Function) return fail(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
        const ST& expected = sig[0];
        if (!assignable(expected, pop())) return fail(StatusCode::CALL_TYPE_MISMATCH_ERROR);
        for (size_t i = expected.function_args; i-- > 0;)
          if (!assignable(expected.children[i], pop())) return fail(StatusCode::CALL_TYPE_MISMATCH_ERROR);
        for (size_t i = expected.function_args; i < expected.children.size(); ++i) push(expected.children[i]);
        return Outcome::Ok;
      }
      case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Mod: case Opcode::Div:
      case Opcode::BitOr: case Opcode::BitAnd: case Opcode::Xor: {
        ST a = pop(), b = pop();
        bool bitwise = ins.op == Opcode::BitOr || ins.op == Opcode::BitAnd || ins.op == Opcode::Xor;
        if (!(bitwise ? is_unsigned(a) : is_integer(a)) || a != b)
          return fail(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR);
        push(std::move(a));
        return Outcome::Ok;
      }
      case Opcode::Shl: case Opcode::Shr: {
        ST amount = pop(), value = pop();
        if (!is_unsigned(value) || amount != prim(TokenKind::U8)) return fail(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR);
        push(std::move(value));
        return Outcome::Ok;
      }
      case Opcode::Or: case Opcode::And: {
        ST a = pop(), b = pop();
        if (a != prim(TokenKind::Bool) || b != prim(TokenKind::Bool)) return fail(StatusCode::BOOLEAN_OP_TYPE_MISMATCH_ERROR);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      }
      case Opcode::Not:
        if (pop() != prim(TokenKind::Bool)) return fail(StatusCode::BOOLEAN_OP_TYPE_MISMATCH_ERROR);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      case Opcode::Eq: case Opcode::Neq: {
        ST a = pop(), b = pop();
        if (!(abilities(a) & kAbilityDrop) || a != b) return fail(StatusCode::EQUALITY_OP_TYPE_MISMATCH_ERROR);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      }
      case Opcode::Lt: case Opcode::Gt: case Opcode::Le: case Opcode::Ge: {
        ST a = pop(), b = pop();
        if (!is_integer(a) || a != b) return fail(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR);
        push(prim(TokenKind::Bool));
        return Outcome::Ok;
      }
      case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal: case Opcode::Exists: case Opcode::MoveFrom:
      case Opcode::MoveTo:
        if (module_only()) return Outcome::Unknown;
        return global(ins.op, ins.index, kNone);
      case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: case Opcode::ExistsGeneric:
      case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric: {
        if (module_only()) return Outcome::Unknown;
        const auto& si = m_->struct_def_instantiations[ins.index];
        charge(u_.signatures[si.type_parameters]);
        Opcode base = ins.op == Opcode::MutBorrowGlobalGeneric ? Opcode::MutBorrowGlobal
                    : ins.op == Opcode::ImmBorrowGlobalGeneric ? Opcode::ImmBorrowGlobal
                    : ins.op == Opcode::ExistsGeneric           ? Opcode::Exists
                    : ins.op == Opcode::MoveFromGeneric         ? Opcode::MoveFrom
                                                                : Opcode::MoveTo;
        return global(base, si.handle, u_.signatures[si.type_parameters]);
      }
      case Opcode::VecPack: {
        const ST& elem = element_sig(ins.index);
        for (uint64_t i = 0; i < ins.value; ++i)
          if (!assignable(elem, pop())) return fail(StatusCode::TYPE_MISMATCH);
        stack_.push_back(wrap(TokenKind::Vector, elem));  // not metered, as in Aptos
        return Outcome::Ok;
      }
      case Opcode::VecLen: {
        auto e = element_of(pop(), false);
        if (!e || *e != element_sig(ins.index)) return fail(StatusCode::TYPE_MISMATCH);
        push(prim(TokenKind::U64));
        return Outcome::Ok;
      }
      case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: {
        bool mut = ins.op == Opcode::VecMutBorrow;
        ST idx = pop(), vec = pop();
        if (idx != prim(TokenKind::U64)) return fail(StatusCode::TYPE_MISMATCH);
        auto e = element_of(vec, mut);
        if (!e || *e != element_sig(ins.index)) return fail(StatusCode::TYPE_MISMATCH);
        push(wrap(mut ? TokenKind::MutableReference : TokenKind::Reference, std::move(*e)));
        return Outcome::Ok;
      }
      case Opcode::VecPushBack: {
        ST elem = pop(), vec = pop();
        if (!assignable(element_sig(ins.index), elem)) return fail(StatusCode::TYPE_MISMATCH);
        auto e = element_of(vec, true);
        if (!e || *e != element_sig(ins.index)) return fail(StatusCode::TYPE_MISMATCH);
        return Outcome::Ok;
      }
      case Opcode::VecPopBack: {
        auto e = element_of(pop(), true);
        if (!e || *e != element_sig(ins.index)) return fail(StatusCode::TYPE_MISMATCH);
        push(std::move(*e));
        return Outcome::Ok;
      }
      case Opcode::VecUnpack: {
        if (pop() != wrap(TokenKind::Vector, element_sig(ins.index))) return fail(StatusCode::TYPE_MISMATCH);
        for (uint64_t i = 0; i < ins.value; ++i) push(element_sig(ins.index));
        return Outcome::Ok;
      }
      case Opcode::VecSwap: {
        ST i2 = pop(), i1 = pop(), vec = pop();
        if (i1 != prim(TokenKind::U64) || i2 != prim(TokenKind::U64)) return fail(StatusCode::TYPE_MISMATCH);
        auto e = element_of(vec, true);
        if (!e || *e != element_sig(ins.index)) return fail(StatusCode::TYPE_MISMATCH);
        return Outcome::Ok;
      }
    }
    return Outcome::Unknown;
  }

  // PackClosure*: the captured arguments (mask bits, lowest parameter first) are popped in
  // reverse; the closure's abilities are those of its function (Persistent: copy, drop, store;
  // otherwise copy, drop) narrowed by every captured value's.
  Outcome pack_closure(uint16_t handle, const Signature& args, uint64_t mask) {
    const FunctionHandle& fh = u_.function_handles[handle];
    bool persistent = false;
    for (const auto& a : fh.attributes) persistent |= a.kind == FunctionAttributeKind::Persistent;
    AbilitySet abilities = persistent ? (kAbilityCopy | kAbilityDrop | kAbilityStore) : (kAbilityCopy | kAbilityDrop);
    const Signature& params = u_.signatures[fh.parameters];
    std::vector<const ST*> captured;
    Signature rest;
    for (size_t i = 0; i < params.size(); ++i) {
      if (i < 64 && (mask >> i) & 1) captured.push_back(&params[i]);
      else rest.push_back(params[i]);
    }
    for (auto it = captured.rbegin(); it != captured.rend(); ++it) {
      ST arg = pop();
      abilities &= this->abilities(arg);
      if (!assignable(instantiate(**it, args), arg) || is_ref(**it)) return fail(StatusCode::PACK_TYPE_MISMATCH_ERROR);
    }
    ST fn{TokenKind::Function, 0, abilities, uint8_t(rest.size()), rest};
    for (const auto& r : u_.signatures[fh.return_]) fn.children.push_back(r);
    push(instantiate(fn, args));
    return Outcome::Ok;
  }

  const CommonTables& u_;
  const CompiledModule* m_;
  uint16_t function_;
  const Signature& params_;
  const Signature& locals_;
  const Signature& returns_;
  const std::vector<AbilitySet>& tparams_;
  Meter& meter_;
  std::optional<VMError> meter_error_;
  std::vector<ST> stack_;
  StatusCode status_ = StatusCode::UNKNOWN_VERIFICATION_ERROR;
};

}  // namespace

TypeSafetyVerdict verify_type_safety(const CommonTables& u, const CompiledModule* m, uint16_t function,
                                     const CodeUnit& code, const Signature& params, const Signature& returns,
                                     const std::vector<AbilitySet>& type_params, Meter& meter) {
  return Checker(u, m, function, params, u.signatures[code.locals], returns, type_params, meter).run(code);
}

}  // namespace lumio::movevm::internal
