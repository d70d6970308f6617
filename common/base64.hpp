// Base64, standard alphabet with padding (the base64 crate's STANDARD engine): account data
// and transactions in Solana RPC. Shared by the SVM and Solana RPC.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace lumio {

std::string base64_encode(BytesView data);
// Canonical decoding (padding required, unused trailing bits zero). On failure `err` (if given)
// gets the crate's DecodeError in Debug form: "InvalidByte(3, 33)", "InvalidLength(5)",
// "InvalidPadding", "InvalidLastSymbol(2, 66)".
std::optional<Bytes> base64_decode(std::string_view text, std::string* err = nullptr);

}  // namespace lumio
