#include "movevm/gas_schedule.hpp"

#include "movevm/framework.hpp"

namespace lumio::movevm {

std::optional<GasSchedule> GasSchedule::from_bcs(BytesView b) {
  size_t pos = 0;
  auto u64 = [&](uint64_t& v) {
    if (b.size() - pos < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(b[pos + i]) << (8 * i);
    pos += 8;
    return true;
  };
  auto uleb = [&](uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
      if (pos == b.size()) return false;
      uint8_t x = b[pos++];
      v |= uint64_t(x & 0x7F) << shift;
      if (!(x & 0x80)) return !(shift > 0 && x == 0) && v <= 0xFFFFFFFFull;
    }
    return false;
  };
  GasSchedule s;
  uint64_t n = 0;
  if (!u64(s.feature_version) || !uleb(n) || n > b.size()) return std::nullopt;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0, value = 0;
    if (!uleb(len) || b.size() - pos < len) return std::nullopt;
    std::string name(reinterpret_cast<const char*>(b.data() + pos), len);
    pos += len;
    if (!u64(value)) return std::nullopt;
    s.entries.insert_or_assign(std::move(name), value);
  }
  if (pos != b.size()) return std::nullopt;
  return s;
}

std::optional<GasSchedule> GasSchedule::from_state(const StateView& state) {
  StructTag tag{account_address(1), "gas_schedule", "GasScheduleV2", {}};
  auto bytes = state.get_resource(account_address(1), tag);
  if (!bytes) return std::nullopt;
  auto s = from_bcs(*bytes);
  if (!s) return s;
  auto curves = state.get_resource(account_address(1), StructTag{account_address(1), "storage_gas", "StorageGas", {}});
  if (curves && curves->size() == 48) {
    uint64_t v[6];
    for (int i = 0; i < 6; ++i) {
      v[i] = 0;
      for (int j = 0; j < 8; ++j) v[i] |= uint64_t((*curves)[8 * i + j]) << (8 * j);
    }
    s->storage_gas = StorageGas{v[0], v[1], v[2], v[3], v[4], v[5]};
  }
  return s;
}

// ---------------------------------------------------------------------------------------------

AbstractValueSizes::AbstractValueSizes(const GasSchedule& s) {
  auto g = [&](const char* n, uint64_t fallback) { return s.get(std::string("misc.abs_val.") + n, fallback); };
  u8 = g("u8", 40), u16 = g("u16", 40), u32 = g("u32", 40), u64 = g("u64", 40);
  u128 = g("u128", 40), u256 = g("u256", 40), boolean = g("bool", 40), address = g("address", 40);
  i8 = g("i8", 40), i16 = g("i16", 40), i32 = g("i32", 40), i64 = g("i64", 40);
  i128 = g("i128", 40), i256 = g("i256", 40);
  struct_ = g("struct", 40), closure = g("closure", 40), vector = g("vector", 40);
  reference = g("reference", 40);
  per_u8 = g("per_u8_packed", 1), per_u16 = g("per_u16_packed", 2), per_u32 = g("per_u32_packed", 4);
  per_u64 = g("per_u64_packed", 8), per_u128 = g("per_u128_packed", 16);
  per_u256 = g("per_u256_packed", 32), per_bool = g("per_bool_packed", 1);
  per_address = g("per_address_packed", 32);
  feature_version = s.feature_version;
}

namespace {

// Aptos keeps vectors of primitives packed (VecU8, VecU64, VecAddress, ...); their size is
// `vector` + per-element packed size (the `vector` term from feature version 3 on for the
// types that existed before v5).
bool packed_vector_size(const AbstractValueSizes& a, const Container& c, uint64_t& out) {
  if (c.values.empty()) return false;
  ValueKind k = c.values[0].kind;
  uint64_t per = 0;
  bool legacy = true;  // u8/u64/u128/bool/address: `vector` term gated on feature version 3
  switch (k) {
    case ValueKind::U16: per = a.per_u16, legacy = false; break;
    case ValueKind::U32: per = a.per_u32, legacy = false; break;
    case ValueKind::U256: per = a.per_u256, legacy = false; break;
    case ValueKind::U64: per = a.per_u64; break;
    case ValueKind::U128: per = a.per_u128; break;
    case ValueKind::Bool: per = a.per_bool; break;
    case ValueKind::Address: per = a.per_address; break;
    case ValueKind::U8: per = a.per_u8; break;
    default: return false;  // signed integers and containers are not packed
  }
  uint64_t base = (!legacy || a.feature_version >= 3) ? a.vector : 0;
  out = base + per * c.values.size();
  return true;
}

}  // namespace

