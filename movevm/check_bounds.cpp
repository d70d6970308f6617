// BoundsChecker: every index in a loaded unit points into its table, type parameters are in
// range, struct instantiations have the right arity. Same checks, order and statuses as
// Aptos's check_bounds.rs, so the first error reported is the one Aptos reports.
#include <string>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {
namespace {

std::string oob_message(size_t idx, size_t len, IndexKind kind) {
  return "Index " + std::to_string(idx) + " out of bounds for " + std::to_string(len) +
         " while indexing " + std::string(index_kind_name(kind));
}

VMError bounds_error(IndexKind kind, size_t idx, size_t len) {
  return VMError{StatusCode::INDEX_OUT_OF_BOUNDS, oob_message(idx, len, kind), {}, {}};
}

VMError verification_error(StatusCode status, IndexKind kind, uint16_t idx) {
  return VMError{status, {}, {{kind, idx}}, {}};
}

// Pre-order walk over a type tree (explicit stack; depth is bounded by the reader anyway).
template <class F>
void for_each_node(const SignatureToken& root, F&& f) {
  std::vector<const SignatureToken*> stack{&root};
  while (!stack.empty()) {
    const SignatureToken* t = stack.back();
    stack.pop_back();
    f(*t);
    for (auto it = t->children.rbegin(); it != t->children.rend(); ++it) stack.push_back(&*it);
  }
}

// The unit under check: scripts lack the module-only tables (Aptos's Option<&[T]> = None),
// which turns their checks into no-ops.
class BoundsChecker {
 public:
  BoundsChecker(const CommonTables& u, const CompiledModule* m) : u_(u), m_(m) {}

  std::optional<VMError> run_common() {
    for (const auto& sig : u_.signatures)
      for (const auto& t : sig)
        if (auto e = check_type(t)) return e;
    for (const auto& k : u_.constant_pool)
      if (auto e = check_type(k.type)) return e;
    for (const auto& h : u_.module_handles)
      if (auto e = check_module_handle(h)) return e;
    if (m_)
      if (auto e = in(u_.module_handles, m_->self_module_handle_idx, IndexKind::ModuleHandle))
        return e;
    for (const auto& h : u_.struct_handles) {
      if (auto e = in(u_.module_handles, h.module, IndexKind::ModuleHandle)) return e;
      if (auto e = in(u_.identifiers, h.name, IndexKind::Identifier)) return e;
    }
    for (const auto& h : u_.function_handles)
      if (auto e = check_function_handle(h)) return e;
    if (m_) {
      for (const auto& h : m_->field_handles) {
        if (auto e = in(m_->struct_defs, h.owner, IndexKind::StructDefinition)) return e;
        size_t n = m_->struct_defs[h.owner].field_count();
        if (h.field >= n) return bounds_error(IndexKind::MemberCount, h.field, n);
      }
      for (const auto& h : m_->friend_decls)
        if (auto e = check_module_handle(h)) return e;
      for (const auto& i : m_->struct_def_instantiations) {
        if (auto e = in(m_->struct_defs, i.handle, IndexKind::StructDefinition)) return e;
        if (auto e = in(u_.signatures, i.type_parameters, IndexKind::Signature)) return e;
      }
    }
    for (const auto& i : u_.function_instantiations) {
      if (auto e = in(u_.function_handles, i.handle, IndexKind::FunctionHandle)) return e;
      if (auto e = in(u_.signatures, i.type_parameters, IndexKind::Signature)) return e;
    }
    if (!m_) return std::nullopt;
    for (const auto& i : m_->field_instantiations) {
      if (auto e = in(m_->field_handles, i.handle, IndexKind::FieldHandle)) return e;
      if (auto e = in(u_.signatures, i.type_parameters, IndexKind::Signature)) return e;
    }
    for (size_t i = 0; i < m_->struct_defs.size(); ++i)
      if (auto e = check_struct_def(m_->struct_defs[i], uint16_t(i))) return e;
    for (const auto& h : m_->variant_field_handles)
      if (auto e = check_variant_field_handle(h)) return e;
    for (const auto& h : m_->struct_variant_handles) {
      if (auto e = in(m_->struct_defs, h.struct_index, IndexKind::StructDefinition)) return e;
      if (auto e = check_variant_index(m_->struct_defs[h.struct_index], h.variant)) return e;
    }
    for (const auto& i : m_->variant_field_instantiations) {
      if (auto e = in(m_->variant_field_handles, i.handle, IndexKind::VariantFieldHandle)) return e;
      if (auto e = in(u_.signatures, i.type_parameters, IndexKind::Signature)) return e;
    }
    for (const auto& i : m_->struct_variant_instantiations) {
      if (auto e = in(m_->struct_variant_handles, i.handle, IndexKind::StructVariantHandle))
        return e;
      if (auto e = in(u_.signatures, i.type_parameters, IndexKind::Signature)) return e;
    }
    for (size_t i = 0; i < m_->function_defs.size(); ++i)
      if (auto e = check_function_def(m_->function_defs[i], uint16_t(i))) return e;
    return std::nullopt;
  }

