#include "svm/alt.hpp"

#include <algorithm>
#include <cstring>

#include "svm/system_program.hpp"

namespace lumio::svm {

std::optional<size_t> SlotHashes::position(uint64_t slot) const {
  // Entries are sorted by descending slot.
  auto it = std::lower_bound(entries.begin(), entries.end(), slot,
                             [](const auto& e, uint64_t s) { return e.first > s; });
  if (it == entries.end() || it->first != slot) return std::nullopt;
  return size_t(it - entries.begin());
}

std::optional<SlotHashes> SlotHashes::decode(std::span<const uint8_t> data) {
  bincode::Reader r(data);
  uint64_t n = r.u64();
  if (!r.ok() || n > (data.size() - 8) / 40) return std::nullopt;
  SlotHashes out;
  out.entries.reserve(size_t(n));
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t slot = r.u64();
    Pubkey h = r.pubkey();
    out.entries.emplace_back(slot, h);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

std::vector<uint8_t> SlotHashes::encode() const {
  std::vector<uint8_t> o;
  bincode::put_u64(o, entries.size());
  for (auto& [slot, h] : entries) {
    bincode::put_u64(o, slot);
    bincode::put_pubkey(o, h);
  }
  return o;
}

LookupTableStatus status(const LookupTableMeta& m, uint64_t current_slot, const SlotHashes& sh,
                         size_t* remaining_blocks) {
  size_t rem = 0;
  LookupTableStatus s;
  if (m.deactivation_slot == UINT64_MAX) {
    s = LookupTableStatus::Activated;
  } else if (m.deactivation_slot == current_slot) {
    s = LookupTableStatus::Deactivating;
    rem = kSlotHashesMaxEntries + 1;
  } else if (auto pos = sh.position(m.deactivation_slot)) {
    // Cool-down: usable until the deactivation slot leaves the SlotHashes window.
    s = LookupTableStatus::Deactivating;
    rem = kSlotHashesMaxEntries > *pos ? kSlotHashesMaxEntries - *pos : 0;
  } else {
    s = LookupTableStatus::Deactivated;
  }
  if (remaining_blocks) *remaining_blocks = rem;
  return s;
}

Pubkey AddressLookupTable::at(size_t i) const {
  Pubkey k;
  std::memcpy(k.data(), addresses.data() + i * 32, 32);
  return k;
}

std::optional<size_t> AddressLookupTable::active_len(uint64_t current_slot, const SlotHashes& sh) const {
  if (status(meta, current_slot, sh) == LookupTableStatus::Deactivated) return std::nullopt;
  return current_slot > meta.last_extended_slot ? size() : size_t(meta.last_extended_slot_start_index);
}

Expected<AddressLookupTable, TableDataError> deserialize_lookup_table(std::span<const uint8_t> data) {
  // bincode ProgramState { Uninitialized, LookupTable(LookupTableMeta) }.
  bincode::Reader r(data);
  uint32_t tag = r.u32();
  if (!r.ok() || tag > 1) return TableDataError::InvalidAccountData;
  AddressLookupTable t;
  if (tag == 1) {
    t.meta.deactivation_slot = r.u64();
    t.meta.last_extended_slot = r.u64();
    t.meta.last_extended_slot_start_index = r.u8();
    t.meta.authority = r.option_pubkey();
    t.meta.padding = r.u16();
  }
  if (!r.ok()) return TableDataError::InvalidAccountData;
  if (tag == 0) return TableDataError::UninitializedAccount;
  if (data.size() < kLookupTableMetaSize) return TableDataError::InvalidAccountData;
  t.addresses = data.subspan(kLookupTableMetaSize);
  if (t.addresses.size() % 32 != 0) return TableDataError::InvalidAccountData;
  return t;
}

std::vector<uint8_t> serialize_lookup_table(const LookupTableMeta& meta, std::span<const Pubkey> addresses) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, 1);
  bincode::put_u64(o, meta.deactivation_slot);
  bincode::put_u64(o, meta.last_extended_slot);
  bincode::put_u8(o, meta.last_extended_slot_start_index);
  bincode::put_option_pubkey(o, meta.authority);
  bincode::put_u16(o, meta.padding);
  o.resize(kLookupTableMetaSize, 0);
  for (auto& a : addresses) bincode::put_pubkey(o, a);
  return o;
}

