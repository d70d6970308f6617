// 0x1::ristretto255 natives (aptos-framework ristretto255_point.rs / ristretto255_scalar.rs):
// points live in a per-session PointStore and Move holds their handles; scalars are 32-byte
// little-endian vectors. Group and scalar arithmetic is libsodium's; written here are only what
// it lacks: the canonical-scalar test, the multi-scalar sum (a plain sum of products) and the
// handle bookkeeping; the multi-scalar multiplication is ristretto_msm.cpp.
#include <sodium.h>

#include <cstring>

#include "movevm/natives_internal.hpp"
#include "movevm/ristretto_internal.hpp"

namespace lumio::movevm {
namespace ristretto {

const Point kBasepoint = {0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
                          0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76};

bool is_canonical_scalar(const uint8_t* s) {
  static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  for (int i = 31; i >= 0; --i)
    if (s[i] != L[i]) return s[i] < L[i];
  return false;
}

// libsodium 1.0.18 ignores the top bit of s (it reads s mod 2^255); RFC 9496 and dalek reject
// any s >= p, so that bit is checked here.
std::optional<Point> decode(BytesView bytes) {
  if (bytes.size() != 32 || (bytes[31] & 0x80) || crypto_core_ristretto255_is_valid_point(bytes.data()) != 1)
    return std::nullopt;
  Point p;
  std::memcpy(p.data(), bytes.data(), 32);
  return p;
}

// Stored points are valid encodings, so libsodium's decoding inside each operation succeeds;
// its -1 for an identity result (scalar multiplication) still leaves the identity encoding.
Point add(const Point& a, const Point& b) {
  Point r;
  crypto_core_ristretto255_add(r.data(), a.data(), b.data());
  return r;
}
Point sub(const Point& a, const Point& b) {
  Point r;
  crypto_core_ristretto255_sub(r.data(), a.data(), b.data());
  return r;
}
Point neg(const Point& a) { return sub(kIdentity, a); }
Point mul(const Point& p, const Scalar& s) {
  Point r{};
  if (crypto_scalarmult_ristretto255(r.data(), s.data(), p.data()) != 0) r = kIdentity;
  return r;
}
Point basepoint_mul(const Scalar& s) {
  Point r{};
  if (crypto_scalarmult_ristretto255_base(r.data(), s.data()) != 0) r = kIdentity;
  return r;
}
Point from_uniform_bytes(const uint8_t* b64) {
  Point r;
  crypto_core_ristretto255_from_hash(r.data(), b64);
  return r;
}
Point hash_sha512(BytesView msg) {
  uint8_t h[64];
  crypto_hash_sha512(h, msg.data(), msg.size());
  return from_uniform_bytes(h);
}
Point multi_scalar_mul(std::span<const Scalar> scalars, std::span<const Point> points) {
  if (auto r = multi_scalar_mul_vartime(scalars, points)) return *r;
  return multi_scalar_mul_sodium(scalars, points);
}
Point multi_scalar_mul_sodium(std::span<const Scalar> scalars, std::span<const Point> points) {
  Point acc = kIdentity;
  for (size_t i = 0; i < scalars.size() && i < points.size(); ++i) {
    if (scalars[i] == kZero || points[i] == kIdentity) continue;
    acc = add(acc, scalars[i] == kOne ? points[i] : mul(points[i], scalars[i]));
  }
  return acc;
}

Scalar scalar_from_u64(uint64_t v) {
  Scalar s{};
  for (int i = 0; i < 8; ++i) s[i] = uint8_t(v >> (8 * i));
  return s;
}
Scalar scalar_reduce64(const uint8_t* b64) {
  Scalar s;
  uint8_t buf[64];
  std::memcpy(buf, b64, 64);  // libsodium's reduce may not alias its input
  crypto_core_ristretto255_scalar_reduce(s.data(), buf);
  return s;
}
Scalar scalar_reduce32(const uint8_t* b32) {
  uint8_t wide[64] = {};
  std::memcpy(wide, b32, 32);
  return scalar_reduce64(wide);
}
Scalar scalar_add(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_add(r.data(), a.data(), b.data());
  return r;
}
Scalar scalar_sub(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_sub(r.data(), a.data(), b.data());
  return r;
}
Scalar scalar_mul(const Scalar& a, const Scalar& b) {
  Scalar r;
  crypto_core_ristretto255_scalar_mul(r.data(), a.data(), b.data());
  return r;
}
Scalar scalar_neg(const Scalar& a) {
  Scalar r;
  crypto_core_ristretto255_scalar_negate(r.data(), a.data());
  return r;
}
Scalar scalar_invert(const Scalar& a) {
  Scalar r{};
  if (crypto_core_ristretto255_scalar_invert(r.data(), a.data()) != 0) r = kZero;
  return r;
}

PointStore& point_store(NativeExtensions& ext) {
  if (auto* s = ext.get<PointStore>()) return *s;
  return ext.add(std::make_shared<PointStore>());
}

}  // namespace ristretto

namespace natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;
using ristretto::Point;
using ristretto::PointStore;
using ristretto::Scalar;

VMError type_error(const char* what) {
  return VMError{StatusCode::INTERNAL_TYPE_ERROR, std::string("ristretto255: ") + what, {}, {}};
}

// The struct a value or reference designates (e.g. &RistrettoPoint, an element of &vector<Scalar>).
const Container* struct_of(const Value& v) {
  if (Container* c = container_of(v)) return c;
  if (v.kind == ValueKind::IndexedRef)
    if (const Value* t = peek_indexed(v)) return container_of(*t);
  return nullptr;
}

// A RistrettoPoint's handle (field 0), checked against the store.
std::optional<uint64_t> point_handle(const Value& v, const PointStore& store) {
  const Container* c = struct_of(v);
  if (!c || c->kind != ContainerKind::Struct || c->values.size() != 1 || c->values[0].kind != ValueKind::U64)
    return std::nullopt;
  uint64_t h = c->values[0].u64;
  if (h >= store.points.size()) return std::nullopt;
  return h;
}
std::optional<uint64_t> raw_handle(const Value& v, const PointStore& store) {
  auto h = u64_of(v);
  if (!h || *h >= store.points.size()) return std::nullopt;
  return h;
}

// scalar_from_valid_bytes: exactly 32 bytes (else INTERNAL_TYPE_ERROR), the high bit cleared
// (Scalar::from_bits), then canonical (else an invariant violation, as safely_assert_eq!).
Expected<Scalar> scalar_arg(const Bytes* b) {
  if (!b || b->size() != 32) return type_error("scalar is not 32 bytes");
  Scalar s;
  std::memcpy(s.data(), b->data(), 32);
  s[31] &= 0x7f;
  if (!ristretto::is_canonical_scalar(s.data())) return invariant("ristretto255: non-canonical scalar");
  return s;
}

Value scalar_value(const Scalar& s) { return make_vec_u8(Bytes(s.begin(), s.end())); }

// safe_add_point: the next handle, or the E_TOO_MANY_POINTS_CREATED abort.
NativeResult push_point(PointStore& store, const Point& p, uint64_t cost) {
  if (store.points.size() >= PointStore::kMaxPoints) return NativeResult::abort(PointStore::kTooManyPoints, cost);
  store.points.push_back(p);
  return NativeResult::ok({Value::u64v(store.points.size() - 1)}, cost);
}

uint64_t log2_floor(uint64_t n) { return 63 - uint64_t(__builtin_clzll(n)); }

}  // namespace

