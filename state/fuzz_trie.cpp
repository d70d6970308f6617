// libFuzzer target: hostile bytes as a stored trie root node and as an EVM account record.
// Every malformed input must end in rlp::Error or StoreError, never a crash or a hang.
#include <unistd.h>

#include <filesystem>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "state/commitment.hpp"
#include "state/trie.hpp"

using namespace lumio;
using namespace lumio::state;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Store> store = [] {
    auto dir = std::filesystem::temp_directory_path() / ("lumio-fuzz-trie-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return Store::open(dir.string());
  }();
  BytesView in(data, size);
  (void)EvmAccount::decode(in);

  Trie t(*store, Bytes{'f'});
  WriteBatch put;
  put.put(Space::TrieNode, t.node_key({}), in);
  store->write(put, false);
  try {
    Hash32 k = keccak256(in);
    (void)t.get(k.view());
    (void)t.get(in.subspan(0, size < 4 ? size : 4));
    t.for_each([](BytesView, BytesView) { return true; });
    (void)t.prove(k.view());
    WriteBatch batch;
    t.update({{Bytes(k.bytes.begin(), k.bytes.end()), Bytes{1, 2, 3}},
              {Bytes(in.begin(), in.begin() + (size < 3 ? size : 3)), std::nullopt}},
             batch);
  } catch (const rlp::Error&) {
  } catch (const StoreError&) {
  }
  return 0;
}
