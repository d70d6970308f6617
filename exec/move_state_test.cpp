// The genuine Aptos framework over the node's store: genesis committed into a RocksDB store
// (with the state commitment, as the node commits a block), APT minted and transferred by the
// Move VM reading through MoveStoreView, change sets applied through TxViews, the store
// reopened, and everything cross-checked against movevm's in-memory MoveState.
#include "exec/move_state.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "state/commitment.hpp"
#include "state/test_util.hpp"

namespace lumio::exec {
namespace {

using movevm::account_address;
using movevm::EntryCall;
using movevm::StructTag;
using state::Space;

const std::filesystem::path kGenesisDir = std::filesystem::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis";

Bytes genesis_blob(const std::string& snapshot = "v10_2026-07-16") {
  auto path = kGenesisDir / snapshot / "genesis.blob";
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.empty()) throw std::runtime_error("missing fixture " + path.string());
  return Bytes(s.begin(), s.end());
}

Bytes bcs_address(const AccountAddress& a) { return Bytes(a.bytes.begin(), a.bytes.end()); }
Bytes bcs_u64(uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}

const AccountAddress kCore = account_address(movevm::kCoreResourcesAddress);
const AccountAddress kAlice = account_address(0xA11CE), kBob = account_address(0xB0B);

EntryCall call(const AccountAddress& sender, std::string module, std::string function, std::vector<Bytes> args,
               uint64_t n, bool view = false) {
  EntryCall c;
  c.sender = sender;
  c.module = std::move(module);
  c.function = std::move(function);
  c.args = std::move(args);
  if (view) c.type_args = {*movevm::parse_type_tag("0x1::aptos_coin::AptosCoin")};
  std::memcpy(c.txn_hash.bytes.data(), &n, sizeof n);
  return c;
}

// A node's Move state: a RocksDB store and its commitment; blocks committed as node/chain.cpp does.
struct Chain {
  state::testing::TempDir dir{"move-state"};
  std::unique_ptr<state::Store> store;
  std::unique_ptr<state::Commitment> commitment;
  std::unique_ptr<movevm::GasParameters> gas;
  movevm::NativeRegistry natives;

