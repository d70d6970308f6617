// Native dynamic dispatch on the genuine v10 framework: a dispatchable fungible asset whose
// withdraw / deposit / derived-balance hooks (a Move IR module, registered through the genuine
// 0x1::dispatchable_fungible_asset::register_dispatch_functions) run inside genuine transfers;
// function_info's checks (names, missing modules and functions, incompatible signatures); the
// module-lock reentrancy rule; and the other natives of natives_dispatch.cpp.
#include <gtest/gtest.h>

#include <cstring>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/loader.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/natives_dispatch.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

Bytes bcs_address(const AccountAddress& a) { return Bytes(a.bytes.begin(), a.bytes.end()); }
Bytes bcs_u64(uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}
Bytes bcs_bytes(const std::string& s) {  // vector<u8> (short: one-byte length)
  Bytes b{uint8_t(s.size())};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

std::string describe(const ExecutionError& e) {
  std::string s = std::string(status_name(e.error.status)) + " " + e.error.message;
  if (e.sub_status) s += " sub_status=" + std::to_string(*e.sub_status);
  if (e.location == ErrorLocation::Module) s += " in " + short_hex(e.module_address) + "::" + e.module_name;
  return s;
}

// The hooks: withdraw aborts with 0xBAD for an amount of 13; deposit burns a tenth of what
// arrives (a deflationary token) and, in mode 1, calls back into dispatchable_fungible_asset
// (reentrancy); derived_balance reports twice the stored balance. Also hooks with wrong
// signatures or visibility for the registration checks.
const char* kHooks = R"(
module 0xcafe.hooks {
    import 0x1.string;
    import 0x1.option;
    import 0x1.object;
    import 0x1.fungible_asset;
    import 0x1.primary_fungible_store;
    import 0x1.function_info;
    import 0x1.dispatchable_fungible_asset;

    struct Caps has key { mint: fungible_asset.MintRef, burn: fungible_asset.BurnRef, transfer: fungible_asset.TransferRef, mode: u64 }

    public withdraw<T: key>(store: object.Object<T>, amount: u64, transfer_ref: &fungible_asset.TransferRef): fungible_asset.FungibleAsset {
    label b0:
        jump_if_false (copy(amount) == 13) b2;
    label b1:
        abort(2989);
    label b2:
        return fungible_asset.withdraw_with_ref<T>(move(transfer_ref), move(store), move(amount));
    }

    public deposit<T: key>(store: object.Object<T>, fa: fungible_asset.FungibleAsset, transfer_ref: &fungible_asset.TransferRef) acquires Caps {
        let caps: &Self.Caps;
        let fee: fungible_asset.FungibleAsset;
        let x: u64;
    label b0:
        caps = borrow_global<Caps>(0xcafe);
        jump_if_false (*(&copy(caps).Caps::mode) == 1) b2;
    label b1:
        x = dispatchable_fungible_asset.derived_balance<T>(copy(store));
    label b2:
        x = fungible_asset.amount(&fa) / 10;
        fee = fungible_asset.extract(&mut fa, move(x));
        fungible_asset.burn(&move(caps).Caps::burn, move(fee));
        fungible_asset.deposit_with_ref<T>(move(transfer_ref), move(store), move(fa));
        return;
    }

    // (fungible_asset::balance refuses assets with this hook, so it reports a constant.)
    public derived_balance<T: key>(store: object.Object<T>): u64 {
    label b0:
        return 4242;
    }

    // Wrong shapes for the withdraw hook: no TransferRef, and the right shape but private.
    public no_ref<T: key>(store: object.Object<T>, amount: u64): fungible_asset.FungibleAsset {
    label b0:
        abort(1);
    }
    hidden<T: key>(store: object.Object<T>, amount: u64, transfer_ref: &fungible_asset.TransferRef): fungible_asset.FungibleAsset {
    label b0:
        abort(1);
    }

    create(publisher: &signer, seed: vector<u8>): object.ConstructorRef {
        let cref: object.ConstructorRef;
    label b0:
        cref = object.create_named_object(copy(publisher), move(seed));
        primary_fungible_store.create_primary_store_enabled_fungible_asset(&cref, option.none<u128>(), string.utf8(h"486f6f6b"), string.utf8(h"484f4f4b"), 8u8, string.utf8(h""), string.utf8(h""));
        return move(cref);
    }

    // The asset at object "HOOK" with all three hooks, and its mint/burn capabilities.
    public entry init(publisher: signer) {
        let cref: object.ConstructorRef;
        let w: function_info.FunctionInfo;
        let d: function_info.FunctionInfo;
    label b0:
        cref = Self.create(&publisher, h"484f4f4b");
        w = function_info.new_function_info(&publisher, string.utf8(h"686f6f6b73"), string.utf8(h"7769746864726177"));
        d = function_info.new_function_info(&publisher, string.utf8(h"686f6f6b73"), string.utf8(h"6465706f736974"));
        dispatchable_fungible_asset.register_dispatch_functions(&cref, option.some<function_info.FunctionInfo>(move(w)), option.some<function_info.FunctionInfo>(move(d)), option.none<function_info.FunctionInfo>());
        move_to<Caps>(&publisher, Caps { mint: fungible_asset.generate_mint_ref(&cref), burn: fungible_asset.generate_burn_ref(&cref), transfer: fungible_asset.generate_transfer_ref(&cref), mode: 0 });
        return;
    }

    // The asset at object "DERIV" with only the derived-balance hook, and the publisher's store.
    public entry init_derived(publisher: signer) {
        let cref: object.ConstructorRef;
        let b: function_info.FunctionInfo;
        let store: object.Object<fungible_asset.FungibleStore>;
    label b0:
        cref = Self.create(&publisher, h"4445524956");
        b = function_info.new_function_info(&publisher, string.utf8(h"686f6f6b73"), string.utf8(h"646572697665645f62616c616e6365"));
        dispatchable_fungible_asset.register_dispatch_functions(&cref, option.none<function_info.FunctionInfo>(), option.none<function_info.FunctionInfo>(), option.some<function_info.FunctionInfo>(move(b)));
        store = primary_fungible_store.ensure_primary_store_exists<fungible_asset.Metadata>(0xcafe, object.object_from_constructor_ref<fungible_asset.Metadata>(&cref));
        return;
    }

    // Another asset (object `seed`) whose withdraw hook is `module::function` at `addr`.
    public entry init_with(publisher: signer, seed: vector<u8>, addr: address, mname: vector<u8>, fname: vector<u8>) {
        let cref: object.ConstructorRef;
        let w: function_info.FunctionInfo;
    label b0:
        cref = Self.create(&publisher, move(seed));
        w = function_info.new_function_info_from_address(move(addr), string.utf8(move(mname)), string.utf8(move(fname)));
        dispatchable_fungible_asset.register_dispatch_functions(&cref, option.some<function_info.FunctionInfo>(move(w)), option.none<function_info.FunctionInfo>(), option.none<function_info.FunctionInfo>());
        return;
    }

    // Minting into a store of a dispatchable asset bypasses the hooks with the TransferRef
    // (fungible_asset::mint_to refuses dispatchable assets).
    public entry mint(publisher: signer, to: address, amount: u64) acquires Caps {
        let caps: &Self.Caps;
        let fa: fungible_asset.FungibleAsset;
    label b0:
        caps = borrow_global<Caps>(0xcafe);
        fa = fungible_asset.mint(&copy(caps).Caps::mint, move(amount));
        primary_fungible_store.deposit_with_ref(&move(caps).Caps::transfer, move(to), move(fa));
        return;
    }

    public entry set_mode(publisher: signer, mode: u64) acquires Caps {
    label b0:
        *(&mut borrow_global_mut<Caps>(0xcafe).Caps::mode) = move(mode);
        return;
    }
}
)";

