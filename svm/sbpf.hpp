// sBPF instruction set definitions shared by the loader, verifier and interpreter.
// Facts follow anza-xyz/sbpf (doc/bytecode.md, src/ebpf.rs); names match Solana's where they exist.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <variant>

namespace lumio::svm {

// Executable format versions (ELF e_flags). Only V0 is executed today; the predicates below are the
// switch points later versions flip (SIMD-0166/0173/0174/0178/0189/0377).
enum class SbpfVersion : uint8_t { V0 = 0, V1, V2, V3, V4, Reserved };

constexpr bool stack_frame_gaps(SbpfVersion v) { return v == SbpfVersion::V0; }
constexpr bool manual_stack_frame_bump(SbpfVersion v) { return v == SbpfVersion::V1 || v == SbpfVersion::V2; }
constexpr bool enable_pqr(SbpfVersion v) { return v == SbpfVersion::V2; }
constexpr bool static_syscalls(SbpfVersion v) { return v >= SbpfVersion::V3; }

// Virtual memory layout: each region owns a 4 GiB slot selected by the address' top bits.
constexpr uint64_t kInsnSize = 8;
constexpr unsigned kVirtualAddressBits = 32;
constexpr uint64_t kRegionSize = uint64_t{1} << kVirtualAddressBits;
constexpr uint64_t kRodataStart = 0;
constexpr uint64_t kProgramStart = kRegionSize;       // MM_BYTECODE_START (v0: rodata + text)
constexpr uint64_t kStackStart = kRegionSize * 2;
constexpr uint64_t kHeapStart = kRegionSize * 3;
constexpr uint64_t kInputStart = kRegionSize * 4;

constexpr int kFramePtrReg = 10;
constexpr int kFirstScratchReg = 6;
constexpr int kScratchRegs = 4;

// Opcodes. Class in the low 3 bits; for ALU/JMP the operation in the high 4 bits and the source
// (K = immediate, X = register) in bit 3; for memory ops the size in bits 3-4 and the mode in 5-7.
namespace op {
constexpr uint8_t LD_DW_IMM = 0x18;
constexpr uint8_t LD_B_REG = 0x71, LD_H_REG = 0x69, LD_W_REG = 0x61, LD_DW_REG = 0x79;
constexpr uint8_t ST_B_IMM = 0x72, ST_H_IMM = 0x6a, ST_W_IMM = 0x62, ST_DW_IMM = 0x7a;
constexpr uint8_t ST_B_REG = 0x73, ST_H_REG = 0x6b, ST_W_REG = 0x63, ST_DW_REG = 0x7b;

constexpr uint8_t ADD32_IMM = 0x04, ADD32_REG = 0x0c, SUB32_IMM = 0x14, SUB32_REG = 0x1c;
constexpr uint8_t MUL32_IMM = 0x24, MUL32_REG = 0x2c, DIV32_IMM = 0x34, DIV32_REG = 0x3c;
constexpr uint8_t OR32_IMM = 0x44, OR32_REG = 0x4c, AND32_IMM = 0x54, AND32_REG = 0x5c;
constexpr uint8_t LSH32_IMM = 0x64, LSH32_REG = 0x6c, RSH32_IMM = 0x74, RSH32_REG = 0x7c;
constexpr uint8_t NEG32 = 0x84, MOD32_IMM = 0x94, MOD32_REG = 0x9c;
constexpr uint8_t XOR32_IMM = 0xa4, XOR32_REG = 0xac, MOV32_IMM = 0xb4, MOV32_REG = 0xbc;
constexpr uint8_t ARSH32_IMM = 0xc4, ARSH32_REG = 0xcc, LE = 0xd4, BE = 0xdc;

constexpr uint8_t ADD64_IMM = 0x07, ADD64_REG = 0x0f, SUB64_IMM = 0x17, SUB64_REG = 0x1f;
constexpr uint8_t MUL64_IMM = 0x27, MUL64_REG = 0x2f, DIV64_IMM = 0x37, DIV64_REG = 0x3f;
constexpr uint8_t OR64_IMM = 0x47, OR64_REG = 0x4f, AND64_IMM = 0x57, AND64_REG = 0x5f;
constexpr uint8_t LSH64_IMM = 0x67, LSH64_REG = 0x6f, RSH64_IMM = 0x77, RSH64_REG = 0x7f;
constexpr uint8_t NEG64 = 0x87, MOD64_IMM = 0x97, MOD64_REG = 0x9f;
constexpr uint8_t XOR64_IMM = 0xa7, XOR64_REG = 0xaf, MOV64_IMM = 0xb7, MOV64_REG = 0xbf;
constexpr uint8_t ARSH64_IMM = 0xc7, ARSH64_REG = 0xcf;

constexpr uint8_t JA = 0x05;
constexpr uint8_t JEQ_IMM = 0x15, JEQ_REG = 0x1d, JGT_IMM = 0x25, JGT_REG = 0x2d;
constexpr uint8_t JGE_IMM = 0x35, JGE_REG = 0x3d, JSET_IMM = 0x45, JSET_REG = 0x4d;
constexpr uint8_t JNE_IMM = 0x55, JNE_REG = 0x5d, JSGT_IMM = 0x65, JSGT_REG = 0x6d;
constexpr uint8_t JSGE_IMM = 0x75, JSGE_REG = 0x7d, JLT_IMM = 0xa5, JLT_REG = 0xad;
constexpr uint8_t JLE_IMM = 0xb5, JLE_REG = 0xbd, JSLT_IMM = 0xc5, JSLT_REG = 0xcd;
constexpr uint8_t JSLE_IMM = 0xd5, JSLE_REG = 0xdd;
constexpr uint8_t CALL_IMM = 0x85, CALL_REG = 0x8d, EXIT = 0x95;
}  // namespace op

// One decoded 8-byte instruction slot.
struct Insn {
  uint8_t opc, dst, src;
  int16_t off;
  int32_t imm;
};

inline Insn decode_insn(const uint8_t* p) {
  Insn i;
  i.opc = p[0];
  i.dst = p[1] & 0x0f;
  i.src = p[1] >> 4;
  std::memcpy(&i.off, p + 2, 2);
  std::memcpy(&i.imm, p + 4, 4);
  return i;
}

// MurmurHash3 x86_32 with seed 0: how sBPF names syscalls and (v0) internal functions.
uint32_t murmur3_32(const uint8_t* data, size_t len, uint32_t seed = 0);
inline uint32_t hash_symbol_name(std::string_view name) {
  return murmur3_32(reinterpret_cast<const uint8_t*>(name.data()), name.size());
}
// v0 keys internal functions by the hash of their pc as 8 little-endian bytes.
inline uint32_t hash_pc(uint64_t pc) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(pc >> (8 * i));
  return murmur3_32(b, 8);
}

// Value-or-error, until std::expected (C++23) is available.
template <class T, class E>
class Expected {
 public:
  Expected(T v) : v_(std::move(v)) {}
  Expected(E e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace lumio::svm
