#include "svm/system_program.hpp"

#include <cstring>

#include "common/hash.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {

namespace bincode {
namespace {
bool valid_utf8(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + len > n) return false;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (Rust's from_utf8).
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += len;
  }
  return true;
}
}  // namespace

std::string Reader::string() {
  auto b = bytes();
  if (!ok_ || !valid_utf8(b.data(), b.size())) {
    ok_ = false;
    return {};
  }
  return std::string(b.begin(), b.end());
}
}  // namespace bincode

Pubkey id_from_base58(std::string_view s) {
  Pubkey k{};
  auto v = base58_decode(s);
  if (v && v->size() == 32) std::memcpy(k.data(), v->data(), 32);
  return k;
}

const Pubkey& system_program_id() {
  static const Pubkey k{};
  return k;
}
const Pubkey& native_loader_id() {
  static const Pubkey k = id_from_base58("NativeLoader1111111111111111111111111111111");
  return k;
}
const Pubkey& recent_blockhashes_sysvar_id() {
  static const Pubkey k = id_from_base58("SysvarRecentB1ockHashes11111111111111111111");
  return k;
}
const Pubkey& rent_sysvar_id() {
  static const Pubkey k = id_from_base58("SysvarRent111111111111111111111111111111111");
  return k;
}
const Pubkey& clock_sysvar_id() {
  static const Pubkey k = id_from_base58("SysvarC1ock11111111111111111111111111111111");
  return k;
}

const char* name(SystemError e) {
  switch (e) {
    case SystemError::AccountAlreadyInUse: return "AccountAlreadyInUse";
    case SystemError::ResultWithNegativeLamports: return "ResultWithNegativeLamports";
    case SystemError::InvalidProgramId: return "InvalidProgramId";
    case SystemError::InvalidAccountDataLength: return "InvalidAccountDataLength";
    case SystemError::MaxSeedLengthExceeded: return "MaxSeedLengthExceeded";
    case SystemError::AddressWithSeedMismatch: return "AddressWithSeedMismatch";
    case SystemError::NonceNoRecentBlockhashes: return "NonceNoRecentBlockhashes";
    case SystemError::NonceBlockhashNotExpired: return "NonceBlockhashNotExpired";
    case SystemError::NonceUnexpectedBlockhashValue: return "NonceUnexpectedBlockhashValue";
  }
  return "?";
}

const char* message(SystemError e) {
  switch (e) {
    case SystemError::AccountAlreadyInUse: return "an account with the same address already exists";
    case SystemError::ResultWithNegativeLamports:
      return "account does not have enough SOL to perform the operation";
    case SystemError::InvalidProgramId: return "cannot assign account to this program id";
    case SystemError::InvalidAccountDataLength: return "cannot allocate account data of this length";
    case SystemError::MaxSeedLengthExceeded: return "length of requested seed is too long";
    case SystemError::AddressWithSeedMismatch:
      return "provided address does not match addressed derived from seed";
    case SystemError::NonceNoRecentBlockhashes:
      return "advancing stored nonce requires a populated RecentBlockhashes sysvar";
    case SystemError::NonceBlockhashNotExpired: return "stored nonce is still in recent_blockhashes";
    case SystemError::NonceUnexpectedBlockhashValue: return "specified nonce does not match stored nonce";
  }
  return "?";
}

const char* name(PubkeyError e) {
  switch (e) {
    case PubkeyError::MaxSeedLengthExceeded: return "MaxSeedLengthExceeded";
    case PubkeyError::InvalidSeeds: return "InvalidSeeds";
    case PubkeyError::IllegalOwner: return "IllegalOwner";
  }
  return "?";
}

Expected<Pubkey, PubkeyError> create_with_seed(const Pubkey& base, std::string_view seed, const Pubkey& owner) {
  if (seed.size() > kMaxSeedLen) return PubkeyError::MaxSeedLengthExceeded;
  static constexpr std::string_view kMarker = "ProgramDerivedAddress";
  if (std::memcmp(owner.data() + 32 - kMarker.size(), kMarker.data(), kMarker.size()) == 0)
    return PubkeyError::IllegalOwner;
  std::vector<uint8_t> buf(base.begin(), base.end());
  buf.insert(buf.end(), seed.begin(), seed.end());
  buf.insert(buf.end(), owner.begin(), owner.end());
  Hash32 h = sha256(BytesView(buf.data(), buf.size()));
  Pubkey out;
  std::memcpy(out.data(), h.data(), 32);
  return out;
}

