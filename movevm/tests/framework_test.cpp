// Genuine Aptos framework code run by Lumio's Move VM over a genesis state: accounts, minting,
// APT transfers, balances through the framework's own view functions, events, gas.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

const std::filesystem::path kGenesis = std::filesystem::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis";

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes bcs_address(const AccountAddress& a) { return Bytes(a.bytes.begin(), a.bytes.end()); }
Bytes bcs_u64(uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}
TypeTag apt() { return *parse_type_tag("0x1::aptos_coin::AptosCoin"); }

// One chain: its own copy of a genesis state (transactions commit into it), the snapshot's gas
// schedule and natives (shared, loaded once per binary).
struct Chain {
  MoveState state;
  const GasParameters* gas;
  const NativeRegistry& natives;
  uint64_t txn_counter = 0;

  explicit Chain(const std::string& snapshot) : Chain(test_util::GenesisChain::get(snapshot)) {}
  explicit Chain(const test_util::GenesisChain& genesis)
      : state(genesis.state), gas(genesis.gas.get()), natives(genesis.natives) {}

  using Result = CallOutput;

  // Runs an entry function as a transaction (committing its writes when it succeeds) or a view.
  Result run(const AccountAddress& sender, const std::string& module, const std::string& function,
             std::vector<TypeTag> ty_args, std::vector<Bytes> args, uint64_t max_gas = 2'000'000,
             bool is_view = false, bool with_signer = true) {
    EntryCall call;
    call.sender = sender;
    call.module = module;
    call.function = function;
    call.type_args = std::move(ty_args);
    call.args = std::move(args);
    call.pass_signer = with_signer;
    call.max_gas_amount = max_gas;
    ++txn_counter;
    std::memcpy(call.txn_hash.bytes.data(), &txn_counter, sizeof txn_counter);
    return is_view ? execute_view(state, natives, call) : execute_transaction(state, natives, *gas, call);
  }

  Result coin_balance_call(const AccountAddress& a) {
    return run(a, "coin", "balance", {apt()}, {bcs_address(a)}, 2'000'000, true);
  }
  uint64_t coin_balance(const AccountAddress& a) {
    auto r = coin_balance_call(a);
    if (r.error) throw std::runtime_error("coin::balance failed: " + std::string(status_name(r.error->error.status)) + " " + r.error->error.message);
    return r.returns.at(0).u64;
  }
};

std::string describe(const ExecutionError& e) {
  std::string s = std::string(status_name(e.error.status)) + " " + e.error.message;
  if (e.sub_status) s += " sub_status=" + std::to_string(*e.sub_status);
  if (e.location == ErrorLocation::Module) s += " in " + short_hex(e.module_address) + "::" + e.module_name;
  for (auto& [f, pc] : e.error.offsets) s += " (f" + std::to_string(f) + "@" + std::to_string(pc) + ")";
  return s;
}

AccountAddress fresh(uint64_t n) { return account_address(0xB0B0000 + n); }

// An event of `type_name` whose BCS data ends with `amount` (u64), as every coin/FA
// withdraw/deposit event does.
bool has_amount_event(const std::vector<EmittedEvent>& events, const std::string& type_name, uint64_t amount) {
  Bytes tail = bcs_u64(amount);
  for (const auto& e : events)
    if (e.type_name == type_name && e.data.size() >= 8 && std::equal(tail.begin(), tail.end(), e.data.end() - 8))
      return true;
  return false;
}

struct Snapshot {
  const char* folder;
  uint64_t feature_version;  // of its on-chain gas schedule
  bool fungible_asset;       // APT lives in primary fungible stores (module events)
  bool strict_balance;       // coin::balance aborts for an account without a CoinStore
  uint64_t transfer_gas;     // intrinsic + execution + IO gas of the transfer (regression pin)
};

class FrameworkTransfer : public ::testing::TestWithParam<Snapshot> {};

