// Resource access control (Aptos move-vm-runtime access_control.rs, move-vm-types
// runtime_access_specifier.rs). Functions and scripts may declare access specifiers
// (`reads R(addr)`, `writes 0x1::m::*`, `!reads ...`; binary v7+). When enabled:
//   - entering a function with specifiers pushes them (parameter addresses evaluated at entry:
//     the parameter itself, or signer::address_of of it) onto a stack — the active policy is
//     the intersection of every pushed specifier (Aptos's join);
//   - every global access must be enabled by that policy: exists / borrow_global read,
//     borrow_global_mut / move_from / move_to write; otherwise ACCESS_DENIED at the instruction.
// A specifier enables an access when some inclusion clause includes it (`writes` includes reads
// too) — or there are only exclusions — and no exclusion clause excludes it (`!reads` excludes
// reads and writes, `!writes` only writes).
// Aptos never turned the feature on for mainnet and its current verifier rejects access
// specifiers (FEATURE_NOT_ENABLED), so sessions enforce it only with
// VMLimits::resource_access_control.
#pragma once
#include <optional>
#include <span>
#include <vector>

#include "movevm/loader.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

class AccessControl {
 public:
  explicit AccessControl(bool enabled) : enabled_(enabled) {}

  // Entering `fn` whose parameters are the first locals of `locals`. ACCESS_STACK_LIMIT_EXCEEDED
  // beyond 256 nested specifiers; ACCESS_CONTROL_INVARIANT_VIOLATION for an address function
  // other than signer::address_of.
  std::optional<VMError> enter(const LoadedFunction& fn, const Container& locals);
  void exit(const LoadedFunction& fn);
  // The access of global-storage instruction `op` on `resource`, before it pops its operands
  // (the top `n` values of the operand stack ending at `top`): the address, or for move_to the
  // signer reference below the value.
  std::optional<VMError> check(Opcode op, const Type& resource, const Value* stack, size_t n) const;

  bool enabled() const { return enabled_; }

  struct Clause {
    AccessKind kind = AccessKind::Reads;
    ResourceSpecifierKind resource = ResourceSpecifierKind::Any;
    AccountAddress module_address;  // DeclaredAtAddress, DeclaredInModule, Resource*
    std::string module_name;        // DeclaredInModule, Resource*
    std::string struct_name;        // Resource*
    std::vector<Type> instance;     // ResourceInstantiation
    std::optional<AccountAddress> address;  // nullopt: any address
  };
  struct Specifier {
    std::vector<Clause> inclusions, exclusions;
  };

 private:
  bool enabled_;
  std::vector<Specifier> stack_;
};

}  // namespace lumio::movevm
