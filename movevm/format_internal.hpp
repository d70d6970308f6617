// Helpers shared by the deserializer, serializer and bounds checker (not part of the API).
#pragma once
#include <string>

#include "movevm/binary_format.hpp"

namespace lumio::movevm::internal {

// Thrown inside the codec and turned into an Expected at the entry points.
struct Failure {
  VMError error;
};
[[noreturn]] inline void fail(StatusCode status, std::string message = {}) {
  throw Failure{VMError{status, std::move(message), {}, {}}};
}

// How an instruction's operands are encoded after the opcode byte.
enum class Operand : uint8_t {
  None,
  Index,          // ULEB table index <= 65535
  CodeOffset,     // ULEB <= 65535
  Local,          // ULEB <= 255
  IndexAndCount,  // signature index, then u64 LE element count (VecPack / VecUnpack)
  IndexAndMask,   // function (instantiation) index, then ULEB u64 closure mask
  Imm,            // fixed-width little-endian immediate
};

constexpr Operand operand_of(Opcode op) {
  switch (op) {
    case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::Branch:
      return Operand::CodeOffset;
    case Opcode::CopyLoc: case Opcode::MoveLoc: case Opcode::StLoc: case Opcode::MutBorrowLoc:
    case Opcode::ImmBorrowLoc:
      return Operand::Local;
    case Opcode::VecPack: case Opcode::VecUnpack:
      return Operand::IndexAndCount;
    case Opcode::PackClosure: case Opcode::PackClosureGeneric:
      return Operand::IndexAndMask;
    case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32: case Opcode::LdU64:
    case Opcode::LdU128: case Opcode::LdU256: case Opcode::LdI8: case Opcode::LdI16:
    case Opcode::LdI32: case Opcode::LdI64: case Opcode::LdI128: case Opcode::LdI256:
      return Operand::Imm;
    case Opcode::LdConst: case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
    case Opcode::Call: case Opcode::Pack: case Opcode::Unpack: case Opcode::Exists:
    case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal: case Opcode::MoveFrom:
    case Opcode::MoveTo: case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
    case Opcode::CallGeneric: case Opcode::PackGeneric: case Opcode::UnpackGeneric:
    case Opcode::ExistsGeneric: case Opcode::MutBorrowGlobalGeneric:
    case Opcode::ImmBorrowGlobalGeneric: case Opcode::MoveFromGeneric:
    case Opcode::MoveToGeneric: case Opcode::VecLen: case Opcode::VecImmBorrow:
    case Opcode::VecMutBorrow: case Opcode::VecPushBack: case Opcode::VecPopBack:
    case Opcode::VecSwap: case Opcode::ImmBorrowVariantField: case Opcode::MutBorrowVariantField:
    case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric:
    case Opcode::PackVariant: case Opcode::PackVariantGeneric: case Opcode::UnpackVariant:
    case Opcode::UnpackVariantGeneric: case Opcode::TestVariant: case Opcode::TestVariantGeneric:
    case Opcode::CallClosure:
      return Operand::Index;
    default:
      return Operand::None;
  }
}

constexpr size_t immediate_width(Opcode op) {
  switch (op) {
    case Opcode::LdU8: case Opcode::LdI8: return 1;
    case Opcode::LdU16: case Opcode::LdI16: return 2;
    case Opcode::LdU32: case Opcode::LdI32: return 4;
    case Opcode::LdU64: case Opcode::LdI64: return 8;
    case Opcode::LdU128: case Opcode::LdI128: return 16;
    case Opcode::LdU256: case Opcode::LdI256: return 32;
    default: return 0;
  }
}

// Status of a truncated immediate: the unsigned loads have their own, the rest MALFORMED.
constexpr StatusCode immediate_status(Opcode op) {
  switch (op) {
    case Opcode::LdU16: return StatusCode::BAD_U16;
    case Opcode::LdU32: return StatusCode::BAD_U32;
    case Opcode::LdU64: return StatusCode::BAD_U64;
    case Opcode::LdU128: return StatusCode::BAD_U128;
    case Opcode::LdU256: return StatusCode::BAD_U256;
    default: return StatusCode::MALFORMED;
  }
}

// First bytecode version that knows an opcode (0 for the original set).
// Shared by the deserializer and the serializer, so whatever one reads the other writes.
constexpr uint32_t opcode_min_version(Opcode op) {
  uint8_t b = uint8_t(op);
  if (b >= 0x40 && b <= 0x47) return 4;
  switch (op) {
    // Aptos gates these six enum opcodes only; UnpackVariant* are left to the bounds checker.
    case Opcode::TestVariant: case Opcode::TestVariantGeneric: case Opcode::PackVariant:
    case Opcode::PackVariantGeneric: case Opcode::ImmBorrowVariantField:
    case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantField:
    case Opcode::MutBorrowVariantFieldGeneric:
      return 7;
    default: break;
  }
  if (b >= 0x48 && b <= 0x4D) return 6;
  if (b >= 0x58 && b <= 0x5A) return 8;
  if (b >= 0x5B && b <= 0x67) return 9;
  if (b == 0x68) return 10;
  return 0;
}

}  // namespace lumio::movevm::internal
