// lumio-trietest: runs ethereum/tests TrieTests through state/.
// Root files: trietest.json (ordered [key, value|null] lists), trieanyorder.json (maps), their
// _secureTrie variants (keys hashed with keccak256) and hex_encoded_securetrie_test.json.
// Each case must give the fixture root twice: from trie_root over all entries, and from the
// persistent state::Trie (RocksDB-backed) updated one entry per update, in fixture order.
// trietestnextprev.json: next/prev keys of probe keys, from an in-order walk of the persistent
// trie. Keys/values starting with 0x are hex, others raw strings; null deletes.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "state/mpt.hpp"
#include "state/trie.hpp"

using namespace lumio;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Bytes decode_str(const json& v) {
  if (v.is_null()) return {};
  auto s = v.get<std::string>();
  if (s.size() >= 2 && s[0] == '0' && s[1] == 'x') {
    if (auto b = from_hex(s)) return *b;
    throw std::runtime_error("bad hex in fixture: " + s);
  }
  return Bytes(s.begin(), s.end());
}

struct Counts {
  int passed = 0, failed = 0;
};

// A scratch RocksDB store; each case uses its own trie owner inside it.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("lumio-trietest-" + std::to_string(::getpid()));
  std::unique_ptr<state::Store> store;
  int next_owner = 0;
  Scratch() {
    fs::remove_all(dir);
    store = state::Store::open(dir.string());
  }
  ~Scratch() {
    store.reset();
    fs::remove_all(dir);
  }
  Bytes owner() {
    int n = next_owner++;
    return Bytes{'t', uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  }
};

Hash32 persistent_root(Scratch& s, const std::vector<std::pair<Bytes, Bytes>>& entries) {
  state::Trie t(*s.store, s.owner());
  Hash32 root = kEmptyTrieRoot;
  for (auto& [k, v] : entries) {
    state::WriteBatch batch;
    root = t.update({{k, v}}, batch);
    s.store->write(batch, false);
  }
  if (t.root() != root) throw std::runtime_error("stored root differs from returned root");
  return root;
}

void run_root_file(const fs::path& path, Scratch& scratch, Counts& c) {
  std::string fname = path.filename().string();
  bool secure = fname.find("secure") != std::string::npos;
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  json doc = json::parse(f);
  for (auto& [name, t] : doc.items()) {
    std::vector<std::pair<Bytes, Bytes>> entries;
    auto add = [&](const json& k, const json& v) {
      Bytes key = decode_str(k);
      if (secure) {
        Hash32 h = keccak256(key);
        key.assign(h.bytes.begin(), h.bytes.end());
      }
      entries.emplace_back(std::move(key), decode_str(v));
    };
    if (t["in"].is_array()) {
      for (auto& kv : t["in"]) add(kv[0], kv[1]);
    } else {
      for (auto& [k, v] : t["in"].items()) add(json(k), v);
    }
    Hash32 want = *fixed_from_hex<32>(t["root"].get<std::string>());
    Hash32 got = state::trie_root(entries);
    Hash32 got_persistent = persistent_root(scratch, entries);
    if (got == want && got_persistent == want) {
      ++c.passed;
    } else {
      ++c.failed;
      std::cout << "FAIL " << fname << " " << name << ": trie_root " << to_hex(got)
                << ", persistent " << to_hex(got_persistent) << ", want " << to_hex(want) << "\n";
    }
  }
}

void run_nextprev_file(const fs::path& path, Scratch& scratch, Counts& c) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  json doc = json::parse(f);
  for (auto& [name, t] : doc.items()) {
    state::Trie trie(*scratch.store, scratch.owner());
    state::TrieChanges ch;
    for (auto& k : t["in"]) ch.emplace_back(decode_str(k), decode_str(k));
    state::WriteBatch batch;
    trie.update(ch, batch);
    scratch.store->write(batch, false);
    std::vector<Bytes> keys;
    trie.for_each([&](BytesView k, BytesView) {
      keys.emplace_back(k.begin(), k.end());
      return true;
    });
    std::string err;
    for (auto& probe : t["tests"]) {
      Bytes key = decode_str(probe[0]), want_prev = decode_str(probe[1]), want_next = decode_str(probe[2]);
      auto it = std::lower_bound(keys.begin(), keys.end(), key);
      Bytes prev = it == keys.begin() ? Bytes{} : *std::prev(it);
      auto nit = std::upper_bound(keys.begin(), keys.end(), key);
      Bytes next = nit == keys.end() ? Bytes{} : *nit;
      if (prev != want_prev || next != want_next)
        err += " probe " + probe[0].get<std::string>();
    }
    if (err.empty()) {
      ++c.passed;
    } else {
      ++c.failed;
      std::cout << "FAIL " << path.filename().string() << " " << name << ":" << err << "\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path root = argc > 1 ? argv[1] : "../shared/ethereum-tests/TrieTests";
  Counts c;
  Scratch scratch;
  const char* files[] = {"trietest.json", "trieanyorder.json", "trietest_secureTrie.json",
                         "trieanyorder_secureTrie.json", "hex_encoded_securetrie_test.json",
                         "trietestnextprev.json"};
  for (const char* name : files) {
    try {
      if (std::string(name) == "trietestnextprev.json") run_nextprev_file(root / name, scratch, c);
      else run_root_file(root / name, scratch, c);
    } catch (const std::exception& ex) {
      ++c.failed;
      std::cout << "FAIL " << name << ": " << ex.what() << "\n";
    }
  }
  std::cout << c.passed << " passed, " << c.failed << " failed\n";
  return c.failed ? 1 : 0;
}
