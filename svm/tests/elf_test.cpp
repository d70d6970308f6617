// ELF loader: relocation, layout and rejection of malformed files, on minimal ELFs built in-test.
#include <gtest/gtest.h>

#include <cstring>

#include "svm/elf.hpp"
#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

using test::assemble;
using test::ElfBuilder;

const Loader& exec_loader() {
  static Loader l = make_loader_v1(false);
  return l;
}
const Loader& deploy_loader() {
  static Loader l = make_loader_v1(true);
  return l;
}

template <class T>
void poke(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof(T));
}

ElfError load_error(const std::vector<uint8_t>& elf, const Loader& l = exec_loader()) {
  auto r = Executable::load(elf, l);
  EXPECT_FALSE(r.ok());
  return r.ok() ? ElfError{} : r.error();
}

// "hello" in .rodata, logged through a relocated lddw and a relocated syscall.
ElfBuilder hello_program() {
  ElfBuilder b;
  b.text = assemble("lddw r1, 0; mov64 r2, 5; call -1; mov64 r0, 0; exit");
  b.rodata = {'h', 'e', 'l', 'l', 'o'};
  // R_BPF_64_RELATIVE on the lddw: the imm holds the rodata's ELF address.
  uint32_t addr = uint32_t(b.rodata_addr());
  std::memcpy(b.text.data() + 4, &addr, 4);
  b.relocs.push_back({0, 8, ""});
  b.relocs.push_back({24, 10, "sol_log_"});
  return b;
}

TEST(SvmElf, RelocatesAndRunsAProgram) {
  auto elf = hello_program().build();
  for (const Loader* l : {&exec_loader(), &deploy_loader()}) {
    auto exe = Executable::load(elf, *l);
    ASSERT_TRUE(exe.ok()) << exe.error().message();
    EXPECT_EQ(exe->text_vaddr(), kProgramStart + ElfBuilder::kTextAddr);
    ASSERT_FALSE(verify(exe->text(), exe->version()));
    // The syscall's imm now holds murmur3("sol_log_"); lddw the rodata's VM address.
    Insn call = decode_insn(exe->text().data() + 24);
    EXPECT_EQ(uint32_t(call.imm), hash_symbol_name("sol_log_"));
    Insn lo = decode_insn(exe->text().data()), hi = decode_insn(exe->text().data() + 8);
    EXPECT_EQ(uint64_t(uint32_t(hi.imm)) << 32 | uint32_t(lo.imm), kProgramStart + hello_program().rodata_addr());

    SyscallContext ctx;
    ctx.remaining = 1000;
    VmMemory mem(l->config);
    Vm vm(*exe, *l, ctx, mem, {});
    auto r = vm.run();
    ASSERT_TRUE(r.result.ok()) << r.result.error().message();
    ASSERT_EQ(ctx.logs.size(), 1u);
    EXPECT_EQ(ctx.logs[0], "Program log: hello");
    EXPECT_EQ(r.instruction_count, 5u + 100u);
  }
}

TEST(SvmElf, InternalCallsBySymbolAndByOffset) {
  // pc0: call f (R_BPF_64_32 to a defined function symbol at pc5, returns 40);
  // pc2: call +5 (pc-relative, to pc8, returns 2); the sum is returned.
  ElfBuilder b;
  b.text = assemble(
      "call -1; mov64 r6, r0; call +5; add64 r0, r6; exit;"
      "mov64 r0, 40; exit;"
      "exit; mov64 r0, 2; exit");
  b.relocs.push_back({0, 10, "f", ElfBuilder::kTextAddr + 5 * 8, true});
  auto exe = Executable::load(b.build(), exec_loader());
  ASSERT_TRUE(exe.ok()) << exe.error().message();
  EXPECT_EQ(decode_insn(exe->text().data()).imm, int32_t(hash_pc(5)));
  EXPECT_EQ(decode_insn(exe->text().data() + 16).imm, int32_t(hash_pc(8)));
  EXPECT_NE(exe->functions().lookup(hash_pc(5)), nullptr);
  SyscallContext ctx;
  ctx.remaining = 1000;
  VmMemory mem(exec_loader().config);
  Vm vm(*exe, exec_loader(), ctx, mem, {});
  auto r = vm.run();
  ASSERT_TRUE(r.result.ok()) << r.result.error().message();
  EXPECT_EQ(r.result.value(), 42u);
}

