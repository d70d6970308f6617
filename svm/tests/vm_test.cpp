// Instruction semantics, memory mapping, metering, verifier and syscalls of the sBPF v0 VM, on
// programs assembled in-test.
#include <gtest/gtest.h>

#include <cstring>

#include "common/bytes.hpp"
#include "common/hash.hpp"
#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

using test::assemble;

struct Run {
  ExecResult r;
  SyscallContext ctx;
  std::vector<uint8_t> input;
  uint64_t remaining() const { return ctx.remaining; }
};

Loader& loader() {
  static Loader l = make_loader_v1(false);
  return l;
}

// Verifies, then runs `src` with `budget` compute units and `input` at kInputStart.
Run run(std::string_view src, uint64_t budget = 200'000, std::vector<uint8_t> input = {},
        FunctionRegistry<uint64_t> fns = {}) {
  auto text = assemble(src);
  auto v = verify(text, SbpfVersion::V0);
  EXPECT_FALSE(v) << (v ? v->message() : "");
  Executable exe = Executable::from_text(text, SbpfVersion::V0, std::move(fns));
  Run out;
  out.input = std::move(input);
  out.ctx.remaining = budget;
  VmMemory mem(loader().config);
  Vm vm(exe, loader(), out.ctx, mem, out.input);
  out.r = vm.run();
  return out;
}

uint64_t r0(std::string_view src) {
  auto x = run(src);
  EXPECT_TRUE(x.r.result.ok()) << (x.r.result.ok() ? "" : x.r.result.error().message());
  return x.r.result.ok() ? x.r.result.value() : ~uint64_t{0};
}

EbpfError fault(std::string_view src, uint64_t budget = 200'000) {
  auto x = run(src, budget);
  EXPECT_FALSE(x.r.result.ok());
  return x.r.result.ok() ? EbpfError{} : x.r.result.error();
}

TEST(SvmMurmur3, KnownSyscallHashes) {
  // Hashes Solana programs embed in their call instructions.
  EXPECT_EQ(hash_symbol_name("sol_log_"), 0x207559bdu);
  EXPECT_EQ(hash_symbol_name("entrypoint"), 0x71e3cf81u);
  EXPECT_EQ(hash_symbol_name("abort"), 0xb6fc1a11u);
  EXPECT_EQ(hash_symbol_name("sol_memcpy_"), 0x717cc4a3u);
}

TEST(SvmAlu, Alu32SignExtendsAddSubMulOnly) {
  EXPECT_EQ(r0("mov64 r0, 0x7fffffff; add32 r0, 1; exit"), 0xffffffff80000000ull);
  EXPECT_EQ(r0("mov64 r0, 0; sub32 r0, 1; exit"), 0xffffffffffffffffull);
  EXPECT_EQ(r0("mov64 r0, 0x10000; mul32 r0, 0x10000; exit"), 0u);
  EXPECT_EQ(r0("mov64 r0, 0x8000; mul32 r0, 0x10000; exit"), 0xffffffff80000000ull);
  EXPECT_EQ(r0("mov32 r0, -1; exit"), 0xffffffffull);
  EXPECT_EQ(r0("mov64 r0, -1; exit"), 0xffffffffffffffffull);
  EXPECT_EQ(r0("lddw r1, 0x123456789abcdef0; mov32 r0, r1; exit"), 0x9abcdef0ull);
  EXPECT_EQ(r0("mov64 r0, -1; or32 r0, 0; exit"), 0xffffffffull);
  EXPECT_EQ(r0("mov64 r0, -8; div32 r0, 2; exit"), 0x7ffffffcull);
  EXPECT_EQ(r0("mov64 r0, 7; mod32 r0, 3; exit"), 1u);
  EXPECT_EQ(r0("mov64 r0, 5; neg32 r0; exit"), 0xfffffffbull);
  EXPECT_EQ(r0("mov64 r0, -16; arsh32 r0, 2; exit"), 0xfffffffcull);
  EXPECT_EQ(r0("mov64 r0, 0xff; xor32 r0, 0xf; exit"), 0xf0u);
  EXPECT_EQ(r0("mov64 r0, 0xf0; and32 r0, 0x3c; exit"), 0x30u);
}

