// Ethereum Merkle-Patricia trie (yellow paper, appendix D): hex-prefix paths, RLP nodes,
// nodes whose encoding is shorter than 32 bytes inlined into their parent.
#pragma once
#include <utility>
#include <vector>

#include "common/bytes.hpp"

namespace lumio::state {

// Root of the trie holding `entries` under their raw keys (a secure trie's caller passes
// keccak(key)). A later entry for the same key replaces an earlier one; an empty value means
// "absent", as in Ethereum. No entries -> kEmptyTrieRoot.
Hash32 trie_root(std::vector<std::pair<Bytes, Bytes>> entries);

// Building blocks shared with the persistent trie (state/trie.hpp).
Bytes to_nibbles(BytesView key);                 // one nibble (0..15) per byte
Bytes hex_prefix(BytesView nibbles, bool leaf);  // compact encoding of a node path
// Appends the reference to a node with encoding `raw`: the node itself when shorter than
// 32 bytes, else the RLP string of keccak(raw).
void append_node_ref(Bytes& out, BytesView raw);

}  // namespace lumio::state