  std::optional<VMError> run_script(const CompiledScript& s) {
    if (auto e = in(u_.signatures, s.parameters, IndexKind::Signature)) return e;
    if (auto e = type_params_in_signature(s.parameters, s.type_parameters.size())) return e;
    return check_code(s.code, s.type_parameters.size(), u_.signatures[s.parameters].size(), 0);
  }

 private:
  template <class T>
  static std::optional<VMError> in(const std::vector<T>& pool, size_t idx, IndexKind kind) {
    if (idx >= pool.size()) return bounds_error(kind, idx, pool.size());
    return std::nullopt;
  }

  std::optional<VMError> check_module_handle(const ModuleHandle& h) const {
    if (auto e = in(u_.address_identifiers, h.address, IndexKind::AddressIdentifier)) return e;
    return in(u_.identifiers, h.name, IndexKind::Identifier);
  }

  std::optional<VMError> check_function_handle(const FunctionHandle& h) const {
    if (auto e = in(u_.module_handles, h.module, IndexKind::ModuleHandle)) return e;
    if (auto e = in(u_.identifiers, h.name, IndexKind::Identifier)) return e;
    if (auto e = in(u_.signatures, h.parameters, IndexKind::Signature)) return e;
    if (auto e = in(u_.signatures, h.return_, IndexKind::Signature)) return e;
    if (auto e = type_params_in_signature(h.parameters, h.type_parameters.size())) return e;
    return type_params_in_signature(h.return_, h.type_parameters.size());
  }

  // Struct handles in range; struct instantiations with the handle's arity.
  std::optional<VMError> check_type(const SignatureToken& root) const {
    std::optional<VMError> err;
    for_each_node(root, [&](const SignatureToken& t) {
      if (err) return;
      if (t.kind != TokenKind::Struct && t.kind != TokenKind::StructInstantiation) return;
      if ((err = in(u_.struct_handles, t.index, IndexKind::StructHandle))) return;
      size_t expected = u_.struct_handles[t.index].type_parameters.size();
      size_t got = t.kind == TokenKind::Struct ? 0 : t.children.size();
      if (expected != got)
        err = VMError{StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH,
                      "expected " + std::to_string(expected) + " type parameters got " +
                          std::to_string(got),
                      {}, {}};
    });
    return err;
  }

  static std::optional<VMError> type_params_in_type(const SignatureToken& root, size_t count) {
    std::optional<VMError> err;
    for_each_node(root, [&](const SignatureToken& t) {
      if (!err && t.kind == TokenKind::TypeParameter && t.index >= count)
        err = bounds_error(IndexKind::TypeParameter, t.index, count);
    });
    return err;
  }

  // Reports the largest type parameter of the signature, as Aptos does.
  std::optional<VMError> type_params_in_signature(uint16_t sig, size_t count) const {
    if (sig >= u_.signatures.size()) return bounds_error(IndexKind::Signature, sig, u_.signatures.size());
    int max_idx = -1;
    for (const auto& root : u_.signatures[sig])
      for_each_node(root, [&](const SignatureToken& t) {
        if (t.kind == TokenKind::TypeParameter) max_idx = std::max<int>(max_idx, t.index);
      });
    if (max_idx >= 0 && size_t(max_idx) >= count)
      return bounds_error(IndexKind::TypeParameter, size_t(max_idx), count);
    return std::nullopt;
  }

