// aggregator_v2 natives without delayed fields (sequential execution): an Aggregator<T> is the
// concrete struct { value, max_value }, snapshots hold their value (Aptos's behaviour when the
// delayed-field optimization is off). Abort codes of aggregator_natives/aggregator_v2.rs.
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

constexpr uint64_t kUnsupportedSnapshotType = 0x03'0005;
constexpr uint64_t kUnsupportedAggregatorType = 0x03'0007;
constexpr uint64_t kInputStringTooLarge = 0x03'0008;
constexpr uint64_t kNotYetSupported = 0x03'0009;
constexpr size_t kDerivedStringInputMax = 1024;

bool int_type(const Type& t) { return t.kind == TypeKind::U64 || t.kind == TypeKind::U128; }

std::optional<unsigned __int128> int_of(const Value& v) {
  const Value* p = primitive_of(v);
  if (!p) return std::nullopt;
  if (p->kind == ValueKind::U64) return p->u64;
  if (p->kind == ValueKind::U128) return p->u128;
  return std::nullopt;
}
Value int_value(const Type& t, unsigned __int128 v) {
  return t.kind == TypeKind::U64 ? Value::u64v(uint64_t(v)) : Value::u128v(v);
}
std::string decimal(unsigned __int128 v) {
  std::string s;
  do {
    s.insert(s.begin(), char('0' + int(v % 10)));
    v /= 10;
  } while (v);
  return s;
}

}  // namespace