TEST(SvmAlu, ShiftAmountsWrap) {
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, 33; lsh32 r0, r1; exit"), 2u);
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, 65; lsh64 r0, r1; exit"), 2u);
  EXPECT_EQ(r0("mov64 r0, 4; mov64 r1, 66; rsh64 r0, r1; exit"), 1u);
  EXPECT_EQ(r0("mov64 r0, -1; rsh32 r0, 28; exit"), 0xfu);
  EXPECT_EQ(r0("mov64 r0, -256; arsh64 r0, 4; exit"), uint64_t(-16));
  EXPECT_EQ(r0("mov64 r0, 1; lsh64 r0, 63; exit"), 0x8000000000000000ull);
}

TEST(SvmAlu, Alu64AndNeg) {
  EXPECT_EQ(r0("mov64 r0, 5; neg64 r0; exit"), uint64_t(-5));
  EXPECT_EQ(r0("mov64 r0, -1; div64 r0, 2; exit"), 0x7fffffffffffffffull);
  EXPECT_EQ(r0("mov64 r0, 100; mov64 r1, 7; mod64 r0, r1; exit"), 2u);
  EXPECT_EQ(r0("mov64 r0, 3; mul64 r0, -1; exit"), uint64_t(-3));
  EXPECT_EQ(r0("mov64 r0, 1; sub64 r0, 2; exit"), uint64_t(-1));
}

TEST(SvmAlu, Endianness) {
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; be16 r0; exit"), 0x8877u);
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; be32 r0; exit"), 0x88776655u);
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; be64 r0; exit"), 0x8877665544332211ull);
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; le16 r0; exit"), 0x7788u);
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; le32 r0; exit"), 0x55667788u);
  EXPECT_EQ(r0("lddw r0, 0x1122334455667788; le64 r0; exit"), 0x1122334455667788ull);
}

TEST(SvmAlu, DivisionByZeroRegisterFaults) {
  EXPECT_EQ(fault("mov64 r0, 1; mov64 r1, 0; div64 r0, r1; exit").kind, EbpfError::DivideByZero);
  EXPECT_EQ(fault("mov64 r0, 1; mov64 r1, 0; mod32 r0, r1; exit").kind, EbpfError::DivideByZero);
  // Only the low 32 bits count for 32-bit division.
  EXPECT_EQ(fault("mov64 r0, 1; lddw r1, 0x100000000; div32 r0, r1; exit").message(),
            "divide by zero at BPF instruction");
}

TEST(SvmJumps, SignedAndUnsignedConditions) {
  // Sum 1..10 with a backwards jump.
  EXPECT_EQ(r0("mov64 r0, 0; mov64 r1, 10; add64 r0, r1; sub64 r1, 1; jne r1, 0, -3; exit"), 55u);
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, -1; jgt r1, 5, +1; mov64 r0, 0; exit"), 1u);   // unsigned
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, -1; jsgt r1, 5, +1; mov64 r0, 0; exit"), 0u);  // signed
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, -1; jslt r1, 0, +1; mov64 r0, 0; exit"), 1u);
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, 6; jset r1, 2, +1; mov64 r0, 0; exit"), 1u);
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, 6; mov64 r2, 6; jge r1, r2, +1; mov64 r0, 0; exit"), 1u);
  EXPECT_EQ(r0("mov64 r0, 1; mov64 r1, 5; jle r1, 4, +1; mov64 r0, 0; exit"), 0u);
  EXPECT_EQ(r0("mov64 r0, 0; ja +1; mov64 r0, 9; exit"), 0u);
}

