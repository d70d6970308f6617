// The node's one embedded store: RocksDB with the write-ahead log on, every key prefixed by one
// byte naming its key space. Batches are atomic across key spaces; a batch written with
// sync=true is on disk when write() returns and survives kill -9 (or power loss, as far as
// fsync does). Unsynced batches survive a process kill (they are in the OS page cache via the
// WAL) but may be lost on power failure.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/bytes.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace lumio::state {

// Key spaces. The byte is the on-disk key prefix: never renumber.
enum class Space : uint8_t {
  Meta = 0x01,          // chain metadata: head, genesis, config, schema version
  Block = 0x02,         // block number (8-byte BE) -> encoded block
  BlockHash = 0x03,     // block hash -> block number
  Receipt = 0x04,       // block number || tx index -> receipt
  TxIndex = 0x05,       // tx hash -> block number || tx index
  Pool = 0x06,          // tx hash -> admitted, not yet included transaction (node/chain.hpp)
  EvmAccount = 0x10,    // address(20) -> RLP[nonce, balance, codeHash] (state/evm_state.hpp)
  EvmStorage = 0x11,    // address(20) || slot(32) -> value, big-endian trimmed, absent = 0
  EvmCode = 0x12,       // code hash(32) -> code
  SvmAccount = 0x20,    // pubkey(32) -> serialized account
  MoveResource = 0x30,  // address || struct tag -> BCS value
  MoveModule = 0x31,    // address || module name -> module bytes
  MoveTable = 0x32,     // table handle || key -> value
  Sys = 0x40,           // execution-visible system state shared by the VMs
  TrieNode = 0x7f,      // commitment trie nodes, path-keyed (state/trie.hpp)
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A set of puts/erases applied atomically by Store::write.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void put(Space s, BytesView key, BytesView value);
  void erase(Space s, BytesView key);
  // Erases every key of space `s` starting with `prefix` (a RocksDB range tombstone).
  void erase_prefix(Space s, BytesView prefix);
  size_t count() const;
  size_t byte_size() const;
  rocksdb::WriteBatch& rep() { return *rep_; }

 private:
  std::unique_ptr<rocksdb::WriteBatch> rep_;
};

class Snapshot;

class Store {
 public:
  struct Options {
    bool create_if_missing = true;
    size_t block_cache_bytes = 512u << 20;
  };
  // Opens (and recovers from the WAL) the database at `path`. Throws StoreError.
  static std::unique_ptr<Store> open(const std::string& path, const Options& opts);
  static std::unique_ptr<Store> open(const std::string& path) { return open(path, Options{}); }
  ~Store();

  std::optional<Bytes> get(Space s, BytesView key) const;
  // Point lookups of many full keys (space byte || key) at once (RocksDB MultiGet).
  std::vector<std::optional<Bytes>> multi_get(const std::vector<Bytes>& full_keys) const;
  // Calls fn(key without the space byte, value) in key order for keys of `s` starting with
  // `prefix`, until fn returns false.
  void scan(Space s, BytesView prefix,
            const std::function<bool(BytesView key, BytesView value)>& fn) const;
  // Applies the batch atomically; with sync the WAL is fsynced before returning. Throws StoreError.
  void write(WriteBatch& batch, bool sync);
  void flush();  // memtables -> SST files (faster reopen)
  // A consistent read-only view of the store as of now: later batches are invisible to it.
  // Use it to serve multi-key reads (an RPC call) without straddling two blocks.
  std::unique_ptr<Snapshot> snapshot() const;

 private:
  friend class Snapshot;
  explicit Store(rocksdb::DB* db);
  std::optional<Bytes> get_at(const void* snap, Space s, BytesView key) const;
  void scan_at(const void* snap, Space s, BytesView prefix,
               const std::function<bool(BytesView, BytesView)>& fn) const;
  std::unique_ptr<rocksdb::DB> db_;
};

// Must not outlive its Store.
class Snapshot {
 public:
  ~Snapshot();
  std::optional<Bytes> get(Space s, BytesView key) const { return store_.get_at(snap_, s, key); }
  void scan(Space s, BytesView prefix,
            const std::function<bool(BytesView key, BytesView value)>& fn) const {
    store_.scan_at(snap_, s, prefix, fn);
  }

 private:
  friend class Store;
  Snapshot(const Store& store, const void* snap) : store_(store), snap_(snap) {}
  const Store& store_;
  const void* snap_;  // rocksdb::Snapshot
};

// The on-disk key: space byte || key.
Bytes make_key(Space s, BytesView key);

}  // namespace lumio::state
