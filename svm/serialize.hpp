// Solana's program input serialization (Agave program-runtime serialization.rs, without direct
// mapping): the byte image placed at kInputStart that the entrypoint's r1 points to.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <string>

#include "svm/program.hpp"
#include "svm/sbpf.hpp"

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

// What a program left in its input region for one account. Whether the changes are allowed
// (owner-only data writes, writable flags, lamport balance) is the runtime's decision.
struct AccountUpdate {
  uint64_t lamports = 0;
  Pubkey owner{};
  std::vector<uint8_t> data;
};
constexpr uint64_t kMaxPermittedDataLength = 10 * 1024 * 1024;

// Agave deserialize_parameters: one update per entry of `accounts` (duplicates repeat their
// original). Fails with "InvalidRealloc" if a data length grew by more than 10 KiB or past 10 MiB.
// The unaligned format cannot change data length or owner.
Expected<std::vector<AccountUpdate>, std::string> deserialize_aligned(
    std::span<const uint8_t> input, std::span<const InstructionAccount> accounts);
Expected<std::vector<AccountUpdate>, std::string> deserialize_unaligned(
    std::span<const uint8_t> input, std::span<const InstructionAccount> accounts);

}  // namespace lumio::svm
