// The Move interpreter (Aptos's interpreter.rs semantics): one operand stack, a call stack of
// frames, every instruction of bytecode v5-v10. Values that bytecode could only get wrong when
// unverified (wrong kinds, stack underflow, bad indices) are checked and reported as
// UNKNOWN_INVARIANT_VIOLATION_ERROR instead of crashing.
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>

#include "movevm/runtime.hpp"
#include "movevm/runtime_type_checks.hpp"
#include "movevm/access_control.hpp"
#include "movevm/function_values.hpp"

namespace lumio::movevm {

namespace {

using BigInt = boost::multiprecision::cpp_int;

constexpr uint64_t kIndexOutOfBounds = 1, kPopEmptyVec = 2, kVecUnpackParityMismatch = 3;

struct Fail {
  StatusCode status;
  std::string message;
  std::optional<uint64_t> sub_status;
};

Fail invariant(std::string msg = "invariant violation") {
  return Fail{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, std::move(msg), std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// Integers

int width_of(ValueKind k) {
  switch (k) {
    case ValueKind::U8: case ValueKind::I8: return 8;
    case ValueKind::U16: case ValueKind::I16: return 16;
    case ValueKind::U32: case ValueKind::I32: return 32;
    case ValueKind::U64: case ValueKind::I64: return 64;
    case ValueKind::U128: case ValueKind::I128: return 128;
    case ValueKind::U256: case ValueKind::I256: return 256;
    default: return 0;
  }
}
bool is_signed(ValueKind k) { return k >= ValueKind::I8 && k <= ValueKind::I256; }
bool is_int(ValueKind k) { return k >= ValueKind::U8 && k <= ValueKind::I256; }

BigInt to_big(const Value& v) {
  switch (v.kind) {
    case ValueKind::U8: case ValueKind::U16: case ValueKind::U32: case ValueKind::U64: return BigInt(v.u64);
    case ValueKind::I8: case ValueKind::I16: case ValueKind::I32: case ValueKind::I64: return BigInt(int64_t(v.u64));
    case ValueKind::U128: case ValueKind::I128: {
      BigInt r = BigInt(uint64_t(v.u128 >> 64)) << 64 | BigInt(uint64_t(v.u128));
      if (v.kind == ValueKind::I128 && (v.u128 >> 127)) r -= BigInt(1) << 128;
      return r;
    }
    case ValueKind::U256: case ValueKind::I256: {
      BigInt r = 0;
      for (int i = 3; i >= 0; --i) r = (r << 64) | BigInt(v.u256.w[i]);
      if (v.kind == ValueKind::I256 && (v.u256.w[3] >> 63)) r -= BigInt(1) << 256;
      return r;
    }
    default: return 0;
  }
}

// The value of kind `k` equal to `x`, nullopt when out of range.
std::optional<Value> from_big(const BigInt& x, ValueKind k) {
  int w = width_of(k);
  BigInt lo = is_signed(k) ? -(BigInt(1) << (w - 1)) : BigInt(0);
  BigInt hi = is_signed(k) ? (BigInt(1) << (w - 1)) - 1 : (BigInt(1) << w) - 1;
  if (x < lo || x > hi) return std::nullopt;
  BigInt u = x < 0 ? x + (BigInt(1) << w) : x;
  Value r;
  r.kind = k;
  if (w <= 64) {
    uint64_t bits = u.convert_to<uint64_t>();
    if (is_signed(k) && w < 64 && (bits >> (w - 1)) & 1) bits |= ~uint64_t(0) << w;  // sign-extend
    r.u64 = bits;
  } else if (w == 128) {
    { BigInt hi = u >> 64, lo = u & BigInt(~uint64_t(0)); r.u128 = (unsigned __int128)hi.convert_to<uint64_t>() << 64 | lo.convert_to<uint64_t>(); }
  } else {
    for (int i = 0; i < 4; ++i) { BigInt limb = (u >> (64 * i)) & BigInt(~uint64_t(0)); r.u256.w[i] = limb.convert_to<uint64_t>(); }
  }
  return r;
}

enum class Arith { Add, Sub, Mul, Div, Mod };

const char* arith_message(Arith op) {
  switch (op) {
    case Arith::Add: return "Addition overflow";
    case Arith::Sub: return "Subtraction overflow";
    case Arith::Mul: return "Multiplication overflow";
    case Arith::Div: return "Division by zero";
    case Arith::Mod: return "Integer remainder by zero";
  }
  return "";
}

// a op b for integers of one kind; nullopt-like failure through `fail`.
std::optional<Fail> arith(Arith op, Value& a, const Value& b) {
  if (a.kind != b.kind || !is_int(a.kind)) return invariant("arithmetic on mismatched operands");
  ValueKind k = a.kind;
  int w = width_of(k);
  if (w <= 64 && !is_signed(k)) {
    uint64_t x = a.u64, y = b.u64, r = 0;
    uint64_t max = w == 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
    bool ovf = false;
    switch (op) {
      case Arith::Add: ovf = __builtin_add_overflow(x, y, &r) || r > max; break;
      case Arith::Sub: ovf = __builtin_sub_overflow(x, y, &r); break;
      case Arith::Mul: ovf = __builtin_mul_overflow(x, y, &r) || r > max; break;
      case Arith::Div: if (y == 0) ovf = true; else r = x / y; break;
      case Arith::Mod: if (y == 0) ovf = true; else r = x % y; break;
    }
    if (ovf) return Fail{StatusCode::ARITHMETIC_ERROR, arith_message(op), std::nullopt};
    a.u64 = r;
    return std::nullopt;
  }
  if (k == ValueKind::U128) {
    unsigned __int128 x = a.u128, y = b.u128, r = 0;
    bool ovf = false;
    switch (op) {
      case Arith::Add: ovf = __builtin_add_overflow(x, y, &r); break;
      case Arith::Sub: ovf = __builtin_sub_overflow(x, y, &r); break;
      case Arith::Mul: ovf = __builtin_mul_overflow(x, y, &r); break;
      case Arith::Div: if (y == 0) ovf = true; else r = x / y; break;
      case Arith::Mod: if (y == 0) ovf = true; else r = x % y; break;
    }
    if (ovf) return Fail{StatusCode::ARITHMETIC_ERROR, arith_message(op), std::nullopt};
    a.u128 = r;
    return std::nullopt;
  }
  BigInt x = to_big(a), y = to_big(b), r;
  switch (op) {
    case Arith::Add: r = x + y; break;
    case Arith::Sub: r = x - y; break;
    case Arith::Mul: r = x * y; break;
    case Arith::Div:
    case Arith::Mod:
      if (y == 0) return Fail{StatusCode::ARITHMETIC_ERROR, arith_message(op), std::nullopt};
      if (op == Arith::Div) r = x / y; else r = x % y;  // truncating, as Rust's checked_div/rem
      break;
  }
  auto v = from_big(r, k);
  if (!v || (op == Arith::Mod && is_signed(k) && !from_big(x / y, k)))
    return Fail{StatusCode::ARITHMETIC_ERROR, op == Arith::Div || op == Arith::Mod ? "Division overflow" : arith_message(op),
                std::nullopt};
  a = *v;
  return std::nullopt;
}

std::optional<Fail> bitop(Opcode op, Value& a, const Value& b) {
  if (a.kind != b.kind || !is_int(a.kind)) return invariant("bit operation on mismatched operands");
  switch (a.kind) {
    case ValueKind::U128: case ValueKind::I128:
      if (op == Opcode::BitOr) a.u128 |= b.u128;
      else if (op == Opcode::BitAnd) a.u128 &= b.u128;
      else a.u128 ^= b.u128;
      return std::nullopt;
    case ValueKind::U256: case ValueKind::I256:
      for (int i = 0; i < 4; ++i) {
        if (op == Opcode::BitOr) a.u256.w[i] |= b.u256.w[i];
        else if (op == Opcode::BitAnd) a.u256.w[i] &= b.u256.w[i];
        else a.u256.w[i] ^= b.u256.w[i];
      }
      return std::nullopt;
    default:
      if (op == Opcode::BitOr) a.u64 |= b.u64;
      else if (op == Opcode::BitAnd) a.u64 &= b.u64;
      else a.u64 ^= b.u64;
      return std::nullopt;
  }
}

std::optional<Fail> shift(Opcode op, Value& a, const Value& n) {
  if (n.kind != ValueKind::U8 || !is_int(a.kind) || is_signed(a.kind)) return invariant("bad shift operands");
  int w = width_of(a.kind);
  uint64_t s = n.u64;
  if (s >= uint64_t(w))
    return Fail{StatusCode::ARITHMETIC_ERROR, op == Opcode::Shl ? "Shift Left overflow" : "Shift Right overflow",
                std::nullopt};
  if (w <= 64) {
    uint64_t mask = w == 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
    a.u64 = op == Opcode::Shl ? (a.u64 << s) & mask : a.u64 >> s;
  } else if (w == 128) {
    a.u128 = op == Opcode::Shl ? a.u128 << s : a.u128 >> s;
  } else {
    BigInt x = to_big(a);
    if (op == Opcode::Shl) x = (x << unsigned(s)) & ((BigInt(1) << 256) - 1); else x = x >> unsigned(s);
    a = *from_big(x, a.kind);
  }
  return std::nullopt;
}

// -1, 0, 1
std::optional<int> compare_ints(const Value& a, const Value& b) {
  if (a.kind != b.kind || !is_int(a.kind)) return std::nullopt;
  switch (a.kind) {
    case ValueKind::U8: case ValueKind::U16: case ValueKind::U32: case ValueKind::U64:
      return a.u64 < b.u64 ? -1 : a.u64 > b.u64 ? 1 : 0;
    case ValueKind::I8: case ValueKind::I16: case ValueKind::I32: case ValueKind::I64:
      return int64_t(a.u64) < int64_t(b.u64) ? -1 : int64_t(a.u64) > int64_t(b.u64) ? 1 : 0;
    case ValueKind::U128: return a.u128 < b.u128 ? -1 : a.u128 > b.u128 ? 1 : 0;
    case ValueKind::I128: return a.as_i128() < b.as_i128() ? -1 : a.as_i128() > b.as_i128() ? 1 : 0;
    default: {
      BigInt x = to_big(a), y = to_big(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

ValueKind value_kind_of(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return ValueKind::Bool;
    case TypeKind::U8: return ValueKind::U8;
    case TypeKind::U16: return ValueKind::U16;
    case TypeKind::U32: return ValueKind::U32;
    case TypeKind::U64: return ValueKind::U64;
    case TypeKind::U128: return ValueKind::U128;
    case TypeKind::U256: return ValueKind::U256;
    case TypeKind::I8: return ValueKind::I8;
    case TypeKind::I16: return ValueKind::I16;
    case TypeKind::I32: return ValueKind::I32;
    case TypeKind::I64: return ValueKind::I64;
    case TypeKind::I128: return ValueKind::I128;
    case TypeKind::I256: return ValueKind::I256;
    case TypeKind::Address: return ValueKind::Address;
    default: return ValueKind::Container;
  }
}

ValueKind cast_target(Opcode op) {
  switch (op) {
    case Opcode::CastU8: return ValueKind::U8;
    case Opcode::CastU16: return ValueKind::U16;
    case Opcode::CastU32: return ValueKind::U32;
    case Opcode::CastU64: return ValueKind::U64;
    case Opcode::CastU128: return ValueKind::U128;
    case Opcode::CastU256: return ValueKind::U256;
    case Opcode::CastI8: return ValueKind::I8;
    case Opcode::CastI16: return ValueKind::I16;
    case Opcode::CastI32: return ValueKind::I32;
    case Opcode::CastI64: return ValueKind::I64;
    case Opcode::CastI128: return ValueKind::I128;
    default: return ValueKind::I256;
  }
}

// ---------------------------------------------------------------------------------------------
// Global storage cache of a session.

struct GlobalSlot {
  Type type;
  StructTag tag;
  TypeLayout layout;
  std::optional<Bytes> original;  // bytes in the state view
  Value value;                    // Invalid: absent
};

}  // namespace

struct Session::Impl : NativeContext, ResourceAccess {
  Session& session;
  Loader& loader;
  const VMLimits& limits;
  GasMeter* meter = nullptr;
  std::map<std::pair<AccountAddress, Bytes>, GlobalSlot> globals;  // key: address, BCS of tag
  std::unique_ptr<RuntimeTypeChecker> type_checker;  // paranoid mode: interned types per session

  Impl(Session& s, Loader& l, const VMLimits& lim) : session(s), loader(l), limits(lim) {}

  // NativeContext
  GasMeter& gas() override { return *meter; }
  NativeExtensions& extensions() override { return session.extensions(); }
  ResourceAccess& resources() override { return *this; }
  Expected<TypeLayout> layout_of(const Type& t) override { return loader.layout_of(t); }
  Expected<TypeTag> type_tag_of(const Type& t) override { return loader.tag_of(t); }
  Expected<Type> type_of(const TypeTag& tag) override { return loader.type_of_tag(tag); }
  const StateView* state_view() override { return &session.state_view(); }
  std::optional<VMError> load_module(const AccountAddress& a, const std::string& name) override {
    auto m = loader.load_module(a, name);
    if (!m) return m.error();
    return std::nullopt;
  }
  Expected<const LoadedFunction*> find_function(const AccountAddress& a, const std::string& module,
                                                const std::string& function) override {
    auto m = loader.load_module(a, module);
    if (m)
      for (const auto& f : (*m)->functions)
        if (f->name == function) return f.get();
    // Aptos's loaders report a missing module or function alike (legacy status).
    return VMError{StatusCode::FUNCTION_RESOLUTION_FAILURE,
                   "Module or function do not exist for " + to_hex(a.view(), false) + "::" + module + "::" + function,
                   {}, {}};
  }


  Expected<GlobalSlot*> slot(const AccountAddress& addr, const Type& t) {
    auto tag = loader.tag_of(t);
    if (!tag) return tag.error();
    if (tag->kind != TagKind::Struct) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "not a struct", {}, {}};
    Bytes key;
    tag->struct_tag->serialize(key);
    auto it = globals.find({addr, key});
    if (it != globals.end()) return &it->second;
    GlobalSlot s;
    s.type = t;
    s.tag = *tag->struct_tag;
    auto layout = loader.layout_of(t);
    if (!layout) return layout.error();
    s.layout = std::move(*layout);
    try {
      s.original = session.state_view().get_resource(addr, s.tag);
    } catch (const StorageError& e) {
      return VMError{StatusCode::STORAGE_ERROR, e.message, {}, {}};
    }
    if (meter && !meter->charge_load_resource(s.original ? s.original->size() : 0))
      return VMError{StatusCode::OUT_OF_GAS, "", {}, {}};
    if (s.original) {
      auto v = deserialize_value(*s.original, s.layout);
      if (!v) return VMError{StatusCode::FAILED_TO_DESERIALIZE_RESOURCE, "", {}, {}};
      s.value = std::move(*v);
    }
    return &globals.emplace(std::make_pair(addr, std::move(key)), std::move(s)).first->second;
  }

  // ResourceAccess
  Expected<bool> exists(const AccountAddress& a, const Type& t) override {
    auto s = slot(a, t);
    if (!s) return s.error();
    return (*s)->value.kind != ValueKind::Invalid;
  }
  Expected<std::pair<Value, std::optional<uint64_t>>> borrow_global_loading(const AccountAddress& a, const Type& t,
                                                                           bool mut) override {
    auto tag = loader.tag_of(t);
    if (!tag) return tag.error();
    std::optional<uint64_t> loaded;
    if (tag->kind == TagKind::Struct) {
      Bytes key;
      tag->struct_tag->serialize(key);
      if (!globals.count({a, key})) {
        auto s = slot(a, t);
        if (!s) return s.error();
        loaded = (*s)->original ? (*s)->original->size() : 0;
      }
    }
    auto v = borrow_global(a, t, mut);
    if (!v) return v.error();
    return std::make_pair(std::move(*v), loaded);
  }
  Expected<Value> borrow_global(const AccountAddress& a, const Type& t, bool) override {
    auto s = slot(a, t);
    if (!s) return s.error();
    if ((*s)->value.kind == ValueKind::Invalid)
      return VMError{StatusCode::MISSING_DATA, "Failed to borrow global resource from " + to_hex(a.view(), false), {}, {}};
    return Value::container_ref((*s)->value.c);
  }
  std::optional<VMError> move_to(const AccountAddress& a, const Type& t, Value v) override {
    auto s = slot(a, t);
    if (!s) return s.error();
    if ((*s)->value.kind != ValueKind::Invalid)
      return VMError{StatusCode::RESOURCE_ALREADY_EXISTS, "Failed to move resource into " + to_hex(a.view(), false), {}, {}};
    (*s)->value = std::move(v);
    return std::nullopt;
  }
  Expected<Value> move_from(const AccountAddress& a, const Type& t) override {
    auto s = slot(a, t);
    if (!s) return s.error();
    if ((*s)->value.kind == ValueKind::Invalid)
      return VMError{StatusCode::MISSING_DATA, "Failed to move resource from " + to_hex(a.view(), false), {}, {}};
    Value v = std::move((*s)->value);
    (*s)->value = Value();
    return v;
  }
};

namespace {

struct Frame {
  const LoadedFunction* fn = nullptr;
  const LoadedModule* unit = nullptr;
  const Instruction* code = nullptr;
  uint32_t code_len = 0;
  uint32_t pc = 0;
  ContainerPtr locals;
  std::vector<Type> ty_args;
  FunctionTypes* types = nullptr;  // paranoid mode: this instance's types
  size_t type_base = 0;            // paranoid mode: type stack size at entry (after the arguments)
  // Module lock (Aptos's reentrancy checker, AIP-73): set in a frame entered by native dynamic
  // dispatch and inherited by everything it calls.
  bool locked = false;
};

size_t type_nodes(const Type& t) {
  size_t n = 1;
  for (const auto& a : t.args) n += type_nodes(a);
  return n;
}

// Shallow runtime type check (the paranoid mode's job for unverified code): the value has
// the shape of `t` — the right primitive kind, a reference, or a container of the right kind.
// Applied wherever values are bound to declared types (locals, arguments, returns, fields,
// vector elements), it keeps every value's structure within its type, so value depth stays
// bounded by type depth.
bool shape_ok(const Type& t, const Value& v, std::span<const Type> ty_args) {
  switch (t.kind) {
    case TypeKind::TypeParam:
      return t.index < ty_args.size() ? shape_ok(ty_args[t.index], v, {}) : v.kind != ValueKind::Invalid;
    case TypeKind::Reference: case TypeKind::MutableReference: return v.is_ref();
    case TypeKind::Vector:
      return v.is_container(ContainerKind::Vector) || v.is_container(ContainerKind::VecU8);
    case TypeKind::Struct:
      return v.is_container(t.struct_info->is_enum ? ContainerKind::Variant : ContainerKind::Struct);
    case TypeKind::Signer: return v.is_container(ContainerKind::Signer);
    case TypeKind::Function: return v.is_container(ContainerKind::Closure);
    default: return v.kind == value_kind_of(t.kind) && !v.c;
  }
}

// The operand stack: preallocated slots, no growth checks on the hot path (callers bound its
// size by max_operand_stack). Popped slots are left moved-from (no container reference), so
// use counts of containers stay exact.
class OperandStack {
 public:
  void init(size_t capacity) { slots_.resize(capacity); }
  size_t size() const { return n_; }
  Value& back() { return slots_[n_ - 1]; }
  Value& operator[](size_t i) { return slots_[i]; }
  Value* data() { return slots_.data(); }
  Value* end() { return slots_.data() + n_; }
  void push_back(Value&& v) { slots_[n_++] = std::move(v); }
  void push_back(const Value& v) { slots_[n_++] = v; }
  void pop_back() { slots_[--n_].c.reset(); }
  // Primitive values never hold a container pointer, and free slots hold none either, so
  // pushing/popping primitives copies the payload only.
  void push_prim(ValueKind k, uint64_t v) {
    Value& d = slots_[n_++];
    d.kind = k;
    d.u64 = v;
  }
  void push_prim_copy(const Value& src) {
    Value& d = slots_[n_++];
    d.kind = src.kind;
    d.u256 = src.u256;
  }
  void drop_prim() { --n_; }
  void resize(size_t n) {
    while (n_ > n) slots_[--n_].c.reset();
  }
  std::vector<Value> take() {
    std::vector<Value> r(std::make_move_iterator(slots_.begin()), std::make_move_iterator(slots_.begin() + n_));
    resize(0);
    return r;
  }

 private:
  std::vector<Value> slots_;
  size_t n_ = 0;
};

class Interpreter {
 public:
  Interpreter(Session::Impl& s, Loader& loader, const VMLimits& limits, GasMeter& gas)
      : s_(s), loader_(loader), limits_(limits), gas_(gas), metered_(!gas.unmetered()),
        access_(limits.resource_access_control) {
    stack_.init(limits.max_operand_stack + 64);
    if (limits.paranoid_type_checks) {
      if (!s.type_checker) s.type_checker = std::make_unique<RuntimeTypeChecker>(loader, limits.max_operand_stack);
      rtc_ = s.type_checker.get();
      rtc_->reset();
    }
  }

  // Frames left by an error: their locals may form reference cycles (a local referring to
  // another local of the same frame) that would leak; Ret breaks them, and so does this.
  ~Interpreter() {
    for (auto& f : frames_)
      if (f.locals)
        for (auto& v : f.locals->values) v = Value();
  }

  Outcome<std::vector<Value>> run(const LoadedFunction& entry, std::vector<Type> ty_args, std::vector<Value> args);

 private:
  // Error attributed to the current frame and pc.
  ExecutionError make_error(const Fail& f) {
    ExecutionError e;
    e.error.status = f.status;
    e.error.message = f.message;
    e.sub_status = f.sub_status;
    e.has_exec_state = true;
    if (!frames_.empty()) {
      const Frame& fr = frames_.back();
      locate(e, *fr.unit);
      e.error.offsets.push_back({fr.fn->def_index, uint16_t(fr.pc)});
      for (size_t i = 0; i + 1 < frames_.size(); ++i) {
        StackTraceEntry t;
        if (!frames_[i].unit->is_script) t.module = std::make_pair(frames_[i].unit->address, frames_[i].unit->name);
        t.function = frames_[i].fn->def_index;
        t.pc = uint16_t(frames_[i].pc);
        e.stack_trace.push_back(t);
      }
    }
    return e;
  }
  static void locate(ExecutionError& e, const LoadedModule& unit) {
    if (unit.is_script) {
      e.location = ErrorLocation::Script;
    } else {
      e.location = ErrorLocation::Module;
      e.module_address = unit.address;
      e.module_name = unit.name;
    }
  }

  std::optional<Fail> push_frame(const LoadedFunction& fn, std::vector<Type> ty_args, size_t nargs, Value* args,
                                 bool native_dispatch = false);
  // Runs a native; when the native dispatches (NativeResult::dispatch) the target's frame is
  // pushed and `dispatched_` set: the caller then continues in that frame without advancing
  // its pc (the target's Ret does, as for a call).
  std::optional<Fail> call_native(const LoadedFunction& fn, std::span<const Type> ty_args, std::vector<Value> args);
  std::optional<Fail> dispatch_native(const LoadedFunction& native, NativeDispatch d);
  std::optional<Fail> step_loop();
  std::optional<Fail> check_depth(const Type& t);
  // A generic function instantiation: 1 + the type nodes of the caller's type arguments and
  // of the instantiation must not exceed the limit (Aptos's MAX_TYPE_INSTANTIATION_NODES).
  std::optional<Fail> check_instantiation_size(const Frame& caller, const std::vector<Type>& tys) {
    size_t nodes = 1;
    for (const auto& t : caller.ty_args) nodes += type_nodes(t);
    for (const auto& t : tys) nodes += type_nodes(t);
    if (nodes > limits_.max_type_nodes) return Fail{StatusCode::TOO_MANY_TYPE_NODES, "", std::nullopt};
    return std::nullopt;
  }
  size_t type_depth(const Type& t, int guard);

  Expected<Type> frame_type(const Frame& f, const Type& t) {
    if (f.ty_args.empty()) return t;
    return Loader::instantiate(t, f.ty_args);
  }
  std::vector<Type> inst_types(const Frame& f, TableIndex sig) {
    std::vector<Type> r;
    const auto& tys = f.unit->signatures.at(sig);
    r.reserve(tys.size());
    for (const auto& t : tys) r.push_back(f.ty_args.empty() ? t : Loader::instantiate(t, f.ty_args));
    return r;
  }

  Fail type_fail() const {
    const TypeCheckError& e = rtc_->error();
    return Fail{e.status, e.message, e.sub_status};
  }

  Session::Impl& s_;
  Loader& loader_;
  const VMLimits& limits_;
  RuntimeTypeChecker* rtc_ = nullptr;  // null: paranoid type checks off
  GasMeter& gas_;
  bool metered_;
  AccessControl access_;
  OperandStack stack_;
  std::vector<Frame> frames_;
  std::optional<ExecutionError> pending_;  // error raised with its own location (natives)
  bool dispatched_ = false;                // the last call_native pushed a dispatch target's frame
};

size_t Interpreter::type_depth(const Type& t, int guard) {
  if (guard > 512) return 10000;
  switch (t.kind) {
    case TypeKind::Vector: case TypeKind::Reference: case TypeKind::MutableReference:
      return 1 + type_depth(t.args.at(0), guard + 1);
    case TypeKind::Struct: {
      size_t d = 0;
      const StructInfo& s = *t.struct_info;
      auto visit = [&](const Type& f) { d = std::max(d, type_depth(Loader::instantiate(f, t.args), guard + 1)); };
      for (const auto& f : s.fields) visit(f);
      for (const auto& v : s.variants)
        for (const auto& f : v) visit(f);
      return 1 + d;
    }
    case TypeKind::Function: {
      size_t d = 0;
      for (const auto& a : t.args) d = std::max(d, type_depth(a, guard + 1));
      return 1 + d;
    }
    default: return 1;
  }
}

std::optional<Fail> Interpreter::check_depth(const Type& t) {
  if (type_depth(t, 0) > limits_.max_value_depth)
    return Fail{StatusCode::VM_MAX_VALUE_DEPTH_REACHED, "", std::nullopt};
  return std::nullopt;
}

std::optional<Fail> Interpreter::push_frame(const LoadedFunction& fn, std::vector<Type> ty_args, size_t nargs,
                                            Value* args, bool native_dispatch) {
  // Reentrancy under the module lock: while a natively dispatched call is active, a call into
  // another module that is already on the call stack is refused (Aptos checks this before the
  // frame is built).
  bool locked = native_dispatch || (!frames_.empty() && frames_.back().locked);
  if (locked && !frames_.empty() && fn.module != frames_.back().unit) {
    for (const Frame& active : frames_)
      if (active.unit == fn.module)
        return Fail{StatusCode::RUNTIME_DISPATCH_ERROR,
                    "Reentrancy disallowed: reentering `" + fn.module->id() + "` via function `" + fn.name +
                        "` (module lock is active)",
                    std::nullopt};
  }
  if (frames_.size() >= limits_.max_call_depth) return Fail{StatusCode::CALL_STACK_OVERFLOW, "", std::nullopt};
  Frame f;
  f.locked = locked;
  f.fn = &fn;
  f.unit = fn.module;
  f.code = fn.code->code.data();
  f.code_len = uint32_t(fn.code->code.size());
  f.locals = std::make_shared<Container>(ContainerKind::Locals);
  f.locals->values.resize(fn.locals.size());
  if (nargs > fn.locals.size()) return invariant("too many arguments");
  for (size_t i = 0; i < nargs; ++i) {
    if (!shape_ok(fn.locals[i], args[i], ty_args)) return invariant("argument of the wrong type");
    f.locals->values[i] = std::move(args[i]);
  }
  if (rtc_) {
    f.types = rtc_->callee() && rtc_->callee()->fn == &fn ? rtc_->callee() : rtc_->function_types(fn, ty_args);
    if (!f.types) return type_fail();
    f.type_base = rtc_->size();
  }
  f.ty_args = std::move(ty_args);
  if (auto e = access_.enter(fn, *f.locals)) return Fail{e->status, e->message, std::nullopt};
  frames_.push_back(std::move(f));
  return std::nullopt;
}

std::optional<Fail> Interpreter::call_native(const LoadedFunction& fn, std::span<const Type> ty_args,
                                             std::vector<Value> args) {
  if (!fn.native) {
    return Fail{StatusCode::MISSING_DEPENDENCY, "missing native " + fn.module->id() + "::" + fn.name, std::nullopt};
  }
  s_.meter = &gas_;
  auto r = (*fn.native)(s_, ty_args, args);
  if (!r) return Fail{r.error().status, r.error().message, std::nullopt};
  if (metered_ && !gas_.charge_native(r->cost)) return Fail{StatusCode::OUT_OF_GAS, "", std::nullopt};
  if (r->aborted) {
    Fail f{StatusCode::ABORTED, "", r->abort_code};
    if (r->abort_message) {
      ExecutionError e = make_error(f);
      if (frames_.empty()) locate(e, *fn.module);
      e.abort_message = r->abort_message;
      e.error.message = *r->abort_message;
      pending_ = std::move(e);
    }
    return f;
  }
  if (r->error) return Fail{*r->error, r->message, r->sub_status};
  if (r->dispatch) return dispatch_native(fn, std::move(*r->dispatch));
  if (stack_.size() + r->values.size() > limits_.max_operand_stack)
    return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};
  for (auto& v : r->values) stack_.push_back(std::move(v));
  return std::nullopt;
}

// Aptos's NativeResult::CallFunction: resolve the target (FUNCTION_RESOLUTION_FAILURE when it
// does not exist), require the native's signature minus its trailing dispatch argument
// (RUNTIME_DISPATCH_ERROR otherwise), then enter it as a locking call. No call gas is charged
// for the target: the native's cost covers the dispatch.
std::optional<Fail> Interpreter::dispatch_native(const LoadedFunction& native, NativeDispatch d) {
  auto found = s_.find_function(d.module_address, d.module_name, d.function_name);
  if (!found) return Fail{found.error().status, found.error().message, std::nullopt};
  const LoadedFunction& target = **found;
  if (native.params.empty() || native.type_params != target.type_params || native.returns != target.returns ||
      !std::equal(native.params.begin(), native.params.end() - 1, target.params.begin(), target.params.end()))
    return Fail{StatusCode::RUNTIME_DISPATCH_ERROR, "Invoking function with incompatible type", std::nullopt};
  if (target.is_native() || d.args.size() != target.params.size() || d.ty_args.size() != target.type_params.size())
    return invariant("native dispatch to a native or with a wrong argument count");
  if (auto f = push_frame(target, std::move(d.ty_args), d.args.size(), d.args.data(), true)) return f;
  dispatched_ = true;
  return std::nullopt;
}

Outcome<std::vector<Value>> Interpreter::run(const LoadedFunction& entry, std::vector<Type> ty_args,
                                             std::vector<Value> args) {
  if (entry.is_native()) {
    auto f = call_native(entry, ty_args, std::move(args));
    if (!f && dispatched_) {
      dispatched_ = false;
      f = step_loop();
      if (f && !pending_) return make_error(*f);
    }
    if (f) {
      if (pending_) return *pending_;
      ExecutionError e = make_error(*f);
      locate(e, *entry.module);
      return e;
    }
    return stack_.take();
  }
  if (auto f = push_frame(entry, std::move(ty_args), args.size(), args.data())) return make_error(*f);
  if (auto f = step_loop()) {
    if (pending_) return *pending_;
    return make_error(*f);
  }
  return stack_.take();
}

#define POP(v)                                                   \
  if (stack_.size() <= base) return invariant("empty stack");   \
  Value v = std::move(stack_.back());                           \
  stack_.pop_back()
#define PUSH(v)                                                                                    \
  do {                                                                                             \
    if (stack_.size() >= limits_.max_operand_stack)                                                \
      return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};                          \
    stack_.push_back(v);                                                                           \
  } while (0)
#define CHARGE()                                                                       \
  if (metered_ && !gas_.charge_simple(ins.op)) return Fail{StatusCode::OUT_OF_GAS, "", std::nullopt}
#define CHARGE_WITH(...)                                                                                     \
  do {                                                                                                       \
    if (metered_) {                                                                                          \
      InstrCharge ch_{};                                                                                     \
      ch_.op = ins.op;                                                                                       \
      __VA_ARGS__;                                                                                           \
      if (!gas_.charge_instr(ch_)) return Fail{StatusCode::OUT_OF_GAS, "", std::nullopt};                   \
    }                                                                                                        \
  } while (0)

#define TYPE_CHECK(OP)                                                                                  \
  if (rtc && !rtc->step_op<OP>(*fr->types, *fr->unit, fr->pc, ins, locals, nlocals, fr->type_base))  \
  return type_fail()

std::optional<Fail> Interpreter::step_loop() {
  RuntimeTypeChecker* const rtc = rtc_;  // a local (a register), not a member load per instruction
  // Operand-stack floor of the current frame is not tracked per frame: verified code never
  // pops below what it pushed; for unverified code `base` guards the whole stack.
  const size_t base = 0;
  while (!frames_.empty()) {
    Frame* fr = &frames_.back();
    Value* locals = fr->locals->values.data();
    const size_t nlocals = fr->locals->values.size();
    for (;;) {
      if (fr->pc >= fr->code_len) return Fail{StatusCode::PC_OVERFLOW, "", std::nullopt};
      const Instruction& ins = fr->code[fr->pc];
      // Paranoid type checks: the hot instructions run theirs in their cases (TYPE_CHECK).
      if (rtc && !checked_in_case(ins.op) &&
          !rtc->step(*fr->types, *fr->unit, fr->pc, ins, locals, nlocals, fr->type_base))
        return type_fail();
      switch (ins.op) {
        case Opcode::Nop: CHARGE(); break;
        case Opcode::Pop: {
          TYPE_CHECK(Opcode::Pop);
          CHARGE();
          POP(v);
          (void)v;
          break;
        }
        case Opcode::Ret: {
          CHARGE();
          {
            const auto& rets = fr->fn->returns;
            if (stack_.size() < rets.size()) return invariant("missing return values");
            for (size_t i = 0; i < rets.size(); ++i)
              if (!shape_ok(rets[i], stack_[stack_.size() - rets.size() + i], fr->ty_args))
                return invariant("return value of the wrong type");
          }
          access_.exit(*fr->fn);
          // References into this frame's locals that unverified code let escape now see
          // invalid slots (Aptos drops the locals' values at return), not stale values.
          if (fr->locals.use_count() > 1)
            for (auto& v : fr->locals->values) v = Value();
          frames_.pop_back();
          if (frames_.empty()) return std::nullopt;
          ++frames_.back().pc;
          goto next_frame;
        }
        case Opcode::BrTrue: case Opcode::BrFalse: {
          TYPE_CHECK(Opcode::BrTrue);
          CHARGE();
          if (stack_.size() <= base || stack_.back().kind != ValueKind::Bool) return invariant("branch on a non-bool");
          bool c = stack_.back().b;
          stack_.drop_prim();
          if (c == (ins.op == Opcode::BrTrue)) {
            fr->pc = ins.index;
            continue;
          }
          break;
        }
        case Opcode::Branch:
          CHARGE();
          fr->pc = ins.index;
          continue;
#define PUSH_PRIM(k, v)                                                      \
  do {                                                                       \
    if (stack_.size() >= limits_.max_operand_stack)                          \
      return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};    \
    stack_.push_prim(k, v);                                                  \
  } while (0)
        case Opcode::LdU8: TYPE_CHECK(Opcode::LdU8); CHARGE(); PUSH_PRIM(ValueKind::U8, uint8_t(ins.value)); break;
        case Opcode::LdU16: CHARGE(); PUSH(Value::u16(uint16_t(ins.value))); break;
        case Opcode::LdU32: CHARGE(); PUSH(Value::u32(uint32_t(ins.value))); break;
        case Opcode::LdU64: TYPE_CHECK(Opcode::LdU64); CHARGE(); PUSH_PRIM(ValueKind::U64, ins.value); break;
        case Opcode::LdI8: CHARGE(); PUSH(Value::i64v(ValueKind::I8, int8_t(ins.value))); break;
        case Opcode::LdI16: CHARGE(); PUSH(Value::i64v(ValueKind::I16, int16_t(ins.value))); break;
        case Opcode::LdI32: CHARGE(); PUSH(Value::i64v(ValueKind::I32, int32_t(ins.value))); break;
        case Opcode::LdI64: CHARGE(); PUSH(Value::i64v(ValueKind::I64, int64_t(ins.value))); break;
        case Opcode::LdU128: case Opcode::LdI128: {
          CHARGE();
          unsigned __int128 x = 0;
          for (int i = 15; i >= 0; --i) x = (x << 8) | ins.wide[i];
          Value v = Value::u128v(x);
          if (ins.op == Opcode::LdI128) v.kind = ValueKind::I128;
          PUSH(v);
          break;
        }
        case Opcode::LdU256: case Opcode::LdI256: {
          CHARGE();
          Value v = Value::u256v(U256::from_le_bytes(ins.wide.data()));
          if (ins.op == Opcode::LdI256) v.kind = ValueKind::I256;
          PUSH(v);
          break;
        }
        case Opcode::LdTrue: TYPE_CHECK(Opcode::LdTrue); CHARGE(); PUSH_PRIM(ValueKind::Bool, 0); stack_.back().b = true; break;
        case Opcode::LdFalse: TYPE_CHECK(Opcode::LdTrue); CHARGE(); PUSH_PRIM(ValueKind::Bool, 0); stack_.back().b = false; break;
        case Opcode::LdConst: {
          if (ins.index >= fr->unit->constants.size()) return invariant("bad constant");
          CHARGE_WITH(ch_.bytes = fr->unit->tables->constant_pool[ins.index].data.size());
          PUSH(copy_value(fr->unit->constants[ins.index]));
          break;
        }
        case Opcode::CopyLoc: {
          TYPE_CHECK(Opcode::CopyLoc);
          if (ins.index >= nlocals || locals[ins.index].kind == ValueKind::Invalid)
            return invariant("copy of an unavailable local");
          CHARGE_WITH(ch_.value = &locals[ins.index]);
          if (locals[ins.index].kind == ValueKind::Container) {
            PUSH(copy_value(locals[ins.index]));
          } else if (locals[ins.index].c) {  // a reference
            PUSH(locals[ins.index]);
          } else {
            if (stack_.size() >= limits_.max_operand_stack)
              return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};
            stack_.push_prim_copy(locals[ins.index]);
          }
          break;
        }
        case Opcode::MoveLoc: {
          TYPE_CHECK(Opcode::MoveLoc);
          if (ins.index >= nlocals || locals[ins.index].kind == ValueKind::Invalid)
            return invariant("move of an unavailable local");
          CHARGE_WITH(ch_.value = &locals[ins.index]);
          if (stack_.size() >= limits_.max_operand_stack)
            return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};
          stack_.push_back(std::move(locals[ins.index]));
          locals[ins.index].kind = ValueKind::Invalid;
          break;
        }
        case Opcode::StLoc: {
          TYPE_CHECK(Opcode::StLoc);
          if (ins.index >= nlocals) return invariant("bad local");
          if (stack_.size() <= base) return invariant("empty stack");
          CHARGE_WITH(ch_.value = &stack_.back());
          if (ValueKind k = fr->fn->local_prim_kinds[ins.index]; k != ValueKind::Invalid
                  ? stack_.back().kind != k || stack_.back().c
                  : !shape_ok(fr->fn->locals[ins.index], stack_.back(), fr->ty_args))
            return invariant("store of a value of the wrong type");
          locals[ins.index] = std::move(stack_.back());
          stack_.drop_prim();  // moved-from: holds no container any more
          break;
        }
        case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc: {
          CHARGE();
          if (ins.index >= nlocals || locals[ins.index].kind == ValueKind::Invalid)
            return invariant("borrow of an unavailable local");
          const Value& l = locals[ins.index];
          if (l.is_ref()) return invariant("borrow of a reference");
          if (l.kind == ValueKind::Container) PUSH(Value::container_ref(l.c));
          else PUSH(Value::indexed_ref(fr->locals, ins.index));
          break;
        }
        case Opcode::ImmBorrowField: case Opcode::MutBorrowField:
        case Opcode::ImmBorrowFieldGeneric: case Opcode::MutBorrowFieldGeneric:
        case Opcode::ImmBorrowVariantField: case Opcode::MutBorrowVariantField:
        case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::MutBorrowVariantFieldGeneric: {
          CHARGE();
          const CompiledModule* m = fr->unit->module.get();
          if (!m) return invariant("field access in a script");
          uint16_t field = 0;
          const std::vector<uint16_t>* variants = nullptr;
          bool generic = ins.op == Opcode::ImmBorrowFieldGeneric || ins.op == Opcode::MutBorrowFieldGeneric ||
                         ins.op == Opcode::ImmBorrowVariantFieldGeneric ||
                         ins.op == Opcode::MutBorrowVariantFieldGeneric;
          bool variant_op = ins.op >= Opcode::ImmBorrowVariantField && ins.op <= Opcode::MutBorrowVariantFieldGeneric;
          TableIndex h = ins.index;
          if (generic) {
            const auto& insts = variant_op ? m->variant_field_instantiations : m->field_instantiations;
            if (h >= insts.size()) return invariant("bad field instantiation");
            h = insts[h].handle;
          }
          if (variant_op) {
            if (h >= m->variant_field_handles.size()) return invariant("bad field handle");
            field = m->variant_field_handles[h].field;
            variants = &m->variant_field_handles[h].variants;
          } else {
            if (h >= m->field_handles.size()) return invariant("bad field handle");
            field = m->field_handles[h].field;
          }
          POP(r);
          if (r.kind != ValueKind::ContainerRef || !r.c) return invariant("field borrow of a non-reference");
          Container& c = *r.c;
          if (variants) {
            if (c.kind != ContainerKind::Variant) return invariant("variant field borrow on a struct");
            if (std::find(variants->begin(), variants->end(), c.variant) == variants->end())
              return Fail{StatusCode::STRUCT_VARIANT_MISMATCH, "", std::nullopt};
          } else if (c.kind != ContainerKind::Struct) {
            return invariant("field borrow on a non-struct");
          }
          if (field >= c.values.size()) return invariant("field out of range");
          const Value& fv = c.values[field];
          if (fv.kind == ValueKind::Container) PUSH(Value::container_ref(fv.c));
          else PUSH(Value::indexed_ref(r.c, field));
          break;
        }
        case Opcode::Call: case Opcode::CallGeneric: {
          const LoadedFunction* callee = nullptr;
          std::vector<Type> tys;
          if (ins.op == Opcode::Call) {
            if (ins.index >= fr->unit->function_handles.size()) return invariant("bad function handle");
            callee = fr->unit->function_handles[ins.index];
          } else {
            const auto& insts = fr->unit->tables->function_instantiations;
            if (ins.index >= insts.size()) return invariant("bad function instantiation");
            callee = fr->unit->function_handles.at(insts[ins.index].handle);
            tys = inst_types(*fr, insts[ins.index].type_parameters);
            if (auto f = check_instantiation_size(*fr, tys)) return f;
          }
          size_t nargs = callee->params.size();
          CHARGE_WITH(ch_.args = nargs; ch_.locals = callee->locals.size(); ch_.type_args = tys.size());
          if (stack_.size() < nargs) return invariant("empty stack");
          if (callee->is_native()) {
            std::vector<Value> args(std::make_move_iterator(stack_.end() - nargs), std::make_move_iterator(stack_.end()));
            stack_.resize(stack_.size() - nargs);
            const size_t before = stack_.size();
            if (auto f = call_native(*callee, tys, std::move(args))) return f;
            if (dispatched_) {
              dispatched_ = false;
              goto next_frame;
            }
            if (rtc_ && !rtc_->native_returns(*rtc_->callee(), stack_.size() - before)) return type_fail();
            break;
          }
          Value* args = stack_.data() + stack_.size() - nargs;
          if (auto f = push_frame(*callee, std::move(tys), nargs, args)) return f;
          stack_.resize(stack_.size() - nargs);
          goto next_frame;
        }
        case Opcode::Pack: case Opcode::PackGeneric: case Opcode::PackVariant: case Opcode::PackVariantGeneric: {
          const CompiledModule* m = fr->unit->module.get();
          if (!m) return invariant("pack in a script");
          TableIndex def = 0;
          std::optional<uint16_t> variant;
          std::vector<Type> tys;
          if (ins.op == Opcode::Pack) {
            def = ins.index;
          } else if (ins.op == Opcode::PackGeneric) {
            if (ins.index >= m->struct_def_instantiations.size()) return invariant("bad instantiation");
            def = m->struct_def_instantiations[ins.index].handle;
            tys = inst_types(*fr, m->struct_def_instantiations[ins.index].type_parameters);
          } else {
            TableIndex h = ins.index;
            if (ins.op == Opcode::PackVariantGeneric) {
              if (h >= m->struct_variant_instantiations.size()) return invariant("bad instantiation");
              tys = inst_types(*fr, m->struct_variant_instantiations[h].type_parameters);
              h = m->struct_variant_instantiations[h].handle;
            }
            if (h >= m->struct_variant_handles.size()) return invariant("bad variant handle");
            def = m->struct_variant_handles[h].struct_index;
            variant = m->struct_variant_handles[h].variant;
          }
          if (def >= fr->unit->structs.size()) return invariant("bad struct");
          const StructInfo& si = *fr->unit->structs[def];
          size_t n = 0;
          if (variant) {
            if (!si.is_enum || *variant >= si.variants.size()) return invariant("bad variant");
            n = si.variants[*variant].size();
          } else {
            if (si.is_enum) return invariant("pack of an enum");
            n = si.fields.size();
          }
          CHARGE_WITH(ch_.fields = n);
          Type st{TypeKind::Struct, 0, 0, 0, &si, std::move(tys)};
          if (auto f = check_depth(st)) return f;
          if (stack_.size() < n) return invariant("empty stack");
          auto c = std::make_shared<Container>(variant ? ContainerKind::Variant : ContainerKind::Struct);
          if (variant) c->variant = *variant;
          c->values.assign(std::make_move_iterator(stack_.end() - n), std::make_move_iterator(stack_.end()));
          stack_.resize(stack_.size() - n);
          const auto& ftys = variant ? si.variants[*variant] : si.fields;
          for (size_t i = 0; i < n; ++i)
            if (ftys[i].is_reference() || !shape_ok(ftys[i], c->values[i], st.args))
              return invariant("field of the wrong type");
          PUSH(Value::container(std::move(c)));
          break;
        }
        case Opcode::Unpack: case Opcode::UnpackGeneric: case Opcode::UnpackVariant: case Opcode::UnpackVariantGeneric: {
          const CompiledModule* m = fr->unit->module.get();
          if (!m) return invariant("unpack in a script");
          std::optional<uint16_t> variant;
          if (ins.op == Opcode::UnpackVariant || ins.op == Opcode::UnpackVariantGeneric) {
            TableIndex h = ins.index;
            if (ins.op == Opcode::UnpackVariantGeneric) {
              if (h >= m->struct_variant_instantiations.size()) return invariant("bad instantiation");
              h = m->struct_variant_instantiations[h].handle;
            }
            if (h >= m->struct_variant_handles.size()) return invariant("bad variant handle");
            variant = m->struct_variant_handles[h].variant;
          }
          POP(v);
          if (v.kind != ValueKind::Container || !v.c) return invariant("unpack of a non-struct");
          if (variant) {
            if (v.c->kind != ContainerKind::Variant) return invariant("unpack variant of a struct");
            if (v.c->variant != *variant) return Fail{StatusCode::STRUCT_VARIANT_MISMATCH, "", std::nullopt};
          } else if (v.c->kind != ContainerKind::Struct) {
            return invariant("unpack of a non-struct");
          }
          CHARGE_WITH(ch_.fields = v.c->values.size());
          if (stack_.size() + v.c->values.size() > limits_.max_operand_stack)
            return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};
          if (v.c.use_count() == 1) {
            for (auto& f : v.c->values) stack_.push_back(std::move(f));
          } else {
            for (auto& f : v.c->values) stack_.push_back(copy_value(f));
          }
          break;
        }
        case Opcode::TestVariant: case Opcode::TestVariantGeneric: {
          CHARGE();
          const CompiledModule* m = fr->unit->module.get();
          if (!m) return invariant("test variant in a script");
          TableIndex h = ins.index;
          if (ins.op == Opcode::TestVariantGeneric) {
            if (h >= m->struct_variant_instantiations.size()) return invariant("bad instantiation");
            h = m->struct_variant_instantiations[h].handle;
          }
          if (h >= m->struct_variant_handles.size()) return invariant("bad variant handle");
          POP(r);
          if (r.kind != ValueKind::ContainerRef || !r.c || r.c->kind != ContainerKind::Variant)
            return invariant("test variant of a non-enum");
          PUSH(Value::boolean(r.c->variant == m->struct_variant_handles[h].variant));
          break;
        }
        case Opcode::ReadRef: {
          POP(r);
          auto v = read_ref(r);
          if (!v) return invariant(v.error().message);
          CHARGE_WITH(ch_.value = &*v);
          PUSH(std::move(*v));
          break;
        }
        case Opcode::WriteRef: {
          POP(r);
          POP(v);
          CHARGE_WITH(ch_.value = &v);
          if (auto e = write_ref(r, std::move(v))) return invariant(e->message);
          break;
        }
        case Opcode::FreezeRef: {
          CHARGE();
          if (stack_.size() <= base || !stack_.back().is_ref()) return invariant("freeze of a non-reference");
          break;
        }
        case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Div: case Opcode::Mod: {
          TYPE_CHECK(Opcode::Add);
          CHARGE();
          if (stack_.size() < base + 2) return invariant("empty stack");
          const Value& b = stack_.back();
          Value& a = stack_[stack_.size() - 2];
          if (b.kind != a.kind || b.c) return invariant("arithmetic on mismatched operands");
          stack_.drop_prim();  // b stays readable: the slot is not reused before the next push
          // Fast path: u64 (the common case) without the generic dispatch.
          if (a.kind == ValueKind::U64 && b.kind == ValueKind::U64) {
            bool ovf = false;
            switch (ins.op) {
              case Opcode::Add: ovf = __builtin_add_overflow(a.u64, b.u64, &a.u64); break;
              case Opcode::Sub: ovf = __builtin_sub_overflow(a.u64, b.u64, &a.u64); break;
              case Opcode::Mul: ovf = __builtin_mul_overflow(a.u64, b.u64, &a.u64); break;
              case Opcode::Div: if (b.u64 == 0) ovf = true; else a.u64 /= b.u64; break;
              default: if (b.u64 == 0) ovf = true; else a.u64 %= b.u64; break;
            }
            if (__builtin_expect(ovf, 0)) {
              Arith op = ins.op == Opcode::Add ? Arith::Add : ins.op == Opcode::Sub ? Arith::Sub
                         : ins.op == Opcode::Mul ? Arith::Mul : ins.op == Opcode::Div ? Arith::Div : Arith::Mod;
              return Fail{StatusCode::ARITHMETIC_ERROR, arith_message(op), std::nullopt};
            }
            break;
          }
          Arith op = ins.op == Opcode::Add ? Arith::Add : ins.op == Opcode::Sub ? Arith::Sub
                     : ins.op == Opcode::Mul ? Arith::Mul : ins.op == Opcode::Div ? Arith::Div : Arith::Mod;
          if (auto f = arith(op, a, b)) return f;
          break;
        }
        case Opcode::BitOr: case Opcode::BitAnd: case Opcode::Xor: {
          CHARGE();
          POP(b);
          if (stack_.size() <= base) return invariant("empty stack");
          if (auto f = bitop(ins.op, stack_.back(), b)) return f;
          break;
        }
        case Opcode::Shl: case Opcode::Shr: {
          CHARGE();
          POP(n);
          if (stack_.size() <= base) return invariant("empty stack");
          if (auto f = shift(ins.op, stack_.back(), n)) return f;
          break;
        }
        case Opcode::Or: case Opcode::And: {
          CHARGE();
          POP(b);
          POP(a);
          if (a.kind != ValueKind::Bool || b.kind != ValueKind::Bool) return invariant("boolean op on non-bools");
          PUSH(Value::boolean(ins.op == Opcode::Or ? (a.b || b.b) : (a.b && b.b)));
          break;
        }
        case Opcode::Not: {
          CHARGE();
          if (stack_.size() <= base || stack_.back().kind != ValueKind::Bool) return invariant("not of a non-bool");
          stack_.back().b = !stack_.back().b;
          break;
        }
        case Opcode::Negate: {
          CHARGE();
          if (stack_.size() <= base) return invariant("empty stack");
          Value& a = stack_.back();
          if (!is_signed(a.kind)) return invariant("negate of an unsigned value");
          auto r = from_big(-to_big(a), a.kind);
          if (!r) return Fail{StatusCode::ARITHMETIC_ERROR, "Negation overflow", std::nullopt};
          a = *r;
          break;
        }
        case Opcode::Eq: case Opcode::Neq: {
          POP(b);
          POP(a);
          CHARGE_WITH(ch_.value = &a; ch_.value2 = &b);
          auto r = values_equal(a, b);
          if (!r) return invariant("equality of different types");
          PUSH(Value::boolean(ins.op == Opcode::Eq ? *r : !*r));
          break;
        }
        case Opcode::Lt: case Opcode::Gt: case Opcode::Le: case Opcode::Ge: {
          TYPE_CHECK(Opcode::Lt);
          CHARGE();
          if (stack_.size() < base + 2) return invariant("empty stack");
          const Value& b = stack_.back();
          Value& a = stack_[stack_.size() - 2];
          if (b.c) return invariant("comparison of non-integers");
          stack_.drop_prim();
          if (a.kind == ValueKind::U64 && b.kind == ValueKind::U64) {
            uint64_t x = a.u64, y = b.u64;
            a.kind = ValueKind::Bool;
            a.b = ins.op == Opcode::Lt ? x < y : ins.op == Opcode::Gt ? x > y : ins.op == Opcode::Le ? x <= y : x >= y;
            break;
          }
          auto c = compare_ints(a, b);
          if (!c) return invariant("comparison of non-integers");
          bool r = ins.op == Opcode::Lt ? *c < 0 : ins.op == Opcode::Gt ? *c > 0 : ins.op == Opcode::Le ? *c <= 0 : *c >= 0;
          a = Value::boolean(r);
          break;
        }
        case Opcode::CastU8: case Opcode::CastU16: case Opcode::CastU32: case Opcode::CastU64:
        case Opcode::CastU128: case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16:
        case Opcode::CastI32: case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256: {
          CHARGE();
          if (stack_.size() <= base || !is_int(stack_.back().kind)) return invariant("cast of a non-integer");
          Value& a = stack_.back();
          ValueKind to = cast_target(ins.op);
          if (a.kind == ValueKind::U64 && to == ValueKind::U8) {  // common case
            if (a.u64 > 0xFF) return Fail{StatusCode::ARITHMETIC_ERROR, "Cannot cast u64(" + std::to_string(a.u64) + ") to u8", std::nullopt};
            a.kind = to;
            break;
          }
          auto r = from_big(to_big(a), to);
          if (!r) return Fail{StatusCode::ARITHMETIC_ERROR, "Cannot cast", std::nullopt};
          a = *r;
          break;
        }
        case Opcode::Abort: case Opcode::AbortMsg: {
          CHARGE();
          std::optional<std::string> msg;
          if (ins.op == Opcode::AbortMsg) {
            POP(m);
            if (!m.is_container(ContainerKind::VecU8) && !m.is_container(ContainerKind::Vector))
              return invariant("abort message is not a vector<u8>");
            Bytes b;
            if (m.c->kind == ContainerKind::VecU8) b = m.c->bytes;
            else
              for (const auto& x : m.c->values) b.push_back(uint8_t(x.u64));
            msg = std::string(b.begin(), b.end());
          }
          POP(code);
          if (code.kind != ValueKind::U64) return invariant("abort code is not a u64");
          Fail f{StatusCode::ABORTED, "", code.u64};
          if (msg) {
            ExecutionError e = make_error(f);
            e.abort_message = msg;
            e.error.message = *msg;
            pending_ = std::move(e);
          }
          return f;
        }
        case Opcode::Exists: case Opcode::ExistsGeneric:
        case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
        case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric:
        case Opcode::MoveFrom: case Opcode::MoveFromGeneric:
        case Opcode::MoveTo: case Opcode::MoveToGeneric: {
          const CompiledModule* m = fr->unit->module.get();
          if (!m) return invariant("global access in a script");
          bool generic = ins.op == Opcode::ExistsGeneric || ins.op == Opcode::MutBorrowGlobalGeneric ||
                         ins.op == Opcode::ImmBorrowGlobalGeneric || ins.op == Opcode::MoveFromGeneric ||
                         ins.op == Opcode::MoveToGeneric;
          TableIndex def = ins.index;
          std::vector<Type> tys;
          if (generic) {
            if (def >= m->struct_def_instantiations.size()) return invariant("bad instantiation");
            tys = inst_types(*fr, m->struct_def_instantiations[def].type_parameters);
            def = m->struct_def_instantiations[def].handle;
          }
          if (def >= fr->unit->structs.size()) return invariant("bad struct");
          Type st{TypeKind::Struct, 0, 0, 0, fr->unit->structs[def].get(), std::move(tys)};
          if (!(loader_.abilities_of(st) & kAbilityKey)) return invariant("global access to a type without key");
          if (access_.enabled())
            if (auto e = access_.check(ins.op, st, stack_.data(), stack_.size())) return Fail{e->status, e->message, std::nullopt};
          auto vm_fail = [](const VMError& e) { return Fail{e.status, e.message, std::nullopt}; };
          switch (ins.op) {
            case Opcode::Exists: case Opcode::ExistsGeneric: {
              POP(a);
              if (a.kind != ValueKind::Address) return invariant("exists on a non-address");
              auto r = s_.exists(a.address, st);
              if (!r) return vm_fail(r.error());
              CHARGE_WITH(ch_.type = &st; ch_.success = *r);
              PUSH(Value::boolean(*r));
              break;
            }
            case Opcode::MoveFrom: case Opcode::MoveFromGeneric: {
              POP(a);
              if (a.kind != ValueKind::Address) return invariant("move_from on a non-address");
              auto r = s_.move_from(a.address, st);
              CHARGE_WITH(ch_.type = &st; ch_.success = r.ok());
              if (!r) return vm_fail(r.error());
              PUSH(std::move(*r));
              break;
            }
            case Opcode::MoveTo: case Opcode::MoveToGeneric: {
              POP(v);
              POP(sref);
              if (sref.kind != ValueKind::ContainerRef || !sref.c || sref.c->kind != ContainerKind::Signer ||
                  sref.c->values.empty())
                return invariant("move_to without a signer reference");
              if (v.kind != ValueKind::Container) return invariant("move_to of a non-struct");
              AccountAddress addr = sref.c->values[0].address;
              auto e = s_.move_to(addr, st, std::move(v));
              CHARGE_WITH(ch_.type = &st; ch_.success = !e);
              if (e) return vm_fail(*e);
              break;
            }
            default: {
              POP(a);
              if (a.kind != ValueKind::Address) return invariant("borrow_global on a non-address");
              bool mut = ins.op == Opcode::MutBorrowGlobal || ins.op == Opcode::MutBorrowGlobalGeneric;
              auto r = s_.borrow_global(a.address, st, mut);
              CHARGE_WITH(ch_.type = &st; ch_.success = r.ok());
              if (!r) return vm_fail(r.error());
              PUSH(std::move(*r));
              break;
            }
          }
          break;
        }
        case Opcode::VecPack: {
          auto tys = inst_types(*fr, ins.index);
          if (tys.size() != 1) return invariant("bad vector signature");
          size_t n = ins.value;
          CHARGE_WITH(ch_.elements = n; ch_.type = &tys[0]);
          Type vt{TypeKind::Vector, 0, 0, 0, nullptr, {tys[0]}};
          if (auto f = check_depth(vt)) return f;
          if (stack_.size() < n) return invariant("empty stack");
          Value v;
          if (tys[0].kind == TypeKind::U8) {
            Bytes b;
            b.reserve(n);
            for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
              if (stack_[i].kind != ValueKind::U8) return invariant("vector element of the wrong type");
              b.push_back(uint8_t(stack_[i].u64));
            }
            v = make_vec_u8(std::move(b));
          } else {
            for (size_t i = stack_.size() - n; i < stack_.size(); ++i)
              if (tys[0].is_reference() || !shape_ok(tys[0], stack_[i], {})) return invariant("vector element of the wrong type");
            std::vector<Value> elems(std::make_move_iterator(stack_.end() - n), std::make_move_iterator(stack_.end()));
            v = make_vector(std::move(elems));
          }
          stack_.resize(stack_.size() - n);
          PUSH(std::move(v));
          break;
        }
        case Opcode::VecLen: case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: case Opcode::VecPushBack:
        case Opcode::VecPopBack: case Opcode::VecSwap: {
          std::optional<Value> extra1, extra2;
          if (ins.op == Opcode::VecSwap) {
            POP(j);
            POP(i);
            extra1 = std::move(i);
            extra2 = std::move(j);
          } else if (ins.op == Opcode::VecImmBorrow || ins.op == Opcode::VecMutBorrow || ins.op == Opcode::VecPushBack) {
            POP(x);
            extra1 = std::move(x);
          }
          POP(r);
          if (r.kind != ValueKind::ContainerRef || !r.c ||
              (r.c->kind != ContainerKind::Vector && r.c->kind != ContainerKind::VecU8))
            return invariant("vector operation on a non-vector reference");
          Container& c = *r.c;
          bool bytes = c.kind == ContainerKind::VecU8;
          size_t len = c.size();
          auto oob = [] { return Fail{StatusCode::VECTOR_OPERATION_ERROR, "index out of bounds", kIndexOutOfBounds}; };
          switch (ins.op) {
            case Opcode::VecLen: CHARGE(); PUSH(Value::u64v(len)); break;
            case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: {
              CHARGE();
              if (extra1->kind != ValueKind::U64) return invariant("vector index is not a u64");
              if (extra1->u64 >= len) return oob();
              size_t i = extra1->u64;
              if (!bytes && c.values[i].kind == ValueKind::Container) PUSH(Value::container_ref(c.values[i].c));
              else PUSH(Value::indexed_ref(r.c, uint32_t(i)));
              break;
            }
            case Opcode::VecPushBack: {
              CHARGE_WITH(ch_.value = &*extra1);
              if (bytes) {
                if (extra1->kind != ValueKind::U8) return invariant("vector element of the wrong type");
                c.bytes.push_back(uint8_t(extra1->u64));
              } else {
                const auto& ety = fr->unit->signatures.at(ins.index);
                if (ety.size() != 1 || ety[0].is_reference() || !shape_ok(ety[0], *extra1, fr->ty_args))
                  return invariant("vector element of the wrong type");
                c.values.push_back(std::move(*extra1));
              }
              break;
            }
            case Opcode::VecPopBack: {
              CHARGE();
              if (len == 0) return Fail{StatusCode::VECTOR_OPERATION_ERROR, "pop from an empty vector", kPopEmptyVec};
              if (bytes) {
                PUSH(Value::u8(c.bytes.back()));
                c.bytes.pop_back();
              } else {
                Value v = std::move(c.values.back());
                c.values.pop_back();
                PUSH(std::move(v));
              }
              break;
            }
            default: {  // VecSwap
              CHARGE();
              if (extra1->kind != ValueKind::U64 || extra2->kind != ValueKind::U64)
                return invariant("vector index is not a u64");
              if (extra1->u64 >= len || extra2->u64 >= len) return oob();
              if (bytes) std::swap(c.bytes[extra1->u64], c.bytes[extra2->u64]);
              else std::swap(c.values[extra1->u64], c.values[extra2->u64]);
              break;
            }
          }
          break;
        }
        case Opcode::VecUnpack: {
          size_t n = ins.value;
          CHARGE_WITH(ch_.elements = n);
          POP(v);
          if (v.kind != ValueKind::Container || !v.c ||
              (v.c->kind != ContainerKind::Vector && v.c->kind != ContainerKind::VecU8))
            return invariant("unpack of a non-vector");
          if (v.c->size() != n)
            return Fail{StatusCode::VECTOR_OPERATION_ERROR, "vector unpack length mismatch", kVecUnpackParityMismatch};
          if (stack_.size() + n > limits_.max_operand_stack)
            return Fail{StatusCode::EXECUTION_STACK_OVERFLOW, "", std::nullopt};
          if (v.c->kind == ContainerKind::VecU8) {
            for (uint8_t b : v.c->bytes) stack_.push_back(Value::u8(b));
          } else {
            for (auto& e : v.c->values) stack_.push_back(v.c.use_count() == 1 ? std::move(e) : copy_value(e));
          }
          break;
        }
        case Opcode::PackClosure: case Opcode::PackClosureGeneric: {
          const LoadedFunction* fn = nullptr;
          std::vector<Type> tys;
          if (ins.op == Opcode::PackClosure) {
            if (ins.index >= fr->unit->function_handles.size()) return invariant("bad function handle");
            fn = fr->unit->function_handles[ins.index];
          } else {
            const auto& insts = fr->unit->tables->function_instantiations;
            if (ins.index >= insts.size()) return invariant("bad function instantiation");
            fn = fr->unit->function_handles.at(insts[ins.index].handle);
            tys = inst_types(*fr, insts[ins.index].type_parameters);
            if (auto f = check_instantiation_size(*fr, tys)) return f;
          }
          uint64_t mask = ins.value;
          if (fn->params.size() < 64 && (mask >> fn->params.size()))
            return Fail{StatusCode::INVALID_CLOSURE_MASK, "", std::nullopt};
          size_t n = size_t(std::popcount(mask));
          CHARGE_WITH(ch_.fields = n);
          if (stack_.size() < n) return invariant("empty stack");
          auto c = std::make_shared<Container>(ContainerKind::Closure);
          c->function = fn;
          c->function_type_args = std::move(tys);
          c->mask = mask;
          c->values.assign(std::make_move_iterator(stack_.end() - n), std::make_move_iterator(stack_.end()));
          stack_.resize(stack_.size() - n);
          PUSH(Value::container(std::move(c)));
          break;
        }
        case Opcode::CallClosure: {
          POP(cl);
          if (cl.is_container(ContainerKind::Closure) && !cl.c->function && cl.c->stored)
            if (auto e = resolve_closure(loader_, *cl.c)) return Fail{e->status, e->message, std::nullopt};
          if (!cl.is_container(ContainerKind::Closure) || !cl.c->function) return invariant("call of a non-closure");
          const LoadedFunction& fn = *cl.c->function;
          size_t total = fn.params.size();
          size_t captured = cl.c->values.size();
          if (captured > total) return invariant("closure captures too much");
          if (size_t(std::popcount(total < 64 ? cl.c->mask & ((uint64_t(1) << total) - 1) : cl.c->mask)) != captured)
            return invariant("closure mask does not match its captured values");
          if (rtc_ && !rtc_->closure_call(fn, cl.c->function_type_args, cl.c->mask)) return type_fail();
          size_t provided = total - captured;
          CHARGE_WITH(ch_.args = total; ch_.locals = fn.locals.size(); ch_.type_args = cl.c->function_type_args.size());
          if (stack_.size() < provided) return invariant("empty stack");
          std::vector<Value> args(total);
          size_t ci = 0, pi = stack_.size() - provided;
          for (size_t i = 0; i < total; ++i) {
            if (i < 64 && (cl.c->mask >> i) & 1) args[i] = cl.c.use_count() == 1 ? std::move(cl.c->values[ci++]) : copy_value(cl.c->values[ci++]);
            else args[i] = std::move(stack_[pi++]);
          }
          stack_.resize(stack_.size() - provided);
          if (fn.is_native()) {
            const size_t before = stack_.size();
            if (auto f = call_native(fn, cl.c->function_type_args, std::move(args))) return f;
            if (dispatched_) {
              dispatched_ = false;
              goto next_frame;
            }
            if (rtc_ && !rtc_->native_returns(*rtc_->callee(), stack_.size() - before)) return type_fail();
            break;
          }
          if (auto f = push_frame(fn, cl.c->function_type_args, total, args.data())) return f;
          goto next_frame;
        }
      }
      ++fr->pc;
    }
  next_frame:;
  }
  return std::nullopt;
}

