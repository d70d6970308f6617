// A Move state in memory, built from an Aptos genesis write set (genesis.blob): the framework
// modules, the resources, resource groups and table items, keyed the way the VM reads them
// (StateView). Also the node-independent state used by tests and benchmarks: writes of an
// executed session are applied here.
//
// Storage keys follow aptos-types: AccessPath{address, Path} where Path is Code(ModuleId) = 0,
// Resource(StructTag) = 1, ResourceGroup(StructTag) = 2; table items are (handle, key bytes).
// Resources are keyed by the BCS bytes of their StructTag, so lookups need no parsing.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "movevm/gas_schedule.hpp"
#include "movevm/genesis.hpp"
#include "movevm/natives_algebra.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/state_view.hpp"
#include "movevm/verifier.hpp"

namespace lumio::movevm {

// BCS of a StructTag / TypeTag (move-core-types layout).
Bytes struct_tag_bcs(const StructTag& tag);
void type_tag_bcs(const TypeTag& tag, Bytes& out);
// Strict BCS decoding of a StructTag (exact length, valid identifiers, depth <= 128).
std::optional<StructTag> decode_struct_tag(BytesView bcs);
// "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>" rendered from BCS bytes.
std::string struct_tag_text(BytesView bcs);

// Resources that live in a resource group (0x1::object::ObjectGroup members such as ObjectCore
// and FungibleStore) are read from and written to the group's blob; membership comes from the
// modules' metadata (#[resource_group_member]), as aptos-vm takes it.
class MoveState : public StateView, public TableResolver {
 public:
  using ResourceKey = std::pair<AccountAddress, Bytes>;  // (address, BCS StructTag)
  using TableKey = std::pair<AccountAddress, Bytes>;     // (handle, BCS key)

  // Builds the state a genesis write set leaves behind. Fails (VALUE_DESERIALIZATION_ERROR)
  // on a malformed blob or an access path that is neither code, resource nor group.
  static Expected<MoveState> from_genesis(BytesView blob);
  static Expected<MoveState> from_change_set(const GenesisChangeSet& changes);

  std::optional<Bytes> get_resource(const AccountAddress& address, const StructTag& tag) const override;
  std::optional<Bytes> get_resource_group(const AccountAddress& address, const StructTag& group) const override;
  std::optional<Bytes> get_module(const AccountAddress& address, std::string_view name) const override;
  std::optional<Bytes> get_table_item(const AccountAddress& handle, BytesView key) const override;

  using TableChanges = std::map<std::pair<AccountAddress, Bytes>, std::optional<Bytes>>;
  // Native position writes: Aptos's state key (NativePositionWrites::state_key) -> BCS of
  // NativePosition, nullopt: deleted.
  using NativePositionChanges = std::map<Bytes, std::optional<Bytes>>;
  // Applies a session's writes (resources, modules), table-item and native position changes.
  void apply(const ChangeSet& changes, const TableChanges& table_changes = {},
             const NativePositionChanges& positions = {});
  // Charges the IO gas of the write set `changes` would produce against this state (one op
  // per resource, resource group (its new blob), module and table item; creations where the
  // key is new), then of the events. False when the meter runs out.
  bool charge_writes(AptosGasMeter& meter, const ChangeSet& changes, const TableChanges& table_changes,
                     const std::vector<EmittedEvent>& events) const;
  // Number of state items and their bytes (keys + values), as StateStorageUsage counts them.
  std::pair<uint64_t, uint64_t> usage() const;

  // 0x1::chain_id::ChainId of the state (what type_info::chain_id / transaction_context report).
  std::optional<uint8_t> chain_id() const;

  // Makes every module of the state known to a session's loader already deserialized (cached
  // here across sessions, as Aptos's module cache), so sessions skip the decoding.
  void preload_modules(Loader& loader) const;

  // The group a resource type belongs to (BCS tags), null when it is a plain resource.
  const Bytes* group_of(BytesView member_tag_bcs) const;

  const Bytes* resource_bytes(const AccountAddress& address, BytesView tag_bcs) const;
  const Bytes* group_bytes(const AccountAddress& address, BytesView tag_bcs) const;

  // Writes (nullopt deletes).
  void set_module(const AccountAddress& address, std::string name, std::optional<Bytes> code);
  void set_resource(const AccountAddress& address, Bytes tag_bcs, std::optional<Bytes> data);
  void set_resource_group(const AccountAddress& address, Bytes tag_bcs, std::optional<Bytes> data);
  void set_table_item(const AccountAddress& handle, Bytes key, std::optional<Bytes> data);
  void set_native_position(Bytes state_key, std::optional<Bytes> data);

  const std::map<std::pair<AccountAddress, std::string>, Bytes, std::less<>>& modules() const { return modules_; }
  const std::map<ResourceKey, Bytes>& resources() const { return resources_; }
  const std::map<ResourceKey, Bytes>& resource_groups() const { return groups_; }
  const std::map<TableKey, Bytes>& table_items() const { return tables_; }
  const std::map<Bytes, Bytes>& native_positions() const { return positions_; }

 private:
  std::map<std::pair<AccountAddress, std::string>, Bytes, std::less<>> modules_;
  std::map<ResourceKey, Bytes> resources_;
  std::map<ResourceKey, Bytes> groups_;
  std::map<TableKey, Bytes> tables_;
  std::map<Bytes, Bytes> positions_;  // keyed by Aptos's state key encoding
  // Resource writes split into plain resources and whole new group blobs.
  struct Writes {
    std::map<ResourceKey, std::optional<Bytes>> resources, groups;
  };
  Writes split(const ChangeSet& changes) const;
  void learn_groups(BytesView module_code);  // resource_group_member attributes of a module

