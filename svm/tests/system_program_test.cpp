// System Program: instruction wire format, address derivation with seeds, nonce state layout
// and the durable-nonce transaction rules.
#include <gtest/gtest.h>

#include "svm/nonce.hpp"
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
  EXPECT_EQ(b58(ids::native_loader), "NativeLoader1111111111111111111111111111111");
  EXPECT_EQ(b58(ids::sysvar_recent_blockhashes), "SysvarRecentB1ockHashes11111111111111111111");
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
  m.account_keys = {key(1), key(2), key(3), ids::system_program};
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
  Pubkey owner = ids::system_program;
  uint64_t lamports = 1'500'000;
  TableAccountSource accounts = [&](const Pubkey& k) -> std::optional<TableAccountView> {
    if (k != nonce) return std::nullopt;
    return TableAccountView{owner, lamports, data};
  };
  Message m;
  m.header = {2, 1, 1};  // payer (w, signer), authority (ro signer), nonce (w), system (ro)
  m.account_keys = {payer, authority, nonce, ids::system_program};
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
  owner = ids::system_program;
  data = encode(NonceVersions{true, NonceData{authority, stored, 5000}});  // legacy
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, bank_blockhash, 1));
  data = encode(state);
  lamports = 0;
  EXPECT_FALSE(check_durable_nonce(m, writable, accounts, bank_blockhash, 1));
}

// ---------------------------------------------------------------------------------------------
// Through the runtime: signed transactions, Agave's errors and log lines.

using test::Chain;
using test::Keypair;
using test::has_log;
using test::ix_error;
using test::logs_of;

constexpr uint64_t kSol = 1'000'000'000;

SystemInstruction sys(SystemInstruction::Kind k) {
  SystemInstruction ix;
  ix.kind = k;
  return ix;
}
std::string addr_debug(const Pubkey& k) { return "Address { address: " + b58(k) + ", base: None }"; }

