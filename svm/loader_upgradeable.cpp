#include "svm/loader_upgradeable.hpp"

#include "svm/account.hpp"
#include "svm/syscalls.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {

std::optional<UpgradeableLoaderState> decode_loader_state(std::span<const uint8_t> data) {
  bincode::Reader r(data);
  UpgradeableLoaderState s;
  uint32_t tag = r.u32();
  if (!r.ok() || tag > UpgradeableLoaderState::ProgramData) return std::nullopt;
  s.kind = UpgradeableLoaderState::Kind(tag);
  switch (s.kind) {
    case UpgradeableLoaderState::Uninitialized: break;
    case UpgradeableLoaderState::Buffer: s.authority = r.option_pubkey(); break;
    case UpgradeableLoaderState::Program: s.programdata_address = r.pubkey(); break;
    case UpgradeableLoaderState::ProgramData:
      s.slot = r.u64();
      s.authority = r.option_pubkey();
      break;
  }
  if (!r.ok()) return std::nullopt;
  return s;
}

std::vector<uint8_t> encode(const UpgradeableLoaderState& s) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, s.kind);
  switch (s.kind) {
    case UpgradeableLoaderState::Uninitialized: break;
    case UpgradeableLoaderState::Buffer: bincode::put_option_pubkey(o, s.authority); break;
    case UpgradeableLoaderState::Program: bincode::put_pubkey(o, s.programdata_address); break;
    case UpgradeableLoaderState::ProgramData:
      bincode::put_u64(o, s.slot);
      bincode::put_option_pubkey(o, s.authority);
      break;
  }
  return o;
}

std::optional<UpgradeableLoaderInstruction> decode_loader_instruction(std::span<const uint8_t> data) {
  bincode::Reader r(data, kInstructionDataLimit);
  UpgradeableLoaderInstruction ix;
  uint32_t tag = r.u32();
  if (!r.ok() || tag > UpgradeableLoaderInstruction::ExtendProgramChecked) return std::nullopt;
  ix.kind = UpgradeableLoaderInstruction::Kind(tag);
  switch (ix.kind) {
    case UpgradeableLoaderInstruction::Write:
      ix.offset = r.u32();
      ix.bytes = r.bytes();
      break;
    case UpgradeableLoaderInstruction::DeployWithMaxDataLen: ix.max_data_len = r.u64(); break;
    case UpgradeableLoaderInstruction::ExtendProgram:
    case UpgradeableLoaderInstruction::ExtendProgramChecked: ix.additional_bytes = r.u32(); break;
    default: break;
  }
  if (!r.ok()) return std::nullopt;
  return ix;
}

std::vector<uint8_t> encode(const UpgradeableLoaderInstruction& ix) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, ix.kind);
  switch (ix.kind) {
    case UpgradeableLoaderInstruction::Write:
      bincode::put_u32(o, ix.offset);
      bincode::put_bytes(o, ix.bytes);
      break;
    case UpgradeableLoaderInstruction::DeployWithMaxDataLen: bincode::put_u64(o, ix.max_data_len); break;
    case UpgradeableLoaderInstruction::ExtendProgram:
    case UpgradeableLoaderInstruction::ExtendProgramChecked: bincode::put_u32(o, ix.additional_bytes); break;
    default: break;
  }
  return o;
}

Pubkey programdata_address(const Pubkey& program_id) {
  for (int bump = 255; bump >= 0; --bump) {
    uint8_t b = uint8_t(bump);
    std::span<const uint8_t> seeds[2] = {program_id, {&b, 1}};
    if (auto k = create_program_address(seeds, ids::bpf_loader_upgradeable)) return *k;
  }
  return Pubkey{};  // unreachable in practice: some bump is off-curve
}

// ---------------------------------------------------------------------------------------------
// Processor (Agave programs/bpf_loader process_loader_upgradeable_instruction)

