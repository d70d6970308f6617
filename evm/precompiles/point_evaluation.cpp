// 0x0a point evaluation (EIP-4844): verifies a KZG opening proof over BLS12-381 against the
// trusted setup's [tau]_2, after checking the commitment against the versioned hash.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "common/hash.hpp"
#include "evm/precompiles/internal.hpp"
#include "common/ff/bls12_381.hpp"

namespace lumio::evm::precompiles {
namespace {
using namespace ff;

using BlsCurve = bls12_381::Curve;
using P = bls12_381::P;
using bls12_381::G1;
using bls12_381::G2;
constexpr uint64_t kFieldElementsPerBlob = 4096;

constexpr const char* kG1Generator =
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6"
    "bb";
constexpr const char* kG2Generator =
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b"
    "7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121"
    "bdb8";

// ZCash compressed encodings (common/ff/bls12_381.hpp), in the r-order subgroup.
std::optional<G1> decode_g1(const uint8_t* in) {
  auto p = bls12_381::g1_uncompress(in);
  if (!p || !bls12_381::g1_in_subgroup(*p)) return std::nullopt;
  return p;
}
std::optional<G2> decode_g2(const uint8_t* in) {
  auto q = bls12_381::g2_uncompress(in);
  if (!q || !bls12_381::g2_in_subgroup(*q)) return std::nullopt;
  return q;
}

template <size_t L>
std::optional<std::array<uint8_t, L>> unhex(std::string_view s) {
  auto b = from_hex(s);
  if (!b || b->size() != L) return std::nullopt;
  std::array<uint8_t, L> out;
  std::memcpy(out.data(), b->data(), L);
  return out;
}

struct Setup {
  G1 g1;
  P::Prepared neg_g2, tau_g2;  // lines of -[1]_2 and [tau]_2
};

std::mutex g_setup_mutex;
std::string g_setup_path;       // set_trusted_setup_path()
std::optional<Setup> g_setup;  // loaded on first use
bool g_setup_failed = false;    // don't re-read a missing/bad file on every call

// c-kzg-4844 text format: G1 count, G2 count, G1 (Lagrange) points, then G2 monomial points
// [tau^i]_2. Only [1]_2 (checked against the generator) and [tau]_2 are needed.
std::optional<Setup> load_setup(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  size_t n1 = 0, n2 = 0;
  if (!(f >> n1 >> n2) || n1 != kFieldElementsPerBlob || n2 < 2) return std::nullopt;
  std::string line;
  for (size_t i = 0; i < n1; ++i) f >> line;
  std::string g2_0, g2_1;
  if (!(f >> g2_0 >> g2_1)) return std::nullopt;
  auto gen1 = unhex<48>(kG1Generator);
  auto gen2 = unhex<96>(kG2Generator);
  auto tau = unhex<96>(g2_1);
  if (g2_0 != kG2Generator || !tau) return std::nullopt;
  auto g1 = decode_g1(gen1->data());
  auto g2 = decode_g2(gen2->data());
  auto tau_g2 = decode_g2(tau->data());
  if (!g1 || !g2 || !tau_g2 || g2->is_infinity() || tau_g2->is_infinity()) return std::nullopt;
  P::G2Affine neg_g2_affine, tau_affine;
  (-*g2).to_affine(neg_g2_affine.x, neg_g2_affine.y);
  tau_g2->to_affine(tau_affine.x, tau_affine.y);
  return Setup{*g1, P::prepare(neg_g2_affine), P::prepare(tau_affine)};
}

const Setup* setup() {
  std::lock_guard lock(g_setup_mutex);
  if (g_setup) return &*g_setup;
  if (g_setup_failed) return nullptr;
  std::vector<std::string> candidates;
  if (!g_setup_path.empty()) candidates.push_back(g_setup_path);
  if (const char* env = std::getenv("LUMIO_KZG_SETUP")) candidates.push_back(env);
  candidates.push_back("../shared/kzg/trusted_setup.txt");
  for (auto& path : candidates)
    if ((g_setup = load_setup(path))) return &*g_setup;
  g_setup_failed = true;
  std::string tried;
  for (auto& path : candidates) tried += " " + path;
  std::fprintf(stderr, "lumio: no valid KZG trusted setup (tried%s); 0x0a calls fail\n",
               tried.c_str());
  return nullptr;
}

// 32-byte big-endian scalar strictly below the group order r.
bool is_canonical_scalar(const uint8_t* b) {
  static const auto r = *unhex<32>(BlsCurve::kOrderHex);
  return std::memcmp(b, r.data(), 32) < 0;
}

}  // namespace

void set_trusted_setup_path(std::string path) {
  std::lock_guard lock(g_setup_mutex);
  g_setup_path = std::move(path);
  g_setup_failed = false;
}

// Input: versioned_hash(32) z(32) y(32) commitment(48) proof(48).
Result point_evaluation(BytesView in, uint64_t gas) {
  constexpr uint64_t kCost = 50000;
  Result failure{false, 0, {}};
  if (gas < kCost || in.size() != 192) return failure;
  const uint8_t *z = &in[32], *y = &in[64], *commitment = &in[96], *proof = &in[144];
  Hash32 h = sha256(in.subspan(96, 48));
  h.bytes[0] = 0x01;  // VERSIONED_HASH_VERSION_KZG
  if (std::memcmp(h.data(), in.data(), 32) != 0) return failure;
  if (!is_canonical_scalar(z) || !is_canonical_scalar(y)) return failure;
  auto c = decode_g1(commitment), pi = decode_g1(proof);
  if (!c || !pi) return failure;
  const Setup* s = setup();
  if (!s) return failure;

  // e(C - [y]G1, G2) == e(proof, [tau - z]G2), i.e. e(C - [y]G1 + [z]proof, -G2) *
  // e(proof, [tau]G2) == 1: only G1 scalar multiplications, and both G2 sides are fixed.
  G1 lhs = *c + G1::mul2(-s->g1, y, *pi, z, 32);
  std::vector<std::pair<P::G1Affine, const P::Prepared*>> pairs;
  P::G1Affine a, b;
  if (!lhs.is_infinity()) {
    lhs.to_affine(a.x, a.y);
    pairs.push_back({a, &s->neg_g2});
  }
  if (!pi->is_infinity()) {
    pi->to_affine(b.x, b.y);
    pairs.push_back({b, &s->tau_g2});
  }
  if (!P::product_is_one(pairs)) return failure;

  Result ok{true, kCost, Bytes(64, 0)};
  for (int i = 0; i < 8; ++i) ok.output[31 - i] = uint8_t(kFieldElementsPerBlob >> (8 * i));
  auto r = *unhex<32>(BlsCurve::kOrderHex);
  std::memcpy(ok.output.data() + 32, r.data(), 32);
  return ok;
}

}  // namespace lumio::evm::precompiles
