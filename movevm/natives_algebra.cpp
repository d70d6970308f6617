// 0x1::crypto_algebra over BLS12-381 (Fr, Fq12, G1, G2, Gt) and BN254 (Fr, Fq, Fq12, G1, G2,
// Gt), following aptos-framework's arkworks-based natives: the same structure/operation
// matrix (anything else aborts with NOT_IMPLEMENTED 0x0C_0001), the same charging order and
// parameters (aptos_framework.algebra.*), arkworks' wire formats (natives_algebra_internal.hpp),
// and the 1 MiB element store (sizes as arkworks' in-memory types; E_TOO_MUCH_MEMORY_USED
// 0x09_0003 beyond it). Gt elements must satisfy x^r = 1; pairings are arkworks' values.
#include "movevm/natives_algebra.hpp"

#include <array>

#include "common/ff/hash_to_curve.hpp"
#include "common/ff/pairing_exact.hpp"
#include "movevm/natives_algebra_internal.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using namespace lumio::ff;
using Args = std::vector<Value>;
using Ty = std::span<const Type>;
using R = Expected<NativeResult>;

constexpr uint64_t kNotImplemented = 0x0C'0001;
constexpr uint64_t kSizesNotMatching = 0x01'0002;
constexpr uint64_t kTooMuchMemory = 0x09'0003;
constexpr uint64_t kTypeToTagFailed = 0x0B'0063;
constexpr size_t kMemoryLimit = size_t(1) << 20;
constexpr uint64_t kBls12381Structures = 13, kBn254Structures = 43;
constexpr uint64_t kReleaseV1_16 = 21, kReleaseV1_46 = 50;

using namespace algebra;

// ---------------------------------------------------------------------------------------------
// Structures, formats, the element store.

enum class S { None, BFr, BFq12, BG1, BG2, BGt, NFr, NFq, NFq12, NG1, NG2, NGt };
enum class Fmt {
  None, BFrLsb, BFrMsb, BFq12, BG1U, BG1C, BG2U, BG2C, BGt,
  NFrLsb, NFrMsb, NFqLsb, NFqMsb, NFq12, NG1U, NG1C, NG2U, NG2C, NGt
};
enum class Suite { None, G1, G2 };

bool is_bls(S s) { return s >= S::BFr && s <= S::BGt; }
bool is_gt(S s) { return s == S::BGt || s == S::NGt; }
uint64_t flag_of(S s) { return is_bls(s) ? kBls12381Structures : kBn254Structures; }

// The (module, name) of a type argument when it is a plain struct of 0x1.
Expected<std::pair<std::string, std::string>> struct_name(NativeContext& ctx, const Type& t) {
  auto tag = ctx.type_tag_of(t);
  if (!tag) return tag.error();
  if (tag->kind != TagKind::Struct || !tag->struct_tag->type_args.empty() ||
      tag->struct_tag->address != address_from_u64(1))
    return std::pair<std::string, std::string>{};
  return std::pair{tag->struct_tag->module, tag->struct_tag->name};
}
Expected<S> structure_of(NativeContext& ctx, const Type& t) {
  auto n = struct_name(ctx, t);
  if (!n) return n.error();
  static const std::map<std::pair<std::string, std::string>, S> m = {
      {{"bls12381_algebra", "Fr"}, S::BFr},   {{"bls12381_algebra", "Fq12"}, S::BFq12},
      {{"bls12381_algebra", "G1"}, S::BG1},   {{"bls12381_algebra", "G2"}, S::BG2},
      {{"bls12381_algebra", "Gt"}, S::BGt},   {{"bn254_algebra", "Fr"}, S::NFr},
      {{"bn254_algebra", "Fq"}, S::NFq},      {{"bn254_algebra", "Fq12"}, S::NFq12},
      {{"bn254_algebra", "G1"}, S::NG1},      {{"bn254_algebra", "G2"}, S::NG2},
      {{"bn254_algebra", "Gt"}, S::NGt}};
  auto it = m.find(*n);
  return it == m.end() ? S::None : it->second;
}
Expected<Fmt> format_of(NativeContext& ctx, const Type& t) {
  auto n = struct_name(ctx, t);
  if (!n) return n.error();
  static const std::map<std::pair<std::string, std::string>, Fmt> m = {
      {{"bls12381_algebra", "FormatFrLsb"}, Fmt::BFrLsb},   {{"bls12381_algebra", "FormatFrMsb"}, Fmt::BFrMsb},
      {{"bls12381_algebra", "FormatFq12LscLsb"}, Fmt::BFq12}, {{"bls12381_algebra", "FormatG1Uncompr"}, Fmt::BG1U},
      {{"bls12381_algebra", "FormatG1Compr"}, Fmt::BG1C},   {{"bls12381_algebra", "FormatG2Uncompr"}, Fmt::BG2U},
      {{"bls12381_algebra", "FormatG2Compr"}, Fmt::BG2C},   {{"bls12381_algebra", "FormatGt"}, Fmt::BGt},
      {{"bn254_algebra", "FormatFrLsb"}, Fmt::NFrLsb},      {{"bn254_algebra", "FormatFrMsb"}, Fmt::NFrMsb},
      {{"bn254_algebra", "FormatFqLsb"}, Fmt::NFqLsb},      {{"bn254_algebra", "FormatFqMsb"}, Fmt::NFqMsb},
      {{"bn254_algebra", "FormatFq12LscLsb"}, Fmt::NFq12},  {{"bn254_algebra", "FormatG1Uncompr"}, Fmt::NG1U},
      {{"bn254_algebra", "FormatG1Compr"}, Fmt::NG1C},      {{"bn254_algebra", "FormatG2Uncompr"}, Fmt::NG2U},
      {{"bn254_algebra", "FormatG2Compr"}, Fmt::NG2C},      {{"bn254_algebra", "FormatGt"}, Fmt::NGt}};
  auto it = m.find(*n);
  return it == m.end() ? Fmt::None : it->second;
}
Expected<Suite> suite_of(NativeContext& ctx, const Type& t) {
  auto n = struct_name(ctx, t);
  if (!n) return n.error();
  if (n->first == "bls12381_algebra" && n->second == "HashG1XmdSha256SswuRo") return Suite::G1;
  if (n->first == "bls12381_algebra" && n->second == "HashG2XmdSha256SswuRo") return Suite::G2;
  return Suite::None;
}

