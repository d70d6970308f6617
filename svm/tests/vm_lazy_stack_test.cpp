// Stack and heap read as zero however their host memory is recycled: VmMemory zeroes chunks
// lazily on first access (LazyZeroed, vm.hpp), so a program never sees a previous program's bytes.
#include <gtest/gtest.h>

#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

ExecResult run_once(const Loader& loader, std::string_view src, VmMemory& mem) {
  auto text = test::assemble(src);
  EXPECT_FALSE(verify(text, SbpfVersion::V0));
  Executable exe = Executable::from_text(text, SbpfVersion::V0);
  SyscallContext ctx;
  ctx.remaining = 200'000;
  std::vector<uint8_t> input;
  Vm vm(exe, loader, ctx, mem, input);
  return vm.run();
}

TEST(SvmLazyStack, EveryFrameReadsZeroAfterAnotherProgramDirtiedIt) {
  Loader loader = make_loader_v1(false);
  // Writes -1 at the start, middle and end of all 64 frames (v0: frames 8 KiB apart).
  const char* dirty =
      "lddw r1, 0x200000000; lddw r3, 0x200080000; mov64 r2, -1;"
      "stxdw [r1+0], r2; stxdw [r1+2048], r2; stxdw [r1+4088], r2; add64 r1, 8192; jlt r1, r3, -5;"
      "mov64 r0, 0; exit";
  // ORs the same words into r0.
  const char* read =
      "lddw r1, 0x200000000; lddw r3, 0x200080000; mov64 r0, 0;"
      "ldxdw r2, [r1+0]; or64 r0, r2; ldxdw r2, [r1+2048]; or64 r0, r2; ldxdw r2, [r1+4088]; or64 r0, r2;"
      "add64 r1, 8192; jlt r1, r3, -8; exit";
  for (int round = 0; round < 4; ++round) {
    {
      VmMemory mem(loader.config);
      auto r = run_once(loader, dirty, mem);
      ASSERT_TRUE(r.result.ok()) << r.result.error().message();
      EXPECT_EQ(mem.stack()[4088], 0xff);  // the host view shows what the program wrote
    }
    VmMemory mem(loader.config);
    auto r = run_once(loader, read, mem);
    ASSERT_TRUE(r.result.ok()) << r.result.error().message();
    EXPECT_EQ(r.result.value(), 0u) << "round " << round;
    for (uint8_t b : mem.stack()) ASSERT_EQ(b, 0);
  }
}

TEST(SvmLazyStack, HeapReadsZeroAfterAnotherProgramDirtiedIt) {
  Loader loader = make_loader_v1(false);
  // 32 KiB heap: one word every 256 bytes, and the last word.
  const char* dirty =
      "lddw r1, 0x300000000; lddw r3, 0x300008000; mov64 r2, -1;"
      "stxdw [r1+0], r2; stxdw [r1+248], r2; add64 r1, 256; jlt r1, r3, -4; mov64 r0, 0; exit";
  const char* read =
      "lddw r1, 0x300000000; lddw r3, 0x300008000; mov64 r0, 0;"
      "ldxdw r2, [r1+0]; or64 r0, r2; ldxdw r2, [r1+248]; or64 r0, r2; add64 r1, 256; jlt r1, r3, -6; exit";
  for (int round = 0; round < 4; ++round) {
    {
      VmMemory mem(loader.config);
      auto r = run_once(loader, dirty, mem);
      ASSERT_TRUE(r.result.ok()) << r.result.error().message();
    }
    VmMemory mem(loader.config);
    auto r = run_once(loader, read, mem);
    ASSERT_TRUE(r.result.ok()) << r.result.error().message();
    EXPECT_EQ(r.result.value(), 0u) << "round " << round;
    for (uint8_t b : mem.heap()) ASSERT_EQ(b, 0);
  }
}

}  // namespace
}  // namespace lumio::svm
