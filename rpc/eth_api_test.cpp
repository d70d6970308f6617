// The eth namespace over real HTTP/WS sockets, against a small in-memory chain that stands in
// for the node (the real backend is wired in node/).
#include "rpc/eth_api.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <mutex>
#include <thread>

#include "common/hash.hpp"
#include "rpc/test_client.hpp"

using namespace lumio;
using namespace lumio::rpc;
using namespace lumio::rpc::testing;
using namespace std::chrono_literals;

namespace {

Address addr(uint8_t b) {
  Address a;
  a.bytes.fill(b);
  return a;
}
Hash32 h32(uint8_t b) {
  Hash32 h;
  h.bytes.fill(b);
  return h;
}
// ABI Error(string) revert data.
Bytes error_string(const std::string& s) {
  Bytes d = {0x08, 0xc3, 0x79, 0xa0};
  Bytes w(32, 0);
  w[31] = 0x20;
  append(d, w);
  Bytes len(32, 0);
  len[31] = uint8_t(s.size());
  append(d, len);
  Bytes body(32, 0);
  std::copy(s.begin(), s.end(), body.begin());
  append(d, body);
  return d;
}

// A chain in memory. "Sending" a transaction mines it at once into a new block with one log.
struct FakeChain : EthBackend {
  std::mutex mu;
  EthApi* api = nullptr;
  std::vector<EthBlock> blocks;  // full transactions
  std::map<Hash32, EthReceipt> receipts;
  std::map<Address, uint256> balances;
  std::map<Address, uint64_t> nonces;
  std::map<Address, Bytes> codes;
  std::map<std::pair<Address, Hash32>, Hash32> storage_;
  std::vector<std::map<Address, uint256>> snapshots;
  std::set<Address> impersonated;
  uint64_t time_offset = 0;
  json last_trace_config;

