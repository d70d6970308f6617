#include "exec/block.hpp"

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "state/mpt.hpp"

namespace lumio::exec {
namespace {

const Hash32 kEmptyOmmersHash = *fixed_from_hex<32>(
    "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");

void write_logs(rlp::Encoder& e, const std::vector<Log>& logs) {
  e.begin_list();
  for (const Log& l : logs) {
    e.begin_list().add(l.address).begin_list();
    for (const Hash32& t : l.topics) e.add(t);
    e.end_list().add(l.data).end_list();
  }
  e.end_list();
}

std::vector<Log> read_logs(const rlp::Item& it) {
  std::vector<Log> out;
  for (const auto& li : rlp::list_items(it)) {
    auto f = rlp::list_items(li);
    if (f.size() != 3) throw rlp::Error("log: bad field count");
    Log l{rlp::to_fixed<20>(f[0]), {}, rlp::to_bytes(f[2])};
    for (const auto& t : rlp::list_items(f[1])) l.topics.push_back(rlp::to_fixed<32>(t));
    out.push_back(std::move(l));
  }
  return out;
}

uint256 read_u256(const rlp::Item& it) {
  if (it.is_list || it.payload.size() > 32) throw rlp::Error("bad integer");
  return uint256::from_be(it.payload);
}

}  // namespace

Bytes BlockHeader::eth_rlp() const {
  rlp::Encoder e;
  e.begin_list()
      .add(parent_hash)
      .add(kEmptyOmmersHash)
      .add(coinbase)
      .add(evm_state_root)
      .add(transactions_root)
      .add(receipts_root)
      .add(logs_bloom)
      .add_uint(0)  // difficulty
      .add_uint(number)
      .add_uint(gas_limit)
      .add_uint(gas_used)
      .add_uint(timestamp)
      .add(state_commitment)  // extraData
      .add(prev_randao)       // mixHash
      .add(FixedBytes<8>{})   // nonce
      .add(base_fee.to_be_trimmed())
      .add(kEmptyTrieRoot)  // withdrawalsRoot: no withdrawals on L2
      .add_uint(0)          // blobGasUsed
      .add_uint(0)          // excessBlobGas
      .add(Hash32{})        // parentBeaconBlockRoot
      .end_list();
  return e.take();
}

Hash32 BlockHeader::hash() const { return keccak256(eth_rlp()); }

Bloom logs_bloom(const std::vector<Log>& logs) {
  Bloom b;
  for (const Log& l : logs) {
    bloom_add(b, l.address.view());
    for (const Hash32& t : l.topics) bloom_add(b, t.view());
  }
  return b;
}

Bloom Receipt::bloom() const { return logs_bloom(logs); }

Bytes Receipt::eth_consensus_rlp() const {
  rlp::Encoder e;
  e.begin_list().add_uint(success ? 1 : 0).add_uint(cumulative_gas_used).add(bloom());
  write_logs(e, logs);
  e.end_list();
  if (tx_type == 0) return e.take();
  Bytes out{tx_type};
  append(out, e.bytes());
  return out;
}

Bytes encode_block(const Block& b) {
  const BlockHeader& h = b.header;
  rlp::Encoder e;
  e.begin_list()
      .add_uint(h.number)
      .add(h.parent_hash)
      .add_uint(h.timestamp)
      .add(h.coinbase)
      .add_uint(h.gas_limit)
      .add_uint(h.gas_used)
      .add(h.base_fee.to_be_trimmed())
      .add(h.prev_randao)
      .add(h.state_commitment)
      .add(h.evm_state_root)
      .add(h.transactions_root)
      .add(h.receipts_root)
      .add(h.logs_bloom)
      .begin_list();
  for (const TxRecord& t : b.txs)
    e.begin_list().add_uint(uint64_t(t.vm)).add(t.hash).add(t.raw).add(t.sender).end_list();
  e.end_list().add_uint(h.slot).end_list();
  return e.take();
}

Block decode_block(BytesView raw) {
  auto f = rlp::decode_list(raw);
  if (f.size() != 14 && f.size() != 15) throw rlp::Error("block: bad field count");
  Block b;
  BlockHeader& h = b.header;
  h.number = rlp::to_uint64(f[0]);
  h.parent_hash = rlp::to_fixed<32>(f[1]);
  h.timestamp = rlp::to_uint64(f[2]);
  h.coinbase = rlp::to_fixed<20>(f[3]);
  h.gas_limit = rlp::to_uint64(f[4]);
  h.gas_used = rlp::to_uint64(f[5]);
  h.base_fee = read_u256(f[6]);
  h.prev_randao = rlp::to_fixed<32>(f[7]);
  h.state_commitment = rlp::to_fixed<32>(f[8]);
  h.evm_state_root = rlp::to_fixed<32>(f[9]);
  h.transactions_root = rlp::to_fixed<32>(f[10]);
  h.receipts_root = rlp::to_fixed<32>(f[11]);
  h.logs_bloom = rlp::to_fixed<256>(f[12]);
  if (f.size() == 15) h.slot = rlp::to_uint64(f[14]);
  for (const auto& ti : rlp::list_items(f[13])) {
    auto tf = rlp::list_items(ti);
    if (tf.size() != 4) throw rlp::Error("block tx: bad field count");
    b.txs.push_back({Vm(rlp::to_uint64(tf[0])), rlp::to_fixed<32>(tf[1]), rlp::to_bytes(tf[2]),
                     rlp::to_bytes(tf[3])});
  }
  return b;
}

Bytes encode_receipt(const Receipt& r) {
  rlp::Encoder e;
  e.begin_list()
      .add_uint(r.tx_type)
      .add_uint(r.success ? 1 : 0)
      .add_uint(r.gas_used)
      .add_uint(r.cumulative_gas_used);
  write_logs(e, r.logs);
  if (r.contract_address) e.add(*r.contract_address); else e.add(BytesView{});
  e.add(r.effective_gas_price.to_be_trimmed()).add(r.output).add_uint(r.first_log_index);
  e.end_list();
  return e.take();
}

Receipt decode_receipt(BytesView raw) {
  auto f = rlp::decode_list(raw);
  if (f.size() != 9) throw rlp::Error("receipt: bad field count");
  Receipt r;
  r.tx_type = uint8_t(rlp::to_uint64(f[0]));
  r.success = rlp::to_uint64(f[1]) != 0;
  r.gas_used = rlp::to_uint64(f[2]);
  r.cumulative_gas_used = rlp::to_uint64(f[3]);
  r.logs = read_logs(f[4]);
  if (!f[5].payload.empty()) r.contract_address = rlp::to_fixed<20>(f[5]);
  r.effective_gas_price = read_u256(f[6]);
  r.output = rlp::to_bytes(f[7]);
  r.first_log_index = uint32_t(rlp::to_uint64(f[8]));
  return r;
}

Hash32 ordered_root(const std::vector<Bytes>& items) {
  std::vector<std::pair<Bytes, Bytes>> entries;
  entries.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    rlp::Encoder k;
    k.add_uint(i);
    entries.emplace_back(k.take(), items[i]);
  }
  return state::trie_root(std::move(entries));
}

}  // namespace lumio::exec
