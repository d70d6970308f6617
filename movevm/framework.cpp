#include "movevm/framework.hpp"

#include <algorithm>
#include <cstring>

#include "movevm/natives_dispatch.hpp"

namespace lumio::movevm {
namespace {

// A strict BCS cursor: every read is bounds-checked; `ok` turns false on the first error.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;

  size_t left() const { return size_t(end - p); }
  bool take(size_t n) {
    if (!ok || left() < n) return ok = false;
    return true;
  }
  uint8_t u8() { return take(1) ? *p++ : 0; }
  uint32_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35 && ok; shift += 7) {
      uint8_t b = u8();
      if (!ok) return 0;
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if ((shift > 0 && b == 0) || v > 0xFFFFFFFFull) ok = false;  // non-canonical / over u32
        return uint32_t(v);
      }
    }
    ok = false;
    return 0;
  }
  Bytes bytes() {
    uint32_t n = uleb();
    if (!take(n)) return {};
    Bytes r(p, p + n);
    p += n;
    return r;
  }
  std::string ident() {
    Bytes b = bytes();
    std::string s(b.begin(), b.end());
    if (ok && !is_valid_identifier(s)) ok = false;
    return s;
  }
  AccountAddress address() {
    AccountAddress a;
    if (take(32)) {
      std::memcpy(a.data(), p, 32);
      p += 32;
    }
    return a;
  }
};

std::optional<TypeTag> read_type_tag(Cursor& c, int depth);

std::optional<StructTag> read_struct_tag(Cursor& c, int depth) {
  if (depth > 128) return std::nullopt;
  StructTag t;
  t.address = c.address();
  t.module = c.ident();
  t.name = c.ident();
  uint32_t n = c.uleb();
  if (!c.ok || n > c.left()) return std::nullopt;
  for (uint32_t i = 0; i < n; ++i) {
    auto a = read_type_tag(c, depth + 1);
    if (!a) return std::nullopt;
    t.type_args.push_back(std::move(*a));
  }
  if (!c.ok) return std::nullopt;
  return t;
}

std::optional<TypeTag> read_type_tag(Cursor& c, int depth) {
  if (depth > 128) return std::nullopt;
  uint32_t k = c.uleb();
  if (!c.ok || k > uint32_t(TagKind::I256) || k == uint32_t(TagKind::Function)) return std::nullopt;
  TypeTag t;
  t.kind = TagKind(k);
  if (t.kind == TagKind::Vector) {
    auto e = read_type_tag(c, depth + 1);
    if (!e) return std::nullopt;
    t.element = std::make_shared<const TypeTag>(std::move(*e));
  } else if (t.kind == TagKind::Struct) {
    auto s = read_struct_tag(c, depth + 1);
    if (!s) return std::nullopt;
    t.struct_tag = std::make_shared<const StructTag>(std::move(*s));
  }
  return t;
}

