#include "svm/system_program.hpp"

#include <cstring>
#include <set>

#include "common/hash.hpp"
#include "svm/nonce.hpp"
#include "svm/runtime.hpp"
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

// ---------------------------------------------------------------------------------------------
// Shared builtin helpers

namespace builtin {

std::string b58(const Pubkey& k) { return base58(k.data(), k.size()); }

InstructionResult set_state(BorrowedAccount& acc, std::span<const uint8_t> state) {
  auto data = acc.data_mut();
  if (!data.ok()) return data.error();
  if (state.size() > data->size()) return InstructionError::AccountDataTooSmall;
  std::copy(state.begin(), state.end(), data->begin());
  return std::nullopt;
}

namespace {
InstructionResult check_sysvar_account(InvokeContext& ic, size_t index, const Pubkey& id) {
  const Pubkey* key = ic.key_of_instruction_account(index);
  if (!key) return InstructionError::NotEnoughAccountKeys;
  if (*key != id) return InstructionError::InvalidArgument;
  return std::nullopt;
}
}  // namespace

Expected<Rent, InstructionError> cached_rent(InvokeContext& ic) {
  const std::vector<uint8_t>* d = ic.sysvar(ids::sysvar_rent);
  if (!d) return InstructionError(InstructionError::UnsupportedSysvar);
  bincode::Reader r(*d);
  Rent rent;
  rent.lamports_per_byte_year = r.u64();
  uint64_t bits = r.u64();
  std::memcpy(&rent.exemption_threshold, &bits, 8);
  rent.burn_percent = r.u8();
  if (!r.ok()) return InstructionError(InstructionError::UnsupportedSysvar);
  return rent;
}

Expected<uint64_t, InstructionError> cached_clock_slot(InvokeContext& ic) {
  const std::vector<uint8_t>* d = ic.sysvar(ids::sysvar_clock);
  if (!d) return InstructionError(InstructionError::UnsupportedSysvar);
  bincode::Reader r(*d);
  uint64_t slot = r.u64();  // Clock { slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp }
  if (!r.ok()) return InstructionError(InstructionError::UnsupportedSysvar);
  return slot;
}

Expected<Rent, InstructionError> rent(InvokeContext& ic, size_t index) {
  if (auto e = check_sysvar_account(ic, index, ids::sysvar_rent)) return *e;
  return cached_rent(ic);
}

Expected<uint64_t, InstructionError> clock_slot(InvokeContext& ic, size_t index) {
  if (auto e = check_sysvar_account(ic, index, ids::sysvar_clock)) return *e;
  return cached_clock_slot(ic);
}

Expected<uint64_t, InstructionError> recent_blockhashes_len(InvokeContext& ic, size_t index) {
  if (auto e = check_sysvar_account(ic, index, ids::sysvar_recent_blockhashes)) return *e;
  const std::vector<uint8_t>* d = ic.sysvar(ids::sysvar_recent_blockhashes);
  if (!d) return InstructionError(InstructionError::UnsupportedSysvar);
  bincode::Reader r(*d);
  uint64_t n = r.u64();  // Vec<Entry { blockhash, fee_calculator }>
  if (!r.ok()) return InstructionError(InstructionError::UnsupportedSysvar);
  return n;
}

}  // namespace builtin

// ---------------------------------------------------------------------------------------------
// System Program processor (system_processor.rs + system_instruction.rs)

