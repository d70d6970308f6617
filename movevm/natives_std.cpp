// move-stdlib natives: vector, signer, bcs, hash, string, debug, cmp, mem.
#include <algorithm>
#include <iostream>

#include "common/hash.hpp"
#include "movevm/function_values.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

// The vector a `&vector<T>` / `&mut vector<T>` argument designates.
Container* vector_of(const Value& v) {
  Container* c = container_of(v);
  return c && (c->kind == ContainerKind::Vector || c->kind == ContainerKind::VecU8) ? c : nullptr;
}

// Aptos reports vector misuse as VECTOR_OPERATION_ERROR with a sub status
// (1: index out of bounds, 2: pop from empty, 3: destroy non-empty).
VMError vector_error(uint64_t sub, const char* what) {
  return VMError{StatusCode::VECTOR_OPERATION_ERROR, std::string(what) + " (sub status " + std::to_string(sub) + ")", {}, {}};
}

// A reference to element i: containers are referenced whole, primitives by slot.
Value element_ref(const ContainerPtr& vec, uint32_t i) {
  if (vec->kind != ContainerKind::VecU8) {
    const Value& e = vec->values[i];
    if (e.kind == ValueKind::Container) return Value::container_ref(e.c);
  }
  return Value::indexed_ref(vec, i);
}

// The value a reference designates, sharing containers (for reading natives).
std::optional<Value> deref_shared(const Value& ref) {
  if (ref.kind == ValueKind::ContainerRef) return Value::container(ref.c);
  if (ref.kind == ValueKind::IndexedRef) {
    if (ref.c && ref.c->kind == ContainerKind::VecU8) {
      if (ref.index >= ref.c->bytes.size()) return std::nullopt;
      return Value::u8(ref.c->bytes[ref.index]);
    }
    const Value* t = peek_indexed(ref);
    if (!t) return std::nullopt;
    return *t;
  }
  return std::nullopt;
}

// Structural comparison of two values of one type (cmp::compare).
std::optional<int> compare_values(const Value& a, const Value& b, int depth = 0) {
  if (depth > 256) return std::nullopt;
  if (a.kind != b.kind) return std::nullopt;
  auto sgn = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (a.kind) {
    case ValueKind::Bool: return sgn(a.b, b.b);
    case ValueKind::U8: case ValueKind::U16: case ValueKind::U32: case ValueKind::U64: return sgn(a.u64, b.u64);
    case ValueKind::I8: case ValueKind::I16: case ValueKind::I32: case ValueKind::I64:
      return sgn(a.as_i64(), b.as_i64());
    case ValueKind::U128: return sgn(a.u128, b.u128);
    case ValueKind::I128: return sgn(a.as_i128(), b.as_i128());
    case ValueKind::U256: case ValueKind::I256: {
      bool sa = a.kind == ValueKind::I256 && (a.u256.w[3] >> 63), sb = a.kind == ValueKind::I256 && (b.u256.w[3] >> 63);
      if (sa != sb) return sa ? -1 : 1;
      for (int i = 3; i >= 0; --i)
        if (a.u256.w[i] != b.u256.w[i]) return a.u256.w[i] < b.u256.w[i] ? -1 : 1;
      return 0;
    }
    case ValueKind::Address: return sgn(a.address.bytes, b.address.bytes);
    case ValueKind::Container: {
      const Container& x = *a.c;
      const Container& y = *b.c;
      if (x.kind == ContainerKind::VecU8 && y.kind == ContainerKind::VecU8) {
        size_t m = std::min(x.bytes.size(), y.bytes.size());
        for (size_t i = 0; i < m; ++i)
          if (x.bytes[i] != y.bytes[i]) return sgn(x.bytes[i], y.bytes[i]);
        return sgn(x.bytes.size(), y.bytes.size());
      }
      if (x.kind == ContainerKind::Variant && x.variant != y.variant) return sgn(x.variant, y.variant);
      if (x.kind == ContainerKind::Closure) {  // the functions first, then the captured values
        auto f = compare_closure_functions(x, y);
        if (!f || *f != 0) return f;
      }
      size_t n = std::min(x.values.size(), y.values.size());
      for (size_t i = 0; i < n; ++i) {
        auto r = compare_values(x.values[i], y.values[i], depth + 1);
        if (!r || *r != 0) return r;
      }
      return sgn(x.values.size(), y.values.size());
    }
    default: return std::nullopt;
  }
}

