#include "sequencer/producer.hpp"

namespace lumio::sequencer {

Producer::Producer(Options opts, Mempool& pool, std::function<void(const Batch&)> build)
    : opts_(opts), pool_(pool), build_(std::move(build)) {}

Producer::~Producer() { stop(); }

void Producer::start() { thread_ = std::thread([this] { loop(); }); }

void Producer::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Producer::notify() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Producer::set_automine(bool on) {
  std::lock_guard lock(mu_);
  automine_ = on;
}

void Producer::produce_locked(bool allow_empty) {
  Batch batch = pool_.take(opts_.max_txs, opts_.max_gas);
  if (batch.empty() && !allow_empty) return;
  build_(batch);
  pool_.committed();
}

void Producer::mine_now() {
  std::lock_guard b(build_mu_);
  produce_locked(true);
}

void Producer::exclusive(const std::function<void()>& fn) {
  std::lock_guard b(build_mu_);
  fn();
}

void Producer::loop() {
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Sleep until woken by a new transaction (or the stop), then honour the interval
    // unless a block's worth is already waiting.
    cv_.wait_for(lock, opts_.interval, [&] { return stop_ || woken_; });
    if (stop_) break;
    woken_ = false;
    if (!automine_ || pool_.ready_count() == 0) continue;
    auto due = last + opts_.interval;
    if (Clock::now() < due && pool_.ready_count() < opts_.eager_txs) {
      cv_.wait_until(lock, due, [&] { return stop_ || pool_.ready_count() >= opts_.eager_txs; });
      if (stop_) break;
    }
    lock.unlock();
    {
      std::lock_guard b(build_mu_);
      last = Clock::now();
      produce_locked(false);
    }
    lock.lock();
    // More may be ready already: loop again without waiting for a new wake-up.
    if (pool_.ready_count() > 0) woken_ = true;
  }
}

}  // namespace lumio::sequencer
