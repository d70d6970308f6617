// Storable function values: identity, runtime layouts, layout/tag codecs, lazy resolution.
#include "movevm/function_values.hpp"

#include <algorithm>
#include <cstring>

namespace lumio::movevm {

namespace {

VMError fail(StatusCode s, std::string msg) { return VMError{s, std::move(msg), {}, {}}; }

void uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

bool read_uleb(BytesView b, size_t& p, uint64_t& x) {
  x = 0;
  for (int shift = 0; shift < 32; shift += 7) {
    if (p >= b.size()) return false;
    uint8_t d = b[p++];
    x |= uint64_t(d & 0x7F) << shift;
    if (!(d & 0x80)) {
      if (shift > 0 && d == 0) return false;
      return x <= 0x7FFFFFFF;
    }
  }
  return false;
}

// Aptos bounds type tag nesting when deserializing (safe_serialize, MAX_TYPE_TAG_NESTING).
constexpr int kMaxTagNesting = 8;
constexpr int kMaxLayoutNesting = 128;

std::optional<TypeTag> tag_at(BytesView b, size_t& p, int depth);

std::optional<std::string> ident_at(BytesView b, size_t& p) {
  uint64_t n;
  if (!read_uleb(b, p, n) || n > b.size() - p) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(b.data() + p), n);
  p += n;
  if (!is_valid_identifier(s)) return std::nullopt;
  return s;
}

std::optional<StructTag> struct_tag_at(BytesView b, size_t& p, int depth) {
  StructTag st;
  if (b.size() - p < 32) return std::nullopt;
  std::memcpy(st.address.bytes.data(), b.data() + p, 32);
  p += 32;
  auto m = ident_at(b, p);
  if (!m) return std::nullopt;
  auto n = ident_at(b, p);
  if (!n) return std::nullopt;
  st.module = std::move(*m);
  st.name = std::move(*n);
  uint64_t count;
  if (!read_uleb(b, p, count)) return std::nullopt;
  for (uint64_t i = 0; i < count; ++i) {
    auto a = tag_at(b, p, depth + 1);
    if (!a) return std::nullopt;
    st.type_args.push_back(std::move(*a));
  }
  return st;
}

std::optional<TypeTag> tag_at(BytesView b, size_t& p, int depth) {
  if (depth > kMaxTagNesting) return std::nullopt;
  uint64_t k;
  if (!read_uleb(b, p, k) || k > uint64_t(TagKind::I256) || k == uint64_t(TagKind::Function)) return std::nullopt;
  TypeTag t;
  t.kind = TagKind(k);
  if (t.kind == TagKind::Vector) {
    auto e = tag_at(b, p, depth + 1);
    if (!e) return std::nullopt;
    t.element = std::make_shared<const TypeTag>(std::move(*e));
  } else if (t.kind == TagKind::Struct) {
    auto st = struct_tag_at(b, p, depth + 1);
    if (!st) return std::nullopt;
    t.struct_tag = std::make_shared<const StructTag>(std::move(*st));
  }
  return t;
}

// MoveTypeLayout variant indices (serde order of move-core-types value.rs).
enum : uint8_t {
  kLBool = 0, kLU8 = 1, kLU64 = 2, kLU128 = 3, kLAddress = 4, kLVector = 5, kLStruct = 6, kLSigner = 7,
  kLU16 = 8, kLU32 = 9, kLU256 = 10, kLNative = 11, kLFunction = 12, kLI8 = 13, kLI16 = 14, kLI32 = 15,
  kLI64 = 16, kLI128 = 17, kLI256 = 18,
};
// MoveStructLayout variants.
enum : uint8_t { kSRuntime = 0, kSRuntimeVariants = 1 };

constexpr std::pair<LayoutKind, uint8_t> kPrimLayouts[] = {
    {LayoutKind::Bool, kLBool}, {LayoutKind::U8, kLU8}, {LayoutKind::U64, kLU64}, {LayoutKind::U128, kLU128},
    {LayoutKind::Address, kLAddress}, {LayoutKind::Signer, kLSigner}, {LayoutKind::U16, kLU16},
    {LayoutKind::U32, kLU32}, {LayoutKind::U256, kLU256}, {LayoutKind::Function, kLFunction},
    {LayoutKind::I8, kLI8}, {LayoutKind::I16, kLI16}, {LayoutKind::I32, kLI32}, {LayoutKind::I64, kLI64},
    {LayoutKind::I128, kLI128}, {LayoutKind::I256, kLI256},
};

std::optional<TypeLayout> layout_at(BytesView b, size_t& p, int depth) {
  if (depth > kMaxLayoutNesting) return std::nullopt;
  uint64_t k;
  if (!read_uleb(b, p, k)) return std::nullopt;
  for (auto [lk, code] : kPrimLayouts)
    if (k == code) return TypeLayout{lk, {}, {}};
  auto list = [&](std::vector<TypeLayout>& out) {
    uint64_t n;
    if (!read_uleb(b, p, n) || n > b.size() - p) return false;
    for (uint64_t i = 0; i < n; ++i) {
      auto l = layout_at(b, p, depth + 1);
      if (!l) return false;
      out.push_back(std::move(*l));
    }
    return true;
  };
  if (k == kLVector) {
    auto e = layout_at(b, p, depth + 1);
    if (!e) return std::nullopt;
    return TypeLayout{LayoutKind::Vector, {std::move(*e)}, {}};
  }
  if (k != kLStruct) return std::nullopt;  // Native (delayed fields) never appears here
  uint64_t sk;
  if (!read_uleb(b, p, sk)) return std::nullopt;
  TypeLayout l;
  if (sk == kSRuntime) {
    l.kind = LayoutKind::Struct;
    if (!list(l.fields)) return std::nullopt;
    return l;
  }
  if (sk != kSRuntimeVariants) return std::nullopt;  // decorated layouts are not runtime layouts
  l.kind = LayoutKind::Enum;
  uint64_t n;
  if (!read_uleb(b, p, n) || n > b.size() - p) return std::nullopt;
  for (uint64_t i = 0; i < n; ++i) {
    l.variants.emplace_back();
    if (!list(l.variants.back())) return std::nullopt;
  }
  return l;
}

// Aptos MoveTypeLayout::is_compatible_with: equal, except that a stored enum layout may know
// fewer variants than the current one (enums grow by appending variants on upgrade).
bool layout_compatible(const TypeLayout& stored, const TypeLayout& now) {
  if (stored.kind != now.kind) return false;
  if (stored.kind == LayoutKind::Enum) {
    if (stored.variants.size() > now.variants.size()) return false;
    for (size_t i = 0; i < stored.variants.size(); ++i) {
      if (stored.variants[i].size() != now.variants[i].size()) return false;
      for (size_t j = 0; j < stored.variants[i].size(); ++j)
        if (!layout_compatible(stored.variants[i][j], now.variants[i][j])) return false;
    }
    return true;
  }
  if (stored.fields.size() != now.fields.size()) return false;
  for (size_t i = 0; i < stored.fields.size(); ++i)
    if (!layout_compatible(stored.fields[i], now.fields[i])) return false;
  return true;
}

struct Identity {
  AccountAddress address;
  std::string module;
  std::string function;
  std::vector<TypeTag> ty_args;
  bool operator==(const Identity&) const = default;
};

std::optional<Identity> identity_of(const Container& c) {
  if (c.kind != ContainerKind::Closure) return std::nullopt;
  if (c.stored) return Identity{c.stored->address, c.stored->module, c.stored->function, c.stored->ty_args};
  if (!c.function || !c.function->module) return std::nullopt;
  Identity id;
  if (!c.function->in_script) {
    id.address = c.function->module->address;
    id.module = c.function->module->name;
  }
  id.function = c.function->name;
  for (const auto& t : c.function_type_args) {
    auto tag = runtime_tag_of(t);
    if (!tag) return std::nullopt;
    id.ty_args.push_back(std::move(*tag));
  }
  return id;
}

}  // namespace

