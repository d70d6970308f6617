// System Program: instruction wire format, address derivation with seeds, nonce state layout
// and the durable-nonce transaction rules.
#include <gtest/gtest.h>

#include "svm/nonce.hpp"
#include "svm/syscalls.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {
namespace {

Pubkey key(uint8_t b) {
  Pubkey k;
  k.fill(b);
  return k;
}
std::string b58(const Pubkey& k) { return base58(k.data(), 32); }

TEST(SvmSystemWire, DecodeEncodeEveryInstruction) {
  // Transfer { lamports: 1000 }: u32 tag 2, u64 LE.
  std::vector<uint8_t> transfer = {2, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0};
  auto t = decode_system_instruction(transfer);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, SystemInstruction::Transfer);
  EXPECT_EQ(t->lamports, 1000u);
  EXPECT_EQ(encode(*t), transfer);

  for (uint32_t k = 0; k <= SystemInstruction::CreateAccountAllowPrefund; ++k) {
    SystemInstruction ix;
    ix.kind = SystemInstruction::Kind(k);
    ix.lamports = 7 + k;
    ix.space = 99;
    ix.owner = key(3);
    ix.base = key(4);
    ix.seed = "seed-\xc3\xa9";  // UTF-8
    ix.authority = key(5);
    auto bytes = encode(ix);
    auto back = decode_system_instruction(bytes);
    ASSERT_TRUE(back) << k;
    EXPECT_EQ(encode(*back), bytes) << k;
    // Trailing bytes are allowed (bincode allow_trailing_bytes), truncation is not.
    bytes.push_back(0xaa);
    EXPECT_TRUE(decode_system_instruction(bytes)) << k;
    bytes.pop_back();
    if (bytes.size() > 4) {
      bytes.pop_back();
      EXPECT_FALSE(decode_system_instruction(bytes)) << k;
    }
  }
  EXPECT_FALSE(decode_system_instruction(std::vector<uint8_t>{14, 0, 0, 0}));
  EXPECT_FALSE(decode_system_instruction(std::vector<uint8_t>{2, 0, 0}));
  EXPECT_FALSE(decode_system_instruction({}));
}

TEST(SvmSystemWire, SeedStringsAreCheckedLikeBincode) {
  SystemInstruction ix;
  ix.kind = SystemInstruction::AssignWithSeed;
  ix.seed = "ok";
  auto bytes = encode(ix);
  // Seed bytes start after tag (4) + base (32) + length (8).
  auto bad = bytes;
  bad[44] = 0xff;  // not UTF-8
  EXPECT_FALSE(decode_system_instruction(bad));
  auto overlong = bytes;
  overlong[44] = 0xc0, overlong[45] = 0x80;  // overlong NUL
  EXPECT_FALSE(decode_system_instruction(overlong));
  // A huge length prefix fails cleanly (no allocation).
  auto huge = bytes;
  for (int i = 36; i < 44; ++i) huge[i] = 0xff;
  EXPECT_FALSE(decode_system_instruction(huge));
  // The 1232-byte limit of limited_deserialize applies to what is read.
  SystemInstruction big;
  big.kind = SystemInstruction::AssignWithSeed;
  big.seed = std::string(1200, 'a');
  EXPECT_FALSE(decode_system_instruction(encode(big)));
  big.seed = std::string(1232 - 76, 'a');
  EXPECT_TRUE(decode_system_instruction(encode(big)));
}

TEST(SvmSystemWire, CreateWithSeedMatchesSolana) {
  auto k = create_with_seed(Pubkey{}, "limber chicken: 4/45", Pubkey{});
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(b58(*k), "9h1HyLCW5dZnBVap8C5egQ9Z6pHyjsh5MNy83iPqqRuq");
  EXPECT_TRUE(create_with_seed(key(1), std::string(32, 'x'), key(2)).ok());
  EXPECT_EQ(create_with_seed(key(1), std::string(33, 'x'), key(2)).error(), PubkeyError::MaxSeedLengthExceeded);
  Pubkey pda_owner = key(9);
  std::string marker = "ProgramDerivedAddress";
  std::copy(marker.begin(), marker.end(), pda_owner.end() - marker.size());
  EXPECT_EQ(create_with_seed(key(1), "s", pda_owner).error(), PubkeyError::IllegalOwner);
}

TEST(SvmSystemWire, ErrorCodesAndTexts) {
  EXPECT_EQ(uint32_t(SystemError::AccountAlreadyInUse), 0u);
  EXPECT_EQ(uint32_t(SystemError::ResultWithNegativeLamports), 1u);
  EXPECT_EQ(uint32_t(SystemError::NonceUnexpectedBlockhashValue), 8u);
  EXPECT_STREQ(message(SystemError::AccountAlreadyInUse), "an account with the same address already exists");
  EXPECT_EQ(b58(native_loader_id()), "NativeLoader1111111111111111111111111111111");
  EXPECT_EQ(b58(recent_blockhashes_sysvar_id()), "SysvarRecentB1ockHashes11111111111111111111");
}

