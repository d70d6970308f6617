#include "rpc/sol_api.hpp"

#include <algorithm>
#include <cstring>

namespace lumio::rpc {

namespace sol_error {
RpcError block_not_available(uint64_t slot) {
  return RpcError(sol_code::kBlockNotAvailable,
                  "Block not available for slot " + std::to_string(slot));
}
RpcError slot_skipped(uint64_t slot) {
  return RpcError(sol_code::kSlotSkipped,
                  "Slot " + std::to_string(slot) +
                      " was skipped, or missing due to ledger jump to recent snapshot");
}
RpcError long_term_storage_slot_skipped(uint64_t slot) {
  return RpcError(sol_code::kLongTermStorageSlotSkipped,
                  "Slot " + std::to_string(slot) + " was skipped, or missing in long-term storage");
}
RpcError block_cleaned_up(uint64_t slot, uint64_t first_available) {
  return RpcError(sol_code::kBlockCleanedUp,
                  "Block " + std::to_string(slot) +
                      " cleaned up, does not exist on node. First available block: " +
                      std::to_string(first_available));
}
RpcError invalid_params(std::string message) {
  return RpcError(code::kInvalidParams, std::move(message));
}
}  // namespace sol_error

bool SolAccountFilter::matches(const SolAccount& a) const {
  switch (kind) {
    case Kind::kDataSize: return a.data.size() == data_size;
    case Kind::kMemcmp:
      return offset <= a.data.size() && a.data.size() - offset >= bytes.size() &&
             std::equal(bytes.begin(), bytes.end(), a.data.begin() + offset);
    case Kind::kTokenAccountState: return false;  // set in sol_token.cpp
  }
  return false;
}

struct SolApi::Impl {
  SolBackend& be;
  SolApiOptions opts;
};

SolApi::SolApi(Server& server, SolBackend& backend, SolApiOptions opts)
    : impl_(std::make_unique<Impl>(Impl{backend, std::move(opts)})) {}
SolApi::~SolApi() = default;

void SolApi::notify_slot(uint64_t, uint64_t, uint64_t) {}
void SolApi::notify_root(uint64_t) {}
void SolApi::notify_transactions(std::span<const SolTxEvent>, Commitment) {}
void SolApi::notify_transactions(std::span<const SolTxEvent>) {}
void SolApi::notify_accounts(uint64_t, std::span<const SolAccountChange>, Commitment) {}
void SolApi::notify_accounts(uint64_t, std::span<const SolAccountChange>) {}
void SolApi::notify_signature_received(const SolSignature&, uint64_t) {}

}  // namespace lumio::rpc
