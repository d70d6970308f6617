// Transaction wire format, sanitize rules and signature checks on transactions built and signed
// here with libsodium, plus hostile inputs that must end in Solana's error kinds.
#include <gtest/gtest.h>
#include <sodium.h>

#include "svm/transaction.hpp"

using namespace lumio::svm;

namespace {

struct Keypair {
  Pubkey pub{};
  std::array<uint8_t, 64> secret{};
  explicit Keypair(uint8_t seed_byte) {
    std::array<uint8_t, 32> seed;
    seed.fill(seed_byte);
    if (sodium_init() < 0) std::abort();
    crypto_sign_seed_keypair(pub.data(), secret.data(), seed.data());
  }
};

Pubkey key(uint8_t b) {
  Pubkey k;
  k.fill(b);
  return k;
}

// System Program transfer of `lamports` from payer to `to` (program id: 32 zero bytes).
Message transfer_message(const Pubkey& payer, const Pubkey& to, uint64_t lamports, bool v0) {
  Message m;
  m.v0 = v0;
  m.header = {1, 0, 1};
  m.account_keys = {payer, to, Pubkey{}};
  m.recent_blockhash = key(0xbb);
  std::vector<uint8_t> data = {2, 0, 0, 0};
  for (int i = 0; i < 8; ++i) data.push_back(uint8_t(lamports >> (8 * i)));
  m.instructions.push_back({2, {0, 1}, data});
  return m;
}

Transaction sign(const Message& m, std::initializer_list<const Keypair*> signers) {
  Transaction tx;
  tx.message = m;
  tx.message_bytes = encode_message(m);
  for (auto* k : signers) {
    Signature s;
    crypto_sign_detached(s.data(), nullptr, tx.message_bytes.data(), tx.message_bytes.size(),
                         k->secret.data());
    tx.signatures.push_back(s);
  }
  return tx;
}

std::vector<uint8_t> len_bytes(size_t n) {  // via a message with n-byte instruction data
  Message m;
  m.instructions.push_back({0, {}, std::vector<uint8_t>(n)});
  auto b = encode_message(m);
  // layout: 3 header, keys len(1), blockhash(32), ixs len(1), program idx(1), accounts len(1)
  return std::vector<uint8_t>(b.begin() + 39, b.end() - n);
}

}  // namespace

TEST(SvmTransaction, CompactU16MatchesSolana) {
  EXPECT_EQ(len_bytes(0), (std::vector<uint8_t>{0x00}));
  EXPECT_EQ(len_bytes(0x7f), (std::vector<uint8_t>{0x7f}));
  EXPECT_EQ(len_bytes(0x80), (std::vector<uint8_t>{0x80, 0x01}));
  EXPECT_EQ(len_bytes(0xff), (std::vector<uint8_t>{0xff, 0x01}));
  EXPECT_EQ(len_bytes(0x100), (std::vector<uint8_t>{0x80, 0x02}));
  EXPECT_EQ(len_bytes(0x3fff), (std::vector<uint8_t>{0xff, 0x7f}));
  EXPECT_EQ(len_bytes(0x4000), (std::vector<uint8_t>{0x80, 0x80, 0x01}));
  EXPECT_EQ(len_bytes(0xffff), (std::vector<uint8_t>{0xff, 0xff, 0x03}));
}

TEST(SvmTransaction, LegacyLayoutByteForByte) {
  Keypair payer(1);
  auto m = transfer_message(payer.pub, key(0x22), 1000, false);
  auto b = encode_message(m);
  std::vector<uint8_t> want = {1, 0, 1, 3};
  want.insert(want.end(), payer.pub.begin(), payer.pub.end());
  want.insert(want.end(), 32, 0x22);
  want.insert(want.end(), 32, 0x00);
  want.insert(want.end(), 32, 0xbb);
  std::vector<uint8_t> ix = {1, 2, 2, 0, 1, 12, 2, 0, 0, 0, 0xe8, 0x03, 0, 0, 0, 0, 0, 0};
  want.insert(want.end(), ix.begin(), ix.end());
  EXPECT_EQ(b, want);

  auto tx = sign(m, {&payer});
  auto wire = encode_transaction(tx);
  ASSERT_EQ(wire.size(), 1 + 64 + want.size());
  EXPECT_EQ(wire[0], 1);
  auto d = decode_transaction(wire);
  ASSERT_TRUE(d.ok()) << name(d.error());
  EXPECT_EQ(d->message, m);
  EXPECT_EQ(d->signatures, tx.signatures);
  EXPECT_EQ(d->message_bytes, want);
  EXPECT_EQ(validate(*d), std::nullopt);
}

