// Genuine program images through the upgradeable loader, the way `solana program deploy` does it:
// buffer + InitializeBuffer, ~900-byte Writes, DeployWithMaxDataLen; then invoke, upgrade
// SPL Memo v3 -> v4, hand over the authority, close. Also a v0 transaction whose accounts come
// from an address lookup table created and extended by the genuine core-BPF ALT program.
// (Part of svm_spl_test: needs the images extracted by scripts/extract-spl.sh.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "svm/tests/builtin_harness.hpp"

namespace lumio::svm {
namespace {

using namespace test;
using test::Keypair;  // the harness's seeded keypair, over svm::Keypair
namespace fs = std::filesystem;
constexpr uint64_t kSol = 1'000'000'000;

std::vector<uint8_t> spl_image(const std::string& name) {
  fs::path dir = std::getenv("LUMIO_SPL_DIR") ? fs::path(std::getenv("LUMIO_SPL_DIR")) : fs::path(LUMIO_SPL_DIR);
  fs::path file = dir / (name + ".so");
  if (!fs::exists(file)) {
    std::string cmd = std::string(LUMIO_SOURCE_DIR) + "/scripts/extract-spl.sh '" + dir.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::ifstream f(file, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing SPL image " << file;
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(SvmSplLoader, DeployMemoUpgradeSetAuthorityClose) {
  auto memo3 = spl_image("spl_memo-3.0.0"), memo4 = spl_image("spl_memo-4.0.0");
  ASSERT_GT(memo3.size(), 1000u);
  ASSERT_GT(memo4.size(), 1000u);
  Chain c;
  Keypair payer(1), authority(2), program(3), buffer(4), buffer2(5), new_authority(6), mallory(7);
  c.fund(payer.pub, 1000 * kSol);
  Deployer d{c, payer, authority};

  auto writes = d.write_buffer(buffer, memo3);
  ASSERT_EQ(writes.size(), 1 + (memo3.size() + 899) / 900);
  for (auto& out : writes) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  // CreateAccount + InitializeBuffer, then one management instruction per Write.
  EXPECT_EQ(writes[0].compute_units_consumed, kSystemProgramComputeUnits + kUpgradeableLoaderComputeUnits);
  for (size_t i = 1; i < writes.size(); ++i) EXPECT_EQ(writes[i].compute_units_consumed, kUpgradeableLoaderComputeUnits);
  auto deployed = d.deploy(program, buffer.pub, memo3.size());
  ASSERT_EQ(ix_error(deployed), "ok") << logs_of(deployed);
  EXPECT_TRUE(has_log(deployed, "Deployed program " + b58(program.pub)));
  EXPECT_TRUE(has_log(deployed, "Program BPFLoaderUpgradeab1e11111111111111111111111 invoke [1]"));
  EXPECT_TRUE(has_log(deployed, "Program 11111111111111111111111111111111 invoke [2]")) << logs_of(deployed);

  auto early = c.send({invoke(program.pub, bytes("too soon"))}, payer);
  EXPECT_EQ(ix_error(early), "UnsupportedProgramId") << logs_of(early);
  c.advance();
  auto memo = c.send({invoke(program.pub, bytes("hello from Lumio"))}, payer);
  ASSERT_EQ(ix_error(memo), "ok") << logs_of(memo);
  EXPECT_TRUE(has_log(memo, "Program log: Memo (len 16): \"hello from Lumio\"")) << logs_of(memo);
  auto bad_utf8 = c.send({invoke(program.pub, {0x61, 0xff})}, payer);
  EXPECT_EQ(ix_error(bad_utf8), "InvalidInstructionData") << logs_of(bad_utf8);

  // Upgrade to Memo v4 (pinocchio). The ProgramData account must be big enough first.
  for (auto& out : d.write_buffer(buffer2, memo4)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  if (memo4.size() > memo3.size()) {
    auto small = c.send({d.upgrade_ix(program.pub, buffer2.pub, authority.pub)}, payer, {&authority});
    EXPECT_EQ(ix_error(small), "AccountDataTooSmall");
    EXPECT_TRUE(has_log(small, "ProgramData account not large enough"));
    auto ext = loader(LoaderIx::ExtendProgramChecked);
    ext.additional_bytes = uint32_t(memo4.size() - memo3.size());
    auto extended = c.send({loader_ix(ext, {{programdata_address(program.pub), false, true},
                                            {program.pub, false, true},
                                            {authority.pub, true, false},
                                            {ids::system_program, false, false},
                                            {payer.pub, true, true}})},
                           payer, {&authority});
    ASSERT_EQ(ix_error(extended), "ok") << logs_of(extended);
    c.advance();
  }
  auto wrong = c.send({d.upgrade_ix(program.pub, buffer2.pub, mallory.pub)}, payer, {&mallory});
  EXPECT_EQ(ix_error(wrong), "IncorrectAuthority") << logs_of(wrong);
  EXPECT_TRUE(has_log(wrong, "Buffer and upgrade authority don't match"));
  auto upgraded = c.send({d.upgrade_ix(program.pub, buffer2.pub, authority.pub)}, payer, {&authority});
  ASSERT_EQ(ix_error(upgraded), "ok") << logs_of(upgraded);
  EXPECT_TRUE(has_log(upgraded, "Upgraded program " + b58(program.pub)));
  c.advance();
  auto memo_v4 = c.send({invoke(program.pub, bytes("hi"))}, payer);
  ASSERT_EQ(ix_error(memo_v4), "ok") << logs_of(memo_v4);
  EXPECT_TRUE(has_log(memo_v4, "Program log: Memo (len 2)")) << logs_of(memo_v4);
  EXPECT_TRUE(has_log(memo_v4, "Program log: hi")) << logs_of(memo_v4);

  // Hand the upgrade authority to a new key (checked: both sign).
  auto set = loader_ix(loader(LoaderIx::SetAuthorityChecked), {{programdata_address(program.pub), false, true},
                                                               {authority.pub, true, false},
                                                               {new_authority.pub, true, false}});
  auto by_mallory = set;
  by_mallory.accounts[1].pubkey = mallory.pub;
  auto refused = c.send({by_mallory}, payer, {&mallory, &new_authority});
  EXPECT_EQ(ix_error(refused), "IncorrectAuthority");
  EXPECT_TRUE(has_log(refused, "Incorrect upgrade authority provided"));
  auto handed = c.send({set}, payer, {&authority, &new_authority});
  ASSERT_EQ(ix_error(handed), "ok") << logs_of(handed);
  EXPECT_TRUE(has_log(handed, "New authority " + b58(new_authority.pub)));

  // Close: the old authority cannot, the new one can; the program stops working.
  auto close_ix = [&](const Pubkey& auth) {
    return loader_ix(loader(LoaderIx::Close), {{programdata_address(program.pub), false, true},
                                               {payer.pub, false, true},
                                               {auth, true, false},
                                               {program.pub, false, true}});
  };
  auto old_auth = c.send({close_ix(authority.pub)}, payer, {&authority});
  EXPECT_EQ(ix_error(old_auth), "IncorrectAuthority");
  EXPECT_TRUE(has_log(old_auth, "Incorrect authority provided"));
  auto closed = c.send({close_ix(new_authority.pub)}, payer, {&new_authority});
  ASSERT_EQ(ix_error(closed), "ok") << logs_of(closed);
  EXPECT_TRUE(has_log(closed, "Closed Program " + b58(program.pub)));
  EXPECT_FALSE(c.bank.find(programdata_address(program.pub)));
  c.advance();
  EXPECT_NE(ix_error(c.send({invoke(program.pub, bytes("gone"))}, payer)), "ok");
}

TEST(SvmSplLoader, Memo1CannotBeDeployedAnyMore) {
  // Memo v1 uses sol_alloc_free_, which deployments no longer resolve.
  auto memo1 = spl_image("spl_memo-1.0.0");
  Chain c;
  Keypair payer(1), authority(2), program(3), buffer(4);
  c.fund(payer.pub, 1000 * kSol);
  Deployer d{c, payer, authority};
  for (auto& out : d.write_buffer(buffer, memo1)) ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  auto out = d.deploy(program, buffer.pub, memo1.size());
  EXPECT_EQ(ix_error(out), "InvalidAccountData");
  EXPECT_TRUE(has_log(out, "Unresolved symbol (sol_alloc_free_) at instruction #759 (ELF file offset 0x17b8)"))
      << logs_of(out);
  EXPECT_FALSE(c.bank.find(programdata_address(program.pub)));
}

// The genuine ALT program (core BPF) creates and extends a table; a v0 transaction then loads
// accounts through it.
// (The CreateLookupTable CPIs resize the table: the runtime must step through the serialized
// input with the lengths it serialized, as Agave does.)
TEST(SvmSplLoader, V0TransactionThroughGenuineLookupTable) {
  auto alt_elf = spl_image("address_lookup_table");
  Chain c;
  // The ALT program as mainnet has it: an upgradeable program at AddressLookupTab1e...
  const Pubkey alt = ids::address_lookup_table, alt_data = programdata_address(alt);
  UpgradeableLoaderState ps;
  ps.kind = UpgradeableLoaderState::Program;
  ps.programdata_address = alt_data;
  Account prog{c.env.rent.minimum_balance(36), encode(ps), ids::bpf_loader_upgradeable, true, kRentExemptRentEpoch};
  UpgradeableLoaderState pds;
  pds.kind = UpgradeableLoaderState::ProgramData;
  pds.slot = 0;
  auto pd_bytes = encode(pds);
  pd_bytes.resize(45, 0);
  pd_bytes.insert(pd_bytes.end(), alt_elf.begin(), alt_elf.end());
  Account pd{c.env.rent.minimum_balance(pd_bytes.size()), pd_bytes, ids::bpf_loader_upgradeable, false,
             kRentExemptRentEpoch};
  c.bank.accounts[alt] = prog;
  c.bank.accounts[alt_data] = pd;

  Keypair payer(1), authority(2), dest(3);
  c.fund(payer.pub, 1000 * kSol);
  c.fund(dest.pub, kSol);
  // CreateLookupTable { recent_slot, bump_seed }: table = PDA(authority, recent_slot LE).
  uint64_t recent_slot = c.env.slot_hashes.front().first;
  uint8_t slot_le[8];
  for (int i = 0; i < 8; ++i) slot_le[i] = uint8_t(recent_slot >> (8 * i));
  Pubkey table{};
  uint8_t bump = 0;
  for (int b = 255; b >= 0; --b) {
    uint8_t bb = uint8_t(b);
    std::span<const uint8_t> seeds[3] = {authority.pub, {slot_le, 8}, {&bb, 1}};
    if (auto k = create_program_address(seeds, alt)) {
      table = *k;
      bump = bb;
      break;
    }
  }
  std::vector<uint8_t> create = {0, 0, 0, 0};
  create.insert(create.end(), slot_le, slot_le + 8);
  create.push_back(bump);
  auto created = c.send({Instruction{alt, {{table, false, true}, {authority.pub, true, false},
                                           {payer.pub, true, true}, {ids::system_program, false, false}},
                                     create}},
                        payer, {&authority});
  ASSERT_EQ(ix_error(created), "ok") << logs_of(created);
  // ExtendLookupTable { new_addresses: Vec<Pubkey> } with the destination and a filler.
  std::vector<uint8_t> extend = {2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
  const Pubkey filler = Keypair(9).pub;
  extend.insert(extend.end(), filler.begin(), filler.end());
  extend.insert(extend.end(), dest.pub.begin(), dest.pub.end());
  auto extended = c.send({Instruction{alt, {{table, false, true}, {authority.pub, true, false},
                                            {payer.pub, true, true}, {ids::system_program, false, false}},
                                      extend}},
                         payer, {&authority});
  ASSERT_EQ(ix_error(extended), "ok") << logs_of(extended);
  const Account* t = c.bank.find(table);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->owner, alt);
  auto parsed = deserialize_lookup_table(t->data);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at(1), dest.pub);
  EXPECT_EQ(parsed->meta.authority, authority.pub);
  EXPECT_EQ(parsed->meta.last_extended_slot, c.env.slot);

  // v0 transfer to table index 1.
  auto v0_transfer = [&](std::vector<uint8_t> writable) {
    Message m;
    m.v0 = true;
    m.header = {1, 0, 1};
    m.account_keys = {payer.pub, ids::system_program};
    m.recent_blockhash = c.blockhash();
    m.instructions.push_back({1, {0, 2}, encode([] {
                                SystemInstruction ix;
                                ix.kind = SystemInstruction::Transfer;
                                ix.lamports = 12345;
                                return ix;
                              }())});
    m.address_table_lookups.push_back({table, std::move(writable), {}});
    return sign(m, {&payer});
  };
  // Extended in this slot: the new addresses are not active yet.
  EXPECT_EQ(ix_error(c.execute(v0_transfer({1}))), "InvalidAddressLookupTableIndex");
  c.advance();
  auto out = c.execute(v0_transfer({1}));
  ASSERT_EQ(ix_error(out), "ok") << logs_of(out);
  EXPECT_EQ(c.bank.lamports(dest.pub), kSol + 12345);
  EXPECT_EQ(ix_error(c.execute(v0_transfer({2}))), "InvalidAddressLookupTableIndex");

  // DeactivateLookupTable: usable during the cool-down, "not found" once it is over.
  auto deactivated = c.send({Instruction{alt, {{table, false, true}, {authority.pub, true, false}}, {3, 0, 0, 0}}},
                            payer, {&authority});
  ASSERT_EQ(ix_error(deactivated), "ok") << logs_of(deactivated);
  c.advance();
  EXPECT_EQ(ix_error(c.execute(v0_transfer({1}))), "ok");
  c.advance(kSlotHashesMaxEntries + 1);
  EXPECT_EQ(ix_error(c.execute(v0_transfer({1}))), "AddressLookupTableNotFound");
}

}  // namespace
}  // namespace lumio::svm
