// Address lookup table state and v0 lookup resolution: every AddressLoaderError, the
// deactivation cool-down and the same-slot extension rule, on table accounts in the exact
// on-chain layout.
#include <gtest/gtest.h>

#include <map>

#include "svm/alt.hpp"
#include "svm/syscalls.hpp"
#include "svm/system_program.hpp"
#include "svm/tests/builtin_harness.hpp"

namespace lumio::svm {
namespace {

Pubkey key(uint8_t b) {
  Pubkey k;
  k.fill(b);
  return k;
}

struct Accounts {
  struct Acc {
    Pubkey owner;
    uint64_t lamports;
    std::vector<uint8_t> data;
  };
  std::map<Pubkey, Acc> m;
  void put(const Pubkey& k, const Pubkey& owner, std::vector<uint8_t> data, uint64_t lamports = 1'000'000) {
    m[k] = {owner, lamports, std::move(data)};
  }
  TableAccountSource source() const {
    return [this](const Pubkey& k) -> std::optional<TableAccountView> {
      auto it = m.find(k);
      if (it == m.end()) return std::nullopt;
      return TableAccountView{it->second.owner, it->second.lamports, it->second.data};
    };
  }
};

Message v0_message(std::vector<AddressTableLookup> lookups) {
  Message m;
  m.v0 = true;
  m.header = {1, 0, 1};
  m.account_keys = {key(1), ids::system_program};
  m.instructions.push_back({1, {0}, {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}});
  m.address_table_lookups = std::move(lookups);
  return m;
}

std::vector<Pubkey> addresses(uint8_t first, size_t n) {
  std::vector<Pubkey> v;
  for (size_t i = 0; i < n; ++i) v.push_back(key(uint8_t(first + i)));
  return v;
}

SlotHashes slot_hashes_upto(uint64_t newest, size_t n) {
  SlotHashes sh;
  for (size_t i = 0; i < n && newest >= i; ++i) sh.entries.emplace_back(newest - i, key(uint8_t(i)));
  return sh;
}

TEST(SvmAlt, Ids) {
  EXPECT_EQ(base58(ids::address_lookup_table.data(), 32), "AddressLookupTab1e1111111111111111111111111");
  EXPECT_EQ(base58(ids::sysvar_slot_hashes.data(), 32), "SysvarS1otHashes111111111111111111111111111");
}

TEST(SvmAlt, MetaLayoutIs56BytesLikeSolana) {
  LookupTableMeta meta;
  meta.authority = key(7);
  meta.deactivation_slot = 0x0102030405060708;
  meta.last_extended_slot = 9;
  meta.last_extended_slot_start_index = 3;
  auto data = serialize_lookup_table(meta, addresses(0x40, 2));
  ASSERT_EQ(data.size(), 56u + 64u);
  // tag u32 = 1, deactivation_slot LE, last_extended_slot, start index, Some(authority), padding.
  EXPECT_EQ(data[0], 1);
  EXPECT_EQ(data[4], 0x08);
  EXPECT_EQ(data[11], 0x01);
  EXPECT_EQ(data[12], 9);
  EXPECT_EQ(data[20], 3);
  EXPECT_EQ(data[21], 1);
  EXPECT_EQ(data[22], 7);
  EXPECT_EQ(data[56], 0x40);
  auto t = deserialize_lookup_table(data);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->meta.deactivation_slot, meta.deactivation_slot);
  EXPECT_EQ(t->meta.authority, meta.authority);
  EXPECT_EQ(t->size(), 2u);
  EXPECT_EQ(t->at(1), key(0x41));