  Chain() { open(); }
  void open() {
    commitment.reset();
    store.reset();
    store = state::Store::open(dir.str());
    commitment = std::make_unique<state::Commitment>(*store);
  }
  state::StateRoots commit(const state::BlockOverlay& block) {
    state::WriteBatch batch = block.to_batch();
    state::StateRoots roots = commitment->apply(block.writes(), batch);
    store->write(batch, /*sync=*/true);
    return roots;
  }
  state::StateRoots load_genesis(const Bytes& blob) {
    state::StoreReader base(*store);
    state::BlockOverlay block(base);
    auto n = exec::load_genesis(blob, block);
    if (!n) throw std::runtime_error(n.error().message);
    auto roots = commit(block);
    start_vm();
    return roots;
  }
  void start_vm() {  // the gas schedule as the committed state holds it
    state::StoreReader base(*store);
    MoveStoreView view(base);
    auto schedule = movevm::GasSchedule::from_state(view);
    if (!schedule) throw std::runtime_error("no gas schedule in the store");
    gas = std::make_unique<movevm::GasParameters>(*schedule);
    natives = movevm::NativeRegistry();
    if (auto e = movevm::register_all_natives(natives, *gas)) throw std::runtime_error(e->message);
  }
  // One block of transactions, each in its own TxView over the block's overlay.
  std::pair<std::vector<movevm::CallOutput>, state::StateRoots> run_block(const std::vector<EntryCall>& calls) {
    state::StoreReader base(*store);
    state::BlockOverlay block(base);
    std::vector<movevm::CallOutput> outs;
    for (const auto& c : calls) {
      state::TxView tx(block);
      MoveTxOutcome o = [&] {
        MoveStoreView view(tx);
        return execute_move_transaction(view, natives, *gas, c);
      }();
      if (!o.output.error) apply_change_set(o.changes, o.tables, tx);
      for (const auto& [key, value] : tx.writes())
        EXPECT_TRUE(state::space_of(key) >= Space::MoveResource && state::space_of(key) <= Space::MoveTable);
      block.commit(tx);
      outs.push_back(std::move(o.output));
    }
    return {std::move(outs), commit(block)};
  }
  uint64_t balance(const AccountAddress& a) {
    state::StoreReader base(*store);
    MoveStoreView view(base);
    auto r = execute_move_view(view, natives, call(a, "coin", "balance", {bcs_address(a)}, 0, true));
    if (r.error) throw std::runtime_error("coin::balance: " + r.error->error.message);
    return r.returns.at(0).u64;
  }
};

// Every Move entry of the store, as MoveState keys them (full store keys -> value).
std::map<Bytes, Bytes> store_contents(const state::Store& store) {
  std::map<Bytes, Bytes> out;
  for (Space s : {Space::MoveResource, Space::MoveModule, Space::MoveTable})
    store.scan(s, {}, [&](BytesView k, BytesView v) {
      out.emplace(state::make_key(s, k), Bytes(v.begin(), v.end()));
      return true;
    });
  return out;
}
std::map<Bytes, Bytes> state_contents(const movevm::MoveState& s) {
  std::map<Bytes, Bytes> out;
  for (const auto& [k, v] : s.modules()) out.emplace(state::make_key(Space::MoveModule, move_module_key(k.first, k.second)), v);
  for (const auto* m : {&s.resources(), &s.resource_groups()})
    for (const auto& [k, v] : *m) {
      Bytes key(k.first.bytes.begin(), k.first.bytes.end());
      key.insert(key.end(), k.second.begin(), k.second.end());
      out.emplace(state::make_key(Space::MoveResource, key), v);
    }
  for (const auto& [k, v] : s.table_items())
    out.emplace(state::make_key(Space::MoveTable, move_table_key(k.first, k.second)), v);
  return out;
}

std::vector<EntryCall> block_calls(uint64_t first) {
  return {call(kCore, "aptos_coin", "mint", {bcs_address(kAlice), bcs_u64(1'000'000)}, first),
          call(kAlice, "aptos_account", "transfer", {bcs_address(kBob), bcs_u64(250'000)}, first + 1),
          // Overdraws: aborts in fungible_asset, charged, writes nothing.
          call(kBob, "aptos_account", "transfer", {bcs_address(kAlice), bcs_u64(250'001)}, first + 2)};
}

TEST(MoveState, GenesisInTheStoreIsTheGenesisState) {
  Bytes blob = genesis_blob();
  auto reference = movevm::MoveState::from_genesis(blob);
  ASSERT_TRUE(reference);
  Chain chain;
  const state::StateRoots empty = chain.commitment->roots();
  const state::StateRoots roots = chain.load_genesis(blob);
  EXPECT_NE(roots.move, empty.move);
  EXPECT_NE(roots.global, empty.global);
  EXPECT_EQ(roots.evm, empty.evm);
  EXPECT_EQ(chain.commitment->recompute().global, roots.global);
  EXPECT_EQ(store_contents(*chain.store), state_contents(*reference));

  state::StoreReader base(*chain.store);
  MoveStoreView view(base);
  EXPECT_EQ(view.chain_id(), reference->chain_id());
  EXPECT_EQ(view.usage(), reference->usage());
  EXPECT_EQ(view.get_module(account_address(1), "coin"), reference->get_module(account_address(1), "coin"));
  EXPECT_FALSE(view.get_module(account_address(1), "no_such_module"));
  // APT's metadata object at 0xA lives inside its ObjectGroup.
  StructTag metadata{account_address(1), "fungible_asset", "Metadata", {}};
  StructTag object_group{account_address(1), "object", "ObjectGroup", {}};
  EXPECT_EQ(view.group_of(metadata), movevm::struct_tag_bcs(object_group));
  EXPECT_FALSE(view.group_of(StructTag{account_address(1), "account", "Account", {}}));
  auto m = view.get_resource(account_address(0xA), metadata);
  ASSERT_TRUE(m);
  EXPECT_EQ(m, reference->get_resource(account_address(0xA), metadata));
  EXPECT_FALSE(base.get(Space::MoveResource, move_resource_key(account_address(0xA), metadata)));  // not on its own
  EXPECT_TRUE(view.get_resource_group(account_address(0xA), object_group));
  EXPECT_FALSE(view.get_resource(account_address(0xB), metadata));
  for (const auto& [k, v] : reference->table_items()) EXPECT_EQ(view.get_table_item(k.first, k.second), v);

  // A malformed blob fails with the decoder's status and writes nothing.
  state::BlockOverlay block(base);
  auto bad = load_genesis(BytesView(blob).first(blob.size() - 1), block);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, movevm::StatusCode::VALUE_DESERIALIZATION_ERROR);
  EXPECT_TRUE(block.writes().empty());
}

// Every framework snapshot (v5..v10) lands in the store as MoveState holds it, and the view
// finds each stored group member in its group (membership from module metadata alone).
TEST(MoveState, EverySnapshotLoads) {
  size_t snapshots = 0, members = 0;
  for (const auto& dir : std::filesystem::directory_iterator(kGenesisDir)) {
    if (!dir.is_directory()) continue;
    std::string name = dir.path().filename().string();
    Bytes blob = genesis_blob(name);
    auto reference = movevm::MoveState::from_genesis(blob);
    ASSERT_TRUE(reference) << name;
    Chain chain;
    chain.load_genesis(blob);
    EXPECT_EQ(store_contents(*chain.store), state_contents(*reference)) << name;
    state::StoreReader base(*chain.store);
    MoveStoreView view(base);
    EXPECT_EQ(view.usage(), reference->usage()) << name;
    for (const auto& [key, group] : reference->resource_groups()) {
      auto decoded = movevm::decode_resource_group(group);
      ASSERT_TRUE(decoded);
      for (const auto& [tag, value] : *decoded) {
        auto member = movevm::decode_struct_tag(tag);
        ASSERT_TRUE(member);
        EXPECT_EQ(view.group_of(*member), key.second) << name << " " << movevm::struct_tag_text(tag);
        EXPECT_EQ(view.get_resource(key.first, *member), value) << name;
        ++members;
      }
    }
    ++snapshots;
  }
  EXPECT_EQ(snapshots, 8u);
  EXPECT_GT(members, 0u);
}

TEST(MoveState, FrameworkTransfersOverTheStoreSurviveRestartAndReplay) {
  Bytes blob = genesis_blob();
  auto ref = movevm::MoveState::from_genesis(blob);
  ASSERT_TRUE(ref);
  movevm::MoveState reference = std::move(*ref);

  Chain chain;
  const state::StateRoots genesis_roots = chain.load_genesis(blob);
  auto [outs, roots] = chain.run_block(block_calls(1));
  ASSERT_EQ(outs.size(), 3u);
  ASSERT_FALSE(outs[0].error) << outs[0].error->error.message;
  ASSERT_FALSE(outs[1].error) << outs[1].error->error.message;
  ASSERT_TRUE(outs[2].error);
  EXPECT_EQ(outs[2].error->error.status, movevm::StatusCode::ABORTED);
  EXPECT_EQ(outs[2].error->sub_status, std::optional<uint64_t>(0x1'0004));  // fungible_asset::EINSUFFICIENT_BALANCE
  EXPECT_GT(outs[2].gas_used, 0u);
  EXPECT_NE(roots.move, genesis_roots.move);
  EXPECT_NE(roots.global, genesis_roots.global);

  // The same transactions over movevm's in-memory state: same gas, events, errors and state.
  auto calls = block_calls(1);
  for (size_t i = 0; i < calls.size(); ++i) {
    auto r = movevm::execute_transaction(reference, chain.natives, *chain.gas, calls[i]);
    EXPECT_EQ(r.gas_used, outs[i].gas_used) << i;
    EXPECT_EQ(bool(r.error), bool(outs[i].error)) << i;
    ASSERT_EQ(r.events.size(), outs[i].events.size()) << i;
    for (size_t j = 0; j < r.events.size(); ++j) {
      EXPECT_EQ(r.events[j].type_name, outs[i].events[j].type_name);
      EXPECT_EQ(r.events[j].data, outs[i].events[j].data);
    }
  }
  EXPECT_EQ(outs[1].gas_used, 98u);  // movevm's framework test pins the v10 transfer at 98
  EXPECT_EQ(store_contents(*chain.store), state_contents(reference));
  EXPECT_EQ(chain.balance(kAlice), 750'000u);
  EXPECT_EQ(chain.balance(kBob), 250'000u);

  // Restart: the store and the commitment come back as committed.
  chain.open();
  EXPECT_EQ(chain.commitment->roots().global, roots.global);
  EXPECT_EQ(chain.commitment->recompute().global, roots.global);
  chain.start_vm();
  EXPECT_EQ(chain.balance(kAlice), 750'000u);
  EXPECT_EQ(chain.balance(kBob), 250'000u);
  // ... and executes on: bob pays alice back part of it.
  auto [more, roots2] = chain.run_block({call(kBob, "aptos_account", "transfer", {bcs_address(kAlice), bcs_u64(1'000)}, 4)});
  ASSERT_FALSE(more[0].error) << more[0].error->error.message;
  EXPECT_EQ(chain.balance(kAlice), 751'000u);
  EXPECT_EQ(chain.balance(kBob), 249'000u);
  EXPECT_NE(roots2.global, roots.global);

  // Replay on a fresh store: identical commitments at every block.
  Chain replay;
  EXPECT_EQ(replay.load_genesis(blob).global, genesis_roots.global);
  auto [outs_b, roots_b] = replay.run_block(block_calls(1));
  EXPECT_EQ(roots_b.global, roots.global);
  EXPECT_EQ(roots_b.move, roots.move);
  for (size_t i = 0; i < outs.size(); ++i) EXPECT_EQ(outs_b[i].gas_used, outs[i].gas_used);
  auto [more_b, roots2_b] = replay.run_block({call(kBob, "aptos_account", "transfer", {bcs_address(kAlice), bcs_u64(1'000)}, 4)});
  EXPECT_EQ(roots2_b.global, roots2.global);
  EXPECT_EQ(store_contents(*replay.store), store_contents(*chain.store));
}

// A transaction's reads go through its TxView (a parallel executor validates them), and a
// failed transaction leaves nothing to apply.
TEST(MoveState, ReadsAreRecordedAndFailuresWriteNothing) {
  Chain chain;
  chain.load_genesis(genesis_blob());
  state::StoreReader base(*chain.store);
  state::BlockOverlay block(base);
  state::TxView tx(block);
  MoveStoreView view(tx);
  auto o = execute_move_transaction(view, chain.natives, *chain.gas,
                                    call(kCore, "aptos_coin", "mint", {bcs_address(kAlice), bcs_u64(5)}, 1));
  ASSERT_FALSE(o.output.error) << o.output.error->error.message;
  EXPECT_FALSE(o.changes.resources.empty());
  EXPECT_TRUE(tx.writes().empty());  // execution writes nothing by itself
  EXPECT_TRUE(tx.reads().count(state::make_key(Space::MoveModule, move_module_key(account_address(1), "aptos_coin"))));
  EXPECT_TRUE(tx.reads().count(state::make_key(
      Space::MoveResource, move_resource_key(kCore, StructTag{account_address(1), "aptos_coin", "MintCapStore", {}}))));
  // A write set is whole store values: alice's primary store lands in one ObjectGroup blob.
  auto writes = move_write_set(view, o.changes, o.tables);
  AccountAddress store = movevm::derive_user_object_address(kAlice, account_address(0xA));
  Bytes group_key = state::make_key(
      Space::MoveResource, move_resource_key(store, StructTag{account_address(1), "object", "ObjectGroup", {}}));
  ASSERT_TRUE(writes.count(group_key));
  ASSERT_TRUE(writes[group_key]);
  auto members = movevm::decode_resource_group(*writes[group_key]);
  ASSERT_TRUE(members);
  EXPECT_GE(members->size(), 2u);  // ObjectCore + FungibleStore at least
  apply_change_set(o.changes, o.tables, tx);
  EXPECT_EQ(tx.writes().size(), writes.size());

  // Out of gas: the budget is consumed, nothing to apply.
  auto oog = execute_move_transaction(view, chain.natives, *chain.gas,
                                      [] { auto c = call(kCore, "aptos_coin", "mint", {bcs_address(kBob), bcs_u64(5)}, 2); c.max_gas_amount = 3; return c; }());
  ASSERT_TRUE(oog.output.error);
  EXPECT_EQ(oog.output.error->error.status, movevm::StatusCode::OUT_OF_GAS);
  EXPECT_EQ(oog.output.gas_used, 3u);
  EXPECT_TRUE(oog.changes.resources.empty() && oog.tables.empty());
}

// Corrupt stored state is a storage error of the VM (STORAGE_ERROR), never a crash.
TEST(MoveState, CorruptGroupIsAStorageError) {
  Chain chain;
  chain.load_genesis(genesis_blob());
  chain.run_block({call(kCore, "aptos_coin", "mint", {bcs_address(kAlice), bcs_u64(100)}, 1)});
  ASSERT_EQ(chain.balance(kAlice), 100u);
  AccountAddress store = movevm::derive_user_object_address(kAlice, account_address(0xA));
  Bytes key = move_resource_key(store, StructTag{account_address(1), "object", "ObjectGroup", {}});
  ASSERT_TRUE(chain.store->get(Space::MoveResource, key));
  {
    state::StoreReader base(*chain.store);
    state::BlockOverlay block(base);
    block.put(Space::MoveResource, key, Bytes{0x05, 0xff});  // five members promised, none there
    chain.commit(block);
  }
  state::StoreReader base(*chain.store);
  MoveStoreView view(base);
  EXPECT_THROW(view.get_resource(store, StructTag{account_address(1), "fungible_asset", "FungibleStore", {}}),
               movevm::StorageError);
  auto r = execute_move_view(view, chain.natives, call(kAlice, "coin", "balance", {bcs_address(kAlice)}, 0, true));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->error.status, movevm::StatusCode::STORAGE_ERROR);
  auto t = execute_move_transaction(view, chain.natives, *chain.gas,
                                    call(kAlice, "aptos_account", "transfer", {bcs_address(kBob), bcs_u64(1)}, 2));
  ASSERT_TRUE(t.output.error);
  EXPECT_EQ(t.output.error->error.status, movevm::StatusCode::STORAGE_ERROR);
  EXPECT_TRUE(t.changes.resources.empty());
}

// A failure of the storage engine surfaces as movevm::StorageError: a reader that cannot
// iterate (StateReader's default scan throws std::logic_error) fails the usage scan.
struct PointReader final : state::StateReader {
  const state::Store& store;
  explicit PointReader(const state::Store& s) : store(s) {}
  std::optional<Bytes> get(Space s, BytesView key) const override { return store.get(s, key); }
};

TEST(MoveState, EngineErrorsAreStorageErrors) {
  Chain chain;
  chain.load_genesis(genesis_blob());
  PointReader reader(*chain.store);
  MoveStoreView view(reader);
  EXPECT_TRUE(view.chain_id());
  try {
    view.usage();
    ADD_FAILURE() << "usage() over a reader that cannot scan";
  } catch (const movevm::StorageError& e) {
    EXPECT_NE(e.message.find("store scan failed"), std::string::npos) << e.message;
  }
}

}  // namespace
}  // namespace lumio::exec
