// Lumio's native functions: move-stdlib (0x1::vector, signer, bcs, hash, string, type_name,
// debug, mem, cmp) and the Aptos framework (account/create_signer, aptos_hash, type_info,
// from_bcs/util, event, transaction_context, object, table, aggregator (v1) and aggregator_v2,
// ed25519/multi_ed25519/secp256k1, code, randomness, function_info, ...), with Aptos's
// semantics, abort codes and gas formulas (parameters from the on-chain schedule).
//
// Per-session state lives in NativeExtensions: a session that runs framework code adds a
// TransactionContext, an EventStore, a TableStore and a CodePublishRequests before executing
// (`add_session_extensions`); natives abort with an invariant violation when theirs is missing.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "movevm/gas_schedule.hpp"
#include "movevm/natives.hpp"

namespace lumio::movevm {

struct NativeOptions {
  bool debug_output = false;  // debug::print writes to stderr (off in production)
  uint8_t chain_id = 4;       // type_info::chain_id (4 = testing/devnet genesis)
  // Feature SIGNER_NATIVE_FORMAT_FIX (25, on in every network since 2023): string_utils prints
  // signers as `signer(@0x1)`; off, formatting a signer fails as it did before the fix.
  bool signer_native_format_fix = true;
};

// Registers every native; the first duplicate (e.g. one already registered by someone else)
// is returned as DUPLICATE_NATIVE_FUNCTION. `gas` must outlive the registry.
std::optional<VMError> register_all_natives(NativeRegistry& registry, const GasParameters& gas,
                                            NativeOptions options = {});
std::optional<VMError> register_stdlib_natives(NativeRegistry& registry, const GasParameters& gas,
                                               NativeOptions options = {});
std::optional<VMError> register_framework_natives(NativeRegistry& registry, const GasParameters& gas,
                                                  NativeOptions options = {});

// ---------------------------------------------------------------------------------------------
// Session extensions.

// The user transaction being executed (aptos-framework transaction_context natives).
struct TransactionContext {
  AccountAddress sender;
  std::vector<AccountAddress> secondary_signers;
  std::optional<AccountAddress> gas_payer;  // fee payer; the sender when absent
  Hash32 txn_hash;                          // hash of the transaction (or session id)
  Bytes script_hash;                        // empty unless a script runs
  uint64_t max_gas_amount = 0, gas_unit_price = 0;
  uint8_t chain_id = 4;
  // Entry function payload (transaction_context::entry_function_payload), if any.
  struct EntryFunction {
    AccountAddress address;
    std::string module, function;
    std::vector<std::string> type_args;  // canonical type strings
    std::vector<Bytes> args;
  };
  std::optional<EntryFunction> entry_function;
  uint64_t auid_counter = 0;       // generate_unique_address
  uint64_t monotonic_counter = 0;  // monotonically_increasing_counter
  uint64_t randomness_counter = 0;
  uint64_t timestamp_usecs = 0;    // block timestamp (monotonically_increasing_counter)
  uint64_t transaction_index = 0;
  // monotonically_increasing_counter's other fields: which session of the transaction this is
  // (8 bits) and the reserved byte (0 in block execution, 1 in validation/simulation).
  uint8_t session_counter = 0;
  bool validation_or_simulation = false;
};

// Events emitted by the session, in emission order.
struct EmittedEvent {
  bool v2 = false;          // module event (write_module_event_to_store)
  Bytes key;                // v1: the EventHandle GUID bytes (BCS of GUID)
  uint64_t sequence = 0;    // v1
  TypeTag type;
  std::string type_name;    // "0x1::coin::DepositEvent"
  Bytes data;               // BCS of the event value
};
struct EventStore {
  std::vector<EmittedEvent> events;
};

// Reads of table items from storage (the state's TableItem keys).
class TableResolver {
 public:
  virtual ~TableResolver() = default;
  virtual std::optional<Bytes> get_table_item(const AccountAddress& handle, BytesView key) const = 0;
};

// Table and aggregator v1 data of a session: cached boxes (values a borrow_box reference
// points at), written back as table-item changes at the end.
struct TableStore {
  explicit TableStore(const TableResolver* resolver) : resolver(resolver) {}
  const TableResolver* resolver;
  struct Entry {
    Value box;                    // Box<V> struct (absent: Invalid)
    TypeLayout layout;            // of Box<V>'s field V
    std::optional<Bytes> original;  // storage bytes of V at first access
    bool dirty = false;
  };
  std::map<std::pair<AccountAddress, Bytes>, Entry> entries;
  std::vector<AccountAddress> new_tables;
  uint64_t handles_created = 0;
  // (handle, key) -> new value bytes (nullopt: deleted), for every changed item.
  std::optional<std::map<std::pair<AccountAddress, Bytes>, std::optional<Bytes>>> changes() const;
};

// code::request_publish: the package the session asked to publish (the VM publishes it after
// the call, as Aptos does).
struct CodePublishRequest {
  AccountAddress destination;
  std::vector<Bytes> bundle;
  std::vector<AccountAddress> expected_modules_addresses;
  uint8_t upgrade_policy = 0;
};
struct CodePublishRequests {
  std::optional<CodePublishRequest> request;
};

// Storage usage (items, bytes) at the beginning of the epoch, for
// state_storage::get_state_storage_usage_only_at_epoch_beginning; supplied by the embedder.
struct StateStorageUsage {
  std::function<std::pair<uint64_t, uint64_t>()> at_epoch_beginning;
};

// Adds fresh extensions for one session. `tables` may be null when no table is read.
void add_session_extensions(NativeExtensions& ext, TransactionContext txn, const TableResolver* tables);

// Address derivations of the framework (sha3-256 with a scheme byte).
AccountAddress derive_object_address(const AccountAddress& source, BytesView seed);     // 0xFE
AccountAddress derive_user_object_address(const AccountAddress& source, const AccountAddress& from);  // 0xFC
AccountAddress derive_guid_object_address(const AccountAddress& source, uint64_t creation_num);  // 0xFD
AccountAddress derive_unique_address(const Hash32& txn_hash, uint64_t counter);          // 0xFB

}  // namespace lumio::movevm
