// Cross-program invocation syscalls (Agave program-runtime cpi.rs, without direct mapping):
// sol_invoke_signed_rust / sol_invoke_signed_c translate the caller's Instruction, signer seeds
// and AccountInfos, push the caller's changes into the transaction's accounts, run the callee
// and copy the results back into the caller's memory. Also sol_get_processed_sibling_instruction.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "svm/invoke_internal.hpp"
#include "svm/serialize.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {
namespace {

using Result = Expected<uint64_t, EbpfError>;

constexpr uint64_t kInvokeUnits = 946;
constexpr uint64_t kAccountMetaSize = 34;   // pubkey, is_signer, is_writable
constexpr uint64_t kAccountInfoSize = 80;   // key, owner, lamports, data length
constexpr uint64_t kMaxCpiInstructionDataLen = 10 * 1024;
constexpr uint64_t kMaxCpiInstructionAccounts = 255;
constexpr uint64_t kMaxCpiAccountInfos = 255;  // SIMD-0339
constexpr uint64_t kMaxSigners = 16;
constexpr uint64_t kMaxSeeds = 16;
constexpr uint64_t kMaxSeedLen = 32;

EbpfError syscall_err(std::string kind, std::string message) {
  return EbpfError::from_syscall(std::move(kind), std::move(message));
}
EbpfError ix_err(InstructionError::Kind k) { return instruction_error_as_syscall(InstructionError(k)); }

uint64_t rd64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
void wr64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }

enum class Abi { Rust, C };

// One AccountInfo of the caller, translated (Agave CallerAccount).
struct CallerAccount {
  uint8_t* lamports = nullptr;
  uint8_t* owner = nullptr;
  uint64_t vm_data_addr = 0;
  uint64_t data_len = 0;         // length the AccountInfo currently claims
  uint8_t* ref_to_len = nullptr;  // the AccountInfo's data length field
  uint64_t original_data_len = 0;
};

