// The Solana JSON-RPC and PubSub layer over real HTTP/WS sockets, against a small in-memory
// bank that stands in for the node (the real backend lives in node/). Expected shapes and
// texts are Agave's (rpc.rs, rpc_pubsub.rs, rpc-client-api, account-decoder,
// transaction-status).
#include "rpc/sol_api.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <zstd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <random>

#include "rpc/sol_encoding.hpp"
#include "rpc/test_client.hpp"
#include "svm/syscalls.hpp"

using namespace lumio;
using namespace lumio::rpc;
using namespace lumio::rpc::testing;
using namespace std::chrono_literals;

namespace {

SolPubkey key(uint8_t b) {
  SolPubkey k;
  k.fill(b);
  return k;
}
std::string b58(const SolPubkey& k) { return svm::base58(k.data(), 32); }
std::string b58(const SolSignature& s) { return svm::base58(s.data(), 64); }
std::string b58(BytesView v) { return svm::base58(v.data(), v.size()); }
std::string b64(BytesView v) { return svm::base64(v.data(), v.size()); }
SolPubkey from_b58(const char* s) {
  SolPubkey k{};
  auto d = svm::base58_decode(s);
  std::memcpy(k.data(), d->data(), 32);
  return k;
}
const SolPubkey kToken = from_b58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const SolPubkey kToken22 = from_b58("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

void put64(Bytes& d, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) d[at + i] = uint8_t(v >> (8 * i));
}
void put_key(Bytes& d, size_t at, const SolPubkey& k) { std::memcpy(&d[at], k.data(), 32); }

// SPL Token layouts: Mint (82 bytes), Account (165 bytes).
Bytes mint_data(uint64_t supply, uint8_t decimals, std::optional<SolPubkey> authority) {
  Bytes d(82, 0);
  if (authority) {
    d[0] = 1;
    put_key(d, 4, *authority);
  }
  put64(d, 36, supply);
  d[44] = decimals;
  d[45] = 1;
  return d;
}
Bytes token_account_data(const SolPubkey& mint, const SolPubkey& owner, uint64_t amount,
                         std::optional<SolPubkey> delegate = std::nullopt, uint64_t delegated = 0) {
  Bytes d(165, 0);
  put_key(d, 0, mint);
  put_key(d, 32, owner);
  put64(d, 64, amount);
  if (delegate) {
    d[72] = 1;
    put_key(d, 76, *delegate);
    put64(d, 121, delegated);
  }
  d[108] = 1;  // initialized
  return d;
}
void add_tlv(Bytes& d, uint16_t type, const Bytes& value) {
  d.push_back(uint8_t(type));
  d.push_back(uint8_t(type >> 8));
  d.push_back(uint8_t(value.size()));
  d.push_back(uint8_t(value.size() >> 8));
  d.insert(d.end(), value.begin(), value.end());
}
Bytes borsh_str(const std::string& s) {
  Bytes b = {uint8_t(s.size()), uint8_t(s.size() >> 8), 0, 0};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

struct Keypair {
  uint8_t pk[32], sk[64];
  explicit Keypair(uint8_t seed_byte) {
    uint8_t seed[32];
    std::memset(seed, seed_byte, 32);
    crypto_sign_seed_keypair(pk, sk, seed);
  }
  SolPubkey pubkey() const {
    SolPubkey k;
    std::memcpy(k.data(), pk, 32);
    return k;
  }
};

// A signed legacy transfer: payer -> to, lamports, with `blockhash`.
svm::Transaction transfer_tx(const Keypair& payer, const SolPubkey& to, uint64_t lamports,
                             const SolHash& blockhash, bool v0 = false) {
  svm::Transaction tx;
  auto& m = tx.message;
  m.v0 = v0;
  m.header = {1, 0, 1};
  m.account_keys = {payer.pubkey(), to, SolPubkey{}};
  m.recent_blockhash = blockhash;
  Bytes data = {2, 0, 0, 0};
  for (int i = 0; i < 8; ++i) data.push_back(uint8_t(lamports >> (8 * i)));
  m.instructions.push_back({2, {0, 1}, data});
  tx.message_bytes = svm::encode_message(m);
  svm::Signature sig;
  crypto_sign_detached(sig.data(), nullptr, tx.message_bytes.data(), tx.message_bytes.size(), payer.sk);
  tx.signatures = {sig};
  return tx;
}
Bytes wire(const svm::Transaction& tx) { return svm::encode_transaction(tx); }

// A bank in memory: slots per commitment, accounts, a few blocks and transactions.
struct FakeBank : SolBackend {
  std::mutex mu;
  uint64_t processed = 12, confirmed = 11, finalized = 10;
  std::map<SolPubkey, SolAccount> accounts_;
  std::map<uint64_t, SolBlock> blocks_;
  std::map<SolSignature, SolConfirmedTx> txs_;
  std::map<SolSignature, SolSignatureStatus> statuses_;
  SolHash latest{};
  SolSimulation next_sim;
  std::vector<svm::Transaction> sent;
  std::vector<SolSimulateOptions> sim_calls;
  std::optional<uint64_t> behind;

  FakeBank() { latest.fill(0x42); }

  uint64_t slot(Commitment c) override {
    return c == Commitment::kProcessed ? processed : c == Commitment::kConfirmed ? confirmed : finalized;
  }
  uint64_t block_height(Commitment c) override { return slot(c) - 2; }
  uint64_t transaction_count(Commitment c) override { return 77; }
  SolAtSlot<std::optional<SolAccount>> account(const SolPubkey& k, Commitment c) override {
    std::lock_guard l(mu);
    auto it = accounts_.find(k);
    if (it == accounts_.end()) return {slot(c), std::nullopt};
    return {slot(c), it->second};
  }
  uint64_t scan_program_accounts(const SolPubkey& program, Commitment c,
                                 std::span<const SolAccountFilter> filters,
                                 const std::function<void(const SolPubkey&, const SolAccount&)>& visit) override {
    std::lock_guard l(mu);
    for (auto& [k, a] : accounts_)
      if (a.owner == program) visit(k, a);  // a superset: the RPC layer filters
    return slot(c);
  }
  SolAtSlot<SolBlockhash> latest_blockhash(Commitment c) override { return {slot(c), {latest, 200}}; }
  SolAtSlot<bool> is_blockhash_valid(const SolHash& h, Commitment c) override { return {slot(c), h == latest}; }
  SolAtSlot<std::optional<uint64_t>> fee_for_message(const svm::Message& m, Commitment c) override {
    if (m.recent_blockhash != latest) return {slot(c), std::nullopt};
    return {slot(c), 5000 * m.header.num_required_signatures};
  }
  std::vector<SolPrioritizationFee> recent_prioritization_fees(std::span<const SolPubkey> a) override {
    return {{9, 0}, {10, a.empty() ? 100u : 250u}};
  }
  std::optional<SolBlock> block(uint64_t s, Commitment c) override {
    std::lock_guard l(mu);
    auto it = blocks_.find(s);
    if (it == blocks_.end() || s > slot(c)) return std::nullopt;
    return it->second;
  }
  std::vector<uint64_t> blocks(uint64_t start, uint64_t end, Commitment c) override {
    std::vector<uint64_t> out;
    for (auto& [s, b] : blocks_)
      if (s >= start && s <= end && s <= slot(c)) out.push_back(s);
    return out;
  }
  std::optional<int64_t> block_time(uint64_t s) override {
    auto it = blocks_.find(s);
    if (it == blocks_.end()) return std::nullopt;
    return it->second.block_time;
  }
  uint64_t first_available_block() override { return 2; }
  std::vector<std::optional<SolSignatureStatus>> signature_statuses(std::span<const SolSignature> sigs,
                                                                    bool history) override {
    std::vector<std::optional<SolSignatureStatus>> out;
    for (auto& s : sigs) {
      auto it = statuses_.find(s);
      out.push_back(it == statuses_.end() ? std::nullopt : std::optional(it->second));
    }
    return out;
  }
  std::vector<SolSignatureInfo> signatures_for_address(const SolPubkey& a, std::optional<SolSignature> before,
                                                       std::optional<SolSignature> until, size_t limit,
                                                       Commitment c) override {
    std::vector<SolSignatureInfo> out;
    for (auto& [sig, t] : txs_) {
      SolSignatureInfo i;
      i.signature = sig;
      i.slot = t.slot;
      i.err = t.tx.meta.err;
      i.block_time = t.block_time;
      i.confirmation_status = Commitment::kFinalized;
      out.push_back(i);
      if (out.size() == limit) break;
    }
    return out;
  }
  std::optional<SolConfirmedTx> transaction(const SolSignature& sig, Commitment c) override {
    auto it = txs_.find(sig);
    if (it == txs_.end()) return std::nullopt;
    return it->second;
  }
  void send_transaction(const svm::Transaction& tx, std::optional<size_t>) override {
    std::lock_guard l(mu);
    sent.push_back(tx);
  }
  SolSimulation simulate_transaction(const svm::Transaction& tx, const SolSimulateOptions& o) override {
    std::lock_guard l(mu);
    sim_calls.push_back(o);
    SolSimulation s = next_sim;
    s.slot = slot(o.commitment);
    s.accounts.clear();
    for (auto& k : o.accounts) {
      auto it = accounts_.find(k);
      s.accounts.push_back(it == accounts_.end() ? std::nullopt : std::optional(it->second));
    }
    if (o.replace_recent_blockhash) s.replacement_blockhash = SolBlockhash{latest, 200};
    return s;
  }
  SolSignature request_airdrop(const SolPubkey& to, uint64_t lamports, Commitment) override {
    SolSignature s;
    s.fill(uint8_t(lamports));
    return s;
  }
  SolHash genesis_hash() override {
    SolHash h;
    h.fill(7);
    return h;
  }
  SolPubkey identity() override { return key(0x99); }
  SolVersion version() override { return {"2.2.0", 3294202862u}; }
  std::optional<uint64_t> unhealthy_slots_behind() override { return behind; }
  std::vector<SolPerfSample> performance_samples(size_t limit) override {
    return {{12, 40, 30, 60, 60}};
  }
};

class SolApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    server = std::make_unique<Server>(ServerOptions{.port = 0});
    api = std::make_unique<SolApi>(*server, bank);
    server->start();
  }
  void TearDown() override {
    server->stop();
    api.reset();
    server.reset();
  }
  json call(const std::string& method, json params = json::array()) {
    HttpClient c(server->port());
    json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
    auto res = c.post(req.dump());
    return json::parse(res.body());
  }
  json result(const std::string& method, json params = json::array()) {
    json r = call(method, params);
    EXPECT_TRUE(r.contains("result")) << method << ": " << r.dump();
    return r.value("result", json());
  }
  json error(const std::string& method, json params = json::array()) {
    json r = call(method, params);
    EXPECT_TRUE(r.contains("error")) << method << ": " << r.dump();
    return r.value("error", json());
  }
  json ctx(uint64_t slot, json value) {
    return {{"context", {{"apiVersion", "2.2.0"}, {"slot", slot}}}, {"value", value}};
  }
  void put(const SolPubkey& k, SolAccount a) { bank.accounts_[k] = std::move(a); }

