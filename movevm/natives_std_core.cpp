// Minimal std natives (vector, signer) with Aptos's semantics and error codes; see natives.hpp.
#include "movevm/natives.hpp"

namespace lumio::movevm {

namespace {

constexpr uint64_t kIndexOutOfBounds = 1, kPopEmptyVec = 2, kDestroyNonEmptyVec = 3;

NativeResult vec_error(uint64_t sub) { return NativeResult::fail(StatusCode::VECTOR_OPERATION_ERROR, sub); }
VMError bad(const char* what) { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, what, {}, {}}; }

Container* vec_of(const Value& ref) {
  if (ref.kind != ValueKind::ContainerRef || !ref.c) return nullptr;
  if (ref.c->kind != ContainerKind::Vector && ref.c->kind != ContainerKind::VecU8) return nullptr;
  return ref.c.get();
}

void add(NativeRegistry& r, const char* module, const char* name, NativeFunction fn) {
  AccountAddress one = address_from_u64(1);
  if (!r.find(one, module, name)) r.add(one, module, name, std::move(fn));
}

}  // namespace

void add_std_core_natives_if_absent(NativeRegistry& r) {
  add(r, "vector", "empty", [](NativeContext&, std::span<const Type> ty, std::vector<Value>&) -> Expected<NativeResult> {
    if (ty.size() != 1) return bad("vector::empty type arguments");
    return NativeResult::ok({ty[0].kind == TypeKind::U8 ? make_vec_u8({}) : make_vector({})});
  });
  add(r, "vector", "length", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    Container* c = a.size() == 1 ? vec_of(a[0]) : nullptr;
    if (!c) return bad("vector::length argument");
    return NativeResult::ok({Value::u64v(c->size())});
  });
  auto borrow = [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    Container* c = a.size() == 2 ? vec_of(a[0]) : nullptr;
    if (!c || a[1].kind != ValueKind::U64) return bad("vector::borrow arguments");
    if (a[1].u64 >= c->size()) return vec_error(kIndexOutOfBounds);
    uint32_t i = uint32_t(a[1].u64);
    if (c->kind == ContainerKind::Vector && c->values[i].kind == ValueKind::Container)
      return NativeResult::ok({Value::container_ref(c->values[i].c)});
    return NativeResult::ok({Value::indexed_ref(a[0].c, i)});
  };
  add(r, "vector", "borrow", borrow);
  add(r, "vector", "borrow_mut", borrow);
  add(r, "vector", "push_back", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    Container* c = a.size() == 2 ? vec_of(a[0]) : nullptr;
    if (!c) return bad("vector::push_back arguments");
    if (c->kind == ContainerKind::VecU8) {
      if (a[1].kind != ValueKind::U8) return bad("vector::push_back element");
      c->bytes.push_back(uint8_t(a[1].u64));
    } else {
      c->values.push_back(std::move(a[1]));
    }
    return NativeResult::ok({});
  });
  add(r, "vector", "pop_back", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    Container* c = a.size() == 1 ? vec_of(a[0]) : nullptr;
    if (!c) return bad("vector::pop_back argument");
    if (c->size() == 0) return vec_error(kPopEmptyVec);
    if (c->kind == ContainerKind::VecU8) {
      Value v = Value::u8(c->bytes.back());
      c->bytes.pop_back();
      return NativeResult::ok({v});
    }
    Value v = std::move(c->values.back());
    c->values.pop_back();
    return NativeResult::ok({std::move(v)});
  });
  add(r, "vector", "destroy_empty", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    if (a.size() != 1 || a[0].kind != ValueKind::Container || !a[0].c) return bad("vector::destroy_empty argument");
    if (a[0].c->size() != 0) return vec_error(kDestroyNonEmptyVec);
    return NativeResult::ok({});
  });
  add(r, "vector", "swap", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    Container* c = a.size() == 3 ? vec_of(a[0]) : nullptr;
    if (!c || a[1].kind != ValueKind::U64 || a[2].kind != ValueKind::U64) return bad("vector::swap arguments");
    if (a[1].u64 >= c->size() || a[2].u64 >= c->size()) return vec_error(kIndexOutOfBounds);
    if (c->kind == ContainerKind::VecU8) std::swap(c->bytes[a[1].u64], c->bytes[a[2].u64]);
    else std::swap(c->values[a[1].u64], c->values[a[2].u64]);
    return NativeResult::ok({});
  });
  add(r, "signer", "borrow_address", [](NativeContext&, std::span<const Type>, std::vector<Value>& a) -> Expected<NativeResult> {
    if (a.size() != 1 || a[0].kind != ValueKind::ContainerRef || !a[0].c || a[0].c->kind != ContainerKind::Signer)
      return bad("signer::borrow_address argument");
    return NativeResult::ok({Value::indexed_ref(a[0].c, 0)});
  });
}

}  // namespace lumio::movevm