  // Without an authority the bincode meta is 24 bytes; the addresses still start at 56.
  LookupTableMeta frozen;
  auto d2 = serialize_lookup_table(frozen, addresses(0x50, 1));
  ASSERT_EQ(d2.size(), 88u);
  EXPECT_EQ(d2[21], 0);
  auto t2 = deserialize_lookup_table(d2);
  ASSERT_TRUE(t2.ok());
  EXPECT_FALSE(t2->meta.authority);
  EXPECT_EQ(t2->at(0), key(0x50));
}

TEST(SvmAlt, DeserializeErrors) {
  EXPECT_EQ(deserialize_lookup_table({}).error(), TableDataError::InvalidAccountData);
  std::vector<uint8_t> uninit(56, 0);
  EXPECT_EQ(deserialize_lookup_table(uninit).error(), TableDataError::UninitializedAccount);
  auto good = serialize_lookup_table(LookupTableMeta{}, addresses(1, 2));
  auto ragged = good;
  ragged.push_back(0);  // not a multiple of 32
  EXPECT_EQ(deserialize_lookup_table(ragged).error(), TableDataError::InvalidAccountData);
  auto bad_tag = good;
  bad_tag[0] = 2;
  EXPECT_EQ(deserialize_lookup_table(bad_tag).error(), TableDataError::InvalidAccountData);
  auto bad_option = good;
  bad_option[21] = 2;  // Option tag must be 0 or 1
  EXPECT_EQ(deserialize_lookup_table(bad_option).error(), TableDataError::InvalidAccountData);
  std::vector<uint8_t> short_meta(good.begin(), good.begin() + 30);  // meta decodes, < 56 bytes
  EXPECT_EQ(deserialize_lookup_table(short_meta).error(), TableDataError::InvalidAccountData);
}

TEST(SvmAlt, StatusFollowsSlotHashesWindow) {
  // Solana's own test: slot hashes for slots 1..=512, current slot = newest + 10.
  SlotHashes sh = slot_hashes_upto(512, 512);
  uint64_t current = 522;
  size_t rem = 0;
  LookupTableMeta m;
  EXPECT_EQ(status(m, current, sh), LookupTableStatus::Activated);
  m.deactivation_slot = current;
  EXPECT_EQ(status(m, current, sh, &rem), LookupTableStatus::Deactivating);
  EXPECT_EQ(rem, 513u);
  m.deactivation_slot = 512;
  EXPECT_EQ(status(m, current, sh, &rem), LookupTableStatus::Deactivating);
  EXPECT_EQ(rem, 512u);
  m.deactivation_slot = 1;
  EXPECT_EQ(status(m, current, sh, &rem), LookupTableStatus::Deactivating);
  EXPECT_EQ(rem, 1u);
  m.deactivation_slot = 0;
  EXPECT_EQ(status(m, current, sh), LookupTableStatus::Deactivated);
}

TEST(SvmAlt, SlotHashesSysvarRoundTrip) {
  SlotHashes sh = slot_hashes_upto(100, 3);
  auto bytes = sh.encode();
  EXPECT_EQ(bytes.size(), 8u + 3 * 40);
  auto back = SlotHashes::decode(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entries, sh.entries);
  EXPECT_EQ(back->position(99), 1u);
  EXPECT_FALSE(back->position(50));
  bytes.pop_back();
  EXPECT_FALSE(SlotHashes::decode(bytes));
  std::vector<uint8_t> huge(8, 0xff);  // count far beyond the data: no allocation, clean failure
  EXPECT_FALSE(SlotHashes::decode(huge));
}

TEST(SvmAlt, ResolvesWritableThenReadonlyAcrossTables) {
  Accounts a;
  const Pubkey t1 = key(0xa1), t2 = key(0xa2);
  a.put(t1, ids::address_lookup_table, serialize_lookup_table({}, addresses(0x10, 4)));
  a.put(t2, ids::address_lookup_table, serialize_lookup_table({}, addresses(0x20, 3)));
  auto m = v0_message({{t1, {3, 0}, {1}}, {t2, {2}, {0, 1}}});
  SlotHashes sh = slot_hashes_upto(99, 10);
  auto r = resolve_address_lookups(m, a.source(), 100, sh);
  ASSERT_TRUE(r.ok()) << name(r.error());
  EXPECT_EQ(r->writable, (std::vector<Pubkey>{key(0x13), key(0x10), key(0x22)}));
  EXPECT_EQ(r->readonly, (std::vector<Pubkey>{key(0x11), key(0x20), key(0x21)}));
  auto keys = loaded_account_keys(m, *r);
  ASSERT_EQ(keys.size(), 8u);
  EXPECT_EQ(keys[2], key(0x13));
  EXPECT_EQ(keys[5], key(0x11));
}

TEST(SvmAlt, EveryLookupError) {
  Accounts a;
  SlotHashes sh = slot_hashes_upto(99, 10);
  const Pubkey good = key(0xa1);
  a.put(good, ids::address_lookup_table, serialize_lookup_table({}, addresses(0x10, 2)));
  auto run = [&](const Pubkey& table, std::vector<uint8_t> w, std::vector<uint8_t> ro, uint64_t slot = 100) {
    return resolve_address_lookups(v0_message({{good, {0}, {}}, {table, w, ro}}), a.source(), slot, sh);
  };
  auto err = [](const Expected<LoadedAddresses, AddressLookupError>& r) {
    return r.ok() ? std::string("ok") : std::string(transaction_error_name(r.error()));
  };

  EXPECT_EQ(err(run(key(0xee), {0}, {})), "AddressLookupTableNotFound");
  a.put(key(0xe0), ids::address_lookup_table, serialize_lookup_table({}, addresses(1, 1)), 0);
  EXPECT_EQ(err(run(key(0xe0), {0}, {})), "AddressLookupTableNotFound");  // zero lamports = gone
  a.put(key(0xe1), ids::system_program, serialize_lookup_table({}, addresses(1, 1)));
  EXPECT_EQ(err(run(key(0xe1), {0}, {})), "InvalidAddressLookupTableOwner");
  a.put(key(0xe2), ids::address_lookup_table, std::vector<uint8_t>(56, 0));  // Uninitialized
  EXPECT_EQ(err(run(key(0xe2), {0}, {})), "InvalidAddressLookupTableData");
  a.put(key(0xe3), ids::address_lookup_table, {1, 0, 0});
  EXPECT_EQ(err(run(key(0xe3), {0}, {})), "InvalidAddressLookupTableData");
  EXPECT_EQ(err(run(good, {2}, {})), "InvalidAddressLookupTableIndex");
  EXPECT_EQ(err(run(good, {0}, {255})), "InvalidAddressLookupTableIndex");
  EXPECT_EQ(err(run(good, {1}, {0})), "ok");

  // Deactivated (deactivation slot no longer in SlotHashes): reported as not found.
  LookupTableMeta dead;
  dead.deactivation_slot = 50;
  a.put(key(0xe4), ids::address_lookup_table, serialize_lookup_table(dead, addresses(1, 2)));
  EXPECT_EQ(err(run(key(0xe4), {0}, {})), "AddressLookupTableNotFound");
  // Deactivating (deactivation slot still in SlotHashes): still usable.
  LookupTableMeta cooling;
  cooling.deactivation_slot = 95;
  a.put(key(0xe5), ids::address_lookup_table, serialize_lookup_table(cooling, addresses(1, 2)));
  EXPECT_EQ(err(run(key(0xe5), {1}, {})), "ok");

  // Extended in the current slot: only the addresses before last_extended_slot_start_index.
  LookupTableMeta fresh;
  fresh.last_extended_slot = 100;
  fresh.last_extended_slot_start_index = 1;
  a.put(key(0xe6), ids::address_lookup_table, serialize_lookup_table(fresh, addresses(1, 3)));
  EXPECT_EQ(err(run(key(0xe6), {0}, {})), "ok");
  EXPECT_EQ(err(run(key(0xe6), {1}, {})), "InvalidAddressLookupTableIndex");
  EXPECT_EQ(err(run(key(0xe6), {2}, {}, 101)), "ok");  // next slot: all active
  // A start index past the stored addresses is corrupt data.
  fresh.last_extended_slot_start_index = 9;
  a.put(key(0xe7), ids::address_lookup_table, serialize_lookup_table(fresh, addresses(1, 3)));
  EXPECT_EQ(err(run(key(0xe7), {0}, {})), "InvalidAddressLookupTableData");

  // The first failing lookup decides, in lookup order.
  auto r = resolve_address_lookups(v0_message({{key(0xe1), {0}, {}}, {key(0xee), {0}, {}}}), a.source(), 100, sh);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), AddressLookupError::InvalidAccountOwner);
  EXPECT_STREQ(message(r.error()), "Transaction loads an address table account with an invalid owner");
  EXPECT_EQ(to_transaction_error(r.error()).kind, TransactionError::InvalidAddressLookupTableOwner);
  EXPECT_EQ(to_transaction_error(AddressLookupError::InvalidLookupIndex).to_json(), "\"InvalidAddressLookupTableIndex\"");
}