// Type nodes and constant size of a layout (bcs::constant_serialized_size).
void layout_nodes(const TypeLayout& l, uint64_t& nodes) {
  ++nodes;
  for (const auto& f : l.fields) layout_nodes(f, nodes);
  for (const auto& v : l.variants)
    for (const auto& f : v) layout_nodes(f, nodes);
}
std::optional<uint64_t> constant_size(const TypeLayout& l) {
  switch (l.kind) {
    case LayoutKind::Bool: case LayoutKind::U8: case LayoutKind::I8: return 1;
    case LayoutKind::U16: case LayoutKind::I16: return 2;
    case LayoutKind::U32: case LayoutKind::I32: return 4;
    case LayoutKind::U64: case LayoutKind::I64: return 8;
    case LayoutKind::U128: case LayoutKind::I128: return 16;
    case LayoutKind::U256: case LayoutKind::I256: case LayoutKind::Address: case LayoutKind::Signer: return 32;
    case LayoutKind::Struct: {
      uint64_t total = 0;
      for (const auto& f : l.fields) {
        auto s = constant_size(f);
        if (!s) return std::nullopt;
        total += *s;
      }
      return total;
    }
    default: return std::nullopt;  // vectors, enums, closures vary in size
  }
}

bool is_char_boundary(const Bytes& s, uint64_t i) {
  if (i == 0 || i == s.size()) return true;
  if (i > s.size()) return false;
  return int8_t(s[i]) >= -0x40;
}

constexpr uint64_t kBcsSerializationFailure = 0x1C5;  // NFE_BCS_SERIALIZATION_FAILURE

}  // namespace

bool valid_utf8(const Bytes& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    uint8_t c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;  // overlong, surrogate
    i += len;
  }
  return true;
}

