// Aptos framework natives that need the VM's help: function_info (loading a dispatch target's
// module, comparing signatures), the dispatching natives of dispatchable_fungible_asset and
// account_abstraction (they ask the interpreter to call a Move function in their place,
// NativeResult::call), storage_slot (borrowing the resource a slot points at), 
// consensus_config::validator_txn_enabled_internal and 0x7::native_position (staged native
// trading positions).
#include "movevm/natives_dispatch.hpp"

#include "movevm/loader.hpp"
#include "movevm/natives_algebra.hpp"
#include "movevm/natives_internal.hpp"
#include "movevm/state_view.hpp"

namespace lumio::movevm {

Bytes NativePositionWrites::state_key(const AccountAddress& exchange, const AccountAddress& account,
                                      const AccountAddress& market) {
  Bytes k{2, 0};
  for (const auto* a : {&exchange, &account, &market}) k.insert(k.end(), a->bytes.begin(), a->bytes.end());
  return k;
}

namespace natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kInvalidIdentifier = 1;   // function_info: EINVALID_IDENTIFIER
constexpr uint64_t kInvalidFunction = 2;     // function_info: EINVALID_FUNCTION
constexpr uint64_t kNotLoaded = 4;           // dispatching natives: ENOT_LOADED
constexpr uint64_t kStorageSlotNotFound = 2;  // storage_slot: ESTORAGE_SLOT_NOT_FOUND
constexpr uint64_t kFeatureDisabled = 1;     // native_position: EFEATURE_DISABLED

// Feature flags (0x1::features).
constexpr uint64_t kAccountAbstraction = 85, kDerivableAccountAbstraction = 88, kNativePosition = 119;

// Whether feature `flag` is on in the state's 0x1::features::Features { features: vector<u8> }
// (Aptos reads the flags of its environment, not through a metered resource access).
// The framework's sessions carry the flags as the FeatureFlags extension (read once, before the
// call); bare sessions read the state here.
bool feature_enabled(NativeContext& ctx, uint64_t flag) {
  if (const auto* f = ctx.extensions().get<FeatureFlags>()) return f->enabled(flag);
  const StateView* state = ctx.state_view();
  if (!state) return false;
  AccountAddress one = address_from_u64(1);
  std::optional<Bytes> b;
  try {
    b = state->get_resource(one, StructTag{one, "features", "Features", {}});
  } catch (const StorageError&) {
    return false;
  }
  if (!b) return false;
  uint64_t len = 0;  // ULEB128 length of the bitmap
  size_t i = 0;
  for (int shift = 0; i < b->size() && shift < 64; shift += 7) {
    uint8_t x = (*b)[i++];
    len |= uint64_t(x & 0x7F) << shift;
    if (!(x & 0x80)) break;
  }
  if (flag / 8 >= len || i + flag / 8 >= b->size()) return false;
  return ((*b)[i + flag / 8] >> (flag % 8)) & 1;
}

// Aptos's AccountAddress::is_special: 0x0..0xf.
bool is_special(const AccountAddress& a) {
  for (size_t i = 0; i + 1 < a.bytes.size(); ++i)
    if (a.bytes[i]) return false;
  return a.bytes.back() < 16;
}

DispatchVisited& visited_of(NativeContext& ctx) {
  if (auto* v = ctx.extensions().get<DispatchVisited>()) return *v;
  return ctx.extensions().add(std::make_shared<DispatchVisited>());
}
bool is_visited(NativeContext& ctx, const AccountAddress& a, const std::string& module) {
  return visited_of(ctx).modules.count({a, module}) != 0;
}

struct FunctionRef {
  AccountAddress address;
  std::string module, function;
  bool operator==(const FunctionRef&) const = default;
};

// &FunctionInfo { module_address, module_name: String, function_name: String }. nullopt in
// the result: a name that is no identifier (Aptos aborts with 1, Identifier::from_utf8).
Expected<std::optional<FunctionRef>> function_info_of(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->kind != ContainerKind::Struct || c->values.size() != 3 || c->values[0].kind != ValueKind::Address)
    return invariant("FunctionInfo argument");
  const Bytes* m = string_bytes_of(c->values[1]);
  const Bytes* f = string_bytes_of(c->values[2]);
  if (!m || !f) return invariant("FunctionInfo names");
  FunctionRef r{c->values[0].address, std::string(m->begin(), m->end()), std::string(f->begin(), f->end())};
  auto ok = [](const std::string& s) { return is_valid_identifier(s) && s.find('$') == std::string::npos; };
  if (!ok(r.module) || !ok(r.function)) return std::optional<FunctionRef>();
  return std::optional<FunctionRef>(std::move(r));
}

