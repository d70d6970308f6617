// RequisiteVerifier for sBPF v0 (anza-xyz/sbpf verifier.rs): opcode whitelist, LDDW pairing,
// jump targets, immediate sanity and register rules. Later versions change the whitelist
// (SIMD-0173/0174) and add function-boundary checks (v3); the structure stays.
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

using VE = VerifierError;

VE err(VE::Kind k, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0) { return VE{k, a, b, c}; }

std::optional<VE> check_jump(std::span<const uint8_t> prog, uint64_t pc, const Insn& insn) {
  const int64_t count = int64_t(prog.size() / kInsnSize);
  const int64_t dst = int64_t(pc) + 1 + insn.off;
  if (dst < 0 || dst >= count) return err(VE::JumpOutOfCode, uint64_t(dst), pc);
  if (prog[dst * kInsnSize] == 0) return err(VE::JumpToMiddleOfLDDW, uint64_t(dst), pc);
  return std::nullopt;
}

std::optional<VE> check_shift(const Insn& insn, uint64_t pc, uint64_t bits) {
  if (insn.imm < 0 || uint64_t(insn.imm) >= bits)
    return err(VE::ShiftWithOverflow, uint64_t(int64_t(insn.imm)), bits, pc);
  return std::nullopt;
}

}  // namespace

std::optional<VerifierError> verify(std::span<const uint8_t> prog, SbpfVersion version) {
  if (prog.size() % kInsnSize != 0) return err(VE::ProgramLengthNotMultiple);
  if (prog.empty()) return err(VE::NoProgram);
  if (version != SbpfVersion::V0) return err(VE::UnknownOpCode, prog[0], 0);  // v1+ not yet

  const uint64_t count = prog.size() / kInsnSize;
  uint64_t pc = 0;
  while (pc < count) {
    const Insn insn = decode_insn(prog.data() + pc * kInsnSize);
    bool store = false;
    std::optional<VE> e;
    switch (insn.opc) {
      case op::LD_DW_IMM:
        if (pc + 1 >= count) return err(VE::LDDWCannotBeLast);
        if (prog[(pc + 1) * kInsnSize] != 0) return err(VE::IncompleteLDDW, pc);
        break;
      case op::LD_B_REG: case op::LD_H_REG: case op::LD_W_REG: case op::LD_DW_REG: break;
      case op::ST_B_IMM: case op::ST_H_IMM: case op::ST_W_IMM: case op::ST_DW_IMM:
      case op::ST_B_REG: case op::ST_H_REG: case op::ST_W_REG: case op::ST_DW_REG:
        store = true;
        break;
      case op::ADD32_IMM: case op::ADD32_REG: case op::SUB32_IMM: case op::SUB32_REG:
      case op::MUL32_IMM: case op::MUL32_REG: case op::DIV32_REG: case op::MOD32_REG:
      case op::OR32_IMM: case op::OR32_REG: case op::AND32_IMM: case op::AND32_REG:
      case op::LSH32_REG: case op::RSH32_REG: case op::ARSH32_REG: case op::NEG32:
      case op::XOR32_IMM: case op::XOR32_REG: case op::MOV32_IMM: case op::MOV32_REG:
        break;
      case op::DIV32_IMM: case op::MOD32_IMM: case op::DIV64_IMM: case op::MOD64_IMM:
        if (insn.imm == 0) return err(VE::DivisionByZero, pc);
        break;
      case op::LSH32_IMM: case op::RSH32_IMM: case op::ARSH32_IMM: e = check_shift(insn, pc, 32); break;
      case op::LSH64_IMM: case op::RSH64_IMM: case op::ARSH64_IMM: e = check_shift(insn, pc, 64); break;
      case op::LE: case op::BE:
        if (insn.imm != 16 && insn.imm != 32 && insn.imm != 64) return err(VE::UnsupportedLEBEArgument, pc);
        break;
      case op::ADD64_IMM: case op::ADD64_REG: case op::SUB64_IMM: case op::SUB64_REG:
      case op::MUL64_IMM: case op::MUL64_REG: case op::DIV64_REG: case op::MOD64_REG:
      case op::OR64_IMM: case op::OR64_REG: case op::AND64_IMM: case op::AND64_REG:
      case op::LSH64_REG: case op::RSH64_REG: case op::ARSH64_REG: case op::NEG64:
      case op::XOR64_IMM: case op::XOR64_REG: case op::MOV64_IMM: case op::MOV64_REG:
        break;
      case op::JA: case op::JEQ_IMM: case op::JEQ_REG: case op::JGT_IMM: case op::JGT_REG:
      case op::JGE_IMM: case op::JGE_REG: case op::JLT_IMM: case op::JLT_REG: case op::JLE_IMM:
      case op::JLE_REG: case op::JSET_IMM: case op::JSET_REG: case op::JNE_IMM: case op::JNE_REG:
      case op::JSGT_IMM: case op::JSGT_REG: case op::JSGE_IMM: case op::JSGE_REG:
      case op::JSLT_IMM: case op::JSLT_REG: case op::JSLE_IMM: case op::JSLE_REG:
        e = check_jump(prog, pc, insn);
        break;
      case op::CALL_IMM: case op::EXIT: break;
      case op::CALL_REG:  // v0 encodes the callee register in imm
        if (insn.imm < 0 || insn.imm >= 10) return err(VE::InvalidRegister, pc);
        break;
      default:
        return err(VE::UnknownOpCode, insn.opc, pc);
    }
    if (e) return e;
    // Register rules apply to every instruction: r10 (frame pointer) is read-only except as a
    // store base; registers above r10 do not exist.
    if (insn.src > 10) return err(VE::InvalidSourceRegister, pc);
    if (insn.dst == 10 && !store) return err(VE::CannotWriteR10, pc);
    if (insn.dst > 10) return err(VE::InvalidDestinationRegister, pc);
    pc += insn.opc == op::LD_DW_IMM ? 2 : 1;
  }
  return std::nullopt;
}

}  // namespace lumio::svm
