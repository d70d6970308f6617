// Crypto syscalls through the registered handlers (and one through the VM): known answers from
// the BLAKE3 test vectors, RFC 9496 (ristretto255), EIP-196/197 (alt_bn128); Edwards results
// cross-checked against libsodium where its stricter rules allow; Agave's costs and error kinds.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "common/blake3.hpp"
#include "svm/precompiles.hpp"
#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"
#include "svm/vm.hpp"

namespace lumio::svm {
namespace {

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  EXPECT_TRUE(b) << s;
  return b ? *b : Bytes{};
}
std::string hx(BytesView b) { return to_hex(b, false); }

// A heap (writable) and a read-only region, and direct calls into the loader's syscall registry.
struct Env {
  Loader loader = make_loader_v1(false);
  std::vector<uint8_t> heap = std::vector<uint8_t>(256 * 1024);
  std::vector<uint8_t> ro = std::vector<uint8_t>(4096);
  MemoryMapping mm{loader.config, SbpfVersion::V0};
  SyscallContext ctx;
  uint64_t next = 0;
  static constexpr uint64_t kBudget = 100'000'000;

  Env() {
    EXPECT_GE(sodium_init(), 0);
    mm.add(MemoryRegion{ro.data(), ro.size(), kProgramStart, false});
    mm.add(MemoryRegion{heap.data(), heap.size(), kHeapStart, true});
    ctx.memory = &mm;
    ctx.remaining = kBudget;
  }
  uint64_t alloc(size_t n) {
    uint64_t at = kHeapStart + next;
    next += (n + 15) & ~size_t{15};
    return at;
  }
  uint64_t put(BytesView b) {
    uint64_t at = alloc(b.size());
    if (!b.empty()) std::memcpy(heap.data() + (at - kHeapStart), b.data(), b.size());
    return at;
  }
  uint64_t put_u64s(std::initializer_list<uint64_t> v) {
    uint64_t at = alloc(v.size() * 8);
    size_t i = 0;
    for (uint64_t x : v) std::memcpy(heap.data() + (at - kHeapStart) + 8 * i++, &x, 8);
    return at;
  }
  Bytes get(uint64_t addr, size_t n) {
    const uint8_t* p = heap.data() + (addr - kHeapStart);
    return Bytes(p, p + n);
  }
  // Calls a syscall; `used` is what it charged.
  Expected<uint64_t, EbpfError> call(std::string_view name, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0,
                                     uint64_t d = 0, uint64_t e = 0) {
    auto* entry = loader.syscalls.lookup(hash_symbol_name(name));
    EXPECT_TRUE(entry) << name;
    uint64_t before = ctx.remaining;
    auto r = entry->value(ctx, a, b, c, d, e);
    used = before - ctx.remaining;
    return r;
  }
  uint64_t used = 0;
};

void expect_ok(Expected<uint64_t, EbpfError> r, uint64_t want) {
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, want);
}
void expect_syscall_error(Expected<uint64_t, EbpfError> r, const std::string& kind) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, EbpfError::SyscallError);
  EXPECT_EQ(r.error().syscall.kind, kind);
}

Bytes pattern(size_t n) {  // BLAKE3 test-vector input: byte i is i % 251
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i % 251);
  return b;
}

// ---- sol_blake3 -------------------------------------------------------------------------------