std::string module_text(const FunctionRef& f) { return to_hex(f.address.view(), false) + "::" + f.module; }

// The dispatching natives: the last argument names the target, the others are its arguments.
// `special_visited`: framework addresses count as loaded (Aptos's check_is_special_or_visited).
NativeFunction dispatcher(uint64_t cost, std::function<bool(NativeContext&)> special_visited) {
  return [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (a.empty()) return invariant("dispatch without a FunctionInfo");
    auto info = function_info_of(a.back());
    if (!info) return info.error();
    if (!*info) return NativeResult::abort(kInvalidIdentifier);
    const FunctionRef& f = **info;
    if (!(is_special(f.address) && special_visited(ctx)) && !is_visited(ctx, f.address, f.module)) {
      NativeResult r = NativeResult::abort(kNotLoaded);
      r.abort_message = "Module " + module_text(f) + " is not loaded prior to native dispatch";
      return r;
    }
    a.pop_back();
    return NativeResult::call(NativeDispatch{f.address, f.module, f.function, std::vector<Type>(ty.begin(), ty.end()),
                                             std::move(a)},
                              cost);
  };
}

// BCS of aptos-types' NativePosition from a 0x7::native_position_types::Position value
// (PerpV1 is variant 0 with 9 fields; AccumulativeIndex { index: i128 }).
std::optional<Bytes> position_bcs(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->kind != ContainerKind::Variant || c->variant != 0 || c->values.size() != 9) return std::nullopt;
  const auto& f = c->values;
  Bytes out{0};
  auto le = [&](unsigned __int128 x, int n) {
    for (int i = 0; i < n; ++i) out.push_back(uint8_t(x >> (8 * i)));
  };
  auto want = [&](size_t i, ValueKind k) { return f[i].kind == k; };
  if (!want(0, ValueKind::U64) || !want(1, ValueKind::Bool) || !want(2, ValueKind::U128) || !want(3, ValueKind::U64) ||
      !want(4, ValueKind::U8) || !want(5, ValueKind::Bool) || !want(7, ValueKind::I64) || !want(8, ValueKind::U64))
    return std::nullopt;
  Container* index = container_of(f[6]);
  if (!index || index->kind != ContainerKind::Struct || index->values.size() != 1 ||
      index->values[0].kind != ValueKind::I128)
    return std::nullopt;
  le(f[0].u64, 8);
  out.push_back(f[1].b);
  le(f[2].u128, 16);
  le(f[3].u64, 8);
  out.push_back(uint8_t(f[4].u64));
  out.push_back(f[5].b);
  le(index->values[0].u128, 16);
  le(f[7].u64, 8);
  le(f[8].u64, 8);
  return out;
}

// Strict BCS reading (exact, canonical ULEB128, bools 0/1) of aptos-types'
// OnChainConsensusConfig, as far as validator_txn_enabled needs it.
struct BcsReader {
  BytesView in;
  size_t pos = 0;
  bool ok = true;
  bool take(size_t n) {
    if (!ok || in.size() - pos < n) return ok = false;
    pos += n;
    return true;
  }
  uint64_t uleb(uint64_t max) {
    uint64_t v = 0;
    for (int shift = 0; ok; shift += 7) {
      if (shift > 63 || pos >= in.size()) return ok = false, 0;
      uint8_t b = in[pos++];
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if (b == 0 && shift > 0) ok = false;  // non-canonical
        break;
      }
    }
    if (v > max) ok = false;
    return v;
  }
  uint32_t variant() { return uint32_t(uleb(0xFFFFFFFF)); }
  bool boolean() {
    if (!take(1)) return false;
    if (in[pos - 1] > 1) ok = false;
    return in[pos - 1] == 1;
  }
  void leader_reputation() {  // LeaderReputationType: both variants hold ProposerAndVoterConfig
    if (variant() > 1) ok = false;
    take(8 * 3 + 4 + 8 * 2);
    boolean();
    take(4);
  }
  void consensus_config_v1() {
    boolean();
    take(16);
    switch (variant()) {
      case 0: case 1: take(4); break;
      case 2: leader_reputation(); break;
      case 3: {  // HashMap<u64, AccountAddress>: keys in canonical (byte-wise) order
        uint64_t n = uleb(0x7FFFFFFF);
        Bytes prev;
        for (uint64_t i = 0; ok && i < n; ++i) {
          size_t at = pos;
          if (!take(8)) break;
          Bytes key(in.begin() + at, in.begin() + pos);
          if (i && !(prev < key)) ok = false;
          prev = std::move(key);
          take(32);
        }
        break;
      }
      default: ok = false;
    }
    take(8);
  }
  void algorithm() {
    switch (variant()) {
      case 0: consensus_config_v1(); boolean(); break;
      case 1:  // DAG: causal history window, AnchorElectionMode
        take(8);
        switch (variant()) {
          case 0: break;
          case 1: leader_reputation(); break;
          default: ok = false;
        }
        break;
      case 2: consensus_config_v1(); boolean(); boolean(); break;
      default: ok = false;
    }
  }
};