  FakeChain() {
    EthBlock g;
    g.hash = h32(0xa0);
    g.gas_limit = 30'000'000;
    g.base_fee_per_gas = uint256(1'000'000'000);
    g.timestamp = 1'700'000'000;
    g.withdrawals_root = kEmptyTrieRoot;
    blocks.push_back(g);
    balances[addr(0x11)] = uint256(1'000'000'000'000'000'000ull);
  }

  // Mines `txs` into a new block; returns it and its logs.
  std::pair<EthBlock, std::vector<EthLog>> mine_block(std::vector<EthTx> txs) {
    std::lock_guard lock(mu);
    EthBlock b;
    b.number = blocks.size();
    b.hash = keccak256(be_trimmed(b.number + 1000));
    b.parent_hash = blocks.back().hash;
    b.gas_limit = 30'000'000;
    b.base_fee_per_gas = uint256(1'000'000'000);
    b.timestamp = blocks.back().timestamp + 1 + time_offset;
    b.withdrawals_root = kEmptyTrieRoot;
    std::vector<EthLog> logs;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < txs.size(); ++i) {
      EthTx& t = txs[i];
      EthReceipt r;
      r.type = t.type;
      r.tx_hash = t.hash;
      r.tx_index = i;
      r.block_hash = b.hash;
      r.block_number = b.number;
      r.from = t.from;
      r.to = t.to;
      r.gas_used = 21000;
      cumulative += r.gas_used;
      r.cumulative_gas_used = cumulative;
      r.effective_gas_price = uint256(1'000'000'000) + uint256(2);
      EthLog l;
      l.address = t.to.value_or(addr(0xcc));
      l.topics = {h32(0x01), h32(uint8_t(0x10 + b.number))};
      l.data = {1, 2, 3};
      l.block_number = b.number;
      l.block_hash = b.hash;
      l.block_timestamp = b.timestamp;
      l.tx_hash = t.hash;
      l.tx_index = i;
      l.log_index = logs.size();
      logs.push_back(l);
      r.logs = {l};
      receipts[t.hash] = r;
      nonces[t.from] = t.nonce + 1;
    }
    b.gas_used = cumulative;
    b.transactions = txs;
    blocks.push_back(b);
    return {b, logs};
  }
  void mine_and_notify(std::vector<EthTx> txs) {
    auto [b, logs] = mine_block(std::move(txs));
    if (api) api->notify_new_block(b, logs);
  }

  uint64_t chain_id() override { return 1337; }
  uint64_t block_number() override {
    std::lock_guard lock(mu);
    return blocks.size() - 1;
  }
  std::optional<EthBlock> block_by_number(uint64_t n, bool) override {
    std::lock_guard lock(mu);
    if (n >= blocks.size()) return std::nullopt;
    return blocks[n];
  }
  std::optional<EthBlock> block_by_hash(const Hash32& h, bool) override {
    std::lock_guard lock(mu);
    for (auto& b : blocks)
      if (b.hash == h) return b;
    return std::nullopt;
  }
  std::optional<EthTx> transaction_by_hash(const Hash32& h) override {
    std::lock_guard lock(mu);
    for (auto& b : blocks)
      for (size_t i = 0; i < b.transactions.size(); ++i)
        if (b.transactions[i].hash == h) {
          EthTx t = b.transactions[i];
          t.block_number = b.number;
          t.block_hash = b.hash;
          t.index = i;
          t.block_base_fee = b.base_fee_per_gas;
          return t;
        }
    return std::nullopt;
  }
  std::optional<EthReceipt> receipt(const Hash32& h) override {
    std::lock_guard lock(mu);
    auto it = receipts.find(h);
    if (it == receipts.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::vector<EthReceipt>> block_receipts(uint64_t n) override {
    std::lock_guard lock(mu);
    if (n >= blocks.size()) return std::nullopt;
    std::vector<EthReceipt> out;
    for (auto& t : blocks[n].transactions) out.push_back(receipts[t.hash]);
    return out;
  }
  std::vector<EthLog> logs(uint64_t from, uint64_t to, const LogFilter&) override {
    std::lock_guard lock(mu);
    std::vector<EthLog> out;  // deliberately unfiltered: the RPC layer must filter
    for (uint64_t n = from; n <= to && n < blocks.size(); ++n)
      for (auto& t : blocks[n].transactions)
        for (auto& l : receipts[t.hash].logs) out.push_back(l);
    return out;
  }
  uint256 balance(const Address& a, StateRef) override {
    std::lock_guard lock(mu);
    return balances.count(a) ? balances[a] : uint256(0);
  }
  uint64_t nonce(const Address& a, StateRef at) override {
    std::lock_guard lock(mu);
    return (nonces.count(a) ? nonces[a] : 0) + (at.pending ? 100 : 0);  // pending marker
  }
  Bytes code(const Address& a, StateRef) override {
    std::lock_guard lock(mu);
    return codes.count(a) ? codes[a] : Bytes{};
  }
  Hash32 storage(const Address& a, const Hash32& slot, StateRef) override {
    std::lock_guard lock(mu);
    auto it = storage_.find({a, slot});
    return it == storage_.end() ? Hash32{} : it->second;
  }
  CallResult call(const CallRequest& req, StateRef at, const StateOverrides& so,
                  const BlockOverrides& bo) override {
    CallResult r;
    Bytes in = req.input.value_or(Bytes{});
    if (in.size() >= 1 && in[0] == 0xee) {
      r.status = CallResult::Status::kRevert;
      r.output = error_string("nope");
    } else if (in.size() >= 1 && in[0] == 0xef) {
      r.status = CallResult::Status::kRevert;
      r.output = {0x4e, 0x48, 0x7b, 0x71};
      Bytes w(32, 0);
      w[31] = 1;
      append(r.output, w);
    } else if (in.size() >= 1 && in[0] == 0xfe) {
      r.status = CallResult::Status::kError;
      r.error = "out of gas";
    } else {
      // Returns the overridden code of `to` if any, else the block number it ran at.
      for (auto& [a, o] : so)
        if (req.to && a == *req.to && o.code) r.output = *o.code;
      if (r.output.empty()) r.output = be_trimmed(bo.number.value_or(at.number) + 0x100);
    }
    r.gas_used = 21000 + in.size();
    return r;
  }
  CallResult estimate_gas(const CallRequest& req, StateRef at, const StateOverrides& so) override {
    return call(req, at, so, {});
  }
  uint256 gas_price() override { return uint256(1'000'000'002); }
  uint256 max_priority_fee_per_gas() override { return uint256(2); }
  uint256 next_base_fee() override { return uint256(875'000'000); }
  Hash32 send_raw_transaction(BytesView raw) override {
    if (raw[0] == 0xff) throw RpcError(code::kServer, "nonce too low");
    EthTx t;
    t.type = 2;
    t.hash = keccak256(raw);
    t.from = addr(0x11);
    t.to = addr(0x22);
    t.nonce = nonce(t.from, {});
    t.gas = 21000;
    t.value = uint256(5);
    t.max_fee_per_gas = uint256(3'000'000'000ull);
    t.max_priority_fee_per_gas = uint256(2);
    t.chain_id = 1337;
    t.v = uint256(1);
    t.r = uint256(0xabc);
    t.s = uint256(0xdef);
    if (api) api->notify_pending_transaction(t);
    mine_and_notify({t});
    return t.hash;
  }
  Hash32 send_transaction(const CallRequest& req) override {
    if (!req.from || (*req.from != addr(0x11) && !impersonated.count(*req.from)))
      throw RpcError(code::kServer, "unknown account");
    EthTx t;
    t.type = 0;
    t.hash = keccak256(be_trimmed(blocks.size() + 777));
    t.from = *req.from;
    t.to = req.to;
    t.gas_price = uint256(7);
    t.chain_id = 1337;
    t.v = uint256(1337 * 2 + 35);
    mine_and_notify({t});
    return t.hash;
  }
  std::vector<Address> accounts() override { return {addr(0x11)}; }
  Hash32 last_digest;
  Bytes sign_hash(const Address& who, const Hash32& digest) override {
    if (who != addr(0x11)) throw RpcError(code::kServer, "unknown account");
    last_digest = digest;
    Bytes sig(64, 0xab);
    sig.push_back(27);
    return sig;
  }
  json trace_transaction(const Hash32& h, const json& cfg) override {
    last_trace_config = cfg;
    if (!receipt(h)) throw RpcError(code::kServer, "transaction " + to_hex(h) + " not found");
    return {{"type", "CALL"}, {"gasUsed", "0x5208"}};
  }
  uint64_t snapshot() override {
    std::lock_guard lock(mu);
    snapshots.push_back(balances);
    return snapshots.size();
  }
  bool revert(uint64_t id) override {
    std::lock_guard lock(mu);
    if (id == 0 || id > snapshots.size()) return false;
    balances = snapshots[id - 1];
    snapshots.resize(id - 1);
    return true;
  }
  void mine(uint64_t n, std::optional<uint64_t>, uint64_t) override {
    for (uint64_t i = 0; i < n; ++i) mine_and_notify({});
  }
  uint64_t increase_time(uint64_t s) override { return time_offset += s; }
  void set_next_block_timestamp(uint64_t) override {}
  void set_balance(const Address& a, const uint256& v) override {
    std::lock_guard lock(mu);
    balances[a] = v;
  }
  void set_code(const Address& a, const Bytes& c) override {
    std::lock_guard lock(mu);
    codes[a] = c;
  }
  void set_nonce(const Address& a, uint64_t n) override {
    std::lock_guard lock(mu);
    nonces[a] = n;
  }
  void set_storage_at(const Address& a, const Hash32& s, const Hash32& v) override {
    std::lock_guard lock(mu);
    storage_[{a, s}] = v;
  }
  void impersonate(const Address& a, bool on) override {
    if (on) impersonated.insert(a);
    else impersonated.erase(a);
  }
};

struct Eth : ::testing::Test {
  void SetUp() override { start({}); }
  void start(EthApiOptions o) {
    api.reset();
    server.reset();
    ServerOptions so;
    so.port = 0;
    server = std::make_unique<Server>(so);
    api = std::make_unique<EthApi>(*server, chain, o);
    chain.api = api.get();
    server->start();
    http = std::make_unique<HttpClient>(server->port());
  }
  void TearDown() override {
    http.reset();
    server.reset();
    chain.api = nullptr;
    api.reset();
  }
  json rpc(const std::string& method, json params = json::array()) {
    json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
    auto res = http->post(req.dump());
    EXPECT_EQ(res.result_int(), 200);
    return json::parse(res.body());
  }
  json ok(const std::string& method, json params = json::array()) {
    json r = rpc(method, params);
    EXPECT_FALSE(r.contains("error")) << method << " " << r.dump();
    return r["result"];
  }
  json err(const std::string& method, json params = json::array()) {
    json r = rpc(method, params);
    EXPECT_TRUE(r.contains("error")) << method << " " << r.dump();
    return r["error"];
  }
  Hash32 send_raw(uint8_t b = 0x02) { return *fixed_from_hex<32>(ok("eth_sendRawTransaction", {to_hex(Bytes{b, 1, 2})}).get<std::string>()); }

  FakeChain chain;
  std::unique_ptr<Server> server;
  std::unique_ptr<EthApi> api;
  std::unique_ptr<HttpClient> http;
};

std::string qty_for_test(uint64_t n) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)n);
  return b;
}

const std::string A11 = "0x1111111111111111111111111111111111111111";
const std::string A22 = "0x2222222222222222222222222222222222222222";

TEST_F(Eth, SimpleMethods) {
  EXPECT_EQ(ok("eth_chainId"), "0x539");
  EXPECT_EQ(ok("net_version"), "1337");
  EXPECT_EQ(ok("net_listening"), true);
  EXPECT_EQ(ok("net_peerCount"), "0x0");
  EXPECT_EQ(ok("web3_clientVersion"), "Lumio/v0.1.0");
  EXPECT_EQ(ok("web3_sha3", {"0x68656c6c6f20776f726c64"}),
            "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
  EXPECT_EQ(ok("eth_blockNumber"), "0x0");
  EXPECT_EQ(ok("eth_syncing"), false);
  EXPECT_EQ(ok("eth_mining"), false);
  EXPECT_EQ(ok("eth_hashrate"), "0x0");
  EXPECT_EQ(ok("eth_coinbase"), "0x0000000000000000000000000000000000000000");
  EXPECT_EQ(ok("eth_accounts"), json::array({A11}));
  EXPECT_EQ(ok("eth_gasPrice"), "0x3b9aca02");
  EXPECT_EQ(ok("eth_maxPriorityFeePerGas"), "0x2");
  auto e = err("eth_chainId", {1});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "too many arguments, want at most 0");
  e = err("eth_getBalance", json::object());
  EXPECT_EQ(e["message"], "non-array args");
}

TEST_F(Eth, StateReadsAndParamErrors) {
  EXPECT_EQ(ok("eth_getBalance", {A11, "latest"}), "0xde0b6b3a7640000");
  EXPECT_EQ(ok("eth_getBalance", {A22, "latest"}), "0x0");
  EXPECT_EQ(ok("eth_getBalance", {A11}), "0xde0b6b3a7640000");
  EXPECT_EQ(ok("eth_getTransactionCount", {A11, "latest"}), "0x0");
  EXPECT_EQ(ok("eth_getTransactionCount", {A11, "pending"}), "0x64");
  EXPECT_EQ(ok("eth_getCode", {A22, "latest"}), "0x");
  EXPECT_EQ(ok("eth_getStorageAt", {A22, "0x0", "latest"}),
            "0x0000000000000000000000000000000000000000000000000000000000000000");
  for (auto tag : {"earliest", "safe", "finalized", "0x0"})
    EXPECT_EQ(ok("eth_getBalance", {A11, tag}), "0xde0b6b3a7640000") << tag;

  auto e = err("eth_getBalance", {"0x11111111111111111111111111111111111111", "latest"});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "invalid argument 0: hex string has length 38, want 40 for common.Address");
  e = err("eth_getBalance", {"1111111111111111111111111111111111111111", "latest"});
  EXPECT_EQ(e["message"],
            "invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go value "
            "of type common.Address");
  e = err("eth_getBalance", {5, "latest"});
  EXPECT_EQ(e["message"],
            "invalid argument 0: json: cannot unmarshal non-string into Go value of type common.Address");
  e = err("eth_getBalance", {A11, "0x01"});
  EXPECT_EQ(e["message"], "invalid argument 1: hex number with leading zero digits");
  e = err("eth_getBalance", {A11, "bogus"});
  EXPECT_EQ(e["message"], "invalid argument 1: hex string without 0x prefix");
  e = err("eth_getBalance", {A11, "0x10"});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "header not found");
  e = err("eth_getBalance");
  EXPECT_EQ(e["message"], "missing value for required argument 0");

  // EIP-1898
  std::string g = to_hex(h32(0xa0));
  EXPECT_EQ(ok("eth_getBalance", {A11, {{"blockHash", g}}}), "0xde0b6b3a7640000");
  EXPECT_EQ(ok("eth_getBalance", {A11, {{"blockHash", g}, {"requireCanonical", true}}}),
            "0xde0b6b3a7640000");
  EXPECT_EQ(ok("eth_getBalance", {A11, {{"blockNumber", "0x0"}}}), "0xde0b6b3a7640000");
  e = err("eth_getBalance", {A11, {{"blockHash", to_hex(h32(0x99))}}});
  EXPECT_EQ(e["message"], "header for hash not found");
  e = err("eth_getBalance", {A11, {{"blockHash", g}, {"blockNumber", "0x0"}}});
  EXPECT_EQ(e["message"],
            "invalid argument 1: cannot specify both BlockHash and BlockNumber, choose one or the other");
}

TEST_F(Eth, CallRevertsAndOverrides) {
  json call = {{"from", A11}, {"to", A22}, {"input", "0xee"}};
  auto e = err("eth_call", {call, "latest"});
  EXPECT_EQ(e["code"], 3);
  EXPECT_EQ(e["message"], "execution reverted: nope");
  EXPECT_EQ(e["data"], to_hex(error_string("nope")));
  call["input"] = "0xef";
  e = err("eth_call", {call, "latest"});
  EXPECT_EQ(e["message"], "execution reverted: assert(false)");
  call["input"] = "0xfe";
  e = err("eth_call", {call});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "out of gas");
  e = err("eth_estimateGas", {{{"to", A22}, {"data", "0xee"}}});
  EXPECT_EQ(e["code"], 3);

  EXPECT_EQ(ok("eth_call", {{{"to", A22}}, "latest"}), "0x0100");
  EXPECT_EQ(ok("eth_call", {{{"to", A22}}, "latest", json::object(), {{"number", "0x5"}}}), "0x0105");
  EXPECT_EQ(ok("eth_call", {{{"to", A22}}, "latest", {{A22, {{"code", "0xc0de"}, {"balance", "0x1"}}}}}),
            "0xc0de");
  EXPECT_EQ(ok("eth_estimateGas", {{{"to", A22}, {"data", "0x0102"}}}), "0x520a");

  e = err("eth_call", {{{"to", A22}, {"data", "0x01"}, {"input", "0x02"}}});
  EXPECT_EQ(e["message"],
            "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass "
            "transaction call data");
  e = err("eth_call", {{{"to", A22}, {"gasPrice", "0x1"}, {"maxFeePerGas", "0x1"}}});
  EXPECT_EQ(e["message"], "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
  e = err("eth_call", {{{"to", A22}, {"maxFeePerGas", "0x1"}, {"maxPriorityFeePerGas", "0x2"}}});
  EXPECT_EQ(e["message"], "maxFeePerGas (1) < maxPriorityFeePerGas (2)");
  e = err("eth_call", {{{"to", A22}, {"gas", "21000"}}});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"],
            "invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go struct "
            "field TransactionArgs.gas of type hexutil.Uint64");
  e = err("eth_call", {{{"to", A22}}, "latest",
                       {{A22, {{"state", json::object()}, {"stateDiff", json::object()}}}}});
  EXPECT_EQ(e["message"], "account " + A22 + " has both 'state' and 'stateDiff'");
}

TEST_F(Eth, TransactionsReceiptsAndBlocks) {
  Hash32 h = send_raw();
  EXPECT_EQ(ok("eth_blockNumber"), "0x1");
  json tx = ok("eth_getTransactionByHash", {to_hex(h)});
  EXPECT_EQ(tx["hash"], to_hex(h));
  EXPECT_EQ(tx["type"], "0x2");
  EXPECT_EQ(tx["blockNumber"], "0x1");
  EXPECT_EQ(tx["transactionIndex"], "0x0");
  EXPECT_EQ(tx["from"], A11);
  EXPECT_EQ(tx["to"], A22);
  EXPECT_EQ(tx["value"], "0x5");
  EXPECT_EQ(tx["gasPrice"], "0x3b9aca02");  // base fee + tip, not the cap
  EXPECT_EQ(tx["maxFeePerGas"], "0xb2d05e00");
  EXPECT_EQ(tx["chainId"], "0x539");
  EXPECT_EQ(tx["yParity"], "0x1");
  EXPECT_EQ(tx["v"], "0x1");
  EXPECT_EQ(tx["r"], "0xabc");
  EXPECT_EQ(tx["accessList"], json::array());
  EXPECT_EQ(tx["input"], "0x");

  json r = ok("eth_getTransactionReceipt", {to_hex(h)});
  EXPECT_EQ(r["status"], "0x1");
  EXPECT_EQ(r["gasUsed"], "0x5208");
  EXPECT_EQ(r["contractAddress"], nullptr);
  EXPECT_EQ(r["logs"].size(), 1u);
  EXPECT_EQ(r["logs"][0]["logIndex"], "0x0");
  EXPECT_EQ(r["logs"][0]["removed"], false);
  std::string bloom = r["logsBloom"];
  EXPECT_EQ(bloom.size(), 2u + 512u);
  EXPECT_NE(bloom, "0x" + std::string(512, '0'));
  EXPECT_EQ(ok("eth_getTransactionReceipt", {to_hex(h32(0x77))}), nullptr);
  EXPECT_EQ(ok("eth_getTransactionByHash", {to_hex(h32(0x77))}), nullptr);

  json b = ok("eth_getBlockByNumber", {"0x1", false});
  EXPECT_EQ(b["number"], "0x1");
  EXPECT_EQ(b["transactions"], json::array({to_hex(h)}));
  EXPECT_EQ(b["uncles"], json::array());
  EXPECT_EQ(b["withdrawals"], json::array());
  EXPECT_EQ(b["nonce"], "0x0000000000000000");
  EXPECT_EQ(b["baseFeePerGas"], "0x3b9aca00");
  EXPECT_EQ(b["difficulty"], "0x0");
  json bf = ok("eth_getBlockByHash", {b["hash"], true});
  EXPECT_EQ(bf["transactions"][0]["hash"], to_hex(h));
  EXPECT_EQ(bf["transactions"][0]["blockHash"], b["hash"]);
  EXPECT_EQ(ok("eth_getBlockByNumber", {"latest", false})["number"], "0x1");
  EXPECT_EQ(ok("eth_getBlockByNumber", {"0x9", false}), nullptr);
  EXPECT_EQ(ok("eth_getBlockByHash", {to_hex(h32(0x55)), false}), nullptr);
  EXPECT_EQ(err("eth_getBlockByNumber", {"0x1"})["message"], "missing value for required argument 1");
  EXPECT_EQ(ok("eth_getBlockTransactionCountByNumber", {"0x1"}), "0x1");
  EXPECT_EQ(ok("eth_getBlockTransactionCountByHash", {b["hash"]}), "0x1");
  EXPECT_EQ(ok("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x0"})["hash"], to_hex(h));
  EXPECT_EQ(ok("eth_getTransactionByBlockHashAndIndex", {b["hash"], "0x0"})["hash"], to_hex(h));
  EXPECT_EQ(ok("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x1"}), nullptr);
  json rs = ok("eth_getBlockReceipts", {"0x1"});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0]["transactionHash"], to_hex(h));
  EXPECT_EQ(ok("eth_getBlockReceipts", {"0x7"}), nullptr);
  EXPECT_EQ(ok("eth_getUncleCountByBlockNumber", {"0x1"}), "0x0");
  EXPECT_EQ(ok("eth_getUncleCountByBlockNumber", {"0x9"}), nullptr);
  EXPECT_EQ(ok("eth_getUncleCountByBlockHash", {b["hash"]}), "0x0");
  EXPECT_EQ(ok("eth_getUncleByBlockNumberAndIndex", {"0x1", "0x0"}), nullptr);
  EXPECT_EQ(ok("eth_blobBaseFee"), "0x1");

  auto e = err("eth_sendRawTransaction", {"0xff01"});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "nonce too low");
  e = err("eth_sendRawTransaction", {"0x123"});
  EXPECT_EQ(e["message"],
            "invalid argument 0: json: cannot unmarshal hex string of odd length into Go value of "
            "type hexutil.Bytes");

  // eth_sendTransaction from a dev account; legacy shape with EIP-155 chainId.
  json sh = ok("eth_sendTransaction", {{{"from", A11}, {"to", A22}}});
  json lt = ok("eth_getTransactionByHash", {sh});
  EXPECT_EQ(lt["type"], "0x0");
  EXPECT_EQ(lt["gasPrice"], "0x7");
  EXPECT_EQ(lt["chainId"], "0x539");
  EXPECT_FALSE(lt.contains("yParity"));
  EXPECT_FALSE(lt.contains("accessList"));
  e = err("eth_sendTransaction", {{{"from", A22}, {"to", A11}}});
  EXPECT_EQ(e["message"], "unknown account");
}

