#include "state/commitment.hpp"

#include <map>

#include "common/hash.hpp"
#include "common/rlp.hpp"

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
    : store_(store), cache_(cache_entries) {}

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

  TrieChanges accounts;
  for (auto& [addr, c] : evm) {
    Hash32 addr_hash = keccak256(addr.view());
    Bytes owner = evm_storage_trie_owner(addr_hash);
    std::optional<Bytes> value =
        c.account_written ? c.account : store_.get(Space::EvmAccount, addr.view());
    if (!value) {
      // No account (erased, or storage written without one): no storage either.
      Trie::wipe(owner, batch, nullptr);
      batch.erase_prefix(Space::EvmStorage, addr.view());
      accounts.emplace_back(bytes_of(addr_hash), std::nullopt);
      continue;
    }
    auto acct = EvmAccount::decode(*value);
    if (!acct) throw StoreError("malformed evm account " + to_hex(addr));
    Trie storage(store_, owner, nullptr, &stats_);
    Hash32 storage_root = c.storage.empty() ? storage.root() : storage.update(std::move(c.storage), batch);
    accounts.emplace_back(bytes_of(addr_hash), rlp::Encoder()
                                                   .begin_list()
                                                   .add_uint(acct->nonce)
                                                   .add(trimmed(acct->balance.view()))
                                                   .add(storage_root)
                                                   .add(acct->code_hash)
                                                   .end_list()
                                                   .take());
  }

  StateRoots r;
  auto update = [&](Bytes owner, TrieChanges& ch) {
    Trie t(store_, std::move(owner), &cache_, &stats_);
    return ch.empty() ? t.root() : t.update(std::move(ch), batch);
  };
  r.evm = update(evm_account_trie_owner(), accounts);
  r.svm = update(space_trie_owner(kSvmTag), svm);
  r.move = update(space_trie_owner(kMoveTag), move);
  r.sys = update(space_trie_owner(kSysTag), sys);
  r.global = global_root(r);
  return r;
}

}  // namespace lumio::state
