// Table natives (0x1::table, move-table-extension) and aggregator v1 (0x1::aggregator,
// 0x1::aggregator_factory), both backed by table items. Boxes are cached per session so that
// references handed out by borrow_box stay valid; TableStore::changes() lists the writes.
#include "movevm/natives_internal.hpp"

namespace lumio::movevm {

std::optional<std::map<std::pair<AccountAddress, Bytes>, std::optional<Bytes>>> TableStore::changes() const {
  std::map<std::pair<AccountAddress, Bytes>, std::optional<Bytes>> out;
  for (const auto& [key, e] : entries) {
    if (!e.dirty) continue;
    std::optional<Bytes> now;
    if (e.box.kind == ValueKind::Container) {
      if (e.box.c->values.size() != 1) return std::nullopt;
      now = serialize_value(e.box.c->values[0], e.layout);
      if (!now) return std::nullopt;
    }
    if (now != e.original) out.emplace(key, std::move(now));
  }
  return out;
}

namespace natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kAlreadyExists = (100 << 8) + 7;  // move-table-extension E_ALREADY_EXISTS
constexpr uint64_t kNotFound = (101 << 8) + 7;       // E_NOT_FOUND
constexpr uint64_t kAggregatorOverflow = 0x02'0001;
constexpr uint64_t kAggregatorUnderflow = 0x02'0002;

// Load charges of table natives (move-table-extension charge_load_cost): the legacy base on
// every access; on the first access of an entry, the new base plus its bytes (rounded up to
// 4 KiB pages from gas version 12) or the failure cost when absent.
struct TableCosts {
  uint64_t legacy = 0, base_new = 0, per_byte = 0, failure = 0;
  bool pages = false;
};

// The handle of a `&Table<K, V>` / `Table<K, V>` argument (struct { handle: address }).
std::optional<AccountAddress> table_handle(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->values.empty()) return std::nullopt;
  return address_of(c->values[0]);
}

// Finds or loads the entry for (handle, key); `loaded` receives the IO cost of a first load.
Expected<TableStore::Entry*> entry_for(NativeContext& ctx, TableStore& store, const AccountAddress& handle, Bytes key,
                                       const Type& value_type, const TableCosts& costs, uint64_t& cost) {
  auto k = std::make_pair(handle, std::move(key));
  cost += costs.legacy;
  auto it = store.entries.find(k);
  if (it != store.entries.end()) return &it->second;
  auto layout = ctx.layout_of(value_type);
  if (!layout) return layout.error();
  TableStore::Entry e;
  e.layout = std::move(*layout);
  cost += costs.base_new;
  if (store.resolver) e.original = store.resolver->get_table_item(handle, k.second);
  if (!e.original) cost += costs.failure;
  if (e.original) {
    uint64_t bytes = e.original->size();
    if (costs.pages) bytes = (bytes + 4095) / 4096 * 4096;
    cost += costs.per_byte * bytes;
    auto v = deserialize_value(*e.original, e.layout);
    if (!v) return invariant("table item does not deserialize with its layout");
    e.box = make_struct({std::move(*v)});
  }
  return &store.entries.emplace(std::move(k), std::move(e)).first->second;
}

Expected<Bytes> key_bytes(NativeContext& ctx, const Type& key_type, const Value& key) {
  auto layout = ctx.layout_of(key_type);
  if (!layout) return layout.error();
  const Value* v = primitive_of(key);
  std::optional<Bytes> b;
  if (key.kind == ValueKind::ContainerRef)
    b = serialize_value(Value::container(key.c), *layout);
  else if (v)
    b = serialize_value(*v, *layout);
  if (!b) return invariant("table key does not serialize");
  return std::move(*b);
}

TableStore* store_of(NativeContext& ctx) { return ctx.extensions().get<TableStore>(); }


}  // namespace

