#include "svm/syscalls.hpp"
#include "svm/invoke.hpp"

#include <fmt/format.h>
#include <gmp.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "svm/precompiles.hpp"

namespace lumio::svm {
namespace {

using Result = Expected<uint64_t, EbpfError>;

EbpfError syscall_error(std::string kind, std::string message) {
  return EbpfError::from_syscall(std::move(kind), std::move(message));
}

// Rust's str::from_utf8 error: valid_up_to and error_len (nullopt = truncated sequence at the end).
struct Utf8Error {
  size_t valid_up_to;
  std::optional<size_t> error_len;
};

std::optional<Utf8Error> check_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) { ++i; continue; }
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
    else return Utf8Error{i, 1};
    for (size_t k = 1; k <= need; ++k) {
      if (i + k >= n) return Utf8Error{i, std::nullopt};
      uint8_t b = s[i + k];
      bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xbf);
      if (!ok) return Utf8Error{i, k};
    }
    i += need + 1;
  }
  return std::nullopt;
}

// SyscallError::InvalidString Display: "{Utf8Error}: {bytes:?}".
EbpfError invalid_string(const Utf8Error& e, const uint8_t* s, size_t n) {
  std::string msg = e.error_len
                        ? fmt::format("invalid utf-8 sequence of {} bytes from index {}", *e.error_len, e.valid_up_to)
                        : fmt::format("incomplete utf-8 byte sequence from index {}", e.valid_up_to);
  msg += ": [";
  for (size_t i = 0; i < n; ++i) msg += (i ? ", " : "") + std::to_string(s[i]);
  msg += "]";
  return syscall_error("InvalidString", msg);
}

// translate_string_and_do: a UTF-8 string in VM memory.
Expected<std::string, EbpfError> read_string(SyscallContext& ctx, uint64_t addr, uint64_t len) {
  auto p = ctx.translate(AccessType::Load, addr, len);
  if (!p) return p.error();
  if (auto e = check_utf8(*p, len)) return invalid_string(*e, *p, len);
  return std::string(reinterpret_cast<const char*>(*p), len);
}

Result sol_log(SyscallContext& ctx, uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(std::max(ctx.cost.syscall_base_cost, len))) return *e;
  auto s = read_string(ctx, addr, len);
  if (!s) return s.error();
  ctx.log("Program log: " + *s);
  return uint64_t{0};
}

Result sol_log_64(SyscallContext& ctx, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  if (auto err = ctx.consume_checked(ctx.cost.log_64_units)) return *err;
  ctx.log(fmt::format("Program log: {:#x}, {:#x}, {:#x}, {:#x}, {:#x}", a, b, c, d, e));
  return uint64_t{0};
}

Result sol_log_compute_units(SyscallContext& ctx, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  ctx.log(fmt::format("Program consumption: {} units remaining", ctx.remaining));
  return uint64_t{0};
}

Result sol_log_pubkey(SyscallContext& ctx, uint64_t addr, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.log_pubkey_units)) return *e;
  auto p = ctx.translate(AccessType::Load, addr, 32);
  if (!p) return p.error();
  ctx.log("Program log: " + base58(*p, 32));
  return uint64_t{0};
}

// Memory ops cost max(mem_op_base_cost, n / cpi_bytes_per_unit).
std::optional<EbpfError> mem_op_consume(SyscallContext& ctx, uint64_t n) {
  return ctx.consume_checked(std::max(ctx.cost.mem_op_base_cost, n / ctx.cost.cpi_bytes_per_unit));
}

bool nonoverlapping(uint64_t src, uint64_t src_len, uint64_t dst, uint64_t dst_len) {
  return src > dst ? src - dst >= dst_len : dst - src >= src_len;
}

Result memmove_impl(SyscallContext& ctx, uint64_t dst, uint64_t src, uint64_t n) {
  auto d = ctx.translate(AccessType::Store, dst, n);
  if (!d) return d.error();
  auto s = ctx.translate(AccessType::Load, src, n);
  if (!s) return s.error();
  if (n) std::memmove(*d, *s, n);
  return uint64_t{0};
}

