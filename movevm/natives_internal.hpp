// Helpers shared by the natives_*.cpp files (not a public interface).
#pragma once
#include <string>

#include "movevm/natives_aptos.hpp"

namespace lumio::movevm::natives {

inline VMError invariant(std::string what) {
  return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "native: " + std::move(what), {}, {}};
}

// The container a reference or container value designates (shared, not copied).
inline Container* container_of(const Value& v) {
  if ((v.kind == ValueKind::Container || v.kind == ValueKind::ContainerRef) && v.c) return v.c.get();
  return nullptr;
}
// The primitive behind an IndexedRef, or the value itself.
inline const Value* primitive_of(const Value& v) {
  if (v.kind == ValueKind::IndexedRef) return peek_indexed(v);
  return &v;
}
// vector<u8> argument (value or reference): its bytes, null when the shape is wrong.
inline const Bytes* bytes_of(const Value& v) {
  Container* c = container_of(v);
  if (c && c->kind == ContainerKind::VecU8) return &c->bytes;
  if (v.kind == ValueKind::IndexedRef) {
    const Value* t = peek_indexed(v);
    if (t) return bytes_of(*t);
  }
  return nullptr;
}
// 0x1::string::String argument: the bytes of its only field.
inline const Bytes* string_bytes_of(const Value& v) {
  Container* c = container_of(v);
  if (!c || c->values.size() != 1) return nullptr;
  return bytes_of(c->values[0]);
}
inline std::optional<uint64_t> u64_of(const Value& v) {
  const Value* p = primitive_of(v);
  if (!p || (p->kind != ValueKind::U64 && p->kind != ValueKind::U8 && p->kind != ValueKind::U16 &&
             p->kind != ValueKind::U32))
    return std::nullopt;
  return p->u64;
}
inline std::optional<AccountAddress> address_of(const Value& v) {
  const Value* p = primitive_of(v);
  if (p && p->kind == ValueKind::Address) return p->address;
  // signer (value or reference)
  Container* c = container_of(v);
  if (c && c->kind == ContainerKind::Signer && !c->values.empty() && c->values[0].kind == ValueKind::Address)
    return c->values[0].address;
  return std::nullopt;
}

inline Value make_string(std::string_view s) {
  return make_struct({make_vec_u8(Bytes(s.begin(), s.end()))});
}
inline Value make_option(std::optional<Value> v) {  // 0x1::option::Option<T> { vec: vector<T> }
  std::vector<Value> elems;
  if (v) elems.push_back(std::move(*v));
  bool u8 = v && v->kind == ValueKind::U8;
  if (u8) return make_struct({make_vec_u8(Bytes{uint8_t(elems[0].u64)})});
  return make_struct({make_vector(std::move(elems))});
}
// An empty vector of element type `t` (vector<u8> is stored packed).
inline Value empty_vector_of(const Type& t) {
  return t.kind == TypeKind::U8 ? make_vec_u8({}) : make_vector({});
}

// Well-formed UTF-8 (Rust's str::from_utf8: no overlongs, surrogates or code points > 0x10FFFF).
bool valid_utf8(const Bytes& s);

inline uint64_t per_byte(uint64_t base, uint64_t unit, uint64_t n) { return base + unit * n; }

// Hashes.
Hash32 sha3_256(BytesView data);
Bytes sha3_512(BytesView data);
Bytes sha2_512(BytesView data);
Hash32 blake2b_256(BytesView data);
uint64_t sip_hash(BytesView data);  // SipHash-2-4 with the zero key, as Rust's SipHasher

// Registration helper: the first error sticks.
struct Registrar {
  NativeRegistry& registry;
  std::optional<VMError> error;
  void add(uint64_t address, const char* module, const char* name, NativeFunction fn) {
    if (error) return;
    error = registry.add(address_from_u64(address), module, name, std::move(fn));
  }
};

void register_std(Registrar& r, const GasParameters& gas, const NativeOptions& options);
void register_framework(Registrar& r, const GasParameters& gas, const NativeOptions& options);
void register_tables(Registrar& r, const GasParameters& gas);
void register_reflect(Registrar& r, const GasParameters& gas);  // natives_reflect.cpp
void register_aggregators(Registrar& r, const GasParameters& gas);
void register_crypto(Registrar& r, const GasParameters& gas);
void register_dispatch(Registrar& r, const GasParameters& gas);  // natives_dispatch.cpp
void register_bls12381(Registrar& r, const GasParameters& gas);
void register_string_utils(Registrar& r, const GasParameters& gas, const NativeOptions& options);

}  // namespace lumio::movevm::natives
