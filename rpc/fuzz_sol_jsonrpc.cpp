// libFuzzer target: the Solana JSON-RPC layer over a fixed tiny bank. The first byte picks what
// the rest is: 0-127 a JSON-RPC request body (single or batch) through the dispatcher and
// Agave-style parameter parsing; 128-191 a wire transaction sent to sendTransaction,
// simulateTransaction and getFeeForMessage; 192-255 account data owned by SPL Token-2022 /
// Token / the system program, rendered jsonParsed (the token, extension and nonce parsers).
// Properties: never crashes/hangs; every response is valid JSON.
// Run: rpc_fuzz_sol_jsonrpc -max_len=4096 <work dir> rpc/fuzz_sol_corpus
#include <cstdlib>
#include <cstring>
#include <map>

#include "rpc/sol_api.hpp"
#include "svm/syscalls.hpp"
#include "svm/transaction.hpp"

using namespace lumio;
using namespace lumio::rpc;

namespace {

struct TinyBank : SolBackend {
  std::map<SolPubkey, SolAccount> accounts_;
  SolHash latest{};
  uint64_t slot(Commitment c) override { return 10 + uint64_t(c); }
  uint64_t block_height(Commitment) override { return 9; }
  uint64_t transaction_count(Commitment) override { return 1; }
  SolAtSlot<std::optional<SolAccount>> account(const SolPubkey& k, Commitment c) override {
    auto it = accounts_.find(k);
    if (it == accounts_.end()) return {slot(c), std::nullopt};
    return {slot(c), it->second};
  }
  uint64_t scan_program_accounts(const SolPubkey& p, Commitment c, std::span<const SolAccountFilter>,
                                 const std::function<void(const SolPubkey&, const SolAccount&)>& visit) override {
    for (auto& [k, a] : accounts_)
      if (a.owner == p) visit(k, a);
    return slot(c);
  }
  SolAtSlot<SolBlockhash> latest_blockhash(Commitment c) override { return {slot(c), {latest, 100}}; }
  SolAtSlot<bool> is_blockhash_valid(const SolHash& h, Commitment c) override { return {slot(c), h == latest}; }
  SolAtSlot<std::optional<uint64_t>> fee_for_message(const svm::Message& m, Commitment c) override {
    return {slot(c), uint64_t(5000) * m.header.num_required_signatures};
  }
  Bytes block_tx;  // wire bytes of the one transaction in block 5 (set per input)
  std::optional<SolBlock> block(uint64_t s, Commitment) override {
    if (s != 5) return std::nullopt;
    SolBlock b;
    b.parent_slot = 4;
    if (!block_tx.empty()) {
      SolTxWithMeta t;
      t.wire = block_tx;
      t.meta.inner_instructions = std::vector<SolInnerInstructions>{{0, {{0, {0, 1, 250}, block_tx, 2u}}}};
      t.meta.loaded_writable = {SolPubkey{}};
      b.transactions.push_back(std::move(t));
    }
    return b;
  }
  std::vector<uint64_t> blocks(uint64_t start, uint64_t end, Commitment) override {
    return start <= 5 && 5 <= end ? std::vector<uint64_t>{5} : std::vector<uint64_t>{};
  }
  std::optional<int64_t> block_time(uint64_t s) override {
    return s == 5 ? std::optional<int64_t>(1700000000) : std::nullopt;
  }
  std::vector<std::optional<SolSignatureStatus>> signature_statuses(std::span<const SolSignature> s,
                                                                    bool) override {
    return std::vector<std::optional<SolSignatureStatus>>(s.size());
  }
  std::vector<SolSignatureInfo> signatures_for_address(const SolPubkey&, std::optional<SolSignature>,
                                                       std::optional<SolSignature>, size_t,
                                                       Commitment) override {
    return {};
  }
  std::optional<SolConfirmedTx> transaction(const SolSignature&, Commitment) override { return std::nullopt; }
  void send_transaction(const svm::Transaction&, std::optional<size_t>) override {}
  SolSimulation simulate_transaction(const svm::Transaction& tx, const SolSimulateOptions& o) override {
    SolSimulation s;
    s.slot = slot(o.commitment);
    s.logs = {"Program log: fuzz"};
    s.accounts.resize(o.accounts.size());
    if (!tx.message.instructions.empty() && !tx.message.instructions[0].data.empty()) {
      SolTxError e;
      e.kind = "InstructionError";
      e.instruction_error = "Custom";
      e.custom = tx.message.instructions[0].data[0];
      s.err = e;
    }
    s.inner_instructions = std::vector<SolInnerInstructions>{{0, {{0, {0, 200}, {1}, 2u}}}};
    return s;
  }
  SolHash genesis_hash() override { return {}; }
  SolPubkey identity() override { return {}; }
};

SolPubkey key_of(const char* b58) {
  SolPubkey k{};
  auto d = svm::base58_decode(b58);
  std::memcpy(k.data(), d->data(), 32);
  return k;
}

struct Harness {
  TinyBank bank;
  Server server{ServerOptions{}};
  SolApi api{server, bank};
};

void check(const std::string& out) {
  if (!out.empty() && json::parse(out, nullptr, false).is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness;  // never started: handle() needs no sockets
  if (size == 0) return 0;
  CallContext ctx;
  uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode < 128) {
    check(h->server.handle(rest, ctx));
  } else if (mode < 192) {
    std::string b64 = svm::base64(data + 1, size - 1);
    for (const char* m : {"sendTransaction", "simulateTransaction"}) {
      json cfg = {{"encoding", "base64"}, {"skipPreflight", (mode & 1) != 0}, {"sigVerify", (mode & 2) != 0},
                  {"innerInstructions", true}, {"replaceRecentBlockhash", (mode & 4) != 0},
                  {"accounts", {{"addresses", json::array({"11111111111111111111111111111111"})},
                                {"encoding", "jsonParsed"}}}};
      json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", m}, {"params", json::array({b64, cfg})}};
      check(h->server.handle(req.dump(), ctx));
    }
    json fee = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "getFeeForMessage"}, {"params", json::array({b64})}};
    check(h->server.handle(fee.dump(), ctx));
    // As a committed transaction: every encoding, incl. jsonParsed instruction parsers.
    Bytes wire(data + 1, data + size);
    if (svm::decode_transaction(wire)) {
      h->bank.block_tx = wire;
      for (const char* enc : {"json", "jsonParsed", "base64"}) {
        json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "getBlock"},
                    {"params", json::array({5, {{"encoding", enc}, {"maxSupportedTransactionVersion", 0},
                                                {"transactionDetails", (mode & 8) ? "accounts" : "full"}}})}};
        check(h->server.handle(req.dump(), ctx));
      }
      h->bank.block_tx.clear();
    }
  } else {
    static const SolPubkey owners[] = {key_of("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"),
                                       key_of("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"), SolPubkey{}};
    SolAccount a;
    a.lamports = 1;
    a.owner = owners[mode % 3];
    a.data.assign(data + 1, data + size);
    SolPubkey k;
    k.fill(1);
    h->bank.accounts_[k] = a;
    // The token account's mint: the same bytes as a mint, so both parsers see fuzzed input.
    if (a.data.size() >= 32) {
      SolPubkey mint;
      std::memcpy(mint.data(), a.data.data(), 32);
      if (mint != k) h->bank.accounts_[mint] = a;
    }
    for (const char* enc : {"jsonParsed", "base64+zstd", "base58"}) {
      json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "getAccountInfo"},
                  {"params", json::array({"4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi", {{"encoding", enc}}})}};
      check(h->server.handle(req.dump(), ctx));
    }
    json tok = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "getTokenAccountBalance"},
                {"params", json::array({"4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi"})}};
    check(h->server.handle(tok.dump(), ctx));
    h->bank.accounts_.clear();
  }
  return 0;
}
