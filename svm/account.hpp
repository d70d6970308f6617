// Accounts as the Solana runtime sees them (solana-account AccountSharedData), rent, and the
// well-known program / sysvar ids the runtime treats specially.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "svm/program.hpp"

namespace lumio::svm {

struct Account {
  uint64_t lamports = 0;
  std::vector<uint8_t> data;
  Pubkey owner{};
  bool executable = false;
  uint64_t rent_epoch = 0;
  bool operator==(const Account&) const = default;
};

// rent_epoch of accounts that are rent exempt (or created by a transaction): u64::MAX.
inline constexpr uint64_t kRentExemptRentEpoch = ~uint64_t{0};

// solana-rent Rent. Defaults are mainnet's (3480 lamports per byte-year, 2 years exemption,
// 50% burn); every account is charged for 128 bytes of metadata on top of its data.
struct Rent {
  uint64_t lamports_per_byte_year = 3480;
  double exemption_threshold = 2.0;
  uint8_t burn_percent = 50;
  static constexpr uint64_t kAccountStorageOverhead = 128;

  uint64_t minimum_balance(uint64_t data_len) const {
    return uint64_t(double((kAccountStorageOverhead + data_len) * lamports_per_byte_year) * exemption_threshold);
  }
  bool is_exempt(uint64_t lamports, uint64_t data_len) const { return lamports >= minimum_balance(data_len); }
  std::vector<uint8_t> encode() const;  // bincode: u64, f64, u8 (17 bytes)
};

// Decodes a base58 address; aborts on malformed input (for compile-time-known ids only).
Pubkey pubkey_from_base58(std::string_view s);

// Base58 -> 32 bytes at compile time; an invalid character or overflow does not compile.
consteval Pubkey base58_id(std::string_view s) {
  constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  Pubkey out{};
  for (char c : s) {
    size_t digit = kAlphabet.find(c);
    if (digit == std::string_view::npos) throw "invalid base58 character";
    unsigned carry = unsigned(digit);
    for (int i = 31; i >= 0; --i) {
      carry += unsigned(out[i]) * 58;
      out[i] = uint8_t(carry);
      carry >>= 8;
    }
    if (carry) throw "base58 value exceeds 32 bytes";
  }
  return out;
}

// Ids the runtime knows by heart (solana-sdk-ids), constant-initialized.
namespace ids {
inline constexpr Pubkey system_program = base58_id("11111111111111111111111111111111");
inline constexpr Pubkey native_loader = base58_id("NativeLoader1111111111111111111111111111111");
inline constexpr Pubkey bpf_loader_deprecated = base58_id("BPFLoader1111111111111111111111111111111111");
inline constexpr Pubkey bpf_loader = base58_id("BPFLoader2111111111111111111111111111111111");
inline constexpr Pubkey bpf_loader_upgradeable = base58_id("BPFLoaderUpgradeab1e11111111111111111111111");
inline constexpr Pubkey loader_v4 = base58_id("LoaderV411111111111111111111111111111111111");
inline constexpr Pubkey compute_budget = base58_id("ComputeBudget111111111111111111111111111111");
inline constexpr Pubkey address_lookup_table = base58_id("AddressLookupTab1e1111111111111111111111111");
inline constexpr Pubkey config_program = base58_id("Config1111111111111111111111111111111111111");
inline constexpr Pubkey stake_program = base58_id("Stake11111111111111111111111111111111111111");
inline constexpr Pubkey vote_program = base58_id("Vote111111111111111111111111111111111111111");
inline constexpr Pubkey feature_program = base58_id("Feature111111111111111111111111111111111111");
inline constexpr Pubkey ed25519_program = base58_id("Ed25519SigVerify111111111111111111111111111");
inline constexpr Pubkey secp256k1_program = base58_id("KeccakSecp256k11111111111111111111111111111");
inline constexpr Pubkey secp256r1_program = base58_id("Secp256r1SigVerify1111111111111111111111111");
inline constexpr Pubkey zk_token_proof = base58_id("ZkTokenProof1111111111111111111111111111111");
inline constexpr Pubkey zk_elgamal_proof = base58_id("ZkE1Gama1Proof11111111111111111111111111111");
inline constexpr Pubkey incinerator = base58_id("1nc1nerator11111111111111111111111111111111");
inline constexpr Pubkey sysvar_owner = base58_id("Sysvar1111111111111111111111111111111111111");
inline constexpr Pubkey sysvar_clock = base58_id("SysvarC1ock11111111111111111111111111111111");
inline constexpr Pubkey sysvar_rent = base58_id("SysvarRent111111111111111111111111111111111");
inline constexpr Pubkey sysvar_epoch_schedule = base58_id("SysvarEpochSchedu1e111111111111111111111111");
inline constexpr Pubkey sysvar_slot_hashes = base58_id("SysvarS1otHashes111111111111111111111111111");
inline constexpr Pubkey sysvar_recent_blockhashes = base58_id("SysvarRecentB1ockHashes11111111111111111111");
inline constexpr Pubkey sysvar_instructions = base58_id("Sysvar1nstructions1111111111111111111111111");
inline constexpr Pubkey sysvar_last_restart_slot = base58_id("SysvarLastRestartS1ot1111111111111111111111");
inline constexpr Pubkey sysvar_fees = base58_id("SysvarFees111111111111111111111111111111111");
inline constexpr Pubkey sysvar_rewards = base58_id("SysvarRewards111111111111111111111111111111");
inline constexpr Pubkey sysvar_slot_history = base58_id("SysvarS1otHistory11111111111111111111111111");
inline constexpr Pubkey sysvar_stake_history = base58_id("SysvarStakeHistory1111111111111111111111111");
inline constexpr Pubkey sysvar_epoch_rewards = base58_id("SysvarEpochRewards1111111111111111111111111");
inline constexpr Pubkey stake_config = base58_id("StakeConfig11111111111111111111111111111111");
}  // namespace ids

// Owners of programs the BPF loaders execute (deprecated, v2, upgradeable, v4).
bool is_bpf_loader(const Pubkey& owner);
// Agave ReservedAccountKeys (mainnet-active set): never writable in a transaction.
bool is_reserved_account(const Pubkey& key);

}  // namespace lumio::svm
