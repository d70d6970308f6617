// Precompile programs, as Agave's precompiles crate (ed25519.rs, secp256k1.rs, secp256r1.rs):
// instruction layouts, check order and PrecompileError kinds. Ed25519 verification is libsodium's
// crypto_sign_verify_detached (= dalek's verify_strict: canonical S, no small-order R or A);
// secp256k1 recovery is libsecp256k1; P-256 is OpenSSL's libcrypto.
#include "svm/precompiles.hpp"

#define OPENSSL_SUPPRESS_DEPRECATED  // EC_KEY / ECDSA_do_verify: the shortest path to P-256
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {
namespace {

using Error = std::optional<PrecompileError>;
using Datas = std::span<const std::span<const uint8_t>>;

Pubkey id_of(std::string_view b58) {
  auto v = base58_decode(b58);
  Pubkey k{};
  if (v && v->size() == 32) std::memcpy(k.data(), v->data(), 32);
  return k;
}

uint16_t u16_at(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

// Ed25519/secp256r1 offsets slice: index u16::MAX is the precompile instruction itself; a bad index
// or a range past the end is InvalidDataOffsets.
std::optional<std::span<const uint8_t>> slice16(std::span<const uint8_t> data, Datas all, uint16_t index,
                                                uint16_t offset, size_t size, PrecompileError* err) {
  std::span<const uint8_t> ix;
  if (index == 0xffff) {
    ix = data;
  } else {
    if (index >= all.size()) return *err = PrecompileError::InvalidDataOffsets, std::nullopt;
    ix = all[index];
  }
  if (size_t(offset) + size > ix.size()) return *err = PrecompileError::InvalidDataOffsets, std::nullopt;
  return ix.subspan(offset, size);
}

// Ed25519SignatureOffsets (7 x u16): signature offset/ix, public key offset/ix, message
// offset/size/ix; the data starts with [count, padding].
Error verify_ed25519(std::span<const uint8_t> data, Datas all) {
  if (data.size() < 2) return PrecompileError::InvalidInstructionDataSize;
  size_t n = data[0];
  if (n == 0 && data.size() > 2) return PrecompileError::InvalidInstructionDataSize;
  if (data.size() < n * 14 + 2) return PrecompileError::InvalidInstructionDataSize;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* o = data.data() + 2 + 14 * i;
    PrecompileError err{};
    auto sig = slice16(data, all, u16_at(o + 2), u16_at(o), 64, &err);
    if (!sig) return err;
    auto pk = slice16(data, all, u16_at(o + 6), u16_at(o + 4), 32, &err);
    if (!pk) return err;
    if (!ed25519::validate(pk->data())) return PrecompileError::InvalidPublicKey;  // dalek decompress
    auto msg = slice16(data, all, u16_at(o + 12), u16_at(o + 8), u16_at(o + 10), &err);
    if (!msg) return err;
    if (crypto_sign_verify_detached(sig->data(), msg->data(), msg->size(), pk->data()) != 0)
      return PrecompileError::InvalidSignature;
  }
  return std::nullopt;
}

// SecpSignatureOffsets (bincode, 11 bytes): signature offset u16, ix u8, eth address offset u16,
// ix u8, message offset u16, size u16, ix u8.
Error verify_secp256k1(std::span<const uint8_t> data, Datas all) {
  if (data.empty()) return PrecompileError::InvalidInstructionDataSize;
  size_t n = data[0];
  if (n == 0 && data.size() > 1) return PrecompileError::InvalidInstructionDataSize;
  if (data.size() < n * 11 + 1) return PrecompileError::InvalidInstructionDataSize;
  // get_data_slice here: bad index InvalidDataOffsets, range past the end InvalidSignature.
  auto slice = [&](uint8_t index, uint16_t offset, size_t size, PrecompileError* err)
      -> std::optional<std::span<const uint8_t>> {
    if (index >= all.size()) return *err = PrecompileError::InvalidDataOffsets, std::nullopt;
    if (size_t(offset) + size > all[index].size()) return *err = PrecompileError::InvalidSignature, std::nullopt;
    return all[index].subspan(offset, size);
  };
  static const Hash32 kOrder =
      *fixed_from_hex<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* o = data.data() + 1 + 11 * i;
    uint8_t sig_ix = o[2];
    if (sig_ix >= all.size()) return PrecompileError::InvalidInstructionDataSize;
    auto sig_data = all[sig_ix];
    size_t sig_start = u16_at(o);
    if (sig_start + 64 >= sig_data.size()) return PrecompileError::InvalidSignature;  // + recovery id
    Hash32 r, s;
    std::memcpy(r.data(), sig_data.data() + sig_start, 32);
    std::memcpy(s.data(), sig_data.data() + sig_start + 32, 32);
    if (!(r < kOrder) || !(s < kOrder)) return PrecompileError::InvalidSignature;  // parse_standard
    uint8_t recid = sig_data[sig_start + 64];
    if (recid > 3) return PrecompileError::InvalidRecoveryId;
    PrecompileError err{};
    auto eth = slice(o[5], u16_at(o + 3), 20, &err);
    if (!eth) return err;
    auto msg = slice(o[10], u16_at(o + 6), u16_at(o + 8), &err);
    if (!msg) return err;
    auto addr = secp256k1::recover_address(keccak256(*msg), r, s, recid);
    if (!addr || std::memcmp(addr->data(), eth->data(), 20) != 0) return PrecompileError::InvalidSignature;
  }
  return std::nullopt;
}


// Secp256r1SignatureOffsets: as ed25519's; compressed 33-byte public keys, r || s signatures with
// 1 <= r < n and 1 <= s <= n/2 (low S), at most 8 signatures.
Error verify_secp256r1(std::span<const uint8_t> data, Datas all) {
  if (data.size() < 2) return PrecompileError::InvalidInstructionDataSize;
  size_t n = data[0];
  if (n == 0 || n > 8) return PrecompileError::InvalidInstructionDataSize;
  if (data.size() < n * 14 + 2) return PrecompileError::InvalidInstructionDataSize;
  static const Hash32 kHalfOrder =
      *fixed_from_hex<32>("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8");
  static const Hash32 kOrderMinusOne =
      *fixed_from_hex<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* o = data.data() + 2 + 14 * i;
    PrecompileError err{};
    auto sig = slice16(data, all, u16_at(o + 2), u16_at(o), 64, &err);
    if (!sig) return err;
    auto pk = slice16(data, all, u16_at(o + 6), u16_at(o + 4), 33, &err);
    if (!pk) return err;
    auto msg = slice16(data, all, u16_at(o + 12), u16_at(o + 8), u16_at(o + 10), &err);
    if (!msg) return err;
    Hash32 r, s;
    std::memcpy(r.data(), sig->data(), 32);
    std::memcpy(s.data(), sig->data() + 32, 32);
    if (r.is_zero() || s.is_zero() || kOrderMinusOne < r || kHalfOrder < s) return PrecompileError::InvalidSignature;
    EC_KEY* key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    const EC_GROUP* group = EC_KEY_get0_group(key);
    EC_POINT* point = EC_POINT_new(group);
    bool pk_ok = EC_POINT_oct2point(group, point, pk->data(), 33, nullptr) == 1 &&
                 EC_KEY_set_public_key(key, point) == 1;
    bool sig_ok = false;
    if (pk_ok) {
      uint8_t digest[32];
      SHA256(msg->data(), msg->size(), digest);
      ECDSA_SIG* es = ECDSA_SIG_new();
      ECDSA_SIG_set0(es, BN_bin2bn(r.data(), 32, nullptr), BN_bin2bn(s.data(), 32, nullptr));
      sig_ok = ECDSA_do_verify(digest, 32, es, key) == 1;
      ECDSA_SIG_free(es);
    }
    EC_POINT_free(point);
    EC_KEY_free(key);
    if (!pk_ok) return PrecompileError::InvalidPublicKey;
    if (!sig_ok) return PrecompileError::InvalidSignature;
  }
  return std::nullopt;
}

}  // namespace