TEST(SvmMemory, StackHeapInputAndRegions) {
  EXPECT_EQ(r0("mov64 r1, 0x1234; stxdw [r10-8], r1; ldxdw r0, [r10-8]; exit"), 0x1234u);
  EXPECT_EQ(r0("stw [r10-4], -1; ldxw r0, [r10-4]; exit"), 0xffffffffu);
  EXPECT_EQ(r0("sth [r10-2], 0x1ff; ldxb r0, [r10-2]; exit"), 0xffu);
  // Heap at 0x3_0000_0000, 32 KiB.
  EXPECT_EQ(r0("lddw r1, 0x300000000; stdw [r1+0], 77; ldxdw r0, [r1+0]; exit"), 77u);
  EXPECT_EQ(fault("lddw r1, 0x300008000; ldxb r0, [r1+0]; exit").message(),
            "Access violation reading 1 bytes at address 0x300008000 (in unallocated region)");
  // Input region: r1 points at it.
  auto x = run("ldxdw r0, [r1+0]; stb [r1+8], 9; exit", 1000, {1, 2, 3, 4, 5, 6, 7, 8, 0});
  ASSERT_TRUE(x.r.result.ok());
  EXPECT_EQ(x.r.result.value(), 0x0807060504030201ull);
  EXPECT_EQ(x.input[8], 9);
  EXPECT_EQ(fault("ldxw r0, [r1+0]; exit").message(),
            "Access violation reading 4 bytes at address 0x400000000 (in unallocated region)");
  // The program region is read-only.
  EXPECT_EQ(fault("lddw r1, 0x100000000; ldxdw r0, [r1+0]; stb [r1+0], 1; exit").message(),
            "Access violation writing 1 bytes at address 0x100000000 (in program region)");
  EXPECT_EQ(fault("mov64 r1, 0; ldxb r0, [r1+0]; exit").message(),
            "Access violation reading 1 bytes at address 0x0 (in unallocated region)");
}

TEST(SvmMemory, StackFramesHaveGaps) {
  // r10 = stack + 4096 (end of frame 0); frame 0's gap follows it in v0.
  EXPECT_EQ(fault("ldxb r0, [r10+0]; exit").message(),
            "Access violation in stack frame 1 at address 0x200001000 of size 1");
  EXPECT_EQ(fault("ldxdw r0, [r10-4097]; exit").kind, EbpfError::StackAccessViolation);
  // Frame 1 of the host stack is mapped at 0x200002000.
  EXPECT_EQ(r0("lddw r1, 0x200002000; stdw [r1+0], 5; ldxdw r0, [r1+0]; exit"), 5u);
}

TEST(SvmCalls, InternalCallsSaveRegistersAndBumpFrame) {
  FunctionRegistry<uint64_t> fns;
  fns.register_function(hash_pc(6), "f", 6);
  // main: r6 = 7, call f, r0 = r0 + r6 (r6 restored) ; f: clobbers r6, returns r10 delta
  auto x = run(
      "mov64 r6, 7; mov64 r7, r10; call_pc 6; add64 r0, r6; exit; exit;"
      "mov64 r6, 100; mov64 r0, r10; sub64 r0, r7; exit",
      1000, {}, fns);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(x.r.result.value(), 8192u + 7u);  // frame pointer moved by 2 frames (gap)
}

TEST(SvmCalls, CallDepthIsLimited) {
  FunctionRegistry<uint64_t> fns;
  fns.register_function(hash_pc(0), "self", 0);
  auto x = run("call_pc 0; exit", 100'000, {}, fns);
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().kind, EbpfError::CallDepthExceeded);
  EXPECT_EQ(x.r.instruction_count, 64u);  // 63 successful calls + the failing one
}

TEST(SvmCalls, UnknownCallAndCallxBounds) {
  EXPECT_EQ(fault("call 0x12345; exit").kind, EbpfError::UnsupportedInstruction);
  EXPECT_EQ(fault("mov64 r2, 0; callx r2; exit").kind, EbpfError::CallOutsideTextSegment);
  // callx to a text address works; the callee returns into the caller.
  EXPECT_EQ(r0("lddw r2, 0x100000028; callx r2; exit; exit; mov64 r0, 42; exit"), 42u);
}

TEST(SvmCalls, ExecutionOverrun) {
  EXPECT_EQ(fault("mov64 r0, 1").kind, EbpfError::ExecutionOverrun);
}

