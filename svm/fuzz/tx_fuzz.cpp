// libFuzzer target: arbitrary bytes through the transaction decoder, sanitize, duplicate check and
// signature verification. Every input ends in a value or a clean error; whatever decodes must
// re-encode to the same bytes (the wire format has exactly one encoding per transaction).
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <span>

#include "svm/transaction.hpp"

using namespace lumio::svm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  (void)decode_message(bytes);
  auto tx = decode_transaction(bytes);
  if (!tx.ok()) {
    (void)name(tx.error());
    return 0;
  }
  auto again = encode_transaction(*tx);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  if (auto e = validate(*tx)) (void)message(*e);
  if (auto e = validate_account_locks(tx->message)) (void)name(*e);
  return 0;
}