uint64_t AbstractValueSizes::size(const Value& v) const {
  switch (v.kind) {
    case ValueKind::Invalid: return 0;
    case ValueKind::Bool: return boolean;
    case ValueKind::U8: return u8;
    case ValueKind::U16: return u16;
    case ValueKind::U32: return u32;
    case ValueKind::U64: return u64;
    case ValueKind::U128: return u128;
    case ValueKind::U256: return u256;
    case ValueKind::I8: return i8;
    case ValueKind::I16: return i16;
    case ValueKind::I32: return i32;
    case ValueKind::I64: return i64;
    case ValueKind::I128: return i128;
    case ValueKind::I256: return i256;
    case ValueKind::Address: return address;
    case ValueKind::ContainerRef:
    case ValueKind::IndexedRef: return reference;
    case ValueKind::Container: break;
  }
  const Container& c = *v.c;
  uint64_t total = 0;
  switch (c.kind) {
    case ContainerKind::VecU8:
      return (feature_version >= 3 ? vector : 0) + per_u8 * c.bytes.size();
    case ContainerKind::Vector:
      if (packed_vector_size(*this, c, total)) return total;
      total = vector;
      break;
    case ContainerKind::Closure: total = closure; break;
    case ContainerKind::Signer:  // a struct holding the address
    case ContainerKind::Struct:
    case ContainerKind::Variant:
    case ContainerKind::Locals: total = struct_; break;
  }
  for (const Value& e : c.values) total += size(e);
  return total;
}

uint64_t AbstractValueSizes::size_dereferenced(const Value& v) const {
  if (v.kind == ValueKind::ContainerRef) return size(Value::container(v.c));
  if (v.kind == ValueKind::IndexedRef) {  // a primitive slot of a container
    const Container& c = *v.c;
    if (c.kind == ContainerKind::VecU8) return u8;
    return v.index < c.values.size() ? size(c.values[v.index]) : 0;
  }
  return size(v);
}

// ---------------------------------------------------------------------------------------------