TEST(SvmMetering, OneUnitPerInstructionAndExactBudget) {
  const char* prog = "mov64 r0, 0; mov64 r1, 10; add64 r0, r1; sub64 r1, 1; jne r1, 0, -3; exit";
  // 2 + 10 * 3 + 1 = 33 instructions
  auto x = run(prog, 33);
  ASSERT_TRUE(x.r.result.ok());
  EXPECT_EQ(x.r.instruction_count, 33u);
  EXPECT_EQ(x.remaining(), 0u);
  auto y = run(prog, 32);
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().kind, EbpfError::ExceededMaxInstructions);
  EXPECT_EQ(y.r.instruction_count, 32u);
  EXPECT_EQ(y.remaining(), 0u);
  // lddw is one instruction for the meter.
  EXPECT_EQ(run("lddw r0, 1; exit", 10).r.instruction_count, 2u);
}

TEST(SvmMetering, InfiniteLoopStopsAtBudget) {
  auto x = run("ja -1", 1000);
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().message(), "exceeded CUs meter at BPF instruction");
  EXPECT_EQ(x.r.instruction_count, 1000u);
}

// Puts `s` on the stack at r10-64 and leaves its address in r1, length in r2.
std::string push_string(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += "stb [r10-" + std::to_string(64 - i) + "], " + std::to_string(uint8_t(s[i])) + ";";
  out += "mov64 r1, r10; sub64 r1, 64; mov64 r2, " + std::to_string(s.size()) + ";";
  return out;
}

TEST(SvmSyscalls, LogChargesMaxOfBaseAndLength) {
  auto x = run(push_string("hello") + "call sol_log_; mov64 r0, 0; exit", 10'000);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  ASSERT_EQ(x.ctx.logs.size(), 1u);
  EXPECT_EQ(x.ctx.logs[0], "Program log: hello");
  // 5 stores + 3 setup + call + mov + exit = 11 instructions, + 100 for the syscall
  EXPECT_EQ(x.r.instruction_count, 11u + 100u);
  // Longer messages cost their length. (150 bytes from r10-64 run past the end of frame 0: a
  // gapped region maps an access by its start, so this reads on into frame 1, as on Solana.)
  auto y = run(push_string("") + "mov64 r2, 150; call sol_log_; exit", 10'000);
  ASSERT_TRUE(y.r.result.ok()) << y.r.result.error().message();
  EXPECT_EQ(y.r.instruction_count, 6u + 150u);
  EXPECT_EQ(y.ctx.logs.at(0), "Program log: " + std::string(150, '\0'));
}

TEST(SvmSyscalls, FaultsInsideSyscallsAreSyscallErrors) {
  auto x = run("mov64 r1, 0; mov64 r2, 5; call sol_log_; exit");
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().kind, EbpfError::SyscallError);
  EXPECT_EQ(x.r.result.error().syscall.kind, "AccessViolation");
  EXPECT_EQ(x.r.result.error().message(),
            "Syscall error: Access violation reading 5 bytes at address 0x0 (in unallocated region)");
  // Writes into the read-only program region are refused too.
  auto y = run("lddw r1, 0x100000000; mov64 r2, 0; mov64 r3, 4; call sol_memset_; exit");
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.message,
            "Access violation writing 4 bytes at address 0x100000000 (in program region)");
  // An unaligned i32 result pointer is rejected (check_aligned).
  auto z = run("mov64 r1, r10; sub64 r1, 16; mov64 r2, r1; mov64 r3, 4; mov64 r4, r10; sub64 r4, 3;"
               "call sol_memcmp_; exit");
  ASSERT_FALSE(z.r.result.ok());
  EXPECT_EQ(z.r.result.error().syscall.kind, "UnalignedPointer");
}

TEST(SvmSyscalls, InvalidUtf8IsAnError) {
  auto x = run("stb [r10-1], 0xff; mov64 r1, r10; sub64 r1, 1; mov64 r2, 1; call sol_log_; exit");
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().syscall.kind, "InvalidString");
  EXPECT_EQ(x.r.result.error().syscall.message, "invalid utf-8 sequence of 1 bytes from index 0: [255]");
}

