// The Solana face of the node: SolBackend (rpc/sol_api.hpp) over the chain, the slot ledger and
// the Solana runtime, and the bridge from committed blocks to PubSub events.
//
// Commitment on one node: `processed` is the latest committed Lumio block; `confirmed` and
// `finalized` are the end of the latest slot that has ended (the tip's parent slot): once a slot
// is over no block can join it and nothing can reorganize it (node/README.md).
#pragma once
#include <map>
#include <mutex>
#include <vector>

#include "node/node.hpp"
#include "rpc/sol_api.hpp"

namespace lumio::node {

class SolService final : public rpc::SolBackend {
 public:
  explicit SolService(Node& node);
  ~SolService() override;
  // Pushes events to these APIs (one per server: the RPC port and the PubSub port).
  void attach(rpc::SolApi& api);

  uint64_t slot(rpc::Commitment c) override;
  uint64_t block_height(rpc::Commitment c) override;
  uint64_t transaction_count(rpc::Commitment c) override;
  rpc::SolAtSlot<std::optional<rpc::SolAccount>> account(const rpc::SolPubkey& key, rpc::Commitment c) override;
  rpc::SolAtSlot<std::vector<std::optional<rpc::SolAccount>>> accounts(std::span<const rpc::SolPubkey> keys,
                                                                       rpc::Commitment c) override;
  uint64_t scan_program_accounts(const rpc::SolPubkey& program, rpc::Commitment c,
                                 std::span<const rpc::SolAccountFilter> filters,
                                 const std::function<void(const rpc::SolPubkey&, const rpc::SolAccount&)>& visit) override;
  rpc::SolAtSlot<rpc::SolBlockhash> latest_blockhash(rpc::Commitment c) override;
  rpc::SolAtSlot<bool> is_blockhash_valid(const rpc::SolHash& h, rpc::Commitment c) override;
  rpc::SolAtSlot<std::optional<uint64_t>> fee_for_message(const svm::Message& m, rpc::Commitment c) override;
  std::optional<rpc::SolBlock> block(uint64_t slot, rpc::Commitment c) override;
  std::vector<uint64_t> blocks(uint64_t start, uint64_t end, rpc::Commitment c) override;
  std::optional<int64_t> block_time(uint64_t slot) override;
  std::vector<std::optional<rpc::SolSignatureStatus>> signature_statuses(std::span<const rpc::SolSignature> sigs,
                                                                         bool search_history) override;
  std::vector<rpc::SolSignatureInfo> signatures_for_address(const rpc::SolPubkey& address,
                                                            std::optional<rpc::SolSignature> before,
                                                            std::optional<rpc::SolSignature> until, size_t limit,
                                                            rpc::Commitment c) override;
  std::optional<rpc::SolConfirmedTx> transaction(const rpc::SolSignature& sig, rpc::Commitment c) override;
  void send_transaction(const svm::Transaction& tx, std::optional<size_t> max_retries) override;
  rpc::SolSimulation simulate_transaction(const svm::Transaction& tx, const rpc::SolSimulateOptions& opts) override;
  rpc::SolSignature request_airdrop(const rpc::SolPubkey& to, uint64_t lamports, rpc::Commitment c) override;
  rpc::SolHash genesis_hash() override;
  rpc::SolPubkey identity() override;

 private:
  struct Bank {
    SolSlotRecord record;
    uint64_t last_block = 0;  // the bank's state is the state after this Lumio block
  };
  Bank bank(rpc::Commitment c);
  std::unique_ptr<state::StateReader> reader_at(const Bank& b);
  std::optional<rpc::SolTxWithMeta> tx_at(const exec::Block& b, uint32_t index);
  void on_block(const Node::SolBlockEvent& ev);

  Node& node_;
  std::mutex mu_;  // guards the fields below
  std::vector<rpc::SolApi*> apis_;
  // Events of the tip slot, published again at confirmed/finalized when the slot ends.
  std::vector<rpc::SolTxEvent> slot_txs_;
  std::map<rpc::SolPubkey, rpc::SolAccount> slot_accounts_;
};

}  // namespace lumio::node
