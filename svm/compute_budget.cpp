#include "svm/compute_budget.hpp"

#include "svm/account.hpp"

namespace lumio::svm {

uint64_t ComputeBudgetLimits::prioritization_fee() const {
  unsigned __int128 micro = (unsigned __int128)compute_unit_price * compute_unit_limit;
  unsigned __int128 fee = (micro + kMicroLamportsPerLamport - 1) / kMicroLamportsPerLamport;
  return fee > UINT64_MAX ? UINT64_MAX : uint64_t(fee);
}

bool is_builtin_program(const Pubkey& id) {
  // Agave's non-migrating builtins (stake, config and ALT now run as core BPF programs).
  static const Pubkey* const kBuiltins[] = {
      &ids::system_program, &ids::vote_program, &ids::compute_budget, &ids::bpf_loader_deprecated,
      &ids::bpf_loader, &ids::bpf_loader_upgradeable, &ids::loader_v4, &ids::secp256k1_program,
      &ids::ed25519_program, &ids::zk_elgamal_proof};
  for (const Pubkey* b : kBuiltins)
    if (*b == id) return true;
  return false;
}

namespace {
uint64_t le(std::span<const uint8_t> d, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(d[at + i]) << (8 * i);
  return v;
}
}  // namespace

Expected<ComputeBudgetLimits, TransactionError> compute_budget_limits(const Message& m) {
  std::optional<std::pair<uint8_t, uint32_t>> heap, limit, data_size;
  std::optional<uint64_t> price;
  uint64_t builtins = 0, others = 0;
  for (size_t i = 0; i < m.instructions.size(); ++i) {
    const auto& ix = m.instructions[i];
    const Pubkey& program = m.account_keys[ix.program_id_index];
    if (program != ids::compute_budget) continue;
    const auto idx = uint8_t(i);
    const TransactionError invalid(idx, InstructionError(InstructionError::InvalidInstructionData));
    const TransactionError duplicate(TransactionError::DuplicateInstruction, idx);
    // Borsh enum (u8 tag, then the fields); trailing bytes are ignored (try_from_slice_unchecked).
    const auto& d = ix.data;
    if (d.empty()) return invalid;
    switch (d[0]) {
      case 1:  // RequestHeapFrame(u32)
        if (d.size() < 5) return invalid;
        if (heap) return duplicate;
        heap = {idx, uint32_t(le(d, 1, 4))};
        break;
      case 2:  // SetComputeUnitLimit(u32)
        if (d.size() < 5) return invalid;
        if (limit) return duplicate;
        limit = {idx, uint32_t(le(d, 1, 4))};
        break;
      case 3:  // SetComputeUnitPrice(u64)
        if (d.size() < 9) return invalid;
        if (price) return duplicate;
        price = le(d, 1, 8);
        break;
      case 4:  // SetLoadedAccountsDataSizeLimit(u32)
        if (d.size() < 5) return invalid;
        if (data_size) return duplicate;
        data_size = {idx, uint32_t(le(d, 1, 4))};
        break;
      default:  // 0 = the removed RequestUnitsDeprecated, or not a variant
        return invalid;
    }
  }
  for (const auto& ix : m.instructions) {
    if (is_builtin_program(m.account_keys[ix.program_id_index])) ++builtins;
    else ++others;
  }
  ComputeBudgetLimits out;
  if (heap) {
    uint32_t b = heap->second;
    if (b < kMinHeapFrameBytes || b > kMaxHeapFrameBytes || b % 1024 != 0)
      return TransactionError(heap->first, InstructionError(InstructionError::InvalidInstructionData));
    out.heap_size = b;
  }
  uint64_t cu = limit ? limit->second
                      : builtins * kMaxBuiltinAllocationComputeUnitLimit + others * kDefaultInstructionComputeUnitLimit;
  out.compute_unit_limit = uint32_t(std::min<uint64_t>(cu, kMaxComputeUnitLimit));
  out.compute_unit_price = price.value_or(0);
  if (data_size) {
    if (data_size->second == 0) return TransactionError(TransactionError::InvalidLoadedAccountsDataSizeLimit);
    out.loaded_accounts_data_size_limit = std::min(data_size->second, kMaxLoadedAccountsDataSizeBytes);
  }
  return out;
}

uint64_t fee_signature_count(const Message& m, size_t num_tx_signatures) {
  uint64_t n = num_tx_signatures;
  for (const auto& ix : m.instructions) {
    const Pubkey& p = m.account_keys[ix.program_id_index];
    if (p == ids::ed25519_program || p == ids::secp256k1_program || p == ids::secp256r1_program)
      n += ix.data.empty() ? 0 : ix.data[0];
  }
  return n;
}

uint64_t calculate_fee(const Message& m, size_t num_tx_signatures, uint64_t lamports_per_signature,
                       const ComputeBudgetLimits& limits) {
  unsigned __int128 fee = (unsigned __int128)fee_signature_count(m, num_tx_signatures) * lamports_per_signature +
                          limits.prioritization_fee();
  return fee > UINT64_MAX ? UINT64_MAX : uint64_t(fee);
}

}  // namespace lumio::svm
