// The code-unit verifier (code_unit_verifier.rs): per function, in Aptos's order, control flow,
// the block and back-edge limits, stack usage, type safety, locals safety, reference safety and
// acquires, then the struct-API code shapes; one complexity meter across the module.
#include <algorithm>
#include <functional>
#include <set>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

struct Effect {
  uint64_t pops, pushes;
};

Effect effect(const CommonTables& u, const CompiledModule* m, const Signature& returns, const Instruction& ins) {
  auto fields = [&](uint16_t def, std::optional<uint16_t> variant) -> uint64_t {
    return m ? m->struct_defs[def].field_count(variant) : 0;
  };
  switch (ins.op) {
    case Opcode::Pop: case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::StLoc: case Opcode::Abort:
      return {1, 0};
    case Opcode::AbortMsg: return {2, 0};
    case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32: case Opcode::LdU64: case Opcode::LdU128:
    case Opcode::LdU256: case Opcode::LdI8: case Opcode::LdI16: case Opcode::LdI32: case Opcode::LdI64:
    case Opcode::LdI128: case Opcode::LdI256: case Opcode::LdTrue: case Opcode::LdFalse: case Opcode::LdConst:
    case Opcode::CopyLoc: case Opcode::MoveLoc: case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc:
      return {0, 1};
    case Opcode::Not: case Opcode::Negate: case Opcode::FreezeRef: case Opcode::ReadRef: case Opcode::Exists:
    case Opcode::ExistsGeneric: case Opcode::MutBorrowGlobal: case Opcode::MutBorrowGlobalGeneric:
    case Opcode::ImmBorrowGlobal: case Opcode::ImmBorrowGlobalGeneric: case Opcode::MutBorrowField:
    case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowField: case Opcode::ImmBorrowFieldGeneric:
    case Opcode::MutBorrowVariantField: case Opcode::MutBorrowVariantFieldGeneric:
    case Opcode::ImmBorrowVariantField: case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::TestVariant:
    case Opcode::TestVariantGeneric: case Opcode::MoveFrom: case Opcode::MoveFromGeneric: case Opcode::CastU8:
    case Opcode::CastU16: case Opcode::CastU32: case Opcode::CastU64: case Opcode::CastU128:
    case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16: case Opcode::CastI32:
    case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256: case Opcode::VecLen:
    case Opcode::VecPopBack:
      return {1, 1};
    case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Mod: case Opcode::Div:
    case Opcode::BitOr: case Opcode::BitAnd: case Opcode::Xor: case Opcode::Shl: case Opcode::Shr:
    case Opcode::Or: case Opcode::And: case Opcode::Eq: case Opcode::Neq: case Opcode::Lt: case Opcode::Gt:
    case Opcode::Le: case Opcode::Ge: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow:
      return {2, 1};
    case Opcode::VecPack: return {ins.value, 1};
    case Opcode::VecUnpack: return {1, ins.value};
    case Opcode::MoveTo: case Opcode::MoveToGeneric: case Opcode::WriteRef: case Opcode::VecPushBack:
      return {2, 0};
    case Opcode::VecSwap: return {3, 0};
    case Opcode::Branch: case Opcode::Nop: return {0, 0};
    case Opcode::Ret: return {returns.size(), 0};
    case Opcode::Call: case Opcode::CallGeneric: {
      uint16_t fh = ins.op == Opcode::Call ? ins.index : u.function_instantiations[ins.index].handle;
      return {u.signatures[u.function_handles[fh].parameters].size(),
              u.signatures[u.function_handles[fh].return_].size()};
    }
    case Opcode::CallClosure: {
      const Signature& s = u.signatures[ins.index];
      if (!s.empty() && s[0].kind == TokenKind::Function)
        return {1 + uint64_t(s[0].function_args), uint64_t(s[0].children.size() - s[0].function_args)};
      return {0, 0};
    }
    case Opcode::PackClosure: case Opcode::PackClosureGeneric:
      return {uint64_t(__builtin_popcountll(ins.value)), 1};
    case Opcode::Pack: return {fields(ins.index, std::nullopt), 1};
    case Opcode::PackGeneric: return {fields(m->struct_def_instantiations[ins.index].handle, std::nullopt), 1};
    case Opcode::Unpack: return {1, fields(ins.index, std::nullopt)};
    case Opcode::UnpackGeneric: return {1, fields(m->struct_def_instantiations[ins.index].handle, std::nullopt)};
    case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::PackVariantGeneric:
    case Opcode::UnpackVariantGeneric: {
      bool generic = ins.op == Opcode::PackVariantGeneric || ins.op == Opcode::UnpackVariantGeneric;
      const auto& h = m->struct_variant_handles[generic ? m->struct_variant_instantiations[ins.index].handle : ins.index];
      uint64_t n = fields(h.struct_index, h.variant);
      bool pack = ins.op == Opcode::PackVariant || ins.op == Opcode::PackVariantGeneric;
      return pack ? Effect{n, 1} : Effect{1, n};
    }
  }
  return {0, 0};
}

