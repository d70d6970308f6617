// A tiny sBPF assembler and a builder for minimal Solana-style (v0) ELF files: used by tests and
// by tools that write hand-made programs (tools/sbpf-progs).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lumio::svm {

// Assembles one instruction per line (';' or '\n' separated), Solana/rbpf syntax:
//   mov64 r1, 5 | add32 r1, r2 | lddw r1, 0x1122334455667788 | ldxdw r0, [r1+8]
//   stxb [r10-1], r2 | stw [r1+4], 7 | ja +2 | jeq r1, 5, -3 | call sol_log_ | call 0x1234
//   callx r2 (v0: register in imm) | call_pc 5 (internal call keyed by hash of pc 5) | exit
//   le16 r1 | be64 r1 | neg32 r1
// Throws std::invalid_argument on syntax errors.
std::vector<uint8_t> assemble(std::string_view source);

// Raw instruction word (for encodings the assembler refuses to produce).
std::vector<uint8_t> insn(uint8_t opc, uint8_t dst, uint8_t src, int16_t off, int32_t imm);

// Minimal ET_DYN sBPF ELF: .text at file offset == address, optional .rodata, .dynsym/.dynstr/
// .rel.dyn/.dynamic for relocations, .shstrtab. No program headers (the lenient loader finds
// the dynamic table through SHT_DYNAMIC).
struct ElfBuilder {
  struct Reloc {
    uint64_t offset;  // relative to the start of .text (or of .rodata if in_rodata)
    uint32_t type;    // 1 R_BPF_64_64, 8 R_BPF_64_RELATIVE, 10 R_BPF_64_32
    std::string symbol;         // empty: no symbol (index 0)
    uint64_t symbol_value = 0;  // for defined function symbols: address
    bool function = false;
    bool in_rodata = false;
  };
  std::vector<uint8_t> text, rodata;
  std::vector<Reloc> relocs;
  uint64_t entry_offset = 0;  // bytes into .text
  uint16_t machine = 247, type = 3;
  uint32_t flags = 0;
  std::vector<std::string> extra_sections;  // extra 8-byte zeroed PROGBITS sections (by name)

  std::vector<uint8_t> build() const;
  // Addresses the built file will use (valid after the fact, same for the same sizes).
  static constexpr uint64_t kTextAddr = 64;  // right after the file header
  uint64_t text_addr() const { return kTextAddr; }
  uint64_t rodata_addr() const { return kTextAddr + ((text.size() + 7) & ~uint64_t{7}); }
};

// Assembles `source` into an ELF as the toolchain would emit it: each `call <name>` of a name in
// `syscalls` becomes `call -1` with an R_BPF_64_32 relocation against that symbol.
std::vector<uint8_t> program_elf(std::string_view source, const std::vector<std::string>& syscalls);

// Hand-made hostile programs (tools/sbpf-progs writes them; svm/tests/hostile_test runs them).
// Each loads in Agave unless `invalid` (then deploying it must fail).
struct SampleProgram {
  std::string name;  // file stem: <name>.so
  std::vector<uint8_t> elf;
  bool invalid = false;
};
std::vector<SampleProgram> hostile_programs();

}  // namespace lumio::svm