TEST(SvmBlake3, SlicesHashLikeOneInputAndChargeSha256Costs) {
  Env env;
  Bytes in = pattern(1025);
  uint64_t a = env.put(BytesView(in.data(), 1000)), b = env.put(BytesView(in.data() + 1000, 5)),
           c = env.put(BytesView(in.data() + 1005, 20));
  uint64_t list = env.put_u64s({a, 1000, b, 5, c, 20});
  uint64_t out = env.alloc(32);
  expect_ok(env.call("sol_blake3", list, 3, out), 0);
  EXPECT_EQ(hx(env.get(out, 32)), "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444");
  EXPECT_EQ(env.used, 85u + 500 + 10 + 10);  // base + max(mem_op_base, len / 2) per slice

  expect_ok(env.call("sol_blake3", 0, 0, out), 0);  // no slices: the empty hash
  EXPECT_EQ(hx(env.get(out, 32)), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  EXPECT_EQ(env.used, 85u);

  expect_syscall_error(env.call("sol_blake3", list, 20'001, out), "TooManySlices");
  EXPECT_EQ(env.ctx.logs.back(), "Blake3 Hashing 20001 sequences in one syscall is over the limit 20000");
  auto r = env.call("sol_blake3", list, 3, kProgramStart);  // result in read-only memory
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, EbpfError::AccessViolation);
  env.ctx.remaining = 100;
  expect_syscall_error(env.call("sol_blake3", list, 3, out), "ComputationalBudgetExceeded");
}

TEST(SvmBlake3, ThroughTheVm) {
  static Loader loader = make_loader_v1(false);
  // r1 = slice list at heap+0 (one slice: heap+64, 3 bytes "abc"), r3 = result at heap+128.
  auto text = test::assemble(
      "lddw r1, 0x300000000; mov64 r2, 1; mov64 r3, r1; add64 r3, 128; call sol_blake3; exit");
  Executable exe = Executable::from_text(text, SbpfVersion::V0);
  SyscallContext ctx;
  ctx.remaining = 1000;
  VmMemory mem(loader.config);
  uint8_t* h = mem.heap().data();
  uint64_t ptr = kHeapStart + 64, len = 3;
  std::memcpy(h, &ptr, 8);
  std::memcpy(h + 8, &len, 8);
  std::memcpy(h + 64, "abc", 3);
  Vm vm(exe, loader, ctx, mem, {});
  ExecResult r = vm.run();
  ASSERT_TRUE(r.result.ok()) << r.result.error().message();
  EXPECT_EQ(*r.result, 0u);
  EXPECT_EQ(r.instruction_count, 6u + 85 + 10);  // 6 instructions (lddw counts once) + syscall
  EXPECT_EQ(to_hex(BytesView(h + 128, 32), false), to_hex(blake3::hash(as_view("abc")), false));
}

// ---- curve25519 -------------------------------------------------------------------------------

constexpr uint64_t kEd = 0, kRi = 1, kAdd = 0, kSub = 1, kMul = 2;
const char* kBase = "5866666666666666666666666666666666666666666666666666666666666666";
const char* kEdIdentity = "0100000000000000000000000000000000000000000000000000000000000000";
const char* kOrder2 = "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";  // y = -1

Bytes scalar(uint64_t v) {
  Bytes s(32, 0);
  std::memcpy(s.data(), &v, 8);
  return s;
}

TEST(SvmCurve25519, EdwardsValidateAcceptsWhatDalekDecompresses) {
  Env env;
  auto validate = [&](std::string_view h) {
    auto r = env.call("sol_curve_validate_point", kEd, env.put(hex(h)));
    EXPECT_EQ(env.used, 159u);
    return r.ok() ? *r : 99;
  };
  EXPECT_EQ(validate(kBase), 0u);
  EXPECT_EQ(validate(kEdIdentity), 0u);
  EXPECT_EQ(validate(kOrder2), 0u);  // small order: libsodium says invalid, dalek decompresses
  // y = p + 1 (non-canonical encoding of the identity's y): dalek reduces mod p.
  EXPECT_EQ(validate("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), 0u);
  EXPECT_EQ(validate("0200000000000000000000000000000000000000000000000000000000000000"), 1u);  // y = 2
  // Agrees with the PDA curve check on random encodings.
  std::mt19937_64 rng(11);
  for (int i = 0; i < 300; ++i) {
    uint8_t b[32];
    for (auto& x : b) x = uint8_t(rng());
    EXPECT_EQ(ed25519::validate(b), is_on_ed25519_curve(b));
  }
  expect_ok(env.call("sol_curve_validate_point", kRi, env.put(hex(kBase))), 1);  // not ristretto-canonical
  EXPECT_EQ(env.used, 169u);
  expect_syscall_error(env.call("sol_curve_validate_point", 2, env.put(hex(kBase))), "InvalidAttribute");
  EXPECT_EQ(env.used, 0u);
}

TEST(SvmCurve25519, EdwardsGroupOpsMatchLibsodiumOnPrimeOrderPoints) {
  Env env;
  for (int i = 0; i < 20; ++i) {
    uint8_t ka[32], kb[32], pa[32], pb[32];
    crypto_core_ed25519_scalar_random(ka);
    crypto_core_ed25519_scalar_random(kb);
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(pa, ka), 0);
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(pb, kb), 0);
    uint64_t a = env.put({pa, 32}), b = env.put({pb, 32}), out = env.alloc(32);
    uint8_t want[32];
    crypto_core_ed25519_add(want, pa, pb);
    expect_ok(env.call("sol_curve_group_op", kEd, kAdd, a, b, out), 0);
    EXPECT_EQ(env.used, 473u);
    EXPECT_EQ(env.get(out, 32), Bytes(want, want + 32));
    crypto_core_ed25519_sub(want, pa, pb);
    expect_ok(env.call("sol_curve_group_op", kEd, kSub, a, b, out), 0);
    EXPECT_EQ(env.used, 475u);
    EXPECT_EQ(env.get(out, 32), Bytes(want, want + 32));
    ASSERT_EQ(crypto_scalarmult_ed25519_noclamp(want, kb, pa), 0);
    expect_ok(env.call("sol_curve_group_op", kEd, kMul, env.put({kb, 32}), a, out), 0);
    EXPECT_EQ(env.used, 2177u);
    EXPECT_EQ(env.get(out, 32), Bytes(want, want + 32));
  }
}

TEST(SvmCurve25519, EdwardsTorsionNonCanonicalAndBadScalars) {
  Env env;
  uint64_t base = env.put(hex(kBase)), t2 = env.put(hex(kOrder2)), out = env.alloc(32);
  // B + T2 - T2 = B; 2 * T2 = identity; the y = p + 1 encoding acts as the identity.
  expect_ok(env.call("sol_curve_group_op", kEd, kAdd, base, t2, out), 0);
  uint64_t sum = env.put(env.get(out, 32));
  EXPECT_NE(hx(env.get(sum, 32)), kBase);
  expect_ok(env.call("sol_curve_group_op", kEd, kSub, sum, t2, out), 0);
  EXPECT_EQ(hx(env.get(out, 32)), kBase);
  expect_ok(env.call("sol_curve_group_op", kEd, kMul, env.put(scalar(2)), t2, out), 0);
  EXPECT_EQ(hx(env.get(out, 32)), kEdIdentity);
  uint64_t noncanon = env.put(hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  expect_ok(env.call("sol_curve_group_op", kEd, kAdd, base, noncanon, out), 0);
  EXPECT_EQ(hx(env.get(out, 32)), kBase);
  // Off-curve input: 1, nothing written (an unwritable result address is not touched).
  uint64_t bad = env.put(hex("0200000000000000000000000000000000000000000000000000000000000000"));
  expect_ok(env.call("sol_curve_group_op", kEd, kAdd, base, bad, kProgramStart), 1);
  // Scalar l (not canonical) fails; l - 1 works and gives -B.
  Bytes l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  expect_ok(env.call("sol_curve_group_op", kEd, kMul, env.put(l), base, out), 1);
  l[0] -= 1;
  expect_ok(env.call("sol_curve_group_op", kEd, kMul, env.put(l), base, out), 0);
  uint8_t neg_b[32];
  crypto_core_ed25519_sub(neg_b, hex(kEdIdentity).data(), hex(kBase).data());
  EXPECT_EQ(env.get(out, 32), Bytes(neg_b, neg_b + 32));
  // Unknown op / curve: InvalidAttribute, nothing charged.
  expect_syscall_error(env.call("sol_curve_group_op", kEd, 3, base, base, out), "InvalidAttribute");
  expect_syscall_error(env.call("sol_curve_group_op", 7, kAdd, base, base, out), "InvalidAttribute");
  EXPECT_EQ(env.used, 0u);
  // Successful op with a read-only result: the store faults.
  auto r = env.call("sol_curve_group_op", kEd, kAdd, base, base, kProgramStart);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, EbpfError::AccessViolation);
}

TEST(SvmCurve25519, RistrettoRfc9496Multiples) {
  Env env;
  const char* kMultiples[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
      "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
      "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
  };
  uint64_t g = env.put(hex(kMultiples[1])), out = env.alloc(32);
  for (uint64_t k = 0; k < 4; ++k) {
    expect_ok(env.call("sol_curve_group_op", kRi, kMul, env.put(scalar(k)), g, out), 0);
    EXPECT_EQ(env.used, 2208u);
    EXPECT_EQ(hx(env.get(out, 32)), kMultiples[k]) << k;  // k = 0: the identity, not a failure
    expect_ok(env.call("sol_curve_validate_point", kRi, env.put(hex(kMultiples[k]))), 0);
  }
  expect_ok(env.call("sol_curve_group_op", kRi, kAdd, g, env.put(hex(kMultiples[2])), out), 0);
  EXPECT_EQ(env.used, 521u);
  EXPECT_EQ(hx(env.get(out, 32)), kMultiples[3]);
  expect_ok(env.call("sol_curve_group_op", kRi, kSub, env.put(hex(kMultiples[3])), g, out), 0);
  EXPECT_EQ(env.used, 519u);
  EXPECT_EQ(hx(env.get(out, 32)), kMultiples[2]);
  // RFC 9496 bad encodings: non-canonical (p) and negative (s = 1).
  for (const char* badhex : {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                             "0100000000000000000000000000000000000000000000000000000000000000"}) {
    uint64_t bad = env.put(hex(badhex));
    expect_ok(env.call("sol_curve_validate_point", kRi, bad), 1);
    expect_ok(env.call("sol_curve_group_op", kRi, kAdd, g, bad, out), 1);
  }
}

TEST(SvmCurve25519, MultiscalarMul) {
  Env env;
  Bytes scalars, points;
  uint8_t want[32] = {1};  // Edwards identity
  for (int i = 0; i < 5; ++i) {
    uint8_t k[32], p[32], kp[32], s[32];
    crypto_core_ed25519_scalar_random(k);
    crypto_core_ed25519_scalar_random(s);
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(p, s), 0);
    ASSERT_EQ(crypto_scalarmult_ed25519_noclamp(kp, k, p), 0);
    crypto_core_ed25519_add(want, want, kp);
    scalars.insert(scalars.end(), k, k + 32);
    points.insert(points.end(), p, p + 32);
  }
  uint64_t s = env.put(scalars), p = env.put(points), out = env.alloc(32);
  expect_ok(env.call("sol_curve_multiscalar_mul", kEd, s, p, 5, out), 0);
  EXPECT_EQ(env.used, 2273u + 4 * 758);
  EXPECT_EQ(env.get(out, 32), Bytes(want, want + 32));
  expect_ok(env.call("sol_curve_multiscalar_mul", kEd, s, p, 0, out), 0);  // empty sum
  EXPECT_EQ(env.used, 2273u);
  EXPECT_EQ(hx(env.get(out, 32)), kEdIdentity);

  // Ristretto: sum k_i * P_i against libsodium.
  Bytes rs, rp;
  uint8_t racc[32] = {0};
  for (int i = 0; i < 3; ++i) {
    uint8_t k[32], pt[32], kp[32];
    crypto_core_ristretto255_scalar_random(k);
    crypto_core_ristretto255_random(pt);
    ASSERT_EQ(crypto_scalarmult_ristretto255(kp, k, pt), 0);
    crypto_core_ristretto255_add(racc, racc, kp);
    rs.insert(rs.end(), k, k + 32);
    rp.insert(rp.end(), pt, pt + 32);
  }
  expect_ok(env.call("sol_curve_multiscalar_mul", kRi, env.put(rs), env.put(rp), 3, out), 0);
  EXPECT_EQ(env.used, 2303u + 2 * 788);
  EXPECT_EQ(env.get(out, 32), Bytes(racc, racc + 32));

  expect_syscall_error(env.call("sol_curve_multiscalar_mul", kEd, s, p, 513, out), "InvalidLength");
  EXPECT_EQ(env.used, 0u);
  expect_syscall_error(env.call("sol_curve_multiscalar_mul", 5, s, p, 1, out), "InvalidAttribute");
  Bytes bad_scalars = scalars;
  bad_scalars[32 * 2 + 31] = 0x80;  // third scalar >= l
  expect_ok(env.call("sol_curve_multiscalar_mul", kEd, env.put(bad_scalars), p, 5, out), 1);
}

// ---- alt_bn128 --------------------------------------------------------------------------------

const char* kG1 = "0000000000000000000000000000000000000000000000000000000000000001"
                  "0000000000000000000000000000000000000000000000000000000000000002";
const char* kG1Double = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
                        "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
// -G1 = (1, p - 2)
const char* kG1Neg = "0000000000000000000000000000000000000000000000000000000000000001"
                     "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
const char* kG2 = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
                  "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                  "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
                  "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
constexpr uint64_t kBnAdd = 0, kBnMul = 2, kBnPairing = 3;

TEST(SvmAltBn128, AddMulEip196) {
  Env env;
  uint64_t out = env.alloc(64);
  Bytes two_g = hex(std::string(kG1) + kG1);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(two_g), 128, out), 0);
  EXPECT_EQ(env.used, 334u);
  EXPECT_EQ(hx(env.get(out, 64)), kG1Double);
  Bytes gx2 = hex(std::string(kG1) + "0000000000000000000000000000000000000000000000000000000000000002");
  expect_ok(env.call("sol_alt_bn128_group_op", kBnMul, env.put(gx2), 96, out), 0);
  EXPECT_EQ(env.used, 3840u);
  EXPECT_EQ(hx(env.get(out, 64)), kG1Double);
  // Short input is zero-padded: G + O = G; empty input: O + O = O.
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(hex(kG1)), 64, out), 0);
  EXPECT_EQ(hx(env.get(out, 64)), kG1);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, 0, 0, out), 0);
  EXPECT_EQ(env.get(out, 64), Bytes(64, 0));
  // G + (-G) = O; r * G = O.
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(hex(std::string(kG1) + kG1Neg)), 128, out), 0);
  EXPECT_EQ(env.get(out, 64), Bytes(64, 0));
  Bytes gr = hex(std::string(kG1) + "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
  expect_ok(env.call("sol_alt_bn128_group_op", kBnMul, env.put(gr), 96, out), 0);
  EXPECT_EQ(env.get(out, 64), Bytes(64, 0));
  // Oversized inputs (Ethereum would ignore the tail), off-curve and non-canonical points: 1.
  Bytes big(129, 0);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(big), 129, out), 1);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnMul, env.put(big), 97, out), 1);
  Bytes off = hex(kG1);
  off[63] = 3;  // (1, 3)
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(off), 64, out), 1);
  Bytes ge_p = hex("0000000000000000000000000000000000000000000000000000000000000001"
                   "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49");  // y = p + 2
  expect_ok(env.call("sol_alt_bn128_group_op", kBnAdd, env.put(ge_p), 64, out), 1);
  // Unknown ops (G1/G2 SUB = 1/5 in either byte order, 7, stray bits): InvalidAttribute.
  for (uint64_t op : {1ull, 5ull, 7ull, 0x81ull, 0x85ull, 0x100ull}) {
    expect_syscall_error(env.call("sol_alt_bn128_group_op", op, env.put(two_g), 128, out), "InvalidAttribute");
    EXPECT_EQ(env.used, 0u);
  }
  auto r = env.call("sol_alt_bn128_group_op", kBnAdd, env.put(two_g), 128, kProgramStart);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, EbpfError::AccessViolation);
}