  std::map<Bytes, Bytes> group_of_;  // member tag -> group tag
  mutable std::map<std::pair<AccountAddress, std::string>, std::shared_ptr<const CompiledModule>> compiled_;
};

// Members of a resource group as stored: BCS BTreeMap<StructTag, Vec<u8>> in key order.
// Returns (BCS tag, value) pairs; nullopt when the bytes are not such a map.
std::optional<std::vector<std::pair<Bytes, Bytes>>> decode_resource_group(BytesView bytes);
Bytes encode_resource_group(const std::vector<std::pair<Bytes, Bytes>>& members);

// ---------------------------------------------------------------------------------------------
// On-chain features (0x1::features::Features at 0x1), read once per session as Aptos reads them
// when it creates the VM for a block: unmetered, and before any code runs.

// Flags the VM itself takes from the features (aptos-types FeatureFlag numbers).
inline constexpr uint64_t kFeatureSignerNativeFormatFix = 25;
inline constexpr uint64_t kFeatureEnableResourceAccessControl = 75;

// The state's feature bits; none set when the resource is absent or not a Features value.
// Storage errors of the view propagate (StorageError).
FeatureFlags read_features(const StateView& state);
// The session limits the features select: resource_access_control from flag 75.
VMLimits vm_limits_for(const FeatureFlags& features);
// Aptos's aptos_prod_verifier_config for these features (publishing and loading scripts):
// without flag 75 a unit whose function handles carry access specifiers is rejected with
// FEATURE_NOT_ENABLED.
VerifierConfig verifier_config_for(const FeatureFlags& features);

// ---------------------------------------------------------------------------------------------
// Executing framework functions over a MoveState (what a node's Move executor does per user
// transaction, without the prologue/epilogue: signature checks, sequence numbers and fee
// payment are the caller's).

struct EntryCall {
  AccountAddress sender;
  AccountAddress module_address;  // 0x1 unless set
  std::string module, function;
  std::vector<TypeTag> type_args;
  std::vector<Bytes> args;  // BCS values
  bool pass_signer = true;  // the function takes the sender's signer first
  uint64_t max_gas_amount = 2'000'000, gas_unit_price = 100;
  Hash32 txn_hash;          // seeds unique addresses and table handles
  std::optional<uint64_t> txn_size;  // signed transaction bytes; default: entry_txn_size()
};

struct CallOutput {
  std::optional<ExecutionError> error;  // aborts, OUT_OF_GAS, ...
  std::vector<Value> returns;
  std::vector<EmittedEvent> events;
  uint64_t gas_used = 0;  // external units (intrinsic + execution + IO)
};

// BCS size of a signed transaction calling `call` (RawTransaction with an EntryFunction
// payload and an Ed25519 authenticator).
uint64_t entry_txn_size(const EntryCall& call);

// What a state offers the VM to run calls over it: this MoveState, or the node's store (exec/).
struct ExecutionEnv {
  const StateView& state;
  const TableResolver* tables = nullptr;
  uint8_t chain_id = 4;
  // Storage usage at the epoch's beginning (state_storage natives); none: not available.
  std::function<std::pair<uint64_t, uint64_t>()> usage;
  // Makes modules known to the session's loader up front (MoveState::preload_modules).
  std::function<void(Loader&)> preload;
};

// The VM part of a user transaction over any state: intrinsic gas, the call, its change set
// and table changes. The session's features come from the state (read_features): natives see
// them as the FeatureFlags extension, the limits follow vm_limits_for. The IO gas of the writes and applying them are the state's business (how
// it stores them decides their size). On failure `output.error` is set and nothing else is.
// The caller sets `output.gas_used` when it is done charging. Storage errors of the state view
// propagate (StorageError).
struct TransactionEffects {
  CallOutput output;
  ChangeSet changes;
  MoveState::TableChanges tables;
  // 0x7::native_position writes (NativePositionWrites) under Aptos's state keys
  // (StateKeyInner::TradingNative::Position: 2, 0, exchange, account, market). Aptos keeps them
  // in a bucket of their own (VMChangeSet's position write set); no IO gas is charged for them
  // here (Aptos's charge for them is not confirmed).
  MoveState::NativePositionChanges native_positions;
};
TransactionEffects run_entry_transaction(const ExecutionEnv& env, const NativeRegistry& natives, AptosGasMeter& meter,
                                         const EntryCall& call);
// A view function over any state: no signer, unmetered, nothing written.
CallOutput run_view(const ExecutionEnv& env, const NativeRegistry& natives, const EntryCall& call);

// Runs `call` as a user transaction: intrinsic gas, the function under the schedule, the IO gas
// of its write set; on success the writes are applied to `state`, on failure nothing is.
CallOutput execute_transaction(MoveState& state, const NativeRegistry& natives, const GasParameters& gas,
                               const EntryCall& call);
// Runs a view function: no signer, unmetered, nothing written.
CallOutput execute_view(const MoveState& state, const NativeRegistry& natives, const EntryCall& call);

// Well-known addresses.
AccountAddress account_address(uint64_t v);        // 0x1, 0xA550C18, ...
inline constexpr uint64_t kCoreResourcesAddress = 0xA550C18;

}  // namespace lumio::movevm
