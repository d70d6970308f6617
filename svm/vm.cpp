// Interpreter, memory mapping and syscall context. Semantics follow anza-xyz/sbpf for SBPFv0:
// ALU32 results of add/sub/mul are sign-extended to 64 bits, the others zero-extended; shifts
// wrap their amount; division by a zero register faults (immediates were verified non-zero).
#include "svm/vm.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace lumio::svm {

// ---- memory -----------------------------------------------------------------------------------

bool MemoryMapping::add(const MemoryRegion& r) {
  uint64_t slot = r.vm_addr >> kVirtualAddressBits;
  uint64_t last = r.len ? (r.vm_end() - 1) >> kVirtualAddressBits : slot;
  if (slot >= kSlots || last != slot || regions_[slot].host) return false;
  regions_[slot] = r;
  return true;
}

EbpfError MemoryMapping::violation(AccessType t, uint64_t addr, uint64_t len) const {
  // Accesses within one frame of the stack area report the frame (sbpf generate_access_violation).
  int64_t signed_addr = int64_t(addr);
  int64_t rel;
  if (__builtin_sub_overflow(signed_addr, int64_t(kStackStart), &rel)) rel = INT64_MIN;
  int64_t frame = rel / frame_size_;
  if (!manual_stack_frame_bump(version_) && frame >= -1 && frame <= max_call_depth_) {
    EbpfError e{EbpfError::StackAccessViolation};
    e.access = t;
    e.addr = addr;
    e.len = len;
    e.frame = frame;
    return e;
  }
  uint64_t slot = addr >> kVirtualAddressBits;
  const char* name = "unallocated";
  if (slot < kSlots && regions_[slot].host && addr >= regions_[slot].vm_addr && addr < regions_[slot].vm_end()) {
    switch (addr & ~(kRegionSize - 1)) {
      case kProgramStart: name = "program"; break;
      case kStackStart: name = "stack"; break;
      case kHeapStart: name = "heap"; break;
      case kInputStart: name = "input"; break;
      default: name = "allocated";
    }
  }
  return EbpfError::access_violation(t, addr, len, name);
}

void LazyZeroed::Free::operator()(uint8_t* p) const { std::free(p); }

LazyZeroed::LazyZeroed(uint64_t len) : len_(len) {
  const uint64_t rounded = (len + 15) / 16 * 16;
  buf_.reset(static_cast<uint8_t*>(std::aligned_alloc(16, rounded ? rounded : 16)));
  if (!buf_) throw std::bad_alloc();
  while ((uint64_t{64} << shift_) < len_) ++shift_;
  // Chunks past the end count as zeroed (never touched, never memset).
  const uint64_t chunks = (len_ + (uint64_t{1} << shift_) - 1) >> shift_;
  zeroed_ = chunks >= 64 ? 0 : ~uint64_t{0} << chunks;
}

void LazyZeroed::zero(uint64_t want) {
  const uint64_t chunk = uint64_t{1} << shift_;
  for (uint64_t missing = want & ~zeroed_; missing; missing &= missing - 1) {
    const uint64_t begin = uint64_t(__builtin_ctzll(missing)) << shift_;
    std::memset(buf_.get() + begin, 0, std::min(chunk, len_ - begin));
  }
  zeroed_ |= want;
}

std::span<uint8_t> LazyZeroed::data() {
  zero(~uint64_t{0});
  return {buf_.get(), len_};
}

// ---- syscall context --------------------------------------------------------------------------

std::optional<EbpfError> SyscallContext::consume_checked(uint64_t n) {
  bool exceeded = remaining < n;
  consume(n);
  if (exceeded) return EbpfError::from_syscall("ComputationalBudgetExceeded", "Computational budget exceeded");
  return std::nullopt;
}

void SyscallContext::log(std::string msg) {
  uint64_t written = log_bytes_ + msg.size();
  if (written >= log_bytes_limit) {
    if (!log_truncated_) {
      log_truncated_ = true;
      logs.emplace_back("Log truncated");
    }
    return;
  }
  log_bytes_ = written;
  logs.push_back(std::move(msg));
}