// End to end: signed v0 transactions whose accounts come from a table account (in the layout the
// ALT program writes), executed by the runtime; every lookup error surfaces as the transaction's
// error. (The genuine ALT program creating the table: spl_loader.cpp.)
TEST(SvmAltRuntime, V0TransactionsResolveThroughTables) {
  test::Chain c;
  test::Keypair payer(1), authority(2);
  const uint64_t exempt = c.env.rent.minimum_balance(0);
  c.fund(payer.pub, 100 * exempt);
  const Pubkey dest = test::Keypair(3).pub, ro_key = test::Keypair(4).pub, table = test::Keypair(5).pub;
  LookupTableMeta meta;
  meta.authority = authority.pub;
  meta.last_extended_slot = c.env.slot;
  meta.last_extended_slot_start_index = 1;  // index 1.. were added in the current slot
  auto put_table = [&](const Pubkey& k, const Pubkey& owner, std::vector<uint8_t> data) {
    Account a;
    a.owner = owner;
    a.data = std::move(data);
    a.lamports = c.env.rent.minimum_balance(a.data.size());
    c.bank.accounts[k] = a;
  };
  put_table(table, ids::address_lookup_table, serialize_lookup_table(meta, std::vector<Pubkey>{ro_key, dest}));

  auto v0_transfer = [&](const Pubkey& t, std::vector<uint8_t> writable, std::vector<uint8_t> readonly) {
    Message m;
    m.v0 = true;
    m.header = {1, 0, 1};
    m.account_keys = {payer.pub, ids::system_program};
    m.recent_blockhash = c.blockhash();
    SystemInstruction ix;
    ix.kind = SystemInstruction::Transfer;
    ix.lamports = exempt;
    // accounts: payer, first loaded writable (index 2)
    m.instructions.push_back({1, {0, 2}, encode(ix)});
    m.address_table_lookups.push_back({t, std::move(writable), std::move(readonly)});
    return test::sign(m, {&payer});
  };
  auto err = [](const TransactionOutcome& o) { return test::ix_error(o); };

  // Index 1 was appended in this slot: not yet usable.
  EXPECT_EQ(err(c.execute(v0_transfer(table, {1}, {0}))), "InvalidAddressLookupTableIndex");
  c.advance();
  auto ok = c.execute(v0_transfer(table, {1}, {0}));
  ASSERT_EQ(err(ok), "ok") << test::logs_of(ok);
  EXPECT_EQ(c.bank.lamports(dest), exempt);
  ASSERT_EQ(ok.account_keys.size(), 4u);
  EXPECT_EQ(ok.account_keys[2], dest);
  EXPECT_EQ(ok.account_keys[3], ro_key);
  EXPECT_EQ(ok.loaded_addresses.writable, std::vector<Pubkey>{dest});

  EXPECT_EQ(err(c.execute(v0_transfer(table, {2}, {}))), "InvalidAddressLookupTableIndex");
  EXPECT_EQ(err(c.execute(v0_transfer(test::Keypair(6).pub, {0}, {}))), "AddressLookupTableNotFound");
  const Pubkey foreign = test::Keypair(7).pub, broken = test::Keypair(8).pub;
  put_table(foreign, ids::system_program, serialize_lookup_table(meta, std::vector<Pubkey>{dest}));
  EXPECT_EQ(err(c.execute(v0_transfer(foreign, {0}, {}))), "InvalidAddressLookupTableOwner");
  put_table(broken, ids::address_lookup_table, std::vector<uint8_t>(57, 1));
  EXPECT_EQ(err(c.execute(v0_transfer(broken, {0}, {}))), "InvalidAddressLookupTableData");

  // Deactivated in slot S: usable while S is in SlotHashes, then "not found".
  meta.deactivation_slot = c.env.slot;
  put_table(table, ids::address_lookup_table, serialize_lookup_table(meta, std::vector<Pubkey>{ro_key, dest}));
  c.advance();
  EXPECT_EQ(err(c.execute(v0_transfer(table, {1}, {}))), "ok");
  c.advance(kSlotHashesMaxEntries);
  EXPECT_EQ(err(c.execute(v0_transfer(table, {1}, {}))), "AddressLookupTableNotFound");
}

}  // namespace
}  // namespace lumio::svm