// The v10 genesis state with the hooks module published at 0xCAFE.
// The v10 chain: its own copy of the genesis state (transactions commit into it), the shared
// gas schedule and natives.
struct Chain {
  MoveState state;
  const GasParameters* gas;
  const NativeRegistry& natives;
  uint64_t txn_counter = 0;
  const AccountAddress cafe = account_address(0xCAFE);

  Chain() : Chain(test_util::GenesisChain::get("v10_2026-07-16")) {}
  explicit Chain(const test_util::GenesisChain& genesis)
      : state(genesis.state), gas(genesis.gas.get()), natives(genesis.natives) {}

  void publish(const AccountAddress& address, const std::string& name, const char* source) {
    std::vector<std::shared_ptr<const CompiledModule>> owned;
    std::vector<const CompiledModule*> deps;
    for (const auto& [id, bytes] : state.modules()) {
      auto m = deserialize_module(bytes);
      ASSERT_TRUE(m) << id.second;
      owned.push_back(std::make_shared<const CompiledModule>(std::move(*m)));
      deps.push_back(owned.back().get());
    }
    auto parsed = ir::parse_module(source);
    ASSERT_TRUE(std::holds_alternative<ir::Module>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    auto compiled = ir::compile_module(std::get<ir::Module>(parsed), deps);
    ASSERT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
    auto bytes = serialize_module(std::get<CompiledModule>(compiled));
    ASSERT_TRUE(bytes);
    state.set_module(address, name, *bytes);
  }

  CallOutput run(const AccountAddress& sender, const AccountAddress& module_address, const std::string& module,
                 const std::string& function, std::vector<TypeTag> ty_args, std::vector<Bytes> args,
                 bool is_view = false) {
    EntryCall call;
    call.sender = sender;
    call.module_address = module_address;
    call.module = module;
    call.function = function;
    call.type_args = std::move(ty_args);
    call.args = std::move(args);
    call.pass_signer = !is_view;
    ++txn_counter;
    std::memcpy(call.txn_hash.bytes.data(), &txn_counter, sizeof txn_counter);
    return is_view ? execute_view(state, natives, call) : execute_transaction(state, natives, *gas, call);
  }
  CallOutput hooks(const AccountAddress& sender, const std::string& function, std::vector<Bytes> args) {
    return run(sender, cafe, "hooks", function, {}, std::move(args));
  }
  CallOutput framework(const AccountAddress& sender, const std::string& module, const std::string& function,
                       std::vector<TypeTag> ty_args, std::vector<Bytes> args, bool is_view = false) {
    return run(sender, account_address(1), module, function, std::move(ty_args), std::move(args), is_view);
  }
};

TypeTag tag(const char* s) { return *parse_type_tag(s); }

class DispatchableAsset : public ::testing::Test {
 protected:
  void SetUp() override {
    chain.publish(chain.cafe, "hooks", kHooks);
    auto r = chain.hooks(chain.cafe, "init", {});
    ASSERT_FALSE(r.error) << describe(*r.error);
    metadata = derive_object_address(chain.cafe, BytesView(reinterpret_cast<const uint8_t*>("HOOK"), 4));
    r = chain.hooks(chain.cafe, "mint", {bcs_address(alice), bcs_u64(1000)});
    ASSERT_FALSE(r.error) << describe(*r.error);
  }
  uint64_t balance(const AccountAddress& owner) {  // the stored balance
    auto r = chain.framework(owner, "primary_fungible_store", "balance", {tag("0x1::fungible_asset::Metadata")},
                             {bcs_address(owner), bcs_address(metadata)}, true);
    EXPECT_FALSE(r.error) << describe(*r.error);
    return r.error ? ~0ull : r.returns.at(0).u64;
  }
  CallOutput transfer(uint64_t amount) {
    return chain.framework(alice, "primary_fungible_store", "transfer", {tag("0x1::fungible_asset::Metadata")},
                           {bcs_address(metadata), bcs_address(bob), bcs_u64(amount)});
  }
  AccountAddress store_of(const AccountAddress& owner) { return derive_user_object_address(owner, metadata); }

