// Compute budget instructions and transaction fees (Agave compute-budget-instruction-details,
// execution_budget.rs, fee calculation).
#pragma once
#include <cstdint>

#include "svm/sbpf.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

inline constexpr uint32_t kDefaultInstructionComputeUnitLimit = 200'000;
inline constexpr uint32_t kMaxBuiltinAllocationComputeUnitLimit = 3'000;  // SIMD-0170
inline constexpr uint32_t kMaxComputeUnitLimit = 1'400'000;
inline constexpr uint32_t kMinHeapFrameBytes = 32 * 1024;
inline constexpr uint32_t kMaxHeapFrameBytes = 256 * 1024;
inline constexpr uint32_t kMaxLoadedAccountsDataSizeBytes = 64 * 1024 * 1024;
inline constexpr uint64_t kMicroLamportsPerLamport = 1'000'000;
inline constexpr uint64_t kHeapCostPer32KiB = 8;  // beyond the first 32 KiB page

struct ComputeBudgetLimits {
  uint32_t compute_unit_limit = kDefaultInstructionComputeUnitLimit;
  uint64_t compute_unit_price = 0;  // micro-lamports per CU
  uint32_t heap_size = kMinHeapFrameBytes;
  uint32_t loaded_accounts_data_size_limit = kMaxLoadedAccountsDataSizeBytes;
  // ceil(price * limit / 1e6) lamports.
  uint64_t prioritization_fee() const;
};

// Reads the message's ComputeBudget instructions: invalid data or heap size ->
// InstructionError(i, InvalidInstructionData), a repeated kind -> DuplicateInstruction(i),
// a zero data size limit -> InvalidLoadedAccountsDataSizeLimit. Without SetComputeUnitLimit the
// limit is 200k per non-builtin instruction plus 3000 per builtin one, capped at 1.4M.
Expected<ComputeBudgetLimits, TransactionError> compute_budget_limits(const Message& m);

// Whether a program id is one of the builtins SIMD-0170 reserves 3000 CUs for.
bool is_builtin_program(const Pubkey& id);

// Signatures the fee counts: the transaction's plus those the ed25519 / secp256k1 / secp256r1
// precompile instructions declare (their first data byte).
uint64_t fee_signature_count(const Message& m, size_t num_tx_signatures);
// lamports_per_signature * signatures + prioritization fee.
uint64_t calculate_fee(const Message& m, size_t num_tx_signatures, uint64_t lamports_per_signature,
                       const ComputeBudgetLimits& limits);

}  // namespace lumio::svm
