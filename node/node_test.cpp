#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.hpp"
#include "node/chain.hpp"
#include "node/config.hpp"
#include "node/dev_accounts.hpp"
#include "state/commitment.hpp"

using namespace lumio;
using namespace lumio::node;

TEST(DevAccounts, MatchAnvilAndHardhat) {
  auto accts = derive_dev_accounts(kDevMnemonic, 3);
  EXPECT_EQ(to_hex(accts[0].address), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  EXPECT_EQ(to_hex(accts[0].secret),
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  EXPECT_EQ(to_hex(accts[1].address), "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  EXPECT_EQ(to_hex(accts[2].address), "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
}

TEST(Config, FlagsAndErrors) {
  auto c = parse_dev_args({"--eth-port", "9545", "--chain-id", "42", "--fresh"});
  EXPECT_EQ(c.eth_port, 9545);
  EXPECT_EQ(c.chain_id, 42u);
  EXPECT_TRUE(c.fresh);
  EXPECT_THROW(parse_dev_args({"--bogus"}), std::invalid_argument);
  EXPECT_THROW(parse_dev_args({"--eth-port", "x"}), std::invalid_argument);
}

namespace {

std::string temp_dir(const char* name) {
  auto p = std::filesystem::temp_directory_path() / (std::string("lumio-node-test-") + name);
  std::filesystem::remove_all(p);
  return p.string();
}

exec::Block next_block(const Chain& chain) {
  exec::Block b;
  auto head = chain.head();
  b.header.number = head ? head->header.number + 1 : 0;
  if (head) b.header.parent_hash = head->header.hash();
  b.header.gas_limit = 30000000;
  return b;
}

}  // namespace

TEST(Chain, CommitReopenRollbackAndHistory) {
  std::string dir = temp_dir("chain");
  Bytes key = {1, 2, 3};
  Hash32 root1;
  {
    Chain chain(state::Store::open(dir), 100);
    EXPECT_TRUE(chain.empty());
    for (uint8_t v = 1; v <= 3; ++v) {
      state::BlockOverlay overlay(chain.latest());
      overlay.put(state::Space::Sys, key, Bytes{v});
      exec::Block b = next_block(chain);
      b.txs.push_back({exec::Vm::Evm, keccak256(Bytes{v}), Bytes{0xc0}, {}});
      exec::Receipt r;
      r.success = true;
      r.gas_used = 21000;
      chain.commit(std::move(b), {r}, overlay);
      if (v == 1) root1 = chain.head()->header.state_commitment;
    }
    EXPECT_EQ(chain.head()->header.number, 2u);
    EXPECT_NE(chain.head()->header.state_commitment, root1);
  }
  Chain chain(state::Store::open(dir), 100);  // reopen
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.head()->header.number, 2u);
  auto loc = chain.locate(keccak256(Bytes{3}));
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->block, 2u);
  EXPECT_EQ(chain.receipt(loc->block, loc->index)->gas_used, 21000u);
  EXPECT_EQ(*chain.latest().get(state::Space::Sys, key), Bytes{3});
  EXPECT_EQ(*chain.state_at(1)->get(state::Space::Sys, key), Bytes{2});
  EXPECT_EQ(*chain.state_at(0)->get(state::Space::Sys, key), Bytes{1});

  ASSERT_TRUE(chain.rollback(0));
  EXPECT_EQ(chain.head()->header.number, 0u);
  EXPECT_EQ(*chain.latest().get(state::Space::Sys, key), Bytes{1});
  EXPECT_FALSE(chain.locate(keccak256(Bytes{3})));
  EXPECT_EQ(chain.roots().global, root1);
  EXPECT_EQ(chain.head()->header.state_commitment, root1);
}

TEST(Chain, RollbackRestoresEvmStateAndCommitment) {
  std::string dir = temp_dir("rollback-evm");
  Chain chain(state::Store::open(dir), 100);
  auto commit = [&](const std::function<void(state::BlockOverlay&)>& fn) {
    state::BlockOverlay overlay(chain.latest());
    fn(overlay);
    chain.commit(next_block(chain), {}, overlay);
  };
  Address a = *fixed_from_hex<20>("0x00000000000000000000000000000000000000aa");
  Address b = *fixed_from_hex<20>("0x00000000000000000000000000000000000000bb");
  state::EvmAccount acct;
  acct.nonce = 1;
  commit([&](auto& o) {
    o.put(state::Space::EvmAccount, a.view(), acct.encode());
    o.put(state::Space::EvmStorage, state::evm_storage_key(a, Hash32{}), Bytes{7});
  });
  auto base = chain.head()->header;
  commit([&](auto& o) {  // change a's storage, create b with storage, add a slot to a
    o.put(state::Space::EvmStorage, state::evm_storage_key(a, Hash32{}), Bytes{8});
    Hash32 one;
    one.bytes[31] = 1;
    o.put(state::Space::EvmStorage, state::evm_storage_key(a, one), Bytes{9});
    o.put(state::Space::EvmAccount, b.view(), acct.encode());
    o.put(state::Space::EvmStorage, state::evm_storage_key(b, one), Bytes{1});
  });
  commit([&](auto& o) { o.erase(state::Space::EvmAccount, a.view()); });
  EXPECT_NE(chain.roots().evm, base.evm_state_root);
  ASSERT_TRUE(chain.rollback(base.number));
  EXPECT_EQ(chain.roots().evm, base.evm_state_root);
  EXPECT_EQ(chain.roots().global, base.state_commitment);
  EXPECT_EQ(*chain.latest().get(state::Space::EvmStorage, state::evm_storage_key(a, Hash32{})),
            Bytes{7});
  EXPECT_FALSE(chain.latest().get(state::Space::EvmAccount, b.view()));
  // The next block builds on the restored trie as if the abandoned blocks never happened.
  commit([&](auto& o) { o.put(state::Space::EvmAccount, b.view(), acct.encode()); });
  state::Commitment fresh(chain.store());
  EXPECT_EQ(fresh.recompute().evm, chain.roots().evm);
}

#include "node/node.hpp"

TEST(Node, AdmittedTransactionsSurviveARestart) {
  Config cfg;
  cfg.data_dir = temp_dir("pending");
  cfg.block_time_ms = 600'000;  // nothing is mined before the "crash"
  cfg.solana = false;            // Ethereum only: no program images needed (sol_node_test)
  auto dev = derive_dev_accounts(kDevMnemonic, 1)[0];
  evm::Transaction tx;
  tx.type = 2;
  tx.chain_id = cfg.chain_id;
  tx.gas_limit = 21000;
  tx.gas_price = uint256(10'000'000'000ull);
  tx.max_priority_fee_per_gas = uint256(1);
  tx.to = *fixed_from_hex<20>("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  tx.value = uint256(5);
  evm::sign_transaction(tx, dev.secret);
  Hash32 hash;
  {
    Node node(cfg);
    node.start();
    hash = node.submit_raw(evm::encode_transaction(tx));
    EXPECT_EQ(node.chain().head()->header.number, 0u);
    EXPECT_FALSE(node.chain().locate(hash));
  }  // stopped without mining it
  cfg.block_time_ms = 5;
  Node node(cfg);
  node.start();  // re-admits the transaction
  for (int i = 0; i < 400 && !node.chain().locate(hash); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(node.chain().locate(hash));
  EXPECT_TRUE(node.chain().receipt(node.chain().locate(hash)->block, 0)->success);
  EXPECT_TRUE(node.chain().pending_records().empty());  // settled with its block
}