namespace {

using builtin::b58;
using Signers = std::set<Pubkey>;

InstructionError custom(SystemError e) { return InstructionError(InstructionError::Custom, uint32_t(e)); }
InstructionError pubkey_error(PubkeyError e) {
  switch (e) {
    case PubkeyError::MaxSeedLengthExceeded: return InstructionError::MaxSeedLengthExceeded;
    case PubkeyError::InvalidSeeds: return InstructionError::InvalidSeeds;
    case PubkeyError::IllegalOwner: return InstructionError::IllegalOwner;
  }
  return InstructionError::InvalidSeeds;
}

// An address that may have been derived from a seed; `{:?}` prints like Rust's derived Debug.
struct Address {
  Pubkey address{};
  std::optional<Pubkey> base;
  bool is_signer(const Signers& s) const { return s.count(base ? *base : address) > 0; }
  std::string debug() const {
    return "Address { address: " + b58(address) + ", base: " + (base ? "Some(" + b58(*base) + ")" : "None") + " }";
  }
};

Expected<Address, InstructionError> make_address(InvokeContext& ic, const Pubkey& address, const SystemInstruction* seeded) {
  Address a{address, std::nullopt};
  if (seeded) {
    auto derived = create_with_seed(seeded->base, seeded->seed, seeded->owner);
    if (!derived.ok()) return pubkey_error(derived.error());
    if (address != *derived) {
      ic.log("Create: address " + b58(address) + " does not match derived address " + b58(*derived));
      return custom(SystemError::AddressWithSeedMismatch);
    }
    a.base = seeded->base;
  }
  return a;
}

Expected<Address, InstructionError> address_of(InvokeContext& ic, size_t index, const SystemInstruction* seeded) {
  const Pubkey* key = ic.key_of_instruction_account(index);
  if (!key) return InstructionError(InstructionError::NotEnoughAccountKeys);
  return make_address(ic, *key, seeded);
}

InstructionResult allocate(InvokeContext& ic, BorrowedAccount& acc, const Address& address, uint64_t space,
                           const Signers& signers) {
  if (!address.is_signer(signers)) {
    ic.log("Allocate: 'to' account " + address.debug() + " must sign");
    return InstructionError::MissingRequiredSignature;
  }
  // An account with data or a non-system owner is already in use.
  if (!acc.data().empty() || acc.owner() != ids::system_program) {
    ic.log("Allocate: account " + address.debug() + " already in use");
    return custom(SystemError::AccountAlreadyInUse);
  }
  if (space > kSystemMaxPermittedDataLength) {
    ic.log("Allocate: requested " + std::to_string(space) + ", max allowed " +
           std::to_string(kSystemMaxPermittedDataLength));
    return custom(SystemError::InvalidAccountDataLength);
  }
  return acc.set_data_length(size_t(space));
}

InstructionResult assign(InvokeContext& ic, BorrowedAccount& acc, const Address& address, const Pubkey& owner,
                         const Signers& signers) {
  if (acc.owner() == owner) return std::nullopt;  // nothing to do
  if (!address.is_signer(signers)) {
    ic.log("Assign: account " + address.debug() + " must sign");
    return InstructionError::MissingRequiredSignature;
  }
  return acc.set_owner(owner);
}

InstructionResult allocate_and_assign(InvokeContext& ic, BorrowedAccount& acc, const Address& address,
                                      uint64_t space, const Pubkey& owner, const Signers& signers) {
  if (auto e = allocate(ic, acc, address, space, signers)) return e;
  return assign(ic, acc, address, owner, signers);
}

InstructionResult transfer_verified(InvokeContext& ic, size_t from_index, size_t to_index, uint64_t lamports) {
  {
    auto from = ic.borrow_instruction_account(from_index);
    if (!from.ok()) return from.error();
    if (!from->data().empty()) {
      ic.log("Transfer: `from` must not carry data");
      return InstructionError::InvalidArgument;
    }
    if (lamports > from->lamports()) {
      ic.log("Transfer: insufficient lamports " + std::to_string(from->lamports()) + ", need " +
             std::to_string(lamports));
      return custom(SystemError::ResultWithNegativeLamports);
    }
    if (auto e = from->checked_sub_lamports(lamports)) return e;
  }
  auto to = ic.borrow_instruction_account(to_index);
  if (!to.ok()) return to.error();
  return to->checked_add_lamports(lamports);
}

InstructionResult transfer(InvokeContext& ic, size_t from_index, size_t to_index, uint64_t lamports) {
  if (!ic.is_instruction_account_signer(from_index)) {
    const Pubkey* key = ic.key_of_instruction_account(from_index);
    if (!key) return InstructionError::NotEnoughAccountKeys;
    ic.log("Transfer: `from` account " + b58(*key) + " must sign");
    return InstructionError::MissingRequiredSignature;
  }
  return transfer_verified(ic, from_index, to_index, lamports);
}

InstructionResult create_account(InvokeContext& ic, const Address& to_address, uint64_t lamports, uint64_t space,
                                  const Pubkey& owner, const Signers& signers) {
  {
    auto to = ic.borrow_instruction_account(1);
    if (!to.ok()) return to.error();
    if (to->lamports() > 0) {
      ic.log("Create Account: account " + to_address.debug() + " already in use");
      return custom(SystemError::AccountAlreadyInUse);
    }
    if (auto e = allocate_and_assign(ic, *to, to_address, space, owner, signers)) return e;
  }
  return transfer(ic, 0, 1, lamports);
}

InstructionResult transfer_with_seed(InvokeContext& ic, const SystemInstruction& ix) {
  const Pubkey* base = ic.key_of_instruction_account(1);
  const Pubkey* from = ic.key_of_instruction_account(0);
  if (!base || !from) return InstructionError::NotEnoughAccountKeys;
  if (!ic.is_instruction_account_signer(1)) {
    ic.log("Transfer: 'from' account " + b58(*base) + " must sign");
    return InstructionError::MissingRequiredSignature;
  }
  auto derived = create_with_seed(*base, ix.seed, ix.owner);
  if (!derived.ok()) return pubkey_error(derived.error());
  if (*from != *derived) {
    ic.log("Transfer: 'from' address " + b58(*from) + " does not match derived address " + b58(*derived));
    return custom(SystemError::AddressWithSeedMismatch);
  }
  return transfer_verified(ic, 0, 2, ix.lamports);
}

// The bank's blockhash and its lamports per signature (Agave EnvironmentConfig).
Hash env_blockhash(const InvokeContext& ic) {
  return ic.env.recent_blockhashes.empty() ? Hash{} : ic.env.recent_blockhashes.front();
}

InstructionResult advance_nonce(InvokeContext& ic, BorrowedAccount& me, const Signers& signers) {
  if (!me.is_writable()) {
    ic.log("Advance nonce account: Account " + b58(me.key()) + " must be writeable");
    return InstructionError::InvalidArgument;
  }
  auto state = decode_nonce(me.data());
  if (!state) return InstructionError::InvalidAccountData;
  if (!state->data) {
    ic.log("Advance nonce account: Account " + b58(me.key()) + " state is invalid");
    return InstructionError::InvalidAccountData;
  }
  const NonceData& data = *state->data;
  if (!signers.count(data.authority)) {
    ic.log("Advance nonce account: Account " + b58(data.authority) + " must be a signer");
    return InstructionError::MissingRequiredSignature;
  }
  Hash next = durable_nonce_from_blockhash(env_blockhash(ic));
  if (data.durable_nonce == next) {
    ic.log("Advance nonce account: nonce can only advance once per slot");
    return custom(SystemError::NonceBlockhashNotExpired);
  }
  NonceVersions v{false, NonceData{data.authority, next, ic.env.lamports_per_signature}};
  return builtin::set_state(me, encode(v));
}

InstructionResult withdraw_nonce(InvokeContext& ic, uint64_t lamports, const Rent& rent, const Signers& signers) {
  Pubkey signer;
  {
    auto from = ic.borrow_instruction_account(0);
    if (!from.ok()) return from.error();
    if (!from->is_writable()) {
      ic.log("Withdraw nonce account: Account " + b58(from->key()) + " must be writeable");
      return InstructionError::InvalidArgument;
    }
    auto state = decode_nonce(from->data());
    if (!state) return InstructionError::InvalidAccountData;
    if (!state->data) {
      if (lamports > from->lamports()) {
        ic.log("Withdraw nonce account: insufficient lamports " + std::to_string(from->lamports()) + ", need " +
               std::to_string(lamports));
        return InstructionError::InsufficientFunds;
      }
      signer = from->key();
    } else {
      if (lamports == from->lamports()) {
        // Emptying the account deinitializes it, but not in the slot its nonce was stored.
        if (state->data->durable_nonce == durable_nonce_from_blockhash(env_blockhash(ic))) {
          ic.log("Withdraw nonce account: nonce can only advance once per slot");
          return custom(SystemError::NonceBlockhashNotExpired);
        }
        if (auto e = builtin::set_state(*from, encode(NonceVersions{}))) return e;
      } else {
        uint64_t min_balance = rent.minimum_balance(from->data().size());
        if (lamports > UINT64_MAX - min_balance) return InstructionError::InsufficientFunds;  // checked_add
        uint64_t amount = lamports + min_balance;
        if (amount > from->lamports()) {
          ic.log("Withdraw nonce account: insufficient lamports " + std::to_string(from->lamports()) + ", need " +
                 std::to_string(amount));
          return InstructionError::InsufficientFunds;
        }
      }
      signer = state->data->authority;
    }
    if (!signers.count(signer)) {
      ic.log("Withdraw nonce account: Account " + b58(signer) + " must sign");
      return InstructionError::MissingRequiredSignature;
    }
    if (auto e = from->checked_sub_lamports(lamports)) return e;
  }
  auto to = ic.borrow_instruction_account(1);
  if (!to.ok()) return to.error();
  return to->checked_add_lamports(lamports);
}

InstructionResult initialize_nonce(InvokeContext& ic, BorrowedAccount& me, const Pubkey& authority, const Rent& rent) {
  if (!me.is_writable()) {
    ic.log("Initialize nonce account: Account " + b58(me.key()) + " must be writeable");
    return InstructionError::InvalidArgument;
  }
  auto state = decode_nonce(me.data());
  if (!state) return InstructionError::InvalidAccountData;
  if (state->data) {
    ic.log("Initialize nonce account: Account " + b58(me.key()) + " state is invalid");
    return InstructionError::InvalidAccountData;
  }
  uint64_t min_balance = rent.minimum_balance(me.data().size());
  if (me.lamports() < min_balance) {
    ic.log("Initialize nonce account: insufficient lamports " + std::to_string(me.lamports()) + ", need " +
           std::to_string(min_balance));
    return InstructionError::InsufficientFunds;
  }
  NonceVersions v{false, NonceData{authority, durable_nonce_from_blockhash(env_blockhash(ic)),
                                   ic.env.lamports_per_signature}};
  return builtin::set_state(me, encode(v));
}

InstructionResult authorize_nonce(InvokeContext& ic, BorrowedAccount& me, const Pubkey& authority,
                                  const Signers& signers) {
  if (!me.is_writable()) {
    ic.log("Authorize nonce account: Account " + b58(me.key()) + " must be writeable");
    return InstructionError::InvalidArgument;
  }
  auto state = decode_nonce(me.data());
  if (!state) return InstructionError::InvalidAccountData;
  if (!state->data) {
    ic.log("Authorize nonce account: Account " + b58(me.key()) + " state is invalid");
    return InstructionError::InvalidAccountData;
  }
  if (!signers.count(state->data->authority)) {
    ic.log("Authorize nonce account: Account " + b58(state->data->authority) + " must sign");
    return InstructionError::MissingRequiredSignature;
  }
  state->data->authority = authority;  // the version (legacy/current) is kept
  return builtin::set_state(me, encode(*state));
}

}  // namespace

