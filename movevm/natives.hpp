// Native functions: a registry from (address, module, function) to C++ implementations, and
// the context a native runs in. Natives receive their type arguments as runtime types (with
// layouts and tags on request) and their arguments as values (references included), charge
// their own gas, and return values or an abort code (like Aptos's NativeResult).
//
// The registry rejects a second registration of the same function (DUPLICATE_NATIVE_FUNCTION),
// so two implementations of one native can never silently shadow each other.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <typeindex>
#include <unordered_map>

#include "movevm/gas.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

class StateView;
struct LoadedFunction;

// Per-session state natives share (event store, table store, transaction context, ...), one
// object per C++ type. Owned by the session; natives look theirs up by type.
class NativeExtensions {
 public:
  template <class T>
  T* get() const {
    auto it = items_.find(std::type_index(typeid(T)));
    return it == items_.end() ? nullptr : static_cast<T*>(it->second.get());
  }
  template <class T>
  T& add(std::shared_ptr<T> ext) {
    T& r = *ext;
    items_[std::type_index(typeid(T))] = std::move(ext);
    return r;
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> items_;
};

// Global storage as natives see it (object/table/account natives): the session's view with
// its pending writes.
class ResourceAccess {
 public:
  virtual ~ResourceAccess() = default;
  virtual Expected<bool> exists(const AccountAddress& address, const Type& type) = 0;
  // A reference to the resource (ContainerRef), MISSING_DATA when absent.
  virtual Expected<Value> borrow_global(const AccountAddress& address, const Type& type, bool mut) = 0;
  virtual std::optional<VMError> move_to(const AccountAddress& address, const Type& type, Value v) = 0;
  virtual Expected<Value> move_from(const AccountAddress& address, const Type& type) = 0;
  // borrow_global that also reports the bytes read from storage when this access loaded the
  // resource (its first access in the session), nullopt when it was cached already.
  virtual Expected<std::pair<Value, std::optional<uint64_t>>> borrow_global_loading(const AccountAddress& address,
                                                                                   const Type& type, bool mut) {
    auto v = borrow_global(address, type, mut);
    if (!v) return v.error();
    return std::make_pair(std::move(*v), std::optional<uint64_t>());
  }
};

class NativeContext {
 public:
  virtual ~NativeContext() = default;
  virtual GasMeter& gas() = 0;
  virtual NativeExtensions& extensions() = 0;
  virtual ResourceAccess& resources() = 0;
  // Layout / tag of a runtime type (resolving struct definitions through the loader).
  virtual Expected<TypeLayout> layout_of(const Type& t) = 0;
  virtual Expected<TypeTag> type_tag_of(const Type& t) = 0;
  // Runtime type of a tag (loads the struct's module), e.g. for natives that build types.
  virtual Expected<Type> type_of(const TypeTag& tag) = 0;
  // The state the session reads (chain configuration such as feature flags, read without gas
  // like Aptos's environment); null where there is none.
  virtual const StateView* state_view() { return nullptr; }
  // Loads (links) a module of the session's code: LINKER_ERROR when it does not exist.
  virtual std::optional<VMError> load_module(const AccountAddress& /*address*/, const std::string& /*name*/) {
    return VMError{StatusCode::LINKER_ERROR, "no code in this context", {}, {}};
  }
  // A function of a loaded-or-loadable module by name; FUNCTION_RESOLUTION_FAILURE when the
  // module or the function does not exist.
  virtual Expected<const LoadedFunction*> find_function(const AccountAddress& /*address*/,
                                                        const std::string& /*module*/,
                                                        const std::string& /*function*/) {
    return VMError{StatusCode::FUNCTION_RESOLUTION_FAILURE, "no code in this context", {}, {}};
  }
};

// A native's request to call a Move function in its place (Aptos's NativeResult::CallFunction):
// the interpreter resolves `module::function`, checks that its signature is the native's minus
// the trailing dispatch argument (same type-parameter abilities and results, else
// RUNTIME_DISPATCH_ERROR), applies the module-lock reentrancy rule and calls it with `ty_args`
// and `args`; its results become the native's.
struct NativeDispatch {
  AccountAddress module_address;
  std::string module_name;
  std::string function_name;
  std::vector<Type> ty_args;
  std::vector<Value> args;
};

struct NativeResult {
  bool aborted = false;
  uint64_t abort_code = 0;    // when aborted
  // A runtime error other than an abort (e.g. VECTOR_OPERATION_ERROR with its sub status);
  // like aborts, it is reported at the calling instruction.
  std::optional<StatusCode> error;
  std::optional<uint64_t> sub_status;
  std::string message;
  std::vector<Value> values;  // results in declaration order
  uint64_t cost = 0;          // internal gas units, charged by the VM after the call
  std::optional<NativeDispatch> dispatch;  // call this function instead (values unused)
  std::optional<std::string> abort_message;  // an abort's message (Aptos's abort_with_message)

  static NativeResult ok(std::vector<Value> v, uint64_t cost = 0) {
    NativeResult r; r.values = std::move(v); r.cost = cost; return r;
  }
  static NativeResult abort(uint64_t code, uint64_t cost = 0) {
    NativeResult r; r.aborted = true; r.abort_code = code; r.cost = cost; return r;
  }
  static NativeResult call(NativeDispatch d, uint64_t cost) {
    NativeResult r; r.dispatch = std::move(d); r.cost = cost; return r;
  }
  static NativeResult fail(StatusCode status, std::optional<uint64_t> sub = std::nullopt, std::string msg = {},
                           uint64_t cost = 0) {
    NativeResult r; r.error = status; r.sub_status = sub; r.message = std::move(msg); r.cost = cost; return r;
  }
};

// `args` are moved in (references stay references). An error (VMError) is an invariant
// violation or a limit the native hit; like aborts and NativeResult::fail it is reported at
// the calling instruction (caller's module, function and code offset), as Aptos does.
using NativeFunction =
    std::function<Expected<NativeResult>(NativeContext& ctx, std::span<const Type> type_args, std::vector<Value>& args)>;

class NativeRegistry {
 public:
  // Adds a native; a duplicate (address, module, name) is rejected with
  // DUPLICATE_NATIVE_FUNCTION and leaves the first registration in place.
  std::optional<VMError> add(const AccountAddress& address, std::string module, std::string name, NativeFunction fn);
  const NativeFunction* find(const AccountAddress& address, std::string_view module, std::string_view name) const;
  size_t size() const { return fns_.size(); }

 private:
  std::map<std::tuple<AccountAddress, std::string, std::string>, NativeFunction, std::less<>> fns_;
};

// Convenience for registrations: 0x1, 0x3, ...
AccountAddress address_from_u64(uint64_t v);

}  // namespace lumio::movevm
