// Interpreter, memory mapping and syscall context. Semantics follow anza-xyz/sbpf for SBPFv0:
// ALU32 results of add/sub/mul are sign-extended to 64 bits, the others zero-extended; shifts
// wrap their amount; division by a zero register faults (immediates were verified non-zero).
#include "svm/vm.hpp"

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

void VmMemory::Free::operator()(uint8_t* p) const { std::free(p); }

static uint8_t* alloc_zeroed(uint64_t n) {
  uint64_t rounded = (n + 15) / 16 * 16;
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(16, rounded ? rounded : 16));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, rounded);
  return p;
}

VmMemory::VmMemory(const Config& config, uint64_t heap_size)
    : stack_(alloc_zeroed(config.stack_size())), heap_(alloc_zeroed(heap_size)),
      stack_len_(config.stack_size()), heap_len_(heap_size) {}

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
  mapping_.add({mem.stack().data(), mem.stack().size(), kStackStart, true, gap});
  mapping_.add({mem.heap().data(), mem.heap().size(), kHeapStart, true});
  mapping_.add({input.data(), input.size(), kInputStart, true});
  ctx.heap_len = mem.heap().size();
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
uint64_t bswap(uint64_t v, int bits) {
  switch (bits) {
    case 16: return __builtin_bswap16(uint16_t(v));
    case 32: return __builtin_bswap32(uint32_t(v));
    default: return __builtin_bswap64(v);
  }
}
}  // namespace

