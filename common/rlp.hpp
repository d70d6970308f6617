// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B).
// The decoder is strict: it rejects non-canonical lengths and single bytes < 0x80
// wrapped in a string header, exactly as geth's rlp package does.
#pragma once
#include <stdexcept>

#include "common/bytes.hpp"

namespace lumio::rlp {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Builds an encoding in one buffer; lists are closed by patching their header in place.
class Encoder {
 public:
  Encoder& add(BytesView s);             // a string
  Encoder& add(std::string_view s) { return add(as_view(s)); }
  template <size_t N>
  Encoder& add(const FixedBytes<N>& v) { return add(v.view()); }
  Encoder& add_uint(uint64_t v);         // a minimal big-endian integer
  Encoder& add_raw(BytesView encoded);   // an already-encoded item
  Encoder& begin_list();
  Encoder& end_list();
  const Bytes& bytes() const { return buf_; }
  Bytes take() { return std::move(buf_); }

 private:
  Bytes buf_;
  std::vector<size_t> open_;  // payload start offsets of open lists
};

Bytes encode_string(BytesView s);
void append_header(Bytes& out, size_t payload_len, bool list);

struct Item {
  bool is_list = false;
  BytesView payload;  // string bytes, or the concatenated list items
  BytesView raw;      // header + payload
};

// Decodes the item at the start of `in`. Throws Error on malformed input.
Item decode_item(BytesView in);
// Decodes `in` as exactly one item with nothing after it.
Item decode_exact(BytesView in);
// Splits a list's payload into its items.
std::vector<Item> list_items(const Item& list);
// The items of `in`, which must be exactly one list.
std::vector<Item> decode_list(BytesView in);

// Scalar helpers: throw Error on the wrong kind, leading zeros or overflow.
uint64_t to_uint64(const Item& it);
Bytes to_bytes(const Item& it);
template <size_t N>
FixedBytes<N> to_fixed(const Item& it) {
  if (it.is_list || it.payload.size() != N) throw Error("rlp: wrong fixed length");
  return *FixedBytes<N>::from(it.payload);
}

}  // namespace lumio::rlp
