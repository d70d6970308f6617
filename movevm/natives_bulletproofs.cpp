// Bulletproofs range-proof verification as dalek's `bulletproofs` crate (the version Aptos
// links): Merlin transcripts (STROBE-128 over Keccak-f[1600], written here: no Debian library
// exposes the permutation), BulletproofGens(64, 16) derived with SHAKE256 "GeneratorsChain",
// RangeProof::from_bytes and verify_multiple (one random linear combination of the two checks,
// as dalek). Natives: 0x1::ristretto255_bulletproofs::verify_range_proof_internal /
// verify_batch_range_proof_internal and 0x1::confidential_range_proofs::
// verify_batch_range_proof_internal, with Aptos's abort codes and gas.
#include <cryptopp/shake.h>
#include <sodium.h>

#include <cstring>
#include <mutex>

#include "movevm/natives_internal.hpp"
#include "movevm/ristretto_internal.hpp"

namespace lumio::movevm {

// ---------------------------------------------------------------------------------------------
namespace merlin {

namespace {
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
inline uint64_t rotl(uint64_t x, unsigned n) { return n == 0 ? x : (x << n) | (x >> (64 - n)); }
}  // namespace

// FIPS 202 Keccak-p[1600, 24]; lane (x, y) is state[x + 5y].
void keccak_f1600(uint64_t a[25]) {
  // rho offsets r[x + 5y]
  static constexpr unsigned kRho[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43,
                                        25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
  for (uint64_t rc : kRoundConstants) {
    uint64_t c[5], b[25];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[x + y] ^= d;
    }
    // rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
    for (int x = 0; x < 5; ++x)
      for (int y = 0; y < 5; ++y) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], kRho[x + 5 * y]);
    for (int y = 0; y < 25; y += 5)
      for (int x = 0; x < 5; ++x) a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
    a[0] ^= rc;
  }
}

namespace {
constexpr uint8_t kStrobeR = 166;  // 200 - 256/4 - 2
constexpr uint8_t kFlagI = 1, kFlagA = 2, kFlagC = 4, kFlagM = 16, kFlagK = 32;
}  // namespace

void Strobe128::permute() {
  uint64_t lanes[25];
  for (int i = 0; i < 25; ++i) {
    uint64_t v = 0;
    for (int j = 0; j < 8; ++j) v |= uint64_t(st_[8 * i + j]) << (8 * j);
    lanes[i] = v;
  }
  keccak_f1600(lanes);
  for (int i = 0; i < 25; ++i)
    for (int j = 0; j < 8; ++j) st_[8 * i + j] = uint8_t(lanes[i] >> (8 * j));
}

void Strobe128::run_f() {
  st_[pos_] ^= pos_begin_;
  st_[pos_ + 1] ^= 0x04;
  st_[kStrobeR + 1] ^= 0x80;
  permute();
  pos_ = 0;
  pos_begin_ = 0;
}

Strobe128::Strobe128(BytesView protocol_label) {
  const uint8_t init[6] = {1, kStrobeR + 2, 1, 0, 1, 96};
  std::memcpy(st_.data(), init, 6);
  std::memcpy(st_.data() + 6, "STROBEv1.0.2", 12);
  // The initial permutation is a bare Keccak-f (no STROBE padding).
  permute();
  meta_ad(protocol_label, false);
}

