// lumio-solgen: the Solana load generator.
//
// Against a Solana JSON-RPC endpoint: funds fresh sender keypairs by airdrop, pre-signs every
// transaction (ed25519, libsodium), sends them with sendTransaction (base64, skipPreflight: the
// node still verifies every signature at admission) over several keep-alive connections, and
// polls getSignatureStatuses to time each transaction from send to its first status (processed:
// included in a committed block). Prints sustained TPS and p50/p99 latency.
//   --kind sol: SystemProgram transfers in a ring of senders
//   --kind spl: genuine SPL Token Transfer between the senders' associated token accounts
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/hash.hpp"
#include "svm/client.hpp"
#include "svm/syscalls.hpp"
#include "svm/transaction.hpp"
#include "tools/loadgen/rpc_client.hpp"

using namespace lumio;
using namespace lumio::loadgen;
using svm::Instruction;
using svm::Keypair;
using svm::Pubkey;
using Clock = std::chrono::steady_clock;

namespace {

Pubkey key_of(const char* b58) {
  auto v = svm::base58_decode(b58);
  if (!v || v->size() != 32) throw std::runtime_error(std::string("bad pubkey ") + b58);
  Pubkey p;
  std::memcpy(p.data(), v->data(), 32);
  return p;
}
const Pubkey kSystem{}, kToken = key_of("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
             kAta = key_of("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

Keypair keypair(const std::string& seed_text) {
  Hash32 seed = sha256(BytesView(reinterpret_cast<const uint8_t*>(seed_text.data()), seed_text.size()));
  std::array<uint8_t, 32> s;
  std::copy(seed.bytes.begin(), seed.bytes.end(), s.begin());
  return Keypair::from_seed(s);
}

std::string b58(const Pubkey& p) { return svm::base58(p.data(), p.size()); }

// find_program_address: the first bump from 255 down that gives an off-curve address.
Pubkey find_pda(std::vector<std::vector<uint8_t>> seeds, const Pubkey& program) {
  for (int bump = 255; bump >= 0; --bump) {
    std::vector<std::span<const uint8_t>> spans;
    for (auto& s : seeds) spans.emplace_back(s);
    uint8_t b = uint8_t(bump);
    spans.emplace_back(&b, 1);
    if (auto a = svm::create_program_address(spans, program)) return *a;
  }
  throw std::runtime_error("no program address");
}
Pubkey ata_of(const Pubkey& owner, const Pubkey& mint) {
  return find_pda({{owner.begin(), owner.end()}, {kToken.begin(), kToken.end()}, {mint.begin(), mint.end()}}, kAta);
}

using Ix = Instruction;

// A legacy transaction (Message::new order), signed, base64 for sendTransaction.
std::string signed_tx(const std::vector<Ix>& ixs, const std::vector<const Keypair*>& signers, const svm::Hash& blockhash) {
  auto tx = svm::sign_message(svm::compile_message(signers[0]->pub, ixs, blockhash), signers);
  auto wire = svm::encode_transaction(tx);
  return svm::base64(wire.data(), wire.size());
}

std::vector<uint8_t> le(uint64_t v, size_t n = 8) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> bytes(const Pubkey& p) { return {p.begin(), p.end()}; }

Ix transfer_sol(const Pubkey& from, const Pubkey& to, uint64_t lamports) {
  return {kSystem, {{from, true, true}, {to, false, true}}, cat({le(2, 4), le(lamports)})};
}
Ix create_account(const Pubkey& from, const Pubkey& to, uint64_t lamports, uint64_t space, const Pubkey& owner) {
  return {kSystem, {{from, true, true}, {to, true, true}}, cat({le(0, 4), le(lamports), le(space), bytes(owner)})};
}
Ix token_transfer(const Pubkey& src, const Pubkey& dst, const Pubkey& owner, uint64_t amount) {
  return {kToken, {{src, false, true}, {dst, false, true}, {owner, true, false}}, cat({{3}, le(amount)})};
}

struct Options {
  std::string url = "http://127.0.0.1:8899";
  std::string name = "lumio";
  std::string kind = "sol";
  size_t txs = 20000, senders = 200, conns = 8;
};

json send(Rpc& rpc, const std::string& b64) {
  return rpc.call("sendTransaction", {b64, {{"encoding", "base64"}, {"skipPreflight", true}}});
}

// Waits until every signature has a status (any commitment); throws on errors or timeout.
void wait_all(Rpc& rpc, std::vector<std::string> sigs, const char* what) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!sigs.empty()) {
    std::vector<std::string> left;
    for (size_t i = 0; i < sigs.size(); i += 256) {
      std::vector<std::string> part(sigs.begin() + i, sigs.begin() + std::min(sigs.size(), i + 256));
      json st = rpc.call("getSignatureStatuses", json::array({json(part)}))["value"];
      for (size_t j = 0; j < part.size(); ++j) {
        if (st[j].is_null()) left.push_back(part[j]);
        else if (!st[j]["err"].is_null())
          throw std::runtime_error(std::string(what) + " failed: " + st[j]["err"].dump());
      }
    }
    sigs = std::move(left);
    if (Clock::now() > deadline) throw std::runtime_error(std::string(what) + ": timed out");
    if (!sigs.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

svm::Hash latest_blockhash(Rpc& rpc) {
  auto v = svm::base58_decode(rpc.call("getLatestBlockhash", json::array())["value"]["blockhash"].get<std::string>());
  svm::Hash h;
  std::memcpy(h.data(), v->data(), 32);
  return h;
}

void run(const Options& o) {
  Url url = parse_url(o.url);
  Rpc rpc(url);
  std::string run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  std::vector<Keypair> senders;
  std::vector<std::string> sigs;
  for (size_t i = 0; i < o.senders; ++i) {
    senders.push_back(keypair("solgen/" + run_id + "/" + std::to_string(i)));
    sigs.push_back(rpc.call("requestAirdrop", {b58(senders.back().pub), 100'000'000'000ull}).get<std::string>());
  }
  wait_all(rpc, sigs, "airdrop");
  svm::Hash bh = latest_blockhash(rpc);
  std::vector<Pubkey> atas;
  if (o.kind == "spl") {
    Keypair mint = keypair("solgen/" + run_id + "/mint");
    uint64_t rent = rpc.call("getMinimumBalanceForRentExemption", {82}).get<uint64_t>();
    Ix init{kToken, {{mint.pub, false, true}}, cat({{20, 0}, bytes(senders[0].pub), {0}})};
    wait_all(rpc, {send(rpc, signed_tx({create_account(senders[0].pub, mint.pub, rent, 82, kToken), init},
                                       {&senders[0], &mint}, bh)).get<std::string>()}, "create mint");
    sigs.clear();
    for (auto& s : senders) {
      atas.push_back(ata_of(s.pub, mint.pub));
      Ix create{kAta, {{s.pub, true, true}, {atas.back(), false, true}, {s.pub, false, false}, {mint.pub, false, false},
                       {kSystem, false, false}, {kToken, false, false}}, {1}};
      Ix mint_to{kToken, {{mint.pub, false, true}, {atas.back(), false, true}, {senders[0].pub, true, false}},
                 cat({{7}, le(1'000'000'000)})};
      sigs.push_back(send(rpc, signed_tx({create, mint_to}, {&s, &senders[0]}, bh)).get<std::string>());
    }
    wait_all(rpc, sigs, "token accounts");
  }

  // Pre-sign: sender s pays sender s+1; the amount makes each transaction unique.
  size_t per_sender = (o.txs + o.senders - 1) / o.senders;
  std::vector<std::vector<std::string>> work(o.senders);
  auto t_sign = Clock::now();
  for (size_t s = 0; s < o.senders; ++s)
    for (size_t k = 0; k < per_sender; ++k) {
      size_t to = (s + 1) % o.senders;
      Ix ix = o.kind == "spl" ? token_transfer(atas[s], atas[to], senders[s].pub, 1 + k)
                              : transfer_sol(senders[s].pub, senders[to].pub, 1 + k);
      work[s].push_back(signed_tx({ix}, {&senders[s]}, bh));
    }
  size_t total = per_sender * o.senders;
  double sign_s = std::chrono::duration<double>(Clock::now() - t_sign).count();

  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> pending;
  std::vector<double> lat;
  std::atomic<size_t> rejected{0}, failed{0};
  std::atomic<bool> done{false};
  Clock::time_point first = Clock::now(), last = first;
  std::thread watcher([&] {
    Rpc w(url);
    while (!done) {
      std::vector<std::string> batch;
      {
        std::lock_guard lock(mu);
        for (auto& [sig, _] : pending) {
          batch.push_back(sig);
          if (batch.size() == 256) break;
        }
      }
      if (batch.empty()) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); continue; }
      json st = w.call("getSignatureStatuses", json::array({json(batch)}))["value"];
      auto now = Clock::now();
      std::lock_guard lock(mu);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (st[i].is_null()) continue;
        if (!st[i]["err"].is_null() && failed++ < 5) std::cerr << "  failed: " << st[i]["err"].dump() << "\n";
        lat.push_back(std::chrono::duration<double, std::milli>(now - pending[batch[i]]).count());
        pending.erase(batch[i]);
        last = now;
      }
      if (lat.size() + rejected >= total) done = true;
    }
  });
  first = Clock::now();
  std::vector<std::thread> workers;
  for (size_t c = 0; c < o.conns; ++c)
    workers.emplace_back([&, c] {
      Rpc conn(url);
      for (size_t k = 0; k < per_sender; ++k)
        for (size_t s = c; s < o.senders; s += o.conns) {
          auto t0 = Clock::now();
          json res = conn.post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "sendTransaction"},
                                    {"params", {work[s][k], {{"encoding", "base64"}, {"skipPreflight", true}}}}}.dump());
          if (res.contains("error")) {
            if (rejected++ < 5) std::cerr << "  rejected: " << res["error"].dump() << "\n";
            continue;
          }
          std::lock_guard lock(mu);
          pending[res["result"].get<std::string>()] = t0;
        }
    });
  for (auto& t : workers) t.join();
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!done && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  done = true;
  watcher.join();
  std::sort(lat.begin(), lat.end());
  double secs = std::chrono::duration<double>(last - first).count();
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, size_t(lat.size() * p))]; };
  std::printf("%-8s %-4s txs=%zu confirmed=%zu failed=%zu rejected=%zu  TPS=%.0f  p50=%.1fms  p99=%.1fms  max=%.1fms"
              "  (pre-signing: %.0f tx/s)\n", o.name.c_str(), o.kind.c_str(), total, lat.size(), size_t(failed),
              size_t(rejected), secs > 0 ? double(lat.size()) / secs : 0.0, pct(0.5), pct(0.99),
              lat.empty() ? 0.0 : lat.back(), double(total) / sign_s);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--url") o.url = val();
    else if (a == "--name") o.name = val();
    else if (a == "--kind") o.kind = val();
    else if (a == "--txs") o.txs = std::stoul(val());
    else if (a == "--senders") o.senders = std::stoul(val());
    else if (a == "--conns") o.conns = std::stoul(val());
    else {
      std::cerr << "usage: lumio-solgen [--url URL] [--name NAME] [--kind sol|spl] [--txs N] [--senders N] [--conns N]\n";
      return 2;
    }
  }
  if (o.kind != "sol" && o.kind != "spl") { std::cerr << "--kind must be sol or spl\n"; return 2; }
  try {
    run(o);
  } catch (const std::exception& e) {
    std::printf("%-8s failed: %s\n", o.name.c_str(), e.what());
    return 1;
  }
}