  FakeBank bank;
  std::unique_ptr<Server> server;
  std::unique_ptr<SolApi> api;
};

// {"memcmp": {"offset", "bytes"[, "encoding"]}} and a config object holding filters.
json memcmp_f(size_t offset, std::string bytes, std::string enc = "") {
  json m = {{"offset", offset}, {"bytes", std::move(bytes)}};
  if (!enc.empty()) m["encoding"] = enc;
  return json{{"memcmp", std::move(m)}};
}
json with_filters(json filters, json cfg = json::object()) {
  cfg["filters"] = std::move(filters);
  return cfg;
}
SolTxError txerr(std::string kind, uint8_t index = 0) {
  SolTxError e;
  e.kind = std::move(kind);
  e.index = index;
  return e;
}
json params(json a, json b) { return json::array({std::move(a), std::move(b)}); }

SolAccount plain(uint64_t lamports, Bytes data = {}, SolPubkey owner = {}) {
  SolAccount a;
  a.lamports = lamports;
  a.data = std::move(data);
  a.owner = owner;
  a.rent_epoch = UINT64_MAX;
  return a;
}

// ---------------------------------------------------------------- accounts

TEST_F(SolApiTest, GetAccountInfoEncodings) {
  put(key(1), plain(1000, {1, 2, 3, 4}, key(9)));
  std::string k = b58(key(1));
  EXPECT_EQ(result("getAccountInfo", {k}),
            ctx(10, {{"lamports", 1000}, {"data", b58(Bytes{1, 2, 3, 4})}, {"owner", b58(key(9))},
                     {"executable", false}, {"rentEpoch", UINT64_MAX}, {"space", 4}}));
  EXPECT_EQ(result("getAccountInfo", {k, {{"encoding", "base58"}}})["value"]["data"],
            json::array({b58(Bytes{1, 2, 3, 4}), "base58"}));
  EXPECT_EQ(result("getAccountInfo", {k, {{"encoding", "base64"}}})["value"]["data"],
            json::array({"AQIDBA==", "base64"}));
  EXPECT_EQ(result("getAccountInfo", {k, {{"encoding", "base64"}, {"dataSlice", {{"offset", 1}, {"length", 2}}}}})
                ["value"]["data"],
            json::array({"AgM=", "base64"}));
  EXPECT_EQ(result("getAccountInfo", {k, {{"encoding", "base64"}, {"dataSlice", {{"offset", 9}, {"length", 2}}}}})
                ["value"]["data"],
            json::array({"", "base64"}));
  // base64+zstd: a zstd frame of the data.
  json z = result("getAccountInfo", {k, {{"encoding", "base64+zstd"}}})["value"]["data"];
  ASSERT_EQ(z[1], "base64+zstd");
  auto frame = sol::b64_decode(z[0].get<std::string>());
  ASSERT_TRUE(frame);
  uint8_t out[16];
  size_t n = ZSTD_decompress(out, sizeof out, frame->data(), frame->size());
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(Bytes(out, out + 4), (Bytes{1, 2, 3, 4}));
  // commitment picks the bank; missing account -> null.
  EXPECT_EQ(result("getAccountInfo", {b58(key(2)), {{"commitment", "processed"}}}), ctx(12, nullptr));
  // jsonParsed of an account without a parser falls back to base64.
  EXPECT_EQ(result("getAccountInfo", {k, {{"encoding", "jsonParsed"}}})["value"]["data"],
            json::array({"AQIDBA==", "base64"}));
}

TEST_F(SolApiTest, AccountParamErrorsAsAgave) {
  put(key(1), plain(1, Bytes(129, 5)));
  auto e = error("getAccountInfo", {b58(key(1))});
  EXPECT_EQ(e, json({{"code", -32600},
                     {"message", "Encoded binary (base 58) data should be less than 128 bytes, please use "
                                 "Base64 encoding."}}));
  EXPECT_EQ(error("getAccountInfo", {"abc"}), json({{"code", -32602}, {"message", "Invalid param: WrongSize"}}));
  EXPECT_EQ(error("getAccountInfo", {"0OIl"}), json({{"code", -32602}, {"message", "Invalid param: Invalid"}}));
  EXPECT_EQ(error("getAccountInfo", {std::string(45, '1')}),
            json({{"code", -32602}, {"message", "Invalid param: WrongSize"}}));
  EXPECT_EQ(error("getAccountInfo", {5}),
            json({{"code", -32602}, {"message", "Invalid params: invalid type: integer `5`, expected a string."}}));
  EXPECT_EQ(error("getAccountInfo", json::array()),
            json({{"code", -32602}, {"message", "`params` should have at least 1 argument(s)"}}));
  EXPECT_EQ(error("getAccountInfo", {b58(key(1)), json::object(), 1}),
            json({{"code", -32602}, {"message", "Invalid parameters: Expected from 1 to 2 parameters."},
                  {"data", "\"Got: 3\""}}));
  EXPECT_EQ(error("getAccountInfo", {{"a", 1}}).at("message"), "`params` should be an array");
  EXPECT_EQ(error("getAccountInfo", {b58(key(1)), {{"encoding", "hex"}}}).at("message"),
            "Invalid params: unknown variant `hex`, expected one of `binary`, `base58`, `base64`, "
            "`jsonParsed`, `base64+zstd`.");
  EXPECT_EQ(error("getAccountInfo", {b58(key(1)), "x"}).at("message"),
            "Invalid params: invalid type: string \"x\", expected struct RpcAccountInfoConfig.");
  EXPECT_EQ(error("getAccountInfo", {b58(key(1)), {{"minContextSlot", -1}}}).at("message"),
            "Invalid params: invalid value: integer `-1`, expected u64.");
  EXPECT_EQ(error("getAccountInfo", {b58(key(1)), {{"dataSlice", {{"offset", 1}}}}}).at("message"),
            "Invalid params: missing field `length`.");
  EXPECT_EQ(error("getBalance", {b58(key(1)), {{"minContextSlot", 11}}}),
            json({{"code", -32016}, {"message", "Minimum context slot has not been reached"},
                  {"data", {{"contextSlot", 10}}}}));
  EXPECT_EQ(result("getBalance", {b58(key(1)), {{"minContextSlot", 11}, {"commitment", "confirmed"}}}), ctx(11, 1));
  // An unparsable flattened commitment is ignored (serde flatten of an Option): finalized.
  EXPECT_EQ(result("getBalance", {b58(key(1)), {{"commitment", "bogus"}}}), ctx(10, 1));
  EXPECT_EQ(result("getBalance", {b58(key(3))}), ctx(10, 0));
}

