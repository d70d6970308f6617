// Aptos framework natives: account / create_signer, aptos_hash, type_info, from_bcs / util,
// event, transaction_context, object, code, randomness, function_info; registration of all
// natives and the session extensions.
#include <cryptopp/blake2.h>
#include <cryptopp/sha.h>
#include <cryptopp/sha3.h>
#include <cryptopp/siphash.h>

#include "common/hash.hpp"
#include "movevm/natives_algebra.hpp"
#include "movevm/natives_internal.hpp"
#include "movevm/ristretto_internal.hpp"

namespace lumio::movevm {
namespace natives {

Hash32 sha3_256(BytesView data) {
  Hash32 h;
  CryptoPP::SHA3_256().CalculateDigest(h.data(), data.data(), data.size());
  return h;
}
Bytes sha3_512(BytesView data) {
  Bytes h(64);
  CryptoPP::SHA3_512().CalculateDigest(h.data(), data.data(), data.size());
  return h;
}
Bytes sha2_512(BytesView data) {
  Bytes h(64);
  CryptoPP::SHA512().CalculateDigest(h.data(), data.data(), data.size());
  return h;
}
Hash32 blake2b_256(BytesView data) {
  Hash32 h;
  CryptoPP::BLAKE2b b(false, 32);
  b.Update(data.data(), data.size());
  b.Final(h.data());
  return h;
}
uint64_t sip_hash(BytesView data) {
  static const uint8_t key[16] = {};
  CryptoPP::SipHash<2, 4, false> s(key, sizeof key);
  s.Update(data.data(), data.size());
  uint8_t out[8];
  s.Final(out);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(out[i]) << (8 * i);
  return v;
}

namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kUnableToDeserialize = 0x01'0001;      // util / from_bcs
constexpr uint64_t kExpectedStructTypeTag = 0x1;         // NFE_EXPECTED_STRUCT_TYPE_TAG (type_of of a non-struct)
constexpr uint64_t kPublishAlreadyRequested = 0x03'0000;  // code::request_publish twice

TransactionContext* txn_of(NativeContext& ctx) { return ctx.extensions().get<TransactionContext>(); }

Value bytes_value(BytesView b) { return make_vec_u8(Bytes(b.begin(), b.end())); }
Value address_vector(const std::vector<AccountAddress>& v) {
  std::vector<Value> e;
  for (const auto& a : v) e.push_back(Value::addr(a));
  return make_vector(std::move(e));
}

// Shared value behind an argument that may be a reference.
std::optional<Value> shared(const Value& v) {
  if (v.kind == ValueKind::ContainerRef) return Value::container(v.c);
  if (v.kind == ValueKind::IndexedRef) {
    auto r = read_ref(v);
    if (!r) return std::nullopt;
    return *r;
  }
  return v;
}

}  // namespace

void register_framework(Registrar& r, const GasParameters& g, const NativeOptions& options) {
  const GasParameters* gp = &g;
  auto p = [&](const std::string& n) { return g.native("aptos_framework." + n); };

  // --- signers
  uint64_t create_signer = p("account.create_signer.base");
  auto signer_fn = [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    auto addr = a.size() == 1 ? address_of(a[0]) : std::nullopt;
    if (!addr) return invariant("create_signer argument");
    return NativeResult::ok({make_signer(*addr)}, create_signer);
  };
  r.add(1, "account", "create_signer", signer_fn);
  r.add(1, "create_signer", "create_signer", signer_fn);
  r.add(1, "genesis", "create_signer", signer_fn);

  // --- permissioned_signer (v7..v9 frameworks): a permissioned signer is a Signer container
  // holding (account, permissions storage address); a master signer holds the account only.
  auto ps = [&](const char* n) { return p(std::string("permissioned_signer.") + n + ".base"); };
  uint64_t is_perm = ps("is_permissioned_signer"), perm_addr = ps("permission_address");
  uint64_t from_handle = ps("signer_from_permissioned_handle");
  auto signer_of = [](const Value& v) -> Container* {
    Container* c = container_of(v);
    return c && c->kind == ContainerKind::Signer && !c->values.empty() ? c : nullptr;
  };
  r.add(1, "permissioned_signer", "is_permissioned_signer_impl", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* s = a.size() == 1 ? signer_of(a[0]) : nullptr;
    if (!s) return invariant("is_permissioned_signer_impl argument");
    return NativeResult::ok({Value::boolean(s->values.size() == 2)}, is_perm);
  });
  r.add(1, "permissioned_signer", "permission_address", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* s = a.size() == 1 ? signer_of(a[0]) : nullptr;
    if (!s) return invariant("permission_address argument");
    if (s->values.size() != 2) return NativeResult::abort(3, perm_addr);
    return NativeResult::ok({s->values[1]}, perm_addr);
  });
  r.add(1, "permissioned_signer", "signer_from_permissioned_handle_impl", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    auto master = a.size() == 2 ? address_of(a[0]) : std::nullopt;
    auto storage = a.size() == 2 ? address_of(a[1]) : std::nullopt;
    if (!master || !storage) return invariant("signer_from_permissioned_handle_impl arguments");
    Value s = make_signer(*master);
    s.c->values.push_back(Value::addr(*storage));
    return NativeResult::ok({std::move(s)}, from_handle);
  });
  uint64_t borrow_cost = g.native("move_stdlib.signer.borrow_address.base");
  r.add(1, "permissioned_signer", "borrow_address", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1 || !signer_of(a[0])) return invariant("permissioned_signer::borrow_address argument");
    return NativeResult::ok({Value::indexed_ref(a[0].c, 0)}, borrow_cost);
  });

  // --- aptos_hash
  struct HashDef { const char* name; const char* param; int kind; };
  static const HashDef hashes[] = {
      {"sip_hash", "hash.sip_hash", 0},          {"keccak256", "hash.keccak256", 1},
      {"sha2_512_internal", "hash.sha2_512", 2}, {"sha3_512_internal", "hash.sha3_512", 3},
      {"ripemd160_internal", "hash.ripemd160", 4}, {"blake2b_256_internal", "hash.blake2b_256", 5},
  };
  for (const auto& h : hashes) {
    uint64_t base = p(std::string(h.param) + ".base"), per = p(std::string(h.param) + ".per_byte");
    int kind = h.kind;
    r.add(1, "aptos_hash", h.name, [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
      const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
      if (!b) return invariant("aptos_hash argument");
      uint64_t cost = per_byte(base, per, b->size());
      switch (kind) {
        case 0: return NativeResult::ok({Value::u64v(sip_hash(*b))}, cost);
        case 1: return NativeResult::ok({bytes_value(keccak256(*b).view())}, cost);
        case 2: return NativeResult::ok({bytes_value(sha2_512(*b))}, cost);
        case 3: return NativeResult::ok({bytes_value(sha3_512(*b))}, cost);
        case 4: return NativeResult::ok({bytes_value(ripemd160(*b).view())}, cost);
        default: return NativeResult::ok({bytes_value(blake2b_256(*b).view())}, cost);
      }
    });
  }

  // --- type_info
  uint64_t to_base = p("type_info.type_of.base"), to_per = p("type_info.type_of.per_abstract_memory_unit");
  uint64_t tn_base = p("type_info.type_name.base"), tn_per = p("type_info.type_name.per_abstract_memory_unit");
  uint64_t chain_base = p("type_info.chain_id.base");
  r.add(1, "type_info", "type_of", [=](NativeContext& ctx, Ty ty, Args&) -> Expected<NativeResult> {
    if (ty.size() != 1) return invariant("type_of arity");
    auto tag = ctx.type_tag_of(ty[0]);
    if (!tag) return tag.error();
    if (tag->kind != TagKind::Struct) return NativeResult::abort(kExpectedStructTypeTag, to_base);
    const StructTag& s = *tag->struct_tag;
    // TypeInfo { account_address, module_name, struct_name }; the name carries its type arguments.
    std::string name = s.name;
    if (!s.type_args.empty()) {
      name += '<';
      for (size_t i = 0; i < s.type_args.size(); ++i) name += (i ? ", " : "") + s.type_args[i].to_string();
      name += '>';
    }
    uint64_t cost = to_base + to_per * (32 + s.module.size() + name.size());
    return NativeResult::ok({make_struct({Value::addr(s.address), bytes_value(BytesView((const uint8_t*)s.module.data(), s.module.size())),
                                          bytes_value(BytesView((const uint8_t*)name.data(), name.size()))})},
                            cost);
  });
  r.add(1, "type_info", "type_name", [=](NativeContext& ctx, Ty ty, Args&) -> Expected<NativeResult> {
    if (ty.size() != 1) return invariant("type_name arity");
    auto tag = ctx.type_tag_of(ty[0]);
    if (!tag) return tag.error();
    std::string name = tag->to_string();  // "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>"
    return NativeResult::ok({make_string(name)}, tn_base + tn_per * name.size());
  });
  uint8_t chain_id = options.chain_id;
  r.add(1, "type_info", "chain_id_internal", [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
    TransactionContext* t = txn_of(ctx);
    return NativeResult::ok({Value::u8(t ? t->chain_id : chain_id)}, chain_base);
  });

  // --- from_bcs::from_bytes / util::from_bytes
  uint64_t fb_base = p("util.from_bytes.base"), fb_per = p("util.from_bytes.per_byte");
  auto from_bytes = [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = ty.size() == 1 && a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("from_bytes arguments");
    uint64_t cost = per_byte(fb_base, fb_per, b->size());
    auto layout = ctx.layout_of(ty[0]);
    if (!layout) return layout.error();
    auto v = deserialize_value(*b, *layout);
    if (!v) return NativeResult::abort(kUnableToDeserialize, cost);
    return NativeResult::ok({std::move(*v)}, cost);
  };
  r.add(1, "from_bcs", "from_bytes", from_bytes);
  r.add(1, "util", "from_bytes", from_bytes);

  // --- event
  uint64_t ev_base = p("event.write_to_event_store.base");
  uint64_t ev_unit = p("event.write_to_event_store.per_abstract_memory_unit");
  auto emit = [=](NativeContext& ctx, const Type& t, const Value& msg, bool v2, Bytes key, uint64_t seq)
      -> Expected<NativeResult> {
    uint64_t cost = ev_base + ev_unit * gp->abs.size(msg);
    auto store = ctx.extensions().get<EventStore>();
    if (!store) return invariant("no event store in this session");
    auto tag = ctx.type_tag_of(t);
    auto layout = ctx.layout_of(t);
    if (!tag) return tag.error();
    if (!layout) return layout.error();
    if (v2 && tag->kind != TagKind::Struct) return invariant("module event of a non-struct type");
    auto data = serialize_value(msg, *layout);
    if (!data) return invariant("event value does not serialize");
    EmittedEvent e{v2, std::move(key), seq, *tag, tag->to_string(), std::move(*data)};
    store->events.push_back(std::move(e));
    return NativeResult::ok({}, cost);
  };
  r.add(1, "event", "write_to_event_store", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    const Bytes* guid = ty.size() == 1 && a.size() == 3 ? bytes_of(a[0]) : nullptr;
    auto seq = a.size() == 3 ? u64_of(a[1]) : std::nullopt;
    if (!guid || !seq) return invariant("write_to_event_store arguments");
    return emit(ctx, ty[0], a[2], false, *guid, *seq);
  });
  r.add(1, "event", "write_module_event_to_store", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("write_module_event_to_store arity");
    return emit(ctx, ty[0], a[0], true, {}, 0);
  });

  // --- transaction_context
  auto tc = [&](const char* n) { return p(std::string("transaction_context.") + n); };
  struct TxnNative { const char* name; uint64_t cost; std::function<Value(TransactionContext&)> get; };
  std::vector<TxnNative> txn_natives = {
      {"get_txn_hash", tc("get_txn_hash.base"), [](TransactionContext& t) { return bytes_value(t.txn_hash.view()); }},
      {"get_script_hash", tc("get_script_hash.base"), [](TransactionContext& t) { return bytes_value(t.script_hash); }},
      {"sender_internal", tc("sender.base"), [](TransactionContext& t) { return Value::addr(t.sender); }},
      {"gas_payer_internal", tc("fee_payer.base"),
       [](TransactionContext& t) { return Value::addr(t.gas_payer.value_or(t.sender)); }},
      {"max_gas_amount_internal", tc("max_gas_amount.base"), [](TransactionContext& t) { return Value::u64v(t.max_gas_amount); }},
      {"gas_unit_price_internal", tc("gas_unit_price.base"), [](TransactionContext& t) { return Value::u64v(t.gas_unit_price); }},
      {"chain_id_internal", tc("chain_id.base"), [](TransactionContext& t) { return Value::u8(t.chain_id); }},
      {"is_encrypted_txn_internal", tc("is_encrypted_txn.base"), [](TransactionContext&) { return Value::boolean(false); }},
      {"multisig_payload_internal", tc("multisig_payload.base"), [](TransactionContext&) { return make_option(std::nullopt); }},
      {"generate_unique_address", tc("generate_unique_address.base"),
       [](TransactionContext& t) { return Value::addr(derive_unique_address(t.txn_hash, ++t.auid_counter)); }},
      {"entry_function_payload_internal", tc("entry_function_payload.base"), [](TransactionContext& t) {
         if (!t.entry_function) return make_option(std::nullopt);
         const auto& f = *t.entry_function;
         std::vector<Value> tys, args;
         for (const auto& s : f.type_args) tys.push_back(make_string(s));
         for (const auto& b : f.args) args.push_back(make_vec_u8(b));
         return make_option(make_struct({Value::addr(f.address), make_string(f.module), make_string(f.function),
                                         make_vector(std::move(tys)), make_vector(std::move(args))}));
       }},
  };
  uint64_t per_signer = tc("secondary_signers.per_signer");
  for (auto& n : txn_natives) {
    r.add(1, "transaction_context", n.name, [cost = n.cost, get = n.get](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
      TransactionContext* t = txn_of(ctx);
      if (!t) return invariant("no transaction context in this session");
      return NativeResult::ok({get(*t)}, cost);
    });
  }
  uint64_t ss_base = tc("secondary_signers.base");
  r.add(1, "transaction_context", "secondary_signers_internal", [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
    TransactionContext* t = txn_of(ctx);
    if (!t) return invariant("no transaction context in this session");
    return NativeResult::ok({address_vector(t->secondary_signers)}, ss_base + per_signer * t->secondary_signers.size());
  });
  // monotonically_increasing_counter_internal(timestamp_us): u128 = reserved byte (8 bits) ||
  //   timestamp_us (64) || transaction index (32) || session counter (8) || local counter (16).
  // The local counter counts this session's calls from 1 and aborts at u16::MAX (as Aptos).
  uint64_t mic = tc("monotonically_increasing_counter.base");
  r.add(1, "transaction_context", "monotonically_increasing_counter_internal", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    TransactionContext* t = txn_of(ctx);
    auto ts = a.size() == 1 ? u64_of(a[0]) : std::nullopt;
    if (!t || !ts) return invariant("monotonically_increasing_counter arguments");
    constexpr uint64_t kCounterOverflow = 0x03'0002;  // invalid_state(EMONOTONICALLY_INCREASING_COUNTER_OVERFLOW)
    if (t->monotonic_counter >= 0xFFFF) return NativeResult::abort(kCounterOverflow, mic);
    using u128 = unsigned __int128;
    u128 v = (u128(t->validation_or_simulation ? 1 : 0) << 120) | (u128(*ts) << 56) |
             (u128(t->transaction_index & 0xFFFFFFFF) << 24) | (u128(t->session_counter) << 16) |
             u128(++t->monotonic_counter);
    return NativeResult::ok({Value::u128v(v)}, mic);
  });
  // Registered in production too (Aptos): the session's call count, 1 for the first call.
  r.add(1, "transaction_context", "monotonically_increasing_counter_internal_for_test_only",
        [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
          TransactionContext* t = txn_of(ctx);
          if (!t) return invariant("no transaction context in this session");
          constexpr uint64_t kCounterOverflow = 0x03'0002;  // invalid_state(EMONOTONICALLY_INCREASING_COUNTER_OVERFLOW)
          if (t->monotonic_counter >= 0xFFFF) return NativeResult::abort(kCounterOverflow, mic);
          return NativeResult::ok({Value::u128v(++t->monotonic_counter)}, mic);
        });

  // --- object
  uint64_t ex_base = p("object.exists_at.base"), ex_item = p("object.exists_at.per_item_loaded");
  r.add(1, "object", "exists_at", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    auto addr = ty.size() == 1 && a.size() == 1 ? address_of(a[0]) : std::nullopt;
    if (!addr) return invariant("exists_at arguments");
    auto e = ctx.resources().exists(*addr, ty[0]);
    if (!e) return e.error();
    return NativeResult::ok({Value::boolean(*e)}, ex_base + ex_item);
  });
  uint64_t uda = p("object.user_derived_address.base");
  r.add(1, "object", "create_user_derived_object_address_impl", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    auto src = a.size() == 2 ? address_of(a[0]) : std::nullopt;
    auto from = a.size() == 2 ? address_of(a[1]) : std::nullopt;
    if (!src || !from) return invariant("create_user_derived_object_address_impl arguments");
    return NativeResult::ok({Value::addr(derive_user_object_address(*src, *from))}, uda);
  });

  // --- code::request_publish[_with_allowed_deps](owner, expected_modules, [allowed_deps,] bundle, policy)
  uint64_t rp_base = p("code.request_publish.base"), rp_per = p("code.request_publish.per_byte");
  for (bool deps : {false, true}) {
    r.add(1, "code", deps ? "request_publish_with_allowed_deps" : "request_publish",
          [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
            size_t n = deps ? 5 : 4;
            if (a.size() != n) return invariant("request_publish arity");
            auto owner = address_of(a[0]);
            Container* names = container_of(a[1]);
            Container* bundle = container_of(a[n - 2]);
            auto policy = u64_of(a[n - 1]);
            if (!owner || !names || !bundle || !policy) return invariant("request_publish arguments");
            auto reqs = ctx.extensions().get<CodePublishRequests>();
            if (!reqs) return invariant("no code publishing context in this session");
            uint64_t cost = rp_base;
            CodePublishRequest req{*owner, {}, {}, uint8_t(*policy)};
            for (const Value& m : names->values)
              if (const Bytes* s = string_bytes_of(m)) cost += rp_per * s->size();
            for (const Value& m : bundle->values) {
              const Bytes* code = bytes_of(m);
              if (!code) return invariant("request_publish bundle");
              cost += rp_per * code->size();
              req.bundle.push_back(*code);
            }
            if (reqs->request) return NativeResult::abort(kPublishAlreadyRequested, cost);
            reqs->request = std::move(req);
            return NativeResult::ok({}, cost);
          });
  }

  // --- randomness (the counter of the transaction; no unbiasable entry point is ever marked here)
  uint64_t rnd = p("randomness.fetch_and_inc_counter");
  r.add(1, "randomness", "fetch_and_increment_txn_counter", [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
    TransactionContext* t = txn_of(ctx);
    if (!t) return invariant("no transaction context in this session");
    Bytes b(8);
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(t->randomness_counter >> (8 * i));
    ++t->randomness_counter;
    return NativeResult::ok({make_vec_u8(std::move(b))}, rnd);
  });
  r.add(1, "randomness", "is_unbiasable", [=](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::ok({Value::boolean(false)}, rnd);
  });

  // --- state_storage: Usage { items, bytes } at the beginning of the epoch
  uint64_t usage_base = p("state_storage.get_usage.base");
  r.add(1, "state_storage", "get_state_storage_usage_only_at_epoch_beginning",
        [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
          auto usage = ctx.extensions().get<StateStorageUsage>();
          if (!usage || !usage->at_epoch_beginning) return invariant("no state storage usage in this session");
          auto [items, bytes] = usage->at_epoch_beginning();
          return NativeResult::ok({make_struct({Value::u64v(items), Value::u64v(bytes)})}, usage_base);
        });

  // --- function_info::is_identifier(&vector<u8>)
  uint64_t id_base = p("function_info.is_identifier.base"), id_per = p("function_info.is_identifier.per_byte");
  r.add(1, "function_info", "is_identifier", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* b = a.size() == 1 ? bytes_of(a[0]) : nullptr;
    if (!b) return invariant("is_identifier argument");
    std::string s(b->begin(), b->end());
    return NativeResult::ok({Value::boolean(is_valid_identifier(s) && s.find('$') == std::string::npos)},
                            per_byte(id_base, id_per, b->size()));
  });
}

}  // namespace natives

