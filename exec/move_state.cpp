#include "exec/move_state.hpp"

#include <algorithm>

namespace lumio::exec {

using movevm::StorageError;
using movevm::StructTag;
using state::Space;

namespace {


Bytes with_address(const AccountAddress& a, BytesView rest) {
  Bytes k(a.bytes.begin(), a.bytes.end());
  k.insert(k.end(), rest.begin(), rest.end());
  return k;
}

// Aptos's StateKey size for a store key of `space` (AccessPath: address + path kind byte +
// BCS path; modules as MoveState sizes them; table items: handle + key), which IO gas and
// storage usage are priced on.
uint64_t aptos_key_size(Space space, size_t store_key_size) {
  switch (space) {
    case Space::MoveResource: return store_key_size + 1;
    case Space::MoveModule: return store_key_size + 1 + 32 + 1;
    default: return store_key_size;
  }
}

}  // namespace

Bytes move_resource_key(const AccountAddress& address, const StructTag& tag) {
  return with_address(address, movevm::struct_tag_bcs(tag));
}
Bytes move_module_key(const AccountAddress& address, std::string_view name) {
  return with_address(address, BytesView(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
}
Bytes move_table_key(const AccountAddress& handle, BytesView key) { return with_address(handle, key); }

// ---- MoveStoreView ----

std::optional<Bytes> MoveStoreView::read(Space space, BytesView key) const {
  try {
    return reader_.get(space, key);
  } catch (const std::exception& e) {  // state::StoreError and the engine's own failures
    throw StorageError{std::string("store read failed: ") + e.what()};
  }
}

const Bytes* MoveStoreView::group_of(const StructTag& member, const Bytes& member_bcs) const {
  auto module = std::make_pair(member.address, member.module);
  if (indexed_.insert(module).second)
    if (auto code = read(Space::MoveModule, move_module_key(member.address, member.module)))
      groups_.set_module(member.address, member.module, std::move(*code));
  return groups_.group_of(member_bcs);
}

std::optional<Bytes> MoveStoreView::group_of(const StructTag& member) const {
  const Bytes* g = group_of(member, movevm::struct_tag_bcs(member));
  return g ? std::optional<Bytes>(*g) : std::nullopt;
}

std::optional<Bytes> MoveStoreView::get_resource(const AccountAddress& address, const StructTag& tag) const {
  Bytes t = movevm::struct_tag_bcs(tag);
  const Bytes* group = group_of(tag, t);
  if (!group) return read(Space::MoveResource, with_address(address, t));
  auto blob = read(Space::MoveResource, with_address(address, *group));
  if (!blob) return std::nullopt;
  auto members = movevm::decode_resource_group(*blob);
  if (!members) throw StorageError{"malformed resource group " + movevm::struct_tag_text(*group) + " at " + to_hex(address)};
  for (auto& [k, v] : *members)
    if (k == t) return std::move(v);
  return std::nullopt;
}

std::optional<Bytes> MoveStoreView::get_resource_group(const AccountAddress& address, const StructTag& group) const {
  return read(Space::MoveResource, move_resource_key(address, group));
}

std::optional<Bytes> MoveStoreView::get_module(const AccountAddress& address, std::string_view name) const {
  return read(Space::MoveModule, move_module_key(address, name));
}

std::optional<Bytes> MoveStoreView::get_table_item(const AccountAddress& handle, BytesView key) const {
  return read(Space::MoveTable, move_table_key(handle, key));
}

std::optional<uint8_t> MoveStoreView::chain_id() const {
  auto one = movevm::account_address(1);
  auto b = get_resource(one, StructTag{one, "chain_id", "ChainId", {}});
  if (!b || b->size() != 1) return std::nullopt;
  return (*b)[0];
}

std::pair<uint64_t, uint64_t> MoveStoreView::usage() const {
  uint64_t items = 0, bytes = 0;
  for (Space s : {Space::MoveResource, Space::MoveModule, Space::MoveTable}) {
    try {
      reader_.scan(s, {}, [&](BytesView key, BytesView value) {
        ++items, bytes += aptos_key_size(s, key.size()) + value.size();
        return true;
      });
    } catch (const std::exception& e) {
      throw StorageError{std::string("store scan failed: ") + e.what()};
    }
  }
  return {items, bytes};
}

// ---- writes ----

state::WriteSet move_write_set(const MoveStoreView& view, const movevm::ChangeSet& changes, const MoveTableChanges& tables) {
  state::WriteSet w;
  // Touched groups: (address, group tag) -> members after the change, in BTreeMap order.
  std::map<std::pair<AccountAddress, Bytes>, std::vector<std::pair<Bytes, Bytes>>> groups;
  for (const auto& [key, data] : changes.resources) {
    const auto& [address, tag] = key;
    Bytes t = movevm::struct_tag_bcs(tag);
    auto group = view.group_of(tag);
    if (!group) {
      w[state::make_key(Space::MoveResource, with_address(address, t))] = data;
      continue;
    }
    auto it = groups.find({address, *group});
    if (it == groups.end()) {
      std::vector<std::pair<Bytes, Bytes>> members;
      if (auto blob = view.read(Space::MoveResource, with_address(address, *group))) {
        auto m = movevm::decode_resource_group(*blob);
        if (!m) throw StorageError{"malformed resource group " + movevm::struct_tag_text(*group) + " at " + to_hex(address)};
        members = std::move(*m);
      }
      it = groups.emplace(std::make_pair(address, *group), std::move(members)).first;
    }
    auto& members = it->second;
    auto pos = std::lower_bound(members.begin(), members.end(), t, [](const auto& m, const Bytes& k) { return m.first < k; });
    if (pos != members.end() && pos->first == t) pos = members.erase(pos);
    if (data) members.insert(pos, {t, *data});
  }
  for (const auto& [key, members] : groups)
    w[state::make_key(Space::MoveResource, with_address(key.first, key.second))] =
        members.empty() ? std::nullopt : std::optional<Bytes>(movevm::encode_resource_group(members));
  for (const auto& [key, code] : changes.modules) w[state::make_key(Space::MoveModule, move_module_key(key.first, key.second))] = code;
  for (const auto& [key, data] : tables) w[state::make_key(Space::MoveTable, move_table_key(key.first, key.second))] = data;
  return w;
}

void apply_change_set(const movevm::ChangeSet& changes, const MoveTableChanges& tables, state::TxView& tx) {
  MoveStoreView view(tx);
  for (auto& [key, data] : move_write_set(view, changes, tables)) {
    if (data)
      tx.put(state::space_of(key), state::key_of(key), *data);
    else
      tx.erase(state::space_of(key), state::key_of(key));
  }
}

movevm::Expected<size_t> load_genesis(BytesView blob, state::BlockOverlay& overlay) {
  // MoveState validates the write set (access paths, struct tags, groups) and keys it as here.
  auto s = movevm::MoveState::from_genesis(blob);
  if (!s) return s.error();
  for (const auto& [key, code] : s->modules()) overlay.put(Space::MoveModule, move_module_key(key.first, key.second), code);
  for (const auto* m : {&s->resources(), &s->resource_groups()})
    for (const auto& [key, value] : *m) overlay.put(Space::MoveResource, with_address(key.first, key.second), value);
  for (const auto& [key, value] : s->table_items()) overlay.put(Space::MoveTable, move_table_key(key.first, key.second), value);
  return s->modules().size() + s->resources().size() + s->resource_groups().size() + s->table_items().size();
}

// ---- execution ----

namespace {

movevm::ExecutionError error_of(movevm::StatusCode status, std::string message) {
  movevm::ExecutionError e;
  e.error = movevm::VMError{status, std::move(message), {}, {}};
  return e;
}

movevm::ExecutionEnv env_of(const MoveStoreView& view) {
  return movevm::ExecutionEnv{view, &view, view.chain_id().value_or(4), [&view] { return view.usage(); }, {}};
}

}  // namespace

MoveTxOutcome execute_move_transaction(const MoveStoreView& view, const movevm::NativeRegistry& natives,
                                       const movevm::GasParameters& gas, const movevm::EntryCall& call) {
  movevm::AptosGasMeter meter(gas, call.max_gas_amount);
  MoveTxOutcome out;
  auto failed = [&](movevm::ExecutionError e) {
    out = {};
    out.output.error = std::move(e);
    out.output.gas_used = meter.gas_used();
    return std::move(out);
  };
  try {
    out = movevm::run_entry_transaction(env_of(view), natives, meter, call);
    if (out.output.error) return failed(*out.output.error);
    // IO gas of the write set the store will see (MoveState::charge_writes over the store).
    for (const auto& [key, data] : move_write_set(view, out.changes, out.tables)) {
      Space s = state::space_of(key);
      bool creation = !view.read(s, state::key_of(key));
      auto size_of = data ? std::optional<uint64_t>(data->size()) : std::nullopt;
      if (!meter.charge_io_write(aptos_key_size(s, key.size() - 1), size_of, creation))
        return failed(error_of(meter.failure(), ""));
    }
    for (const auto& e : out.output.events) {
      Bytes tag;
      movevm::type_tag_bcs(e.type, tag);
      // ContractEvent size: (v1: GUID key + sequence number) + type tag + data.
      if (!meter.charge_io_event((e.v2 ? 0 : e.key.size() + 8) + tag.size() + e.data.size()))
        return failed(error_of(meter.failure(), ""));
    }
  } catch (const StorageError& e) {  // raised outside the interpreter's own handlers (natives, writes)
    return failed(error_of(movevm::StatusCode::STORAGE_ERROR, e.message));
  }
  out.output.gas_used = meter.gas_used();
  return out;
}

movevm::CallOutput execute_move_view(const MoveStoreView& view, const movevm::NativeRegistry& natives,
                                     const movevm::EntryCall& call) {
  try {
    return movevm::run_view(env_of(view), natives, call);
  } catch (const StorageError& e) {
    movevm::CallOutput r;
    r.error = error_of(movevm::StatusCode::STORAGE_ERROR, e.message);
    return r;
  }
}

}  // namespace lumio::exec
