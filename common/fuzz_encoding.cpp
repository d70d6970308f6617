// libFuzzer: the base58 / base64 decoders on arbitrary text. Both encodings are canonical, so
// whatever decodes must encode back to the same text; a failure must come with its error text;
// and any bytes must survive encode + decode.
#include <cstdint>
#include <string>

#include "common/base58.hpp"
#include "common/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lumio;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  BytesView bytes(data, size);
  std::string err;
  if (auto b = base64_decode(text, &err)) {
    if (base64_encode(*b) != text) __builtin_trap();
  } else if (err.empty()) {
    __builtin_trap();
  }
  if (base64_decode(base64_encode(bytes)) != Bytes(data, data + size)) __builtin_trap();
  // Base58 is quadratic in the length; RPC inputs are bounded far below this.
  if (size <= 2048) {
    err.clear();
    if (auto b = base58_decode(text, &err)) {
      if (base58_encode(*b) != text) __builtin_trap();
    } else if (err.empty()) {
      __builtin_trap();
    }
    if (base58_decode(base58_encode(bytes)) != Bytes(data, data + size)) __builtin_trap();
  }
  return 0;
}