  Chain chain;
  AccountAddress metadata;
  const AccountAddress alice = account_address(0xA11CE), bob = account_address(0xB0B);
};

// primary_fungible_store::transfer runs the withdraw and deposit hooks: the deposit hook burns
// a tenth, so bob receives 90 of 100; the supply drops by the burnt 10.
TEST_F(DispatchableAsset, TransferRunsTheHooks) {
  EXPECT_EQ(balance(alice), 1000u);
  auto r = transfer(100);
  ASSERT_FALSE(r.error) << describe(*r.error);
  EXPECT_EQ(balance(alice), 900u);
  EXPECT_EQ(balance(bob), 90u);
  auto supply = chain.framework(alice, "fungible_asset", "supply", {tag("0x1::fungible_asset::Metadata")},
                                {bcs_address(metadata)}, true);
  ASSERT_FALSE(supply.error) << describe(*supply.error);
  // Option<u128>: some(990), in the runner's display format.
  EXPECT_EQ(display_value(supply.returns.at(0)), "#1{ 990 }");
  // The events of the hooks' own calls: withdraw 100 from alice's store, deposit 90 into bob's.
  bool withdrew = false, deposited = false;
  for (const auto& e : r.events) {
    if (e.type_name == "0x1::fungible_asset::Withdraw" && e.data == [&] {
          Bytes d = bcs_address(store_of(alice));
          Bytes a = bcs_u64(100);
          d.insert(d.end(), a.begin(), a.end());
          return d;
        }())
      withdrew = true;
    if (e.type_name == "0x1::fungible_asset::Deposit" && e.data.size() == 40 &&
        Bytes(e.data.begin() + 32, e.data.end()) == bcs_u64(90))
      deposited = true;
  }
  EXPECT_TRUE(withdrew);
  EXPECT_TRUE(deposited);

  // dispatchable_fungible_asset::transfer between the two stores takes the same path.
  r = chain.framework(alice, "dispatchable_fungible_asset", "transfer", {tag("0x1::fungible_asset::FungibleStore")},
                      {bcs_address(store_of(alice)), bcs_address(store_of(bob)), bcs_u64(50)});
  ASSERT_FALSE(r.error) << describe(*r.error);
  EXPECT_EQ(balance(alice), 850u);
  EXPECT_EQ(balance(bob), 135u);

  // Without a derived-balance hook, derived_balance is the stored balance.
  auto d = chain.framework(bob, "dispatchable_fungible_asset", "derived_balance",
                           {tag("0x1::fungible_asset::FungibleStore")}, {bcs_address(store_of(bob))}, true);
  ASSERT_FALSE(d.error) << describe(*d.error);
  EXPECT_EQ(d.returns.at(0).u64, 135u);
}

// An asset with a derived-balance hook: derived_balance dispatches to it, and the framework's
// plain balance refuses the asset (invalid_argument(EINVALID_DISPATCHABLE_OPERATIONS)).
TEST_F(DispatchableAsset, DerivedBalanceDispatches) {
  auto r = chain.hooks(chain.cafe, "init_derived", {});
  ASSERT_FALSE(r.error) << describe(*r.error);
  AccountAddress deriv = derive_object_address(chain.cafe, BytesView(reinterpret_cast<const uint8_t*>("DERIV"), 5));
  AccountAddress store = derive_user_object_address(chain.cafe, deriv);
  auto d = chain.framework(bob, "dispatchable_fungible_asset", "derived_balance",
                           {tag("0x1::fungible_asset::FungibleStore")}, {bcs_address(store)}, true);
  ASSERT_FALSE(d.error) << describe(*d.error);
  EXPECT_EQ(d.returns.at(0).u64, 4242u);
  auto b = chain.framework(bob, "fungible_asset", "balance", {tag("0x1::fungible_asset::FungibleStore")},
                           {bcs_address(store)}, true);
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->sub_status, std::optional<uint64_t>(0x1'001C));
}

// A hook's abort is the transaction's: code 0xBAD located in the hooks module; nothing moves.
TEST_F(DispatchableAsset, HookAbortFailsTheTransfer) {
  auto r = transfer(13);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->error.status, StatusCode::ABORTED);
  EXPECT_EQ(r.error->sub_status, std::optional<uint64_t>(0xBAD));
  EXPECT_EQ(r.error->module_name, "hooks");
  EXPECT_EQ(r.error->module_address, chain.cafe);
  EXPECT_EQ(balance(alice), 1000u);
}

// Inside a dispatched hook the module lock is on: calling back into
// dispatchable_fungible_asset (already on the call stack) is RUNTIME_DISPATCH_ERROR.
TEST_F(DispatchableAsset, ReentrancyIsRefused) {
  auto r = chain.hooks(chain.cafe, "set_mode", {bcs_u64(1)});
  ASSERT_FALSE(r.error) << describe(*r.error);
  r = transfer(100);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->error.status, StatusCode::RUNTIME_DISPATCH_ERROR) << describe(*r.error);
  EXPECT_NE(r.error->error.message.find("Reentrancy disallowed"), std::string::npos) << r.error->error.message;
  EXPECT_NE(r.error->error.message.find("dispatchable_fungible_asset"), std::string::npos);
  EXPECT_EQ(r.error->module_name, "hooks");
  EXPECT_EQ(balance(alice), 1000u);
  EXPECT_EQ(balance(bob), 0u);
}

