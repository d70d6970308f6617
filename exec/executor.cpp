#include "exec/executor.hpp"

#include "exec/evm_backend.hpp"

namespace lumio::exec {

uint256 effective_gas_price(const evm::Transaction& tx, const uint256& base_fee) {
  if (tx.type < 2) return tx.gas_price;
  uint256 with_tip = base_fee + tx.max_priority_fee_per_gas;
  return with_tip < tx.gas_price ? with_tip : tx.gas_price;
}

Receipt make_receipt(const evm::Transaction& tx, const evm::TxResult& r, const uint256& base_fee) {
  Receipt rc;
  rc.tx_type = tx.type;
  rc.success = r.status == evm::Status::Success;
  rc.gas_used = r.gas_used;
  rc.contract_address = r.created;
  rc.effective_gas_price = effective_gas_price(tx, base_fee);
  rc.output = r.output;
  rc.logs.reserve(r.logs.size());
  for (const evm::Log& l : r.logs) rc.logs.push_back({l.address, l.topics, l.data});
  return rc;
}

BlockOutcome execute_evm_block(const std::vector<std::shared_ptr<const EvmTx>>& txs,
                               const evm::BlockEnv& env, state::BlockOverlay& overlay,
                               const state::Store* store) {
  BlockOutcome out;
  uint64_t cumulative = 0;
  uint32_t logs = 0;
  for (const auto& t : txs) {
    if (t->tx.gas_limit > env.gas_limit - cumulative) {
      out.dropped.push_back({t->hash, "gas limit reached"});
      continue;
    }
    state::TxView view(overlay);
    EvmBackend backend(view, store);
    evm::State st(backend);
    evm::TxResult r = evm::execute_transaction(st, env, t->tx, t->sender);
    if (r.invalid) {
      out.dropped.push_back({t->hash, *r.invalid});
      continue;
    }
    apply_evm_diff(st.take_diff(), view);
    overlay.commit(view);
    cumulative += r.gas_used;
    Receipt rc = make_receipt(t->tx, r, env.base_fee);
    rc.cumulative_gas_used = cumulative;
    rc.first_log_index = logs;
    logs += uint32_t(rc.logs.size());
    out.receipts.push_back(std::move(rc));
    out.txs.push_back({Vm::Evm, t->hash, t->raw, Bytes(t->sender.view().begin(), t->sender.view().end())});
  }
  return out;
}

}  // namespace lumio::exec