constexpr uint64_t kMaxValueStackSize = 1024;

// The per-unit passes of code_unit_verifier.rs after control flow: stack usage, type safety,
// locals safety, reference safety. `known` false where type safety cannot judge the unit.
std::optional<VMError> check_unit(const VerifierConfig& config, const CommonTables& u, const CompiledModule* m,
                                  uint16_t function, const CodeUnit& code, const AbsintCfg& cfg, const Signature& params,
                                  const Signature& returns, const std::vector<AbilitySet>& type_params, Meter& meter,
                                  bool& known) {
  known = true;
  auto at = [&](StatusCode s, size_t off) { return VMError{s, {}, {}, {{function, uint16_t(off)}}}; };
  for (const auto& [start, end] : cfg.exit) {
    uint64_t height = 0, pushes = 0;
    for (size_t pc = start; pc <= end; ++pc) {
      Effect e = effect(u, m, returns, code.code[pc]);
      pushes += e.pushes;  // at most 65535 instructions of at most 2^64-1 pushes: checked below
      if (pushes < e.pushes || (config.max_push_size && pushes > *config.max_push_size))
        return at(StatusCode::VALUE_STACK_PUSH_OVERFLOW, start);
      if (height < e.pops) return at(StatusCode::NEGATIVE_STACK_SIZE_WITHIN_BLOCK, start);
      height -= e.pops;
      if (height + e.pushes < height) return at(StatusCode::POSITIVE_STACK_SIZE_AT_BLOCK_END, start);
      height += e.pushes;
      if (height > kMaxValueStackSize) return at(StatusCode::VALUE_STACK_OVERFLOW, start);
    }
    if (height != 0) return at(StatusCode::POSITIVE_STACK_SIZE_AT_BLOCK_END, start);
  }
  auto types = verify_type_safety(u, m, function, code, params, returns, type_params, meter);
  if (!types.known || types.error) {
    known = types.known;
    return types.error;
  }
  if (auto e = verify_locals_safety(u, function, code, params, type_params, meter)) return e;
  return verify_reference_safety(u, m, function, code, params, returns, meter);
}

// acquires_list_verifier.rs: every global access (directly or through a call to a function of
// this module) is annotated, and every annotation is used and names a `key` struct.
std::optional<VMError> verify_acquires(const CompiledModule& m, uint16_t function) {
  const FunctionDefinition& fd = m.function_defs[function];
  std::set<uint16_t> annotated(fd.acquires_global_resources.begin(), fd.acquires_global_resources.end()), actual;
  auto missing = [&](size_t pc) {
    return VMError{StatusCode::MISSING_ACQUIRES_ANNOTATION, {}, {}, {{function, uint16_t(pc)}}};
  };
  for (size_t pc = 0; pc < fd.code->code.size(); ++pc) {
    const Instruction& ins = fd.code->code[pc];
    switch (ins.op) {
      case Opcode::Call: case Opcode::CallGeneric: {
        uint16_t h = ins.op == Opcode::Call ? ins.index : m.function_instantiations[ins.index].handle;
        if (m.function_handles[h].module != m.self_module_handle_idx) break;
        const FunctionDefinition* callee = nullptr;  // Aptos keeps the last definition per handle
        for (const auto& d : m.function_defs)
          if (d.function == h) callee = &d;
        if (!callee) break;
        for (uint16_t r : callee->acquires_global_resources)
          if (!annotated.count(r)) return missing(pc);
        actual.insert(callee->acquires_global_resources.begin(), callee->acquires_global_resources.end());
        break;
      }
      case Opcode::MoveFrom: case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
      case Opcode::MoveFromGeneric: case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: {
        bool generic = ins.op == Opcode::MoveFromGeneric || ins.op == Opcode::MutBorrowGlobalGeneric ||
                       ins.op == Opcode::ImmBorrowGlobalGeneric;
        uint16_t def = generic ? m.struct_def_instantiations[ins.index].handle : ins.index;
        if (!annotated.count(def)) return missing(pc);
        actual.insert(def);
        break;
      }
      default: break;
    }
  }
  for (uint16_t a : annotated) {
    if (!actual.count(a)) return VMError{StatusCode::EXTRANEOUS_ACQUIRES_ANNOTATION, {}, {}, {}};
    if (!(m.struct_handles[m.struct_defs[a].struct_handle].abilities & kAbilityKey))
      return VMError{StatusCode::INVALID_ACQUIRES_ANNOTATION, {}, {}, {}};
  }
  return std::nullopt;
}

