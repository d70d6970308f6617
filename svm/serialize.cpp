#include "svm/serialize.hpp"

#include <cstring>

namespace lumio::svm {
namespace {

constexpr uint8_t kNonDupMarker = 0xff;

struct Writer {
  std::vector<uint8_t> out;
  void u8(uint8_t v) { out.push_back(v); }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
  }
  void bytes(std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); }
  void zeros(size_t n) { out.resize(out.size() + n, 0); }
};

}  // namespace

std::vector<uint8_t> serialize_aligned(std::span<const InstructionAccount> accounts,
                                       std::span<const uint8_t> data, const Pubkey& program_id) {
  // Exact size first: one allocation (each account carries 10 KiB of realloc headroom).
  size_t size = 8 + 8 + data.size() + 32;
  for (auto& a : accounts)
    size += a.duplicate_of >= 0 ? 8
                                : 8 + 32 + 32 + 8 + 8 + a.data.size() + kMaxPermittedDataIncrease +
                                      (8 - a.data.size() % 8) % 8 + 8;
  Writer w;
  w.out.reserve(size);
  w.u64(accounts.size());
  for (auto& a : accounts) {
    if (a.duplicate_of >= 0) {
      w.u8(uint8_t(a.duplicate_of));
      w.zeros(7);
      continue;
    }
    w.u8(kNonDupMarker);
    w.u8(a.is_signer);
    w.u8(a.is_writable);
    w.u8(a.executable);
    w.zeros(4);
    w.bytes(a.key);
    w.bytes(a.owner);
    w.u64(a.lamports);
    w.u64(a.data.size());
    w.bytes(a.data);
    // Realloc headroom, then pad the data to BPF_ALIGN_OF_U128 (8).
    w.zeros(kMaxPermittedDataIncrease + (8 - a.data.size() % 8) % 8);
    w.u64(a.rent_epoch);
  }
  w.u64(data.size());
  w.bytes(data);
  w.bytes(program_id);
  return std::move(w.out);
}

std::vector<uint8_t> serialize_unaligned(std::span<const InstructionAccount> accounts,
                                         std::span<const uint8_t> data, const Pubkey& program_id) {
  size_t size = 8 + 8 + data.size() + 32;
  for (auto& a : accounts) size += a.duplicate_of >= 0 ? 1 : 3 + 32 + 8 + 8 + a.data.size() + 32 + 1 + 8;
  Writer w;
  w.out.reserve(size);
  w.u64(accounts.size());
  for (auto& a : accounts) {
    if (a.duplicate_of >= 0) {
      w.u8(uint8_t(a.duplicate_of));
      continue;
    }
    w.u8(kNonDupMarker);
    w.u8(a.is_signer);
    w.u8(a.is_writable);
    w.bytes(a.key);
    w.u64(a.lamports);
    w.u64(a.data.size());
    w.bytes(a.data);
    w.bytes(a.owner);
    w.u8(a.executable);
    w.u64(a.rent_epoch);
  }
  w.u64(data.size());
  w.bytes(data);
  w.bytes(program_id);
  return std::move(w.out);
}

namespace {

struct Reader {
  std::span<const uint8_t> in;
  size_t at = 0;
  bool ok = true;
  const uint8_t* take(size_t n) {
    if (!ok || n > in.size() - std::min(at, in.size())) {
      ok = false;
      return nullptr;
    }
    const uint8_t* p = in.data() + at;
    at += n;
    return p;
  }
  uint64_t u64() {
    const uint8_t* p = take(8);
    uint64_t v = 0;
    if (p) std::memcpy(&v, p, 8);
    return v;
  }
};

template <bool Aligned>
Expected<std::vector<AccountUpdate>, std::string> deserialize(std::span<const uint8_t> input,
                                                              std::span<const InstructionAccount> accounts) {
  Reader r{input};
  r.take(8);  // account count
  std::vector<AccountUpdate> out(accounts.size());
  for (size_t i = 0; i < accounts.size(); ++i) {
    const InstructionAccount& a = accounts[i];
    r.take(1);  // duplicate marker / position
    if (a.duplicate_of >= 0) {
      if (Aligned) r.take(7);
      if (size_t(a.duplicate_of) >= i) return std::string("InvalidArgument");
      out[i] = out[a.duplicate_of];
      continue;
    }
    AccountUpdate& u = out[i];
    if constexpr (Aligned) {
      r.take(3 + 4 + 32);  // signer, writable, executable, padding, key
      if (const uint8_t* p = r.take(32)) std::memcpy(u.owner.data(), p, 32);
      u.lamports = r.u64();
      uint64_t post_len = r.u64();
      uint64_t pre_len = a.data.size();
      if ((post_len > pre_len && post_len - pre_len > kMaxPermittedDataIncrease) ||
          post_len > kMaxPermittedDataLength)
        return std::string("InvalidRealloc");
      if (const uint8_t* p = r.take(post_len)) u.data.assign(p, p + post_len);
      // The slot keeps its serialized size: pre_len + headroom + padding, then rent_epoch.
      size_t slot = pre_len + kMaxPermittedDataIncrease + (8 - pre_len % 8) % 8;
      r.take(slot - post_len);
      r.take(8);
    } else {
      r.take(2 + 32);  // signer, writable, key
      u.lamports = r.u64();
      uint64_t len = r.u64();
      if (len != a.data.size()) return std::string("InvalidRealloc");
      if (const uint8_t* p = r.take(len)) u.data.assign(p, p + len);
      u.owner = a.owner;
      r.take(32 + 1 + 8);  // owner, executable, rent_epoch
    }
    if (!r.ok) return std::string("InvalidArgument");
  }
  if (!r.ok) return std::string("InvalidArgument");
  return out;
}

}  // namespace

Expected<std::vector<AccountUpdate>, std::string> deserialize_aligned(
    std::span<const uint8_t> input, std::span<const InstructionAccount> accounts) {
  return deserialize<true>(input, accounts);
}

Expected<std::vector<AccountUpdate>, std::string> deserialize_unaligned(
    std::span<const uint8_t> input, std::span<const InstructionAccount> accounts) {
  return deserialize<false>(input, accounts);
}

}  // namespace lumio::svm