// ---------------------------------------------------------------------------------------------

std::optional<VMError> register_stdlib_natives(NativeRegistry& registry, const GasParameters& gas, NativeOptions options) {
  natives::Registrar r{registry, std::nullopt};
  natives::register_std(r, gas, options);
  return r.error;
}

std::optional<VMError> register_framework_natives(NativeRegistry& registry, const GasParameters& gas,
                                                  NativeOptions options) {
  natives::Registrar r{registry, std::nullopt};
  natives::register_framework(r, gas, options);
  natives::register_reflect(r, gas);
  natives::register_tables(r, gas);
  natives::register_aggregators(r, gas);
  natives::register_crypto(r, gas);
  natives::register_algebra(r, gas);
  natives::register_dispatch(r, gas);
  natives::register_bls12381(r, gas);
  natives::register_ristretto(r, gas);
  natives::register_bulletproofs(r, gas);
  natives::register_string_utils(r, gas, options);
  return r.error;
}

std::optional<VMError> register_all_natives(NativeRegistry& registry, const GasParameters& gas, NativeOptions options) {
  if (auto e = register_stdlib_natives(registry, gas, options)) return e;
  return register_framework_natives(registry, gas, options);
}

void add_session_extensions(NativeExtensions& ext, TransactionContext txn, const TableResolver* tables) {
  ext.add(std::make_shared<TransactionContext>(std::move(txn)));
  ext.add(std::make_shared<EventStore>());
  ext.add(std::make_shared<TableStore>(tables));
  ext.add(std::make_shared<CodePublishRequests>());
}

