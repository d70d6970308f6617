// BCS decoding of an Aptos genesis transaction (genesis.blob): Transaction::GenesisTransaction(
// WriteSetPayload::Direct(ChangeSet { write_set, events })). Used to load the framework and the
// starting state; the decoder is strict (canonical ULEB, sorted write-set keys, no trailing
// bytes) and reports VALUE_DESERIALIZATION_ERROR on any deviation.
#pragma once
#include <string>
#include <vector>

#include "movevm/binary_format.hpp"

namespace lumio::movevm {

using AccountAddress = FixedBytes<32>;

// StateKeyInner: AccessPath{address, path}, TableItem{handle, key}, Raw(bytes).
struct StateKey {
  enum class Kind : uint8_t { AccessPath = 0, TableItem = 1, Raw = 2 };
  Kind kind = Kind::AccessPath;
  AccountAddress address;  // AccessPath address or TableItem handle
  Bytes path;              // AccessPath path, TableItem key, or the raw key
};

// Metadata of the *WithMetadata write ops (PersistedStateValueMetadata V0 / V1).
struct StateValueMetadata {
  uint8_t version = 0;
  uint64_t slot_deposit = 0;  // V0: deposit
  uint64_t bytes_deposit = 0; // V1 only
  uint64_t creation_time_usecs = 0;
};

struct WriteOp {
  enum class Kind : uint8_t {
    Creation = 0, Modification = 1, Deletion = 2,
    CreationWithMetadata = 3, ModificationWithMetadata = 4, DeletionWithMetadata = 5,
  };
  Kind kind = Kind::Creation;
  Bytes data;  // absent for deletions
  std::optional<StateValueMetadata> metadata;
};

struct ContractEvent {
  uint8_t version = 1;         // 0: V1 (keyed), 1: V2 (module event)
  uint64_t creation_number = 0;  // V1
  AccountAddress account;        // V1
  uint64_t sequence_number = 0;  // V1
  Bytes type_tag;              // BCS of the TypeTag, validated
  Bytes data;
};

struct GenesisChangeSet {
  std::vector<std::pair<StateKey, WriteOp>> write_set;  // in key order
  std::vector<ContractEvent> events;
};

Expected<GenesisChangeSet> decode_genesis_transaction(BytesView blob);

// Code entries of a write set: AccessPath keys whose path is Path::Code(ModuleId).
struct ModuleCode {
  AccountAddress address;
  std::string name;
  Bytes code;
};
std::vector<ModuleCode> published_modules(const GenesisChangeSet& changes);

}  // namespace lumio::movevm