std::optional<SystemInstruction> decode_system_instruction(std::span<const uint8_t> data) {
  bincode::Reader r(data, kInstructionDataLimit);
  SystemInstruction ix;
  uint32_t tag = r.u32();
  if (!r.ok() || tag > SystemInstruction::CreateAccountAllowPrefund) return std::nullopt;
  ix.kind = SystemInstruction::Kind(tag);
  switch (ix.kind) {
    case SystemInstruction::CreateAccount:
    case SystemInstruction::CreateAccountAllowPrefund:
      ix.lamports = r.u64();
      ix.space = r.u64();
      ix.owner = r.pubkey();
      break;
    case SystemInstruction::Assign: ix.owner = r.pubkey(); break;
    case SystemInstruction::Transfer:
    case SystemInstruction::WithdrawNonceAccount: ix.lamports = r.u64(); break;
    case SystemInstruction::CreateAccountWithSeed:
      ix.base = r.pubkey();
      ix.seed = r.string();
      ix.lamports = r.u64();
      ix.space = r.u64();
      ix.owner = r.pubkey();
      break;
    case SystemInstruction::AdvanceNonceAccount:
    case SystemInstruction::UpgradeNonceAccount: break;
    case SystemInstruction::InitializeNonceAccount:
    case SystemInstruction::AuthorizeNonceAccount: ix.authority = r.pubkey(); break;
    case SystemInstruction::Allocate: ix.space = r.u64(); break;
    case SystemInstruction::AllocateWithSeed:
      ix.base = r.pubkey();
      ix.seed = r.string();
      ix.space = r.u64();
      ix.owner = r.pubkey();
      break;
    case SystemInstruction::AssignWithSeed:
      ix.base = r.pubkey();
      ix.seed = r.string();
      ix.owner = r.pubkey();
      break;
    case SystemInstruction::TransferWithSeed:
      ix.lamports = r.u64();
      ix.seed = r.string();
      ix.owner = r.pubkey();
      break;
  }
  if (!r.ok()) return std::nullopt;
  return ix;
}

std::vector<uint8_t> encode(const SystemInstruction& ix) {
  using namespace bincode;
  std::vector<uint8_t> o;
  put_u32(o, ix.kind);
  switch (ix.kind) {
    case SystemInstruction::CreateAccount:
    case SystemInstruction::CreateAccountAllowPrefund:
      put_u64(o, ix.lamports);
      put_u64(o, ix.space);
      put_pubkey(o, ix.owner);
      break;
    case SystemInstruction::Assign: put_pubkey(o, ix.owner); break;
    case SystemInstruction::Transfer:
    case SystemInstruction::WithdrawNonceAccount: put_u64(o, ix.lamports); break;
    case SystemInstruction::CreateAccountWithSeed:
      put_pubkey(o, ix.base);
      put_string(o, ix.seed);
      put_u64(o, ix.lamports);
      put_u64(o, ix.space);
      put_pubkey(o, ix.owner);
      break;
    case SystemInstruction::AdvanceNonceAccount:
    case SystemInstruction::UpgradeNonceAccount: break;
    case SystemInstruction::InitializeNonceAccount:
    case SystemInstruction::AuthorizeNonceAccount: put_pubkey(o, ix.authority); break;
    case SystemInstruction::Allocate: put_u64(o, ix.space); break;
    case SystemInstruction::AllocateWithSeed:
      put_pubkey(o, ix.base);
      put_string(o, ix.seed);
      put_u64(o, ix.space);
      put_pubkey(o, ix.owner);
      break;
    case SystemInstruction::AssignWithSeed:
      put_pubkey(o, ix.base);
      put_string(o, ix.seed);
      put_pubkey(o, ix.owner);
      break;
    case SystemInstruction::TransferWithSeed:
      put_u64(o, ix.lamports);
      put_string(o, ix.seed);
      put_pubkey(o, ix.owner);
      break;
  }
  return o;
}

}  // namespace lumio::svm
