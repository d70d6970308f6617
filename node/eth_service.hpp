// The Ethereum face of the node: rpc::EthBackend answered from the chain, the mempool and
// the EVM, and chain events forwarded to the RPC layer's filters and subscriptions.
#pragma once
#include <memory>

#include "node/node.hpp"
#include "rpc/eth_api.hpp"

namespace lumio::node {

class EthService final : public rpc::EthBackend {
 public:
  // Registers the Ethereum methods on `server` (call before server.start()).
  EthService(Node& node, rpc::Server& server);
  ~EthService() override;

  uint64_t chain_id() override;
  uint64_t block_number() override;
  std::optional<rpc::EthBlock> block_by_number(uint64_t number, bool full_txs) override;
  std::optional<rpc::EthBlock> block_by_hash(const Hash32& hash, bool full_txs) override;
  std::optional<rpc::EthTx> transaction_by_hash(const Hash32& hash) override;
  std::optional<rpc::EthReceipt> receipt(const Hash32& tx_hash) override;
  std::optional<std::vector<rpc::EthReceipt>> block_receipts(uint64_t number) override;
  std::vector<rpc::EthLog> logs(uint64_t from, uint64_t to, const rpc::LogFilter& filter) override;

  uint256 balance(const Address& a, rpc::StateRef at) override;
  uint64_t nonce(const Address& a, rpc::StateRef at) override;
  Bytes code(const Address& a, rpc::StateRef at) override;
  Hash32 storage(const Address& a, const Hash32& slot, rpc::StateRef at) override;

  rpc::CallResult call(const rpc::CallRequest& req, rpc::StateRef at,
                       const rpc::StateOverrides& state,
                       const rpc::BlockOverrides& block) override;
  rpc::CallResult estimate_gas(const rpc::CallRequest& req, rpc::StateRef at,
                               const rpc::StateOverrides& state) override;

  uint256 gas_price() override;
  uint256 max_priority_fee_per_gas() override;
  uint256 next_base_fee() override;

  Hash32 send_raw_transaction(BytesView raw) override;
  Hash32 send_transaction(const rpc::CallRequest& req) override;
  std::vector<Address> accounts() override;

  rpc::json trace_transaction(const Hash32& tx_hash, const rpc::json& config) override;
  rpc::json trace_call(const rpc::CallRequest& req, rpc::StateRef at,
                       const rpc::json& config) override;

  uint64_t snapshot() override;
  bool revert(uint64_t snapshot_id) override;
  void mine(uint64_t blocks, std::optional<uint64_t> timestamp, uint64_t interval) override;
  uint64_t increase_time(uint64_t seconds) override;
  void set_next_block_timestamp(uint64_t timestamp) override;
  void set_balance(const Address& a, const uint256& v) override;
  void set_code(const Address& a, const Bytes& code) override;
  void set_nonce(const Address& a, uint64_t nonce) override;
  void set_storage_at(const Address& a, const Hash32& slot, const Hash32& value) override;
  void impersonate(const Address& a, bool on) override;

 private:
  struct Reader;  // a state reader that may own a historical view
  Reader reader_at(rpc::StateRef at);
  rpc::EthBlock to_eth_block(const exec::Block& b, bool full_txs);
  std::vector<rpc::EthLog> block_logs(const exec::Block& b,
                                      const std::vector<exec::Receipt>& receipts);
  evm::BlockEnv env_at(rpc::StateRef at);

  Node& node_;
  std::unique_ptr<rpc::EthApi> api_;
};

}  // namespace lumio::node