const char* name(PrecompileError e) {
  switch (e) {
    case PrecompileError::InvalidPublicKey: return "InvalidPublicKey";
    case PrecompileError::InvalidRecoveryId: return "InvalidRecoveryId";
    case PrecompileError::InvalidSignature: return "InvalidSignature";
    case PrecompileError::InvalidDataOffsets: return "InvalidDataOffsets";
    case PrecompileError::InvalidInstructionDataSize: return "InvalidInstructionDataSize";
  }
  return "?";
}

const Pubkey& ed25519_program_id() {
  static const Pubkey k = id_of("Ed25519SigVerify111111111111111111111111111");
  return k;
}
const Pubkey& secp256k1_program_id() {
  static const Pubkey k = id_of("KeccakSecp256k11111111111111111111111111111");
  return k;
}
const Pubkey& secp256r1_program_id() {
  static const Pubkey k = id_of("Secp256r1SigVerify1111111111111111111111111");
  return k;
}

bool is_precompile(const Pubkey& id) {
  return id == ed25519_program_id() || id == secp256k1_program_id() || id == secp256r1_program_id();
}

std::optional<PrecompileError> verify_precompile(const Pubkey& program_id, std::span<const uint8_t> data,
                                                 Datas instruction_datas) {
  if (program_id == ed25519_program_id()) return verify_ed25519(data, instruction_datas);
  if (program_id == secp256k1_program_id()) return verify_secp256k1(data, instruction_datas);
  if (program_id == secp256r1_program_id()) return verify_secp256r1(data, instruction_datas);
  return std::nullopt;
}

uint64_t precompile_signature_count(std::span<const uint8_t> data) { return data.empty() ? 0 : data[0]; }

}  // namespace lumio::svm
