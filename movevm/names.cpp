// Names, identifier rule and small model helpers.
#include "movevm/binary_format.hpp"

namespace lumio::movevm {

std::string_view status_name(StatusCode code) {
  switch (code) {
#define LUMIO_X(name, value) \
  case StatusCode::name:     \
    return #name;
    LUMIO_MOVE_STATUS_CODES(LUMIO_X)
#undef LUMIO_X
  }
  return "UNKNOWN_STATUS";
}

std::string_view index_kind_name(IndexKind kind) {
  static constexpr std::string_view kNames[] = {
      "module handle", "struct handle", "function handle", "field handle",
      "friend declaration", "function instantiation", "field instantiation",
      "struct definition", "struct instantiation", "function definition", "field definition",
      "signature", "identifier", "address identifier", "constant pool", "local pool",
      "code definition pool", "type parameter", "field offset", "variant definition",
      "variant field handle", "variant field instantiation", "struct variant handle",
      "struct variant instantiation"};
  size_t i = size_t(kind);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

std::string_view opcode_name(Opcode op) {
  static constexpr std::string_view kNames[kOpcodeMax + 1] = {
      "<invalid>", "Pop", "Ret", "BrTrue", "BrFalse", "Branch", "LdU64", "LdConst", "LdTrue",
      "LdFalse", "CopyLoc", "MoveLoc", "StLoc", "MutBorrowLoc", "ImmBorrowLoc",
      "MutBorrowField", "ImmBorrowField", "Call", "Pack", "Unpack", "ReadRef", "WriteRef", "Add",
      "Sub", "Mul", "Mod", "Div", "BitOr", "BitAnd", "Xor", "Or", "And", "Not", "Eq", "Neq",
      "Lt", "Gt", "Le", "Ge", "Abort", "Nop", "Exists", "MutBorrowGlobal", "ImmBorrowGlobal",
      "MoveFrom", "MoveTo", "FreezeRef", "Shl", "Shr", "LdU8", "LdU128", "CastU8", "CastU64",
      "CastU128", "MutBorrowFieldGeneric", "ImmBorrowFieldGeneric", "CallGeneric",
      "PackGeneric", "UnpackGeneric", "ExistsGeneric", "MutBorrowGlobalGeneric",
      "ImmBorrowGlobalGeneric", "MoveFromGeneric", "MoveToGeneric", "VecPack", "VecLen",
      "VecImmBorrow", "VecMutBorrow", "VecPushBack", "VecPopBack", "VecUnpack", "VecSwap",
      "LdU16", "LdU32", "LdU256", "CastU16", "CastU32", "CastU256", "ImmBorrowVariantField",
      "MutBorrowVariantField", "ImmBorrowVariantFieldGeneric", "MutBorrowVariantFieldGeneric",
      "PackVariant", "PackVariantGeneric", "UnpackVariant", "UnpackVariantGeneric",
      "TestVariant", "TestVariantGeneric", "PackClosure", "PackClosureGeneric", "CallClosure",
      "LdI8", "LdI16", "LdI32", "LdI64", "LdI128", "LdI256", "CastI8", "CastI16", "CastI32",
      "CastI64", "CastI128", "CastI256", "Negate", "AbortMsg"};
  uint8_t b = uint8_t(op);
  return b <= kOpcodeMax ? kNames[b] : kNames[0];
}

static bool ident_char(char c) {
  return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool is_valid_identifier(std::string_view s) {
  if (s == "<SELF>") return true;
  if (s.size() > 7 && s.substr(0, 7) == "<SELF>_") {
    for (char c : s.substr(7))
      if (c < '0' || c > '9') return false;
    return true;
  }
  if (s.empty()) return false;
  char f = s[0];
  bool letter = (f >= 'a' && f <= 'z') || (f >= 'A' && f <= 'Z');
  if (!letter && !((f == '_' || f == '$') && s.size() > 1)) return false;
  for (char c : s.substr(1))
    if (!ident_char(c)) return false;
  return true;
}

bool attribute_has_value(FunctionAttributeKind kind) {
  switch (kind) {
    case FunctionAttributeKind::PackVariant: case FunctionAttributeKind::UnpackVariant:
    case FunctionAttributeKind::TestVariant: case FunctionAttributeKind::BorrowFieldImmutable:
    case FunctionAttributeKind::BorrowFieldMutable:
      return true;
    default:
      return false;
  }
}

size_t StructDefinition::field_count(std::optional<uint16_t> variant) const {
  if (layout == StructLayout::Declared && !variant) return fields.size();
  if (layout == StructLayout::DeclaredVariants && variant && *variant < variants.size())
    return variants[*variant].fields.size();
  return 0;
}

size_t StructDefinition::variant_count() const {
  return layout == StructLayout::DeclaredVariants ? variants.size() : 0;
}

}  // namespace lumio::movevm
