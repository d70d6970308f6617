// Solana's program input serialization (Agave program-runtime serialization.rs, without direct
// mapping): the byte image placed at kInputStart that the entrypoint's r1 points to.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "svm/program.hpp"

namespace lumio::svm {

struct InstructionAccount {
  Pubkey key{};
  Pubkey owner{};
  uint64_t lamports = 0;
  std::vector<uint8_t> data;
  uint64_t rent_epoch = 0;
  bool is_signer = false, is_writable = false, executable = false;
  // If set, this entry repeats an earlier account at that position (serialized as a reference).
  int duplicate_of = -1;
};

constexpr uint64_t kMaxPermittedDataIncrease = 10 * 1024;

// Aligned format (BPFLoader2, upgradeable loader): 8-byte aligned fields, realloc headroom.
std::vector<uint8_t> serialize_aligned(std::span<const InstructionAccount> accounts,
                                       std::span<const uint8_t> instruction_data, const Pubkey& program_id);
// Unaligned format (deprecated BPFLoader v1).
std::vector<uint8_t> serialize_unaligned(std::span<const InstructionAccount> accounts,
                                         std::span<const uint8_t> instruction_data, const Pubkey& program_id);

}  // namespace lumio::svm
