// Timings of the expensive precompiles on reference inputs (testdata/).
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/precompiles/precompiles.hpp"

using namespace lumio;
namespace pc = lumio::evm::precompiles;

namespace {
Bytes input(const std::string& file, const std::string& name) {
  std::ifstream f(std::string(LUMIO_PRECOMPILE_TESTDATA) + "/" + file);
  for (auto& v : nlohmann::json::parse(f))
    if (v["Name"] == name) return *from_hex(v["Input"].get<std::string>());
  std::abort();
}
void run(benchmark::State& state, uint8_t n, const Bytes& in) {
  Address a;
  a.bytes[19] = n;
  for (auto _ : state) {
    auto r = pc::run(a, in, 10'000'000);
    if (!r.success) state.SkipWithError("precompile failed");
    benchmark::DoNotOptimize(r);
  }
}
}  // namespace

static void Bn254Add(benchmark::State& s) { run(s, 6, input("bn256Add.json", "chfast1")); }
static void Bn254Mul(benchmark::State& s) { run(s, 7, input("bn256ScalarMul.json", "chfast1")); }
static void Bn254Pairing2(benchmark::State& s) {
  run(s, 8, input("bn256Pairing.json", "jeff1"));
}
static void Bn254Pairing10(benchmark::State& s) {
  run(s, 8, input("bn256Pairing.json", "ten_point_match_1"));
}
static void PointEvaluation(benchmark::State& s) {
  pc::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
  run(s, 10, input("pointEvaluation.json", "pointEvaluation1"));
}
BENCHMARK(Bn254Add);
BENCHMARK(Bn254Mul);
BENCHMARK(Bn254Pairing2)->Unit(benchmark::kMillisecond);
BENCHMARK(Bn254Pairing10)->Unit(benchmark::kMillisecond);
BENCHMARK(PointEvaluation)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