void register_std(Registrar& r, const GasParameters& g, const NativeOptions& options) {
  const GasParameters* gp = &g;
  auto instr = [gp](Opcode op) { return gp->simple[uint8_t(op)]; };

  // --- vector (costs of the equivalent bytecode instructions)
  r.add(1, "vector", "empty", [instr](NativeContext&, Ty ty, Args&) -> Expected<NativeResult> {
    if (ty.size() != 1) return invariant("vector::empty arity");
    return NativeResult::ok({empty_vector_of(ty[0])}, instr(Opcode::VecPack));
  });
  r.add(1, "vector", "length", [instr](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* v = a.size() == 1 ? vector_of(a[0]) : nullptr;
    if (!v) return invariant("vector::length argument");
    return NativeResult::ok({Value::u64v(v->size())}, instr(Opcode::VecLen));
  });
  for (bool mut : {false, true}) {
    r.add(1, "vector", mut ? "borrow_mut" : "borrow", [instr, mut](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
      Container* v = a.size() == 2 ? vector_of(a[0]) : nullptr;
      auto i = a.size() == 2 ? u64_of(a[1]) : std::nullopt;
      if (!v || !i) return invariant("vector::borrow arguments");
      if (*i >= v->size()) return vector_error(1, "vector::borrow index out of bounds");
      return NativeResult::ok({element_ref(a[0].c, uint32_t(*i))}, instr(mut ? Opcode::VecMutBorrow : Opcode::VecImmBorrow));
    });
  }
  r.add(1, "vector", "push_back", [instr](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* v = a.size() == 2 ? vector_of(a[0]) : nullptr;
    if (!v) return invariant("vector::push_back arguments");
    if (v->kind == ContainerKind::VecU8) {
      if (a[1].kind != ValueKind::U8) return invariant("vector<u8>::push_back element");
      v->bytes.push_back(uint8_t(a[1].u64));
    } else {
      v->values.push_back(std::move(a[1]));
    }
    return NativeResult::ok({}, instr(Opcode::VecPushBack));
  });
  r.add(1, "vector", "pop_back", [instr](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* v = a.size() == 1 ? vector_of(a[0]) : nullptr;
    if (!v) return invariant("vector::pop_back argument");
    if (v->size() == 0) return vector_error(2, "vector::pop_back on an empty vector");
    Value out;
    if (v->kind == ContainerKind::VecU8) {
      out = Value::u8(v->bytes.back());
      v->bytes.pop_back();
    } else {
      out = std::move(v->values.back());
      v->values.pop_back();
    }
    return NativeResult::ok({std::move(out)}, instr(Opcode::VecPopBack));
  });
  r.add(1, "vector", "destroy_empty", [instr](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* v = a.size() == 1 ? vector_of(a[0]) : nullptr;
    if (!v) return invariant("vector::destroy_empty argument");
    if (v->size() != 0) return vector_error(3, "vector::destroy_empty on a non-empty vector");
    return NativeResult::ok({}, instr(Opcode::VecUnpack));
  });
  r.add(1, "vector", "swap", [instr](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* v = a.size() == 3 ? vector_of(a[0]) : nullptr;
    auto i = a.size() == 3 ? u64_of(a[1]) : std::nullopt;
    auto j = a.size() == 3 ? u64_of(a[2]) : std::nullopt;
    if (!v || !i || !j) return invariant("vector::swap arguments");
    if (*i >= v->size() || *j >= v->size()) return vector_error(1, "vector::swap index out of bounds");
    if (v->kind == ContainerKind::VecU8)
      std::swap(v->bytes[*i], v->bytes[*j]);
    else
      std::swap(v->values[*i], v->values[*j]);
    return NativeResult::ok({}, instr(Opcode::VecSwap));
  });
  // move_range(from, removal_position, length, to, insert_position)
  uint64_t mr_base = g.native("move_stdlib.vector.move_range.base");
  uint64_t mr_per = g.native("move_stdlib.vector.move_range.per_index_moved");
  r.add(1, "vector", "move_range", [mr_base, mr_per](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* from = a.size() == 5 ? vector_of(a[0]) : nullptr;
    Container* to = a.size() == 5 ? vector_of(a[3]) : nullptr;
    auto pos = a.size() == 5 ? u64_of(a[1]) : std::nullopt;
    auto len = a.size() == 5 ? u64_of(a[2]) : std::nullopt;
    auto ins = a.size() == 5 ? u64_of(a[4]) : std::nullopt;
    if (!from || !to || !pos || !len || !ins || from->kind != to->kind) return invariant("vector::move_range arguments");
    constexpr uint64_t kIndexOutOfBounds = 1;  // EINDEX_OUT_OF_BOUNDS of the native (raw, no category)
    if (*pos > from->size() || *len > from->size() - *pos || *ins > to->size())
      return NativeResult::abort(kIndexOutOfBounds, mr_base);
    uint64_t moved = (from->size() - *pos) + (to->size() - *ins) + *len;
    if (from->kind == ContainerKind::VecU8) {
      Bytes mid(from->bytes.begin() + *pos, from->bytes.begin() + *pos + *len);
      from->bytes.erase(from->bytes.begin() + *pos, from->bytes.begin() + *pos + *len);
      to->bytes.insert(to->bytes.begin() + *ins, mid.begin(), mid.end());
    } else {
      std::vector<Value> mid(std::make_move_iterator(from->values.begin() + *pos),
                             std::make_move_iterator(from->values.begin() + *pos + *len));
      from->values.erase(from->values.begin() + *pos, from->values.begin() + *pos + *len);
      to->values.insert(to->values.begin() + *ins, std::make_move_iterator(mid.begin()),
                        std::make_move_iterator(mid.end()));
    }
    return NativeResult::ok({}, mr_base + mr_per * moved);
  });

  // --- signer
  uint64_t signer_cost = g.native("move_stdlib.signer.borrow_address.base");
  r.add(1, "signer", "borrow_address", [signer_cost](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* s = a.size() == 1 ? container_of(a[0]) : nullptr;
    if (!s || s->kind != ContainerKind::Signer) return invariant("signer::borrow_address argument");
    return NativeResult::ok({Value::indexed_ref(a[0].c, 0)}, signer_cost);
  });

  // --- bcs
  uint64_t bcs_per_byte = g.native("move_stdlib.bcs.to_bytes.per_byte_serialized");
  uint64_t bcs_failure = g.native("move_stdlib.bcs.to_bytes.failure");
  r.add(1, "bcs", "to_bytes", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("bcs::to_bytes arity");
    auto layout = ctx.layout_of(ty[0]);
    auto v = deref_shared(a[0]);
    if (!layout || !v) return NativeResult::abort(kBcsSerializationFailure, bcs_failure);
    auto bytes = serialize_value(*v, *layout);
    if (!bytes) return NativeResult::abort(kBcsSerializationFailure, bcs_failure);
    uint64_t cost = bcs_per_byte * bytes->size();
    return NativeResult::ok({make_vec_u8(std::move(*bytes))}, cost);
  });
  uint64_t ss_base = g.native("move_stdlib.bcs.serialized_size.base");
  uint64_t ss_per_byte = g.native("move_stdlib.bcs.serialized_size.per_byte_serialized");
  uint64_t ss_failure = g.native("move_stdlib.bcs.serialized_size.failure");
  r.add(1, "bcs", "serialized_size", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("bcs::serialized_size arity");
    auto layout = ctx.layout_of(ty[0]);
    auto v = deref_shared(a[0]);
    if (!layout || !v) return NativeResult::abort(kBcsSerializationFailure, ss_base + ss_failure);
    auto bytes = serialize_value(*v, *layout);
    if (!bytes) return NativeResult::abort(kBcsSerializationFailure, ss_base + ss_failure);
    return NativeResult::ok({Value::u64v(bytes->size())}, ss_base + ss_per_byte * bytes->size());
  });
  uint64_t cs_base = g.native("move_stdlib.bcs.constant_serialized_size.base");
  uint64_t cs_per_node = g.native("move_stdlib.bcs.constant_serialized_size.per_type_node");
  r.add(1, "bcs", "constant_serialized_size", [=](NativeContext& ctx, Ty ty, Args&) -> Expected<NativeResult> {
    if (ty.size() != 1) return invariant("bcs::constant_serialized_size arity");
    auto layout = ctx.layout_of(ty[0]);
    if (!layout) return layout.error();
    uint64_t nodes = 0;
    layout_nodes(*layout, nodes);
    auto size = constant_size(*layout);
    std::optional<Value> v;
    if (size) v = Value::u64v(*size);
    return NativeResult::ok({make_option(std::move(v))}, cs_base + cs_per_node * nodes);
  });

  // --- hash
  uint64_t s2_base = g.native("move_stdlib.hash.sha2_256.base"), s2_per = g.native("move_stdlib.hash.sha2_256.per_byte");
  uint64_t s3_base = g.native("move_stdlib.hash.sha3_256.base"), s3_per = g.native("move_stdlib.hash.sha3_256.per_byte");
  r.add(1, "hash", "sha2_256", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("hash::sha2_256 argument");
    Hash32 h = sha256(*b);
    return NativeResult::ok({make_vec_u8(Bytes(h.bytes.begin(), h.bytes.end()))}, per_byte(s2_base, s2_per, b->size()));
  });
  r.add(1, "hash", "sha3_256", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("hash::sha3_256 argument");
    Hash32 h = sha3_256(*b);
    return NativeResult::ok({make_vec_u8(Bytes(h.bytes.begin(), h.bytes.end()))}, per_byte(s3_base, s3_per, b->size()));
  });

  // --- string
  uint64_t u8_base = g.native("move_stdlib.string.check_utf8.base"), u8_per = g.native("move_stdlib.string.check_utf8.per_byte");
  uint64_t cb_base = g.native("move_stdlib.string.is_char_boundary.base");
  uint64_t sub_base = g.native("move_stdlib.string.sub_string.base"), sub_per = g.native("move_stdlib.string.sub_string.per_byte");
  uint64_t io_base = g.native("move_stdlib.string.index_of.base");
  uint64_t io_pat = g.native("move_stdlib.string.index_of.per_byte_pattern");
  uint64_t io_searched = g.native("move_stdlib.string.index_of.per_byte_searched");
  r.add(1, "string", "internal_check_utf8", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("string::internal_check_utf8 argument");
    return NativeResult::ok({Value::boolean(valid_utf8(*b))}, per_byte(u8_base, u8_per, b->size()));
  });
  r.add(1, "string", "internal_is_char_boundary", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 2 ? bytes_of(a[0]) : nullptr;
    auto i = a.size() == 2 ? u64_of(a[1]) : std::nullopt;
    if (!b || !i) return invariant("string::internal_is_char_boundary arguments");
    return NativeResult::ok({Value::boolean(is_char_boundary(*b, *i))}, cb_base);
  });
  r.add(1, "string", "internal_sub_string", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 3 ? bytes_of(a[0]) : nullptr;
    auto i = a.size() == 3 ? u64_of(a[1]) : std::nullopt;
    auto j = a.size() == 3 ? u64_of(a[2]) : std::nullopt;
    if (!b || !i || !j) return invariant("string::internal_sub_string arguments");
    // The Move wrapper checks the boundaries first; out-of-range input is an invariant breach.
    if (*j < *i || *j > b->size()) return invariant("string::internal_sub_string range");
    return NativeResult::ok({make_vec_u8(Bytes(b->begin() + *i, b->begin() + *j))},
                            per_byte(sub_base, sub_per, *j - *i));
  });
  r.add(1, "string", "internal_index_of", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 2 ? bytes_of(a[0]) : nullptr;
    const Bytes* p = a.size() == 2 ? bytes_of(a[1]) : nullptr;
    if (!s || !p) return invariant("string::internal_index_of arguments");
    auto it = std::search(s->begin(), s->end(), p->begin(), p->end());
    uint64_t pos = uint64_t(it - s->begin());
    uint64_t searched = it == s->end() ? s->size() : pos + p->size();
    return NativeResult::ok({Value::u64v(pos)}, io_base + io_pat * p->size() + io_searched * searched);
  });

  // --- debug: no output and no cost in production, as Aptos.
  bool dbg = options.debug_output;
  auto print = [dbg](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (dbg && !a.empty()) {
      auto v = a[0].is_ref() ? deref_shared(a[0]) : std::optional<Value>(a[0]);
      if (v) std::cerr << "[debug] " << display_value(*v) << "\n";
    }
    return NativeResult::ok({});
  };
  r.add(1, "debug", "print", print);
  r.add(1, "debug", "native_print", print);
  r.add(1, "debug", "print_stack_trace", [](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::ok({});
  });
  r.add(1, "debug", "native_stack_trace", [](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::ok({make_string("")});
  });

  // --- cmp::compare<T>(&T, &T): Ordering { Less, Equal, Greater }
  uint64_t cmp_base = g.native("move_stdlib.cmp.compare.base"), cmp_unit = g.native("move_stdlib.cmp.compare.per_abs_val_unit");
  r.add(1, "cmp", "compare", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 2) return invariant("cmp::compare arity");
    auto x = deref_shared(a[0]), y = deref_shared(a[1]);
    if (!x || !y) return invariant("cmp::compare arguments");
    auto c = compare_values(*x, *y);
    if (!c) return invariant("cmp::compare of different shapes");
    uint64_t cost = cmp_base + cmp_unit * (gp->abs.size(*x) + gp->abs.size(*y));
    return NativeResult::ok({make_variant(uint16_t(*c + 1), {})}, cost);
  });

  // --- mem::swap<T>(&mut T, &mut T)
  uint64_t swap_base = g.native("move_stdlib.mem.swap.base");
  r.add(1, "mem", "swap", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 2) return invariant("mem::swap arity");
    if (a[0].kind == ValueKind::ContainerRef && a[1].kind == ValueKind::ContainerRef) {
      Container& x = *a[0].c;
      Container& y = *a[1].c;
      std::swap(x.values, y.values);
      std::swap(x.bytes, y.bytes);
      std::swap(x.variant, y.variant);
      std::swap(x.kind, y.kind);
      return NativeResult::ok({}, swap_base);
    }
    auto x = read_ref(a[0]);
    auto y = read_ref(a[1]);
    if (!x || !y) return invariant("mem::swap arguments");
    if (auto e = write_ref(a[0], std::move(*y))) return *e;
    if (auto e = write_ref(a[1], std::move(*x))) return *e;
    return NativeResult::ok({}, swap_base);
  });
}

}  // namespace lumio::movevm::natives