Result sol_memcpy(SyscallContext& ctx, uint64_t dst, uint64_t src, uint64_t n, uint64_t, uint64_t) {
  if (auto e = mem_op_consume(ctx, n)) return *e;
  if (!nonoverlapping(src, n, dst, n)) return syscall_error("CopyOverlapping", "Overlapping copy");
  return memmove_impl(ctx, dst, src, n);
}

Result sol_memmove(SyscallContext& ctx, uint64_t dst, uint64_t src, uint64_t n, uint64_t, uint64_t) {
  if (auto e = mem_op_consume(ctx, n)) return *e;
  return memmove_impl(ctx, dst, src, n);
}

Result sol_memset(SyscallContext& ctx, uint64_t dst, uint64_t c, uint64_t n, uint64_t, uint64_t) {
  if (auto e = mem_op_consume(ctx, n)) return *e;
  auto d = ctx.translate(AccessType::Store, dst, n);
  if (!d) return d.error();
  if (n) std::memset(*d, int(uint8_t(c)), n);
  return uint64_t{0};
}

Result sol_memcmp(SyscallContext& ctx, uint64_t a, uint64_t b, uint64_t n, uint64_t out, uint64_t) {
  if (auto e = mem_op_consume(ctx, n)) return *e;
  auto s1 = ctx.translate(AccessType::Load, a, n);
  if (!s1) return s1.error();
  auto s2 = ctx.translate(AccessType::Load, b, n);
  if (!s2) return s2.error();
  int32_t result = 0;
  for (uint64_t i = 0; i < n; ++i)
    if ((*s1)[i] != (*s2)[i]) { result = int32_t((*s1)[i]) - int32_t((*s2)[i]); break; }
  auto o = ctx.translate(AccessType::Store, out, 4, alignof(int32_t));
  if (!o) return o.error();
  std::memcpy(*o, &result, 4);
  return uint64_t{0};
}

// sol_sha256 / sol_keccak256: hash a list of (ptr, len) slices into a 32-byte result.
template <Hash32 (*H)(BytesView), const char* Name>
Result sol_hash(SyscallContext& ctx, uint64_t vals, uint64_t count, uint64_t result, uint64_t, uint64_t) {
  if (count > ctx.cost.sha256_max_slices) {
    ctx.log(fmt::format("{} Hashing {} sequences in one syscall is over the limit {}", Name, count,
                        ctx.cost.sha256_max_slices));
    return syscall_error("TooManySlices", "Hashing too many sequences");
  }
  if (auto e = ctx.consume_checked(ctx.cost.sha256_base_cost)) return *e;
  auto out = ctx.translate(AccessType::Store, result, 32);
  if (!out) return out.error();
  Bytes data;
  if (count > 0) {
    if (count > uint64_t(INT64_MAX) / 16) return syscall_error("InvalidLength", "InvalidLength");
    auto list = ctx.translate(AccessType::Load, vals, count * 16, 8);
    if (!list) return list.error();
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t ptr, len;
      std::memcpy(&ptr, *list + i * 16, 8);
      std::memcpy(&len, *list + i * 16 + 8, 8);
      auto bytes = ctx.translate(AccessType::Load, ptr, len);
      if (!bytes) return bytes.error();
      uint64_t cost = std::max(ctx.cost.mem_op_base_cost, ctx.cost.sha256_byte_cost * (len / 2));
      if (auto e = ctx.consume_checked(cost)) return *e;
      data.insert(data.end(), *bytes, *bytes + len);
    }
  }
  Hash32 h = H(BytesView(data.data(), data.size()));
  std::memcpy(*out, h.data(), 32);
  return uint64_t{0};
}
constexpr char kSha256[] = "Sha256";
constexpr char kKeccak256[] = "Keccak256";

Result sol_panic(SyscallContext& ctx, uint64_t file, uint64_t len, uint64_t line, uint64_t col, uint64_t) {
  if (auto e = ctx.consume_checked(len)) return *e;
  auto s = read_string(ctx, file, len);
  if (!s) return s.error();
  return syscall_error("Panic", fmt::format("SBF program Panicked in {} at {}:{}", *s, line, col));
}

