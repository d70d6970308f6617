#include "state/trie.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "state/mpt.hpp"

using namespace lumio;
using namespace lumio::state;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("lumio-trie-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  static int& counter() {
    static int c = 0;
    return c;
  }
};

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

Hash32 model_root(const std::map<Bytes, Bytes>& m) {
  std::vector<std::pair<Bytes, Bytes>> e(m.begin(), m.end());
  return trie_root(e);
}

std::map<Bytes, Bytes> node_slots(const Store& s, BytesView owner) {
  std::map<Bytes, Bytes> out;
  s.scan(Space::TrieNode, owner, [&](BytesView k, BytesView v) {
    out.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
    return true;
  });
  return out;
}

}  // namespace

TEST(Trie, EmptyAndSingle) {
  TempDir d;
  auto store = Store::open(d.path.string());
  Trie t(*store, Bytes{'T'});
  EXPECT_EQ(t.root(), kEmptyTrieRoot);
  WriteBatch batch;
  Hash32 r = t.update({{b("dog"), b("puppy")}}, batch);
  store->write(batch, false);
  EXPECT_EQ(r, trie_root({{b("dog"), b("puppy")}}));
  EXPECT_EQ(t.root(), r);
  EXPECT_EQ(t.get(b("dog")), b("puppy"));
  EXPECT_EQ(t.get(b("do")), std::nullopt);
  WriteBatch b2;
  EXPECT_EQ(t.update({{b("dog"), std::nullopt}}, b2), kEmptyTrieRoot);
  store->write(b2, false);
  EXPECT_EQ(t.root(), kEmptyTrieRoot);
  EXPECT_TRUE(node_slots(*store, Bytes{'T'}).empty());
}

// Random inserts, overwrites and deletes across many updates: the root always equals the
// from-scratch root, and the stored slots are exactly those of a trie built in one go
// (no stale nodes left behind).
TEST(Trie, RandomUpdatesMatchRebuildAndLeaveNoGarbage) {
  TempDir d, d2;
  auto store = Store::open(d.path.string());
  std::mt19937_64 rng(42);
  std::map<Bytes, Bytes> model;
  Trie t(*store, Bytes{'T'});
  for (int round = 0; round < 60; ++round) {
    TrieChanges ch;
    int n = 1 + int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      // Short keys of varying length collide and nest often; mix long values and short.
      Bytes key(1 + rng() % 3);
      for (auto& x : key) x = uint8_t(rng() % 6);
      if (!model.empty() && rng() % 3 == 0) {
        auto it = model.begin();
        std::advance(it, rng() % model.size());
        key = it->first;
      }
      if (rng() % 4 == 0) {
        ch.emplace_back(key, std::nullopt);
        model.erase(key);
      } else {
        Bytes v(rng() % 2 ? 1 + rng() % 4 : 40, uint8_t(rng()));
        ch.emplace_back(key, v);
        model[key] = v;
      }
    }
    WriteBatch batch;
    Hash32 r = t.update(ch, batch);
    store->write(batch, false);
    ASSERT_EQ(r, model_root(model)) << "round " << round;
    ASSERT_EQ(t.root(), r);
    for (auto& [k, v] : model) ASSERT_EQ(t.get(k), v);
  }
  std::map<Bytes, Bytes> walked;
  t.for_each([&](BytesView k, BytesView v) {
    EXPECT_TRUE(walked.empty() || walked.rbegin()->first < Bytes(k.begin(), k.end()));
    walked.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
    return true;
  });
  EXPECT_EQ(walked, model);
  auto fresh = Store::open(d2.path.string());
  Trie t2(*fresh, Bytes{'T'});
  TrieChanges all;
  for (auto& [k, v] : model) all.emplace_back(k, v);
  WriteBatch batch;
  t2.update(all, batch);
  fresh->write(batch, false);
  EXPECT_EQ(node_slots(*store, Bytes{'T'}), node_slots(*fresh, Bytes{'T'}));
}

TEST(Trie, SecureKeysLargeSetWithCache) {
  TempDir d;
  auto store = Store::open(d.path.string());
  NodeCache cache;
  TrieStats stats;
  Trie t(*store, Bytes{'T'}, &cache, &stats);
  std::map<Bytes, Bytes> model;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5; ++round) {
    TrieChanges ch;
    for (int i = 0; i < 2000; ++i) {
      Hash32 k = keccak256(std::to_string(rng() % 5000));
      Bytes key(k.bytes.begin(), k.bytes.end());
      if (rng() % 5 == 0) {
        ch.emplace_back(key, std::nullopt);
        model.erase(key);
      } else {
        Bytes v(1 + rng() % 50, uint8_t(rng()));
        ch.emplace_back(key, v);
        model[key] = v;
      }
    }
    WriteBatch batch;
    Hash32 r = t.update(ch, batch);
    store->write(batch, false);
    ASSERT_EQ(r, model_root(model));
  }
  EXPECT_GT(stats.cache_hits, 0u);
}