// Argument values from BCS per parameter type; a reference parameter takes the referenced
// type's bytes (the value is held in `owned` and borrowed).
}  // namespace

Session::Session(const StateView& state, const NativeRegistry& natives, VMLimits limits)
    : state_(state), loader_(std::make_shared<Loader>(state, natives)), limits_(limits) {
  impl_ = std::make_unique<Impl>(*this, *loader_, limits_);
}

Session::Session(const StateView& state, std::shared_ptr<Loader> code_cache, VMLimits limits)
    : state_(state), loader_(std::move(code_cache)), limits_(limits) {
  impl_ = std::make_unique<Impl>(*this, *loader_, limits_);
}

Session::~Session() = default;

void Session::publish_module(std::shared_ptr<const CompiledModule> module, Bytes bytes) {
  const auto& h = module->module_handles.at(module->self_module_handle_idx);
  published_[{module->address_identifiers.at(h.address), module->identifiers.at(h.name)}] = std::move(bytes);
  loader_->add_module(std::move(module));
  impl_->type_checker.reset();  // its cached types may name the replaced module's (freed) definitions
}

namespace {
ExecutionError load_error(const VMError& e) {
  ExecutionError r;
  r.error = e;
  r.location = ErrorLocation::Undefined;
  return r;
}
}  // namespace

