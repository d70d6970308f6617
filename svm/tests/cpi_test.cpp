// Cross-program invocation rules with small programs built here (C ABI): privilege escalation,
// reentrancy, unknown programs, programs that cannot be invoked, and processed siblings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "svm/runtime.hpp"
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

// Builds an ELF from `source` where "lddw rN, @k" loads the address of rodata offset k
// (R_BPF_64_RELATIVE) and syscalls are relocated by name.
std::vector<uint8_t> build(std::string source, const std::vector<uint8_t>& rodata) {
  std::vector<std::pair<size_t, uint32_t>> rodata_refs;  // (insn index, rodata offset)
  std::string text;
  size_t insn = 0;
  for (size_t start = 0; start < source.size();) {
    size_t end = source.find(';', start);
    if (end == std::string::npos) end = source.size();
    std::string line = source.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    if (auto at = line.find('@'); at != std::string::npos) {
      rodata_refs.emplace_back(insn, uint32_t(std::stoul(line.substr(at + 1))));
      line = line.substr(0, at) + "0";
    }
    insn += line.find("lddw") != std::string::npos ? 2 : 1;
    text += line + ";";
  }
  test::ElfBuilder b;
  b.text = test::assemble(text);
  b.rodata = rodata;
  for (auto [i, off] : rodata_refs) {
    uint32_t addr = uint32_t(b.rodata_addr() + off);
    std::memcpy(b.text.data() + i * 8 + 4, &addr, 4);
    b.relocs.push_back({i * 8, 8, ""});
  }
  for (const char* name : {"sol_invoke_signed_c", "sol_get_processed_sibling_instruction"})
    for (size_t at = 0; at + 8 <= b.text.size(); at += 8) {
      uint32_t imm;
      std::memcpy(&imm, b.text.data() + at + 4, 4);
      if (b.text[at] == 0x85 && imm == hash_symbol_name(name)) {
        const int32_t unresolved = -1;
        std::memcpy(b.text.data() + at + 4, &unresolved, 4);
        b.relocs.push_back({at, 10, name});
      }
    }
  return b.build();
}

// A program that invokes `callee` with `metas` and no data (sol_invoke_signed_c, no account
// infos: enough for the checks that come first, and for executable accounts).
std::vector<uint8_t> invoker(const Pubkey& callee, const std::vector<AccountMeta>& metas) {
  std::vector<uint8_t> ro(callee.begin(), callee.end());
  std::string s;
  const int n = int(metas.size());
  const int base = 48 + 16 * n;  // SolAccountMeta array on the stack, then SolInstruction at r10-40
  for (int i = 0; i < n; ++i) {
    ro.insert(ro.end(), metas[i].pubkey.begin(), metas[i].pubkey.end());
    const int at = base - 16 * i;
    s += "lddw r2, @" + std::to_string(32 + 32 * i) + "; stxdw [r10-" + std::to_string(at) + "], r2;";
    s += "stb [r10-" + std::to_string(at - 8) + "], " + std::to_string(int(metas[i].is_writable)) + ";";
    s += "stb [r10-" + std::to_string(at - 9) + "], " + std::to_string(int(metas[i].is_signer)) + ";";
  }
  s += "lddw r3, @0; stxdw [r10-40], r3;";
  s += "mov64 r4, r10; sub64 r4, " + std::to_string(base) + "; stxdw [r10-32], r4; stdw [r10-24], " +
       std::to_string(n) + ";";
  s += "stdw [r10-16], 0; stdw [r10-8], 0;";
  s += "mov64 r1, r10; sub64 r1, 40; mov64 r2, 0; mov64 r3, 0; mov64 r4, 0; mov64 r5, 0;";
  s += "call sol_invoke_signed_c; exit";
  return build(s, ro);
}

Account program_account(const std::vector<uint8_t>& elf) {
  Account a;
  a.data = elf;
  a.owner = ids::bpf_loader;
  a.executable = true;
  a.lamports = Rent{}.minimum_balance(elf.size());
  return a;
}

struct SvmCpi : ::testing::Test {
  MapSource src;
  RuntimeEnv env;
  Runtime rt;
  Pubkey payer = key(0xa1), a = key(0xa2), b = key(0xb2), x = key(0xc2);
  SvmCpi() {
    env.slot = 5;
    Account p;
    p.lamports = 1'000'000'000;
    src.accounts[payer] = p;
    Account xa;
    xa.lamports = 5'000'000;
    src.accounts[x] = xa;
  }
  // keys: payer, x (writable unless ro_x), then programs (read-only); one instruction to keys[2].
  TransactionOutcome run(std::vector<Pubkey> programs, std::vector<uint8_t> accounts, bool ro_x = false) {
    std::vector<Pubkey> keys = {payer};
    if (!ro_x) keys.push_back(x);
    keys.insert(keys.end(), programs.begin(), programs.end());
    if (ro_x) keys.push_back(x);  // read-only keys go last
    Transaction tx;
    tx.message.header = {1, 0, uint8_t(programs.size() + (ro_x ? 1 : 0))};
    tx.message.account_keys = keys;
    auto index = [&](const Pubkey& k) { return uint8_t(std::find(keys.begin(), keys.end(), k) - keys.begin()); };
    std::vector<uint8_t> ix_accounts;
    for (uint8_t i : accounts) ix_accounts.push_back(i);
    tx.message.instructions = {{index(programs[0]), ix_accounts, {}}};
    tx.signatures.assign(1, Signature{});
    tx.message_bytes = encode_message(tx.message);
    return rt.execute(tx, src, env);
  }
};

