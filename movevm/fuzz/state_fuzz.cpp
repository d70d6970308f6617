// libFuzzer target for the state decoders of framework.hpp / gas_schedule.hpp: struct tags,
// resource groups, the on-chain gas schedule and a whole genesis state. Any input decodes or
// fails cleanly; what decodes re-encodes to the same bytes.
#include <cstdlib>

#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"

using namespace lumio;
using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BytesView in(data, size);
  if (auto tag = decode_struct_tag(in)) {
    if (struct_tag_bcs(*tag) != Bytes(in.begin(), in.end())) std::abort();
    (void)struct_tag_text(in);
  }
  if (auto group = decode_resource_group(in)) {
    if (encode_resource_group(*group) != Bytes(in.begin(), in.end())) std::abort();
  }
  if (auto schedule = GasSchedule::from_bcs(in)) (void)GasParameters(*schedule);
  if (auto state = MoveState::from_genesis(in)) (void)GasSchedule::from_state(*state);
  return 0;
}
