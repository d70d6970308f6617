// lumio-movebench: single-core throughput of Lumio's Move VM.
//   1. instructions/s on an arithmetic loop (a Move IR module compiled by our IR compiler),
//      metered with the v10 genesis gas schedule and unmetered, with the paranoid runtime type
//      checks on (the default) and off;
//   2. genuine-framework APT transfers/s (0x1::aptos_account::transfer on the v10 devnet
//      genesis state, execution only: session, natives, gas, change set applied to memory).
// Usage: lumio-movebench [--iterations N] [--transfers N] [--genesis DIR]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

const char* kLoopModule = R"(
module 0x42.Bench {
    public sum(n: u64): u64 {
        let i: u64;
        let s: u64;
    label b0:
        i = 0;
        s = 0;
    label head:
        jump_if_false (copy(i) < copy(n)) done;
    label body:
        s = (copy(s) + (copy(i) * 3)) % 1000000007;
        i = move(i) + 1;
        jump head;
    label done:
        return move(s);
    }
}
)";

// Counts instructions while charging the real schedule.
class CountingMeter final : public GasMeter {
 public:
  explicit CountingMeter(GasMeter& inner) : inner_(inner) {}
  bool charge_simple(Opcode op) override { ++count; return inner_.charge_simple(op); }
  bool charge_instr(const InstrCharge& c) override { ++count; return inner_.charge_instr(c); }
  bool charge_native(uint64_t u) override { return inner_.charge_native(u); }
  bool charge_load_resource(uint64_t b) override { return inner_.charge_load_resource(b); }
  uint64_t consumed() const override { return inner_.consumed(); }
  uint64_t remaining() const override { return inner_.remaining(); }
  uint64_t count = 0;

 private:
  GasMeter& inner_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Bytes le64(uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}

[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "movebench: %s\n", m.c_str());
  std::exit(1);
}

std::string describe(const ExecutionError& e) {
  std::string s(status_name(e.error.status));
  if (e.sub_status) s += " sub_status " + std::to_string(*e.sub_status);
  return s + " " + e.error.message;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t iterations = 2'000'000, transfers = 2'000;
  std::string genesis = std::string(LUMIO_SOURCE_DIR) + "/../shared/aptos-genesis/v10_2026-07-16/genesis.blob";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--iterations")) iterations = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--transfers")) transfers = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--genesis")) genesis = argv[i + 1];
    else die(std::string("unknown option ") + argv[i]);
  }

  std::ifstream in(genesis, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string blob = ss.str();
  if (blob.empty()) die("cannot read " + genesis);
  auto state = MoveState::from_genesis(BytesView(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()));
  if (!state) die("genesis: " + state.error().message);
  auto schedule = GasSchedule::from_state(*state);
  if (!schedule) die("genesis has no gas schedule");
  GasParameters gas(*schedule);
  NativeRegistry natives;
  if (auto e = register_all_natives(natives, gas)) die(e->message);

  // --- 1. arithmetic loop
  auto parsed = ir::parse_module(kLoopModule);
  if (auto* e = std::get_if<ir::ParseError>(&parsed)) die("IR: " + e->describe());
  auto compiled = ir::compile_module(std::get<ir::Module>(parsed), {});
  if (auto* e = std::get_if<ir::CompileError>(&compiled)) die("IR: " + e->message);
  auto module = std::make_shared<const CompiledModule>(std::get<CompiledModule>(compiled));
  auto bench = account_address(0x42);
  // The loop runs far past a transaction's execution limit: same prices, no limit.
  GasSchedule unlimited = *schedule;
  unlimited.entries["txn.max_execution_gas"] = UINT64_MAX;
  GasParameters loop_gas(unlimited);
  // Each setting of the paranoid runtime type checks (on by default, as in Aptos production).
  for (int paranoid = 1; paranoid >= 0; --paranoid)
  for (int metered = 1; metered >= 0; --metered) {
    VMLimits limits;
    limits.paranoid_type_checks = paranoid;
    Session session(*state, natives, limits);
    session.loader().add_module(module);
    AptosGasMeter aptos(loop_gas, UINT64_MAX / gas.gas_unit_scaling_factor);
    CountingMeter counting(aptos);
    UnmeteredGasMeter unmetered;
    // Count instructions on a short metered run (the loop is linear in n).
    uint64_t per_iteration = 0;
    {
      Session probe(*state, natives);
      probe.loader().add_module(module);
      AptosGasMeter m(loop_gas, UINT64_MAX / gas.gas_unit_scaling_factor);
      CountingMeter c1(m), c2(m);
      probe.execute_function(bench, "Bench", "sum", {}, {}, {le64(1000)}, c1);
      probe.execute_function(bench, "Bench", "sum", {}, {}, {le64(2000)}, c2);
      per_iteration = (c2.count - c1.count) / 1000;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto out = session.execute_function(bench, "Bench", "sum", {}, {}, {le64(iterations)},
                                        metered ? static_cast<GasMeter&>(aptos) : unmetered);
    double dt = seconds_since(t0);
    if (auto* e = std::get_if<ExecutionError>(&out)) die("loop: " + describe(*e));
    double instrs = double(per_iteration) * double(iterations);
    std::printf("arithmetic loop (%s, type checks %s): %llu iterations x %llu instructions in %.3f s: %.1f M instructions/s",
                metered ? "metered, v10 schedule" : "unmetered", paranoid ? "on" : "off", (unsigned long long)iterations,
                (unsigned long long)per_iteration, dt, instrs / dt / 1e6);
    if (metered) std::printf(", %llu gas units", (unsigned long long)aptos.gas_used());
    std::printf("\n");
  }

  // --- 2. APT transfers on the genuine framework
  const AccountAddress core = account_address(kCoreResourcesAddress);
  // A signed Ed25519 transfer transaction is ~250 bytes of BCS (below the 600-byte cutoff).
  constexpr uint64_t kTxnSize = 250;
  const size_t kAccounts = 64;
  std::vector<AccountAddress> accounts;
  uint64_t txn = 0;
  auto run = [&](const AccountAddress& sender, const char* module_name, const char* fn, std::vector<Bytes> args,
                 uint64_t* gas_used) {
    EntryCall call;
    call.sender = sender;
    call.module = module_name;
    call.function = fn;
    call.args = std::move(args);
    call.txn_size = kTxnSize;
    ++txn;
    std::memcpy(call.txn_hash.bytes.data(), &txn, sizeof txn);
    auto out = execute_transaction(*state, natives, gas, call);
    if (out.error) die(std::string(fn) + ": " + describe(*out.error));
    if (gas_used) *gas_used += out.gas_used;
  };
  for (size_t i = 0; i < kAccounts; ++i) {
    accounts.push_back(account_address(0xACC00000 + i));
    Bytes a(accounts.back().bytes.begin(), accounts.back().bytes.end());
    run(core, "aptos_coin", "mint", {a, le64(1'000'000'000)}, nullptr);
  }
  uint64_t gas_total = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < transfers; ++i) {
    const AccountAddress& from = accounts[i % kAccounts];
    const AccountAddress& to = accounts[(i * 7 + 1) % kAccounts];
    run(from, "aptos_account", "transfer", {Bytes(to.bytes.begin(), to.bytes.end()), le64(1 + i % 100)}, &gas_total);
  }
  double dt = seconds_since(t0);
  std::printf("APT transfers (0x1::aptos_account::transfer, v10 genesis, %zu accounts): %llu in %.3f s: %.0f transfers/s, %.1f gas units each\n",
              kAccounts, (unsigned long long)transfers, dt, double(transfers) / dt, double(gas_total) / double(transfers));
  return 0;
}
