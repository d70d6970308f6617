// lumio-statebench: commit cost per block vs state size, and reopen time.
// usage: lumio-statebench [dir] [accounts...]   (default: a temp dir, 10000 1000000)
// For each size: build that many EVM accounts, then commit blocks that change 1000 accounts
// (and 2 storage slots in every 10th), timing Commitment::apply and the synced write.
// LUMIO_BENCH_BLOCKS=N changes the number of timed blocks (default 10).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "common/hash.hpp"
#include "state/commitment.hpp"

using namespace lumio;
using namespace lumio::state;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

Address addr_of(uint64_t i) {
  Hash32 h = keccak256(std::to_string(i));
  return *Address::from(h.view().subspan(0, 20));
}

void put_account(BlockOverlay& o, uint64_t i, uint64_t nonce) {
  EvmAccount a;
  a.nonce = nonce;
  a.balance.bytes[24] = uint8_t(i);
  a.balance.bytes[31] = uint8_t(nonce);
  o.put(Space::EvmAccount, addr_of(i).view(), a.encode());
}

void bench(const fs::path& dir, uint64_t accounts) {
  fs::remove_all(dir);
  auto store = Store::open(dir.string());
  auto commitment = std::make_unique<Commitment>(*store);
  auto t0 = Clock::now();
  constexpr uint64_t kChunk = 100000;
  for (uint64_t start = 0; start < accounts; start += kChunk) {
    BlockOverlay o{StoreReader(*store)};
    for (uint64_t i = start; i < std::min(accounts, start + kChunk); ++i) put_account(o, i, 1);
    WriteBatch b = o.to_batch();
    commitment->apply(o.writes(), b);
    store->write(b, false);
  }
  store->flush();
  std::printf("%8llu accounts: build %.0f ms\n", (unsigned long long)accounts, ms_since(t0));

  std::mt19937_64 rng(accounts);
  const int kBlocks = getenv("LUMIO_BENCH_BLOCKS") ? atoi(getenv("LUMIO_BENCH_BLOCKS")) : 10;
  constexpr int kChanged = 1000;
  double apply_ms = 0, write_ms = 0;
  uint64_t reads = 0, hits = 0, writes = 0;
  for (int block = 0; block < kBlocks; ++block) {
    BlockOverlay o{StoreReader(*store)};
    for (int j = 0; j < kChanged; ++j) {
      uint64_t i = rng() % accounts;
      put_account(o, i, 2 + block);
      if (j % 10 == 0)
        for (uint8_t s = 0; s < 2; ++s) {
          Hash32 slot;
          slot.bytes[31] = s;
          o.put(Space::EvmStorage, evm_storage_key(addr_of(i), slot), Bytes{uint8_t(block + 1)});
        }
    }
    commitment->reset_stats();
    auto t = Clock::now();
    WriteBatch b = o.to_batch();
    commitment->apply(o.writes(), b);
    apply_ms += ms_since(t);
    t = Clock::now();
    store->write(b, true);
    write_ms += ms_since(t);
    reads += commitment->stats().node_reads;
    hits += commitment->stats().cache_hits;
    writes += commitment->stats().node_writes;
  }
  std::printf("  block of %d changed accounts: apply %.1f ms, synced write %.1f ms; per block "
              "%llu node reads, %llu cache hits, %llu node writes\n",
              kChanged, apply_ms / kBlocks, write_ms / kBlocks, (unsigned long long)(reads / kBlocks),
              (unsigned long long)(hits / kBlocks), (unsigned long long)(writes / kBlocks));
  Hash32 root = commitment->roots().global;
  commitment.reset();
  store.reset();
  auto t = Clock::now();
  store = Store::open(dir.string());
  Commitment reopened(*store);
  bool same = reopened.roots().global == root;
  std::printf("  reopen + roots: %.1f ms (%s)\n", ms_since(t), same ? "root matches" : "ROOT DIFFERS");
  store.reset();
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? fs::path(argv[1])
                          : fs::temp_directory_path() / ("lumio-statebench-" + std::to_string(::getpid()));
  std::vector<uint64_t> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::stoull(argv[i]));
  if (sizes.empty()) sizes = {10000, 1000000};
  for (uint64_t n : sizes) bench(dir / std::to_string(n), n);
  return 0;
}
