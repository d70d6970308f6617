// A persistent Ethereum Merkle-Patricia trie whose nodes live in the store, keyed by their
// position (owner || nibble path), like geth's path scheme: a node that changes overwrites its
// slot and a node that disappears is erased, so the store holds exactly the current trie and
// never grows with stale nodes. update() loads only the nodes on the changed keys' paths and
// writes only the nodes it re-encodes: O(changed keys × depth), not O(state).
//
// Layout under Space::TrieNode: owner || packed nibbles || nibble count (2 bytes BE). The root
// node is always stored (at the empty path) even when shorter than 32 bytes; other nodes are
// stored only when their encoding is 32 bytes or longer (shorter ones are inlined in their
// parent, as the hash rules require). Node reads verify keccak(node) against the parent's
// reference, so a corrupted store is detected rather than silently hashed into a root.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "state/store.hpp"

namespace lumio::state {

class TrieWork;

// Counters for tests and benchmarks.
struct TrieStats {
  uint64_t node_reads = 0;   // nodes read from the store
  uint64_t cache_hits = 0;   // nodes served by the NodeCache
  uint64_t node_writes = 0;  // nodes put into a batch
  uint64_t node_erases = 0;  // stale node slots erased
};

// Hot upper nodes (paths up to max_depth nibbles) kept in memory, bounded by max_entries
// (cleared when full: the upper levels refill within a block or two). Thread-safe.
class NodeCache {
 public:
  explicit NodeCache(size_t max_entries = 1 << 17, size_t max_depth = 4)
      : max_entries_(max_entries), max_depth_(max_depth) {}
  std::optional<Bytes> find(const Bytes& key) const;
  void put(const Bytes& key, size_t depth, const Bytes& raw);
  void erase(const Bytes& key);
  void clear();
  size_t size() const;
  void set_max_entries(size_t n) { max_entries_ = n; }
  void set_max_depth(size_t d) { max_depth_ = d; }

 private:
  size_t max_entries_, max_depth_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Bytes> map_;
};

// Node slots an update produced, in order: key -> node (nullopt = erase the slot).
using NodeWrites = std::vector<std::pair<Bytes, std::optional<Bytes>>>;
void apply_node_writes(const NodeWrites& writes, WriteBatch& batch);

// Changes for one update: key -> new value; nullopt or an empty value deletes the key.
using TrieChanges = std::vector<std::pair<Bytes, std::optional<Bytes>>>;

class Trie {
 public:
  // `owner` namespaces this trie's nodes; no owner may be a prefix of another.
  Trie(const Store& store, Bytes owner, NodeCache* cache = nullptr, TrieStats* stats = nullptr)
      : store_(store), owner_(std::move(owner)), cache_(cache), stats_(stats) {}

  // Root of the committed trie (one node read).
  Hash32 root() const;
  std::optional<Bytes> get(BytesView key) const;
  // The nodes from the root to `key` (an eth_getProof proof), whether or not the key is present.
  std::vector<Bytes> prove(BytesView key) const;

  // Visits every (key, value) in key order until fn returns false. Loads the whole trie: for
  // export and tests, not for hot paths.
  void for_each(const std::function<bool(BytesView key, BytesView value)>& fn) const;

  // Applies `changes` (later entries for a key win) and returns the new root. Node puts and
  // erases go into `batch` (and the cache); write the batch before the next update of this trie.
  Hash32 update(TrieChanges changes, WriteBatch& batch);
  // Same, collecting the node writes (for updating independent tries in parallel).
  Hash32 update(TrieChanges changes, NodeWrites& writes);

  // Erases every node of the trie owned by `owner`.
  static void wipe(BytesView owner, WriteBatch& batch, NodeCache* cache);

  // Node key of `path` (nibbles) in this trie.
  Bytes node_key(BytesView path) const;

 private:
  friend class TrieWork;
  std::optional<Bytes> read_node(BytesView path) const;
  Hash32 finish(TrieWork& w, NodeWrites& batch);
  std::optional<Hash32> update_parallel(std::map<Bytes, std::optional<Bytes>>& last,
                                        NodeWrites& batch);

  const Store& store_;
  Bytes owner_;
  NodeCache* cache_;
  TrieStats* stats_;
};

// Checks an eth_getProof-style proof (root node first) of `key` against `root`: returns the
// value, or nullopt when the proof shows the key is absent. Throws rlp::Error on a proof that
// does not hash-link to `root` or ends before the key's path does.
std::optional<Bytes> verify_proof(const Hash32& root, BytesView key, const std::vector<Bytes>& proof);

// Owners used by the commitment (state/commitment.hpp).
Bytes evm_account_trie_owner();                          // "A"
Bytes evm_storage_trie_owner(const Hash32& address_hash);  // "S" || keccak(address)
Bytes space_trie_owner(uint8_t tag);                     // "G" || tag

}  // namespace lumio::state
