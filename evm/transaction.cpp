#include "evm/transaction.hpp"

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "common/secp256k1.hpp"

namespace lumio::evm {
namespace {

using rlp::Item;

struct Fail {
  std::string message;
};

Bytes trimmed(const uint256& v) { return v.to_be_trimmed(); }

// Integers in transactions are canonical: no leading zeros, at most 32 bytes.
uint256 read_u256(const Item& it, const char* field) {
  if (it.is_list) throw Fail{std::string("rlp: expected input string or byte for ") + field};
  if (it.payload.size() > 32) throw Fail{std::string("rlp: input string too long for ") + field};
  if (!it.payload.empty() && it.payload[0] == 0)
    throw Fail{std::string("rlp: non-canonical integer (leading zero bytes) for ") + field};
  return uint256::from_be(it.payload);
}

uint64_t read_u64(const Item& it, const char* field) {
  uint256 v = read_u256(it, field);
  if (!v.fits_u64()) throw Fail{std::string("rlp: input string too long for uint64, decoding ") + field};
  return v.low64();
}

Hash32 read_sig_word(const Item& it, const char* field) { return read_u256(it, field).to_be(); }

std::optional<Address> read_to(const Item& it) {
  if (it.is_list) throw Fail{"rlp: expected input string or byte for To"};
  if (it.payload.empty()) return std::nullopt;
  if (it.payload.size() != 20) throw Fail{"rlp: input string too " +
      std::string(it.payload.size() < 20 ? "short" : "long") + " for common.Address"};
  return *Address::from(it.payload);
}

AccessList read_access_list(const Item& it) {
  AccessList out;
  for (const Item& e : rlp::list_items(it)) {
    auto fields = rlp::list_items(e);
    if (fields.size() != 2) throw Fail{"rlp: invalid access list entry"};
    if (fields[0].is_list || fields[0].payload.size() != 20)
      throw Fail{"rlp: invalid access list address"};
    AccessListEntry entry{*Address::from(fields[0].payload), {}};
    for (const Item& k : rlp::list_items(fields[1])) {
      if (k.is_list || k.payload.size() != 32) throw Fail{"rlp: invalid access list storage key"};
      entry.storage_keys.push_back(*Hash32::from(k.payload));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

void write_access_list(rlp::Encoder& e, const AccessList& al) {
  e.begin_list();
  for (const auto& entry : al) {
    e.begin_list().add(entry.address).begin_list();
    for (const auto& k : entry.storage_keys) e.add(k);
    e.end_list().end_list();
  }
  e.end_list();
}

void expect_count(const std::vector<Item>& f, size_t n) {
  if (f.size() < n) throw Fail{"rlp: too few elements for transaction"};
  if (f.size() > n) throw Fail{"rlp: input list has too many elements for transaction"};
}

Transaction decode_legacy(BytesView raw) {
  auto f = rlp::decode_list(raw);
  expect_count(f, 9);
  Transaction tx;
  tx.type = 0;
  tx.nonce = read_u64(f[0], "Nonce");
  tx.gas_price = read_u256(f[1], "GasPrice");
  tx.max_priority_fee_per_gas = tx.gas_price;
  tx.gas_limit = read_u64(f[2], "Gas");
  tx.to = read_to(f[3]);
  tx.value = read_u256(f[4], "Value");
  tx.data = rlp::to_bytes(f[5]);
  tx.v = read_u256(f[6], "V");
  tx.r = read_sig_word(f[7], "R");
  tx.s = read_sig_word(f[8], "S");
  // EIP-155: v = chain_id * 2 + 35 + parity. v of 27/28 means no chain id.
  if (tx.v != uint256(27) && tx.v != uint256(28)) {
    if (tx.v < uint256(35)) throw Fail{"invalid transaction v, r, s values"};
    uint256 cid = (tx.v - uint256(35)) / uint256(2);
    if (!cid.fits_u64()) throw Fail{"invalid chain id for signer"};
    tx.chain_id = cid.low64();
  }
  return tx;
}

Transaction decode_typed(uint8_t type, BytesView payload) {
  auto f = rlp::decode_list(payload);
  Transaction tx;
  tx.type = type;
  size_t i = 0;
  expect_count(f, type == 1 ? 11 : type == 2 ? 12 : 14);
  tx.chain_id = read_u64(f[i++], "ChainID");
  tx.nonce = read_u64(f[i++], "Nonce");
  if (type == 1) {
    tx.gas_price = read_u256(f[i++], "GasPrice");
    tx.max_priority_fee_per_gas = tx.gas_price;
  } else {
    tx.max_priority_fee_per_gas = read_u256(f[i++], "GasTipCap");
    tx.gas_price = read_u256(f[i++], "GasFeeCap");
  }
  tx.gas_limit = read_u64(f[i++], "Gas");
  tx.to = read_to(f[i++]);
  tx.value = read_u256(f[i++], "Value");
  tx.data = rlp::to_bytes(f[i++]);
  tx.access_list = read_access_list(f[i++]);
  if (type == 3) {
    if (!tx.to) throw Fail{"rlp: blob transaction must have a recipient"};
    tx.max_fee_per_blob_gas = read_u256(f[i++], "BlobFeeCap");
    for (const Item& h : rlp::list_items(f[i++])) {
      if (h.is_list || h.payload.size() != 32) throw Fail{"rlp: invalid blob hash"};
      tx.blob_versioned_hashes.push_back(*Hash32::from(h.payload));
    }
  }
  tx.v = read_u256(f[i++], "V");
  tx.r = read_sig_word(f[i++], "R");
  tx.s = read_sig_word(f[i++], "S");
  return tx;
}

// The fields every envelope shares, in envelope order (without the signature).
void write_unsigned_fields(rlp::Encoder& e, const Transaction& tx) {
  if (tx.type != 0) e.add_uint(tx.chain_id.value_or(0));
  e.add_uint(tx.nonce);
  if (tx.type >= 2) {
    e.add(trimmed(tx.max_priority_fee_per_gas));
    e.add(trimmed(tx.gas_price));
  } else {
    e.add(trimmed(tx.gas_price));
  }
  e.add_uint(tx.gas_limit);
  if (tx.to) e.add(*tx.to); else e.add(BytesView{});
  e.add(trimmed(tx.value));
  e.add(tx.data);
  if (tx.type != 0) write_access_list(e, tx.access_list);
  if (tx.type == 3) {
    e.add(trimmed(tx.max_fee_per_blob_gas));
    e.begin_list();
    for (const auto& h : tx.blob_versioned_hashes) e.add(h);
    e.end_list();
  }
}

Bytes trimmed_word(const Hash32& w) { return trimmed(uint256::from_be(w.view())); }

}  // namespace

std::optional<Transaction> decode_transaction(BytesView raw, DecodeError* err) {
  try {
    if (raw.empty()) throw Fail{"typed transaction too short"};
    if (raw[0] >= 0xc0) return decode_legacy(raw);
    if (raw[0] >= 0x80) throw Fail{"rlp: expected input list for types.LegacyTx"};
    if (raw[0] < 1 || raw[0] > 3) throw Fail{"transaction type not supported"};
    return decode_typed(raw[0], raw.subspan(1));
  } catch (const Fail& f) {
    if (err) err->message = f.message;
  } catch (const rlp::Error& e) {
    if (err) err->message = e.what();
  }
  return std::nullopt;
}

Bytes encode_transaction(const Transaction& tx) {
  rlp::Encoder e;
  e.begin_list();
  write_unsigned_fields(e, tx);
  e.add(trimmed(tx.v)).add(trimmed_word(tx.r)).add(trimmed_word(tx.s));
  e.end_list();
  if (tx.type == 0) return e.take();
  Bytes out{tx.type};
  append(out, e.bytes());
  return out;
}

Hash32 transaction_hash(const Transaction& tx) { return keccak256(encode_transaction(tx)); }

Hash32 signing_hash(const Transaction& tx) {
  rlp::Encoder e;
  e.begin_list();
  write_unsigned_fields(e, tx);
  if (tx.type == 0 && tx.chain_id) e.add_uint(*tx.chain_id).add_uint(0).add_uint(0);
  e.end_list();
  if (tx.type == 0) return keccak256(e.bytes());
  Bytes out{tx.type};
  append(out, e.bytes());
  return keccak256(out);
}

std::optional<Address> recover_sender(const Transaction& tx) {
  int recid;
  if (tx.type == 0) {
    if (!tx.chain_id) {
      if (tx.v != uint256(27) && tx.v != uint256(28)) return std::nullopt;
      recid = int(tx.v.low64() - 27);
    } else {
      recid = int(((tx.v - uint256(35)) - uint256(*tx.chain_id) * uint256(2)).low64());
    }
  } else {
    if (tx.v > uint256(1)) return std::nullopt;
    recid = int(tx.v.low64());
  }
  if (recid < 0 || recid > 1) return std::nullopt;
  if (tx.r.is_zero() || tx.s.is_zero() || !secp256k1::is_low_s(tx.s)) return std::nullopt;
  return secp256k1::recover_address(signing_hash(tx), tx.r, tx.s, recid);
}

void sign_transaction(Transaction& tx, const Hash32& secret) {
  auto sig = secp256k1::sign(signing_hash(tx), secret);
  tx.r = sig.r;
  tx.s = sig.s;
  if (tx.type != 0)
    tx.v = uint256(uint64_t(sig.recid));
  else if (tx.chain_id)
    tx.v = uint256(*tx.chain_id) * uint256(2) + uint256(35 + uint64_t(sig.recid));
  else
    tx.v = uint256(27 + uint64_t(sig.recid));
}

uint64_t intrinsic_gas(const Transaction& tx) {
  // Each term is bounded by the data length (< 2^40 in practice), so plain adds cannot
  // overflow 64 bits; access lists are bounded by the decoder's input size likewise.
  uint64_t gas = tx.to ? 21000 : 53000;
  uint64_t zeros = 0;
  for (uint8_t b : tx.data) zeros += (b == 0);
  gas += zeros * 4 + (tx.data.size() - zeros) * 16;
  if (!tx.to) gas += 2 * ((tx.data.size() + 31) / 32);  // EIP-3860
  for (const auto& e : tx.access_list) gas += 2400 + 1900 * e.storage_keys.size();
  return gas;
}

}  // namespace lumio::evm
