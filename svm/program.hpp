// Runtime environment of a loader: VM configuration and the syscall registry (Solana's
// BuiltinProgram). The ELF loader consults it for hash collisions and unresolved symbols; the VM
// dispatches CALL imm through it.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "svm/errors.hpp"
#include "svm/sbpf.hpp"

namespace lumio::svm {

using Pubkey = std::array<uint8_t, 32>;

// Mirrors solana_sbpf::vm::Config as Agave sets it for BPF loaders v1-v3
// (create_program_runtime_environment_v1): fixed frames with gaps, no rodata optimisation
// (optimize_rodata = false is built into the loader), aligned memory mapping.
struct Config {
  uint32_t max_call_depth = 64;
  uint32_t stack_frame_size = 4096;
  bool enable_stack_frame_gaps = true;
  bool enable_instruction_meter = true;
  // true when deploying (reject_deployment_of_broken_elfs), false when executing deployed code.
  bool reject_broken_elfs = false;
  SbpfVersion min_version = SbpfVersion::V0;
  SbpfVersion max_version = SbpfVersion::V0;
  uint64_t stack_size() const { return uint64_t{stack_frame_size} * max_call_depth; }
};

// Function keys (murmur3 hashes in v0) -> value, with Solana's collision rule: re-registering a
// key is fine only with the same value.
template <class T>
class FunctionRegistry {
 public:
  struct Entry {
    std::string name;
    T value;
  };
  bool register_function(uint32_t key, std::string name, T value) {
    auto [it, inserted] = map_.try_emplace(key, Entry{std::move(name), value});
    return inserted || it->second.value == value;
  }
  bool unregister(uint32_t key) { return map_.erase(key) > 0; }
  const Entry* lookup(uint32_t key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  const Entry* lookup_by_name(std::string_view name) const {
    for (auto& [k, e] : map_)
      if (e.name == name) return &e;
    return nullptr;
  }
  size_t size() const { return map_.size(); }
  auto begin() const { return map_.begin(); }
  auto end() const { return map_.end(); }

 private:
  std::map<uint32_t, Entry> map_;
};

class SyscallContext;
// A syscall gets r1..r5 and returns r0 or an error that aborts the program.
using SyscallFn = Expected<uint64_t, EbpfError> (*)(SyscallContext&, uint64_t, uint64_t, uint64_t,
                                                   uint64_t, uint64_t);

// A loader's runtime environment: config + syscalls keyed by murmur3(name).
struct Loader {
  Config config;
  FunctionRegistry<SyscallFn> syscalls;
  bool register_syscall(std::string_view name, SyscallFn fn) {
    return syscalls.register_function(hash_symbol_name(name), std::string(name), fn);
  }
};

}  // namespace lumio::svm