ExecResult Vm::run() {
  const Config& cfg = loader_.config;
  const bool meter = cfg.enable_instruction_meter;
  const auto text = exe_.text();
  const uint8_t* prog = text.data();
  const uint64_t count = text.size() / kInsnSize;
  const uint64_t frame_step = uint64_t{cfg.stack_frame_size} *
                              (stack_frame_gaps(exe_.version()) && cfg.enable_stack_frame_gaps ? 2 : 1);
  ctx_.memory = &mapping_;

  // Metering contract (sbpf): `due` counts instructions since the meter was last charged;
  // `previous` is the meter's value then. Syscalls charge `due` first, then their own cost.
  const uint64_t initial = ctx_.remaining;
  uint64_t previous = initial, due = 0;
  uint64_t pc = exe_.entry_pc(), depth = 0;
  uint64_t* r = reg;
  ExecResult out;

  auto finish = [&](Expected<uint64_t, EbpfError> res) {
    if (meter) {
      ctx_.consume(due);
      out.instruction_count = initial > ctx_.remaining ? initial - ctx_.remaining : 0;
    }
    out.result = std::move(res);
    out.pc = pc;
    ctx_.memory = nullptr;
    return out;
  };
  auto fault = [&](EbpfError::Kind k) { return finish(EbpfError{k}); };

  EbpfError mem_err{EbpfError::AccessViolation};
#define LOAD(T, addr)                                                         \
  ({                                                                          \
    const uint8_t* p_ = mapping_.map(AccessType::Load, addr, sizeof(T), &mem_err); \
    if (!p_) return finish(mem_err);                                          \
    uint64_t(load_le<T>(p_));                                                 \
  })
#define STORE(T, addr, v)                                                     \
  do {                                                                        \
    uint8_t* p_ = mapping_.map(AccessType::Store, addr, sizeof(T), &mem_err); \
    if (!p_) return finish(mem_err);                                          \
    store_le<T>(p_, T(v));                                                    \
  } while (0)

  auto push_frame = [&]() -> bool {
    Frame& f = frames_[depth];
    std::memcpy(f.saved, r + kFirstScratchReg, sizeof f.saved);
    f.frame_pointer = r[kFramePtrReg];
    f.return_pc = pc + 1;
    ++depth;
    if (depth == cfg.max_call_depth) return false;
    r[kFramePtrReg] += frame_step;
    return true;
  };

  for (;;) {
    if (meter && due >= previous) return fault(EbpfError::ExceededMaxInstructions);
    ++due;
    if (pc >= count) return fault(EbpfError::ExecutionOverrun);
    const Insn in = decode_insn(prog + pc * kInsnSize);
    uint64_t& dst = r[in.dst];
    const uint64_t src = r[in.src];
    const uint64_t imm = uint64_t(int64_t(in.imm));  // sign-extended
    uint64_t next = pc + 1;
    const uint64_t jump = pc + 1 + int64_t(in.off);

    switch (in.opc) {
      case op::LD_DW_IMM:
        dst = uint64_t(uint32_t(in.imm)) | uint64_t(load_le<uint32_t>(prog + (pc + 1) * kInsnSize + 4)) << 32;
        next = pc + 2;
        break;

      case op::LD_B_REG: dst = LOAD(uint8_t, src + int64_t(in.off)); break;
      case op::LD_H_REG: dst = LOAD(uint16_t, src + int64_t(in.off)); break;
      case op::LD_W_REG: dst = LOAD(uint32_t, src + int64_t(in.off)); break;
      case op::LD_DW_REG: dst = LOAD(uint64_t, src + int64_t(in.off)); break;
      case op::ST_B_IMM: STORE(uint8_t, dst + int64_t(in.off), imm); break;
      case op::ST_H_IMM: STORE(uint16_t, dst + int64_t(in.off), imm); break;
      case op::ST_W_IMM: STORE(uint32_t, dst + int64_t(in.off), imm); break;
      case op::ST_DW_IMM: STORE(uint64_t, dst + int64_t(in.off), imm); break;
      case op::ST_B_REG: STORE(uint8_t, dst + int64_t(in.off), src); break;
      case op::ST_H_REG: STORE(uint16_t, dst + int64_t(in.off), src); break;
      case op::ST_W_REG: STORE(uint32_t, dst + int64_t(in.off), src); break;
      case op::ST_DW_REG: STORE(uint64_t, dst + int64_t(in.off), src); break;

      // ALU32: add/sub/mul sign-extend their 32-bit result (v0); the rest zero-extend.
      case op::ADD32_IMM: dst = uint64_t(int64_t(int32_t(uint32_t(dst) + uint32_t(imm)))); break;
      case op::ADD32_REG: dst = uint64_t(int64_t(int32_t(uint32_t(dst) + uint32_t(src)))); break;
      case op::SUB32_IMM: dst = uint64_t(int64_t(int32_t(uint32_t(dst) - uint32_t(imm)))); break;
      case op::SUB32_REG: dst = uint64_t(int64_t(int32_t(uint32_t(dst) - uint32_t(src)))); break;
      case op::MUL32_IMM: dst = uint64_t(int64_t(int32_t(uint32_t(dst) * uint32_t(imm)))); break;
      case op::MUL32_REG: dst = uint64_t(int64_t(int32_t(uint32_t(dst) * uint32_t(src)))); break;
      case op::DIV32_IMM:  // the verifier rejects imm == 0; the guard only keeps the host safe
        if (uint32_t(imm) == 0) return fault(EbpfError::DivideByZero);
        dst = uint32_t(dst) / uint32_t(imm);
        break;
      case op::DIV32_REG:
        if (uint32_t(src) == 0) return fault(EbpfError::DivideByZero);
        dst = uint32_t(dst) / uint32_t(src);
        break;
      case op::MOD32_IMM:
        if (uint32_t(imm) == 0) return fault(EbpfError::DivideByZero);
        dst = uint32_t(dst) % uint32_t(imm);
        break;
      case op::MOD32_REG:
        if (uint32_t(src) == 0) return fault(EbpfError::DivideByZero);
        dst = uint32_t(dst) % uint32_t(src);
        break;
      case op::OR32_IMM: dst = uint32_t(dst) | uint32_t(imm); break;
      case op::OR32_REG: dst = uint32_t(dst) | uint32_t(src); break;
      case op::AND32_IMM: dst = uint32_t(dst) & uint32_t(imm); break;
      case op::AND32_REG: dst = uint32_t(dst) & uint32_t(src); break;
      case op::XOR32_IMM: dst = uint32_t(dst) ^ uint32_t(imm); break;
      case op::XOR32_REG: dst = uint32_t(dst) ^ uint32_t(src); break;
      case op::LSH32_IMM: dst = uint32_t(uint32_t(dst) << (imm & 31)); break;
      case op::LSH32_REG: dst = uint32_t(uint32_t(dst) << (src & 31)); break;
      case op::RSH32_IMM: dst = uint32_t(dst) >> (imm & 31); break;
      case op::RSH32_REG: dst = uint32_t(dst) >> (src & 31); break;
      case op::ARSH32_IMM: dst = uint32_t(int32_t(uint32_t(dst)) >> (imm & 31)); break;
      case op::ARSH32_REG: dst = uint32_t(int32_t(uint32_t(dst)) >> (src & 31)); break;
      case op::NEG32: dst = uint32_t(0u - uint32_t(dst)); break;
      case op::MOV32_IMM: dst = uint32_t(imm); break;
      case op::MOV32_REG: dst = uint32_t(src); break;
      case op::LE:
        if (in.imm == 16) dst = uint16_t(dst);
        else if (in.imm == 32) dst = uint32_t(dst);
        else if (in.imm != 64) return fault(EbpfError::InvalidInstruction);
        break;
      case op::BE:
        if (in.imm != 16 && in.imm != 32 && in.imm != 64) return fault(EbpfError::InvalidInstruction);
        dst = bswap(dst, in.imm);
        break;

      case op::ADD64_IMM: dst += imm; break;
      case op::ADD64_REG: dst += src; break;
      case op::SUB64_IMM: dst -= imm; break;
      case op::SUB64_REG: dst -= src; break;
      case op::MUL64_IMM: dst *= imm; break;
      case op::MUL64_REG: dst *= src; break;
      case op::DIV64_IMM:
        if (imm == 0) return fault(EbpfError::DivideByZero);
        dst /= imm;
        break;
      case op::DIV64_REG:
        if (src == 0) return fault(EbpfError::DivideByZero);
        dst /= src;
        break;
      case op::MOD64_IMM:
        if (imm == 0) return fault(EbpfError::DivideByZero);
        dst %= imm;
        break;
      case op::MOD64_REG:
        if (src == 0) return fault(EbpfError::DivideByZero);
        dst %= src;
        break;
      case op::OR64_IMM: dst |= imm; break;
      case op::OR64_REG: dst |= src; break;
      case op::AND64_IMM: dst &= imm; break;
      case op::AND64_REG: dst &= src; break;
      case op::XOR64_IMM: dst ^= imm; break;
      case op::XOR64_REG: dst ^= src; break;
      case op::LSH64_IMM: dst <<= (imm & 63); break;
      case op::LSH64_REG: dst <<= (src & 63); break;
      case op::RSH64_IMM: dst >>= (imm & 63); break;
      case op::RSH64_REG: dst >>= (src & 63); break;
      case op::ARSH64_IMM: dst = uint64_t(int64_t(dst) >> (imm & 63)); break;
      case op::ARSH64_REG: dst = uint64_t(int64_t(dst) >> (src & 63)); break;
      case op::NEG64: dst = 0 - dst; break;
      case op::MOV64_IMM: dst = imm; break;
      case op::MOV64_REG: dst = src; break;

      case op::JA: next = jump; break;
      case op::JEQ_IMM: if (dst == imm) next = jump; break;
      case op::JEQ_REG: if (dst == src) next = jump; break;
      case op::JGT_IMM: if (dst > imm) next = jump; break;
      case op::JGT_REG: if (dst > src) next = jump; break;
      case op::JGE_IMM: if (dst >= imm) next = jump; break;
      case op::JGE_REG: if (dst >= src) next = jump; break;
      case op::JLT_IMM: if (dst < imm) next = jump; break;
      case op::JLT_REG: if (dst < src) next = jump; break;
      case op::JLE_IMM: if (dst <= imm) next = jump; break;
      case op::JLE_REG: if (dst <= src) next = jump; break;
      case op::JSET_IMM: if (dst & imm) next = jump; break;
      case op::JSET_REG: if (dst & src) next = jump; break;
      case op::JNE_IMM: if (dst != imm) next = jump; break;
      case op::JNE_REG: if (dst != src) next = jump; break;
      case op::JSGT_IMM: if (int64_t(dst) > int64_t(imm)) next = jump; break;
      case op::JSGT_REG: if (int64_t(dst) > int64_t(src)) next = jump; break;
      case op::JSGE_IMM: if (int64_t(dst) >= int64_t(imm)) next = jump; break;
      case op::JSGE_REG: if (int64_t(dst) >= int64_t(src)) next = jump; break;
      case op::JSLT_IMM: if (int64_t(dst) < int64_t(imm)) next = jump; break;
      case op::JSLT_REG: if (int64_t(dst) < int64_t(src)) next = jump; break;
      case op::JSLE_IMM: if (int64_t(dst) <= int64_t(imm)) next = jump; break;
      case op::JSLE_REG: if (int64_t(dst) <= int64_t(src)) next = jump; break;

      case op::CALL_REG: {
        if (in.imm < 0 || in.imm > 10) return fault(EbpfError::UnsupportedInstruction);
        uint64_t target = r[in.imm];
        if (!push_frame()) return fault(EbpfError::CallDepthExceeded);
        uint64_t target_pc = (target - exe_.text_vaddr()) / kInsnSize;
        if (target_pc >= count) return fault(EbpfError::CallOutsideTextSegment);
        next = target_pc;
        break;
      }
      case op::CALL_IMM: {
        bool resolved = false;
        if (auto* sc = loader_.syscalls.lookup(uint32_t(in.imm))) {
          if (meter) ctx_.consume(due);
          due = 0;
          auto res = sc->value(ctx_, r[1], r[2], r[3], r[4], r[5]);
          if (meter) previous = ctx_.remaining;
          if (!res) {
            // Agave boxes whatever a syscall returns as EbpfError::SyscallError.
            if (res.error().kind == EbpfError::SyscallError) return finish(res.error());
            return finish(EbpfError::from_syscall(res.error().kind_name(), res.error().message()));
          }
          r[0] = res.value();
          resolved = true;
        }
        if (auto* fn = exe_.functions().lookup(uint32_t(in.imm))) {
          if (!push_frame()) return fault(EbpfError::CallDepthExceeded);
          if (fn->value >= count) return fault(EbpfError::CallOutsideTextSegment);
          next = fn->value;
          resolved = true;
        }
        if (!resolved) return fault(EbpfError::UnsupportedInstruction);
        break;
      }
      case op::EXIT:
        if (depth == 0) {
          if (meter && due > previous) return fault(EbpfError::ExceededMaxInstructions);
          return finish(r[0]);
        }
        --depth;
        r[kFramePtrReg] = frames_[depth].frame_pointer;
        std::memcpy(r + kFirstScratchReg, frames_[depth].saved, sizeof frames_[depth].saved);
        next = frames_[depth].return_pc;
        break;

      default:
        return fault(EbpfError::UnsupportedInstruction);
    }
    pc = next;
  }
#undef LOAD
#undef STORE
}

}  // namespace lumio::svm