GasParameters::GasParameters(const GasSchedule& s) : schedule(s), abs(s) {
  auto i = [&](std::string_view n) { return s.get("instr." + std::string(n)); };
  auto set = [&](Opcode op, std::string_view n) { simple[uint8_t(op)] = i(n); };
  using O = Opcode;
  set(O::Nop, "nop"), set(O::Ret, "ret"), set(O::Abort, "abort"), set(O::AbortMsg, "abort_msg.base");
  set(O::BrTrue, "br_true"), set(O::BrFalse, "br_false"), set(O::Branch, "branch"), set(O::Pop, "pop");
  set(O::LdU8, "ld_u8"), set(O::LdU16, "ld_u16"), set(O::LdU32, "ld_u32"), set(O::LdU64, "ld_u64");
  set(O::LdU128, "ld_u128"), set(O::LdU256, "ld_u256"), set(O::LdTrue, "ld_true"), set(O::LdFalse, "ld_false");
  set(O::LdI8, "ld_i8"), set(O::LdI16, "ld_i16"), set(O::LdI32, "ld_i32"), set(O::LdI64, "ld_i64");
  set(O::LdI128, "ld_i128"), set(O::LdI256, "ld_i256"), set(O::LdConst, "ld_const.base");
  set(O::ImmBorrowLoc, "imm_borrow_loc"), set(O::MutBorrowLoc, "mut_borrow_loc");
  set(O::ImmBorrowField, "imm_borrow_field"), set(O::MutBorrowField, "mut_borrow_field");
  set(O::ImmBorrowFieldGeneric, "imm_borrow_field_generic");
  set(O::MutBorrowFieldGeneric, "mut_borrow_field_generic");
  set(O::ImmBorrowVariantField, "imm_borrow_variant_field");
  set(O::MutBorrowVariantField, "mut_borrow_variant_field");
  set(O::ImmBorrowVariantFieldGeneric, "imm_borrow_variant_field_generic");
  set(O::MutBorrowVariantFieldGeneric, "mut_borrow_variant_field_generic");
  set(O::TestVariant, "test_variant"), set(O::TestVariantGeneric, "test_variant_generic");
  set(O::CopyLoc, "copy_loc.base"), set(O::MoveLoc, "move_loc.base"), set(O::StLoc, "st_loc.base");
  set(O::Call, "call.base"), set(O::CallGeneric, "call_generic.base"), set(O::CallClosure, "call.base");
  set(O::Pack, "pack.base"), set(O::PackGeneric, "pack_generic.base");
  set(O::Unpack, "unpack.base"), set(O::UnpackGeneric, "unpack_generic.base");
  set(O::PackVariant, "pack.base"), set(O::PackVariantGeneric, "pack_generic.base");
  set(O::UnpackVariant, "unpack.base"), set(O::UnpackVariantGeneric, "unpack_generic.base");
  set(O::PackClosure, "pack_closure.base"), set(O::PackClosureGeneric, "pack_closure_generic.base");
  set(O::ReadRef, "read_ref.base"), set(O::WriteRef, "write_ref.base"), set(O::FreezeRef, "freeze_ref");
  set(O::CastU8, "cast_u8"), set(O::CastU16, "cast_u16"), set(O::CastU32, "cast_u32");
  set(O::CastU64, "cast_u64"), set(O::CastU128, "cast_u128"), set(O::CastU256, "cast_u256");
  set(O::CastI8, "cast_i8"), set(O::CastI16, "cast_i16"), set(O::CastI32, "cast_i32");
  set(O::CastI64, "cast_i64"), set(O::CastI128, "cast_i128"), set(O::CastI256, "cast_i256");
  set(O::Add, "add"), set(O::Sub, "sub"), set(O::Mul, "mul"), set(O::Mod, "mod"), set(O::Div, "div");
  set(O::Negate, "negate");
  set(O::BitOr, "bit_or"), set(O::BitAnd, "bit_and"), set(O::Xor, "bit_xor");
  set(O::Shl, "bit_shl"), set(O::Shr, "bit_shr");
  set(O::Or, "or"), set(O::And, "and"), set(O::Not, "not");
  set(O::Lt, "lt"), set(O::Gt, "gt"), set(O::Le, "le"), set(O::Ge, "ge");
  set(O::Eq, "eq.base"), set(O::Neq, "neq.base");
  set(O::ImmBorrowGlobal, "imm_borrow_global.base"), set(O::ImmBorrowGlobalGeneric, "imm_borrow_global_generic.base");
  set(O::MutBorrowGlobal, "mut_borrow_global.base"), set(O::MutBorrowGlobalGeneric, "mut_borrow_global_generic.base");
  set(O::Exists, "exists.base"), set(O::ExistsGeneric, "exists_generic.base");
  set(O::MoveFrom, "move_from.base"), set(O::MoveFromGeneric, "move_from_generic.base");
  set(O::MoveTo, "move_to.base"), set(O::MoveToGeneric, "move_to_generic.base");
  set(O::VecLen, "vec_len.base"), set(O::VecImmBorrow, "vec_imm_borrow.base");
  set(O::VecMutBorrow, "vec_mut_borrow.base"), set(O::VecPushBack, "vec_push_back.base");
  set(O::VecPopBack, "vec_pop_back.base"), set(O::VecSwap, "vec_swap.base");
  set(O::VecPack, "vec_pack.base"), set(O::VecUnpack, "vec_unpack.base");

  ld_const_per_byte = i("ld_const.per_byte");
  copy_loc_per_unit = i("copy_loc.per_abs_val_unit"), read_ref_per_unit = i("read_ref.per_abs_val_unit");
  eq_per_unit = i("eq.per_abs_val_unit"), neq_per_unit = i("neq.per_abs_val_unit");
  call_per_arg = i("call.per_arg"), call_per_local = i("call.per_local");
  call_generic_per_ty_arg = i("call_generic.per_ty_arg"), call_generic_per_arg = i("call_generic.per_arg");
  call_generic_per_local = i("call_generic.per_local");
  pack_per_field = i("pack.per_field"), pack_generic_per_field = i("pack_generic.per_field");
  unpack_per_field = i("unpack.per_field"), unpack_generic_per_field = i("unpack_generic.per_field");
  pack_closure_per_arg = i("pack.closure.per_arg");  // sic: the on-chain name has a dot
  pack_closure_generic_per_arg = i("pack_closure_generic.per_arg");
  vec_pack_per_elem = i("vec_pack.per_elem"), vec_unpack_per_elem = i("vec_unpack.per_expected_elem");
  abort_msg_per_byte = i("abort_msg.per_byte");

  // IO pricing; the parameters were named load_data.* / write_data.* before version 10.
  uint64_t fv = s.feature_version;
  storage_gas = s.storage_gas;
  io_version = fv == 0 ? 1 : fv <= 9 ? (storage_gas ? 2 : 1) : fv <= 11 ? 3 : 4;
  bool renamed = fv >= 10;
  io_per_slot_read = s.get(renamed ? "txn.storage_io_per_state_slot_read" : "txn.load_data.base");
  io_per_byte_read = s.get(renamed ? "txn.storage_io_per_state_byte_read" : "txn.load_data.per_byte");
  io_per_slot_write = s.get(renamed ? "txn.storage_io_per_state_slot_write" : "txn.write_data.per_op");
  io_per_byte_write = s.get(renamed ? "txn.storage_io_per_state_byte_write" : "txn.write_data.per_byte_in_key");
  io_per_event_byte_write = s.get("txn.storage_io_per_event_byte_write");
  io_per_txn_byte_write = s.get("txn.storage_io_per_transaction_byte_write");
  // V2 quota: none before version 3, 1 KiB for 3..4, the parameter from 5.
  free_write_bytes_quota = fv <= 2 ? 0 : fv <= 4 ? 1024 : s.get("txn.free_write_bytes_quota");
  min_transaction_gas_units = s.get("txn.min_transaction_gas_units");
  large_transaction_cutoff = s.get("txn.large_transaction_cutoff");
  intrinsic_gas_per_byte = s.get("txn.intrinsic_gas_per_byte");
  gas_unit_scaling_factor = s.get("txn.gas_unit_scaling_factor", 1);
  if (gas_unit_scaling_factor == 0) gas_unit_scaling_factor = 1;  // as Aptos: avoid div by zero
  max_execution_gas = s.get("txn.max_execution_gas", UINT64_MAX);
  max_io_gas = s.get("txn.max_io_gas", UINT64_MAX);
}

