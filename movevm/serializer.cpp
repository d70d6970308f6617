// CompiledModule/CompiledScript -> binary, in Aptos's canonical layout: tables in a fixed
// order (contents and directory alike), empty tables omitted, version word with the Aptos
// marker from v7. Deserializing a genuine binary and serializing it gives the same bytes.
#include "movevm/binary_format.hpp"
#include "movevm/format_internal.hpp"

namespace lumio::movevm {
namespace {

using internal::fail;

class Writer {
 public:
  explicit Writer(uint32_t version) : version_(version) {}
  uint32_t version() const { return version_; }
  Bytes& out() { return out_; }
  const Bytes& out() const { return out_; }

  void u8(uint8_t b) { out_.push_back(b); }
  void le(uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back(uint8_t(v >> (8 * i)));
  }
  void raw(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  void uleb(uint64_t x, uint64_t max) {
    if (x > max)  // Aptos's serializer wording
      fail(StatusCode::MALFORMED, "value (" + std::to_string(x) + ") cannot exceed (" + std::to_string(max) + ")");
    do {
      uint8_t b = x & 0x7F;
      x >>= 7;
      out_.push_back(x ? uint8_t(b | 0x80) : b);
    } while (x);
  }
  void index(uint16_t i) { uleb(i, kTableIndexMax); }
  void blob(const Bytes& b, uint64_t max) {
    uleb(b.size(), max);
    raw(b.data(), b.size());
  }

 private:
  uint32_t version_;
  Bytes out_;
};

void write_ability_sets(Writer& w, const std::vector<AbilitySet>& sets) {
  w.uleb(sets.size(), kTypeParameterCountMax);
  for (AbilitySet a : sets) w.uleb(a, kAbilityAll);
}

// Pre-order, children after their constructor node; depth limited like the reader.
void write_token(Writer& w, const SignatureToken& t, size_t depth = 1) {
  if (depth > kSignatureTokenDepthMax) fail(StatusCode::MALFORMED, "max recursion depth reached");
  uint8_t tag = uint8_t(t.kind);
  if ((tag >= 0xD && tag <= 0xF && w.version() < 6) ||
      (t.kind == TokenKind::Function && w.version() < 8) || (tag >= 0x11 && w.version() < 9))
    fail(StatusCode::MALFORMED, "type not supported in this bytecode version");
  w.u8(tag);
  switch (t.kind) {
    case TokenKind::Struct:
      w.index(t.index);
      break;
    case TokenKind::StructInstantiation:
      w.index(t.index);
      w.uleb(t.children.size(), kSignatureSizeMax);
      break;
    case TokenKind::TypeParameter:
      w.uleb(t.index, kTypeParameterIndexMax);
      break;
    case TokenKind::Function:
      w.uleb(t.abilities, kAbilityAll);
      w.uleb(t.function_args, kSignatureSizeMax);
      w.uleb(t.children.size() - t.function_args, kSignatureSizeMax);
      break;
    default: break;
  }
  for (const auto& c : t.children) write_token(w, c, depth + 1);
}

void write_access_specifiers(Writer& w, const std::optional<std::vector<AccessSpecifier>>& specs) {
  if (!specs) {
    w.u8(1);
    return;
  }
  w.u8(2);
  w.uleb(specs->size(), kAccessSpecifierCountMax);
  for (const auto& s : *specs) {
    w.u8(uint8_t(s.kind));
    w.u8(s.negated ? 2 : 1);
    w.u8(uint8_t(s.resource));
    if (s.resource != ResourceSpecifierKind::Any) w.index(s.resource_index);
    if (s.resource == ResourceSpecifierKind::ResourceInstantiation) w.index(s.resource_signature);
    w.u8(uint8_t(s.address));
    if (s.address == AddressSpecifierKind::Literal) {
      w.index(s.address_index);
    } else if (s.address == AddressSpecifierKind::Parameter) {
      w.uleb(s.address_index, kLocalIndexMax);
      w.u8(s.address_function ? 2 : 1);
      if (s.address_function) w.index(*s.address_function);
    }
  }
}

void write_function_handle(Writer& w, const FunctionHandle& h) {
  w.index(h.module);
  w.index(h.name);
  w.index(h.parameters);
  w.index(h.return_);
  write_ability_sets(w, h.type_parameters);
  if (w.version() >= 7) write_access_specifiers(w, h.access_specifiers);
  else if (h.access_specifiers) fail(StatusCode::MALFORMED, "access specifiers need v7");
  if (w.version() >= 8) {
    w.uleb(h.attributes.size(), kAttributeCountMax);
    for (const auto& a : h.attributes) {
      uint8_t tag = uint8_t(a.kind);
      uint32_t min_version = tag <= 0x2 ? 8 : tag <= 0x9 ? 10 : 11;
      if (w.version() < min_version) fail(StatusCode::MALFORMED, "attribute not supported");
      w.u8(tag);
      if (attribute_has_value(a.kind)) w.le(a.value, 2);
    }
  } else if (!h.attributes.empty()) {
    fail(StatusCode::MALFORMED, "function attributes need v8");
  }
}

void write_fields(Writer& w, const std::vector<FieldDefinition>& fields) {
  w.uleb(fields.size(), kFieldCountMax);
  for (const auto& f : fields) {
    w.index(f.name);
    write_token(w, f.type);
  }
}

void write_struct_def(Writer& w, const StructDefinition& d) {
  w.index(d.struct_handle);
  w.u8(uint8_t(d.layout));
  if (d.layout == StructLayout::Declared) {
    write_fields(w, d.fields);
  } else if (d.layout == StructLayout::DeclaredVariants) {
    if (w.version() < 7) fail(StatusCode::MALFORMED, "enum types need v7");
    w.uleb(d.variants.size(), kVariantCountMax);
    for (const auto& v : d.variants) {
      w.index(v.name);
      write_fields(w, v.fields);
    }
  }
}

void write_code(Writer& w, const CodeUnit& u) {
  w.index(u.locals);
  w.uleb(u.code.size(), kBytecodeCountMax);
  for (const Instruction& ins : u.code) {
    uint8_t b = uint8_t(ins.op);
    if (b == 0 || b > kOpcodeMax) fail(StatusCode::MALFORMED, "unknown opcode");
    if (w.version() < internal::opcode_min_version(ins.op))
      fail(StatusCode::MALFORMED, "instruction not supported in this bytecode version");
    w.u8(b);
    switch (internal::operand_of(ins.op)) {
      case internal::Operand::None: break;
      case internal::Operand::Index: w.index(ins.index); break;
      case internal::Operand::CodeOffset: w.uleb(ins.index, kBytecodeIndexMax); break;
      case internal::Operand::Local: w.uleb(ins.index, kLocalIndexMax); break;
      case internal::Operand::IndexAndCount:
        w.index(ins.index);
        w.le(ins.value, 8);
        break;
      case internal::Operand::IndexAndMask:
        w.index(ins.index);
        w.uleb(ins.value, UINT64_MAX);
        break;
      case internal::Operand::Imm: {
        size_t width = internal::immediate_width(ins.op);
        if (width <= 8) w.le(ins.value, width);
        else w.raw(ins.wide.data(), width);
        break;
      }
    }
  }
}

void write_function_def(Writer& w, const FunctionDefinition& d) {
  w.index(d.function);
  w.u8(uint8_t(d.visibility));
  uint8_t flags = (d.is_entry ? 0x4 : 0) | (d.code ? 0 : 0x2);
  w.u8(flags);
  w.uleb(d.acquires_global_resources.size(), kAcquiresCountMax);
  for (auto i : d.acquires_global_resources) w.index(i);
  if (d.code) write_code(w, *d.code);
}

void write_module_handle(Writer& w, const ModuleHandle& h) {
  w.index(h.address);
  w.index(h.name);
}

void write_instantiation(Writer& w, const Instantiation& i) {
  w.index(i.handle);
  w.index(i.type_parameters);
}

// Tables are appended to one content buffer; the directory records (kind, offset, length).
struct TableWriter {
  Writer content;
  std::vector<std::tuple<TableType, uint32_t, uint32_t>> directory;

