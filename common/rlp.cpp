#include "common/rlp.hpp"

namespace lumio::rlp {

void append_header(Bytes& out, size_t len, bool list) {
  uint8_t short_base = list ? 0xc0 : 0x80, long_base = list ? 0xf7 : 0xb7;
  if (len < 56) {
    out.push_back(uint8_t(short_base + len));
    return;
  }
  Bytes n = be_trimmed(len);
  out.push_back(uint8_t(long_base + n.size()));
  append(out, n);
}

Bytes encode_string(BytesView s) {
  Bytes out;
  if (s.size() == 1 && s[0] < 0x80) {
    out.push_back(s[0]);
    return out;
  }
  append_header(out, s.size(), false);
  append(out, s);
  return out;
}

Encoder& Encoder::add(BytesView s) {
  if (s.size() == 1 && s[0] < 0x80) {
    buf_.push_back(s[0]);
  } else {
    append_header(buf_, s.size(), false);
    append(buf_, s);
  }
  return *this;
}

Encoder& Encoder::add_uint(uint64_t v) {
  Bytes b = be_trimmed(v);
  return add(b);
}

Encoder& Encoder::add_raw(BytesView encoded) {
  append(buf_, encoded);
  return *this;
}

Encoder& Encoder::begin_list() {
  open_.push_back(buf_.size());
  return *this;
}

Encoder& Encoder::end_list() {
  size_t start = open_.back();
  open_.pop_back();
  Bytes header;
  append_header(header, buf_.size() - start, true);
  buf_.insert(buf_.begin() + ptrdiff_t(start), header.begin(), header.end());
  return *this;
}

Item decode_item(BytesView in) {
  if (in.empty()) throw Error("rlp: empty input");
  uint8_t b = in[0];
  Item it;
  size_t hlen = 0, plen = 0;
  if (b < 0x80) {
    it.payload = in.subspan(0, 1);
    it.raw = in.subspan(0, 1);
    return it;
  }
  auto read_long_len = [&](size_t nbytes) {
    if (in.size() < 1 + nbytes) throw Error("rlp: truncated length");
    if (in[1] == 0) throw Error("rlp: non-canonical length (leading zero)");
    if (nbytes > 8) throw Error("rlp: length too large");
    size_t n = 0;
    for (size_t i = 0; i < nbytes; ++i) n = (n << 8) | in[1 + i];
    if (n < 56) throw Error("rlp: non-canonical length (long form for short)");
    return n;
  };
  if (b <= 0xb7) {
    hlen = 1;
    plen = b - 0x80;
  } else if (b <= 0xbf) {
    hlen = 1 + (b - 0xb7);
    plen = read_long_len(b - 0xb7);
  } else if (b <= 0xf7) {
    it.is_list = true;
    hlen = 1;
    plen = b - 0xc0;
  } else {
    it.is_list = true;
    hlen = 1 + (b - 0xf7);
    plen = read_long_len(b - 0xf7);
  }
  if (plen > in.size() - hlen) throw Error("rlp: payload exceeds input");
  it.payload = in.subspan(hlen, plen);
  it.raw = in.subspan(0, hlen + plen);
  if (!it.is_list && plen == 1 && hlen == 1 && it.payload[0] < 0x80)
    throw Error("rlp: non-canonical single byte");
  return it;
}

Item decode_exact(BytesView in) {
  Item it = decode_item(in);
  if (it.raw.size() != in.size()) throw Error("rlp: trailing bytes");
  return it;
}

std::vector<Item> list_items(const Item& list) {
  if (!list.is_list) throw Error("rlp: expected list");
  std::vector<Item> out;
  BytesView rest = list.payload;
  while (!rest.empty()) {
    Item it = decode_item(rest);
    rest = rest.subspan(it.raw.size());
    out.push_back(it);
  }
  return out;
}

std::vector<Item> decode_list(BytesView in) { return list_items(decode_exact(in)); }

uint64_t to_uint64(const Item& it) {
  if (it.is_list) throw Error("rlp: expected integer, got list");
  if (it.payload.size() > 8) throw Error("rlp: integer overflow");
  if (!it.payload.empty() && it.payload[0] == 0) throw Error("rlp: integer has leading zero");
  uint64_t v = 0;
  for (uint8_t b : it.payload) v = (v << 8) | b;
  return v;
}

Bytes to_bytes(const Item& it) {
  if (it.is_list) throw Error("rlp: expected string, got list");
  return Bytes(it.payload.begin(), it.payload.end());
}

}  // namespace lumio::rlp