// Aptos's AlgebraContext: elements by handle, bytes accounted as arkworks' sizes.
struct AlgebraStore {
  size_t bytes_used = 0;
  std::vector<Element> objs;
};

VMError violated() { return invariant("aptos_std::crypto_algebra native abort"); }

Expected<AlgebraStore*> store_of(NativeContext& ctx) {
  auto& ext = ctx.extensions();
  if (auto* s = ext.get<AlgebraStore>()) return s;
  return &ext.add(std::make_shared<AlgebraStore>());
}

Expected<const FeatureFlags*> features_of(NativeContext& ctx) {
  auto& ext = ctx.extensions();
  if (auto* f = ext.get<FeatureFlags>()) return f;
  FeatureFlags flags;
  auto tag = parse_type_tag("0x1::features::Features");
  auto type = ctx.type_of(*tag);
  if (type) {
    auto v = ctx.resources().borrow_global(address_from_u64(1), *type, false);
    if (v) {
      Container* c = container_of(*v);
      const Bytes* b = c && !c->values.empty() ? bytes_of(c->values[0]) : nullptr;
      if (b) flags.bits = *b;
    } else if (v.error().status != StatusCode::MISSING_DATA) {
      return v.error();
    }
  }
  return &ext.add(std::make_shared<FeatureFlags>(std::move(flags)));
}

// An element of type T by handle, or null (Aptos: invariant violation).
template <class T> const T* element(AlgebraStore& st, const Value& handle) {
  auto h = u64_of(handle);
  if (!h || *h >= st.objs.size()) return nullptr;
  return std::get_if<T>(&st.objs[*h]);
}

// The N elements of type T that the arguments name, or nullopt when one is missing.
template <class T, size_t N> std::optional<std::array<const T*, N>> elements(AlgebraStore& st, const Args& a) {
  std::array<const T*, N> r{};
  if (a.size() != N) return std::nullopt;
  for (size_t i = 0; i < N; ++i)
    if (!(r[i] = element<T>(st, a[i]))) return std::nullopt;
  return r;
}

template <class T> R store(AlgebraStore& st, T v, uint64_t cost, bool with_flag = false) {
  size_t next = st.bytes_used + ark_size<T>();
  if (next > kMemoryLimit) {
    NativeResult r = NativeResult::abort(kTooMuchMemory, cost);
    r.abort_message = "Algebra context memory " + std::to_string(kMemoryLimit) + "-byte limit exceeded: currently using " +
                      std::to_string(st.bytes_used) + " bytes; was asked for " + std::to_string(next) + " bytes";
    return r;
  }
  st.bytes_used = next;
  st.objs.emplace_back(std::move(v));
  Value h = Value::u64v(st.objs.size() - 1);
  if (with_flag) return NativeResult::ok({Value::boolean(true), h}, cost);
  return NativeResult::ok({h}, cost);
}
NativeResult none(uint64_t cost) { return NativeResult::ok({Value::boolean(false), Value::u64v(0)}, cost); }

// Calls f(std::type_identity<T>{}) with the element type of a structure.
template <class F> R with_type(S s, F&& f) {
  switch (s) {
    case S::BFr: return f(std::type_identity<BFr>{});
    case S::BFq12: case S::BGt: return f(std::type_identity<BE12>{});
    case S::BG1: return f(std::type_identity<BG1>{});
    case S::BG2: return f(std::type_identity<BG2>{});
    case S::NFr: return f(std::type_identity<NFr>{});
    case S::NFq: return f(std::type_identity<NFq>{});
    case S::NFq12: case S::NGt: return f(std::type_identity<NE12>{});
    case S::NG1: return f(std::type_identity<NG1>{});
    case S::NG2: return f(std::type_identity<NG2>{});
    case S::None: break;
  }
  return NativeResult::abort(kNotImplemented);
}