TEST_F(Eth, GetLogs) {
  for (int i = 0; i < 3; ++i) send_raw(uint8_t(i + 1));
  json all = ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"toBlock", "latest"}}});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2]["blockNumber"], "0x3");
  EXPECT_EQ(all[0]["data"], "0x010203");
  EXPECT_EQ(all[0]["blockTimestamp"], "0x6553f101");
  // Single address, array of addresses, no match.
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"address", A22}}}).size(), 3u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"address", {A11, A22}}}}).size(), 3u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"address", A11}}}).size(), 0u);
  // Topics: exact, null wildcard, OR list, too many positions for the log.
  std::string t1 = to_hex(h32(0x01)), t12 = to_hex(h32(0x12)), t13 = to_hex(h32(0x13));
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {t1}}}}).size(), 3u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {nullptr, t12}}}}).size(), 1u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {t1, {t12, t13}}}}}).size(), 2u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {t1, nullptr, nullptr}}}}).size(), 0u);
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x2"}, {"toBlock", "0x2"}}}).size(), 1u);
  json b2 = ok("eth_getBlockByNumber", {"0x2", false});
  EXPECT_EQ(ok("eth_getLogs", {{{"blockHash", b2["hash"]}}}).size(), 1u);

  auto e = err("eth_getLogs", {{{"fromBlock", "0x3"}, {"toBlock", "0x2"}}});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "invalid block range params");
  e = err("eth_getLogs", {{{"fromBlock", "0x1"}, {"toBlock", "0x9"}}});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "block range extends beyond current head block");
  e = err("eth_getLogs", {{{"fromBlock", "0x9"}, {"toBlock", "latest"}}});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"], "invalid block range params");
  e = err("eth_getLogs", {{{"blockHash", b2["hash"]}, {"fromBlock", "0x1"}}});
  EXPECT_EQ(e["code"], -32602);
  EXPECT_EQ(e["message"],
            "invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other");
  e = err("eth_getLogs", {{{"blockHash", to_hex(h32(0x42))}}});
  EXPECT_EQ(e["message"], "unknown block");
  e = err("eth_getLogs", {{{"topics", {nullptr, nullptr, nullptr, nullptr, nullptr}}}});
  EXPECT_EQ(e["message"], "exceed max topics");
  e = err("eth_getLogs", {{{"address", "0x12"}}});
  EXPECT_EQ(e["code"], -32602);
}