// Struct-API attributes (v10) promise a fixed code shape (check_struct_api_impl).
std::optional<VMError> check_struct_api(const CompiledModule& m, const FunctionDefinition& fd) {
  const auto& fh = m.function_handles[fd.function];
  VMError bad{StatusCode::INVALID_STRUCT_API_CODE, {}, {}, {}};
  int exclusive = 0;
  for (const auto& a : fh.attributes)
    if (a.kind >= FunctionAttributeKind::Pack && a.kind <= FunctionAttributeKind::BorrowFieldMutable && ++exclusive > 1)
      return bad;
  for (const auto& a : fh.attributes) {
    if (a.kind < FunctionAttributeKind::Pack || a.kind > FunctionAttributeKind::BorrowFieldMutable) continue;
    if (!fd.code) return bad;
    const auto& c = fd.code->code;
    auto is = [](const Instruction& i, std::initializer_list<Opcode> ops) {
      for (Opcode o : ops)
        if (i.op == o) return true;
      return false;
    };
    switch (a.kind) {
      case FunctionAttributeKind::Pack: case FunctionAttributeKind::PackVariant: {
        if (c.size() < 2) return bad;
        if (c.back().op != Opcode::Ret ||
            !is(c[c.size() - 2], {Opcode::Pack, Opcode::PackGeneric, Opcode::PackVariant, Opcode::PackVariantGeneric}))
          return bad;
        for (size_t i = 0; i + 2 < c.size(); ++i)
          if (c[i].op != Opcode::MoveLoc) return bad;
        return std::nullopt;
      }
      case FunctionAttributeKind::Unpack: case FunctionAttributeKind::UnpackVariant:
        if (c.size() == 3 && c[0].op == Opcode::MoveLoc && c[2].op == Opcode::Ret &&
            is(c[1], {Opcode::Unpack, Opcode::UnpackVariant, Opcode::UnpackGeneric, Opcode::UnpackVariantGeneric}))
          return std::nullopt;
        return bad;
      case FunctionAttributeKind::TestVariant:
        if (c.size() == 3 && c[0].op == Opcode::MoveLoc && c[2].op == Opcode::Ret &&
            is(c[1], {Opcode::TestVariant, Opcode::TestVariantGeneric}))
          return std::nullopt;
        return bad;
      default: {
        bool immut = a.kind == FunctionAttributeKind::BorrowFieldImmutable;
        if (c.size() != 3 || c[0].op != Opcode::MoveLoc || c[2].op != Opcode::Ret) return bad;
        const Instruction& i = c[1];
        std::optional<uint16_t> field;
        switch (i.op) {
          case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
            if ((i.op == Opcode::ImmBorrowField) == immut) field = m.field_handles[i.index].field;
            break;
          case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
            if ((i.op == Opcode::ImmBorrowFieldGeneric) == immut)
              field = m.field_handles[m.field_instantiations[i.index].handle].field;
            break;
          case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
            if ((i.op == Opcode::ImmBorrowVariantField) == immut) field = m.variant_field_handles[i.index].field;
            break;
          case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric:
            if ((i.op == Opcode::ImmBorrowVariantFieldGeneric) == immut)
              field = m.variant_field_handles[m.variant_field_instantiations[i.index].handle].field;
            break;
          default: break;
        }
        if (!field || *field != a.value) return bad;
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

CodeVerdict verify_code_units(const CompiledModule& m, const VerifierConfig& config) {
  Meter meter(config);
  size_t total_back_edges = 0;
  for (size_t i = 0; i < m.function_defs.size(); ++i) {
    const auto& fd = m.function_defs[i];
    const auto& fh = m.function_handles[fd.function];
    auto fail = [&](VMError e) {
      e.indices.emplace_back(IndexKind::FunctionDefinition, uint16_t(i));
      return CodeVerdict{std::move(e), true};
    };
    meter.enter_function(m.identifiers[fh.name]);
    if (fd.code) {
      const auto& code = fd.code->code;
      if (auto e = verify_control_flow(m.version, uint16_t(i), code, config)) return fail(*e);
      AbsintCfg cfg(code);
      if (config.max_basic_blocks && cfg.exit.size() > *config.max_basic_blocks)
        return fail(VMError{StatusCode::TOO_MANY_BASIC_BLOCKS, {}, {}, {{uint16_t(i), 0}}});
      if (config.max_back_edges_per_function && cfg.num_back_edges > *config.max_back_edges_per_function)
        return fail(VMError{StatusCode::TOO_MANY_BACK_EDGES, {}, {}, {{uint16_t(i), 0}}});
      total_back_edges += cfg.num_back_edges;
      bool known = true;
      auto e = check_unit(config, m, &m, uint16_t(i), *fd.code, cfg, m.signatures[fh.parameters], m.signatures[fh.return_],
                          fh.type_parameters, meter, known);
      if (!known) return {std::nullopt, false};
      if (!e) e = verify_acquires(m, uint16_t(i));
      if (e) return fail(*e);
      if (auto e2 = meter.transfer_to_module()) return fail(*e2);
    }
    if (auto e = check_struct_api(m, fd)) return fail(*e);
  }
  if (config.max_back_edges_per_module && total_back_edges > *config.max_back_edges_per_module)
    return {VMError{StatusCode::TOO_MANY_BACK_EDGES, {}, {}, {}}, true};
  // The script-signature pass checks nothing more from v5 on (no additional checks).
  return {std::nullopt, true};
}

CodeVerdict verify_code_units(const CompiledScript& s, const VerifierConfig& config) {
  Meter meter(config);
  meter.enter_function("script");
  if (auto e = verify_control_flow(s.version, 0, s.code.code, config)) return {e, true};
  AbsintCfg cfg(s.code.code);
  if (config.max_basic_blocks_in_script && cfg.exit.size() > *config.max_basic_blocks_in_script)
    return {VMError{StatusCode::TOO_MANY_BASIC_BLOCKS, {}, {}, {}}, true};
  if (config.max_back_edges_per_function && cfg.num_back_edges > *config.max_back_edges_per_function)
    return {VMError{StatusCode::TOO_MANY_BACK_EDGES, {}, {}, {}}, true};
  static const Signature kNoReturns;
  bool known = true;
  auto e = check_unit(config, s, nullptr, 0, s.code, cfg, s.signatures[s.parameters], kNoReturns, s.type_parameters, meter,
                      known);
  if (!known) return {std::nullopt, false};
  if (e || s.version >= 5) return {e, true};
  // script_signature.rs, legacy rules for scripts before v5: signer parameters first (`&signer`
  // in v1), then only constant-typed ones.
  std::function<bool(const SignatureToken&)> constant = [&](const SignatureToken& t) {
    switch (t.kind) {
      case TokenKind::Bool: case TokenKind::U8: case TokenKind::U16: case TokenKind::U32: case TokenKind::U64:
      case TokenKind::U128: case TokenKind::U256: case TokenKind::Address: return true;
      case TokenKind::Vector: return constant(t.children[0]);
      default: return false;
    }
  };
  auto is_signer = [&](const SignatureToken& t) {
    if (s.version <= 1) return t.kind == TokenKind::Reference && t.children[0].kind == TokenKind::Signer;
    return t.kind == TokenKind::Signer;
  };
  const Signature& params = s.signatures[s.parameters];
  size_t i = 0;
  while (i < params.size() && is_signer(params[i])) ++i;
  for (; i < params.size(); ++i)
    if (!constant(params[i])) return {VMError{StatusCode::INVALID_MAIN_FUNCTION_SIGNATURE, {}, {}, {}}, true};
  return {std::nullopt, true};
}

}  // namespace lumio::movevm::internal