void Strobe128::absorb(BytesView data) {
  for (uint8_t byte : data) {
    st_[pos_] ^= byte;
    if (++pos_ == kStrobeR) run_f();
  }
}
void Strobe128::squeeze(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = st_[pos_];
    st_[pos_] = 0;
    if (++pos_ == kStrobeR) run_f();
  }
}
void Strobe128::begin_op(uint8_t flags, bool more) {
  if (more) return;  // continuing the same operation (flags equal by construction)
  uint8_t old_begin = pos_begin_;
  pos_begin_ = uint8_t(pos_ + 1);
  cur_flags_ = flags;
  const uint8_t op[2] = {old_begin, flags};
  absorb(BytesView(op, 2));
  if ((flags & (kFlagC | kFlagK)) != 0 && pos_ != 0) run_f();
}
void Strobe128::meta_ad(BytesView data, bool more) {
  begin_op(kFlagM | kFlagA, more);
  absorb(data);
}
void Strobe128::ad(BytesView data, bool more) {
  begin_op(kFlagA, more);
  absorb(data);
}
void Strobe128::prf(uint8_t* out, size_t n, bool more) {
  begin_op(kFlagI | kFlagA | kFlagC, more);
  squeeze(out, n);
}

namespace {
BytesView text(std::string_view s) { return BytesView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
void le32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = uint8_t(v >> (8 * i));
}
}  // namespace

Transcript::Transcript(BytesView label) : strobe_(text("Merlin v1.0")) { append_message("dom-sep", label); }

void Transcript::append_message(std::string_view label, BytesView message) {
  uint8_t len[4];
  le32(len, uint32_t(message.size()));
  strobe_.meta_ad(text(label), false);
  strobe_.meta_ad(BytesView(len, 4), true);
  strobe_.ad(message, false);
}
void Transcript::append_u64(std::string_view label, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  append_message(label, BytesView(b, 8));
}
void Transcript::challenge_bytes(std::string_view label, uint8_t* out, size_t n) {
  uint8_t len[4];
  le32(len, uint32_t(n));
  strobe_.meta_ad(text(label), false);
  strobe_.meta_ad(BytesView(len, 4), true);
  strobe_.prf(out, n, false);
}
ristretto::Scalar Transcript::challenge_scalar(std::string_view label) {
  uint8_t wide[64];
  challenge_bytes(label, wide, 64);
  return ristretto::scalar_reduce64(wide);
}

}  // namespace merlin

