// Loader for Solana programs (sBPF ELF shared objects). Validation, relocation and layout follow
// anza-xyz/sbpf's lenient (v0-v2) loader exactly, so that the same files load or fail with the same
// ElfError as on Solana. The result is immutable and can be shared by many VM instances.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "svm/errors.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"

namespace lumio::svm {

class Executable {
 public:
  // Parses, validates and relocates `elf`. Syscall symbols are keyed by murmur3(name); internal
  // calls by murmur3(pc). `loader` supplies the config and the syscall keys.
  static Expected<Executable, ElfError> load(std::span<const uint8_t> elf, const Loader& loader);
  // A bare instruction stream (no ELF), as sbpf's new_from_text_bytes: mapped at kProgramStart.
  static Executable from_text(std::span<const uint8_t> text, SbpfVersion version,
                              FunctionRegistry<uint64_t> functions = {});

  SbpfVersion version() const { return version_; }
  // The read-only region (v0: rodata and text together) and its first virtual address.
  std::span<const uint8_t> ro_section() const { return ro_; }
  uint64_t ro_vaddr() const { return ro_vaddr_; }
  std::span<const uint8_t> text() const {
    return std::span<const uint8_t>(ro_).subspan(text_vaddr_ - ro_vaddr_, text_len_);
  }
  uint64_t text_vaddr() const { return text_vaddr_; }
  uint64_t entry_pc() const { return entry_pc_; }
  // Internal functions: key -> instruction index.
  const FunctionRegistry<uint64_t>& functions() const { return functions_; }

 private:
  Executable() = default;
  SbpfVersion version_ = SbpfVersion::V0;
  std::vector<uint8_t> ro_;
  uint64_t ro_vaddr_ = kProgramStart;
  uint64_t text_vaddr_ = kProgramStart;
  uint64_t text_len_ = 0;
  uint64_t entry_pc_ = 0;
  FunctionRegistry<uint64_t> functions_;
};

// Reads e_flags: 0..4 -> V0..V4, anything else -> Reserved. nullopt if the file is too short.
Expected<SbpfVersion, ElfError> sbpf_version_of(std::span<const uint8_t> elf);

}  // namespace lumio::svm
