// The Move VM's state in the node's one store. Key encoding (the Move key space of the
// commitment, state/commitment.hpp):
//
//   Space::MoveResource  address(32) || BCS(StructTag)      -> BCS value of the resource
//                        address(32) || BCS(group StructTag) -> BCS BTreeMap<StructTag, bytes>
//                        (a resource group, e.g. 0x1::object::ObjectGroup, keyed by the group's
//                        tag as Aptos's Path::ResourceGroup; a group type has no `key` ability,
//                        so it never collides with a plain resource)
//   Space::MoveModule    address(32) || module name (UTF-8, no length) -> module bytes
//   Space::MoveTable     table handle(32) || BCS key                   -> BCS value
//
// Members of a resource group (per their module's #[resource_group_member] metadata, as
// aptos-vm reads it) are read from and written into the group's blob, never under their own tag.
#pragma once
#include <map>
#include <set>
#include <optional>
#include <string>

#include "movevm/framework.hpp"
#include "state/overlay.hpp"

namespace lumio::exec {

using movevm::AccountAddress;
using MoveTableChanges = movevm::MoveState::TableChanges;  // (handle, key) -> value (nullopt: deleted)

Bytes move_resource_key(const AccountAddress& address, const movevm::StructTag& tag);
Bytes move_module_key(const AccountAddress& address, std::string_view name);
Bytes move_table_key(const AccountAddress& handle, BytesView key);

// The VM's StateView / TableResolver over any store reader (the committed Store, a block's
// overlay, a transaction's TxView: reads through a TxView land in its read set). Errors of the
// storage engine and malformed stored groups are thrown as movevm::StorageError. Not
// thread-safe (it caches group membership per module); one view per executing transaction.
class MoveStoreView final : public movevm::StateView, public movevm::TableResolver {
 public:
  explicit MoveStoreView(const state::StateReader& reader) : reader_(reader) {}

  std::optional<Bytes> get_resource(const AccountAddress& address, const movevm::StructTag& tag) const override;
  std::optional<Bytes> get_resource_group(const AccountAddress& address, const movevm::StructTag& group) const override;
  std::optional<Bytes> get_module(const AccountAddress& address, std::string_view name) const override;
  std::optional<Bytes> get_table_item(const AccountAddress& handle, BytesView key) const override;

  // BCS tag of the group `member` belongs to, nullopt for a plain resource.
  std::optional<Bytes> group_of(const movevm::StructTag& member) const;
  // 0x1::chain_id::ChainId.
  std::optional<uint8_t> chain_id() const;
  // (items, bytes of keys + values) of the Move state with Aptos's state-key sizes, as
  // MoveState::usage counts them. Scans every Move key: O(state).
  std::pair<uint64_t, uint64_t> usage() const;

  // A raw read of the store (space, key), storage errors as movevm::StorageError.
  std::optional<Bytes> read(state::Space space, BytesView key) const;
  const state::StateReader& reader() const { return reader_; }

 private:
  const Bytes* group_of(const movevm::StructTag& member, const Bytes& member_bcs) const;

  const state::StateReader& reader_;
  // Group membership learnt from the modules read so far (MoveState parses the metadata).
  mutable movevm::MoveState groups_;
  mutable std::set<std::pair<AccountAddress, std::string>> indexed_;
};

// The store writes (full keys, state::make_key; nullopt erases) a session's change set and
// table changes make over `view`: plain resources under their tag, group members merged into
// their group's blob (an emptied group is erased), modules, table items.
state::WriteSet move_write_set(const MoveStoreView& view, const movevm::ChangeSet& changes,
                               const MoveTableChanges& tables);
// Writes them into the transaction's view (groups merged with what `tx` sees).
void apply_change_set(const movevm::ChangeSet& changes, const MoveTableChanges& tables, state::TxView& tx);

// Decodes a genesis transaction (genesis.blob) and writes its modules, resources, groups and
// table items into the overlay. Returns the number of entries written, or the decoder's
// VALUE_DESERIALIZATION_ERROR.
movevm::Expected<size_t> load_genesis(BytesView blob, state::BlockOverlay& overlay);

// movevm::execute_transaction over the store: intrinsic gas, the function under the schedule,
// the IO gas of its writes (creation where the key is absent from `view`). Nothing is written:
// on success the caller applies `changes`/`tables` (apply_change_set); on failure they are
// empty. Storage errors end the call with STORAGE_ERROR.
using MoveTxOutcome = movevm::TransactionEffects;  // output, changes, tables
MoveTxOutcome execute_move_transaction(const MoveStoreView& view, const movevm::NativeRegistry& natives,
                                       const movevm::GasParameters& gas, const movevm::EntryCall& call);
// A view function over the store (no signer, unmetered, nothing written).
movevm::CallOutput execute_move_view(const MoveStoreView& view, const movevm::NativeRegistry& natives,
                                     const movevm::EntryCall& call);

}  // namespace lumio::exec