// ---------------------------------------------------------------------------------------------

AptosGasMeter::AptosGasMeter(const GasParameters& params, uint64_t max_gas_amount) : params_(params) {
  unsigned __int128 b = (unsigned __int128)max_gas_amount * params.gas_unit_scaling_factor;
  budget_ = balance_ = b > UINT64_MAX ? UINT64_MAX : uint64_t(b);
}

bool AptosGasMeter::deduct(uint64_t units) {
  if (failure_ != StatusCode::EXECUTED) return false;
  if (units > balance_) {
    balance_ = 0;
    failure_ = StatusCode::OUT_OF_GAS;
    return false;
  }
  balance_ -= units;
  return true;
}

bool AptosGasMeter::charge_execution(uint64_t units) {
  if (!deduct(units)) return false;
  execution_ += units;
  if (params_.schedule.feature_version >= 7 && execution_ > params_.max_execution_gas) {
    failure_ = StatusCode::EXECUTION_LIMIT_REACHED;
    return false;
  }
  return true;
}

bool AptosGasMeter::charge_io(uint64_t units) {
  if (!deduct(units)) return false;
  io_ += units;
  if (params_.schedule.feature_version >= 7 && io_ > params_.max_io_gas) {
    failure_ = StatusCode::IO_LIMIT_REACHED;
    return false;
  }
  return true;
}

bool AptosGasMeter::charge_load_resource(uint64_t bytes) {
  const GasParameters& p = params_;
  switch (p.io_version) {
    case 2: return charge_io(p.storage_gas->per_item_read + p.storage_gas->per_byte_read * bytes);
    case 4: {
      constexpr uint64_t kPage = 4096;  // V4 rounds reads up to whole pages
      uint64_t pages = (bytes + kPage - 1) / kPage;
      return charge_io(p.io_per_slot_read + p.io_per_byte_read * pages * kPage);
    }
    default: return charge_io(p.io_per_slot_read + p.io_per_byte_read * bytes);  // V1 (existing), V3
  }
}

