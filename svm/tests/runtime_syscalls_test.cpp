// Program-address, return-data, log-data and introspection syscalls. PDA vectors are Solana's own
// (solana-pubkey tests); on-curve checks are cross-checked against libsodium-generated keys.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <random>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

using test::assemble;

Pubkey key(std::string_view b58) {
  auto v = base58_decode(b58);
  EXPECT_TRUE(v && v->size() == 32) << b58;
  Pubkey k{};
  if (v && v->size() == 32) std::memcpy(k.data(), v->data(), 32);
  return k;
}

std::string b58(const Pubkey& k) { return base58(k.data(), 32); }
std::span<const uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(SvmPda, SolanaVectors) {
  const Pubkey program = key("BPFLoaderUpgradeab1e11111111111111111111111");
  const Pubkey seed_key = key("SeedPubey1111111111111111111111111111111111");
  const uint8_t one = 1, zero = 0;
  using Seeds = std::vector<std::span<const uint8_t>>;
  auto pda = [&](Seeds s) {
    auto a = create_program_address(s, program);
    return a ? b58(*a) : std::string("none");
  };
  EXPECT_EQ(pda({bytes(""), {&one, 1}}), "BwqrghZA2htAcqq8dzP1WDAhTXYTYWj7CHxF5j7TDBAe");
  EXPECT_EQ(pda({bytes("\xe2\x98\x89"), {&zero, 1}}), "13yWmRpaTR4r5nAktwLqMpRNr28tnVUZw26rTvPSSB19");
  EXPECT_EQ(pda({bytes("Talking"), bytes("Squirrels")}), "2fnQrngrQT4SeLcdToJAD96phoEjNL2man2kfRLCASVk");
  EXPECT_EQ(pda({{seed_key.data(), 32}, {&one, 1}}), "976ymqVnfE32QFe6NfGDctSvVa36LWnvYxhU6G2232YL");
  std::string long_seed(33, 'x');
  EXPECT_EQ(pda({bytes(long_seed)}), "none");
  EXPECT_EQ(pda(Seeds(17, bytes("a"))), "none");
  EXPECT_EQ(b58(program), "BPFLoaderUpgradeab1e11111111111111111111111");
  EXPECT_FALSE(base58_decode("0OIl"));
}

TEST(SvmPda, CurveCheckAgreesWithLibsodium) {
  ASSERT_GE(sodium_init(), 0);
  for (int i = 0; i < 200; ++i) {  // real public keys are on the curve
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    ASSERT_TRUE(is_on_ed25519_curve(pk));
  }
  std::mt19937_64 rng(7);
  int on = 0, valid_main = 0;
  for (int i = 0; i < 2000; ++i) {
    uint8_t b[32];
    for (auto& x : b) x = uint8_t(rng());
    bool mine = is_on_ed25519_curve(b);
    on += mine;
    if (crypto_core_ed25519_is_valid_point(b)) {  // libsodium: on curve, prime-order subgroup
      ++valid_main;
      EXPECT_TRUE(mine);
    }
  }
  EXPECT_GT(on, 800);  // about half of all encodings decode
  EXPECT_LT(on, 1200);
  EXPECT_GT(valid_main, 50);  // ~1/8 of those lie in the prime-order subgroup
  uint8_t identity[32] = {1};
  EXPECT_TRUE(is_on_ed25519_curve(identity));
}

struct Run {
  ExecResult r;
  SyscallContext ctx;
  std::vector<uint8_t> heap;
};

Run run(std::string_view src, uint64_t budget, std::function<void(SyscallContext&, VmMemory&)> setup = {}) {
  static Loader loader = make_loader_v1(false);
  auto text = assemble(src);
  EXPECT_FALSE(verify(text, SbpfVersion::V0));
  Executable exe = Executable::from_text(text, SbpfVersion::V0);
  Run out;
  out.ctx.remaining = budget;
  VmMemory mem(loader.config);
  if (setup) setup(out.ctx, mem);
  Vm vm(exe, loader, out.ctx, mem, {});
  out.r = vm.run();
  out.heap.assign(mem.heap().begin(), mem.heap().begin() + 256);
  return out;
}