void put_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void put_str(Bytes& out, std::string_view s) {
  put_uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void struct_tag_into(const StructTag& t, Bytes& out) {
  out.insert(out.end(), t.address.bytes.begin(), t.address.bytes.end());
  put_str(out, t.module);
  put_str(out, t.name);
  put_uleb(out, t.type_args.size());
  for (const auto& a : t.type_args) type_tag_bcs(a, out);
}

std::string short_address(const AccountAddress& a) {
  std::string h = to_hex(a, false);
  size_t i = h.find_first_not_of('0');
  return "0x" + (i == std::string::npos ? std::string("0") : h.substr(i));
}

std::string type_text(const TypeTag& t);

std::string struct_text(const StructTag& s) {
  std::string r = short_address(s.address) + "::" + s.module + "::" + s.name;
  if (!s.type_args.empty()) {
    r += '<';
    for (size_t i = 0; i < s.type_args.size(); ++i) r += (i ? ", " : "") + type_text(s.type_args[i]);
    r += '>';
  }
  return r;
}

std::string type_text(const TypeTag& t) {
  static const char* names[] = {"bool", "u8", "u64", "u128", "address", "signer", "vector", "struct",
                                "u16", "u32", "u256", "function", "i8", "i16", "i32", "i64", "i128", "i256"};
  if (t.kind == TagKind::Vector) return "vector<" + type_text(*t.element) + ">";
  if (t.kind == TagKind::Struct) return struct_text(*t.struct_tag);
  return names[size_t(t.kind)];
}

// Resource-group members a module declares: RuntimeModuleMetadataV1 under "aptos::metadata_v1"
// { error_map: map<u64, (String, String)>, struct_attributes: map<String, vector<KnownAttribute
// { kind: u8, args: vector<String> }>>, fun_attributes: ... }; kind 3 = ResourceGroupMember
// with args[0] the group's type name. Returns (member tag, group tag) pairs, both BCS.
std::vector<std::pair<Bytes, Bytes>> declared_group_members(const CompiledModule& m) {
  std::vector<std::pair<Bytes, Bytes>> out;
  const auto& self = m.module_handles.at(m.self_module_handle_idx);
  const AccountAddress& address = m.address_identifiers.at(self.address);
  const std::string& module = m.identifiers.at(self.name);
  for (const auto& md : m.metadata) {
    if (std::string(md.key.begin(), md.key.end()) != "aptos::metadata_v1") continue;
    Cursor c{md.value.data(), md.value.data() + md.value.size()};
    uint32_t errors = c.uleb();
    for (uint32_t i = 0; c.ok && i < errors; ++i) {
      if (c.take(8)) c.p += 8;
      c.bytes();
      c.bytes();
    }
    uint32_t structs = c.uleb();
    for (uint32_t i = 0; c.ok && i < structs; ++i) {
      Bytes name = c.bytes();
      uint32_t attrs = c.uleb();
      for (uint32_t j = 0; c.ok && j < attrs; ++j) {
        uint8_t kind = c.u8();
        uint32_t nargs = c.uleb();
        std::vector<Bytes> args;
        for (uint32_t k = 0; c.ok && k < nargs; ++k) args.push_back(c.bytes());
        if (!c.ok || kind != 3 || args.empty()) continue;
        auto group = parse_type_tag(std::string_view(reinterpret_cast<const char*>(args[0].data()), args[0].size()));
        if (!group || group->kind != TagKind::Struct) continue;
        StructTag member{address, module, std::string(name.begin(), name.end()), {}};
        out.emplace_back(struct_tag_bcs(member), struct_tag_bcs(*group->struct_tag));
      }
    }
  }
  return out;
}

VMError bad(std::string what) {
  return VMError{StatusCode::VALUE_DESERIALIZATION_ERROR, "genesis state: " + std::move(what), {}, {}};
}

}  // namespace

AccountAddress account_address(uint64_t v) {
  AccountAddress a;
  for (int i = 0; i < 8; ++i) a.bytes[31 - i] = uint8_t(v >> (8 * i));
  return a;
}

void type_tag_bcs(const TypeTag& t, Bytes& out) {
  put_uleb(out, uint8_t(t.kind));
  if (t.kind == TagKind::Vector) type_tag_bcs(*t.element, out);
  if (t.kind == TagKind::Struct) struct_tag_into(*t.struct_tag, out);
}

Bytes struct_tag_bcs(const StructTag& tag) {
  Bytes out;
  struct_tag_into(tag, out);
  return out;
}

std::optional<StructTag> decode_struct_tag(BytesView bcs) {
  Cursor c{bcs.data(), bcs.data() + bcs.size()};
  auto t = read_struct_tag(c, 0);
  if (!t || !c.ok || c.left() != 0) return std::nullopt;
  return t;
}

std::string struct_tag_text(BytesView bcs) {
  auto t = decode_struct_tag(bcs);
  return t ? struct_text(*t) : "<invalid struct tag " + to_hex(bcs) + ">";
}

std::optional<std::vector<std::pair<Bytes, Bytes>>> decode_resource_group(BytesView bytes) {
  Cursor c{bytes.data(), bytes.data() + bytes.size()};
  uint32_t n = c.uleb();
  if (!c.ok || n > c.left()) return std::nullopt;
  std::vector<std::pair<Bytes, Bytes>> out;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* start = c.p;
    if (!read_struct_tag(c, 0) || !c.ok) return std::nullopt;
    Bytes tag(start, c.p);
    Bytes value = c.bytes();
    if (!c.ok) return std::nullopt;
    if (!out.empty() && !(out.back().first < tag)) return std::nullopt;  // canonical BTreeMap order
    out.emplace_back(std::move(tag), std::move(value));
  }
  if (c.left() != 0) return std::nullopt;
  return out;
}

