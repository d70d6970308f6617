#include "movevm/value.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "movevm/function_values.hpp"
#include "movevm/natives.hpp"

namespace lumio::movevm {

std::string short_hex(const AccountAddress& a) {
  std::string hex = to_hex(a.view(), false);
  size_t nz = hex.find_first_not_of('0');
  return "0x" + (nz == std::string::npos ? std::string("0") : hex.substr(nz));
}

AccountAddress address_from_u64(uint64_t v) {
  AccountAddress a;
  for (int i = 0; i < 8; ++i) a.bytes[31 - i] = uint8_t(v >> (8 * i));
  return a;
}

// ---------------------------------------------------------------------------------------------
// U256

U256 U256::from_le_bytes(const uint8_t* p) {
  U256 r;
  for (int i = 0; i < 4; ++i) {
    uint64_t x = 0;
    for (int j = 7; j >= 0; --j) x = (x << 8) | p[i * 8 + j];
    r.w[i] = x;
  }
  return r;
}

void U256::to_le_bytes(uint8_t* p) const {
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) p[i * 8 + j] = uint8_t(w[i] >> (8 * j));
}

std::string U256::to_string() const {
  U256 v = *this;
  std::string s;
  auto is_zero = [&] { return !(v.w[0] | v.w[1] | v.w[2] | v.w[3]); };
  if (is_zero()) return "0";
  while (!is_zero()) {
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      unsigned __int128 cur = (rem << 64) | v.w[i];
      v.w[i] = uint64_t(cur / 10);
      rem = cur % 10;
    }
    s.push_back(char('0' + int(rem)));
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::string U256::to_signed_string() const {
  if (!(w[3] >> 63)) return to_string();
  U256 n;  // two's complement negation
  unsigned __int128 carry = 1;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 x = (unsigned __int128)(~w[i]) + carry;
    n.w[i] = uint64_t(x);
    carry = x >> 64;
  }
  return "-" + n.to_string();
}

// ---------------------------------------------------------------------------------------------
// Type tags

namespace {

void uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(b | (v ? 0x80 : 0));
  } while (v);
}

void bcs_str(Bytes& out, const std::string& s) {
  uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

std::string tag_string(const TypeTag& t, bool canonical);

std::string struct_string(const StructTag& s, bool canonical) {
  std::string r = (canonical ? "0x" + to_hex(s.address.view(), false) : short_hex(s.address)) + "::" + s.module +
                  "::" + s.name;
  if (!s.type_args.empty()) {
    r += "<";
    for (size_t i = 0; i < s.type_args.size(); ++i) r += (i ? ", " : "") + tag_string(s.type_args[i], canonical);
    r += ">";
  }
  return r;
}

std::string tag_string(const TypeTag& t, bool canonical) {
  switch (t.kind) {
    case TagKind::Bool: return "bool";
    case TagKind::U8: return "u8";
    case TagKind::U16: return "u16";
    case TagKind::U32: return "u32";
    case TagKind::U64: return "u64";
    case TagKind::U128: return "u128";
    case TagKind::U256: return "u256";
    case TagKind::I8: return "i8";
    case TagKind::I16: return "i16";
    case TagKind::I32: return "i32";
    case TagKind::I64: return "i64";
    case TagKind::I128: return "i128";
    case TagKind::I256: return "i256";
    case TagKind::Address: return "address";
    case TagKind::Signer: return "signer";
    case TagKind::Vector: return "vector<" + (t.element ? tag_string(*t.element, canonical) : "?") + ">";
    case TagKind::Struct: return t.struct_tag ? struct_string(*t.struct_tag, canonical) : "?";
    case TagKind::Function: return "function";
  }
  return "?";
}

}  // namespace

bool StructTag::operator==(const StructTag& o) const {
  return address == o.address && module == o.module && name == o.name && type_args == o.type_args;
}
bool StructTag::operator<(const StructTag& o) const {
  Bytes a, b;
  serialize(a);
  o.serialize(b);
  return a < b;
}
std::string StructTag::to_string() const { return struct_string(*this, false); }
std::string StructTag::to_canonical_string() const { return struct_string(*this, true); }
void StructTag::serialize(Bytes& out) const {
  out.insert(out.end(), address.bytes.begin(), address.bytes.end());
  bcs_str(out, module);
  bcs_str(out, name);
  uleb(out, type_args.size());
  for (const auto& t : type_args) t.serialize(out);
}