TEST_F(Eth, BlockRangeLimit) {
  EthApiOptions o;
  o.max_logs_block_range = 2;
  start(o);
  for (int i = 0; i < 3; ++i) send_raw(uint8_t(i + 1));
  EXPECT_EQ(ok("eth_getLogs", {{{"fromBlock", "0x2"}, {"toBlock", "0x3"}}}).size(), 2u);
  auto e = err("eth_getLogs", {{{"fromBlock", "0x1"}, {"toBlock", "0x3"}}});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "exceed maximum block range: 2");
}

TEST_F(Eth, PollingFilters) {
  std::string bf = ok("eth_newBlockFilter");
  std::string pf = ok("eth_newPendingTransactionFilter");
  std::string lf = ok("eth_newFilter", {{{"topics", {to_hex(h32(0x01)), to_hex(h32(0x12))}}}});
  EXPECT_EQ(bf.substr(0, 2), "0x");
  EXPECT_EQ(ok("eth_getFilterChanges", {bf}), json::array());
  Hash32 h1 = send_raw(1);
  Hash32 h2 = send_raw(2);
  json blocks = ok("eth_getFilterChanges", {bf});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1], ok("eth_getBlockByNumber", {"0x2", false})["hash"]);
  EXPECT_EQ(ok("eth_getFilterChanges", {bf}), json::array());  // drained
  EXPECT_EQ(ok("eth_getFilterChanges", {pf}), json::array({to_hex(h1), to_hex(h2)}));
  json logs = ok("eth_getFilterChanges", {lf});
  ASSERT_EQ(logs.size(), 1u);  // only block 2's log has topic 0x12..
  EXPECT_EQ(logs[0]["transactionHash"], to_hex(h2));
  EXPECT_EQ(ok("eth_getFilterLogs", {lf}).size(), 1u);
  EXPECT_EQ(err("eth_getFilterLogs", {bf})["message"], "filter not found");
  EXPECT_EQ(ok("eth_uninstallFilter", {bf}), true);
  EXPECT_EQ(ok("eth_uninstallFilter", {bf}), false);
  auto e = err("eth_getFilterChanges", {bf});
  EXPECT_EQ(e["code"], -32000);
  EXPECT_EQ(e["message"], "filter not found");
}