static AccountAddress derive(BytesView a, BytesView b, uint8_t scheme) {
  Bytes pre(a.begin(), a.end());
  pre.insert(pre.end(), b.begin(), b.end());
  pre.push_back(scheme);
  Hash32 h = natives::sha3_256(pre);
  AccountAddress out;
  out.bytes = h.bytes;
  return out;
}

AccountAddress derive_object_address(const AccountAddress& source, BytesView seed) {
  return derive(source.view(), seed, 0xFE);
}
AccountAddress derive_user_object_address(const AccountAddress& source, const AccountAddress& from) {
  return derive(source.view(), from.view(), 0xFC);
}
AccountAddress derive_guid_object_address(const AccountAddress& source, uint64_t creation_num) {
  Bytes id(8);  // bcs(GUID ID { creation_num, addr })
  for (int i = 0; i < 8; ++i) id[i] = uint8_t(creation_num >> (8 * i));
  id.insert(id.end(), source.bytes.begin(), source.bytes.end());
  return derive(id, {}, 0xFD);
}
AccountAddress derive_unique_address(const Hash32& txn_hash, uint64_t counter) {
  Bytes c(8);
  for (int i = 0; i < 8; ++i) c[i] = uint8_t(counter >> (8 * i));
  return derive(txn_hash.view(), c, 0xFB);
}

}  // namespace lumio::movevm