TEST_F(SolApiTest, MultipleAndProgramAccounts) {
  put(key(1), plain(1, {1, 2, 3}, key(9)));
  put(key(2), plain(2, {1, 9, 9, 9}, key(9)));
  put(key(3), plain(3, {1, 2, 3}, key(8)));
  json m = result("getMultipleAccounts", json::array({json::array({b58(key(1)), b58(key(4))})}));
  EXPECT_EQ(m["context"]["slot"], 10);
  EXPECT_EQ(m["value"][0]["data"], json::array({"AQID", "base64"}));  // default base64
  EXPECT_TRUE(m["value"][1].is_null());
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back(b58(key(1)));
  EXPECT_EQ(error("getMultipleAccounts", {many}).at("message"), "Too many inputs provided; max 100");
  EXPECT_EQ(error("getMultipleAccounts", {"x"}).at("message"),
            "Invalid params: invalid type: string \"x\", expected a sequence.");

  json all = result("getProgramAccounts", {b58(key(9)), {{"encoding", "base64"}}});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], json({{"pubkey", b58(key(1))},
                          {"account", {{"lamports", 1}, {"data", {"AQID", "base64"}}, {"owner", b58(key(9))},
                                       {"executable", false}, {"rentEpoch", UINT64_MAX}, {"space", 3}}}}));
  json sized = result("getProgramAccounts", params(b58(key(9)), with_filters(json::array({json{{"dataSize", 4}}}), {{"withContext", true}})));
  EXPECT_EQ(sized["context"]["slot"], 10);
  ASSERT_EQ(sized["value"].size(), 1u);
  EXPECT_EQ(sized["value"][0]["pubkey"], b58(key(2)));
  json mc = result("getProgramAccounts",
                   params(b58(key(9)), with_filters(json::array({memcmp_f(1, b58(Bytes{2, 3}))}))));
  ASSERT_EQ(mc.size(), 1u);
  EXPECT_EQ(mc[0]["pubkey"], b58(key(1)));
  json mc64 = result("getProgramAccounts",
                     params(b58(key(9)), with_filters(json::array({memcmp_f(1, "CQk=", "base64")}))));
  ASSERT_EQ(mc64.size(), 1u);
  EXPECT_EQ(mc64[0]["pubkey"], b58(key(2)));
  json five = json::array();
  for (int i = 0; i < 5; ++i) five.push_back({{"dataSize", 1}});
  EXPECT_EQ(error("getProgramAccounts", params(b58(key(9)), with_filters(five))).at("message"),
            "Too many filters provided; max 4");
  EXPECT_EQ(error("getProgramAccounts", params(b58(key(9)), with_filters(json::array({memcmp_f(0, "0l")}))))
                .at("message"),
            "Invalid param: Base58DecodeError(InvalidCharacter { character: '0', index: 0 })");
  EXPECT_EQ(error("getProgramAccounts",
                  params(b58(key(9)), with_filters(json::array({memcmp_f(0, std::string(176, '2'))}))))
                .at("message"),
            "Invalid param: DataTooLarge");
  EXPECT_EQ(error("getProgramAccounts",
                  params(b58(key(9)), with_filters(json::array({memcmp_f(0, "A*==", "base64")}))))
                .at("message"),
            "Invalid param: Base64DecodeError(InvalidByte(1, 42))");
  EXPECT_EQ(error("getProgramAccounts", params(b58(key(9)), with_filters(json::array({json{{"size", 1}}})))).at("message"),
            "Invalid params: unknown variant `size`, expected one of `dataSize`, `memcmp`, `tokenAccountState`.");
}

TEST_F(SolApiTest, RentAndBlockhashAndFees) {
  EXPECT_EQ(result("getMinimumBalanceForRentExemption", {165}), 2039280);
  EXPECT_EQ(result("getMinimumBalanceForRentExemption", {0, {{"commitment", "confirmed"}}}), 890880);
  EXPECT_EQ(error("getMinimumBalanceForRentExemption", {10 * 1024 * 1024 + 1}),
            json({{"code", -32600}, {"message", "Invalid request"}}));
  EXPECT_EQ(error("getMinimumBalanceForRentExemption", {"1"}).at("message"),
            "Invalid params: invalid type: string \"1\", expected usize.");
  EXPECT_EQ(error("getMinimumBalanceForRentExemption", {1, {{"commitment", "bad"}}}).at("message"),
            "Invalid params: unknown variant `bad`, expected one of `processed`, `confirmed`, `finalized`.");

  EXPECT_EQ(result("getLatestBlockhash"), ctx(10, {{"blockhash", b58(bank.latest)}, {"lastValidBlockHeight", 200}}));
  EXPECT_EQ(result("isBlockhashValid", {b58(bank.latest), {{"commitment", "processed"}}}), ctx(12, true));
  EXPECT_EQ(result("isBlockhashValid", {b58(key(1))}), ctx(10, false));
  EXPECT_EQ(error("isBlockhashValid", {"0"}), json({{"code", -32602}, {"message", "Invalid"}}));

  Keypair payer(1);
  auto tx = transfer_tx(payer, key(5), 10, bank.latest);
  EXPECT_EQ(result("getFeeForMessage", {b64(tx.message_bytes)}), ctx(10, 5000));
  auto old = transfer_tx(payer, key(5), 10, key(0x33));
  EXPECT_EQ(result("getFeeForMessage", {b64(old.message_bytes)}), ctx(10, nullptr));
  EXPECT_EQ(error("getFeeForMessage", {"AAEC"}).at("message"),
            "failed to deserialize solana_message::versioned::VersionedMessage: io error: failed to fill whole buffer");
  EXPECT_EQ(error("getFeeForMessage", {"!!!!"}).at("message"), "invalid base64 encoding: InvalidByte(0, 33)");
  EXPECT_EQ(error("getFeeForMessage", {std::string(1648, 'A')}).at("message"),
            "base64 encoded solana_message::versioned::VersionedMessage too large: 1648 bytes (max: "
            "encoded/raw 1644/1232)");
  svm::Message bad = tx.message;
  bad.instructions[0].program_id_index = 9;
  EXPECT_EQ(error("getFeeForMessage", {b64(svm::encode_message(bad))}).at("message"),
            "invalid transaction message: index out of bounds");
  EXPECT_EQ(result("getRecentPrioritizationFees"),
            json::array({{{"slot", 9}, {"prioritizationFee", 0}}, {{"slot", 10}, {"prioritizationFee", 100}}}));
  EXPECT_EQ(result("getRecentPrioritizationFees", {{b58(key(1))}})[1]["prioritizationFee"], 250);
  EXPECT_EQ(error("getRecentPrioritizationFees", {{"x"}}).at("message"), "Invalid param: WrongSize");
}

// ---------------------------------------------------------------- node and banks

TEST_F(SolApiTest, NodeAndBankMethods) {
  EXPECT_EQ(result("getSlot"), 10);
  EXPECT_EQ(result("getSlot", {{{"commitment", "processed"}}}), 12);
  EXPECT_EQ(result("getSlot", {{{"commitment", "confirmed"}}}), 11);
  EXPECT_EQ(error("getSlot", {{{"minContextSlot", 100}}}).at("code"), -32016);
  EXPECT_EQ(result("getBlockHeight"), 8);
  EXPECT_EQ(result("getTransactionCount"), 77);
  EXPECT_EQ(result("getSlotLeader"), b58(key(0x99)));
  EXPECT_EQ(result("getGenesisHash"), b58(SolHash{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                                  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}));
  EXPECT_EQ(result("getIdentity"), json({{"identity", b58(key(0x99))}}));
  EXPECT_EQ(result("getVersion"), json({{"solana-core", "2.2.0"}, {"feature-set", 3294202862u}}));
  EXPECT_EQ(error("getVersion", {1}),
            json({{"code", -32602}, {"message", "Invalid parameters: No parameters were expected"},
                  {"data", "Array([Number(1)])"}}));
  EXPECT_EQ(result("getHealth"), "ok");
  bank.behind = 42;
  EXPECT_EQ(error("getHealth"), json({{"code", -32005}, {"message", "Node is behind by 42 slots"},
                                      {"data", {{"numSlotsBehind", 42}}}}));
  bank.behind.reset();
  EXPECT_EQ(result("getEpochSchedule"), json({{"slotsPerEpoch", 432000}, {"leaderScheduleSlotOffset", 432000},
                                             {"warmup", false}, {"firstNormalEpoch", 0}, {"firstNormalSlot", 0}}));
  EXPECT_EQ(result("getEpochInfo"), json({{"epoch", 0}, {"slotIndex", 10}, {"slotsInEpoch", 432000},
                                          {"absoluteSlot", 10}, {"blockHeight", 8}, {"transactionCount", 77}}));
  EXPECT_EQ(result("getSlotLeaders", {0, 2}), json::array({b58(key(0x99)), b58(key(0x99))}));
  EXPECT_EQ(error("getSlotLeaders", {0, 5001}).at("message"), "Invalid limit; max 5000");
  EXPECT_EQ(error("getSlotLeaders", {0}).at("message"), "Invalid params: invalid length 1, expected a tuple of size 2.");
  EXPECT_EQ(result("getMaxRetransmitSlot"), 12);
  EXPECT_EQ(result("getMaxShredInsertSlot"), 12);
  EXPECT_EQ(error("getHighestSnapshotSlot"), json({{"code", -32008}, {"message", "No snapshot"}}));
  EXPECT_EQ(result("getStakeMinimumDelegation"), ctx(10, 1));
  EXPECT_EQ(result("getVoteAccounts"), json({{"current", json::array()}, {"delinquent", json::array()}}));
  EXPECT_EQ(result("getFirstAvailableBlock"), 2);
  EXPECT_EQ(result("minimumLedgerSlot"), 2);
  EXPECT_EQ(result("getRecentPerformanceSamples", {1}),
            json::array({{{"slot", 12}, {"numTransactions", 40}, {"numNonVoteTransactions", 30},
                          {"numSlots", 60}, {"samplePeriodSecs", 60}}}));
  EXPECT_EQ(error("getRecentPerformanceSamples", {721}).at("message"), "Invalid limit; max 720");
  json gov = result("getInflationGovernor");
  EXPECT_EQ(gov["initial"], 0.08);
  EXPECT_EQ(gov["foundationTerm"], 7.0);
  EXPECT_EQ(result("requestAirdrop", {b58(key(1)), 3}), b58(SolSignature{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                                                       3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                                                       3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                                                       3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}));
  EXPECT_EQ(error("requestAirdrop", {b58(key(1))}).at("message"), "`params` should have at least 2 argument(s)");
  EXPECT_EQ(error("requestAirdrop", {b58(key(1)), -5}).at("message"),
            "Invalid params: invalid value: integer `-5`, expected u64.");
}