TEST(SvmTransaction, V0WithLookupsRoundTripsAndVerifies) {
  Keypair payer(7);
  auto m = transfer_message(payer.pub, key(0x22), 5, true);
  m.address_table_lookups.push_back({key(0x33), {0, 4}, {9}});
  m.instructions.push_back({2, {0, 3, 4, 5}, {}});  // 3 static + 3 loaded: index 5 is the last
  auto tx = sign(m, {&payer});
  auto wire = encode_transaction(tx);
  EXPECT_EQ(wire[65], 0x80);  // version prefix after one signature
  auto d = decode_transaction(wire);
  ASSERT_TRUE(d.ok()) << name(d.error());
  EXPECT_TRUE(d->message.v0);
  EXPECT_EQ(d->message, m);
  EXPECT_EQ(validate(*d), std::nullopt);

  m.instructions.back().accounts.push_back(6);  // one past the loaded accounts
  EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
  m.instructions.back().accounts.pop_back();
  m.instructions.push_back({3, {}, {}});  // program id from a lookup table
  EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
  m.instructions.pop_back();
  m.address_table_lookups.push_back({key(0x44), {}, {}});  // table that loads nothing
  EXPECT_EQ(sanitize(m), SanitizeError::InvalidValue);
  m.address_table_lookups.back().readonly_indexes.assign(254, 0);  // 3 + 3 + 254 > 256 keys
  EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
  m.address_table_lookups.back().readonly_indexes.resize(250);  // exactly 256
  EXPECT_EQ(sanitize(m), std::nullopt);
}

TEST(SvmTransaction, SignatureFailures) {
  Keypair payer(1), other(2);
  auto m = transfer_message(payer.pub, key(0x22), 1000, false);
  auto tx = sign(m, {&other});  // wrong signer
  EXPECT_EQ(validate(tx), TransactionError::SignatureFailure);

  tx = sign(m, {&payer});
  tx.signatures[0][10] ^= 1;
  EXPECT_EQ(validate(tx), TransactionError::SignatureFailure);

  tx = sign(m, {&payer});
  tx.message_bytes.back() ^= 1;  // lamports changed after signing
  EXPECT_EQ(validate(tx), TransactionError::SignatureFailure);

  // S >= L (non-canonical): S + L verifies under lax rules, Solana's verify_strict rejects it.
  tx = sign(m, {&payer});
  static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                0, 0, 0, 0, 0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned s = tx.signatures[0][32 + i] + L[i] + carry;
    tx.signatures[0][32 + i] = uint8_t(s);
    carry = s >> 8;
  }
  ASSERT_EQ(carry, 0u);  // S < L < 2^253, so S + L < 2^254
  EXPECT_EQ(validate(tx), TransactionError::SignatureFailure);

  // Small-order public key (identity point) with an all-zero signature.
  Message id = m;
  id.account_keys[0] = key(0);
  id.account_keys[0][0] = 1;  // y = 1: the identity
  Transaction t2;
  t2.message = id;
  t2.message_bytes = encode_message(id);
  t2.signatures.push_back(Signature{});
  t2.signatures[0][0] = 1;  // R = identity, S = 0
  EXPECT_EQ(validate(t2), TransactionError::SignatureFailure);
}

TEST(SvmTransaction, SanitizeRules) {
  Keypair payer(1);
  auto base = transfer_message(payer.pub, key(0x22), 1, false);
  EXPECT_EQ(sanitize(base), std::nullopt);
  for (bool v0 : {false, true}) {
    auto m = base;
    m.v0 = v0;
    m.header = {3, 0, 1};  // 3 signers + 1 read-only unsigned > 3 keys
    EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
    m.header = {1, 1, 1};  // no writable fee payer
    EXPECT_EQ(sanitize(m), v0 ? SanitizeError::InvalidValue : SanitizeError::IndexOutOfBounds);
    m.header = {0, 0, 0};
    EXPECT_EQ(sanitize(m), v0 ? SanitizeError::InvalidValue : SanitizeError::IndexOutOfBounds);
    m = base;
    m.v0 = v0;
    m.instructions[0].program_id_index = 0;  // the payer cannot be a program
    EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
    m.instructions[0].program_id_index = 3;
    EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
    m.instructions[0].program_id_index = 2;
    m.instructions[0].accounts = {0, 3};
    EXPECT_EQ(sanitize(m), SanitizeError::IndexOutOfBounds);
  }
  // Signature count vs header and static keys (VersionedTransaction::sanitize).
  auto tx = sign(base, {&payer, &payer});
  EXPECT_EQ(sanitize(tx), SanitizeError::InvalidValue);
  EXPECT_EQ(validate(tx), TransactionError::SanitizeFailure);
  tx = sign(base, {});
  EXPECT_EQ(sanitize(tx), SanitizeError::IndexOutOfBounds);
  auto m = base;
  m.header = {3, 2, 0};
  m.instructions.clear();
  tx = sign(m, {&payer, &payer, &payer});
  EXPECT_EQ(sanitize(tx), std::nullopt);
  EXPECT_STREQ(message(SanitizeError::IndexOutOfBounds), "index out of bounds");
  EXPECT_STREQ(name(TransactionError::SanitizeFailure), "SanitizeFailure");
}

