// lumio-loadgen: the Ethereum load generator.
//
// For each target (lumio, anvil, ...) in the same run: funds fresh sender accounts from the
// dev accounts, pre-signs every transaction, sends them with eth_sendRawTransaction over
// several keep-alive connections, and watches blocks to time each transaction from send
// to inclusion (the moment its receipt becomes available). Prints sustained TPS and
// p50/p99 latency per target and the ratio between targets, plus the single-core
// ecrecover rate of libsecp256k1 (the signature-check ceiling).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "evm/transaction.hpp"
#include "node/dev_accounts.hpp"
#include "tools/loadgen/rpc_client.hpp"

using namespace lumio;
using namespace lumio::loadgen;
using Clock = std::chrono::steady_clock;

namespace {

uint64_t qty(const json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

using node::bench_address;
using node::bench_key;

struct Options {
  std::vector<std::pair<std::string, std::string>> targets;  // name, url
  size_t txs = 20000;
  size_t senders = 200;
  size_t conns = 8;
  size_t batch = 1;
  std::string kind = "eth";
  std::string erc20_bytecode;  // hex file, for kind=erc20
  std::string dev_key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  uint64_t prefunded = 0;  // the node was started with --bench-accounts N: no funding phase
  int pid = 0;             // sample this process's RSS during the run
};

struct Result {
  double tps = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
  size_t included = 0, rejected = 0;
  double peak_rss_mib = 0;
  double commit_ms_per_block = -1, exec_ms_per_block = -1, txs_per_block = 0;
};

Bytes erc20_transfer_data(const Address& to, uint64_t amount) {
  Bytes d = *from_hex("a9059cbb");
  Bytes word(32, 0);
  std::memcpy(word.data() + 12, to.data(), 20);
  append(d, word);
  Bytes amt(32, 0);
  for (int i = 0; i < 8; ++i) amt[31 - i] = uint8_t(amount >> (8 * i));
  append(d, amt);
  return d;
}

// Sends pre-signed transactions from `from` and waits until its nonce reaches `until`.
void wait_nonce(Rpc& rpc, const Address& who, uint64_t until) {
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (qty(rpc.call("eth_getTransactionCount", {to_hex(who), "latest"})) < until) {
    if (Clock::now() > deadline) throw std::runtime_error("timed out waiting for setup txs");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string raw_hex(const evm::Transaction& tx) { return to_hex(evm::encode_transaction(tx)); }

Result run_target(const std::string& url_s, const Options& o) {
  Url url = parse_url(url_s);
  Rpc rpc(url);
  uint64_t chain_id = qty(rpc.call("eth_chainId", json::array()));
  uint64_t gas_price = qty(rpc.call("eth_gasPrice", json::array())) * 2;
  Hash32 dev = *fixed_from_hex<32>(o.dev_key);
  Address dev_addr = secp256k1::address_of(dev);
  uint64_t dev_nonce = qty(rpc.call("eth_getTransactionCount", {to_hex(dev_addr), "latest"}));

  auto make_tx = [&](const Hash32& key, uint64_t nonce, std::optional<Address> to, uint64_t value,
                     Bytes data, uint64_t gas) {
    evm::Transaction tx;
    tx.type = 2;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.gas_price = uint256(gas_price);
    tx.max_priority_fee_per_gas = uint256(1);
    tx.gas_limit = gas;
    tx.to = to;
    tx.value = uint256(value);
    tx.data = std::move(data);
    evm::sign_transaction(tx, key);
    return tx;
  };

  // Setup: the token (for erc20), then fund every sender with ETH (and tokens).
  std::optional<Address> token;
  if (o.kind == "erc20") {
    std::ifstream f(o.erc20_bytecode);
    std::string hex((std::istreambuf_iterator<char>(f)), {});
    while (!hex.empty() && isspace(uint8_t(hex.back()))) hex.pop_back();
    auto code = from_hex(hex);
    if (!code) throw std::runtime_error("bad --erc20-bytecode file");
    auto tx = make_tx(dev, dev_nonce++, std::nullopt, 0, *code, 3'000'000);
    rpc.call("eth_sendRawTransaction", {raw_hex(tx)});
    wait_nonce(rpc, dev_addr, dev_nonce);
    json rcpt = rpc.call("eth_getTransactionReceipt", {to_hex(evm::transaction_hash(tx))});
    token = *fixed_from_hex<20>(rcpt["contractAddress"].get<std::string>());
  }
  std::vector<Hash32> keys;
  std::vector<Address> addrs;
  for (size_t i = 0; i < o.senders; ++i) {
    keys.push_back(bench_key(i));
    addrs.push_back(secp256k1::address_of(keys.back()));
    if (o.prefunded && !token) continue;
    auto fund = make_tx(dev, dev_nonce++, addrs.back(), uint64_t(1e18), {}, 21000);
    rpc.call("eth_sendRawTransaction", {raw_hex(fund)});
    if (token) {
      auto t = make_tx(dev, dev_nonce++, token, 0, erc20_transfer_data(addrs.back(), 1'000'000'000),
                       100'000);
      rpc.call("eth_sendRawTransaction", {raw_hex(t)});
    }
  }
  wait_nonce(rpc, dev_addr, dev_nonce);

  // Pre-sign the workload: each sender's transactions in nonce order.
  size_t per_sender = (o.txs + o.senders - 1) / o.senders;
  std::vector<std::vector<std::pair<Hash32, std::string>>> by_sender(o.senders);
  for (size_t s = 0; s < o.senders; ++s) {
    uint64_t n0 = qty(rpc.call("eth_getTransactionCount", {to_hex(addrs[s]), "latest"}));
    for (size_t k = 0; k < per_sender; ++k) {
      // With a large prefunded state, pay accounts spread over all of it (cold trie paths).
      Address to = o.prefunded ? bench_address((s * 7919 + k * 104729) % o.prefunded)
                               : addrs[(s + 1) % o.senders];
      auto tx = token ? make_tx(keys[s], n0 + k, token, 0, erc20_transfer_data(to, 1), 100'000)
                      : make_tx(keys[s], n0 + k, to, 1, {}, 21000);
      by_sender[s].push_back({evm::transaction_hash(tx), raw_hex(tx)});
    }
  }
  size_t total = per_sender * o.senders;

  std::mutex mu;
  std::unordered_map<Hash32, Clock::time_point> sent;
  std::vector<double> latencies;
  std::atomic<size_t> rejected{0};
  std::atomic<bool> done{false};
  Clock::time_point first_send = Clock::now(), last_incl = first_send;
  uint64_t start_block = qty(rpc.call("eth_blockNumber", json::array()));

  // Block watcher: a transaction's latency ends when a block that includes it is visible.
  std::thread watcher([&] {
    Rpc w(url);
    uint64_t next = start_block + 1;
    while (!done) {
      uint64_t head = qty(w.call("eth_blockNumber", json::array()));
      for (; next <= head; ++next) {
        json b = w.call("eth_getBlockByNumber", {"0x" + [&] {
                          std::ostringstream s;
                          s << std::hex << next;
                          return s.str();
                        }(), false});
        auto now = Clock::now();
        std::lock_guard lock(mu);
        for (auto& h : b["transactions"]) {
          auto it = sent.find(*fixed_from_hex<32>(h.get<std::string>()));
          if (it == sent.end()) continue;
          latencies.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
          sent.erase(it);
          last_incl = now;
        }
        if (latencies.size() + rejected >= total) done = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });

  auto metrics_before = fetch_metrics(url);
  std::atomic<double> peak_rss{0};
  std::thread rss_sampler([&] {
    while (o.pid && !done) {
      peak_rss = std::max(peak_rss.load(), rss_mib(o.pid));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  first_send = Clock::now();
  std::vector<std::thread> workers;
  for (size_t c = 0; c < o.conns; ++c) {
    workers.emplace_back([&, c] {
      Rpc conn(url);
      // This connection's senders, interleaved so each block sees many senders.
      std::vector<size_t> mine;
      for (size_t s = c; s < o.senders; s += o.conns) mine.push_back(s);
      for (size_t k = 0; k < per_sender; ++k) {
        for (size_t i = 0; i < mine.size(); i += o.batch) {
          json batch = json::array();
          std::vector<Hash32> hashes;
          for (size_t j = i; j < std::min(mine.size(), i + o.batch); ++j) {
            auto& [h, raw] = by_sender[mine[j]][k];
            batch.push_back({{"jsonrpc", "2.0"}, {"id", j}, {"method", "eth_sendRawTransaction"},
                             {"params", {raw}}});
            hashes.push_back(h);
          }
          {
            std::lock_guard lock(mu);
            auto now = Clock::now();
            for (auto& h : hashes) sent[h] = now;
          }
          json res = conn.post(o.batch == 1 ? batch[0].dump() : batch.dump());
          if (!res.is_array()) res = json::array({res});
          for (size_t r = 0; r < res.size(); ++r)
            if (res[r].contains("error")) {
              if (rejected++ < 5) std::cerr << "  rejected: " << res[r]["error"].dump() << "\n";
              std::lock_guard lock(mu);
              sent.erase(hashes[r]);
            }
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!done && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  done = true;
  watcher.join();
  rss_sampler.join();

  Result r;
  r.peak_rss_mib = peak_rss;
  auto metrics_after = fetch_metrics(url);
  double blocks = metrics_after["lumio_blocks_total"] - metrics_before["lumio_blocks_total"];
  if (blocks > 0) {
    r.commit_ms_per_block = 1000 * (metrics_after["lumio_block_commit_seconds_total"] -
                                    metrics_before["lumio_block_commit_seconds_total"]) / blocks;
    r.exec_ms_per_block = 1000 * (metrics_after["lumio_block_exec_seconds_total"] -
                                  metrics_before["lumio_block_exec_seconds_total"]) / blocks;
    r.txs_per_block = (metrics_after["lumio_txs_total"] - metrics_before["lumio_txs_total"]) / blocks;
  }
  std::lock_guard lock(mu);
  r.included = latencies.size();
  r.rejected = rejected;
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    r.p50_ms = latencies[latencies.size() / 2];
    r.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    r.max_ms = latencies.back();
    r.tps = double(r.included) / std::chrono::duration<double>(last_incl - first_send).count();
  }
  return r;
}

void ecrecover_rate() {
  Hash32 key = bench_key(0), msg = keccak256(std::string_view("x"));
  auto sig = secp256k1::sign(msg, key);
  size_t n = 20000;
  auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    msg.bytes[0] = uint8_t(i);
    if (!secp256k1::recover_address(msg, sig.r, sig.s, sig.recid)) std::abort();
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("ecrecover (libsecp256k1, 1 core): %.0f/s\n", double(n) / s);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--target") {
      std::string t = val();
      auto eq = t.find('=');
      o.targets.push_back({t.substr(0, eq), t.substr(eq + 1)});
    } else if (a == "--txs") o.txs = std::stoul(val());
    else if (a == "--senders") o.senders = std::stoul(val());
    else if (a == "--conns") o.conns = std::stoul(val());
    else if (a == "--batch") o.batch = std::stoul(val());
    else if (a == "--kind") o.kind = val();
    else if (a == "--erc20-bytecode") o.erc20_bytecode = val();
    else if (a == "--prefunded") o.prefunded = std::stoull(val());
    else if (a == "--pid") o.pid = std::stoi(val());
    else {
      std::cerr << "usage: lumio-loadgen --target NAME=URL... [--txs N] [--senders N] [--conns N]"
                   " [--batch N] [--kind eth|erc20 --erc20-bytecode FILE] [--prefunded N] [--pid P]\n";
      return 2;
    }
  }
  ecrecover_rate();
  std::vector<std::pair<std::string, Result>> results;
  for (auto& [name, url] : o.targets) {
    try {
      Result r = run_target(url, o);
      std::printf("%-8s %-6s txs=%zu rejected=%zu  TPS=%.0f  p50=%.1fms  p99=%.1fms  max=%.1fms\n",
                  name.c_str(), o.kind.c_str(), r.included, r.rejected, r.tps, r.p50_ms, r.p99_ms,
                  r.max_ms);
      if (r.commit_ms_per_block >= 0)
        std::printf("%-8s blocks: %.1f txs/block, exec %.2f ms/block, commit %.2f ms/block\n",
                    name.c_str(), r.txs_per_block, r.exec_ms_per_block, r.commit_ms_per_block);
      if (r.peak_rss_mib > 0) std::printf("%-8s peak RSS %.0f MiB\n", name.c_str(), r.peak_rss_mib);
      results.push_back({name, r});
    } catch (const std::exception& e) {
      std::printf("%-8s failed: %s\n", name.c_str(), e.what());
      return 1;
    }
  }
  for (size_t i = 1; i < results.size(); ++i)
    std::printf("ratio %s/%s TPS: %.2fx\n", results[0].first.c_str(), results[i].first.c_str(),
                results[0].second.tps / std::max(1e-9, results[i].second.tps));
  return 0;
}