namespace {

using State = UpgradeableLoaderState;
using builtin::b58;
constexpr size_t kBufferOffset = State::kSizeOfBufferMetadata;
constexpr size_t kProgramDataOffset = State::kSizeOfProgramDataMetadata;

std::string debug(const std::optional<Pubkey>& k) { return k ? "Some(" + b58(*k) + ")" : "None"; }

Expected<State, InstructionError> get_state(const BorrowedAccount& a) {
  auto s = decode_loader_state(a.data());
  if (!s) return InstructionError(InstructionError::InvalidAccountData);
  return *s;
}

InstructionResult set_state(BorrowedAccount& a, const State& s) { return builtin::set_state(a, encode(s)); }

const Pubkey& key_at(InvokeContext& ic, size_t i) { return *ic.key_of_instruction_account(i); }

#define TRY(expr)                      \
  do {                                 \
    if (auto e_ = (expr)) return *e_;  \
  } while (0)
#define BORROW(name, index)                      \
  auto name##_r = ic.borrow_instruction_account(index); \
  if (!name##_r.ok()) return name##_r.error();   \
  BorrowedAccount& name = *name##_r

InstructionResult fail(InvokeContext& ic, const char* msg, InstructionError::Kind k) {
  ic.log(msg);
  return k;
}

InstructionResult write_program_data(InvokeContext& ic, size_t offset, std::span<const uint8_t> bytes) {
  BORROW(program, 0);
  auto data = program.data_mut();
  if (!data.ok()) return data.error();
  size_t end = offset + bytes.size();
  if (data->size() < end) {
    ic.log("Write overflow: " + std::to_string(data->size()) + " < " + std::to_string(end));
    return InstructionError::AccountDataTooSmall;
  }
  std::copy(bytes.begin(), bytes.end(), data->begin() + offset);
  return std::nullopt;
}

// deploy_program! over the bytes of instruction account `index` from `offset` on.
InstructionResult deploy_from(InvokeContext& ic, size_t index, size_t offset, const Pubkey& program_id, uint64_t slot) {
  std::vector<uint8_t> elf;
  {
    BORROW(account, index);
    if (account.data().size() < offset) return InstructionError::AccountDataTooSmall;
    elf.assign(account.data().begin() + offset, account.data().end());
  }
  return ic.deploy_program(program_id, elf, slot);
}

InstructionResult common_close_account(InvokeContext& ic, const std::optional<Pubkey>& authority) {
  if (!authority) return fail(ic, "Account is immutable", InstructionError::Immutable);
  if (*authority != key_at(ic, 2)) return fail(ic, "Incorrect authority provided", InstructionError::IncorrectAuthority);
  if (!ic.is_instruction_account_signer(2))
    return fail(ic, "Authority did not sign", InstructionError::MissingRequiredSignature);
  BORROW(close, 0);
  BORROW(recipient, 1);
  TRY(recipient.checked_add_lamports(close.lamports()));
  TRY(close.set_lamports(0));
  return set_state(close, State{});
}

InstructionResult initialize_buffer(InvokeContext& ic) {
  TRY(ic.check_number_of_instruction_accounts(2));
  BORROW(buffer, 0);
  auto state = get_state(buffer);
  if (!state.ok()) return state.error();
  if (state->kind != State::Uninitialized)
    return fail(ic, "Buffer account already initialized", InstructionError::AccountAlreadyInitialized);
  State s;
  s.kind = State::Buffer;
  s.authority = key_at(ic, 1);
  return set_state(buffer, s);
}

InstructionResult write(InvokeContext& ic, const UpgradeableLoaderInstruction& ix) {
  TRY(ic.check_number_of_instruction_accounts(2));
  {
    BORROW(buffer, 0);
    auto state = get_state(buffer);
    if (!state.ok()) return state.error();
    if (state->kind != State::Buffer) return fail(ic, "Invalid Buffer account", InstructionError::InvalidAccountData);
    if (!state->authority) return fail(ic, "Buffer is immutable", InstructionError::Immutable);
    if (*state->authority != key_at(ic, 1))
      return fail(ic, "Incorrect buffer authority provided", InstructionError::IncorrectAuthority);
    if (!ic.is_instruction_account_signer(1))
      return fail(ic, "Buffer authority did not sign", InstructionError::MissingRequiredSignature);
  }
  return write_program_data(ic, kBufferOffset + ix.offset, ix.bytes);
}

InstructionResult deploy_with_max_data_len(InvokeContext& ic, uint64_t max_data_len) {
  TRY(ic.check_number_of_instruction_accounts(4));
  const Pubkey payer_key = key_at(ic, 0);
  const Pubkey programdata_key = key_at(ic, 1);
  auto rent = builtin::rent(ic, 4);
  if (!rent.ok()) return rent.error();
  auto slot = builtin::clock_slot(ic, 5);
  if (!slot.ok()) return slot.error();
  TRY(ic.check_number_of_instruction_accounts(8));
  const Pubkey authority_key = key_at(ic, 7);

  Pubkey new_program_id;
  {  // Program account: uninitialized, big enough for Program state, rent-exempt.
    BORROW(program, 2);
    auto state = get_state(program);
    if (!state.ok()) return state.error();
    if (state->kind != State::Uninitialized)
      return fail(ic, "Program account already initialized", InstructionError::AccountAlreadyInitialized);
    if (program.data().size() < State::kSizeOfProgram)
      return fail(ic, "Program account too small", InstructionError::AccountDataTooSmall);
    if (program.lamports() < rent->minimum_balance(program.data().size()))
      return fail(ic, "Program account not rent-exempt", InstructionError::ExecutableAccountNotRentExempt);
    new_program_id = program.key();
  }
  Pubkey buffer_key;
  size_t buffer_data_len;
  {  // Buffer: owned by the same authority, which signs.
    BORROW(buffer, 3);
    auto state = get_state(buffer);
    if (!state.ok()) return state.error();
    if (state->kind != State::Buffer) return fail(ic, "Invalid Buffer account", InstructionError::InvalidArgument);
    if (state->authority != authority_key)
      return fail(ic, "Buffer and upgrade authority don't match", InstructionError::IncorrectAuthority);
    if (!ic.is_instruction_account_signer(7))
      return fail(ic, "Upgrade authority did not sign", InstructionError::MissingRequiredSignature);
    buffer_key = buffer.key();
    buffer_data_len = buffer.data().size() > kBufferOffset ? buffer.data().size() - kBufferOffset : 0;
    if (buffer.data().size() < kBufferOffset || buffer_data_len == 0)
      return fail(ic, "Buffer account too small", InstructionError::InvalidAccountData);
  }
  if (max_data_len < buffer_data_len)
    return fail(ic, "Max data length is too small to hold Buffer data", InstructionError::AccountDataTooSmall);
  // size_of_programdata saturates like Rust's saturating_add.
  uint64_t programdata_len = max_data_len > UINT64_MAX - kProgramDataOffset ? UINT64_MAX : kProgramDataOffset + max_data_len;
  if (programdata_len > kSystemMaxPermittedDataLength)
    return fail(ic, "Max data length is too large", InstructionError::InvalidArgument);
  if (programdata_address(new_program_id) != programdata_key)
    return fail(ic, "ProgramData address is not derived", InstructionError::InvalidArgument);

  {  // Drain the buffer to the payer, who then pays for the ProgramData account.
    BORROW(buffer, 3);
    BORROW(payer, 0);
    TRY(payer.checked_add_lamports(buffer.lamports()));
    TRY(buffer.set_lamports(0));
  }
  SystemInstruction create;
  create.kind = SystemInstruction::CreateAccount;
  create.lamports = std::max<uint64_t>(1, rent->minimum_balance(programdata_len));
  create.space = programdata_len;
  create.owner = ids::bpf_loader_upgradeable;
  // The buffer rides along to avoid the overly strict UnbalancedInstruction check.
  Instruction cpi{ids::system_program,
                  {{payer_key, true, true}, {programdata_key, true, true}, {buffer_key, false, true}},
                  encode(create)};
  Pubkey pda_signer[1] = {programdata_key};
  TRY(ic.native_invoke(cpi, pda_signer));

  // Load and verify the program bits (deploy-time rules), effective from the next slot.
  TRY(deploy_from(ic, 3, kBufferOffset, new_program_id, *slot));
  {  // ProgramData: header, then the program bits; the buffer shrinks to its header.
    BORROW(programdata, 1);
    State pd;
    pd.kind = State::ProgramData;
    pd.slot = *slot;
    pd.authority = authority_key;
    TRY(set_state(programdata, pd));
    auto dst = programdata.data_mut();
    if (!dst.ok()) return dst.error();
    if (dst->size() < kProgramDataOffset + buffer_data_len) return InstructionError::AccountDataTooSmall;
    BORROW(buffer, 3);
    std::copy(buffer.data().begin() + kBufferOffset, buffer.data().end(), dst->begin() + kProgramDataOffset);
    TRY(buffer.set_data_length(State::size_of_buffer(0)));
  }
  {
    BORROW(program, 2);
    State p;
    p.kind = State::Program;
    p.programdata_address = programdata_key;
    TRY(set_state(program, p));
    TRY(program.set_executable(true));
  }
  ic.log("Deployed program " + b58(new_program_id));
  return std::nullopt;
}

InstructionResult upgrade(InvokeContext& ic) {
  TRY(ic.check_number_of_instruction_accounts(3));
  const Pubkey programdata_key = key_at(ic, 0);
  auto rent = builtin::rent(ic, 4);
  if (!rent.ok()) return rent.error();
  auto clock_slot = builtin::clock_slot(ic, 5);
  if (!clock_slot.ok()) return clock_slot.error();
  TRY(ic.check_number_of_instruction_accounts(7));
  const Pubkey authority_key = key_at(ic, 6);
  const Pubkey& loader = ic.program_id();

  Pubkey new_program_id;
  {
    BORROW(program, 1);
    if (!program.is_writable()) return fail(ic, "Program account not writeable", InstructionError::InvalidArgument);
    if (program.owner() != loader)
      return fail(ic, "Program account not owned by loader", InstructionError::IncorrectProgramId);
    auto state = get_state(program);
    if (!state.ok()) return state.error();
    if (state->kind != State::Program) return fail(ic, "Invalid Program account", InstructionError::InvalidAccountData);
    if (state->programdata_address != programdata_key)
      return fail(ic, "Program and ProgramData account mismatch", InstructionError::InvalidArgument);
    new_program_id = program.key();
  }
  uint64_t buffer_lamports;
  size_t buffer_data_len;
  {
    BORROW(buffer, 2);
    auto state = get_state(buffer);
    if (!state.ok()) return state.error();
    if (state->kind != State::Buffer) return fail(ic, "Invalid Buffer account", InstructionError::InvalidArgument);
    if (state->authority != authority_key)
      return fail(ic, "Buffer and upgrade authority don't match", InstructionError::IncorrectAuthority);
    if (!ic.is_instruction_account_signer(6))
      return fail(ic, "Upgrade authority did not sign", InstructionError::MissingRequiredSignature);
    buffer_lamports = buffer.lamports();
    buffer_data_len = buffer.data().size() > kBufferOffset ? buffer.data().size() - kBufferOffset : 0;
    if (buffer.data().size() < kBufferOffset || buffer_data_len == 0)
      return fail(ic, "Buffer account too small", InstructionError::InvalidAccountData);
  }
  uint64_t balance_required;
  {
    BORROW(programdata, 0);
    balance_required = std::max<uint64_t>(1, rent->minimum_balance(programdata.data().size()));
    if (programdata.data().size() < State::size_of_programdata(buffer_data_len))
      return fail(ic, "ProgramData account not large enough", InstructionError::AccountDataTooSmall);
    uint64_t total = programdata.lamports() > UINT64_MAX - buffer_lamports ? UINT64_MAX
                                                                           : programdata.lamports() + buffer_lamports;
    if (total < balance_required)
      return fail(ic, "Buffer account balance too low to fund upgrade", InstructionError::InsufficientFunds);
    auto state = get_state(programdata);
    if (!state.ok()) return state.error();
    if (state->kind != State::ProgramData)
      return fail(ic, "Invalid ProgramData account", InstructionError::InvalidAccountData);
    if (*clock_slot == state->slot)
      return fail(ic, "Program was deployed in this block already", InstructionError::InvalidArgument);
    if (!state->authority) return fail(ic, "Program not upgradeable", InstructionError::Immutable);
    if (*state->authority != authority_key)
      return fail(ic, "Incorrect upgrade authority provided", InstructionError::IncorrectAuthority);
    if (!ic.is_instruction_account_signer(6))
      return fail(ic, "Upgrade authority did not sign", InstructionError::MissingRequiredSignature);
  }
  TRY(deploy_from(ic, 2, kBufferOffset, new_program_id, *clock_slot));
  BORROW(programdata, 0);
  {
    State pd;
    pd.kind = State::ProgramData;
    pd.slot = *clock_slot;
    pd.authority = authority_key;
    TRY(set_state(programdata, pd));
    auto dst = programdata.data_mut();
    if (!dst.ok()) return dst.error();
    BORROW(buffer, 2);
    std::copy(buffer.data().begin() + kBufferOffset, buffer.data().end(), dst->begin() + kProgramDataOffset);
  }
  {  // Zero whatever the new program does not cover.
    auto dst = programdata.data_mut();
    if (!dst.ok()) return dst.error();
    std::fill(dst->begin() + kProgramDataOffset + buffer_data_len, dst->end(), 0);
  }
  // Fund ProgramData to rent exemption, spill the rest.
  BORROW(buffer, 2);
  BORROW(spill, 3);
  uint64_t total = programdata.lamports() > UINT64_MAX - buffer_lamports ? UINT64_MAX
                                                                         : programdata.lamports() + buffer_lamports;
  TRY(spill.checked_add_lamports(total > balance_required ? total - balance_required : 0));
  TRY(buffer.set_lamports(0));
  TRY(programdata.set_lamports(balance_required));
  TRY(buffer.set_data_length(State::size_of_buffer(0)));
  ic.log("Upgraded program " + b58(new_program_id));
  return std::nullopt;
}

InstructionResult set_authority(InvokeContext& ic, bool checked) {
  TRY(ic.check_number_of_instruction_accounts(checked ? 3 : 2));
  BORROW(account, 0);
  const Pubkey present = key_at(ic, 1);
  std::optional<Pubkey> new_authority;
  if (const Pubkey* k = ic.key_of_instruction_account(2)) new_authority = *k;
  auto state = get_state(account);
  if (!state.ok()) return state.error();
  bool buffer = state->kind == State::Buffer;
  if (!buffer && state->kind != State::ProgramData)
    return fail(ic, "Account does not support authorities", InstructionError::InvalidArgument);
  if (buffer && !checked && !new_authority)
    return fail(ic, "Buffer authority is not optional", InstructionError::IncorrectAuthority);
  if (!state->authority)
    return fail(ic, buffer ? "Buffer is immutable" : "Program not upgradeable", InstructionError::Immutable);
  if (*state->authority != present)
    return fail(ic, buffer ? "Incorrect buffer authority provided" : "Incorrect upgrade authority provided",
                InstructionError::IncorrectAuthority);
  if (!ic.is_instruction_account_signer(1))
    return fail(ic, buffer ? "Buffer authority did not sign" : "Upgrade authority did not sign",
                InstructionError::MissingRequiredSignature);
  if (checked && !ic.is_instruction_account_signer(2))
    return fail(ic, "New authority did not sign", InstructionError::MissingRequiredSignature);
  state->authority = new_authority;
  TRY(set_state(account, *state));
  ic.log("New authority " + (checked ? b58(*new_authority) : debug(new_authority)));
  return std::nullopt;
}

InstructionResult close(InvokeContext& ic) {
  TRY(ic.check_number_of_instruction_accounts(2));
  const auto& accs = ic.instruction().accounts;
  if (accs[0].index_in_transaction == accs[1].index_in_transaction)
    return fail(ic, "Recipient is the same as the account being closed", InstructionError::InvalidArgument);
  Pubkey close_key;
  State state;
  {
    BORROW(close_account, 0);
    close_key = close_account.key();
    auto s = get_state(close_account);
    if (!s.ok()) return s.error();
    state = *s;
    TRY(close_account.set_data_length(State::kSizeOfUninitialized));
    if (state.kind == State::Uninitialized) {
      BORROW(recipient, 1);
      TRY(recipient.checked_add_lamports(close_account.lamports()));
      TRY(close_account.set_lamports(0));
      ic.log("Closed Uninitialized " + b58(close_key));
      return std::nullopt;
    }
  }
  if (state.kind == State::Buffer) {
    TRY(ic.check_number_of_instruction_accounts(3));
    TRY(common_close_account(ic, state.authority));
    ic.log("Closed Buffer " + b58(close_key));
    return std::nullopt;
  }
  if (state.kind != State::ProgramData)
    return fail(ic, "Account does not support closing", InstructionError::InvalidArgument);
  TRY(ic.check_number_of_instruction_accounts(4));
  Pubkey program_key;
  {
    BORROW(program, 3);
    program_key = program.key();
    if (!program.is_writable()) return fail(ic, "Program account is not writable", InstructionError::InvalidArgument);
    if (program.owner() != ic.program_id())
      return fail(ic, "Program account not owned by loader", InstructionError::IncorrectProgramId);
    auto slot = builtin::cached_clock_slot(ic);
    if (!slot.ok()) return slot.error();
    if (*slot == state.slot)
      return fail(ic, "Program was deployed in this block already", InstructionError::InvalidArgument);
    auto ps = get_state(program);
    if (!ps.ok()) return ps.error();
    if (ps->kind != State::Program) return fail(ic, "Invalid Program account", InstructionError::InvalidArgument);
    if (ps->programdata_address != close_key)
      return fail(ic, "ProgramData account does not match ProgramData account", InstructionError::InvalidArgument);
  }
  TRY(common_close_account(ic, state.authority));
  // Agave also stores a Closed tombstone in the transaction's program cache; here the runtime sees
  // the emptied ProgramData when it next loads the program.
  ic.log("Closed Program " + b58(program_key));
  return std::nullopt;
}

InstructionResult extend_program(InvokeContext& ic, uint32_t additional_bytes, bool check_authority) {
  constexpr size_t kProgramData = 0, kProgram = 1, kAuthority = 2;
  const size_t payer_index = check_authority ? 4 : 3;
  if (additional_bytes == 0)
    return fail(ic, "Additional bytes must be greater than 0", InstructionError::InvalidInstructionData);
  const Pubkey& loader = ic.program_id();
  Pubkey programdata_key, program_key;
  size_t new_len;
  uint64_t clock_slot, required_payment;
  std::optional<Pubkey> upgrade_authority;
  {
    BORROW(programdata, kProgramData);
    programdata_key = programdata.key();
    if (programdata.owner() != loader)
      return fail(ic, "ProgramData owner is invalid", InstructionError::InvalidAccountOwner);
    if (!programdata.is_writable()) return fail(ic, "ProgramData is not writable", InstructionError::InvalidArgument);
    {
      BORROW(program, kProgram);
      if (!program.is_writable()) return fail(ic, "Program account is not writable", InstructionError::InvalidArgument);
      if (program.owner() != loader)
        return fail(ic, "Program account not owned by loader", InstructionError::InvalidAccountOwner);
      program_key = program.key();
      auto ps = get_state(program);
      if (!ps.ok()) return ps.error();
      if (ps->kind != State::Program) return fail(ic, "Invalid Program account", InstructionError::InvalidAccountData);
      if (ps->programdata_address != programdata_key)
        return fail(ic, "Program account does not match ProgramData account", InstructionError::InvalidArgument);
    }
    size_t old_len = programdata.data().size();
    new_len = old_len + additional_bytes;
    if (new_len > kSystemMaxPermittedDataLength) {
      ic.log("Extended ProgramData length of " + std::to_string(new_len) +
             " bytes exceeds max account data length of " + std::to_string(kSystemMaxPermittedDataLength) + " bytes");
      return InstructionError::InvalidRealloc;
    }
    auto slot = builtin::cached_clock_slot(ic);
    if (!slot.ok()) return slot.error();
    clock_slot = *slot;
    auto state = get_state(programdata);
    if (!state.ok()) return state.error();
    if (state->kind != State::ProgramData)
      return fail(ic, "ProgramData state is invalid", InstructionError::InvalidAccountData);
    if (clock_slot == state->slot)
      return fail(ic, "Program was extended in this block already", InstructionError::InvalidArgument);
    if (!state->authority)
      return fail(ic, "Cannot extend ProgramData accounts that are not upgradeable", InstructionError::Immutable);
    if (check_authority) {
      const Pubkey* authority = ic.key_of_instruction_account(kAuthority);
      if (!authority) return InstructionError::NotEnoughAccountKeys;
      if (*state->authority != *authority)
        return fail(ic, "Incorrect upgrade authority provided", InstructionError::IncorrectAuthority);
      if (!ic.is_instruction_account_signer(kAuthority))
        return fail(ic, "Upgrade authority did not sign", InstructionError::MissingRequiredSignature);
    }
    upgrade_authority = state->authority;
    auto rent = builtin::cached_rent(ic);
    if (!rent.ok()) return rent.error();
    uint64_t min_balance = std::max<uint64_t>(1, rent->minimum_balance(new_len));
    required_payment = min_balance > programdata.lamports() ? min_balance - programdata.lamports() : 0;
  }
  if (required_payment > 0) {
    const Pubkey* payer = ic.key_of_instruction_account(payer_index);
    if (!payer) return InstructionError::NotEnoughAccountKeys;
    SystemInstruction t;
    t.kind = SystemInstruction::Transfer;
    t.lamports = required_payment;
    Instruction cpi{ids::system_program, {{*payer, true, true}, {programdata_key, false, true}}, encode(t)};
    TRY(ic.native_invoke(cpi, {}));
  }
  {
    BORROW(programdata, kProgramData);
    TRY(programdata.set_data_length(new_len));
  }
  TRY(deploy_from(ic, kProgramData, kProgramDataOffset, program_key, clock_slot));
  {
    BORROW(programdata, kProgramData);
    State pd;
    pd.kind = State::ProgramData;
    pd.slot = clock_slot;
    pd.authority = upgrade_authority;
    TRY(set_state(programdata, pd));
  }
  ic.log("Extended ProgramData account by " + std::to_string(additional_bytes) + " bytes");
  return std::nullopt;
}

#undef TRY
#undef BORROW

}  // namespace

InstructionResult process_loader_upgradeable_instruction(InvokeContext& ic, const BuiltinFeatures& features) {
  auto ix = decode_loader_instruction(ic.instruction_data());
  if (!ix) return InstructionError::InvalidInstructionData;
  switch (ix->kind) {
    case UpgradeableLoaderInstruction::InitializeBuffer: return initialize_buffer(ic);
    case UpgradeableLoaderInstruction::Write: return write(ic, *ix);
    case UpgradeableLoaderInstruction::DeployWithMaxDataLen: return deploy_with_max_data_len(ic, ix->max_data_len);
    case UpgradeableLoaderInstruction::Upgrade: return upgrade(ic);
    case UpgradeableLoaderInstruction::SetAuthority: return set_authority(ic, false);
    case UpgradeableLoaderInstruction::SetAuthorityChecked:
      if (!features.enable_bpf_loader_set_authority_checked_ix) return InstructionError::InvalidInstructionData;
      return set_authority(ic, true);
    case UpgradeableLoaderInstruction::Close: return close(ic);
    case UpgradeableLoaderInstruction::ExtendProgram:
      if (features.enable_extend_program_checked) {
        ic.log("ExtendProgram was superseded by ExtendProgramChecked");
        return InstructionError::InvalidInstructionData;
      }
      return extend_program(ic, ix->additional_bytes, false);
    case UpgradeableLoaderInstruction::ExtendProgramChecked:
      if (!features.enable_extend_program_checked) return InstructionError::InvalidInstructionData;
      return extend_program(ic, ix->additional_bytes, true);
    case UpgradeableLoaderInstruction::Migrate:
      // Migration to loader v4 needs enable_loader_v4 (inactive on mainnet); loader v4 is not here.
      return InstructionError::InvalidInstructionData;
  }
  return InstructionError::InvalidInstructionData;
}

}  // namespace lumio::svm