bool TypeTag::operator==(const TypeTag& o) const {
  if (kind != o.kind) return false;
  if (kind == TagKind::Vector) return element && o.element && *element == *o.element;
  if (kind == TagKind::Struct) return struct_tag && o.struct_tag && *struct_tag == *o.struct_tag;
  return true;
}
std::string TypeTag::to_string() const { return tag_string(*this, false); }
std::string TypeTag::to_canonical_string() const { return tag_string(*this, true); }
void TypeTag::serialize(Bytes& out) const {
  out.push_back(uint8_t(kind));
  if (kind == TagKind::Vector && element) element->serialize(out);
  if (kind == TagKind::Struct && struct_tag) struct_tag->serialize(out);
}

namespace {

struct TagParser {
  std::string_view s;
  size_t p = 0;
  void ws() {
    while (p < s.size() && s[p] == ' ') ++p;
  }
  std::string ident() {
    ws();
    size_t b = p;
    while (p < s.size() && (isalnum(uint8_t(s[p])) || s[p] == '_')) ++p;
    return std::string(s.substr(b, p - b));
  }
  bool eat(std::string_view t) {
    ws();
    if (s.substr(p, t.size()) == t) {
      p += t.size();
      return true;
    }
    return false;
  }
  std::optional<TypeTag> tag(int depth) {
    if (depth > 128) return std::nullopt;
    std::string id = ident();
    static const std::pair<const char*, TagKind> kPrims[] = {
        {"bool", TagKind::Bool}, {"u8", TagKind::U8}, {"u16", TagKind::U16}, {"u32", TagKind::U32},
        {"u64", TagKind::U64}, {"u128", TagKind::U128}, {"u256", TagKind::U256}, {"i8", TagKind::I8},
        {"i16", TagKind::I16}, {"i32", TagKind::I32}, {"i64", TagKind::I64}, {"i128", TagKind::I128},
        {"i256", TagKind::I256}, {"address", TagKind::Address}, {"signer", TagKind::Signer}};
    for (auto& [n, k] : kPrims)
      if (id == n) return TypeTag{k, nullptr, nullptr};
    if (id == "vector") {
      if (!eat("<")) return std::nullopt;
      auto e = tag(depth + 1);
      if (!e || !eat(">")) return std::nullopt;
      TypeTag t{TagKind::Vector, std::make_shared<TypeTag>(*e), nullptr};
      return t;
    }
    if (id.size() < 3 || id[0] != '0' || (id[1] != 'x' && id[1] != 'X')) return std::nullopt;
    std::string hex = id.substr(2);
    if (hex.size() > 64) return std::nullopt;
    hex = std::string(64 - hex.size(), '0') + hex;
    auto addr = fixed_from_hex<32>(hex);
    if (!addr) return std::nullopt;
    StructTag st;
    st.address = *addr;
    if (!eat("::")) return std::nullopt;
    st.module = ident();
    if (!eat("::")) return std::nullopt;
    st.name = ident();
    if (st.module.empty() || st.name.empty()) return std::nullopt;
    if (eat("<")) {
      do {
        auto a = tag(depth + 1);
        if (!a) return std::nullopt;
        st.type_args.push_back(*a);
      } while (eat(","));
      if (!eat(">")) return std::nullopt;
    }
    return TypeTag{TagKind::Struct, nullptr, std::make_shared<StructTag>(std::move(st))};
  }
};

}  // namespace

std::optional<TagKind> primitive_tag_kind(TypeKind k) {
  static const std::pair<TypeKind, TagKind> kPrims[] = {
      {TypeKind::Bool, TagKind::Bool}, {TypeKind::U8, TagKind::U8}, {TypeKind::U16, TagKind::U16},
      {TypeKind::U32, TagKind::U32}, {TypeKind::U64, TagKind::U64}, {TypeKind::U128, TagKind::U128},
      {TypeKind::U256, TagKind::U256}, {TypeKind::I8, TagKind::I8}, {TypeKind::I16, TagKind::I16},
      {TypeKind::I32, TagKind::I32}, {TypeKind::I64, TagKind::I64}, {TypeKind::I128, TagKind::I128},
      {TypeKind::I256, TagKind::I256}, {TypeKind::Address, TagKind::Address}, {TypeKind::Signer, TagKind::Signer}};
  for (auto [tk, tag] : kPrims)
    if (k == tk) return tag;
  return std::nullopt;
}

