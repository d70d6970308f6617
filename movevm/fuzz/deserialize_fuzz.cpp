// libFuzzer target: any input must deserialize or fail with a status, never crash; whatever
// deserializes must pass through the verifier without crashing, and serialize and read back
// to the same model.
#include <cstdlib>

#include "movevm/binary_format.hpp"
#include "movevm/verifier.hpp"

using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lumio::BytesView input(data, size);
  if (auto m = deserialize_module(input)) {
    (void)verify_module(*m);
    (void)verify_module(*m, VerifierConfig::production());
    auto bytes = serialize_module(*m);
    if (m->version >= kVersionMin) {
      if (!bytes) std::abort();
      auto again = deserialize_module(*bytes);
      if (!again || !(*again == *m)) std::abort();
    }
  }
  if (auto s = deserialize_script(input)) {
    (void)verify_script(*s);
    auto bytes = serialize_script(*s);
    if (s->version >= kVersionMin) {
      if (!bytes) std::abort();
      auto again = deserialize_script(*bytes);
      if (!again || !(*again == *s)) std::abort();
    }
  }
  return 0;
}
