// Whole transactions through Runtime::execute with the genuine SPL images (extracted by
// scripts/extract-spl.sh): SPL Token end to end with Agave's logs and compute units, a failing
// instruction, and the Associated Token Account program creating an account through CPIs into
// Token and the System Program.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "svm/loader_upgradeable.hpp"
#include "svm/runtime.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {
namespace {

namespace fs = std::filesystem;

fs::path images_dir() {
  if (const char* d = std::getenv("LUMIO_SPL_DIR")) return d;
  return LUMIO_SPL_DIR;
}

std::vector<uint8_t> spl_image(const std::string& name) {
  fs::path p = images_dir() / (name + ".so");
  if (!fs::exists(p)) {
    std::string cmd = std::string(LUMIO_SOURCE_DIR) + "/scripts/extract-spl.sh '" + images_dir().string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "extraction failed: " << cmd;
  }
  std::ifstream f(p, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing SPL image " << name;
  return {std::istreambuf_iterator<char>(f), {}};
}

class MapSource : public AccountSource {
 public:
  std::map<Pubkey, Account> accounts;
  std::optional<Account> get(const Pubkey& k) const override {
    auto it = accounts.find(k);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  void commit(const TransactionOutcome& out) {
    for (const auto& [k, a] : out.post_accounts) accounts[k] = a;
  }
};

Pubkey key(uint8_t b) {
  Pubkey p;
  p.fill(b);
  return p;
}
std::string b58(const Pubkey& p) { return base58(p.data(), 32); }

Transaction make_tx(std::vector<Pubkey> keys, MessageHeader h, std::vector<CompiledInstruction> ixs) {
  Transaction tx;
  tx.message.header = h;
  tx.message.account_keys = std::move(keys);
  tx.message.instructions = std::move(ixs);
  tx.signatures.assign(h.num_required_signatures, Signature{});
  tx.message_bytes = encode_message(tx.message);
  return tx;
}

uint64_t u64_at(const std::vector<uint8_t>& d, size_t at) {
  uint64_t v;
  std::memcpy(&v, d.data() + at, 8);
  return v;
}

Account deployed(const std::vector<uint8_t>& elf) {
  Account a;
  a.data = elf;
  a.owner = ids::bpf_loader;
  a.executable = true;
  a.lamports = Rent{}.minimum_balance(elf.size());
  return a;
}

Account system_account(uint64_t lamports) {
  Account a;
  a.lamports = lamports;
  a.owner = ids::system_program;
  return a;
}

const Pubkey kToken = pubkey_from_base58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const Pubkey kAta = pubkey_from_base58("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

struct SvmSplRuntime : ::testing::Test {
  MapSource src;
  RuntimeEnv env;
  Runtime rt;
  Pubkey payer = key(0xa1), alice = key(0x40), bob = key(0x50);
  Pubkey mint = key(0x10), alice_tok = key(0x20), bob_tok = key(0x30);
  SvmSplRuntime() {
    register_builtins(rt);
    env.slot = 100;
    src.accounts[payer] = system_account(1'000'000'000);
    src.accounts[kToken] = deployed(spl_image("spl_token-3.5.0"));
  }
  Account token_owned(size_t len) {
    Account a;
    a.owner = kToken;
    a.data.assign(len, 0);
    a.lamports = Rent{}.minimum_balance(len);
    return a;
  }
  void expect_token_logs(const TransactionOutcome& out, const std::string& instruction) {
    const std::string t = b58(kToken);
    ASSERT_EQ(out.logs.size(), 4u);
    EXPECT_EQ(out.logs[0], "Program " + t + " invoke [1]");
    EXPECT_EQ(out.logs[1], "Program log: Instruction: " + instruction);
    EXPECT_EQ(out.logs[2], "Program " + t + " consumed " + std::to_string(out.compute_units_consumed) +
                               " of 200000 compute units");
    EXPECT_EQ(out.logs[3], "Program " + t + " success");
  }
};

TEST_F(SvmSplRuntime, TokenLifecycleThroughTransactions) {
  src.accounts[mint] = token_owned(82);
  src.accounts[alice_tok] = token_owned(165);
  src.accounts[bob_tok] = token_owned(165);
  uint64_t fees = 0;
  auto run = [&](const Transaction& tx) {
    auto out = rt.execute(tx, src, env);
    EXPECT_TRUE(out.processed);
    fees += out.fee;
    src.commit(out);
    return out;
  };

  // InitializeMint (decimals 6, authority alice, no freeze authority), reading the Rent account.
  std::vector<uint8_t> init_mint(2 + 32 + 1 + 32, 0);
  init_mint[1] = 6;
  std::memcpy(init_mint.data() + 2, alice.data(), 32);
  auto out = run(make_tx({payer, mint, ids::sysvar_rent, kToken}, {1, 0, 2}, {{3, {1, 2}, init_mint}}));
  ASSERT_FALSE(out.err) << out.err->to_json();
  expect_token_logs(out, "InitializeMint");
  EXPECT_EQ(src.accounts[mint].data[45], 1);  // is_initialized

  for (auto [acc, owner] : {std::pair{alice_tok, alice}, std::pair{bob_tok, bob}}) {
    out = run(make_tx({payer, acc, mint, owner, ids::sysvar_rent, kToken}, {1, 0, 4}, {{5, {1, 2, 3, 4}, {1}}}));
    ASSERT_FALSE(out.err) << out.err->to_json();
    expect_token_logs(out, "InitializeAccount");
  }

  // MintTo without the authority's signature: MissingRequiredSignature (a builtin error code).
  const std::vector<uint8_t> mint_to = {7, 0xe8, 0x03, 0, 0, 0, 0, 0, 0};
  out = run(make_tx({payer, mint, alice_tok, alice, kToken}, {1, 0, 2}, {{4, {1, 2, 3}, mint_to}}));
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"MissingRequiredSignature\"]}");
  EXPECT_EQ(out.logs.back(), "Program " + b58(kToken) + " failed: missing required signature for instruction");

  // Alice signs (read-only signer): two signatures, 10000 lamports.
  out = run(make_tx({payer, alice, mint, alice_tok, kToken}, {2, 1, 1}, {{4, {2, 3, 1}, mint_to}}));
  ASSERT_FALSE(out.err) << out.err->to_json();
  EXPECT_EQ(out.fee, 10'000u);
  expect_token_logs(out, "MintTo");
  EXPECT_EQ(u64_at(src.accounts[mint].data, 36), 1000u);
  EXPECT_EQ(u64_at(src.accounts[alice_tok].data, 64), 1000u);

  // Transfer 300: the familiar 4645 compute units.
  const std::vector<uint8_t> transfer = {3, 0x2c, 0x01, 0, 0, 0, 0, 0, 0};
  out = run(make_tx({payer, alice, alice_tok, bob_tok, kToken}, {2, 1, 1}, {{4, {2, 3, 1}, transfer}}));
  ASSERT_FALSE(out.err) << out.err->to_json();
  EXPECT_EQ(out.compute_units_consumed, 4645u);
  expect_token_logs(out, "Transfer");
  EXPECT_EQ(u64_at(src.accounts[alice_tok].data, 64), 700u);
  EXPECT_EQ(u64_at(src.accounts[bob_tok].data, 64), 300u);
  ASSERT_EQ(out.post_accounts.size(), 3u);  // payer + the two token accounts (writable)

  // Overdraft: TokenError::InsufficientFunds = Custom(1); balances untouched, fee charged.
  const uint64_t payer_before = src.accounts[payer].lamports;
  const std::vector<uint8_t> overdraft = {3, 0xe8, 0x03, 0, 0, 0, 0, 0, 0};
  out = run(make_tx({payer, alice, alice_tok, bob_tok, kToken}, {2, 1, 1}, {{4, {2, 3, 1}, overdraft}}));
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,{\"Custom\":1}]}");
  const std::string t = b58(kToken);
  EXPECT_EQ(out.logs, (std::vector<std::string>{
                          "Program " + t + " invoke [1]", "Program log: Instruction: Transfer",
                          "Program log: Error: insufficient funds",
                          "Program " + t + " consumed " + std::to_string(out.compute_units_consumed) +
                              " of 200000 compute units",
                          "Program " + t + " failed: custom program error: 0x1"}));
  EXPECT_EQ(src.accounts[payer].lamports, payer_before - 10'000);
  EXPECT_EQ(u64_at(src.accounts[alice_tok].data, 64), 700u);
  EXPECT_EQ(src.accounts[payer].lamports, 1'000'000'000 - fees);
}

// Agave's ATA program: Create derives the address, asks Token for the account size (CPI with
// return data), creates the account through the System Program (CPI signed with the PDA seeds),
// then initializes it through two more Token CPIs.
TEST_F(SvmSplRuntime, AssociatedTokenAccountCreateThroughCpi) {
  src.accounts[kAta] = deployed(spl_image("spl_associated_token_account-1.1.1"));
  Account m = token_owned(82);
  m.data[44] = 6;  // decimals
  m.data[45] = 1;  // is_initialized
  src.accounts[mint] = m;
  // find_program_address([wallet, token program, mint], ATA program)
  std::optional<Pubkey> ata;
  for (int bump = 255; bump >= 0 && !ata; --bump) {
    uint8_t b = uint8_t(bump);
    std::span<const uint8_t> seeds[] = {alice, kToken, mint, {&b, 1}};
    ata = create_program_address(seeds, kAta);
  }
  ASSERT_TRUE(ata);
  auto tx = make_tx({payer, *ata, alice, mint, ids::system_program, kToken, kAta}, {1, 0, 5},
                    {{6, {0, 1, 2, 3, 4, 5}, {}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.processed);
  ASSERT_FALSE(out.err) << out.err->to_json();
  const std::string a = b58(kAta), t = b58(kToken), s = b58(ids::system_program);
  std::vector<std::string> invokes;
  for (const auto& l : out.logs)
    if (l.find(" invoke [") != std::string::npos || l.starts_with("Program return:") || l.starts_with("Program log:"))
      invokes.push_back(l);
  EXPECT_EQ(invokes, (std::vector<std::string>{
                         "Program " + a + " invoke [1]", "Program log: Create", "Program " + t + " invoke [2]",
                         "Program log: Instruction: GetAccountDataSize", "Program return: " + t + " pQAAAAAAAAA=",
                         "Program " + s + " invoke [2]", "Program log: Initialize the associated token account",
                         "Program " + t + " invoke [2]", "Program log: Instruction: InitializeImmutableOwner",
                         "Program log: Please upgrade to SPL Token 2022 for immutable owner support",
                         "Program " + t + " invoke [2]", "Program log: Instruction: InitializeAccount3"}));
  EXPECT_EQ(out.logs.back(), "Program " + a + " success");
  // Every instruction starts by clearing the return data, so GetAccountDataSize's is gone.
  EXPECT_FALSE(out.return_data);
  // Token's compute units inside the CPIs (pinned as measured; the meter is shared).
  auto has = [&](const std::string& s) { return std::find(out.logs.begin(), out.logs.end(), s) != out.logs.end(); };
  size_t consumed_lines = 0;
  for (const auto& l : out.logs) consumed_lines += l.find(" consumed ") != std::string::npos;
  EXPECT_EQ(consumed_lines, 4u);  // three Token CPIs + ATA; builtins log none
  for (const char* cu : {" consumed 1569 of ", " consumed 1405 of ", " consumed 4188 of "}) {
    bool found = false;
    for (const auto& l : out.logs) found |= l.starts_with("Program " + t) && l.find(cu) != std::string::npos;
    EXPECT_TRUE(found) << cu;
  }
  EXPECT_TRUE(has("Program " + s + " success"));
  // Inner instructions: the four CPIs at stack height 2, in order.
  ASSERT_EQ(out.inner_instructions.size(), 1u);
  ASSERT_EQ(out.inner_instructions[0].size(), 4u);
  EXPECT_EQ(out.inner_instructions[0][0].instruction.program_id_index, 5);
  EXPECT_EQ(out.inner_instructions[0][1].instruction.program_id_index, 4);
  EXPECT_EQ(out.inner_instructions[0][1].instruction.data[0], 0);  // SystemInstruction::CreateAccount
  EXPECT_EQ(out.inner_instructions[0][3].instruction.data[0], 18);  // InitializeAccount3
  for (const auto& in : out.inner_instructions[0]) EXPECT_EQ(in.stack_height, 2u);

  src.commit(out);
  const Account& created = src.accounts[*ata];
  EXPECT_EQ(created.owner, kToken);
  ASSERT_EQ(created.data.size(), 165u);
  EXPECT_EQ(created.lamports, Rent{}.minimum_balance(165));
  EXPECT_EQ(std::memcmp(created.data.data(), mint.data(), 32), 0);
  EXPECT_EQ(std::memcmp(created.data.data() + 32, alice.data(), 32), 0);
  EXPECT_EQ(created.data[108], 1);  // AccountState::Initialized
  EXPECT_EQ(src.accounts[payer].lamports, 1'000'000'000 - 5000 - Rent{}.minimum_balance(165));

  // Creating it again: the account now belongs to Token -> IllegalOwner from ATA.
  out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"IllegalOwner\"]}");
}

}  // namespace
}  // namespace lumio::svm
