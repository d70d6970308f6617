#include "exec/evm_backend.hpp"

#include "state/commitment.hpp"

namespace lumio::exec {

std::optional<evm::AccountInfo> EvmBackend::account(const Address& addr) {
  auto raw = reader_.get(state::Space::EvmAccount, addr.view());
  if (!raw) return std::nullopt;
  auto acct = state::EvmAccount::decode(*raw);
  if (!acct) return std::nullopt;
  return evm::AccountInfo{acct->nonce, uint256::from_be(acct->balance), acct->code_hash};
}

uint256 EvmBackend::storage(const Address& addr, const uint256& key) {
  auto raw = reader_.get(state::Space::EvmStorage, state::evm_storage_key(addr, key.to_be()));
  return raw ? uint256::from_be(*raw) : uint256();
}

Bytes EvmBackend::code(const Hash32& code_hash) {
  if (code_hash == kEmptyKeccak) return {};
  auto raw = reader_.get(state::Space::EvmCode, code_hash.view());
  return raw ? std::move(*raw) : Bytes{};
}

bool EvmBackend::has_storage(const Address& addr) {
  if (!store_) return false;
  bool any = false;
  store_->scan(state::Space::EvmStorage, addr.view(), [&](BytesView, BytesView v) {
    any = !v.empty();
    return !any;
  });
  return any;
}

namespace {

template <class Sink>
void apply(const evm::StateDiff& diff, Sink& sink) {
  for (const auto& [hash, code] : diff.codes) sink.put(state::Space::EvmCode, hash.view(), code);
  for (const evm::AccountDiff& a : diff.accounts) {
    if (a.deleted) {
      sink.erase(state::Space::EvmAccount, a.address.view());
      continue;
    }
    state::EvmAccount acct;
    acct.nonce = a.info.nonce;
    acct.balance = a.info.balance.to_be();
    acct.code_hash = a.info.code_hash;
    sink.put(state::Space::EvmAccount, a.address.view(), acct.encode());
    for (const auto& [slot, value] : a.storage) {
      Bytes key = state::evm_storage_key(a.address, slot.to_be());
      if (value.is_zero()) sink.erase(state::Space::EvmStorage, key);
      else sink.put(state::Space::EvmStorage, key, value.to_be_trimmed());
    }
  }
}

}  // namespace

void apply_evm_diff(const evm::StateDiff& diff, state::TxView& view) { apply(diff, view); }
void apply_evm_diff(const evm::StateDiff& diff, state::BlockOverlay& overlay) {
  apply(diff, overlay);
}

}  // namespace lumio::exec