// ---------------------------------------------------------------- SPL Token

struct TokenFixture : SolApiTest {
  SolPubkey mint = key(0x30), owner = key(0x31), delegate = key(0x32), mint22 = key(0x40);
  void SetUp() override {
    SolApiTest::SetUp();
    put(mint, plain(1461600, mint_data(5'000'000, 6, key(0x33)), kToken));
    put(key(0x21), plain(2039280, token_account_data(mint, owner, 1'500'000), kToken));
    put(key(0x22), plain(2039280, token_account_data(mint, owner, 20, delegate, 7), kToken));
    put(key(0x23), plain(2039280, token_account_data(mint, key(0x34), 999), kToken));
    // Token-2022 mint with extensions: base 82 bytes, zero padding to 165, type byte 1, TLVs.
    Bytes m = mint_data(100, 2, std::nullopt);
    m.resize(165, 0);
    m.push_back(1);
    Bytes fee(108, 0);
    put_key(fee, 0, key(0x50));           // transferFeeConfigAuthority; withdraw authority: none
    put64(fee, 64, 12);                   // withheldAmount
    put64(fee, 72, 1);                    // older: epoch 1
    put64(fee, 80, 1000);                 // maximumFee
    fee[88] = 50;                         // 50 bps
    put64(fee, 90, 2);
    put64(fee, 98, 2000);
    fee[106] = 0x2c, fee[107] = 0x01;     // 300 bps
    add_tlv(m, 1, fee);
    add_tlv(m, 3, Bytes(32, 0));          // mintCloseAuthority: none
    Bytes ptr(64, 0);
    put_key(ptr, 0, key(0x51));
    put_key(ptr, 32, mint22);
    add_tlv(m, 18, ptr);                  // metadataPointer
    Bytes md(64, 0);
    put_key(md, 0, key(0x51));
    put_key(md, 32, mint22);
    for (auto s : {"Lumio", "LUM", "https://x"}) {
      Bytes b = borsh_str(s);
      md.insert(md.end(), b.begin(), b.end());
    }
    md.insert(md.end(), {1, 0, 0, 0});
    for (auto s : {"k", "v"}) {
      Bytes b = borsh_str(s);
      md.insert(md.end(), b.begin(), b.end());
    }
    add_tlv(m, 19, md);                   // tokenMetadata
    put(mint22, plain(5000000, m, kToken22));
    Bytes acct = token_account_data(mint22, owner, 42);
    acct.push_back(2);
    add_tlv(acct, 7, {});                 // immutableOwner
    add_tlv(acct, 2, {5, 0, 0, 0, 0, 0, 0, 0});  // transferFeeAmount
    put(key(0x24), plain(2074080, acct, kToken22));
  }
};

