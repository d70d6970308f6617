#include "svm/syscalls.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/hash.hpp"

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
}

void register_pending_syscalls(Loader& loader) {
  // Agave create_program_runtime_environment_v1 with today's mainnet features (fees sysvar
  // disabled). sol_alloc_free_ is only offered when not deploying.
  static constexpr const char* kNames[] = {
      "sol_create_program_address", "sol_try_find_program_address", "sol_secp256k1_recover",
      "sol_blake3", "sol_curve_validate_point", "sol_curve_group_op", "sol_curve_multiscalar_mul",
      "sol_get_clock_sysvar", "sol_get_epoch_schedule_sysvar", "sol_get_rent_sysvar",
      "sol_get_last_restart_slot", "sol_get_epoch_rewards_sysvar",
      "sol_get_processed_sibling_instruction", "sol_get_stack_height", "sol_set_return_data",
      "sol_get_return_data", "sol_invoke_signed_c", "sol_invoke_signed_rust",
      "sol_alt_bn128_group_op", "sol_big_mod_exp", "sol_poseidon", "sol_remaining_compute_units",
      "sol_alt_bn128_compression", "sol_get_sysvar", "sol_get_epoch_stake", "sol_log_data"};
  for (const char* n : kNames)
    if (!loader.syscalls.lookup(hash_symbol_name(n))) loader.register_syscall(n, not_implemented);
}

Loader make_loader_v1(bool deploying) {
  Loader l;
  l.config.reject_broken_elfs = deploying;
  register_core_syscalls(l);
  register_pending_syscalls(l);
  if (!deploying) l.register_syscall("sol_alloc_free_", not_implemented);
  return l;
}

std::string base58(const uint8_t* data, size_t len) {
  static const char* kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  size_t zeros = 0;
  while (zeros < len && data[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base-58 digits, little-endian
  for (size_t i = zeros; i < len; ++i) {
    uint32_t carry = data[i];
    for (auto& d : digits) {
      carry += uint32_t(d) << 8;
      d = uint8_t(carry % 58);
      carry /= 58;
    }
    while (carry) {
      digits.push_back(uint8_t(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kAlphabet[*it];
  return out;
}

}  // namespace lumio::svm
