#include "svm/loader_upgradeable.hpp"

#include "svm/syscalls.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {

const Pubkey& bpf_loader_upgradeable_id() {
  static const Pubkey k = id_from_base58("BPFLoaderUpgradeab1e11111111111111111111111");
  return k;
}
const Pubkey& bpf_loader_id() {
  static const Pubkey k = id_from_base58("BPFLoader2111111111111111111111111111111111");
  return k;
}
const Pubkey& bpf_loader_deprecated_id() {
  static const Pubkey k = id_from_base58("BPFLoader1111111111111111111111111111111111");
  return k;
}
const Pubkey& loader_v4_id() {
  static const Pubkey k = id_from_base58("LoaderV411111111111111111111111111111111111");
  return k;
}

std::optional<UpgradeableLoaderState> decode_loader_state(std::span<const uint8_t> data) {
  bincode::Reader r(data);
  UpgradeableLoaderState s;
  uint32_t tag = r.u32();
  if (!r.ok() || tag > UpgradeableLoaderState::ProgramData) return std::nullopt;
  s.kind = UpgradeableLoaderState::Kind(tag);
  switch (s.kind) {
    case UpgradeableLoaderState::Uninitialized: break;
    case UpgradeableLoaderState::Buffer: s.authority = r.option_pubkey(); break;
    case UpgradeableLoaderState::Program: s.programdata_address = r.pubkey(); break;
    case UpgradeableLoaderState::ProgramData:
      s.slot = r.u64();
      s.authority = r.option_pubkey();
      break;
  }
  if (!r.ok()) return std::nullopt;
  return s;
}

std::vector<uint8_t> encode(const UpgradeableLoaderState& s) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, s.kind);
  switch (s.kind) {
    case UpgradeableLoaderState::Uninitialized: break;
    case UpgradeableLoaderState::Buffer: bincode::put_option_pubkey(o, s.authority); break;
    case UpgradeableLoaderState::Program: bincode::put_pubkey(o, s.programdata_address); break;
    case UpgradeableLoaderState::ProgramData:
      bincode::put_u64(o, s.slot);
      bincode::put_option_pubkey(o, s.authority);
      break;
  }
  return o;
}

std::optional<UpgradeableLoaderInstruction> decode_loader_instruction(std::span<const uint8_t> data) {
  bincode::Reader r(data, kInstructionDataLimit);
  UpgradeableLoaderInstruction ix;
  uint32_t tag = r.u32();
  if (!r.ok() || tag > UpgradeableLoaderInstruction::ExtendProgramChecked) return std::nullopt;
  ix.kind = UpgradeableLoaderInstruction::Kind(tag);
  switch (ix.kind) {
    case UpgradeableLoaderInstruction::Write:
      ix.offset = r.u32();
      ix.bytes = r.bytes();
      break;
    case UpgradeableLoaderInstruction::DeployWithMaxDataLen: ix.max_data_len = r.u64(); break;
    case UpgradeableLoaderInstruction::ExtendProgram:
    case UpgradeableLoaderInstruction::ExtendProgramChecked: ix.additional_bytes = r.u32(); break;
    default: break;
  }
  if (!r.ok()) return std::nullopt;
  return ix;
}

std::vector<uint8_t> encode(const UpgradeableLoaderInstruction& ix) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, ix.kind);
  switch (ix.kind) {
    case UpgradeableLoaderInstruction::Write:
      bincode::put_u32(o, ix.offset);
      bincode::put_bytes(o, ix.bytes);
      break;
    case UpgradeableLoaderInstruction::DeployWithMaxDataLen: bincode::put_u64(o, ix.max_data_len); break;
    case UpgradeableLoaderInstruction::ExtendProgram:
    case UpgradeableLoaderInstruction::ExtendProgramChecked: bincode::put_u32(o, ix.additional_bytes); break;
    default: break;
  }
  return o;
}

Pubkey programdata_address(const Pubkey& program_id) {
  for (int bump = 255; bump >= 0; --bump) {
    uint8_t b = uint8_t(bump);
    std::span<const uint8_t> seeds[2] = {program_id, {&b, 1}};
    if (auto k = create_program_address(seeds, bpf_loader_upgradeable_id())) return *k;
  }
  return Pubkey{};  // unreachable in practice: some bump is off-curve
}

}  // namespace lumio::svm