TEST(SvmElf, EntrypointIsRegisteredAndChecked) {
  ElfBuilder b;
  b.text = assemble("exit; mov64 r0, 3; exit");
  b.entry_offset = 8;
  auto exe = Executable::load(b.build(), exec_loader());
  ASSERT_TRUE(exe.ok());
  EXPECT_EQ(exe->entry_pc(), 1u);
  auto* e = exe->functions().lookup(hash_symbol_name("entrypoint"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value, 1u);

  b.entry_offset = 4;
  EXPECT_EQ(load_error(b.build()).kind, ElfError::InvalidEntrypoint);
  b.entry_offset = 64;
  EXPECT_EQ(load_error(b.build()).message(), "Entrypoint out of bounds");
}

TEST(SvmElf, HeaderErrors) {
  auto good = hello_program().build();
  EXPECT_EQ(load_error({}).kind, ElfError::ValueOutOfBounds);
  EXPECT_EQ(load_error(std::vector<uint8_t>(good.begin(), good.begin() + 40)).kind, ElfError::ValueOutOfBounds);
  {
    auto e = good;
    e[0] = 0x7e;
    auto err = load_error(e);
    EXPECT_EQ(err.kind, ElfError::FailedToParse);
    EXPECT_EQ(err.parser, ElfParserError::InvalidFileHeader);
    EXPECT_EQ(err.message(), "Failed to parse ELF file: invalid file header");
  }
  {
    auto e = good;
    poke<uint16_t>(e, 18, 62);  // x86-64
    EXPECT_EQ(load_error(e).kind, ElfError::WrongMachine);
  }
  {
    auto e = good;
    poke<uint16_t>(e, 18, 263);  // EM_SBPF with e_flags 0 is still v0
    EXPECT_TRUE(Executable::load(e, exec_loader()).ok());
  }
  {
    auto e = good;
    poke<uint16_t>(e, 16, 2);  // ET_EXEC
    EXPECT_EQ(load_error(e).message(), "Incompatible ELF: wrong type");
  }
  {
    auto e = good;
    e[7] = 3;  // OS ABI
    EXPECT_EQ(load_error(e).kind, ElfError::WrongAbi);
  }
  {
    auto e = good;
    poke<uint32_t>(e, 48, 2);  // e_flags: SBPFv2, not enabled
    EXPECT_EQ(load_error(e).kind, ElfError::UnsupportedSBPFVersion);
  }
  {
    auto e = good;
    poke<uint16_t>(e, 58, 40);  // e_shentsize
    EXPECT_EQ(load_error(e).parser, ElfParserError::InvalidFileHeader);
  }
  {
    auto e = good;
    uint64_t shoff;
    std::memcpy(&shoff, e.data() + 40, 8);
    poke<uint64_t>(e, 40, shoff + 4);  // misaligned section header table
    e.resize(e.size() + 4);
    EXPECT_EQ(load_error(e).parser, ElfParserError::InvalidAlignment);
    poke<uint64_t>(e, 40, uint64_t(1) << 62);  // far beyond the file
    EXPECT_EQ(load_error(e).kind, ElfError::ValueOutOfBounds);
    poke<uint64_t>(e, 40, 8);  // overlapping the file header
    EXPECT_EQ(load_error(e).parser, ElfParserError::Overlap);
  }
  {
    auto e = good;
    poke<uint16_t>(e, 62, 200);  // e_shstrndx >= e_shnum
    EXPECT_EQ(load_error(e).parser, ElfParserError::InvalidFileHeader);
  }
}

// Byte offset of section header `i` in a built file.
size_t shdr(const std::vector<uint8_t>& e, int i) {
  uint64_t shoff;
  std::memcpy(&shoff, e.data() + 40, 8);
  return shoff + 64 * i;
}

TEST(SvmElf, SectionErrors) {
  auto good = hello_program().build();  // sections: null .text .rodata .dynsym .dynstr .rel.dyn .dynamic .shstrtab
  {
    auto e = good;  // .rodata placed before .text in the file
    poke<uint64_t>(e, shdr(e, 2) + 24, 64);
    EXPECT_EQ(load_error(e).message(), "Failed to parse ELF file: sections not in ascending order");
  }
  {
    auto e = good;  // .text grown over the following sections and headers
    poke<uint64_t>(e, shdr(e, 1) + 32, 1 << 20);
    EXPECT_EQ(load_error(e).message(), "Failed to parse ELF file: values overlap");
  }
  {
    auto e = good;  // first section must be SHT_NULL
    poke<uint32_t>(e, shdr(e, 0) + 4, 1);
    EXPECT_EQ(load_error(e).parser, ElfParserError::InvalidSectionHeader);
  }
  {
    ElfBuilder b = hello_program();
    b.extra_sections = {".text"};
    EXPECT_EQ(load_error(b.build()).kind, ElfError::NotOneTextSection);
  }
  {
    ElfBuilder b = hello_program();
    b.extra_sections = {".bss"};
    auto err = load_error(b.build());
    EXPECT_EQ(err.kind, ElfError::WritableSectionNotSupported);
    EXPECT_EQ(err.message(), "Found writable section (.bss) in ELF, read-write data not supported");
  }
  {
    ElfBuilder b = hello_program();
    b.extra_sections = {".a_very_long_section_name"};
    auto err = load_error(b.build());
    EXPECT_EQ(err.parser, ElfParserError::StringTooLong);
    EXPECT_EQ(err.message(),
              "Failed to parse ELF file: Section or symbol name `.a_very_long_sec` is longer than `16` bytes");
  }
}

TEST(SvmElf, RelocationErrors) {
  {
    ElfBuilder b = hello_program();
    b.relocs.push_back({8, 2, ""});  // R_X86_64_PC32: not an sBPF relocation
    EXPECT_EQ(load_error(b.build()).message(), "Relocation failed, unknown type 2");
  }
  {
    ElfBuilder b = hello_program();
    b.relocs[1].symbol = "sol_not_a_syscall";
    // Executing an old deployment: the hash is written; deploying: rejected.
    EXPECT_TRUE(Executable::load(b.build(), exec_loader()).ok());
    auto err = load_error(b.build(), deploy_loader());
    EXPECT_EQ(err.kind, ElfError::UnresolvedSymbol);
    EXPECT_EQ(err.message(), "Unresolved symbol (sol_not_a_syscall) at instruction #11 (ELF file offset 0x58)");
  }
  {
    ElfBuilder b = hello_program();
    std::memset(b.text.data() + 4, 0, 4);  // lddw referencing address 0
    EXPECT_EQ(load_error(b.build()).kind, ElfError::InvalidVirtualAddress);
  }
  {
    ElfBuilder b;
    b.text = assemble("call +5; exit");
    auto err = load_error(b.build());
    EXPECT_EQ(err.kind, ElfError::RelativeJumpOutOfBounds);
    EXPECT_EQ(err.message(), "Relative jump out of bounds at instruction #0");
  }
  {
    // A pc-relative call whose pc hash collides with a syscall key.
    ElfBuilder b;
    b.text = assemble("call +0; exit");
    Loader l = make_loader_v1(false);
    l.syscalls.register_function(hash_pc(1), "colliding", nullptr);
    auto err = load_error(b.build(), l);
    EXPECT_EQ(err.kind, ElfError::SymbolHashCollision);
  }
  {
    auto e = hello_program().build();  // relocation with a symbol index past the table
    size_t rel = 0;
    for (int i = 1; i < 8; ++i) {
      uint32_t type;
      std::memcpy(&type, e.data() + shdr(e, i) + 4, 4);
      if (type == 9) std::memcpy(&rel, e.data() + shdr(e, i) + 24, 8);
    }
    ASSERT_NE(rel, 0u);
    poke<uint64_t>(e, rel + 16 + 8, uint64_t(99) << 32 | 10);
    EXPECT_EQ(load_error(e).message(), "Unknown symbol with index 99");
  }
}

TEST(SvmElf, RodataLayout) {
  ElfBuilder b = hello_program();
  auto exe = Executable::load(b.build(), exec_loader());
  ASSERT_TRUE(exe.ok());
  // v0 maps [0x1_0000_0000, 0x1_0000_0000 + end of last ro section), non-ro bytes zeroed.
  auto ro = exe->ro_section();
  ASSERT_EQ(ro.size(), b.rodata_addr() + 5);
  EXPECT_EQ(std::memcmp(ro.data() + b.rodata_addr(), "hello", 5), 0);
  for (size_t i = 0; i < ElfBuilder::kTextAddr; ++i) ASSERT_EQ(ro[i], 0) << i;  // ELF header not mapped
}

}  // namespace
}  // namespace lumio::svm