bool is_persistent(const LoadedFunction& fn) {
  if (fn.visibility == Visibility::Public) return true;
  if (fn.in_script || !fn.module || !fn.module->module) return false;
  const CompiledModule& m = *fn.module->module;
  if (fn.def_index >= m.function_defs.size()) return false;
  TableIndex h = m.function_defs[fn.def_index].function;
  if (h >= m.function_handles.size()) return false;
  for (const auto& a : m.function_handles[h].attributes)
    if (a.kind == FunctionAttributeKind::Persistent) return true;
  return false;
}

std::optional<TypeTag> runtime_tag_of(const Type& t) {
  if (auto tk = primitive_tag_kind(t.kind)) return TypeTag{*tk, nullptr, nullptr};
  if (t.kind == TypeKind::Vector && t.args.size() == 1) {
    auto e = runtime_tag_of(t.args[0]);
    if (!e) return std::nullopt;
    return TypeTag{TagKind::Vector, std::make_shared<const TypeTag>(std::move(*e)), nullptr};
  }
  if (t.kind == TypeKind::Struct && t.struct_info) {
    auto st = std::make_shared<StructTag>();
    st->address = t.struct_info->address;
    st->module = t.struct_info->module_name;
    st->name = t.struct_info->name;
    for (const auto& a : t.args) {
      auto e = runtime_tag_of(a);
      if (!e) return std::nullopt;
      st->type_args.push_back(std::move(*e));
    }
    return TypeTag{TagKind::Struct, nullptr, std::move(st)};
  }
  return std::nullopt;  // function types as type arguments: not supported by our TypeTag
}

