// lumio-trietest: runs ethereum/tests TrieTests through state/mpt (trie_root).
// Files: trietest.json (ordered [key, value|null] lists), trieanyorder.json (maps), their
// _secureTrie variants (keys hashed with keccak256) and hex_encoded_securetrie_test.json.
// Keys/values starting with 0x are hex, others are raw strings; null deletes.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "state/mpt.hpp"

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

void run_file(const fs::path& path, Counts& c) {
  std::string fname = path.filename().string();
  bool secure = fname.find("secure") != std::string::npos;
  std::ifstream f(path);
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
    if (got == want) {
      ++c.passed;
    } else {
      ++c.failed;
      std::cout << "FAIL " << fname << " " << name << ": root " << to_hex(got) << " want "
                << to_hex(want) << "\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path root = argc > 1 ? argv[1] : "../shared/ethereum-tests/TrieTests";
  Counts c;
  const char* files[] = {"trietest.json", "trieanyorder.json", "trietest_secureTrie.json",
                         "trieanyorder_secureTrie.json", "hex_encoded_securetrie_test.json"};
  for (const char* name : files) {
    try {
      run_file(root / name, c);
    } catch (const std::exception& ex) {
      ++c.failed;
      std::cout << "FAIL " << name << ": " << ex.what() << "\n";
    }
  }
  std::cout << c.passed << " passed, " << c.failed << " failed\n";
  return c.failed ? 1 : 0;
}