TEST_F(TokenFixture, JsonParsedTokenAccountAndMint) {
  json a = result("getAccountInfo", {b58(key(0x22)), {{"encoding", "jsonParsed"}}})["value"];
  EXPECT_EQ(a["data"], json({{"program", "spl-token"},
                             {"parsed", {{"type", "account"},
                                         {"info", {{"mint", b58(mint)}, {"owner", b58(owner)},
                                                   {"tokenAmount", {{"amount", "20"}, {"decimals", 6}, {"uiAmount", 0.00002},
                                                                    {"uiAmountString", "0.00002"}}},
                                                   {"delegate", b58(delegate)},
                                                   {"delegatedAmount", {{"amount", "7"}, {"decimals", 6}, {"uiAmount", 0.000007},
                                                                        {"uiAmountString", "0.000007"}}},
                                                   {"state", "initialized"}, {"isNative", false}}}}},
                             {"space", 165}}));
  json m = result("getAccountInfo", {b58(mint), {{"encoding", "jsonParsed"}}})["value"]["data"];
  EXPECT_EQ(m, json({{"program", "spl-token"},
                     {"parsed", {{"type", "mint"},
                                 {"info", {{"mintAuthority", b58(key(0x33))}, {"supply", "5000000"}, {"decimals", 6},
                                           {"isInitialized", true}, {"freezeAuthority", nullptr}}}}},
                     {"space", 82}}));
  json m22 = result("getAccountInfo", {b58(mint22), {{"encoding", "jsonParsed"}}})["value"]["data"];
  EXPECT_EQ(m22["program"], "spl-token-2022");
  EXPECT_EQ(m22["parsed"]["info"]["extensions"],
            json::array({{{"extension", "transferFeeConfig"},
                          {"state", {{"transferFeeConfigAuthority", b58(key(0x50))}, {"withdrawWithheldAuthority", nullptr},
                                     {"withheldAmount", 12},
                                     {"olderTransferFee", {{"epoch", 1}, {"maximumFee", 1000}, {"transferFeeBasisPoints", 50}}},
                                     {"newerTransferFee", {{"epoch", 2}, {"maximumFee", 2000}, {"transferFeeBasisPoints", 300}}}}}},
                         {{"extension", "mintCloseAuthority"}, {"state", {{"closeAuthority", nullptr}}}},
                         {{"extension", "metadataPointer"},
                          {"state", {{"authority", b58(key(0x51))}, {"metadataAddress", b58(mint22)}}}},
                         {{"extension", "tokenMetadata"},
                          {"state", {{"updateAuthority", b58(key(0x51))}, {"mint", b58(mint22)}, {"name", "Lumio"},
                                     {"symbol", "LUM"}, {"uri", "https://x"},
                                     {"additionalMetadata", json::array({json::array({"k", "v"})})}}}}}));
  json a22 = result("getAccountInfo", {b58(key(0x24)), {{"encoding", "jsonParsed"}}})["value"]["data"];
  EXPECT_EQ(a22["parsed"]["info"]["tokenAmount"]["uiAmountString"], "0.42");
  EXPECT_EQ(a22["parsed"]["info"]["extensions"],
            json::array({{{"extension", "immutableOwner"}},
                         {{"extension", "transferFeeAmount"}, {"state", {{"withheldAmount", 5}}}}}));
  // A wrapped-SOL account: the native mint needs no lookup (9 decimals); isNative + rentExemptReserve.
  Bytes wsol = token_account_data(from_b58("So11111111111111111111111111111111111111112"), owner, 5'000'000'000);
  wsol[109] = 1;
  put64(wsol, 113, 2039280);
  put(key(0x26), plain(5'002'039'280, wsol, kToken));
  json n = result("getAccountInfo", {b58(key(0x26)), {{"encoding", "jsonParsed"}}})["value"]["data"]["parsed"]["info"];
  EXPECT_EQ(n["isNative"], true);
  EXPECT_EQ(n["tokenAmount"], json({{"amount", "5000000000"}, {"decimals", 9}, {"uiAmount", 5.0}, {"uiAmountString", "5"}}));
  EXPECT_EQ(n["rentExemptReserve"], json({{"amount", "2039280"}, {"decimals", 9}, {"uiAmount", 0.00203928},
                                          {"uiAmountString", "0.00203928"}}));
  // Broken token data falls back to base64.
  put(key(0x25), plain(1, Bytes(10, 1), kToken));
  EXPECT_EQ(result("getAccountInfo", {b58(key(0x25)), {{"encoding", "jsonParsed"}}})["value"]["data"][1], "base64");
}

TEST_F(TokenFixture, TokenQueries) {
  EXPECT_EQ(result("getTokenAccountBalance", {b58(key(0x21))}),
            ctx(10, {{"amount", "1500000"}, {"decimals", 6}, {"uiAmount", 1.5}, {"uiAmountString", "1.5"}}));
  EXPECT_EQ(error("getTokenAccountBalance", {b58(key(0x77))}).at("message"), "Invalid param: could not find account");
  EXPECT_EQ(error("getTokenAccountBalance", {b58(mint)}).at("message"), "Invalid param: not a Token account");
  EXPECT_EQ(result("getTokenSupply", {b58(mint)}),
            ctx(10, {{"amount", "5000000"}, {"decimals", 6}, {"uiAmount", 5.0}, {"uiAmountString", "5"}}));
  EXPECT_EQ(error("getTokenSupply", {b58(key(0x21))}).at("message"), "Invalid param: mint could not be unpacked");
  json largest = result("getTokenLargestAccounts", {b58(mint)})["value"];
  ASSERT_EQ(largest.size(), 3u);
  EXPECT_EQ(largest[0], json({{"address", b58(key(0x21))}, {"amount", "1500000"}, {"decimals", 6},
                              {"uiAmount", 1.5}, {"uiAmountString", "1.5"}}));
  EXPECT_EQ(largest[1]["address"], b58(key(0x23)));
  EXPECT_EQ(largest[2]["address"], b58(key(0x22)));

  json by_owner = result("getTokenAccountsByOwner", {b58(owner), {{"mint", b58(mint)}}, {{"encoding", "base64"}}});
  EXPECT_EQ(by_owner["context"]["slot"], 10);
  ASSERT_EQ(by_owner["value"].size(), 2u);
  EXPECT_EQ(by_owner["value"][0]["pubkey"], b58(key(0x21)));
  EXPECT_EQ(by_owner["value"][1]["pubkey"], b58(key(0x22)));
  json by_program = result("getTokenAccountsByOwner",
                           {b58(owner), {{"programId", b58(kToken22)}}, {{"encoding", "jsonParsed"}}});
  ASSERT_EQ(by_program["value"].size(), 1u);
  EXPECT_EQ(by_program["value"][0]["account"]["data"]["parsed"]["info"]["mint"], b58(mint22));
  // Default encoding is binary (base58): 165-byte token accounts are refused, as Agave does.
  EXPECT_EQ(error("getTokenAccountsByOwner", {b58(owner), {{"mint", b58(mint)}}}).at("code"), -32600);
  EXPECT_EQ(error("getTokenAccountsByOwner", {b58(owner), {{"programId", b58(key(1))}}}).at("message"),
            "Invalid param: unrecognized Token program id");
  EXPECT_EQ(error("getTokenAccountsByOwner", {b58(owner), {{"mint", b58(key(0x21))}}}).at("message"),
            "Invalid param: mint could not be unpacked");
  EXPECT_EQ(error("getTokenAccountsByOwner", {b58(owner), {{"owner", b58(mint)}}}).at("message"),
            "Invalid params: unknown variant `owner`, expected `mint` or `programId`.");
  json by_delegate = result("getTokenAccountsByDelegate",
                            {b58(delegate), {{"programId", b58(kToken)}}, {{"encoding", "base64"}}});
  ASSERT_EQ(by_delegate["value"].size(), 1u);
  EXPECT_EQ(by_delegate["value"][0]["pubkey"], b58(key(0x22)));
  // The TokenAccountState filter in getProgramAccounts.
  json states = result("getProgramAccounts", params(b58(kToken), with_filters(json::array({"tokenAccountState"}), {{"encoding", "base64"}})));
  EXPECT_EQ(states.size(), 3u);
}

// ---------------------------------------------------------------- blocks and transactions

struct BlockFixture : SolApiTest {
  Keypair payer{1};
  svm::Transaction tx;
  SolSignature sig{};
  void SetUp() override {
    SolApiTest::SetUp();
    tx = transfer_tx(payer, key(5), 10, bank.latest);
    sig = tx.signatures[0];
    SolTxWithMeta t;
    t.wire = wire(tx);
    t.meta.fee = 5000;
    t.meta.pre_balances = {100000, 0, 1};
    t.meta.post_balances = {94990, 10, 1};
    t.meta.log_messages = std::vector<std::string>{"Program 11111111111111111111111111111111 invoke [1]",
                                                   "Program 11111111111111111111111111111111 success"};
    t.meta.inner_instructions = std::vector<SolInnerInstructions>{{0, {{2, {0, 1}, {9, 9}, 2u}}}};
    t.meta.pre_token_balances = std::vector<SolTokenBalance>{{1, key(0x30), key(0x31), kToken, 1500, 2}};
    t.meta.post_token_balances = std::vector<SolTokenBalance>{};
    t.meta.compute_units_consumed = 150;
    SolBlock b;
    b.blockhash = bank.latest;
    b.previous_blockhash = key(0x41);
    b.parent_slot = 4;
    b.block_height = 3;
    b.block_time = 1700000000;
    b.transactions = {t};
    bank.blocks_[5] = b;
    SolBlock b7 = b;
    b7.parent_slot = 5;
    b7.transactions.clear();
    bank.blocks_[7] = b7;
    bank.txs_[sig] = SolConfirmedTx{5, 1700000000, t};
    bank.statuses_[sig] = SolSignatureStatus{5, std::nullopt, std::nullopt, Commitment::kFinalized};
  }
};

TEST_F(BlockFixture, GetBlockShapes) {
  json blk = result("getBlock", {5});
  json meta = {{"err", nullptr},
               {"status", {{"Ok", nullptr}}},
               {"fee", 5000},
               {"preBalances", {100000, 0, 1}},
               {"postBalances", {94990, 10, 1}},
               {"innerInstructions",
                {{{"index", 0},
                  {"instructions", {{{"programIdIndex", 2}, {"accounts", {0, 1}}, {"data", b58(Bytes{9, 9})},
                                     {"stackHeight", 2}}}}}}},
               {"logMessages", {"Program 11111111111111111111111111111111 invoke [1]",
                                "Program 11111111111111111111111111111111 success"}},
               {"preTokenBalances",
                {{{"accountIndex", 1}, {"mint", b58(key(0x30))}, {"owner", b58(key(0x31))}, {"programId", b58(kToken)},
                  {"uiTokenAmount", {{"amount", "1500"}, {"decimals", 2}, {"uiAmount", 15.0}, {"uiAmountString", "15"}}}}}},
               {"postTokenBalances", json::array()},
               {"rewards", json::array()},
               {"loadedAddresses", {{"writable", json::array()}, {"readonly", json::array()}}},
               {"computeUnitsConsumed", 150}};
  json txjson = {{"signatures", {b58(sig)}},
                 {"message", {{"header", {{"numRequiredSignatures", 1}, {"numReadonlySignedAccounts", 0},
                                          {"numReadonlyUnsignedAccounts", 1}}},
                              {"accountKeys", {b58(payer.pubkey()), b58(key(5)), b58(SolPubkey{})}},
                              {"recentBlockhash", b58(bank.latest)},
                              {"instructions", {{{"programIdIndex", 2}, {"accounts", {0, 1}},
                                                 {"data", b58(tx.message.instructions[0].data)},
                                                 {"stackHeight", nullptr}}}}}}};
  EXPECT_EQ(blk, json({{"blockhash", b58(bank.latest)}, {"previousBlockhash", b58(key(0x41))}, {"parentSlot", 4},
                       {"blockTime", 1700000000}, {"blockHeight", 3}, {"rewards", json::array()},
                       {"transactions", {{{"transaction", txjson}, {"meta", meta}}}}}));
  // Binary encodings and maxSupportedTransactionVersion.
  json b64blk = result("getBlock", {5, {{"encoding", "base64"}, {"maxSupportedTransactionVersion", 0}}});
  EXPECT_EQ(b64blk["transactions"][0]["transaction"], json::array({b64(wire(tx)), "base64"}));
  EXPECT_EQ(b64blk["transactions"][0]["version"], "legacy");
  EXPECT_EQ(result("getBlock", {5, "base58"})["transactions"][0]["transaction"], json::array({b58(wire(tx)), "base58"}));
  json sigs = result("getBlock", {5, {{"transactionDetails", "signatures"}, {"rewards", false}}});
  EXPECT_EQ(sigs, json({{"blockhash", b58(bank.latest)}, {"previousBlockhash", b58(key(0x41))}, {"parentSlot", 4},
                        {"blockTime", 1700000000}, {"blockHeight", 3}, {"signatures", {b58(sig)}}}));
  json none = result("getBlock", {5, {{"transactionDetails", "none"}}});
  EXPECT_FALSE(none.contains("transactions"));
  EXPECT_FALSE(none.contains("signatures"));
  json parsed = result("getBlock", {5, {{"encoding", "jsonParsed"}}})["transactions"][0];
  EXPECT_EQ(parsed["transaction"]["message"]["accountKeys"],
            json::array({{{"pubkey", b58(payer.pubkey())}, {"writable", true}, {"signer", true}, {"source", "transaction"}},
                         {{"pubkey", b58(key(5))}, {"writable", true}, {"signer", false}, {"source", "transaction"}},
                         {{"pubkey", b58(SolPubkey{})}, {"writable", false}, {"signer", false}, {"source", "transaction"}}}));
  EXPECT_EQ(parsed["transaction"]["message"]["instructions"][0],
            json({{"program", "system"}, {"programId", b58(SolPubkey{})},
                  {"parsed", {{"type", "transfer"},
                              {"info", {{"source", b58(payer.pubkey())}, {"destination", b58(key(5))}, {"lamports", 10}}}}},
                  {"stackHeight", nullptr}}));
  // Unparsable instruction data (the inner [9, 9]) stays partially decoded.
  EXPECT_EQ(parsed["meta"]["innerInstructions"][0]["instructions"][0],
            json({{"programId", b58(SolPubkey{})}, {"accounts", {b58(payer.pubkey()), b58(key(5))}},
                  {"data", b58(Bytes{9, 9})}, {"stackHeight", 2}}));
  EXPECT_FALSE(parsed["meta"].contains("loadedAddresses"));
  json accounts = result("getBlock", {5, {{"transactionDetails", "accounts"}}})["transactions"][0];
  EXPECT_EQ(accounts["transaction"]["signatures"], json::array({b58(sig)}));
  EXPECT_EQ(accounts["transaction"]["accountKeys"].size(), 3u);
  EXPECT_FALSE(accounts["meta"].contains("logMessages"));

  // Errors.
  EXPECT_EQ(error("getBlock", {5, {{"commitment", "processed"}}}),
            json({{"code", -32602}, {"message", "Method does not support commitment below `confirmed`"}}));
  EXPECT_EQ(error("getBlock", {11}), json({{"code", -32004}, {"message", "Block not available for slot 11"}}));
  EXPECT_EQ(error("getBlock", {6}),
            json({{"code", -32007},
                  {"message", "Slot 6 was skipped, or missing due to ledger jump to recent snapshot"}}));
  EXPECT_EQ(error("getBlock", {1}),
            json({{"code", -32001},
                  {"message", "Block 1 cleaned up, does not exist on node. First available block: 2"}}));
  EXPECT_EQ(error("getBlock", {"5"}).at("message"), "Invalid params: invalid type: string \"5\", expected u64.");
  EXPECT_EQ(error("getBlock", {5, 7}).at("message"),
            "Invalid params: data did not match any variant of untagged enum RpcEncodingConfigWrapper.");
}

TEST_F(BlockFixture, VersionedTransactionNeedsMaxSupportedVersion) {
  auto v0 = transfer_tx(payer, key(6), 1, bank.latest, true);
  SolTxWithMeta t;
  t.wire = wire(v0);
  t.meta.loaded_writable = {key(0x60)};
  bank.blocks_[8] = SolBlock{bank.latest, key(1), 7, 4, 1700000001, {t}};
  EXPECT_EQ(error("getBlock", {8}),
            json({{"code", -32015},
                  {"message", "Transaction version (0) is not supported by the requesting client. Please try the "
                              "request again with the following configuration parameter: "
                              "\"maxSupportedTransactionVersion\": 0"}}));
  json b = result("getBlock", {8, {{"maxSupportedTransactionVersion", 0}}});
  EXPECT_EQ(b["transactions"][0]["version"], 0);
  EXPECT_EQ(b["transactions"][0]["transaction"]["message"]["addressTableLookups"], json::array());
  EXPECT_EQ(b["transactions"][0]["meta"]["loadedAddresses"],
            json({{"writable", {b58(key(0x60))}}, {"readonly", json::array()}}));
  json p = result("getBlock", {8, {{"maxSupportedTransactionVersion", 0}, {"encoding", "jsonParsed"}}});
  EXPECT_EQ(p["transactions"][0]["transaction"]["message"]["accountKeys"][3],
            json({{"pubkey", b58(key(0x60))}, {"writable", true}, {"signer", false}, {"source", "lookupTable"}}));
}

TEST_F(BlockFixture, MemoAndSystemInstructionsParse) {
  // A memo (SPL Memo v3) and a createAccount in one transaction, encoded jsonParsed.
  svm::Transaction t;
  t.message.header = {2, 0, 2};
  SolPubkey memo = from_b58("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
  t.message.account_keys = {payer.pubkey(), key(8), memo, SolPubkey{}};
  t.message.recent_blockhash = bank.latest;
  std::string text = "hello \xc3\xa9";
  t.message.instructions.push_back({2, {}, Bytes(text.begin(), text.end())});
  Bytes create = {0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) create.push_back(i == 0 ? 100 : 0);  // lamports 100
  for (int i = 0; i < 8; ++i) create.push_back(i == 0 ? 16 : 0);   // space 16
  create.insert(create.end(), key(9).begin(), key(9).end());
  t.message.instructions.push_back({3, {0, 1}, create});
  t.message.instructions.push_back({2, {}, Bytes{0xff}});  // not UTF-8: partially decoded
  t.message_bytes = svm::encode_message(t.message);
  t.signatures = {svm::Signature{}, svm::Signature{}};
  SolTxWithMeta tm;
  tm.wire = wire(t);
  json ixs = sol::encode_tx_with_meta(tm, sol::TxEncoding::kJsonParsed, std::nullopt, sol::TxDetails::kFull, true)
                 ["transaction"]["message"]["instructions"];
  EXPECT_EQ(ixs[0], json({{"program", "spl-memo"}, {"programId", b58(memo)}, {"parsed", "hello \xc3\xa9"},
                          {"stackHeight", nullptr}}));
  EXPECT_EQ(ixs[1]["parsed"], json({{"type", "createAccount"},
                                    {"info", {{"source", b58(payer.pubkey())}, {"newAccount", b58(key(8))},
                                              {"lamports", 100}, {"space", 16}, {"owner", b58(key(9))}}}}));
  EXPECT_EQ(ixs[2]["data"], b58(Bytes{0xff}));
  EXPECT_FALSE(ixs[2].contains("parsed"));
}

TEST_F(BlockFixture, BlocksAndTimes) {
  EXPECT_EQ(result("getBlocks", {0}), json::array({5, 7}));
  EXPECT_EQ(result("getBlocks", {5, 6}), json::array({5}));
  EXPECT_EQ(result("getBlocks", {6, {{"commitment", "confirmed"}}}), json::array({7}));
  EXPECT_EQ(result("getBlocks", {9, 8}), json::array());
  bank.finalized = 600001;  // the end is clamped to the bank's slot before the range check
  EXPECT_EQ(error("getBlocks", {0, 600000}).at("message"), "Slot range too large; max 500000");
  bank.finalized = 10;
  EXPECT_EQ(error("getBlocks", {0, {{"commitment", "processed"}}}).at("message"),
            "Method does not support commitment below `confirmed`");
  EXPECT_EQ(result("getBlocksWithLimit", {0, 1}), json::array({5}));
  EXPECT_EQ(error("getBlocksWithLimit", {0, 500001}).at("message"), "Limit too large; max 500000");
  EXPECT_EQ(error("getBlocksWithLimit", {0}).at("message"), "`params` should have at least 2 argument(s)");
  EXPECT_EQ(result("getBlockTime", {5}), 1700000000);
  EXPECT_EQ(error("getBlockTime", {6}).at("code"), -32007);
  EXPECT_EQ(error("getBlockTime", {50}).at("code"), -32004);
  EXPECT_EQ(error("getBlockTime", json::array()).at("message"),
            "Invalid params: invalid length 0, expected a tuple of size 1.");
  EXPECT_EQ(error("getBlockTime", {5, 6}).at("message"),
            "Invalid params: invalid length 2, expected fewer elements in array.");
}

TEST_F(BlockFixture, SignaturesAndTransactions) {
  SolSignature unknown;
  unknown.fill(1);
  EXPECT_EQ(result("getSignatureStatuses", json::array({json::array({b58(sig), b58(unknown)})})),
            ctx(12, {{{"slot", 5}, {"confirmations", nullptr}, {"status", {{"Ok", nullptr}}}, {"err", nullptr},
                      {"confirmationStatus", "finalized"}},
                     nullptr}));
  EXPECT_EQ(error("getSignatureStatuses", {{"abc"}}).at("message"), "Invalid param: WrongSize");
  EXPECT_EQ(error("getSignatureStatuses", {{b58(sig)}, {{"foo", 1}}}).at("message"),
            "Invalid params: missing field `searchTransactionHistory`.");
  json many = json::array();
  for (int i = 0; i < 257; ++i) many.push_back(b58(sig));
  EXPECT_EQ(error("getSignatureStatuses", {many}).at("message"), "Too many inputs provided; max 256");

  EXPECT_EQ(result("getSignaturesForAddress", {b58(payer.pubkey())}),
            json::array({{{"signature", b58(sig)}, {"slot", 5}, {"err", nullptr}, {"memo", nullptr},
                          {"blockTime", 1700000000}, {"confirmationStatus", "finalized"}}}));
  EXPECT_EQ(error("getSignaturesForAddress", {b58(payer.pubkey()), {{"limit", 0}}}).at("message"), "Invalid limit; max 1000");
  EXPECT_EQ(error("getSignaturesForAddress", {b58(payer.pubkey()), {{"limit", 1001}}}).at("message"),
            "Invalid limit; max 1000");
  EXPECT_EQ(error("getSignaturesForAddress", {b58(payer.pubkey()), {{"before", "x0"}}}).at("message"), "Invalid param: Invalid");

  json t = result("getTransaction", {b58(sig)});
  EXPECT_EQ(t["slot"], 5);
  EXPECT_EQ(t["blockTime"], 1700000000);
  EXPECT_EQ(t["meta"]["fee"], 5000);
  EXPECT_EQ(t["transaction"]["signatures"], json::array({b58(sig)}));
  EXPECT_FALSE(t.contains("version"));
  EXPECT_EQ(result("getTransaction", {b58(sig), "base64"})["transaction"], json::array({b64(wire(tx)), "base64"}));
  EXPECT_EQ(result("getTransaction", {b58(sig), {{"maxSupportedTransactionVersion", 0}}})["version"], "legacy");
  EXPECT_TRUE(result("getTransaction", {b58(unknown)}).is_null());
  EXPECT_EQ(error("getTransaction", {b58(sig), {{"commitment", "processed"}}}).at("message"),
            "Method does not support commitment below `confirmed`");
}

TEST_F(BlockFixture, TransactionErrorsRenderAsSerde) {
  SolTxError custom{"InstructionError", 0, "Custom", 1, ""};
  EXPECT_EQ(sol::tx_error_json(custom), json({{"InstructionError", {0, {{"Custom", 1}}}}}));
  EXPECT_EQ(sol::tx_error_text(custom), "Error processing Instruction 0: custom program error: 0x1");
  SolTxError unit{"InstructionError", 1, "InvalidArgument", 0, ""};
  EXPECT_EQ(sol::tx_error_json(unit), json({{"InstructionError", {1, "InvalidArgument"}}}));
  EXPECT_EQ(sol::tx_error_json(txerr("AccountNotFound")), json("AccountNotFound"));
  EXPECT_EQ(sol::tx_error_json(txerr("InsufficientFundsForRent", 3)),
            json({{"InsufficientFundsForRent", {{"account_index", 3}}}}));
  EXPECT_EQ(sol::tx_error_json(txerr("DuplicateInstruction", 2)), json({{"DuplicateInstruction", 2}}));
  EXPECT_EQ(sol::tx_error_text(txerr("BlockhashNotFound")), "Blockhash not found");
  // A failed transaction in getSignatureStatuses.
  bank.statuses_[sig] = SolSignatureStatus{11, 1, custom, Commitment::kConfirmed};
  EXPECT_EQ(result("getSignatureStatuses", {{b58(sig)}})["value"][0],
            json({{"slot", 11}, {"confirmations", 1},
                  {"status", {{"Err", {{"InstructionError", {0, {{"Custom", 1}}}}}}}},
                  {"err", {{"InstructionError", {0, {{"Custom", 1}}}}}}, {"confirmationStatus", "confirmed"}}));
}

// ---------------------------------------------------------------- send / simulate

TEST_F(SolApiTest, SendTransaction) {
  Keypair payer(1);
  auto tx = transfer_tx(payer, key(5), 10, bank.latest);
  std::string sig = b58(tx.signatures[0]);
  EXPECT_EQ(result("sendTransaction", {b58(wire(tx))}), sig);
  EXPECT_EQ(result("sendTransaction", {b64(wire(tx)), {{"encoding", "base64"}}}), sig);
  ASSERT_EQ(bank.sent.size(), 2u);
  EXPECT_EQ(bank.sim_calls.size(), 2u);  // preflight ran
  EXPECT_EQ(bank.sim_calls[0].commitment, Commitment::kFinalized);

  // A bad signature: -32003 unless skipPreflight.
  auto forged = tx;
  forged.signatures[0][5] ^= 1;
  EXPECT_EQ(error("sendTransaction", {b58(wire(forged))}),
            json({{"code", -32003}, {"message", "Transaction signature verification failure"}}));
  EXPECT_EQ(result("sendTransaction", {b58(wire(forged)), {{"skipPreflight", true}}}), b58(forged.signatures[0]));

  // Preflight failure carries the simulation.
  bank.next_sim.err = SolTxError{"InstructionError", 0, "Custom", 1, ""};
  bank.next_sim.logs = {"Program log: fail"};
  bank.next_sim.units_consumed = 300;
  bank.next_sim.return_data = SolReturnData{key(7), {1, 2}};
  EXPECT_EQ(error("sendTransaction", {b58(wire(tx)), {{"preflightCommitment", "processed"}}}),
            json({{"code", -32002},
                  {"message", "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1"},
                  {"data", {{"err", {{"InstructionError", {0, {{"Custom", 1}}}}}},
                            {"logs", {"Program log: fail"}},
                            {"accounts", nullptr},
                            {"unitsConsumed", 300},
                            {"loadedAccountsDataSize", nullptr},
                            {"returnData", {{"programId", b58(key(7))}, {"data", {"AQI=", "base64"}}}},
                            {"innerInstructions", nullptr},
                            {"replacementBlockhash", nullptr}}}}));
  EXPECT_EQ(bank.sim_calls.back().commitment, Commitment::kProcessed);

  // Decoding errors, Agave's texts.
  EXPECT_EQ(error("sendTransaction", {"0OIl"}).at("message"),
            "invalid base58 encoding: InvalidCharacter { character: '0', index: 0 }");
  EXPECT_EQ(error("sendTransaction", {std::string(1684, '1')}).at("message"),
            "base58 encoded solana_transaction::versioned::VersionedTransaction too large: 1684 bytes (max: "
            "encoded/raw 1683/1232)");
  EXPECT_EQ(error("sendTransaction", {b58(Bytes{1, 2, 3})}).at("message"),
            "failed to deserialize solana_transaction::versioned::VersionedTransaction: io error: failed to fill whole buffer");
  EXPECT_EQ(error("sendTransaction", {b58(wire(tx)), {{"encoding", "json"}}}).at("message"),
            "unsupported encoding: json. Supported encodings: base58, base64");
  EXPECT_EQ(error("sendTransaction", {b58(wire(tx)), {{"minContextSlot", 99}}}).at("code"), -32016);
  auto dup = tx;
  dup.message.account_keys[1] = dup.message.account_keys[0];
  EXPECT_EQ(error("sendTransaction", {b58(svm::encode_transaction(dup))}).at("message"),
            "invalid transaction: Account loaded twice");
}

TEST_F(SolApiTest, SimulateTransaction) {
  Keypair payer(1);
  put(key(5), plain(10, {1}, key(9)));
  auto tx = transfer_tx(payer, key(5), 10, key(0x13));
  bank.next_sim.logs = {"Program 11111111111111111111111111111111 invoke [1]"};
  bank.next_sim.units_consumed = 150;
  bank.next_sim.loaded_accounts_data_size = 42;
  bank.next_sim.inner_instructions = std::vector<SolInnerInstructions>{{0, {{2, {0, 1}, {7}, 2u}}}};
  json r = result("simulateTransaction",
                  {b64(wire(tx)), {{"encoding", "base64"}, {"replaceRecentBlockhash", true}, {"innerInstructions", true},
                                   {"accounts", {{"addresses", {b58(key(5)), b58(key(6))}}}}}});
  EXPECT_EQ(r, ctx(10, {{"err", nullptr},
                        {"logs", {"Program 11111111111111111111111111111111 invoke [1]"}},
                        {"accounts", {{{"lamports", 10}, {"data", {"AQ==", "base64"}}, {"owner", b58(key(9))},
                                       {"executable", false}, {"rentEpoch", UINT64_MAX}, {"space", 1}},
                                      nullptr}},
                        {"unitsConsumed", 150},
                        {"loadedAccountsDataSize", 42},
                        {"returnData", nullptr},
                        {"innerInstructions",
                         {{{"index", 0},
                           {"instructions", {{{"programId", b58(SolPubkey{})},
                                              {"accounts", {b58(payer.pubkey()), b58(key(5))}},
                                              {"data", b58(Bytes{7})},
                                              {"stackHeight", 2}}}}}}},
                        {"replacementBlockhash", {{"blockhash", b58(bank.latest)}, {"lastValidBlockHeight", 200}}}}));
  EXPECT_TRUE(bank.sim_calls.back().replace_recent_blockhash);
  EXPECT_EQ(error("simulateTransaction", {b58(wire(tx)), {{"sigVerify", true}, {"replaceRecentBlockhash", true}}})
                .at("message"),
            "sigVerify may not be used with replaceRecentBlockhash");
  EXPECT_EQ(error("simulateTransaction",
                  {b58(wire(tx)), {{"accounts", {{"encoding", "base58"}, {"addresses", json::array()}}}}})
                .at("message"),
            "base58 encoding not supported");
  EXPECT_EQ(error("simulateTransaction",
                  {b58(wire(tx)), {{"accounts", {{"addresses", {b58(key(1)), b58(key(1)), b58(key(1)), b58(key(1))}}}}}})
                .at("message"),
            "Too many accounts provided; max 3");
  auto forged = tx;
  forged.signatures[0][0] ^= 1;
  EXPECT_EQ(error("simulateTransaction", {b58(wire(forged)), {{"sigVerify", true}}}).at("code"), -32003);
  EXPECT_EQ(result("simulateTransaction", {b58(wire(forged))})["value"]["err"], nullptr);
}

// ---------------------------------------------------------------- PubSub

struct Ws {
  WsClient c;
  explicit Ws(uint16_t port) : c(port) {}
  json call(const std::string& method, json params = json::array()) {
    c.send(json({{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}).dump());
    return json::parse(c.read());
  }
  json next() { return json::parse(c.read(5s)); }
};

TEST_F(SolApiTest, AccountAndProgramSubscriptions) {
  Ws ws(server->port());
  json sub = ws.call("accountSubscribe", {b58(key(1)), {{"encoding", "base64"}, {"commitment", "confirmed"}}});
  EXPECT_EQ(sub, json({{"jsonrpc", "2.0"}, {"id", 1}, {"result", 0}}));
  json prog = ws.call("programSubscribe", params(b58(key(9)), with_filters(json::array({json{{"dataSize", 2}}}), {{"encoding", "base64"}})));
  EXPECT_EQ(prog["result"], 1);
  std::vector<SolAccountChange> ch = {{key(1), plain(5, {1, 2}, key(9))}, {key(2), plain(6, {3}, key(9))}};
  api->notify_accounts(13, ch, Commitment::kFinalized);  // account sub is at confirmed: only the program sub
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "programNotification"},
                             {"params", {{"subscription", 1},
                                         {"result", {{"context", {{"slot", 13}}},
                                                     {"value", {{"pubkey", b58(key(1))},
                                                                {"account", {{"lamports", 5}, {"data", {"AQI=", "base64"}},
                                                                             {"owner", b58(key(9))}, {"executable", false},
                                                                             {"rentEpoch", UINT64_MAX}, {"space", 2}}}}}}}}}}));
  api->notify_accounts(14, ch, Commitment::kConfirmed);
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "accountNotification"},
                             {"params", {{"subscription", 0},
                                         {"result", {{"context", {{"slot", 14}}},
                                                     {"value", {{"lamports", 5}, {"data", {"AQI=", "base64"}},
                                                                {"owner", b58(key(9))}, {"executable", false},
                                                                {"rentEpoch", UINT64_MAX}, {"space", 2}}}}}}}}));
  EXPECT_EQ(ws.call("accountUnsubscribe", {0})["result"], true);
  EXPECT_EQ(ws.call("accountUnsubscribe", {0})["error"],
            json({{"code", -32602}, {"message", "Invalid subscription id."}}));
  EXPECT_EQ(ws.call("accountSubscribe", {"xyz"})["error"],
            json({{"code", -32602}, {"message", "Invalid Request: Invalid pubkey provided"}}));
  EXPECT_EQ(ws.call("programSubscribe", params(b58(key(9)), with_filters(json::array({memcmp_f(0, "0")}))))["error"]
                ["message"],
            "Invalid params: Invalid param: Base58DecodeError(InvalidCharacter { character: '0', index: 0 })");
  // Over HTTP there is no push channel.
  EXPECT_EQ(error("slotSubscribe").at("code"), -32601);
}

