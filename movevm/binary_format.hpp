// The Move binary format (Aptos flavor, bytecode versions 5-10): the in-memory model of
// CompiledModule and CompiledScript, the deserializer and serializer that map it to and from
// bytes exactly as Aptos does, and the bounds checker that every loaded unit passes.
//
// Layout of a binary: magic a11ceb0b, u32 LE version (from v7 with 0x0A000000 or'ed in), ULEB
// table count, table headers (kind u8, ULEB offset, ULEB length), the table contents, then
// the self module handle index (module) or the script's main function (script).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.hpp"
#include "movevm/status.hpp"

namespace lumio::movevm {

// ---------------------------------------------------------------------------------------------
// Versions and limits (move-binary-format file_format_common.rs).

inline constexpr uint32_t kVersionMin = 5;    // oldest version the serializer writes
inline constexpr uint32_t kVersionMax = 10;   // newest version understood
inline constexpr uint32_t kAptosVersionMask = 0x0A000000;
inline constexpr std::array<uint8_t, 4> kMoveMagic = {0xA1, 0x1C, 0xEB, 0x0B};

inline constexpr uint64_t kTableCountMax = 255;
inline constexpr uint64_t kTableOffsetMax = 0xFFFFFFFF;
inline constexpr uint64_t kTableSizeMax = 0xFFFFFFFF;
inline constexpr uint64_t kTableIndexMax = 65535;
inline constexpr uint64_t kBytecodeCountMax = 65535;
inline constexpr uint64_t kBytecodeIndexMax = 65535;
inline constexpr uint64_t kLocalIndexMax = 255;
inline constexpr uint64_t kLegacyIdentifierSizeMax = 65535;
inline constexpr uint64_t kIdentifierSizeMax = 255;
inline constexpr uint64_t kConstantSizeMax = 65535;
inline constexpr uint64_t kMetadataKeySizeMax = 1023;
inline constexpr uint64_t kMetadataValueSizeMax = 65535;
inline constexpr uint64_t kSignatureSizeMax = 255;
inline constexpr uint64_t kAcquiresCountMax = 255;
inline constexpr uint64_t kFieldCountMax = 255;
inline constexpr uint64_t kFieldOffsetMax = 255;
inline constexpr uint64_t kVariantCountMax = 127;
inline constexpr uint64_t kVariantOffsetMax = 127;
inline constexpr uint64_t kTypeParameterCountMax = 255;
inline constexpr uint64_t kTypeParameterIndexMax = 65536;
inline constexpr uint64_t kAccessSpecifierCountMax = 64;
inline constexpr size_t kSignatureTokenDepthMax = 256;
inline constexpr uint64_t kAttributeCountMax = 16;

enum class TableType : uint8_t {
  ModuleHandles = 0x1,
  StructHandles = 0x2,
  FunctionHandles = 0x3,
  FunctionInst = 0x4,
  Signatures = 0x5,
  ConstantPool = 0x6,
  Identifiers = 0x7,
  AddressIdentifiers = 0x8,
  StructDefs = 0xA,
  StructDefInst = 0xB,
  FunctionDefs = 0xC,
  FieldHandles = 0xD,
  FieldInst = 0xE,
  FriendDecls = 0xF,
  Metadata = 0x10,
  VariantFieldHandles = 0x11,
  VariantFieldInst = 0x12,
  StructVariantHandles = 0x13,
  StructVariantInst = 0x14,
};

// ---------------------------------------------------------------------------------------------
// Types.

using TableIndex = uint16_t;
using AbilitySet = uint8_t;  // bit set of the abilities below
inline constexpr AbilitySet kAbilityCopy = 0x1, kAbilityDrop = 0x2, kAbilityStore = 0x4,
                            kAbilityKey = 0x8, kAbilityAll = 0xF;

// Serialized type tags double as the token kinds.
enum class TokenKind : uint8_t {
  Bool = 0x1, U8 = 0x2, U64 = 0x3, U128 = 0x4, Address = 0x5, Reference = 0x6,
  MutableReference = 0x7, Struct = 0x8, TypeParameter = 0x9, Vector = 0xA,
  StructInstantiation = 0xB, Signer = 0xC, U16 = 0xD, U32 = 0xE, U256 = 0xF,
  Function = 0x10,  // v8
  I8 = 0x11, I16 = 0x12, I32 = 0x13, I64 = 0x14, I128 = 0x15, I256 = 0x16,  // v9
};

// A type. Vector/Reference/MutableReference have one child; StructInstantiation has its type
// arguments; Function has its parameter types followed by its result types.
struct SignatureToken {
  TokenKind kind = TokenKind::Bool;
  uint16_t index = 0;         // struct handle (Struct, StructInstantiation) or type parameter
  AbilitySet abilities = 0;   // Function
  uint8_t function_args = 0;  // Function: how many leading children are parameters
  std::vector<SignatureToken> children;