// Heap layout used below: [0] seeds array {ptr,len}..., [64] seed bytes, [96] program id,
// [128] out address, [160] bump.
void put_seeds(VmMemory& mem, const std::vector<std::string>& seeds, const Pubkey& program) {
  uint8_t* h = mem.heap().data();
  uint64_t at = 64;
  for (size_t i = 0; i < seeds.size(); ++i) {
    uint64_t ptr = kHeapStart + at, len = seeds[i].size();
    std::memcpy(h + i * 16, &ptr, 8);
    std::memcpy(h + i * 16 + 8, &len, 8);
    std::memcpy(h + at, seeds[i].data(), len);
    at += len;
  }
  std::memcpy(h + 96, program.data(), 32);
}

TEST(SvmPda, TryFindProgramAddressSyscall) {
  const Pubkey program = key("BPFLoaderUpgradeab1e11111111111111111111111");
  const char* prog =
      "lddw r6, 0x300000000; mov64 r1, r6; mov64 r2, 2; mov64 r3, r6; add64 r3, 96;"
      "mov64 r4, r6; add64 r4, 128; mov64 r5, r6; add64 r5, 160; call sol_try_find_program_address; exit";
  auto x = run(prog, 1'000'000, [&](SyscallContext&, VmMemory& m) { put_seeds(m, {"Talking", "Squirrels"}, program); });
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(x.r.result.value(), 0u);
  // Expected: the first bump from 255 down whose address is off the curve.
  uint8_t bump = 255;
  std::optional<Pubkey> want;
  int failures = 0;
  for (;; --bump, ++failures) {
    std::vector<std::span<const uint8_t>> s = {bytes("Talking"), bytes("Squirrels"), {&bump, 1}};
    if ((want = create_program_address(s, program))) break;
  }
  EXPECT_EQ(x.heap[160], bump);
  EXPECT_EQ(std::memcmp(x.heap.data() + 128, want->data(), 32), 0);
  EXPECT_EQ(x.r.instruction_count, 11u + 1500u * (1 + failures));

  // sol_create_program_address with the seeds of Solana's vector.
  const char* create =
      "lddw r6, 0x300000000; mov64 r1, r6; mov64 r2, 2; mov64 r3, r6; add64 r3, 96;"
      "mov64 r4, r6; add64 r4, 128; call sol_create_program_address; exit";
  auto y = run(create, 10'000, [&](SyscallContext&, VmMemory& m) { put_seeds(m, {"Talking", "Squirrels"}, program); });
  ASSERT_TRUE(y.r.result.ok());
  EXPECT_EQ(y.r.result.value(), 0u);
  Pubkey got;
  std::memcpy(got.data(), y.heap.data() + 128, 32);
  EXPECT_EQ(b58(got), "2fnQrngrQT4SeLcdToJAD96phoEjNL2man2kfRLCASVk");
  EXPECT_EQ(y.r.instruction_count, 9u + 1500u);

  // A 33-byte seed aborts the program.
  auto z = run(create, 10'000, [&](SyscallContext&, VmMemory& m) { put_seeds(m, {std::string(33, 'a'), "b"}, program); });
  ASSERT_FALSE(z.r.result.ok());
  EXPECT_EQ(z.r.result.error().syscall.kind, "BadSeeds");
}

TEST(SvmRuntimeSyscalls, ReturnDataRoundTrip) {
  // set "hey", then get up to 2 bytes: returns the full length 3, copies 2 bytes + the setter.
  auto x = run(
      "lddw r6, 0x300000000; stb [r6+0], 0x68; stb [r6+1], 0x65; stb [r6+2], 0x79;"
      "mov64 r1, r6; mov64 r2, 3; call sol_set_return_data;"
      "mov64 r1, r6; add64 r1, 32; mov64 r2, 2; mov64 r3, r6; add64 r3, 64; call sol_get_return_data; exit",
      10'000, [](SyscallContext& c, VmMemory&) { c.program_id.fill(0xab); });
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(x.r.result.value(), 3u);
  EXPECT_EQ(x.ctx.return_data, (std::vector<uint8_t>{'h', 'e', 'y'}));
  EXPECT_EQ(x.ctx.return_data_program[0], 0xab);
  EXPECT_EQ(x.heap[32], 'h');
  EXPECT_EQ(x.heap[33], 'e');
  EXPECT_EQ(x.heap[34], 0);  // only `length` bytes are copied
  EXPECT_EQ(x.heap[64], 0xab);
  // 14 instructions; set: 3/250 + 100; get: 100 + (2+32)/250
  EXPECT_EQ(x.r.instruction_count, 14u + 100u + 100u);
  auto y = run("mov64 r1, 0; mov64 r2, 1025; call sol_set_return_data; exit", 10'000);
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.message, "Return data too large (1025 > 1024)");
}

TEST(SvmRuntimeSyscalls, IntrospectionAndLogData) {
  auto x = run("call sol_get_stack_height; mov64 r6, r0; call sol_remaining_compute_units; lsh64 r6, 32; or64 r0, r6; exit",
               1000, [](SyscallContext& c, VmMemory&) { c.stack_height = 2; });
  ASSERT_TRUE(x.r.result.ok());
  EXPECT_EQ(x.r.result.value() >> 32, 2u);
  EXPECT_EQ(uint32_t(x.r.result.value()), 1000u - 3u - 200u);  // 3 instructions + 2 x 100 charged so far

  // sol_log_data with fields "hello" and "" -> base64, space separated.
  auto y = run(
      "lddw r6, 0x300000000; stb [r6+64], 0x68; stb [r6+65], 0x65; stb [r6+66], 0x6c; stb [r6+67], 0x6c;"
      "stb [r6+68], 0x6f; mov64 r1, r6; add64 r1, 64; stxdw [r6+0], r1; stdw [r6+8], 5; stxdw [r6+16], r1;"
      "stdw [r6+24], 0; mov64 r1, r6; mov64 r2, 2; call sol_log_data; exit",
      10'000);
  ASSERT_TRUE(y.r.result.ok()) << y.r.result.error().message();
  ASSERT_EQ(y.ctx.logs.size(), 1u);
  EXPECT_EQ(y.ctx.logs[0], "Program data: aGVsbG8= ");
  EXPECT_EQ(y.r.instruction_count, 16u + 100u + 200u + 5u);  // base, per field, bytes
}

TEST(SvmRuntimeSyscalls, SysvarsFromTheCache) {
  // Clock {slot 5, epoch_start_timestamp -1, epoch 2, leader_schedule_epoch 3, unix_timestamp 100}
  std::vector<uint8_t> clock(40);
  int64_t fields[5] = {5, -1, 2, 3, 100};
  std::memcpy(clock.data(), fields, 40);
  // Rent {3480, 2.0, 50}: bincode is 17 bytes, the in-memory struct 24.
  std::vector<uint8_t> rent(17);
  uint64_t lpby = 3480;
  double threshold = 2.0;
  std::memcpy(rent.data(), &lpby, 8);
  std::memcpy(rent.data() + 8, &threshold, 8);
  rent[16] = 50;
  auto with_sysvars = [&](SyscallContext& c, VmMemory& m) {
    c.sysvars[sysvar_id("clock")] = clock;
    c.sysvars[sysvar_id("rent")] = rent;
    std::memset(m.heap().data(), 0xee, 64);
    Pubkey id = sysvar_id("rent");
    std::memcpy(m.heap().data() + 128, id.data(), 32);
  };
  auto x = run(
      "lddw r6, 0x300000000; mov64 r1, r6; call sol_get_clock_sysvar; mov64 r1, r6; add64 r1, 40;"
      "call sol_get_rent_sysvar; exit",
      1000, with_sysvars);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  int64_t got[5];
  std::memcpy(got, x.heap.data(), 40);
  EXPECT_EQ(got[0], 5);
  EXPECT_EQ(got[1], -1);
  EXPECT_EQ(got[4], 100);
  uint64_t lpby_out;
  std::memcpy(&lpby_out, x.heap.data() + 40, 8);
  EXPECT_EQ(lpby_out, 3480u);
  EXPECT_EQ(x.heap[56], 50);
  EXPECT_EQ(x.heap[57], 0);  // padding is zeroed
  EXPECT_EQ(x.heap[63], 0);
  // 7 instructions + (100 + 40) + (100 + 24)
  EXPECT_EQ(x.r.instruction_count, 7u + 140u + 124u);

  // Missing from the cache: the syscall fails after charging.
  auto y = run("lddw r1, 0x300000000; call sol_get_epoch_schedule_sysvar; exit", 1000);
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.kind, "UnsupportedSysvar");
  // Unaligned destination.
  auto z = run("lddw r1, 0x300000004; call sol_get_clock_sysvar; exit", 1000, with_sysvars);
  ASSERT_FALSE(z.r.result.ok());
  EXPECT_EQ(z.r.result.error().syscall.kind, "UnalignedPointer");

  // sol_get_sysvar (SIMD-0127): bytes 8..16 of the rent account data; unknown id -> 2; past end -> 1.
  const char* get = "lddw r6, 0x300000000; mov64 r1, r6; add64 r1, 128; mov64 r2, r6; mov64 r3, %d; mov64 r4, 8;"
                    "call sol_get_sysvar; exit";
  char prog[256];
  std::snprintf(prog, sizeof prog, get, 8);
  auto a = run(prog, 1000, with_sysvars);
  ASSERT_TRUE(a.r.result.ok()) << a.r.result.error().message();
  EXPECT_EQ(a.r.result.value(), 0u);
  double t;
  std::memcpy(&t, a.heap.data(), 8);
  EXPECT_EQ(t, 2.0);
  EXPECT_EQ(a.r.instruction_count, 8u + 100u + 0u + 10u);
  std::snprintf(prog, sizeof prog, get, 10);
  EXPECT_EQ(run(prog, 1000, with_sysvars).r.result.value(), 1u);
  EXPECT_EQ(run(prog, 1000, [](SyscallContext&, VmMemory&) {}).r.result.value(), 2u);
}

TEST(SvmRuntimeSyscalls, Secp256k1Recover) {
  Hash32 msg = sha256(as_view("lumio"));
  Hash32 secret{};
  secret.bytes[31] = 7;
  auto sig = secp256k1::sign(msg, secret);
  auto expected = secp256k1::recover_pubkey(msg, sig.r, sig.s, sig.recid);
  ASSERT_TRUE(expected);
  // heap: [0] hash, [32] r||s, [96] result
  auto setup = [&](SyscallContext&, VmMemory& m) {
    std::memcpy(m.heap().data(), msg.data(), 32);
    std::memcpy(m.heap().data() + 32, sig.r.data(), 32);
    std::memcpy(m.heap().data() + 64, sig.s.data(), 32);
  };
  auto prog = [](int recid) {
    return "lddw r6, 0x300000000; mov64 r1, r6; mov64 r2, " + std::to_string(recid) +
           "; mov64 r3, r6; add64 r3, 32; mov64 r4, r6; add64 r4, 96; call sol_secp256k1_recover; exit";
  };
  auto x = run(prog(sig.recid), 30'000, setup);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(x.r.result.value(), 0u);
  EXPECT_EQ(std::memcmp(x.heap.data() + 96, expected->data(), 64), 0);
  EXPECT_EQ(x.r.instruction_count, 9u + 25'000u);
  EXPECT_EQ(run(prog(4), 30'000, setup).r.result.value(), 2u);  // InvalidRecoveryId
  auto bad_s = [&](SyscallContext& c, VmMemory& m) {
    setup(c, m);
    std::memset(m.heap().data() + 64, 0xff, 32);  // s >= n
  };
  EXPECT_EQ(run(prog(sig.recid), 30'000, bad_s).r.result.value(), 3u);  // InvalidSignature
  auto y = run(prog(0), 20'000, setup);
  ASSERT_FALSE(y.r.result.ok());
  EXPECT_EQ(y.r.result.error().syscall.kind, "ComputationalBudgetExceeded");
}

TEST(SvmRuntimeSyscalls, AllocFreeBumpAllocator) {
  // Two 10-byte allocations (8-aligned), a free (no-op), then one that does not fit.
  auto x = run(
      "mov64 r1, 10; mov64 r2, 0; call sol_alloc_free_; mov64 r6, r0;"
      "mov64 r1, 10; mov64 r2, 0; call sol_alloc_free_; mov64 r7, r0;"
      "mov64 r1, 0; mov64 r2, r6; call sol_alloc_free_; mov64 r8, r0;"
      "mov64 r1, 40000; mov64 r2, 0; call sol_alloc_free_;"  // does not fit in 32 KiB: 0
      // r0 = (r6 - heap) << 24 | r0 << 16 | r8 << 8 | (r7 - r6)
      "lddw r9, 0x300000000; sub64 r6, r9; lsh64 r6, 24; lsh64 r0, 16; lsh64 r8, 8; sub64 r7, r9;"
      "or64 r0, r6; or64 r0, r8; or64 r0, r7; exit",
      1000);
  ASSERT_TRUE(x.r.result.ok()) << x.r.result.error().message();
  EXPECT_EQ(x.r.result.value(), 16u);  // first at the heap start, second 8-aligned after 10 bytes
  EXPECT_EQ(x.r.instruction_count, 25u);  // the syscall itself is free
}

}  // namespace
}  // namespace lumio::svm
