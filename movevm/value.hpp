// Runtime types, type tags, layouts and values of the Move VM (Aptos semantics).
//
// Values follow Move's ValueImpl design: primitives live inline in a `Value`; structs, vectors,
// signers and closures live in heap `Container`s shared by pointer, so a reference is just
// (container, slot) and costs no copy:
//   - ContainerRef: points at a whole container (a struct/vector/signer held by a local, a
//     field, a vector element or global storage);
//   - IndexedRef: points at primitive slot `index` of a container (a local of the Locals
//     container, a struct field, an element of a vector).
// Copying a value (CopyLoc, ReadRef) deep-copies containers; moving shares the pointer.
// Bytecode cannot forge a reference, and the verifier (plus the interpreter's runtime checks)
// keeps references from outliving what they point at; shared ownership makes that memory-safe
// even for unverified code.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "movevm/binary_format.hpp"

namespace lumio::movevm {

using AccountAddress = FixedBytes<32>;

// "0x1", "0x42": Aptos's short form (leading zeros dropped; "0x0" for zero).
std::string short_hex(const AccountAddress& a);

// ---------------------------------------------------------------------------------------------
// 256-bit integers: four little-endian 64-bit limbs (two's complement for i256).

struct U256 {
  std::array<uint64_t, 4> w{};
  bool operator==(const U256&) const = default;
  static U256 from_u64(uint64_t v) { return U256{{v, 0, 0, 0}}; }
  static U256 from_le_bytes(const uint8_t* p);  // 32 bytes
  void to_le_bytes(uint8_t* p) const;
  std::string to_string() const;  // unsigned decimal
  std::string to_signed_string() const;
};

// ---------------------------------------------------------------------------------------------
// Type tags: the storage/wire names of types (move-core-types TypeTag/StructTag).

struct TypeTag;
struct StructTag {
  AccountAddress address;
  std::string module;
  std::string name;
  std::vector<TypeTag> type_args;
  bool operator==(const StructTag&) const;
  bool operator<(const StructTag&) const;  // canonical order: by BCS bytes
  // "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>"
  std::string to_string() const;
  // "0x0000…0001::coin::CoinStore<…>": full-length addresses (canonical type names).
  std::string to_canonical_string() const;
  void serialize(Bytes& out) const;  // BCS
};

enum class TagKind : uint8_t {
  // BCS variant indices of move-core-types TypeTag.
  Bool = 0, U8 = 1, U64 = 2, U128 = 3, Address = 4, Signer = 5, Vector = 6, Struct = 7,
  U16 = 8, U32 = 9, U256 = 10, Function = 11, I8 = 12, I16 = 13, I32 = 14, I64 = 15, I128 = 16,
  I256 = 17,
};

struct TypeTag {
  TagKind kind = TagKind::Bool;
  std::shared_ptr<const TypeTag> element;         // Vector
  std::shared_ptr<const StructTag> struct_tag;    // Struct
  bool operator==(const TypeTag&) const;
  std::string to_string() const;  // "u64", "vector<0x1::string::String>"
  std::string to_canonical_string() const;
  void serialize(Bytes& out) const;  // BCS
};

// Parses "u64", "vector<u8>", "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>".
std::optional<TypeTag> parse_type_tag(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Runtime types: fully resolved types (type parameters substituted, except inside generic
// function bodies where TypeParam appears before instantiation).

struct StructInfo;  // a loaded struct definition (loader.hpp)

enum class TypeKind : uint8_t {
  Bool, U8, U16, U32, U64, U128, U256, I8, I16, I32, I64, I128, I256, Address, Signer,
  Vector, Struct, Reference, MutableReference, TypeParam, Function,
};

// The TypeTag kind of a primitive type (bool, integers, address, signer); nullopt for the rest.
std::optional<TagKind> primitive_tag_kind(TypeKind k);

struct Type {
  TypeKind kind = TypeKind::Bool;
  uint16_t index = 0;          // TypeParam
  AbilitySet abilities = 0;    // Function
  uint8_t function_args = 0;   // Function: leading `args` are parameters, the rest results
  const StructInfo* struct_info = nullptr;  // Struct (owned by the loader, lives as long)
  std::vector<Type> args;      // Vector element / struct type args / reference target / function
  bool operator==(const Type&) const;
  bool is_integer() const { return kind <= TypeKind::I256 && kind != TypeKind::Bool; }
  bool is_reference() const { return kind == TypeKind::Reference || kind == TypeKind::MutableReference; }
};

// Shape of a value for (de)serialization (move-core-types MoveTypeLayout).
enum class LayoutKind : uint8_t {
  Bool, U8, U16, U32, U64, U128, U256, I8, I16, I32, I64, I128, I256, Address, Signer,
  Vector, Struct, Enum, Function,
};
struct TypeLayout {
  LayoutKind kind = LayoutKind::Bool;
  std::vector<TypeLayout> fields;                 // Vector: [element]; Struct: fields
  std::vector<std::vector<TypeLayout>> variants;  // Enum
};

// ---------------------------------------------------------------------------------------------
// Values.

enum class ValueKind : uint8_t {
  Invalid,  // a moved-out local
  Bool, U8, U16, U32, U64, U128, U256, I8, I16, I32, I64, I128, I256, Address,
  Container,     // struct, variant, vector, signer or closure (see ContainerKind)
  ContainerRef,  // reference to a whole container
  IndexedRef,    // reference to slot `index` of a container
};

enum class ContainerKind : uint8_t {
  Locals,   // a frame's locals (only ever referenced, never a value)
  Struct,   // fields in `values`
  Variant,  // enum value: `variant` tag + fields in `values`
  Vector,   // elements in `values`
  VecU8,    // vector<u8>, elements in `bytes`
  Signer,   // values[0] is the address
  Closure,  // `function` + captured values in `values`
};

struct Container;
using ContainerPtr = std::shared_ptr<Container>;
struct LoadedFunction;  // loader.hpp

// A closure's storage identity (Aptos SerializedFunctionData, format V1): the function by name,
// its type arguments as tags, the capture mask and the layouts of the captured values.
struct ClosureData {
  AccountAddress address;
  std::string module;
  std::string function;
  std::vector<TypeTag> ty_args;
  uint64_t mask = 0;
  std::vector<TypeLayout> captured_layouts;
};

struct Value {
  ValueKind kind = ValueKind::Invalid;
  uint32_t index = 0;  // IndexedRef slot
  union {
    bool b;
    uint64_t u64;            // U8..U64 (zero-extended), I8..I64 (sign-extended bit pattern)
    unsigned __int128 u128;  // U128, I128 (bit pattern)
    U256 u256;               // U256, I256 (bit pattern)
    AccountAddress address;
  };
  ContainerPtr c;  // Container, ContainerRef, IndexedRef

  Value() : u256{} {}
  Value(const Value& o) : kind(o.kind), index(o.index), u256(o.u256), c(o.c) {}
  Value(Value&& o) noexcept : kind(o.kind), index(o.index), u256(o.u256), c(std::move(o.c)) {}
  Value& operator=(const Value& o) {
    kind = o.kind; index = o.index; u256 = o.u256; c = o.c;
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    kind = o.kind; index = o.index; u256 = o.u256; c = std::move(o.c);
    return *this;
  }
  ~Value() {}

  static Value boolean(bool v) { Value r; r.kind = ValueKind::Bool; r.b = v; return r; }
  static Value u8(uint8_t v) { return uint(ValueKind::U8, v); }
  static Value u16(uint16_t v) { return uint(ValueKind::U16, v); }
  static Value u32(uint32_t v) { return uint(ValueKind::U32, v); }
  static Value u64v(uint64_t v) { return uint(ValueKind::U64, v); }
  static Value u128v(unsigned __int128 v) { Value r; r.kind = ValueKind::U128; r.u128 = v; return r; }
  static Value u256v(const U256& v) { Value r; r.kind = ValueKind::U256; r.u256 = v; return r; }
  static Value i64v(ValueKind k, int64_t v) { Value r; r.kind = k; r.u64 = uint64_t(v); return r; }
  static Value i128v(__int128 v) { Value r; r.kind = ValueKind::I128; r.u128 = (unsigned __int128)v; return r; }
  static Value i256v(const U256& v) { Value r; r.kind = ValueKind::I256; r.u256 = v; return r; }
  static Value addr(const AccountAddress& a) { Value r; r.kind = ValueKind::Address; r.address = a; return r; }
  static Value uint(ValueKind k, uint64_t v) { Value r; r.kind = k; r.u64 = v; return r; }
  static Value container(ContainerPtr p) { Value r; r.kind = ValueKind::Container; r.c = std::move(p); return r; }
  static Value container_ref(ContainerPtr p) { Value r; r.kind = ValueKind::ContainerRef; r.c = std::move(p); return r; }
  static Value indexed_ref(ContainerPtr p, uint32_t i) {
    Value r; r.kind = ValueKind::IndexedRef; r.c = std::move(p); r.index = i; return r;
  }

  bool is_ref() const { return kind == ValueKind::ContainerRef || kind == ValueKind::IndexedRef; }
  bool is_container(ContainerKind k) const;
  // Signed values as int64 (I8..I64) / __int128 (I128).
  int64_t as_i64() const { return int64_t(u64); }
  __int128 as_i128() const { return (__int128)u128; }
};

struct Container {
  ContainerKind kind = ContainerKind::Struct;
  uint16_t variant = 0;                 // Variant
  std::vector<Value> values;            // every kind but VecU8
  Bytes bytes;                          // VecU8
  // Closure: the function (with its type arguments) and the capture mask (bit i set:
  // parameter i is captured; captured values are in `values` in parameter order).
  // A closure read from storage carries `stored` and no `function` until its first call
  // resolves it (Aptos resolves lazily, so unused stored closures cost no loading).
  const LoadedFunction* function = nullptr;
  std::vector<Type> function_type_args;
  uint64_t mask = 0;
  std::shared_ptr<const ClosureData> stored;

  explicit Container(ContainerKind k) : kind(k) {}
  size_t size() const { return kind == ContainerKind::VecU8 ? bytes.size() : values.size(); }
};

inline bool Value::is_container(ContainerKind k) const {
  return kind == ValueKind::Container && c && c->kind == k;
}

// Constructors for composite values.
Value make_struct(std::vector<Value> fields);
Value make_variant(uint16_t tag, std::vector<Value> fields);
Value make_vector(std::vector<Value> elements);  // generic element type
Value make_vec_u8(Bytes bytes);
Value make_signer(const AccountAddress& a);

// Deep copy (CopyLoc / ReadRef). References copy as references (same target).
Value copy_value(const Value& v);

// Reads the value a reference points at (deep copy); error for a non-reference.
Expected<Value> read_ref(const Value& ref);
// Writes through a reference: a ContainerRef target keeps its identity (other references to
// it see the new contents), an IndexedRef target slot is replaced.
std::optional<VMError> write_ref(const Value& ref, Value v);
// The value a reference points at, without copying (for natives that inspect in place).
// Null when `ref` is not a valid reference.
const Value* peek_indexed(const Value& ref);

// Structural equality (Eq/Neq): references compare their targets. Error when the shapes
// differ (INTERNAL_TYPE_ERROR) — verified code never compares different types.
Expected<bool> values_equal(const Value& a, const Value& b);

// Depth of nested containers (for VM_MAX_VALUE_DEPTH_REACHED checks).
size_t value_depth(const Value& v);

// BCS by layout. Serialization fails (nullopt) on a shape mismatch or a closure that is not
// storable (function neither public nor #[persistent]); closures use Aptos's function-data
// format V1 (function_values.hpp). Deserialization requires the exact byte length and
// canonical encodings; closures come back unresolved.
std::optional<Bytes> serialize_value(const Value& v, const TypeLayout& layout);
std::optional<Value> deserialize_value(BytesView bytes, const TypeLayout& layout);

// Debug rendering as Aptos's transactional-test runner prints return values:
// 0, true, 0000…0042 (addresses full length), [1, 2], { 0, [119] } for structs and signers.
std::string display_value(const Value& v);

}  // namespace lumio::movevm