// Registration goes through function_info's natives: bad names, missing modules and
// functions, and signatures that do not match dispatchable_withdraw.
TEST_F(DispatchableAsset, RegistrationChecks) {
  auto init_with = [&](const std::string& seed, uint64_t addr, const std::string& module, const std::string& fn) {
    return chain.hooks(chain.cafe, "init_with",
                       {bcs_bytes(seed), bcs_address(account_address(addr)), bcs_bytes(module), bcs_bytes(fn)});
  };
  auto expect_abort = [&](const CallOutput& r, uint64_t code, const char* module) {
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->error.status, StatusCode::ABORTED) << describe(*r.error);
    EXPECT_EQ(r.error->sub_status, std::optional<uint64_t>(code)) << describe(*r.error);
    EXPECT_EQ(r.error->module_name, module);
  };
  // Not an identifier: function_info's EINVALID_IDENTIFIER (1).
  expect_abort(init_with("A1", 0xCAFE, "hooks", "bad name"), 1, "function_info");
  // A module that does not exist: loading it for the dispatch fails to link.
  auto r = init_with("A2", 0xCAFE, "nosuchmodule", "withdraw");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->error.status, StatusCode::LINKER_ERROR) << describe(*r.error);
  // An existing module without that function: EINVALID_FUNCTION (2) from the native.
  expect_abort(init_with("A3", 0xCAFE, "hooks", "nosuchfunction"), 2, "function_info");
  // Incompatible signature, a private hook, a framework module's function: the check returns
  // false and fungible_asset aborts with invalid_argument(EWITHDRAW_FUNCTION_SIGNATURE_MISMATCH).
  expect_abort(init_with("A4", 0xCAFE, "hooks", "no_ref"), 0x1'0019, "fungible_asset");
  expect_abort(init_with("A5", 0xCAFE, "hooks", "hidden"), 0x1'0019, "fungible_asset");
  expect_abort(init_with("A6", 0xCAFE, "hooks", "deposit"), 0x1'0019, "fungible_asset");
  // The genuine hook registers.
  r = init_with("A7", 0xCAFE, "hooks", "withdraw");
  EXPECT_FALSE(r.error) << describe(*r.error);
}

// ---------------------------------------------------------------------------------------------
// The other natives, through small modules on the same genesis.

const char* kSlots = R"(
module 0xcafe.slots {
    import 0x1.storage_slot;

    struct Holder has key { slot: storage_slot.StorageSlot<u64> }

    public entry make(account: signer, v: u64) {
    label b0:
        move_to<Holder>(&account, Holder { slot: storage_slot.new<u64>(move(v)) });
        return;
    }
    public entry bump(account: signer) acquires Holder {
        let r: &mut u64;
    label b0:
        r = storage_slot.borrow_mut<u64>(&mut borrow_global_mut<Holder>(0xcafe).Holder::slot);
        *copy(r) = *copy(r) + 1;
        return;
    }
    public get(): u64 acquires Holder {
    label b0:
        return *storage_slot.borrow<u64>(&borrow_global<Holder>(0xcafe).Holder::slot);
    }
}
)";

TEST(DispatchNatives, StorageSlotBorrows) {
  Chain chain;
  chain.publish(chain.cafe, "slots", kSlots);
  auto r = chain.run(chain.cafe, chain.cafe, "slots", "make", {}, {bcs_u64(41)});
  ASSERT_FALSE(r.error) << describe(*r.error);
  r = chain.run(chain.cafe, chain.cafe, "slots", "bump", {}, {});
  ASSERT_FALSE(r.error) << describe(*r.error);
  auto v = chain.run(chain.cafe, chain.cafe, "slots", "get", {}, {}, true);
  ASSERT_FALSE(v.error) << describe(*v.error);
  EXPECT_EQ(v.returns.at(0).u64, 42u);
}


// A bare native context over a state view (no loader): enough for natives that read feature
// flags, stage writes or dispatch.
class BareContext final : public NativeContext, public ResourceAccess {
 public:
  explicit BareContext(const StateView* state) : state_(state) {}
  GasMeter& gas() override { return meter_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { return *this; }
  const StateView* state_view() override { return state_; }
  Expected<TypeLayout> layout_of(const Type&) override { return none(); }
  Expected<TypeTag> type_tag_of(const Type&) override { return none(); }
  Expected<Type> type_of(const TypeTag&) override { return none(); }
  std::optional<VMError> load_module(const AccountAddress& a, const std::string& name) override {
    if (state_ && state_->get_module(a, name)) return std::nullopt;
    return VMError{StatusCode::LINKER_ERROR, "Linker Error: Module " + name + " doesn't exist", {}, {}};
  }
  Expected<bool> exists(const AccountAddress&, const Type&) override { return none(); }
  Expected<Value> borrow_global(const AccountAddress& a, const Type&, bool) override {  // nothing is stored
    return VMError{StatusCode::MISSING_DATA, "Failed to borrow global resource from " + to_hex(a.view(), false), {}, {}};
  }
  std::optional<VMError> move_to(const AccountAddress&, const Type&, Value) override { return none(); }
  Expected<Value> move_from(const AccountAddress&, const Type&) override { return none(); }

 private:
  static VMError none() { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "bare context", {}, {}}; }
  const StateView* state_;
  UnmeteredGasMeter meter_;
  NativeExtensions ext_;
};

Value function_info(const AccountAddress& a, const std::string& m, const std::string& f) {
  auto str = [](const std::string& s) { return make_struct({make_vec_u8(Bytes(s.begin(), s.end()))}); };
  Value v = make_struct({Value::addr(a), str(m), str(f)});
  return Value::container_ref(v.c);
}

// Sets feature `flag` in the state's 0x1::features::Features bitmap.
void set_feature(MoveState& state, uint64_t flag, bool on) {
  StructTag features{account_address(1), "features", "Features", {}};
  auto bytes = state.get_resource(account_address(1), features);
  ASSERT_TRUE(bytes);
  ASSERT_LT(flag / 8 + 1, 128u);  // one-byte ULEB length
  Bytes b = *bytes;
  while (b[0] <= flag / 8) b.push_back(0), ++b[0];
  if (on) b[1 + flag / 8] |= uint8_t(1 << (flag % 8));
  else b[1 + flag / 8] &= uint8_t(~(1 << (flag % 8)));
  state.set_resource(account_address(1), struct_tag_bcs(features), b);
}

// The dispatching natives: a target whose module was not loaded this session aborts with
// ENOT_LOADED (4) and a message; after function_info::load_function_impl the native asks the
// VM to call the target with its arguments minus the FunctionInfo, at the schedule's cost.
TEST(DispatchNatives, DispatchRequiresLoadedModule) {
  Chain chain;
  chain.publish(chain.cafe, "hooks", kHooks);
  BareContext ctx(&chain.state);
  const NativeFunction* withdraw = chain.natives.find(account_address(1), "dispatchable_fungible_asset", "dispatchable_withdraw");
  const NativeFunction* load = chain.natives.find(account_address(1), "function_info", "load_function_impl");
  ASSERT_TRUE(withdraw && load);
  Type key_param;
  key_param.kind = TypeKind::Address;  // any type argument: the native passes it through
  std::vector<Type> tys{key_param};
  auto args = [&] {
    std::vector<Value> a;
    a.push_back(Value::addr(account_address(0x77)));
    a.push_back(Value::u64v(5));
    a.push_back(Value::boolean(true));  // stands for &TransferRef
    a.push_back(function_info(chain.cafe, "hooks", "withdraw"));
    return a;
  };
  auto a = args();
  auto r = (*withdraw)(ctx, tys, a);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(r->abort_code, 4u);
  EXPECT_EQ(r->abort_message, "Module " + to_hex(chain.cafe.view(), false) + "::hooks is not loaded prior to native dispatch");
  EXPECT_FALSE(r->dispatch);

  std::vector<Value> l{function_info(chain.cafe, "hooks", "withdraw")};
  auto loaded = (*load)(ctx, {}, l);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->aborted || loaded->error);
  EXPECT_EQ(loaded->cost, chain.gas->native("aptos_framework.function_info.load_function.base"));
  EXPECT_GT(loaded->cost, 0u);

  a = args();
  r = (*withdraw)(ctx, tys, a);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->dispatch);
  EXPECT_EQ(r->dispatch->module_address, chain.cafe);
  EXPECT_EQ(r->dispatch->module_name, "hooks");
  EXPECT_EQ(r->dispatch->function_name, "withdraw");
  ASSERT_EQ(r->dispatch->args.size(), 3u);
  EXPECT_EQ(r->dispatch->args[1].u64, 5u);
  EXPECT_EQ(r->dispatch->ty_args.size(), 1u);
  EXPECT_EQ(r->cost, chain.gas->native("aptos_framework.dispatchable_fungible_asset.dispatch.base"));

  // A name that is no identifier aborts with 1; a module that does not exist fails to link.
  std::vector<Value> bad{function_info(chain.cafe, "hooks", "with draw")};
  auto b = (*load)(ctx, {}, bad);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->aborted);
  EXPECT_EQ(b->abort_code, 1u);
  std::vector<Value> missing{function_info(chain.cafe, "nothere", "f")};
  auto m = (*load)(ctx, {}, missing);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->error, std::optional<StatusCode>(StatusCode::LINKER_ERROR));

  // account_abstraction's dispatcher treats framework addresses as loaded.
  const NativeFunction* auth = chain.natives.find(account_address(1), "account_abstraction", "dispatchable_authenticate");
  ASSERT_TRUE(auth);
  std::vector<Value> aa{make_signer(account_address(0x77)), Value::boolean(true),
                        function_info(account_address(1), "some_module", "authenticate")};
  auto d = (*auth)(ctx, {}, aa);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->dispatch);
  EXPECT_EQ(d->dispatch->args.size(), 2u);
  EXPECT_EQ(d->cost, chain.gas->native("aptos_framework.dispatchable_authenticate.dispatch.base"));
}

