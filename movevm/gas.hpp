// Gas metering interface of the Move VM (the shape of Aptos's GasMeter trait, reduced to what
// the costs depend on). The interpreter reports each instruction with its size inputs; the gas
// schedule (gas_schedule.*) turns them into internal gas units with Aptos's parameters.
// Every charge returns false once the budget is exhausted; the interpreter then stops with
// OUT_OF_GAS at the current instruction.
#pragma once
#include <cstdint>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {

struct Value;
struct Type;

// Inputs of one instruction's cost. Only the fields an opcode's formula uses are set:
//   Call/CallGeneric/CallClosure: args, locals, type_args
//   Pack*/Unpack*/PackVariant*/UnpackVariant*/PackClosure*: fields (captured values)
//   VecPack/VecUnpack: elements
//   LdConst: bytes (size of the constant's BCS data)
//   CopyLoc/ReadRef/Eq/Neq/VecPushBack/WriteRef/Pop/StLoc/MoveTo: value (abstract size is the
//     schedule's business, computed from the value itself), value2 (Eq/Neq rhs)
//   *Global*/Exists/MoveFrom/MoveTo: type, success (did the resource exist / could it move)
struct InstrCharge {
  Opcode op = Opcode::Nop;
  uint64_t args = 0;
  uint64_t locals = 0;
  uint64_t type_args = 0;
  uint64_t fields = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
  const Value* value = nullptr;
  const Value* value2 = nullptr;
  const Type* type = nullptr;
  bool success = true;
};

class GasMeter {
 public:
  virtual ~GasMeter() = default;
  // True for a meter that never charges: the interpreter then skips building InstrCharges.
  virtual bool unmetered() const { return false; }
  // Instructions whose cost is a constant of the schedule (arithmetic, branches, loads, ...).
  virtual bool charge_simple(Opcode op) = 0;
  // Instructions with size-dependent costs (see InstrCharge).
  virtual bool charge_instr(const InstrCharge& c) = 0;
  // A native function's own cost, already computed by the native in internal gas units.
  virtual bool charge_native(uint64_t internal_units) = 0;
  // Loading a resource from storage (IO gas): its serialized size, 0 when absent.
  virtual bool charge_load_resource(uint64_t bytes) = 0;
  // Units consumed so far and the remaining balance, in internal gas units.
  virtual uint64_t consumed() const = 0;
  virtual uint64_t remaining() const = 0;
};

// Charges nothing (view functions in tests, genesis, `--gas-budget` absent).
class UnmeteredGasMeter final : public GasMeter {
 public:
  bool unmetered() const override { return true; }
  bool charge_simple(Opcode) override { return true; }
  bool charge_instr(const InstrCharge&) override { return true; }
  bool charge_native(uint64_t) override { return true; }
  bool charge_load_resource(uint64_t) override { return true; }
  uint64_t consumed() const override { return 0; }
  uint64_t remaining() const override { return UINT64_MAX; }
};

}  // namespace lumio::movevm
