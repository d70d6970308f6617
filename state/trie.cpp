#include "state/trie.hpp"

#include <array>
#include <functional>
#include <stdexcept>
#include <map>
#include <memory>
#include <set>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "state/mpt.hpp"
#include "state/parallel.hpp"

namespace lumio::state {

std::optional<Bytes> NodeCache::find(const Bytes& key) const {
  std::shared_lock lock(mu_);
  auto it = map_.find(std::string(key.begin(), key.end()));
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

void NodeCache::put(const Bytes& key, size_t depth, const Bytes& raw) {
  if (depth > max_depth_) return;
  std::unique_lock lock(mu_);
  if (map_.size() >= max_entries_) map_.clear();
  map_.insert_or_assign(std::string(key.begin(), key.end()), raw);
}

void NodeCache::erase(const Bytes& key) {
  std::unique_lock lock(mu_);
  map_.erase(std::string(key.begin(), key.end()));
}

void NodeCache::clear() {
  std::unique_lock lock(mu_);
  map_.clear();
}

size_t NodeCache::size() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

Bytes evm_account_trie_owner() { return Bytes{'A'}; }
Bytes evm_storage_trie_owner(const Hash32& address_hash) {
  Bytes o{'S'};
  append(o, address_hash.view());
  return o;
}
Bytes space_trie_owner(uint8_t tag) { return Bytes{'G', tag}; }

Bytes Trie::node_key(BytesView path) const {
  if (path.size() > 0xffff) throw StoreError("trie: key longer than 32767 bytes");
  Bytes k = owner_;
  k.reserve(owner_.size() + path.size() / 2 + 3);
  for (size_t i = 0; i < path.size(); i += 2)
    k.push_back(uint8_t(path[i] << 4 | (i + 1 < path.size() ? path[i + 1] : 0)));
  k.push_back(uint8_t(path.size() >> 8));
  k.push_back(uint8_t(path.size()));
  return k;
}

std::optional<Bytes> Trie::read_node(BytesView path) const {
  Bytes key = node_key(path);
  if (cache_) {
    if (auto raw = cache_->find(key)) {
      if (stats_) ++stats_->cache_hits;
      return raw;
    }
  }
  if (stats_) ++stats_->node_reads;
  auto raw = store_.get(Space::TrieNode, key);
  if (raw && cache_) cache_->put(key, path.size(), *raw);
  return raw;
}

void Trie::wipe(BytesView owner, WriteBatch& batch, NodeCache* cache) {
  batch.erase_prefix(Space::TrieNode, owner);
  if (cache) cache->clear();
}

namespace {

struct Node;

// A child slot: empty, an unloaded stored node (known by hash), or an in-memory node.
struct Ref {
  std::unique_ptr<Node> node;
  std::optional<Hash32> hash;
  bool empty() const { return !node && !hash; }
};

struct Node {
  enum Kind : uint8_t { Leaf, Ext, Branch } kind;
  Bytes path;                // Leaf/Ext: remaining nibbles
  Bytes value;               // Leaf value, Branch value (empty = none)
  std::array<Ref, 16> kids;  // Branch children; Ext uses kids[0]
  // Clean nodes keep their encoding; a clean stored node is reused as is if still at origin.
  bool dirty = true;
  bool stored = false;
  Bytes origin;
  Bytes raw;
  Hash32 hash;
};

std::unique_ptr<Node> make_leaf(BytesView path, Bytes value) {
  auto n = std::make_unique<Node>();
  n->kind = Node::Leaf;
  n->path.assign(path.begin(), path.end());
  n->value = std::move(value);
  return n;
}
std::unique_ptr<Node> make_ext(BytesView path, Ref child) {
  auto n = std::make_unique<Node>();
  n->kind = Node::Ext;
  n->path.assign(path.begin(), path.end());
  n->kids[0] = std::move(child);
  return n;
}
std::unique_ptr<Node> make_branch() {
  auto n = std::make_unique<Node>();
  n->kind = Node::Branch;
  return n;
}
Ref ref_of(std::unique_ptr<Node> n) {
  Ref r;
  r.node = std::move(n);
  return r;
}

Bytes hp_decode(BytesView hp, bool& leaf) {
  if (hp.empty()) throw rlp::Error("trie: empty node path");
  uint8_t flag = hp[0] >> 4;
  if (flag > 3) throw rlp::Error("trie: bad hex-prefix flag");
  leaf = flag & 2;
  Bytes nib;
  if (flag & 1) nib.push_back(hp[0] & 15);
  else if (hp[0] & 15) throw rlp::Error("trie: bad hex-prefix padding");
  for (size_t i = 1; i < hp.size(); ++i) {
    nib.push_back(hp[i] >> 4);
    nib.push_back(hp[i] & 15);
  }
  return nib;
}

std::unique_ptr<Node> decode_node(BytesView raw);

Ref decode_ref(const rlp::Item& it) {
  Ref r;
  if (it.is_list) {
    if (it.raw.size() >= 32) throw rlp::Error("trie: inline node too long");
    r.node = decode_node(it.raw);
  } else if (it.payload.size() == 32) {
    r.hash = *Hash32::from(it.payload);
  } else if (!it.payload.empty()) {
    throw rlp::Error("trie: bad child reference");
  }
  return r;
}

// Decodes a node as clean (not dirty) and not stored; the caller marks stored ones.
std::unique_ptr<Node> decode_node(BytesView raw) {
  auto items = rlp::decode_list(raw);
  std::unique_ptr<Node> n;
  if (items.size() == 2) {
    bool leaf;
    Bytes path = hp_decode(rlp::to_bytes(items[0]), leaf);
    if (leaf) {
      n = make_leaf(path, rlp::to_bytes(items[1]));
    } else {
      n = make_ext(path, decode_ref(items[1]));
      if (n->path.empty() || n->kids[0].empty()) throw rlp::Error("trie: bad extension");
    }
  } else if (items.size() == 17) {
    n = make_branch();
    for (int i = 0; i < 16; ++i) n->kids[i] = decode_ref(items[i]);
    n->value = rlp::to_bytes(items[16]);
  } else {
    throw rlp::Error("trie: node is neither a 2- nor a 17-item list");
  }
  n->dirty = false;
  n->raw.assign(raw.begin(), raw.end());
  return n;
}

size_t common_prefix(BytesView a, BytesView b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

Bytes concat(BytesView a, BytesView b) {
  Bytes r(a.begin(), a.end());
  append(r, b);
  return r;
}

}  // namespace

// One update (or lookup) in progress: the partially loaded tree and the paths touched.
class TrieWork {
 public:
  TrieWork(const Trie& trie, std::function<std::optional<Bytes>(BytesView)> read)
      : trie_(trie), read_(std::move(read)) {
    if (auto raw = read_(BytesView{})) {
      root_.node = decode_node(*raw);
      root_.node->stored = true;
      root_.node->hash = keccak256(*raw);
      loaded_.insert(Bytes{});
    }
  }

  // Works on the subtree `sub` (the child slot of an already loaded root branch).
  TrieWork(const Trie& trie, std::function<std::optional<Bytes>(BytesView)> read, Ref sub)
      : trie_(trie), read_(std::move(read)), root_(std::move(sub)) {}

  Ref& root() { return root_; }

  void load(Ref& r, BytesView path) {
    if (r.node || !r.hash) return;
    auto raw = read_(path);
    if (!raw) throw StoreError("trie: missing node at " + to_hex(trie_.node_key(path)));
    Hash32 h = keccak256(*raw);
    if (h != *r.hash) throw StoreError("trie: node hash mismatch at " + to_hex(trie_.node_key(path)));
    r.node = decode_node(*raw);
    r.node->stored = true;
    r.node->origin.assign(path.begin(), path.end());
    r.node->hash = h;
    loaded_.insert(r.node->origin);
  }

  void insert(Ref& r, Bytes& path, const Bytes& key, size_t pos, Bytes value) {
    BytesView rest = BytesView(key).subspan(pos);
    if (r.empty()) {
      r.node = make_leaf(rest, std::move(value));
      return;
    }
    load(r, path);
    Node& n = *r.node;
    if (n.kind == Node::Branch) {
      if (rest.empty()) {
        if (n.value == value) return;
        n.value = std::move(value);
      } else {
        path.push_back(rest[0]);
        insert(n.kids[rest[0]], path, key, pos + 1, std::move(value));
        path.pop_back();
      }
      n.dirty = true;
      return;
    }
    size_t c = common_prefix(n.path, rest);
    if (n.kind == Node::Leaf && c == n.path.size() && c == rest.size()) {
      if (n.value == value) return;
      n.value = std::move(value);
      n.dirty = true;
      return;
    }
    if (n.kind == Node::Ext && c == n.path.size()) {
      size_t len = path.size();
      append(path, n.path);
      insert(n.kids[0], path, key, pos + c, std::move(value));
      path.resize(len);
      n.dirty = true;
      return;
    }
    // Split at the first differing nibble: a branch there holds the old node and the new key.
    auto br = make_branch();
    if (n.kind == Node::Leaf) {
      if (c == n.path.size()) br->value = std::move(n.value);
      else br->kids[n.path[c]] = ref_of(make_leaf(BytesView(n.path).subspan(c + 1), std::move(n.value)));
    } else if (c + 1 == n.path.size()) {
      br->kids[n.path[c]] = std::move(n.kids[0]);  // the child keeps its path
    } else {
      br->kids[n.path[c]] = ref_of(make_ext(BytesView(n.path).subspan(c + 1), std::move(n.kids[0])));
    }
    if (c == rest.size()) br->value = std::move(value);
    else br->kids[rest[c]] = ref_of(make_leaf(rest.subspan(c + 1), std::move(value)));
    r.node = c ? make_ext(rest.subspan(0, c), ref_of(std::move(br))) : std::move(br);
    r.hash.reset();
  }

  // Returns whether anything changed.
  bool remove(Ref& r, Bytes& path, const Bytes& key, size_t pos) {
    BytesView rest = BytesView(key).subspan(pos);
    if (r.empty()) return false;
    load(r, path);
    Node& n = *r.node;
    if (n.kind == Node::Leaf) {
      if (!std::equal(n.path.begin(), n.path.end(), rest.begin(), rest.end())) return false;
      r.node.reset();
      r.hash.reset();
      return true;
    }
    if (n.kind == Node::Ext) {
      if (rest.size() < n.path.size() || !std::equal(n.path.begin(), n.path.end(), rest.begin()))
        return false;
      size_t len = path.size();
      append(path, n.path);
      bool changed = remove(n.kids[0], path, key, pos + n.path.size());
      if (changed) {
        // The child (a branch before) may have collapsed into a leaf or extension: merge it.
        Ref& child = n.kids[0];
        load(child, path);
        if (!child.node) {
          r.node.reset();
          r.hash.reset();
        } else if (child.node->kind == Node::Leaf) {
          r.node = make_leaf(concat(n.path, child.node->path), std::move(child.node->value));
        } else if (child.node->kind == Node::Ext) {
          r.node = make_ext(concat(n.path, child.node->path), std::move(child.node->kids[0]));
        } else {
          n.dirty = true;
        }
      }
      path.resize(len);
      return changed;
    }
    if (rest.empty()) {
      if (n.value.empty()) return false;
      n.value.clear();
    } else {
      path.push_back(rest[0]);
      bool changed = remove(n.kids[rest[0]], path, key, pos + 1);
      path.pop_back();
      if (!changed) return false;
    }
    n.dirty = true;
    int count = 0, only = -1;
    for (int i = 0; i < 16; ++i)
      if (!n.kids[i].empty()) ++count, only = i;
    if (count >= 2 || (count == 1 && !n.value.empty())) return true;
    if (count == 0) {
      r.node = make_leaf({}, std::move(n.value));
      return true;
    }
    // One child left and no value: fold the branch into its child.
    Ref& child = n.kids[only];
    path.push_back(uint8_t(only));
    load(child, path);
    path.pop_back();
    Bytes nib{uint8_t(only)};
    Node& c = *child.node;
    if (c.kind == Node::Leaf) r.node = make_leaf(concat(nib, c.path), std::move(c.value));
    else if (c.kind == Node::Ext) r.node = make_ext(concat(nib, c.path), std::move(c.kids[0]));
    else r.node = make_ext(nib, std::move(child));
    return true;
  }

  std::optional<Bytes> get(Ref& r, Bytes& path, const Bytes& key, size_t pos,
                           std::vector<Bytes>* proof) {
    BytesView rest = BytesView(key).subspan(pos);
    if (r.empty()) return std::nullopt;
    bool was_loaded = r.node != nullptr;
    load(r, path);
    Node& n = *r.node;
    if (proof && (!was_loaded || path.empty())) proof->push_back(n.raw);
    if (n.kind == Node::Leaf) {
      if (!std::equal(n.path.begin(), n.path.end(), rest.begin(), rest.end())) return std::nullopt;
      return n.value;
    }
    if (n.kind == Node::Ext) {
      if (rest.size() < n.path.size() || !std::equal(n.path.begin(), n.path.end(), rest.begin()))
        return std::nullopt;
      append(path, n.path);
      return get(n.kids[0], path, key, pos + n.path.size(), proof);
    }
    if (rest.empty()) return n.value.empty() ? std::nullopt : std::optional<Bytes>(n.value);
    path.push_back(rest[0]);
    return get(n.kids[rest[0]], path, key, pos + 1, proof);
  }

  // In-order walk: a branch's own value sorts before its children.
  bool walk(Ref& r, Bytes& path, const std::function<bool(BytesView, BytesView)>& fn) {
    if (r.empty()) return true;
    load(r, path);
    Node& n = *r.node;
    size_t len = path.size();
    auto emit = [&](const Bytes& value) {
      if (path.size() % 2) throw StoreError("trie: key with an odd number of nibbles");
      Bytes key(path.size() / 2);
      for (size_t i = 0; i < key.size(); ++i) key[i] = uint8_t(path[2 * i] << 4 | path[2 * i + 1]);
      return fn(key, value);
    };
    bool more = true;
    if (n.kind == Node::Leaf) {
      append(path, n.path);
      more = emit(n.value);
    } else if (n.kind == Node::Ext) {
      append(path, n.path);
      more = walk(n.kids[0], path, fn);
    } else {
      if (!n.value.empty()) more = emit(n.value);
      for (int i = 0; more && i < 16; ++i) {
        path.push_back(uint8_t(i));
        more = walk(n.kids[i], path, fn);
        path.pop_back();
      }
    }
    path.resize(len);
    return more;
  }

  // Encodes dirty nodes bottom-up; appends this node's reference to `out`.
  void encode(Ref& r, Bytes& path, Bytes& out, NodeWrites& batch, NodeCache* cache,
              TrieStats* stats, bool is_root) {
    if (r.empty()) {
      out.push_back(0x80);
      return;
    }
    if (!r.node) {  // untouched stored subtree
      out.push_back(0xa0);
      append(out, r.hash->view());
      return;
    }
    Node& n = *r.node;
    if (!n.dirty && n.stored) {
      // Stored nodes never move: every restructuring builds new nodes around them.
      if (n.origin != path) throw std::logic_error("trie: stored node moved");
      mark_kept(n, path);
      out.push_back(0xa0);
      append(out, n.hash.view());
      return;
    }
    if (n.dirty) {
      Bytes payload;
      if (n.kind == Node::Branch) {
        for (int i = 0; i < 16; ++i) {
          path.push_back(uint8_t(i));
          encode(n.kids[i], path, payload, batch, cache, stats, false);
          path.pop_back();
        }
        append(payload, rlp::encode_string(n.value));
      } else {
        append(payload, rlp::encode_string(hex_prefix(n.path, n.kind == Node::Leaf)));
        if (n.kind == Node::Leaf) {
          append(payload, rlp::encode_string(n.value));
        } else {
          size_t len = path.size();
          append(path, n.path);
          encode(n.kids[0], path, payload, batch, cache, stats, false);
          path.resize(len);
        }
      }
      n.raw.clear();
      rlp::append_header(n.raw, payload.size(), true);
      append(n.raw, payload);
      n.dirty = false;
    }
    if (n.raw.size() >= 32 || is_root) {
      n.hash = keccak256(n.raw);
      Bytes key = trie_.node_key(path);
      batch.emplace_back(key, n.raw);
      if (cache) cache->put(key, path.size(), n.raw);
      if (stats) ++stats->node_writes;
      written_.insert(path);
      n.stored = true;
      n.origin = path;
      out.push_back(0xa0);
      append(out, n.hash.view());
    } else {
      n.stored = false;
      append(out, n.raw);  // inlined: no slot of its own
    }
  }

  // A clean stored node keeps its slot, and so do the loaded (unchanged) nodes below it.
  void mark_kept(Node& n, Bytes& path) {
    kept_.insert(path);
    size_t len = path.size();
    for (int i = 0; i < (n.kind == Node::Branch ? 16 : n.kind == Node::Ext ? 1 : 0); ++i) {
      Ref& k = n.kids[i];
      if (!k.node || !k.node->stored) continue;
      if (n.kind == Node::Branch) path.push_back(uint8_t(i));
      else append(path, n.path);
      mark_kept(*k.node, path);
      path.resize(len);
    }
  }

  // Slots that held a node before and hold none now.
  std::vector<Bytes> stale() const {
    std::vector<Bytes> out;
    for (const auto& p : loaded_)
      if (!written_.count(p) && !kept_.count(p)) out.push_back(p);
    return out;
  }

 private:
  const Trie& trie_;
  std::function<std::optional<Bytes>(BytesView)> read_;
  Ref root_;
  std::set<Bytes> loaded_, written_, kept_;
};

Hash32 Trie::root() const {
  auto raw = read_node(BytesView{});
  return raw ? keccak256(*raw) : kEmptyTrieRoot;
}

std::optional<Bytes> Trie::get(BytesView key) const {
  TrieWork w(*this, [this](BytesView p) { return read_node(p); });
  Bytes path, nib = to_nibbles(key);
  return w.get(w.root(), path, nib, 0, nullptr);
}

std::vector<Bytes> Trie::prove(BytesView key) const {
  TrieWork w(*this, [this](BytesView p) { return read_node(p); });
  Bytes path, nib = to_nibbles(key);
  std::vector<Bytes> proof;
  w.get(w.root(), path, nib, 0, &proof);
  return proof;
}

std::optional<Bytes> verify_proof(const Hash32& root, BytesView key, const std::vector<Bytes>& proof) {
  if (proof.empty()) {
    if (root == kEmptyTrieRoot) return std::nullopt;
    throw rlp::Error("proof: empty proof for a non-empty trie");
  }
  Bytes nib = to_nibbles(key);
  size_t pos = 0, next = 0;
  Hash32 want = root;
  // The node to resolve: either the next proof node (by hash) or an inline node.
  BytesView node = proof[0];
  if (keccak256(node) != want) throw rlp::Error("proof: root node does not match the root");
  next = 1;
  for (;;) {
    auto items = rlp::decode_list(node);
    rlp::Item child;
    if (items.size() == 17) {
      if (pos == nib.size()) {
        Bytes v = rlp::to_bytes(items[16]);
        return v.empty() ? std::nullopt : std::optional<Bytes>(v);
      }
      child = items[nib[pos++]];
    } else if (items.size() == 2) {
      bool leaf;
      Bytes path = hp_decode(rlp::to_bytes(items[0]), leaf);
      BytesView rest = BytesView(nib).subspan(pos);
      if (leaf) {
        if (std::equal(path.begin(), path.end(), rest.begin(), rest.end())) return rlp::to_bytes(items[1]);
        return std::nullopt;
      }
      if (rest.size() < path.size() || !std::equal(path.begin(), path.end(), rest.begin()))
        return std::nullopt;
      pos += path.size();
      child = items[1];
    } else {
      throw rlp::Error("proof: node is neither a 2- nor a 17-item list");
    }
    if (child.is_list) {
      node = child.raw;  // inlined in its parent
      continue;
    }
    if (child.payload.empty()) return std::nullopt;
    if (child.payload.size() != 32) throw rlp::Error("proof: bad child reference");
    want = *Hash32::from(child.payload);
    if (next >= proof.size()) throw rlp::Error("proof: ends before the key's path");
    node = proof[next++];
    if (keccak256(node) != want) throw rlp::Error("proof: node does not match its reference");
  }
}

void Trie::for_each(const std::function<bool(BytesView, BytesView)>& fn) const {
  TrieWork w(*this, [this](BytesView p) { return read_node(p); });
  Bytes path;
  w.walk(w.root(), path, fn);
}

namespace {
// Below this many changes a parallel split is not worth the task overhead.
constexpr size_t kParallelMinChanges = 64;
}  // namespace

Hash32 Trie::update(TrieChanges changes, NodeWrites& batch) {
  // Later entries win; sorted order keeps the loaded paths local.
  std::map<Bytes, std::optional<Bytes>> last;
  for (auto& [k, v] : changes) last.insert_or_assign(std::move(k), std::move(v));
  if (last.size() >= kParallelMinChanges && !last.begin()->first.empty()) {
    if (auto root = update_parallel(last, batch)) return *root;
  }
  TrieWork w(*this, [this](BytesView p) { return read_node(p); });
  Bytes path;
  for (auto& [k, v] : last) {
    Bytes nib = to_nibbles(k);
    path.clear();
    if (v && !v->empty()) w.insert(w.root(), path, nib, 0, std::move(*v));
    else w.remove(w.root(), path, nib, 0);
  }
  return finish(w, batch);
}

Hash32 Trie::finish(TrieWork& w, NodeWrites& batch) {
  Hash32 root = kEmptyTrieRoot;
  Bytes path;
  if (!w.root().empty()) {
    Bytes ref;
    w.encode(w.root(), path, ref, batch, cache_, stats_, true);
    root = w.root().node ? w.root().node->hash : *w.root().hash;
  }
  for (const Bytes& p : w.stale()) {
    Bytes key = node_key(p);
    if (cache_) cache_->erase(key);
    batch.emplace_back(std::move(key), std::nullopt);
    if (stats_) ++stats_->node_erases;
  }
  return root;
}

// When the root is a branch, the subtrees under its 16 children are independent: update them
// in parallel, each collecting its own node writes, then re-encode the root. Returns nullopt
// (having changed nothing) when the split does not apply.
std::optional<Hash32> Trie::update_parallel(std::map<Bytes, std::optional<Bytes>>& last,
                                            NodeWrites& batch) {
  TrieWork w(*this, [this](BytesView p) { return read_node(p); });
  Ref& root = w.root();
  if (!root.node || root.node->kind != Node::Branch) return std::nullopt;
  struct Sub {
    std::vector<std::pair<Bytes, std::optional<Bytes>*>> changes;  // nibbles, value
    TrieStats stats;
    NodeWrites writes;
    std::unique_ptr<TrieWork> work;
  };
  std::array<Sub, 16> subs;
  for (auto& [k, v] : last) {
    Bytes nib = to_nibbles(k);
    subs[nib[0]].changes.emplace_back(std::move(nib), &v);
  }
  // A root that will surely fold (fewer than two children left, no value): serial path.
  int remaining = 0;
  for (int i = 0; i < 16; ++i) {
    bool has_insert = false;
    for (auto& c : subs[i].changes) has_insert |= *c.second && !(*c.second)->empty();
    if (!root.node->kids[i].empty() || has_insert) ++remaining;
  }
  if (remaining < 2 && root.node->value.empty()) return std::nullopt;

  std::vector<int> active;
  for (int i = 0; i < 16; ++i)
    if (!subs[i].changes.empty()) active.push_back(i);
  parallel_for_isolated(active.size(), [&](size_t a) {
    int i = active[a];
    Sub& s = subs[i];
    Trie sub_trie(store_, owner_, cache_, stats_ ? &s.stats : nullptr);
    s.work = std::make_unique<TrieWork>(sub_trie, [&sub_trie](BytesView p) { return sub_trie.read_node(p); },
                                        std::move(root.node->kids[i]));
    Bytes path;
    for (auto& [nib, v] : s.changes) {
      path.assign(1, uint8_t(i));
      if (*v && !(*v)->empty()) s.work->insert(s.work->root(), path, nib, 1, **v);  // copy: see fallback
      else s.work->remove(s.work->root(), path, nib, 1);
    }
    path.assign(1, uint8_t(i));
    Bytes ref;
    if (!s.work->root().empty())
      s.work->encode(s.work->root(), path, ref, s.writes, cache_, stats_ ? &s.stats : nullptr, false);
    for (const Bytes& p : s.work->stale()) {
      Bytes key = sub_trie.node_key(p);
      if (cache_) cache_->erase(key);
      s.writes.emplace_back(std::move(key), std::nullopt);
      if (stats_) ++s.stats.node_erases;
    }
    root.node->kids[i] = std::move(s.work->root());
  });
  // Subtrees that lost all their keys may leave the root with one child: it must fold into
  // that child, which moves nodes across the split. Rare (a block deleting nearly everything):
  // drop this attempt (nothing was written; the cache saw its writes, so clear it) and let the
  // serial path redo it.
  int children = 0;
  for (int i = 0; i < 16; ++i) children += !root.node->kids[i].empty();
  if (children < 2 && root.node->value.empty()) {
    if (cache_) cache_->clear();
    return std::nullopt;
  }
  root.node->dirty = true;
  for (int i : active) {
    for (auto& nw : subs[i].writes) batch.push_back(std::move(nw));
    if (stats_) {
      stats_->node_reads += subs[i].stats.node_reads;
      stats_->cache_hits += subs[i].stats.cache_hits;
      stats_->node_writes += subs[i].stats.node_writes;
      stats_->node_erases += subs[i].stats.node_erases;
    }
  }
  return finish(w, batch);
}

Hash32 Trie::update(TrieChanges changes, WriteBatch& batch) {
  NodeWrites writes;
  Hash32 root = update(std::move(changes), writes);
  apply_node_writes(writes, batch);
  return root;
}

void apply_node_writes(const NodeWrites& writes, WriteBatch& batch) {
  for (const auto& [key, raw] : writes) {
    if (raw) batch.put(Space::TrieNode, key, *raw);
    else batch.erase(Space::TrieNode, key);
  }
}

}  // namespace lumio::state
