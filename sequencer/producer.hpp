// Block production: a thread that cuts a block from the mempool's ready transactions every
// `interval` while any are waiting (and at once when a block's worth is ready), and runs
// on request (mine now) even with none. With `idle_interval` set it also cuts an empty block
// when none was built for that long (Solana's slots advance with no traffic). The block itself is built by the caller's `build`
// function (execute, commit, notify); the producer owns only timing and serialization:
// build() never runs concurrently with itself or with exclusive() sections.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sequencer/mempool.hpp"

namespace lumio::sequencer {

class Producer {
 public:
  using Batch = std::vector<std::shared_ptr<const PoolTx>>;
  struct Options {
    std::chrono::milliseconds interval{20};
    size_t max_txs = 10'000;     // per block
    uint64_t max_gas = 30'000'000;
    size_t eager_txs = 2'000;    // this many ready transactions cut a block at once
    std::chrono::milliseconds idle_interval{0};  // > 0: an empty block after this long idle
    // With idle_interval: idle blocks fall just after the boundaries epoch + k * idle_interval
    // (slot starts), so every slot gets a block even when the last one came late in its slot.
    std::chrono::steady_clock::time_point idle_epoch{};
    // With idle_interval: asked before each idle block; false skips it (unset: always).
    std::function<bool()> idle_wanted;
  };
  // build(batch) executes and commits one block holding (valid members of) `batch`.
  Producer(Options opts, Mempool& pool, std::function<void(const Batch&)> build);
  ~Producer();

  void start();
  void stop();
  // A transaction became ready: wakes the producer.
  void notify();
  // Produces one block now (possibly empty) and returns when it is committed.
  void mine_now();
  // Runs fn with production paused (dev methods that rewrite the chain).
  void exclusive(const std::function<void()>& fn);
  // Stops cutting blocks on the timer (blocks are then made only by mine_now).
  void set_automine(bool on);

 private:
  void loop();
  void produce_locked(bool allow_empty);

  Options opts_;
  Mempool& pool_;
  std::function<void(const Batch&)> build_;
  std::mutex build_mu_;  // held while a block is built or an exclusive section runs
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, woken_ = false, automine_ = true;
  std::thread thread_;
  std::chrono::steady_clock::time_point last_block_;  // guarded by build_mu_
};

}  // namespace lumio::sequencer
