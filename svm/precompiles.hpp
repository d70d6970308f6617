// Solana's signature-verification precompiles (Ed25519SigVerify, KeccakSecp256k1, Secp256r1SigVerify)
// and the curve primitives behind the crypto syscalls (syscalls_crypto.cpp). Semantics, offsets
// layouts and error kinds follow Agave's precompiles crate, solana-curve25519 and solana-bn254.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "common/bytes.hpp"
#include "svm/program.hpp"

namespace lumio::svm {

// ---- precompile programs --------------------------------------------------------------------

// solana_precompile_error::PrecompileError; the runtime reports a failure as
// InstructionError::Custom(code) with code = the enum value.
enum class PrecompileError : uint32_t {
  InvalidPublicKey = 0,
  InvalidRecoveryId = 1,
  InvalidSignature = 2,
  InvalidDataOffsets = 3,
  InvalidInstructionDataSize = 4,
};
const char* name(PrecompileError e);

const Pubkey& ed25519_program_id();    // Ed25519SigVerify111111111111111111111111111
const Pubkey& secp256k1_program_id();  // KeccakSecp256k11111111111111111111111111111
const Pubkey& secp256r1_program_id();  // Secp256r1SigVerify1111111111111111111111111
bool is_precompile(const Pubkey& program_id);

// Verifies one precompile instruction. `data` is its instruction data, `instruction_datas` the
// data of every instruction of the transaction in order (offsets may point into any of them).
// nullopt: verified (also for an id that is not a precompile; callers check is_precompile).
std::optional<PrecompileError> verify_precompile(const Pubkey& program_id, std::span<const uint8_t> data,
                                                 std::span<const std::span<const uint8_t>> instruction_datas);

// Signatures a precompile instruction claims, for fees (Agave: the first data byte, 0 if empty).
uint64_t precompile_signature_count(std::span<const uint8_t> data);

// ---- curve primitives (results are 32-byte encodings; nullopt = the syscall's failure, 1) ----

using Point32 = std::array<uint8_t, 32>;

// Edwards25519 as curve25519-dalek: any point that decompresses (y taken mod p, any subgroup);
// scalars must be canonical (< l).
namespace ed25519 {
bool validate(const uint8_t* point);
std::optional<Point32> add(const uint8_t* a, const uint8_t* b);
std::optional<Point32> sub(const uint8_t* a, const uint8_t* b);
std::optional<Point32> mul(const uint8_t* scalar, const uint8_t* point);
std::optional<Point32> multiscalar_mul(const uint8_t* scalars, const uint8_t* points, size_t n);
}  // namespace ed25519

namespace ristretto255 {
bool validate(const uint8_t* point);
std::optional<Point32> add(const uint8_t* a, const uint8_t* b);
std::optional<Point32> sub(const uint8_t* a, const uint8_t* b);
std::optional<Point32> mul(const uint8_t* scalar, const uint8_t* point);
std::optional<Point32> multiscalar_mul(const uint8_t* scalars, const uint8_t* points, size_t n);
}  // namespace ristretto255

// alt_bn128, big-endian (EIP-196/197 encodings), solana-bn254 semantics: add takes <= 128 input
// bytes, mul <= 96 (zero-padded), pairing a multiple of 192; compression per arkworks' format.
namespace bn254 {
std::optional<Bytes> g1_add(BytesView in);
std::optional<Bytes> g1_mul(BytesView in);
std::optional<Bytes> pairing(BytesView in);
std::optional<Bytes> g2_add(BytesView in);  // 256 bytes; curve check only (no subgroup check)
std::optional<Bytes> g2_mul(BytesView in);  // 128-byte G2 point (subgroup-checked) + 32-byte scalar
std::optional<Bytes> g1_compress(BytesView in);    // 64 -> 32
std::optional<Bytes> g1_decompress(BytesView in);  // 32 -> 64
std::optional<Bytes> g2_compress(BytesView in);    // 128 -> 64
std::optional<Bytes> g2_decompress(BytesView in);  // 64 -> 128
}  // namespace bn254

// Poseidon as light-poseidon's new_circom (BN254 scalar field, x^5, circom's constants), as the
// poseidon_enforce_padding rules: 1..12 inputs of exactly 32 bytes, each < r; inputs and result
// big- or little-endian. nullopt is the syscall's failure (1).
std::optional<Hash32> poseidon(std::span<const BytesView> inputs, bool big_endian);

// solana-big-mod-exp: base^exponent mod modulus, big-endian, modulus.size() bytes (0 or 1 -> zeros).
Bytes big_mod_exp(BytesView base, BytesView exponent, BytesView modulus);

// Registers sol_blake3, sol_curve_validate_point, sol_curve_group_op, sol_curve_multiscalar_mul,
// sol_alt_bn128_group_op, sol_alt_bn128_compression, sol_big_mod_exp, sol_poseidon,
// sol_get_epoch_stake.
void register_crypto_syscalls(Loader& loader);

}  // namespace lumio::svm