TEST(SvmAltBn128, PairingEip197) {
  Env env;
  uint64_t out = env.alloc(32);
  // e(G1, G2) * e(-G1, G2) = 1; e(G1, G2) * e(G1, G2) != 1.
  Bytes good = hex(std::string(kG1) + kG2 + kG1Neg + kG2);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, env.put(good), 384, out), 0);
  EXPECT_EQ(env.used, 36364u + 12121 + 85 + 384 + 32);
  EXPECT_EQ(hx(env.get(out, 32)), "0000000000000000000000000000000000000000000000000000000000000001");
  Bytes bad = hex(std::string(kG1) + kG2 + kG1 + kG2);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, env.put(bad), 384, out), 0);
  EXPECT_EQ(env.get(out, 32), Bytes(32, 0));
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, 0, 0, out), 0);  // empty product
  EXPECT_EQ(env.used, 36364u + 85 + 32);
  EXPECT_EQ(env.get(out, 32).back(), 1);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, env.put(good), 383, out), 1);  // not k * 192
  Bytes g2_off = good;
  g2_off[64 + 127] ^= 1;  // G2 y changed: off the twist
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, env.put(g2_off), 384, out), 1);
}

TEST(SvmAltBn128, Compression) {
  Env env;
  auto run = [&](uint64_t op, BytesView in, size_t out_len, uint64_t cost) -> std::optional<std::string> {
    uint64_t out = env.alloc(128);
    auto r = env.call("sol_alt_bn128_compression", op, env.put(in), in.size(), out);
    EXPECT_EQ(env.used, 100 + cost);
    if (!r.ok() || *r != 0) return std::nullopt;
    return hx(env.get(out, out_len));
  };
  const std::string one = "0000000000000000000000000000000000000000000000000000000000000001";
  EXPECT_EQ(run(0, hex(kG1), 32, 30), one);
  EXPECT_EQ(run(0, hex(kG1Neg), 32, 30), "8" + one.substr(1));  // y is the larger root
  EXPECT_EQ(run(1, hex(one), 64, 398), kG1);
  EXPECT_EQ(run(1, hex("8" + one.substr(1)), 64, 398), kG1Neg);
  EXPECT_EQ(run(0, Bytes(64, 0), 32, 30), std::string(64, '0'));
  EXPECT_EQ(run(1, Bytes(32, 0), 64, 398), std::string(128, '0'));
  EXPECT_EQ(run(0, hex(kG1), 63, 30).has_value(), true);
  EXPECT_FALSE(run(0, Bytes(63, 1), 32, 30));  // wrong length
  EXPECT_FALSE(run(1, hex("c" + one.substr(1)), 64, 398));  // both flag bits
  // G2: compress/decompress round trip of G2 and -G2 (the other root).
  auto c = run(2, hex(kG2), 64, 86);
  ASSERT_TRUE(c);
  Bytes cx = hex(*c);
  cx[0] &= 0x3f;  // x = (c1, c0) big-endian, flags in the top bits
  EXPECT_EQ(hx(cx), std::string(kG2).substr(0, 128));
  auto d = run(3, hex(*c), 128, 13610);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, kG2);
  Bytes flipped = hex(*c);
  flipped[0] ^= 0x80;
  auto d2 = run(3, flipped, 128, 13610);
  ASSERT_TRUE(d2);
  EXPECT_EQ(d2->substr(0, 128), std::string(kG2).substr(0, 128));
  EXPECT_NE(*d2, kG2);  // y negated
  // Decompressed points really are on the curves: pairing e(P, Q) e(-P, Q) accepts them.
  Bytes pair = hex(*run(1, hex(one), 64, 398) + *d2 + kG1Neg + *d2);
  uint64_t out = env.alloc(32);
  expect_ok(env.call("sol_alt_bn128_group_op", kBnPairing, env.put(pair), 384, out), 0);
  EXPECT_EQ(env.get(out, 32).back(), 1);
  expect_syscall_error(env.call("sol_alt_bn128_compression", 4, 0, 0, out), "InvalidAttribute");
  expect_syscall_error(env.call("sol_alt_bn128_compression", 0x84, 0, 0, out), "InvalidAttribute");
}

