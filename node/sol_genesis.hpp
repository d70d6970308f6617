// Solana genesis of a dev chain: the genuine programs at their mainnet addresses (from the images
// scripts/extract-spl.sh extracts, checked by SHA-256), native program and sysvar accounts, a
// faucet and deterministic funded dev keypairs.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "exec/svm_state.hpp"
#include "state/overlay.hpp"
#include "svm/runtime.hpp"
#include <memory>

namespace lumio::node {

using exec::SvmPubkey;

// An ed25519 keypair; `secret` is libsodium's (and Solana's Keypair) 64 bytes: seed || pubkey.
struct SolKeypair {
  SvmPubkey pubkey{};
  std::array<uint8_t, 64> secret{};
};
// sha256(label) as the seed: stable across runs, so tests and docs can name the keys.
SolKeypair sol_keypair_from_label(const std::string& label);
std::vector<SolKeypair> sol_dev_keypairs(unsigned n);  // labels "lumio-solana-dev-<i>"
SolKeypair sol_faucet_keypair();                        // "lumio-solana-faucet"
SolKeypair sol_identity_keypair();                      // "lumio-solana-identity"
inline constexpr uint64_t kFaucetLamports = 500'000'000'000'000'000;  // 500M SOL

enum class SolLoader { Deprecated, V2, Upgradeable };
struct SolProgramImage {
  const char* file;     // <spl_dir>/<file>.so
  const char* sha256;   // hex
  const char* program_id;
  SolLoader loader;
};
const std::vector<SolProgramImage>& sol_genesis_programs();

// Reads and checks every image. Throws std::runtime_error naming the file and what to run.
std::vector<Bytes> load_sol_program_images(const std::string& spl_dir);

// Derived program-data account of an upgradeable program.
SvmPubkey programdata_address(const SvmPubkey& program_id);

struct SolGenesisParams {
  std::string spl_dir;
  unsigned dev_accounts = 10;
  uint64_t dev_lamports = 1'000'000'000'000;
  int64_t unix_timestamp = 0;
};
// Writes every genesis account into `o` (sysvars for slot 0). Throws std::runtime_error.
void write_sol_genesis(state::BlockOverlay& o, const SolGenesisParams& p);

// The Solana runtime with the builtin programs a dev chain runs (system program, loaders).
std::unique_ptr<svm::Runtime> make_sol_runtime();

}  // namespace lumio::node