TEST_F(Eth, FiltersExpireWhenNotPolled) {
  EthApiOptions o;
  o.filter_timeout_s = 1;
  start(o);
  std::string kept = ok("eth_newBlockFilter");
  std::string idle = ok("eth_newBlockFilter");
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(400ms);
    ok("eth_getFilterChanges", {kept});
  }
  EXPECT_EQ(err("eth_getFilterChanges", {idle})["message"], "filter not found");
  EXPECT_EQ(ok("eth_getFilterChanges", {kept}), json::array());
}

TEST_F(Eth, WebSocketSubscriptions) {
  auto e = err("eth_subscribe", {"newHeads"});
  EXPECT_EQ(e["code"], -32601);
  EXPECT_EQ(e["message"], "notifications not supported");

  WsClient ws(server->port());
  auto call = [&](json params, const char* method = "eth_subscribe") {
    ws.send(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump());
    return json::parse(ws.read());
  };
  json heads = call({"newHeads"})["result"];
  json logs = call({"logs", {{"address", A22}, {"topics", {to_hex(h32(0x01))}}}})["result"];
  json nologs = call({"logs", {{"address", A11}}})["result"];
  json pend = call({"newPendingTransactions"})["result"];
  json pendfull = call({"newPendingTransactions", true})["result"];
  EXPECT_TRUE(call({"syncing"})["result"].is_string());
  EXPECT_EQ(call({"bogus"})["error"]["message"], "no \"bogus\" subscription in eth namespace");
  ASSERT_TRUE(heads.is_string());

  Hash32 h = send_raw();
  std::map<std::string, json> got;
  for (int i = 0; i < 4; ++i) {
    json n = json::parse(ws.read());
    EXPECT_EQ(n["jsonrpc"], "2.0");
    EXPECT_EQ(n["method"], "eth_subscription");
    got[n["params"]["subscription"].get<std::string>()] = n["params"]["result"];
  }
  EXPECT_EQ(got[pend.get<std::string>()], to_hex(h));
  EXPECT_EQ(got[pendfull.get<std::string>()]["hash"], to_hex(h));
  EXPECT_EQ(got[heads.get<std::string>()]["number"], "0x1");
  EXPECT_FALSE(got[heads.get<std::string>()].contains("transactions"));
  EXPECT_EQ(got[logs.get<std::string>()]["transactionHash"], to_hex(h));
  EXPECT_EQ(got.count(nologs.get<std::string>()), 0u);

  EXPECT_EQ(call({heads}, "eth_unsubscribe")["result"], true);
  EXPECT_EQ(call({heads}, "eth_unsubscribe")["error"]["message"], "subscription not found");
}