// ---------------------------------------------------------------------------------------------
namespace bulletproofs {

using ristretto::Scalar;
namespace rs = ristretto;

bool supported_bits(uint64_t n) { return n == 8 || n == 16 || n == 32 || n == 64; }
bool supported_batch(uint64_t m) { return m == 1 || m == 2 || m == 4 || m == 8 || m == 16; }

namespace {

struct Generators {
  std::vector<Point> G, H;  // [party * 64 + i]
};

// GeneratorsChain(label): SHAKE256("GeneratorsChain" || label), read 64 bytes per point,
// each mapped with from_uniform_bytes. Labels are 'G'/'H' || party index (u32 LE).
std::vector<Point> chain(uint8_t kind, uint32_t party, size_t count) {
  CryptoPP::SHAKE256 shake(unsigned(64 * count));
  static const char prefix[] = "GeneratorsChain";
  shake.Update(reinterpret_cast<const uint8_t*>(prefix), sizeof prefix - 1);
  const uint8_t label[5] = {kind, uint8_t(party), uint8_t(party >> 8), uint8_t(party >> 16), uint8_t(party >> 24)};
  shake.Update(label, 5);
  std::vector<uint8_t> stream(64 * count);
  shake.TruncatedFinal(stream.data(), stream.size());
  std::vector<Point> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = rs::from_uniform_bytes(stream.data() + 64 * i);
  return out;
}

const Generators& generators() {
  static const Generators gens = [] {
    Generators g;
    for (uint32_t j = 0; j < kMaxParties; ++j) {
      auto gj = chain('G', j, kMaxBits), hj = chain('H', j, kMaxBits);
      g.G.insert(g.G.end(), gj.begin(), gj.end());
      g.H.insert(g.H.end(), hj.begin(), hj.end());
    }
    return g;
  }();
  return gens;
}

Point read_point(const uint8_t* p) {
  Point r;
  std::memcpy(r.data(), p, 32);
  return r;
}
std::optional<Scalar> read_scalar(const uint8_t* p) {
  if (!rs::is_canonical_scalar(p)) return std::nullopt;  // Scalar::from_canonical_bytes
  Scalar s;
  std::memcpy(s.data(), p, 32);
  return s;
}

// Compressed points are only decompressed inside the final check; the transcript rejects an
// all-zero (identity) encoding for A, S, T_1, T_2, L_i and R_i (validate_and_append_point).
bool append_nonidentity(merlin::Transcript& t, std::string_view label, const Point& p) {
  if (p == rs::kIdentity) return false;
  t.append_message(label, BytesView(p.data(), 32));
  return true;
}

Scalar sum_of_powers(const Scalar& x, size_t n) {
  Scalar sum = rs::kZero, pow = rs::kOne;
  for (size_t i = 0; i < n; ++i) {
    sum = rs::scalar_add(sum, pow);
    pow = rs::scalar_mul(pow, x);
  }
  return sum;
}

}  // namespace

const Point& gen_G(size_t party, size_t i) { return generators().G.at(party * kMaxBits + i); }
const Point& gen_H(size_t party, size_t i) { return generators().H.at(party * kMaxBits + i); }

std::optional<RangeProof> RangeProof::from_bytes(BytesView b) {
  if (b.size() % 32 != 0 || b.size() < 7 * 32) return std::nullopt;
  RangeProof p;
  p.A = read_point(b.data());
  p.S = read_point(b.data() + 32);
  p.T1 = read_point(b.data() + 64);
  p.T2 = read_point(b.data() + 96);
  auto tx = read_scalar(b.data() + 128), txb = read_scalar(b.data() + 160), eb = read_scalar(b.data() + 192);
  if (!tx || !txb || !eb) return std::nullopt;
  p.t_x = *tx;
  p.t_x_blinding = *txb;
  p.e_blinding = *eb;
  // InnerProductProof::from_bytes
  BytesView ipp = b.subspan(7 * 32);
  size_t elems = ipp.size() / 32;
  if (elems < 2 || (elems - 2) % 2 != 0) return std::nullopt;
  size_t lg_n = (elems - 2) / 2;
  if (lg_n >= 32) return std::nullopt;
  for (size_t i = 0; i < lg_n; ++i) {
    p.L.push_back(read_point(ipp.data() + 64 * i));
    p.R.push_back(read_point(ipp.data() + 64 * i + 32));
  }
  auto a = read_scalar(ipp.data() + 64 * lg_n), bb = read_scalar(ipp.data() + 64 * lg_n + 32);
  if (!a || !bb) return std::nullopt;
  p.a = *a;
  p.b = *bb;
  return p;
}

Bytes RangeProof::to_bytes() const {
  Bytes out;
  auto put = [&](const std::array<uint8_t, 32>& x) { out.insert(out.end(), x.begin(), x.end()); };
  put(A), put(S), put(T1), put(T2), put(t_x), put(t_x_blinding), put(e_blinding);
  for (size_t i = 0; i < L.size(); ++i) put(L[i]), put(R[i]);
  put(a), put(b);
  return out;
}

bool verify(const RangeProof& pf, std::span<const Bytes> commitments, const Point& B, const Point& B_blinding,
            size_t n, BytesView dst) {
  const size_t m = commitments.size();
  if (!supported_bits(n) || m == 0 || m > kMaxParties) return false;
  merlin::Transcript t(dst);
  // rangeproof_domain_sep(n, m)
  static const char kRangeproof[] = "rangeproof v1";
  t.append_message("dom-sep", BytesView(reinterpret_cast<const uint8_t*>(kRangeproof), sizeof kRangeproof - 1));
  t.append_u64("n", n);
  t.append_u64("m", m);
  for (const Bytes& V : commitments) {
    if (V.size() != 32) return false;
    t.append_message("V", V);  // commitments may be the identity
  }
  if (!append_nonidentity(t, "A", pf.A) || !append_nonidentity(t, "S", pf.S)) return false;
  Scalar y = t.challenge_scalar("y"), z = t.challenge_scalar("z");
  Scalar zz = rs::scalar_mul(z, z), minus_z = rs::scalar_neg(z);
  if (!append_nonidentity(t, "T_1", pf.T1) || !append_nonidentity(t, "T_2", pf.T2)) return false;
  Scalar x = t.challenge_scalar("x");
  t.append_message("t_x", BytesView(pf.t_x.data(), 32));
  t.append_message("t_x_blinding", BytesView(pf.t_x_blinding.data(), 32));
  t.append_message("e_blinding", BytesView(pf.e_blinding.data(), 32));
  Scalar w = t.challenge_scalar("w");

  // Inner-product verification scalars (InnerProductProof::verification_scalars(n * m)).
  const size_t nm = n * m, lg_n = pf.L.size();
  if (lg_n >= 32 || nm != (size_t(1) << lg_n)) return false;
  static const char kIpp[] = "ipp v1";
  t.append_message("dom-sep", BytesView(reinterpret_cast<const uint8_t*>(kIpp), sizeof kIpp - 1));
  t.append_u64("n", nm);
  std::vector<Scalar> u(lg_n), u_inv(lg_n), u_sq(lg_n), u_inv_sq(lg_n);
  for (size_t i = 0; i < lg_n; ++i) {
    if (!append_nonidentity(t, "L", pf.L[i]) || !append_nonidentity(t, "R", pf.R[i])) return false;
    u[i] = t.challenge_scalar("u");
  }
  Scalar allinv = rs::kOne;
  for (size_t i = 0; i < lg_n; ++i) {
    u_inv[i] = rs::scalar_invert(u[i]);
    allinv = rs::scalar_mul(allinv, u_inv[i]);
    u_sq[i] = rs::scalar_mul(u[i], u[i]);
    u_inv_sq[i] = rs::scalar_mul(u_inv[i], u_inv[i]);
  }
  std::vector<Scalar> s(nm);
  s[0] = allinv;
  for (size_t i = 1; i < nm; ++i) {
    size_t lg_i = 63 - size_t(__builtin_clzll(i));
    s[i] = rs::scalar_mul(s[i - (size_t(1) << lg_i)], u_sq[lg_n - 1 - lg_i]);
  }

  // The batching challenge c of dalek's verifier is random; any nonzero c is sound w.h.p.
  uint8_t wide[64];
  randombytes_buf(wide, sizeof wide);
  Scalar c = rs::scalar_reduce64(wide);

  const Scalar& a = pf.a;
  const Scalar& b = pf.b;
  Scalar y_inv = rs::scalar_invert(y);
  // delta(n, m, y, z) = (z - z^2) * <1, y^nm> - z^3 * <1, 2^n> * <1, z^m>
  Scalar two = rs::scalar_from_u64(2);
  Scalar delta = rs::scalar_sub(rs::scalar_mul(rs::scalar_sub(z, zz), sum_of_powers(y, nm)),
                                rs::scalar_mul(rs::scalar_mul(rs::scalar_mul(zz, z), sum_of_powers(two, n)),
                                               sum_of_powers(z, m)));

  std::vector<Scalar> scalars;
  std::vector<Point> points;
  scalars.reserve(2 * nm + 2 * lg_n + 6 + m);
  points.reserve(scalars.capacity());
  auto term = [&](const Scalar& sc, const Point& pt) {
    scalars.push_back(sc);
    points.push_back(pt);
  };
  // Every compressed point must decompress (optional_multiscalar_mul fails otherwise).
  auto term_compressed = [&](const Scalar& sc, const Point& enc) {
    if (!rs::decode(BytesView(enc.data(), 32))) return false;
    term(sc, enc);
    return true;
  };
  Scalar cx = rs::scalar_mul(c, x);
  if (!term_compressed(rs::kOne, pf.A) || !term_compressed(x, pf.S) || !term_compressed(cx, pf.T1) ||
      !term_compressed(rs::scalar_mul(cx, x), pf.T2))
    return false;
  for (size_t i = 0; i < lg_n; ++i)
    if (!term_compressed(u_sq[i], pf.L[i])) return false;
  for (size_t i = 0; i < lg_n; ++i)
    if (!term_compressed(u_inv_sq[i], pf.R[i])) return false;
  term(rs::scalar_sub(rs::scalar_neg(pf.e_blinding), rs::scalar_mul(c, pf.t_x_blinding)), B_blinding);
  term(rs::scalar_add(rs::scalar_mul(w, rs::scalar_sub(pf.t_x, rs::scalar_mul(a, b))),
                      rs::scalar_mul(c, rs::scalar_sub(delta, pf.t_x))),
       B);
  // G terms: -z - a * s_i; H terms: z + y^-i * (z^2 * z^j * 2^k - b * s_{nm-1-i}), party-major.
  const Generators& gens = generators();
  for (size_t i = 0; i < nm; ++i)
    term(rs::scalar_sub(minus_z, rs::scalar_mul(a, s[i])), gens.G[(i / n) * kMaxBits + i % n]);
  Scalar y_inv_pow = rs::kOne, z_pow = rs::kOne;
  for (size_t j = 0; j < m; ++j) {
    Scalar two_pow = rs::kOne;
    for (size_t k = 0; k < n; ++k) {
      size_t i = j * n + k;
      Scalar z_and_2 = rs::scalar_mul(two_pow, z_pow);
      Scalar hs = rs::scalar_add(
          z, rs::scalar_mul(y_inv_pow, rs::scalar_sub(rs::scalar_mul(zz, z_and_2), rs::scalar_mul(b, s[nm - 1 - i]))));
      term(hs, gens.H[j * kMaxBits + k]);
      y_inv_pow = rs::scalar_mul(y_inv_pow, y_inv);
      two_pow = rs::scalar_add(two_pow, two_pow);
    }
    z_pow = rs::scalar_mul(z_pow, z);
  }
  Scalar czz = rs::scalar_mul(c, zz);
  z_pow = rs::kOne;
  for (size_t j = 0; j < m; ++j) {
    Point V;
    std::memcpy(V.data(), commitments[j].data(), 32);
    if (!term_compressed(rs::scalar_mul(czz, z_pow), V)) return false;
    z_pow = rs::scalar_mul(z_pow, z);
  }
  return rs::multi_scalar_mul(scalars, points) == rs::kIdentity;
}

}  // namespace bulletproofs

