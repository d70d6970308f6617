// Move VM sessions: execute entry functions, scripts and view functions against a state view,
// collecting the writes (resources, modules) as a change set. Errors carry Aptos's VMError
// shape: status, sub status (abort code / vector error), location (undefined, script or a
// module), indices and (function definition, code offset) pairs, plus the caller stack.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "movevm/gas.hpp"
#include "movevm/loader.hpp"
#include "movevm/natives.hpp"
#include "movevm/state_view.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

enum class ErrorLocation : uint8_t { Undefined, Script, Module };

struct StackTraceEntry {
  std::optional<std::pair<AccountAddress, std::string>> module;  // nullopt: script
  uint16_t function = 0;
  uint16_t pc = 0;
};

struct ExecutionError {
  VMError error;                       // status, message, indices, offsets
  std::optional<uint64_t> sub_status;  // abort code, vector error code
  ErrorLocation location = ErrorLocation::Undefined;
  AccountAddress module_address;       // ErrorLocation::Module
  std::string module_name;
  std::vector<StackTraceEntry> stack_trace;  // callers of the failing frame, outermost first
  std::optional<std::string> abort_message;  // AbortMsg
  bool has_exec_state = false;               // raised while executing (not while loading)
};

// A successful call's outputs.
struct ExecutionResult {
  std::vector<Value> return_values;
  std::vector<Type> return_types;
  // Values behind `&mut` arguments after the call: (parameter index, value, type).
  std::vector<std::tuple<size_t, Value, Type>> mutable_outputs;
};

template <class T>
using Outcome = std::variant<T, ExecutionError>;

struct ChangeSet {
  // nullopt: deleted. Keyed by (address, canonical struct tag).
  std::map<std::pair<AccountAddress, StructTag>, std::optional<Bytes>> resources;
  std::map<std::pair<AccountAddress, std::string>, Bytes> modules;
};

struct VMLimits {
  size_t max_call_depth = 1024;        // CALL_STACK_OVERFLOW beyond
  size_t max_operand_stack = 1024;     // EXECUTION_STACK_OVERFLOW beyond
  size_t max_value_depth = 128;        // VM_MAX_VALUE_DEPTH_REACHED beyond
  // 1 + type nodes of a generic call's caller type arguments and instantiation
  // (TOO_MANY_TYPE_NODES beyond; MAX_TYPE_INSTANTIATION_NODES).
  size_t max_type_nodes = 128;
  // Enforce functions' access specifiers (access_control.hpp); off as in Aptos production.
  bool resource_access_control = false;
  // Aptos's paranoid_type_checks (on in production): a type stack parallel to the operand stack,
  // every instruction's operand types checked (runtime_type_checks.hpp).
  bool paranoid_type_checks = true;
};

class Session {
 public:
  Session(const StateView& state, const NativeRegistry& natives, VMLimits limits = {});
  // A session over a shared code cache: modules linked by earlier sessions are reused (no
  // re-linking of the framework per transaction). Resources are read from `state`. The cache
  // must describe the code of `state`: after a session publishes (its publishes go into the
  // cache too) the caller keeps the cache only if that session's writes are committed.
  Session(const StateView& state, std::shared_ptr<Loader> code_cache, VMLimits limits = {});
  ~Session();

  Loader& loader() { return *loader_; }
  const StateView& state_view() const { return state_; }
  NativeExtensions& extensions() { return extensions_; }

  // Makes a verified module visible to later calls and records it in the change set.
  void publish_module(std::shared_ptr<const CompiledModule> module, Bytes bytes);

  // Calls module::function (any visibility: the caller enforces entry rules) with BCS
  // arguments. `signers` fill the leading signer/&signer parameters.
  Outcome<ExecutionResult> execute_function(const AccountAddress& address, const std::string& module,
                                            const std::string& function, const std::vector<TypeTag>& type_args,
                                            const std::vector<AccountAddress>& signers,
                                            const std::vector<Bytes>& args, GasMeter& gas);
  // An Aptos transaction's entry-function payload (aptos-vm transaction_arg_validation.rs):
  // the function must be `entry`; leading `signer`/`&signer` parameters take `signers`
  // (NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH otherwise); every other parameter must be a valid
  // transaction argument type — bool, integers, address, vector<valid>, 0x1::string::String
  // (UTF-8 checked), 0x1::option::Option<valid> (at most one element),
  // 0x1::object::Object<T>, 0x1::fixed_point32/64 — else INVALID_MAIN_FUNCTION_SIGNATURE;
  // malformed argument bytes give FAILED_TO_DESERIALIZE_ARGUMENT.
  Outcome<ExecutionResult> execute_entry_function(const AccountAddress& address, const std::string& module,
                                                  const std::string& function, const std::vector<TypeTag>& type_args,
                                                  const std::vector<AccountAddress>& signers,
                                                  const std::vector<Bytes>& args, GasMeter& gas);
  // A view call (the node's /view): like execute_function with no signers, the results BCS
  // serialized by their layouts. The #[view] attribute (module metadata) is not checked here.
  Outcome<std::vector<Bytes>> execute_view_function(const AccountAddress& address, const std::string& module,
                                                    const std::string& function,
                                                    const std::vector<TypeTag>& type_args,
                                                    const std::vector<Bytes>& args, GasMeter& gas);
  Outcome<ExecutionResult> execute_script(std::shared_ptr<const CompiledScript> script,
                                          const std::vector<TypeTag>& type_args,
                                          const std::vector<AccountAddress>& signers,
                                          const std::vector<Bytes>& args, GasMeter& gas);

  // Writes of this session so far (serialized resources, published modules).
  Outcome<ChangeSet> change_set();

  struct Impl;

 private:
  Outcome<ExecutionResult> execute(const LoadedFunction& fn, const std::vector<TypeTag>& type_args,
                                   const std::vector<AccountAddress>& signers, const std::vector<Bytes>& args,
                                   GasMeter& gas);
  const StateView& state_;
  std::shared_ptr<Loader> loader_;
  NativeExtensions extensions_;
  std::unique_ptr<Impl> impl_;
  VMLimits limits_;
  std::map<std::pair<AccountAddress, std::string>, Bytes> published_;
};

}  // namespace lumio::movevm