Bytes encode_resource_group(const std::vector<std::pair<Bytes, Bytes>>& members) {
  Bytes out;
  put_uleb(out, members.size());
  for (const auto& [tag, value] : members) {
    out.insert(out.end(), tag.begin(), tag.end());
    put_uleb(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

Expected<MoveState> MoveState::from_genesis(BytesView blob) {
  auto changes = decode_genesis_transaction(blob);
  if (!changes) return changes.error();
  return from_change_set(*changes);
}

Expected<MoveState> MoveState::from_change_set(const GenesisChangeSet& changes) {
  MoveState s;
  for (const auto& [key, op] : changes.write_set) {
    bool deletion = op.kind == WriteOp::Kind::Deletion || op.kind == WriteOp::Kind::DeletionWithMetadata;
    std::optional<Bytes> data;
    if (!deletion) data = op.data;
    switch (key.kind) {
      case StateKey::Kind::TableItem:
        s.set_table_item(key.address, key.path, std::move(data));
        break;
      case StateKey::Kind::Raw:
        return bad("raw state key in a genesis write set");
      case StateKey::Kind::AccessPath: {
        if (key.path.empty()) return bad("empty access path");
        BytesView rest = BytesView(key.path).subspan(1);
        Cursor c{rest.data(), rest.data() + rest.size()};
        switch (key.path[0]) {
          case 0: {  // Code(ModuleId)
            AccountAddress a = c.address();
            std::string name = c.ident();
            if (!c.ok || c.left() != 0 || a != key.address) return bad("malformed code path");
            s.set_module(a, std::move(name), std::move(data));
            break;
          }
          case 1:
          case 2:
            if (!decode_struct_tag(rest)) return bad("malformed struct tag in access path");
            if (key.path[0] == 1)
              s.set_resource(key.address, Bytes(rest.begin(), rest.end()), std::move(data));
            else
              s.set_resource_group(key.address, Bytes(rest.begin(), rest.end()), std::move(data));
            break;
          default:
            return bad("unknown access path kind " + std::to_string(key.path[0]));
        }
        break;
      }
    }
  }
  // Group membership: set_module learnt what module metadata declares (what aptos-vm uses);
  // add what the groups present hold (for metadata that predates the attribute).
  for (const auto& [key, blob] : s.groups_) {
    auto members = decode_resource_group(blob);
    if (!members) return bad("malformed resource group " + struct_tag_text(key.second));
    for (const auto& m : *members) s.group_of_.emplace(m.first, key.second);
  }
  return s;
}

const Bytes* MoveState::group_of(BytesView member) const {
  auto it = group_of_.find(Bytes(member.begin(), member.end()));
  return it == group_of_.end() ? nullptr : &it->second;
}

std::optional<Bytes> MoveState::get_resource(const AccountAddress& address, const StructTag& tag) const {
  Bytes t = struct_tag_bcs(tag);
  if (const Bytes* group = group_of(t)) {
    const Bytes* blob = group_bytes(address, *group);
    if (!blob) return std::nullopt;
    auto members = decode_resource_group(*blob);
    if (!members) throw StorageError{"malformed resource group at " + to_hex(address)};
    for (auto& [k, v] : *members)
      if (k == t) return v;
    return std::nullopt;
  }
  const Bytes* b = resource_bytes(address, t);
  return b ? std::optional<Bytes>(*b) : std::nullopt;
}

MoveState::Writes MoveState::split(const ChangeSet& changes) const {
  Writes w;
  std::map<ResourceKey, std::vector<std::pair<Bytes, Bytes>>> groups;  // touched groups' members
  for (const auto& [key, data] : changes.resources) {
    Bytes t = struct_tag_bcs(key.second);
    const Bytes* group = group_of(t);
    if (!group) {
      w.resources.emplace(ResourceKey{key.first, std::move(t)}, data);
      continue;
    }
    ResourceKey gk{key.first, *group};
    auto it = groups.find(gk);
    if (it == groups.end()) {
      std::vector<std::pair<Bytes, Bytes>> members;
      if (const Bytes* blob = group_bytes(key.first, *group))
        if (auto m = decode_resource_group(*blob)) members = std::move(*m);
      it = groups.emplace(gk, std::move(members)).first;
    }
    auto& members = it->second;
    std::erase_if(members, [&](const auto& m) { return m.first == t; });
    if (data) {
      auto pos = std::lower_bound(members.begin(), members.end(), t, [](const auto& m, const Bytes& k) { return m.first < k; });
      members.insert(pos, {t, *data});
    }
  }
  for (auto& [gk, members] : groups)
    w.groups.emplace(gk, members.empty() ? std::nullopt : std::optional<Bytes>(encode_resource_group(members)));
  return w;
}

void MoveState::apply(const ChangeSet& changes, const TableChanges& table_changes,
                      const NativePositionChanges& positions) {
  Writes w = split(changes);
  for (auto& [key, data] : w.resources) set_resource(key.first, key.second, std::move(data));
  for (auto& [key, data] : w.groups) set_resource_group(key.first, key.second, std::move(data));
  for (const auto& [key, code] : changes.modules) set_module(key.first, key.second, code);
  for (const auto& [key, data] : table_changes) set_table_item(key.first, key.second, data);
  for (const auto& [key, data] : positions) set_native_position(key, data);
}

bool MoveState::charge_writes(AptosGasMeter& meter, const ChangeSet& changes, const TableChanges& table_changes,
                              const std::vector<EmittedEvent>& events) const {
  // StateKey sizes: an access path is address + BCS path (kind byte + tag / module id).
  auto size_of = [](const std::optional<Bytes>& d) { return d ? std::optional<uint64_t>(d->size()) : std::nullopt; };
  Writes w = split(changes);
  for (const auto& [key, data] : w.resources)
    if (!meter.charge_io_write(32 + 1 + key.second.size(), size_of(data), !resource_bytes(key.first, key.second)))
      return false;
  for (const auto& [key, data] : w.groups)
    if (!meter.charge_io_write(32 + 1 + key.second.size(), size_of(data), !group_bytes(key.first, key.second)))
      return false;
  for (const auto& [key, code] : changes.modules)
    if (!meter.charge_io_write(32 + 1 + 32 + 1 + key.second.size(), code.size(), !get_module(key.first, key.second)))
      return false;
  for (const auto& [key, data] : table_changes)
    if (!meter.charge_io_write(32 + key.second.size(), size_of(data), !get_table_item(key.first, key.second)))
      return false;
  for (const auto& e : events) {
    Bytes tag;
    type_tag_bcs(e.type, tag);
    // ContractEvent size: (v1: GUID key + sequence number) + type tag + data.
    if (!meter.charge_io_event((e.v2 ? 0 : e.key.size() + 8) + tag.size() + e.data.size())) return false;
  }
  return true;
}

std::optional<Bytes> MoveState::get_resource_group(const AccountAddress& address, const StructTag& group) const {
  const Bytes* b = group_bytes(address, struct_tag_bcs(group));
  return b ? std::optional<Bytes>(*b) : std::nullopt;
}

std::optional<Bytes> MoveState::get_module(const AccountAddress& address, std::string_view name) const {
  auto it = modules_.find(std::make_pair(address, std::string(name)));
  return it == modules_.end() ? std::nullopt : std::optional<Bytes>(it->second);
}

std::optional<Bytes> MoveState::get_table_item(const AccountAddress& handle, BytesView key) const {
  auto it = tables_.find(TableKey{handle, Bytes(key.begin(), key.end())});
  return it == tables_.end() ? std::nullopt : std::optional<Bytes>(it->second);
}

const Bytes* MoveState::resource_bytes(const AccountAddress& address, BytesView tag_bcs) const {
  auto it = resources_.find(ResourceKey{address, Bytes(tag_bcs.begin(), tag_bcs.end())});
  return it == resources_.end() ? nullptr : &it->second;
}

const Bytes* MoveState::group_bytes(const AccountAddress& address, BytesView tag_bcs) const {
  auto it = groups_.find(ResourceKey{address, Bytes(tag_bcs.begin(), tag_bcs.end())});
  return it == groups_.end() ? nullptr : &it->second;
}

template <class Map, class Key>
static void put_or_erase(Map& m, Key&& k, std::optional<Bytes> data) {
  if (data)
    m.insert_or_assign(std::forward<Key>(k), std::move(*data));
  else
    m.erase(k);
}

std::pair<uint64_t, uint64_t> MoveState::usage() const {
  uint64_t items = 0, bytes = 0;
  auto add = [&](uint64_t key, uint64_t value) { ++items, bytes += key + value; };
  for (const auto& [k, v] : modules_) add(32 + 1 + 32 + 1 + k.second.size(), v.size());
  for (const auto& [k, v] : resources_) add(32 + 1 + k.second.size(), v.size());
  for (const auto& [k, v] : groups_) add(32 + 1 + k.second.size(), v.size());
  for (const auto& [k, v] : tables_) add(32 + k.second.size(), v.size());
  return {items, bytes};
}

std::optional<uint8_t> MoveState::chain_id() const {
  auto b = get_resource(account_address(1), StructTag{account_address(1), "chain_id", "ChainId", {}});
  if (!b || b->size() != 1) return std::nullopt;
  return (*b)[0];
}

void MoveState::preload_modules(Loader& loader) const {
  for (const auto& [key, code] : modules_) {
    auto it = compiled_.find(key);
    if (it == compiled_.end()) {
      auto m = deserialize_module(code);
      if (!m) continue;  // the loader reports it when the module is used
      it = compiled_.emplace(key, std::make_shared<const CompiledModule>(std::move(*m))).first;
    }
    loader.add_module(it->second);
  }
}

void MoveState::learn_groups(BytesView code) {
  auto m = deserialize_module(code);
  if (!m) return;
  for (auto& [member, group] : declared_group_members(*m)) group_of_.insert_or_assign(std::move(member), std::move(group));
}

void MoveState::set_module(const AccountAddress& address, std::string name, std::optional<Bytes> code) {
  compiled_.erase(std::make_pair(address, name));
  if (code) learn_groups(*code);
  put_or_erase(modules_, std::make_pair(address, std::move(name)), std::move(code));
}
void MoveState::set_resource(const AccountAddress& address, Bytes tag_bcs, std::optional<Bytes> data) {
  put_or_erase(resources_, ResourceKey{address, std::move(tag_bcs)}, std::move(data));
}
void MoveState::set_resource_group(const AccountAddress& address, Bytes tag_bcs, std::optional<Bytes> data) {
  put_or_erase(groups_, ResourceKey{address, std::move(tag_bcs)}, std::move(data));
}
void MoveState::set_table_item(const AccountAddress& handle, Bytes key, std::optional<Bytes> data) {
  put_or_erase(tables_, TableKey{handle, std::move(key)}, std::move(data));
}
void MoveState::set_native_position(Bytes state_key, std::optional<Bytes> data) {
  put_or_erase(positions_, std::move(state_key), std::move(data));
}

// ---------------------------------------------------------------------------------------------

FeatureFlags read_features(const StateView& state) {
  FeatureFlags flags;
  auto bytes = state.get_resource(account_address(1), StructTag{account_address(1), "features", "Features", {}});
  if (!bytes) return flags;
  Cursor c{bytes->data(), bytes->data() + bytes->size()};
  Bytes bits = c.bytes();  // struct Features { features: vector<u8> }
  if (c.ok && c.left() == 0) flags.bits = std::move(bits);
  return flags;
}

VMLimits vm_limits_for(const FeatureFlags& features) {
  VMLimits limits;
  limits.resource_access_control = features.enabled(kFeatureEnableResourceAccessControl);
  return limits;
}

VerifierConfig verifier_config_for(const FeatureFlags& features) {
  VerifierConfig config = VerifierConfig::aptos_prod();
  config.enable_resource_access_control = features.enabled(kFeatureEnableResourceAccessControl);
  return config;
}

// ---------------------------------------------------------------------------------------------

uint64_t entry_txn_size(const EntryCall& call) {
  auto uleb_len = [](uint64_t v) {
    uint64_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
  };
  uint64_t payload = 1 + 32 + uleb_len(call.module.size()) + call.module.size() + uleb_len(call.function.size()) +
                     call.function.size() + uleb_len(call.type_args.size());
  for (const auto& t : call.type_args) {
    Bytes b;
    type_tag_bcs(t, b);
    payload += b.size();
  }
  payload += uleb_len(call.args.size());
  for (const auto& a : call.args) payload += uleb_len(a.size()) + a.size();
  uint64_t raw = 32 + 8 + payload + 8 + 8 + 8 + 1;  // sender, sequence, payload, max gas, price, expiry, chain
  return raw + 1 + 1 + 32 + 1 + 64;                  // Ed25519 authenticator
}

namespace {

TransactionContext context_of(uint8_t chain_id, const EntryCall& call) {
  TransactionContext txn;
  txn.sender = call.sender;
  txn.txn_hash = call.txn_hash;
  txn.max_gas_amount = call.max_gas_amount;
  txn.gas_unit_price = call.gas_unit_price;
  txn.chain_id = chain_id;
  std::vector<std::string> tys;
  for (const auto& t : call.type_args) tys.push_back(t.to_string());
  txn.entry_function = TransactionContext::EntryFunction{
      call.module_address.is_zero() ? account_address(1) : call.module_address, call.module, call.function, tys, call.args};
  return txn;
}

void prepare(Session& session, const ExecutionEnv& env, const EntryCall& call, FeatureFlags features) {
  if (env.preload) env.preload(session.loader());
  session.extensions().add(std::make_shared<FeatureFlags>(std::move(features)));
  add_session_extensions(session.extensions(), context_of(env.chain_id, call), env.tables);
  if (env.usage) session.extensions().add(std::make_shared<StateStorageUsage>(StateStorageUsage{env.usage}));
}

ExecutionEnv env_of(const MoveState& state) {
  return ExecutionEnv{state, &state, state.chain_id().value_or(4), [&state] { return state.usage(); },
                      [&state](Loader& loader) { state.preload_modules(loader); }};
}

}  // namespace

TransactionEffects run_entry_transaction(const ExecutionEnv& env, const NativeRegistry& natives, AptosGasMeter& meter,
                                         const EntryCall& call) {
  TransactionEffects fx;
  auto failed = [&](ExecutionError e) {
    fx = {};
    fx.output.error = std::move(e);
    return std::move(fx);
  };
  auto failed_with = [&](StatusCode status, std::string message) {
    ExecutionError e;
    e.error = VMError{status, std::move(message), {}, {}};
    return failed(std::move(e));
  };
  FeatureFlags features = read_features(env.state);
  Session session(env.state, natives, vm_limits_for(features));
  prepare(session, env, call, std::move(features));
  uint64_t size = call.txn_size.value_or(entry_txn_size(call));
  if (!meter.charge_intrinsic(size) || !meter.charge_io_transaction(size)) return failed_with(meter.failure(), "");
  std::vector<AccountAddress> signers;
  if (call.pass_signer) signers.push_back(call.sender);
  auto out = session.execute_function(call.module_address.is_zero() ? account_address(1) : call.module_address,
                                      call.module, call.function, call.type_args, signers, call.args, meter);
  if (auto* e = std::get_if<ExecutionError>(&out)) return failed(*e);
  fx.output.returns = std::move(std::get<ExecutionResult>(out).return_values);
  fx.output.events = session.extensions().get<EventStore>()->events;
  auto cs = session.change_set();
  if (auto* e = std::get_if<ExecutionError>(&cs)) return failed(*e);
  auto tables = session.extensions().get<TableStore>()->changes();
  if (!tables) return failed_with(StatusCode::VALUE_SERIALIZATION_ERROR, "table item does not serialize");
  fx.changes = std::move(std::get<ChangeSet>(cs));
  fx.tables = std::move(*tables);
  if (const auto* positions = session.extensions().get<NativePositionWrites>())
    for (const auto& [key, data] : positions->writes)
      fx.native_positions.emplace(NativePositionWrites::state_key(std::get<0>(key), std::get<1>(key), std::get<2>(key)),
                                  data);
  return fx;
}

CallOutput run_view(const ExecutionEnv& env, const NativeRegistry& natives, const EntryCall& call) {
  FeatureFlags features = read_features(env.state);
  Session session(env.state, natives, vm_limits_for(features));
  prepare(session, env, call, std::move(features));
  UnmeteredGasMeter meter;
  CallOutput r;
  auto out = session.execute_function(call.module_address.is_zero() ? account_address(1) : call.module_address,
                                      call.module, call.function, call.type_args, {}, call.args, meter);
  if (auto* e = std::get_if<ExecutionError>(&out)) {
    r.error = *e;
    return r;
  }
  r.returns = std::move(std::get<ExecutionResult>(out).return_values);
  r.events = session.extensions().get<EventStore>()->events;
  return r;
}

CallOutput execute_transaction(MoveState& state, const NativeRegistry& natives, const GasParameters& gas,
                               const EntryCall& call) {
  AptosGasMeter meter(gas, call.max_gas_amount);
  TransactionEffects fx = run_entry_transaction(env_of(state), natives, meter, call);
  CallOutput& r = fx.output;
  if (!r.error && !state.charge_writes(meter, fx.changes, fx.tables, r.events)) {
    r = {};
    r.error = ExecutionError{};
    r.error->error.status = meter.failure();
  }
  r.gas_used = meter.gas_used();
  if (!r.error) state.apply(fx.changes, fx.tables, fx.native_positions);
  return std::move(r);
}

CallOutput execute_view(const MoveState& state, const NativeRegistry& natives, const EntryCall& call) {
  return run_view(env_of(state), natives, call);
}

}  // namespace lumio::movevm
