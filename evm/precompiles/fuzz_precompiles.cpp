// libFuzzer target: byte 0 picks the precompile (0x01..0x0a), the rest is its input. Any result
// is acceptable; crashes, hangs and sanitizer reports are not.
#include <cstdlib>

#include "evm/precompiles/precompiles.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lumio;
  if (size == 0) return 0;
  static const bool setup = [] {
    if (!std::getenv("LUMIO_KZG_SETUP"))
      evm::precompiles::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
    return true;
  }();
  (void)setup;
  Address a;
  a.bytes[19] = uint8_t(1 + data[0] % 10);
  auto r = evm::precompiles::run(a, BytesView(data + 1, size - 1), 1'000'000);
  if (r.success && r.gas_used > 1'000'000) std::abort();
  return 0;
}