// OnChainConsensusConfig's effective vtxn config: V1/V2 and undecodable bytes (Aptos falls back
// to the default, V4 with ValidatorTxnConfig::V0) have validator transactions off.
}  // namespace
}  // namespace natives

bool consensus_validator_txn_enabled(BytesView config) {
  using natives::BcsReader;
  BcsReader r{config};
  uint32_t version = r.variant();
  if (!r.ok || version > 4) return false;
  if (version <= 1) return false;
  r.algorithm();
  uint32_t vtxn = r.variant();
  if (vtxn == 1) r.take(16);
  else if (vtxn != 0) r.ok = false;
  if (version >= 3) {  // window_size: Option<u64>
    uint32_t some = r.variant();
    if (some == 1) r.take(8);
    else if (some != 0) r.ok = false;
  }
  if (version == 4) r.boolean();  // rand_check_enabled
  return r.ok && r.pos == config.size() && vtxn == 1;
}

namespace natives {
namespace {

NativePositionWrites& positions_of(NativeContext& ctx) {
  if (auto* p = ctx.extensions().get<NativePositionWrites>()) return *p;
  return ctx.extensions().add(std::make_shared<NativePositionWrites>());
}

}  // namespace

void register_dispatch(Registrar& r, const GasParameters& g) {
  auto p = [&](const std::string& n) { return g.native("aptos_framework." + n); };

  // --- function_info::load_function_impl(&FunctionInfo): loads the target's module (Aptos:
  // NativeResult::LoadModule, which also charges the module's dependencies) and records it as
  // visited for the dispatching natives. A missing module is a LINKER_ERROR.
  uint64_t load_base = p("function_info.load_function.base");
  r.add(1, "function_info", "load_function_impl", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1) return invariant("load_function_impl arity");
    auto info = function_info_of(a[0]);
    if (!info) return info.error();
    if (!*info) return NativeResult::abort(kInvalidIdentifier, load_base);
    const FunctionRef& f = **info;
    if (auto e = ctx.load_module(f.address, f.module)) {
      e->message += ". Failed to charge transitive dependency for " + module_text(f) + ". Does this module exist?";
      return NativeResult::fail(e->status, std::nullopt, e->message, load_base);
    }
    if (!is_special(f.address)) visited_of(ctx).modules[{f.address, f.module}] = true;
    return NativeResult::ok({}, load_base);
  });

  // --- function_info::check_dispatch_type_compatibility_impl(lhs, rhs): rhs (the target) must
  // be loaded in this transaction and exist, lhs (the framework's dispatcher) must exist and
  // take at least the dispatch argument (else abort 2); true when rhs is public, in another
  // module, with lhs's type-parameter abilities, results and parameters minus the last.
  uint64_t compat_base = p("function_info.check_dispatch_type_compatibility_impl.base");
  r.add(1, "function_info", "check_dispatch_type_compatibility_impl",
        [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
          if (a.size() != 2) return invariant("check_dispatch_type_compatibility_impl arity");
          auto rhs_info = function_info_of(a[1]);
          if (!rhs_info) return rhs_info.error();
          if (!*rhs_info) return NativeResult::abort(kInvalidIdentifier, compat_base);
          const FunctionRef& rf = **rhs_info;
          if (!is_visited(ctx, rf.address, rf.module)) return NativeResult::abort(kInvalidFunction, compat_base);
          auto rhs = ctx.find_function(rf.address, rf.module, rf.function);
          if (!rhs) return NativeResult::abort(kInvalidFunction, compat_base);
          auto lhs_info = function_info_of(a[0]);
          if (!lhs_info) return lhs_info.error();
          if (!*lhs_info) return NativeResult::abort(kInvalidIdentifier, compat_base);
          const FunctionRef& lf = **lhs_info;
          auto lhs = ctx.find_function(lf.address, lf.module, lf.function);
          if (!lhs) return NativeResult::abort(kInvalidFunction, compat_base);
          const LoadedFunction& l = **lhs;
          const LoadedFunction& t = **rhs;
          if (l.params.empty()) return NativeResult::abort(kInvalidFunction, compat_base);
          bool ok = t.type_params == l.type_params && t.returns == l.returns &&
                    std::equal(l.params.begin(), l.params.end() - 1, t.params.begin(), t.params.end()) &&
                    t.visibility == Visibility::Public &&
                    !(lf.address == rf.address && lf.module == rf.module);
          return NativeResult::ok({Value::boolean(ok)}, compat_base);
        });

  // --- the dispatching natives. Framework targets count as loaded once account abstraction
  // (or its derivable form) is on, as in Aptos; otherwise only modules loaded this session.
  auto aa_enabled = [](NativeContext& ctx) {
    return feature_enabled(ctx, kAccountAbstraction) || feature_enabled(ctx, kDerivableAccountAbstraction);
  };
  uint64_t fa_cost = p("dispatchable_fungible_asset.dispatch.base");
  for (const char* name : {"dispatchable_withdraw", "dispatchable_deposit", "dispatchable_derived_balance",
                           "dispatchable_derived_supply"})
    r.add(1, "dispatchable_fungible_asset", name, dispatcher(fa_cost, aa_enabled));
  r.add(1, "account_abstraction", "dispatchable_authenticate",
        dispatcher(p("dispatchable_authenticate.dispatch.base"), [](NativeContext&) { return true; }));

  // --- storage_slot::borrow_storage_slot_resource[_mut]<T, BR>(&[mut] StorageSlot<T>): &[mut] BR,
  // BR = StorageSlotResource<T> at the slot's address; abort 2 with a message when absent.
  for (bool mut : {false, true}) {
    uint64_t base = p(mut ? "storage_slot.borrow_mut.base" : "storage_slot.borrow.base");
    uint64_t per_byte = p(mut ? "storage_slot.borrow_mut.per_byte_loaded" : "storage_slot.borrow.per_byte_loaded");
    r.add(1, "storage_slot", mut ? "borrow_storage_slot_resource_mut" : "borrow_storage_slot_resource",
          [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
            if (ty.size() != 2 || a.size() != 1) return invariant("borrow_storage_slot_resource arity");
            Container* slot = container_of(a[0]);
            if (!slot || slot->kind != ContainerKind::Struct || slot->values.size() != 1 ||
                slot->values[0].kind != ValueKind::Address)
              return invariant("StorageSlot argument");
            AccountAddress addr = slot->values[0].address;
            auto v = ctx.resources().borrow_global_loading(addr, ty[1], mut);
            if (!v) {
              if (v.error().status != StatusCode::MISSING_DATA) return v.error();
              NativeResult r = NativeResult::abort(kStorageSlotNotFound, base);
              r.abort_message = "StorageSlotResource at address " + to_hex(addr.view(), false) + " not found";
              return r;
            }
            uint64_t cost = base + (v->second ? per_byte * *v->second : 0);
            return NativeResult::ok({std::move(v->first)}, cost);
          });
  }

  // --- consensus_config::validator_txn_enabled_internal(config: vector<u8>): bool (no gas).
  r.add(1, "consensus_config", "validator_txn_enabled_internal", [](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("validator_txn_enabled_internal argument");
    return NativeResult::ok({Value::boolean(consensus_validator_txn_enabled(*b))});
  });

  // --- 0x7::native_position::native_set_position / native_delete_position (no gas of their
  // own): staged in NativePositionWrites; abort 1 with a message while NATIVE_POSITION is off.
  auto disabled = [] {
    NativeResult r = NativeResult::abort(kFeatureDisabled);
    r.abort_message = "NATIVE_POSITION feature flag is not enabled";
    return r;
  };
  r.add(7, "native_position", "native_set_position", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (!feature_enabled(ctx, kNativePosition)) return disabled();
    if (a.size() != 4 || a[0].kind != ValueKind::Address || a[1].kind != ValueKind::Address ||
        a[2].kind != ValueKind::Address)
      return invariant("native_set_position arguments");
    auto bcs = position_bcs(a[3]);
    if (!bcs) return invariant("native_set_position: not a PerpV1 position");
    positions_of(ctx).writes[{a[0].address, a[2].address, a[1].address}] = std::move(*bcs);
    return NativeResult::ok({});
  });
  r.add(7, "native_position", "native_delete_position", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (!feature_enabled(ctx, kNativePosition)) return disabled();
    if (a.size() != 3 || a[0].kind != ValueKind::Address || a[1].kind != ValueKind::Address ||
        a[2].kind != ValueKind::Address)
      return invariant("native_delete_position arguments");
    positions_of(ctx).writes[{a[0].address, a[2].address, a[1].address}] = std::nullopt;
    return NativeResult::ok({});
  });
}

}  // namespace natives
}  // namespace lumio::movevm