void register_ristretto(Registrar& r, const GasParameters& g) {
  if (sodium_init() < 0) {
    r.error = invariant("libsodium failed to initialise");
    return;
  }
  auto p = [&](const char* n) { return g.native(std::string("aptos_framework.ristretto255.") + n); };
  const uint64_t basepoint_mul = p("basepoint_mul"), basepoint_double_mul = p("basepoint_double_mul");
  const uint64_t point_add = p("point_add"), point_clone = p("point_clone"), point_compress = p("point_compress");
  const uint64_t point_decompress = p("point_decompress"), point_equals = p("point_equals");
  const uint64_t from_64 = p("point_from_64_uniform_bytes"), point_identity = p("point_identity");
  const uint64_t point_mul = p("point_mul"), point_double_mul = p("point_double_mul"), point_neg = p("point_neg");
  const uint64_t point_sub = p("point_sub"), point_parse_arg = p("point_parse_arg");
  const uint64_t sha_byte = p("scalar_sha512_per_byte"), sha_hash = p("scalar_sha512_per_hash");
  const uint64_t scalar_add = p("scalar_add"), reduced_32 = p("scalar_reduced_from_32_bytes");
  const uint64_t uniform_64 = p("scalar_uniform_from_64_bytes"), from_u128 = p("scalar_from_u128");
  const uint64_t from_u64 = p("scalar_from_u64"), scalar_invert = p("scalar_invert");
  const uint64_t scalar_is_canonical = p("scalar_is_canonical"), scalar_mul = p("scalar_mul");
  const uint64_t scalar_neg = p("scalar_neg"), scalar_sub = p("scalar_sub"), scalar_parse_arg = p("scalar_parse_arg");

  auto add = [&](const char* name, NativeFunction fn) { r.add(1, "ristretto255", name, std::move(fn)); };
  auto store_of = [](NativeContext& ctx) -> PointStore& { return ristretto::point_store(ctx.extensions()); };

  // --- points
  add("point_identity_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (!a.empty()) return invariant("point_identity_internal arguments");
    return push_point(store_of(ctx), ristretto::kIdentity, point_identity);
  });
  add("point_is_canonical_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("point_is_canonical_internal argument");
    return NativeResult::ok({Value::boolean(ristretto::decode(*b).has_value())}, point_decompress);
  });
  add("point_decompress_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("point_decompress_internal argument");
    auto pt = ristretto::decode(*b);
    if (!pt) return NativeResult::ok({Value::u64v(UINT64_MAX), Value::boolean(false)}, point_decompress);
    NativeResult res = push_point(store_of(ctx), *pt, point_decompress);
    if (!res.aborted) res.values.push_back(Value::boolean(true));
    return res;
  });
  add("point_clone_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    auto h = a.size() == 1 ? raw_handle(a[0], s) : std::nullopt;
    if (!h) return invariant("point_clone_internal handle");
    return push_point(s, s.points[*h], point_clone);
  });
  add("point_compress_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    auto h = a.size() == 1 ? point_handle(a[0], s) : std::nullopt;
    if (!h) return invariant("point_compress_internal argument");
    const Point& pt = s.points[*h];
    return NativeResult::ok({make_vec_u8(Bytes(pt.begin(), pt.end()))}, point_compress);
  });
  // point_mul_internal(point: &RistrettoPoint, a: vector<u8>, in_place: bool)
  add("point_mul_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    if (a.size() != 3) return invariant("point_mul_internal arguments");
    const Value* in_place = primitive_of(a[2]);
    if (!in_place || in_place->kind != ValueKind::Bool) return invariant("point_mul_internal in_place");
    auto sc = scalar_arg(bytes_of(a[1]));
    if (!sc) return sc.error();
    auto h = point_handle(a[0], s);
    if (!h) return invariant("point_mul_internal point");
    Point res = ristretto::mul(s.points[*h], *sc);
    if (in_place->b) {
      s.points[*h] = res;
      return NativeResult::ok({Value::u64v(*h)}, point_mul);
    }
    return push_point(s, res, point_mul);
  });
  add("point_equals", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    auto x = a.size() == 2 ? point_handle(a[0], s) : std::nullopt;
    auto y = a.size() == 2 ? point_handle(a[1], s) : std::nullopt;
    if (!x || !y) return invariant("point_equals arguments");
    return NativeResult::ok({Value::boolean(s.points[*x] == s.points[*y])}, point_equals);
  });
  add("point_neg_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    if (a.size() != 2) return invariant("point_neg_internal arguments");
    const Value* in_place = primitive_of(a[1]);
    auto h = point_handle(a[0], s);
    if (!h || !in_place || in_place->kind != ValueKind::Bool) return invariant("point_neg_internal arguments");
    Point res = ristretto::neg(s.points[*h]);
    if (in_place->b) {
      s.points[*h] = res;
      return NativeResult::ok({Value::u64v(*h)}, point_neg);
    }
    return push_point(s, res, point_neg);
  });
  auto binary = [=](const char* name, uint64_t cost, Point (*op)(const Point&, const Point&)) {
    return [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
      PointStore& s = store_of(ctx);
      if (a.size() != 3) return invariant(std::string(name) + " arguments");
      const Value* in_place = primitive_of(a[2]);
      auto x = point_handle(a[0], s), y = point_handle(a[1], s);
      if (!x || !y || !in_place || in_place->kind != ValueKind::Bool) return invariant(std::string(name) + " arguments");
      Point res = op(s.points[*x], s.points[*y]);
      if (in_place->b) {
        s.points[*x] = res;
        return NativeResult::ok({Value::u64v(*x)}, cost);
      }
      return push_point(s, res, cost);
    };
  };
  add("point_add_internal", binary("point_add_internal", point_add, &ristretto::add));
  add("point_sub_internal", binary("point_sub_internal", point_sub, &ristretto::sub));
  add("basepoint_mul_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1) return invariant("basepoint_mul_internal arguments");
    auto sc = scalar_arg(bytes_of(a[0]));
    if (!sc) return sc.error();
    return push_point(store_of(ctx), ristretto::basepoint_mul(*sc), basepoint_mul);
  });
  // basepoint_double_mul_internal(a: vector<u8>, some_point: &RistrettoPoint, b: vector<u8>) = a*P + b*G
  add("basepoint_double_mul_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    if (a.size() != 3) return invariant("basepoint_double_mul_internal arguments");
    auto sb = scalar_arg(bytes_of(a[2]));
    if (!sb) return sb.error();
    auto h = point_handle(a[1], s);
    if (!h) return invariant("basepoint_double_mul_internal point");
    auto sa = scalar_arg(bytes_of(a[0]));
    if (!sa) return sa.error();
    Point res = ristretto::add(ristretto::mul(s.points[*h], *sa), ristretto::basepoint_mul(*sb));
    return push_point(s, res, basepoint_double_mul);
  });
  add("new_point_from_sha512_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("new_point_from_sha512_internal argument");
    uint64_t cost = from_64 + sha_hash + sha_byte * b->size();
    return push_point(store_of(ctx), ristretto::hash_sha512(*b), cost);
  });
  add("new_point_from_64_uniform_bytes_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("new_point_from_64_uniform_bytes_internal argument");
    if (b->size() != 64) return type_error("not 64 bytes");
    return push_point(store_of(ctx), ristretto::from_uniform_bytes(b->data()), from_64);
  });
  // double_scalar_mul_internal(point1: u64, point2: u64, scalar1: vector<u8>, scalar2: vector<u8>)
  add("double_scalar_mul_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    if (a.size() != 4) return invariant("double_scalar_mul_internal arguments");
    auto s2 = scalar_arg(bytes_of(a[3]));
    if (!s2) return s2.error();
    auto s1 = scalar_arg(bytes_of(a[2]));
    if (!s1) return s1.error();
    auto h2 = raw_handle(a[1], s), h1 = raw_handle(a[0], s);
    if (!h1 || !h2) return invariant("double_scalar_mul_internal handles");
    Scalar sc[2] = {*s1, *s2};
    Point pts[2] = {s.points[*h1], s.points[*h2]};
    return push_point(s, ristretto::multi_scalar_mul(sc, pts), point_double_mul);
  });
  // multi_scalar_mul_internal<P, S>(points: &vector<RistrettoPoint>, scalars: &vector<Scalar>);
  // the Move caller guarantees 0 < #points == #scalars.
  add("multi_scalar_mul_internal", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    PointStore& s = store_of(ctx);
    if (ty.size() != 2 || a.size() != 2) return invariant("multi_scalar_mul_internal arguments");
    const Container* pv = struct_of(a[0]);
    const Container* sv = struct_of(a[1]);
    if (!pv || !sv || pv->kind != ContainerKind::Vector || sv->kind != ContainerKind::Vector)
      return invariant("multi_scalar_mul_internal vectors");
    uint64_t num = sv->values.size();
    if (num == 0 || pv->values.size() < num) return invariant("multi_scalar_mul_internal lengths");
    uint64_t cost = point_parse_arg * num + scalar_parse_arg * num + point_mul * (num / log2_floor(num + 1));
    std::vector<Scalar> scalars;
    scalars.reserve(num);
    for (const Value& e : sv->values) {
      const Container* c = struct_of(e);
      if (!c || c->values.size() != 1) return invariant("multi_scalar_mul_internal scalar");
      auto sc = scalar_arg(bytes_of(c->values[0]));
      if (!sc) return sc.error();
      scalars.push_back(*sc);
    }
    std::vector<Point> points;
    points.reserve(num);
    for (uint64_t i = 0; i < num; ++i) {
      auto h = point_handle(pv->values[i], s);
      if (!h) return invariant("multi_scalar_mul_internal point");
      points.push_back(s.points[*h]);
    }
    return push_point(s, ristretto::multi_scalar_mul(scalars, points), cost);
  });

  // --- scalars
  add("scalar_is_canonical_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("scalar_is_canonical_internal argument");
    bool ok = b->size() == 32 && ristretto::is_canonical_scalar(b->data());
    return NativeResult::ok({Value::boolean(ok)}, scalar_is_canonical);
  });
  add("scalar_invert_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1) return invariant("scalar_invert_internal arguments");
    auto sc = scalar_arg(bytes_of(a[0]));
    if (!sc) return sc.error();
    return NativeResult::ok({scalar_value(ristretto::scalar_invert(*sc))}, scalar_invert);
  });
  add("scalar_from_sha512_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("scalar_from_sha512_internal argument");
    uint8_t h[64];
    crypto_hash_sha512(h, b->data(), b->size());
    return NativeResult::ok({scalar_value(ristretto::scalar_reduce64(h))}, uniform_64 + sha_hash + sha_byte * b->size());
  });
  auto scalar_binary = [=](const char* name, uint64_t cost, Scalar (*op)(const Scalar&, const Scalar&)) {
    return [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
      if (a.size() != 2) return invariant(std::string(name) + " arguments");
      auto y = scalar_arg(bytes_of(a[1]));
      if (!y) return y.error();
      auto x = scalar_arg(bytes_of(a[0]));
      if (!x) return x.error();
      return NativeResult::ok({scalar_value(op(*x, *y))}, cost);
    };
  };
  add("scalar_mul_internal", scalar_binary("scalar_mul_internal", scalar_mul, &ristretto::scalar_mul));
  add("scalar_add_internal", scalar_binary("scalar_add_internal", scalar_add, &ristretto::scalar_add));
  add("scalar_sub_internal", scalar_binary("scalar_sub_internal", scalar_sub, &ristretto::scalar_sub));
  add("scalar_neg_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1) return invariant("scalar_neg_internal arguments");
    auto sc = scalar_arg(bytes_of(a[0]));
    if (!sc) return sc.error();
    return NativeResult::ok({scalar_value(ristretto::scalar_neg(*sc))}, scalar_neg);
  });
  add("scalar_from_u64_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Value* v = a.size() == 1 ? primitive_of(a[0]) : nullptr;
    if (!v || v->kind != ValueKind::U64) return invariant("scalar_from_u64_internal argument");
    return NativeResult::ok({scalar_value(ristretto::scalar_from_u64(v->u64))}, from_u64);
  });
  add("scalar_from_u128_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Value* v = a.size() == 1 ? primitive_of(a[0]) : nullptr;
    if (!v || v->kind != ValueKind::U128) return invariant("scalar_from_u128_internal argument");
    Scalar s{};  // any u128 is below l
    for (int i = 0; i < 16; ++i) s[i] = uint8_t(v->u128 >> (8 * i));
    return NativeResult::ok({scalar_value(s)}, from_u128);
  });
  add("scalar_reduced_from_32_bytes_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("scalar_reduced_from_32_bytes_internal argument");
    if (b->size() != 32) return type_error("not 32 bytes");
    return NativeResult::ok({scalar_value(ristretto::scalar_reduce32(b->data()))}, reduced_32);
  });
  add("scalar_uniform_from_64_bytes_internal", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("scalar_uniform_from_64_bytes_internal argument");
    if (b->size() != 64) return type_error("not 64 bytes");
    return NativeResult::ok({scalar_value(ristretto::scalar_reduce64(b->data()))}, uniform_64);
  });
}

}  // namespace natives
}  // namespace lumio::movevm
