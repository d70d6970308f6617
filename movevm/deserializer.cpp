// Binary -> CompiledModule/CompiledScript, following Aptos's deserializer check for check so
// that every malformed input yields the status Aptos would report, in the same order.
#include <algorithm>
#include <cstring>

#include "movevm/binary_format.hpp"
#include "movevm/format_internal.hpp"

namespace lumio::movevm {
namespace {

using internal::Failure;
using internal::fail;

// A bounded reader over one region of the binary. Every read checks the end; nothing
// allocates more than the bytes that are actually present.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, uint32_t version, uint64_t max_ident)
      : p_(data), end_(data + size), begin_(data), version_(version), max_ident_(max_ident) {}

  uint32_t version() const { return version_; }
  uint64_t max_identifier_size() const { return max_ident_; }
  size_t position() const { return size_t(p_ - begin_); }
  size_t remaining() const { return size_t(end_ - p_); }

  bool try_u8(uint8_t& out) {
    if (p_ == end_) return false;
    out = *p_++;
    return true;
  }
  uint8_t u8() {  // EOF is MALFORMED ("Unexpected EOF")
    uint8_t b;
    if (!try_u8(b)) fail(StatusCode::MALFORMED, "Unexpected EOF");
    return b;
  }
  // Fixed-width little-endian integer; a short read reports `status`.
  uint64_t le(size_t n, StatusCode status) {
    if (remaining() < n) fail(status, "Unexpected EOF");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  void bytes(uint8_t* out, size_t n, StatusCode status, const char* what) {
    if (remaining() < n) fail(status, what);
    std::memcpy(out, p_, n);
    p_ += n;
  }
  const uint8_t* take(size_t n, const char* what) {
    if (remaining() < n) fail(StatusCode::MALFORMED, what);
    const uint8_t* r = p_;
    p_ += n;
    return r;
  }

  // Canonical ULEB128 as Aptos reads it: no bits beyond 64, no redundant trailing zero group.
  bool try_uleb(uint64_t& out) {
    uint64_t value = 0;
    unsigned shift = 0;
    uint8_t byte;
    while (try_u8(byte)) {
      uint64_t cur = byte & 0x7F;
      if (((cur << shift) >> shift) != cur) return false;
      value |= cur << shift;
      if ((byte & 0x80) == 0) {
        if (shift > 0 && cur == 0) return false;
        out = value;
        return true;
      }
      shift += 7;
      if (shift > 64) break;
    }
    return false;
  }
  uint64_t uleb(uint64_t max) {
    uint64_t x;
    if (!try_uleb(x)) fail(StatusCode::MALFORMED, "Bad Uleb");
    if (x > max) fail(StatusCode::MALFORMED, "Uleb greater than max requested");
    return x;
  }
  uint16_t index() { return uint16_t(uleb(kTableIndexMax)); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  uint32_t version_;
  uint64_t max_ident_;
};

bool read_option(Cursor& c) {
  switch (c.u8()) {
    case 1: return false;
    case 2: return true;
    default: fail(StatusCode::MALFORMED, "malformed option");
  }
}

AbilitySet read_ability_set(Cursor& c, bool struct_handle, bool function_type_param) {
  if (c.version() < 2) {
    // Pre-abilities kind system, mapped the way Aptos maps it.
    uint8_t b = c.u8();
    if (struct_handle) {
      if (b == 1) return kAbilityStore | kAbilityKey;
      if (b == 2) return kAbilityStore | kAbilityCopy | kAbilityDrop;
      fail(StatusCode::UNKNOWN_ABILITY);
    }
    AbilitySet set;
    if (b == 1) set = 0;
    else if (b == 2) set = kAbilityCopy | kAbilityDrop;
    else if (b == 3) set = kAbilityKey;
    else fail(StatusCode::UNKNOWN_ABILITY);
    return function_type_param ? AbilitySet(set | kAbilityStore) : set;
  }
  return AbilitySet(c.uleb(kAbilityAll));
}

std::vector<AbilitySet> read_ability_sets(Cursor& c, bool function_type_params) {
  size_t n = c.uleb(kTypeParameterCountMax);
  std::vector<AbilitySet> r;
  r.reserve(n);
  for (size_t i = 0; i < n; ++i) r.push_back(read_ability_set(c, false, function_type_params));
  return r;
}

// The type decoder keeps partially built constructors on an explicit stack (depth-limited
// exactly like Aptos), so nesting never recurses on the C++ stack.
SignatureToken read_signature_token(Cursor& c) {
  struct Builder {
    SignatureToken tok;
    bool saturated;
    size_t arity = 0;  // StructInstantiation: type args; Function: args + results
  };
  auto read_next = [&c]() -> Builder {
    uint8_t byte;
    if (!c.try_u8(byte)) fail(StatusCode::MALFORMED, "Unexpected EOF");
    if (byte < 0x1 || byte > 0x16) fail(StatusCode::UNKNOWN_SERIALIZED_TYPE);
    auto kind = TokenKind(byte);
    switch (kind) {
      case TokenKind::U16: case TokenKind::U32: case TokenKind::U256:
        if (c.version() < 6) fail(StatusCode::MALFORMED, "u16, u32, u256 integers not supported");
        break;
      case TokenKind::Function:
        if (c.version() < 8) fail(StatusCode::MALFORMED, "function types not supported");
        break;
      case TokenKind::I8: case TokenKind::I16: case TokenKind::I32: case TokenKind::I64:
      case TokenKind::I128: case TokenKind::I256:
        if (c.version() < 9) fail(StatusCode::MALFORMED, "signed integer types not supported");
        break;
      default: break;
    }
    Builder b{SignatureToken{}, true};
    b.tok.kind = kind;
    switch (kind) {
      case TokenKind::Vector: case TokenKind::Reference: case TokenKind::MutableReference:
        b.saturated = false;
        b.arity = 1;
        break;
      case TokenKind::Struct:
        b.tok.index = c.index();
        break;
      case TokenKind::StructInstantiation:
        b.tok.index = c.index();
        b.arity = c.uleb(kTypeParameterCountMax);
        if (b.arity == 0) fail(StatusCode::MALFORMED, "Struct inst with arity 0");
        b.saturated = false;
        break;
      case TokenKind::TypeParameter: {
        uint64_t idx = c.uleb(kTypeParameterIndexMax);
        // Aptos bounds this by 65536 yet stores a u16: the conversion failure is its status.
        if (idx > 0xFFFF) fail(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "type parameter index");
        b.tok.index = uint16_t(idx);
        break;
      }
      case TokenKind::Function: {
        b.tok.abilities = read_ability_set(c, false, false);
        size_t args = c.uleb(kTypeParameterCountMax);
        size_t results = c.uleb(kTypeParameterCountMax);
        b.tok.function_args = uint8_t(args);
        b.arity = args + results;
        b.saturated = b.arity == 0;
        break;
      }
      default: break;
    }
    return b;
  };

  Builder first = read_next();
  if (first.saturated) return std::move(first.tok);
  std::vector<Builder> stack;
  stack.push_back(std::move(first));
  for (;;) {
    if (stack.size() > kSignatureTokenDepthMax)
      fail(StatusCode::MALFORMED, "Maximum recursion depth reached");
    if (stack.back().saturated) {
      SignatureToken tok = std::move(stack.back().tok);
      stack.pop_back();
      if (stack.empty()) return tok;
      Builder& parent = stack.back();
      parent.tok.children.push_back(std::move(tok));
      if (parent.tok.children.size() >= parent.arity) parent.saturated = true;
    } else {
      stack.push_back(read_next());
    }
  }
}

Signature read_signature(Cursor& c) {
  size_t n = c.uleb(kSignatureSizeMax);
  Signature s;
  for (size_t i = 0; i < n; ++i) s.push_back(read_signature_token(c));
  return s;
}

Bytes read_blob(Cursor& c, uint64_t max) {
  size_t n = c.uleb(max);
  const uint8_t* p = c.take(n, "Bad byte blob size");
  return Bytes(p, p + n);
}

std::string read_identifier(Cursor& c) {
  size_t n = c.uleb(c.max_identifier_size());
  const uint8_t* p = c.take(n, "Bad Identifier pool size");
  std::string s(reinterpret_cast<const char*>(p), n);
  if (!is_valid_identifier(s)) fail(StatusCode::MALFORMED, "Invalid Identifier");
  if (c.version() < 9 && s.find('$') != std::string::npos)
    fail(StatusCode::MALFORMED, "`$` in identifiers not supported in this bytecode version");
  return s;
}

ModuleHandle read_module_handle(Cursor& c) {
  ModuleHandle h;
  h.address = c.index();
  h.name = c.index();
  return h;
}

StructHandle read_struct_handle(Cursor& c) {
  StructHandle h;
  h.module = c.index();
  h.name = c.index();
  h.abilities = read_ability_set(c, true, false);
  size_t n = c.uleb(kTypeParameterCountMax);
  for (size_t i = 0; i < n; ++i) {
    StructTypeParameter tp;
    tp.constraints = read_ability_set(c, false, false);
    tp.is_phantom = c.version() >= 3 && c.uleb(1) != 0;
    h.type_parameters.push_back(tp);
  }
  return h;
}

std::optional<std::vector<AccessSpecifier>> read_access_specifiers(Cursor& c) {
  if (!read_option(c)) return std::nullopt;
  size_t n = c.uleb(kAccessSpecifierCountMax);
  std::vector<AccessSpecifier> specs;
  for (size_t i = 0; i < n; ++i) {
    AccessSpecifier s;
    uint8_t kind = c.u8();
    if (kind != 1 && kind != 2) fail(StatusCode::MALFORMED, "malformed access kind");
    s.kind = AccessKind(kind);
    uint8_t neg = c.u8();
    if (neg != 1 && neg != 2) fail(StatusCode::MALFORMED, "malformed boolean");
    s.negated = neg == 2;
    uint8_t res = c.u8();
    if (res < 1 || res > 5) fail(StatusCode::MALFORMED, "malformed resource specifier");
    s.resource = ResourceSpecifierKind(res);
    if (s.resource != ResourceSpecifierKind::Any) s.resource_index = c.index();
    if (s.resource == ResourceSpecifierKind::ResourceInstantiation) s.resource_signature = c.index();
    uint8_t addr = c.u8();
    if (addr < 1 || addr > 3) fail(StatusCode::MALFORMED, "malformed address specifier");
    s.address = AddressSpecifierKind(addr);
    if (s.address == AddressSpecifierKind::Literal) {
      s.address_index = c.index();
    } else if (s.address == AddressSpecifierKind::Parameter) {
      s.address_index = uint16_t(c.uleb(kLocalIndexMax));
      if (read_option(c)) s.address_function = c.index();
    }
    specs.push_back(s);
  }
  return specs;
}

FunctionAttribute read_attribute(Cursor& c) {
  uint8_t tag = c.u8();
  if (tag < 0x1 || tag > 0xB) fail(StatusCode::MALFORMED, "malformed attribute");
  FunctionAttribute a{FunctionAttributeKind(tag)};
  uint32_t min_version = tag <= 0x2 ? 8 : tag <= 0x9 ? 10 : 11;
  if (c.version() < min_version)
    fail(StatusCode::MALFORMED, "Attribute not supported in this bytecode version");
  if (attribute_has_value(a.kind)) a.value = uint16_t(c.le(2, StatusCode::BAD_U16));
  return a;
}

FunctionHandle read_function_handle(Cursor& c) {
  FunctionHandle h;
  h.module = c.index();
  h.name = c.index();
  h.parameters = c.index();
  h.return_ = c.index();
  h.type_parameters = read_ability_sets(c, true);
  if (c.version() >= 7) h.access_specifiers = read_access_specifiers(c);
  if (c.version() >= 8) {
    size_t n = c.uleb(kAttributeCountMax);
    for (size_t i = 0; i < n; ++i) h.attributes.push_back(read_attribute(c));
  }
  return h;
}

Instantiation read_instantiation(Cursor& c) {
  Instantiation i;
  i.handle = c.index();
  i.type_parameters = c.index();
  return i;
}

std::vector<FieldDefinition> read_fields(Cursor& c) {
  size_t n = c.uleb(kFieldCountMax);
  std::vector<FieldDefinition> fields;
  for (size_t i = 0; i < n; ++i) {
    FieldDefinition f;
    f.name = c.index();
    f.type = read_signature_token(c);
    fields.push_back(std::move(f));
  }
  return fields;
}

StructDefinition read_struct_def(Cursor& c) {
  StructDefinition d;
  d.struct_handle = c.index();
  uint8_t flag;
  if (!c.try_u8(flag)) fail(StatusCode::MALFORMED, "Invalid field info in struct");
  if (flag < 1 || flag > 3) fail(StatusCode::UNKNOWN_NATIVE_STRUCT_FLAG);
  d.layout = StructLayout(flag);
  if (d.layout == StructLayout::Declared) {
    d.fields = read_fields(c);
  } else if (d.layout == StructLayout::DeclaredVariants) {
    if (c.version() < 7) fail(StatusCode::MALFORMED, "Enum types not supported in this version");
    size_t n = c.uleb(kVariantCountMax);
    for (size_t i = 0; i < n; ++i) {
      VariantDefinition v;
      v.name = c.index();
      v.fields = read_fields(c);
      d.variants.push_back(std::move(v));
    }
  }
  return d;
}

FieldHandle read_field_handle(Cursor& c) {
  FieldHandle h;
  h.owner = c.index();
  h.field = uint16_t(c.uleb(kFieldOffsetMax));
  return h;
}

VariantFieldHandle read_variant_field_handle(Cursor& c) {
  VariantFieldHandle h;
  h.struct_index = c.index();
  h.field = uint16_t(c.uleb(kFieldOffsetMax));
  size_t n = c.uleb(kVariantCountMax);
  for (size_t i = 0; i < n; ++i) h.variants.push_back(uint16_t(c.uleb(kVariantOffsetMax)));
  return h;
}

StructVariantHandle read_struct_variant_handle(Cursor& c) {
  StructVariantHandle h;
  h.struct_index = c.index();
  h.variant = uint16_t(c.uleb(kVariantOffsetMax));
  return h;
}


void read_code(Cursor& c, std::vector<Instruction>& code) {
  size_t count = c.uleb(kBytecodeCountMax);
  code.reserve(std::min(count, c.remaining()));
  while (code.size() < count) {
    uint8_t byte = c.u8();
    if (byte == 0 || byte > kOpcodeMax) fail(StatusCode::UNKNOWN_OPCODE, "unknown opcode");
    Instruction ins;
    ins.op = Opcode(byte);
    if (c.version() < internal::opcode_min_version(ins.op))
      fail(StatusCode::MALFORMED, "opcode not available in this bytecode version");
    switch (internal::operand_of(ins.op)) {
      case internal::Operand::None: break;
      case internal::Operand::Index: ins.index = c.index(); break;
      case internal::Operand::CodeOffset: ins.index = uint16_t(c.uleb(kBytecodeIndexMax)); break;
      case internal::Operand::Local: ins.index = uint16_t(c.uleb(kLocalIndexMax)); break;
      case internal::Operand::IndexAndCount:
        ins.index = c.index();
        ins.value = c.le(8, StatusCode::BAD_U64);
        break;
      case internal::Operand::IndexAndMask:
        ins.index = c.index();
        ins.value = c.uleb(UINT64_MAX);
        break;
      case internal::Operand::Imm: {
        size_t width = internal::immediate_width(ins.op);
        StatusCode status = internal::immediate_status(ins.op);
        if (width <= 8) ins.value = c.le(width, status);
        else c.bytes(ins.wide.data(), width, status, "Unexpected EOF");
        break;
      }
    }
    code.push_back(ins);
  }
}

CodeUnit read_code_unit(Cursor& c) {
  CodeUnit u;
  u.locals = c.index();
  read_code(c, u.code);
  return u;
}

FunctionDefinition read_function_def(Cursor& c) {
  constexpr uint8_t kDeprecatedPublicBit = 0x1, kNative = 0x2, kEntry = 0x4;
  FunctionDefinition d;
  d.function = c.index();
  uint8_t flags = c.u8();
  uint8_t extra;
  if (c.version() == 1) {
    d.visibility = (flags & kDeprecatedPublicBit) ? Visibility::Public : Visibility::Private;
    extra = flags & ~kDeprecatedPublicBit;
  } else {
    if (c.version() < 5 && flags == 2) {  // deprecated `public(script)`
      d.visibility = Visibility::Public;
      d.is_entry = true;
    } else if (flags == 0 || flags == 1 || flags == 3) {
      d.visibility = Visibility(flags);
    } else {
      fail(StatusCode::MALFORMED, "Invalid visibility byte");
    }
    extra = c.u8();
    if (c.version() >= 5 && (extra & kEntry)) {
      d.is_entry = true;
      extra ^= kEntry;
    }
  }
  size_t n = c.uleb(kAcquiresCountMax);
  for (size_t i = 0; i < n; ++i) d.acquires_global_resources.push_back(c.index());
  if (extra & kNative) {
    extra ^= kNative;
  } else {
    d.code = read_code_unit(c);
  }
  if (extra != 0) fail(StatusCode::INVALID_FLAG_BITS);
  return d;
}

struct Table {
  TableType kind;
  uint32_t offset;
  uint32_t count;
};

// Parses an element list filling one table region exactly; elements may not straddle it.
template <class T, class F>
void load_table(const Table& t, const uint8_t* contents, const Cursor& proto, std::vector<T>& out,
                F&& read) {
  Cursor c(contents + t.offset, t.count, proto.version(), proto.max_identifier_size());
  while (c.position() < t.count) out.push_back(read(c));
}

bool is_module_only(TableType k) {
  switch (k) {
    case TableType::StructDefs: case TableType::StructDefInst: case TableType::FunctionDefs:
    case TableType::FieldHandles: case TableType::FieldInst: case TableType::FriendDecls:
    case TableType::VariantFieldHandles: case TableType::VariantFieldInst:
    case TableType::StructVariantHandles: case TableType::StructVariantInst:
      return true;
    default: return false;
  }
}

bool is_known_table(uint8_t k) { return (k >= 0x1 && k <= 0x8) || (k >= 0xA && k <= 0x14); }

// Header, table directory and table contents; leaves `c` after the contents.
struct Parsed {
  std::vector<Table> tables;
  const uint8_t* contents;
};

Parsed read_header(Cursor& c, size_t binary_len) {
  size_t table_count = c.uleb(kTableCountMax);
  std::vector<Table> tables;
  for (size_t i = 0; i < table_count; ++i) {
    uint8_t kind;
    if (!c.try_u8(kind)) fail(StatusCode::MALFORMED, "Error reading table");
    uint32_t offset = uint32_t(c.uleb(kTableOffsetMax));
    uint32_t count = uint32_t(c.uleb(kTableSizeMax));
    if (!is_known_table(kind)) fail(StatusCode::UNKNOWN_TABLE_TYPE);
    tables.push_back({TableType(kind), offset, count});
  }
  // Tables must be contiguous from offset 0, non-empty, distinct, and within the binary.
  std::stable_sort(tables.begin(), tables.end(),
                   [](const Table& a, const Table& b) { return a.offset < b.offset; });
  uint32_t current = 0;
  bool seen[256] = {};
  for (const Table& t : tables) {
    if (t.offset != current || t.count == 0) fail(StatusCode::BAD_HEADER_TABLE);
    if (uint64_t(current) + t.count > 0xFFFFFFFFull) fail(StatusCode::BAD_HEADER_TABLE);
    current += t.count;
    if (seen[uint8_t(t.kind)]) fail(StatusCode::DUPLICATE_TABLE);
    seen[uint8_t(t.kind)] = true;
    if (current > binary_len) fail(StatusCode::BAD_HEADER_TABLE);
  }
  const uint8_t* contents = c.take(current, "Error reading table contents");
  return {std::move(tables), contents};
}

void load_common_tables(const Parsed& p, const Cursor& proto, CommonTables& u) {
  uint32_t v = proto.version();
  for (const Table& t : p.tables) {
    switch (t.kind) {
      case TableType::ModuleHandles:
        load_table(t, p.contents, proto, u.module_handles, read_module_handle);
        break;
      case TableType::StructHandles:
        load_table(t, p.contents, proto, u.struct_handles, read_struct_handle);
        break;
      case TableType::FunctionHandles:
        load_table(t, p.contents, proto, u.function_handles, read_function_handle);
        break;
      case TableType::FunctionInst:
        load_table(t, p.contents, proto, u.function_instantiations, read_instantiation);
        break;
      case TableType::Signatures:
        load_table(t, p.contents, proto, u.signatures, read_signature);
        break;
      case TableType::ConstantPool:
        load_table(t, p.contents, proto, u.constant_pool, [](Cursor& c) {
          Constant k;
          k.type = read_signature_token(c);
          k.data = read_blob(c, kConstantSizeMax);
          return k;
        });
        break;
      case TableType::Metadata:
        if (v < 5) fail(StatusCode::MALFORMED, "metadata not applicable in this version");
        load_table(t, p.contents, proto, u.metadata, [](Cursor& c) {
          Metadata m;
          m.key = read_blob(c, kMetadataKeySizeMax);
          m.value = read_blob(c, kMetadataValueSizeMax);
          return m;
        });
        break;
      case TableType::Identifiers:
        load_table(t, p.contents, proto, u.identifiers, read_identifier);
        break;
      case TableType::AddressIdentifiers:
        load_table(t, p.contents, proto, u.address_identifiers, [](Cursor& c) {
          FixedBytes<32> a;
          c.bytes(a.data(), 32, StatusCode::MALFORMED, "Bad Address pool size");
          return a;
        });
        break;
      case TableType::FriendDecls:
        if (v < 2) fail(StatusCode::MALFORMED, "Friend declarations not applicable in version 1");
        break;
      case TableType::VariantFieldHandles: case TableType::VariantFieldInst:
      case TableType::StructVariantHandles: case TableType::StructVariantInst:
        if (v < 7) fail(StatusCode::MALFORMED, "Enum types not available for this version");
        break;
      default: break;
    }
  }
}

void load_module_tables(const Parsed& p, const Cursor& proto, CompiledModule& m) {
  for (const Table& t : p.tables) {
    switch (t.kind) {
      case TableType::StructDefs:
        load_table(t, p.contents, proto, m.struct_defs, read_struct_def);
        break;
      case TableType::StructDefInst:
        load_table(t, p.contents, proto, m.struct_def_instantiations, read_instantiation);
        break;
      case TableType::FunctionDefs:
        load_table(t, p.contents, proto, m.function_defs, read_function_def);
        break;
      case TableType::FieldHandles:
        load_table(t, p.contents, proto, m.field_handles, read_field_handle);
        break;
      case TableType::FieldInst:
        load_table(t, p.contents, proto, m.field_instantiations, read_instantiation);
        break;
      case TableType::FriendDecls:
        load_table(t, p.contents, proto, m.friend_decls, read_module_handle);
        break;
      case TableType::VariantFieldHandles:
        load_table(t, p.contents, proto, m.variant_field_handles, read_variant_field_handle);
        break;
      case TableType::VariantFieldInst:
        load_table(t, p.contents, proto, m.variant_field_instantiations, read_instantiation);
        break;
      case TableType::StructVariantHandles:
        load_table(t, p.contents, proto, m.struct_variant_handles, read_struct_variant_handle);
        break;
      case TableType::StructVariantInst:
        load_table(t, p.contents, proto, m.struct_variant_instantiations, read_instantiation);
        break;
      default: break;
    }
  }
}

// Magic and version; returns a cursor positioned at the table count.
Cursor open(BytesView b, uint32_t max_version, uint64_t max_ident) {
  if (b.size() < 4 || std::memcmp(b.data(), kMoveMagic.data(), 4) != 0)
    fail(StatusCode::BAD_MAGIC);
  if (b.size() < 8) fail(StatusCode::MALFORMED, "Bad binary header");
  uint32_t raw = uint32_t(b[4]) | uint32_t(b[5]) << 8 | uint32_t(b[6]) << 16 | uint32_t(b[7]) << 24;
  uint32_t version = raw & ~kAptosVersionMask;
  if (version == 0 || version > std::min(max_version, kVersionMax))
    fail(StatusCode::UNKNOWN_VERSION, "bytecode version " + std::to_string(version) + " unsupported");
  Cursor c(b.data(), b.size(), version, max_ident);
  c.take(8, "");
  return c;
}

CompiledModule module_impl(BytesView b, uint32_t max_version, uint64_t max_ident) {
  Cursor c = open(b, max_version, max_ident);
  Parsed p = read_header(c, b.size());
  CompiledModule m;
  m.version = c.version();
  m.self_module_handle_idx = c.index();
  load_common_tables(p, c, m);
  load_module_tables(p, c, m);
  return m;
}

CompiledScript script_impl(BytesView b, uint32_t max_version, uint64_t max_ident) {
  Cursor c = open(b, max_version, max_ident);
  Parsed p = read_header(c, b.size());
  CompiledScript s;
  s.version = c.version();
  s.type_parameters = read_ability_sets(c, true);
  s.parameters = c.index();
  if (c.version() >= 8) s.access_specifiers = read_access_specifiers(c);
  s.code = read_code_unit(c);
  load_common_tables(p, c, s);
  for (const Table& t : p.tables)
    if (is_module_only(t.kind)) fail(StatusCode::MALFORMED, "Bad table in Script");
  return s;
}

template <class T, class F>
Expected<T> guarded(F&& f) {
  try {
    return f();
  } catch (const Failure& e) {
    return e.error;
  } catch (const std::bad_alloc&) {
    return VMError{StatusCode::MEMORY_LIMIT_EXCEEDED, "out of memory", {}, {}};
  }
}

}  // namespace

Expected<CompiledModule> deserialize_module(BytesView binary, const DeserializerConfig& config) {
  return guarded<CompiledModule>([&]() -> Expected<CompiledModule> {
    CompiledModule m =
        module_impl(binary, config.max_binary_format_version, config.max_identifier_size);
    if (auto err = check_bounds(m)) return *err;
    return m;
  });
}

Expected<CompiledScript> deserialize_script(BytesView binary, const DeserializerConfig& config) {
  return guarded<CompiledScript>([&]() -> Expected<CompiledScript> {
    CompiledScript s =
        script_impl(binary, config.max_binary_format_version, config.max_identifier_size);
    if (auto err = check_bounds(s)) return *err;
    return s;
  });
}

Expected<CompiledModule> deserialize_module_unchecked(BytesView binary) {
  return guarded<CompiledModule>(
      [&]() -> Expected<CompiledModule> { return module_impl(binary, kVersionMax, kLegacyIdentifierSizeMax); });
}

Expected<CompiledScript> deserialize_script_unchecked(BytesView binary) {
  return guarded<CompiledScript>(
      [&]() -> Expected<CompiledScript> { return script_impl(binary, kVersionMax, kLegacyIdentifierSizeMax); });
}

}  // namespace lumio::movevm
