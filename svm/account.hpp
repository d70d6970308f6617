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

// Ids the runtime knows by heart (solana-sdk-ids).
namespace ids {
extern const Pubkey system_program;           // 11111111111111111111111111111111
extern const Pubkey native_loader;            // NativeLoader1111111111111111111111111111111
extern const Pubkey bpf_loader_deprecated;    // BPFLoader1111111111111111111111111111111111
extern const Pubkey bpf_loader;               // BPFLoader2111111111111111111111111111111111
extern const Pubkey bpf_loader_upgradeable;   // BPFLoaderUpgradeab1e11111111111111111111111
extern const Pubkey loader_v4;                // LoaderV411111111111111111111111111111111111
extern const Pubkey compute_budget;           // ComputeBudget111111111111111111111111111111
extern const Pubkey address_lookup_table;     // AddressLookupTab1e1111111111111111111111111
extern const Pubkey config_program, stake_program, vote_program, feature_program;
extern const Pubkey ed25519_program;          // Ed25519SigVerify111111111111111111111111111
extern const Pubkey secp256k1_program;        // KeccakSecp256k11111111111111111111111111111
extern const Pubkey secp256r1_program;        // Secp256r1SigVerify1111111111111111111111111
extern const Pubkey zk_token_proof, zk_elgamal_proof;
extern const Pubkey incinerator;              // 1nc1nerator11111111111111111111111111111111
extern const Pubkey sysvar_owner;             // Sysvar1111111111111111111111111111111111111
extern const Pubkey sysvar_clock, sysvar_rent, sysvar_epoch_schedule, sysvar_slot_hashes,
    sysvar_recent_blockhashes, sysvar_instructions, sysvar_last_restart_slot, sysvar_fees,
    sysvar_rewards, sysvar_slot_history, sysvar_stake_history, sysvar_epoch_rewards;
}  // namespace ids

// Owners of programs the BPF loaders execute (deprecated, v2, upgradeable, v4).
bool is_bpf_loader(const Pubkey& owner);
// Agave ReservedAccountKeys (mainnet-active set): never writable in a transaction.
bool is_reserved_account(const Pubkey& key);

}  // namespace lumio::svm
