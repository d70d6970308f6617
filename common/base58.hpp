// Base58 with the Bitcoin alphabet, as Solana's bs58 crate encodes and decodes (pubkeys,
// signatures, wire transactions in RPC). Shared by the SVM and Solana RPC.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace lumio {

// Leading zero bytes become '1's.
std::string base58_encode(BytesView data);
// Fails on a character outside the alphabet; `err` (if given) then gets bs58's DecodeError in
// Debug form: "InvalidCharacter { character: 'l', index: 3 }", "NonAsciiCharacter { index: 0 }".
std::optional<Bytes> base58_decode(std::string_view text, std::string* err = nullptr);

}  // namespace lumio
