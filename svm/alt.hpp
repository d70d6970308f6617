// Address lookup tables: the on-chain state (solana-address-lookup-table-interface state.rs) and
// Agave's resolution of a v0 message's table lookups into loaded addresses
// (accounts-db Accounts::load_lookup_table_addresses, AddressLoaderError -> TransactionError).
// The table program itself is the core-BPF image, run by the runtime like any program.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "svm/account.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

inline constexpr size_t kLookupTableMetaSize = 56;
inline constexpr size_t kLookupTableMaxAddresses = 256;
inline constexpr size_t kSlotHashesMaxEntries = 512;  // slot_hashes::MAX_ENTRIES


// SlotHashes sysvar: (slot, hash) newest first. bincode: u64 count, then (u64, [u8; 32]) pairs.
struct SlotHashes {
  std::vector<std::pair<uint64_t, Hash>> entries;
  // Index of `slot` (binary search on the descending slots), as SlotHashes::position.
  std::optional<size_t> position(uint64_t slot) const;
  static std::optional<SlotHashes> decode(std::span<const uint8_t> data);
  std::vector<uint8_t> encode() const;
};

struct LookupTableMeta {
  uint64_t deactivation_slot = UINT64_MAX;  // u64::MAX = active
  uint64_t last_extended_slot = 0;
  uint8_t last_extended_slot_start_index = 0;
  std::optional<Pubkey> authority;  // None = frozen
  uint16_t padding = 0;
};

enum class LookupTableStatus : uint8_t { Activated, Deactivating, Deactivated };
// LookupTableMeta::status; `remaining_blocks` (when Deactivating) as Solana reports it.
LookupTableStatus status(const LookupTableMeta& m, uint64_t current_slot, const SlotHashes& sh,
                         size_t* remaining_blocks = nullptr);

// A deserialized table; `addresses` points into the account data it came from.
struct AddressLookupTable {
  LookupTableMeta meta;
  std::span<const uint8_t> addresses;  // a multiple of 32 bytes
  size_t size() const { return addresses.size() / 32; }
  Pubkey at(size_t i) const;
  // get_active_addresses_len: nullopt if the table is deactivated (LookupTableAccountNotFound);
  // addresses appended in the current slot are not yet usable.
  std::optional<size_t> active_len(uint64_t current_slot, const SlotHashes& sh) const;
};

// AddressLookupTable::deserialize failures (InstructionError names).
enum class TableDataError : uint8_t { InvalidAccountData, UninitializedAccount };
Expected<AddressLookupTable, TableDataError> deserialize_lookup_table(std::span<const uint8_t> data);
// Meta (zero-padded to 56 bytes) followed by the addresses, as the ALT program writes it.
std::vector<uint8_t> serialize_lookup_table(const LookupTableMeta& meta, std::span<const Pubkey> addresses);

// AddressLoaderError and the TransactionError each becomes.
enum class AddressLookupError : uint8_t {
  LookupTableAccountNotFound,  // -> AddressLookupTableNotFound
  InvalidAccountOwner,         // -> InvalidAddressLookupTableOwner
  InvalidAccountData,          // -> InvalidAddressLookupTableData
  InvalidLookupIndex,          // -> InvalidAddressLookupTableIndex
  SlotHashesSysvarNotFound,    // -> AccountNotFound
};
const char* name(AddressLookupError e);               // the AddressLoaderError variant
const char* transaction_error_name(AddressLookupError e);  // e.g. "AddressLookupTableNotFound"
const char* message(AddressLookupError e);            // TransactionError's Display text
TransactionError to_transaction_error(AddressLookupError e);

struct LoadedAddresses {
  std::vector<Pubkey> writable, readonly;
  size_t size() const { return writable.size() + readonly.size(); }
};

// What the resolver needs of an account: nullopt or zero lamports = it does not exist.
struct TableAccountView {
  Pubkey owner{};
  uint64_t lamports = 0;
  std::span<const uint8_t> data;
};
using TableAccountSource = std::function<std::optional<TableAccountView>(const Pubkey&)>;

// Resolves every lookup of a v0 message at `current_slot`: all tables' writable addresses in
// lookup order, then all readonly ones (LoadedAddresses' FromIterator). First error wins.
Expected<LoadedAddresses, AddressLookupError> resolve_address_lookups(
    const Message& m, const TableAccountSource& accounts, uint64_t current_slot, const SlotHashes& sh);

// Full account key list of a v0 message: static keys, then loaded writable, then loaded readonly.
std::vector<Pubkey> loaded_account_keys(const Message& m, const LoadedAddresses& loaded);

}  // namespace lumio::svm