// Mint from the core-resources account (0xA550C18 holds the mint capability in devnet
// genesis), transfer to a fresh address (the framework creates the account), read balances
// through coin::balance, check the framework's events.
TEST_P(FrameworkTransfer, MintTransferBalancesEvents) {
  const Snapshot& snap = GetParam();
  Chain chain(snap.folder);
  EXPECT_EQ(chain.gas->schedule.feature_version, snap.feature_version);
  const AccountAddress core = account_address(kCoreResourcesAddress);
  const AccountAddress alice = fresh(1), bob = fresh(2);

  if (!snap.fungible_asset) {  // coin era: the receiver needs an account with a CoinStore first
    auto r = chain.run(core, "aptos_account", "create_account", {}, {bcs_address(alice)}, 2'000'000, false, false);
    ASSERT_FALSE(r.error) << describe(*r.error);
    EXPECT_TRUE(chain.state.resource_bytes(alice, struct_tag_bcs(StructTag{account_address(1), "account", "Account", {}})));
  }
  auto r = chain.run(core, "aptos_coin", "mint", {}, {bcs_address(alice), bcs_u64(1'000'000)});
  ASSERT_FALSE(r.error) << describe(*r.error);
  EXPECT_TRUE(has_amount_event(r.events, snap.fungible_asset ? "0x1::fungible_asset::Deposit" : "0x1::coin::DepositEvent", 1'000'000));
  EXPECT_EQ(chain.coin_balance(alice), 1'000'000u);
  if (snap.fungible_asset) {
    EXPECT_EQ(chain.coin_balance(bob), 0u);
  } else if (snap.strict_balance) {  // coin::balance of an account without a CoinStore aborts: not_found(ECOIN_STORE_NOT_PUBLISHED)
    auto b = chain.coin_balance_call(bob);
    ASSERT_TRUE(b.error);
    EXPECT_EQ(b.error->error.status, StatusCode::ABORTED);
    EXPECT_EQ(b.error->sub_status, std::optional<uint64_t>(0x6'0005));
  }

  r = chain.run(alice, "aptos_account", "transfer", {}, {bcs_address(bob), bcs_u64(250'000)});
  ASSERT_FALSE(r.error) << describe(*r.error);
  EXPECT_EQ(chain.coin_balance(alice), 750'000u);
  EXPECT_EQ(chain.coin_balance(bob), 250'000u);
  if (snap.fungible_asset) {
    // Module events naming the primary stores: sha3-256(owner || metadata 0xA || 0xFC).
    Bytes meta = bcs_address(account_address(0xA));
    AccountAddress alice_store = derive_user_object_address(alice, account_address(0xA));
    AccountAddress bob_store = derive_user_object_address(bob, account_address(0xA));
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_TRUE(r.events[0].v2 && r.events[1].v2);
    EXPECT_EQ(r.events[0].type_name, "0x1::fungible_asset::Withdraw");
    EXPECT_EQ(r.events[0].data, concat(bcs_address(alice_store), bcs_u64(250'000)));
    EXPECT_EQ(r.events[1].type_name, "0x1::fungible_asset::Deposit");
    EXPECT_EQ(r.events[1].data, concat(bcs_address(bob_store), bcs_u64(250'000)));
    // primary_fungible_store::balance agrees with coin::balance.
    auto b = chain.run(bob, "primary_fungible_store", "balance", {*parse_type_tag("0x1::fungible_asset::Metadata")},
                       {bcs_address(bob), meta}, 2'000'000, true);
    ASSERT_FALSE(b.error) << describe(*b.error);
    EXPECT_EQ(b.returns.at(0).u64, 250'000u);
  } else if (snap.strict_balance) {
    // Handle events: the new account's CoinRegisterEvent, then withdraw (alice's handle) and
    // deposit (bob's handle), keyed by the GUID (creation number, address).
    EXPECT_TRUE(has_amount_event(r.events, "0x1::coin::WithdrawEvent", 250'000));
    EXPECT_TRUE(has_amount_event(r.events, "0x1::coin::DepositEvent", 250'000));
    bool bob_registered = false;
    for (const auto& e : r.events)
      if (e.type_name == "0x1::account::CoinRegisterEvent" && e.key.size() == 40 &&
          std::equal(bob.bytes.begin(), bob.bytes.end(), e.key.begin() + 8))
        bob_registered = true;
    EXPECT_TRUE(bob_registered);
  }
  // The framework's epilogue charges the fee: gas used x gas price leaves alice's balance (the
  // VM runs it after every user transaction), and bumps her sequence number.
  uint64_t before = chain.coin_balance(alice);
  auto epilogue = chain.run(alice, "transaction_validation", "epilogue", {},
                            {bcs_u64(0), bcs_u64(100), bcs_u64(2'000'000), bcs_u64(2'000'000 - r.gas_used)});
  ASSERT_FALSE(epilogue.error) << describe(*epilogue.error);
  EXPECT_EQ(chain.coin_balance(alice), before - r.gas_used * 100);
  auto seq = chain.run(alice, "account", "get_sequence_number", {}, {bcs_address(alice)}, 2'000'000, true);
  ASSERT_FALSE(seq.error) << describe(*seq.error);
  EXPECT_EQ(seq.returns.at(0).u64, 1u);
  // Overdrawing aborts in the framework (invalid_argument(EINSUFFICIENT_BALANCE)), charges gas
  // and changes nothing.
  auto over = chain.run(bob, "aptos_account", "transfer", {}, {bcs_address(alice), bcs_u64(250'001)});
  ASSERT_TRUE(over.error);
  EXPECT_EQ(over.error->error.status, StatusCode::ABORTED);
  // coin::EINSUFFICIENT_BALANCE = 6, fungible_asset::EINSUFFICIENT_BALANCE = 4.
  EXPECT_EQ(over.error->sub_status, std::optional<uint64_t>(snap.fungible_asset ? 0x1'0004 : 0x1'0006));
  EXPECT_EQ(over.error->module_name, snap.fungible_asset ? "fungible_asset" : "coin");
  EXPECT_GT(over.gas_used, 0u);
  EXPECT_EQ(chain.coin_balance(bob), 250'000u);
  EXPECT_EQ(chain.coin_balance(alice), before - r.gas_used * 100);
  // Gas: intrinsic + execution + IO (reads, writes, events, transaction bytes) of the transfer
  // under the snapshot's schedule; deterministic. Storage fees (APT) are not modelled.
  // Plausible (the v5 schedule used a 10^4 scaling factor and dearer storage curves; v6..v9
  // price it at ~10 units, v10's schedule scaled costs by 10 and reads whole 4 KiB pages) and
  // pinned, so a change to metering or to the interpreter's charges shows.
  EXPECT_GE(r.gas_used, 3u);
  EXPECT_LT(r.gas_used, 5'000u);
  EXPECT_EQ(r.gas_used, snap.transfer_gas);
  Chain again(snap.folder);
  if (!snap.fungible_asset)
    again.run(core, "aptos_account", "create_account", {}, {bcs_address(alice)}, 2'000'000, false, false);
  again.run(core, "aptos_coin", "mint", {}, {bcs_address(alice), bcs_u64(1'000'000)});
  auto r2 = again.run(alice, "aptos_account", "transfer", {}, {bcs_address(bob), bcs_u64(250'000)});
  ASSERT_FALSE(r2.error);
  EXPECT_EQ(r2.gas_used, r.gas_used);
  printf("%s: APT transfer to a new account: %llu gas units (intrinsic + execution + IO)\n", snap.folder,
         (unsigned long long)r.gas_used);
}

INSTANTIATE_TEST_SUITE_P(Genesis, FrameworkTransfer,
                         ::testing::Values(Snapshot{"v5_2022-11-17", 4, false, true, 1881}, Snapshot{"v6_2024-10-04", 25, false, false, 11},
                                           Snapshot{"v7_2025-03-13", 32, false, false, 12},
                                           Snapshot{"v7v8_2025-08-29", 40, true, false, 11},
                                           Snapshot{"v8_2025-10-02", 41, true, false, 11},
                                           Snapshot{"v8v9_2025-11-10", 43, true, false, 11},
                                           Snapshot{"v9v10_2026-03-19", 48, true, false, 99},
                                           Snapshot{"v10_2026-07-16", 54, true, false, 98}),
                         [](const auto& info) {
                           std::string f = info.param.folder;
                           return f.substr(0, f.find('_'));
                         });

// Out of gas: the budget is consumed in full, the status is OUT_OF_GAS, nothing is written.
TEST(Framework, OutOfGasAbortsCleanlyAndIsCharged) {
  Chain chain("v10_2026-07-16");
  const AccountAddress core = account_address(kCoreResourcesAddress);
  const AccountAddress alice = fresh(1), bob = fresh(2);
  ASSERT_FALSE(chain.run(core, "aptos_coin", "mint", {}, {bcs_address(alice), bcs_u64(1'000'000)}).error);
  auto full = chain.run(alice, "aptos_account", "transfer", {}, {bcs_address(bob), bcs_u64(1)});
  ASSERT_FALSE(full.error);
  const uint64_t budget = 3;  // external units: the transfer needs more (asserted below)
  ASSERT_GT(full.gas_used, budget);
  auto r = chain.run(alice, "aptos_account", "transfer", {}, {bcs_address(bob), bcs_u64(1000)}, budget);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->error.status, StatusCode::OUT_OF_GAS);
  EXPECT_EQ(r.gas_used, budget);
  EXPECT_EQ(chain.coin_balance(bob), 1u);
  EXPECT_EQ(chain.coin_balance(alice), 999'999u);
}

// The genesis state: modules, resources, groups and table items where Aptos keys them.
TEST(Framework, GenesisState) {
  Chain v10("v10_2026-07-16");
  EXPECT_EQ(v10.state.modules().size(), 190u);
  EXPECT_TRUE(v10.state.get_module(account_address(1), "coin"));
  EXPECT_EQ(v10.state.resource_groups().size(), 9u);
  EXPECT_EQ(v10.state.table_items().size(), 4u);
  // ChainId { id: u8 } and the APT metadata object at 0xA inside its ObjectGroup.
  auto chain_id = v10.state.get_resource(account_address(1), StructTag{account_address(1), "chain_id", "ChainId", {}});
  ASSERT_TRUE(chain_id);
  EXPECT_EQ(chain_id->size(), 1u);
  EXPECT_EQ(v10.state.chain_id(), std::optional<uint8_t>((*chain_id)[0]));
  // ... which the framework reports through type_info::chain_id_internal (a native).
  auto reported = v10.run(account_address(1), "type_info", "chain_id_internal", {}, {}, 2'000'000, true);
  ASSERT_FALSE(reported.error) << describe(*reported.error);
  EXPECT_EQ(reported.returns.at(0).u64, (*chain_id)[0]);
  StructTag metadata{account_address(1), "fungible_asset", "Metadata", {}};
  EXPECT_TRUE(v10.state.group_of(struct_tag_bcs(metadata)));
  auto m = v10.state.get_resource(account_address(0xA), metadata);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->size(), 18u);
  EXPECT_FALSE(v10.state.get_resource(account_address(0xB), metadata));
  // Group membership from the modules' #[resource_group_member] metadata, also for members no
  // genesis group holds.
  Bytes object_group = struct_tag_bcs(StructTag{account_address(1), "object", "ObjectGroup", {}});
  for (const char* member : {"ConcurrentFungibleBalance", "DispatchFunctionStore", "Untransferable"}) {
    std::string module = std::string(member) == "Untransferable" ? "object" : "fungible_asset";
    const Bytes* g = v10.state.group_of(struct_tag_bcs(StructTag{account_address(1), module, member, {}}));
    ASSERT_TRUE(g) << member;
    EXPECT_EQ(*g, object_group);
  }
  EXPECT_FALSE(v10.state.group_of(struct_tag_bcs(StructTag{account_address(1), "account", "Account", {}})));
  // The gas schedule: feature version and a few parameters by their on-chain names.
  EXPECT_EQ(v10.gas->schedule.entries.size(), 520u);
  EXPECT_EQ(v10.gas->schedule.get("instr.add"), 5880u);
  EXPECT_EQ(v10.gas->simple[uint8_t(Opcode::Add)], 5880u);
  EXPECT_EQ(v10.gas->io_per_slot_read, 3'023'850u);

  Chain v5("v5_2022-11-17");
  EXPECT_EQ(v5.state.modules().size(), 70u);
  EXPECT_EQ(v5.gas->schedule.entries.size(), 221u);
  EXPECT_EQ(v5.state.resource_groups().size(), 0u);
  // Every snapshot decodes into a state with a gas schedule.
  for (const auto& dir : std::filesystem::directory_iterator(kGenesis)) {
    if (!dir.is_directory()) continue;
    std::string blob = test_util::slurp(dir.path() / "genesis.blob");
    auto s = MoveState::from_genesis(BytesView(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()));
    ASSERT_TRUE(s) << dir.path();
    EXPECT_TRUE(GasSchedule::from_state(*s)) << dir.path();
  }
  // Malformed blobs fail with the BCS status.
  std::string blob = test_util::slurp(kGenesis / "v5_2022-11-17" / "genesis.blob");
  auto bad = MoveState::from_genesis(BytesView(reinterpret_cast<const uint8_t*>(blob.data()), blob.size() - 1));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, StatusCode::VALUE_DESERIALIZATION_ERROR);
}

}  // namespace
}  // namespace lumio::movevm

namespace lumio::movevm {
namespace {

// Hostile input to the state decoders: truncations fail, mutations either fail or decode to
// something that re-encodes to the same bytes, nesting is bounded; nothing crashes.
TEST(Framework, StateDecodersRejectHostileInput) {
  Chain v10("v10_2026-07-16");
  Bytes tag = struct_tag_bcs(*parse_type_tag("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>")->struct_tag);
  const Bytes& group = v10.state.resource_groups().begin()->second;
  const Bytes* schedule =
      v10.state.resource_bytes(account_address(1), struct_tag_bcs(StructTag{account_address(1), "gas_schedule", "GasScheduleV2", {}}));
  ASSERT_TRUE(schedule);
  ASSERT_TRUE(decode_struct_tag(tag));
  ASSERT_TRUE(decode_resource_group(group));
  ASSERT_TRUE(GasSchedule::from_bcs(*schedule));
  for (size_t n = 0; n < tag.size(); ++n) EXPECT_FALSE(decode_struct_tag(BytesView(tag).first(n))) << n;
  for (size_t n = 0; n < group.size(); ++n) EXPECT_FALSE(decode_resource_group(BytesView(group).first(n))) << n;
  for (size_t n = 0; n < schedule->size(); n += 7) EXPECT_FALSE(GasSchedule::from_bcs(BytesView(*schedule).first(n))) << n;
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  auto next = [&] { rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; return rng; };
  for (int i = 0; i < 3000; ++i) {
    Bytes t = tag, g = group;
    t[next() % t.size()] ^= uint8_t(1 + next() % 255);
    g[next() % g.size()] ^= uint8_t(1 + next() % 255);
    if (auto d = decode_struct_tag(t)) EXPECT_EQ(struct_tag_bcs(*d), t);
    if (auto d = decode_resource_group(g)) EXPECT_EQ(encode_resource_group(*d), g);
  }
  // vector<vector<...<u8>>> 200 deep inside a struct tag's type arguments: over the 128 limit.
  Bytes deep(tag.begin(), tag.begin() + 32 + 1 + 4 + 1 + 9);  // address, "coin", "CoinStore"
  deep.push_back(1);                                         // one type argument
  for (int i = 0; i < 200; ++i) deep.push_back(6);           // vector
  deep.push_back(1);                                         // u8
  EXPECT_FALSE(decode_struct_tag(deep));
  // Garbage is not a genesis transaction.
  Bytes junk(4096);
  for (auto& b : junk) b = uint8_t(next());
  auto s = MoveState::from_genesis(junk);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().status, StatusCode::VALUE_DESERIALIZATION_ERROR);
}

}  // namespace
}  // namespace lumio::movevm

namespace lumio::movevm {
namespace {

// The block prologue of the genuine framework (a NIL block proposed by @vm_reserved at the
// genesis timestamp): runs with our natives (state_storage usage included) and emits the
// NewBlockEvent naming our block hash and round.
TEST(Framework, BlockPrologue) {
  for (const char* snapshot : {"v5_2022-11-17", "v10_2026-07-16"}) {
    Chain chain(snapshot);
    Bytes hash(32, 7);
    auto r = chain.run(account_address(0), "block", "block_prologue", {},
                       {hash, bcs_u64(0), bcs_u64(1), Bytes(32, 0), Bytes{0}, Bytes{0}, bcs_u64(0)});
    ASSERT_FALSE(r.error) << snapshot << ": " << describe(*r.error);
    ASSERT_EQ(r.events.size(), 1u) << snapshot;
    EXPECT_EQ(r.events[0].type_name, "0x1::block::NewBlockEvent");
    ASSERT_GE(r.events[0].data.size(), 48u);
    EXPECT_EQ(Bytes(r.events[0].data.begin(), r.events[0].data.begin() + 32), hash);
    EXPECT_EQ(Bytes(r.events[0].data.begin() + 40, r.events[0].data.begin() + 48), bcs_u64(1));  // round
    // A second block with a timestamp that goes backwards for a NIL block aborts in timestamp.
    auto bad = chain.run(account_address(0), "block", "block_prologue", {},
                         {hash, bcs_u64(0), bcs_u64(2), Bytes(32, 0), Bytes{0}, Bytes{0}, bcs_u64(5)});
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->error.status, StatusCode::ABORTED);
    EXPECT_EQ(bad.error->sub_status, std::optional<uint64_t>(0x1'0002));  // invalid_argument(EINVALID_TIMESTAMP)
    EXPECT_EQ(bad.error->module_name, "timestamp");
  }
}

}  // namespace
}  // namespace lumio::movevm

namespace lumio::movevm {
namespace {

// A whole user transaction as aptos-vm runs it on the v10 framework: unified_prologue
// (simulation: no authentication key check), the entry function, the epilogue.
TEST(Framework, UserTransactionPrologueAndEpilogue) {
  Chain chain("v10_2026-07-16");
  const AccountAddress core = account_address(kCoreResourcesAddress);
  const AccountAddress alice = fresh(1), bob = fresh(2);
  ASSERT_FALSE(chain.run(core, "aptos_coin", "mint", {}, {bcs_address(alice), bcs_u64(1'000'000)}).error);
  uint8_t chain_id = *chain.state.chain_id();
  auto prologue = [&](uint64_t sequence, uint64_t max_gas) {
    // (sender, public key: Option<vector<u8>>, sequence, secondary signers, their key hashes,
    //  gas price, max gas, expiration, chain id, is_simulation)
    return chain.run(alice, "transaction_validation", "unified_prologue", {},
                     {Bytes{0}, bcs_u64(sequence), Bytes{0}, Bytes{0}, bcs_u64(100), bcs_u64(max_gas),
                      bcs_u64(1ull << 62), Bytes{chain_id}, Bytes{1}});
  };
  // 200000 units x 100 octas exceed the 1'000'000 balance: PROLOGUE_ECANT_PAY_GAS_DEPOSIT (1005).
  auto poor = prologue(0, 200'000);
  ASSERT_TRUE(poor.error);
  EXPECT_EQ(poor.error->error.status, StatusCode::ABORTED);
  EXPECT_EQ(poor.error->sub_status, std::optional<uint64_t>(0x1'0000 + 1005));
  auto ok = prologue(0, 5'000);
  ASSERT_FALSE(ok.error) << describe(*ok.error);
  auto t = chain.run(alice, "aptos_account", "transfer", {}, {bcs_address(bob), bcs_u64(100'000)}, 5'000);
  ASSERT_FALSE(t.error) << describe(*t.error);
  auto e = chain.run(alice, "transaction_validation", "epilogue", {},
                     {bcs_u64(0), bcs_u64(100), bcs_u64(5'000), bcs_u64(5'000 - t.gas_used)});
  ASSERT_FALSE(e.error) << describe(*e.error);
  EXPECT_EQ(chain.coin_balance(alice), 1'000'000u - 100'000u - t.gas_used * 100);
  EXPECT_EQ(chain.coin_balance(bob), 100'000u);
  // Replaying sequence number 0: PROLOGUE_ESEQUENCE_NUMBER_TOO_OLD (1002).
  auto replay = prologue(0, 5'000);
  ASSERT_TRUE(replay.error);
  EXPECT_EQ(replay.error->sub_status, std::optional<uint64_t>(0x1'0000 + 1002));
  EXPECT_FALSE(prologue(1, 5'000).error);
}

}  // namespace
}  // namespace lumio::movevm
