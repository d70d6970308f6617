#include "exec/svm_state.hpp"

#include <cstdlib>
#include <cstring>

#include "common/rlp.hpp"
#include "svm/syscalls.hpp"

namespace lumio::exec {
namespace {

void put_u64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
uint64_t get_u64(BytesView in, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[at + i];
  return v;
}
void put_key(Bytes& out, const SvmPubkey& k) { out.insert(out.end(), k.begin(), k.end()); }
SvmPubkey get_key(BytesView in, size_t at) {
  SvmPubkey k;
  std::memcpy(k.data(), in.data() + at, 32);
  return k;
}
SvmPubkey key_of(const rlp::Item& it) {
  auto f = rlp::to_fixed<32>(it);
  SvmPubkey k;
  std::memcpy(k.data(), f.bytes.data(), 32);
  return k;
}
BytesView kv(const SvmPubkey& k) { return {k.data(), k.size()}; }

constexpr size_t kSlotHashesSize = 8 + kMaxSlotHashes * 40;               // 20488
constexpr size_t kRecentBlockhashesSize = 8 + kMaxRecentBlockhashes * 40;  // 6008
constexpr size_t kStakeHistorySize = 8 + 512 * 32;                         // 16392

}  // namespace

SvmPubkey svm_pubkey(std::string_view text) {
  auto v = svm::base58_decode(text);
  if (!v || v->size() != 32) std::abort();
  SvmPubkey k;
  std::memcpy(k.data(), v->data(), 32);
  return k;
}

Bytes encode_svm_account(const SvmAccountData& a) {
  Bytes out;
  out.reserve(49 + a.data.size());
  put_u64(out, a.lamports);
  put_key(out, a.owner);
  out.push_back(a.executable ? 1 : 0);
  put_u64(out, a.rent_epoch);
  append(out, a.data);
  return out;
}

std::optional<SvmAccountData> decode_svm_account(BytesView raw) {
  if (raw.size() < 49 || raw[40] > 1) return std::nullopt;
  SvmAccountData a;
  a.lamports = get_u64(raw, 0);
  a.owner = get_key(raw, 8);
  a.executable = raw[40] == 1;
  a.rent_epoch = get_u64(raw, 41);
  a.data.assign(raw.begin() + 49, raw.end());
  return a;
}

std::optional<SvmAccountData> read_svm_account(const state::StateReader& r, const SvmPubkey& key) {
  auto raw = r.get(state::Space::SvmAccount, kv(key));
  if (!raw) return std::nullopt;
  return decode_svm_account(*raw);
}

void write_svm_account(state::BlockOverlay& o, const SvmPubkey& key, const SvmAccountData& a) {
  o.put(state::Space::SvmAccount, kv(key), encode_svm_account(a));
}

Bytes sysvar_clock_data(const SvmClock& c) {
  Bytes d;
  put_u64(d, c.slot);
  put_u64(d, uint64_t(c.epoch_start_timestamp));
  put_u64(d, c.epoch);
  put_u64(d, c.leader_schedule_epoch);
  put_u64(d, uint64_t(c.unix_timestamp));
  return d;
}

Bytes sysvar_rent_data() {
  Bytes d;
  put_u64(d, 3480);
  double threshold = 2.0;
  uint64_t bits;
  std::memcpy(&bits, &threshold, 8);
  put_u64(d, bits);
  d.push_back(50);  // burn_percent
  return d;
}

Bytes sysvar_epoch_schedule_data() {
  Bytes d;
  put_u64(d, kSlotsPerEpoch);  // slots_per_epoch
  put_u64(d, kSlotsPerEpoch);  // leader_schedule_slot_offset
  d.push_back(0);              // warmup
  put_u64(d, 0);               // first_normal_epoch
  put_u64(d, 0);               // first_normal_slot
  return d;
}

Bytes sysvar_last_restart_slot_data(uint64_t slot) {
  Bytes d;
  put_u64(d, slot);
  return d;
}

Bytes sysvar_epoch_rewards_data() { return Bytes(81, 0); }  // inactive, nothing distributed

Bytes sysvar_stake_history_data() { return Bytes(kStakeHistorySize, 0); }  // empty vector

Bytes sysvar_slot_hashes_data(const std::vector<std::pair<uint64_t, SvmPubkey>>& entries) {
  Bytes d;
  size_t n = std::min(entries.size(), kMaxSlotHashes);
  put_u64(d, n);
  for (size_t i = 0; i < n; ++i) {
    put_u64(d, entries[i].first);
    put_key(d, entries[i].second);
  }
  d.resize(kSlotHashesSize, 0);
  return d;
}

std::vector<std::pair<uint64_t, SvmPubkey>> parse_slot_hashes(BytesView d) {
  std::vector<std::pair<uint64_t, SvmPubkey>> out;
  if (d.size() < 8) return out;
  uint64_t n = std::min<uint64_t>(get_u64(d, 0), (d.size() - 8) / 40);
  for (uint64_t i = 0; i < n; ++i) out.emplace_back(get_u64(d, 8 + i * 40), get_key(d, 16 + i * 40));
  return out;
}

Bytes sysvar_recent_blockhashes_data(const std::vector<SvmPubkey>& newest_first) {
  Bytes d;
  size_t n = std::min(newest_first.size(), kMaxRecentBlockhashes);
  put_u64(d, n);
  for (size_t i = 0; i < n; ++i) {
    put_key(d, newest_first[i]);
    put_u64(d, kLamportsPerSignature);
  }
  d.resize(kRecentBlockhashesSize, 0);
  return d;
}

std::vector<SvmPubkey> parse_recent_blockhashes(BytesView d) {
  std::vector<SvmPubkey> out;
  if (d.size() < 8) return out;
  uint64_t n = std::min<uint64_t>(get_u64(d, 0), (d.size() - 8) / 40);
  for (uint64_t i = 0; i < n; ++i) out.push_back(get_key(d, 8 + i * 40));
  return out;
}

SvmAccountData sysvar_account(Bytes data) {
  SvmAccountData a;
  a.lamports = std::max<uint64_t>(1, rent_exempt_minimum(data.size()));
  a.owner = svm_pubkey("Sysvar1111111111111111111111111111111111111");
  a.data = std::move(data);
  return a;
}

Bytes encode_svm_receipt(const SvmReceipt& r) {
  rlp::Encoder e;
  e.begin_list();
  if (r.err) {
    e.begin_list().add(r.err->kind).add_uint(r.err->index).add(r.err->instruction_error)
        .add_uint(r.err->custom).add(r.err->borsh_message).end_list();
  } else {
    e.begin_list().end_list();
  }
  e.add_uint(r.fee).add_uint(r.compute_units);
  auto u64s = [&](const std::vector<uint64_t>& v) {
    e.begin_list();
    for (uint64_t x : v) e.add_uint(x);
    e.end_list();
  };
  u64s(r.pre_balances);
  u64s(r.post_balances);
  auto tokens = [&](const std::vector<SvmTokenBalance>& v) {
    e.begin_list();
    for (const auto& t : v)
      e.begin_list().add_uint(t.account_index).add(kv(t.mint)).add(kv(t.owner))
          .add(kv(t.program_id)).add_uint(t.amount).add_uint(t.decimals).end_list();
    e.end_list();
  };
  tokens(r.pre_token_balances);
  tokens(r.post_token_balances);
  e.begin_list();
  for (const auto& ii : r.inner_instructions) {
    e.begin_list().add_uint(ii.index).begin_list();
    for (const auto& in : ii.instructions)
      e.begin_list().add_uint(in.program_id_index).add(in.accounts).add(in.data)
          .add_uint(in.stack_height).end_list();
    e.end_list().end_list();
  }
  e.end_list();
  e.begin_list();
  for (const auto& l : r.logs) e.add(l);
  e.end_list();
  auto keys = [&](const std::vector<SvmPubkey>& v) {
    e.begin_list();
    for (const auto& k : v) e.add(kv(k));
    e.end_list();
  };
  keys(r.loaded_writable);
  keys(r.loaded_readonly);
  if (r.return_data) e.begin_list().add(kv(r.return_data->first)).add(r.return_data->second).end_list();
  else e.begin_list().end_list();
  e.end_list();
  Bytes out{kSvmReceiptTag};
  append(out, e.bytes());
  return out;
}

SvmReceipt decode_svm_receipt(BytesView raw) {
  if (!is_svm_receipt(raw)) throw rlp::Error("svm receipt: bad tag");
  auto f = rlp::decode_list(raw.subspan(1));
  if (f.size() != 12) throw rlp::Error("svm receipt: bad field count");
  SvmReceipt r;
  auto err = rlp::list_items(f[0]);
  if (err.size() == 5)
    r.err = SvmTxError{std::string(reinterpret_cast<const char*>(err[0].payload.data()), err[0].payload.size()),
                       uint8_t(rlp::to_uint64(err[1])),
                       std::string(reinterpret_cast<const char*>(err[2].payload.data()), err[2].payload.size()),
                       uint32_t(rlp::to_uint64(err[3])),
                       std::string(reinterpret_cast<const char*>(err[4].payload.data()), err[4].payload.size())};
  r.fee = rlp::to_uint64(f[1]);
  r.compute_units = rlp::to_uint64(f[2]);
  for (const auto& x : rlp::list_items(f[3])) r.pre_balances.push_back(rlp::to_uint64(x));
  for (const auto& x : rlp::list_items(f[4])) r.post_balances.push_back(rlp::to_uint64(x));
  auto tokens = [&](const rlp::Item& it, std::vector<SvmTokenBalance>& out) {
    for (const auto& ti : rlp::list_items(it)) {
      auto tf = rlp::list_items(ti);
      if (tf.size() != 6) throw rlp::Error("svm receipt: token balance");
      out.push_back({uint8_t(rlp::to_uint64(tf[0])), key_of(tf[1]), key_of(tf[2]), key_of(tf[3]),
                     rlp::to_uint64(tf[4]), uint8_t(rlp::to_uint64(tf[5]))});
    }
  };
  tokens(f[5], r.pre_token_balances);
  tokens(f[6], r.post_token_balances);
  for (const auto& ii : rlp::list_items(f[7])) {
    auto iif = rlp::list_items(ii);
    if (iif.size() != 2) throw rlp::Error("svm receipt: inner instructions");
    SvmInnerInstructions group{uint8_t(rlp::to_uint64(iif[0])), {}};
    for (const auto& in : rlp::list_items(iif[1])) {
      auto g = rlp::list_items(in);
      if (g.size() != 4) throw rlp::Error("svm receipt: inner instruction");
      group.instructions.push_back({uint8_t(rlp::to_uint64(g[0])), rlp::to_bytes(g[1]),
                                    rlp::to_bytes(g[2]), uint32_t(rlp::to_uint64(g[3]))});
    }
    r.inner_instructions.push_back(std::move(group));
  }
  for (const auto& l : rlp::list_items(f[8]))
    r.logs.emplace_back(reinterpret_cast<const char*>(l.payload.data()), l.payload.size());
  for (const auto& k : rlp::list_items(f[9])) r.loaded_writable.push_back(key_of(k));
  for (const auto& k : rlp::list_items(f[10])) r.loaded_readonly.push_back(key_of(k));
  auto rd = rlp::list_items(f[11]);
  if (rd.size() == 2) r.return_data = std::make_pair(key_of(rd[0]), rlp::to_bytes(rd[1]));
  return r;
}

std::optional<std::array<uint8_t, 64>> svm_first_signature(BytesView wire) {
  // compact-u16 count (< 128 signatures fit a packet: one byte), then 64-byte signatures.
  if (wire.size() < 65 || wire[0] == 0 || wire[0] >= 0x80) return std::nullopt;
  std::array<uint8_t, 64> s;
  std::memcpy(s.data(), wire.data() + 1, 64);
  return s;
}

}  // namespace lumio::exec