std::optional<TypeTag> parse_type_tag(std::string_view text) {
  TagParser p{text};
  auto t = p.tag(0);
  p.ws();
  if (!t || p.p != text.size()) return std::nullopt;
  return t;
}

bool Type::operator==(const Type& o) const {
  return kind == o.kind && index == o.index && abilities == o.abilities && function_args == o.function_args &&
         struct_info == o.struct_info && args == o.args;
}

// ---------------------------------------------------------------------------------------------
// Values

Value make_struct(std::vector<Value> fields) {
  auto c = std::make_shared<Container>(ContainerKind::Struct);
  c->values = std::move(fields);
  return Value::container(std::move(c));
}
Value make_variant(uint16_t tag, std::vector<Value> fields) {
  auto c = std::make_shared<Container>(ContainerKind::Variant);
  c->variant = tag;
  c->values = std::move(fields);
  return Value::container(std::move(c));
}
Value make_vector(std::vector<Value> elements) {
  auto c = std::make_shared<Container>(ContainerKind::Vector);
  c->values = std::move(elements);
  return Value::container(std::move(c));
}
Value make_vec_u8(Bytes bytes) {
  auto c = std::make_shared<Container>(ContainerKind::VecU8);
  c->bytes = std::move(bytes);
  return Value::container(std::move(c));
}
Value make_signer(const AccountAddress& a) {
  auto c = std::make_shared<Container>(ContainerKind::Signer);
  c->values.push_back(Value::addr(a));
  return Value::container(std::move(c));
}

namespace {
ContainerPtr copy_container(const Container& src) {
  auto c = std::make_shared<Container>(src.kind);
  c->variant = src.variant;
  c->bytes = src.bytes;
  c->function = src.function;
  c->function_type_args = src.function_type_args;
  c->mask = src.mask;
  c->stored = src.stored;
  c->values.reserve(src.values.size());
  for (const auto& v : src.values) c->values.push_back(copy_value(v));
  return c;
}
}  // namespace

Value copy_value(const Value& v) {
  if (v.kind == ValueKind::Container && v.c) return Value::container(copy_container(*v.c));
  return v;
}

const Value* peek_indexed(const Value& ref) {
  if (ref.kind != ValueKind::IndexedRef || !ref.c) return nullptr;
  if (ref.c->kind == ContainerKind::VecU8 || ref.index >= ref.c->values.size()) return nullptr;
  return &ref.c->values[ref.index];
}

Expected<Value> read_ref(const Value& ref) {
  auto bad = [] { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "read_ref on a non-reference", {}, {}}; };
  if (!ref.c) return bad();
  if (ref.kind == ValueKind::ContainerRef) {
    if (ref.c->kind == ContainerKind::Locals) return bad();
    return Value::container(copy_container(*ref.c));
  }
  if (ref.kind != ValueKind::IndexedRef) return bad();
  if (ref.c->kind == ContainerKind::VecU8) {
    if (ref.index >= ref.c->bytes.size()) return bad();
    return Value::u8(ref.c->bytes[ref.index]);
  }
  if (ref.index >= ref.c->values.size()) return bad();
  const Value& t = ref.c->values[ref.index];
  if (t.kind == ValueKind::Invalid) return bad();
  return copy_value(t);
}

std::optional<VMError> write_ref(const Value& ref, Value v) {
  auto bad = [] {
    return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "write_ref on a non-reference", {}, {}};
  };
  if (!ref.c) return bad();
  if (ref.kind == ValueKind::ContainerRef) {
    if (v.kind != ValueKind::Container || !v.c || v.c->kind != ref.c->kind) return bad();
    Container& dst = *ref.c;
    // Take the new contents; the target container keeps its identity.
    if (v.c.use_count() == 1) {
      dst.values = std::move(v.c->values);
      dst.bytes = std::move(v.c->bytes);
    } else {
      auto cp = copy_container(*v.c);
      dst.values = std::move(cp->values);
      dst.bytes = std::move(cp->bytes);
    }
    dst.variant = v.c->variant;
    if (dst.kind == ContainerKind::Closure) {
      dst.function = v.c->function;
      dst.function_type_args = v.c->function_type_args;
      dst.mask = v.c->mask;
      dst.stored = v.c->stored;
    }
    return std::nullopt;
  }
  if (ref.kind != ValueKind::IndexedRef) return bad();
  if (ref.c->kind == ContainerKind::VecU8) {
    if (ref.index >= ref.c->bytes.size() || v.kind != ValueKind::U8) return bad();
    ref.c->bytes[ref.index] = uint8_t(v.u64);
    return std::nullopt;
  }
  if (ref.index >= ref.c->values.size()) return bad();
  Value& slot = ref.c->values[ref.index];
  if (ref.c->kind != ContainerKind::Locals && slot.kind != v.kind) return bad();
  slot = std::move(v);
  return std::nullopt;
}

