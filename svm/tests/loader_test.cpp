// Upgradeable loader program management through signed transactions: buffers, deploy, upgrade,
// authorities, close, extend — every Agave error path with its log line — on small programs
// built with the test assembler. Genuine images: spl_loader.cpp (svm_spl_test).
#include <gtest/gtest.h>

#include "svm/tests/asm.hpp"
#include "svm/tests/builtin_harness.hpp"

namespace lumio::svm {
namespace {

using namespace test;
using test::Keypair;  // the harness's seeded keypair, over svm::Keypair
constexpr uint64_t kSol = 1'000'000'000;

// A program that returns `r0` (0 = success, n = custom error n).
std::vector<uint8_t> program_returning(int r0, size_t pad_insns = 0) {
  std::string src;
  for (size_t i = 0; i < pad_insns; ++i) src += "mov64 r1, 1\n";
  src += "mov64 r0, " + std::to_string(r0) + "\nexit";
  ElfBuilder b;
  b.text = assemble(src);
  return b.build();
}

struct LoaderFixture : ::testing::Test {
  Chain c;
  Keypair payer{1}, authority{2}, program{3}, buffer{4}, other{5};
  Deployer d{c, payer, authority};
  LoaderFixture() {
    c.fund(payer.pub, 1000 * kSol);
    c.fund(authority.pub, kSol);
  }
  // Deploys `elf` at `program` and moves to the next slot (so it can be invoked).
  void deploy(const std::vector<uint8_t>& elf, uint64_t max_len = 0) {
    for (auto& out : d.write_buffer(buffer, elf)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
    auto out = d.deploy(program, buffer.pub, max_len ? max_len : elf.size());
    ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
    c.advance();
  }
};

TEST_F(LoaderFixture, DeployInvokeAndVisibilityDelay) {
  auto elf = program_returning(0);
  for (auto& out : d.write_buffer(buffer, elf)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  const Account* buf = c.bank.find(buffer.pub);
  ASSERT_TRUE(buf);
  auto bs = decode_loader_state(buf->data);
  ASSERT_TRUE(bs);
  EXPECT_EQ(bs->kind, UpgradeableLoaderState::Buffer);
  EXPECT_EQ(bs->authority, authority.pub);
  EXPECT_TRUE(std::equal(elf.begin(), elf.end(), buf->data.begin() + 37));

  auto out = d.deploy(program, buffer.pub, elf.size() + 100);
  ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  EXPECT_TRUE(has_log(out, "Deployed program " + b58(program.pub))) << logs_of(out);
  // CreateAccount (150) + DeployWithMaxDataLen (2370) + its CreateAccount CPI (150).
  EXPECT_EQ(out.compute_units_consumed, 150u + kUpgradeableLoaderComputeUnits + 150u);
  const Account* prog = c.bank.find(program.pub);
  ASSERT_TRUE(prog);
  EXPECT_TRUE(prog->executable);
  auto ps = decode_loader_state(prog->data);
  ASSERT_TRUE(ps);
  EXPECT_EQ(ps->kind, UpgradeableLoaderState::Program);
  EXPECT_EQ(ps->programdata_address, programdata_address(program.pub));
  const Account* pd = c.bank.find(programdata_address(program.pub));
  ASSERT_TRUE(pd);
  EXPECT_EQ(pd->owner, ids::bpf_loader_upgradeable);
  EXPECT_EQ(pd->data.size(), 45 + elf.size() + 100);
  EXPECT_EQ(pd->lamports, c.env.rent.minimum_balance(pd->data.size()));
  auto pds = decode_loader_state(pd->data);
  ASSERT_TRUE(pds);
  EXPECT_EQ(pds->kind, UpgradeableLoaderState::ProgramData);
  EXPECT_EQ(pds->slot, c.env.slot);
  EXPECT_EQ(pds->authority, authority.pub);
  EXPECT_TRUE(std::equal(elf.begin(), elf.end(), pd->data.begin() + 45));
  EXPECT_FALSE(c.bank.find(buffer.pub));  // drained to the payer

  // Deployed in this slot: not invocable until the next one.
  auto early = c.send({invoke(program.pub)}, payer);
  EXPECT_EQ(ix_error(early), "UnsupportedProgramId") << logs_of(early);
  EXPECT_TRUE(has_log(early, "Program is not deployed")) << logs_of(early);
  c.advance();
  auto ran = c.send({invoke(program.pub)}, payer);
  EXPECT_EQ(ix_error(ran), "ok") << logs_of(ran);
  EXPECT_TRUE(has_log(ran, "Program " + b58(program.pub) + " success")) << logs_of(ran);
}

TEST_F(LoaderFixture, BufferErrors) {
  auto elf = program_returning(0);
  auto outs = d.write_buffer(buffer, elf);
  ASSERT_EQ(ix_error(outs[0]), "ok");
  auto init = loader_ix(loader(LoaderIx::InitializeBuffer), {{buffer.pub, false, true}, {authority.pub, false, false}});
  auto twice = c.send({init}, payer);
  EXPECT_EQ(ix_error(twice), "AccountAlreadyInitialized");
  EXPECT_TRUE(has_log(twice, "Buffer account already initialized"));

  auto w = loader(LoaderIx::Write);
  w.bytes = {1, 2, 3};
  auto wrong = c.send({loader_ix(w, {{buffer.pub, false, true}, {other.pub, true, false}})}, payer, {&other});
  EXPECT_EQ(ix_error(wrong), "IncorrectAuthority");
  EXPECT_TRUE(has_log(wrong, "Incorrect buffer authority provided"));
  auto nosig = c.send({loader_ix(w, {{buffer.pub, false, true}, {authority.pub, false, false}})}, payer);
  EXPECT_EQ(ix_error(nosig), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(nosig, "Buffer authority did not sign"));
  w.offset = uint32_t(elf.size() - 1);
  auto overflow = c.send({loader_ix(w, {{buffer.pub, false, true}, {authority.pub, true, false}})}, payer, {&authority});
  EXPECT_EQ(ix_error(overflow), "AccountDataTooSmall");
  EXPECT_TRUE(has_log(overflow, "Write overflow: " + std::to_string(37 + elf.size()) + " < " +
                                    std::to_string(37 + elf.size() + 2)))
      << logs_of(overflow);
  // Writing into a loader account that is not a buffer (Uninitialized state).
  ASSERT_EQ(ix_error(c.send({create_account(payer.pub, other.pub, kSol, 64, ids::bpf_loader_upgradeable)}, payer,
                            {&other})),
            "ok");
  auto not_buffer = c.send({loader_ix(w, {{other.pub, false, true}, {authority.pub, true, false}})}, payer, {&authority});
  EXPECT_EQ(ix_error(not_buffer), "InvalidAccountData");
  EXPECT_TRUE(has_log(not_buffer, "Invalid Buffer account")) << logs_of(not_buffer);
  // No state at all (empty data): the state does not decode.
  auto no_state = c.send({loader_ix(w, {{payer.pub, false, true}, {authority.pub, true, false}})}, payer, {&authority});
  EXPECT_EQ(ix_error(no_state), "InvalidAccountData");
  // Garbage instruction data.
  EXPECT_EQ(ix_error(c.send({Instruction{ids::bpf_loader_upgradeable, {}, {42, 0, 0, 0}}}, payer)),
            "InvalidInstructionData");
}

TEST_F(LoaderFixture, DeployErrors) {
  auto elf = program_returning(0);
  for (auto& out : d.write_buffer(buffer, elf)) ASSERT_EQ(ix_error(out), "ok");
  auto fails_with = [&](std::vector<Instruction> ixs, std::vector<const Keypair*> signers, const std::string& err,
                        const std::string& log) {
    auto out = c.send(ixs, payer, signers);
    EXPECT_EQ(ix_error(out), err) << log << "\n" << logs_of(out);
    if (!log.empty()) EXPECT_TRUE(has_log(out, log)) << logs_of(out);
  };
  auto program_account = [&](uint64_t space) {
    return create_account(payer.pub, program.pub, c.env.rent.minimum_balance(space), space, ids::bpf_loader_upgradeable);
  };
  fails_with({program_account(10), d.deploy_ix(program.pub, buffer.pub, elf.size())}, {&program, &authority},
             "AccountDataTooSmall", "Program account too small");
  fails_with({create_account(payer.pub, program.pub, 1, 36, ids::bpf_loader_upgradeable),
              d.deploy_ix(program.pub, buffer.pub, elf.size())},
             {&program, &authority}, "ExecutableAccountNotRentExempt", "Program account not rent-exempt");
  fails_with({program_account(36), d.deploy_ix(program.pub, buffer.pub, elf.size() - 1)}, {&program, &authority},
             "AccountDataTooSmall", "Max data length is too small to hold Buffer data");
  fails_with({program_account(36), d.deploy_ix(program.pub, buffer.pub, kSystemMaxPermittedDataLength)},
             {&program, &authority}, "InvalidArgument", "Max data length is too large");
  auto wrong_pd = d.deploy_ix(program.pub, buffer.pub, elf.size());
  wrong_pd.accounts[1].pubkey = other.pub;
  fails_with({program_account(36), wrong_pd}, {&program, &authority}, "InvalidArgument",
             "ProgramData address is not derived");
  Deployer wrong_auth{c, payer, other};
  fails_with({program_account(36), wrong_auth.deploy_ix(program.pub, buffer.pub, elf.size())}, {&program, &other},
             "IncorrectAuthority", "Buffer and upgrade authority don't match");
  auto unsigned_auth = d.deploy_ix(program.pub, buffer.pub, elf.size());
  unsigned_auth.accounts[7].is_signer = false;
  fails_with({program_account(36), unsigned_auth}, {&program}, "MissingRequiredSignature",
             "Upgrade authority did not sign");
  auto no_clock = d.deploy_ix(program.pub, buffer.pub, elf.size());
  no_clock.accounts[5].pubkey = ids::sysvar_rent;
  fails_with({program_account(36), no_clock}, {&program, &authority}, "InvalidArgument", "");

  // A buffer that is not an ELF: the loader's error is logged, InvalidAccountData.
  Keypair junk_buffer(6);
  std::vector<uint8_t> junk(200, 0);
  for (auto& out : d.write_buffer(junk_buffer, junk)) ASSERT_EQ(ix_error(out), "ok");
  fails_with({program_account(36), d.deploy_ix(program.pub, junk_buffer.pub, junk.size())}, {&program, &authority},
             "InvalidAccountData", "Failed to parse ELF file: invalid file header");

  // A program already deployed cannot be deployed over.
  ASSERT_EQ(ix_error(d.deploy(program, buffer.pub, elf.size())), "ok");
  Keypair buffer2(7);
  for (auto& out : d.write_buffer(buffer2, elf)) ASSERT_EQ(ix_error(out), "ok");
  fails_with({d.deploy_ix(program.pub, buffer2.pub, elf.size())}, {&authority}, "AccountAlreadyInitialized",
             "Program account already initialized");
}

TEST_F(LoaderFixture, UpgradeAuthorityAndImmutability) {
  deploy(program_returning(0), 4096);
  ASSERT_EQ(ix_error(c.send({invoke(program.pub)}, payer)), "ok");

  // Upgrade to a program that fails with custom error 7.
  Keypair buffer2(7);
  auto v2 = program_returning(7, 3);
  for (auto& out : d.write_buffer(buffer2, v2)) ASSERT_EQ(ix_error(out), "ok");
  // Wrong authority (its own buffer, so the buffer check passes).
  Keypair buffer3(8);
  Deployer mallory{c, payer, other};
  for (auto& out : mallory.write_buffer(buffer3, v2)) ASSERT_EQ(ix_error(out), "ok");
  auto bad = c.send({mallory.upgrade_ix(program.pub, buffer3.pub, other.pub)}, payer, {&other});
  EXPECT_EQ(ix_error(bad), "IncorrectAuthority");
  EXPECT_TRUE(has_log(bad, "Incorrect upgrade authority provided")) << logs_of(bad);
  auto mismatch = c.send({d.upgrade_ix(program.pub, buffer3.pub, authority.pub)}, payer, {&authority});
  EXPECT_EQ(ix_error(mismatch), "IncorrectAuthority");
  EXPECT_TRUE(has_log(mismatch, "Buffer and upgrade authority don't match"));

  uint64_t payer_before = c.bank.lamports(payer.pub);
  auto up = c.send({d.upgrade_ix(program.pub, buffer2.pub, authority.pub)}, payer, {&authority});
  ASSERT_EQ(ix_error(up), "ok") << logs_of(up);
  EXPECT_TRUE(has_log(up, "Upgraded program " + b58(program.pub)));
  EXPECT_FALSE(c.bank.find(buffer2.pub));
  EXPECT_GT(c.bank.lamports(payer.pub), payer_before);  // the buffer's rent spilled to the payer
  const Account* pd = c.bank.find(programdata_address(program.pub));
  ASSERT_TRUE(pd);
  EXPECT_EQ(decode_loader_state(pd->data)->slot, c.env.slot);
  EXPECT_TRUE(std::equal(v2.begin(), v2.end(), pd->data.begin() + 45));
  EXPECT_TRUE(std::all_of(pd->data.begin() + 45 + v2.size(), pd->data.end(), [](uint8_t b) { return b == 0; }));
  // Still the old program in this slot; the new one from the next.
  EXPECT_EQ(ix_error(c.send({invoke(program.pub)}, payer)), "UnsupportedProgramId");
  c.advance();
  EXPECT_EQ(ix_error(c.send({invoke(program.pub)}, payer)), "Custom(7)");

  // SetAuthority (unchecked): to `other`; the old authority no longer works.
  auto set = [&](const Pubkey& current, std::optional<Pubkey> next) {
    std::vector<AccountMeta> metas{{programdata_address(program.pub), false, true}, {current, true, false}};
    if (next) metas.push_back({*next, false, false});
    return loader_ix(loader(LoaderIx::SetAuthority), metas);
  };
  auto moved = c.send({set(authority.pub, other.pub)}, payer, {&authority});
  ASSERT_EQ(ix_error(moved), "ok") << logs_of(moved);
  EXPECT_TRUE(has_log(moved, "New authority Some(" + b58(other.pub) + ")")) << logs_of(moved);
  auto stale = c.send({set(authority.pub, authority.pub)}, payer, {&authority});
  EXPECT_EQ(ix_error(stale), "IncorrectAuthority");
  EXPECT_TRUE(has_log(stale, "Incorrect upgrade authority provided"));

  // SetAuthorityChecked: the new authority must sign too.
  auto checked = loader_ix(loader(LoaderIx::SetAuthorityChecked), {{programdata_address(program.pub), false, true},
                                                                   {other.pub, true, false},
                                                                   {authority.pub, false, false}});
  auto unsigned_new = c.send({checked}, payer, {&other});
  EXPECT_EQ(ix_error(unsigned_new), "MissingRequiredSignature");
  EXPECT_TRUE(has_log(unsigned_new, "New authority did not sign"));
  checked.accounts[2].is_signer = true;
  auto back = c.send({checked}, payer, {&other, &authority});
  ASSERT_EQ(ix_error(back), "ok") << logs_of(back);
  EXPECT_TRUE(has_log(back, "New authority " + b58(authority.pub)));

  // Make it immutable: no authority. Upgrades and authority changes then fail.
  auto frozen = c.send({set(authority.pub, std::nullopt)}, payer, {&authority});
  ASSERT_EQ(ix_error(frozen), "ok") << logs_of(frozen);
  EXPECT_TRUE(has_log(frozen, "New authority None"));
  EXPECT_FALSE(decode_loader_state(c.bank.find(programdata_address(program.pub))->data)->authority);
  Keypair buffer4(9);
  for (auto& out : d.write_buffer(buffer4, v2)) ASSERT_EQ(ix_error(out), "ok");
  auto immutable = c.send({d.upgrade_ix(program.pub, buffer4.pub, authority.pub)}, payer, {&authority});
  EXPECT_EQ(ix_error(immutable), "Immutable");
  EXPECT_TRUE(has_log(immutable, "Program not upgradeable")) << logs_of(immutable);
  auto close = c.send({loader_ix(loader(LoaderIx::Close), {{programdata_address(program.pub), false, true},
                                                           {payer.pub, false, true},
                                                           {authority.pub, true, false},
                                                           {program.pub, false, true}})},
                      payer, {&authority});
  EXPECT_EQ(ix_error(close), "Immutable");
  EXPECT_TRUE(has_log(close, "Account is immutable"));
  // Buffer authority cannot be removed.
  auto buf_none = c.send({loader_ix(loader(LoaderIx::SetAuthority), {{buffer4.pub, false, true}, {authority.pub, true, false}})},
                         payer, {&authority});
  EXPECT_EQ(ix_error(buf_none), "IncorrectAuthority");
  EXPECT_TRUE(has_log(buf_none, "Buffer authority is not optional"));
}

TEST_F(LoaderFixture, CloseBufferAndProgram) {
  deploy(program_returning(0));
  auto close_ix = [&](const Pubkey& target, const Pubkey& recipient, const Pubkey& auth, bool with_program) {
    std::vector<AccountMeta> metas{{target, false, true}, {recipient, false, true}, {auth, true, false}};
    if (with_program) metas.push_back({program.pub, false, true});
    return loader_ix(loader(LoaderIx::Close), metas);
  };
  // Buffer: to a recipient; not to itself; only by its authority.
  Keypair buffer2(7);
  for (auto& out : d.write_buffer(buffer2, program_returning(1))) ASSERT_EQ(ix_error(out), "ok");
  uint64_t buffer_lamports = c.bank.lamports(buffer2.pub);
  auto self = c.send({close_ix(buffer2.pub, buffer2.pub, authority.pub, false)}, payer, {&authority});
  EXPECT_EQ(ix_error(self), "InvalidArgument");
  EXPECT_TRUE(has_log(self, "Recipient is the same as the account being closed"));
  auto wrong = c.send({close_ix(buffer2.pub, other.pub, other.pub, false)}, payer, {&other});
  EXPECT_EQ(ix_error(wrong), "IncorrectAuthority");
  EXPECT_TRUE(has_log(wrong, "Incorrect authority provided"));
  auto closed = c.send({close_ix(buffer2.pub, other.pub, authority.pub, false)}, payer, {&authority});
  ASSERT_EQ(ix_error(closed), "ok") << logs_of(closed);
  EXPECT_TRUE(has_log(closed, "Closed Buffer " + b58(buffer2.pub)));
  EXPECT_EQ(c.bank.lamports(other.pub), buffer_lamports);
  EXPECT_FALSE(c.bank.find(buffer2.pub));

  // Program: needs the program account; afterwards the program is gone.
  const Pubkey pd = programdata_address(program.pub);
  uint64_t pd_lamports = c.bank.lamports(pd);
  auto missing_program = c.send({close_ix(pd, other.pub, authority.pub, false)}, payer, {&authority});
  EXPECT_EQ(ix_error(missing_program), "NotEnoughAccountKeys");
  auto done = c.send({close_ix(pd, other.pub, authority.pub, true)}, payer, {&authority});
  ASSERT_EQ(ix_error(done), "ok") << logs_of(done);
  EXPECT_TRUE(has_log(done, "Closed Program " + b58(program.pub)));
  EXPECT_EQ(c.bank.lamports(other.pub), buffer_lamports + pd_lamports);
  EXPECT_FALSE(c.bank.find(pd));
  c.advance();
  auto gone = c.send({invoke(program.pub)}, payer);
  EXPECT_NE(ix_error(gone), "ok") << logs_of(gone);
  // An uninitialized loader account closes without an authority.
  Keypair blank(10);
  ASSERT_EQ(ix_error(c.send({create_account(payer.pub, blank.pub, kSol, 100, ids::bpf_loader_upgradeable)}, payer,
                            {&blank})),
            "ok");
  uint64_t other_before = c.bank.lamports(other.pub);
  auto uninit = c.send({loader_ix(loader(LoaderIx::Close), {{blank.pub, false, true}, {other.pub, false, true}})}, payer);
  ASSERT_EQ(ix_error(uninit), "ok") << logs_of(uninit);
  EXPECT_TRUE(has_log(uninit, "Closed Uninitialized " + b58(blank.pub)));
  EXPECT_EQ(c.bank.lamports(other.pub), other_before + kSol);
}

TEST_F(LoaderFixture, ExtendProgramChecked) {
  auto elf = program_returning(0);
  deploy(elf);
  const Pubkey pd = programdata_address(program.pub);
  auto plain = loader(LoaderIx::ExtendProgram);
  plain.additional_bytes = 100;
  auto superseded = c.send({loader_ix(plain, {{pd, false, true}, {program.pub, false, true},
                                              {ids::system_program, false, false}, {payer.pub, true, true}})},
                           payer);
  EXPECT_EQ(ix_error(superseded), "InvalidInstructionData");
  EXPECT_TRUE(has_log(superseded, "ExtendProgram was superseded by ExtendProgramChecked"));

  auto ext = loader(LoaderIx::ExtendProgramChecked);
  ext.additional_bytes = 1000;
  auto ext_ix = loader_ix(ext, {{pd, false, true}, {program.pub, false, true}, {authority.pub, true, false},
                                {ids::system_program, false, false}, {payer.pub, true, true}});
  auto wrong = ext_ix;
  wrong.accounts[2].pubkey = other.pub;
  auto bad = c.send({wrong}, payer, {&other});
  EXPECT_EQ(ix_error(bad), "IncorrectAuthority");
  EXPECT_TRUE(has_log(bad, "Incorrect upgrade authority provided"));
  auto zero = ext;
  zero.additional_bytes = 0;
  auto z = c.send({loader_ix(zero, ext_ix.accounts)}, payer, {&authority});
  EXPECT_EQ(ix_error(z), "InvalidInstructionData");
  EXPECT_TRUE(has_log(z, "Additional bytes must be greater than 0"));

  auto out = c.send({ext_ix}, payer, {&authority});
  ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  EXPECT_TRUE(has_log(out, "Extended ProgramData account by 1000 bytes"));
  const Account* a = c.bank.find(pd);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->data.size(), 45 + elf.size() + 1000);
  EXPECT_EQ(a->lamports, c.env.rent.minimum_balance(a->data.size()));
  auto again = c.send({ext_ix}, payer, {&authority});
  EXPECT_EQ(ix_error(again), "InvalidArgument");
  EXPECT_TRUE(has_log(again, "Program was extended in this block already"));
}

TEST_F(LoaderFixture, SameSlotAndOwnershipRules) {
  auto elf = program_returning(0);
  for (auto& out : d.write_buffer(buffer, elf)) ASSERT_EQ(ix_error(out), "ok");
  ASSERT_EQ(ix_error(d.deploy(program, buffer.pub, elf.size() + 64)), "ok");
  // Upgrade and close in the deployment slot are refused.
  Keypair buffer2(7);
  for (auto& out : d.write_buffer(buffer2, elf)) ASSERT_EQ(ix_error(out), "ok");
  auto up = c.send({d.upgrade_ix(program.pub, buffer2.pub, authority.pub)}, payer, {&authority});
  EXPECT_EQ(ix_error(up), "InvalidArgument");
  EXPECT_TRUE(has_log(up, "Program was deployed in this block already")) << logs_of(up);
  auto close = loader_ix(loader(LoaderIx::Close), {{programdata_address(program.pub), false, true},
                                                   {payer.pub, false, true},
                                                   {authority.pub, true, false},
                                                   {program.pub, false, true}});
  auto cl = c.send({close}, payer, {&authority});
  EXPECT_EQ(ix_error(cl), "InvalidArgument");
  EXPECT_TRUE(has_log(cl, "Program was deployed in this block already")) << logs_of(cl);
  c.advance();
  // Upgrade naming a program account the loader does not own.
  c.fund(other.pub, kSol);
  auto foreign = d.upgrade_ix(other.pub, buffer2.pub, authority.pub);
  foreign.accounts[0].pubkey = programdata_address(program.pub);
  auto f = c.send({foreign}, payer, {&authority});
  EXPECT_EQ(ix_error(f), "IncorrectProgramId");
  EXPECT_TRUE(has_log(f, "Program account not owned by loader")) << logs_of(f);
  // Program and ProgramData that do not belong together.
  auto mismatch = d.upgrade_ix(program.pub, buffer2.pub, authority.pub);
  mismatch.accounts[0].pubkey = buffer.pub;
  auto m = c.send({mismatch}, payer, {&authority});
  EXPECT_EQ(ix_error(m), "InvalidArgument");
  EXPECT_TRUE(has_log(m, "Program and ProgramData account mismatch")) << logs_of(m);
  // Authorities only exist on buffers and ProgramData.
  auto set = c.send({loader_ix(loader(LoaderIx::SetAuthority), {{program.pub, false, true},
                                                                {authority.pub, true, false},
                                                                {other.pub, false, false}})},
                    payer, {&authority});
  EXPECT_EQ(ix_error(set), "InvalidArgument");
  EXPECT_TRUE(has_log(set, "Account does not support authorities")) << logs_of(set);
  // Migrate to loader v4 is not enabled on mainnet.
  EXPECT_EQ(ix_error(c.send({loader_ix(loader(LoaderIx::Migrate), {})}, payer)), "InvalidInstructionData");
}

// Before enable_extend_program_checked: plain ExtendProgram (payer at index 3, no authority
// check) works and the checked form does not exist.
TEST(SvmLoaderFeatures, ExtendProgramBeforeTheCheckedForm) {
  BuiltinFeatures features;
  features.enable_extend_program_checked = false;
  Chain c(features);
  Keypair payer(1), authority(2), program(3), buffer(4);
  c.fund(payer.pub, 1000 * kSol);
  Deployer d{c, payer, authority};
  auto elf = program_returning(0);
  for (auto& out : d.write_buffer(buffer, elf)) ASSERT_EQ(ix_error(out), "ok");
  ASSERT_EQ(ix_error(d.deploy(program, buffer.pub, elf.size())), "ok");
  c.advance();
  const Pubkey pd = programdata_address(program.pub);
  auto checked = loader(LoaderIx::ExtendProgramChecked);
  checked.additional_bytes = 10;
  EXPECT_EQ(ix_error(c.send({loader_ix(checked, {{pd, false, true}, {program.pub, false, true},
                                                  {authority.pub, true, false}, {ids::system_program, false, false},
                                                  {payer.pub, true, true}})},
                            payer, {&authority})),
            "InvalidInstructionData");
  auto plain = loader(LoaderIx::ExtendProgram);
  plain.additional_bytes = 512;
  auto out = c.send({loader_ix(plain, {{pd, false, true}, {program.pub, false, true},
                                       {ids::system_program, false, false}, {payer.pub, true, true}})},
                    payer);
  ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  EXPECT_TRUE(has_log(out, "Extended ProgramData account by 512 bytes"));
  EXPECT_EQ(c.bank.find(pd)->data.size(), 45 + elf.size() + 512);
  // Programs keep running after an extension (from the next slot).
  c.advance();
  EXPECT_EQ(ix_error(c.send({invoke(program.pub)}, payer)), "ok");
}

TEST(SvmLegacyLoaders, ManagementInstructionsAreRejected) {
  Chain c;
  Keypair payer(1);
  c.fund(payer.pub, kSol);
  auto v2 = c.send({invoke(ids::bpf_loader, {0, 0, 0, 0})}, payer);
  EXPECT_EQ(ix_error(v2), "UnsupportedProgramId");
  EXPECT_TRUE(has_log(v2, "BPF loader management instructions are no longer supported")) << logs_of(v2);
  auto v1 = c.send({invoke(ids::bpf_loader_deprecated, {0, 0, 0, 0})}, payer);
  EXPECT_EQ(ix_error(v1), "UnsupportedProgramId");
  EXPECT_TRUE(has_log(v1, "Deprecated loader is no longer supported")) << logs_of(v1);
  EXPECT_EQ(v1.compute_units_consumed, kDeprecatedLoaderComputeUnits);

  // Programs those loaders own still run (the ELF is the account data).
  for (const Pubkey* owner : {&ids::bpf_loader, &ids::bpf_loader_deprecated}) {
    const Pubkey program = Keypair(owner == &ids::bpf_loader ? 20 : 21).pub;
    auto elf = program_returning(3);
    c.bank.accounts[program] = Account{c.env.rent.minimum_balance(elf.size()), elf, *owner, true, kRentExemptRentEpoch};
    auto out = c.send({invoke(program)}, payer);
    EXPECT_EQ(ix_error(out), "Custom(3)") << logs_of(out);
  }
}

}  // namespace
}  // namespace lumio::svm
