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
  last_block_ = std::chrono::steady_clock::now();  // the block's slot is read at its start
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
  {
    std::lock_guard b(build_mu_);
    last_block_ = last;
  }
  // Next slot start after the last block (guarded by build_mu_).
  auto idle_due_locked = [&] {
    auto iv = opts_.idle_interval;
    if (last_block_ < opts_.idle_epoch) return opts_.idle_epoch;
    auto k = (last_block_ - opts_.idle_epoch) / iv + 1;
    return opts_.idle_epoch + k * iv + std::chrono::milliseconds(1);
  };
  auto idle_due = [&] {
    std::lock_guard b(build_mu_);
    return idle_due_locked();
  };
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Sleep until woken by a new transaction (or the stop), then honour the interval
    // unless a block's worth is already waiting.
    auto wake = Clock::now() + opts_.interval;
    if (opts_.idle_interval.count() > 0) {
      lock.unlock();
      wake = std::max(Clock::now(), std::min(wake, idle_due()));
      lock.lock();
    }
    cv_.wait_until(lock, wake, [&] { return stop_ || woken_; });
    if (stop_) break;
    woken_ = false;
    if (!automine_) continue;
    if (pool_.ready_count() == 0) {
      if (opts_.idle_interval.count() > 0) {
        lock.unlock();
        {
          std::lock_guard b(build_mu_);
          if (Clock::now() >= idle_due_locked()) {
            if (!opts_.idle_wanted || opts_.idle_wanted()) produce_locked(true);
            else last_block_ = Clock::now();  // asked again next slot
          }
        }
        lock.lock();
      }
      continue;
    }
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