Result abort_syscall(SyscallContext&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return syscall_error("Abort", "SBF program panicked");
}

Result sol_log_data(SyscallContext& ctx, uint64_t addr, uint64_t count, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  if (count > uint64_t(INT64_MAX) / 16) return syscall_error("InvalidLength", "InvalidLength");
  auto list = ctx.translate(AccessType::Load, addr, count * 16, 8);
  if (!list) return list.error();
  uint64_t n = count;
  uint64_t per_field;
  if (__builtin_mul_overflow(ctx.cost.syscall_base_cost, n, &per_field)) per_field = UINT64_MAX;
  if (auto e = ctx.consume_checked(per_field)) return *e;
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len;
    std::memcpy(&len, *list + i * 16 + 8, 8);
    total = total + len < total ? UINT64_MAX : total + len;
  }
  if (auto e = ctx.consume_checked(total)) return *e;
  std::string msg = "Program data: ";
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ptr, len;
    std::memcpy(&ptr, *list + i * 16, 8);
    std::memcpy(&len, *list + i * 16 + 8, 8);
    auto bytes = ctx.translate(AccessType::Load, ptr, len);
    if (!bytes) return bytes.error();
    if (i) msg += ' ';
    msg += base64(*bytes, len);
  }
  ctx.log(std::move(msg));
  return uint64_t{0};
}

// Seeds (an array of (ptr, len)) and the program id, checked as Agave's
// translate_and_check_program_address_inputs: > 16 seeds or a seed > 32 bytes is an error.
Expected<std::vector<std::span<const uint8_t>>, EbpfError> read_seeds(SyscallContext& ctx, uint64_t addr,
                                                                      uint64_t count) {
  if (count > uint64_t(INT64_MAX) / 16) return syscall_error("InvalidLength", "InvalidLength");
  auto list = ctx.translate(AccessType::Load, addr, count * 16, 8);
  if (!list) return list.error();
  const auto bad_seeds = [] {
    return syscall_error("BadSeeds",
                         "Could not create program address with signer seeds: Length of the seed is too long "
                         "for address generation");
  };
  if (count > 16) return bad_seeds();
  std::vector<std::span<const uint8_t>> seeds;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t ptr, len;
    std::memcpy(&ptr, *list + i * 16, 8);
    std::memcpy(&len, *list + i * 16 + 8, 8);
    if (len > 32) return bad_seeds();
    auto bytes = ctx.translate(AccessType::Load, ptr, len);
    if (!bytes) return bytes.error();
    seeds.emplace_back(*bytes, len);
  }
  return seeds;
}

Result sol_create_program_address(SyscallContext& ctx, uint64_t seeds_addr, uint64_t seeds_len,
                                  uint64_t program_addr, uint64_t out_addr, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.create_program_address_units)) return *e;
  auto seeds = read_seeds(ctx, seeds_addr, seeds_len);
  if (!seeds) return seeds.error();
  auto pid = ctx.translate(AccessType::Load, program_addr, 32);
  if (!pid) return pid.error();
  Pubkey program_id;
  std::memcpy(program_id.data(), *pid, 32);
  auto address = create_program_address(*seeds, program_id);
  if (!address) return uint64_t{1};
  auto out = ctx.translate(AccessType::Store, out_addr, 32);
  if (!out) return out.error();
  std::memcpy(*out, address->data(), 32);
  return uint64_t{0};
}