TEST(SvmNonce, StateLayoutAndUpgrade) {
  NonceVersions v;
  v.data = NonceData{key(1), key(2), 5000};
  auto bytes = encode(v);
  ASSERT_EQ(bytes.size(), kNonceStateSize);
  EXPECT_EQ(bytes[0], 1);  // Current
  EXPECT_EQ(bytes[4], 1);  // Initialized
  EXPECT_EQ(bytes[8], 1);  // authority
  EXPECT_EQ(bytes[72], 0x88);  // 5000 = 0x1388
  auto back = decode_nonce(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v);
  EXPECT_EQ(encode(NonceVersions{}).size(), 8u);
  EXPECT_FALSE(decode_nonce(std::vector<uint8_t>{1, 0, 0, 0, 2, 0, 0, 0}));
  EXPECT_FALSE(decode_nonce(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 40)));

  // Legacy nonces hold a raw blockhash; upgrading stores its durable form.
  NonceVersions legacy = v;
  legacy.legacy = true;
  auto up = upgrade(legacy);
  ASSERT_TRUE(up);
  EXPECT_FALSE(up->legacy);
  EXPECT_EQ(up->data->durable_nonce, durable_nonce_from_blockhash(key(2)));
  EXPECT_FALSE(upgrade(v));
  EXPECT_FALSE(upgrade(NonceVersions{true, std::nullopt}));

  // Only current, initialized nonces verify, and only against their stored value.
  EXPECT_TRUE(verify_recent_blockhash(v, key(2)));
  EXPECT_FALSE(verify_recent_blockhash(v, key(3)));
  EXPECT_FALSE(verify_recent_blockhash(legacy, key(2)));
}

TEST(SvmNonce, AdvanceMustBeFirstInstruction) {
  Message m;
  m.header = {1, 0, 1};
  m.account_keys = {key(1), key(2), key(3), system_program_id()};
  std::vector<uint8_t> advance = {4, 0, 0, 0};
  m.instructions.push_back({3, {2, 0}, advance});
  EXPECT_EQ(durable_nonce_account_index(m), 2);
  auto second = m;
  second.instructions.insert(second.instructions.begin(), CompiledInstruction{3, {0, 1}, {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}});
  EXPECT_FALSE(durable_nonce_account_index(second));
  auto other_program = m;
  other_program.instructions[0].program_id_index = 1;
  EXPECT_FALSE(durable_nonce_account_index(other_program));
  auto no_accounts = m;
  no_accounts.instructions[0].accounts.clear();
  EXPECT_FALSE(durable_nonce_account_index(no_accounts));
  auto short_data = m;
  short_data.instructions[0].data = {4, 0, 0};
  EXPECT_FALSE(durable_nonce_account_index(short_data));
}

TEST(SvmNonce, DurableNonceTransactionAge) {
  const Pubkey payer = key(1), nonce = key(2), authority = key(3);
  const Hash stored = durable_nonce_from_blockhash(key(0x70));
  const Hash bank_blockhash = key(0x71);
  NonceVersions state{false, NonceData{authority, stored, 5000}};
  std::vector<uint8_t> data = encode(state);
  Pubkey owner = system_program_id();
  uint64_t lamports = 1'500'000;
  TableAccountSource accounts = [&](const Pubkey& k) -> std::optional<TableAccountView> {
    if (k != nonce) return std::nullopt;
    return TableAccountView{owner, lamports, data};
  };
  Message m;
  m.header = {2, 1, 1};  // payer (w, signer), authority (ro signer), nonce (w), system (ro)
  m.account_keys = {payer, authority, nonce, system_program_id()};
  m.recent_blockhash = stored;
  m.instructions.push_back({3, {2, 4, 1}, {4, 0, 0, 0}});
  auto writable = [](size_t i) { return i == 0 || i == 2; };

  auto info = check_durable_nonce(m, writable, accounts, bank_blockhash, 10'000);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->index, 2);
  EXPECT_EQ(info->previous.lamports_per_signature, 5000u);
  auto advanced = decode_nonce(info->advanced_data);
  ASSERT_TRUE(advanced && advanced->data);
  EXPECT_EQ(advanced->data->durable_nonce, durable_nonce_from_blockhash(bank_blockhash));
  EXPECT_EQ(advanced->data->lamports_per_signature, 10'000u);
  EXPECT_EQ(advanced->data->authority, authority);

  // Each rule on its own turns the transaction into BlockhashNotFound.
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, key(0x70), 10'000));  // already advanced
  EXPECT_FALSE(check_durable_nonce(m, [](size_t i) { return i == 0; }, accounts, bank_blockhash, 1));
  auto wrong_hash = m;
  wrong_hash.recent_blockhash = key(0x72);
  EXPECT_FALSE(check_durable_nonce(wrong_hash, writable, accounts, bank_blockhash, 1));
  auto unsigned_authority = m;
  unsigned_authority.instructions[0].accounts = {2, 4};
  EXPECT_FALSE(check_durable_nonce(unsigned_authority, writable, accounts, bank_blockhash, 1));
  owner = key(9);
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, bank_blockhash, 1));
  owner = system_program_id();
  data = encode(NonceVersions{true, NonceData{authority, stored, 5000}});  // legacy
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, bank_blockhash, 1));
  data = encode(state);
  lamports = 0;
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, bank_blockhash, 1));
}

}  // namespace
}  // namespace lumio::svm
