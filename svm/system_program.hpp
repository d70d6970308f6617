// Solana's System Program (anza-xyz/agave programs/system: system_processor.rs,
// system_instruction.rs; solana-system-interface for the instruction and error layouts).
// Instruction data is bincode (u32 enum tag, little-endian fixed ints, u64-length strings),
// decoded as Agave's limited_deserialize does: at most 1232 bytes read, trailing bytes allowed.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "svm/account.hpp"
#include "svm/invoke.hpp"
#include "svm/program.hpp"
#include "svm/sbpf.hpp"

namespace lumio::svm {

// --- bincode (fixint, little-endian) as the builtins read and write account/instruction data ---
namespace bincode {
// Reads from `data`; any read past the end or past `limit` bytes fails and latches ok = false.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data, size_t limit = SIZE_MAX) : d_(data), limit_(limit) {}
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  uint8_t u8() { return uint8_t(le(1)); }
  uint16_t u16() { return uint16_t(le(2)); }
  uint32_t u32() { return uint32_t(le(4)); }
  uint64_t u64() { return le(8); }
  Pubkey pubkey() {
    Pubkey k{};
    if (auto p = take(32)) std::copy(p, p + 32, k.begin());
    return k;
  }
  // Option<T>: tag 0 = None, 1 = Some, anything else is an error.
  std::optional<Pubkey> option_pubkey() {
    uint8_t tag = u8();
    if (tag == 0) return std::nullopt;
    if (tag != 1) ok_ = false;
    return pubkey();
  }
  std::vector<uint8_t> bytes() {  // Vec<u8>: u64 length + bytes
    uint64_t n = u64();
    if (!ok_ || n > d_.size() - pos_ || n > limit_ - pos_) { ok_ = false; return {}; }
    auto p = take(size_t(n));
    return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>{};
  }
  std::string string();  // String: like bytes() but must be valid UTF-8