// 0x7::native_position: off by default (abort 1 with Aptos's message); with NATIVE_POSITION
// (119) on, positions are staged under (exchange, account, market) as NativePosition BCS.
TEST(DispatchNatives, NativePositionStagesWrites) {
  Chain chain;
  const NativeFunction* set = chain.natives.find(account_address(7), "native_position", "native_set_position");
  const NativeFunction* del = chain.natives.find(account_address(7), "native_position", "native_delete_position");
  ASSERT_TRUE(set && del);
  const AccountAddress exchange = account_address(0xE), market = account_address(0x3A), account = account_address(0xAC);
  auto position = [] {
    Value index = make_struct({Value::i128v(-5)});
    Value v = make_struct({Value::u64v(10), Value::boolean(true), Value::u128v(300), Value::u64v(30), Value::u8(5),
                           Value::boolean(false), index, Value::i64v(ValueKind::I64, -2), Value::u64v(99)});
    v.c->kind = ContainerKind::Variant;
    v.c->variant = 0;
    return v;
  };
  auto call = [&](const NativeFunction* f, BareContext& ctx, bool with_position) {
    std::vector<Value> a{Value::addr(exchange), Value::addr(market), Value::addr(account)};
    if (with_position) a.push_back(position());
    return (*f)(ctx, {}, a);
  };
  set_feature(chain.state, 119, false);
  BareContext off(&chain.state);
  auto r = call(set, off, true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->aborted);
  EXPECT_EQ(r->abort_code, 1u);
  EXPECT_EQ(r->abort_message, "NATIVE_POSITION feature flag is not enabled");
  EXPECT_FALSE(off.extensions().get<NativePositionWrites>());

  set_feature(chain.state, 119, true);
  BareContext on(&chain.state);
  r = call(set, on, true);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->aborted);
  auto* w = on.extensions().get<NativePositionWrites>();
  ASSERT_TRUE(w);
  auto it = w->writes.find({exchange, account, market});
  ASSERT_NE(it, w->writes.end());
  ASSERT_TRUE(it->second);
  Bytes expect{0};  // PerpV1
  auto le = [&](unsigned __int128 x, int n) {
    for (int i = 0; i < n; ++i) expect.push_back(uint8_t(x >> (8 * i)));
  };
  le(10, 8), expect.push_back(1), le(300, 16), le(30, 8), expect.push_back(5), expect.push_back(0);
  le((unsigned __int128)(__int128)-5, 16), le(uint64_t(int64_t(-2)), 8), le(99, 8);
  EXPECT_EQ(*it->second, expect);
  r = call(del, on, false);
  ASSERT_TRUE(r);
  EXPECT_FALSE(w->writes.at({exchange, account, market}));
  Bytes key = NativePositionWrites::state_key(exchange, account, market);
  ASSERT_EQ(key.size(), 98u);
  EXPECT_EQ(key[0], 2);
  EXPECT_EQ(key[1], 0);
  EXPECT_EQ(Bytes(key.begin() + 34, key.begin() + 66), bcs_address(account));
}

