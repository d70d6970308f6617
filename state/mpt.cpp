#include "state/mpt.hpp"

#include <algorithm>
#include <map>
#include <span>

#include "common/hash.hpp"
#include "common/rlp.hpp"

namespace lumio::state {

Bytes to_nibbles(BytesView key) {
  Bytes out(key.size() * 2);
  for (size_t i = 0; i < key.size(); ++i) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 15;
  }
  return out;
}

Bytes hex_prefix(BytesView nib, bool leaf) {
  Bytes out;
  out.reserve(nib.size() / 2 + 1);
  uint8_t flag = uint8_t((leaf ? 2 : 0) + (nib.size() & 1));
  size_t i = 0;
  if (nib.size() & 1) {
    out.push_back(uint8_t(flag << 4 | nib[0]));
    i = 1;
  } else {
    out.push_back(uint8_t(flag << 4));
  }
  for (; i < nib.size(); i += 2) out.push_back(uint8_t(nib[i] << 4 | nib[i + 1]));
  return out;
}

void append_node_ref(Bytes& out, BytesView raw) {
  if (raw.size() < 32) {
    append(out, raw);
  } else {
    Hash32 h = keccak256(raw);
    out.push_back(0x80 + 32);
    append(out, h.view());
  }
}

namespace {

struct Entry {
  Bytes nib;
  BytesView value;
};

Bytes list_of(const Bytes& payload) {
  Bytes out;
  rlp::append_header(out, payload.size(), true);
  append(out, payload);
  return out;
}

// Encodes the subtrie holding `es` (sorted, distinct, all sharing nibbles [0, depth)).
Bytes build(std::span<const Entry> es, size_t depth) {
  Bytes payload;
  if (es.size() == 1) {
    const Entry& e = es[0];
    append(payload, rlp::encode_string(hex_prefix(BytesView(e.nib).subspan(depth), true)));
    append(payload, rlp::encode_string(e.value));
    return list_of(payload);
  }
  // Sorted order: the first and last keys bound the common prefix of all of them.
  const Bytes &a = es.front().nib, &b = es.back().nib;
  size_t p = depth;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  if (p > depth) {
    append(payload, rlp::encode_string(hex_prefix(BytesView(a).subspan(depth, p - depth), false)));
    append_node_ref(payload, build(es, p));
    return list_of(payload);
  }
  size_t i = 0;
  BytesView value;
  if (es[0].nib.size() == depth) value = es[i++].value;
  for (uint8_t n = 0; n < 16; ++n) {
    size_t j = i;
    while (j < es.size() && es[j].nib[depth] == n) ++j;
    if (j == i) payload.push_back(0x80);
    else append_node_ref(payload, build(es.subspan(i, j - i), depth + 1));
    i = j;
  }
  append(payload, rlp::encode_string(value));
  return list_of(payload);
}

}  // namespace

Hash32 trie_root(std::vector<std::pair<Bytes, Bytes>> entries) {
  std::map<Bytes, Bytes> last;
  for (auto& [k, v] : entries) last.insert_or_assign(std::move(k), std::move(v));
  std::vector<Entry> es;
  es.reserve(last.size());
  for (auto& [k, v] : last)
    if (!v.empty()) es.push_back({to_nibbles(k), v});
  if (es.empty()) return kEmptyTrieRoot;
  // Byte order of keys equals nibble order, so `es` is already sorted.
  return keccak256(build(es, 0));
}

}  // namespace lumio::state