#define TRY_PTR(var, expr)        \
  auto var##_r = (expr);          \
  if (!var##_r.ok()) return var##_r.error(); \
  uint8_t* var = var##_r.value();

Expected<Instruction, EbpfError> translate_instruction(SyscallContext& ctx, Abi abi, uint64_t addr) {
  Instruction ix;
  uint64_t acc_ptr, acc_len, data_ptr, data_len;
  const uint8_t* metas;
  if (abi == Abi::Rust) {
    // StableInstruction { accounts: StableVec<AccountMeta>, data: StableVec<u8>, program_id }
    TRY_PTR(p, ctx.translate(AccessType::Load, addr, 80, 8));
    acc_ptr = rd64(p), acc_len = rd64(p + 16), data_ptr = rd64(p + 24), data_len = rd64(p + 40);
    std::memcpy(ix.program_id.data(), p + 48, 32);
    if (acc_len > UINT64_MAX / 34) return syscall_err("InvalidLength", "InvalidLength");
    TRY_PTR(m, ctx.translate(AccessType::Load, acc_ptr, acc_len * 34, 1));
    metas = m;
  } else {
    // SolInstruction { program_id*, accounts*, account_len, data*, data_len }
    TRY_PTR(p, ctx.translate(AccessType::Load, addr, 40, 8));
    uint64_t pid = rd64(p);
    acc_ptr = rd64(p + 8), acc_len = rd64(p + 16), data_ptr = rd64(p + 24), data_len = rd64(p + 32);
    TRY_PTR(k, ctx.translate(AccessType::Load, pid, 32, 1));
    std::memcpy(ix.program_id.data(), k, 32);
    if (acc_len > UINT64_MAX / 16) return syscall_err("InvalidLength", "InvalidLength");
    TRY_PTR(m, ctx.translate(AccessType::Load, acc_ptr, acc_len * 16, 8));
    metas = m;
  }
  TRY_PTR(data, ctx.translate(AccessType::Load, data_ptr, data_len, 1));
  if (acc_len > kMaxCpiInstructionAccounts)
    return syscall_err("MaxInstructionAccountsExceeded",
                       fmt::format("Invoked an instruction with too many accounts ({} > {})", acc_len,
                                   kMaxCpiInstructionAccounts));
  if (data_len > kMaxCpiInstructionDataLen)
    return syscall_err("MaxInstructionDataLenExceeded",
                       fmt::format("Invoked an instruction with data that is too large ({} > {})", data_len,
                                   kMaxCpiInstructionDataLen));
  // Data, plus 34 bytes per account meta (SIMD-0339, active in Agave with all features, as
  // litesvm runs), each rounded down per cpi_bytes_per_unit.
  if (auto e = ctx.consume_checked(data_len / ctx.cost.cpi_bytes_per_unit +
                                   acc_len * kAccountMetaSize / ctx.cost.cpi_bytes_per_unit))
    return *e;
  ix.data.assign(data, data + data_len);
  for (uint64_t i = 0; i < acc_len; ++i) {
    AccountMeta meta;
    if (abi == Abi::Rust) {
      const uint8_t* m = metas + i * 34;  // { pubkey, is_signer, is_writable }
      if (m[32] > 1 || m[33] > 1) return ix_err(InstructionError::InvalidArgument);  // not a bool
      std::memcpy(meta.pubkey.data(), m, 32);
      meta.is_signer = m[32] != 0;
      meta.is_writable = m[33] != 0;
    } else {
      const uint8_t* m = metas + i * 16;  // { pubkey*, is_writable, is_signer }
      if (m[8] > 1 || m[9] > 1) return ix_err(InstructionError::InvalidArgument);
      TRY_PTR(k, ctx.translate(AccessType::Load, rd64(m), 32, 1));
      std::memcpy(meta.pubkey.data(), k, 32);
      meta.is_writable = m[8] != 0;
      meta.is_signer = m[9] != 0;
    }
    ix.accounts.push_back(meta);
  }
  return ix;
}

// Signer seeds: &[&[&[u8]]] (Rust) or SolSignerSeeds[] (C) — the same (ptr, len) layout.
Expected<std::vector<Pubkey>, EbpfError> translate_signers(SyscallContext& ctx, const Pubkey& program_id,
                                                          uint64_t addr, uint64_t len) {
  std::vector<Pubkey> signers;
  if (len == 0) return signers;
  if (len > UINT64_MAX / 16) return syscall_err("InvalidLength", "InvalidLength");
  TRY_PTR(list, ctx.translate(AccessType::Load, addr, len * 16, 8));
  if (len > kMaxSigners) return syscall_err("TooManySigners", "Too many signers");
  for (uint64_t s = 0; s < len; ++s) {
    uint64_t seeds_ptr = rd64(list + s * 16), seeds_len = rd64(list + s * 16 + 8);
    if (seeds_len > UINT64_MAX / 16) return syscall_err("InvalidLength", "InvalidLength");
    TRY_PTR(seeds, ctx.translate(AccessType::Load, seeds_ptr, seeds_len * 16, 8));
    if (seeds_len > kMaxSeeds) return ix_err(InstructionError::MaxSeedLengthExceeded);
    std::vector<std::span<const uint8_t>> parts;
    bool too_long = false;
    for (uint64_t i = 0; i < seeds_len; ++i) {
      uint64_t p = rd64(seeds + i * 16), n = rd64(seeds + i * 16 + 8);
      TRY_PTR(bytes, ctx.translate(AccessType::Load, p, n, 1));
      if (n > kMaxSeedLen) too_long = true;
      parts.emplace_back(bytes, n);
    }
    auto pda = too_long ? std::nullopt : create_program_address(parts, program_id);
    if (!pda)
      return syscall_err("BadSeeds", fmt::format("Could not create program address with signer seeds: {}",
                                                 too_long ? "Length of the seed is too long for address generation"
                                                          : "Provided seeds do not result in a valid address"));
    signers.push_back(*pda);
  }
  return signers;
}

bool is_precompile(const Pubkey& id) {
  return id == ids::ed25519_program || id == ids::secp256k1_program || id == ids::secp256r1_program;
}

// Agave check_authorized_program: loaders (except a few upgradeable-loader instructions),
// the native loader and precompiles cannot be invoked.
std::optional<EbpfError> check_authorized_program(const Instruction& ix) {
  bool upgradeable_allowed = false;
  if (ix.program_id == ids::bpf_loader_upgradeable && ix.data.size() >= 4) {
    uint32_t tag = uint32_t(ix.data[0]) | uint32_t(ix.data[1]) << 8 | uint32_t(ix.data[2]) << 16 |
                   uint32_t(ix.data[3]) << 24;
    upgradeable_allowed = tag == 3 || tag == 4 || tag == 5 || tag == 7;  // Upgrade, SetAuthority(Checked), Close
  }
  if (ix.program_id == ids::native_loader || ix.program_id == ids::bpf_loader ||
      ix.program_id == ids::bpf_loader_deprecated ||
      (ix.program_id == ids::bpf_loader_upgradeable && !upgradeable_allowed) || is_precompile(ix.program_id))
    return syscall_err("ProgramNotSupported", fmt::format("Program {} not supported by inner instructions",
                                                          base58(ix.program_id.data(), 32)));
  return std::nullopt;
}

Expected<CallerAccount, EbpfError> translate_caller_account(SyscallContext& ctx, Abi abi, const uint8_t* info,
                                                            uint64_t info_vaddr, uint64_t original_len) {
  CallerAccount c;
  c.original_data_len = original_len;
  uint64_t len_field_vaddr;
  if (abi == Abi::Rust) {
    // AccountInfo { key, lamports: Rc<RefCell<&mut u64>>, data: Rc<RefCell<&mut [u8]>>, owner,
    // rent_epoch, is_signer, is_writable, executable }; a RefCell's value sits 24 bytes into the
    // Rc allocation (strong, weak, borrow flag).
    TRY_PTR(lref, ctx.translate(AccessType::Load, rd64(info + 8) + 24, 8, 8));
    TRY_PTR(lam, ctx.translate(AccessType::Store, rd64(lref), 8, 8));
    c.lamports = lam;
    TRY_PTR(own, ctx.translate(AccessType::Store, rd64(info + 24), 32, 1));
    c.owner = own;
    uint64_t slice_vaddr = rd64(info + 16) + 24;
    TRY_PTR(slice, ctx.translate(AccessType::Load, slice_vaddr, 16, 8));
    c.vm_data_addr = rd64(slice);
    c.data_len = rd64(slice + 8);
    len_field_vaddr = slice_vaddr + 8;
  } else {
    // SolAccountInfo { key*, lamports*, data_len, data*, owner*, rent_epoch, is_signer,
    // is_writable, executable }
    TRY_PTR(lam, ctx.translate(AccessType::Store, rd64(info + 8), 8, 8));
    c.lamports = lam;
    TRY_PTR(own, ctx.translate(AccessType::Store, rd64(info + 32), 32, 1));
    c.owner = own;
    c.vm_data_addr = rd64(info + 24);
    c.data_len = rd64(info + 16);
    len_field_vaddr = info_vaddr + 16;
  }
  if (auto e = ctx.consume_checked(c.data_len / ctx.cost.cpi_bytes_per_unit)) return *e;
  if (abi == Abi::C) {
    TRY_PTR(data, ctx.translate(AccessType::Store, c.vm_data_addr, c.data_len, 1));
    (void)data;
  }
  TRY_PTR(len_ref, ctx.translate(AccessType::Store, len_field_vaddr, 8, 1));
  c.ref_to_len = len_ref;
  if (abi == Abi::Rust) {
    TRY_PTR(data, ctx.translate(AccessType::Store, c.vm_data_addr, c.data_len, 1));
    (void)data;
  }
  return c;
}

// Agave update_callee_account: the caller's view (lamports, data, owner) -> the transaction
// account, checked as the caller. Returns whether the owner changed.
Expected<bool, EbpfError> update_callee(SyscallContext& ctx, BorrowedAccount& callee, const CallerAccount& c) {
  uint64_t lamports = rd64(c.lamports);
  if (callee.lamports() != lamports)
    if (auto e = callee.set_lamports(lamports)) return instruction_error_as_syscall(*e);
  auto data_r = ctx.translate(AccessType::Load, c.vm_data_addr, c.data_len, 1);
  if (!data_r.ok()) return data_r.error();
  std::span<const uint8_t> data(data_r.value(), c.data_len);
  auto check = callee.can_data_be_resized(data.size());
  if (!check) {
    if (auto e = callee.set_data_from_slice(data)) return instruction_error_as_syscall(*e);
  } else if (!std::equal(data.begin(), data.end(), callee.data().begin(), callee.data().end())) {
    return instruction_error_as_syscall(*check);
  }
  Pubkey owner;
  std::memcpy(owner.data(), c.owner, 32);
  if (callee.owner() != owner) {
    if (auto e = callee.set_owner(owner)) return instruction_error_as_syscall(*e);
    return true;
  }
  return false;
}

// Agave update_caller_account: the callee's results -> the caller's AccountInfo and input region.
std::optional<EbpfError> update_caller(InvokeContext& ic, SyscallContext& ctx, CallerAccount& c,
                                       const BorrowedAccount& callee) {
  wr64(c.lamports, callee.lamports());
  std::memcpy(c.owner, callee.owner().data(), 32);
  const uint64_t prev_len = rd64(c.ref_to_len);
  const uint64_t post_len = callee.data().size();
  if (prev_len != post_len) {
    if (post_len > c.original_data_len + kMaxPermittedDataIncrease) {
      ic.log(fmt::format("Account data size realloc limited to {} in inner instructions", kMaxPermittedDataIncrease));
      return ix_err(InstructionError::InvalidRealloc);
    }
    if (post_len < prev_len) {
      auto tail = ctx.translate(AccessType::Store, c.vm_data_addr + post_len, prev_len - post_len, 1);
      if (!tail.ok()) return tail.error();
      std::memset(tail.value(), 0, prev_len - post_len);
    }
    auto grown = ctx.translate(AccessType::Store, c.vm_data_addr, post_len, 1);
    if (!grown.ok()) return grown.error();
    wr64(c.ref_to_len, post_len);
    auto serialized_len = ctx.translate(AccessType::Store, c.vm_data_addr - 8, 8, 8);
    if (!serialized_len.ok()) return serialized_len.error();
    wr64(serialized_len.value(), post_len);
  }
  auto to = ctx.translate(AccessType::Store, c.vm_data_addr, post_len, 1);
  if (!to.ok()) return to.error();
  if (post_len) std::memcpy(to.value(), callee.data().data(), post_len);
  return std::nullopt;
}

Result cpi_common(SyscallContext& ctx, Abi abi, uint64_t ix_addr, uint64_t infos_addr, uint64_t infos_len,
                  uint64_t signers_addr, uint64_t signers_len) {
  InvokeContext* ic = invoke_context_of(ctx);
  if (!ic) return syscall_err("InvokeContextBorrowFailed", "Invoke context borrow failed");
  if (auto e = ctx.consume_checked(kInvokeUnits)) return *e;
  auto ix = translate_instruction(ctx, abi, ix_addr);
  if (!ix.ok()) return ix.error();
  const Pubkey caller_program = ic->program_id();
  auto signers = translate_signers(ctx, caller_program, signers_addr, signers_len);
  if (!signers.ok()) return signers.error();
  if (auto e = check_authorized_program(*ix)) return *e;
  if (auto e = ic->prepare_instruction(*ix, *signers)) return instruction_error_as_syscall(*e);

  // translate_account_infos
  const uint64_t info_size = abi == Abi::Rust ? 48 : 56;
  if (infos_len > UINT64_MAX / info_size) return syscall_err("InvalidLength", "InvalidLength");
  TRY_PTR(infos, ctx.translate(AccessType::Load, infos_addr, infos_len * info_size, 8));
  if (infos_len > kMaxCpiAccountInfos)
    return syscall_err("MaxInstructionAccountInfosExceeded",
                       fmt::format("Invoked an instruction with too many account info's ({} > {})", infos_len,
                                   kMaxCpiAccountInfos));
  // SIMD-0339: 80 bytes per account info, whether or not the callee uses it.
  if (auto e = ctx.consume_checked(infos_len * kAccountInfoSize / ctx.cost.cpi_bytes_per_unit)) return *e;
  std::vector<Pubkey> info_keys(infos_len);
  for (uint64_t i = 0; i < infos_len; ++i) {
    TRY_PTR(k, ctx.translate(AccessType::Load, rd64(infos + i * info_size), 32, 1));
    std::memcpy(info_keys[i].data(), k, 32);
  }

  // translate_accounts_common: every non-duplicate callee account; executable ones need no
  // AccountInfo.
  const InstructionFrame callee_frame = ic->tx.configure_next();
  const std::vector<uint64_t>& original_lens = ic->serialized_lens.back();
  struct Translated {
    IndexOfAccount index_in_caller;
    CallerAccount caller;
    bool writable;
  };
  std::vector<Translated> translated;
  for (size_t i = 0; i < callee_frame.accounts.size(); ++i) {
    const auto& ref = callee_frame.accounts[i];
    if (ref.index_in_callee != i) continue;  // duplicate
    auto callee = ic->tx.borrow_instruction_account(ref.index_in_caller);
    if (!callee.ok()) return instruction_error_as_syscall(callee.error());
    const Pubkey& key = ic->tx.key(ref.index_in_transaction);
    if (callee->executable()) {
      if (auto e = ctx.consume_checked(callee->data().size() / ctx.cost.cpi_bytes_per_unit)) return *e;
      continue;
    }
    auto pos = std::find(info_keys.begin(), info_keys.end(), key);
    if (pos == info_keys.end()) {
      ic->log(fmt::format("Instruction references an unknown account {}", base58(key.data(), 32)));
      return ix_err(InstructionError::MissingAccount);
    }
    const uint64_t info_index = uint64_t(pos - info_keys.begin());
    const uint64_t original = ref.index_in_caller < original_lens.size() ? original_lens[ref.index_in_caller] : 0;
    auto caller = translate_caller_account(ctx, abi, infos + info_index * info_size,
                                           infos_addr + info_index * info_size, original);
    if (!caller.ok()) return caller.error();
    translated.push_back({ref.index_in_caller, *caller, ref.is_writable});
  }
  // The caller may have changed its accounts before the call: the callee must see that.
  for (const auto& t : translated) {
    auto callee = ic->tx.borrow_instruction_account(t.index_in_caller);
    if (!callee.ok()) return instruction_error_as_syscall(callee.error());
    auto owner_changed = update_callee(ctx, *callee, t.caller);
    if (!owner_changed.ok()) return owner_changed.error();
  }

  uint64_t consumed = 0;
  if (auto e = ic->process_instruction(&consumed)) return instruction_error_as_syscall(*e);

  for (auto& t : translated) {
    auto callee = ic->tx.borrow_instruction_account(t.index_in_caller);
    if (!callee.ok()) return instruction_error_as_syscall(callee.error());
    if (t.writable)
      if (auto e = update_caller(*ic, ctx, t.caller, *callee)) return *e;
  }
  return uint64_t{0};
}

}  // namespace