  explicit TableWriter(uint32_t version) : content(version) {}

  template <class T, class F>
  void table(TableType kind, const std::vector<T>& items, F&& write) {
    if (items.empty()) return;
    size_t start = content.out().size();
    for (const auto& item : items) write(content, item);
    size_t end = content.out().size();
    if (end > 0xFFFFFFFFull) fail(StatusCode::MALFORMED, "compilation unit too big");
    directory.emplace_back(kind, uint32_t(start), uint32_t(end - start));
  }
};

void write_common_tables(TableWriter& t, const CommonTables& u) {
  t.table(TableType::ModuleHandles, u.module_handles, write_module_handle);
  t.table(TableType::StructHandles, u.struct_handles, [](Writer& w, const StructHandle& h) {
    w.index(h.module);
    w.index(h.name);
    w.uleb(h.abilities, kAbilityAll);
    w.uleb(h.type_parameters.size(), kTypeParameterCountMax);
    for (const auto& tp : h.type_parameters) {
      w.uleb(tp.constraints, kAbilityAll);
      w.uleb(tp.is_phantom ? 1 : 0, 1);
    }
  });
  t.table(TableType::FunctionHandles, u.function_handles, write_function_handle);
  t.table(TableType::FunctionInst, u.function_instantiations, write_instantiation);
  t.table(TableType::Signatures, u.signatures, [](Writer& w, const Signature& s) {
    w.uleb(s.size(), kSignatureSizeMax);
    for (const auto& tok : s) write_token(w, tok);
  });
  t.table(TableType::Identifiers, u.identifiers, [](Writer& w, const std::string& s) {
    w.uleb(s.size(), kIdentifierSizeMax);
    w.raw(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  });
  t.table(TableType::AddressIdentifiers, u.address_identifiers,
          [](Writer& w, const FixedBytes<32>& a) { w.raw(a.data(), 32); });
  t.table(TableType::ConstantPool, u.constant_pool, [](Writer& w, const Constant& k) {
    write_token(w, k.type);
    w.blob(k.data, kConstantSizeMax);
  });
  t.table(TableType::Metadata, u.metadata, [](Writer& w, const Metadata& m) {
    w.blob(m.key, kMetadataKeySizeMax);
    w.blob(m.value, kMetadataValueSizeMax);
  });
}

void write_header(Writer& w, const TableWriter& t) {
  w.raw(kMoveMagic.data(), 4);
  w.le(w.version() >= 7 ? (w.version() | kAptosVersionMask) : w.version(), 4);
  w.uleb(t.directory.size(), kTableCountMax);
  for (const auto& [kind, offset, length] : t.directory) {
    w.u8(uint8_t(kind));
    w.uleb(offset, kTableOffsetMax);
    w.uleb(length, kTableSizeMax);
  }
  w.raw(t.content.out().data(), t.content.out().size());
}

void check_version(uint32_t v) {
  if (v < kVersionMin || v > kVersionMax)
    fail(StatusCode::MALFORMED, "bytecode version " + std::to_string(v) + " cannot be written");
}

template <class F>
Expected<Bytes> guarded(F&& f) {
  try {
    return f();
  } catch (const internal::Failure& e) {
    return e.error;
  }
}

}  // namespace

Expected<Bytes> serialize_module(const CompiledModule& m) {
  return guarded([&]() -> Expected<Bytes> {
    check_version(m.version);
    TableWriter t(m.version);
    write_common_tables(t, m);
    t.table(TableType::StructDefs, m.struct_defs, write_struct_def);
    t.table(TableType::StructDefInst, m.struct_def_instantiations, write_instantiation);
    t.table(TableType::FunctionDefs, m.function_defs, write_function_def);
    t.table(TableType::FieldHandles, m.field_handles, [](Writer& w, const FieldHandle& h) {
      w.index(h.owner);
      w.uleb(h.field, kFieldOffsetMax);
    });
    t.table(TableType::FieldInst, m.field_instantiations, write_instantiation);
    t.table(TableType::FriendDecls, m.friend_decls, write_module_handle);
    bool has_enums = !m.variant_field_handles.empty() || !m.variant_field_instantiations.empty() ||
                     !m.struct_variant_handles.empty() || !m.struct_variant_instantiations.empty();
    if (has_enums && m.version < 7) fail(StatusCode::MALFORMED, "enum tables need v7");
    t.table(TableType::VariantFieldHandles, m.variant_field_handles,
            [](Writer& w, const VariantFieldHandle& h) {
              w.index(h.struct_index);
              w.uleb(h.field, kFieldOffsetMax);
              w.uleb(h.variants.size(), kVariantCountMax);
              for (auto v : h.variants) w.uleb(v, kVariantOffsetMax);
            });
    t.table(TableType::VariantFieldInst, m.variant_field_instantiations, write_instantiation);
    t.table(TableType::StructVariantHandles, m.struct_variant_handles,
            [](Writer& w, const StructVariantHandle& h) {
              w.index(h.struct_index);
              w.uleb(h.variant, kVariantOffsetMax);
            });
    t.table(TableType::StructVariantInst, m.struct_variant_instantiations, write_instantiation);
    Writer w(m.version);
    write_header(w, t);
    w.index(m.self_module_handle_idx);
    return std::move(w.out());
  });
}

Expected<Bytes> serialize_script(const CompiledScript& s) {
  return guarded([&]() -> Expected<Bytes> {
    check_version(s.version);
    TableWriter t(s.version);
    write_common_tables(t, s);
    Writer w(s.version);
    write_header(w, t);
    write_ability_sets(w, s.type_parameters);
    w.index(s.parameters);
    if (s.version >= 8) write_access_specifiers(w, s.access_specifiers);
    else if (s.access_specifiers) fail(StatusCode::MALFORMED, "script access specifiers need v8");
    write_code(w, s.code);
    return std::move(w.out());
  });
}

}  // namespace lumio::movevm