  bool operator==(const SignatureToken&) const = default;
};
using Signature = std::vector<SignatureToken>;

// ---------------------------------------------------------------------------------------------
// Tables.

struct ModuleHandle {
  TableIndex address = 0;  // address identifier
  TableIndex name = 0;     // identifier
  bool operator==(const ModuleHandle&) const = default;
};

struct StructTypeParameter {
  AbilitySet constraints = 0;
  bool is_phantom = false;
  bool operator==(const StructTypeParameter&) const = default;
};

struct StructHandle {
  TableIndex module = 0;
  TableIndex name = 0;
  AbilitySet abilities = 0;
  std::vector<StructTypeParameter> type_parameters;
  bool operator==(const StructHandle&) const = default;
};

// Access specifiers (v7): `reads`/`writes` clauses on functions.
enum class AccessKind : uint8_t { Reads = 1, Writes = 2 };
enum class ResourceSpecifierKind : uint8_t {
  Any = 1, DeclaredAtAddress = 2, DeclaredInModule = 3, Resource = 4, ResourceInstantiation = 5
};
enum class AddressSpecifierKind : uint8_t { Any = 1, Literal = 2, Parameter = 3 };
struct AccessSpecifier {
  AccessKind kind = AccessKind::Reads;
  bool negated = false;
  ResourceSpecifierKind resource = ResourceSpecifierKind::Any;
  TableIndex resource_index = 0;      // address / module handle / struct handle
  TableIndex resource_signature = 0;  // ResourceInstantiation type arguments
  AddressSpecifierKind address = AddressSpecifierKind::Any;
  TableIndex address_index = 0;       // Literal: address identifier; Parameter: local index
  std::optional<TableIndex> address_function;  // Parameter: deriving function instantiation
  bool operator==(const AccessSpecifier&) const = default;
};

// Function attributes (v8; struct-API attributes from v10).
enum class FunctionAttributeKind : uint8_t {
  Persistent = 0x1, ModuleLock = 0x2, Pack = 0x3, PackVariant = 0x4, Unpack = 0x5,
  UnpackVariant = 0x6, TestVariant = 0x7, BorrowFieldImmutable = 0x8, BorrowFieldMutable = 0x9,
  Immutable = 0xA, ConstantAccessor = 0xB,  // v11
};
struct FunctionAttribute {
  FunctionAttributeKind kind = FunctionAttributeKind::Persistent;
  uint16_t value = 0;  // variant or field index of the *Variant / BorrowField* kinds
  bool operator==(const FunctionAttribute&) const = default;
};
bool attribute_has_value(FunctionAttributeKind kind);

struct FunctionHandle {
  TableIndex module = 0;
  TableIndex name = 0;
  TableIndex parameters = 0;  // signature
  TableIndex return_ = 0;     // signature
  std::vector<AbilitySet> type_parameters;
  std::optional<std::vector<AccessSpecifier>> access_specifiers;  // v7
  std::vector<FunctionAttribute> attributes;                      // v8
  bool operator==(const FunctionHandle&) const = default;
};

struct FieldHandle {
  TableIndex owner = 0;  // struct definition
  uint16_t field = 0;
  bool operator==(const FieldHandle&) const = default;
};

struct VariantFieldHandle {
  TableIndex struct_index = 0;  // struct definition
  std::vector<uint16_t> variants;
  uint16_t field = 0;
  bool operator==(const VariantFieldHandle&) const = default;
};

struct StructVariantHandle {
  TableIndex struct_index = 0;
  uint16_t variant = 0;
  bool operator==(const StructVariantHandle&) const = default;
};

// FunctionInstantiation, StructDefInstantiation, FieldInstantiation and the two variant
// instantiations share this shape: a handle plus a signature of type arguments.
struct Instantiation {
  TableIndex handle = 0;
  TableIndex type_parameters = 0;  // signature
  bool operator==(const Instantiation&) const = default;
};

struct Constant {
  SignatureToken type;
  Bytes data;  // BCS of the value
  bool operator==(const Constant&) const = default;
};

struct Metadata {
  Bytes key;
  Bytes value;
  bool operator==(const Metadata&) const = default;
};

struct FieldDefinition {
  TableIndex name = 0;
  SignatureToken type;
  bool operator==(const FieldDefinition&) const = default;
};

struct VariantDefinition {
  TableIndex name = 0;
  std::vector<FieldDefinition> fields;
  bool operator==(const VariantDefinition&) const = default;
};

enum class StructLayout : uint8_t { Native = 0x1, Declared = 0x2, DeclaredVariants = 0x3 };
struct StructDefinition {
  TableIndex struct_handle = 0;
  StructLayout layout = StructLayout::Declared;
  std::vector<FieldDefinition> fields;      // Declared
  std::vector<VariantDefinition> variants;  // DeclaredVariants (v7)

