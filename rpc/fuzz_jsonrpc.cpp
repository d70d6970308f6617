// libFuzzer target: arbitrary bytes as a JSON-RPC request body (single or batch) through the
// dispatcher and the eth namespace's parameter decoding, over a fixed tiny chain.
// Properties: never crashes/hangs; the response is empty or valid JSON.
// Run: rpc_fuzz_jsonrpc -max_len=4096 <work dir> rpc/fuzz_corpus
#include <cstdlib>

#include "rpc/eth_api.hpp"

using namespace lumio;
using namespace lumio::rpc;

namespace {

struct TinyChain : EthBackend {
  EthBlock genesis() {
    EthBlock b;
    b.hash.bytes.fill(0xa0);
    b.base_fee_per_gas = uint256(7);
    b.gas_limit = 30'000'000;
    return b;
  }
  uint64_t chain_id() override { return 1337; }
  uint64_t block_number() override { return 0; }
  std::optional<EthBlock> block_by_number(uint64_t n, bool) override {
    if (n) return std::nullopt;
    return genesis();
  }
  std::optional<EthBlock> block_by_hash(const Hash32& h, bool) override {
    if (h != genesis().hash) return std::nullopt;
    return genesis();
  }
  std::optional<EthTx> transaction_by_hash(const Hash32&) override { return std::nullopt; }
  std::optional<EthReceipt> receipt(const Hash32&) override { return std::nullopt; }
  std::optional<std::vector<EthReceipt>> block_receipts(uint64_t n) override {
    if (n) return std::nullopt;
    return std::vector<EthReceipt>{};
  }
  std::vector<EthLog> logs(uint64_t, uint64_t, const LogFilter&) override { return {}; }
  uint256 balance(const Address&, StateRef) override { return uint256(1); }
  uint64_t nonce(const Address&, StateRef) override { return 0; }
  Bytes code(const Address&, StateRef) override { return {}; }
  Hash32 storage(const Address&, const Hash32&, StateRef) override { return {}; }
  CallResult call(const CallRequest& r, StateRef, const StateOverrides&, const BlockOverrides&) override {
    CallResult c;
    c.output = r.input.value_or(Bytes{});
    if (!c.output.empty() && c.output[0] == 0xee) c.status = CallResult::Status::kRevert;
    return c;
  }
  CallResult estimate_gas(const CallRequest& r, StateRef at, const StateOverrides& s) override {
    return call(r, at, s, {});
  }
  uint256 gas_price() override { return uint256(7); }
  uint256 max_priority_fee_per_gas() override { return uint256(1); }
  uint256 next_base_fee() override { return uint256(7); }
  Hash32 send_raw_transaction(BytesView) override { throw RpcError(code::kServer, "rejected"); }
  Hash32 send_transaction(const CallRequest&) override { throw RpcError(code::kServer, "unknown account"); }
  std::vector<Address> accounts() override { return {}; }
  json trace_transaction(const Hash32&, const json&) override { return nullptr; }
  Bytes sign_hash(const Address&, const Hash32& d) override { return Bytes(d.bytes.begin(), d.bytes.end()); }
  uint64_t snapshot() override { return 1; }
  bool revert(uint64_t) override { return false; }
  void mine(uint64_t, std::optional<uint64_t>, uint64_t) override {}
  uint64_t increase_time(uint64_t s) override { return s; }
  void set_next_block_timestamp(uint64_t) override {}
  void set_balance(const Address&, const uint256&) override {}
  void set_code(const Address&, const Bytes&) override {}
  void set_nonce(const Address&, uint64_t) override {}
  void set_storage_at(const Address&, const Hash32&, const Hash32&) override {}
  void impersonate(const Address&, bool) override {}
};

struct Harness {
  TinyChain chain;
  Server server{ServerOptions{}};
  EthApi api{server, chain};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness;  // never started: handle() needs no sockets
  CallContext ctx;
  std::string out = h->server.handle(std::string_view(reinterpret_cast<const char*>(data), size), ctx);
  if (!out.empty() && json::parse(out, nullptr, false).is_discarded()) std::abort();
  return 0;
}
