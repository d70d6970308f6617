// Solana syscalls that need no runtime state beyond memory, the compute meter and the log:
// logging, memory ops, hashing, panic/abort. Costs and error kinds follow Agave (syscalls crate,
// SVMTransactionExecutionCost). Runtime syscalls (CPI, sysvars, PDAs, return data) come later.
#pragma once
#include <string>
#include <string_view>

#include "svm/program.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {

// Registers abort, sol_panic_, sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_pubkey,
// sol_memcpy_, sol_memmove_, sol_memset_, sol_memcmp_, sol_sha256, sol_keccak256.
void register_core_syscalls(Loader& loader);

// Registers the rest of Agave's v1 syscall names (mainnet feature set) with a handler that fails
// with SyscallError "NotImplemented", so that deploy-time symbol resolution
// (reject_broken_elfs) sees the same name set as Solana. Replace entries as they get implemented.
void register_pending_syscalls(Loader& loader);

// A loader environment as Agave builds it for BPF loaders v1-v3: all of the above.
Loader make_loader_v1(bool deploying);

// Base58 (Bitcoin alphabet), as Pubkey's Display.
std::string base58(const uint8_t* data, size_t len);

}  // namespace lumio::svm