InstructionResult process_system_instruction(InvokeContext& ic, const BuiltinFeatures& features) {
  auto decoded = decode_system_instruction(ic.instruction_data());
  if (!decoded) return InstructionError::InvalidInstructionData;
  const SystemInstruction& ix = *decoded;
  Signers signers;
  for (size_t i = 0; i < ic.num_instruction_accounts(); ++i)
    if (ic.is_instruction_account_signer(i)) signers.insert(*ic.key_of_instruction_account(i));

  switch (ix.kind) {
    case SystemInstruction::CreateAccount:
    case SystemInstruction::CreateAccountWithSeed: {
      if (auto e = ic.check_number_of_instruction_accounts(2)) return e;
      bool seeded = ix.kind == SystemInstruction::CreateAccountWithSeed;
      auto to = address_of(ic, 1, seeded ? &ix : nullptr);
      if (!to.ok()) return to.error();
      return create_account(ic, *to, ix.lamports, ix.space, ix.owner, signers);
    }
    case SystemInstruction::Assign:
    case SystemInstruction::Allocate:
    case SystemInstruction::AllocateWithSeed:
    case SystemInstruction::AssignWithSeed: {
      if (auto e = ic.check_number_of_instruction_accounts(1)) return e;
      auto acc = ic.borrow_instruction_account(0);
      if (!acc.ok()) return acc.error();
      bool seeded = ix.kind == SystemInstruction::AllocateWithSeed || ix.kind == SystemInstruction::AssignWithSeed;
      auto address = address_of(ic, 0, seeded ? &ix : nullptr);
      if (!address.ok()) return address.error();
      if (ix.kind == SystemInstruction::Allocate) return allocate(ic, *acc, *address, ix.space, signers);
      if (ix.kind == SystemInstruction::AllocateWithSeed)
        return allocate_and_assign(ic, *acc, *address, ix.space, ix.owner, signers);
      return assign(ic, *acc, *address, ix.owner, signers);
    }
    case SystemInstruction::Transfer:
      if (auto e = ic.check_number_of_instruction_accounts(2)) return e;
      return transfer(ic, 0, 1, ix.lamports);
    case SystemInstruction::TransferWithSeed:
      if (auto e = ic.check_number_of_instruction_accounts(3)) return e;
      return transfer_with_seed(ic, ix);
    case SystemInstruction::AdvanceNonceAccount: {
      if (auto e = ic.check_number_of_instruction_accounts(1)) return e;
      auto me = ic.borrow_instruction_account(0);
      if (!me.ok()) return me.error();
      auto n = builtin::recent_blockhashes_len(ic, 1);
      if (!n.ok()) return n.error();
      if (*n == 0) {
        ic.log("Advance nonce account: recent blockhash list is empty");
        return custom(SystemError::NonceNoRecentBlockhashes);
      }
      return advance_nonce(ic, *me, signers);
    }
    case SystemInstruction::WithdrawNonceAccount: {
      if (auto e = ic.check_number_of_instruction_accounts(2)) return e;
      auto n = builtin::recent_blockhashes_len(ic, 2);
      if (!n.ok()) return n.error();
      auto rent = builtin::rent(ic, 3);
      if (!rent.ok()) return rent.error();
      return withdraw_nonce(ic, ix.lamports, *rent, signers);
    }
    case SystemInstruction::InitializeNonceAccount: {
      if (auto e = ic.check_number_of_instruction_accounts(1)) return e;
      auto me = ic.borrow_instruction_account(0);
      if (!me.ok()) return me.error();
      auto n = builtin::recent_blockhashes_len(ic, 1);
      if (!n.ok()) return n.error();
      if (*n == 0) {
        ic.log("Initialize nonce account: recent blockhash list is empty");
        return custom(SystemError::NonceNoRecentBlockhashes);
      }
      auto rent = builtin::rent(ic, 2);
      if (!rent.ok()) return rent.error();
      return initialize_nonce(ic, *me, ix.authority, *rent);
    }
    case SystemInstruction::AuthorizeNonceAccount: {
      if (auto e = ic.check_number_of_instruction_accounts(1)) return e;
      auto me = ic.borrow_instruction_account(0);
      if (!me.ok()) return me.error();
      return authorize_nonce(ic, *me, ix.authority, signers);
    }
    case SystemInstruction::UpgradeNonceAccount: {
      if (auto e = ic.check_number_of_instruction_accounts(1)) return e;
      auto acc = ic.borrow_instruction_account(0);
      if (!acc.ok()) return acc.error();
      if (acc->owner() != ids::system_program) return InstructionError::InvalidAccountOwner;
      if (!acc->is_writable()) return InstructionError::InvalidArgument;
      auto state = decode_nonce(acc->data());
      if (!state) return InstructionError::InvalidAccountData;
      auto upgraded = upgrade(*state);
      if (!upgraded) return InstructionError::InvalidArgument;
      return builtin::set_state(*acc, encode(*upgraded));
    }
    case SystemInstruction::CreateAccountAllowPrefund: {
      // Like CreateAccount without the zero-lamport check; the funding account (1) and the
      // transfer are only there when lamports > 0.
      if (!features.create_account_allow_prefund) return InstructionError::InvalidInstructionData;
      if (auto e = ic.check_number_of_instruction_accounts(ix.lamports > 0 ? 2 : 1)) return e;
      auto to_address = address_of(ic, 0, nullptr);
      if (!to_address.ok()) return to_address.error();
      {
        auto to = ic.borrow_instruction_account(0);
        if (!to.ok()) return to.error();
        if (auto e = allocate_and_assign(ic, *to, *to_address, ix.space, ix.owner, signers)) return e;
      }
      if (ix.lamports > 0) return transfer(ic, 1, 0, ix.lamports);
      return std::nullopt;
    }
  }
  return InstructionError::InvalidInstructionData;
}

}  // namespace lumio::svm