TEST_F(Eth, ConcurrentSubscribersAndPollersSeeEveryBlockInOrder) {
  constexpr int kBlocks = 60, kWs = 4, kPollers = 2;
  std::vector<std::unique_ptr<WsClient>> ws;
  for (int i = 0; i < kWs; ++i) {
    ws.push_back(std::make_unique<WsClient>(server->port()));
    ws.back()->send(R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})");
    ASSERT_TRUE(json::parse(ws.back()->read())["result"].is_string());
  }
  std::vector<std::string> filters;
  for (int i = 0; i < kPollers; ++i) filters.push_back(ok("eth_newBlockFilter"));

  std::atomic<bool> done{false};
  std::vector<size_t> polled(kPollers, 0);
  std::vector<std::thread> pollers;
  for (int i = 0; i < kPollers; ++i)
    pollers.emplace_back([&, i] {
      HttpClient c(server->port());
      auto poll = [&] {
        json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_getFilterChanges"}, {"params", {filters[i]}}};
        polled[i] += json::parse(c.post(req.dump()).body())["result"].size();
      };
      while (!done) poll();
      poll();
    });
  std::thread miner([&] {
    for (int i = 0; i < kBlocks; ++i) chain.mine_and_notify({});
  });
  std::vector<std::thread> readers;
  std::atomic<int> in_order{0};
  for (int i = 0; i < kWs; ++i)
    readers.emplace_back([&, i] {
      for (int n = 1; n <= kBlocks; ++n) {
        json m = json::parse(ws[i]->read());
        if (m["params"]["result"]["number"] == qty_for_test(n)) ++in_order;
      }
    });
  miner.join();
  for (auto& t : readers) t.join();
  done = true;
  for (auto& t : pollers) t.join();
  EXPECT_EQ(in_order.load(), kBlocks * kWs);
  for (int i = 0; i < kPollers; ++i) EXPECT_EQ(polled[i], size_t(kBlocks));
}

