// Solana syscalls that need no runtime state beyond memory, the compute meter and the log:
// logging, memory ops, hashing, panic/abort. Costs and error kinds follow Agave (syscalls crate,
// SVMTransactionExecutionCost). Runtime syscalls (CPI, sysvars, PDAs, return data) come later.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base58.hpp"
#include "common/base64.hpp"
#include "svm/program.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {

// Registers abort, sol_panic_, sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_pubkey,
// sol_log_data, sol_memcpy_, sol_memmove_, sol_memset_, sol_memcmp_, sol_sha256, sol_keccak256,
// sol_create_program_address, sol_try_find_program_address, sol_set_return_data,
// sol_get_return_data, sol_get_stack_height, sol_remaining_compute_units, the sysvar getters
// (sol_get_clock_sysvar, _rent_, _epoch_schedule_, _epoch_rewards_, sol_get_last_restart_slot)
// and sol_get_sysvar, served from SyscallContext::sysvars; sol_secp256k1_recover.
void register_core_syscalls(Loader& loader);

// Registers the rest of Agave's v1 syscall names (mainnet feature set) with a handler that fails
// with SyscallError "NotImplemented", so that deploy-time symbol resolution
// (reject_broken_elfs) sees the same name set as Solana. Replace entries as they get implemented.
void register_pending_syscalls(Loader& loader);

// A loader environment as Agave builds it for BPF loaders v1-v3: all of the above, plus the
// deprecated sol_alloc_free_ when not deploying (disable_deploy_of_alloc_free_syscall).
Loader make_loader_v1(bool deploying);

// Base58 (Bitcoin alphabet), as Pubkey's Display / FromStr, and base64: common/'s codecs under
// the names SVM code uses. Decoding fails on bad characters.
inline std::string base58(const uint8_t* data, size_t len) { return base58_encode(BytesView(data, len)); }
inline std::optional<std::vector<uint8_t>> base58_decode(std::string_view s) { return ::lumio::base58_decode(s); }
inline std::string base64(const uint8_t* data, size_t len) { return base64_encode(BytesView(data, len)); }

// Sysvar ids (sysvar cache keys for SyscallContext::sysvars).
Pubkey sysvar_id(std::string_view name);  // "clock", "rent", "epoch_schedule", "epoch_rewards",
                                          // "last_restart_slot"; all-zero for anything else

// Whether 32 bytes decompress to a point of the ed25519 curve (curve25519-dalek semantics:
// y = bytes mod p with the sign bit cleared; any subgroup). Program addresses must not.
bool is_on_ed25519_curve(const uint8_t* bytes32);
// Pubkey::create_program_address: sha256(seeds || program_id || "ProgramDerivedAddress"),
// nullopt if > 16 seeds, a seed > 32 bytes, or the hash is on the curve.
std::optional<Pubkey> create_program_address(std::span<const std::span<const uint8_t>> seeds,
                                             const Pubkey& program_id);

}  // namespace lumio::svm
