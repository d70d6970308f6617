// Loader: turns verified modules/scripts into runtime form (resolved struct definitions,
// functions with their natives, runtime types of signatures) and caches them. Modules come
// from modules added directly (genesis, a session's publishes) or the state view.
//
// Dependencies are linked when a module loads: every imported struct and function must exist
// (LINKER_ERROR otherwise), so the interpreter never resolves names on the hot path.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "movevm/binary_format.hpp"
#include "movevm/natives.hpp"
#include "movevm/state_view.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

struct LoadedModule;

struct StructInfo {
  const LoadedModule* module = nullptr;
  AccountAddress address;
  std::string module_name;
  std::string name;
  uint16_t def_index = 0;
  AbilitySet abilities = 0;
  std::vector<StructTypeParameter> type_params;
  bool is_native = false;
  bool is_enum = false;
  std::vector<Type> fields;                 // struct: field types (may mention TypeParam)
  std::vector<std::string> field_names;     // struct
  std::vector<std::vector<Type>> variants;  // enum: per-variant field types
  std::vector<std::string> variant_names;
  std::vector<std::vector<std::string>> variant_field_names;  // enum: per-variant field names
};

struct LoadedFunction {
  const LoadedModule* module = nullptr;  // owning unit (a script's pseudo-module too)
  bool in_script = false;
  uint16_t def_index = 0;
  std::string name;
  Visibility visibility = Visibility::Private;
  bool is_entry = false;
  std::vector<AbilitySet> type_params;
  std::vector<Type> params;
  std::vector<Type> returns;
  std::vector<Type> locals;  // params followed by the declared locals
  // Per local: the ValueKind of a primitive type, Invalid for any other type (fast StLoc check).
  std::vector<ValueKind> local_prim_kinds;
  const CodeUnit* code = nullptr;
  const NativeFunction* native = nullptr;  // set for natives that the registry knows
  bool is_native() const { return code == nullptr; }
};

// A module or script in runtime form. Tables are resolved by index, as the bytecode names them.
struct LoadedModule {
  bool is_script = false;
  std::shared_ptr<const CompiledModule> module;  // null for a script
  std::shared_ptr<const CompiledScript> script;  // null for a module
  const CommonTables* tables = nullptr;
  AccountAddress address;
  std::string name;

  std::vector<std::unique_ptr<StructInfo>> structs;       // per struct definition
  std::vector<std::unique_ptr<LoadedFunction>> functions;  // per function definition (script: [main])
  std::vector<const StructInfo*> struct_handles;           // per struct handle
  std::vector<const LoadedFunction*> function_handles;     // per function handle
  std::vector<std::vector<Type>> signatures;               // per signature (type params unresolved)
  // Per constant: its deserialized value (copied on LdConst).
  std::vector<Value> constants;

  std::string id() const;        // "0x42::M" (short address), "script" for a script
  const CompiledModule& compiled() const { return *module; }
};

class Loader {
 public:
  Loader(const StateView& state, const NativeRegistry& natives) : state_(state), natives_(natives) {}

  // Makes a (verified) module available, replacing an earlier version of the same id; modules
  // loaded before keep their links (the caller starts a new Loader for a new code version).
  void add_module(std::shared_ptr<const CompiledModule> module);
  // Loads (and links) a module by id, from added modules or the state view.
  Expected<const LoadedModule*> load_module(const AccountAddress& address, const std::string& name);
  // Loads a script; links its imports. The caller owns the result (a long-lived loader keeps
  // no per-transaction scripts).
  Expected<std::shared_ptr<const LoadedModule>> load_script(std::shared_ptr<const CompiledScript> script);

  // Converts a signature token of `unit` to a runtime type (type parameters kept).
  Expected<Type> type_of(const LoadedModule& unit, const SignatureToken& tok);
  // Runtime type of a type tag (loads struct modules).
  Expected<Type> type_of_tag(const TypeTag& tag);
  Expected<TypeTag> tag_of(const Type& t);
  Expected<TypeLayout> layout_of(const Type& t);
  AbilitySet abilities_of(const Type& t) const;

  // Substitutes type arguments into `t` (TypeParam i → args[i]).
  static Type instantiate(const Type& t, std::span<const Type> args);

  const StateView& state() const { return state_; }

 private:
  Expected<const LoadedModule*> link(std::unique_ptr<LoadedModule> unit);
  std::map<std::pair<AccountAddress, std::string>, std::shared_ptr<const CompiledModule>> added_;
  std::map<std::pair<AccountAddress, std::string>, std::unique_ptr<LoadedModule>> loaded_;
  std::unique_ptr<LoadedModule> linked_script_;  // hand-over from link() to load_script()
  std::vector<std::pair<AccountAddress, std::string>> loading_;  // cycle guard
  const StateView& state_;
  const NativeRegistry& natives_;
};

}  // namespace lumio::movevm