void register_aggregators(Registrar& r, const GasParameters& g) {
  auto p = [&](const char* n) { return g.native(std::string("aptos_framework.aggregator_v2.") + n); };
  uint64_t create = p("create_aggregator.base"), add = p("try_add.base"), sub = p("try_sub.base");
  uint64_t at_least = p("is_at_least.base"), read = p("read.base"), snap = p("snapshot.base");
  uint64_t create_snap = p("create_snapshot.base"), create_snap_pb = p("create_snapshot.per_byte");
  uint64_t read_snap = p("read_snapshot.base"), concat = p("string_concat.base"), concat_pb = p("string_concat.per_byte");

  auto make = [](const Type& t, unsigned __int128 max) { return make_struct({int_value(t, 0), int_value(t, max)}); };
  r.add(1, "aggregator_v2", "create_aggregator", [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("create_aggregator arity");
    if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedAggregatorType, create);
    auto max = int_of(a[0]);
    if (!max) return invariant("create_aggregator argument");
    return NativeResult::ok({make(ty[0], *max)}, create);
  });
  r.add(1, "aggregator_v2", "create_unbounded_aggregator", [=](NativeContext&, Ty ty, Args&) -> Expected<NativeResult> {
    if (ty.size() != 1) return invariant("create_unbounded_aggregator arity");
    if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedAggregatorType, create);
    unsigned __int128 max = ty[0].kind == TypeKind::U64 ? UINT64_MAX : ~(unsigned __int128)0;
    return NativeResult::ok({make(ty[0], max)}, create);
  });
  // try_add / try_sub / is_at_least: (&Aggregator, rhs) -> bool; the value changes only on success.
  for (int op = 0; op < 3; ++op) {
    const char* name = op == 0 ? "try_add" : op == 1 ? "try_sub" : "is_at_least_impl";
    uint64_t cost = op == 0 ? add : op == 1 ? sub : at_least;
    r.add(1, "aggregator_v2", name, [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
      if (ty.size() != 1 || a.size() != 2) return invariant("aggregator arity");
      if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedAggregatorType, cost);
      Container* agg = container_of(a[0]);
      auto rhs = int_of(a[1]);
      if (!agg || agg->values.size() != 2 || !rhs) return invariant("aggregator arguments");
      auto lhs = int_of(agg->values[0]), max = int_of(agg->values[1]);
      if (!lhs || !max) return invariant("aggregator fields");
      bool ok;
      if (op == 0) {
        ok = *rhs <= *max - *lhs;  // lhs <= max holds
        if (ok) agg->values[0] = int_value(ty[0], *lhs + *rhs);
      } else {
        ok = *rhs <= *lhs;
        if (ok && op == 1) agg->values[0] = int_value(ty[0], *lhs - *rhs);
      }
      return NativeResult::ok({Value::boolean(ok)}, cost);
    });
  }
  r.add(1, "aggregator_v2", "read", [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("read arity");
    if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedAggregatorType, read);
    Container* agg = container_of(a[0]);
    if (!agg || agg->values.size() != 2) return invariant("read argument");
    auto v = int_of(agg->values[0]), max = int_of(agg->values[1]);
    if (!v || !max || *v > *max) return invariant("aggregator value above its maximum");
    return NativeResult::ok({int_value(ty[0], *v)}, read);
  });
  r.add(1, "aggregator_v2", "snapshot", [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("snapshot arity");
    if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedAggregatorType, snap);
    Container* agg = container_of(a[0]);
    auto v = agg && agg->values.size() == 2 ? int_of(agg->values[0]) : std::nullopt;
    if (!v) return invariant("snapshot argument");
    return NativeResult::ok({make_struct({int_value(ty[0], *v)})}, snap);
  });
  r.add(1, "aggregator_v2", "create_snapshot", [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("create_snapshot arity");
    if (int_type(ty[0])) {
      auto v = int_of(a[0]);
      if (!v) return invariant("create_snapshot argument");
      return NativeResult::ok({make_struct({int_value(ty[0], *v)})}, create_snap);
    }
    // AggregatorSnapshot<String> (older frameworks).
    const Bytes* s = string_bytes_of(a[0]);
    if (!s) return NativeResult::abort(kUnsupportedSnapshotType, create_snap);
    if (s->size() > kDerivedStringInputMax) return NativeResult::abort(kInputStringTooLarge, create_snap);
    return NativeResult::ok({make_struct({std::move(a[0])})}, create_snap + create_snap_pb * s->size());
  });
  r.add(1, "aggregator_v2", "copy_snapshot", [=](NativeContext&, Ty, Args&) -> Expected<NativeResult> {
    return NativeResult::abort(kNotYetSupported);
  });
  r.add(1, "aggregator_v2", "read_snapshot", [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 1) return invariant("read_snapshot arity");
    Container* s = container_of(a[0]);
    if (!s || s->values.size() != 1) return invariant("read_snapshot argument");
    if (!int_type(ty[0]) && !string_bytes_of(s->values[0])) return NativeResult::abort(kUnsupportedSnapshotType, read_snap);
    return NativeResult::ok({copy_value(s->values[0])}, read_snap);
  });
  // DerivedStringSnapshot { value: String, padding: vector<u8> }
  r.add(1, "aggregator_v2", "create_derived_string", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    const Bytes* s = a.size() == 1 ? string_bytes_of(a[0]) : nullptr;
    if (!s) return invariant("create_derived_string argument");
    if (s->size() > kDerivedStringInputMax) return NativeResult::abort(kInputStringTooLarge, create_snap);
    uint64_t cost = create_snap + create_snap_pb * s->size();
    return NativeResult::ok({make_struct({std::move(a[0]), make_vec_u8({})})}, cost);
  });
  r.add(1, "aggregator_v2", "read_derived_string", [=](NativeContext&, Ty, Args& a) -> Expected<NativeResult> {
    Container* s = a.size() == 1 ? container_of(a[0]) : nullptr;
    if (!s || s->values.size() != 2) return invariant("read_derived_string argument");
    return NativeResult::ok({copy_value(s->values[0])}, read_snap);
  });
  // string_concat / derive_string_concat(before: String, snapshot: &AggregatorSnapshot<T>, after: String)
  for (bool derived : {false, true}) {
    r.add(1, "aggregator_v2", derived ? "derive_string_concat" : "string_concat",
          [=](NativeContext&, Ty ty, Args& a) -> Expected<NativeResult> {
            if (ty.size() != 1 || a.size() != 3) return invariant("string_concat arity");
            if (!int_type(ty[0])) return NativeResult::abort(kUnsupportedSnapshotType, concat);
            const Bytes* before = string_bytes_of(a[0]);
            const Bytes* after = string_bytes_of(a[2]);
            Container* snap = container_of(a[1]);
            auto v = snap && snap->values.size() == 1 ? int_of(snap->values[0]) : std::nullopt;
            if (!before || !after || !v) return invariant("string_concat arguments");
            if (before->size() + after->size() > kDerivedStringInputMax)
              return NativeResult::abort(kInputStringTooLarge, concat);
            std::string out(before->begin(), before->end());
            out += decimal(*v);
            out.append(after->begin(), after->end());
            uint64_t cost = concat + concat_pb * (before->size() + after->size());
            Value s = make_string(out);
            return NativeResult::ok({derived ? make_struct({std::move(s), make_vec_u8({})}) : make_struct({std::move(s)})}, cost);
          });
  }
}

}  // namespace lumio::movevm::natives