  std::optional<VMError> check_fields(const std::vector<FieldDefinition>& fields,
                                      size_t type_params) const {
    for (const auto& f : fields) {
      if (auto e = in(u_.identifiers, f.name, IndexKind::Identifier)) return e;
      if (auto e = check_type(f.type)) return e;
      if (auto e = type_params_in_type(f.type, type_params)) return e;
    }
    return std::nullopt;
  }

  std::optional<VMError> check_struct_def(const StructDefinition& d, uint16_t idx) const {
    if (auto e = in(u_.struct_handles, d.struct_handle, IndexKind::StructHandle)) return e;
    size_t tps = u_.struct_handles[d.struct_handle].type_parameters.size();
    if (d.layout == StructLayout::Declared) return check_fields(d.fields, tps);
    if (d.layout == StructLayout::DeclaredVariants) {
      for (const auto& v : d.variants) {
        if (auto e = in(u_.identifiers, v.name, IndexKind::Identifier)) return e;
        if (auto e = check_fields(v.fields, tps)) return e;
      }
      if (d.variants.empty())
        return verification_error(StatusCode::ZERO_VARIANTS_ERROR, IndexKind::StructDefinition, idx);
    }
    return std::nullopt;
  }

  static std::optional<VMError> check_variant_index(const StructDefinition& d, uint16_t v) {
    if (v >= d.variant_count()) return bounds_error(IndexKind::MemberCount, v, d.variant_count());
    return std::nullopt;
  }

  std::optional<VMError> check_variant_field_handle(const VariantFieldHandle& h) const {
    if (auto e = in(m_->struct_defs, h.struct_index, IndexKind::StructDefinition)) return e;
    if (h.variants.empty())
      return verification_error(StatusCode::ZERO_VARIANTS_ERROR, IndexKind::MemberCount, h.field);
    const StructDefinition& d = m_->struct_defs[h.struct_index];
    for (uint16_t v : h.variants) {
      if (auto e = check_variant_index(d, v)) return e;
      size_t n = d.field_count(v);
      if (h.field >= n) return bounds_error(IndexKind::MemberCount, h.field, n);
    }
    return std::nullopt;
  }

  std::optional<VMError> check_function_def(const FunctionDefinition& d, uint16_t idx) {
    function_ = idx;
    if (auto e = in(u_.function_handles, d.function, IndexKind::FunctionHandle)) return e;
    for (auto s : d.acquires_global_resources)
      if (auto e = in(m_->struct_defs, s, IndexKind::StructDefinition)) return e;
    if (!d.code) return std::nullopt;
    const FunctionHandle& h = u_.function_handles[d.function];
    return check_code(*d.code, h.type_parameters.size(), u_.signatures[h.parameters].size(), idx);
  }

  VMError code_oob(IndexKind kind, size_t idx, size_t len, size_t offset) const {
    VMError e{StatusCode::INDEX_OUT_OF_BOUNDS,
              "Index " + std::to_string(idx) + " out of bounds for " + std::to_string(len) +
                  " at bytecode offset " + std::to_string(offset) + " while indexing " +
                  std::string(index_kind_name(kind)),
              {}, {}};
    if (m_) e.offsets.emplace_back(function_, uint16_t(offset));
    return e;
  }

  template <class T>
  std::optional<VMError> code_in(const std::vector<T>* pool, size_t idx, IndexKind kind,
                                 size_t offset) const {
    if (pool && idx >= pool->size()) return code_oob(kind, idx, pool->size(), offset);
    return std::nullopt;
  }