namespace {

bool prim_equal(const Value& a, const Value& b) {
  switch (a.kind) {
    case ValueKind::Bool: return a.b == b.b;
    case ValueKind::U128:
    case ValueKind::I128: return a.u128 == b.u128;
    case ValueKind::U256:
    case ValueKind::I256: return a.u256 == b.u256;
    case ValueKind::Address: return a.address == b.address;
    default: return a.u64 == b.u64;
  }
}

// Resolves a reference to (container, slot) contents for comparison.
struct Target {
  const Value* v = nullptr;      // primitive slot or container value
  const Container* c = nullptr;  // whole container
  uint8_t byte = 0;
  bool is_byte = false;
};

std::optional<Target> deref(const Value& v) {
  Target t;
  if (v.kind == ValueKind::ContainerRef) {
    if (!v.c) return std::nullopt;
    t.c = v.c.get();
  } else if (v.kind == ValueKind::IndexedRef) {
    if (!v.c) return std::nullopt;
    if (v.c->kind == ContainerKind::VecU8) {
      if (v.index >= v.c->bytes.size()) return std::nullopt;
      t.is_byte = true;
      t.byte = v.c->bytes[v.index];
    } else {
      if (v.index >= v.c->values.size()) return std::nullopt;
      const Value& s = v.c->values[v.index];
      if (s.kind == ValueKind::Container) t.c = s.c.get();
      else t.v = &s;
    }
  } else if (v.kind == ValueKind::Container) {
    t.c = v.c.get();
  } else {
    t.v = &v;
  }
  return t;
}

std::optional<bool> eq_impl(const Value& a, const Value& b, int depth);

std::optional<bool> eq_containers(const Container& x, const Container& y, int depth) {
  if (x.kind != y.kind) {
    // vector<u8> may meet a generic vector of u8 values (natives may build either).
    auto as_bytes = [](const Container& c, Bytes& out) {
      if (c.kind == ContainerKind::VecU8) { out = c.bytes; return true; }
      if (c.kind != ContainerKind::Vector) return false;
      for (const auto& v : c.values) {
        if (v.kind != ValueKind::U8) return false;
        out.push_back(uint8_t(v.u64));
      }
      return true;
    };
    Bytes bx, by;
    if (as_bytes(x, bx) && as_bytes(y, by)) return bx == by;
    return std::nullopt;
  }
  if (x.kind == ContainerKind::VecU8) return x.bytes == y.bytes;
  if (x.kind == ContainerKind::Closure) {
    // Aptos compares closures by function identity (module, name, type arguments; resolved
    // or not), then the number of captured values and the values; the mask is not compared.
    auto same = same_closure_function(x, y);
    if (!same) return std::nullopt;
    if (!*same || x.values.size() != y.values.size()) return false;
  }
  if (x.kind == ContainerKind::Variant && x.variant != y.variant) return false;
  if (x.values.size() != y.values.size()) {
    if (x.kind == ContainerKind::Vector) return false;
    return std::nullopt;
  }
  for (size_t i = 0; i < x.values.size(); ++i) {
    auto r = eq_impl(x.values[i], y.values[i], depth + 1);
    if (!r || !*r) return r;
  }
  return true;
}

std::optional<bool> eq_impl(const Value& a, const Value& b, int depth) {
  if (depth > 256) return std::nullopt;
  if (a.kind == ValueKind::Container && b.kind == ValueKind::Container) {
    if (!a.c || !b.c) return std::nullopt;
    return eq_containers(*a.c, *b.c, depth);
  }
  if (a.is_ref() != b.is_ref()) return std::nullopt;
  if (a.is_ref()) {
    auto ta = deref(a), tb = deref(b);
    if (!ta || !tb) return std::nullopt;
    if (ta->is_byte || tb->is_byte) {
      if (ta->is_byte && tb->is_byte) return ta->byte == tb->byte;
      const Value* o = ta->is_byte ? tb->v : ta->v;
      uint8_t byte = ta->is_byte ? ta->byte : tb->byte;
      if (!o || o->kind != ValueKind::U8) return std::nullopt;
      return uint8_t(o->u64) == byte;
    }
    if (ta->c && tb->c) return eq_containers(*ta->c, *tb->c, depth);
    if (ta->v && tb->v) return eq_impl(*ta->v, *tb->v, depth + 1);
    return std::nullopt;
  }
  if (a.kind != b.kind || a.kind == ValueKind::Invalid) return std::nullopt;
  return prim_equal(a, b);
}

}  // namespace