Result sol_try_find_program_address(SyscallContext& ctx, uint64_t seeds_addr, uint64_t seeds_len,
                                    uint64_t program_addr, uint64_t out_addr, uint64_t bump_addr) {
  const uint64_t cost = ctx.cost.create_program_address_units;
  if (auto e = ctx.consume_checked(cost)) return *e;
  auto seeds = read_seeds(ctx, seeds_addr, seeds_len);
  if (!seeds) return seeds.error();
  auto pid = ctx.translate(AccessType::Load, program_addr, 32);
  if (!pid) return pid.error();
  Pubkey program_id;
  std::memcpy(program_id.data(), *pid, 32);
  uint8_t bump = 255;
  for (int i = 0; i < 255; ++i) {
    auto with_bump = *seeds;
    with_bump.emplace_back(&bump, 1);
    if (auto address = create_program_address(with_bump, program_id)) {
      auto b = ctx.translate(AccessType::Store, bump_addr, 1);
      if (!b) return b.error();
      auto out = ctx.translate(AccessType::Store, out_addr, 32);
      if (!out) return out.error();
      if (!nonoverlapping(uint64_t(uintptr_t(*b)), 1, uint64_t(uintptr_t(*out)), 32))
        return syscall_error("CopyOverlapping", "Overlapping copy");
      **b = bump;
      std::memcpy(*out, address->data(), 32);
      return uint64_t{0};
    }
    --bump;
    if (auto e = ctx.consume_checked(cost)) return *e;
  }
  return uint64_t{1};
}

Result sol_set_return_data(SyscallContext& ctx, uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t) {
  uint64_t div = len / ctx.cost.cpi_bytes_per_unit;
  uint64_t cost = div + ctx.cost.syscall_base_cost < div ? UINT64_MAX : div + ctx.cost.syscall_base_cost;
  if (auto e = ctx.consume_checked(cost)) return *e;
  if (len > ctx.cost.max_return_data)
    return syscall_error("ReturnDataTooLarge",
                         fmt::format("Return data too large ({} > {})", len, ctx.cost.max_return_data));
  std::vector<uint8_t> data;
  if (len) {
    auto p = ctx.translate(AccessType::Load, addr, len);
    if (!p) return p.error();
    data.assign(*p, *p + len);
  }
  ctx.return_data_program = ctx.program_id;
  ctx.return_data = std::move(data);
  return uint64_t{0};
}

Result sol_get_return_data(SyscallContext& ctx, uint64_t data_addr, uint64_t length, uint64_t program_addr,
                           uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  length = std::min<uint64_t>(length, ctx.return_data.size());
  if (length) {
    if (auto e = ctx.consume_checked((length + 32) / ctx.cost.cpi_bytes_per_unit)) return *e;
    auto d = ctx.translate(AccessType::Store, data_addr, length);
    if (!d) return d.error();
    auto p = ctx.translate(AccessType::Store, program_addr, 32);
    if (!p) return p.error();
    if (!nonoverlapping(uint64_t(uintptr_t(*d)), length, uint64_t(uintptr_t(*p)), 32))
      return syscall_error("CopyOverlapping", "Overlapping copy");
    std::memcpy(*d, ctx.return_data.data(), length);
    std::memcpy(*p, ctx.return_data_program.data(), 32);
  }
  return uint64_t(ctx.return_data.size());  // the full length, not the copied one
}

Result sol_get_stack_height(SyscallContext& ctx, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  return ctx.stack_height;
}

Result sol_remaining_compute_units(SyscallContext& ctx, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  return ctx.remaining;
}

// A sysvar's in-memory (repr(C)) layout, built from its bincode account data: field sizes in
// order (alignment = size, except byte arrays), struct alignment, total size.
struct SysvarLayout {
  const char* name;
  const char* id;
  std::vector<uint8_t> fields;  // sizes; 32 = a [u8; 32] hash (alignment 1)
  size_t align, size;
};

const std::vector<SysvarLayout>& sysvar_layouts() {
  static const std::vector<SysvarLayout> layouts = {
      {"clock", "SysvarC1ock11111111111111111111111111111111", {8, 8, 8, 8, 8}, 8, 40},
      {"rent", "SysvarRent111111111111111111111111111111111", {8, 8, 1}, 8, 24},
      {"epoch_schedule", "SysvarEpochSchedu1e111111111111111111111111", {8, 8, 1, 8, 8}, 8, 40},
      {"epoch_rewards", "SysvarEpochRewards1111111111111111111111111", {8, 8, 32, 16, 8, 8, 1}, 16, 96},
      {"last_restart_slot", "SysvarLastRestartS1ot1111111111111111111111", {8}, 8, 8},
  };
  return layouts;
}