// Gas parameter families: "ark_bls12_381_fr", "ark_bn254_g1_proj", ...
const char* family(S s) {
  switch (s) {
    case S::BFr: return "ark_bls12_381_fr";
    case S::BFq12: case S::BGt: return "ark_bls12_381_fq12";
    case S::BG1: return "ark_bls12_381_g1_proj";
    case S::BG2: return "ark_bls12_381_g2_proj";
    case S::NFr: return "ark_bn254_fr";
    case S::NFq: return "ark_bn254_fq";
    case S::NFq12: case S::NGt: return "ark_bn254_fq12";
    case S::NG1: return "ark_bn254_g1_proj";
    case S::NG2: return "ark_bn254_g2_proj";
    case S::None: break;
  }
  return "";
}
bool is_point(S s) { return s == S::BG1 || s == S::BG2 || s == S::NG1 || s == S::NG2; }
bool is_field(S s) { return s == S::BFr || s == S::BFq12 || s == S::NFr || s == S::NFq || s == S::NFq12; }

struct Gas {
  const GasParameters* g;
  uint64_t operator()(S s, const char* op) const {
    return g->native(std::string("aptos_framework.algebra.") + family(s) + "_" + op);
  }
  uint64_t operator()(const std::string& name) const { return g->native("aptos_framework.algebra." + name); }
  uint64_t version() const { return g->schedule.feature_version; }
};

// Common prologue: the structure of type argument `i`, the store, the feature gate.
struct Prologue {
  S s = S::None;
  AlgebraStore* st = nullptr;
  std::optional<R> early;  // set when the native ends here
};
Prologue prologue(NativeContext& ctx, const Type& t) {
  Prologue p;
  auto s = structure_of(ctx, t);
  if (!s) return p.early = R(s.error()), p;
  p.s = *s;
  auto f = features_of(ctx);
  if (!f) return p.early = R(f.error()), p;
  if (p.s == S::None || !(*f)->enabled(flag_of(p.s))) return p.early = NativeResult::abort(kNotImplemented), p;
  auto st = store_of(ctx);
  if (!st) return p.early = R(st.error()), p;
  p.st = *st;
  return p;
}
// Gate of a combination: the flag when `ok`, otherwise NOT_IMPLEMENTED.
std::optional<R> gate(NativeContext& ctx, bool ok, uint64_t flag) {
  auto f = features_of(ctx);
  if (!f) return R(f.error());
  if (!ok || !(*f)->enabled(flag)) return R(NativeResult::abort(kNotImplemented));
  return std::nullopt;
}

// The prologue, then f.template operator()<T>(prologue) with T the structure's element type.
template <class F> R on_structure(NativeContext& ctx, const Type& t, F&& f) {
  Prologue p = prologue(ctx, t);
  if (p.early) return std::move(*p.early);
  return with_type(p.s, [&](auto e) -> R { return f.template operator()<typename decltype(e)::type>(p); });
}

template <class T, class Op> R binary(AlgebraStore& st, Args& a, uint64_t cost, Op op) {
  auto xy = elements<T, 2>(st, a);
  if (!xy) return violated();
  auto [x, y] = *xy;
  T r = op(*x, *y);
  return store(st, std::move(r), cost);
}
template <class T, class Op> R unary(AlgebraStore& st, Args& a, uint64_t cost, Op op) {
  auto xs = elements<T, 1>(st, a);
  if (!xs) return violated();
  auto [x] = *xs;
  T r = op(*x);
  return store(st, std::move(r), cost);
}

// Scalar multiplication of any element type by an Fr element.
template <class T, class Fr> T scalar_mul(const T& x, const Fr& k) {
  auto limbs = k.to_integer();
  if constexpr (IsE12<T>::value) return x.pow(std::vector<uint64_t>(limbs.begin(), limbs.end()));
  else return x.mul(limbs.data(), limbs.size());
}

// Affine points of a pairing side (infinity left out with its partner, as arkworks filters).
template <class C, class G1T, class G2T>
Fp12<C> pairing_of(const std::vector<const G1T*>& p, const std::vector<const G2T*>& q) {
  using P = Pairing<C>;
  std::vector<typename P::G1Affine> a;
  std::vector<typename P::G2Affine> b;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i]->is_infinity() || q[i]->is_infinity()) continue;
    typename P::G1Affine x;
    typename P::G2Affine y;
    p[i]->to_affine(x.x, x.y);
    q[i]->to_affine(y.x, y.y);
    a.push_back(x);
    b.push_back(y);
  }
  return ExactPairing<C>::multi_pairing(a, b, /*arkworks=*/true);
}

// Bucket (Pippenger) multi-scalar multiplication with w-bit windows over 255-bit scalars.
template <class T, class Fr> T msm(const std::vector<const T*>& xs, const std::vector<const Fr*>& ks, size_t w) {
  std::vector<decltype(ks[0]->to_integer())> k;
  for (const Fr* s : ks) k.push_back(s->to_integer());
  auto digit = [&](size_t i, size_t bit) {
    uint64_t d = 0;
    for (size_t j = 0; j < w && bit + j < 255; ++j) d |= ((k[i][(bit + j) / 64] >> ((bit + j) % 64)) & 1) << j;
    return d;
  };
  T acc = T::infinity();
  std::vector<T> buckets(size_t(1) << w);
  for (size_t win = (255 + w - 1) / w; win-- > 0;) {
    for (size_t j = 0; j < w && !acc.is_infinity(); ++j) acc = acc.dbl();
    std::fill(buckets.begin(), buckets.end(), T::infinity());
    for (size_t i = 0; i < xs.size(); ++i)
      if (uint64_t d = digit(i, win * w)) buckets[d] = buckets[d] + *xs[i];
    T running = T::infinity(), sum = T::infinity();
    for (size_t b = buckets.size(); b-- > 1;) {
      running = running + buckets[b];
      sum = sum + running;
    }
    acc = acc + sum;
  }
  return acc;
}