// Staged positions leave a transaction as writes under Aptos's state key (TradingNative,
// Position, exchange, account, market) and reach the state when it commits; a failed
// transaction writes none.
TEST(DispatchNatives, NativePositionWritesReachTheState) {
  Chain chain;
  set_feature(chain.state, 119, true);
  const AccountAddress exchange = account_address(0xE), market = account_address(0x3A), account = account_address(0xAC);
  Bytes position{0};  // PerpV1, BCS as the Move enum and as NativePosition
  auto le = [&](unsigned __int128 x, int n) {
    for (int i = 0; i < n; ++i) position.push_back(uint8_t(x >> (8 * i)));
  };
  le(10, 8), position.push_back(1), le(300, 16), le(30, 8), position.push_back(5), position.push_back(0);
  le((unsigned __int128)(__int128)-5, 16), le(uint64_t(int64_t(-2)), 8), le(99, 8);
  auto call = [&](const std::string& fn, std::vector<Bytes> args) {
    EntryCall c;
    c.sender = account_address(0xA550C18);
    c.module_address = account_address(7);
    c.module = "native_position";
    c.function = fn;
    c.args = std::move(args);
    c.pass_signer = false;
    return c;
  };
  Bytes key{2, 0};
  for (const auto* a : {&exchange, &account, &market}) key.insert(key.end(), a->bytes.begin(), a->bytes.end());

  AptosGasMeter meter(*chain.gas, 2'000'000);
  auto set = call("native_set_position", {bcs_address(exchange), bcs_address(market), bcs_address(account), position});
  auto fx = run_entry_transaction(ExecutionEnv{chain.state, &chain.state}, chain.natives, meter, set);
  ASSERT_FALSE(fx.output.error) << describe(*fx.output.error);
  ASSERT_EQ(fx.native_positions.size(), 1u);
  EXPECT_EQ(fx.native_positions.begin()->first, key);
  EXPECT_EQ(fx.native_positions.begin()->second, std::optional<Bytes>(position));

  auto out = execute_transaction(chain.state, chain.natives, *chain.gas, set);
  ASSERT_FALSE(out.error) << describe(*out.error);
  ASSERT_EQ(chain.state.native_positions().size(), 1u);
  EXPECT_EQ(chain.state.native_positions().at(key), position);

  set_feature(chain.state, 119, false);  // the natives abort: nothing is written
  auto del = call("native_delete_position", {bcs_address(exchange), bcs_address(market), bcs_address(account)});
  out = execute_transaction(chain.state, chain.natives, *chain.gas, del);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->error.status, StatusCode::ABORTED);
  EXPECT_EQ(chain.state.native_positions().size(), 1u);
  set_feature(chain.state, 119, true);
  out = execute_transaction(chain.state, chain.natives, *chain.gas, del);
  ASSERT_FALSE(out.error) << describe(*out.error);
  EXPECT_TRUE(chain.state.native_positions().empty());
}