Outcome<ExecutionResult> Session::execute_function(const AccountAddress& address, const std::string& module,
                                                   const std::string& function, const std::vector<TypeTag>& type_args,
                                                   const std::vector<AccountAddress>& signers,
                                                   const std::vector<Bytes>& args, GasMeter& gas) {
  auto m = loader_->load_module(address, module);
  if (!m) return load_error(m.error());
  for (const auto& f : (*m)->functions)
    if (f->name == function) return execute(*f, type_args, signers, args, gas);
  return load_error(VMError{StatusCode::FUNCTION_RESOLUTION_FAILURE, "", {}, {}});
}

Outcome<std::vector<Bytes>> Session::execute_view_function(const AccountAddress& address, const std::string& module,
                                                           const std::string& function,
                                                           const std::vector<TypeTag>& type_args,
                                                           const std::vector<Bytes>& args, GasMeter& gas) {
  auto r = execute_function(address, module, function, type_args, {}, args, gas);
  if (auto* e = std::get_if<ExecutionError>(&r)) return *e;
  const auto& out = std::get<ExecutionResult>(r);
  std::vector<Bytes> results;
  for (size_t i = 0; i < out.return_values.size(); ++i) {
    const Type& t = out.return_types.at(i);
    auto layout = loader_->layout_of(t.is_reference() ? t.args.at(0) : t);
    std::optional<Bytes> b;
    if (layout) {
      if (t.is_reference()) {
        auto v = read_ref(out.return_values[i]);
        if (v) b = serialize_value(*v, *layout);
      } else {
        b = serialize_value(out.return_values[i], *layout);
      }
    }
    if (!b) return load_error(VMError{StatusCode::VALUE_SERIALIZATION_ERROR, "", {}, {}});
    results.push_back(std::move(*b));
  }
  return results;
}

