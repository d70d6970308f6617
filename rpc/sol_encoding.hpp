// Internal to lumio_rpc_sol: Solana's JSON shapes for accounts (solana-account-decoder) and
// transactions (solana-transaction-status), shared by the HTTP methods and the PubSub pushes.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/base58.hpp"
#include "common/base64.hpp"
#include "rpc/sol_api.hpp"

namespace lumio::rpc::sol {

// common/'s codecs (base58.hpp, base64.hpp): decoding errors in the Debug form of the bs58 /
// base64 crates' DecodeError, e.g. "InvalidCharacter { character: 'l', index: 3 }",
// "InvalidByte(3, 33)", as Agave's RPC reports them.
inline std::string b58(const uint8_t* p, size_t n) { return base58_encode(BytesView(p, n)); }
template <size_t N>
std::string b58(const std::array<uint8_t, N>& a) {
  return b58(a.data(), N);
}
inline std::string b58(BytesView v) { return base58_encode(v); }
inline std::string b64(BytesView v) { return base64_encode(v); }
inline std::optional<Bytes> b64_decode(std::string_view s, std::string* err = nullptr) { return base64_decode(s, err); }
inline std::optional<Bytes> b58_decode(std::string_view s, std::string* err = nullptr) { return base58_decode(s, err); }

// ---- accounts ----

enum class AccountEncoding : uint8_t { kBinary, kBase58, kBase64, kJsonParsed, kBase64Zstd };
struct DataSlice {
  size_t offset = 0, length = 0;
};
// Looks up a mint (for a token account's decimals): its account at the same bank, if any.
using MintLookup = std::function<std::optional<SolAccount>(const SolPubkey&)>;

// Agave's MAX_BASE58_BYTES for account data.
inline constexpr size_t kMaxBase58Bytes = 128;

// UiAccount: {lamports, data, owner, executable, rentEpoch, space}. jsonParsed data falls back
// to base64 when the owner has no parser or the data does not parse. Throws RpcError for
// base58 over 128 bytes (-32600, as Agave's HTTP methods; PubSub has no limit).
json ui_account(const SolAccount& a, AccountEncoding enc, const std::optional<DataSlice>& slice,
                const MintLookup& mints, bool base58_limit = true);

// SPL Token / Token-2022.
extern const SolPubkey kTokenProgram, kToken2022Program, kSystemProgram;
bool is_token_program(const SolPubkey& p);
// RpcFilterType::TokenAccountState (Account::valid_account_data).
bool is_token_account_data(BytesView d);
struct TokenAccountView {
  SolPubkey mint, owner;
  uint64_t amount = 0;
};
// An initialized token account (base 165 bytes, any program's extensions allowed).
std::optional<TokenAccountView> unpack_token_account(BytesView d);
struct MintView {
  uint64_t supply = 0;
  uint8_t decimals = 0;
};
std::optional<MintView> unpack_mint(BytesView d);
// UiTokenAmount {amount, decimals, uiAmount, uiAmountString}.
json ui_token_amount(uint64_t amount, uint8_t decimals);

// ---- transactions ----

enum class TxEncoding : uint8_t { kBinary, kBase58, kBase64, kJson, kJsonParsed };
const char* tx_encoding_name(TxEncoding e);
enum class TxDetails : uint8_t { kFull, kSignatures, kNone, kAccounts };

json tx_error_json(const SolTxError& e);
std::string tx_error_text(const SolTxError& e);  // TransactionError's Display
json return_data_json(const SolReturnData& r);
// Simulation's innerInstructions: parsed form (programId/accounts as keys of `tx`).
json inner_instructions_json(const std::vector<SolInnerInstructions>& v, const svm::Transaction& tx);

// One transaction with meta as Agave encodes it. Throws RpcError -32015 when the transaction
// is v0 and `max_version` is unset; RpcError -32602 for undecodable wire bytes.
json encode_tx_with_meta(const SolTxWithMeta& t, TxEncoding enc, std::optional<uint8_t> max_version,
                         TxDetails details, bool show_rewards);

}  // namespace lumio::rpc::sol
