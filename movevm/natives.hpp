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

  static NativeResult ok(std::vector<Value> v, uint64_t cost = 0) {
    NativeResult r; r.values = std::move(v); r.cost = cost; return r;
  }
  static NativeResult abort(uint64_t code, uint64_t cost = 0) {
    NativeResult r; r.aborted = true; r.abort_code = code; r.cost = cost; return r;
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
