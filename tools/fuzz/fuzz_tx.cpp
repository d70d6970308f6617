// libFuzzer target: Ethereum transaction envelopes and RLP. A decodable input must
// re-encode to the same bytes (the decoder is strict), and nothing may crash.
#include <cstdlib>

#include "common/rlp.hpp"
#include "evm/transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lumio::BytesView in(data, size);
  try {
    auto item = lumio::rlp::decode_exact(in);
    if (item.is_list) (void)lumio::rlp::list_items(item);
  } catch (const lumio::rlp::Error&) {
  }
  lumio::evm::DecodeError err;
  auto tx = lumio::evm::decode_transaction(in, &err);
  if (!tx) return 0;
  if (lumio::evm::encode_transaction(*tx) != lumio::Bytes(in.begin(), in.end())) std::abort();
  (void)lumio::evm::recover_sender(*tx);
  (void)lumio::evm::intrinsic_gas(*tx);
  return 0;
}
