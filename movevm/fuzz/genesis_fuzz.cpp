// libFuzzer target for the genesis BCS decoder: any input decodes or fails with a status.
#include "movevm/genesis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto cs = lumio::movevm::decode_genesis_transaction(lumio::BytesView(data, size));
  if (cs) (void)lumio::movevm::published_modules(*cs);
  return 0;
}
