// libFuzzer target for stored function values (function_values.hpp): Aptos function data V1
// (closures in resources), MoveTypeLayout and TypeTag decoding. Any input decodes or fails
// cleanly; what decodes re-encodes to exactly the bytes it came from.
#include <cstdlib>

#include "movevm/function_values.hpp"

using namespace lumio;
using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BytesView in(data, size);
  const TypeLayout function{LayoutKind::Function, {}, {}};
  if (auto v = deserialize_value(in, function)) {
    auto again = serialize_value(*v, function);
    if (!again || *again != Bytes(in.begin(), in.end())) std::abort();
    auto same = values_equal(*v, *v);
    if (!same || !*same) std::abort();
  }
  size_t pos = 0;
  if (auto l = read_layout(in, pos)) {
    Bytes out;
    serialize_layout(*l, out);
    if (out != Bytes(in.begin(), in.begin() + long(pos))) std::abort();
  }
  pos = 0;
  if (auto t = read_type_tag(in, pos)) {
    Bytes out;
    t->serialize(out);
    if (out != Bytes(in.begin(), in.begin() + long(pos))) std::abort();
  }
  return 0;
}