Expected<uint8_t*, EbpfError> SyscallContext::translate(AccessType t, uint64_t addr, uint64_t len,
                                                        uint64_t align) {
  static uint8_t empty[16];
  if (len == 0) return empty;
  if (len > uint64_t(INT64_MAX)) return EbpfError::from_syscall("InvalidLength", "InvalidLength");
  EbpfError err{EbpfError::AccessViolation};
  uint8_t* p = memory->map(t, addr, len, &err);
  if (!p) return err;
  if (check_aligned && (reinterpret_cast<uintptr_t>(p) & (align - 1)) != 0)
    return EbpfError::from_syscall("UnalignedPointer", "Unaligned pointer");
  return p;
}

// ---- VM ---------------------------------------------------------------------------------------

Vm::Vm(const Executable& exe, const Loader& loader, SyscallContext& ctx, VmMemory& mem,
       std::span<uint8_t> input)
    : exe_(exe), loader_(loader), ctx_(ctx), mapping_(loader.config, exe.version()),
      frames_(loader.config.max_call_depth) {
  const Config& cfg = loader.config;
  auto ro = exe.ro_section();
  mapping_.add({const_cast<uint8_t*>(ro.data()), ro.size(), exe.ro_vaddr(), false});
  uint8_t gap = 63;
  if (stack_frame_gaps(exe.version()) && cfg.enable_stack_frame_gaps)
    gap = uint8_t(63 - __builtin_clzll(cfg.stack_frame_size));
  mapping_.add({mem.stack_.buf_.get(), mem.stack_.len_, kStackStart, true, gap, &mem.stack_});
  mapping_.add({mem.heap_.buf_.get(), mem.heap_.len_, kHeapStart, true, 63, &mem.heap_});
  mapping_.add({input.data(), input.size(), kInputStart, true});
  ctx.heap_len = mem.heap_.len_;
  ctx.alloc_pos = 0;
  reg[1] = kInputStart;
  reg[kFramePtrReg] = kStackStart + (manual_stack_frame_bump(exe.version()) ? cfg.stack_size()
                                                                            : cfg.stack_frame_size);
}

