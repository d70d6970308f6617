// Paranoid runtime type checks (Aptos's runtime_type_checks.rs, `paranoid_type_checks`): a type
// stack kept parallel to the operand stack, every instruction's operand types checked before it
// executes, so bytecode published without the verifier cannot break the VM's invariants.
// Failures are UNKNOWN_INVARIANT_VIOLATION_ERROR with sub status EPARANOID_FAILURE (1), an empty
// type stack EMPTY_VALUE_STACK, a full one EXECUTION_STACK_OVERFLOW — Aptos's statuses.
//
// Cheap by construction: runtime types are interned into 32-bit ids (per session), the type stack
// is a preallocated array of ids, and whatever an instruction needs (instantiated struct, field,
// element and callee types) is computed on its first execution and cached per function instance
// and code offset, so the steady state allocates nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "movevm/loader.hpp"
#include "movevm/status.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

using TypeId = uint32_t;
inline constexpr TypeId kNoType = 0xFFFFFFFFu;
// move-core-types sub_status::unknown_invariant_violation::EPARANOID_FAILURE.
inline constexpr uint64_t kParanoidFailure = 1;

// Hash-consed runtime types: equal types have equal ids. An id carries the type's abilities in
// its low 4 bits (ability checks need no lookup): id = node index << 4 | abilities. The
// primitives and signer are nodes 0..14 in TypeKind order (Bool .. Signer), see `prim`.
class TypeInterner {
 public:
  static constexpr TypeId prim(TypeKind k) {
    return TypeId(k) << 4 | (k == TypeKind::Signer ? kAbilityDrop : kAbilityCopy | kAbilityDrop | kAbilityStore);
  }
  TypeInterner();
  // `t` with TypeParam i replaced by ty_args[i]; kNoType when a type parameter is unbound.
  TypeId intern(const Type& t, std::span<const TypeId> ty_args);
  TypeId make(TypeKind kind, std::span<const TypeId> args, const StructInfo* si = nullptr, AbilitySet fn_abilities = 0,
              uint8_t fn_args = 0);
  TypeId ref(TypeId inner, bool mut) {
    return make(mut ? TypeKind::MutableReference : TypeKind::Reference, std::span<const TypeId>(&inner, 1));
  }
  TypeId vec(TypeId elem) { return make(TypeKind::Vector, std::span<const TypeId>(&elem, 1)); }

  TypeKind kind(TypeId id) const { return nodes_[id >> 4].kind; }
  static AbilitySet abilities(TypeId id) { return AbilitySet(id & 0xF); }
  std::span<const TypeId> args(TypeId id) const {
    return {args_.data() + nodes_[id >> 4].args_off, nodes_[id >> 4].nargs};
  }
  uint8_t function_args(TypeId id) const { return nodes_[id >> 4].fn_args; }
  AbilitySet function_abilities(TypeId id) const { return nodes_[id >> 4].fn_abilities; }
  bool is_ref(TypeId id) const {
    return kind(id) == TypeKind::Reference || kind(id) == TypeKind::MutableReference;
  }
  std::string name(TypeId id) const;  // for messages

 private:
  struct Node {
    TypeKind kind;
    AbilitySet fn_abilities;
    uint8_t fn_args;
    const StructInfo* si;
    uint32_t args_off, nargs;
  };
  std::vector<Node> nodes_;
  std::vector<TypeId> args_;
  std::unordered_map<std::string, TypeId> ids_;
  std::string key_;  // scratch: lookups allocate nothing once warm
};

// The types of one function instance (function + type argument ids) and its per-instruction cache.
struct FunctionTypes {
  const LoadedFunction* fn = nullptr;
  uint32_t id = 0;  // index in the checker's instance table
  std::vector<TypeId> ty_args;
  std::vector<TypeId> locals;  // params first
  std::vector<TypeId> params;
  std::vector<TypeId> returns;
  bool locals_all_drop = true;
  std::vector<uint32_t> slot;   // per code offset: offset into `cache`, kNoType before the first run
  std::vector<uint32_t> cache;  // per instruction: type ids / callee indices
};

struct TypeCheckError {
  StatusCode status = StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR;
  std::string message;
  std::optional<uint64_t> sub_status;
};

class RuntimeTypeChecker {
 public:
  static constexpr TypeId prim(TypeKind k) { return TypeInterner::prim(k); }
  RuntimeTypeChecker(Loader& loader, size_t max_stack);

  // Clears the type stack (a new top-level call).
  void reset() { n_ = 0; callee_ = nullptr; }
  size_t size() const { return n_; }
  const TypeCheckError& error() const { return error_; }

  // The instance of `fn` with runtime type arguments `ty_args` (interned here); null on error.
  FunctionTypes* function_types(const LoadedFunction& fn, std::span<const Type> ty_args);

  // Before `ins` (at `pc` of the frame running `ft` in `unit`) executes: pops and checks its
  // operand types, pushes its result types. `locals` are the frame's locals (liveness for the
  // drop checks of StLoc and Ret); `type_base` the type stack size when the frame started.
  // Call/CallGeneric check the arguments against the callee; `callee()` is then the callee's
  // instance for the new frame (or `native_returns`).
  bool step(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc, const Instruction& ins, const Value* locals,
            size_t nlocals, size_t type_base);
  // The same for the instructions of `checked_in_case` (OP names the group: LdU8, LdU64,
  // LdTrue (and LdFalse), BrTrue (and BrFalse), Pop, CopyLoc, MoveLoc, StLoc, Add (arithmetic),
  // Lt (comparisons)), inline.
  template <Opcode OP>
  bool step_op(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc, const Instruction& ins, const Value* locals,
               size_t nlocals, size_t type_base);
  FunctionTypes* callee() const { return callee_; }