 private:
  const uint8_t* take(size_t n) {
    if (!ok_ || n > d_.size() - pos_ || n > limit_ - pos_) { ok_ = false; return nullptr; }
    const uint8_t* p = d_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t le(size_t n) {
    auto p = take(n);
    uint64_t v = 0;
    if (p)
      for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
  }
  std::span<const uint8_t> d_;
  size_t limit_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline void put_u8(std::vector<uint8_t>& o, uint8_t v) { o.push_back(v); }
inline void put_u16(std::vector<uint8_t>& o, uint16_t v) { for (int i = 0; i < 2; ++i) o.push_back(uint8_t(v >> (8 * i))); }
inline void put_u32(std::vector<uint8_t>& o, uint32_t v) { for (int i = 0; i < 4; ++i) o.push_back(uint8_t(v >> (8 * i))); }
inline void put_u64(std::vector<uint8_t>& o, uint64_t v) { for (int i = 0; i < 8; ++i) o.push_back(uint8_t(v >> (8 * i))); }
inline void put_pubkey(std::vector<uint8_t>& o, const Pubkey& k) { o.insert(o.end(), k.begin(), k.end()); }
inline void put_option_pubkey(std::vector<uint8_t>& o, const std::optional<Pubkey>& k) {
  put_u8(o, k ? 1 : 0);
  if (k) put_pubkey(o, *k);
}
inline void put_bytes(std::vector<uint8_t>& o, std::span<const uint8_t> b) {
  put_u64(o, b.size());
  o.insert(o.end(), b.begin(), b.end());
}
inline void put_string(std::vector<uint8_t>& o, std::string_view s) {
  put_bytes(o, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}
}  // namespace bincode

// Agave's limited_deserialize limit for instruction data (PACKET_DATA_SIZE).
inline constexpr size_t kInstructionDataLimit = 1232;

// MAX_PERMITTED_DATA_LENGTH: largest account data the System Program allocates (10 MiB).
inline constexpr uint64_t kSystemMaxPermittedDataLength = 10 * 1024 * 1024;
// Pubkey::create_with_seed limits.
inline constexpr size_t kMaxSeedLen = 32;

// solana_system_interface::error::SystemError: the Custom(code) values it maps to.
enum class SystemError : uint32_t {
  AccountAlreadyInUse = 0, ResultWithNegativeLamports = 1, InvalidProgramId = 2,
  InvalidAccountDataLength = 3, MaxSeedLengthExceeded = 4, AddressWithSeedMismatch = 5,
  NonceNoRecentBlockhashes = 6, NonceBlockhashNotExpired = 7, NonceUnexpectedBlockhashValue = 8,
};
const char* name(SystemError e);
const char* message(SystemError e);  // Display text, e.g. "an account with the same address already exists"

// Pubkey::create_with_seed failures (PubkeyError -> InstructionError of the same name).
enum class PubkeyError : uint8_t { MaxSeedLengthExceeded, InvalidSeeds, IllegalOwner };
const char* name(PubkeyError e);
// sha256(base || seed || owner); seed <= 32 bytes; owner must not end with "ProgramDerivedAddress".
Expected<Pubkey, PubkeyError> create_with_seed(const Pubkey& base, std::string_view seed, const Pubkey& owner);

// SystemInstruction (bincode u32 tag = the enum index).
struct SystemInstruction {
  enum Kind : uint32_t {
    CreateAccount = 0, Assign = 1, Transfer = 2, CreateAccountWithSeed = 3, AdvanceNonceAccount = 4,
    WithdrawNonceAccount = 5, InitializeNonceAccount = 6, AuthorizeNonceAccount = 7, Allocate = 8,
    AllocateWithSeed = 9, AssignWithSeed = 10, TransferWithSeed = 11, UpgradeNonceAccount = 12,
    CreateAccountAllowPrefund = 13,
  };
  Kind kind = Transfer;
  uint64_t lamports = 0;  // CreateAccount*, Transfer*, WithdrawNonceAccount
  uint64_t space = 0;     // CreateAccount*, Allocate*
  Pubkey owner{};         // CreateAccount*, Assign*, Allocate/AssignWithSeed, TransferWithSeed (from_owner)
  Pubkey base{};          // *WithSeed (not TransferWithSeed)
  std::string seed;       // *WithSeed (TransferWithSeed: from_seed)
  Pubkey authority{};     // InitializeNonceAccount / AuthorizeNonceAccount
};
// nullopt = InstructionError::InvalidInstructionData (bad tag, short data, bad UTF-8, over limit).
std::optional<SystemInstruction> decode_system_instruction(std::span<const uint8_t> data);
std::vector<uint8_t> encode(const SystemInstruction& ix);

// Feature gates the builtins consult; defaults are mainnet's state as of this writing.
struct BuiltinFeatures {
  bool create_account_allow_prefund = false;  // SIMD-0312 (off: InvalidInstructionData)
  bool enable_bpf_loader_set_authority_checked_ix = true;
  bool enable_extend_program_checked = true;  // plain ExtendProgram is then rejected
  bool enable_loader_v4 = false;              // Migrate
};

// The System Program's entrypoint (Agave system_processor Entrypoint); the runtime charges
// kSystemProgramComputeUnits before calling it.
inline constexpr uint64_t kSystemProgramComputeUnits = 150;
InstructionResult process_system_instruction(InvokeContext& ic, const BuiltinFeatures& features = {});

// Helpers the builtins share (Agave BorrowedAccount::set_state, get_sysvar_with_account_check).
namespace builtin {
std::string b58(const Pubkey& k);
// Writes serialized state over the start of the account data: AccountDataTooSmall if it does not
// fit (the data length is unchanged), plus BorrowedAccount's own data-change checks.
InstructionResult set_state(BorrowedAccount& acc, std::span<const uint8_t> state);
// Instruction account `index` must be the sysvar (else InvalidArgument; missing account:
// NotEnoughAccountKeys); its value comes from the sysvar cache (absent: UnsupportedSysvar).
Expected<Rent, InstructionError> rent(InvokeContext& ic, size_t index);
Expected<uint64_t, InstructionError> clock_slot(InvokeContext& ic, size_t index);
Expected<uint64_t, InstructionError> recent_blockhashes_len(InvokeContext& ic, size_t index);
// The same values without the account check (sysvar cache only).
Expected<Rent, InstructionError> cached_rent(InvokeContext& ic);
Expected<uint64_t, InstructionError> cached_clock_slot(InvokeContext& ic);
}  // namespace builtin

}  // namespace lumio::svm