Result sol_invoke_signed_rust(SyscallContext& ctx, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return cpi_common(ctx, Abi::Rust, a, b, c, d, e);
}
Result sol_invoke_signed_c(SyscallContext& ctx, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return cpi_common(ctx, Abi::C, a, b, c, d, e);
}

// Agave SyscallGetProcessedSiblingInstruction: the index-th most recent instruction that ran at
// the caller's stack height since its parent started (0 = the latest).
Result sol_get_processed_sibling_instruction(SyscallContext& ctx, uint64_t index, uint64_t meta_addr,
                                             uint64_t program_id_addr, uint64_t data_addr, uint64_t accounts_addr) {
  InvokeContext* ic = invoke_context_of(ctx);
  if (!ic) return syscall_err("InvokeContextBorrowFailed", "Invoke context borrow failed");
  if (auto e = ctx.consume_checked(ctx.cost.syscall_base_cost)) return *e;
  const size_t height = ic->tx.stack_height();
  const auto& trace = ic->tx.trace();
  const InstructionFrame* found = nullptr;
  uint64_t seen = 0;
  for (size_t i = trace.size() - 1; i-- > 0;) {  // the last entry is the frame being configured
    const size_t h = trace[i].nesting_level + 1;
    if (h < height) break;
    if (h == height) {
      if (index + 1 == seen) {
        found = &trace[i];
        break;
      }
      ++seen;
    }
  }
  if (!found) return uint64_t{0};
  TRY_PTR(header, ctx.translate(AccessType::Store, meta_addr, 16, 8));
  const uint64_t data_len = found->data.size(), accounts_len = found->accounts.size();
  if (rd64(header) == data_len && rd64(header + 8) == accounts_len) {
    TRY_PTR(pid, ctx.translate(AccessType::Store, program_id_addr, 32, 1));
    TRY_PTR(data, ctx.translate(AccessType::Store, data_addr, data_len, 1));
    TRY_PTR(metas, ctx.translate(AccessType::Store, accounts_addr, accounts_len * 34, 1));
    auto overlaps = [](uint64_t a, uint64_t an, uint64_t b, uint64_t bn) { return a < b + bn && b < a + an; };
    if (overlaps(meta_addr, 16, program_id_addr, 32) || overlaps(meta_addr, 16, accounts_addr, accounts_len * 34) ||
        overlaps(meta_addr, 16, data_addr, data_len) || overlaps(program_id_addr, 32, data_addr, data_len) ||
        overlaps(program_id_addr, 32, accounts_addr, accounts_len * 34) ||
        overlaps(data_addr, data_len, accounts_addr, accounts_len * 34))
      return syscall_err("CopyOverlapping", "Overlapping copy");
    const Pubkey& program = ic->tx.program_key(*found);
    std::memcpy(pid, program.data(), 32);
    if (data_len) std::memcpy(data, found->data.data(), data_len);
    for (size_t i = 0; i < accounts_len; ++i) {
      const auto& r = found->accounts[i];
      std::memcpy(metas + i * 34, ic->tx.key(r.index_in_transaction).data(), 32);
      metas[i * 34 + 32] = r.is_signer;
      metas[i * 34 + 33] = r.is_writable;
    }
  }
  wr64(header, data_len);
  wr64(header + 8, accounts_len);
  return uint64_t{1};
}

}  // namespace lumio::svm