Result get_sysvar(SyscallContext& ctx, const SysvarLayout& l, uint64_t var_addr) {
  if (auto e = ctx.consume_checked(ctx.cost.sysvar_base_cost + l.size)) return *e;
  auto out = ctx.translate(AccessType::Store, var_addr, l.size, l.align);
  if (!out) return out.error();
  auto it = ctx.sysvars.find(sysvar_id(l.name));
  if (it == ctx.sysvars.end()) return syscall_error("UnsupportedSysvar", "Unsupported sysvar");
  // bincode (packed, little-endian) -> repr(C) with zeroed padding.
  std::vector<uint8_t> mem(l.size, 0);
  size_t in = 0, at = 0;
  for (uint8_t f : l.fields) {
    size_t align = f == 32 ? 1 : f;
    at = (at + align - 1) / align * align;
    if (in + f > it->second.size()) return syscall_error("UnsupportedSysvar", "Unsupported sysvar");
    std::memcpy(mem.data() + at, it->second.data() + in, f);
    in += f;
    at += f;
  }
  std::memcpy(*out, mem.data(), l.size);
  return uint64_t{0};
}

template <int Index>
Result sol_get_sysvar_typed(SyscallContext& ctx, uint64_t var_addr, uint64_t, uint64_t, uint64_t, uint64_t) {
  return get_sysvar(ctx, sysvar_layouts()[Index], var_addr);
}

// SIMD-0127: a byte range of a sysvar's account data. Returns 2 if the sysvar is unknown, 1 if
// the range exceeds it.
Result sol_get_sysvar(SyscallContext& ctx, uint64_t id_addr, uint64_t var_addr, uint64_t offset, uint64_t length,
                      uint64_t) {
  const uint64_t per = ctx.cost.cpi_bytes_per_unit;
  if (auto e = ctx.consume_checked(ctx.cost.sysvar_base_cost + 32 / per +
                                   std::max(length / per, ctx.cost.mem_op_base_cost)))
    return *e;
  auto out = ctx.translate(AccessType::Store, var_addr, length);
  if (!out) return out.error();
  auto id = ctx.translate(AccessType::Load, id_addr, 32);
  if (!id) return id.error();
  uint64_t end;
  if (__builtin_add_overflow(offset, length, &end) || __builtin_add_overflow(var_addr, length, &end))
    return syscall_error("ArithmeticOverflow", "Program arithmetic overflowed");
  Pubkey key;
  std::memcpy(key.data(), *id, 32);
  auto it = ctx.sysvars.find(key);
  if (it == ctx.sysvars.end()) return uint64_t{2};
  if (offset + length > it->second.size()) return uint64_t{1};
  if (length) std::memcpy(*out, it->second.data() + offset, length);
  return uint64_t{0};
}

// Returns 0 and the 64-byte public key, or Secp256k1RecoverError codes: 2 InvalidRecoveryId,
// 3 InvalidSignature (r or s not in [1, n), or no key recovers).
Result sol_secp256k1_recover(SyscallContext& ctx, uint64_t hash_addr, uint64_t recovery_id, uint64_t sig_addr,
                             uint64_t result_addr, uint64_t) {
  if (auto e = ctx.consume_checked(ctx.cost.secp256k1_recover_cost)) return *e;
  auto out = ctx.translate(AccessType::Store, result_addr, 64);
  if (!out) return out.error();
  auto hash = ctx.translate(AccessType::Load, hash_addr, 32);
  if (!hash) return hash.error();
  auto sig = ctx.translate(AccessType::Load, sig_addr, 64);
  if (!sig) return sig.error();
  if (recovery_id > 3) return uint64_t{2};
  Hash32 msg, r, s;
  std::memcpy(msg.data(), *hash, 32);
  std::memcpy(r.data(), *sig, 32);
  std::memcpy(s.data(), *sig + 32, 32);
  auto key = secp256k1::recover_pubkey(msg, r, s, int(recovery_id));
  if (!key) return uint64_t{3};
  std::memcpy(*out, key->data(), 64);
  return uint64_t{0};
}