// SIMD-0302: G2 addition (op 4: curve check only) and multiplication (op 6: subgroup-checked),
// checked through e(2 G1, G2) * e(-G1, 2 G2) = 1.
TEST(SvmAltBn128, G2AddMul) {
  Env env;
  uint64_t out = env.alloc(128);
  expect_ok(env.call("sol_alt_bn128_group_op", 4, env.put(hex(std::string(kG2) + kG2)), 256, out), 0);
  EXPECT_EQ(env.used, 535u);
  Bytes g2x2 = env.get(out, 128);
  Bytes k2 = hex(std::string(kG2) + "0000000000000000000000000000000000000000000000000000000000000002");
  expect_ok(env.call("sol_alt_bn128_group_op", 6, env.put(k2), 160, out), 0);
  EXPECT_EQ(env.used, 15670u);
  EXPECT_EQ(env.get(out, 128), g2x2);
  Bytes pairs = hex(std::string(kG1Double) + kG2 + kG1Neg);
  pairs.insert(pairs.end(), g2x2.begin(), g2x2.end());
  uint64_t res = env.alloc(32);
  expect_ok(env.call("sol_alt_bn128_group_op", 3, env.put(pairs), 384, res), 0);
  EXPECT_EQ(env.get(res, 32).back(), 1);
  Bytes kr = hex(std::string(kG2) + "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
  expect_ok(env.call("sol_alt_bn128_group_op", 6, env.put(kr), 160, out), 0);  // r * G2 = O
  EXPECT_EQ(env.get(out, 128), Bytes(128, 0));
  // A twist point outside G2 (decompressed, which does not check the subgroup): addition takes
  // it, multiplication refuses it.
  std::optional<Bytes> twist;
  for (uint8_t x0 = 1; !twist && x0 < 50; ++x0) {
    Bytes c(64, 0);
    c[63] = x0;
    twist = bn254::g2_decompress(c);
  }
  ASSERT_TRUE(twist);
  Bytes add_in = *twist;
  add_in.resize(256, 0);  // + O
  expect_ok(env.call("sol_alt_bn128_group_op", 4, env.put(add_in), 256, out), 0);
  EXPECT_EQ(env.get(out, 128), *twist);
  Bytes mul_in = *twist;
  mul_in.resize(160, 0);
  mul_in[159] = 1;
  expect_ok(env.call("sol_alt_bn128_group_op", 6, env.put(mul_in), 160, out), 1);
  expect_ok(env.call("sol_alt_bn128_group_op", 4, env.put(hex(kG2)), 128, out), 1);  // exact length
  // Little-endian: each Fq2 reversed as a 64-byte word, the scalar as a 32-byte word.
  auto rev64 = [](Bytes b) {
    for (size_t at = 0; at + 64 <= b.size(); at += 64) std::reverse(b.begin() + at, b.begin() + at + 64);
    return b;
  };
  expect_ok(env.call("sol_alt_bn128_group_op", 0x84, env.put(rev64(hex(std::string(kG2) + kG2))), 256, out), 0);
  EXPECT_EQ(env.get(out, 128), rev64(g2x2));
  Bytes le_mul = rev64(hex(kG2));
  Bytes two_le(32, 0);
  two_le[0] = 2;
  le_mul.insert(le_mul.end(), two_le.begin(), two_le.end());
  expect_ok(env.call("sol_alt_bn128_group_op", 0x86, env.put(le_mul), 160, out), 0);
  EXPECT_EQ(env.get(out, 128), rev64(g2x2));
}

// SIMD-0284: op | 0x80 takes and returns arkworks' little-endian layout (each 32-byte field element
// reversed; G2's Fq2 as (c0, c1)), with exact input lengths; same costs.
Bytes rev(BytesView b, size_t chunk) {
  Bytes o(b.begin(), b.end());
  for (size_t at = 0; at + chunk <= o.size(); at += chunk) std::reverse(o.begin() + at, o.begin() + at + chunk);
  return o;
}

TEST(SvmAltBn128, LittleEndianOps) {
  Env env;
  uint64_t out = env.alloc(128);
  Bytes two_g = rev(hex(std::string(kG1) + kG1), 32);
  expect_ok(env.call("sol_alt_bn128_group_op", 0x80, env.put(two_g), 128, out), 0);
  EXPECT_EQ(env.used, 334u);
  EXPECT_EQ(env.get(out, 64), rev(hex(kG1Double), 32));
  expect_ok(env.call("sol_alt_bn128_group_op", 0x80, env.put(two_g), 64, out), 1);  // no padding in LE
  Bytes gx2 = rev(hex(std::string(kG1) + "0000000000000000000000000000000000000000000000000000000000000002"), 32);
  expect_ok(env.call("sol_alt_bn128_group_op", 0x82, env.put(gx2), 96, out), 0);
  EXPECT_EQ(env.used, 3840u);
  EXPECT_EQ(env.get(out, 64), rev(hex(kG1Double), 32));
  // Pairing: G1 as two reversed 32-byte words, G2 as two reversed 64-byte Fq2 words.
  Bytes g1 = rev(hex(kG1), 32), g1n = rev(hex(kG1Neg), 32), g2 = rev(hex(kG2), 64);
  Bytes pairs = g1;
  pairs.insert(pairs.end(), g2.begin(), g2.end());
  pairs.insert(pairs.end(), g1n.begin(), g1n.end());
  pairs.insert(pairs.end(), g2.begin(), g2.end());
  expect_ok(env.call("sol_alt_bn128_group_op", 0x83, env.put(pairs), 384, out), 0);
  EXPECT_EQ(env.used, 36364u + 12121 + 85 + 384 + 32);
  Bytes one_le(32, 0);
  one_le[0] = 1;
  EXPECT_EQ(env.get(out, 32), one_le);
  // Compression round trips in LE.
  expect_ok(env.call("sol_alt_bn128_compression", 0x80, env.put(g1n), 64, out), 0);
  EXPECT_EQ(env.used, 130u);
  Bytes c = env.get(out, 32);
  EXPECT_EQ(c[31], 0x80);  // flag in the most significant (last) byte
  expect_ok(env.call("sol_alt_bn128_compression", 0x81, env.put(c), 32, out), 0);
  EXPECT_EQ(env.get(out, 64), g1n);
  expect_ok(env.call("sol_alt_bn128_compression", 0x82, env.put(g2), 128, out), 0);
  Bytes c2 = env.get(out, 64);
  expect_ok(env.call("sol_alt_bn128_compression", 0x83, env.put(c2), 64, out), 0);
  EXPECT_EQ(env.get(out, 128), g2);
}

// ---- sol_big_mod_exp, sol_get_epoch_stake -------------------------------------------------------

TEST(SvmBigModExp, ResultsAndCost) {
  Env env;
  auto modexp = [&](std::string_view b, std::string_view e, std::string_view m) -> std::string {
    Bytes bb = hex(b), eb = hex(e), mb = hex(m);
    uint64_t params = env.put_u64s({env.put(bb), bb.size(), env.put(eb), eb.size(), env.put(mb), mb.size()});
    uint64_t out = env.alloc(mb.size());
    auto r = env.call("sol_big_mod_exp", params, out);
    EXPECT_TRUE(r.ok() && *r == 0);
    size_t n = std::max({bb.size(), eb.size(), mb.size()});
    EXPECT_EQ(env.used, 100 + n * n / 2 + 190);
    return hx(env.get(out, mb.size()));
  };
  EXPECT_EQ(modexp("03", "05", "07"), "05");      // 243 mod 7
  EXPECT_EQ(modexp("02", "0a", "00ff"), "0004");  // 1024 mod 255, padded to the modulus width
  EXPECT_EQ(modexp("05", "", "0b"), "01");        // x^0 = 1
  EXPECT_EQ(modexp("05", "03", "0001"), "0000");  // modulus 1: zeros
  EXPECT_EQ(modexp("05", "03", "0000"), "0000");  // modulus 0: zeros
  EXPECT_EQ(modexp("05", "03", ""), "");
  // EIP-198 example: 3^(p-1) mod p = 1 for the secp256k1 field prime.
  EXPECT_EQ(modexp("03", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e",
                   "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
            "0000000000000000000000000000000000000000000000000000000000000001");
  uint64_t params = env.put_u64s({0, 513, 0, 1, 0, 1});
  expect_syscall_error(env.call("sol_big_mod_exp", params, env.alloc(8)), "InvalidLength");
  EXPECT_EQ(env.used, 0u);
  auto r = env.call("sol_big_mod_exp", kHeapStart + 4, env.alloc(8));  // misaligned params
  expect_syscall_error(r, "UnalignedPointer");
}

// light-poseidon / solana-poseidon test vectors (circomlibjs poseidon([1, ...]) for 1..12 inputs).
TEST(SvmPoseidon, CircomVectors) {
  const char* kOnes[12] = {
      "29176100eaa962bdc1fe6c654d6a3c130e96a4d1168b33848b897dc502820133",
      "007af346e2d304279e79e0a9f3023f771294a78acb70e73f90afe27cad401e81",
      "02c0066e10a72abd2b33c3b214cb3e81bcb1b6e30961cd23c202b18673bf2543",
      "082c9c370a0d24f4416fbc414a37681f78442d27d86385991c17d6fc0c4b7d71",
      "10389605ae688d4f14db853122c47d66a803c72b41589cb1bf868741b206b9bb",
      "2a73f679328c3eab724aa3e5bdbf50b39035d7729f135b9709890f85c5dc5e76",
      "2276310aa7f3343a284214139d9da959be2a31b2c708a5f81954b265e53a30b8",
      "177e1453c446e1b07d2b4233425147095c4fcabb233d230b6d46a214d95b2884",
      "0e8fee2fe49da30fdeeb48c42ebb44cc6ee7055f61fbca5e313b8a5fca834c47",
      "2ec4c65e6378ab8c7330854f4a7077c1ff9260e44885c4b81dd131ad3a86cd96",
      "00713d41eca635f117d4ecbceb5f3a66dc4142eb70b56765bc358f1bec40bb9b",
      "14390be0baef249bd47c65ddac65c2e52e8513c081c1cd72c98006098e9a8fbe",
  };
  Env env;
  Bytes one(32, 0);
  one[31] = 1;
  uint64_t one_at = env.put(one), out = env.alloc(32);
  for (uint64_t n = 1; n <= 12; ++n) {
    std::vector<uint64_t> list;
    uint64_t l = env.alloc(16 * n);
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t len = 32;
      std::memcpy(env.heap.data() + (l - kHeapStart) + 16 * i, &one_at, 8);
      std::memcpy(env.heap.data() + (l - kHeapStart) + 16 * i + 8, &len, 8);
    }
    expect_ok(env.call("sol_poseidon", 0, 0, l, n, out), 0);
    EXPECT_EQ(env.used, 61 * n * n + 542);
    EXPECT_EQ(hx(env.get(out, 32)), kOnes[n - 1]) << n;
  }
  // [1u8; 32], [2u8; 32] big- and little-endian; [1u8; 32] alone; circomlib's poseidon([1, 2]).
  Bytes ones(32, 1), twos(32, 2);
  std::vector<BytesView> v12{ones, twos};
  EXPECT_EQ(hx(poseidon(v12, true)->view()), "0d54e1938f8a8c1c7deb5e0355f26319207b84fe9ca2ce1b26e735c829821990");
  EXPECT_EQ(hx(poseidon(v12, false)->view()), "90198229c835e7261bcea29cfe847b201963f255035eeb7d1c8c8a8f93e1540d");
  std::vector<BytesView> v1{ones};
  EXPECT_EQ(hx(poseidon(v1, true)->view()), "05bface581ee6177cc19c6c56363a68882f11e8407ac639db991e0d27f1b75e6");
  EXPECT_EQ(hx(poseidon(v1, false)->view()), "e6751b7fd2e091b99d63ac07841ef18288a66363c5c619cc7761ee81e5acbf05");
  Bytes two(32, 0);
  two[31] = 2;
  std::vector<BytesView> v_1_2{one, two};
  EXPECT_EQ(hx(poseidon(v_1_2, true)->view()), "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a");
}

TEST(SvmPoseidon, Errors) {
  Env env;
  Bytes r = hex("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");  // the modulus
  Bytes short_one{1};
  uint64_t out = env.alloc(32);
  auto one_input = [&](const Bytes& b) { return env.put_u64s({env.put(b), b.size()}); };
  expect_ok(env.call("sol_poseidon", 0, 0, one_input(r), 1, out), 1);          // >= r
  expect_ok(env.call("sol_poseidon", 0, 0, one_input(short_one), 1, out), 1);  // not 32 bytes
  expect_ok(env.call("sol_poseidon", 0, 0, 0, 0, out), 1);                     // no inputs
  EXPECT_EQ(env.used, 542u);
  expect_syscall_error(env.call("sol_poseidon", 0, 0, 0, 13, out), "InvalidLength");
  EXPECT_EQ(env.ctx.logs.back(), "Poseidon hashing 13 sequences is not supported");
  expect_syscall_error(env.call("sol_poseidon", 1, 0, 0, 1, out), "InvalidParameters");
  expect_syscall_error(env.call("sol_poseidon", 0, 2, 0, 1, out), "InvalidEndianness");
  EXPECT_EQ(env.used, 0u);
}

TEST(SvmEpochStake, ZeroStakeAndCosts) {
  Env env;
  expect_ok(env.call("sol_get_epoch_stake", 0), 0);  // total stake
  EXPECT_EQ(env.used, 100u);
  expect_ok(env.call("sol_get_epoch_stake", env.put(Bytes(32, 7))), 0);
  EXPECT_EQ(env.used, 110u);  // syscall_base + 32 / cpi_bytes_per_unit + mem_op_base
  auto r = env.call("sol_get_epoch_stake", kHeapStart + env.heap.size() - 16);  // runs off the heap
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, EbpfError::AccessViolation);
}

TEST(SvmCryptoSyscalls, RegisteredForDeployment) {
  Loader deploy = make_loader_v1(true);
  Env env;
  for (const char* n : {"sol_blake3", "sol_curve_validate_point", "sol_curve_group_op", "sol_curve_multiscalar_mul",
                        "sol_alt_bn128_group_op", "sol_alt_bn128_compression", "sol_big_mod_exp",
                        "sol_get_epoch_stake", "sol_poseidon"}) {
    auto* e = deploy.syscalls.lookup(hash_symbol_name(n));
    ASSERT_TRUE(e) << n;
    auto r = e->value(env.ctx, 0, 0, 0, 0, 0);  // must not be the NotImplemented placeholder
    EXPECT_TRUE(r.ok() || r.error().syscall.kind != "NotImplemented") << n;
  }
}

}  // namespace
}  // namespace lumio::svm