std::optional<TypeLayout> runtime_layout_of(const Type& t) {
  static const std::pair<TypeKind, LayoutKind> kPrims[] = {
      {TypeKind::Bool, LayoutKind::Bool}, {TypeKind::U8, LayoutKind::U8}, {TypeKind::U16, LayoutKind::U16},
      {TypeKind::U32, LayoutKind::U32}, {TypeKind::U64, LayoutKind::U64}, {TypeKind::U128, LayoutKind::U128},
      {TypeKind::U256, LayoutKind::U256}, {TypeKind::I8, LayoutKind::I8}, {TypeKind::I16, LayoutKind::I16},
      {TypeKind::I32, LayoutKind::I32}, {TypeKind::I64, LayoutKind::I64}, {TypeKind::I128, LayoutKind::I128},
      {TypeKind::I256, LayoutKind::I256}, {TypeKind::Address, LayoutKind::Address},
      {TypeKind::Signer, LayoutKind::Signer}, {TypeKind::Function, LayoutKind::Function}};
  for (auto [k, lk] : kPrims)
    if (t.kind == k) return TypeLayout{lk, {}, {}};
  if (t.kind == TypeKind::Vector && t.args.size() == 1) {
    auto e = runtime_layout_of(t.args[0]);
    if (!e) return std::nullopt;
    return TypeLayout{LayoutKind::Vector, {std::move(*e)}, {}};
  }
  if (t.kind != TypeKind::Struct || !t.struct_info) return std::nullopt;
  const StructInfo& s = *t.struct_info;
  auto fields = [&](const std::vector<Type>& tys, std::vector<TypeLayout>& out) {
    for (const auto& f : tys) {
      auto l = runtime_layout_of(Loader::instantiate(f, t.args));
      if (!l) return false;
      out.push_back(std::move(*l));
    }
    return true;
  };
  TypeLayout l;
  if (s.is_enum) {
    l.kind = LayoutKind::Enum;
    for (const auto& v : s.variants) {
      l.variants.emplace_back();
      if (!fields(v, l.variants.back())) return std::nullopt;
    }
  } else {
    l.kind = LayoutKind::Struct;
    if (!fields(s.fields, l.fields)) return std::nullopt;
  }
  return l;
}

std::optional<ClosureData> closure_data_of(const Container& c) {
  if (c.kind != ContainerKind::Closure) return std::nullopt;
  if (c.stored) return *c.stored;
  if (!c.function || c.function->in_script || !is_persistent(*c.function)) return std::nullopt;
  auto id = identity_of(c);
  if (!id) return std::nullopt;
  ClosureData d{id->address, id->module, id->function, std::move(id->ty_args), c.mask, {}};
  const auto& params = c.function->params;
  for (size_t i = 0; i < params.size() && i < 64; ++i) {
    if (!((c.mask >> i) & 1)) continue;
    auto l = runtime_layout_of(Loader::instantiate(params[i], c.function_type_args));
    if (!l) return std::nullopt;
    d.captured_layouts.push_back(std::move(*l));
  }
  return d;
}

std::optional<bool> same_closure_function(const Container& a, const Container& b) {
  if (a.kind != ContainerKind::Closure || b.kind != ContainerKind::Closure) return std::nullopt;
  if (a.function && b.function && !a.stored && !b.stored)
    return a.function == b.function && a.function_type_args == b.function_type_args;
  auto x = identity_of(a), y = identity_of(b);
  if (!x || !y) return std::nullopt;
  return *x == *y;
}

namespace {
int sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }
int compare_tags(const TypeTag& a, const TypeTag& b);
int compare_tag_lists(const std::vector<TypeTag>& a, const std::vector<TypeTag>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (int c = compare_tags(a[i], b[i])) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}
// move-core-types' derived Ord: TypeTag by variant, StructTag by (address, module, name, args).
int compare_tags(const TypeTag& a, const TypeTag& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.kind == TagKind::Vector && a.element && b.element) return compare_tags(*a.element, *b.element);
  if (a.kind != TagKind::Struct || !a.struct_tag || !b.struct_tag) return 0;
  const StructTag &x = *a.struct_tag, &y = *b.struct_tag;
  if (x.address.bytes != y.address.bytes) return x.address.bytes < y.address.bytes ? -1 : 1;
  if (int c = sign(x.module.compare(y.module))) return c;
  if (int c = sign(x.name.compare(y.name))) return c;
  return compare_tag_lists(x.type_args, y.type_args);
}
}  // namespace