TEST(SvmSyscalls, Log64AndComputeUnits) {
  auto x = run("mov64 r1, 1; mov64 r2, 255; mov64 r3, 0; mov64 r4, 16; mov64 r5, -1; call sol_log_64_;"
               "call sol_log_compute_units_; exit",
               1000);
  ASSERT_TRUE(x.r.result.ok());
  ASSERT_EQ(x.ctx.logs.size(), 2u);
  EXPECT_EQ(x.ctx.logs[0], "Program log: 0x1, 0xff, 0x0, 0x10, 0xffffffffffffffff");
  // 7 instructions (incl. 2nd call) + 100 + 100 charged before the second log is written.
  EXPECT_EQ(x.ctx.logs[1], "Program consumption: 793 units remaining");
  EXPECT_EQ(x.r.instruction_count, 8u + 200u);
}

TEST(SvmSyscalls, BudgetExceededInsideSyscall) {
  auto x = run(push_string("hi") + "call sol_log_; exit", 50);
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().syscall.kind, "ComputationalBudgetExceeded");
  EXPECT_EQ(x.remaining(), 0u);
}

TEST(SvmSyscalls, MemOps) {
  // memset 16 bytes of the heap to 0xab, memcpy 8 of them onto the stack, memcmp.
  auto x = run(
      "lddw r6, 0x300000000; mov64 r1, r6; mov64 r2, 0xab; mov64 r3, 16; call sol_memset_;"
      "mov64 r1, r10; sub64 r1, 8; mov64 r2, r6; mov64 r3, 8; call sol_memcpy_;"
      "mov64 r1, r10; sub64 r1, 8; mov64 r2, r6; mov64 r3, 8; mov64 r4, r6; add64 r4, 32; call sol_memcmp_;"
      "ldxw r7, [r6+32]; stb [r6+3], 0xac;"
      "mov64 r1, r10; sub64 r1, 8; mov64 r2, r6; mov64 r3, 8; mov64 r4, r6; add64 r4, 32; call sol_memcmp_;"
      "ldxw r0, [r6+32]; lsh64 r0, 32; or64 r0, r7; exit",
      10'000);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(uint32_t(x.r.result.value()), 0u);                    // equal
  EXPECT_EQ(int32_t(x.r.result.value() >> 32), 0xab - 0xac);      // first difference
  // memcpy of overlapping ranges fails; memmove does not.
  auto y = run("lddw r1, 0x300000000; mov64 r2, r1; add64 r2, 4; mov64 r3, 8; call sol_memcpy_; exit");
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.message, "Overlapping copy");
  EXPECT_TRUE(run("lddw r1, 0x300000000; mov64 r2, r1; add64 r2, 4; mov64 r3, 8; call sol_memmove_; exit")
                  .r.result.ok());
  // Cost: max(10, n / 250).
  auto z = run("lddw r1, 0x300000000; mov64 r2, 0; mov64 r3, 5000; call sol_memset_; exit", 1000);
  ASSERT_TRUE(z.r.result.ok());
  EXPECT_EQ(z.r.instruction_count, 5u + 20u);
}

TEST(SvmSyscalls, Sha256AndKeccak256) {
  // Hash "abc" given as two slices ("a", "bc") into the heap.
  std::string prog =
      "lddw r6, 0x300000000; stb [r6+0], 0x61; stb [r6+1], 0x62; stb [r6+2], 0x63;"
      "stxdw [r6+64], r6; stdw [r6+72], 1; mov64 r1, r6; add64 r1, 1; stxdw [r6+80], r1; stdw [r6+88], 2;"
      "mov64 r1, r6; add64 r1, 64; mov64 r2, 2; mov64 r3, r6; add64 r3, 128; call ";
  for (auto [name, expect] : {std::pair{"sol_sha256", sha256(as_view("abc"))},
                              std::pair{"sol_keccak256", keccak256(as_view("abc"))}}) {
    std::vector<uint8_t> heap_out;
    auto text = assemble(prog + name + "; exit");
    Executable exe = Executable::from_text(text, SbpfVersion::V0);
    SyscallContext ctx;
    ctx.remaining = 10'000;
    VmMemory mem(loader().config);
    Vm vm(exe, loader(), ctx, mem, {});
    auto r = vm.run();
    ASSERT_TRUE(r.result.ok()) << r.result.error().message();
    EXPECT_EQ(std::memcmp(mem.heap().data() + 128, expect.data(), 32), 0) << name;
    // 17 instructions + 85 base + 2 slices * max(10, len / 2)
    EXPECT_EQ(r.instruction_count, 17u + 85u + 20u) << name;
  }
}

