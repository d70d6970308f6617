// libFuzzer target: any input must deserialize or fail with a status, never crash; whatever
// deserializes must serialize and read back to the same model.
#include <cstdlib>

#include "movevm/binary_format.hpp"

using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lumio::BytesView input(data, size);
  if (auto m = deserialize_module(input)) {
    auto bytes = serialize_module(*m);
    if (m->version >= kVersionMin) {
      if (!bytes) std::abort();
      auto again = deserialize_module(*bytes);
      if (!again || !(*again == *m)) std::abort();
    }
  }
  if (auto s = deserialize_script(input)) {
    auto bytes = serialize_script(*s);
    if (s->version >= kVersionMin) {
      if (!bytes) std::abort();
      auto again = deserialize_script(*bytes);
      if (!again || !(*again == *s)) std::abort();
    }
  }
  return 0;
}