TEST_F(Eth, FeeHistory) {
  send_raw(1);
  send_raw(2);
  json fh = ok("eth_feeHistory", {"0x2", "latest", {25, 75}});
  EXPECT_EQ(fh["oldestBlock"], "0x1");
  EXPECT_EQ(fh["baseFeePerGas"], json::array({"0x3b9aca00", "0x3b9aca00", "0x342770c0"}));
  ASSERT_EQ(fh["gasUsedRatio"].size(), 2u);
  EXPECT_NEAR(fh["gasUsedRatio"][0].get<double>(), 21000.0 / 30e6, 1e-12);
  EXPECT_EQ(fh["reward"], json::array({{"0x2", "0x2"}, {"0x2", "0x2"}}));
  EXPECT_EQ(ok("eth_feeHistory", {4, "0x1"})["oldestBlock"], "0x0");
  EXPECT_FALSE(ok("eth_feeHistory", {4, "0x1"}).contains("reward"));
  EXPECT_EQ(ok("eth_feeHistory", {"0x0", "latest"}), json({{"oldestBlock", "0x0"}}));
  EXPECT_EQ(err("eth_feeHistory", {1, "latest", {50, 10}})["code"], -32602);
  EXPECT_EQ(err("eth_feeHistory", {1, "latest", {101}})["message"], "invalid reward percentile: 101");
}

