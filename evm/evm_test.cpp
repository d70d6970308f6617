#include "evm/evm.hpp"
#include "evm/tracers.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace lumio;
using namespace lumio::evm;

namespace {

struct Backend : StateBackend {
  std::map<Address, AccountInfo> accounts;
  std::map<std::pair<Address, uint256>, uint256,
           decltype([](const auto& a, const auto& b) {
             return a.first != b.first ? a.first < b.first : a.second < b.second;
           })> slots;
  std::map<Hash32, Bytes> codes;
  int account_reads = 0;

  std::optional<AccountInfo> account(const Address& a) override {
    ++account_reads;
    auto it = accounts.find(a);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  uint256 storage(const Address& a, const uint256& k) override {
    auto it = slots.find({a, k});
    return it == slots.end() ? uint256() : it->second;
  }
  Bytes code(const Hash32& h) override { return codes.count(h) ? codes[h] : Bytes(); }

  void apply(const StateDiff& d) {
    for (auto& [h, c] : d.codes) codes[h] = c;
    for (auto& a : d.accounts) {
      if (a.deleted) {
        accounts.erase(a.address);
        continue;
      }
      accounts[a.address] = a.info;
      for (auto& [k, v] : a.storage) slots[{a.address, k}] = v;
    }
  }
  void put_code(const Address& a, Bytes code) {
    Hash32 h = keccak256(code);
    codes[h] = code;
    accounts[a] = AccountInfo{1, 0, h};
  }
};

Address addr(uint8_t b) {
  Address a;
  a.bytes[0] = 0xaa;
  a.bytes[19] = b;
  return a;
}

const uint256 kEther = uint256(1000000000000000000ull);

struct Fixture : ::testing::Test {
  Backend backend;
  BlockEnv env;
  Address sender = addr(1);
  Fixture() {
    env.number = 10;
    env.base_fee = 7;
    env.coinbase = addr(0xcb);
    backend.accounts[sender] = AccountInfo{0, kEther, kEmptyKeccak};
  }
  Transaction tx_to(const Address& to, Bytes data = {}, uint64_t gas = 100000) {
    Transaction tx;
    tx.type = 2;
    tx.chain_id = 1;
    tx.nonce = 0;
    tx.gas_price = 10;
    tx.max_priority_fee_per_gas = 2;
    tx.gas_limit = gas;
    tx.to = to;
    tx.data = std::move(data);
    return tx;
  }
};

TEST_F(Fixture, SimpleTransferChargesFeesAndPaysTip) {
  State state(backend);
  Transaction tx = tx_to(addr(2));
  tx.value = 1000;
  auto r = execute_transaction(state, env, tx, sender);
  ASSERT_FALSE(r.invalid) << *r.invalid;
  EXPECT_EQ(r.status, Status::Success);
  EXPECT_EQ(r.gas_used, 21000u);
  EXPECT_EQ(state.balance(addr(2)), uint256(1000));
  EXPECT_EQ(state.balance(sender), kEther - uint256(1000) - uint256(21000 * 9));  // 7 base + 2 tip
  EXPECT_EQ(state.balance(env.coinbase), uint256(21000 * 2));
  EXPECT_EQ(state.nonce(sender), 1u);
  auto diff = state.take_diff();
  backend.apply(diff);
  EXPECT_EQ(backend.accounts[addr(2)].balance, uint256(1000));
  EXPECT_EQ(backend.accounts[sender].nonce, 1u);
}

TEST_F(Fixture, InvalidTransactionsLeaveStateUntouched) {
  State state(backend);
  Transaction tx = tx_to(addr(2));
  tx.nonce = 3;
  auto r = execute_transaction(state, env, tx, sender);
  ASSERT_TRUE(r.invalid);
  EXPECT_EQ(r.invalid->rfind("nonce too high: address 0x", 0), 0u) << *r.invalid;
  tx.nonce = 0;
  tx.gas_limit = 20000;
  r = execute_transaction(state, env, tx, sender);
  ASSERT_TRUE(r.invalid);
  EXPECT_EQ(*r.invalid, "intrinsic gas too low: have 20000, want 21000");
  tx.gas_limit = 21000;
  tx.value = kEther;
  r = execute_transaction(state, env, tx, sender);
  ASSERT_TRUE(r.invalid);
  EXPECT_EQ(r.invalid->rfind("insufficient funds for gas * price + value", 0), 0u);
  tx.value = 0;
  tx.gas_price = 5;
  tx.max_priority_fee_per_gas = 1;
  r = execute_transaction(state, env, tx, sender);
  ASSERT_TRUE(r.invalid);
  EXPECT_EQ(r.invalid->rfind("max fee per gas less than block base fee", 0), 0u);
  EXPECT_TRUE(state.take_diff().accounts.empty());
}

// SSTORE 1 then 0 in one tx: 20000 charged, 19900 refunded (capped at gas_used / 5).
TEST_F(Fixture, SstoreRefundCapped) {
  Address c = addr(3);
  // PUSH1 1 PUSH1 0 SSTORE PUSH1 0 PUSH1 0 SSTORE STOP
  backend.put_code(c, {0x60, 0x01, 0x60, 0x00, 0x55, 0x60, 0x00, 0x60, 0x00, 0x55, 0x00});
  State state(backend);
  auto r = execute_transaction(state, env, tx_to(c), sender);
  ASSERT_FALSE(r.invalid);
  EXPECT_EQ(r.status, Status::Success);
  // 21000 + 4*3 + (2100 + 20000) + 100 = 43212; refund min(19900, 43212/5 = 8642).
  EXPECT_EQ(r.gas_used, 43212u - 8642u);
  EXPECT_EQ(state.storage(c, 0), uint256(0));
}

TEST_F(Fixture, RevertUndoesStorageAndLogsButKeepsGasAccounting) {
  Address c = addr(4);
  // PUSH1 7 PUSH1 0 SSTORE  LOG0(0,0)  PUSH1 0 PUSH1 0 REVERT
  backend.put_code(c, {0x60, 0x07, 0x60, 0x00, 0x55, 0x60, 0x00, 0x60, 0x00, 0xa0, 0x60, 0x00,
                       0x60, 0x00, 0xfd});
  State state(backend);
  auto r = execute_transaction(state, env, tx_to(c), sender);
  ASSERT_FALSE(r.invalid);
  EXPECT_EQ(r.status, Status::Revert);
  EXPECT_TRUE(r.logs.empty());
  EXPECT_EQ(state.storage(c, 0), uint256(0));
  EXPECT_EQ(state.nonce(sender), 1u);
  EXPECT_GT(r.gas_used, 21000u + 22100u);
  EXPECT_LT(r.gas_used, 100000u);
}

TEST_F(Fixture, OriginalValueIsPerTransactionAcrossOneState) {
  Address c = addr(5);
  // PUSH1 1 PUSH1 0 SLOAD ADD PUSH1 0 SSTORE STOP : slot0 += 1
  backend.put_code(c, {0x60, 0x01, 0x60, 0x00, 0x54, 0x01, 0x60, 0x00, 0x55, 0x00});
  State state(backend);
  auto r1 = execute_transaction(state, env, tx_to(c), sender);
  Transaction tx2 = tx_to(c);
  tx2.nonce = 1;
  auto r2 = execute_transaction(state, env, tx2, sender);
  ASSERT_FALSE(r1.invalid);
  ASSERT_FALSE(r2.invalid);
  // First: 0 -> 1 costs 20000; second: 1 -> 2 costs 2900 (original is 1 at tx start).
  EXPECT_EQ(r1.gas_used - r2.gas_used, 20000u - 2900u);
  auto diff = state.take_diff();
  backend.apply(diff);
  EXPECT_EQ((backend.slots[{c, uint256(0)}]), uint256(2));
}

TEST_F(Fixture, CreateThenSelfdestructInLaterTxKeepsAccount) {
  State state(backend);
  // initcode: returns runtime 0x33ff (CALLER SELFDESTRUCT)
  // PUSH2 0x33ff PUSH1 0 MSTORE PUSH1 2 PUSH1 30 RETURN
  Bytes init = {0x61, 0x33, 0xff, 0x60, 0x00, 0x52, 0x60, 0x02, 0x60, 0x1e, 0xf3};
  Transaction tx = tx_to(addr(0), init, 200000);
  tx.to.reset();
  auto r = execute_transaction(state, env, tx, sender);
  ASSERT_FALSE(r.invalid) << *r.invalid;
  ASSERT_EQ(r.status, Status::Success);
  ASSERT_TRUE(r.created);
  EXPECT_EQ(*r.created, create_address(sender, 0));
  EXPECT_EQ(state.code(*r.created), Bytes({0x33, 0xff}));
  // A later tx calling it: EIP-6780 keeps the account (created in an earlier tx).
  Transaction tx2 = tx_to(*r.created);
  tx2.nonce = 1;
  auto r2 = execute_transaction(state, env, tx2, sender);
  ASSERT_FALSE(r2.invalid);
  EXPECT_EQ(r2.status, Status::Success);
  EXPECT_TRUE(state.exists(*r.created));
  EXPECT_EQ(state.code(*r.created).size(), 2u);
}

TEST_F(Fixture, StackUnderflowConsumesAllGas) {
  Address c = addr(6);
  backend.put_code(c, {0x01});  // ADD on an empty stack
  State state(backend);
  auto r = execute_transaction(state, env, tx_to(c), sender);
  ASSERT_FALSE(r.invalid);
  EXPECT_EQ(r.status, Status::StackUnderflow);
  EXPECT_EQ(r.gas_used, 100000u);  // all gas consumed
}

TEST_F(Fixture, EthCallDoesNotChargeFees) {
  Address c = addr(7);
  // PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
  backend.put_code(c, {0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3});
  State state(backend);
  CallParams p;
  p.from = addr(9);  // no balance needed
  p.to = c;
  p.gas = 50000;
  auto r = call(state, env, p);
  ASSERT_FALSE(r.invalid);
  ASSERT_EQ(r.status, Status::Success);
  ASSERT_EQ(r.output.size(), 32u);
  EXPECT_EQ(r.output[31], 42);
  EXPECT_EQ(r.gas_used, 21000u + 4 * 3 + 3 + 3);  // 4 PUSH1, MSTORE, 1 word of memory
  State fresh(backend);
  p.gas = UINT64_MAX;  // unbounded RPC gas must not wrap into negative gas
  auto big = call(fresh, env, p);
  ASSERT_FALSE(big.invalid);
  EXPECT_EQ(big.status, Status::Success);
  EXPECT_EQ(big.gas_used, r.gas_used);
}

TEST(Evm, BlobBaseFee) {
  EXPECT_EQ(blob_base_fee_from_excess(0), uint256(1));
  // EIP-4844 reference values of fake_exponential(1, x, 3338477).
  EXPECT_EQ(blob_base_fee_from_excess(3338477), uint256(2));
  EXPECT_EQ(blob_base_fee_from_excess(10 * 3338477ull), uint256(22026));
}

}  // namespace

namespace {

TEST_F(Fixture, StructLoggerRecordsStepsCostsAndStorage) {
  Address c = addr(8);
  // PUSH1 5 PUSH1 1 SSTORE PUSH1 1 SLOAD STOP
  backend.put_code(c, {0x60, 0x05, 0x60, 0x01, 0x55, 0x60, 0x01, 0x54, 0x00});
  State state(backend);
  StructLogger logger;
  auto r = execute_transaction(state, env, tx_to(c), sender, &logger);
  ASSERT_FALSE(r.invalid);
  const auto& e = logger.entries();
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(op_name(e[2].op), "SSTORE");
  EXPECT_EQ(e[2].gas_cost, 22100u);  // cold slot, 0 -> 5
  EXPECT_EQ(e[2].stack.size(), 2u);
  ASSERT_TRUE(e[2].storage);
  EXPECT_EQ(e[2].storage->at(uint256(1).to_be()), uint256(5).to_be());
  EXPECT_EQ(op_name(e[4].op), "SLOAD");
  EXPECT_EQ(e[4].gas_cost, 100u);
  EXPECT_EQ(e[0].gas, 100000u - 21000u);
  EXPECT_EQ(e[1].gas, e[0].gas - 3);
  EXPECT_EQ(e[0].depth, 1);
  EXPECT_EQ(logger.gas_used(), r.gas_used);
  EXPECT_FALSE(logger.failed());
  EXPECT_EQ(op_name(0xef), "opcode 0xef not defined");
}

TEST_F(Fixture, CallTracerBuildsTreeWithRevertReason) {
  Address inner = addr(10), outer = addr(11);
  // inner: revert with Error("no") — store the ABI encoding in memory and REVERT(0, 100).
  Bytes err = {0x08, 0xc3, 0x79, 0xa0};
  Bytes word(32, 0);
  word[31] = 0x20;
  err.insert(err.end(), word.begin(), word.end());
  word[31] = 2;
  err.insert(err.end(), word.begin(), word.end());
  Bytes s(32, 0);
  s[0] = 'n';
  s[1] = 'o';
  err.insert(err.end(), s.begin(), s.end());
  Bytes code;
  for (size_t i = 0; i < err.size(); ++i) {  // PUSH1 b PUSH1 i MSTORE8
    code.insert(code.end(), {0x60, err[i], 0x60, uint8_t(i), 0x53});
  }
  code.insert(code.end(), {0x60, uint8_t(err.size()), 0x60, 0x00, 0xfd});
  backend.put_code(inner, code);
  // outer: CALL(gas, inner, 0, 0, 0, 0, 0) then STOP
  Bytes oc = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73};
  oc.insert(oc.end(), inner.bytes.begin(), inner.bytes.end());
  oc.insert(oc.end(), {0x5a, 0xf1, 0x00});
  backend.put_code(outer, oc);
  State state(backend);
  CallTracer tracer;
  auto r = execute_transaction(state, env, tx_to(outer, {}, 200000), sender, &tracer);
  ASSERT_FALSE(r.invalid);
  EXPECT_EQ(r.status, Status::Success);
  const auto& root = tracer.result();
  EXPECT_EQ(root.kind, CallKind::Call);
  EXPECT_EQ(root.gas, 200000u);
  EXPECT_EQ(root.gas_used, r.gas_used);
  EXPECT_FALSE(root.error);
  ASSERT_EQ(root.calls.size(), 1u);
  const auto& sub = root.calls[0];
  EXPECT_EQ(sub.to, inner);
  EXPECT_EQ(sub.from, outer);
  EXPECT_EQ(sub.error, std::string("execution reverted"));
  EXPECT_EQ(sub.revert_reason, std::string("no"));
  EXPECT_EQ(sub.output, err);
  EXPECT_GT(sub.gas_used, 0u);
}

}  // namespace