TEST_F(SolApiTest, SignatureSubscriptionNotifiesOnceThenEnds) {
  Ws ws(server->port());
  SolSignature sig;
  sig.fill(4);
  EXPECT_EQ(ws.call("signatureSubscribe", {b58(sig), {{"commitment", "processed"}, {"enableReceivedNotification", true}}})
                ["result"],
            0);
  api->notify_signature_received(sig, 20);
  EXPECT_EQ(ws.next()["params"], json({{"subscription", 0},
                                       {"result", {{"context", {{"slot", 20}}}, {"value", "receivedSignature"}}}}));
  SolTxEvent ev;
  ev.signature = sig;
  ev.slot = 21;
  ev.err = SolTxError{"InstructionError", 0, "Custom", 6, ""};
  api->notify_transactions(std::span(&ev, 1), Commitment::kFinalized);  // wrong level: nothing
  api->notify_transactions(std::span(&ev, 1), Commitment::kProcessed);
  json err = {{"InstructionError", json::array({0, {{"Custom", 6}}})}};
  json value = {{"err", err}};
  json result = {{"context", {{"slot", 21}}}, {"value", value}};
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "signatureNotification"},
                             {"params", {{"subscription", 0}, {"result", result}}}}));
  // Auto-unsubscribed after its notification.
  EXPECT_EQ(ws.call("signatureUnsubscribe", {0})["error"]["message"], "Invalid subscription id.");
  api->notify_transactions(std::span(&ev, 1));
  EXPECT_EQ(ws.call("getSlot")["result"], 10);  // no stray notification before this reply
  EXPECT_EQ(ws.call("signatureSubscribe", {"1"})["error"]["message"], "Invalid Request: Invalid signature provided");

  // A signature already confirmed when subscribing: the reply, then one notification, then gone.
  SolSignature seen;
  seen.fill(5);
  bank.statuses_[seen] = SolSignatureStatus{9, std::nullopt, std::nullopt, Commitment::kFinalized};
  json reply = ws.call("signatureSubscribe", {b58(seen), {{"commitment", "confirmed"}}});
  ASSERT_TRUE(reply["result"].is_number());
  json id = reply["result"];
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "signatureNotification"},
                             {"params", {{"subscription", id},
                                         {"result", {{"context", {{"slot", 11}}}, {"value", {{"err", nullptr}}}}}}}}));
  EXPECT_EQ(ws.call("signatureUnsubscribe", {id})["error"]["message"], "Invalid subscription id.");
}