TEST(SvmSyscalls, PanicAndAbort) {
  auto x = run(push_string("lib.rs") + "mov64 r3, 12; mov64 r4, 5; call sol_panic_; exit");
  ASSERT_FALSE(x.r.result.ok());
  EXPECT_EQ(x.r.result.error().syscall.kind, "Panic");
  EXPECT_EQ(x.r.result.error().message(), "Syscall error: SBF program Panicked in lib.rs at 12:5");
  auto y = run("call abort; exit");
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.message, "SBF program panicked");
}

TEST(SvmSyscalls, LogPubkeyIsBase58) {
  // 32 zero bytes -> 32 '1's.
  auto x = run("mov64 r1, r10; sub64 r1, 32; call sol_log_pubkey; exit", 1000);
  ASSERT_TRUE(x.r.result.ok());
  EXPECT_EQ(x.ctx.logs.at(0), "Program log: " + std::string(32, '1'));
  uint8_t one[2] = {0, 1};
  EXPECT_EQ(base58(one, 2), "12");
}

struct VerifyCase {
  std::vector<uint8_t> text;
  VerifierError::Kind kind;
};

TEST(SvmVerifier, RejectsMalformedPrograms) {
  using test::insn;
  auto cat = [](std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  std::vector<VerifyCase> cases = {
      {{}, VerifierError::NoProgram},
      {{0x95, 0, 0}, VerifierError::ProgramLengthNotMultiple},
      {insn(op::LD_DW_IMM, 0, 0, 0, 1), VerifierError::LDDWCannotBeLast},
      {cat({insn(op::LD_DW_IMM, 0, 0, 0, 1), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::IncompleteLDDW},
      {assemble("ja +5; exit"), VerifierError::JumpOutOfCode},
      {assemble("ja -2; exit"), VerifierError::JumpOutOfCode},
      {cat({assemble("ja +1"), assemble("lddw r0, 1; exit")}), VerifierError::JumpToMiddleOfLDDW},
      {assemble("mov64 r10, 1; exit"), VerifierError::CannotWriteR10},
      {assemble("jeq r10, 0, +0; exit"), VerifierError::CannotWriteR10},
      {assemble("div64 r0, 0; exit"), VerifierError::DivisionByZero},
      {assemble("mod32 r0, 0; exit"), VerifierError::DivisionByZero},
      {cat({insn(op::LE, 0, 0, 0, 8), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::UnsupportedLEBEArgument},
      {assemble("lsh64 r0, 64; exit"), VerifierError::ShiftWithOverflow},
      {assemble("rsh32 r0, 32; exit"), VerifierError::ShiftWithOverflow},
      {assemble("arsh32 r0, -1; exit"), VerifierError::ShiftWithOverflow},
      {cat({insn(0x8c, 0, 0, 0, 0), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::UnknownOpCode},
      {cat({insn(0xf7, 0, 0, 0, 0), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::UnknownOpCode},
      {cat({insn(op::CALL_REG, 0, 0, 0, 10), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::InvalidRegister},
      {cat({insn(op::MOV64_REG, 0, 11, 0, 0), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::InvalidSourceRegister},
      {cat({insn(op::MOV64_IMM, 11, 0, 0, 0), insn(op::EXIT, 0, 0, 0, 0)}), VerifierError::InvalidDestinationRegister},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto e = verify(cases[i].text, SbpfVersion::V0);
    ASSERT_TRUE(e) << "case " << i;
    EXPECT_EQ(e->kind, cases[i].kind) << "case " << i << ": " << e->message();
  }
  // Stores may use r10 as base; r10 may be read.
  EXPECT_FALSE(verify(assemble("stxdw [r10-8], r1; mov64 r0, r10; exit"), SbpfVersion::V0));
  EXPECT_EQ(verify(assemble("ja +5; exit"), SbpfVersion::V0)->message(), "jump out of code to #6 (insn #0)");
}

}  // namespace
}  // namespace lumio::svm