TEST_F(Eth, DevMethods) {
  EXPECT_EQ(ok("anvil_setBalance", {A22, "0x10"}), nullptr);
  EXPECT_EQ(ok("eth_getBalance", {A22, "latest"}), "0x10");
  std::string snap = ok("evm_snapshot");
  EXPECT_EQ(snap, "0x1");
  EXPECT_EQ(ok("hardhat_setBalance", {A22, "0x20"}), true);
  EXPECT_EQ(ok("eth_getBalance", {A22, "latest"}), "0x20");
  EXPECT_EQ(ok("evm_revert", {snap}), true);
  EXPECT_EQ(ok("eth_getBalance", {A22, "latest"}), "0x10");
  EXPECT_EQ(ok("evm_revert", {snap}), false);

  EXPECT_EQ(ok("evm_mine"), "0x0");
  EXPECT_EQ(ok("eth_blockNumber"), "0x1");
  EXPECT_EQ(ok("anvil_mine", {"0x3"}), nullptr);
  EXPECT_EQ(ok("hardhat_mine", {2}), true);
  EXPECT_EQ(ok("eth_blockNumber"), "0x6");
  EXPECT_EQ(ok("evm_increaseTime", {100}), "0x64");
  EXPECT_EQ(ok("evm_increaseTime", {"0x10"}), "0x74");
  EXPECT_EQ(ok("evm_setNextBlockTimestamp", {1'800'000'000}), nullptr);

  EXPECT_EQ(ok("anvil_setCode", {A22, "0x6001"}), nullptr);
  EXPECT_EQ(ok("eth_getCode", {A22, "latest"}), "0x6001");
  EXPECT_EQ(ok("hardhat_setNonce", {A22, "0x5"}), true);
  EXPECT_EQ(ok("eth_getTransactionCount", {A22, "latest"}), "0x5");
  EXPECT_EQ(ok("anvil_setStorageAt", {A22, "0x1", "0x" + std::string(62, '0') + "2a"}), nullptr);
  EXPECT_EQ(ok("eth_getStorageAt", {A22, "0x1", "latest"}), "0x" + std::string(62, '0') + "2a");

  EXPECT_EQ(err("eth_sendTransaction", {{{"from", A22}}})["message"], "unknown account");
  EXPECT_EQ(ok("anvil_impersonateAccount", {A22}), nullptr);
  EXPECT_TRUE(ok("eth_sendTransaction", {{{"from", A22}}}).is_string());
  EXPECT_EQ(ok("hardhat_stopImpersonatingAccount", {A22}), true);
  EXPECT_EQ(err("eth_sendTransaction", {{{"from", A22}}})["message"], "unknown account");
  EXPECT_EQ(err("anvil_setBalance", {A22})["message"], "missing value for required argument 1");
}

TEST_F(Eth, DevMethodsCanBeDisabled) {
  EthApiOptions o;
  o.dev_methods = false;
  start(o);
  EXPECT_EQ(err("evm_snapshot")["code"], -32601);
  EXPECT_EQ(err("anvil_setBalance", {A22, "0x1"})["message"],
            "the method anvil_setBalance does not exist/is not available");
}

TEST_F(Eth, PersonalSignHashesWithTheEip191Prefix) {
  std::string sig = ok("personal_sign", {"0x68656c6c6f", A11});  // "hello"
  std::string want = "0x";
  for (int i = 0; i < 64; ++i) want += "ab";
  EXPECT_EQ(sig, want + "1b");
  // keccak256("\x19Ethereum Signed Message:\n5hello")
  EXPECT_EQ(to_hex(chain.last_digest), "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
  chain.last_digest = {};
  ok("eth_sign", {A11, "0x68656c6c6f"});
  EXPECT_EQ(to_hex(chain.last_digest), "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
  EXPECT_EQ(err("personal_sign", {"0x00", A22})["message"], "unknown account");
}

TEST_F(Eth, SignTypedDataV4Digest) {
  // The EIP-712 specification's example.
  json mail = json::parse(R"({
    "types": {
      "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},
                       {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
      "Person": [{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
      "Mail": [{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
    "primaryType": "Mail",
    "domain": {"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}})");
  ok("eth_signTypedData_v4", {A11, mail});
  EXPECT_EQ(to_hex(chain.last_digest), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  // As ethers sends it (a JSON string), with arrays, bytesN, negative ints, bool, bytes and a
  // derived EIP712Domain. Expected digest from viem's hashTypedData.
  json permit = json::parse(R"({
    "types": {"Permit": [{"name":"owner","type":"address"},{"name":"value","type":"uint256"},
      {"name":"nonces","type":"uint8[]"},{"name":"tag","type":"bytes4"},{"name":"neg","type":"int32"},
      {"name":"ok","type":"bool"},{"name":"blob","type":"bytes"}]},
    "primaryType": "Permit", "domain": {"name":"Tok","chainId":1337},
    "message": {"owner":"0x1111111111111111111111111111111111111111","value":"100000000000000000000",
                "nonces":[1,2,3],"tag":"0xdeadbeef","neg":-5,"ok":true,"blob":"0x0102"}})");
  ok("eth_signTypedData_v4", {A11, permit.dump()});
  EXPECT_EQ(to_hex(chain.last_digest), "0x18844c810b398e1143c73f9c10cb8434eae34dc3d875bfbe8cee393c12cb7a47");
  auto e = err("eth_signTypedData_v4", {A11, "{not json"});
  EXPECT_EQ(e["code"], -32602);
  e = err("eth_signTypedData_v4", {A11, {{"types", json::object()}, {"primaryType", "Nope"}}});
  EXPECT_EQ(e["code"], -32602);
}

TEST_F(Eth, TraceTransactionPassesTracerConfig) {
  Hash32 h = send_raw();
  json cfg = {{"tracer", "callTracer"}, {"tracerConfig", {{"onlyTopCall", true}}}};
  EXPECT_EQ(ok("debug_traceTransaction", {to_hex(h), cfg})["type"], "CALL");
  EXPECT_EQ(chain.last_trace_config, cfg);
  auto e = err("debug_traceTransaction", {to_hex(h32(0x31))});
  EXPECT_EQ(e["message"], "transaction " + to_hex(h32(0x31)) + " not found");
}

TEST(EthShapes, TypedTransactionsAndRevertDecoding) {
  EthTx t;
  t.type = 3;
  t.max_fee_per_gas = uint256(100);
  t.max_priority_fee_per_gas = uint256(10);
  t.max_fee_per_blob_gas = uint256(7);
  t.blob_versioned_hashes = {h32(1)};
  t.chain_id = 1;
  t.access_list = {{addr(5), {h32(6)}}};
  json j = EthApi::tx_json(t);
  EXPECT_EQ(j["blockHash"], nullptr);
  EXPECT_EQ(j["gasPrice"], "0x64");  // pending: the fee cap
  EXPECT_EQ(j["maxFeePerBlobGas"], "0x7");
  EXPECT_EQ(j["blobVersionedHashes"].size(), 1u);
  EXPECT_EQ(j["accessList"][0]["storageKeys"][0], to_hex(h32(6)));
  EXPECT_EQ(j["to"], nullptr);
  // Mined with base fee 95: price = min(cap, base + tip) = 100.
  t.block_number = 1;
  t.block_base_fee = uint256(95);
  EXPECT_EQ(EthApi::tx_json(t)["gasPrice"], "0x64");
  t.block_base_fee = uint256(50);
  EXPECT_EQ(EthApi::tx_json(t)["gasPrice"], "0x3c");

  auto e = EthApi::revert_error({});
  EXPECT_EQ(std::string(e.what()), "execution reverted");
  EXPECT_EQ(*e.data, "0x");
  Bytes junk = {0x08, 0xc3, 0x79, 0xa0, 0xff};
  EXPECT_EQ(std::string(EthApi::revert_error(junk).what()), "execution reverted");
  Bytes panic = {0x4e, 0x48, 0x7b, 0x71};
  Bytes w(32, 0);
  w[31] = 0x11;
  append(panic, w);
  EXPECT_EQ(std::string(EthApi::revert_error(panic).what()),
            "execution reverted: arithmetic underflow or overflow");
}

}  // namespace