// Deprecated bump allocator over the heap region (Agave BpfAllocator): no compute cost; returns
// the VM address, or 0 when out of memory; free is a no-op.
Result sol_alloc_free(SyscallContext& ctx, uint64_t size, uint64_t free_addr, uint64_t, uint64_t, uint64_t) {
  const uint64_t align = ctx.check_aligned ? 8 : 1;  // BPF_ALIGN_OF_U128
  if (size > uint64_t(INT64_MAX) - (align - 1)) return uint64_t{0};  // Layout::from_size_align
  if (free_addr != 0) return uint64_t{0};
  uint64_t pad = (align - ctx.alloc_pos % align) % align;
  if (ctx.alloc_pos + pad + size > ctx.heap_len || ctx.alloc_pos + pad + size < ctx.alloc_pos) return uint64_t{0};
  ctx.alloc_pos += pad;
  uint64_t addr = kHeapStart + ctx.alloc_pos;
  ctx.alloc_pos += size;
  return addr;
}

Result not_implemented(SyscallContext&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return syscall_error("NotImplemented", "syscall not implemented in Lumio yet");
}

}  // namespace

void register_core_syscalls(Loader& loader) {
  loader.register_syscall("abort", abort_syscall);
  loader.register_syscall("sol_panic_", sol_panic);
  loader.register_syscall("sol_log_", sol_log);
  loader.register_syscall("sol_log_64_", sol_log_64);
  loader.register_syscall("sol_log_pubkey", sol_log_pubkey);
  loader.register_syscall("sol_log_compute_units_", sol_log_compute_units);
  loader.register_syscall("sol_sha256", sol_hash<sha256, kSha256>);
  loader.register_syscall("sol_keccak256", sol_hash<keccak256, kKeccak256>);
  loader.register_syscall("sol_memcpy_", sol_memcpy);
  loader.register_syscall("sol_memmove_", sol_memmove);
  loader.register_syscall("sol_memset_", sol_memset);
  loader.register_syscall("sol_memcmp_", sol_memcmp);
  loader.register_syscall("sol_log_data", sol_log_data);
  loader.register_syscall("sol_create_program_address", sol_create_program_address);
  loader.register_syscall("sol_try_find_program_address", sol_try_find_program_address);
  loader.register_syscall("sol_set_return_data", sol_set_return_data);
  loader.register_syscall("sol_get_return_data", sol_get_return_data);
  loader.register_syscall("sol_get_stack_height", sol_get_stack_height);
  loader.register_syscall("sol_remaining_compute_units", sol_remaining_compute_units);
  loader.register_syscall("sol_get_clock_sysvar", sol_get_sysvar_typed<0>);
  loader.register_syscall("sol_get_rent_sysvar", sol_get_sysvar_typed<1>);
  loader.register_syscall("sol_get_epoch_schedule_sysvar", sol_get_sysvar_typed<2>);
  loader.register_syscall("sol_get_epoch_rewards_sysvar", sol_get_sysvar_typed<3>);
  loader.register_syscall("sol_get_last_restart_slot", sol_get_sysvar_typed<4>);
  loader.register_syscall("sol_get_sysvar", sol_get_sysvar);
  loader.register_syscall("sol_secp256k1_recover", sol_secp256k1_recover);
  register_crypto_syscalls(loader);  // svm/syscalls_crypto.cpp
  // Runtime syscalls (svm/cpi.cpp): need the InvokeContext the Runtime puts in ctx.user.
  loader.register_syscall("sol_invoke_signed_rust", sol_invoke_signed_rust);
  loader.register_syscall("sol_invoke_signed_c", sol_invoke_signed_c);
  loader.register_syscall("sol_get_processed_sibling_instruction", sol_get_processed_sibling_instruction);
}