const char* name(AddressLookupError e) {
  switch (e) {
    case AddressLookupError::LookupTableAccountNotFound: return "LookupTableAccountNotFound";
    case AddressLookupError::InvalidAccountOwner: return "InvalidAccountOwner";
    case AddressLookupError::InvalidAccountData: return "InvalidAccountData";
    case AddressLookupError::InvalidLookupIndex: return "InvalidLookupIndex";
    case AddressLookupError::SlotHashesSysvarNotFound: return "SlotHashesSysvarNotFound";
  }
  return "?";
}

const char* transaction_error_name(AddressLookupError e) {
  switch (e) {
    case AddressLookupError::LookupTableAccountNotFound: return "AddressLookupTableNotFound";
    case AddressLookupError::InvalidAccountOwner: return "InvalidAddressLookupTableOwner";
    case AddressLookupError::InvalidAccountData: return "InvalidAddressLookupTableData";
    case AddressLookupError::InvalidLookupIndex: return "InvalidAddressLookupTableIndex";
    case AddressLookupError::SlotHashesSysvarNotFound: return "AccountNotFound";
  }
  return "?";
}

const char* message(AddressLookupError e) {
  switch (e) {
    case AddressLookupError::LookupTableAccountNotFound:
      return "Transaction loads an address table account that doesn't exist";
    case AddressLookupError::InvalidAccountOwner:
      return "Transaction loads an address table account with an invalid owner";
    case AddressLookupError::InvalidAccountData:
      return "Transaction loads an address table account with invalid data";
    case AddressLookupError::InvalidLookupIndex:
      return "Transaction address table lookup uses an invalid index";
    case AddressLookupError::SlotHashesSysvarNotFound:
      return "Attempt to debit an account but found no record of a prior credit.";
  }
  return "?";
}

TransactionError to_transaction_error(AddressLookupError e) {
  switch (e) {
    case AddressLookupError::LookupTableAccountNotFound: return TransactionError::AddressLookupTableNotFound;
    case AddressLookupError::InvalidAccountOwner: return TransactionError::InvalidAddressLookupTableOwner;
    case AddressLookupError::InvalidAccountData: return TransactionError::InvalidAddressLookupTableData;
    case AddressLookupError::InvalidLookupIndex: return TransactionError::InvalidAddressLookupTableIndex;
    case AddressLookupError::SlotHashesSysvarNotFound: return TransactionError::AccountNotFound;
  }
  return TransactionError::AccountNotFound;
}

namespace {
bool lookup(const AddressLookupTable& t, size_t active, std::span<const uint8_t> indexes,
            std::vector<Pubkey>& out) {
  for (uint8_t i : indexes) {
    if (i >= active) return false;
    out.push_back(t.at(i));
  }
  return true;
}
}  // namespace

Expected<LoadedAddresses, AddressLookupError> resolve_address_lookups(
    const Message& m, const TableAccountSource& accounts, uint64_t current_slot, const SlotHashes& sh) {
  LoadedAddresses out;
  for (const AddressTableLookup& l : m.address_table_lookups) {
    auto acc = accounts ? accounts(l.account_key) : std::nullopt;
    // Accounts-db does not return zero-lamport accounts.
    if (!acc || acc->lamports == 0) return AddressLookupError::LookupTableAccountNotFound;
    if (acc->owner != ids::address_lookup_table) return AddressLookupError::InvalidAccountOwner;
    auto table = deserialize_lookup_table(acc->data);
    if (!table.ok()) return AddressLookupError::InvalidAccountData;
    auto active = table->active_len(current_slot, sh);
    if (!active) return AddressLookupError::LookupTableAccountNotFound;
    if (*active > table->size()) return AddressLookupError::InvalidAccountData;
    // This table's writable then readonly lookups; merged into the totals in lookup order.
    std::vector<Pubkey> w, r;
    if (!lookup(*table, *active, l.writable_indexes, w) || !lookup(*table, *active, l.readonly_indexes, r))
      return AddressLookupError::InvalidLookupIndex;
    out.writable.insert(out.writable.end(), w.begin(), w.end());
    out.readonly.insert(out.readonly.end(), r.begin(), r.end());
  }
  return out;
}

std::vector<Pubkey> loaded_account_keys(const Message& m, const LoadedAddresses& loaded) {
  std::vector<Pubkey> keys = m.account_keys;
  keys.insert(keys.end(), loaded.writable.begin(), loaded.writable.end());
  keys.insert(keys.end(), loaded.readonly.begin(), loaded.readonly.end());
  return keys;
}

}  // namespace lumio::svm