TEST(Trie, ProofStartsAtRootAndEndsAtLeaf) {
  TempDir d;
  auto store = Store::open(d.path.string());
  Trie t(*store, Bytes{'T'});
  TrieChanges ch;
  for (int i = 0; i < 100; ++i) {
    Hash32 k = keccak256(std::to_string(i));
    ch.emplace_back(Bytes(k.bytes.begin(), k.bytes.end()), Bytes(40, uint8_t(i)));
  }
  WriteBatch batch;
  Hash32 root = t.update(ch, batch);
  store->write(batch, false);
  for (auto& [k, v] : ch) EXPECT_EQ(verify_proof(root, k, t.prove(k)), v);
  Hash32 absent = keccak256(std::string_view("absent"));
  EXPECT_EQ(verify_proof(root, absent.view(), t.prove(absent.view())), std::nullopt);
  auto proof = t.prove(ch[5].first);
  ASSERT_GE(proof.size(), 2u);
  // A tampered proof or a wrong root is rejected.
  auto bad = proof;
  bad.back().back() ^= 1;
  EXPECT_THROW(verify_proof(root, ch[5].first, bad), rlp::Error);
  EXPECT_THROW(verify_proof(keccak256(std::string_view("x")), ch[5].first, proof), rlp::Error);
  bad = proof;
  bad.pop_back();
  EXPECT_THROW(verify_proof(root, ch[5].first, bad), rlp::Error);
  EXPECT_EQ(keccak256(proof[0]), root);
  // Each later node is referenced by hash from the node before it.
  for (size_t i = 1; i < proof.size(); ++i) {
    Hash32 h = keccak256(proof[i]);
    auto& prev = proof[i - 1];
    EXPECT_NE(std::search(prev.begin(), prev.end(), h.bytes.begin(), h.bytes.end()), prev.end());
  }
}

TEST(Trie, CorruptNodeIsDetected) {
  TempDir d;
  auto store = Store::open(d.path.string());
  Trie t(*store, Bytes{'T'});
  TrieChanges ch;
  for (int i = 0; i < 50; ++i) {
    Hash32 k = keccak256(std::to_string(i));
    ch.emplace_back(Bytes(k.bytes.begin(), k.bytes.end()), Bytes(40, uint8_t(i)));
  }
  WriteBatch batch;
  t.update(ch, batch);
  store->write(batch, false);
  // Overwrite one non-root node with garbage of the right shape.
  auto slots = node_slots(*store, Bytes{'T'});
  Bytes victim;
  for (auto& [k, v] : slots)
    if (k != t.node_key({})) victim = k;
  WriteBatch bad;
  bad.put(Space::TrieNode, victim, Bytes{0xc2, 0x80, 0x80});
  store->write(bad, false);
  bool threw = false;
  for (auto& [k, v] : ch) {
    try {
      t.get(k);
    } catch (const StoreError&) {
      threw = true;
    }
  }
  EXPECT_TRUE(threw);
}

// Large updates take the parallel path (subtrees of the root branch updated concurrently);
// deletions empty whole subtrees and finally fold the root. Same guarantees as above.
TEST(Trie, ParallelUpdatesMatchRebuildAndLeaveNoGarbage) {
  TempDir d, d2;
  auto store = Store::open(d.path.string());
  NodeCache cache;
  TrieStats stats;
  Trie t(*store, Bytes{'P'}, &cache, &stats);
  std::map<Bytes, Bytes> model;
  std::mt19937_64 rng(99);
  auto key_of = [](uint64_t i) {
    Hash32 h = keccak256(std::to_string(i));
    return Bytes(h.bytes.begin(), h.bytes.end());
  };
  auto check = [&](const TrieChanges& ch) {
    WriteBatch batch;
    Hash32 r = t.update(ch, batch);
    store->write(batch, false);
    ASSERT_EQ(r, model_root(model));
    ASSERT_EQ(t.root(), r);
  };
  for (int round = 0; round < 20; ++round) {
    TrieChanges ch;
    int n = 100 + int(rng() % 200);
    for (int i = 0; i < n; ++i) {
      Bytes k = key_of(rng() % 3000);
      if (rng() % 10 < 4) {
        ch.emplace_back(k, std::nullopt);
        model.erase(k);
      } else {
        Bytes v(1 + rng() % 60, uint8_t(rng()));
        ch.emplace_back(k, v);
        model[k] = v;
      }
    }
    check(ch);
  }
  auto same_as_fresh = [&] {
    TempDir d3;
    auto fresh = Store::open(d3.path.string());
    Trie t2(*fresh, Bytes{'P'});
    TrieChanges all;
    for (auto& [k, v] : model) all.emplace_back(k, v);
    WriteBatch batch;
    t2.update(all, batch);
    fresh->write(batch, false);
    EXPECT_EQ(node_slots(*store, Bytes{'P'}), node_slots(*fresh, Bytes{'P'}));
  };
  same_as_fresh();
  // Delete everything but one key in one update: the root folds (serial fallback).
  TrieChanges ch;
  Bytes keep = model.begin()->first;
  for (auto& [k, v] : model)
    if (k != keep) ch.emplace_back(k, std::nullopt);
  for (auto& [k, v] : ch) model.erase(k);
  ASSERT_GE(ch.size(), 64u);
  check(ch);
  same_as_fresh();
  EXPECT_EQ(node_slots(*store, Bytes{'P'}).size(), 1u);  // just the root leaf
}
