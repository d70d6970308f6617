// BPF Upgradeable Loader (loader v3) program management, as Agave's bpf_loader
// process_loader_upgradeable_instruction (solana-loader-v3-interface for the instruction and
// state layouts). Program accounts hold `Program { programdata_address }`; the ELF lives in the
// ProgramData account after a 45-byte header.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "svm/invoke.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {


// Compute units each loader's management entry charges first (consume_checked).
inline constexpr uint64_t kUpgradeableLoaderComputeUnits = 2'370;
inline constexpr uint64_t kDefaultLoaderComputeUnits = 570;
inline constexpr uint64_t kDeprecatedLoaderComputeUnits = 1'140;
// A program deployed/upgraded in slot S is visible from slot S + 1 (DELAY_VISIBILITY_SLOT_OFFSET).
inline constexpr uint64_t kDelayVisibilitySlotOffset = 1;

// UpgradeableLoaderState (bincode u32 tag).
struct UpgradeableLoaderState {
  enum Kind : uint32_t { Uninitialized = 0, Buffer = 1, Program = 2, ProgramData = 3 };
  Kind kind = Uninitialized;
  std::optional<Pubkey> authority;  // Buffer: authority_address; ProgramData: upgrade_authority_address
  Pubkey programdata_address{};     // Program
  uint64_t slot = 0;                // ProgramData
  bool operator==(const UpgradeableLoaderState&) const = default;

  static constexpr size_t kSizeOfUninitialized = 4;
  static constexpr size_t kSizeOfBufferMetadata = 37;       // tag + Option<Pubkey>
  static constexpr size_t kSizeOfProgram = 36;              // tag + Pubkey
  static constexpr size_t kSizeOfProgramDataMetadata = 45;  // tag + slot + Option<Pubkey>
  static size_t size_of_buffer(size_t program_len) { return kSizeOfBufferMetadata + program_len; }
  static size_t size_of_programdata(size_t program_len) { return kSizeOfProgramDataMetadata + program_len; }
};
// Account data -> state (bincode, trailing bytes allowed); nullopt = InvalidAccountData.
std::optional<UpgradeableLoaderState> decode_loader_state(std::span<const uint8_t> data);
std::vector<uint8_t> encode(const UpgradeableLoaderState& s);  // bincode (None authority: 1 byte)

// UpgradeableLoaderInstruction (bincode u32 tag).
struct UpgradeableLoaderInstruction {
  enum Kind : uint32_t {
    InitializeBuffer = 0, Write = 1, DeployWithMaxDataLen = 2, Upgrade = 3, SetAuthority = 4,
    Close = 5, ExtendProgram = 6, SetAuthorityChecked = 7, Migrate = 8, ExtendProgramChecked = 9,
  };
  Kind kind = InitializeBuffer;
  uint32_t offset = 0;             // Write
  std::vector<uint8_t> bytes;      // Write
  uint64_t max_data_len = 0;       // DeployWithMaxDataLen
  uint32_t additional_bytes = 0;   // ExtendProgram*
};
// limited_deserialize(data, 1232); nullopt = InvalidInstructionData.
std::optional<UpgradeableLoaderInstruction> decode_loader_instruction(std::span<const uint8_t> data);
std::vector<uint8_t> encode(const UpgradeableLoaderInstruction& ix);

// find_program_address([program_id], loader): where a program's ProgramData lives.
Pubkey programdata_address(const Pubkey& program_id);


// Program management instructions of the upgradeable loader (invoked with the loader itself as
// the program); the runtime charges kUpgradeableLoaderComputeUnits first. Deployment goes through
// InvokeContext::deploy_program (deploy-time ELF rules + verifier, visible from the next slot).
InstructionResult process_loader_upgradeable_instruction(InvokeContext& ic, const BuiltinFeatures& features = {});

// BPFLoader2 / deprecated BPFLoader management instructions: rejected as on mainnet
// ("BPF loader management instructions are no longer supported" / "Deprecated loader is no
// longer supported", UnsupportedProgramId). Programs they own still run (the runtime's part).
InstructionResult process_bpf_loader_instruction(InvokeContext& ic);
InstructionResult process_deprecated_loader_instruction(InvokeContext& ic);

class Runtime;
// Registers the System Program (150 CU), the upgradeable loader (2370 CU), BPFLoader2 (570 CU)
// and the deprecated loader (1140 CU) with the runtime.
void register_builtins(Runtime& rt, const BuiltinFeatures& features = {});

}  // namespace lumio::svm