bool AptosGasMeter::charge_io_write(uint64_t key_size, std::optional<uint64_t> value_size, bool creation) {
  const GasParameters& p = params_;
  auto excess = [&](uint64_t n) { return n > p.free_write_bytes_quota ? n - p.free_write_bytes_quota : 0; };
  switch (p.io_version) {
    case 1: {
      uint64_t cost = p.io_per_slot_write + p.io_per_byte_write * key_size;
      uint64_t per_val = p.schedule.get("txn.write_data.per_byte_in_val");
      if (value_size) cost += per_val * *value_size + (creation ? p.schedule.get("txn.write_data.new_item") : 0);
      return charge_io(cost);
    }
    case 2: {
      if (!value_size) return true;
      const StorageGas& g = *p.storage_gas;
      uint64_t size = excess(key_size + *value_size);
      return charge_io(creation ? g.per_item_create + size * g.per_byte_create : g.per_item_write + size * g.per_byte_write);
    }
    case 3:
      if (!value_size) return true;
      return charge_io(p.io_per_slot_write + p.io_per_byte_write * excess(key_size + *value_size));
    default:
      return charge_io(p.io_per_slot_write + p.io_per_byte_write * (key_size + value_size.value_or(0)));
  }
}

bool AptosGasMeter::charge_io_event(uint64_t event_size) {
  return charge_io(params_.io_per_event_byte_write * event_size);
}

bool AptosGasMeter::charge_io_transaction(uint64_t txn_size) {
  return charge_io(params_.io_per_txn_byte_write * txn_size);
}

bool AptosGasMeter::charge_intrinsic(uint64_t txn_size) {
  uint64_t excess = txn_size > params_.large_transaction_cutoff ? txn_size - params_.large_transaction_cutoff : 0;
  return charge_execution(params_.min_transaction_gas_units + params_.intrinsic_gas_per_byte * excess);
}

uint64_t AptosGasMeter::gas_used() const {
  uint64_t s = params_.gas_unit_scaling_factor;
  return (consumed() + s - 1) / s;
}

bool AptosGasMeter::charge_instr(const InstrCharge& c) {
  const GasParameters& p = params_;
  uint64_t base = p.simple[uint8_t(c.op)];
  const AbstractValueSizes& abs = p.abs;
  bool legacy_calls = p.schedule.feature_version < 3;  // no per-local charge before v3
  using O = Opcode;
  switch (c.op) {
    case O::Call:
    case O::CallClosure:
      return charge_execution(base + p.call_per_arg * c.args + (legacy_calls ? 0 : p.call_per_local * c.locals));
    case O::CallGeneric:
      return charge_execution(base + p.call_generic_per_ty_arg * c.type_args + p.call_generic_per_arg * c.args +
                              (legacy_calls ? 0 : p.call_generic_per_local * c.locals));
    case O::Pack:
    case O::PackVariant: return charge_execution(base + p.pack_per_field * c.fields);
    case O::PackGeneric:
    case O::PackVariantGeneric: return charge_execution(base + p.pack_generic_per_field * c.fields);
    case O::Unpack:
    case O::UnpackVariant: return charge_execution(base + p.unpack_per_field * c.fields);
    case O::UnpackGeneric:
    case O::UnpackVariantGeneric: return charge_execution(base + p.unpack_generic_per_field * c.fields);
    case O::PackClosure: return charge_execution(base + p.pack_closure_per_arg * c.fields);
    case O::PackClosureGeneric: return charge_execution(base + p.pack_closure_generic_per_arg * c.fields);
    case O::VecPack: return charge_execution(base + p.vec_pack_per_elem * c.elements);
    case O::VecUnpack: return charge_execution(base + p.vec_unpack_per_elem * c.elements);
    case O::LdConst: return charge_execution(base + p.ld_const_per_byte * c.bytes);
    case O::AbortMsg: return charge_execution(base + p.abort_msg_per_byte * c.bytes);
    case O::CopyLoc: return charge_execution(base + p.copy_loc_per_unit * (c.value ? abs.size(*c.value) : 0));
    case O::ReadRef:
      return charge_execution(base + p.read_ref_per_unit * (c.value ? abs.size_dereferenced(*c.value) : 0));
    case O::Eq:
    case O::Neq: {
      uint64_t units = (c.value ? abs.size_dereferenced(*c.value) : 0) + (c.value2 ? abs.size_dereferenced(*c.value2) : 0);
      return charge_execution(base + (c.op == O::Eq ? p.eq_per_unit : p.neq_per_unit) * units);
    }
    default: return charge_execution(base);
  }
}

}  // namespace lumio::movevm
