// libFuzzer: the builtins' decoders (System Program and upgradeable-loader instructions, loader
// and nonce account state, lookup tables, SlotHashes) on hostile bytes. Whatever decodes must
// re-encode to the bytes it was read from (bincode, trailing bytes ignored) and decode again to
// the same value; nothing may crash, hang or allocate without bound.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "svm/alt.hpp"
#include "svm/loader_upgradeable.hpp"
#include "svm/nonce.hpp"
#include "svm/system_program.hpp"

using namespace lumio::svm;

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool prefix_of(const std::vector<uint8_t>& enc, std::span<const uint8_t> in) {
  return enc.size() <= in.size() && std::equal(enc.begin(), enc.end(), in.begin());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  if (auto ix = decode_system_instruction(in)) {
    auto enc = encode(*ix);
    check(prefix_of(enc, in));
    auto again = decode_system_instruction(enc);
    check(again && encode(*again) == enc);
  }
  if (auto ix = decode_loader_instruction(in)) {
    auto enc = encode(*ix);
    check(prefix_of(enc, in));
    check(decode_loader_instruction(enc).has_value());
  }
  if (auto s = decode_loader_state(in)) {
    check(prefix_of(encode(*s), in));
    check(decode_loader_state(encode(*s)) == s);
  }
  if (auto n = decode_nonce(in)) {
    check(prefix_of(encode(*n), in));
    check(decode_nonce(encode(*n)) == n);
  }
  auto table = deserialize_lookup_table(in);
  if (table.ok()) {
    check(table->addresses.size() % 32 == 0);
    SlotHashes sh;
    sh.entries.emplace_back(5, Hash{});
    size_t n = table->active_len(6, sh).value_or(0);
    if (n <= table->size())
      for (size_t i = 0; i < n; ++i) (void)table->at(i);
  }
  if (auto sh = SlotHashes::decode(in)) check(prefix_of(sh->encode(), in));
  return 0;
}