std::optional<int> compare_closure_functions(const Container& a, const Container& b) {
  auto x = identity_of(a), y = identity_of(b);
  if (!x || !y) return std::nullopt;
  bool xs = a.function && !a.stored && a.function->in_script, ys = b.function && !b.stored && b.function->in_script;
  if (xs != ys) return xs ? -1 : 1;  // None < Some(module id)
  if (x->address.bytes != y->address.bytes) return x->address.bytes < y->address.bytes ? -1 : 1;
  if (int c = sign(x->module.compare(y->module))) return c;
  if (int c = sign(x->function.compare(y->function))) return c;
  return compare_tag_lists(x->ty_args, y->ty_args);
}

void serialize_layout(const TypeLayout& l, Bytes& out) {
  for (auto [lk, code] : kPrimLayouts)
    if (l.kind == lk) {
      out.push_back(code);
      return;
    }
  if (l.kind == LayoutKind::Vector) {
    out.push_back(kLVector);
    serialize_layout(l.fields.at(0), out);
    return;
  }
  out.push_back(kLStruct);
  if (l.kind == LayoutKind::Struct) {
    out.push_back(kSRuntime);
    uleb(out, l.fields.size());
    for (const auto& f : l.fields) serialize_layout(f, out);
    return;
  }
  out.push_back(kSRuntimeVariants);
  uleb(out, l.variants.size());
  for (const auto& v : l.variants) {
    uleb(out, v.size());
    for (const auto& f : v) serialize_layout(f, out);
  }
}

std::optional<TypeTag> read_type_tag(BytesView bytes, size_t& pos) {
  size_t p = pos;
  auto t = tag_at(bytes, p, 1);
  if (t) pos = p;
  return t;
}

std::optional<TypeLayout> read_layout(BytesView bytes, size_t& pos) {
  size_t p = pos;
  auto l = layout_at(bytes, p, 1);
  if (l) pos = p;
  return l;
}

std::optional<VMError> resolve_closure(Loader& loader, Container& c) {
  if (c.kind != ContainerKind::Closure || !c.stored)
    return fail(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "closure without a function");
  const ClosureData& d = *c.stored;
  auto m = loader.load_module(d.address, d.module);
  if (!m) return m.error();
  const LoadedFunction* fn = nullptr;
  for (const auto& f : (*m)->functions)
    if (f->name == d.function) fn = f.get();
  if (!fn)
    return fail(StatusCode::FUNCTION_RESOLUTION_FAILURE,
                "Function " + short_hex(d.address) + "::" + d.module + "::" + d.function + " does not exist");
  if (fn->type_params.size() != d.ty_args.size())
    return fail(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH, "");
  std::vector<Type> tys;
  for (size_t i = 0; i < d.ty_args.size(); ++i) {
    auto t = loader.type_of_tag(d.ty_args[i]);
    if (!t) return t.error();
    if ((fn->type_params[i] & ~loader.abilities_of(*t)) != 0)
      return fail(StatusCode::CONSTRAINT_NOT_SATISFIED, "");
    tys.push_back(std::move(*t));
  }
  // The stored layouts must describe the captured parameters (paranoid mode in Aptos, which
  // production runs with).
  std::vector<const Type*> captured;
  for (size_t i = 0; i < fn->params.size() && i < 64; ++i)
    if ((d.mask >> i) & 1) captured.push_back(&fn->params[i]);
  if (captured.size() != d.captured_layouts.size() || (fn->params.size() < 64 && (d.mask >> fn->params.size())))
    return fail(StatusCode::FUNCTION_RESOLUTION_FAILURE, "captured argument count does not match declared parameters");
  for (size_t i = 0; i < captured.size(); ++i) {
    auto l = runtime_layout_of(Loader::instantiate(*captured[i], tys));
    if (!l || !layout_compatible(d.captured_layouts[i], *l))
      return fail(StatusCode::FUNCTION_RESOLUTION_FAILURE,
                  "stored captured argument layout does not match declared parameters");
  }
  // Resolved: from now on the closure is its function (Aptos drops the stored data, so a later
  // serialization recomputes the captured layouts from the current code).
  c.function = fn;
  c.function_type_args = std::move(tys);
  c.stored.reset();
  return std::nullopt;
}

}  // namespace lumio::movevm