// consensus_config::validator_txn_enabled_internal decodes OnChainConsensusConfig strictly.
TEST(DispatchNatives, ValidatorTxnEnabled) {
  Chain chain;
  // The genesis config through the framework's own view.
  auto v = chain.framework(account_address(1), "consensus_config", "validator_txn_enabled", {}, {}, true);
  ASSERT_FALSE(v.error) << describe(*v.error);
  bool genesis_enabled = v.returns.at(0).b;
  auto cfg = chain.state.get_resource(account_address(1), StructTag{account_address(1), "consensus_config", "ConsensusConfig", {}});
  ASSERT_TRUE(cfg && cfg->size() > 2);
  Bytes inner(cfg->begin() + (cfg->size() > 129 ? 2 : 1), cfg->end());  // vector<u8> length prefix
  EXPECT_EQ(consensus_validator_txn_enabled(inner), genesis_enabled);
  // Devnet genesis configs enable validator transactions: V3 (v6), V4 (v7), V5 (v8, v10), each
  // JolteonV2 with ValidatorTxnConfig::V1, decoded from the genuine bytes.
  EXPECT_TRUE(genesis_enabled);
  for (const char* snapshot : {"v6_2024-10-04", "v7_2025-03-13", "v8_2025-10-02"}) {
    const MoveState& state = test_util::GenesisChain::get(snapshot).state;
    auto c = state.get_resource(account_address(1), StructTag{account_address(1), "consensus_config", "ConsensusConfig", {}});
    ASSERT_TRUE(c && c->size() > 2 && c->size() < 129) << snapshot;
    EXPECT_EQ((*c)[1], uint8_t(std::string(snapshot) == "v6_2024-10-04" ? 2 : std::string(snapshot) == "v7_2025-03-13" ? 3 : 4));
    EXPECT_TRUE(consensus_validator_txn_enabled(BytesView(*c).subspan(1))) << snapshot;
  }

  // ConsensusConfigV1 with RotatingProposer(1): decoupled, 10, 40, variant 1 + u32, max failed 10.
  auto main_cfg = [](Bytes& b) {
    b.push_back(1);
    for (uint64_t x : {10ull, 40ull})
      for (int i = 0; i < 8; ++i) b.push_back(uint8_t(x >> (8 * i)));
    b.insert(b.end(), {1, 1, 0, 0, 0});
    for (int i = 0; i < 8; ++i) b.push_back(i == 0 ? 10 : 0);
  };
  Bytes v1{0};
  main_cfg(v1);
  EXPECT_FALSE(consensus_validator_txn_enabled(v1));  // V1: no validator transactions
  // V5 { JolteonV2 { main, qs, ov }, vtxn V1 { 2, 2 MiB }, window None, rand_check true }
  Bytes v5{4, 2};
  main_cfg(v5);
  v5.insert(v5.end(), {1, 1, 1});
  for (uint64_t x : {2ull, 2097152ull})
    for (int i = 0; i < 8; ++i) v5.push_back(uint8_t(x >> (8 * i)));
  v5.insert(v5.end(), {0, 1});
  EXPECT_TRUE(consensus_validator_txn_enabled(v5));
  Bytes trailing = v5;
  trailing.push_back(0);
  EXPECT_FALSE(consensus_validator_txn_enabled(trailing));  // not exact: the default (disabled)
  Bytes bad_bool = v5;
  bad_bool.back() = 2;
  EXPECT_FALSE(consensus_validator_txn_enabled(bad_bool));
  for (size_t n = 0; n < v5.size(); ++n) EXPECT_FALSE(consensus_validator_txn_enabled(BytesView(v5).first(n))) << n;
  // V3 { DAG { window, RoundRobin }, vtxn V0 }: off.
  Bytes dag{2, 1};
  for (int i = 0; i < 8; ++i) dag.push_back(i == 0 ? 10 : 0);
  dag.insert(dag.end(), {0, 0});
  EXPECT_FALSE(consensus_validator_txn_enabled(dag));
  dag[dag.size() - 1] = 1;  // vtxn V1 needs its two limits
  EXPECT_FALSE(consensus_validator_txn_enabled(dag));
  for (int i = 0; i < 16; ++i) dag.push_back(1);
  EXPECT_TRUE(consensus_validator_txn_enabled(dag));
}