Outcome<ExecutionResult> Session::execute_script(std::shared_ptr<const CompiledScript> script,
                                                 const std::vector<TypeTag>& type_args,
                                                 const std::vector<AccountAddress>& signers,
                                                 const std::vector<Bytes>& args, GasMeter& gas) {
  auto s = loader_->load_script(std::move(script));
  if (!s) return load_error(s.error());
  std::shared_ptr<const LoadedModule> unit = *s;  // alive for the call
  auto r = execute(*unit->functions.at(0), type_args, signers, args, gas);
  impl_->type_checker.reset();  // cached types of the script's (now freed) unit must not outlive it
  return r;
}

namespace {

bool is_struct(const Type& t, uint64_t addr, std::string_view module, std::string_view name) {
  return t.kind == TypeKind::Struct && t.struct_info->address == address_from_u64(addr) &&
         t.struct_info->module_name == module && t.struct_info->name == name;
}

// Allowed transaction argument types (aptos-vm transaction_arg_validation.rs).
bool valid_txn_arg_type(const Type& t, int depth = 0) {
  if (depth > 64) return false;
  switch (t.kind) {
    case TypeKind::Bool: case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64:
    case TypeKind::U128: case TypeKind::U256: case TypeKind::Address:
      return true;
    case TypeKind::Vector: return valid_txn_arg_type(t.args.at(0), depth + 1);
    case TypeKind::Struct:
      if (is_struct(t, 1, "string", "String") || is_struct(t, 1, "object", "Object") ||
          is_struct(t, 1, "fixed_point32", "FixedPoint32") || is_struct(t, 1, "fixed_point64", "FixedPoint64"))
        return true;
      if (is_struct(t, 1, "option", "Option")) return valid_txn_arg_type(t.args.at(0), depth + 1);
      return false;
    default: return false;
  }
}

// Checks what the constructors Aptos runs for these types would reject: invalid UTF-8 in a
// String, more than one element in an Option.
bool valid_txn_arg_value(const Type& t, const Value& v, int depth = 0) {
  if (depth > 64) return false;
  if (t.kind == TypeKind::Vector) {
    if (v.kind != ValueKind::Container || !v.c) return false;
    if (v.c->kind == ContainerKind::VecU8) return true;
    for (const auto& e : v.c->values)
      if (!valid_txn_arg_value(t.args.at(0), e, depth + 1)) return false;
    return true;
  }
  if (t.kind != TypeKind::Struct) return true;
  if (v.kind != ValueKind::Container || !v.c || v.c->values.empty()) return false;
  if (is_struct(t, 1, "string", "String")) {
    const Value& bytes = v.c->values[0];
    if (!bytes.is_container(ContainerKind::VecU8)) return false;
    const Bytes& b = bytes.c->bytes;
    // UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    for (size_t i = 0; i < b.size();) {
      uint8_t c = b[i];
      size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + n > b.size()) return false;
      uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
      for (size_t k = 1; k < n; ++k) {
        if ((b[i + k] & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (b[i + k] & 0x3F);
      }
      if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
          (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
      i += n;
    }
    return true;
  }
  if (is_struct(t, 1, "option", "Option")) {
    const Value& vec = v.c->values[0];
    if (vec.kind != ValueKind::Container || !vec.c || vec.c->size() > 1) return false;
    return valid_txn_arg_value(Type{TypeKind::Vector, 0, 0, 0, nullptr, {t.args.at(0)}}, vec, depth + 1);
  }
  return true;
}

}  // namespace

Outcome<ExecutionResult> Session::execute_entry_function(const AccountAddress& address, const std::string& module,
                                                         const std::string& function,
                                                         const std::vector<TypeTag>& type_args,
                                                         const std::vector<AccountAddress>& signers,
                                                         const std::vector<Bytes>& args, GasMeter& gas) {
  auto m = loader_->load_module(address, module);
  if (!m) return load_error(m.error());
  const LoadedFunction* fn = nullptr;
  for (const auto& f : (*m)->functions)
    if (f->name == function) fn = f.get();
  if (!fn) return load_error(VMError{StatusCode::FUNCTION_RESOLUTION_FAILURE, "", {}, {}});
  if (!fn->is_entry) return load_error(VMError{StatusCode::EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION, "", {}, {}});
  std::vector<Type> tys;
  for (const auto& t : type_args) {
    auto ty = loader_->type_of_tag(t);
    if (!ty) return load_error(ty.error());
    tys.push_back(std::move(*ty));
  }
  if (tys.size() != fn->type_params.size())
    return load_error(VMError{StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH, "", {}, {}});
  size_t signer_params = 0;
  for (const auto& p : fn->params) {
    bool is_signer = p.kind == TypeKind::Signer || (p.is_reference() && p.args.at(0).kind == TypeKind::Signer);
    if (!is_signer) break;
    ++signer_params;
  }
  std::vector<Type> rest;
  for (size_t i = signer_params; i < fn->params.size(); ++i) {
    Type t = Loader::instantiate(fn->params[i], tys);
    if (!valid_txn_arg_type(t)) return load_error(VMError{StatusCode::INVALID_MAIN_FUNCTION_SIGNATURE, "", {}, {}});
    rest.push_back(std::move(t));
  }
  if (signer_params != 0 && signer_params != signers.size())
    return load_error(VMError{StatusCode::NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH, "", {}, {}});
  if (args.size() != rest.size()) return load_error(VMError{StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH, "", {}, {}});
  for (size_t i = 0; i < rest.size(); ++i) {
    auto layout = loader_->layout_of(rest[i]);
    std::optional<Value> v = layout ? deserialize_value(args[i], *layout) : std::nullopt;
    if (!v || !valid_txn_arg_value(rest[i], *v))
      return load_error(VMError{StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT, "", {}, {}});
  }
  return execute(*fn, type_args, signer_params ? signers : std::vector<AccountAddress>{}, args, gas);
}

Outcome<ExecutionResult> Session::execute(const LoadedFunction& fn, const std::vector<TypeTag>& type_args,
                                          const std::vector<AccountAddress>& signers, const std::vector<Bytes>& args,
                                          GasMeter& gas) {
  std::vector<Type> tys;
  for (const auto& t : type_args) {
    auto ty = loader_->type_of_tag(t);
    if (!ty) return load_error(ty.error());
    tys.push_back(std::move(*ty));
  }
  // Type-argument errors of a script are located at the script (Aptos's script loading).
  auto ty_error = [&](StatusCode s) {
    ExecutionError e = load_error(VMError{s, "", {}, {}});
    if (fn.in_script) e.location = ErrorLocation::Script;
    return e;
  };
  if (tys.size() != fn.type_params.size()) return ty_error(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
  for (size_t i = 0; i < tys.size(); ++i) {
    AbilitySet have = loader_->abilities_of(tys[i]);
    if ((have & fn.type_params[i]) != fn.type_params[i]) return ty_error(StatusCode::CONSTRAINT_NOT_SATISFIED);
  }
  // Arguments: signers first (as the runner passes them), then the BCS values.
  std::vector<Bytes> all;
  for (const auto& s : signers) all.emplace_back(s.bytes.begin(), s.bytes.end());
  all.insert(all.end(), args.begin(), args.end());
  if (all.size() != fn.params.size())
    return load_error(VMError{StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH, "", {}, {}});
  std::vector<Value> values;
  std::vector<std::pair<size_t, Value>> borrowed;  // (param, owned target) of reference params
  for (size_t i = 0; i < all.size(); ++i) {
    Type pt = Loader::instantiate(fn.params[i], tys);
    bool is_ref = pt.is_reference();
    Type target = is_ref ? pt.args.at(0) : pt;
    auto layout = loader_->layout_of(target);
    if (!layout) return load_error(VMError{StatusCode::INVALID_PARAM_TYPE_FOR_DESERIALIZATION, "", {}, {}});
    auto v = deserialize_value(all[i], *layout);
    if (!v) return load_error(VMError{StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT, "", {}, {}});
    if (is_ref) {
      // Hold the value in a locals-like container so a primitive can be referenced too.
      auto holder = std::make_shared<Container>(ContainerKind::Locals);
      holder->values.push_back(std::move(*v));
      Value ref = holder->values[0].kind == ValueKind::Container ? Value::container_ref(holder->values[0].c)
                                                                 : Value::indexed_ref(holder, 0);
      values.push_back(ref);
      borrowed.emplace_back(i, Value::indexed_ref(holder, 0));
    } else {
      values.push_back(std::move(*v));
    }
  }
  Interpreter interp(*impl_, *loader_, limits_, gas);
  impl_->meter = &gas;
  auto r = interp.run(fn, tys, std::move(values));
  if (auto* e = std::get_if<ExecutionError>(&r)) return *e;
  ExecutionResult out;
  out.return_values = std::move(std::get<0>(r));
  for (const auto& t : fn.returns) out.return_types.push_back(Loader::instantiate(t, tys));
  for (auto& [i, ref] : borrowed) {
    Type pt = Loader::instantiate(fn.params[i], tys);
    if (pt.kind != TypeKind::MutableReference) continue;
    out.mutable_outputs.emplace_back(i, ref.c->values[0], pt.args.at(0));
  }
  return out;
}

Outcome<ChangeSet> Session::change_set() {
  ChangeSet cs;
  for (auto& [key, slot] : impl_->globals) {
    std::optional<Bytes> now;
    if (slot.value.kind != ValueKind::Invalid) {
      now = serialize_value(slot.value, slot.layout);
      if (!now) {
        ExecutionError e;
        e.error.status = StatusCode::VALUE_SERIALIZATION_ERROR;
        return e;
      }
    }
    if (now == slot.original) continue;
    cs.resources[{key.first, slot.tag}] = std::move(now);
  }
  cs.modules = published_;
  return cs;
}

}  // namespace lumio::movevm
