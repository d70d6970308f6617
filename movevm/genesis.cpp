#include "movevm/genesis.hpp"

#include <algorithm>
#include <cstring>

#include "movevm/format_internal.hpp"

namespace lumio::movevm {
namespace {

using internal::Failure;

[[noreturn]] void bad(const std::string& what) {
  internal::fail(StatusCode::VALUE_DESERIALIZATION_ERROR, "genesis BCS: " + what);
}

class BcsReader {
 public:
  explicit BcsReader(BytesView b) : p_(b.data()), end_(b.data() + b.size()) {}
  size_t remaining() const { return size_t(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  uint8_t u8() {
    if (p_ == end_) bad("unexpected end");
    return *p_++;
  }
  uint64_t u64() {
    if (remaining() < 8) bad("unexpected end");
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(p_[i]) << (8 * i);
    p_ += 8;
    return v;
  }
  // BCS lengths and variant tags: canonical ULEB128 that fits in a u32.
  uint32_t uleb32() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
      uint8_t b = u8();
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if (shift > 0 && b == 0) bad("non-canonical ULEB128");
        if (v > 0xFFFFFFFFull) bad("ULEB128 over u32");
        return uint32_t(v);
      }
    }
    bad("ULEB128 too long");
  }
  Bytes bytes() {
    uint32_t n = uleb32();
    if (remaining() < n) bad("byte string past the end");
    Bytes r(p_, p_ + n);
    p_ += n;
    return r;
  }
  AccountAddress address() {
    if (remaining() < 32) bad("unexpected end");
    AccountAddress a;
    std::memcpy(a.data(), p_, 32);
    p_ += 32;
    return a;
  }
  std::string identifier() {
    Bytes b = bytes();
    std::string s(b.begin(), b.end());
    if (!is_valid_identifier(s)) bad("invalid identifier");
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// TypeTag (bool..u256, vector, struct); function and signed-integer tags are not expected
// in genesis and are rejected.
void skip_type_tag(BcsReader& r, int depth = 0) {
  if (depth > 128) bad("type tag nested too deep");
  uint32_t tag = r.uleb32();
  switch (tag) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 8: case 9: case 10: return;
    case 6: skip_type_tag(r, depth + 1); return;
    case 7: {
      r.address();
      r.identifier();
      r.identifier();
      uint32_t n = r.uleb32();
      for (uint32_t i = 0; i < n; ++i) skip_type_tag(r, depth + 1);
      return;
    }
    default: bad("unsupported type tag " + std::to_string(tag));
  }
}

StateValueMetadata read_metadata(BcsReader& r) {
  StateValueMetadata m;
  m.version = uint8_t(r.uleb32());
  if (m.version == 0) {
    m.slot_deposit = r.u64();
    m.creation_time_usecs = r.u64();
  } else if (m.version == 1) {
    m.slot_deposit = r.u64();
    m.bytes_deposit = r.u64();
    m.creation_time_usecs = r.u64();
  } else {
    bad("unknown state value metadata version");
  }
  return m;
}

GenesisChangeSet decode(BytesView blob) {
  BcsReader r(blob);
  if (r.uleb32() != 1) bad("not a GenesisTransaction");
  if (r.uleb32() != 0) bad("genesis payload is not WriteSetPayload::Direct");
  if (r.uleb32() != 0) bad("unknown WriteSet version");
  GenesisChangeSet cs;
  uint32_t n = r.uleb32();
  BytesView prev_key;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* key_start = r.pos();
    StateKey k;
    uint32_t kind = r.uleb32();
    if (kind > 2) bad("unknown state key kind");
    k.kind = StateKey::Kind(kind);
    if (k.kind != StateKey::Kind::Raw) k.address = r.address();
    k.path = r.bytes();
    // BTreeMap order: keys strictly increasing (Ord of StateKeyInner follows its BCS bytes
    // for these shapes: variant tag, then fields in order).
    BytesView key(key_start, size_t(r.pos() - key_start));
    if (i > 0 && !std::lexicographical_compare(prev_key.begin(), prev_key.end(), key.begin(), key.end()))
      bad("write set keys not in canonical order");
    prev_key = key;

    WriteOp op;
    uint32_t opk = r.uleb32();
    if (opk > 5) bad("unknown write op");
    op.kind = WriteOp::Kind(opk);
    if (opk == 0 || opk == 1 || opk == 3 || opk == 4) op.data = r.bytes();
    if (opk >= 3) op.metadata = read_metadata(r);
    cs.write_set.emplace_back(std::move(k), std::move(op));
  }
  uint32_t events = r.uleb32();
  for (uint32_t i = 0; i < events; ++i) {
    ContractEvent e;
    uint32_t v = r.uleb32();
    if (v > 1) bad("unknown contract event version");
    e.version = uint8_t(v);
    if (v == 0) {
      e.creation_number = r.u64();
      e.account = r.address();
      e.sequence_number = r.u64();
    }
    const uint8_t* tag_start = r.pos();
    skip_type_tag(r);
    e.type_tag.assign(tag_start, r.pos());
    e.data = r.bytes();
    cs.events.push_back(std::move(e));
  }
  if (r.remaining() != 0) bad("trailing bytes");
  return cs;
}

}  // namespace

Expected<GenesisChangeSet> decode_genesis_transaction(BytesView blob) {
  try {
    return decode(blob);
  } catch (const Failure& f) {
    return f.error;
  }
}

std::vector<ModuleCode> published_modules(const GenesisChangeSet& changes) {
  std::vector<ModuleCode> out;
  for (const auto& [key, op] : changes.write_set) {
    if (key.kind != StateKey::Kind::AccessPath || key.path.empty() || key.path[0] != 0) continue;
    if (op.kind == WriteOp::Kind::Deletion || op.kind == WriteOp::Kind::DeletionWithMetadata)
      continue;
    // Path::Code(ModuleId { address, name })
    try {
      BcsReader r(BytesView(key.path).subspan(1));
      ModuleCode m;
      m.address = r.address();
      m.name = r.identifier();
      if (r.remaining() != 0) continue;
      m.code = op.data;
      out.push_back(std::move(m));
    } catch (const Failure&) {
      continue;  // not a well-formed code path: not a module entry
    }
  }
  return out;
}

}  // namespace lumio::movevm
