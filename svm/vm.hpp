// sBPF virtual machine: verifier, memory mapping and interpreter with Solana's exact compute
// metering (anza-xyz/sbpf interpreter.rs / vm.rs / memory_region.rs / verifier.rs semantics).
//
// Lifecycle, as in Agave's BPF loader:
//   auto exe = Executable::load(elf, loader);  verify(exe->text(), exe->version());
//   VmMemory mem(loader.config);                // stack + heap
//   SyscallContext ctx{.remaining = 200'000};   // compute meter, logs
//   Vm vm(*exe, loader, ctx, mem, input_bytes); auto r = vm.run();
// The interpreter is threaded (a 256-entry opcode label table); a JIT would reuse Executable, MemoryMapping and
// the metering contract (due_insn_count/previous_meter) unchanged.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "svm/elf.hpp"
#include "svm/errors.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"

namespace lumio::svm {

class LazyZeroed;

// RequisiteVerifier: the static checks every program passes before it may run.
std::optional<VerifierError> verify(std::span<const uint8_t> text, SbpfVersion version);

// One mapped region. Gapped regions (the v0 stack) interleave `1 << gap_shift`-byte frames with
// unmapped gaps of the same size, doubling their virtual size.
struct MemoryRegion {
  uint8_t* host = nullptr;
  uint64_t len = 0;
  uint64_t vm_addr = 0;
  bool writable = false;
  uint8_t gap_shift = 63;  // 63 = not gapped
  LazyZeroed* lazy = nullptr;  // host memory zeroed chunk by chunk on first access

  uint64_t vm_end() const { return vm_addr + (gap_shift == 63 ? len : len * 2); }
  // Host pointer for [vm_addr, vm_addr + n) or nullptr.
  uint8_t* translate(uint64_t addr, uint64_t n) const {
    uint64_t off;
    return host_offset(addr, n, &off) ? host + off : nullptr;
  }
  // Offset into `host` of [addr, addr + n); false if not all of it is mapped.
  bool host_offset(uint64_t addr, uint64_t n, uint64_t* out) const {
    if (addr < vm_addr) return false;
    uint64_t off = addr - vm_addr;
    if (gap_shift != 63) {
      if ((off >> gap_shift) & 1) return false;
      uint64_t mask = ~uint64_t{0} << gap_shift;
      off = ((off & mask) >> 1) | (off & ~mask);
    }
    if (off > len || n > len - off) return false;
    *out = off;
    return true;
  }
};

// Aligned memory mapping: region i serves addresses [i << 32, (i + 1) << 32).
class MemoryMapping {
 public:
  static constexpr size_t kSlots = 5;  // rodata(v3), program, stack, heap, input
  MemoryMapping(const Config& config, SbpfVersion version)
      : max_call_depth_(config.max_call_depth), frame_size_(config.stack_frame_size), version_(version) {}
  // Returns false if the slot is taken or the region straddles slots (InvalidMemoryRegion).
  bool add(const MemoryRegion& r);

  // Host pointer for an access, or nullptr with `*err` set to Solana's access violation.
  uint8_t* map(AccessType t, uint64_t addr, uint64_t len, EbpfError* err) const {
    uint64_t slot = addr >> kVirtualAddressBits;
    if (slot < kSlots) {
      const MemoryRegion& r = regions_[slot];
      if (r.writable || t == AccessType::Load)
        if (uint64_t off; r.host_offset(addr, len, &off)) {
          if (r.lazy) touch(*r.lazy, off, len);  // len >= 1: the region is not empty
          return r.host + off;
        }
    }
    if (err) *err = violation(t, addr, len);
    return nullptr;
  }
  EbpfError violation(AccessType t, uint64_t addr, uint64_t len) const;
  static void touch(LazyZeroed& m, uint64_t off, uint64_t len);
  const MemoryRegion& region(size_t slot) const { return regions_[slot]; }

 private:
  std::array<MemoryRegion, kSlots> regions_{};
  int64_t max_call_depth_, frame_size_;
  SbpfVersion version_;
};

// A 16-byte aligned host buffer that reads as zero but is zeroed lazily, in at most 64 chunks,
// the first time a MemoryMapping hands out a pointer into a chunk (programs touch a few frames of
// the 256 KiB stack and little of the heap). data() zeroes whatever is left first.
class LazyZeroed {
 public:
  explicit LazyZeroed(uint64_t len);
  std::span<uint8_t> data();
  // Ensures bytes [off, off + len) (inside the buffer, len >= 1) are zeroed if never touched.
  void touch(uint64_t off, uint64_t len) {
    const unsigned first = unsigned(off >> shift_), last = unsigned((off + len - 1) >> shift_);
    const uint64_t want = ((uint64_t{2} << last) - 1) & ~((uint64_t{1} << first) - 1);
    if ((zeroed_ & want) != want) zero(want);
  }

