#include "state/commitment.hpp"

#include <array>
#include <map>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "state/mpt.hpp"
#include "state/parallel.hpp"

namespace lumio::state {

namespace {
constexpr uint8_t kSvmTag = 's', kMoveTag = 'm', kSysTag = 'y';

Bytes bytes_of(const Hash32& h) { return Bytes(h.bytes.begin(), h.bytes.end()); }

Bytes trimmed(BytesView v) {
  size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return Bytes(v.begin() + ptrdiff_t(i), v.end());
}

Hash32 global_root(const StateRoots& r) {
  Bytes all;
  for (const Hash32* h : {&r.evm, &r.svm, &r.move, &r.sys}) append(all, h->view());
  return keccak256(all);
}
}  // namespace

EvmAccount::EvmAccount() : code_hash(kEmptyKeccak) {}

Bytes EvmAccount::encode() const {
  return rlp::Encoder().begin_list().add_uint(nonce).add(trimmed(balance.view())).add(code_hash).end_list().take();
}

std::optional<EvmAccount> EvmAccount::decode(BytesView v) {
  try {
    auto items = rlp::decode_list(v);
    if (items.size() != 3) return std::nullopt;
    EvmAccount a;
    a.nonce = rlp::to_uint64(items[0]);
    if (items[1].is_list || items[1].payload.size() > 32 ||
        (!items[1].payload.empty() && items[1].payload[0] == 0))
      return std::nullopt;
    a.balance = FixedBytes<32>::right_aligned(items[1].payload);
    a.code_hash = rlp::to_fixed<32>(items[2]);
    return a;
  } catch (const rlp::Error&) {
    return std::nullopt;
  }
}

Bytes evm_storage_key(const Address& a, const Hash32& slot) {
  Bytes k(a.bytes.begin(), a.bytes.end());
  append(k, slot.view());
  return k;
}

Bytes evm_storage_value(const Hash32& v) { return trimmed(v.view()); }

Commitment::Commitment(const Store& store, size_t cache_entries)
    : store_(store) {
  for (auto& c : caches_) c.set_max_entries(cache_entries);
  // The account trie is the hot one: with 1M accounts its branch levels end around depth
  // 5-6, so caching them leaves one store read (the leaf) per touched account, and a block's
  // commit cost stays flat as the state grows. ~2M entries is a few hundred MiB at most.
  caches_[0].set_max_entries(std::max<size_t>(cache_entries, 1u << 21));
  caches_[0].set_max_depth(6);
}

void Commitment::add_stats(const TrieStats& s) {
  stats_.node_reads += s.node_reads;
  stats_.cache_hits += s.cache_hits;
  stats_.node_writes += s.node_writes;
  stats_.node_erases += s.node_erases;
}

StateRoots Commitment::roots() const {
  // Straight from the store (four point reads), so readers never touch the cache apply() uses.
  StateRoots r;
  r.evm = Trie(store_, evm_account_trie_owner()).root();
  r.svm = Trie(store_, space_trie_owner(kSvmTag)).root();
  r.move = Trie(store_, space_trie_owner(kMoveTag)).root();
  r.sys = Trie(store_, space_trie_owner(kSysTag)).root();
  r.global = global_root(r);
  return r;
}

Hash32 Commitment::evm_storage_root(const Address& a) const {
  return Trie(store_, evm_storage_trie_owner(keccak256(a.view()))).root();
}

std::vector<Bytes> Commitment::prove_account(const Address& a) const {
  return Trie(store_, evm_account_trie_owner()).prove(keccak256(a.view()).view());
}

std::vector<Bytes> Commitment::prove_storage(const Address& a, const Hash32& slot) const {
  return Trie(store_, evm_storage_trie_owner(keccak256(a.view()))).prove(keccak256(slot.view()).view());
}

StateRoots Commitment::recompute() const {
  using Entries = std::vector<std::pair<Bytes, Bytes>>;
  Entries accounts;
  // Storage keys sort by address, so one pass over EvmStorage serves every account in order.
  std::map<Address, Entries> storage;
  store_.scan(Space::EvmStorage, {}, [&](BytesView k, BytesView v) {
    if (k.size() != 52) throw StoreError("evm storage key is not address || slot");
    Bytes t = trimmed(v);
    if (!t.empty())
      storage[*Address::from(k.subspan(0, 20))].emplace_back(bytes_of(keccak256(k.subspan(20))),
                                                             rlp::encode_string(t));
    return true;
  });
  store_.scan(Space::EvmAccount, {}, [&](BytesView k, BytesView v) {
    auto addr = Address::from(k);
    auto acct = EvmAccount::decode(v);
    if (!addr || !acct) throw StoreError("malformed evm account " + to_hex(k));
    auto it = storage.find(*addr);
    Hash32 sroot = it == storage.end() ? kEmptyTrieRoot : trie_root(std::move(it->second));
    accounts.emplace_back(bytes_of(keccak256(k)), rlp::Encoder()
                                                      .begin_list()
                                                      .add_uint(acct->nonce)
                                                      .add(trimmed(acct->balance.view()))
                                                      .add(sroot)
                                                      .add(acct->code_hash)
                                                      .end_list()
                                                      .take());
    return true;
  });
  auto hashed = [&](std::initializer_list<Space> spaces, bool key_with_space) {
    Entries e;
    for (Space s : spaces)
      store_.scan(s, {}, [&](BytesView k, BytesView v) {
        Bytes key = key_with_space ? make_key(s, k) : Bytes(k.begin(), k.end());
        e.emplace_back(bytes_of(keccak256(key)), bytes_of(keccak256(v)));
        return true;
      });
    return trie_root(std::move(e));
  };
  StateRoots r;
  r.evm = trie_root(std::move(accounts));
  r.svm = hashed({Space::SvmAccount}, false);
  r.move = hashed({Space::MoveResource, Space::MoveModule, Space::MoveTable}, true);
  r.sys = hashed({Space::Sys}, false);
  r.global = global_root(r);
  return r;
}

StateRoots Commitment::apply(const WriteSet& writes, WriteBatch& batch) {
  struct EvmChange {
    bool account_written = false;
    std::optional<Bytes> account;  // when written: new value or erased
    TrieChanges storage;
  };
  std::map<Address, EvmChange> evm;
  TrieChanges svm, move, sys;
  for (const auto& kv : writes) {
    const StateKey& k = kv.first;
    const std::optional<Bytes>& v = kv.second;  // not a structured binding: lambdas capture it
    BytesView key = key_of(k);
    auto hashed_value = [&]() -> std::optional<Bytes> {
      if (!v) return std::nullopt;
      return bytes_of(keccak256(*v));
    };
    switch (space_of(k)) {
      case Space::EvmAccount: {
        auto addr = Address::from(key);
        if (!addr) throw StoreError("evm account key is not 20 bytes");
        auto& c = evm[*addr];
        c.account_written = true;
        c.account = v;
        break;
      }
      case Space::EvmStorage: {
        if (key.size() != 52) throw StoreError("evm storage key is not address || slot");
        auto& c = evm[*Address::from(key.subspan(0, 20))];
        std::optional<Bytes> leaf;
        if (v) {
          Bytes t = trimmed(*v);
          if (!t.empty()) leaf = rlp::encode_string(t);
        }
        c.storage.emplace_back(bytes_of(keccak256(key.subspan(20))), std::move(leaf));
        break;
      }
      case Space::SvmAccount:
        svm.emplace_back(bytes_of(keccak256(key)), hashed_value());
        break;
      case Space::MoveResource:
      case Space::MoveModule:
      case Space::MoveTable:
        move.emplace_back(bytes_of(keccak256(BytesView(k))), hashed_value());
        break;
      case Space::Sys:
        sys.emplace_back(bytes_of(keccak256(key)), hashed_value());
        break;
      default:
        break;  // history and trie nodes are not state
    }
  }

  // Storage tries are independent of each other: update them in parallel, each collecting its
  // node writes, then append those to the batch in address order (deterministic batches).
  struct AccountWork {
    Address addr;
    EvmChange* change;
    std::optional<EvmAccount> account;  // nullopt: erased / absent, storage wiped
    Hash32 storage_root;
    NodeWrites writes;
    TrieStats stats;
  };
  std::vector<AccountWork> work;
  work.reserve(evm.size());
  for (auto& [addr, c] : evm) work.push_back(AccountWork{addr, &c, std::nullopt, {}, {}, {}});
  parallel_for_isolated(work.size(), [&](size_t i) {
    AccountWork& w = work[i];
    EvmChange& c = *w.change;
    std::optional<Bytes> value =
        c.account_written ? c.account : store_.get(Space::EvmAccount, w.addr.view());
    if (!value) return;
    w.account = EvmAccount::decode(*value);
    if (!w.account) throw StoreError("malformed evm account " + to_hex(w.addr));
    Trie storage(store_, evm_storage_trie_owner(keccak256(w.addr.view())), nullptr, &w.stats);
    w.storage_root = c.storage.empty() ? storage.root() : storage.update(std::move(c.storage), w.writes);
  });

  TrieChanges accounts;
  accounts.reserve(work.size());
  for (AccountWork& w : work) {
    Hash32 addr_hash = keccak256(w.addr.view());
    add_stats(w.stats);
    if (!w.account) {
      // No account (erased, or storage written without one): no storage either.
      Trie::wipe(evm_storage_trie_owner(addr_hash), batch, nullptr);
      batch.erase_prefix(Space::EvmStorage, w.addr.view());
      accounts.emplace_back(bytes_of(addr_hash), std::nullopt);
      continue;
    }
    apply_node_writes(w.writes, batch);
    accounts.emplace_back(bytes_of(addr_hash), rlp::Encoder()
                                                   .begin_list()
                                                   .add_uint(w.account->nonce)
                                                   .add(trimmed(w.account->balance.view()))
                                                   .add(w.storage_root)
                                                   .add(w.account->code_hash)
                                                   .end_list()
                                                   .take());
  }

  // The four top-level tries are independent too; each has its own node cache.
  struct TopWork {
    Bytes owner;
    NodeCache* cache;
    TrieChanges* changes;
    Hash32 root;
    NodeWrites writes;
    TrieStats stats;
  };
  std::array<TopWork, 4> top{{{evm_account_trie_owner(), &caches_[0], &accounts, {}, {}, {}},
                              {space_trie_owner(kSvmTag), &caches_[1], &svm, {}, {}, {}},
                              {space_trie_owner(kMoveTag), &caches_[2], &move, {}, {}, {}},
                              {space_trie_owner(kSysTag), &caches_[3], &sys, {}, {}, {}}}};
  parallel_for_isolated(top.size(), [&](size_t i) {
    TopWork& t = top[i];
    Trie trie(store_, t.owner, t.cache, &t.stats);
    t.root = t.changes->empty() ? trie.root() : trie.update(std::move(*t.changes), t.writes);
  });
  for (TopWork& t : top) {
    apply_node_writes(t.writes, batch);
    add_stats(t.stats);
  }
  StateRoots r;
  r.evm = top[0].root;
  r.svm = top[1].root;
  r.move = top[2].root;
  r.sys = top[3].root;
  r.global = global_root(r);
  return r;
}

}  // namespace lumio::state
