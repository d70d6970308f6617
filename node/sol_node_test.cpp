// The node as a Solana chain: a Node over the real store with the genuine programs from the
// extracted images (scripts/extract-spl.sh, the spl_images CTest fixture), transactions signed
// with libsodium and admitted as sendTransaction admits them.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hash.hpp"
#include "node/dev_accounts.hpp"
#include "node/node.hpp"
#include "node/sol_genesis.hpp"
#include "svm/account.hpp"

using namespace lumio;
using namespace lumio::node;

namespace {

std::string spl_dir() {
  if (const char* d = std::getenv("LUMIO_SPL_DIR")) return d;
  return LUMIO_SPL_DIR;
}

std::string temp_dir(const char* name) {
  auto p = std::filesystem::temp_directory_path() / (std::string("lumio-sol-node-test-") + name);
  std::filesystem::remove_all(p);
  return p.string();
}

Config sol_config(const char* name, unsigned slot_ms = 100) {
  Config cfg;
  cfg.data_dir = temp_dir(name);
  cfg.spl_dir = spl_dir();
  cfg.slot_ms = slot_ms;
  cfg.slot_ticks_always = true;
  cfg.block_time_ms = 5;
  return cfg;
}

svm::Pubkey key(const char* b58) { return svm::pubkey_from_base58(b58); }
const svm::Pubkey kSystem = key("11111111111111111111111111111111");
const svm::Pubkey kToken = key("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

struct Meta {
  svm::Pubkey key;
  bool signer, writable;
};
struct Ix {
  svm::Pubkey program;
  std::vector<Meta> accounts;
  Bytes data;
};

// Compiles a legacy message (Solana's key order: writable signers with the fee payer first,
// read-only signers, writable, read-only) and signs it.
svm::Transaction make_tx(const std::vector<Ix>& ixs, const std::vector<SolKeypair>& signers,
                         const svm::Hash& blockhash) {
  std::map<svm::Pubkey, std::pair<bool, bool>> flags;  // signer, writable
  std::vector<svm::Pubkey> order;
  auto add = [&](const svm::Pubkey& k, bool s, bool w) {
    if (!flags.count(k)) order.push_back(k);
    auto& f = flags[k];
    f.first |= s;
    f.second |= w;
  };
  add(signers[0].pubkey, true, true);
  for (const auto& ix : ixs) {
    for (const auto& m : ix.accounts) add(m.key, m.signer, m.writable);
    add(ix.program, false, false);
  }
  svm::Message msg;
  for (int cls = 0; cls < 4; ++cls)
    for (const auto& k : order) {
      auto [s, w] = flags[k];
      int c = s ? (w ? 0 : 1) : (w ? 2 : 3);
      if (c == cls) msg.account_keys.push_back(k);
      if (c == cls && s) msg.header.num_required_signatures++;
      if (c == cls && c == 1) msg.header.num_readonly_signed_accounts++;
      if (c == cls && c == 3) msg.header.num_readonly_unsigned_accounts++;
    }
  auto index = [&](const svm::Pubkey& k) {
    return uint8_t(std::find(msg.account_keys.begin(), msg.account_keys.end(), k) - msg.account_keys.begin());
  };
  for (const auto& ix : ixs) {
    svm::CompiledInstruction ci;
    ci.program_id_index = index(ix.program);
    for (const auto& m : ix.accounts) ci.accounts.push_back(index(m.key));
    ci.data = ix.data;
    msg.instructions.push_back(ci);
  }
  msg.recent_blockhash = blockhash;
  svm::Transaction tx;
  tx.message = msg;
  tx.message_bytes = svm::encode_message(msg);
  for (size_t i = 0; i < msg.header.num_required_signatures; ++i) {
    const SolKeypair* kp = nullptr;
    for (const auto& s : signers)
      if (s.pubkey == msg.account_keys[i]) kp = &s;
    EXPECT_NE(kp, nullptr);
    svm::Signature sig;
    crypto_sign_detached(sig.data(), nullptr, tx.message_bytes.data(), tx.message_bytes.size(), kp->secret.data());
    tx.signatures.push_back(sig);
  }
  return tx;
}

void put_u64(Bytes& d, uint64_t v) {
  for (int i = 0; i < 8; ++i) d.push_back(uint8_t(v >> (8 * i)));
}

Ix transfer(const svm::Pubkey& from, const svm::Pubkey& to, uint64_t lamports) {
  Bytes d = {2, 0, 0, 0};
  put_u64(d, lamports);
  return {kSystem, {{from, true, true}, {to, false, true}}, d};
}

Ix create_account(const svm::Pubkey& from, const svm::Pubkey& to, uint64_t lamports, uint64_t space,
                  const svm::Pubkey& owner) {
  Bytes d = {0, 0, 0, 0};
  put_u64(d, lamports);
  put_u64(d, space);
  d.insert(d.end(), owner.begin(), owner.end());
  return {kSystem, {{from, true, true}, {to, true, true}}, d};
}

uint64_t balance(Node& n, const svm::Pubkey& k) {
  auto a = exec::read_svm_account(n.chain().latest(), k);
  return a ? a->lamports : 0;
}

// Waits for the transaction's block; returns its receipt.
std::optional<exec::SvmReceipt> wait_for(Node& n, const svm::Signature& sig, int ms = 5000) {
  for (int i = 0; i <= ms / 5; ++i) {
    if (auto loc = n.chain().locate_signature(BytesView(sig.data(), 64))) return n.chain().svm_receipt(loc->block, loc->index);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::nullopt;
}

void wait_slots(Node& n, uint64_t count) {
  uint64_t start = n.sol_ledger()->tip().height;
  for (int i = 0; i < 2000 && n.sol_ledger()->tip().height < start + count; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

svm::TransactionError::Kind admission_error(Node& n, const svm::Transaction& tx) {
  try {
    n.submit_solana(tx);
  } catch (const SolAdmissionError& e) {
    return e.error.kind;
  }
  ADD_FAILURE() << "admitted";
  return svm::TransactionError::AccountInUse;
}

}  // namespace

TEST(SolNode, GenesisRefusesMissingOrWrongImages) {
  Config cfg = sol_config("genesis");
  cfg.spl_dir = temp_dir("no-images");
  std::filesystem::create_directories(cfg.spl_dir);
  {
    Node n(cfg);
    try {
      n.start();
      ADD_FAILURE() << "started without images";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("spl_token-3.5.0.so is missing"), std::string::npos) << e.what();
    }
  }
  // Every image present, one of them altered by one byte.
  for (const auto& p : sol_genesis_programs())
    std::filesystem::copy_file(spl_dir() + "/" + p.file + ".so", cfg.spl_dir + "/" + p.file + ".so");
  {
    std::fstream f(cfg.spl_dir + "/spl_memo-4.0.0.so", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put(0x5a);
  }
  cfg.fresh = true;
  Node n(cfg);
  try {
    n.start();
    ADD_FAILURE() << "started with a corrupt image";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("spl_memo-4.0.0.so has SHA-256"), std::string::npos) << e.what();
  }
}

TEST(SolNode, GenesisHoldsTheGenuinePrograms) {
  Node n(sol_config("programs"));
  n.start();
  const auto& r = n.chain().latest();
  auto token = exec::read_svm_account(r, kToken);
  ASSERT_TRUE(token);
  EXPECT_TRUE(token->executable);
  EXPECT_EQ(token->owner, key("BPFLoader2111111111111111111111111111111111"));
  EXPECT_EQ(to_hex(sha256(token->data)).substr(2), "7b44674b9704fa7640fbebfac68389f338b500b8c2bc29175c27ed66838b5a3c");
  // Token-2022: upgradeable program -> program data account, ELF at offset 45.
  auto t22 = exec::read_svm_account(r, key("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"));
  ASSERT_TRUE(t22 && t22->data.size() == 36);
  svm::Pubkey pd;
  std::copy(t22->data.begin() + 4, t22->data.end(), pd.begin());
  EXPECT_EQ(pd, programdata_address(key("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")));
  auto pda = exec::read_svm_account(r, pd);
  ASSERT_TRUE(pda && pda->data.size() > 45);
  EXPECT_EQ(to_hex(sha256(BytesView(pda->data).subspan(45))).substr(2),
            "495e9d7680dd555cb126a6a8e5464af5be9b01f02f2cd70634352722d22e3cad");
  auto memo1 = exec::read_svm_account(r, key("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"));
  ASSERT_TRUE(memo1);
  EXPECT_EQ(memo1->owner, key("BPFLoader1111111111111111111111111111111111"));
  EXPECT_TRUE(exec::read_svm_account(r, key("SysvarRent111111111111111111111111111111111")));
  EXPECT_EQ(balance(n, sol_dev_keypairs(1)[0].pubkey), n.config().solana_dev_lamports);
}

TEST(SolNode, TransferLandsInABlockAndSlotsAdvanceWithoutTraffic) {
  Node n(sol_config("transfer"));
  n.start();
  SolKeypair alice = sol_dev_keypairs(1)[0], bob = sol_keypair_from_label("test-bob");
  // No traffic: slots (and with them blocks, block heights and the clock sysvar) advance.
  SolSlotRecord t0 = n.sol_ledger()->tip();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  SolSlotRecord t1 = n.sol_ledger()->tip();
  EXPECT_GE(t1.slot, t0.slot + 3);
  EXPECT_GE(t1.height, t0.height + 3);
  EXPECT_EQ(t1.parent_slot < t1.slot, true);
  EXPECT_NE(t1.blockhash, t0.blockhash);
  auto clock = exec::read_svm_account(n.chain().latest(), key("SysvarC1ock11111111111111111111111111111111"));
  ASSERT_TRUE(clock && clock->data.size() == 40);
  uint64_t clock_slot = 0;
  for (int i = 7; i >= 0; --i) clock_slot = (clock_slot << 8) | clock->data[i];
  EXPECT_EQ(clock_slot, n.chain().head()->header.slot);

  uint64_t before = balance(n, alice.pubkey);
  svm::Transaction tx = make_tx({transfer(alice.pubkey, bob.pubkey, 1'000'000'000)}, {alice}, t1.blockhash);
  svm::Signature sig = n.submit_solana(tx);
  EXPECT_EQ(sig, tx.signatures[0]);
  auto r = wait_for(n, sig);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->err);
  EXPECT_EQ(r->fee, 5000u);
  EXPECT_EQ(balance(n, bob.pubkey), 1'000'000'000u);
  EXPECT_EQ(balance(n, alice.pubkey), before - 1'000'000'000 - 5000);
  ASSERT_EQ(r->pre_balances.size(), 3u);
  EXPECT_EQ(r->pre_balances[0], before);
  EXPECT_EQ(r->post_balances[1], 1'000'000'000u);
  EXPECT_EQ(r->logs.front(), "Program 11111111111111111111111111111111 invoke [1]");
  // The Lumio block holds it as a Solana record; the Ethereum view of that block does not.
  auto loc = n.chain().locate_signature(BytesView(sig.data(), 64));
  auto blk = n.chain().block(loc->block);
  EXPECT_EQ(blk->txs[loc->index].vm, exec::Vm::Svm);
  EXPECT_EQ(blk->header.transactions_root, kEmptyTrieRoot);
  EXPECT_GE(blk->header.slot, t1.slot);
  EXPECT_EQ(n.sol_ledger()->transaction_count(), 1u);
}

TEST(SolNode, DuplicateIsAlreadyProcessedAndOldBlockhashesExpire) {
  Node n(sol_config("expiry", 10));  // 10 ms slots: 150 blockhashes in ~1.5 s
  n.start();
  SolKeypair alice = sol_dev_keypairs(1)[0];
  svm::Pubkey carol = sol_keypair_from_label("test-carol").pubkey;
  svm::Hash old = n.sol_ledger()->tip().blockhash;
  svm::Transaction tx = make_tx({transfer(alice.pubkey, carol, 5'000'000)}, {alice}, old);
  auto sig = n.submit_solana(tx);
  ASSERT_TRUE(wait_for(n, sig));
  EXPECT_EQ(admission_error(n, tx), svm::TransactionError::AlreadyProcessed);
  // An unknown blockhash.
  svm::Hash bogus{};
  bogus[0] = 7;
  EXPECT_EQ(admission_error(n, make_tx({transfer(alice.pubkey, carol, 1)}, {alice}, bogus)),
            svm::TransactionError::BlockhashNotFound);
  // The old blockhash ages out after 150 newer ones (MAX_PROCESSING_AGE), and only then.
  auto rec = n.sol_ledger()->blockhash_record(old);
  ASSERT_TRUE(rec);
  svm::Transaction later = make_tx({transfer(alice.pubkey, carol, 6'000'000)}, {alice}, old);
  while (n.sol_ledger()->tip().height < rec->height + 140) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_NO_THROW(n.submit_solana(later));  // still valid
  ASSERT_TRUE(wait_for(n, later.signatures[0]));
  wait_slots(n, 0);
  while (n.sol_ledger()->tip().height <= rec->height + kMaxProcessingAge)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  svm::Transaction expired = make_tx({transfer(alice.pubkey, carol, 7'000'000)}, {alice}, old);
  EXPECT_EQ(admission_error(n, expired), svm::TransactionError::BlockhashNotFound);
  // The status cache outlives the blockhash check order: an expired duplicate is BlockhashNotFound.
  EXPECT_EQ(admission_error(n, tx), svm::TransactionError::BlockhashNotFound);
}

TEST(SolNode, KillNineAndRestartKeepAccountsSignaturesAndSlots) {
  Config cfg = sol_config("restart");
  SolKeypair alice = sol_dev_keypairs(2)[1];
  svm::Pubkey dave = sol_keypair_from_label("test-dave").pubkey;
  // A child process runs the node, reports the included transaction's signature and slot
  // through a pipe, and is killed with SIGKILL while its producer keeps building blocks.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Node n(cfg);
    n.start();
    svm::Signature s = n.submit_solana(make_tx({transfer(alice.pubkey, dave, 3'000'000)}, {alice}, n.sol_ledger()->tip().blockhash));
    if (!wait_for(n, s)) _exit(1);
    uint64_t slot = n.sol_ledger()->tip().slot;
    (void)!write(fds[1], s.data(), 64);
    (void)!write(fds[1], &slot, 8);
    for (;;) pause();
  }
  close(fds[1]);
  svm::Signature sig;
  uint64_t slot_before = 0;
  ASSERT_EQ(read(fds[0], sig.data(), 64), 64);
  ASSERT_EQ(read(fds[0], &slot_before, 8), 8);
  close(fds[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  cfg.fresh = false;
  Node n(cfg);
  n.start();
  EXPECT_EQ(balance(n, dave), 3'000'000u);
  auto r = wait_for(n, sig, 0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->err);
  EXPECT_GE(n.sol_ledger()->tip().slot, slot_before);
  svm::Transaction tx2 = make_tx({transfer(alice.pubkey, dave, 1'000'000)}, {alice}, n.sol_ledger()->tip().blockhash);
  ASSERT_TRUE(wait_for(n, n.submit_solana(tx2)));
  EXPECT_EQ(balance(n, dave), 4'000'000u);
  EXPECT_EQ(n.sol_ledger()->transaction_count(), 2u);
}

TEST(SolNode, TokenTransferThroughTheGenuineTokenProgram) {
  Node n(sol_config("token"));
  n.start();
  SolKeypair payer = sol_dev_keypairs(1)[0];
  SolKeypair mint = sol_keypair_from_label("test-mint"), a = sol_keypair_from_label("test-token-a"),
             b = sol_keypair_from_label("test-token-b"), owner_b = sol_keypair_from_label("test-owner-b");
  auto send = [&](const std::vector<Ix>& ixs, const std::vector<SolKeypair>& signers) {
    auto tx = make_tx(ixs, signers, n.sol_ledger()->tip().blockhash);
    auto r = wait_for(n, n.submit_solana(tx));
    EXPECT_TRUE(r);
    if (r && r->err) ADD_FAILURE() << r->err->kind << " " << r->err->instruction_error << " " << r->err->custom;
    return r;
  };
  Bytes init_mint = {20, 6};  // InitializeMint2 { decimals: 6, authority: payer, freeze: None }
  init_mint.insert(init_mint.end(), payer.pubkey.begin(), payer.pubkey.end());
  init_mint.push_back(0);
  ASSERT_TRUE(send({create_account(payer.pubkey, mint.pubkey, exec::rent_exempt_minimum(82), 82, kToken),
                    {kToken, {{mint.pubkey, false, true}}, init_mint}},
                   {payer, mint}));
  auto init_account = [&](const SolKeypair& acct, const svm::Pubkey& owner) {
    Bytes d = {18};  // InitializeAccount3 { owner }
    d.insert(d.end(), owner.begin(), owner.end());
    return send({create_account(payer.pubkey, acct.pubkey, exec::rent_exempt_minimum(165), 165, kToken),
                 {kToken, {{acct.pubkey, false, true}, {mint.pubkey, false, false}}, d}},
                {payer, acct});
  };
  ASSERT_TRUE(init_account(a, payer.pubkey));
  ASSERT_TRUE(init_account(b, owner_b.pubkey));
  Bytes mint_to = {7};
  put_u64(mint_to, 1'000'000);
  ASSERT_TRUE(send({{kToken, {{mint.pubkey, false, true}, {a.pubkey, false, true}, {payer.pubkey, true, false}}, mint_to}},
                   {payer}));
  Bytes xfer = {12};  // TransferChecked { amount, decimals }
  put_u64(xfer, 250'000);
  xfer.push_back(6);
  auto r = send({{kToken,
                  {{a.pubkey, false, true}, {mint.pubkey, false, false}, {b.pubkey, false, true}, {payer.pubkey, true, false}},
                  xfer}},
                {payer});
  ASSERT_TRUE(r);
  auto amount = [&](const svm::Pubkey& k) {
    auto acct = exec::read_svm_account(n.chain().latest(), k);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | acct->data[64 + i];
    return v;
  };
  EXPECT_EQ(amount(a.pubkey), 750'000u);
  EXPECT_EQ(amount(b.pubkey), 250'000u);
  EXPECT_NE(std::find(r->logs.begin(), r->logs.end(), "Program log: Instruction: TransferChecked"), r->logs.end());
  // Solana's published cost of a TransferChecked in SPL Token 3.5.0 plus nothing else.
  EXPECT_GT(r->compute_units, 0u);
  ASSERT_EQ(r->post_token_balances.size(), 2u);
  EXPECT_EQ(r->post_token_balances[1].amount, 250'000u);
  EXPECT_EQ(r->post_token_balances[1].owner, owner_b.pubkey);
  EXPECT_EQ(r->post_token_balances[1].decimals, 6);
  EXPECT_EQ(r->pre_token_balances[1].amount, 0u);
}

TEST(SolNode, AdmittedTransactionsSurviveARestart) {
  Config cfg = sol_config("pending");
  cfg.slot_ticks_always = false;
  cfg.block_time_ms = 600'000;  // nothing is built before the "crash"
  SolKeypair alice = sol_dev_keypairs(3)[2];
  svm::Pubkey erin = sol_keypair_from_label("test-erin").pubkey;
  svm::Signature sig;
  {
    Node n(cfg);
    n.start();
    sig = n.submit_solana(make_tx({transfer(alice.pubkey, erin, 2'000'000)}, {alice}, n.sol_ledger()->tip().blockhash));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(n.chain().locate_signature(BytesView(sig.data(), 64)));
    EXPECT_EQ(n.chain().pending_records().size(), 1u);
  }  // stopped before any block included it
  cfg.fresh = false;
  cfg.block_time_ms = 5;
  Node n(cfg);
  n.start();  // re-admits it
  auto r = wait_for(n, sig);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->err);
  EXPECT_EQ(balance(n, erin), 2'000'000u);
  EXPECT_TRUE(n.chain().pending_records().empty());
}

TEST(SolNode, DurableNonceTransactionNeedsNoRecentBlockhash) {
  Node n(sol_config("nonce"));
  n.start();
  wait_slots(n, 2);  // RecentBlockhashes is empty in slot 0 (NonceNoRecentBlockhashes)
  SolKeypair payer = sol_dev_keypairs(1)[0], nonce = sol_keypair_from_label("test-nonce");
  svm::Pubkey frank = sol_keypair_from_label("test-frank").pubkey;
  const svm::Pubkey recent = key("SysvarRecentB1ockHashes11111111111111111111");
  Bytes init = {6, 0, 0, 0};  // InitializeNonceAccount(authority)
  init.insert(init.end(), payer.pubkey.begin(), payer.pubkey.end());
  auto tx = make_tx({create_account(payer.pubkey, nonce.pubkey, exec::rent_exempt_minimum(80), 80, kSystem),
                     {kSystem, {{nonce.pubkey, false, true}, {recent, false, false},
                                {key("SysvarRent111111111111111111111111111111111"), false, false}}, init}},
                    {payer, nonce}, n.sol_ledger()->tip().blockhash);
  auto r = wait_for(n, n.submit_solana(tx));
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->err) << r->err->kind << " " << r->err->instruction_error << " " << r->err->custom;
  wait_slots(n, 2);  // a nonce cannot advance in the slot that stored it
  auto stored = exec::read_svm_account(n.chain().latest(), nonce.pubkey);
  ASSERT_TRUE(stored && stored->data.size() == 80);
  svm::Hash durable;
  std::copy(stored->data.begin() + 40, stored->data.begin() + 72, durable.begin());
  EXPECT_FALSE(n.sol_ledger()->blockhash_record(durable));  // not a blockhash at all
  Ix advance{kSystem, {{nonce.pubkey, false, true}, {recent, false, false}, {payer.pubkey, true, false}}, {4, 0, 0, 0}};
  svm::Transaction durable_tx = make_tx({advance, transfer(payer.pubkey, frank, 1'000'000)}, {payer}, durable);
  r = wait_for(n, n.submit_solana(durable_tx));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->err);
  EXPECT_EQ(balance(n, frank), 1'000'000u);
  auto advanced = exec::read_svm_account(n.chain().latest(), nonce.pubkey);
  EXPECT_FALSE(std::equal(durable.begin(), durable.end(), advanced->data.begin() + 40));
  // The nonce moved on: the same transaction no longer has a valid blockhash.
  EXPECT_EQ(admission_error(n, durable_tx), svm::TransactionError::BlockhashNotFound);
}

TEST(SolNode, OneBlockCarriesBothVmsAndTheEthereumViewSeesOnlyItsOwn) {
  Config cfg = sol_config("mixed", 60'000);  // one slot for the whole test
  cfg.block_time_ms = 200;  // both transactions wait for the same block
  Node n(cfg);
  n.start();
  auto dev = derive_dev_accounts(kDevMnemonic, 1)[0];
  evm::Transaction etx;
  etx.type = 2;
  etx.chain_id = cfg.chain_id;
  etx.gas_limit = 21000;
  etx.gas_price = uint256(10'000'000'000ull);
  etx.max_priority_fee_per_gas = uint256(1);
  etx.to = *fixed_from_hex<20>("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  etx.value = uint256(5);
  evm::sign_transaction(etx, dev.secret);
  SolKeypair alice = sol_dev_keypairs(1)[0];
  svm::Transaction stx = make_tx({transfer(alice.pubkey, sol_keypair_from_label("test-gina").pubkey, 1'000'000)},
                                 {alice}, n.sol_ledger()->tip().blockhash);
  svm::Signature sig = n.submit_solana(stx);  // arrives first, ordered after the EVM one
  Hash32 eth_hash = n.submit_raw(evm::encode_transaction(etx));
  ASSERT_TRUE(wait_for(n, sig));
  for (int i = 0; i < 400 && !n.chain().locate(eth_hash); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto eloc = n.chain().locate(eth_hash);
  auto sloc = n.chain().locate_signature(BytesView(sig.data(), 64));
  ASSERT_TRUE(eloc && sloc);
  ASSERT_EQ(eloc->block, sloc->block);
  EXPECT_EQ(eloc->index, 0u);  // EVM first: its index is its Ethereum transactionIndex
  EXPECT_EQ(sloc->index, 1u);
  auto blk = n.chain().block(eloc->block);
  ASSERT_EQ(blk->txs.size(), 2u);
  EXPECT_EQ(blk->header.transactions_root, exec::ordered_root({blk->txs[0].raw}));
  EXPECT_EQ(blk->header.gas_used, 21000u);
  EXPECT_EQ(n.chain().receipts(eloc->block).size(), 1u);  // the EVM receipts only
  EXPECT_TRUE(n.chain().receipt(eloc->block, 0)->success);
  EXPECT_FALSE(n.chain().receipt(sloc->block, sloc->index));
  EXPECT_FALSE(n.chain().svm_receipt(eloc->block, 0));
  EXPECT_FALSE(n.chain().svm_receipt(sloc->block, sloc->index)->err);
  // Soft confirmation did not wait for the slot to end: still slot 0.
  EXPECT_EQ(blk->header.slot, 0u);
  EXPECT_EQ(n.sol_ledger()->tip().slot, 0u);
}

TEST(SolConfig, FlagsAndDefaults) {
  auto c = parse_dev_args({"--slot-ms", "250", "--solana-rpc-port", "9899", "--spl-dir", "/x", "--slot-ticks", "always"});
  EXPECT_EQ(c.slot_ms, 250u);
  EXPECT_EQ(c.solana_rpc_port, 9899);
  EXPECT_EQ(c.solana_ws_port, 8900);
  EXPECT_TRUE(c.solana_ports_explicit);
  EXPECT_EQ(c.spl_dir, "/x");
  EXPECT_TRUE(c.slot_ticks_always);
  auto d = parse_dev_args({});
  EXPECT_TRUE(d.solana);
  EXPECT_FALSE(d.solana_ports_explicit);
  EXPECT_FALSE(d.slot_ticks_always);
  EXPECT_EQ(d.slot_ms, 400u);
  EXPECT_FALSE(parse_dev_args({"--no-solana"}).solana);
  EXPECT_THROW(parse_dev_args({"--slot-ms", "0"}), std::invalid_argument);
  EXPECT_THROW(parse_dev_args({"--slot-ticks", "sometimes"}), std::invalid_argument);
}
