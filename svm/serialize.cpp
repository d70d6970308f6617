#include "svm/serialize.hpp"

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
  Writer w;
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
  Writer w;
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

}  // namespace lumio::svm