  // CallClosure after the closure is resolved: the non-captured parameters of `fn` (instantiated
  // with `ty_args`) against the operand types. Sets `callee()`.
  bool closure_call(const LoadedFunction& fn, std::span<const Type> ty_args, uint64_t mask);
  // A native call completed: its return types go on the type stack (`nvalues` values were pushed).
  bool native_returns(const FunctionTypes& native, size_t nvalues);

 private:
  bool fail(std::string msg);
  bool fail_status(StatusCode s, std::string msg);
  bool pop(TypeId& out) {
    if (__builtin_expect(n_ == 0, 0)) return underflow();
    out = st_[--n_];
    return true;
  }
  bool push(TypeId t) {
    if (__builtin_expect(n_ >= max_, 0)) return overflow();
    st_[n_++] = t;
    return true;
  }
  [[gnu::cold, gnu::noinline]] bool underflow();
  [[gnu::cold, gnu::noinline]] bool overflow();
  bool assignable(TypeId given, TypeId expected);
  bool check_assignable(TypeId given, TypeId expected);
  bool check_eq(TypeId given, TypeId expected);
  bool check_ability(TypeId t, AbilitySet a);
  bool check_ref_eq(TypeId ref, TypeId inner, bool mut);
  bool check_vec_ref(TypeId ref, TypeId elem, bool mut);
  bool pop_args(const FunctionTypes& callee, uint64_t captured_mask);
  bool visible(const LoadedFunction& caller, const LoadedFunction& callee);
  // The instruction's cached entry, computed on first use; null on error.
  const uint32_t* entry(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc, const Instruction& ins);
  bool compute_entry(FunctionTypes& ft, const LoadedModule& unit, const Instruction& ins, std::vector<uint32_t>& out);
  FunctionTypes* instance(const LoadedFunction& fn, std::span<const TypeId> ty_args);

  Loader& loader_;
  TypeInterner types_;
  std::vector<TypeId> stack_;
  TypeId* st_ = nullptr;  // stack_.data()
  size_t n_ = 0;
  size_t max_;
  TypeCheckError error_;
  FunctionTypes* callee_ = nullptr;
  std::vector<std::unique_ptr<FunctionTypes>> instances_;
  std::unordered_map<std::string, uint32_t> instance_ids_;
  std::string key_;
  std::vector<TypeId> scratch_;
};

// The hot instructions' transitions, for the dispatch loop to run inside their own cases (one
// dispatch per instruction); every other instruction goes through `step`. On a failure the
// general path re-runs the transition to report it.
inline constexpr bool checked_in_case(Opcode op) {
  switch (op) {
    case Opcode::Nop: case Opcode::Branch: case Opcode::Pop: case Opcode::BrTrue: case Opcode::BrFalse:
    case Opcode::LdU8: case Opcode::LdU64: case Opcode::LdTrue: case Opcode::LdFalse: case Opcode::CopyLoc:
    case Opcode::MoveLoc: case Opcode::StLoc: case Opcode::Add: case Opcode::Sub: case Opcode::Mul:
    case Opcode::Div: case Opcode::Mod: case Opcode::Lt: case Opcode::Gt: case Opcode::Le: case Opcode::Ge:
      return true;
    default: return false;
  }
}

template <Opcode OP>
inline bool RuntimeTypeChecker::step_op(FunctionTypes& ft, const LoadedModule& unit, uint32_t pc,
                                        const Instruction& ins, const Value* locals, size_t nlocals,
                                        size_t type_base) {
  TypeId a = 0, b = 0;
  if constexpr (OP == Opcode::LdU8) return push(prim(TypeKind::U8));
  if constexpr (OP == Opcode::LdU64) return push(prim(TypeKind::U64));
  if constexpr (OP == Opcode::LdTrue) return push(prim(TypeKind::Bool));
  if constexpr (OP == Opcode::BrTrue) {  // BrTrue and BrFalse
    if (n_ != 0 && st_[n_ - 1] == prim(TypeKind::Bool)) {
      --n_;
      return true;
    }
  }
  if constexpr (OP == Opcode::Pop) {
    if (n_ != 0 && (types_.abilities(st_[n_ - 1]) & kAbilityDrop)) {
      --n_;
      return true;
    }
  }
  if constexpr (OP == Opcode::CopyLoc) {
    if (ins.index < ft.locals.size() && (types_.abilities(a = ft.locals[ins.index]) & kAbilityCopy)) return push(a);
  }
  if constexpr (OP == Opcode::MoveLoc) {
    if (ins.index < ft.locals.size()) return push(ft.locals[ins.index]);
  }
  if constexpr (OP == Opcode::StLoc) {
    if (ins.index < ft.locals.size() && n_ != 0) {
      a = st_[n_ - 1];
      b = ft.locals[ins.index];
      if (a == b && ((types_.abilities(b) & kAbilityDrop) || ins.index >= nlocals ||
                     locals[ins.index].kind == ValueKind::Invalid)) {
        --n_;
        return true;
      }
    }
  }
  if constexpr (OP == Opcode::Add) {  // Add, Sub, Mul, Div, Mod
    if (n_ >= 2 && st_[n_ - 1] == st_[n_ - 2]) {
      --n_;
      return true;
    }
  }
  if constexpr (OP == Opcode::Lt) {  // Lt, Gt, Le, Ge
    if (n_ >= 2 && st_[n_ - 1] == st_[n_ - 2]) {
      --n_;
      st_[n_ - 1] = prim(TypeKind::Bool);
      return true;
    }
  }
  return step(ft, unit, pc, ins, locals, nlocals, type_base);
}

}  // namespace lumio::movevm