Expected<bool> values_equal(const Value& a, const Value& b) {
  auto r = eq_impl(a, b, 0);
  if (!r) return VMError{StatusCode::INTERNAL_TYPE_ERROR, "equality of values of different shapes", {}, {}};
  return *r;
}

size_t value_depth(const Value& v) {
  if (v.kind != ValueKind::Container || !v.c) return 1;
  size_t d = 0;
  for (const auto& e : v.c->values) d = std::max(d, value_depth(e));
  return d + 1;
}

// ---------------------------------------------------------------------------------------------
// BCS

namespace {

bool ser(const Value& v, const TypeLayout& l, Bytes& out, int depth) {
  if (depth > 256) return false;
  auto le = [&](uint64_t x, int n) {
    for (int i = 0; i < n; ++i) out.push_back(uint8_t(x >> (8 * i)));
  };
  switch (l.kind) {
    case LayoutKind::Bool:
      if (v.kind != ValueKind::Bool) return false;
      out.push_back(v.b ? 1 : 0);
      return true;
    case LayoutKind::U8: case LayoutKind::I8:
      if (v.kind != (l.kind == LayoutKind::U8 ? ValueKind::U8 : ValueKind::I8)) return false;
      le(v.u64, 1);
      return true;
    case LayoutKind::U16: case LayoutKind::I16:
      if (v.kind != (l.kind == LayoutKind::U16 ? ValueKind::U16 : ValueKind::I16)) return false;
      le(v.u64, 2);
      return true;
    case LayoutKind::U32: case LayoutKind::I32:
      if (v.kind != (l.kind == LayoutKind::U32 ? ValueKind::U32 : ValueKind::I32)) return false;
      le(v.u64, 4);
      return true;
    case LayoutKind::U64: case LayoutKind::I64:
      if (v.kind != (l.kind == LayoutKind::U64 ? ValueKind::U64 : ValueKind::I64)) return false;
      le(v.u64, 8);
      return true;
    case LayoutKind::U128: case LayoutKind::I128:
      if (v.kind != (l.kind == LayoutKind::U128 ? ValueKind::U128 : ValueKind::I128)) return false;
      le(uint64_t(v.u128), 8);
      le(uint64_t(v.u128 >> 64), 8);
      return true;
    case LayoutKind::U256: case LayoutKind::I256: {
      if (v.kind != (l.kind == LayoutKind::U256 ? ValueKind::U256 : ValueKind::I256)) return false;
      uint8_t b[32];
      v.u256.to_le_bytes(b);
      out.insert(out.end(), b, b + 32);
      return true;
    }
    case LayoutKind::Address:
      if (v.kind != ValueKind::Address) return false;
      out.insert(out.end(), v.address.bytes.begin(), v.address.bytes.end());
      return true;
    case LayoutKind::Signer:
      // Aptos serializes a signer as its address.
      if (!v.is_container(ContainerKind::Signer) || v.c->values.empty()) return false;
      return ser(v.c->values[0], TypeLayout{LayoutKind::Address, {}, {}}, out, depth + 1);
    case LayoutKind::Vector: {
      if (v.kind != ValueKind::Container || !v.c || l.fields.size() != 1) return false;
      if (v.c->kind == ContainerKind::VecU8) {
        if (l.fields[0].kind != LayoutKind::U8) return false;
        uleb(out, v.c->bytes.size());
        out.insert(out.end(), v.c->bytes.begin(), v.c->bytes.end());
        return true;
      }
      if (v.c->kind != ContainerKind::Vector) return false;
      uleb(out, v.c->values.size());
      for (const auto& e : v.c->values)
        if (!ser(e, l.fields[0], out, depth + 1)) return false;
      return true;
    }
    case LayoutKind::Struct: {
      if (v.kind != ValueKind::Container || !v.c || v.c->kind != ContainerKind::Struct) return false;
      if (v.c->values.size() != l.fields.size()) return false;
      for (size_t i = 0; i < l.fields.size(); ++i)
        if (!ser(v.c->values[i], l.fields[i], out, depth + 1)) return false;
      return true;
    }
    case LayoutKind::Enum: {
      if (v.kind != ValueKind::Container || !v.c || v.c->kind != ContainerKind::Variant) return false;
      if (v.c->variant >= l.variants.size()) return false;
      const auto& fl = l.variants[v.c->variant];
      if (v.c->values.size() != fl.size()) return false;
      uleb(out, v.c->variant);
      for (size_t i = 0; i < fl.size(); ++i)
        if (!ser(v.c->values[i], fl[i], out, depth + 1)) return false;
      return true;
    }
    case LayoutKind::Function: {
      // Aptos function data format V1: seq(5 + 2n) of version, module id, name, type
      // arguments, mask, then (layout, value) per captured value.
      if (!v.is_container(ContainerKind::Closure)) return false;
      auto d = closure_data_of(*v.c);
      if (!d || d->captured_layouts.size() != v.c->values.size()) return false;
      uleb(out, 5 + 2 * v.c->values.size());
      le(kFunctionDataFormatV1, 2);
      out.insert(out.end(), d->address.bytes.begin(), d->address.bytes.end());
      for (const std::string* id : {&d->module, &d->function}) {
        uleb(out, id->size());
        out.insert(out.end(), id->begin(), id->end());
      }
      uleb(out, d->ty_args.size());
      for (const auto& t : d->ty_args) t.serialize(out);
      le(d->mask, 8);
      for (size_t i = 0; i < v.c->values.size(); ++i) {
        serialize_layout(d->captured_layouts[i], out);
        if (!ser(v.c->values[i], d->captured_layouts[i], out, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

struct Reader {
  BytesView b;
  size_t p = 0;
  bool take(size_t n, const uint8_t*& out) {
    if (b.size() - p < n) return false;
    out = b.data() + p;
    p += n;
    return true;
  }
  bool le(int n, uint64_t& x) {
    const uint8_t* d;
    if (!take(size_t(n), d)) return false;
    x = 0;
    for (int i = n - 1; i >= 0; --i) x = (x << 8) | d[i];
    return true;
  }
  // BCS length prefix: canonical ULEB128 up to 2^31-1.
  bool len(uint64_t& x) {
    x = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      const uint8_t* d;
      if (!take(1, d)) return false;
      x |= uint64_t(*d & 0x7F) << shift;
      if (!(*d & 0x80)) {
        if (shift > 0 && *d == 0) return false;  // non-canonical
        return x <= 0x7FFFFFFF;
      }
    }
    return false;
  }
};

std::optional<Value> de(Reader& r, const TypeLayout& l, int depth) {
  if (depth > 256) return std::nullopt;
  uint64_t x;
  auto sext = [](uint64_t v, int bits) { return int64_t(v << (64 - bits)) >> (64 - bits); };
  switch (l.kind) {
    case LayoutKind::Bool: {
      if (!r.le(1, x) || x > 1) return std::nullopt;
      return Value::boolean(x == 1);
    }
    case LayoutKind::U8: if (!r.le(1, x)) return std::nullopt; return Value::u8(uint8_t(x));
    case LayoutKind::U16: if (!r.le(2, x)) return std::nullopt; return Value::u16(uint16_t(x));
    case LayoutKind::U32: if (!r.le(4, x)) return std::nullopt; return Value::u32(uint32_t(x));
    case LayoutKind::U64: if (!r.le(8, x)) return std::nullopt; return Value::u64v(x);
    case LayoutKind::I8: if (!r.le(1, x)) return std::nullopt; return Value::i64v(ValueKind::I8, sext(x, 8));
    case LayoutKind::I16: if (!r.le(2, x)) return std::nullopt; return Value::i64v(ValueKind::I16, sext(x, 16));
    case LayoutKind::I32: if (!r.le(4, x)) return std::nullopt; return Value::i64v(ValueKind::I32, sext(x, 32));
    case LayoutKind::I64: if (!r.le(8, x)) return std::nullopt; return Value::i64v(ValueKind::I64, int64_t(x));
    case LayoutKind::U128: case LayoutKind::I128: {
      uint64_t hi;
      if (!r.le(8, x) || !r.le(8, hi)) return std::nullopt;
      Value v = Value::u128v((unsigned __int128)hi << 64 | x);
      if (l.kind == LayoutKind::I128) v.kind = ValueKind::I128;
      return v;
    }
    case LayoutKind::U256: case LayoutKind::I256: {
      const uint8_t* d;
      if (!r.take(32, d)) return std::nullopt;
      Value v = Value::u256v(U256::from_le_bytes(d));
      if (l.kind == LayoutKind::I256) v.kind = ValueKind::I256;
      return v;
    }
    case LayoutKind::Address: {
      const uint8_t* d;
      if (!r.take(32, d)) return std::nullopt;
      AccountAddress a;
      std::memcpy(a.bytes.data(), d, 32);
      return Value::addr(a);
    }
    case LayoutKind::Signer: {
      const uint8_t* d;
      if (!r.take(32, d)) return std::nullopt;
      AccountAddress a;
      std::memcpy(a.bytes.data(), d, 32);
      return make_signer(a);
    }
    case LayoutKind::Vector: {
      if (l.fields.size() != 1 || !r.len(x)) return std::nullopt;
      if (l.fields[0].kind == LayoutKind::U8) {
        const uint8_t* d;
        if (!r.take(x, d)) return std::nullopt;
        return make_vec_u8(Bytes(d, d + x));
      }
      if (x > r.b.size() - r.p) return std::nullopt;  // every element takes at least a byte... or none
      std::vector<Value> elems;
      for (uint64_t i = 0; i < x; ++i) {
        auto e = de(r, l.fields[0], depth + 1);
        if (!e) return std::nullopt;
        elems.push_back(std::move(*e));
      }
      return make_vector(std::move(elems));
    }
    case LayoutKind::Struct: {
      std::vector<Value> fields;
      for (const auto& f : l.fields) {
        auto e = de(r, f, depth + 1);
        if (!e) return std::nullopt;
        fields.push_back(std::move(*e));
      }
      return make_struct(std::move(fields));
    }
    case LayoutKind::Enum: {
      if (!r.len(x) || x >= l.variants.size()) return std::nullopt;
      std::vector<Value> fields;
      for (const auto& f : l.variants[x]) {
        auto e = de(r, f, depth + 1);
        if (!e) return std::nullopt;
        fields.push_back(std::move(*e));
      }
      return make_variant(uint16_t(x), std::move(fields));
    }
    case LayoutKind::Function: {
      // A stored closure comes back unresolved (its function loads on first call).
      if (!r.len(x)) return std::nullopt;
      uint64_t version;
      if (!r.le(2, version) || version != kFunctionDataFormatV1) return std::nullopt;
      auto d = std::make_shared<ClosureData>();
      const uint8_t* a;
      if (!r.take(32, a)) return std::nullopt;
      std::memcpy(d->address.bytes.data(), a, 32);
      for (std::string* id : {&d->module, &d->function}) {
        uint64_t n;
        const uint8_t* p;
        if (!r.len(n) || !r.take(n, p)) return std::nullopt;
        id->assign(reinterpret_cast<const char*>(p), n);
        if (!is_valid_identifier(*id)) return std::nullopt;
      }
      uint64_t count;
      if (!r.len(count)) return std::nullopt;
      for (uint64_t i = 0; i < count; ++i) {
        auto t = read_type_tag(r.b, r.p);
        if (!t) return std::nullopt;
        d->ty_args.push_back(std::move(*t));
      }
      if (!r.le(8, d->mask)) return std::nullopt;
      uint64_t n = uint64_t(std::popcount(d->mask));
      if (x != 5 + 2 * n) return std::nullopt;  // the sequence holds exactly these elements
      auto c = std::make_shared<Container>(ContainerKind::Closure);
      c->mask = d->mask;
      for (uint64_t i = 0; i < n; ++i) {
        auto l = read_layout(r.b, r.p);
        if (!l) return std::nullopt;
        auto e = de(r, *l, depth + 1);
        if (!e) return std::nullopt;
        d->captured_layouts.push_back(std::move(*l));
        c->values.push_back(std::move(*e));
      }
      c->stored = std::move(d);
      return Value::container(std::move(c));
    }
  }
  return std::nullopt;
}

std::string display_prim(const Value& v) {
  switch (v.kind) {
    case ValueKind::Bool: return v.b ? "true" : "false";
    case ValueKind::U8: case ValueKind::U16: case ValueKind::U32: case ValueKind::U64:
      return std::to_string(v.u64);
    case ValueKind::I8: case ValueKind::I16: case ValueKind::I32: case ValueKind::I64:
      return std::to_string(int64_t(v.u64));
    case ValueKind::U128: case ValueKind::I128: {
      bool neg = v.kind == ValueKind::I128 && (__int128)v.u128 < 0;
      unsigned __int128 x = neg ? -v.u128 : v.u128;
      std::string s;
      do {
        s.push_back(char('0' + int(x % 10)));
        x /= 10;
      } while (x);
      if (neg) s.push_back('-');
      std::reverse(s.begin(), s.end());
      return s;
    }
    case ValueKind::U256: return v.u256.to_string();
    case ValueKind::I256: return v.u256.to_signed_string();
    case ValueKind::Address: return to_hex(v.address.view(), false);
    default: return "?";
  }
}

std::string display_impl(const Value& v, int depth);

std::string display_container(const Container& c, int depth) {
  std::string r;
  auto list = [&](const char* open, const char* close) {
    r = open;
    for (size_t i = 0; i < c.values.size(); ++i) r += (i ? ", " : "") + display_impl(c.values[i], depth + 1);
    r += close;
  };
  switch (c.kind) {
    case ContainerKind::VecU8:
      r = "[";
      for (size_t i = 0; i < c.bytes.size(); ++i) r += (i ? ", " : "") + std::to_string(c.bytes[i]);
      return r + "]";
    case ContainerKind::Vector: list("[", "]"); return r;
    case ContainerKind::Struct: list("{ ", " }"); return c.values.empty() ? "{ }" : r;
    case ContainerKind::Signer: list("{ ", " }"); return r;
    case ContainerKind::Variant:
      list("{ ", " }");
      return "#" + std::to_string(c.variant) + (c.values.empty() ? "{ }" : r);
    case ContainerKind::Closure: return "<closure>";
    case ContainerKind::Locals: list("(", ")"); return r;
  }
  return r;
}

std::string display_impl(const Value& v, int depth) {
  if (depth > 256) return "...";
  if (v.kind == ValueKind::Container && v.c) return display_container(*v.c, depth);
  if (v.is_ref()) {
    auto t = deref(v);
    if (!t) return "?";
    if (t->is_byte) return std::to_string(t->byte);
    if (t->c) return display_container(*t->c, depth);
    return display_impl(*t->v, depth + 1);
  }
  return display_prim(v);
}

}  // namespace

std::optional<Bytes> serialize_value(const Value& v, const TypeLayout& layout) {
  Bytes out;
  if (!ser(v, layout, out, 0)) return std::nullopt;
  return out;
}

std::optional<Value> deserialize_value(BytesView bytes, const TypeLayout& layout) {
  Reader r{bytes};
  auto v = de(r, layout, 0);
  if (!v || r.p != bytes.size()) return std::nullopt;
  return v;
}

std::string display_value(const Value& v) { return display_impl(v, 0); }

// ---------------------------------------------------------------------------------------------
// Native registry

std::optional<VMError> NativeRegistry::add(const AccountAddress& address, std::string module, std::string name,
                                           NativeFunction fn) {
  auto key = std::make_tuple(address, module, name);
  if (fns_.count(key))
    return VMError{StatusCode::DUPLICATE_NATIVE_FUNCTION,
                   "duplicate native " + short_hex(address) + "::" + module + "::" + name, {}, {}};
  fns_.emplace(std::move(key), std::move(fn));
  return std::nullopt;
}

const NativeFunction* NativeRegistry::find(const AccountAddress& address, std::string_view module,
                                           std::string_view name) const {
  // Owned strings: clang's libstdc++ has no tuple<string> < tuple<string_view> (lookups happen at link time).
  auto it = fns_.find(std::make_tuple(address, std::string(module), std::string(name)));
  return it == fns_.end() ? nullptr : &it->second;
}

}  // namespace lumio::movevm