void register_pending_syscalls(Loader& loader) {
  // Agave create_program_runtime_environment_v1 with today's mainnet features (fees sysvar
  // disabled). sol_alloc_free_ is only offered when not deploying.
  static constexpr const char* kNames[] = {
      "sol_blake3", "sol_curve_validate_point", "sol_curve_group_op",
      "sol_curve_multiscalar_mul", "sol_get_processed_sibling_instruction", "sol_invoke_signed_c",
      "sol_invoke_signed_rust", "sol_alt_bn128_group_op", "sol_big_mod_exp", "sol_poseidon",
      "sol_alt_bn128_compression", "sol_get_epoch_stake"};
  for (const char* n : kNames)
    if (!loader.syscalls.lookup(hash_symbol_name(n))) loader.register_syscall(n, not_implemented);
}

Loader make_loader_v1(bool deploying) {
  Loader l;
  l.config.reject_broken_elfs = deploying;
  register_core_syscalls(l);
  register_pending_syscalls(l);
  if (!deploying) l.register_syscall("sol_alloc_free_", sol_alloc_free);  // not for new deployments
  return l;
}

bool is_on_ed25519_curve(const uint8_t* bytes32) {
  // x^2 = (y^2 - 1) / (d y^2 + 1) over GF(2^255 - 19), d = -121665/121666. The encoding decodes
  // iff u = y^2 - 1 is zero, or v = d y^2 + 1 is non-zero and u/v is a square (Euler's criterion).
  uint8_t le[32];
  std::memcpy(le, bytes32, 32);
  le[31] &= 0x7f;
  mpz_t p, y, d, t, u, v, e;
  mpz_inits(p, y, d, t, u, v, e, nullptr);
  mpz_ui_pow_ui(p, 2, 255);
  mpz_sub_ui(p, p, 19);
  mpz_import(y, 32, -1, 1, 0, 0, le);
  mpz_mod(y, y, p);
  mpz_set_ui(t, 121666);
  mpz_invert(d, t, p);
  mpz_mul_si(d, d, -121665);
  mpz_mod(d, d, p);
  mpz_mul(t, y, y);
  mpz_sub_ui(u, t, 1);
  mpz_mod(u, u, p);
  mpz_mul(v, d, t);
  mpz_add_ui(v, v, 1);
  mpz_mod(v, v, p);
  bool on_curve;
  if (mpz_sgn(u) == 0) {
    on_curve = true;
  } else if (mpz_sgn(v) == 0) {
    on_curve = false;
  } else {
    mpz_invert(t, v, p);
    mpz_mul(t, t, u);
    mpz_mod(t, t, p);
    mpz_sub_ui(e, p, 1);
    mpz_fdiv_q_2exp(e, e, 1);
    mpz_powm(t, t, e, p);
    on_curve = mpz_cmp_ui(t, 1) == 0;
  }
  mpz_clears(p, y, d, t, u, v, e, nullptr);
  return on_curve;
}

std::optional<Pubkey> create_program_address(std::span<const std::span<const uint8_t>> seeds,
                                             const Pubkey& program_id) {
  if (seeds.size() > 16) return std::nullopt;
  Bytes data;
  for (auto& s : seeds) {
    if (s.size() > 32) return std::nullopt;
    data.insert(data.end(), s.begin(), s.end());
  }
  data.insert(data.end(), program_id.begin(), program_id.end());
  static constexpr std::string_view kMarker = "ProgramDerivedAddress";
  data.insert(data.end(), kMarker.begin(), kMarker.end());
  Hash32 h = sha256(BytesView(data.data(), data.size()));
  if (is_on_ed25519_curve(h.data())) return std::nullopt;
  Pubkey out;
  std::memcpy(out.data(), h.data(), 32);
  return out;
}

Pubkey sysvar_id(std::string_view name) {
  for (auto& l : sysvar_layouts())
    if (name == l.name) {
      Pubkey k{};
      auto v = base58_decode(l.id);
      if (v && v->size() == 32) std::memcpy(k.data(), v->data(), 32);
      return k;
    }
  return Pubkey{};
}

}  // namespace lumio::svm