TEST(SvmTransaction, DuplicateKeysAreAccountLoadedTwice) {
  Keypair payer(1);
  auto m = transfer_message(payer.pub, key(0x22), 1, false);
  m.account_keys[1] = payer.pub;
  auto tx = sign(m, {&payer});
  EXPECT_TRUE(has_duplicates(m));
  EXPECT_EQ(validate(tx), TransactionError::AccountLoadedTwice);
  EXPECT_EQ(message(TransactionError::AccountLoadedTwice), "Account loaded twice");
}

TEST(SvmTransaction, AccountLockLimit) {
  Keypair payer(1);
  auto m = transfer_message(payer.pub, key(0x22), 1, true);
  EXPECT_EQ(validate_account_locks(m), std::nullopt);
  m.address_table_lookups.push_back({key(0x33), std::vector<uint8_t>(100), std::vector<uint8_t>(25)});
  EXPECT_EQ(validate_account_locks(m), std::nullopt);  // 3 + 125 = 128 keys
  m.address_table_lookups[0].readonly_indexes.push_back(0);
  EXPECT_EQ(validate_account_locks(m), TransactionError::TooManyAccountLocks);
  EXPECT_EQ(validate_account_locks(m, 64), TransactionError::TooManyAccountLocks);
  m.address_table_lookups.clear();
  m.account_keys[2] = m.account_keys[1];
  EXPECT_EQ(validate_account_locks(m), TransactionError::AccountLoadedTwice);
  EXPECT_EQ(message(TransactionError::TooManyAccountLocks), "Transaction locked too many accounts");
}

TEST(SvmTransaction, HostileWireInputs) {
  Keypair payer(1);
  auto wire = encode_transaction(sign(transfer_message(payer.pub, key(0x22), 1, true), {&payer}));
  // Every proper prefix is truncated.
  for (size_t n = 0; n < wire.size(); ++n) {
    auto d = decode_transaction(std::span(wire.data(), n));
    ASSERT_FALSE(d.ok()) << n;
    EXPECT_EQ(d.error(), DecodeError::UnexpectedEnd) << n;
  }
  auto extra = wire;
  extra.push_back(0);
  EXPECT_EQ(decode_transaction(extra).error(), DecodeError::TrailingBytes);

  auto bad_version = wire;
  bad_version[65] = 0x81;
  EXPECT_EQ(decode_transaction(bad_version).error(), DecodeError::InvalidMessageVersion);

  std::vector<uint8_t> big(kPacketDataSize + 1, 0);
  EXPECT_EQ(decode_transaction(big).error(), DecodeError::TooLarge);

  // Oversized counts fail on length, before allocating.
  EXPECT_EQ(decode_transaction(std::vector<uint8_t>{0xff, 0xff, 0x03}).error(), DecodeError::UnexpectedEnd);
  EXPECT_EQ(decode_transaction(std::vector<uint8_t>{0x80, 0x00}).error(), DecodeError::ShortVecAlias);
  EXPECT_EQ(decode_transaction(std::vector<uint8_t>{0x80, 0x80, 0x00}).error(), DecodeError::ShortVecAlias);
  EXPECT_EQ(decode_transaction(std::vector<uint8_t>{0xff, 0xff, 0x04}).error(), DecodeError::ShortVecOverflow);
  EXPECT_EQ(decode_transaction(std::vector<uint8_t>{0x80, 0x80, 0x80, 0x01}).error(),
            DecodeError::ShortVecByteThreeContinues);
  // Legacy message claiming 0xffff instruction-data bytes inside a small packet.
  Message m = transfer_message(payer.pub, key(0x22), 1, false);
  auto mb = encode_message(m);
  mb.resize(mb.size() - 13);  // drop the data length and data
  mb.insert(mb.end(), {0xff, 0xff, 0x03, 1, 2});
  EXPECT_EQ(decode_message(mb).error(), DecodeError::UnexpectedEnd);
}

TEST(SvmTransaction, RandomMutationsNeverCrash) {
  Keypair payer(1);
  auto wire = encode_transaction(sign(transfer_message(payer.pub, key(0x22), 1, true), {&payer}));
  uint32_t rng = 12345;
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    auto w = wire;
    for (int j = 0; j < 1 + i % 4; ++j) {
      rng = rng * 1664525 + 1013904223;
      w[(rng >> 8) % w.size()] ^= uint8_t(1 + (rng >> 24) % 255);
    }
    auto d = decode_transaction(w);
    if (!d.ok()) continue;
    ++decoded;
    EXPECT_EQ(encode_transaction(*d), w);
    // Any change decodes to a transaction that is not the signed one.
    EXPECT_NE(validate(*d), std::nullopt);
  }
  EXPECT_GT(decoded, 0u);
}