  std::optional<VMError> check_code(const CodeUnit& code, size_t type_params, size_t params,
                                    uint16_t index) const {
    if (auto e = in(u_.signatures, code.locals, IndexKind::Signature)) return e;
    size_t locals = u_.signatures[code.locals].size() + params;
    if (locals > 255)
      return verification_error(StatusCode::TOO_MANY_LOCALS, IndexKind::FunctionDefinition, index);
    if (auto e = type_params_in_signature(code.locals, type_params)) return e;

    // Module-only tables are absent (nullptr) when checking a script.
    const auto* struct_defs = m_ ? &m_->struct_defs : nullptr;
    const auto* struct_insts = m_ ? &m_->struct_def_instantiations : nullptr;
    const auto* field_handles = m_ ? &m_->field_handles : nullptr;
    const auto* field_insts = m_ ? &m_->field_instantiations : nullptr;
    const auto* vfield_handles = m_ ? &m_->variant_field_handles : nullptr;
    const auto* vfield_insts = m_ ? &m_->variant_field_instantiations : nullptr;
    const auto* variant_handles = m_ ? &m_->struct_variant_handles : nullptr;
    const auto* variant_insts = m_ ? &m_->struct_variant_instantiations : nullptr;

    auto generic = [&](const auto* pool, size_t idx, IndexKind kind,
                       size_t off) -> std::optional<VMError> {
      if (auto e = code_in(pool, idx, kind, off)) return e;
      if (pool) return type_params_in_signature((*pool)[idx].type_parameters, type_params);
      return std::nullopt;
    };

    const size_t n = code.code.size();
    for (size_t off = 0; off < n; ++off) {
      const Instruction& ins = code.code[off];
      std::optional<VMError> e;
      switch (ins.op) {
        case Opcode::LdConst:
          e = code_in(&u_.constant_pool, ins.index, IndexKind::ConstantPool, off);
          break;
        case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
          e = code_in(field_handles, ins.index, IndexKind::FieldHandle, off);
          break;
        case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
          e = code_in(vfield_handles, ins.index, IndexKind::VariantFieldHandle, off);
          break;
        case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
          e = generic(field_insts, ins.index, IndexKind::FieldInstantiation, off);
          break;
        case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric:
          e = generic(vfield_insts, ins.index, IndexKind::VariantFieldInstantiation, off);
          break;
        case Opcode::Call: case Opcode::PackClosure:
          e = code_in(&u_.function_handles, ins.index, IndexKind::FunctionHandle, off);
          break;
        case Opcode::CallGeneric: case Opcode::PackClosureGeneric:
          e = generic(&u_.function_instantiations, ins.index, IndexKind::FunctionInstantiation, off);
          break;
        case Opcode::Pack: case Opcode::Unpack: case Opcode::Exists: case Opcode::ImmBorrowGlobal:
        case Opcode::MutBorrowGlobal: case Opcode::MoveFrom: case Opcode::MoveTo:
          e = code_in(struct_defs, ins.index, IndexKind::StructDefinition, off);
          break;
        case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::TestVariant:
          e = code_in(variant_handles, ins.index, IndexKind::StructVariantHandle, off);
          break;
        case Opcode::PackGeneric: case Opcode::UnpackGeneric: case Opcode::ExistsGeneric:
        case Opcode::ImmBorrowGlobalGeneric: case Opcode::MutBorrowGlobalGeneric:
        case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric:
          e = generic(struct_insts, ins.index, IndexKind::StructDefInstantiation, off);
          break;
        case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric:
        case Opcode::TestVariantGeneric:
          e = generic(variant_insts, ins.index, IndexKind::StructVariantInstantiation, off);
          break;
        case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::Branch:
          if (ins.index >= n) e = code_oob(IndexKind::CodeDefinition, ins.index, n, off);
          break;
        case Opcode::CopyLoc: case Opcode::MoveLoc: case Opcode::StLoc: case Opcode::MutBorrowLoc:
        case Opcode::ImmBorrowLoc:
          if (ins.index >= locals) e = code_oob(IndexKind::LocalPool, ins.index, locals, off);
          break;
        case Opcode::CallClosure: case Opcode::VecPack: case Opcode::VecLen:
        case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: case Opcode::VecPushBack:
        case Opcode::VecPopBack: case Opcode::VecUnpack: case Opcode::VecSwap:
          e = code_in(&u_.signatures, ins.index, IndexKind::Signature, off);
          if (!e) e = type_params_in_signature(ins.index, type_params);
          break;
        default: break;  // no table operand
      }
      if (e) return e;
    }
    return std::nullopt;
  }

  const CommonTables& u_;
  const CompiledModule* m_;
  uint16_t function_ = 0;
};

}  // namespace

std::optional<VMError> check_bounds(const CompiledModule& module) {
  if (module.module_handles.empty())
    return verification_error(StatusCode::NO_MODULE_HANDLES, IndexKind::ModuleHandle, 0);
  return BoundsChecker(module, &module).run_common();
}

std::optional<VMError> check_bounds(const CompiledScript& script) {
  BoundsChecker checker(script, nullptr);
  if (auto e = checker.run_common()) return e;
  return checker.run_script(script);
}

}  // namespace lumio::movevm