// storage_slot's natives over a slot whose resource is gone: abort ESTORAGE_SLOT_NOT_FOUND (2)
// with Aptos's message, charged the base cost.
TEST(DispatchNatives, StorageSlotMissingResource) {
  Chain chain;
  BareContext ctx(&chain.state);
  for (bool mut : {false, true}) {
    const char* name = mut ? "borrow_storage_slot_resource_mut" : "borrow_storage_slot_resource";
    const NativeFunction* f = chain.natives.find(account_address(1), "storage_slot", name);
    ASSERT_TRUE(f) << name;
    Type u64;
    u64.kind = TypeKind::U64;
    std::vector<Type> tys{u64, u64};
    Value slot = make_struct({Value::addr(account_address(0x5107))});
    std::vector<Value> a{Value::container_ref(slot.c)};
    auto r = (*f)(ctx, tys, a);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->aborted);
    EXPECT_EQ(r->abort_code, 2u);
    EXPECT_EQ(r->abort_message, "StorageSlotResource at address " + to_hex(account_address(0x5107).view(), false) + " not found");
    EXPECT_EQ(r->cost, chain.gas->native(mut ? "aptos_framework.storage_slot.borrow_mut.base" : "aptos_framework.storage_slot.borrow.base"));
    EXPECT_GT(r->cost, 0u);
  }
}
}  // namespace
}  // namespace lumio::movevm
