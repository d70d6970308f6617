// lumio-svmbench: the Solana VM on one core, in-process (no RPC, no storage engine).
//   1. sBPF interpreter speed: the genuine SPL Token program's Transfer run directly by the VM
//      (instructions/s, compute units/s).
//   2. Whole transactions: pre-signed SOL and SPL Token transfers through decode, sanitize,
//      ed25519 verification and Runtime::execute, committed to an in-memory bank (tx/s, CU/s,
//      p50/p99 per transaction). litesvm runs the same workloads in tests/solana/bench.
//   lumio-svmbench [TXS] [TOKEN_ELF] [vm|tx]  (TOKEN_ELF default: ~/.cache/lumio/spl/spl_token-3.5.0.so;
//                                              vm / tx: only part 1 / parts 2-3, e.g. for perf)
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "svm/client.hpp"
#include "svm/loader_upgradeable.hpp"
#include "svm/memory_bank.hpp"
#include "svm/runtime.hpp"
#include "svm/serialize.hpp"
#include "svm/syscalls.hpp"

using namespace lumio::svm;
using Clock = std::chrono::steady_clock;

namespace {

using Bank = MemoryBank;

std::vector<uint8_t> le(uint64_t v, size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Keypair key(uint32_t i) {
  std::array<uint8_t, 32> seed{};
  for (int b = 0; b < 4; ++b) seed[b] = uint8_t(i >> (8 * b));
  seed[31] = 0x5b;
  return Keypair::from_seed(seed);
}

const Pubkey kToken = pubkey_from_base58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

Instruction sol_transfer(const Pubkey& from, const Pubkey& to, uint64_t lamports) {
  return {ids::system_program, {{from, true, true}, {to, false, true}}, cat({le(2, 4), le(lamports, 8)})};
}
Instruction token_transfer(const Pubkey& src, const Pubkey& dst, const Pubkey& owner, uint64_t amount) {
  return {kToken, {{src, false, true}, {dst, false, true}, {owner, true, false}}, cat({{3}, le(amount, 8)})};
}

// SPL Token account (165 bytes): mint, owner, amount, no delegate, Initialized, no native, ...
std::vector<uint8_t> token_account(const Pubkey& mint, const Pubkey& owner, uint64_t amount) {
  std::vector<uint8_t> d(165, 0);
  std::copy(mint.begin(), mint.end(), d.begin());
  std::copy(owner.begin(), owner.end(), d.begin() + 32);
  auto a = le(amount, 8);
  std::copy(a.begin(), a.end(), d.begin() + 64);
  d[108] = 1;  // AccountState::Initialized
  return d;
}
std::vector<uint8_t> mint_account(const Pubkey& authority, uint64_t supply) {
  std::vector<uint8_t> d(82, 0);
  d[0] = 1;  // COption::Some(mint authority)
  std::copy(authority.begin(), authority.end(), d.begin() + 4);
  auto s = le(supply, 8);
  std::copy(s.begin(), s.end(), d.begin() + 36);
  d[45] = 1;  // is_initialized
  return d;
}

struct Stats {
  double tps, p50_us, p99_us, cu_per_tx;
};

Stats run_workload(Runtime& rt, Bank& bank, const RuntimeEnv& env, const std::vector<std::vector<uint8_t>>& wires) {
  std::vector<double> lat;
  lat.reserve(wires.size());
  uint64_t cu = 0;
  auto t0 = Clock::now();
  for (const auto& w : wires) {
    auto a = Clock::now();
    auto tx = decode_transaction(w);
    if (!tx.ok()) { std::fprintf(stderr, "decode failed\n"); std::exit(1); }
    if (auto e = validate(*tx)) { std::fprintf(stderr, "invalid: %s\n", e->to_json().c_str()); std::exit(1); }
    auto out = rt.execute(*tx, bank, env);
    if (!out.processed || out.err) {
      std::fprintf(stderr, "failed: %s\n", out.err ? out.err->to_json().c_str() : "not processed");
      for (auto& l : out.logs) std::fprintf(stderr, "  %s\n", l.c_str());
      std::exit(1);
    }
    bank.commit(out);
    cu += out.compute_units_consumed;
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(lat.begin(), lat.end());
  return {double(wires.size()) / secs, lat[lat.size() / 2], lat[lat.size() * 99 / 100], double(cu) / wires.size()};
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::stoul(argv[1]) : 20000;
  std::string elf_path = argc > 2 ? argv[2] : std::string(getenv("HOME")) + "/.cache/lumio/spl/spl_token-3.5.0.so";
  std::string only = argc > 3 ? argv[3] : "";
  std::ifstream f(elf_path, std::ios::binary);
  std::vector<uint8_t> elf((std::istreambuf_iterator<char>(f)), {});
  if (elf.empty()) { std::fprintf(stderr, "cannot read %s (run scripts/extract-spl.sh)\n", elf_path.c_str()); return 1; }

  Runtime rt;
  register_builtins(rt);
  Bank bank;
  RuntimeEnv env;
  env.slot = 10;
  env.recent_blockhashes.push_back(Hash{1});
  bank.accounts[kToken] = Account{Rent{}.minimum_balance(elf.size()), elf, ids::bpf_loader, true, 0};

  const size_t senders = 200;
  std::vector<Keypair> keys;
  Keypair mint = key(1'000'000);
  bank.accounts[mint.pub] = Account{Rent{}.minimum_balance(82), mint_account(mint.pub, senders * 1'000'000'000ull),
                                    kToken, false, kRentExemptRentEpoch};
  std::vector<Pubkey> token_accounts;
  for (size_t i = 0; i < senders; ++i) {
    keys.push_back(key(uint32_t(i)));
    bank.accounts[keys.back().pub] = Account{100'000'000'000ull, {}, ids::system_program, false, kRentExemptRentEpoch};
    Pubkey ta = key(uint32_t(500'000 + i)).pub;
    bank.accounts[ta] = Account{Rent{}.minimum_balance(165), token_account(mint.pub, keys.back().pub, 1'000'000'000ull),
                                kToken, false, kRentExemptRentEpoch};
    token_accounts.push_back(ta);
  }

  // 1. The interpreter alone: Token Transfer, input serialized once per run.
  if (only != "tx") {
    auto exe = Executable::load(elf, rt.loader());
    if (!exe.ok() || verify(exe->text(), exe->version())) { std::fprintf(stderr, "token image does not load\n"); return 1; }
    std::vector<InstructionAccount> accts(3);
    for (int i = 0; i < 2; ++i) {
      const Account& a = bank.accounts[token_accounts[i]];
      accts[i] = {token_accounts[i], a.owner, a.lamports, a.data, a.rent_epoch, false, true, false};
    }
    accts[2] = {keys[0].pub, ids::system_program, 1, {}, 0, true, false, false};
    auto data = cat({{3}, le(1, 8)});
    auto input0 = serialize_aligned(accts, data, kToken);
    uint64_t insns = 0;
    size_t runs = n;
    auto t0 = Clock::now();
    for (size_t i = 0; i < runs; ++i) {
      auto input = input0;
      SyscallContext ctx;
      ctx.remaining = 200'000;
      ctx.program_id = kToken;
      VmMemory mem(rt.loader().config);
      Vm vm(*exe, rt.loader(), ctx, mem, input);
      auto r = vm.run();
      if (!r.result.ok() || *r.result != 0) { std::fprintf(stderr, "transfer failed in the VM\n"); return 1; }
      insns += r.instruction_count;
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("sBPF interpreter (SPL Token Transfer, %zu runs): %.1f M instructions/s, %.1f M CU/s, %.2f us/run\n",
                runs, insns / secs / 1e6, insns / secs / 1e6, secs / runs * 1e6);
  }
  if (only == "vm") return 0;

  // 2. Whole transactions.
  for (const char* kind : {"sol", "spl"}) {
    std::vector<std::vector<uint8_t>> wires;
    for (size_t k = 0; wires.size() < n; ++k)
      for (size_t s = 0; s < senders && wires.size() < n; ++s) {
        size_t to = (s + 1) % senders;
        Instruction ix = std::string(kind) == "spl"
                             ? token_transfer(token_accounts[s], token_accounts[to], keys[s].pub, 1 + k)
                             : sol_transfer(keys[s].pub, keys[to].pub, 1 + k);
        auto tx = sign_message(compile_message(keys[s].pub, {ix}, env.recent_blockhashes.front()), {&keys[s]});
        wires.push_back(encode_transaction(tx));
      }
    Stats st = run_workload(rt, bank, env, wires);
    std::printf("lumio    %-4s txs=%zu  TPS=%.0f (1 core, in-process, signatures verified)  p50=%.3fms  p99=%.3fms  CU/tx=%.0f\n",
                kind, n, st.tps, st.p50_us / 1000, st.p99_us / 1000, st.cu_per_tx);
  }
  // The ed25519 ceiling: one verification per transaction.
  {
    auto tx = sign_message(compile_message(keys[0].pub, {sol_transfer(keys[0].pub, keys[1].pub, 1)}, Hash{1}), {&keys[0]});
    size_t m = 20000;
    auto t0 = Clock::now();
    for (size_t i = 0; i < m; ++i)
      if (!verify_signatures(tx)) return 1;
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("ed25519 verify (libsodium, 1 core): %.0f/s\n", m / secs);
  }
}