TEST_F(SolApiTest, LogsSlotAndRootSubscriptions) {
  Ws ws(server->port());
  EXPECT_EQ(ws.call("logsSubscribe", {"all"})["result"], 0);
  EXPECT_EQ(ws.call("logsSubscribe", {{{"mentions", {b58(key(3))}}}})["result"], 1);
  EXPECT_EQ(ws.call("slotSubscribe")["result"], 2);
  EXPECT_EQ(ws.call("rootSubscribe")["result"], 3);
  EXPECT_EQ(ws.call("logsSubscribe", {{{"mentions", {b58(key(3)), b58(key(4))}}}})["error"]["message"],
            "Invalid Request: Only 1 address supported");
  EXPECT_EQ(ws.call("logsSubscribe", {{{"mentions", {"bad"}}}})["error"]["message"],
            "Invalid Request: Invalid mentions provided");
  EXPECT_EQ(ws.call("logsSubscribe", {"some"})["error"]["message"],
            "Invalid params: unknown variant `some`, expected one of `all`, `allWithVotes`, `mentions`.");
  SolTxEvent vote;
  vote.signature.fill(8);
  vote.slot = 30;
  vote.is_vote = true;
  vote.mentioned = {key(3)};
  vote.logs = {"Program Vote111111111111111111111111111111111111111 invoke [1]"};
  SolTxEvent other;
  other.signature.fill(9);
  other.slot = 30;
  other.logs = {"Program log: hi"};
  std::vector<SolTxEvent> evs = {vote, other};
  api->notify_transactions(evs);
  // "all" skips votes; mentions sees the vote that mentions key(3).
  std::map<int, json> got;
  for (int i = 0; i < 2; ++i) {
    json n = ws.next();
    EXPECT_EQ(n["method"], "logsNotification");
    got[n["params"]["subscription"].get<int>()] = n["params"]["result"];
  }
  EXPECT_EQ(got[0], json({{"context", {{"slot", 30}}},
                          {"value", {{"signature", b58(other.signature)}, {"err", nullptr}, {"logs", {"Program log: hi"}}}}}));
  EXPECT_EQ(got[1]["value"]["signature"], b58(vote.signature));
  api->notify_slot(31, 30, 20);
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "slotNotification"},
                             {"params", {{"subscription", 2}, {"result", {{"parent", 30}, {"root", 20}, {"slot", 31}}}}}}));
  api->notify_root(21);
  EXPECT_EQ(ws.next(), json({{"jsonrpc", "2.0"}, {"method", "rootNotification"},
                             {"params", {{"subscription", 3}, {"result", 21}}}}));
  EXPECT_EQ(ws.call("slotUnsubscribe", {2})["result"], true);
  EXPECT_EQ(ws.call("rootUnsubscribe", {"x"})["error"]["message"],
            "Invalid params: invalid type: string \"x\", expected u64.");
}

