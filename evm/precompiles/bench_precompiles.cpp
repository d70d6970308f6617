// Timings of the expensive precompiles on inputs built here or taken from ../shared fixtures.
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/precompiles/precompiles.hpp"

using namespace lumio;
namespace pc = lumio::evm::precompiles;

namespace {
Address addr(uint8_t n) {
  Address a;
  a.bytes[19] = n;
  return a;
}
void run(benchmark::State& state, uint8_t n, const Bytes& in) {
  for (auto _ : state) {
    auto r = pc::run(addr(n), in, 10'000'000);
    if (!r.success) state.SkipWithError("precompile failed");
    benchmark::DoNotOptimize(r);
  }
}
// The BN254 G1 generator (1, 2) as a 64-byte point.
Bytes g1() {
  Bytes p(64, 0);
  p[31] = 1;
  p[63] = 2;
  return p;
}
}  // namespace

static void Bn254Add(benchmark::State& s) {
  Bytes in = g1();
  append(in, g1());
  run(s, 6, in);
}
static void Bn254Mul(benchmark::State& s) {
  Bytes in = g1();
  Bytes k(32, 0xab);
  k[0] = 0x1f;
  append(in, k);
  run(s, 7, in);
}
static void PointEvaluation(benchmark::State& s) {
  pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
  std::ifstream f(std::string(LUMIO_SHARED_DIR) +
                  "/ethereum-tests/GeneralStateTests/Pyspecs/cancun/eip4844_blobs/"
                  "point_evaluation_precompile_external_vectors.json");
  auto tests = nlohmann::json::parse(f);
  for (auto& [name, t] : tests.items())
    if (name.find("case_correct_proof") != std::string::npos) {
      Bytes in = *from_hex(t["transaction"]["data"][0].get<std::string>());
      if (in.size() != 192 || in[96] == 0xc0 || in[144] == 0xc0) continue;  // not at infinity
      run(s, 10, in);
      return;
    }
  s.SkipWithError("no fixture");
}
BENCHMARK(Bn254Add);
BENCHMARK(Bn254Mul);
BENCHMARK(PointEvaluation)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
