// Runtime::execute on small programs built here: compute budget, fees and every fee-payer error,
// account-modification rules, compute exhaustion, rent-state checks, CPI depth, error JSON.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "svm/runtime.hpp"
#include "svm/nonce.hpp"
#include "svm/serialize.hpp"
#include "svm/syscalls.hpp"
#include "svm/tests/asm.hpp"

namespace lumio::svm {
namespace {

class MapSource : public AccountSource {
 public:
  std::map<Pubkey, Account> accounts;
  std::optional<Account> get(const Pubkey& k) const override {
    auto it = accounts.find(k);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
};

Pubkey key(uint8_t b) {
  Pubkey p;
  p.fill(b);
  return p;
}

std::string b58(const Pubkey& p) { return base58(p.data(), 32); }

// Assembles `source` into an ELF; syscall calls become R_BPF_64_32 relocations, as the
// toolchain emits them.
std::vector<uint8_t> program_elf(const std::string& source) {
  test::ElfBuilder b;
  b.text = test::assemble(source);
  static const char* const kSyscalls[] = {"sol_invoke_signed_c", "sol_invoke_signed_rust", "sol_log_",
                                          "sol_set_return_data", "sol_get_processed_sibling_instruction"};
  for (size_t at = 0; at + 8 <= b.text.size(); at += 8) {
    if (b.text[at] != 0x85) continue;
    uint32_t imm;
    std::memcpy(&imm, b.text.data() + at + 4, 4);
    for (const char* name : kSyscalls)
      if (imm == hash_symbol_name(name)) {
        const int32_t unresolved = -1;
        std::memcpy(b.text.data() + at + 4, &unresolved, 4);
        b.relocs.push_back({at, 10, name});
      }
  }
  return b.build();
}

Account program_account(const std::vector<uint8_t>& elf, const Pubkey& loader = ids::bpf_loader) {
  Account a;
  a.data = elf;
  a.owner = loader;
  a.executable = true;
  a.lamports = Rent{}.minimum_balance(elf.size());
  return a;
}

Account system_account(uint64_t lamports) {
  Account a;
  a.lamports = lamports;
  a.owner = ids::system_program;
  return a;
}

// A message: keys[0] pays; `signers` leading keys sign; `readonly_unsigned` trailing keys are
// read-only. Signatures are not checked by the runtime (zeros).
Transaction make_tx(std::vector<Pubkey> keys, uint8_t signers, uint8_t readonly_unsigned,
                    std::vector<CompiledInstruction> ixs) {
  Transaction tx;
  tx.message.header = {signers, 0, readonly_unsigned};
  tx.message.account_keys = std::move(keys);
  tx.message.instructions = std::move(ixs);
  tx.signatures.assign(signers, Signature{});
  tx.message_bytes = encode_message(tx.message);
  return tx;
}

constexpr uint64_t kPayerLamports = 10'000'000;

struct SvmRuntimeTx : ::testing::Test {
  MapSource src;
  RuntimeEnv env;
  Runtime rt;
  Pubkey payer = key(0xa1), program = key(0xb1), other = key(0xc1);
  SvmRuntimeTx() {
    env.slot = 10;
    src.accounts[payer] = system_account(kPayerLamports);
  }
  // One instruction invoking `program` (deployed from `source`) with `accounts` (message
  // indexes); keys = payer, extra..., program (read-only).
  TransactionOutcome run_program(const std::string& source, std::vector<Pubkey> extra,
                                 std::vector<uint8_t> ix_accounts, std::vector<uint8_t> data = {},
                                 uint8_t readonly_extra = 0) {
    src.accounts[program] = program_account(program_elf(source));
    std::vector<Pubkey> keys = {payer};
    keys.insert(keys.end(), extra.begin(), extra.end());
    keys.push_back(program);
    auto tx = make_tx(keys, 1, uint8_t(1 + readonly_extra), {{uint8_t(keys.size() - 1), ix_accounts, data}});
    return rt.execute(tx, src, env);
  }
};

TEST(SvmRuntimeErrors, JsonShapesAndDisplay) {
  EXPECT_EQ(TransactionError(TransactionError::AccountNotFound).to_json(), "\"AccountNotFound\"");
  EXPECT_EQ(TransactionError(0, InstructionError(InstructionError::Custom, 1)).to_json(),
            "{\"InstructionError\":[0,{\"Custom\":1}]}");
  EXPECT_EQ(TransactionError(2, InstructionError(InstructionError::InvalidArgument)).to_json(),
            "{\"InstructionError\":[2,\"InvalidArgument\"]}");
  EXPECT_EQ(TransactionError(TransactionError::DuplicateInstruction, 3).to_json(), "{\"DuplicateInstruction\":3}");
  EXPECT_EQ(TransactionError(TransactionError::InsufficientFundsForRent, 1).to_json(),
            "{\"InsufficientFundsForRent\":{\"account_index\":1}}");
  EXPECT_EQ(message(TransactionError(1, InstructionError(InstructionError::Custom, 0x10))),
            "Error processing Instruction 1: custom program error: 0x10");
  EXPECT_EQ(message(TransactionError(TransactionError::InsufficientFundsForRent, 4)),
            "Transaction results in an account (4) with insufficient funds for rent");
  EXPECT_STREQ(name(TransactionError(TransactionError::ProgramExecutionTemporarilyRestricted, 0)),
               "ProgramExecutionTemporarilyRestricted");
  // Program return values: builtin codes are n << 32, small values are Custom, others invalid.
  EXPECT_EQ(InstructionError::from_return_code(7), InstructionError(InstructionError::Custom, 7));
  EXPECT_EQ(InstructionError::from_return_code(uint64_t{1} << 32), InstructionError(InstructionError::Custom, 0));
  EXPECT_EQ(InstructionError::from_return_code(uint64_t{2} << 32), InstructionError(InstructionError::InvalidArgument));
  EXPECT_EQ(InstructionError::from_return_code(uint64_t{8} << 32),
            InstructionError(InstructionError::MissingRequiredSignature));
  EXPECT_EQ(InstructionError::from_return_code(uint64_t{26} << 32),
            InstructionError(InstructionError::IncorrectAuthority));
  EXPECT_EQ(InstructionError::from_return_code(uint64_t{99} << 32), InstructionError(InstructionError::InvalidError));
  EXPECT_EQ(InstructionError::from_return_code((uint64_t{2} << 32) | 1), InstructionError(InstructionError::InvalidError));
}

CompiledInstruction cb(uint8_t program_index, std::vector<uint8_t> data) { return {program_index, {}, std::move(data)}; }
std::vector<uint8_t> u32_ix(uint8_t tag, uint32_t v) { return {tag, uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }

TEST(SvmComputeBudget, LimitsPriceHeapAndErrors) {
  const Pubkey p = key(1), prog = key(2);
  Message m;
  m.header = {1, 0, 2};
  m.account_keys = {p, ids::compute_budget, prog};
  // Default: 200k per non-builtin instruction + 3000 per builtin (SIMD-0170).
  m.instructions = {{2, {}, {}}, cb(1, {3, 10, 0, 0, 0, 0, 0, 0, 0})};
  auto l = compute_budget_limits(m);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->compute_unit_limit, 203'000u);
  EXPECT_EQ(l->compute_unit_price, 10u);
  EXPECT_EQ(l->prioritization_fee(), 3u);  // ceil(10 * 203000 / 1e6) = ceil(2.03)
  EXPECT_EQ(calculate_fee(m, 1, 5000, *l), 5003u);

  m.instructions = {cb(1, u32_ix(2, 2'000'000)), cb(1, u32_ix(1, 64 * 1024)), cb(1, u32_ix(4, 1000))};
  l = compute_budget_limits(m);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->compute_unit_limit, kMaxComputeUnitLimit);
  EXPECT_EQ(l->heap_size, 64u * 1024);
  EXPECT_EQ(l->loaded_accounts_data_size_limit, 1000u);

  m.instructions = {{2, {}, {}}, cb(1, u32_ix(2, 500)), cb(1, u32_ix(2, 600))};
  EXPECT_EQ(compute_budget_limits(m).error(), TransactionError(TransactionError::DuplicateInstruction, 2));
  m.instructions = {cb(1, {2, 1})};
  EXPECT_EQ(compute_budget_limits(m).error(), TransactionError(0, InstructionError(InstructionError::InvalidInstructionData)));
  m.instructions = {cb(1, {0})};  // the removed RequestUnitsDeprecated
  EXPECT_EQ(compute_budget_limits(m).error(), TransactionError(0, InstructionError(InstructionError::InvalidInstructionData)));
  m.instructions = {{2, {}, {}}, cb(1, u32_ix(1, 40'000))};  // not a multiple of 1024
  EXPECT_EQ(compute_budget_limits(m).error(), TransactionError(1, InstructionError(InstructionError::InvalidInstructionData)));
  m.instructions = {cb(1, u32_ix(4, 0))};
  EXPECT_EQ(compute_budget_limits(m).error(), TransactionError(TransactionError::InvalidLoadedAccountsDataSizeLimit));
}

TEST_F(SvmRuntimeTx, SuccessfulProgramChargesFeeAndLogs) {
  auto out = run_program("mov64 r0, 0; exit", {}, {});
  ASSERT_TRUE(out.processed);
  EXPECT_TRUE(out.executed);
  EXPECT_FALSE(out.err) << out.err->to_json();
  EXPECT_EQ(out.fee, 5000u);
  EXPECT_EQ(out.compute_units_consumed, 2u);
  const std::string p = b58(program);
  EXPECT_EQ(out.logs, (std::vector<std::string>{"Program " + p + " invoke [1]",
                                                "Program " + p + " consumed 2 of 200000 compute units",
                                                "Program " + p + " success"}));
  ASSERT_EQ(out.post_accounts.size(), 1u);  // the program is read-only (demoted anyway)
  EXPECT_EQ(out.post_accounts[0].first, payer);
  EXPECT_EQ(out.post_accounts[0].second.lamports, kPayerLamports - 5000);
  EXPECT_EQ(out.pre_balances[0], kPayerLamports);
  EXPECT_EQ(out.post_balances[0], kPayerLamports - 5000);
}

TEST_F(SvmRuntimeTx, CustomErrorStillPaysTheFee) {
  auto out = run_program("mov64 r0, 0x1a; exit", {}, {});
  ASSERT_TRUE(out.processed && out.executed && out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,{\"Custom\":26}]}");
  EXPECT_EQ(out.logs.back(), "Program " + b58(program) + " failed: custom program error: 0x1a");
  ASSERT_EQ(out.post_accounts.size(), 1u);
  EXPECT_EQ(out.post_accounts[0].second.lamports, kPayerLamports - 5000);
}

TEST_F(SvmRuntimeTx, FailedDurableNonceTransactionCommitsTheAdvancedNonce) {
  const Pubkey nonce_key = key(0xe1);
  NonceVersions stored;
  stored.data = NonceData{payer, Hash{}, 5000};
  stored.data->durable_nonce.fill(0x11);
  NonceVersions advanced = stored;
  advanced.data->durable_nonce.fill(0x22);
  Account n = system_account(Rent{}.minimum_balance(kNonceStateSize));
  n.data = encode(stored);
  src.accounts[nonce_key] = n;
  NonceInfo info;
  info.index = 1;
  info.address = nonce_key;
  info.previous = *stored.data;
  info.advanced_data = encode(advanced);
  src.accounts[program] = program_account(program_elf("mov64 r0, 3; exit"));
  auto tx = make_tx({payer, nonce_key, program}, 1, 1, {{2, {1}, {}}});
  auto out = rt.execute(tx, src, env, {}, &info);
  ASSERT_TRUE(out.err);
  ASSERT_EQ(out.post_accounts.size(), 2u);
  EXPECT_EQ(out.post_accounts[0].second.lamports, kPayerLamports - 5000);
  EXPECT_EQ(out.post_accounts[1].first, nonce_key);
  EXPECT_EQ(out.post_accounts[1].second.data, info.advanced_data);
  EXPECT_EQ(out.post_accounts[1].second.lamports, n.lamports);
  // Without the nonce info only the fee payer is committed.
  EXPECT_EQ(rt.execute(tx, src, env).post_accounts.size(), 1u);
}

TEST_F(SvmRuntimeTx, PrecompileFailureAndSignatureFee) {
  // One declared ed25519 signature but no offsets: InvalidInstructionDataSize (Custom(4)); the
  // declared signature is charged like a transaction signature; precompiles log nothing.
  auto tx = make_tx({payer, ids::ed25519_program}, 1, 1, {{1, {}, {1, 0}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.processed);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,{\"Custom\":4}]}");
  EXPECT_EQ(out.fee, 10'000u);
  EXPECT_TRUE(out.logs.empty());
  EXPECT_EQ(out.compute_units_consumed, 0u);
  // No signatures to check: passes.
  tx = make_tx({payer, ids::ed25519_program}, 1, 1, {{1, {}, {0, 0}}});
  out = rt.execute(tx, src, env);
  EXPECT_FALSE(out.err) << out.err->to_json();
  EXPECT_EQ(out.fee, 5000u);
}

// The instructions sysvar ends with the index of the executing instruction; a program that
// returns it fails the second time (Custom(1)). Its first u16 is the instruction count.
TEST_F(SvmRuntimeTx, InstructionsSysvarTracksTheCurrentInstruction) {
  const std::string current_index =
      "ldxdw r2, [r1+88]; mov64 r3, r1; add64 r3, r2; ldxh r0, [r3+94]; ldxh r4, [r1+96];"
      "jeq r4, 2, +1; mov64 r0, 99; exit";
  src.accounts[program] = program_account(program_elf(current_index));
  auto tx = make_tx({payer, ids::sysvar_instructions, program}, 1, 2, {{2, {1}, {}}, {2, {1}, {}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[1,{\"Custom\":1}]}");
}

TEST_F(SvmRuntimeTx, MalformedMessagesAreRejectedNotExecuted) {
  src.accounts[program] = program_account(program_elf("mov64 r0, 0; exit"));
  auto tx = make_tx({payer, program}, 1, 1, {{7, {}, {}}});  // program index out of range
  auto out = rt.execute(tx, src, env);
  EXPECT_FALSE(out.processed);
  EXPECT_EQ(out.err, TransactionError(TransactionError::SanitizeFailure));
  tx = make_tx({payer, program}, 1, 1, {{1, {0, 9}, {}}});  // account index out of range
  EXPECT_EQ(rt.execute(tx, src, env).err, TransactionError(TransactionError::SanitizeFailure));
  tx = make_tx({payer, payer, program}, 1, 1, {{2, {}, {}}});
  EXPECT_EQ(rt.execute(tx, src, env).err, TransactionError(TransactionError::AccountLoadedTwice));
  LoadedAddresses extra;
  extra.writable.push_back(key(0x99));  // no lookup asked for it
  tx = make_tx({payer, program}, 1, 1, {{1, {}, {}}});
  EXPECT_EQ(rt.execute(tx, src, env, extra).err, TransactionError(TransactionError::SanitizeFailure));
}

// RequestHeapFrame(64 KiB): the program gets the bigger heap and pays 8 CU per extra 32 KiB.
// It writes the heap's last byte.
TEST_F(SvmRuntimeTx, RequestedHeapIsMappedAndCharged) {
  src.accounts[program] = program_account(program_elf("lddw r1, 0x30000ffff; stb [r1+0], 1; mov64 r0, 0; exit"));
  auto tx = make_tx({payer, ids::compute_budget, program}, 1, 2, {cb(1, u32_ix(1, 64 * 1024)), {2, {}, {}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_FALSE(out.err) << out.err->to_json();
  const std::string p = b58(program);
  // "consumed" counts the VM's instructions only; the heap charge (8) shows in the total.
  EXPECT_EQ(out.logs[3], "Program " + p + " consumed 4 of 202850 compute units");
  EXPECT_EQ(out.compute_units_consumed, 150u + 8 + 4);
  // Without the request the same store is outside the 32 KiB heap.
  tx = make_tx({payer, program}, 1, 1, {{1, {}, {}}});
  out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ProgramFailedToComplete\"]}");
  EXPECT_TRUE(out.logs.back().starts_with("Program " + p + " failed: Access violation writing 1 bytes at address 0x30000ffff"))
      << out.logs.back();
  EXPECT_EQ(out.compute_units_consumed, 200'000u);  // a VM fault burns the rest of the meter
}

TEST_F(SvmRuntimeTx, BuiltinErrorCodeFromReturnValue) {
  auto out = run_program("lddw r0, 0x300000000; exit", {}, {});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"InvalidInstructionData\"]}");
  EXPECT_EQ(out.logs.back(), "Program " + b58(program) + " failed: invalid instruction data");
}

TEST_F(SvmRuntimeTx, FeePayerErrors) {
  const std::string noop = "mov64 r0, 0; exit";
  src.accounts.erase(payer);
  auto out = run_program(noop, {}, {});
  EXPECT_FALSE(out.processed);
  EXPECT_EQ(out.err, TransactionError(TransactionError::AccountNotFound));
  EXPECT_EQ(message(*out.err), "Attempt to debit an account but found no record of a prior credit.");

  src.accounts[payer] = system_account(4999);
  out = run_program(noop, {}, {});
  EXPECT_FALSE(out.processed);
  EXPECT_EQ(out.err, TransactionError(TransactionError::InsufficientFundsForFee));
  EXPECT_TRUE(out.post_accounts.empty());

  Account foreign = system_account(kPayerLamports);
  foreign.owner = key(0x77);
  src.accounts[payer] = foreign;
  EXPECT_EQ(run_program(noop, {}, {}).err, TransactionError(TransactionError::InvalidAccountForFee));
  Account with_data = system_account(kPayerLamports);
  with_data.data = {1, 2, 3};
  src.accounts[payer] = with_data;
  EXPECT_EQ(run_program(noop, {}, {}).err, TransactionError(TransactionError::InvalidAccountForFee));

  // Rent exempt before the fee, rent-paying after it: not allowed.
  const uint64_t exempt = Rent{}.minimum_balance(0);
  src.accounts[payer] = system_account(exempt + 4000);
  out = run_program(noop, {}, {});
  EXPECT_FALSE(out.processed);
  EXPECT_EQ(out.err->to_json(), "{\"InsufficientFundsForRent\":{\"account_index\":0}}");
  // Leaving exactly the exempt minimum is fine.
  src.accounts[payer] = system_account(exempt + 5000);
  out = run_program(noop, {}, {});
  EXPECT_TRUE(out.processed && !out.err);
  EXPECT_EQ(out.post_accounts[0].second.lamports, exempt);
}

TEST_F(SvmRuntimeTx, ProgramLoadingErrorsChargeTheFeeOnly) {
  auto tx = make_tx({payer, program}, 1, 1, {{1, {}, {}}});
  auto out = rt.execute(tx, src, env);  // program account missing
  EXPECT_TRUE(out.processed);
  EXPECT_FALSE(out.executed);
  EXPECT_EQ(out.err, TransactionError(TransactionError::ProgramAccountNotFound));
  ASSERT_EQ(out.post_accounts.size(), 1u);
  EXPECT_EQ(out.post_accounts[0].second.lamports, kPayerLamports - 5000);
  EXPECT_TRUE(out.logs.empty());

  // Owned by something that is not a loader.
  Account odd = program_account(program_elf("mov64 r0, 0; exit"), key(0x55));
  src.accounts[program] = odd;
  out = rt.execute(tx, src, env);
  EXPECT_EQ(out.err, TransactionError(TransactionError::InvalidProgramForExecution));
  EXPECT_FALSE(out.executed);

  // The executable flag is no longer consulted (remove_accounts_executable_flag_checks).
  Account not_executable = program_account(program_elf("mov64 r0, 0; exit"));
  not_executable.executable = false;
  src.accounts[program] = not_executable;
  EXPECT_FALSE(rt.execute(tx, src, env).err);
}

// Serialized (aligned) input of a first account with empty data: lamports at +80, data at +96.
TEST_F(SvmRuntimeTx, WritingAnotherProgramsAccountFails) {
  Account a = system_account(1'000'000);
  a.data.assign(8, 0);
  src.accounts[other] = a;
  const std::string write_data = "mov64 r2, 1; stxb [r1+96], r2; mov64 r0, 0; exit";
  auto out = run_program(write_data, {other}, {1});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ExternalAccountDataModified\"]}");
  EXPECT_EQ(out.logs.back(), "Program " + b58(program) + " failed: instruction modified data of an account it does not own");
  EXPECT_EQ(out.post_accounts.size(), 1u);  // nothing but the fee payer is stored

  // Owned by the program but passed read-only.
  a.owner = program;
  src.accounts[other] = a;
  out = run_program(write_data, {other}, {1}, {}, 1);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ReadonlyDataModified\"]}");

  // Owned and writable: the write lands.
  out = run_program(write_data, {other}, {1});
  ASSERT_FALSE(out.err) << out.err->to_json();
  ASSERT_EQ(out.post_accounts.size(), 2u);
  EXPECT_EQ(out.post_accounts[1].first, other);
  EXPECT_EQ(out.post_accounts[1].second.data[0], 1);
}

// Deprecated-loader programs get the unaligned input layout: the first account's lamports at
// +43, its data at +59.
TEST_F(SvmRuntimeTx, DeprecatedLoaderUsesTheUnalignedLayout) {
  Account a = system_account(1'000'000);
  a.owner = program;
  a.data.assign(4, 0);
  src.accounts[other] = a;
  src.accounts[program] = program_account(
      program_elf("mov64 r2, 0x5a; stxb [r1+59], r2; ldxdw r3, [r1+43]; mov64 r0, 0; jeq r3, 1000000, +1; mov64 r0, 1; exit"),
      ids::bpf_loader_deprecated);
  auto tx = make_tx({payer, other, program}, 1, 1, {{2, {1}, {}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_FALSE(out.err) << out.err->to_json() << " " << out.logs.back();
  ASSERT_EQ(out.post_accounts.size(), 2u);
  EXPECT_EQ(out.post_accounts[1].second.data, (std::vector<uint8_t>{0x5a, 0, 0, 0}));
}

TEST_F(SvmRuntimeTx, LamportRules) {
  src.accounts[other] = system_account(1'000'000);
  const std::string take = "ldxdw r2, [r1+80]; sub64 r2, 1; stxdw [r1+80], r2; mov64 r0, 0; exit";
  auto out = run_program(take, {other}, {1});
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ExternalAccountLamportSpend\"]}");
  // The program owns it: spending is allowed, but the instruction no longer balances.
  Account owned = system_account(1'000'000);
  owned.owner = program;
  src.accounts[other] = owned;
  out = run_program(take, {other}, {1});
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"UnbalancedInstruction\"]}");
  // Read-only accounts keep their balance.
  const std::string give = "ldxdw r2, [r1+80]; add64 r2, 1; stxdw [r1+80], r2; mov64 r0, 0; exit";
  out = run_program(give, {other}, {1}, {}, 1);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ReadonlyLamportChange\"]}");
}

TEST_F(SvmRuntimeTx, RentPayingResultIsRejected) {
  // Moves 1000 lamports from an owned, rent-exempt account into a new account (message index 2):
  // the new account would be rent-paying.
  Account owned = system_account(5'000'000);
  owned.owner = program;
  src.accounts[other] = owned;
  const Pubkey fresh = key(0xd1);
  // Account 1 of the input starts at 8 + 10336 (account 0 has no data); its lamports at +72.
  const std::string move =
      "ldxdw r2, [r1+80]; sub64 r2, 1000; stxdw [r1+80], r2;"
      "ldxdw r3, [r1+10416]; add64 r3, 1000; stxdw [r1+10416], r3; mov64 r0, 0; exit";
  auto out = run_program(move, {other, fresh}, {1, 2});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InsufficientFundsForRent\":{\"account_index\":2}}");
  EXPECT_TRUE(out.executed);
  ASSERT_EQ(out.post_accounts.size(), 1u);
  // Enough to be exempt: accepted and stored.
  const uint64_t exempt = Rent{}.minimum_balance(0);
  const std::string move_exempt =
      "ldxdw r2, [r1+80]; sub64 r2, " + std::to_string(exempt) + "; stxdw [r1+80], r2;"
      "ldxdw r3, [r1+10416]; add64 r3, " + std::to_string(exempt) + "; stxdw [r1+10416], r3; mov64 r0, 0; exit";
  out = run_program(move_exempt, {other, fresh}, {1, 2});
  ASSERT_FALSE(out.err) << out.err->to_json();
  ASSERT_EQ(out.post_accounts.size(), 3u);
  EXPECT_EQ(out.post_accounts[2].first, fresh);
  EXPECT_EQ(out.post_accounts[2].second.lamports, exempt);
  EXPECT_EQ(out.post_balances[2], exempt);
  EXPECT_EQ(out.pre_balances[2], 0u);
}

TEST_F(SvmRuntimeTx, ComputeExhaustion) {
  src.accounts[program] = program_account(program_elf("ja -1"));
  auto tx = make_tx({payer, ids::compute_budget, program}, 1, 2, {cb(1, u32_ix(2, 1000)), {2, {}, {}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[1,\"ProgramFailedToComplete\"]}");
  EXPECT_EQ(out.compute_units_consumed, 1000u);
  const std::string p = b58(program), c = b58(ids::compute_budget);
  EXPECT_EQ(out.logs, (std::vector<std::string>{
                          "Program " + c + " invoke [1]", "Program " + c + " success", "Program " + p + " invoke [1]",
                          "Program " + p + " consumed 850 of 850 compute units",
                          "Program " + p + " failed: exceeded CUs meter at BPF instruction"}));
}

TEST_F(SvmRuntimeTx, UnknownBuiltinAndLoaderManagement) {
  // The deprecated loader's management instructions are gone: 1140 CU, then UnsupportedProgramId.
  auto tx = make_tx({payer, ids::bpf_loader_deprecated}, 1, 1, {{1, {}, {0}}});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"UnsupportedProgramId\"]}");
  EXPECT_EQ(out.compute_units_consumed, 1140u);
  const std::string l = b58(ids::bpf_loader_deprecated);
  EXPECT_EQ(out.logs, (std::vector<std::string>{"Program " + l + " invoke [1]", "Deprecated loader is no longer supported",
                                                "Program " + l + " failed: Unsupported program id"}));
}

// A program that invokes itself (C ABI, itself as the only account, no data) until the stack is full.
// Its own id sits after the input's only account: data (8-aligned) + 10240 + rent epoch + ix len.
TEST_F(SvmRuntimeTx, DeepCpiHitsCallDepth) {
  const std::string recurse =
      "mov64 r6, r1; ldxdw r3, [r6+88]; add64 r3, 7; and64 r3, -8; add64 r3, r6; add64 r3, 10352;"
      "stxdw [r10-56], r3; stdw [r10-48], 0;"  // SolAccountMeta { program, read-only, unsigned }
      "mov64 r4, r10; sub64 r4, 56;"
      "stxdw [r10-40], r3; stxdw [r10-32], r4; stdw [r10-24], 1; stdw [r10-16], 0; stdw [r10-8], 0;"
      "mov64 r1, r10; sub64 r1, 40; mov64 r2, 0; mov64 r3, 0; mov64 r4, 0; mov64 r5, 0;"
      "call sol_invoke_signed_c; exit";
  auto out = run_program(recurse, {}, {1});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"CallDepth\"]}");
  const std::string p = b58(program);
  int invokes = 0;
  for (const auto& l : out.logs) invokes += l.starts_with("Program " + p + " invoke [");
  EXPECT_EQ(invokes, 5);
  EXPECT_EQ(out.logs[4], "Program " + p + " invoke [5]");
  EXPECT_EQ(out.logs.back(), "Program " + p + " failed: Cross-program invocation call depth too deep");
  // Each CPI is recorded as an inner instruction with its stack height — as in Agave's trace,
  // including the one whose push failed (height 6).
  ASSERT_EQ(out.inner_instructions.size(), 1u);
  ASSERT_EQ(out.inner_instructions[0].size(), 5u);
  EXPECT_EQ(out.inner_instructions[0][0].stack_height, 2u);
  EXPECT_EQ(out.inner_instructions[0][4].stack_height, 6u);
  EXPECT_EQ(out.inner_instructions[0][0].instruction.program_id_index, 1u);
}

TEST(SvmBorrowedAccount, AgaveModificationRules) {
  const Pubkey prog = key(9), mine = key(1), theirs = key(2);
  Account a;
  a.lamports = 10'000'000;
  a.owner = prog;
  a.data = {0, 0};
  Account b = a;
  b.owner = key(3);
  Account p;
  p.executable = true;
  p.owner = ids::bpf_loader;
  TransactionContext tx({{mine, a}, {theirs, b}, {prog, p}}, Rent{});
  InstructionFrame& f = tx.configure_next();
  f.program_account = 2;
  f.accounts = {{0, 0, 0, false, true}, {1, 1, 1, false, true}};
  ASSERT_FALSE(tx.push());
  {
    auto m = tx.borrow_instruction_account(0);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(tx.borrow_instruction_account(0).error(), InstructionError(InstructionError::AccountBorrowFailed));
    EXPECT_FALSE(m->set_data_length(100));
    EXPECT_EQ(tx.accounts_resize_delta(), 98);
    EXPECT_EQ(m->set_data_length(kMaxPermittedDataLength + 1), InstructionError(InstructionError::InvalidRealloc));
    // Owner changes need zeroed data.
    (*m->data_mut())[0] = 1;
    EXPECT_EQ(m->set_owner(key(4)), InstructionError(InstructionError::ModifiedProgramId));
    (*m->data_mut())[0] = 0;
    EXPECT_EQ(m->set_executable(true), std::nullopt);  // 10M lamports: exempt for 100 bytes
    EXPECT_TRUE(m->executable());
    EXPECT_EQ(m->set_lamports(5), std::nullopt);  // executable accounts are not special any more
    EXPECT_EQ(m->set_executable(true), InstructionError(InstructionError::ExecutableAccountNotRentExempt));
  }
  auto t = tx.borrow_instruction_account(1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->set_data_length(3), InstructionError(InstructionError::AccountDataSizeChanged));
  EXPECT_EQ(t->set_owner(prog), InstructionError(InstructionError::ModifiedProgramId));
  EXPECT_EQ(t->checked_sub_lamports(1), InstructionError(InstructionError::ExternalAccountLamportSpend));
  EXPECT_FALSE(t->checked_add_lamports(1));  // anyone may credit a writable account
  EXPECT_EQ(t->set_executable(true), InstructionError(InstructionError::ExecutableModified));
}

}  // namespace
}  // namespace lumio::svm