void register_tables(Registrar& r, const GasParameters& g) {
  auto t = [&](const char* n) { return g.native(std::string("table.") + n); };
  TableCosts costs{t("common.load.base"), t("common.load.base_new"), t("common.load.per_byte"),
                   t("common.load.failure"), g.schedule.feature_version >= 12};
  uint64_t new_base = t("new_table_handle.base");
  uint64_t add_base = t("add_box.base"), add_pb = t("add_box.per_byte_serialized");
  uint64_t borrow_base = t("borrow_box.base"), borrow_pb = t("borrow_box.per_byte_serialized");
  uint64_t contains_base = t("contains_box.base"), contains_pb = t("contains_box.per_byte_serialized");
  uint64_t remove_base = t("remove_box.base"), remove_pb = t("remove_box.per_byte_serialized");
  uint64_t destroy_base = t("destroy_empty_box.base"), drop_base = t("drop_unchecked_box.base");

  r.add(1, "table", "new_table_handle", [=](NativeContext& ctx, Ty, Args&) -> Expected<NativeResult> {
    TableStore* s = store_of(ctx);
    TransactionContext* txn = ctx.extensions().get<TransactionContext>();
    if (!s || !txn) return invariant("no table context in this session");
    // sha3-256(session hash || number of tables created so far as u32 big-endian)
    Bytes pre(txn->txn_hash.bytes.begin(), txn->txn_hash.bytes.end());
    uint32_t n = uint32_t(s->new_tables.size());
    for (int i = 3; i >= 0; --i) pre.push_back(uint8_t(n >> (8 * i)));
    AccountAddress handle;
    handle.bytes = sha3_256(pre).bytes;
    s->new_tables.push_back(handle);
    return NativeResult::ok({Value::addr(handle)}, new_base);
  });

  // op: 0 add, 1 borrow, 2 borrow_mut, 3 contains, 4 remove
  struct Op { const char* name; int op; uint64_t base, per_byte; };
  for (const Op& o : {Op{"add_box", 0, add_base, add_pb}, Op{"borrow_box", 1, borrow_base, borrow_pb},
                      Op{"borrow_box_mut", 2, borrow_base, borrow_pb}, Op{"contains_box", 3, contains_base, contains_pb},
                      Op{"remove_box", 4, remove_base, remove_pb}}) {
    r.add(1, "table", o.name, [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
      size_t arity = o.op == 0 ? 3 : 2;
      if (ty.size() != 3 || a.size() != arity) return invariant(std::string(o.name) + " arity");
      TableStore* s = store_of(ctx);
      auto handle = table_handle(a[0]);
      if (!s || !handle) return invariant(std::string(o.name) + " arguments");
      auto key = key_bytes(ctx, ty[0], a[1]);
      if (!key) return key.error();
      uint64_t cost = o.base + o.per_byte * key->size();
      auto e = entry_for(ctx, *s, *handle, std::move(*key), ty[1], costs, cost);
      if (!e) return e.error();
      TableStore::Entry& entry = **e;
      bool present = entry.box.kind == ValueKind::Container;
      switch (o.op) {
        case 0:
          if (present) return NativeResult::abort(kAlreadyExists, cost);
          entry.box = std::move(a[2]);
          entry.dirty = true;
          return NativeResult::ok({}, cost);
        case 1:
        case 2:
          if (!present) return NativeResult::abort(kNotFound, cost);
          if (o.op == 2) entry.dirty = true;
          return NativeResult::ok({Value::container_ref(entry.box.c)}, cost);
        case 3: return NativeResult::ok({Value::boolean(present)}, cost);
        default: {
          if (!present) return NativeResult::abort(kNotFound, cost);
          Value out = std::move(entry.box);
          entry.box = Value();
          entry.dirty = true;
          return NativeResult::ok({std::move(out)}, cost);
        }
      }
    });
  }
  r.add(1, "table", "destroy_empty_box", [=](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::ok({}, destroy_base);
  });
  r.add(1, "table", "drop_unchecked_box", [=](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::ok({}, drop_base);
  });

  // --- aggregator v1: Aggregator { handle: address, key: address, limit: u128 }, its value is
  // the table item (handle, bcs(key)) holding a u128.
  auto f = [&](const char* n) { return g.native(std::string("aptos_framework.") + n); };
  uint64_t agg_add = f("aggregator.add.base"), agg_sub = f("aggregator.sub.base"), agg_read = f("aggregator.read.base");
  uint64_t agg_destroy = f("aggregator.destroy.base"), agg_new = f("aggregator_factory.new_aggregator.base");
  Type u128_type;
  u128_type.kind = TypeKind::U128;
  auto agg_entry = [=](NativeContext& ctx, const Value& agg, uint64_t& cost, unsigned __int128& limit)
      -> Expected<TableStore::Entry*> {
    TableStore* s = store_of(ctx);
    Container* c = container_of(agg);
    if (!s || !c || c->values.size() != 3 || c->values[2].kind != ValueKind::U128) return invariant("aggregator argument");
    auto handle = address_of(c->values[0]);
    auto key = address_of(c->values[1]);
    if (!handle || !key) return invariant("aggregator fields");
    limit = c->values[2].u128;
    TableCosts none;  // aggregator natives charge their base cost only
    return entry_for(ctx, *s, *handle, Bytes(key->bytes.begin(), key->bytes.end()), u128_type, none, cost);
  };
  for (int op = 0; op < 3; ++op) {
    const char* name = op == 0 ? "add" : op == 1 ? "sub" : "read";
    uint64_t base = op == 0 ? agg_add : op == 1 ? agg_sub : agg_read;
    r.add(1, "aggregator", name, [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
      if (a.size() != (op == 2 ? 1u : 2u)) return invariant("aggregator arity");
      uint64_t cost = base;
      unsigned __int128 limit = 0;
      auto e = agg_entry(ctx, a[0], cost, limit);
      if (!e) return e.error();
      TableStore::Entry& entry = **e;
      if (entry.box.kind != ValueKind::Container) return invariant("aggregator has no value");
      Value& slot = entry.box.c->values[0];
      if (op == 2) return NativeResult::ok({Value::u128v(slot.u128)}, cost);
      const Value* v = primitive_of(a[1]);
      if (!v || v->kind != ValueKind::U128) return invariant("aggregator operand");
      if (op == 0) {
        if (v->u128 > limit - slot.u128) return NativeResult::abort(kAggregatorOverflow, cost);
        slot = Value::u128v(slot.u128 + v->u128);
      } else {
        if (v->u128 > slot.u128) return NativeResult::abort(kAggregatorUnderflow, cost);
        slot = Value::u128v(slot.u128 - v->u128);
      }
      entry.dirty = true;
      return NativeResult::ok({}, cost);
    });
  }
  r.add(1, "aggregator", "destroy", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    if (a.size() != 1) return invariant("aggregator::destroy arity");
    uint64_t cost = agg_destroy;
    unsigned __int128 limit = 0;
    auto e = agg_entry(ctx, a[0], cost, limit);
    if (!e) return e.error();
    (*e)->box = Value();
    (*e)->dirty = true;
    return NativeResult::ok({}, cost);
  });
  // new_aggregator(&mut AggregatorFactory { phantom_table: Table { handle } }, limit): a fresh
  // key from the transaction's unique-address counter, value 0.
  r.add(1, "aggregator_factory", "new_aggregator", [=](NativeContext& ctx, Ty, Args& a) -> Expected<NativeResult> {
    Container* factory = a.size() == 2 ? container_of(a[0]) : nullptr;
    const Value* limit = a.size() == 2 ? primitive_of(a[1]) : nullptr;
    TableStore* s = store_of(ctx);
    TransactionContext* txn = ctx.extensions().get<TransactionContext>();
    if (!factory || factory->values.empty() || !limit || limit->kind != ValueKind::U128 || !s || !txn)
      return invariant("new_aggregator arguments");
    auto handle = table_handle(factory->values[0]);
    if (!handle) return invariant("aggregator factory table");
    AccountAddress key = derive_unique_address(txn->txn_hash, ++txn->auid_counter);
    TableStore::Entry e;
    e.layout.kind = LayoutKind::U128;
    e.box = make_struct({Value::u128v(0)});
    e.dirty = true;
    s->entries.insert_or_assign(std::make_pair(*handle, Bytes(key.bytes.begin(), key.bytes.end())), std::move(e));
    return NativeResult::ok({make_struct({Value::addr(*handle), Value::addr(key), Value::u128v(limit->u128)})}, agg_new);
  });
}

}  // namespace natives
}  // namespace lumio::movevm
