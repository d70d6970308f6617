// Aptos's gas schedule and the gas meter that charges it.
//
// The schedule is the on-chain one: 0x1::gas_schedule::GasScheduleV2 { feature_version,
// entries: vector<(String, u64)> }, read from state (every genesis.blob carries it), with every
// parameter looked up by its on-chain name ("instr.add", "move_stdlib.hash.sha2_256.base",
// "txn.storage_io_per_state_slot_read", ...). Parameters a schedule predates fall back to the
// value Aptos's code gives them (usually 0 for unknown natives: Aptos fails to load a schedule
// that lacks a parameter its feature version requires, so such names never occur in practice).
// All amounts are internal gas units; one external gas unit = txn.gas_unit_scaling_factor.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>

#include "movevm/gas.hpp"
#include "movevm/state_view.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

// 0x1::storage_gas::StorageGas: the storage curves' current prices (IO pricing of gas
// feature versions 1..9).
struct StorageGas {
  uint64_t per_item_read = 0, per_item_create = 0, per_item_write = 0;
  uint64_t per_byte_read = 0, per_byte_create = 0, per_byte_write = 0;
};

struct GasSchedule {
  uint64_t feature_version = 0;
  std::map<std::string, uint64_t, std::less<>> entries;
  std::optional<StorageGas> storage_gas;  // from the state (from_state), when present

  uint64_t get(std::string_view name, uint64_t fallback = 0) const {
    auto it = entries.find(name);
    return it == entries.end() ? fallback : it->second;
  }
  bool has(std::string_view name) const { return entries.count(name) != 0; }

  // BCS of GasScheduleV2 (strict: exact length); nullopt when malformed.
  static std::optional<GasSchedule> from_bcs(BytesView bytes);
  // 0x1::gas_schedule::GasScheduleV2 (+ 0x1::storage_gas::StorageGas) of a state; nullopt
  // when the schedule is absent or malformed.
  static std::optional<GasSchedule> from_state(const StateView& state);
};

// Abstract value sizes (misc.abs_val.*): the memory-size model behind per-unit costs.
struct AbstractValueSizes {
  uint64_t u8, u16, u32, u64, u128, u256, i8, i16, i32, i64, i128, i256, boolean, address;
  uint64_t struct_, closure, vector, reference;
  uint64_t per_u8, per_u16, per_u32, per_u64, per_u128, per_u256, per_bool, per_address;
  uint64_t feature_version;

  explicit AbstractValueSizes(const GasSchedule& s);
  // Size of a value (a reference counts as `reference`, not its target).
  uint64_t size(const Value& v) const;
  // Size of a value, or of the value a reference points at.
  uint64_t size_dereferenced(const Value& v) const;
};

// Everything the meter needs, resolved once from a schedule (lookups by name are not cheap).
struct GasParameters {
  explicit GasParameters(const GasSchedule& schedule);

  GasSchedule schedule;
  std::array<uint64_t, 256> simple{};  // constant cost per opcode (base cost of the others)
  uint64_t ld_const_per_byte, copy_loc_per_unit, read_ref_per_unit, eq_per_unit, neq_per_unit;
  uint64_t call_per_arg, call_per_local, call_generic_per_ty_arg, call_generic_per_arg,
      call_generic_per_local;
  uint64_t pack_per_field, pack_generic_per_field, unpack_per_field, unpack_generic_per_field;
  uint64_t pack_closure_per_arg, pack_closure_generic_per_arg;
  uint64_t vec_pack_per_elem, vec_unpack_per_elem, abort_msg_per_byte;
  // IO pricing (aptos-vm-types IoPricing): V1 (feature 0), V2 storage curves (1..9), V3
  // (10..11), V4 (12..: reads rounded up to 4 KiB pages).
  int io_version;
  uint64_t io_per_slot_read, io_per_byte_read, io_per_slot_write, io_per_byte_write;
  uint64_t io_per_event_byte_write, io_per_txn_byte_write, free_write_bytes_quota;
  std::optional<StorageGas> storage_gas;
  // Transaction-level parameters.
  uint64_t min_transaction_gas_units, large_transaction_cutoff, intrinsic_gas_per_byte;
  uint64_t gas_unit_scaling_factor, max_execution_gas, max_io_gas;
  AbstractValueSizes abs;

  // A native's parameter by its name under the native's family, e.g.
  // native("move_stdlib.hash.sha2_256.base").
  uint64_t native(std::string_view name) const { return schedule.get(name); }
};

// Aptos's StandardGasMeter over a budget of `max_gas_amount` external units: execution and IO
// charges are tracked apart against max_execution_gas / max_io_gas as Aptos does, and the
// whole budget against the balance. A charge that does not fit exhausts the balance (Aptos
// deducts what is left, then reports OUT_OF_GAS), so `consumed()` after a failure equals the
// full budget.
class AptosGasMeter final : public GasMeter {
 public:
  AptosGasMeter(const GasParameters& params, uint64_t max_gas_amount);

  bool charge_simple(Opcode op) override { return charge_execution(params_.simple[uint8_t(op)]); }
  bool charge_instr(const InstrCharge& c) override;
  bool charge_native(uint64_t internal_units) override { return charge_execution(internal_units); }
  bool charge_load_resource(uint64_t bytes) override;
  uint64_t consumed() const override { return budget_ - balance_; }
  uint64_t remaining() const override { return balance_; }

  // Intrinsic gas of a transaction of `txn_size` bytes (charged before execution).
  bool charge_intrinsic(uint64_t txn_size);
  // IO gas of one write op of the change set: `key_size` is the StateKey's size (address +
  // path, or handle + key), `value_size` nullopt for a deletion.
  bool charge_io_write(uint64_t key_size, std::optional<uint64_t> value_size, bool creation);
  // IO gas of an emitted event / of the transaction's own bytes (gas versions that price them).
  bool charge_io_event(uint64_t event_size);
  bool charge_io_transaction(uint64_t txn_size);
  // Gas units (external) used so far, rounded up as Aptos rounds the fee.
  uint64_t gas_used() const;
  uint64_t execution_gas() const { return execution_; }
  uint64_t io_gas() const { return io_; }
  // Why the last charge failed: OUT_OF_GAS, EXECUTION_LIMIT_REACHED or IO_LIMIT_REACHED.
  StatusCode failure() const { return failure_; }
  const GasParameters& params() const { return params_; }

 private:
  bool charge_execution(uint64_t units);
  bool charge_io(uint64_t units);
  bool deduct(uint64_t units);

  const GasParameters& params_;
  uint64_t budget_, balance_;
  uint64_t execution_ = 0, io_ = 0;
  StatusCode failure_ = StatusCode::EXECUTED;
};

}  // namespace lumio::movevm
