// Ristretto255 group and scalar helpers (libsodium), the per-session point store of
// 0x1::ristretto255, Merlin transcripts (STROBE-128 over Keccak-f[1600]) and the Bulletproofs
// range-proof verifier of dalek's `bulletproofs` crate. Internal to movevm (natives, tests, fuzz).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace lumio::movevm {
class NativeExtensions;
class NativeRegistry;
struct GasParameters;
namespace natives {
struct Registrar;
void register_ristretto(Registrar& r, const GasParameters& gas);     // 0x1::ristretto255
void register_bulletproofs(Registrar& r, const GasParameters& gas);  // range-proof verifiers
}  // namespace natives
}  // namespace lumio::movevm

namespace lumio::movevm::ristretto {

// A group element as its canonical 32-byte encoding (RFC 9496), a scalar as 32 little-endian
// bytes. Encodings are unique, so equality of points is equality of encodings.
using Point = std::array<uint8_t, 32>;
using Scalar = std::array<uint8_t, 32>;

inline constexpr Point kIdentity{};
extern const Point kBasepoint;

bool is_canonical_scalar(const uint8_t* s32);  // s < l
std::optional<Point> decode(BytesView bytes);  // canonical encoding of a valid point, else nullopt
Point add(const Point& a, const Point& b);
Point sub(const Point& a, const Point& b);
Point neg(const Point& a);
Point mul(const Point& p, const Scalar& s);
Point basepoint_mul(const Scalar& s);
Point from_uniform_bytes(const uint8_t* b64);  // RFC 9496 one-way map (dalek from_uniform_bytes)
Point hash_sha512(BytesView msg);              // from_uniform_bytes(SHA2-512(msg))
// sum s_i * P_i (variable time is fine: all inputs are public).
Point multi_scalar_mul(std::span<const Scalar> scalars, std::span<const Point> points);
// The same over our own field/group arithmetic (ristretto_msm.cpp), nullopt when some P_i is
// not a valid encoding; multi_scalar_mul uses it.
std::optional<Point> multi_scalar_mul_vartime(std::span<const Scalar> scalars, std::span<const Point> points);
// The per-term libsodium sum (scalarmult + add), kept as the reference the tests compare with.
Point multi_scalar_mul_sodium(std::span<const Scalar> scalars, std::span<const Point> points);

Scalar scalar_from_u64(uint64_t v);
Scalar scalar_reduce64(const uint8_t* b64);  // little-endian 512-bit number mod l
Scalar scalar_reduce32(const uint8_t* b32);
Scalar scalar_add(const Scalar& a, const Scalar& b);
Scalar scalar_sub(const Scalar& a, const Scalar& b);
Scalar scalar_mul(const Scalar& a, const Scalar& b);
Scalar scalar_neg(const Scalar& a);
Scalar scalar_invert(const Scalar& a);  // 0 for 0 (a^(l-2)), as dalek
inline constexpr Scalar kZero{};
inline constexpr Scalar kOne{1};

// Per-session store behind 0x1::ristretto255::RistrettoPoint { handle } (Aptos's
// NativeRistrettoPointContext): handles are indices, never reused within a session.
struct PointStore {
  static constexpr size_t kMaxPoints = 10000;           // NUM_POINTS_LIMIT
  static constexpr uint64_t kTooManyPoints = 0x09'0004;  // resource_exhausted(E_TOO_MANY_POINTS_CREATED)
  std::vector<Point> points;
};
// The session's store (created on first use).
PointStore& point_store(NativeExtensions& ext);

}  // namespace lumio::movevm::ristretto

namespace lumio::movevm::merlin {

void keccak_f1600(uint64_t state[25]);

// STROBE-128 as Merlin uses it (meta-AD, AD and PRF operations only).
class Strobe128 {
 public:
  explicit Strobe128(BytesView protocol_label);
  void meta_ad(BytesView data, bool more);
  void ad(BytesView data, bool more);
  void prf(uint8_t* out, size_t n, bool more);

 private:
  void begin_op(uint8_t flags, bool more);
  void absorb(BytesView data);
  void squeeze(uint8_t* out, size_t n);
  void run_f();
  void permute();  // Keccak-f[1600] over st_ (little-endian lanes)
  std::array<uint8_t, 200> st_{};
  uint8_t pos_ = 0, pos_begin_ = 0, cur_flags_ = 0;
};

// merlin::Transcript ("Merlin v1.0").
class Transcript {
 public:
  explicit Transcript(BytesView label);
  void append_message(std::string_view label, BytesView message);
  void append_u64(std::string_view label, uint64_t v);
  void challenge_bytes(std::string_view label, uint8_t* out, size_t n);
  // Bulletproofs' TranscriptProtocol::challenge_scalar: 64 bytes reduced mod l.
  ristretto::Scalar challenge_scalar(std::string_view label);

 private:
  Strobe128 strobe_;
};

}  // namespace lumio::movevm::merlin

namespace lumio::movevm::bulletproofs {

using ristretto::Point;

inline constexpr size_t kMaxBits = 64, kMaxParties = 16;  // BulletproofGens::new(64, 16) as Aptos
bool supported_bits(uint64_t n);
bool supported_batch(uint64_t m);

// The generators of dalek's BulletproofGens: party j's G_i / H_i (i < 64, j < 16).
const Point& gen_G(size_t party, size_t i);
const Point& gen_H(size_t party, size_t i);

// RangeProof::from_bytes: A, S, T_1, T_2 (compressed, unchecked), t_x, t_x_blinding,
// e_blinding (canonical scalars), then the inner-product proof (L_0 R_0 ... L_k R_k a b).
struct RangeProof {
  Point A, S, T1, T2;
  ristretto::Scalar t_x, t_x_blinding, e_blinding;
  std::vector<Point> L, R;
  ristretto::Scalar a, b;
  static std::optional<RangeProof> from_bytes(BytesView bytes);
  Bytes to_bytes() const;
};

// RangeProof::verify_multiple: `commitments` are 32-byte compressed points (any bytes; an
// invalid one fails verification), n in {8,16,32,64}, m = commitments.size() in {1,2,4,8,16};
// B / B_blinding the Pedersen bases; the transcript starts as Transcript::new(dst).
bool verify(const RangeProof& proof, std::span<const Bytes> commitments, const Point& B, const Point& B_blinding,
            size_t n, BytesView dst);

}  // namespace lumio::movevm::bulletproofs