// Handles of a vector<u64> argument.
const std::vector<Value>* handles_of(const Value& v) {
  Container* c = container_of(v);
  return c ? &c->values : nullptr;
}

}  // namespace

void register_algebra(Registrar& r, const GasParameters& g) {
  Gas gas{&g};
  auto add = [&](const char* name, NativeFunction f) { r.add(1, "crypto_algebra", name, std::move(f)); };

  // Constants: zero, one (group identity / generator; Gt: 1 / Aptos's generator).
  add("zero_internal", [gas](NativeContext& ctx, Ty ty, Args&) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if constexpr (IsE12<T>::value)
        if (is_gt(p.s)) return store(*p.st, T::one(), gas(p.s, "one"));
      if constexpr (IsPoint<T>::value) return store(*p.st, T::infinity(), gas(p.s, "infinity"));
      else return store(*p.st, zero_of<T>(), gas(p.s, "zero"));
    });
  });
  add("one_internal", [gas](NativeContext& ctx, Ty ty, Args&) -> R {
    auto p = prologue(ctx, ty[0]);
    if (p.early) return std::move(*p.early);
    switch (p.s) {
      case S::BGt: return store(*p.st, bls_gt(), gas(p.s, "clone"));
      case S::NGt: return store(*p.st, bn_gt(), gas(p.s, "clone"));
      case S::BG1: return store(*p.st, bls_g1(), gas(p.s, "generator"));
      case S::BG2: return store(*p.st, bls_g2(), gas(p.s, "generator"));
      case S::NG1: return store(*p.st, bn_g1(), gas(p.s, "generator"));
      case S::NG2: return store(*p.st, bn_g2(), gas(p.s, "generator"));
      case S::NFr:  // before 1.46 Aptos charged BLS12-381's Fr one
        return store(*p.st, NFr::one(), gas.version() >= kReleaseV1_46 ? gas(p.s, "one") : gas(S::BFr, "one"));
      default:
        return with_type(p.s, [&](auto t) -> R {
          using T = typename decltype(t)::type;
          if constexpr (IsPoint<T>::value) return NativeResult::abort(kNotImplemented);
          else return store(*p.st, T::one(), gas(p.s, "one"));
        });
    }
  });
  add("order_internal", [](NativeContext& ctx, Ty ty, Args&) -> R {
    auto p = prologue(ctx, ty[0]);
    if (p.early) return std::move(*p.early);
    static const Bytes bls_r = order_bytes(bls12_381::Curve::kOrderHex, 1, 32);
    static const Bytes bls_q12 = order_bytes(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", 12, 0);
    static const Bytes bn_r = order_bytes(bn254::Curve::kOrderHex, 1, 32);
    static const Bytes bn_q = order_bytes("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47", 1, 32);
    static const Bytes bn_q12 = order_bytes("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47", 12, 0);
    switch (p.s) {
      case S::BFr: case S::BG1: case S::BG2: case S::BGt: return NativeResult::ok({make_vec_u8(bls_r)});
      case S::BFq12: return NativeResult::ok({make_vec_u8(bls_q12)});
      case S::NFr: case S::NG1: case S::NG2: case S::NGt: return NativeResult::ok({make_vec_u8(bn_r)});
      case S::NFq: return NativeResult::ok({make_vec_u8(bn_q)});
      case S::NFq12: return NativeResult::ok({make_vec_u8(bn_q12)});
      default: return NativeResult::abort(kNotImplemented);
    }
  });
  add("from_u64_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_field(p.s)) return NativeResult::abort(kNotImplemented);
      auto v = a.size() == 1 ? u64_of(a[0]) : std::nullopt;
      if (!v) return violated();
      if constexpr (IsPoint<T>::value) return NativeResult::abort(kNotImplemented);
      else return store(*p.st, from_u64_of<T>(*v), gas(p.s, "from_u64"));
    });
  });

  // Arithmetic. Gt is written additively in Move: add = mul, sub = div, neg = inv, double = sqr.
  add("add_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if constexpr (IsE12<T>::value)
        if (is_gt(p.s)) return binary<T>(*p.st, a, gas(p.s, "mul"), [](const T& x, const T& y) { return x * y; });
      return binary<T>(*p.st, a, gas(p.s, "add"), [](const T& x, const T& y) { return x + y; });
    });
  });
  add("sub_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if constexpr (IsE12<T>::value)
        if (is_gt(p.s)) return binary<T>(*p.st, a, gas(p.s, "div"), [](const T& x, const T& y) { return x * y.inv(); });
      if constexpr (IsPoint<T>::value)
        return binary<T>(*p.st, a, gas(p.s, "sub"), [](const T& x, const T& y) { return x + (-y); });
      else return binary<T>(*p.st, a, gas(p.s, "sub"), [](const T& x, const T& y) { return x - y; });
    });
  });
  add("mul_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_field(p.s)) return NativeResult::abort(kNotImplemented);
      if constexpr (IsPoint<T>::value) return NativeResult::abort(kNotImplemented);
      else return binary<T>(*p.st, a, gas(p.s, "mul"), [](const T& x, const T& y) { return x * y; });
    });
  });
  add("div_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_field(p.s)) return NativeResult::abort(kNotImplemented);
      if constexpr (IsPoint<T>::value) {
        return NativeResult::abort(kNotImplemented);
      } else {
        auto xy = elements<T, 2>(*p.st, a);
        if (!xy) return violated();
        auto [x, y] = *xy;
        uint64_t cost = gas(p.s, "eq");
        if (is_zero(*y)) return none(cost);
        T q = *x * y->inv();
        return store(*p.st, std::move(q), cost + gas(p.s, "div"), true);
      }
    });
  });
  add("inv_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_field(p.s)) return NativeResult::abort(kNotImplemented);
      if constexpr (IsPoint<T>::value) {
        return NativeResult::abort(kNotImplemented);
      } else {
        auto xs = elements<T, 1>(*p.st, a);
        if (!xs) return violated();
        auto [x] = *xs;
        uint64_t cost = gas(p.s, "inv");
        if (is_zero(*x)) return none(cost);
        T i = x->inv();
        return store(*p.st, std::move(i), cost, true);
      }
    });
  });
  add("neg_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if constexpr (IsE12<T>::value)
        if (is_gt(p.s)) return unary<T>(*p.st, a, gas(p.s, "inv"), [](const T& x) { return x.inv(); });
      return unary<T>(*p.st, a, gas(p.s, "neg"), [](const T& x) { return -x; });
    });
  });
  add("sqr_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_field(p.s)) return NativeResult::abort(kNotImplemented);
      return unary<T>(*p.st, a, gas(p.s, "square"), [](const T& x) { return sqr_of(x); });
    });
  });
  add("double_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      if (!is_point(p.s) && !is_gt(p.s)) return NativeResult::abort(kNotImplemented);
      return unary<T>(*p.st, a, gas(p.s, is_gt(p.s) ? "square" : "double"), [](const T& x) { return sqr_of(x); });
    });
  });
  add("eq_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    return on_structure(ctx, ty[0], [&]<class T>(Prologue& p) -> R {
      auto xy = elements<T, 2>(*p.st, a);
      if (!xy) return violated();
      auto [x, y] = *xy;
      return NativeResult::ok({Value::boolean(*x == *y)}, gas(p.s, "eq"));
    });
  });

  // scalar_mul<G, S>(element, scalar) and multi_scalar_mul<G, S>(elements, scalars).
  auto group_scalar = [](NativeContext& ctx, Ty ty, S& group) -> std::optional<R> {
    auto gs = structure_of(ctx, ty[0]);
    if (!gs) return R(gs.error());
    auto ss = structure_of(ctx, ty[1]);
    if (!ss) return R(ss.error());
    group = *gs;
    bool bls = (*gs == S::BG1 || *gs == S::BG2 || *gs == S::BGt) && *ss == S::BFr;
    bool bn = (*gs == S::NG1 || *gs == S::NG2 || *gs == S::NGt) && *ss == S::NFr;
    return gate(ctx, bls || bn, bls ? kBls12381Structures : kBn254Structures);
  };
  add("scalar_mul_internal", [gas, group_scalar](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    if (auto e = group_scalar(ctx, ty, s)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    auto go = [&](auto t, auto fr) -> R {
      using T = typename decltype(t)::type;
      using Fr = typename decltype(fr)::type;
      if constexpr (!IsPoint<T>::value && !IsE12<T>::value) {
        return NativeResult::abort(kNotImplemented);
      } else {
        const T* x = a.size() == 2 ? element<T>(**st, a[0]) : nullptr;
        const Fr* k = a.size() == 2 ? element<Fr>(**st, a[1]) : nullptr;
        if (!x || !k) return violated();
        uint64_t cost = is_gt(s) ? gas(s, "pow_u256") : gas(s, "scalar_mul");
        T v = scalar_mul(*x, *k);
        return store(**st, std::move(v), cost);
      }
    };
    if (is_bls(s)) return with_type(s, [&](auto t) { return go(t, std::type_identity<BFr>{}); });
    return with_type(s, [&](auto t) { return go(t, std::type_identity<NFr>{}); });
  });
  add("multi_scalar_mul_internal", [gas, group_scalar](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    if (auto e = group_scalar(ctx, ty, s)) return std::move(*e);
    if (!is_point(s)) return NativeResult::abort(kNotImplemented);  // Gt has no MSM
    auto st = store_of(ctx);
    if (!st) return st.error();
    const auto* points = a.size() == 2 ? handles_of(a[0]) : nullptr;
    const auto* scalars = a.size() == 2 ? handles_of(a[1]) : nullptr;
    if (!points || !scalars) return violated();
    if (points->size() != scalars->size()) return NativeResult::abort(kSizesNotMatching);
    size_t n = points->size();
    // arkworks' bucketed MSM cost model (window 3 below 32 entries, else 0.69 log2 n + 2).
    size_t w = n < 32 ? 3 : (64 - __builtin_clzll(n - 1)) * 69 / 100 + 2;
    size_t windows = (255 + w - 1) / w, buckets = size_t(1) << w;
    auto go = [&](auto t, auto fr) -> R {
      using T = typename decltype(t)::type;
      using Fr = typename decltype(fr)::type;
      if constexpr (!IsPoint<T>::value) {
        return NativeResult::abort(kNotImplemented);
      } else {
      uint64_t cost = gas(s, "to_affine") * n;
      std::vector<const T*> xs;
      for (const auto& h : *points) {
        const T* x = element<T>(**st, h);
        if (!x) return violated();
        xs.push_back(x);
      }
      std::vector<const Fr*> ks;
      for (const auto& h : *scalars) {
        const Fr* k = element<Fr>(**st, h);
        if (!k) return violated();
        ks.push_back(k);
      }
      cost += gas(s, "add") * ((n + buckets + 1) * windows) + gas(s, "double") * (buckets * windows);
      T acc = msm(xs, ks, w);
      return store(**st, std::move(acc), cost);
      }
    };
    if (is_bls(s)) return with_type(s, [&](auto t) { return go(t, std::type_identity<BFr>{}); });
    return with_type(s, [&](auto t) { return go(t, std::type_identity<NFr>{}); });
  });

  // Casting between Fq12 and its subgroup Gt (the same element type, the same handle).
  auto cast_gate = [](NativeContext& ctx, const Type& super, const Type& sub, S& which) -> std::optional<R> {
    auto a = structure_of(ctx, super);
    if (!a) return R(a.error());
    auto b = structure_of(ctx, sub);
    if (!b) return R(b.error());
    bool bls = *a == S::BFq12 && *b == S::BGt, bn = *a == S::NFq12 && *b == S::NGt;
    which = *b;
    return gate(ctx, bls || bn, bls ? kBls12381Structures : kBn254Structures);
  };
  add("downcast_internal", [gas, cast_gate](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    if (auto e = cast_gate(ctx, ty[0], ty[1], s)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    auto h = a.size() == 1 ? u64_of(a[0]) : std::nullopt;
    if (!h) return violated();
    uint64_t handle = *h;
    return with_type(s, [&](auto t) -> R {
      using T = typename decltype(t)::type;
      const T* x = element<T>(**st, a[0]);
      if (!x) return violated();
      if constexpr (IsE12<T>::value)
        return NativeResult::ok({Value::boolean(in_gt(*x)), Value::u64v(handle)}, gas(s, "pow_u256"));
      return violated();
    });
  });
  add("upcast_internal", [cast_gate](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    if (auto e = cast_gate(ctx, ty[1], ty[0], s)) return std::move(*e);
    auto h = a.size() == 1 ? u64_of(a[0]) : std::nullopt;
    if (!h) return violated();
    return NativeResult::ok({Value::u64v(*h)});
  });

  // serialize<S, F>(handle) / deserialize<S, F>(&bytes).
  auto format_gate = [](NativeContext& ctx, Ty ty, S& s, Fmt& f) -> std::optional<R> {
    auto a = structure_of(ctx, ty[0]);
    if (!a) return R(a.error());
    auto b = format_of(ctx, ty[1]);
    if (!b) return R(b.error());
    s = *a, f = *b;
    bool bls = f >= Fmt::BFrLsb && f <= Fmt::BGt;
    return gate(ctx, f != Fmt::None, bls ? kBls12381Structures : kBn254Structures);
  };
  add("serialize_internal", [gas, format_gate](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    Fmt f;
    if (auto e = format_gate(ctx, ty, s, f)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    auto field = [&](auto t, bool reverse) -> R {
      using T = typename decltype(t)::type;
      const T* x = a.size() == 1 ? element<T>(**st, a[0]) : nullptr;
      if (!x) return violated();
      Bytes out;
      if constexpr (IsE12<T>::value) {
        e12_to_le(*x, out);
      } else if constexpr (!IsPoint<T>::value) {
        out.resize(32);
        fp_to_le(*x, out.data(), 32);
      }
      if (reverse) std::reverse(out.begin(), out.end());
      return NativeResult::ok({make_vec_u8(std::move(out))}, gas(s, "serialize"));
    };
    auto curve = [&](auto t, bool compressed) -> R {
      using T = typename decltype(t)::type;
      const T* x = a.size() == 1 ? element<T>(**st, a[0]) : nullptr;
      if (!x) return violated();
      uint64_t cost = gas.version() >= kReleaseV1_16 ? gas(s, "to_affine") : 0;
      std::string name = std::string(family(s)).substr(0, std::string(family(s)).size() - 4) + "affine_serialize_" +
                         (compressed ? "comp" : "uncomp");
      cost += gas(name);
      Bytes out;
      if constexpr (std::is_same_v<T, BG1> || std::is_same_v<T, BG2>) out = zcash_serialize(*x, compressed);
      else if constexpr (IsPoint<T>::value) out = ark_serialize(*x, compressed);
      return NativeResult::ok({make_vec_u8(std::move(out))}, cost);
    };
    using std::type_identity;
    switch (f) {
      case Fmt::BFrLsb: case Fmt::BFrMsb: if (s == S::BFr) return field(type_identity<BFr>{}, f == Fmt::BFrMsb); break;
      case Fmt::BFq12: if (s == S::BFq12) return field(type_identity<BE12>{}, false); break;
      case Fmt::BGt: if (s == S::BGt) return field(type_identity<BE12>{}, false); break;
      case Fmt::NFrLsb: case Fmt::NFrMsb: if (s == S::NFr) return field(type_identity<NFr>{}, f == Fmt::NFrMsb); break;
      case Fmt::NFqLsb: case Fmt::NFqMsb: if (s == S::NFq) return field(type_identity<NFq>{}, f == Fmt::NFqMsb); break;
      case Fmt::NFq12: if (s == S::NFq12) return field(type_identity<NE12>{}, false); break;
      case Fmt::NGt: if (s == S::NGt) return field(type_identity<NE12>{}, false); break;
      case Fmt::BG1U: case Fmt::BG1C: if (s == S::BG1) return curve(type_identity<BG1>{}, f == Fmt::BG1C); break;
      case Fmt::BG2U: case Fmt::BG2C: if (s == S::BG2) return curve(type_identity<BG2>{}, f == Fmt::BG2C); break;
      case Fmt::NG1U: case Fmt::NG1C: if (s == S::NG1) return curve(type_identity<NG1>{}, f == Fmt::NG1C); break;
      case Fmt::NG2U: case Fmt::NG2C: if (s == S::NG2) return curve(type_identity<NG2>{}, f == Fmt::NG2C); break;
      case Fmt::None: break;
    }
    return NativeResult::abort(kNotImplemented);
  });
  add("deserialize_internal", [gas, format_gate](NativeContext& ctx, Ty ty, Args& a) -> R {
    S s;
    Fmt f;
    if (auto e = format_gate(ctx, ty, s, f)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    const Bytes* bytes = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!bytes) return violated();
    BytesView in(*bytes);
    // Exact lengths first (no charge), then the parse charge.
    auto field = [&](auto t, size_t len, bool reverse) -> R {
      using T = typename decltype(t)::type;
      if (in.size() != len) return none(0);
      uint64_t cost = gas(s, "deser");
      Bytes buf(in.begin(), in.end());
      if (reverse) std::reverse(buf.begin(), buf.end());
      std::optional<T> v;
      if constexpr (IsE12<T>::value) {
        using C = std::conditional_t<std::is_same_v<T, BE12>, bls12_381::Curve, bn254::Curve>;
        v = e12_from_le<C>(buf);
        if (v && is_gt(s)) {
          cost += gas(s, "pow_u256") + gas(s, "eq");
          if (!in_gt(*v)) return none(cost);
        }
      } else if constexpr (!IsPoint<T>::value) {
        if (!(buf[31] & 0x80)) v = fp_from_le<T>(buf.data(), 32);  // EmptyFlags: top bit clear
      }
      if (!v) return none(cost);
      return store(**st, std::move(*v), cost, true);
    };
    auto curve = [&](auto t, size_t len, bool compressed) -> R {
      using T = typename decltype(t)::type;
      if (in.size() != len) return none(0);
      std::string fam = family(s);
      uint64_t cost = gas(fam.substr(0, fam.size() - 4) + "affine_deser_" + (compressed ? "comp" : "uncomp"));
      std::optional<T> v;
      if constexpr (std::is_same_v<T, BG1>) v = zcash_deserialize<BFq>(in, compressed);
      else if constexpr (std::is_same_v<T, BG2>) v = zcash_deserialize<BE2>(in, compressed);
      else if constexpr (std::is_same_v<T, NG1>) v = ark_deserialize<NFq>(in, compressed);
      else if constexpr (std::is_same_v<T, NG2>) v = ark_deserialize<NE2>(in, compressed);
      if (!v) return none(cost);
      return store(**st, std::move(*v), cost, true);
    };
    using std::type_identity;
    switch (f) {
      case Fmt::BFrLsb: case Fmt::BFrMsb: if (s == S::BFr) return field(type_identity<BFr>{}, 32, f == Fmt::BFrMsb); break;
      case Fmt::BFq12: if (s == S::BFq12) return field(type_identity<BE12>{}, 576, false); break;
      case Fmt::BGt: if (s == S::BGt) return field(type_identity<BE12>{}, 576, false); break;
      case Fmt::NFrLsb: case Fmt::NFrMsb: if (s == S::NFr) return field(type_identity<NFr>{}, 32, f == Fmt::NFrMsb); break;
      case Fmt::NFqLsb: case Fmt::NFqMsb: if (s == S::NFq) return field(type_identity<NFq>{}, 32, f == Fmt::NFqMsb); break;
      case Fmt::NFq12: if (s == S::NFq12) return field(type_identity<NE12>{}, 384, false); break;
      case Fmt::NGt: if (s == S::NGt) return field(type_identity<NE12>{}, 384, false); break;
      case Fmt::BG1U: case Fmt::BG1C: if (s == S::BG1) return curve(type_identity<BG1>{}, f == Fmt::BG1C ? 48 : 96, f == Fmt::BG1C); break;
      case Fmt::BG2U: case Fmt::BG2C: if (s == S::BG2) return curve(type_identity<BG2>{}, f == Fmt::BG2C ? 96 : 192, f == Fmt::BG2C); break;
      case Fmt::NG1U: case Fmt::NG1C: if (s == S::NG1) return curve(type_identity<NG1>{}, f == Fmt::NG1C ? 32 : 64, f == Fmt::NG1C); break;
      case Fmt::NG2U: case Fmt::NG2C: if (s == S::NG2) return curve(type_identity<NG2>{}, f == Fmt::NG2C ? 64 : 128, f == Fmt::NG2C); break;
      case Fmt::None: break;
    }
    return NativeResult::abort(kNotImplemented);
  });

  // pairing<G1, G2, Gt>(p, q) and multi_pairing<G1, G2, Gt>(ps, qs).
  auto pairing_gate = [](NativeContext& ctx, Ty ty, bool& bls) -> std::optional<R> {
    S s[3];
    for (int i = 0; i < 3; ++i) {
      auto x = structure_of(ctx, ty[i]);
      if (!x) return R(x.error());
      s[i] = *x;
    }
    bls = s[0] == S::BG1 && s[1] == S::BG2 && s[2] == S::BGt;
    bool bn = s[0] == S::NG1 && s[1] == S::NG2 && s[2] == S::NGt;
    return gate(ctx, bls || bn, bls ? kBls12381Structures : kBn254Structures);
  };
  auto run_pairing = [gas](AlgebraStore& st, bool bls, const std::vector<Value>& ps, const std::vector<Value>& qs,
                           bool multi) -> R {
    auto go = [&](auto c, auto g1, auto g2, const char* fam) -> R {
      using C = typename decltype(c)::type;
      using G1T = typename decltype(g1)::type;
      using G2T = typename decltype(g2)::type;
      std::string f = fam;
      uint64_t n = ps.size(), cost = 0;
      std::vector<const G1T*> a;
      std::vector<const G2T*> b;
      if (multi) cost += gas(f + "_g1_proj_to_affine") * n;
      for (const auto& h : ps) {
        const G1T* x = element<G1T>(st, h);
        if (!x) return violated();
        a.push_back(x);
        if (!multi) cost += gas(f + "_g1_proj_to_affine");
      }
      if (multi) cost += gas(f + "_g2_proj_to_affine") * n;
      for (const auto& h : qs) {
        const G2T* x = element<G2T>(st, h);
        if (!x) return violated();
        b.push_back(x);
        if (!multi) cost += gas(f + "_g2_proj_to_affine");
      }
      cost += multi ? gas(f + "_multi_pairing_base") + gas(f + "_multi_pairing_per_pair") * n : gas(f + "_pairing");
      Fp12<C> v = pairing_of<C>(a, b);
      return store(st, std::move(v), cost);
    };
    using std::type_identity;
    if (bls) return go(type_identity<bls12_381::Curve>{}, type_identity<BG1>{}, type_identity<BG2>{}, "ark_bls12_381");
    return go(type_identity<bn254::Curve>{}, type_identity<NG1>{}, type_identity<NG2>{}, "ark_bn254");
  };
  add("pairing_internal", [pairing_gate, run_pairing](NativeContext& ctx, Ty ty, Args& a) -> R {
    bool bls;
    if (auto e = pairing_gate(ctx, ty, bls)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    if (a.size() != 2) return violated();
    return run_pairing(**st, bls, {a[0]}, {a[1]}, false);
  });
  add("multi_pairing_internal", [pairing_gate, run_pairing](NativeContext& ctx, Ty ty, Args& a) -> R {
    bool bls;
    if (auto e = pairing_gate(ctx, ty, bls)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    const auto* ps = a.size() == 2 ? handles_of(a[0]) : nullptr;
    const auto* qs = a.size() == 2 ? handles_of(a[1]) : nullptr;
    if (!ps || !qs) return violated();
    if (ps->size() != qs->size()) return NativeResult::abort(kSizesNotMatching);
    return run_pairing(**st, bls, *ps, *qs, true);
  });

  // hash_to<S, H>(dst, msg): RFC 9380 BLS12381G{1,2}_XMD:SHA-256_SSWU_RO_ (common/ff).
  add("hash_to_internal", [gas](NativeContext& ctx, Ty ty, Args& a) -> R {
    auto s = structure_of(ctx, ty[0]);
    if (!s) return s.error();
    auto suite = suite_of(ctx, ty[1]);
    if (!suite) {
      NativeResult r = NativeResult::abort(kTypeToTagFailed);
      r.abort_message = "Conversion from type to type tag failed (too complex)";
      return r;
    }
    bool g1 = *s == S::BG1 && *suite == Suite::G1, g2 = *s == S::BG2 && *suite == Suite::G2;
    if (auto e = gate(ctx, g1 || g2, kBls12381Structures)) return std::move(*e);
    auto st = store_of(ctx);
    if (!st) return st.error();
    const Bytes* dst = a.size() == 2 ? bytes_of(a[0]) : nullptr;
    const Bytes* msg = a.size() == 2 ? bytes_of(a[1]) : nullptr;
    if (!dst || !msg) return violated();
    // DST shortening (over 255 bytes: SHA-256 of "H2C-OVERSIZE-DST-" || dst), then the map.
    uint64_t cost = 0;
    if (dst->size() > 255)
      cost += gas.g->native("move_stdlib.hash.sha2_256.base") +
              gas.g->native("move_stdlib.hash.sha2_256.per_byte") * (17 + dst->size());
    std::string suite_name = g1 ? "ark_h2c_bls12381g1_xmd_sha256_sswu" : "ark_h2c_bls12381g2_xmd_sha256_sswu";
    cost += gas(suite_name + "_base") + gas(suite_name + "_per_msg_byte") * msg->size();
    if (g1) return store(**st, bls12_381::hash_to_g1(*msg, *dst), cost);
    return store(**st, bls12_381::hash_to_g2(*msg, *dst), cost);
  });
}

}  // namespace lumio::movevm::natives
