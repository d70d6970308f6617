// The node: wires the store and chain, mempool and block producer, the EVM executor and
// the RPC server together. The only place that knows all of them.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "exec/executor.hpp"
#include "exec/svm_executor.hpp"
#include "node/chain.hpp"
#include "node/config.hpp"
#include "node/dev_accounts.hpp"
#include "node/sol_ledger.hpp"
#include "sequencer/mempool.hpp"
#include "sequencer/producer.hpp"

namespace lumio::node {

// Counters for /metrics.
struct Metrics {
  std::atomic<uint64_t> blocks{0}, txs{0}, txs_dropped{0}, txs_rejected{0};
  std::atomic<uint64_t> block_exec_us_total{0}, block_commit_us_total{0};
  std::atomic<uint64_t> last_block_exec_us{0}, last_block_commit_us{0};
  // Admission to receipt (the soft confirmation) per transaction: a Prometheus histogram.
  static constexpr double kLatencyBucketsMs[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
  std::atomic<uint64_t> latency_buckets[std::size(kLatencyBucketsMs) + 1]{};
  std::atomic<uint64_t> latency_us_total{0}, latency_count{0};
  void observe_latency(uint64_t us);
};

class Node {
 public:
  explicit Node(Config cfg);
  ~Node();

  // Opens the store (wiping it with cfg.fresh), writes genesis when empty, starts the
  // block producer.
  void start();
  void stop();

  const Config& config() const { return cfg_; }
  Chain& chain() { return *chain_; }
  sequencer::Mempool& pool() { return *pool_; }
  sequencer::Producer& producer() { return *producer_; }
  Metrics& metrics() { return metrics_; }
  const std::vector<DevAccount>& dev_accounts() const { return dev_accounts_; }
  // Solana's slots over this chain; null with --no-solana.
  SolLedger* sol_ledger() { return sol_.get(); }
  // A Solana client did something: keeps slots ticking (Config::slot_ticks_always).
  void note_solana_activity();

  // sendTransaction: age and status checks against the latest bank, durable admission, the
  // pool. The transaction must be decoded; sanitize and signature checks run here too.
  // Throws SolAdmissionError. Returns the first signature.
  svm::Signature submit_solana(svm::Transaction tx);
  // The bank context a Solana transaction would run in on top of `state` (the latest block:
  // chain().latest()), as the next block in the current slot.
  exec::SvmBlockContext sol_context(const state::StateReader& state);
  svm::Runtime& sol_runtime() { return *sol_runtime_; }
  // Called after each committed block with its Solana transactions' runs (producer thread);
  // `opened` when the block opened a new slot.
  struct SolBlockEvent {
    std::shared_ptr<const exec::Block> block;
    std::vector<exec::SvmTxRun> runs;  // in the order of the block's Vm::Svm records
    std::optional<SolSlotRecord> opened;
  };
  void on_sol_block(std::function<void(const SolBlockEvent&)> fn);
  void on_sol_pending(std::function<void(const svm::Signature&)> fn);

  // eth_sendRawTransaction: decode, validate against the latest state, admit. Returns the
  // hash, or throws AdmissionError with geth's message.
  Hash32 submit_raw(BytesView raw);
  // Admits an already-signed (or, for impersonated senders, unsigned) transaction.
  Hash32 submit(evm::Transaction tx, const Address& sender);

  // The environment the next block will run in (eth_call on "pending"/"latest" uses it).
  evm::BlockEnv next_block_env();
  evm::BlockEnv block_env(const exec::BlockHeader& h);
  uint256 next_base_fee() const;

  // Dev methods: each applies its write in a block of its own, committed before returning.
  void dev_write(const std::function<void(state::BlockOverlay&)>& fn);
  void mine(uint64_t blocks, std::optional<uint64_t> timestamp = std::nullopt);
  uint64_t snapshot();            // evm_snapshot: an id for the current head
  bool revert(uint64_t id);       // evm_revert: back to that head (id and later ones consumed)
  int64_t increase_time(int64_t seconds);  // returns the total offset
  void set_next_timestamp(uint64_t ts);    // throws AdmissionError if not after the head
  void impersonate(const Address& a, bool on);
  bool impersonated(const Address& a);

  // Waits (at most `max`) while `hash` is on its way into a block: ready in the mempool or
  // in the block being built. Lets a receipt query right after the send see the receipt,
  // as clients written for automining dev nodes expect (Hardhat's chai matchers).
  void wait_until_settled(const Hash32& hash, std::chrono::milliseconds max);

  // Called with each finished block just before it becomes readable (producer thread).
  void on_block_prepared(std::function<void(const exec::Block&, const std::vector<exec::Receipt>&)> fn);
  // Called after each committed block (on the producer thread).
  void on_block(std::function<void(const std::shared_ptr<const exec::Block>&,
                                   const std::vector<exec::Receipt>&)> fn);
  // Called for each admitted transaction.
  void on_pending(std::function<void(const exec::EvmTx&)> fn);

 private:
  void write_genesis();
  void restore_pending();  // re-admits the transactions acknowledged before a restart
  exec::SvmBlockContext sol_block_context(const state::StateReader& state, uint64_t newest_height);
  void build_block(const sequencer::Producer::Batch& batch,
                   const std::function<void(state::BlockOverlay&)>& extra = nullptr,
                   std::optional<uint64_t> timestamp = std::nullopt);
  uint64_t next_timestamp(uint64_t parent_ts);
  // The first block of a slot rewrites the per-slot sysvars (clock, slot hashes, recent
  // blockhashes) before its transactions run.
  void open_slot(state::BlockOverlay& overlay, uint64_t slot, uint64_t timestamp,
                 const SolSlotRecord& parent);
  bool want_idle_block();
  Hash32 block_hash(uint64_t n);

  Config cfg_;
  std::vector<DevAccount> dev_accounts_;
  std::unique_ptr<Chain> chain_;
  std::unique_ptr<sequencer::Mempool> pool_;
  std::unique_ptr<sequencer::Producer> producer_;
  std::unique_ptr<SolLedger> sol_;
  std::unique_ptr<svm::Runtime> sol_runtime_;
  std::vector<std::function<void(const SolBlockEvent&)>> sol_block_listeners_;
  std::vector<std::function<void(const svm::Signature&)>> sol_pending_listeners_;
  std::atomic<int64_t> sol_active_until_ms_{0};  // steady-clock ms
  Metrics metrics_;

  std::mutex mu_;  // guards the fields below
  int64_t time_offset_ = 0;
  std::optional<uint64_t> next_timestamp_;
  bool bump_timestamp_ = false;  // the next block is dev-mined: strictly after its parent
  std::map<uint64_t, uint64_t> snapshots_;  // id -> block number
  uint64_t next_snapshot_ = 1;
  std::set<Address> impersonated_;
  std::set<Hash32> in_flight_;          // in the block being built
  std::condition_variable block_done_;  // signalled after each commit
  std::vector<std::function<void(const std::shared_ptr<const exec::Block>&,
                                 const std::vector<exec::Receipt>&)>> block_listeners_;
  std::vector<std::function<void(const exec::EvmTx&)>> pending_listeners_;
  std::vector<std::function<void(const exec::Block&, const std::vector<exec::Receipt>&)>>
      prepared_listeners_;
};

struct AdmissionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A Solana transaction refused at admission, with Solana's error.
struct SolAdmissionError : std::runtime_error {
  svm::TransactionError error;
  explicit SolAdmissionError(svm::TransactionError e)
      : std::runtime_error(svm::message(e)), error(e) {}
};

}  // namespace lumio::node