namespace {

// The node may keep one State for a whole block or apply each transaction's diff before the
// next; both must give the same state and the same gas.
TEST(EvmBlock, OneStatePerBlockEqualsDiffPerTx) {
  Address sender = addr(1), empty_acc = addr(0xee), coinbase = addr(0xcb);
  auto make_backend = [&] {
    Backend b;
    b.accounts[sender] = AccountInfo{0, kEther, kEmptyKeccak};
    b.accounts[empty_acc] = AccountInfo{};  // empty pre-state account, removed when touched
    return b;
  };
  const Bytes runtime = {0x60, 0x01, 0x60, 0x00, 0x54, 0x01, 0x60, 0x00, 0x55, 0x00};
  Bytes init = {0x60, 0x01, 0x60, 0x00, 0x55, 0x60, 0x0a, 0x60, 0x11, 0x60, 0x00, 0x39,
                0x60, 0x0a, 0x60, 0x00, 0xf3};
  init.insert(init.end(), runtime.begin(), runtime.end());
  const Address x = create_address(sender, 0);
  std::vector<Transaction> txs;
  auto add = [&](std::optional<Address> to, Bytes data) {
    Transaction tx;
    tx.type = 2;
    tx.chain_id = 1;
    tx.nonce = txs.size();
    tx.gas_price = 10;
    tx.max_priority_fee_per_gas = 1;
    tx.gas_limit = 300000;
    tx.to = to;
    tx.data = std::move(data);
    txs.push_back(std::move(tx));
  };
  add(std::nullopt, init);        // deploy X (slot0 = 1)
  add(x, {});                     // slot0 1 -> 2
  add(x, {});                     // slot0 2 -> 3 (original 2)
  add(empty_acc, {});             // touches an empty account: deleted
  add(std::nullopt, {0x33, 0xff});  // created and self-destructed in one tx: never stored
  BlockEnv env;
  env.base_fee = 7;
  env.coinbase = coinbase;

  Backend one = make_backend();
  std::vector<uint64_t> gas_one;
  {
    State st(one);
    for (auto& tx : txs) {
      auto r = execute_transaction(st, env, tx, sender);
      ASSERT_FALSE(r.invalid) << *r.invalid;
      ASSERT_EQ(r.status, Status::Success);
      gas_one.push_back(r.gas_used);
    }
    one.apply(st.take_diff());
  }
  Backend per = make_backend();
  std::vector<uint64_t> gas_per;
  for (auto& tx : txs) {
    State st(per);
    auto r = execute_transaction(st, env, tx, sender);
    ASSERT_FALSE(r.invalid);
    gas_per.push_back(r.gas_used);
    per.apply(st.take_diff());
  }
  EXPECT_EQ(gas_one, gas_per);
  EXPECT_EQ(gas_one[1] - gas_one[2], 0u);  // both are dirty-free 2900 resets
  for (Backend* b : {&one, &per}) {
    EXPECT_EQ((b->slots[{x, uint256(0)}]), uint256(3));
    EXPECT_EQ(b->codes[b->accounts[x].code_hash], runtime);
    EXPECT_EQ(b->accounts[x].nonce, 1u);
    EXPECT_FALSE(b->accounts.count(empty_acc));
    EXPECT_FALSE(b->accounts.count(create_address(sender, 4)));
    EXPECT_EQ(b->accounts[sender].nonce, 5u);
  }
  EXPECT_EQ(one.accounts[sender].balance, per.accounts[sender].balance);
  EXPECT_EQ(one.accounts[coinbase].balance, per.accounts[coinbase].balance);
  EXPECT_EQ(one.accounts.size(), per.accounts.size());
}

}  // namespace