namespace {
template <class T>
T load_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
void store_le(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
// CALL_IMM targets by key: the loader's syscall and/or the program's internal function. A small
// direct-mapped cache in front of the two registries (keys are murmur3 hashes, so the low bits
// spread well); the registries do not change while a program runs.
struct CallCache {
  struct Entry {
    uint32_t key;
    SyscallFn syscall;
    const uint64_t* function;  // target instruction index
  };
  static constexpr unsigned kSize = 64;
  Entry entries[kSize];  // valid where `filled` says so (left uninitialised otherwise)
  uint64_t filled = 0;  // bit i: entries[i] holds a lookup

  const Entry& get(uint32_t key, const Loader& loader, const Executable& exe) {
    const unsigned i = key % kSize;
    Entry& e = entries[i];
    if ((filled >> i & 1) && e.key == key) return e;
    e.key = key;
    auto* sc = loader.syscalls.lookup(key);
    e.syscall = sc ? sc->value : nullptr;
    auto* fn = exe.functions().lookup(key);
    e.function = fn ? &fn->value : nullptr;
    filled |= uint64_t{1} << i;
    return e;
  }
};
uint64_t bswap(uint64_t v, int bits) {
  switch (bits) {
    case 16: return __builtin_bswap16(uint16_t(v));
    case 32: return __builtin_bswap32(uint32_t(v));
    default: return __builtin_bswap64(v);
  }
}
}  // namespace

// Threaded interpreter: every handler ends in its own indirect jump through a 256-entry opcode
// table (better branch prediction than one shared switch), registers live in a local array whose
// address never escapes (guest stores cannot alias it), and the meter check is a single compare.
// Observable behaviour (results, faults, fault pc, compute units) is the plain per-instruction
// loop's: meter check, then count, then the pc bound, then the instruction.
ExecResult Vm::run() {
  const Config& cfg = loader_.config;
  const bool meter = cfg.enable_instruction_meter;
  const auto text = exe_.text();
  const uint8_t* const prog = text.data();
  const uint64_t count = text.size() / kInsnSize;
  const uint64_t frame_step = uint64_t{cfg.stack_frame_size} *
                              (stack_frame_gaps(exe_.version()) && cfg.enable_stack_frame_gaps ? 2 : 1);
  const uint64_t max_depth = cfg.max_call_depth;
  Frame* const frames = frames_.data();
  ctx_.memory = &mapping_;

  // Metering contract (sbpf): `due` counts instructions since the meter was last charged;
  // `previous` is the meter's value then. Syscalls charge `due` first, then their own cost.
  // Without a meter `previous` is unreachable, so the check never fires.
  const uint64_t initial = ctx_.remaining;
  uint64_t previous = meter ? initial : UINT64_MAX, due = 0;
  uint64_t pc = exe_.entry_pc(), depth = 0;
  uint64_t r[16];
  for (int i = 0; i < 16; ++i) r[i] = reg[i];
  const uint8_t* ip = nullptr;  // prog + pc * kInsnSize of the executing instruction
  EbpfError err{EbpfError::AccessViolation};
  CallCache calls;

  void* table[256];
  for (auto& t : table) t = &&unsupported;
#define OP(name) table[op::name] = &&name;
  OP(LD_DW_IMM) OP(LD_B_REG) OP(LD_H_REG) OP(LD_W_REG) OP(LD_DW_REG)
  OP(ST_B_IMM) OP(ST_H_IMM) OP(ST_W_IMM) OP(ST_DW_IMM) OP(ST_B_REG) OP(ST_H_REG) OP(ST_W_REG) OP(ST_DW_REG)
  OP(ADD32_IMM) OP(ADD32_REG) OP(SUB32_IMM) OP(SUB32_REG) OP(MUL32_IMM) OP(MUL32_REG)
  OP(DIV32_IMM) OP(DIV32_REG) OP(MOD32_IMM) OP(MOD32_REG) OP(OR32_IMM) OP(OR32_REG)
  OP(AND32_IMM) OP(AND32_REG) OP(XOR32_IMM) OP(XOR32_REG) OP(LSH32_IMM) OP(LSH32_REG)
  OP(RSH32_IMM) OP(RSH32_REG) OP(ARSH32_IMM) OP(ARSH32_REG) OP(NEG32) OP(MOV32_IMM) OP(MOV32_REG)
  OP(LE) OP(BE)
  OP(ADD64_IMM) OP(ADD64_REG) OP(SUB64_IMM) OP(SUB64_REG) OP(MUL64_IMM) OP(MUL64_REG)
  OP(DIV64_IMM) OP(DIV64_REG) OP(MOD64_IMM) OP(MOD64_REG) OP(OR64_IMM) OP(OR64_REG)
  OP(AND64_IMM) OP(AND64_REG) OP(XOR64_IMM) OP(XOR64_REG) OP(LSH64_IMM) OP(LSH64_REG)
  OP(RSH64_IMM) OP(RSH64_REG) OP(ARSH64_IMM) OP(ARSH64_REG) OP(NEG64) OP(MOV64_IMM) OP(MOV64_REG)
  OP(JA) OP(JEQ_IMM) OP(JEQ_REG) OP(JGT_IMM) OP(JGT_REG) OP(JGE_IMM) OP(JGE_REG)
  OP(JLT_IMM) OP(JLT_REG) OP(JLE_IMM) OP(JLE_REG) OP(JSET_IMM) OP(JSET_REG) OP(JNE_IMM) OP(JNE_REG)
  OP(JSGT_IMM) OP(JSGT_REG) OP(JSGE_IMM) OP(JSGE_REG) OP(JSLT_IMM) OP(JSLT_REG) OP(JSLE_IMM) OP(JSLE_REG)
  OP(CALL_REG) OP(CALL_IMM) OP(EXIT)
#undef OP

  // Instruction fields of `ip`; imm is sign-extended.
#define DST r[ip[1] & 0x0f]
#define SRC r[ip[1] >> 4]
#define OFF int64_t(load_le<int16_t>(ip + 2))
#define IMM32 load_le<int32_t>(ip + 4)
#define IMM uint64_t(int64_t(IMM32))
#define FAULT(kind)             \
  do {                          \
    err = EbpfError{EbpfError::kind}; \
    goto fail;                  \
  } while (0)
  // Starts the instruction at `pc`.
#define DISPATCH()                                                  \
  do {                                                              \
    if (__builtin_expect(due >= previous, 0)) FAULT(ExceededMaxInstructions); \
    ++due;                                                          \
    if (__builtin_expect(pc >= count, 0)) FAULT(ExecutionOverrun);  \
    ip = prog + pc * kInsnSize;                                     \
    goto* table[ip[0]];                                             \
  } while (0)
#define NEXT() \
  do {         \
    ++pc;      \
    DISPATCH(); \
  } while (0)
#define JUMP_IF(cond)                                  \
  do {                                                 \
    pc = (cond) ? pc + 1 + uint64_t(OFF) : pc + 1;     \
    DISPATCH();                                        \
  } while (0)
#define LOAD(T, addr)                                                                  \
  ({                                                                                   \
    const uint64_t a_ = (addr);                                                        \
    const uint8_t* p_ = mapping_.map(AccessType::Load, a_, sizeof(T), nullptr);        \
    if (__builtin_expect(!p_, 0)) {                                                    \
      err = mapping_.violation(AccessType::Load, a_, sizeof(T));                       \
      goto fail;                                                                       \
    }                                                                                  \
    uint64_t(load_le<T>(p_));                                                          \
  })
#define STORE(T, addr, v)                                                              \
  do {                                                                                 \
    const uint64_t a_ = (addr);                                                        \
    uint8_t* p_ = mapping_.map(AccessType::Store, a_, sizeof(T), nullptr);             \
    if (__builtin_expect(!p_, 0)) {                                                    \
      err = mapping_.violation(AccessType::Store, a_, sizeof(T));                      \
      goto fail;                                                                       \
    }                                                                                  \
    store_le<T>(p_, T(v));                                                             \
  } while (0)
  // Saves the caller's frame; the return address is the instruction after the call.
#define PUSH_FRAME()                                                   \
  do {                                                                 \
    Frame& f_ = frames[depth];                                         \
    for (int i = 0; i < kScratchRegs; ++i) f_.saved[i] = r[kFirstScratchReg + i]; \
    f_.frame_pointer = r[kFramePtrReg];                                \
    f_.return_pc = pc + 1;                                             \
    if (++depth == max_depth) FAULT(CallDepthExceeded);                \
    r[kFramePtrReg] += frame_step;                                     \
  } while (0)

  DISPATCH();

LD_DW_IMM:
  DST = uint64_t(uint32_t(IMM32)) | uint64_t(load_le<uint32_t>(ip + kInsnSize + 4)) << 32;
  pc += 2;
  DISPATCH();

LD_B_REG: DST = LOAD(uint8_t, SRC + OFF); NEXT();
LD_H_REG: DST = LOAD(uint16_t, SRC + OFF); NEXT();
LD_W_REG: DST = LOAD(uint32_t, SRC + OFF); NEXT();
LD_DW_REG: DST = LOAD(uint64_t, SRC + OFF); NEXT();
ST_B_IMM: STORE(uint8_t, DST + OFF, IMM); NEXT();
ST_H_IMM: STORE(uint16_t, DST + OFF, IMM); NEXT();
ST_W_IMM: STORE(uint32_t, DST + OFF, IMM); NEXT();
ST_DW_IMM: STORE(uint64_t, DST + OFF, IMM); NEXT();
ST_B_REG: STORE(uint8_t, DST + OFF, SRC); NEXT();
ST_H_REG: STORE(uint16_t, DST + OFF, SRC); NEXT();
ST_W_REG: STORE(uint32_t, DST + OFF, SRC); NEXT();
ST_DW_REG: STORE(uint64_t, DST + OFF, SRC); NEXT();

  // ALU32: add/sub/mul sign-extend their 32-bit result (v0); the rest zero-extend.
ADD32_IMM: DST = uint64_t(int64_t(int32_t(uint32_t(DST) + uint32_t(IMM)))); NEXT();
ADD32_REG: DST = uint64_t(int64_t(int32_t(uint32_t(DST) + uint32_t(SRC)))); NEXT();
SUB32_IMM: DST = uint64_t(int64_t(int32_t(uint32_t(DST) - uint32_t(IMM)))); NEXT();
SUB32_REG: DST = uint64_t(int64_t(int32_t(uint32_t(DST) - uint32_t(SRC)))); NEXT();
MUL32_IMM: DST = uint64_t(int64_t(int32_t(uint32_t(DST) * uint32_t(IMM)))); NEXT();
MUL32_REG: DST = uint64_t(int64_t(int32_t(uint32_t(DST) * uint32_t(SRC)))); NEXT();
DIV32_IMM:  // the verifier rejects imm == 0; the guard only keeps the host safe
  if (uint32_t(IMM) == 0) FAULT(DivideByZero);
  DST = uint32_t(DST) / uint32_t(IMM);
  NEXT();
DIV32_REG:
  if (uint32_t(SRC) == 0) FAULT(DivideByZero);
  DST = uint32_t(DST) / uint32_t(SRC);
  NEXT();
MOD32_IMM:
  if (uint32_t(IMM) == 0) FAULT(DivideByZero);
  DST = uint32_t(DST) % uint32_t(IMM);
  NEXT();
MOD32_REG:
  if (uint32_t(SRC) == 0) FAULT(DivideByZero);
  DST = uint32_t(DST) % uint32_t(SRC);
  NEXT();
OR32_IMM: DST = uint32_t(DST) | uint32_t(IMM); NEXT();
OR32_REG: DST = uint32_t(DST) | uint32_t(SRC); NEXT();
AND32_IMM: DST = uint32_t(DST) & uint32_t(IMM); NEXT();
AND32_REG: DST = uint32_t(DST) & uint32_t(SRC); NEXT();
XOR32_IMM: DST = uint32_t(DST) ^ uint32_t(IMM); NEXT();
XOR32_REG: DST = uint32_t(DST) ^ uint32_t(SRC); NEXT();
LSH32_IMM: DST = uint32_t(uint32_t(DST) << (IMM & 31)); NEXT();
LSH32_REG: DST = uint32_t(uint32_t(DST) << (SRC & 31)); NEXT();
RSH32_IMM: DST = uint32_t(DST) >> (IMM & 31); NEXT();
RSH32_REG: DST = uint32_t(DST) >> (SRC & 31); NEXT();
ARSH32_IMM: DST = uint32_t(int32_t(uint32_t(DST)) >> (IMM & 31)); NEXT();
ARSH32_REG: DST = uint32_t(int32_t(uint32_t(DST)) >> (SRC & 31)); NEXT();
NEG32: DST = uint32_t(0u - uint32_t(DST)); NEXT();
MOV32_IMM: DST = uint32_t(IMM); NEXT();
MOV32_REG: DST = uint32_t(SRC); NEXT();
LE:
  if (IMM32 == 16) DST = uint16_t(DST);
  else if (IMM32 == 32) DST = uint32_t(DST);
  else if (IMM32 != 64) FAULT(InvalidInstruction);
  NEXT();
BE:
  if (IMM32 != 16 && IMM32 != 32 && IMM32 != 64) FAULT(InvalidInstruction);
  DST = bswap(DST, IMM32);
  NEXT();

ADD64_IMM: DST += IMM; NEXT();
ADD64_REG: DST += SRC; NEXT();
SUB64_IMM: DST -= IMM; NEXT();
SUB64_REG: DST -= SRC; NEXT();
MUL64_IMM: DST *= IMM; NEXT();
MUL64_REG: DST *= SRC; NEXT();
DIV64_IMM:
  if (IMM == 0) FAULT(DivideByZero);
  DST /= IMM;
  NEXT();
DIV64_REG:
  if (SRC == 0) FAULT(DivideByZero);
  DST /= SRC;
  NEXT();
MOD64_IMM:
  if (IMM == 0) FAULT(DivideByZero);
  DST %= IMM;
  NEXT();
MOD64_REG:
  if (SRC == 0) FAULT(DivideByZero);
  DST %= SRC;
  NEXT();
OR64_IMM: DST |= IMM; NEXT();
OR64_REG: DST |= SRC; NEXT();
AND64_IMM: DST &= IMM; NEXT();
AND64_REG: DST &= SRC; NEXT();
XOR64_IMM: DST ^= IMM; NEXT();
XOR64_REG: DST ^= SRC; NEXT();
LSH64_IMM: DST <<= (IMM & 63); NEXT();
LSH64_REG: DST <<= (SRC & 63); NEXT();
RSH64_IMM: DST >>= (IMM & 63); NEXT();
RSH64_REG: DST >>= (SRC & 63); NEXT();
ARSH64_IMM: DST = uint64_t(int64_t(DST) >> (IMM & 63)); NEXT();
ARSH64_REG: DST = uint64_t(int64_t(DST) >> (SRC & 63)); NEXT();
NEG64: DST = 0 - DST; NEXT();
MOV64_IMM: DST = IMM; NEXT();
MOV64_REG: DST = SRC; NEXT();

JA: JUMP_IF(true);
JEQ_IMM: JUMP_IF(DST == IMM);
JEQ_REG: JUMP_IF(DST == SRC);
JGT_IMM: JUMP_IF(DST > IMM);
JGT_REG: JUMP_IF(DST > SRC);
JGE_IMM: JUMP_IF(DST >= IMM);
JGE_REG: JUMP_IF(DST >= SRC);
JLT_IMM: JUMP_IF(DST < IMM);
JLT_REG: JUMP_IF(DST < SRC);
JLE_IMM: JUMP_IF(DST <= IMM);
JLE_REG: JUMP_IF(DST <= SRC);
JSET_IMM: JUMP_IF(DST & IMM);
JSET_REG: JUMP_IF(DST & SRC);
JNE_IMM: JUMP_IF(DST != IMM);
JNE_REG: JUMP_IF(DST != SRC);
JSGT_IMM: JUMP_IF(int64_t(DST) > int64_t(IMM));
JSGT_REG: JUMP_IF(int64_t(DST) > int64_t(SRC));
JSGE_IMM: JUMP_IF(int64_t(DST) >= int64_t(IMM));
JSGE_REG: JUMP_IF(int64_t(DST) >= int64_t(SRC));
JSLT_IMM: JUMP_IF(int64_t(DST) < int64_t(IMM));
JSLT_REG: JUMP_IF(int64_t(DST) < int64_t(SRC));
JSLE_IMM: JUMP_IF(int64_t(DST) <= int64_t(IMM));
JSLE_REG: JUMP_IF(int64_t(DST) <= int64_t(SRC));

CALL_REG: {
  if (IMM32 < 0 || IMM32 > 10) FAULT(UnsupportedInstruction);
  const uint64_t target = r[IMM32];
  PUSH_FRAME();
  const uint64_t target_pc = (target - exe_.text_vaddr()) / kInsnSize;
  if (target_pc >= count) FAULT(CallOutsideTextSegment);
  pc = target_pc;
  DISPATCH();
}
CALL_IMM: {
  // v0 resolves the key as a syscall and then as an internal function; both may apply.
  const CallCache::Entry& target = calls.get(uint32_t(IMM32), loader_, exe_);
  if (target.syscall) {
    if (meter) ctx_.consume(due);
    due = 0;
    auto res = target.syscall(ctx_, r[1], r[2], r[3], r[4], r[5]);
    if (meter) previous = ctx_.remaining;
    if (!res) {
      // Agave boxes whatever a syscall returns as EbpfError::SyscallError.
      err = res.error().kind == EbpfError::SyscallError
                ? res.error()
                : EbpfError::from_syscall(res.error().kind_name(), res.error().message());
      goto fail;
    }
    r[0] = res.value();
  }
  if (target.function) {
    PUSH_FRAME();
    if (*target.function >= count) FAULT(CallOutsideTextSegment);
    pc = *target.function;
    DISPATCH();
  }
  if (!target.syscall) FAULT(UnsupportedInstruction);
  NEXT();
}
EXIT:
  if (depth == 0) {
    if (due > previous) FAULT(ExceededMaxInstructions);
    goto done;
  }
  --depth;
  r[kFramePtrReg] = frames[depth].frame_pointer;
  for (int i = 0; i < kScratchRegs; ++i) r[kFirstScratchReg + i] = frames[depth].saved[i];
  pc = frames[depth].return_pc;
  DISPATCH();

unsupported:
  FAULT(UnsupportedInstruction);

#undef DST
#undef SRC
#undef OFF
#undef IMM32
#undef IMM
#undef FAULT
#undef DISPATCH
#undef NEXT
#undef JUMP_IF
#undef LOAD
#undef STORE
#undef PUSH_FRAME

  bool failed;
done:
  failed = false;
  goto out;
fail:
  failed = true;
out:
  for (int i = 0; i < 16; ++i) reg[i] = r[i];
  ExecResult res;
  if (meter) {
    ctx_.consume(due);
    res.instruction_count = initial > ctx_.remaining ? initial - ctx_.remaining : 0;
  }
  if (failed) res.result = std::move(err);
  else res.result = r[0];
  res.pc = pc;
  ctx_.memory = nullptr;
  return res;
}

}  // namespace lumio::svm