// ---------------------------------------------------------------- hostile input

TEST_F(SolApiTest, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  const char* methods[] = {"getAccountInfo", "getProgramAccounts", "sendTransaction", "simulateTransaction",
                           "getBlock", "getTransaction", "getFeeForMessage", "getTokenAccountsByOwner",
                           "getSignatureStatuses", "getBlocks", "requestAirdrop", "isBlockhashValid"};
  json samples[] = {nullptr, 1, -1, 1.5, "", "1111", std::string(3000, 'z'), json::array(), json::object(),
                    {{"encoding", "jsonParsed"}}, with_filters(json::array({memcmp_f(99999, "2")})),
                    {{"dataSlice", {{"offset", UINT64_MAX}, {"length", UINT64_MAX}}}, {"encoding", "base64"}}};
  HttpClient c(server->port());
  for (int i = 0; i < 400; ++i) {
    json params = json::array();
    int n = rng() % 4;
    for (int k = 0; k < n; ++k) params.push_back(samples[rng() % std::size(samples)]);
    json req = {{"jsonrpc", "2.0"}, {"id", i}, {"method", methods[rng() % std::size(methods)]}, {"params", params}};
    auto res = c.post(req.dump());
    json r = json::parse(res.body());
    EXPECT_TRUE(r.contains("result") || r.contains("error")) << req.dump();
  }
  // Random bytes as transactions.
  for (int i = 0; i < 200; ++i) {
    Bytes b(rng() % 300);
    for (auto& x : b) x = uint8_t(rng());
    json r = call("sendTransaction", {b64(b), {{"encoding", "base64"}}});
    EXPECT_EQ(r["error"]["code"], -32602) << r.dump();
  }
  auto res = c.post(std::string(100, '{'));
  EXPECT_EQ(json::parse(res.body())["error"]["code"], -32700);
  EXPECT_EQ(result("getSlot"), 10);
}

}  // namespace