  // Fields of the struct (variant absent) or of one variant; 0 where that does not apply.
  size_t field_count(std::optional<uint16_t> variant = std::nullopt) const;
  size_t variant_count() const;
  bool operator==(const StructDefinition&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Code.

enum class Opcode : uint8_t {
  Pop = 0x01, Ret = 0x02, BrTrue = 0x03, BrFalse = 0x04, Branch = 0x05, LdU64 = 0x06,
  LdConst = 0x07, LdTrue = 0x08, LdFalse = 0x09, CopyLoc = 0x0A, MoveLoc = 0x0B, StLoc = 0x0C,
  MutBorrowLoc = 0x0D, ImmBorrowLoc = 0x0E, MutBorrowField = 0x0F, ImmBorrowField = 0x10,
  Call = 0x11, Pack = 0x12, Unpack = 0x13, ReadRef = 0x14, WriteRef = 0x15, Add = 0x16,
  Sub = 0x17, Mul = 0x18, Mod = 0x19, Div = 0x1A, BitOr = 0x1B, BitAnd = 0x1C, Xor = 0x1D,
  Or = 0x1E, And = 0x1F, Not = 0x20, Eq = 0x21, Neq = 0x22, Lt = 0x23, Gt = 0x24, Le = 0x25,
  Ge = 0x26, Abort = 0x27, Nop = 0x28, Exists = 0x29, MutBorrowGlobal = 0x2A,
  ImmBorrowGlobal = 0x2B, MoveFrom = 0x2C, MoveTo = 0x2D, FreezeRef = 0x2E, Shl = 0x2F,
  Shr = 0x30, LdU8 = 0x31, LdU128 = 0x32, CastU8 = 0x33, CastU64 = 0x34, CastU128 = 0x35,
  MutBorrowFieldGeneric = 0x36, ImmBorrowFieldGeneric = 0x37, CallGeneric = 0x38,
  PackGeneric = 0x39, UnpackGeneric = 0x3A, ExistsGeneric = 0x3B, MutBorrowGlobalGeneric = 0x3C,
  ImmBorrowGlobalGeneric = 0x3D, MoveFromGeneric = 0x3E, MoveToGeneric = 0x3F,
  VecPack = 0x40, VecLen = 0x41, VecImmBorrow = 0x42, VecMutBorrow = 0x43, VecPushBack = 0x44,
  VecPopBack = 0x45, VecUnpack = 0x46, VecSwap = 0x47,
  LdU16 = 0x48, LdU32 = 0x49, LdU256 = 0x4A, CastU16 = 0x4B, CastU32 = 0x4C, CastU256 = 0x4D,
  // v7: enums
  ImmBorrowVariantField = 0x4E, MutBorrowVariantField = 0x4F,
  ImmBorrowVariantFieldGeneric = 0x50, MutBorrowVariantFieldGeneric = 0x51,
  PackVariant = 0x52, PackVariantGeneric = 0x53, UnpackVariant = 0x54,
  UnpackVariantGeneric = 0x55, TestVariant = 0x56, TestVariantGeneric = 0x57,
  // v8: function values
  PackClosure = 0x58, PackClosureGeneric = 0x59, CallClosure = 0x5A,
  // v9: signed integers
  LdI8 = 0x5B, LdI16 = 0x5C, LdI32 = 0x5D, LdI64 = 0x5E, LdI128 = 0x5F, LdI256 = 0x60,
  CastI8 = 0x61, CastI16 = 0x62, CastI32 = 0x63, CastI64 = 0x64, CastI128 = 0x65,
  CastI256 = 0x66, Negate = 0x67,
  // v10
  AbortMsg = 0x68,
};
inline constexpr uint8_t kOpcodeMax = 0x68;
std::string_view opcode_name(Opcode op);  // "LdU64", "PackClosureGeneric", ...

// One instruction. `index` is the operand that names a table entry, a local or a code offset;
// `value` holds integer immediates up to 64 bits (two's complement for signed ones), the
// element count of VecPack/VecUnpack and the capture mask of PackClosure*; `wide` holds the
// little-endian bytes of 128/256-bit immediates.
struct Instruction {
  Opcode op = Opcode::Nop;
  uint16_t index = 0;
  uint64_t value = 0;
  std::array<uint8_t, 32> wide{};
  bool operator==(const Instruction&) const = default;
};

struct CodeUnit {
  TableIndex locals = 0;  // signature
  std::vector<Instruction> code;
  bool operator==(const CodeUnit&) const = default;
};

enum class Visibility : uint8_t { Private = 0, Public = 1, Friend = 3 };

struct FunctionDefinition {
  TableIndex function = 0;  // function handle
  Visibility visibility = Visibility::Private;
  bool is_entry = false;
  std::vector<TableIndex> acquires_global_resources;  // struct definitions
  std::optional<CodeUnit> code;                        // nullopt: native
  bool operator==(const FunctionDefinition&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Compilation units.

// Tables a script and a module share.
struct CommonTables {
  uint32_t version = kVersionMax;  // without the Aptos marker
  std::vector<ModuleHandle> module_handles;
  std::vector<StructHandle> struct_handles;
  std::vector<FunctionHandle> function_handles;
  std::vector<Instantiation> function_instantiations;
  std::vector<Signature> signatures;
  std::vector<std::string> identifiers;
  std::vector<FixedBytes<32>> address_identifiers;
  std::vector<Constant> constant_pool;
  std::vector<Metadata> metadata;
  bool operator==(const CommonTables&) const = default;
};

struct CompiledModule : CommonTables {
  TableIndex self_module_handle_idx = 0;
  std::vector<StructDefinition> struct_defs;
  std::vector<Instantiation> struct_def_instantiations;
  std::vector<FunctionDefinition> function_defs;
  std::vector<FieldHandle> field_handles;
  std::vector<Instantiation> field_instantiations;
  std::vector<ModuleHandle> friend_decls;
  std::vector<VariantFieldHandle> variant_field_handles;          // v7
  std::vector<Instantiation> variant_field_instantiations;       // v7
  std::vector<StructVariantHandle> struct_variant_handles;        // v7
  std::vector<Instantiation> struct_variant_instantiations;      // v7
  bool operator==(const CompiledModule&) const = default;
};

struct CompiledScript : CommonTables {
  std::vector<AbilitySet> type_parameters;
  TableIndex parameters = 0;  // signature
  std::optional<std::vector<AccessSpecifier>> access_specifiers;  // v8
  CodeUnit code;
  bool operator==(const CompiledScript&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Entry points. Failures come back as Aptos statuses; hostile input never crashes or hangs
// (work is linear in the input size).

template <class T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(VMError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const VMError& error() const { return std::get<1>(v_); }
  StatusCode status() const { return ok() ? StatusCode::EXECUTED : error().status; }

 private:
  std::variant<T, VMError> v_;
};

struct DeserializerConfig {
  uint32_t max_binary_format_version = kVersionMax;
  uint64_t max_identifier_size = kIdentifierSizeMax;
};

// Deserialize and bounds-check (Aptos CompiledModule::deserialize_with_config).
Expected<CompiledModule> deserialize_module(BytesView binary, const DeserializerConfig& config = {});
Expected<CompiledScript> deserialize_script(BytesView binary, const DeserializerConfig& config = {});
// Deserialize only (deserialize_no_check_bounds; legacy identifier size limit).
Expected<CompiledModule> deserialize_module_unchecked(BytesView binary);
Expected<CompiledScript> deserialize_script_unchecked(BytesView binary);

// Serialize at the unit's own version (5..10). Aptos's serializer output, byte for byte.
// Errors (value over a format limit, construct unsupported by the version) are MALFORMED
// with a message: the serializer has no status of its own in Aptos.
Expected<Bytes> serialize_module(const CompiledModule& module);
Expected<Bytes> serialize_script(const CompiledScript& script);

// BoundsChecker::verify_module / verify_script.
std::optional<VMError> check_bounds(const CompiledModule& module);
std::optional<VMError> check_bounds(const CompiledScript& script);

// Identifier rule of move-core-types (`$` is accepted here; the deserializer rejects it
// before v9).
bool is_valid_identifier(std::string_view s);

}  // namespace lumio::movevm