 private:
  friend class Vm;
  void zero(uint64_t want);
  struct Free { void operator()(uint8_t* p) const; };
  std::unique_ptr<uint8_t[], Free> buf_;
  uint64_t len_;
  uint64_t zeroed_ = 0;  // bit i: chunk i (1 << shift_ bytes) has been zeroed
  unsigned shift_ = 6;
};

inline void MemoryMapping::touch(LazyZeroed& m, uint64_t off, uint64_t len) { m.touch(off, len); }

// The stack and heap a program runs with; both read as zero (LazyZeroed).
class VmMemory {
 public:
  explicit VmMemory(const Config& config, uint64_t heap_size = 32 * 1024)
      : stack_(config.stack_size()), heap_(heap_size) {}
  std::span<uint8_t> stack() { return stack_.data(); }
  std::span<uint8_t> heap() { return heap_.data(); }

 private:
  friend class Vm;
  LazyZeroed stack_, heap_;
};

// Compute budget numbers (Agave SVMTransactionExecutionCost defaults) the syscalls charge.
struct ExecutionCost {
  uint64_t syscall_base_cost = 100;
  uint64_t log_64_units = 100;
  uint64_t log_pubkey_units = 100;
  uint64_t sha256_base_cost = 85;
  uint64_t sha256_byte_cost = 1;
  uint64_t sha256_max_slices = 20'000;
  uint64_t mem_op_base_cost = 10;
  uint64_t cpi_bytes_per_unit = 250;
  uint64_t create_program_address_units = 1500;
  uint64_t sysvar_base_cost = 100;
  uint64_t secp256k1_recover_cost = 25'000;
  uint64_t max_return_data = 1024;
};

// What a syscall sees: Agave's InvokeContext reduced to what the VM and the syscalls share.
class SyscallContext {
 public:
  uint64_t remaining = 0;               // compute meter
  std::vector<std::string> logs;        // log collector ("Program log: ..." lines)
  uint64_t log_bytes_limit = 10'000;    // Agave LogCollector default
  bool check_aligned = true;            // false only for the deprecated loader (v1)
  ExecutionCost cost;
  const MemoryMapping* memory = nullptr;  // set by the VM while it runs
  void* user = nullptr;                 // embedder data for runtime syscalls (CPI, sysvars)
  // Transaction-context state the embedder seeds and reads back.
  Pubkey program_id{};                  // the executing program (owner of set return data)
  uint64_t stack_height = 1;            // instruction stack height (1 = top level)
  Pubkey return_data_program{};         // last sol_set_return_data: setter and bytes
  std::vector<uint8_t> return_data;
  std::map<Pubkey, std::vector<uint8_t>> sysvars;  // sysvar cache: id -> account data (bincode)
  uint64_t heap_len = 0, alloc_pos = 0;  // sol_alloc_free_ bump allocator (reset by Vm)

  void consume(uint64_t n) { remaining = n > remaining ? 0 : remaining - n; }
  // Agave consume_checked: charges what is left, then fails with ComputationalBudgetExceeded.
  std::optional<EbpfError> consume_checked(uint64_t n);
  void log(std::string msg);
  // Translate [addr, addr+len) for a syscall (len 0 -> an empty, valid view). `align` is the
  // element alignment checked when check_aligned.
  Expected<uint8_t*, EbpfError> translate(AccessType t, uint64_t addr, uint64_t len, uint64_t align = 1);

 private:
  uint64_t log_bytes_ = 0;
  bool log_truncated_ = false;
};

struct ExecResult {
  Expected<uint64_t, EbpfError> result{uint64_t{0}};  // r0 on exit, or the fault
  uint64_t instruction_count = 0;                     // compute units the program consumed
  uint64_t pc = 0;                                    // instruction index at exit or fault
};

class Vm {
 public:
  // Maps the program's read-only region, `mem`'s stack and heap and `input` (writable).
  Vm(const Executable& exe, const Loader& loader, SyscallContext& ctx, VmMemory& mem,
     std::span<uint8_t> input);
  // Runs from the entrypoint until EXIT at depth 0 or a fault; charges ctx.remaining.
  ExecResult run();
  uint64_t reg[16] = {};  // r0..r10 (+ slack so unverified register fields stay in bounds)
  const MemoryMapping& memory() const { return mapping_; }

 private:
  struct Frame {
    uint64_t saved[kScratchRegs];
    uint64_t frame_pointer;
    uint64_t return_pc;
  };
  const Executable& exe_;
  const Loader& loader_;
  SyscallContext& ctx_;
  MemoryMapping mapping_;
  std::vector<Frame> frames_;
};

}  // namespace lumio::svm
