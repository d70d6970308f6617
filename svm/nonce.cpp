#include "svm/nonce.hpp"

#include <cstring>

#include "common/hash.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {

Hash durable_nonce_from_blockhash(const Hash& blockhash) {
  static constexpr std::string_view kPrefix = "DURABLE_NONCE";
  std::vector<uint8_t> buf(kPrefix.begin(), kPrefix.end());
  buf.insert(buf.end(), blockhash.begin(), blockhash.end());
  Hash32 h = sha256(BytesView(buf.data(), buf.size()));
  Hash out;
  std::memcpy(out.data(), h.data(), 32);
  return out;
}

std::optional<NonceVersions> decode_nonce(std::span<const uint8_t> data) {
  bincode::Reader r(data);
  uint32_t version = r.u32(), state = r.u32();
  if (!r.ok() || version > 1 || state > 1) return std::nullopt;
  NonceVersions v;
  v.legacy = version == 0;
  if (state == 1) {
    NonceData d;
    d.authority = r.pubkey();
    d.durable_nonce = r.pubkey();
    d.lamports_per_signature = r.u64();
    if (!r.ok()) return std::nullopt;
    v.data = d;
  }
  return v;
}

std::vector<uint8_t> encode(const NonceVersions& v) {
  std::vector<uint8_t> o;
  bincode::put_u32(o, v.legacy ? 0 : 1);
  bincode::put_u32(o, v.data ? 1 : 0);
  if (v.data) {
    bincode::put_pubkey(o, v.data->authority);
    bincode::put_pubkey(o, v.data->durable_nonce);
    bincode::put_u64(o, v.data->lamports_per_signature);
  }
  return o;
}

std::optional<NonceVersions> upgrade(const NonceVersions& v) {
  if (!v.legacy || !v.data) return std::nullopt;
  NonceVersions out = v;
  out.legacy = false;
  out.data->durable_nonce = durable_nonce_from_blockhash(v.data->durable_nonce);
  return out;
}

std::optional<NonceData> verify_recent_blockhash(const NonceVersions& v, const Hash& recent_blockhash) {
  if (v.legacy || !v.data || v.data->durable_nonce != recent_blockhash) return std::nullopt;
  return v.data;
}

std::optional<uint8_t> durable_nonce_account_index(const Message& m) {
  if (m.instructions.empty()) return std::nullopt;
  const CompiledInstruction& ix = m.instructions[0];
  if (ix.program_id_index >= m.account_keys.size() ||
      m.account_keys[ix.program_id_index] != ids::system_program)
    return std::nullopt;
  // limited_deserialize(data, 4) == AdvanceNonceAccount: the u32 tag 4 (later bytes unread).
  static constexpr uint8_t kAdvance[4] = {4, 0, 0, 0};
  if (ix.data.size() < 4 || std::memcmp(ix.data.data(), kAdvance, 4) != 0) return std::nullopt;
  // The nonce account must be a static key (require_static_nonce_account).
  if (ix.accounts.empty() || ix.accounts[0] >= m.account_keys.size()) return std::nullopt;
  return ix.accounts[0];
}

std::optional<NonceInfo> check_durable_nonce(const Message& m, const std::function<bool(size_t)>& is_writable,
                                             const TableAccountSource& accounts, const Hash& last_blockhash,
                                             uint64_t lamports_per_signature) {
  Hash next = durable_nonce_from_blockhash(last_blockhash);
  if (m.recent_blockhash == next) return std::nullopt;  // already advanced in this bank
  auto index = durable_nonce_account_index(m);
  if (!index || !is_writable(*index)) return std::nullopt;
  const Pubkey& address = m.account_keys[*index];
  auto acc = accounts ? accounts(address) : std::nullopt;
  if (!acc || acc->lamports == 0 || acc->owner != ids::system_program) return std::nullopt;
  auto state = decode_nonce(acc->data);
  if (!state) return std::nullopt;
  auto data = verify_recent_blockhash(*state, m.recent_blockhash);
  if (!data) return std::nullopt;
  bool authorized = false;
  for (uint8_t a : m.instructions[0].accounts)
    if (a < m.header.num_required_signatures && a < m.account_keys.size() &&
        m.account_keys[a] == data->authority)
      authorized = true;
  if (!authorized) return std::nullopt;
  NonceInfo info;
  info.index = *index;
  info.address = address;
  info.previous = *data;
  NonceVersions advanced{false, NonceData{data->authority, next, lamports_per_signature}};
  info.advanced_data.assign(acc->data.begin(), acc->data.end());
  auto bytes = encode(advanced);
  if (info.advanced_data.size() < bytes.size()) return std::nullopt;  // set_state: AccountDataTooSmall
  std::copy(bytes.begin(), bytes.end(), info.advanced_data.begin());
  return info;
}

}  // namespace lumio::svm