// ---------------------------------------------------------------------------------------------
namespace natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kDeserializeRangeProof = 0x01'0001;  // NFE_DESERIALIZE_RANGE_PROOF
constexpr uint64_t kRangeNotSupported = 0x01'0003;      // NFE_RANGE_NOT_SUPPORTED
constexpr uint64_t kBatchSizeNotSupported = 0x01'0004;  // NFE_BATCH_SIZE_NOT_SUPPORTED

const Container* struct_of(const Value& v) {
  if (Container* c = container_of(v)) return c;
  if (v.kind == ValueKind::IndexedRef)
    if (const Value* t = peek_indexed(v)) return container_of(*t);
  return nullptr;
}
// The point behind a &RistrettoPoint argument.
std::optional<ristretto::Point> point_arg(NativeContext& ctx, const Value& v) {
  const Container* c = struct_of(v);
  if (!c || c->kind != ContainerKind::Struct || c->values.size() != 1 || c->values[0].kind != ValueKind::U64)
    return std::nullopt;
  auto& store = ristretto::point_store(ctx.extensions());
  if (c->values[0].u64 >= store.points.size()) return std::nullopt;
  return store.points[c->values[0].u64];
}

}  // namespace

void register_bulletproofs(Registrar& r, const GasParameters& g) {
  auto p = [&](const std::string& n) { return g.native("aptos_framework.bulletproofs." + n); };
  const uint64_t base = p("base"), per_byte = p("per_byte_rangeproof_deserialize");
  const uint64_t per_bit = p("per_bit_rangeproof_verify");
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> batch_base;
  for (uint64_t m : {1, 2, 4, 8, 16})
    for (uint64_t n : {8, 16, 32, 64})
      batch_base[{m, n}] = p("verify.base_batch_" + std::to_string(m) + "_bits_" + std::to_string(n));

  // verify_range_proof_internal(com: vector<u8>, val_base: &RistrettoPoint,
  //   rand_base: &RistrettoPoint, proof: vector<u8>, num_bits: u64, dst: vector<u8>): bool
  r.add(1, "ristretto255_bulletproofs", "verify_range_proof_internal",
        [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
          if (a.size() != 6) return invariant("verify_range_proof_internal arguments");
          const Bytes* com = bytes_of(a[0]);
          const Bytes* proof = bytes_of(a[3]);
          const Bytes* dst = bytes_of(a[5]);
          auto bits = u64_of(a[4]);
          auto val_base = point_arg(ctx, a[1]), rand_base = point_arg(ctx, a[2]);
          if (!com || !proof || !dst || !bits || !val_base || !rand_base)
            return invariant("verify_range_proof_internal arguments");
          if (com->size() != 32) return invariant("verify_range_proof_internal commitment length");
          if (!bulletproofs::supported_bits(*bits)) return NativeResult::abort(kRangeNotSupported);
          uint64_t cost = base + per_byte * proof->size();
          auto rp = bulletproofs::RangeProof::from_bytes(*proof);
          if (!rp) return NativeResult::abort(kDeserializeRangeProof, cost);
          cost += per_bit * *bits;
          bool ok = bulletproofs::verify(*rp, std::span<const Bytes>(com, 1), *val_base, *rand_base, *bits, *dst);
          return NativeResult::ok({Value::boolean(ok)}, cost);
        });

  // verify_batch_range_proof_internal(comms: vector<vector<u8>>, val_base, rand_base, proof,
  //   num_bits, dst): bool — charged by (batch size, bits) before deserializing.
  auto batch = [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 6) return invariant("verify_batch_range_proof_internal arguments");
    const Container* comms = struct_of(a[0]);
    const Bytes* proof = bytes_of(a[3]);
    const Bytes* dst = bytes_of(a[5]);
    auto bits = u64_of(a[4]);
    auto val_base = point_arg(ctx, a[1]), rand_base = point_arg(ctx, a[2]);
    if (!comms || comms->kind != ContainerKind::Vector || !proof || !dst || !bits || !val_base || !rand_base)
      return invariant("verify_batch_range_proof_internal arguments");
    std::vector<Bytes> cs;
    for (const Value& v : comms->values) {
      const Bytes* c = bytes_of(v);
      if (!c || c->size() != 32) return invariant("verify_batch_range_proof_internal commitment");
      cs.push_back(*c);
    }
    if (!bulletproofs::supported_bits(*bits)) return NativeResult::abort(kRangeNotSupported);
    if (!bulletproofs::supported_batch(cs.size())) return NativeResult::abort(kBatchSizeNotSupported);
    uint64_t cost = batch_base.at({cs.size(), *bits});
    auto rp = bulletproofs::RangeProof::from_bytes(*proof);
    if (!rp) return NativeResult::abort(kDeserializeRangeProof, cost);
    bool ok = bulletproofs::verify(*rp, cs, *val_base, *rand_base, *bits, *dst);
    return NativeResult::ok({Value::boolean(ok)}, cost);
  };
  r.add(1, "ristretto255_bulletproofs", "verify_batch_range_proof_internal", batch);
  r.add(1, "confidential_range_proofs", "verify_batch_range_proof_internal", batch);
}

}  // namespace natives
}  // namespace lumio::movevm