TEST_F(SvmCpi, WritableAndSignerEscalation) {
  src.accounts[b] = program_account(build("mov64 r0, 0; exit", {}));
  // x is read-only in the transaction; a asks for it writable.
  src.accounts[a] = program_account(invoker(b, {{x, false, true}}));
  auto out = run({a, b}, {3, 2}, /*ro_x=*/true);  // keys: payer, a, b, x
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"PrivilegeEscalation\"]}");
  const std::vector<std::string> tail(out.logs.end() - 3, out.logs.end());
  EXPECT_EQ(tail[0], b58(x) + "'s writable privilege escalated");
  EXPECT_EQ(tail[2], "Program " + b58(a) +
                         " failed: Cross-program invocation with unauthorized signer or writable account");
  // x does not sign; a asks for a signature.
  src.accounts[a] = program_account(invoker(b, {{x, true, false}}));
  out = run({a, b}, {1, 3});  // keys: payer, x, a, b
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"PrivilegeEscalation\"]}");
  EXPECT_EQ(*(out.logs.end() - 3), b58(x) + "'s signer privilege escalated");
}

TEST_F(SvmCpi, SuccessfulCpiIsAnInnerInstruction) {
  src.accounts[b] = program_account(build("mov64 r0, 0; exit", {}));
  // Executable accounts need no AccountInfo: a passes itself.
  src.accounts[a] = program_account(invoker(b, {{a, false, false}}));
  auto out = run({a, b}, {2, 3});
  ASSERT_FALSE(out.err) << out.err->to_json() << "\n" << out.logs.back();
  const std::string pa = b58(a), pb = b58(b);
  ASSERT_EQ(out.logs.size(), 6u);
  EXPECT_EQ(out.logs[0], "Program " + pa + " invoke [1]");
  EXPECT_EQ(out.logs[1], "Program " + pb + " invoke [2]");
  EXPECT_TRUE(out.logs[2].starts_with("Program " + pb + " consumed 2 of 199")) << out.logs[2];
  EXPECT_EQ(out.logs[3], "Program " + pb + " success");
  EXPECT_EQ(out.logs[5], "Program " + pa + " success");
  ASSERT_EQ(out.inner_instructions[0].size(), 1u);
  const auto& inner = out.inner_instructions[0][0];
  EXPECT_EQ(inner.stack_height, 2u);
  EXPECT_EQ(inner.instruction.program_id_index, 3);
  EXPECT_EQ(inner.instruction.accounts, std::vector<uint8_t>{2});
}

TEST_F(SvmCpi, ReentrancyIsOnlyAllowedDirectly) {
  src.accounts[b] = program_account(invoker(a, {}));            // b calls back into a
  src.accounts[a] = program_account(invoker(b, {{a, false, false}}));
  auto out = run({a, b}, {2, 3});  // keys: payer, x, a, b; a sees [a, b]
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ReentrancyNotAllowed\"]}");
  const std::string msg = "Cross-program invocation reentrancy not allowed for this instruction";
  EXPECT_EQ(out.logs.back(), "Program " + b58(a) + " failed: " + msg);
  EXPECT_NE(std::find(out.logs.begin(), out.logs.end(), "Program " + b58(b) + " failed: " + msg), out.logs.end());
}

TEST_F(SvmCpi, CalleeMustBeAnAccountOfTheCaller) {
  src.accounts[b] = program_account(build("mov64 r0, 0; exit", {}));
  src.accounts[a] = program_account(invoker(b, {}));
  auto out = run({a, b}, {1});  // b is in the transaction but not given to a
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"MissingAccount\"]}");
  EXPECT_EQ(*(out.logs.end() - 3), "Unknown program " + b58(b));
  // A non-executable account without an AccountInfo is missing too.
  src.accounts[a] = program_account(invoker(b, {{x, false, true}}));
  out = run({a, b}, {1, 3});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"MissingAccount\"]}");
  EXPECT_EQ(*(out.logs.end() - 3), "Instruction references an unknown account " + b58(x));
}

TEST_F(SvmCpi, LoadersAndPrecompilesCannotBeInvoked) {
  src.accounts[a] = program_account(invoker(ids::bpf_loader, {}));
  auto out = run({a}, {});
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[0,\"ProgramFailedToComplete\"]}");
  EXPECT_EQ(out.logs.back(), "Program " + b58(a) + " failed: Program " + b58(ids::bpf_loader) +
                                 " not supported by inner instructions");
}

TEST_F(SvmCpi, ProcessedSiblingInstruction) {
  // Instruction 0: b (no-op) with data [7, 8] and account x. Instruction 1: a asks for its most
  // recent processed sibling and exits with 1000 * found + 16 * data_len + accounts_len.
  src.accounts[b] = program_account(build("mov64 r0, 0; exit", {}));
  src.accounts[a] = program_account(build(
      "stdw [r10-16], 0; stdw [r10-8], 0; mov64 r1, 0; mov64 r2, r10; sub64 r2, 16;"
      "mov64 r3, r10; sub64 r3, 64; mov64 r4, r10; sub64 r4, 72; mov64 r5, r10; sub64 r5, 200;"
      "call sol_get_processed_sibling_instruction;"
      "ldxdw r6, [r10-16]; ldxdw r7, [r10-8]; mul64 r0, 1000; mul64 r6, 16; add64 r0, r6; add64 r0, r7; exit",
      {}));
  Transaction tx;
  tx.message.header = {1, 0, 2};
  tx.message.account_keys = {payer, x, a, b};
  tx.message.instructions = {{3, {1}, {7, 8}}, {2, {}, {}}};
  tx.signatures.assign(1, Signature{});
  auto out = rt.execute(tx, src, env);
  ASSERT_TRUE(out.err);
  EXPECT_EQ(out.err->to_json(), "{\"InstructionError\":[1,{\"Custom\":1033}]}");
}

}  // namespace
}  // namespace lumio::svm
