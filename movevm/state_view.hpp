// What the Move VM reads from chain state (the node's store implements it). Resources are
// keyed by (account address, struct tag) and stored as BCS bytes of the value's layout;
// resource groups store one BCS map StructTag -> bytes under the group's tag; modules are
// stored as their serialized bytes under (address, name).
#pragma once
#include <optional>
#include <string_view>

#include "movevm/value.hpp"

namespace lumio::movevm {

class StateView {
 public:
  virtual ~StateView() = default;
  // nullopt: no such resource. Errors of the storage engine are reported by throwing
  // StorageError (the VM turns it into STORAGE_ERROR).
  virtual std::optional<Bytes> get_resource(const AccountAddress& address, const StructTag& tag) const = 0;
  // BCS of BTreeMap<StructTag, Vec<u8>> stored under the group's tag, nullopt when absent.
  virtual std::optional<Bytes> get_resource_group(const AccountAddress& address, const StructTag& group) const {
    return get_resource(address, group);
  }
  virtual std::optional<Bytes> get_module(const AccountAddress& address, std::string_view name) const = 0;
};

struct StorageError {
  std::string message;
};

// A state with nothing in it.
class EmptyStateView final : public StateView {
 public:
  std::optional<Bytes> get_resource(const AccountAddress&, const StructTag&) const override { return std::nullopt; }
  std::optional<Bytes> get_module(const AccountAddress&, std::string_view) const override { return std::nullopt; }
};

}  // namespace lumio::movevm
