// Pieces shared by invoke.cpp, cpi.cpp and runtime.cpp (not part of the public API).
#pragma once
#include <optional>
#include <string>

#include "svm/elf.hpp"
#include "svm/runtime.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {

// A program cache entry: the verified executable, or why loading/verification failed.
struct Runtime::CachedProgram {
  uint64_t slot = 0;  // deployment slot (0 for the immutable loaders)
  std::vector<uint8_t> elf;  // the bytes it was built from (a re-created account must reload)
  std::optional<Executable> exe;
  std::string error;
};

// The InvokeContext a syscall runs under, or nullptr outside a Runtime.
inline InvokeContext* invoke_context_of(SyscallContext& ctx) { return static_cast<InvokeContext*>(ctx.user); }

// An error raised as Agave's InstructionError from inside a syscall (CPI): the SyscallError's kind
// is the variant name, so the BPF loader maps it back (see error_of_syscall in invoke.cpp).
// Custom's code travels in `addr`.
inline EbpfError instruction_error_as_syscall(const InstructionError& e) {
  EbpfError out = EbpfError::from_syscall(e.name(), e.message());
  out.addr = e.custom;
  return out;
}

}  // namespace lumio::svm