TEST(SvmSystemProgram, TransferAndItsErrors) {
  Chain c;
  Keypair payer(1), alice(2), bob(3);
  c.fund(payer.pub, 10 * kSol);
  c.fund(alice.pub, 1000);
  const uint64_t exempt = c.env.rent.minimum_balance(0);
  // A new account must end up rent-exempt (Agave's rent-state check).
  auto rent_paying = c.send({test::transfer(payer.pub, bob.pub, 5000)}, payer);
  EXPECT_EQ(ix_error(rent_paying), "InsufficientFundsForRent");
  auto ok = c.send({test::transfer(payer.pub, bob.pub, exempt)}, payer);
  ASSERT_EQ(ix_error(ok), "ok") << logs_of(ok);
  EXPECT_EQ(c.bank.lamports(bob.pub), exempt);
  EXPECT_EQ(ok.compute_units_consumed, kSystemProgramComputeUnits);
  EXPECT_TRUE(has_log(ok, "Program 11111111111111111111111111111111 invoke [1]")) << logs_of(ok);
  EXPECT_TRUE(has_log(ok, "Program 11111111111111111111111111111111 success")) << logs_of(ok);

  // More than the balance: SystemError::ResultWithNegativeLamports (custom 1).
  auto poor = c.send({test::transfer(alice.pub, bob.pub, 2000)}, payer, {&alice});
  EXPECT_EQ(ix_error(poor), "Custom(1)");
  EXPECT_TRUE(has_log(poor, "Transfer: insufficient lamports 1000, need 2000")) << logs_of(poor);
  EXPECT_EQ(c.bank.lamports(alice.pub), 1000u);

  // `from` not signing.
  Instruction unsigned_ix = test::transfer(alice.pub, bob.pub, 10);
  unsigned_ix.accounts[0].is_signer = false;
  auto nosig = c.send({unsigned_ix}, payer);
  EXPECT_EQ(ix_error(nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(nosig, "Transfer: `from` account " + b58(alice.pub) + " must sign")) << logs_of(nosig);

  // Bad data and too few accounts.
  auto bad = c.send({Instruction{ids::system_program, {{payer.pub, true, true}}, {99, 0, 0, 0}}}, payer);
  EXPECT_EQ(ix_error(bad), "InvalidInstructionData");
  Instruction one_account = test::transfer(payer.pub, bob.pub, 1);
  one_account.accounts.pop_back();
  EXPECT_EQ(ix_error(c.send({one_account}, payer)), "NotEnoughAccountKeys");
  // CreateAccountAllowPrefund is not active on mainnet.
  auto prefund = sys(SystemInstruction::CreateAccountAllowPrefund);
  EXPECT_EQ(ix_error(c.send({test::system_ix(prefund, {{payer.pub, true, true}})}, payer)), "InvalidInstructionData");
}

TEST(SvmSystemProgram, CreateAllocateAssign) {
  Chain c;
  Keypair payer(1), acct(4), other(5);
  const Pubkey owner = test::Keypair(9).pub;
  c.fund(payer.pub, 10 * kSol);
  auto ok = c.send({test::create_account(payer.pub, acct.pub, 2 * kSol, 100, owner)}, payer, {&acct});
  ASSERT_EQ(ix_error(ok), "ok") << logs_of(ok);
  const Account* a = c.bank.find(acct.pub);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->lamports, 2 * kSol);
  EXPECT_EQ(a->data.size(), 100u);
  EXPECT_EQ(a->owner, owner);

  // The target already holds lamports.
  c.fund(other.pub, 1);
  auto in_use = c.send({test::create_account(payer.pub, other.pub, kSol, 0, owner)}, payer, {&other});
  EXPECT_EQ(ix_error(in_use), "Custom(0)");
  EXPECT_TRUE(has_log(in_use, "Create Account: account " + addr_debug(other.pub) + " already in use")) << logs_of(in_use);

  // Too much space.
  Keypair big(6);
  auto too_big = c.send({test::create_account(payer.pub, big.pub, kSol, kSystemMaxPermittedDataLength + 1, owner)},
                        payer, {&big});
  EXPECT_EQ(ix_error(too_big), "Custom(3)");
  EXPECT_TRUE(has_log(too_big, "Allocate: requested 10485761, max allowed 10485760")) << logs_of(too_big);

  // The new account must sign.
  Instruction unsigned_to = test::create_account(payer.pub, big.pub, kSol, 0, owner);
  unsigned_to.accounts[1].is_signer = false;
  auto nosig = c.send({unsigned_to}, payer);
  EXPECT_EQ(ix_error(nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(nosig, "Allocate: 'to' account " + addr_debug(big.pub) + " must sign")) << logs_of(nosig);

  // Allocate then Assign a plain system account; a second Allocate finds it in use.
  c.fund(other.pub, kSol);
  auto alloc = sys(SystemInstruction::Allocate);
  alloc.space = 16;
  ASSERT_EQ(ix_error(c.send({test::system_ix(alloc, {{other.pub, true, true}})}, payer, {&other})), "ok");
  EXPECT_EQ(c.bank.find(other.pub)->data.size(), 16u);
  auto again = c.send({test::system_ix(alloc, {{other.pub, true, true}})}, payer, {&other});
  EXPECT_EQ(ix_error(again), "Custom(0)");
  EXPECT_TRUE(has_log(again, "Allocate: account " + addr_debug(other.pub) + " already in use")) << logs_of(again);
  // An account with data cannot pay for anything.
  auto carry = c.send({test::transfer(other.pub, payer.pub, 1)}, payer, {&other});
  EXPECT_EQ(ix_error(carry), "InvalidArgument");
  EXPECT_TRUE(has_log(carry, "Transfer: `from` must not carry data")) << logs_of(carry);

  auto assign = sys(SystemInstruction::Assign);
  assign.owner = owner;
  auto assign_nosig = c.send({test::system_ix(assign, {{other.pub, false, true}})}, payer);
  EXPECT_EQ(ix_error(assign_nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(assign_nosig, "Assign: account " + addr_debug(other.pub) + " must sign")) << logs_of(assign_nosig);
  ASSERT_EQ(ix_error(c.send({test::system_ix(assign, {{other.pub, true, true}})}, payer, {&other})), "ok");
  EXPECT_EQ(c.bank.find(other.pub)->owner, owner);
}

TEST(SvmSystemProgram, SeededAddresses) {
  Chain c;
  Keypair payer(1), base(7);
  const Pubkey owner = test::Keypair(9).pub;
  c.fund(payer.pub, 10 * kSol);
  const std::string seed = "lumio seed";
  const Pubkey derived = *create_with_seed(base.pub, seed, owner);

  auto ix = sys(SystemInstruction::CreateAccountWithSeed);
  ix.base = base.pub;
  ix.seed = seed;
  ix.lamports = kSol;
  ix.space = 8;
  ix.owner = owner;
  // The derived account itself does not sign; the base does.
  auto ok = c.send({test::system_ix(ix, {{payer.pub, true, true}, {derived, false, true}, {base.pub, true, false}})},
                   payer, {&base});
  ASSERT_EQ(ix_error(ok), "ok") << logs_of(ok);
  EXPECT_EQ(c.bank.find(derived)->owner, owner);

  auto mismatch = ix;
  mismatch.seed = "other seed";
  const Pubkey wrong = *create_with_seed(base.pub, "other seed", owner);
  auto bad = c.send({test::system_ix(mismatch, {{payer.pub, true, true}, {derived, false, true}, {base.pub, true, false}})},
                    payer, {&base});
  EXPECT_EQ(ix_error(bad), "Custom(5)");
  EXPECT_TRUE(has_log(bad, "Create: address " + b58(derived) + " does not match derived address " + b58(wrong)))
      << logs_of(bad);

  auto long_seed = ix;
  long_seed.seed = std::string(33, 's');
  EXPECT_EQ(ix_error(c.send({test::system_ix(long_seed, {{payer.pub, true, true}, {derived, false, true}})}, payer)),
            "MaxSeedLengthExceeded");

  // TransferWithSeed out of a system-owned seeded account: base signs, address must match.
  const Pubkey seeded = *create_with_seed(base.pub, "vault", ids::system_program);
  c.fund(seeded, 5000);
  auto tws = sys(SystemInstruction::TransferWithSeed);
  tws.lamports = 3000;
  tws.seed = "vault";
  tws.owner = ids::system_program;
  auto moved = c.send({test::system_ix(tws, {{seeded, false, true}, {base.pub, true, false}, {payer.pub, false, true}})},
                      payer, {&base});
  ASSERT_EQ(ix_error(moved), "ok") << logs_of(moved);
  EXPECT_EQ(c.bank.lamports(seeded), 2000u);
  auto tws_bad = tws;
  tws_bad.seed = "vault2";
  auto fail = c.send({test::system_ix(tws_bad, {{seeded, false, true}, {base.pub, true, false}, {payer.pub, false, true}})},
                     payer, {&base});
  EXPECT_EQ(ix_error(fail), "Custom(5)");
  EXPECT_TRUE(has_log(fail, "Transfer: 'from' address " + b58(seeded) + " does not match derived address " +
                                b58(*create_with_seed(base.pub, "vault2", ids::system_program))))
      << logs_of(fail);
  auto nosig = c.send({test::system_ix(tws, {{seeded, false, true}, {base.pub, false, false}, {payer.pub, false, true}})},
                      payer);
  EXPECT_EQ(ix_error(nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(nosig, "Transfer: 'from' account " + b58(base.pub) + " must sign")) << logs_of(nosig);
}

TEST(SvmSystemProgram, NonceAccountLifecycle) {
  Chain c;
  Keypair payer(1), nonce(8), authority(9), new_authority(10);
  c.fund(payer.pub, 10 * kSol);
  const uint64_t rent = c.env.rent.minimum_balance(kNonceStateSize);
  auto init = sys(SystemInstruction::InitializeNonceAccount);
  init.authority = authority.pub;
  auto init_ix = test::system_ix(init, {{nonce.pub, false, true},
                                        {ids::sysvar_recent_blockhashes, false, false},
                                        {ids::sysvar_rent, false, false}});
  // Underfunded nonce account.
  auto poor = c.send({test::create_account(payer.pub, nonce.pub, rent - 1, kNonceStateSize, ids::system_program), init_ix},
                     payer, {&nonce});
  EXPECT_EQ(ix_error(poor), "InsufficientFunds");
  EXPECT_TRUE(has_log(poor, "Initialize nonce account: insufficient lamports " + std::to_string(rent - 1) + ", need " +
                                std::to_string(rent)))
      << logs_of(poor);
  // Wrong sysvar account.
  auto wrong_sysvar = init_ix;
  wrong_sysvar.accounts[2].pubkey = ids::sysvar_clock;
  EXPECT_EQ(ix_error(c.send({test::create_account(payer.pub, nonce.pub, rent, kNonceStateSize, ids::system_program),
                             wrong_sysvar}, payer, {&nonce})),
            "InvalidArgument");

  auto created = c.send({test::create_account(payer.pub, nonce.pub, rent, kNonceStateSize, ids::system_program), init_ix},
                        payer, {&nonce});
  ASSERT_EQ(ix_error(created), "ok") << logs_of(created);
  auto state = decode_nonce(c.bank.find(nonce.pub)->data);
  ASSERT_TRUE(state && state->data);
  EXPECT_FALSE(state->legacy);
  EXPECT_EQ(state->data->authority, authority.pub);
  EXPECT_EQ(state->data->durable_nonce, durable_nonce_from_blockhash(c.blockhash()));
  EXPECT_EQ(state->data->lamports_per_signature, c.env.lamports_per_signature);

  auto again = c.send({init_ix}, payer);
  EXPECT_EQ(ix_error(again), "InvalidAccountData");
  EXPECT_TRUE(has_log(again, "Initialize nonce account: Account " + b58(nonce.pub) + " state is invalid"));

  auto advance_ix = test::system_ix(sys(SystemInstruction::AdvanceNonceAccount),
                                    {{nonce.pub, false, true}, {ids::sysvar_recent_blockhashes, false, false},
                                     {authority.pub, true, false}});
  // Same slot: the stored nonce is the current one.
  auto same_slot = c.send({advance_ix}, payer, {&authority});
  EXPECT_EQ(ix_error(same_slot), "Custom(7)");
  EXPECT_TRUE(has_log(same_slot, "Advance nonce account: nonce can only advance once per slot")) << logs_of(same_slot);
  c.advance();
  auto unsigned_advance = advance_ix;
  unsigned_advance.accounts[2].is_signer = false;
  auto nosig = c.send({unsigned_advance}, payer);
  EXPECT_EQ(ix_error(nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(nosig, "Advance nonce account: Account " + b58(authority.pub) + " must be a signer"));
  ASSERT_EQ(ix_error(c.send({advance_ix}, payer, {&authority})), "ok");
  EXPECT_EQ(decode_nonce(c.bank.find(nonce.pub)->data)->data->durable_nonce, durable_nonce_from_blockhash(c.blockhash()));

  // Authorize a new authority (old one signs).
  auto auth = sys(SystemInstruction::AuthorizeNonceAccount);
  auth.authority = new_authority.pub;
  auto auth_ix = test::system_ix(auth, {{nonce.pub, false, true}, {authority.pub, true, false}});
  auto auth_nosig = auth_ix;
  auth_nosig.accounts[1].is_signer = false;
  auto an = c.send({auth_nosig}, payer);
  EXPECT_EQ(ix_error(an), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(an, "Authorize nonce account: Account " + b58(authority.pub) + " must sign"));
  ASSERT_EQ(ix_error(c.send({auth_ix}, payer, {&authority})), "ok");
  EXPECT_EQ(decode_nonce(c.bank.find(nonce.pub)->data)->data->authority, new_authority.pub);

  // Withdraw: keeping less than rent exemption fails; emptying it deinitializes (next slot).
  auto withdraw = [&](uint64_t lamports) {
    auto w = sys(SystemInstruction::WithdrawNonceAccount);
    w.lamports = lamports;
    return test::system_ix(w, {{nonce.pub, false, true}, {payer.pub, false, true},
                               {ids::sysvar_recent_blockhashes, false, false}, {ids::sysvar_rent, false, false},
                               {new_authority.pub, true, false}});
  };
  c.fund(nonce.pub, 100);
  auto partial_bad = c.send({withdraw(101)}, payer, {&new_authority});
  EXPECT_EQ(ix_error(partial_bad), "InsufficientFunds");
  EXPECT_TRUE(has_log(partial_bad, "Withdraw nonce account: insufficient lamports " + std::to_string(rent + 100) +
                                       ", need " + std::to_string(rent + 101)))
      << logs_of(partial_bad);
  ASSERT_EQ(ix_error(c.send({withdraw(100)}, payer, {&new_authority})), "ok");
  auto same_slot_empty = c.send({withdraw(rent)}, payer, {&new_authority});
  EXPECT_EQ(ix_error(same_slot_empty), "Custom(7)");
  EXPECT_TRUE(has_log(same_slot_empty, "Withdraw nonce account: nonce can only advance once per slot"));
  c.advance();
  auto empty = c.send({withdraw(rent)}, payer, {&new_authority});
  ASSERT_EQ(ix_error(empty), "ok") << logs_of(empty);
  EXPECT_EQ(c.bank.lamports(nonce.pub), 0u);
}

TEST(SvmSystemProgram, UpgradeLegacyNonce) {
  Chain c;
  Keypair payer(1), authority(9);
  c.fund(payer.pub, 10 * kSol);
  const Pubkey nonce = test::Keypair(11).pub;
  NonceVersions legacy{true, NonceData{authority.pub, test::blockhash_of_slot(3), 5000}};
  Account a;
  a.lamports = kSol;
  a.data = encode(legacy);
  a.owner = ids::system_program;
  c.bank.accounts[nonce] = a;
  auto up = test::system_ix(sys(SystemInstruction::UpgradeNonceAccount), {{nonce, false, true}});
  ASSERT_EQ(ix_error(c.send({up}, payer)), "ok");
  auto s = decode_nonce(c.bank.find(nonce)->data);
  ASSERT_TRUE(s && s->data);
  EXPECT_FALSE(s->legacy);
  EXPECT_EQ(s->data->durable_nonce, durable_nonce_from_blockhash(test::blockhash_of_slot(3)));
  EXPECT_EQ(ix_error(c.send({up}, payer)), "InvalidArgument");  // already current
  auto ro = up;
  ro.accounts[0].is_writable = false;
  EXPECT_EQ(ix_error(c.send({ro}, payer)), "InvalidArgument");
}

TEST(SvmSystemProgram, DurableNonceTransaction) {
  Chain c;
  Keypair payer(1), nonce(8), bob(3);
  c.fund(payer.pub, 10 * kSol);
  const uint64_t rent = c.env.rent.minimum_balance(kNonceStateSize);
  auto init = sys(SystemInstruction::InitializeNonceAccount);
  init.authority = payer.pub;
  ASSERT_EQ(ix_error(c.send({test::create_account(payer.pub, nonce.pub, rent, kNonceStateSize, ids::system_program),
                             test::system_ix(init, {{nonce.pub, false, true},
                                                    {ids::sysvar_recent_blockhashes, false, false},
                                                    {ids::sysvar_rent, false, false}})},
                            payer, {&nonce})),
            "ok");
  Hash stored = decode_nonce(c.bank.find(nonce.pub)->data)->data->durable_nonce;
  c.advance(300);  // far past the blockhash window

  auto advance_ix = test::system_ix(sys(SystemInstruction::AdvanceNonceAccount),
                                    {{nonce.pub, false, true}, {ids::sysvar_recent_blockhashes, false, false},
                                     {payer.pub, true, false}});
  // Transfer larger than the balance: the transfer fails, the nonce advance stays.
  auto msg = test::compile_message(payer.pub, {advance_ix, test::transfer(payer.pub, bob.pub, 100 * kSol)}, stored);
  auto out = c.execute(test::sign(msg, {&payer}));
  EXPECT_TRUE(out.processed) << (out.err ? name(*out.err) : "");
  EXPECT_EQ(ix_error(out), "Custom(1)") << logs_of(out);
  EXPECT_EQ(decode_nonce(c.bank.find(nonce.pub)->data)->data->durable_nonce, durable_nonce_from_blockhash(c.blockhash()));
  // Replaying it: the stored nonce moved on -> BlockhashNotFound.
  auto replay = c.execute(test::sign(msg, {&payer}));
  EXPECT_EQ(ix_error(replay), "BlockhashNotFound");
  // Advance not first: not a durable transaction.
  Hash now = decode_nonce(c.bank.find(nonce.pub)->data)->data->durable_nonce;
  c.advance(300);
  const uint64_t exempt = c.env.rent.minimum_balance(0);
  auto second = test::compile_message(payer.pub, {test::transfer(payer.pub, bob.pub, exempt), advance_ix}, now);
  EXPECT_EQ(ix_error(c.execute(test::sign(second, {&payer}))), "BlockhashNotFound");
  auto good = test::compile_message(payer.pub, {advance_ix, test::transfer(payer.pub, bob.pub, exempt)}, now);
  auto done = c.execute(test::sign(good, {&payer}));
  EXPECT_EQ(ix_error(done), "ok") << logs_of(done);
  EXPECT_EQ(c.bank.lamports(bob.pub), exempt);
}

TEST(SvmSystemProgram, CreateAccountAllowPrefundBehindItsFeature) {
  BuiltinFeatures features;
  features.create_account_allow_prefund = true;
  Chain c(features);
  Keypair payer(1), acct(4), solo(5);
  const Pubkey owner = Keypair(9).pub;
  c.fund(payer.pub, 10 * kSol);
  const uint64_t need = c.env.rent.minimum_balance(100), prefund = need / 3;
  c.fund(acct.pub, prefund);
  c.fund(solo.pub, need);
  // CreateAccount refuses an account that already holds lamports...
  auto plain = c.send({test::create_account(payer.pub, acct.pub, need - prefund, 100, owner)}, payer, {&acct});
  EXPECT_EQ(ix_error(plain), "Custom(0)");
  // ...CreateAccountAllowPrefund tops it up (new account first, then the funder).
  auto ix = sys(SystemInstruction::CreateAccountAllowPrefund);
  ix.lamports = need - prefund;
  ix.space = 100;
  ix.owner = owner;
  auto out = c.send({test::system_ix(ix, {{acct.pub, true, true}, {payer.pub, true, true}})}, payer, {&acct});
  ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  const Account* a = c.bank.find(acct.pub);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->lamports, need);
  EXPECT_EQ(a->data.size(), 100u);
  EXPECT_EQ(a->owner, owner);
  // Zero lamports: only the new account is needed (allocate + assign).
  auto zero = ix;
  zero.lamports = 0;
  auto alone = c.send({test::system_ix(zero, {{solo.pub, true, true}})}, payer, {&solo});
  ASSERT_EQ(ix_error(alone), "ok") << logs_of(alone);
  EXPECT_EQ(c.bank.find(solo.pub)->owner, owner);
  // With lamports the funding account is required.
  Keypair lone(6);
  EXPECT_EQ(ix_error(c.send({test::system_ix(ix, {{lone.pub, true, true}})}, payer, {&lone})), "NotEnoughAccountKeys");
}

}  // namespace
}  // namespace lumio::svm
