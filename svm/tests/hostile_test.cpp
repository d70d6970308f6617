// Hostile programs (svm/asm.hpp hostile_programs, the same ELFs tools/sbpf-progs writes) deployed
// through the upgradeable loader and invoked as transactions: the error, compute units and logs
// must be Agave's. Expected values were observed with litesvm 1.5.0 (Agave's runtime in-process,
// tests/solana/node_modules/litesvm) deploying the same bytes through the loader (buffer, Write,
// DeployWithMaxDataLen) and invoking each program with its own program account as account 0.
#include <gtest/gtest.h>

#include "svm/asm.hpp"
#include "svm/tests/builtin_harness.hpp"

namespace lumio::svm {
namespace {

using namespace test;
using test::Keypair;  // the harness's seeded keypair, over svm::Keypair
constexpr uint64_t kSol = 1'000'000'000;

struct Expected {
  const char* name;
  const char* error;  // ix_error() form
  uint64_t compute_units;
  std::vector<std::string> logs;  // "<ID>" stands for the program id
};

const std::vector<Expected>& observed_runs() {
  static const std::vector<Expected> runs = {
      {"infinite_loop", "ProgramFailedToComplete", 200000,
       {"Program <ID> invoke [1]", "Program <ID> consumed 200000 of 200000 compute units",
        "Program <ID> failed: exceeded CUs meter at BPF instruction"}},
      {"oob_load", "ProgramFailedToComplete", 200000,
       {"Program <ID> invoke [1]", "Program <ID> consumed 2 of 200000 compute units",
        "Program <ID> failed: Access violation reading 8 bytes at address 0x0 (in unallocated region)"}},
      {"cpi_recursion", "CallDepth", 4910,
       {"Program <ID> invoke [1]", "Program <ID> invoke [2]", "Program <ID> invoke [3]", "Program <ID> invoke [4]",
        "Program <ID> invoke [5]", "Program <ID> consumed 982 of 196072 compute units",
        "Program <ID> failed: Cross-program invocation call depth too deep",
        "Program <ID> consumed 1964 of 197054 compute units",
        "Program <ID> failed: Cross-program invocation call depth too deep",
        "Program <ID> consumed 2946 of 198036 compute units",
        "Program <ID> failed: Cross-program invocation call depth too deep",
        "Program <ID> consumed 3928 of 199018 compute units",
        "Program <ID> failed: Cross-program invocation call depth too deep",
        "Program <ID> consumed 4910 of 200000 compute units",
        "Program <ID> failed: Cross-program invocation call depth too deep"}},
      {"call_depth", "ProgramFailedToComplete", 200000,
       {"Program <ID> invoke [1]", "Program <ID> consumed 127 of 200000 compute units",
        "Program <ID> failed: exceeded max BPF to BPF call depth"}},
      {"custom_error", "Custom(6000)", 110,
       {"Program <ID> invoke [1]", "Program log: hostile program!", "Program <ID> consumed 110 of 200000 compute units",
        "Program <ID> failed: custom program error: 0x1770"}},
      {"div_by_zero", "ProgramFailedToComplete", 200000,
       {"Program <ID> invoke [1]", "Program <ID> consumed 3 of 200000 compute units",
        "Program <ID> failed: divide by zero at BPF instruction"}},
      {"heap_oob", "ProgramFailedToComplete", 200000,
       {"Program <ID> invoke [1]", "Program <ID> consumed 2 of 200000 compute units",
        "Program <ID> failed: Access violation writing 1 bytes at address 0x300008000 (in unallocated region)"}},
  };
  return runs;
}

// Deploy transaction [CreateAccount(program), DeployWithMaxDataLen] of an invalid ELF: litesvm
// fails instruction 1 with InvalidAccountData after 2670 CU, logging the loader's error text.
const std::vector<std::pair<const char*, const char*>>& observed_deploy_errors() {
  static const std::vector<std::pair<const char*, const char*>> errs = {
      {"bad_truncated", "Offset or value is out of bounds"},
      {"bad_machine", "Incompatible ELF: wrong machine"},
      {"bad_entrypoint", "Entrypoint out of bounds"},
      {"bad_syscall", "Unresolved symbol (sol_no_such_syscall_) at instruction #8 (ELF file offset 0x40)"},
  };
  return errs;
}

std::vector<uint8_t> elf_of(const std::string& name) {
  for (auto& p : hostile_programs())
    if (p.name == name) return p.elf;
  ADD_FAILURE() << "no program " << name;
  return {};
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

struct SvmHostile : ::testing::Test {
  Chain c;
  Keypair payer{1};
  Deployer d{c, payer, payer};
  SvmHostile() { c.fund(payer.pub, 1000 * kSol); }
};

TEST_F(SvmHostile, ProgramsFailAsInAgave) {
  uint8_t seed = 0x40;
  for (const auto& want : observed_runs()) {
    SCOPED_TRACE(want.name);
    Keypair prog(seed++), buf(seed++);
    auto elf = elf_of(want.name);
    for (auto& out : d.write_buffer(buf, elf)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
    auto dep = d.deploy(prog, buf.pub, elf.size());
    ASSERT_EQ(ix_error(dep), "ok") << logs_of(dep);
    c.advance();
    auto out = c.send({Instruction{prog.pub, {{prog.pub, false, false}}, {}}}, payer);
    EXPECT_EQ(ix_error(out), want.error) << logs_of(out);
    EXPECT_EQ(out.compute_units_consumed, want.compute_units);
    std::vector<std::string> logs;
    for (auto& l : out.logs) logs.push_back(replace_all(l, b58(prog.pub), "<ID>"));
    EXPECT_EQ(logs, want.logs);
  }
}

TEST_F(SvmHostile, InvalidElfsFailToDeployAsInAgave) {
  uint8_t seed = 0x80;
  for (const auto& [name, text] : observed_deploy_errors()) {
    SCOPED_TRACE(name);
    Keypair prog(seed++), buf(seed++);
    auto elf = elf_of(name);
    for (auto& out : d.write_buffer(buf, elf)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
    auto out = d.deploy(prog, buf.pub, elf.size());
    ASSERT_TRUE(out.err);
    EXPECT_EQ(out.err->kind, TransactionError::InstructionError);
    EXPECT_EQ(out.err->index, 1u);
    EXPECT_EQ(ix_error(out), "InvalidAccountData");
    EXPECT_EQ(out.compute_units_consumed, 2670u);
    const std::string sys = "Program 11111111111111111111111111111111 ";
    const std::string ldr = "Program BPFLoaderUpgradeab1e11111111111111111111111 ";
    std::vector<std::string> want = {sys + "invoke [1]", sys + "success", ldr + "invoke [1]", sys + "invoke [2]",
                                     sys + "success", text, ldr + "failed: invalid account data for instruction"};
    EXPECT_EQ(out.logs, want);
  }
}

// An unresolved syscall passes the execution-time loader (litesvm addProgram puts it in place without
// the deploy checks) and fails when reached: litesvm 1.5.0 gave ProgramFailedToComplete, all 200000
// CU, "consumed 1 of 200000" and "failed: unsupported BPF instruction".
TEST_F(SvmHostile, UnresolvedSyscallReachedAtRuntime) {
  Keypair prog(0x30);
  Account& a = c.bank.accounts[prog.pub];
  a.data = elf_of("bad_syscall");
  a.owner = ids::bpf_loader;
  a.executable = true;
  a.lamports = c.env.rent.minimum_balance(a.data.size());
  auto out = c.send({Instruction{prog.pub, {{prog.pub, false, false}}, {}}}, payer);
  EXPECT_EQ(ix_error(out), "ProgramFailedToComplete") << logs_of(out);
  EXPECT_EQ(out.compute_units_consumed, 200000u);
  const std::string id = "Program " + b58(prog.pub);
  EXPECT_EQ(out.logs, (std::vector<std::string>{id + " invoke [1]", id + " consumed 1 of 200000 compute units",
                                                id + " failed: unsupported BPF instruction"}));
}

// Every program loads under the execution rules and the deployable ones under the deploy rules
// (what addProgram and DeployWithMaxDataLen check), and the invalid ones fail with the same text.
TEST(SvmHostileElf, LoaderVerdicts) {
  for (auto& p : hostile_programs()) {
    SCOPED_TRACE(p.name);
    auto exe = Executable::load(p.elf, make_loader_v1(true));
    EXPECT_EQ(exe.ok(), !p.invalid);
  }
}

}  // namespace
}  // namespace lumio::svm
