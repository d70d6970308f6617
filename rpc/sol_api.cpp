// Solana JSON-RPC methods and PubSub subscriptions (Agave rpc.rs / rpc_pubsub.rs): parameter
// parsing with jsonrpc-core / serde's messages, commitment and minContextSlot, response
// wrapping, and the fan-out of node events to WebSocket subscribers.
#include "rpc/sol_api.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <queue>
#include <variant>

#include "rpc/sol_encoding.hpp"
#include "svm/syscalls.hpp"

namespace lumio::rpc {

namespace sol_error {
RpcError block_not_available(uint64_t slot) {
  return RpcError(sol_code::kBlockNotAvailable,
                  "Block not available for slot " + std::to_string(slot));
}
RpcError slot_skipped(uint64_t slot) {
  return RpcError(sol_code::kSlotSkipped,
                  "Slot " + std::to_string(slot) +
                      " was skipped, or missing due to ledger jump to recent snapshot");
}
RpcError long_term_storage_slot_skipped(uint64_t slot) {
  return RpcError(sol_code::kLongTermStorageSlotSkipped,
                  "Slot " + std::to_string(slot) + " was skipped, or missing in long-term storage");
}
RpcError block_cleaned_up(uint64_t slot, uint64_t first_available) {
  return RpcError(sol_code::kBlockCleanedUp,
                  "Block " + std::to_string(slot) +
                      " cleaned up, does not exist on node. First available block: " +
                      std::to_string(first_available));
}
RpcError invalid_params(std::string message) {
  return RpcError(code::kInvalidParams, std::move(message));
}
}  // namespace sol_error

namespace {

using namespace sol;

// ---------------------------------------------------------------- parameter parsing
// jsonrpc-core parses a method's parameters with serde; its errors read
// "Invalid params: <serde message>." (code -32602). ParamError carries the serde message.

struct ParamError {
  std::string msg;
};

std::string float_text(double v) {  // serde's Unexpected::Float: always with a decimal point
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// serde's Unexpected for a JSON value.
std::string unexpected(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return std::string("boolean `") + (v.get<bool>() ? "true" : "false") + "`";
    case json::value_t::number_unsigned: return "integer `" + std::to_string(v.get<uint64_t>()) + "`";
    case json::value_t::number_integer: return "integer `" + std::to_string(v.get<int64_t>()) + "`";
    case json::value_t::number_float: return "floating point `" + float_text(v.get<double>()) + "`";
    case json::value_t::string: return "string " + json(v.get<std::string>()).dump(-1, ' ', false, json::error_handler_t::replace);
    case json::value_t::array: return "sequence";
    case json::value_t::object: return "map";
    default: return "unit";
  }
}

[[noreturn]] void bad_type(const json& v, std::string_view expected) {
  throw ParamError{"invalid type: " + unexpected(v) + ", expected " + std::string(expected)};
}

const std::string& as_str(const json& v) {
  if (!v.is_string()) bad_type(v, "a string");
  return v.get_ref<const std::string&>();
}
uint64_t as_uint(const json& v, std::string_view type, uint64_t max = UINT64_MAX) {
  if (v.is_number_unsigned()) {
    uint64_t x = v.get<uint64_t>();
    if (x > max) throw ParamError{"invalid value: " + unexpected(v) + ", expected " + std::string(type)};
    return x;
  }
  if (v.is_number_integer())  // negative
    throw ParamError{"invalid value: " + unexpected(v) + ", expected " + std::string(type)};
  bad_type(v, type);
}
uint64_t as_u64(const json& v) { return as_uint(v, "u64"); }
size_t as_usize(const json& v) { return as_uint(v, "usize"); }
bool as_bool(const json& v) {
  if (!v.is_boolean()) bad_type(v, "a boolean");
  return v.get<bool>();
}
const json& as_array(const json& v) {
  if (!v.is_array()) bad_type(v, "a sequence");
  return v;
}
// An Option<Struct> parameter: null -> nullptr; non-object -> serde's error.
const json* as_struct(const json& v, std::string_view name) {
  if (v.is_null()) return nullptr;
  if (!v.is_object()) bad_type(v, "struct " + std::string(name));
  return &v;
}
// A field of a config object, or nullptr when absent/null (serde's Option default).
const json* field(const json* obj, const char* name) {
  if (!obj) return nullptr;
  auto it = obj->find(name);
  return it == obj->end() || it->is_null() ? nullptr : &*it;
}
// A unit-variant enum field.
template <class E, size_t N>
E as_enum(const json& v, const std::pair<const char*, E> (&variants)[N]) {
  if (!v.is_string()) bad_type(v, "string or map");
  const std::string& s = v.get_ref<const std::string&>();
  for (auto& [n, e] : variants)
    if (s == n) return e;
  std::string msg = "unknown variant `" + s + "`, expected ";
  if (N == 2) {
    msg += std::string("`") + variants[0].first + "` or `" + variants[1].first + "`";
  } else {
    msg += "one of ";
    for (size_t i = 0; i < N; ++i) msg += std::string(i ? ", `" : "`") + variants[i].first + "`";
  }
  throw ParamError{msg};
}

// Rust's Debug of serde_json values and jsonrpc Params (for "No parameters were expected").
std::string rust_debug(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "Null";
    case json::value_t::boolean: return v.get<bool>() ? "Bool(true)" : "Bool(false)";
    case json::value_t::number_unsigned: return "Number(" + std::to_string(v.get<uint64_t>()) + ")";
    case json::value_t::number_integer: return "Number(" + std::to_string(v.get<int64_t>()) + ")";
    case json::value_t::number_float: return "Number(" + float_text(v.get<double>()) + ")";
    case json::value_t::string: return "String(" + json(v.get<std::string>()).dump(-1, ' ', false, json::error_handler_t::replace) + ")";
    case json::value_t::array: {
      std::string s = "Array [";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + rust_debug(v[i]);
      return s + "]";
    }
    case json::value_t::object: {
      std::string s = "Object {";
      bool first = true;
      for (auto& [k, x] : v.items()) {
        s += (first ? "" : ", ") + json(k).dump() + ": " + rust_debug(x);
        first = false;
      }
      return s + "}";
    }
    default: return "Null";
  }
}

// jsonrpc-derive's parameter count rules for a method with `required` leading parameters and
// `total` in all (the rest Option<T>).
class Args {
 public:
  Args(const json& p, size_t required, size_t total) : p_(p) {
    if (total == 0) {
      if (p.is_array() && p.empty()) return;
      std::string dbg = p.is_array() ? rust_debug(p).substr(6) : rust_debug(p).substr(7);
      throw RpcError(code::kInvalidParams, "Invalid parameters: No parameters were expected",
                     json((p.is_array() ? "Array(" : "Map(") + dbg + ")"));
    }
    if (!p.is_array()) {
      if (required == total) bad_type(p, "a tuple of size " + std::to_string(total));
      throw RpcError(code::kInvalidParams, "`params` should be an array");
    }
    size_t n = p.size();
    if (required == total) {  // plain tuple: serde's length errors
      if (n < total)
        throw ParamError{"invalid length " + std::to_string(n) + ", expected a tuple of size " +
                         std::to_string(total)};
      if (n > total)
        throw ParamError{"invalid length " + std::to_string(n) + ", expected fewer elements in array"};
      return;
    }
    if (n < required)
      throw RpcError(code::kInvalidParams,
                     "`params` should have at least " + std::to_string(required) + " argument(s)");
    if (n > total)
      throw RpcError(code::kInvalidParams,
                     "Invalid parameters: Expected from " + std::to_string(required) + " to " +
                         std::to_string(total) + " parameters.",
                     json("\"Got: " + std::to_string(n) + "\""));
  }
  bool has(size_t i) const { return i < p_.size() && !p_[i].is_null(); }
  const json& at(size_t i) const {
    static const json kNull;
    return i < p_.size() ? p_[i] : kNull;
  }

 private:
  const json& p_;
};

// ---------------------------------------------------------------- Solana values

// Pubkey/Signature/Hash FromStr: longer than the longest base58 form -> WrongSize; bad
// base58 -> Invalid; wrong decoded length -> WrongSize.
template <size_t N>
std::optional<std::array<uint8_t, N>> parse_b58(std::string_view s, const char** why) {
  size_t max_len = N == 32 ? 44 : 88;
  if (s.size() > max_len) {
    *why = "WrongSize";
    return std::nullopt;
  }
  auto d = svm::base58_decode(s);
  if (!d) {
    *why = "Invalid";
    return std::nullopt;
  }
  if (d->size() != N) {
    *why = "WrongSize";
    return std::nullopt;
  }
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), d->data(), N);
  return out;
}
// verify_pubkey / verify_signature / verify_hash: "Invalid param: WrongSize".
SolPubkey verify_pubkey(std::string_view s) {
  const char* why = "";
  auto k = parse_b58<32>(s, &why);
  if (!k) throw RpcError(code::kInvalidParams, std::string("Invalid param: ") + why);
  return *k;
}
SolSignature verify_signature(std::string_view s) {
  const char* why = "";
  auto k = parse_b58<64>(s, &why);
  if (!k) throw RpcError(code::kInvalidParams, std::string("Invalid param: ") + why);
  return *k;
}

const std::pair<const char*, Commitment> kCommitments[] = {
    {"processed", Commitment::kProcessed},
    {"confirmed", Commitment::kConfirmed},
    {"finalized", Commitment::kFinalized}};
const std::pair<const char*, AccountEncoding> kAccountEncodings[] = {
    {"binary", AccountEncoding::kBinary},
    {"base58", AccountEncoding::kBase58},
    {"base64", AccountEncoding::kBase64},
    {"jsonParsed", AccountEncoding::kJsonParsed},
    {"base64+zstd", AccountEncoding::kBase64Zstd}};
const std::pair<const char*, TxEncoding> kTxEncodings[] = {
    {"binary", TxEncoding::kBinary},
    {"base64", TxEncoding::kBase64},
    {"base58", TxEncoding::kBase58},
    {"json", TxEncoding::kJson},
    {"jsonParsed", TxEncoding::kJsonParsed}};
const std::pair<const char*, TxDetails> kTxDetails[] = {
    {"full", TxDetails::kFull},
    {"signatures", TxDetails::kSignatures},
    {"none", TxDetails::kNone},
    {"accounts", TxDetails::kAccounts}};

const char* commitment_name(Commitment c) {
  return c == Commitment::kProcessed ? "processed" : c == Commitment::kConfirmed ? "confirmed" : "finalized";
}

// A flattened Option<CommitmentConfig>: serde's flatten turns an unparsable value into None
// (the default, finalized), so only valid names take effect.
Commitment flat_commitment(const json* obj) {
  const json* c = field(obj, "commitment");
  if (c && c->is_string())
    for (auto& [n, e] : kCommitments)
      if (*c == n) return e;
  return Commitment::kFinalized;
}

// RpcContextConfig {commitment (flattened), minContextSlot}.
struct ContextConfig {
  Commitment commitment = Commitment::kFinalized;
  std::optional<uint64_t> min_context_slot;
};
ContextConfig context_config(const json* obj) {
  ContextConfig c;
  c.commitment = flat_commitment(obj);
  if (auto m = field(obj, "minContextSlot")) c.min_context_slot = as_u64(*m);
  return c;
}

// RpcAccountInfoConfig {encoding, dataSlice, commitment, minContextSlot}.
struct AccountConfig {
  std::optional<AccountEncoding> encoding;
  std::optional<DataSlice> slice;
  ContextConfig ctx;
};
AccountConfig account_config(const json* obj) {
  AccountConfig c;
  if (auto e = field(obj, "encoding")) c.encoding = as_enum(*e, kAccountEncodings);
  if (auto s = field(obj, "dataSlice")) {
    if (!s->is_object()) bad_type(*s, "struct UiDataSliceConfig");
    auto off = s->find("offset"), len = s->find("length");
    if (off == s->end()) throw ParamError{"missing field `offset`"};
    if (len == s->end()) throw ParamError{"missing field `length`"};
    c.slice = DataSlice{as_usize(*off), as_usize(*len)};
  }
  c.ctx = context_config(obj);
  return c;
}

void check_min_context_slot(uint64_t slot, const std::optional<uint64_t>& min) {
  if (min && slot < *min)
    throw RpcError(sol_code::kMinContextSlotNotReached, "Minimum context slot has not been reached",
                   json{{"contextSlot", slot}});
}

void check_at_least_confirmed(Commitment c) {
  if (c == Commitment::kProcessed)
    throw RpcError(code::kInvalidParams, "Method does not support commitment below `confirmed`");
}

SolAccountFilter token_state_filter() {
  SolAccountFilter f;
  f.kind = SolAccountFilter::Kind::kTokenAccountState;
  return f;
}
SolAccountFilter memcmp_filter(size_t offset, BytesView b) {
  SolAccountFilter f;
  f.kind = SolAccountFilter::Kind::kMemcmp;
  f.offset = offset;
  f.bytes.assign(b.begin(), b.end());
  return f;
}

// RpcFilterType from JSON, verified as Agave's verify_filter (errors carry the message).
SolAccountFilter parse_filter(const json& f) {
  static const std::pair<const char*, int> kKinds[] = {{"dataSize", 0}, {"memcmp", 1}, {"tokenAccountState", 2}};
  if (f.is_string()) {
    if (as_enum(f, kKinds) != 2) throw ParamError{"invalid type: unit variant, expected newtype variant"};
    return token_state_filter();
  }
  if (!f.is_object() || f.size() != 1) {
    if (f.is_object()) throw ParamError{"invalid type: map, expected map with a single key"};
    bad_type(f, "string or map");
  }
  const std::string k = f.begin().key();
  const json& v = f.begin().value();
  int kind = as_enum(json(k), kKinds);
  SolAccountFilter out;
  if (kind == 0) {
    out.kind = SolAccountFilter::Kind::kDataSize;
    out.data_size = as_u64(v);
  } else if (kind == 1) {
    if (!v.is_object()) bad_type(v, "struct Memcmp");
    auto off = v.find("offset"), bytes = v.find("bytes"), enc = v.find("encoding");
    if (off == v.end()) throw ParamError{"missing field `offset`"};
    if (bytes == v.end()) throw ParamError{"missing field `bytes`"};
    out.kind = SolAccountFilter::Kind::kMemcmp;
    out.offset = as_usize(*off);
    const std::string& text = as_str(*bytes);
    static const std::pair<const char*, int> kEnc[] = {{"base58", 0}, {"base64", 1}, {"bytes", 2}};
    int e = enc == v.end() || enc->is_null() ? 0 : as_enum(*enc, kEnc);
    if (e == 2) throw ParamError{"invalid type: string, expected a sequence"};
    std::string why;
    std::optional<Bytes> raw;
    if (e == 0) {
      if (text.size() > 175) throw RpcError(code::kInvalidParams, "Invalid param: DataTooLarge");
      raw = b58_decode(text, &why);
      if (!raw) throw RpcError(code::kInvalidParams, "Invalid param: Base58DecodeError(" + why + ")");
    } else {
      if (text.size() > 172) throw RpcError(code::kInvalidParams, "Invalid param: DataTooLarge");
      raw = b64_decode(text, &why);
      if (!raw) throw RpcError(code::kInvalidParams, "Invalid param: Base64DecodeError(" + why + ")");
    }
    if (raw->size() > 128) throw RpcError(code::kInvalidParams, "Invalid param: DataTooLarge");
    out.bytes = std::move(*raw);
  } else {
    throw ParamError{"invalid type: newtype variant, expected unit variant"};
  }
  return out;
}

std::vector<SolAccountFilter> parse_filters(const json* f) {
  std::vector<SolAccountFilter> out;
  if (!f) return out;
  as_array(*f);
  std::vector<json> items(f->begin(), f->end());
  // Shape errors (serde) come before the count and content checks (verify_filters).
  for (auto& x : items)
    if (!x.is_string() && !(x.is_object() && x.size() == 1)) parse_filter(x);
  if (items.size() > 4) throw RpcError(code::kInvalidParams, "Too many filters provided; max 4");
  for (auto& x : items) out.push_back(parse_filter(x));
  return out;
}

bool matches_all(const std::vector<SolAccountFilter>& fs, const SolAccount& a) {
  for (auto& f : fs)
    if (!f.matches(a)) return false;
  return true;
}

// decode_and_deserialize: size limits, base58/base64, then the wire format.
constexpr size_t kMaxBase58Size = 1683, kMaxBase64Size = 1644;
template <bool kMessage>
Bytes decode_wire(const std::string& text, bool base64) {
  const char* type = kMessage ? "solana_message::versioned::VersionedMessage"
                              : "solana_transaction::versioned::VersionedTransaction";
  size_t max = base64 ? kMaxBase64Size : kMaxBase58Size;
  if (text.size() > max)
    throw RpcError(code::kInvalidParams,
                   std::string(base64 ? "base64" : "base58") + " encoded " + type + " too large: " +
                       std::to_string(text.size()) + " bytes (max: encoded/raw " +
                       std::to_string(max) + "/1232)");
  std::string why;
  auto raw = base64 ? b64_decode(text, &why) : b58_decode(text, &why);
  if (!raw)
    throw RpcError(code::kInvalidParams,
                   std::string("invalid ") + (base64 ? "base64" : "base58") + " encoding: " + why);
  if (raw->size() > svm::kPacketDataSize)
    throw RpcError(code::kInvalidParams, std::string("decoded ") + type + " too large: " +
                                             std::to_string(raw->size()) + " bytes (max: 1232 bytes)");
  return std::move(*raw);
}
std::string decode_error_text(svm::DecodeError e) {
  switch (e) {
    // Agave's RPC reads with bincode deserialize_from over a byte slice: std's read_exact text.
    case svm::DecodeError::UnexpectedEnd: return "io error: failed to fill whole buffer";
    case svm::DecodeError::ShortVecAlias: return "invalid value: integer `0`, expected a valid ShortU16";
    case svm::DecodeError::ShortVecOverflow:
    case svm::DecodeError::ShortVecByteThreeContinues: return "invalid length 3, expected a valid ShortU16";
    case svm::DecodeError::InvalidMessageVersion: return "invalid value: integer, expected a valid transaction message version";
    default: return svm::name(e);
  }
}

svm::Transaction decode_tx(const std::string& text, bool base64) {
  Bytes raw = decode_wire<false>(text, base64);
  auto tx = svm::decode_transaction(raw, /*allow_trailing=*/true);
  if (!tx)
    throw RpcError(code::kInvalidParams,
                   "failed to deserialize solana_transaction::versioned::VersionedTransaction: " +
                       decode_error_text(tx.error()));
  return std::move(tx.value());
}

// sanitize_transaction: "invalid transaction: <TransactionError>".
void sanitize_tx(const svm::Transaction& tx) {
  if (svm::sanitize(tx))
    throw RpcError(code::kInvalidParams, std::string("invalid transaction: ") +
                                             svm::message(svm::TransactionError::SanitizeFailure));
  if (svm::has_duplicates(tx.message))
    throw RpcError(code::kInvalidParams, std::string("invalid transaction: ") +
                                             svm::message(svm::TransactionError::AccountLoadedTwice));
}

json simulation_json(const SolSimulation& s, json accounts, json inner) {
  return {{"err", s.err ? tx_error_json(*s.err) : json(nullptr)},
          {"logs", s.logs},
          {"accounts", std::move(accounts)},
          {"unitsConsumed", s.units_consumed ? json(*s.units_consumed) : json(nullptr)},
          {"loadedAccountsDataSize",
           s.loaded_accounts_data_size ? json(*s.loaded_accounts_data_size) : json(nullptr)},
          {"returnData", s.return_data ? return_data_json(*s.return_data) : json(nullptr)},
          {"innerInstructions", std::move(inner)},
          {"replacementBlockhash",
           s.replacement_blockhash
               ? json{{"blockhash", b58(s.replacement_blockhash->blockhash)},
                      {"lastValidBlockHeight", s.replacement_blockhash->last_valid_block_height}}
               : json(nullptr)}};
}

json tx_status_json(const SolSignatureStatus& s) {
  json err = s.err ? tx_error_json(*s.err) : json(nullptr);
  return {{"slot", s.slot},
          {"confirmations", s.confirmations ? json(*s.confirmations) : json(nullptr)},
          {"status", s.err ? json{{"Err", err}} : json{{"Ok", nullptr}}},
          {"err", err},
          {"confirmationStatus", commitment_name(s.confirmation_status)}};
}

// EpochSchedule::get_epoch_and_slot_index / get_slots_in_epoch (warmup: epochs of 32, 64, ...).
struct EpochPos {
  uint64_t epoch, slot_index, slots_in_epoch;
};
EpochPos epoch_of(const SolEpochSchedule& s, uint64_t slot) {
  constexpr uint64_t kMin = 32;  // MINIMUM_SLOTS_PER_EPOCH
  if (s.warmup && slot < s.first_normal_slot) {
    uint64_t x = slot + kMin + 1, p = 1;
    while (p < x) p <<= 1;
    uint64_t epoch = uint64_t(__builtin_ctzll(p)) - 5 - 1;  // tz(32) = 5
    uint64_t len = uint64_t(1) << (epoch + 5);
    return {epoch, slot - (len - kMin), len};
  }
  uint64_t per = std::max<uint64_t>(s.slots_per_epoch, 1);
  uint64_t base = s.warmup ? s.first_normal_slot : 0;
  uint64_t idx = slot - base;
  return {(s.warmup ? s.first_normal_epoch : 0) + idx / per, idx % per, per};
}

const SolPubkey& native_mint() {
  static const SolPubkey k = [] {
    SolPubkey p{};
    auto d = svm::base58_decode("So11111111111111111111111111111111111111112");
    std::memcpy(p.data(), d->data(), 32);
    return p;
  }();
  return k;
}

// ---------------------------------------------------------------- subscriptions

struct SigState {  // a signatureSubscribe, removed after its one notification
  json id;
  std::weak_ptr<Connection> conn;
  std::atomic<bool> done{false};
};

struct SubSpec {
  enum Kind { kAccount, kProgram, kLogs, kSignature, kSlot, kRoot } kind = kSlot;
  Commitment commitment = Commitment::kFinalized;
  SolPubkey key{};  // account / program / logs mention
  SolSignature sig{};
  AccountEncoding encoding = AccountEncoding::kBinary;
  std::optional<DataSlice> slice;
  std::vector<SolAccountFilter> filters;
  enum LogsKind { kAll, kAllWithVotes, kMentions } logs = kAll;
  bool received = false;  // enableReceivedNotification
  std::shared_ptr<SigState> sig_state;
};

json notification_value(uint64_t slot, json value) {
  return {{"context", {{"slot", slot}}}, {"value", std::move(value)}};
}

}  // namespace

// ---------------------------------------------------------------- the API

struct SolApi::Impl {
  SolBackend& be;
  SolApiOptions opts;
  SubscriptionHub<SubSpec> subs{SubscriptionHub<SubSpec>::IdStyle::kNumber};

  Impl(SolBackend& b, SolApiOptions o) : be(b), opts(std::move(o)) {}

  json wrap(uint64_t slot, json value) const {
    return {{"context", {{"apiVersion", opts.api_version}, {"slot", slot}}}, {"value", std::move(value)}};
  }
  uint64_t bank_slot(const ContextConfig& c) {
    uint64_t s = be.slot(c.commitment);
    check_min_context_slot(s, c.min_context_slot);
    return s;
  }
  MintLookup mints(Commitment c) {
    return [this, c](const SolPubkey& k) -> std::optional<SolAccount> {
      if (k == native_mint()) {  // get_mint_owner_and_additional_data: 9 decimals, no lookup
        SolAccount m;
        m.owner = kTokenProgram;
        m.data.assign(82, 0);
        m.data[44] = 9;
        m.data[45] = 1;
        return m;
      }
      return be.account(k, c).value;
    };
  }

  // get_mint_owner_and_additional_data: the native mint is known without a lookup.
  std::pair<SolPubkey, uint8_t> mint_owner_and_decimals(const SolPubkey& mint, Commitment c) {
    if (mint == native_mint()) return {kTokenProgram, 9};
    auto a = be.account(mint, c).value;
    if (!a) throw RpcError(code::kInvalidParams, "Invalid param: could not find mint");
    auto m = unpack_mint(a->data);
    if (!m) throw RpcError(code::kInvalidParams, "Invalid param: mint could not be unpacked");
    return {a->owner, m->decimals};
  }

  struct Keyed {
    SolPubkey key;
    SolAccount account;
  };
  std::vector<Keyed> scan(const SolPubkey& program, Commitment c,
                          const std::vector<SolAccountFilter>& filters, uint64_t* slot) {
    std::vector<Keyed> out;
    *slot = be.scan_program_accounts(program, c, filters, [&](const SolPubkey& k, const SolAccount& a) {
      if (a.owner == program && matches_all(filters, a)) out.push_back({k, a});
    });
    std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.key < y.key; });
    return out;
  }
  json keyed_json(const std::vector<Keyed>& v, AccountEncoding enc,
                  const std::optional<DataSlice>& slice, Commitment c) {
    json out = json::array();
    auto lookup = mints(c);
    for (auto& k : v)
      out.push_back({{"pubkey", b58(k.key)}, {"account", ui_account(k.account, enc, slice, lookup)}});
    return out;
  }

  json token_accounts(const SolPubkey& who, const json& filter_param, const json* cfg_param,
                      bool by_delegate);
  json get_block(const Args& a);
  json send_transaction(const Args& a);
  json simulate_transaction(const Args& a);
  json subscribe(CallContext& ctx, const char* method, SubSpec spec);
  void register_all(Server& s);
};

json SolApi::Impl::token_accounts(const SolPubkey& who, const json& filter_param,
                                  const json* cfg_param, bool by_delegate) {
  // RpcTokenAccountsFilter: {"mint": …} | {"programId": …}
  if (!filter_param.is_object() || filter_param.size() != 1) {
    if (filter_param.is_object()) throw ParamError{"invalid type: map, expected map with a single key"};
    bad_type(filter_param, "string or map");
  }
  static const std::pair<const char*, int> kFilter[] = {{"mint", 0}, {"programId", 1}};
  const std::string fk = filter_param.begin().key();
  const json& fv = filter_param.begin().value();
  int fkind = as_enum(json(fk), kFilter);
  const std::string& fkey = as_str(fv);
  AccountConfig cfg = account_config(cfg_param ? as_struct(*cfg_param, "RpcAccountInfoConfig") : nullptr);
  SolPubkey filter_key = verify_pubkey(fkey);
  uint64_t slot = bank_slot(cfg.ctx);
  SolPubkey program;
  std::optional<SolPubkey> mint;
  if (fkind == 0) {
    program = mint_owner_and_decimals(filter_key, cfg.ctx.commitment).first;
    if (!is_token_program(program)) throw RpcError(code::kInvalidParams, "Invalid param: not a Token mint");
    mint = filter_key;
  } else {
    program = filter_key;
    if (!is_token_program(program))
      throw RpcError(code::kInvalidParams, "Invalid param: unrecognized Token program id");
  }
  std::vector<SolAccountFilter> filters;
  auto memcmp = memcmp_filter;
  if (by_delegate) {
    static const uint8_t kSome[4] = {1, 0, 0, 0};
    filters.push_back(memcmp(72, BytesView(kSome, 4)));
    filters.push_back(memcmp(76, who));
  } else {
    filters.push_back(memcmp(32, who));
  }
  if (mint) filters.push_back(memcmp(0, *mint));
  filters.push_back(token_state_filter());
  uint64_t scan_slot = slot;
  auto found = scan(program, cfg.ctx.commitment, filters, &scan_slot);
  return wrap(scan_slot, keyed_json(found, cfg.encoding.value_or(AccountEncoding::kBinary), cfg.slice,
                                    cfg.ctx.commitment));
}

json SolApi::Impl::get_block(const Args& a) {
  uint64_t slot = as_u64(a.at(0));
  TxEncoding enc = TxEncoding::kJson;
  TxDetails details = TxDetails::kFull;
  bool rewards = true;
  std::optional<uint8_t> max_version;
  Commitment c = Commitment::kFinalized;
  if (a.has(1)) {
    const json& w = a.at(1);  // RpcEncodingConfigWrapper: encoding string or RpcBlockConfig
    if (w.is_string()) {
      if (!std::any_of(std::begin(kTxEncodings), std::end(kTxEncodings), [&](auto& e) { return w == e.first; }))
        throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
      enc = as_enum(w, kTxEncodings);
    } else if (w.is_object()) {
      try {
        if (auto e = field(&w, "encoding")) enc = as_enum(*e, kTxEncodings);
        if (auto d = field(&w, "transactionDetails")) details = as_enum(*d, kTxDetails);
        if (auto r = field(&w, "rewards")) rewards = as_bool(*r);
        if (auto m = field(&w, "maxSupportedTransactionVersion")) max_version = uint8_t(as_uint(*m, "u8", 255));
        if (field(&w, "minContextSlot")) as_u64(*field(&w, "minContextSlot"));
      } catch (const ParamError&) {
        throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
      }
      c = flat_commitment(&w);
    } else {
      throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
    }
  }
  check_at_least_confirmed(c);
  auto block = be.block(slot, c);
  if (!block) {
    if (slot > be.slot(c)) throw sol_error::block_not_available(slot);
    uint64_t first = be.first_available_block();
    if (slot < first) throw sol_error::block_cleaned_up(slot, first);
    throw sol_error::slot_skipped(slot);
  }
  json out = {{"blockhash", b58(block->blockhash)},
              {"previousBlockhash", b58(block->previous_blockhash)},
              {"parentSlot", block->parent_slot},
              {"blockTime", block->block_time ? json(*block->block_time) : json(nullptr)},
              {"blockHeight", block->block_height ? json(*block->block_height) : json(nullptr)}};
  if (details == TxDetails::kFull || details == TxDetails::kAccounts) {
    json txs = json::array();
    for (auto& t : block->transactions) txs.push_back(encode_tx_with_meta(t, enc, max_version, details, rewards));
    out["transactions"] = std::move(txs);
  } else if (details == TxDetails::kSignatures) {
    json sigs = json::array();
    for (auto& t : block->transactions) {
      auto tx = svm::decode_transaction(t.wire);
      if (tx && !tx->signatures.empty()) sigs.push_back(b58(tx->signatures[0]));
    }
    out["signatures"] = std::move(sigs);
  }
  if (rewards) out["rewards"] = json::array();
  return out;
}

json SolApi::Impl::send_transaction(const Args& a) {
  const std::string& data = as_str(a.at(0));
  const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcSendTransactionConfig") : nullptr;
  bool skip_preflight = false;
  std::optional<Commitment> preflight;
  TxEncoding enc = TxEncoding::kBase58;
  std::optional<size_t> max_retries;
  std::optional<uint64_t> min_slot;
  if (auto v = field(cfg, "skipPreflight")) skip_preflight = as_bool(*v);
  if (auto v = field(cfg, "preflightCommitment")) preflight = as_enum(*v, kCommitments);
  if (auto v = field(cfg, "encoding")) enc = as_enum(*v, kTxEncodings);
  if (auto v = field(cfg, "maxRetries")) max_retries = as_usize(*v);
  if (auto v = field(cfg, "minContextSlot")) min_slot = as_u64(*v);
  if (enc == TxEncoding::kJson || enc == TxEncoding::kJsonParsed)
    throw RpcError(code::kInvalidParams, std::string("unsupported encoding: ") + tx_encoding_name(enc) +
                                             ". Supported encodings: base58, base64");
  svm::Transaction tx = decode_tx(data, enc == TxEncoding::kBase64);
  Commitment c = skip_preflight ? Commitment::kProcessed : preflight.value_or(Commitment::kFinalized);
  check_min_context_slot(be.slot(c), min_slot);
  sanitize_tx(tx);
  if (!skip_preflight) {
    if (!svm::verify_signatures(tx))
      throw RpcError(sol_code::kTransactionSignatureVerificationFailure,
                     "Transaction signature verification failure");
    if (auto behind = be.unhealthy_slots_behind())
      throw RpcError(sol_code::kNodeUnhealthy, "Node is behind by " + std::to_string(*behind) + " slots",
                     json{{"numSlotsBehind", *behind}});
    SolSimulateOptions so;
    so.commitment = c;
    SolSimulation sim = be.simulate_transaction(tx, so);
    if (sim.err) {
      SolSimulation shown = sim;
      shown.replacement_blockhash.reset();
      throw RpcError(sol_code::kSendTransactionPreflightFailure,
                     "Transaction simulation failed: " + tx_error_text(*sim.err),
                     simulation_json(shown, nullptr, nullptr));
    }
  }
  be.send_transaction(tx, max_retries);
  return b58(tx.signatures.at(0));
}

json SolApi::Impl::simulate_transaction(const Args& a) {
  const std::string& data = as_str(a.at(0));
  const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcSimulateTransactionConfig") : nullptr;
  bool sig_verify = false, replace = false, inner = false;
  TxEncoding enc = TxEncoding::kBase58;
  const json* accounts_cfg = nullptr;
  if (auto v = field(cfg, "sigVerify")) sig_verify = as_bool(*v);
  if (auto v = field(cfg, "replaceRecentBlockhash")) replace = as_bool(*v);
  if (auto v = field(cfg, "encoding")) enc = as_enum(*v, kTxEncodings);
  if (auto v = field(cfg, "innerInstructions")) inner = as_bool(*v);
  if (auto v = field(cfg, "accounts")) accounts_cfg = as_struct(*v, "RpcSimulateTransactionAccountsConfig");
  std::optional<AccountEncoding> acc_enc;
  std::vector<std::string> addresses;
  if (accounts_cfg) {
    if (auto e = field(accounts_cfg, "encoding")) acc_enc = as_enum(*e, kAccountEncodings);
    auto ad = accounts_cfg->find("addresses");
    if (ad == accounts_cfg->end()) throw ParamError{"missing field `addresses`"};
    for (auto& x : as_array(*ad)) addresses.push_back(as_str(x));
  }
  ContextConfig ctx = context_config(cfg);
  if (enc == TxEncoding::kJson || enc == TxEncoding::kJsonParsed)
    throw RpcError(code::kInvalidParams, std::string("unsupported encoding: ") + tx_encoding_name(enc) +
                                             ". Supported encodings: base58, base64");
  svm::Transaction tx = decode_tx(data, enc == TxEncoding::kBase64);
  bank_slot(ctx);
  if (replace && sig_verify)
    throw RpcError(code::kInvalidParams, "sigVerify may not be used with replaceRecentBlockhash");
  sanitize_tx(tx);
  if (sig_verify && !svm::verify_signatures(tx))
    throw RpcError(sol_code::kTransactionSignatureVerificationFailure,
                   "Transaction signature verification failure");
  SolSimulateOptions so;
  so.commitment = ctx.commitment;
  so.replace_recent_blockhash = replace;
  so.inner_instructions = inner;
  json accounts = nullptr;
  AccountEncoding ae = acc_enc.value_or(AccountEncoding::kBase64);
  if (accounts_cfg) {
    if (ae == AccountEncoding::kBinary || ae == AccountEncoding::kBase58)
      throw RpcError(code::kInvalidParams, "base58 encoding not supported");
    size_t n_keys = tx.message.account_keys.size();
    for (auto& l : tx.message.address_table_lookups)
      n_keys += l.writable_indexes.size() + l.readonly_indexes.size();
    if (addresses.size() > n_keys)
      throw RpcError(code::kInvalidParams, "Too many accounts provided; max " + std::to_string(n_keys));
    for (auto& s : addresses) so.accounts.push_back(verify_pubkey(s));
  }
  SolSimulation sim = be.simulate_transaction(tx, so);
  if (accounts_cfg) {
    accounts = json::array();
    auto lookup = mints(ctx.commitment);
    for (size_t i = 0; i < so.accounts.size(); ++i) {
      if (sim.err || i >= sim.accounts.size() || !sim.accounts[i]) accounts.push_back(nullptr);
      else accounts.push_back(ui_account(*sim.accounts[i], ae, std::nullopt, lookup));
    }
  }
  json inner_json = inner && sim.inner_instructions ? inner_instructions_json(*sim.inner_instructions, tx)
                                                    : json(nullptr);
  return wrap(sim.slot, simulation_json(sim, std::move(accounts), std::move(inner_json)));
}

json SolApi::Impl::subscribe(CallContext& ctx, const char* method, SubSpec spec) {
  auto state = spec.sig_state;
  json id = subs.add(ctx, method, std::move(spec));
  if (state) {
    state->id = id;
    state->conn = ctx.connection;
  }
  return id;
}

void SolApi::Impl::register_all(Server& s) {
  auto& b = be;
  // Every handler: Args (count rules) + ParamError -> "Invalid params: <serde>.".
  auto add = [&](const char* name, size_t required, size_t total, std::function<json(const Args&)> fn) {
    s.add_method(name, [fn = std::move(fn), required, total](const json& p) -> json {
      try {
        Args a(p, required, total);
        return fn(a);
      } catch (const ParamError& e) {
        throw RpcError(code::kInvalidParams, "Invalid params: " + e.msg + ".");
      }
    });
  };
  auto ctx_arg = [](const Args& a, size_t i, const char* type = "RpcContextConfig") {
    return context_config(a.has(i) ? as_struct(a.at(i), type) : nullptr);
  };
  // Option<CommitmentConfig> as its own parameter (not flattened: errors are reported).
  auto commitment_arg = [](const Args& a, size_t i) {
    if (!a.has(i)) return Commitment::kFinalized;
    const json* o = as_struct(a.at(i), "CommitmentConfig");
    auto it = o->find("commitment");
    if (it == o->end()) throw ParamError{"missing field `commitment`"};
    return as_enum(*it, kCommitments);
  };

  // ---- node ----
  add("getHealth", 0, 0, [&b](const Args&) -> json {
    if (auto behind = b.unhealthy_slots_behind())
      throw RpcError(sol_code::kNodeUnhealthy, "Node is behind by " + std::to_string(*behind) + " slots",
                     json{{"numSlotsBehind", *behind}});
    return "ok";
  });
  add("getVersion", 0, 0, [&b](const Args&) -> json {
    SolVersion v = b.version();
    return {{"solana-core", v.solana_core}, {"feature-set", v.feature_set}};
  });
  add("getIdentity", 0, 0, [&b](const Args&) -> json { return {{"identity", b58(b.identity())}}; });
  add("getGenesisHash", 0, 0, [&b](const Args&) -> json { return b58(b.genesis_hash()); });
  add("getFirstAvailableBlock", 0, 0, [&b](const Args&) -> json { return b.first_available_block(); });
  add("minimumLedgerSlot", 0, 0, [&b](const Args&) -> json { return b.minimum_ledger_slot(); });
  add("getEpochSchedule", 0, 0, [&b](const Args&) -> json {
    SolEpochSchedule e = b.epoch_schedule();
    return {{"slotsPerEpoch", e.slots_per_epoch}, {"leaderScheduleSlotOffset", e.leader_schedule_slot_offset},
            {"warmup", e.warmup}, {"firstNormalEpoch", e.first_normal_epoch},
            {"firstNormalSlot", e.first_normal_slot}};
  });
  add("getInflationGovernor", 0, 1, [&b, commitment_arg](const Args& a) -> json {
    SolInflationGovernor g = b.inflation_governor(commitment_arg(a, 0));
    return {{"initial", g.initial}, {"terminal", g.terminal}, {"taper", g.taper},
            {"foundation", g.foundation}, {"foundationTerm", g.foundation_term}};
  });
  add("getRecentPerformanceSamples", 0, 1, [this](const Args& a) -> json {
    size_t limit = a.has(0) ? as_usize(a.at(0)) : opts.max_perf_samples;
    if (limit > opts.max_perf_samples)
      throw RpcError(code::kInvalidParams, "Invalid limit; max " + std::to_string(opts.max_perf_samples));
    json out = json::array();
    for (auto& p : be.performance_samples(limit))
      out.push_back({{"slot", p.slot}, {"numTransactions", p.num_transactions},
                     {"numNonVoteTransactions", p.num_non_vote_transactions},
                     {"numSlots", p.num_slots}, {"samplePeriodSecs", p.sample_period_secs}});
    return out;
  });
  add("getRecentPrioritizationFees", 0, 1, [this](const Args& a) -> json {
    std::vector<SolPubkey> keys;
    if (a.has(0)) {
      const json& arr = as_array(a.at(0));
      for (auto& x : arr) as_str(x);
      if (arr.size() > opts.max_prioritization_fee_accounts)
        throw RpcError(code::kInvalidParams, "Too many inputs provided; max " +
                                                 std::to_string(opts.max_prioritization_fee_accounts));
      for (auto& x : arr) keys.push_back(verify_pubkey(x.get_ref<const std::string&>()));
    }
    json out = json::array();
    for (auto& f : be.recent_prioritization_fees(keys))
      out.push_back({{"slot", f.slot}, {"prioritizationFee", f.prioritization_fee}});
    return out;
  });

  // ---- banks ----
  add("getSlot", 0, 1, [this, ctx_arg](const Args& a) -> json { return bank_slot(ctx_arg(a, 0)); });
  add("getBlockHeight", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    bank_slot(c);
    return be.block_height(c.commitment);
  });
  add("getTransactionCount", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    bank_slot(c);
    return be.transaction_count(c.commitment);
  });
  add("getSlotLeader", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    bank_slot(c);
    return b58(be.slot_leader(c.commitment));
  });
  add("getSlotLeaders", 2, 2, [this](const Args& a) -> json {
    uint64_t start = as_u64(a.at(0));
    uint64_t limit = as_u64(a.at(1));
    if (limit > 5000) throw RpcError(code::kInvalidParams, "Invalid limit; max 5000");  // MAX_GET_SLOT_LEADERS
    (void)start;
    std::string leader = b58(be.slot_leader(Commitment::kFinalized));  // one leader: the sequencer
    return json(std::vector<std::string>(limit, leader));
  });
  add("getMaxRetransmitSlot", 0, 0, [this](const Args&) -> json { return be.slot(Commitment::kProcessed); });
  add("getMaxShredInsertSlot", 0, 0, [this](const Args&) -> json { return be.slot(Commitment::kProcessed); });
  add("getHighestSnapshotSlot", 0, 0, [](const Args&) -> json {
    throw RpcError(sol_code::kNoSnapshot, "No snapshot");
  });
  add("getStakeMinimumDelegation", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    return wrap(bank_slot(c), 1);  // get_minimum_delegation without the 1-SOL feature
  });
  add("getVoteAccounts", 0, 1, [this](const Args& a) -> json {
    const json* cfg = a.has(0) ? as_struct(a.at(0), "RpcGetVoteAccountsConfig") : nullptr;
    if (auto v = field(cfg, "votePubkey")) verify_pubkey(as_str(*v));
    bank_slot(context_config(nullptr));
    return {{"current", json::array()}, {"delinquent", json::array()}};  // no voting validators on an L2
  });
  add("getEpochInfo", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    uint64_t slot = bank_slot(c);
    EpochPos e = epoch_of(be.epoch_schedule(), slot);
    return {{"epoch", e.epoch}, {"slotIndex", e.slot_index}, {"slotsInEpoch", e.slots_in_epoch},
            {"absoluteSlot", slot}, {"blockHeight", be.block_height(c.commitment)},
            {"transactionCount", be.transaction_count(c.commitment)}};
  });

  // ---- accounts ----
  add("getBalance", 1, 2, [this, ctx_arg](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    ContextConfig c = ctx_arg(a, 1);
    SolPubkey key = verify_pubkey(k);
    bank_slot(c);
    auto acc = be.account(key, c.commitment);
    return wrap(acc.slot, acc.value ? acc.value->lamports : 0);
  });
  add("getAccountInfo", 1, 2, [this](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    AccountConfig cfg = account_config(a.has(1) ? as_struct(a.at(1), "RpcAccountInfoConfig") : nullptr);
    SolPubkey key = verify_pubkey(k);
    bank_slot(cfg.ctx);
    auto acc = be.account(key, cfg.ctx.commitment);
    json v = acc.value ? ui_account(*acc.value, cfg.encoding.value_or(AccountEncoding::kBinary), cfg.slice,
                                    mints(cfg.ctx.commitment))
                       : json(nullptr);
    return wrap(acc.slot, std::move(v));
  });
  add("getMultipleAccounts", 1, 2, [this](const Args& a) -> json {
    const json& arr = as_array(a.at(0));
    for (auto& x : arr) as_str(x);
    AccountConfig cfg = account_config(a.has(1) ? as_struct(a.at(1), "RpcAccountInfoConfig") : nullptr);
    if (arr.size() > opts.max_multiple_accounts)
      throw RpcError(code::kInvalidParams,
                     "Too many inputs provided; max " + std::to_string(opts.max_multiple_accounts));
    std::vector<SolPubkey> keys;
    for (auto& x : arr) keys.push_back(verify_pubkey(x.get_ref<const std::string&>()));
    bank_slot(cfg.ctx);
    auto accs = be.accounts(keys, cfg.ctx.commitment);
    json out = json::array();
    auto lookup = mints(cfg.ctx.commitment);
    for (auto& acc : accs.value)
      out.push_back(acc ? ui_account(*acc, cfg.encoding.value_or(AccountEncoding::kBase64), cfg.slice, lookup)
                        : json(nullptr));
    return wrap(accs.slot, std::move(out));
  });
  add("getProgramAccounts", 1, 2, [this](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcProgramAccountsConfig") : nullptr;
    bool with_context = false;
    if (auto w = field(cfg, "withContext")) with_context = as_bool(*w);
    if (auto w = field(cfg, "sortResults")) as_bool(*w);
    AccountConfig ac = account_config(cfg);
    const json* fl = field(cfg, "filters");
    SolPubkey program = verify_pubkey(k);
    std::vector<SolAccountFilter> filters = parse_filters(fl);
    bank_slot(ac.ctx);
    uint64_t slot = 0;
    auto found = scan(program, ac.ctx.commitment, filters, &slot);
    json list = keyed_json(found, ac.encoding.value_or(AccountEncoding::kBinary), ac.slice, ac.ctx.commitment);
    return with_context ? wrap(slot, std::move(list)) : list;
  });
  add("getMinimumBalanceForRentExemption", 1, 2, [&b, commitment_arg](const Args& a) -> json {
    uint64_t len = as_usize(a.at(0));
    commitment_arg(a, 1);
    if (len > 10 * 1024 * 1024) throw RpcError(code::kInvalidRequest, "Invalid request");
    return b.minimum_balance_for_rent_exemption(len);
  });

  // ---- SPL Token ----
  add("getTokenAccountBalance", 1, 2, [this, commitment_arg](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    Commitment c = commitment_arg(a, 1);
    SolPubkey key = verify_pubkey(k);
    auto acc = be.account(key, c);
    if (!acc.value) throw RpcError(code::kInvalidParams, "Invalid param: could not find account");
    if (!is_token_program(acc.value->owner))
      throw RpcError(code::kInvalidParams, "Invalid param: not a Token account");
    auto t = unpack_token_account(acc.value->data);
    if (!t) throw RpcError(code::kInvalidParams, "Invalid param: not a Token account");
    uint8_t decimals = mint_owner_and_decimals(t->mint, c).second;
    return wrap(acc.slot, ui_token_amount(t->amount, decimals));
  });
  add("getTokenSupply", 1, 2, [this, commitment_arg](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    Commitment c = commitment_arg(a, 1);
    SolPubkey key = verify_pubkey(k);
    auto acc = be.account(key, c);
    if (!acc.value) throw RpcError(code::kInvalidParams, "Invalid param: could not find account");
    if (!is_token_program(acc.value->owner))
      throw RpcError(code::kInvalidParams, "Invalid param: not a Token mint");
    auto m = unpack_mint(acc.value->data);
    if (!m) throw RpcError(code::kInvalidParams, "Invalid param: mint could not be unpacked");
    return wrap(acc.slot, ui_token_amount(m->supply, m->decimals));
  });
  add("getTokenLargestAccounts", 1, 2, [this, commitment_arg](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    Commitment c = commitment_arg(a, 1);
    SolPubkey mint = verify_pubkey(k);
    auto owner_and_decimals = mint_owner_and_decimals(mint, c);
    SolPubkey owner = owner_and_decimals.first;
    uint8_t decimals = owner_and_decimals.second;
    if (!is_token_program(owner)) throw RpcError(code::kInvalidParams, "Invalid param: not a Token mint");
    std::vector<SolAccountFilter> filters{token_state_filter(), memcmp_filter(0, mint)};
    // The 20 largest (amount, address) pairs, largest first (NUM_LARGEST_ACCOUNTS).
    using Entry = std::pair<uint64_t, SolPubkey>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> top;
    uint64_t slot = be.scan_program_accounts(owner, c, filters, [&](const SolPubkey& key, const SolAccount& acc) {
      if (acc.owner != owner || !matches_all(filters, acc)) return;
      auto t = unpack_token_account(acc.data);
      Entry e{t ? t->amount : 0, key};
      if (top.size() >= 20) {
        if (top.top() >= e) return;
        top.pop();
      }
      top.push(e);
    });
    std::vector<Entry> v;
    for (; !top.empty(); top.pop()) v.push_back(top.top());
    std::reverse(v.begin(), v.end());
    json out = json::array();
    for (auto& [amount, key] : v) {
      json j = ui_token_amount(amount, decimals);
      j["address"] = b58(key);
      out.push_back(std::move(j));
    }
    return wrap(slot, std::move(out));
  });
  add("getTokenAccountsByOwner", 2, 3, [this](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    SolPubkey owner = verify_pubkey(k);
    return token_accounts(owner, a.at(1), a.has(2) ? &a.at(2) : nullptr, false);
  });
  add("getTokenAccountsByDelegate", 2, 3, [this](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    SolPubkey delegate = verify_pubkey(k);
    return token_accounts(delegate, a.at(1), a.has(2) ? &a.at(2) : nullptr, true);
  });

  // ---- blockhashes and fees ----
  add("getLatestBlockhash", 0, 1, [this, ctx_arg](const Args& a) -> json {
    ContextConfig c = ctx_arg(a, 0);
    bank_slot(c);
    auto r = be.latest_blockhash(c.commitment);
    check_min_context_slot(r.slot, c.min_context_slot);
    return wrap(r.slot, {{"blockhash", b58(r.value.blockhash)},
                         {"lastValidBlockHeight", r.value.last_valid_block_height}});
  });
  add("isBlockhashValid", 1, 2, [this, ctx_arg](const Args& a) -> json {
    const std::string& h = as_str(a.at(0));
    ContextConfig c = ctx_arg(a, 1);
    const char* why = "";
    auto hash = parse_b58<32>(h, &why);
    if (!hash) throw RpcError(code::kInvalidParams, why);  // Hash::from_str's error, no prefix
    bank_slot(c);
    auto r = be.is_blockhash_valid(*hash, c.commitment);
    return wrap(r.slot, r.value);
  });
  add("getFeeForMessage", 1, 2, [this, ctx_arg](const Args& a) -> json {
    const std::string& data = as_str(a.at(0));
    ContextConfig c = ctx_arg(a, 1);
    Bytes raw = decode_wire<true>(data, true);
    auto m = svm::decode_message(raw);
    if (!m)
      throw RpcError(code::kInvalidParams,
                     "failed to deserialize solana_message::versioned::VersionedMessage: " +
                         decode_error_text(m.error()));
    bank_slot(c);
    if (auto e = svm::sanitize(m.value()))
      throw RpcError(code::kInvalidParams, std::string("invalid transaction message: ") + svm::message(*e));
    auto r = be.fee_for_message(m.value(), c.commitment);
    return wrap(r.slot, r.value ? json(*r.value) : json(nullptr));
  });

  // ---- blocks ----
  add("getBlock", 1, 2, [this](const Args& a) { return get_block(a); });
  add("getBlockTime", 1, 1, [this](const Args& a) -> json {
    uint64_t slot = as_u64(a.at(0));
    if (auto t = be.block_time(slot)) return *t;
    if (slot > be.slot(Commitment::kProcessed)) throw sol_error::block_not_available(slot);
    uint64_t first = be.first_available_block();
    if (slot < first) throw sol_error::block_cleaned_up(slot, first);
    throw sol_error::slot_skipped(slot);
  });
  auto blocks_in = [this](uint64_t start, std::optional<uint64_t> end, const ContextConfig& c,
                          std::optional<size_t> limit) -> json {
    check_at_least_confirmed(c.commitment);
    uint64_t head = bank_slot(c);
    uint64_t last = std::min(end.value_or(start + opts.max_block_range), head);
    if (limit) last = head;
    if (last < start) return json::array();
    if (!limit && last - start > opts.max_block_range)
      throw RpcError(code::kInvalidParams, "Slot range too large; max " + std::to_string(opts.max_block_range));
    auto v = be.blocks(std::max(start, be.first_available_block()), last, c.commitment);
    if (limit && v.size() > *limit) v.resize(*limit);
    return v;
  };
  add("getBlocks", 1, 3, [blocks_in](const Args& a) -> json {
    uint64_t start = as_u64(a.at(0));
    std::optional<uint64_t> end;
    ContextConfig c;
    if (a.has(1)) {  // RpcBlocksConfigWrapper: end slot or config
      const json& w = a.at(1);
      if (w.is_number_unsigned()) end = w.get<uint64_t>();
      else if (w.is_object()) c = context_config(&w);
      else throw ParamError{"data did not match any variant of untagged enum RpcBlocksConfigWrapper"};
    }
    if (a.has(2)) c = context_config(as_struct(a.at(2), "RpcContextConfig"));
    return blocks_in(start, end, c, std::nullopt);
  });
  add("getBlocksWithLimit", 2, 3, [this, blocks_in, ctx_arg](const Args& a) -> json {
    uint64_t start = as_u64(a.at(0));
    size_t limit = as_usize(a.at(1));
    ContextConfig c = ctx_arg(a, 2);
    if (limit > opts.max_block_range)
      throw RpcError(code::kInvalidParams, "Limit too large; max " + std::to_string(opts.max_block_range));
    return blocks_in(start, std::nullopt, c, limit);
  });

  // ---- transactions ----
  add("getSignatureStatuses", 1, 2, [this](const Args& a) -> json {
    const json& arr = as_array(a.at(0));
    for (auto& x : arr) as_str(x);
    bool history = false;
    if (a.has(1)) {
      const json* cfg = as_struct(a.at(1), "RpcSignatureStatusConfig");
      auto it = cfg->find("searchTransactionHistory");
      if (it == cfg->end()) throw ParamError{"missing field `searchTransactionHistory`"};
      history = as_bool(*it);
    }
    if (arr.size() > opts.max_signature_statuses)
      throw RpcError(code::kInvalidParams,
                     "Too many inputs provided; max " + std::to_string(opts.max_signature_statuses));
    std::vector<SolSignature> sigs;
    for (auto& x : arr) sigs.push_back(verify_signature(x.get_ref<const std::string&>()));
    uint64_t slot = be.slot(Commitment::kProcessed);
    auto st = be.signature_statuses(sigs, history);
    json out = json::array();
    for (size_t i = 0; i < sigs.size(); ++i)
      out.push_back(i < st.size() && st[i] ? tx_status_json(*st[i]) : json(nullptr));
    return wrap(slot, std::move(out));
  });
  add("getSignaturesForAddress", 1, 2, [this](const Args& a) -> json {
    const std::string& addr = as_str(a.at(0));
    const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcSignaturesForAddressConfig") : nullptr;
    std::optional<std::string> before, until;
    std::optional<size_t> limit;
    if (auto v = field(cfg, "before")) before = as_str(*v);
    if (auto v = field(cfg, "until")) until = as_str(*v);
    if (auto v = field(cfg, "limit")) limit = as_usize(*v);
    ContextConfig c = context_config(cfg);
    SolPubkey key = verify_pubkey(addr);
    std::optional<SolSignature> bsig, usig;
    if (before) bsig = verify_signature(*before);
    if (until) usig = verify_signature(*until);
    size_t n = limit.value_or(opts.max_signatures_for_address);
    if (n == 0 || n > opts.max_signatures_for_address)
      throw RpcError(code::kInvalidParams,
                     "Invalid limit; max " + std::to_string(opts.max_signatures_for_address));
    check_at_least_confirmed(c.commitment);
    bank_slot(c);
    json out = json::array();
    for (auto& s : be.signatures_for_address(key, bsig, usig, n, c.commitment))
      out.push_back({{"signature", b58(s.signature)},
                     {"slot", s.slot},
                     {"err", s.err ? tx_error_json(*s.err) : json(nullptr)},
                     {"memo", s.memo ? json(*s.memo) : json(nullptr)},
                     {"blockTime", s.block_time ? json(*s.block_time) : json(nullptr)},
                     {"confirmationStatus", commitment_name(s.confirmation_status)}});
    return out;
  });
  add("getTransaction", 1, 2, [this](const Args& a) -> json {
    const std::string& sig_text = as_str(a.at(0));
    TxEncoding enc = TxEncoding::kJson;
    std::optional<uint8_t> max_version;
    Commitment c = Commitment::kFinalized;
    if (a.has(1)) {
      const json& w = a.at(1);
      if (w.is_string()) {
        if (!std::any_of(std::begin(kTxEncodings), std::end(kTxEncodings), [&](auto& e) { return w == e.first; }))
          throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
        enc = as_enum(w, kTxEncodings);
      } else if (w.is_object()) {
        try {
          if (auto e = field(&w, "encoding")) enc = as_enum(*e, kTxEncodings);
          if (auto m = field(&w, "maxSupportedTransactionVersion")) max_version = uint8_t(as_uint(*m, "u8", 255));
        } catch (const ParamError&) {
          throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
        }
        c = flat_commitment(&w);
      } else {
        throw ParamError{"data did not match any variant of untagged enum RpcEncodingConfigWrapper"};
      }
    }
    SolSignature sig = verify_signature(sig_text);
    check_at_least_confirmed(c);
    auto t = be.transaction(sig, c);
    if (!t) return nullptr;
    json out = encode_tx_with_meta(t->tx, enc, max_version, TxDetails::kFull, true);
    out["slot"] = t->slot;
    out["blockTime"] = t->block_time ? json(*t->block_time) : json(nullptr);
    return out;
  });
  add("sendTransaction", 1, 2, [this](const Args& a) { return send_transaction(a); });
  add("simulateTransaction", 1, 2, [this](const Args& a) { return simulate_transaction(a); });
  add("requestAirdrop", 2, 3, [this](const Args& a) -> json {
    const std::string& k = as_str(a.at(0));
    uint64_t lamports = as_u64(a.at(1));
    const json* cfg = a.has(2) ? as_struct(a.at(2), "RpcRequestAirdropConfig") : nullptr;
    std::optional<std::string> bh;
    if (auto v = field(cfg, "recentBlockhash")) bh = as_str(*v);
    Commitment c = flat_commitment(cfg);
    SolPubkey key = verify_pubkey(k);
    if (bh) {
      const char* why = "";
      if (!parse_b58<32>(*bh, &why)) throw RpcError(code::kInvalidParams, std::string("Invalid param: ") + why);
    }
    if (opts.max_airdrop_lamports && lamports > opts.max_airdrop_lamports)
      throw RpcError(code::kInternal, "Internal error");
    return b58(be.request_airdrop(key, lamports, c));
  });

  // ---- PubSub (WebSocket) ----
  auto add_ctx = [&](const char* name, size_t required, size_t total,
                     std::function<json(const Args&, CallContext&)> fn) {
    s.add_method(name, [fn = std::move(fn), required, total](const json& p, CallContext& ctx) -> json {
      try {
        Args a(p, required, total);
        return fn(a, ctx);
      } catch (const ParamError& e) {
        throw RpcError(code::kInvalidParams, "Invalid params: " + e.msg + ".");
      }
    });
  };
  // param::<T>(): "Invalid Request: Invalid <thing> provided".
  auto sub_key = [](const std::string& s, const char* thing) {
    const char* why = "";
    auto k = parse_b58<32>(s, &why);
    if (!k) throw RpcError(code::kInvalidParams, std::string("Invalid Request: Invalid ") + thing + " provided");
    return *k;
  };
  add_ctx("accountSubscribe", 1, 2, [this, sub_key](const Args& a, CallContext& ctx) -> json {
    const std::string& k = as_str(a.at(0));
    AccountConfig cfg = account_config(a.has(1) ? as_struct(a.at(1), "RpcAccountInfoConfig") : nullptr);
    SubSpec sp;
    sp.kind = SubSpec::kAccount;
    sp.key = sub_key(k, "pubkey");
    sp.commitment = cfg.ctx.commitment;
    sp.encoding = cfg.encoding.value_or(AccountEncoding::kBinary);
    sp.slice = cfg.slice;
    return subscribe(ctx, "accountNotification", std::move(sp));
  });
  add_ctx("programSubscribe", 1, 2, [this, sub_key](const Args& a, CallContext& ctx) -> json {
    const std::string& k = as_str(a.at(0));
    const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcProgramAccountsConfig") : nullptr;
    AccountConfig ac = account_config(cfg);
    if (auto w = field(cfg, "withContext")) as_bool(*w);
    SubSpec sp;
    try {
      sp.filters = parse_filters(field(cfg, "filters"));
    } catch (const RpcError& e) {  // verify_filters' error, rendered through Error's Display
      throw RpcError(code::kInvalidParams, std::string("Invalid params: ") + e.what());
    }
    sp.kind = SubSpec::kProgram;
    sp.key = sub_key(k, "pubkey");
    sp.commitment = ac.ctx.commitment;
    sp.encoding = ac.encoding.value_or(AccountEncoding::kBinary);
    sp.slice = ac.slice;
    return subscribe(ctx, "programNotification", std::move(sp));
  });
  add_ctx("logsSubscribe", 1, 2, [this, sub_key](const Args& a, CallContext& ctx) -> json {
    const json& f = a.at(0);
    SubSpec sp;
    sp.kind = SubSpec::kLogs;
    static const std::pair<const char*, SubSpec::LogsKind> kLogKinds[] = {
        {"all", SubSpec::kAll}, {"allWithVotes", SubSpec::kAllWithVotes}, {"mentions", SubSpec::kMentions}};
    std::vector<std::string> mentions;
    if (f.is_object() && f.size() == 1) {
      const std::string k = f.begin().key();
      const json& v = f.begin().value();
      if (as_enum(json(k), kLogKinds) != SubSpec::kMentions)
        throw ParamError{"invalid type: newtype variant, expected unit variant"};
      for (auto& x : as_array(v)) mentions.push_back(as_str(x));
      sp.logs = SubSpec::kMentions;
    } else {
      sp.logs = as_enum(f, kLogKinds);
      if (sp.logs == SubSpec::kMentions) throw ParamError{"invalid type: unit variant, expected newtype variant"};
    }
    const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcTransactionLogsConfig") : nullptr;
    sp.commitment = flat_commitment(cfg);
    if (sp.logs == SubSpec::kMentions) {
      if (mentions.size() != 1)
        throw RpcError(code::kInvalidParams, "Invalid Request: Only 1 address supported");
      sp.key = sub_key(mentions[0], "mentions");
    }
    return subscribe(ctx, "logsNotification", std::move(sp));
  });
  add_ctx("signatureSubscribe", 1, 2, [this](const Args& a, CallContext& ctx) -> json {
    const std::string& text = as_str(a.at(0));
    const json* cfg = a.has(1) ? as_struct(a.at(1), "RpcSignatureSubscribeConfig") : nullptr;
    SubSpec sp;
    sp.kind = SubSpec::kSignature;
    if (auto v = field(cfg, "enableReceivedNotification")) sp.received = as_bool(*v);
    sp.commitment = flat_commitment(cfg);
    const char* why = "";
    auto sig = parse_b58<64>(text, &why);
    if (!sig) throw RpcError(code::kInvalidParams, "Invalid Request: Invalid signature provided");
    sp.sig = *sig;
    sp.sig_state = std::make_shared<SigState>();
    auto state = sp.sig_state;
    Commitment level = sp.commitment;
    SolSignature want = sp.sig;
    json id = subscribe(ctx, "signatureNotification", std::move(sp));
    // Already processed at the requested level: notify at once (after the reply with the id),
    // as Agave does when a subscription is added.
    ctx.after_reply.push_back([this, state, level, want] {
      std::optional<SolSignatureStatus> st;
      try {
        auto v = be.signature_statuses(std::span(&want, 1), false);
        if (!v.empty()) st = v[0];
      } catch (const std::exception&) {
        return;
      }
      if (!st || st->confirmation_status < level || state->done.exchange(true)) return;
      auto conn = state->conn.lock();
      if (!conn) return;
      json err = st->err ? tx_error_json(*st->err) : json(nullptr);
      conn->send(notification_text("signatureNotification", state->id,
                                   notification_value(be.slot(level), {{"err", err}})));
      subs.remove(state->id, *conn);
    });
    return id;
  });
  add_ctx("slotSubscribe", 0, 0, [this](const Args&, CallContext& ctx) -> json {
    SubSpec sp;
    sp.kind = SubSpec::kSlot;
    return subscribe(ctx, "slotNotification", std::move(sp));
  });
  add_ctx("rootSubscribe", 0, 0, [this](const Args&, CallContext& ctx) -> json {
    SubSpec sp;
    sp.kind = SubSpec::kRoot;
    return subscribe(ctx, "rootNotification", std::move(sp));
  });
  for (const char* name : {"accountUnsubscribe", "programUnsubscribe", "logsUnsubscribe",
                           "signatureUnsubscribe", "slotUnsubscribe", "rootUnsubscribe"}) {
    add_ctx(name, 1, 1, [this](const Args& a, CallContext& ctx) -> json {
      uint64_t id = as_u64(a.at(0));
      if (!ctx.connection || !subs.remove(json(id), *ctx.connection))
        throw RpcError(code::kInvalidParams, "Invalid subscription id.");
      return true;
    });
  }
}

SolApi::SolApi(Server& server, SolBackend& backend, SolApiOptions opts)
    : impl_(std::make_unique<Impl>(backend, std::move(opts))) {
  impl_->register_all(server);
}

SolApi::~SolApi() = default;

void SolApi::notify_slot(uint64_t slot, uint64_t parent, uint64_t root) {
  if (impl_->subs.size() == 0) return;
  json v = {{"parent", parent}, {"root", root}, {"slot", slot}};
  impl_->subs.publish([&](const SubSpec& sp) {
    return sp.kind == SubSpec::kSlot ? std::vector<json>{v} : std::vector<json>{};
  });
}

void SolApi::notify_root(uint64_t root) {
  if (impl_->subs.size() == 0) return;
  impl_->subs.publish([&](const SubSpec& sp) {
    return sp.kind == SubSpec::kRoot ? std::vector<json>{json(root)} : std::vector<json>{};
  });
}

namespace {
void publish_transactions(SolApi::Impl& s, std::span<const SolTxEvent> txs,
                          std::optional<Commitment> reached);
void publish_accounts(SolApi::Impl& s, uint64_t slot, std::span<const SolAccountChange> changes,
                      std::optional<Commitment> reached);
}  // namespace

void SolApi::notify_transactions(std::span<const SolTxEvent> txs, Commitment reached) {
  publish_transactions(*impl_, txs, reached);
}
void SolApi::notify_transactions(std::span<const SolTxEvent> txs) {
  publish_transactions(*impl_, txs, std::nullopt);
}
void SolApi::notify_accounts(uint64_t slot, std::span<const SolAccountChange> changes, Commitment reached) {
  publish_accounts(*impl_, slot, changes, reached);
}
void SolApi::notify_accounts(uint64_t slot, std::span<const SolAccountChange> changes) {
  publish_accounts(*impl_, slot, changes, std::nullopt);
}

void SolApi::notify_signature_received(const SolSignature& sig, uint64_t slot) {
  if (impl_->subs.size() == 0) return;
  impl_->subs.publish([&](const SubSpec& sp) {
    std::vector<json> out;
    if (sp.kind == SubSpec::kSignature && sp.received && sp.sig == sig && !sp.sig_state->done)
      out.push_back(notification_value(slot, "receivedSignature"));
    return out;
  });
}

namespace {

void publish_transactions(SolApi::Impl& s, std::span<const SolTxEvent> txs,
                          std::optional<Commitment> reached) {
  if (s.subs.size() == 0 || txs.empty()) return;
  s.subs.publish([&](const SubSpec& sp) {
    std::vector<json> out;
    if (reached && sp.commitment != *reached) return out;
    if (sp.kind == SubSpec::kSignature) {
      for (auto& t : txs) {
        if (t.signature != sp.sig) continue;
        if (sp.sig_state->done.exchange(true)) break;
        out.push_back(notification_value(t.slot, {{"err", t.err ? tx_error_json(*t.err) : json(nullptr)}}));
        // One notification, then the subscription ends (Agave removes it after notifying).
        if (auto conn = sp.sig_state->conn.lock()) s.subs.remove(sp.sig_state->id, *conn);
        break;
      }
    } else if (sp.kind == SubSpec::kLogs) {
      for (auto& t : txs) {
        bool match = sp.logs == SubSpec::kAllWithVotes || (sp.logs == SubSpec::kAll && !t.is_vote) ||
                     (sp.logs == SubSpec::kMentions &&
                      std::find(t.mentioned.begin(), t.mentioned.end(), sp.key) != t.mentioned.end());
        if (!match) continue;
        out.push_back(notification_value(
            t.slot, {{"signature", b58(t.signature)},
                     {"err", t.err ? tx_error_json(*t.err) : json(nullptr)},
                     {"logs", t.logs}}));
      }
    }
    return out;
  });
}

void publish_accounts(SolApi::Impl& s, uint64_t slot, std::span<const SolAccountChange> changes,
                      std::optional<Commitment> reached) {
  if (s.subs.size() == 0 || changes.empty()) return;
  s.subs.publish([&](const SubSpec& sp) {
    std::vector<json> out;
    if (reached && sp.commitment != *reached) return out;
    if (sp.kind != SubSpec::kAccount && sp.kind != SubSpec::kProgram) return out;
    auto lookup = s.mints(sp.commitment);
    for (auto& ch : changes) {
      try {
        if (sp.kind == SubSpec::kAccount && ch.pubkey == sp.key) {
          out.push_back(notification_value(slot, ui_account(ch.account, sp.encoding, sp.slice, lookup, false)));
        } else if (sp.kind == SubSpec::kProgram && ch.account.owner == sp.key &&
                   matches_all(sp.filters, ch.account)) {
          out.push_back(notification_value(
              slot, {{"pubkey", b58(ch.pubkey)},
                     {"account", ui_account(ch.account, sp.encoding, sp.slice, lookup, false)}}));
        }
      } catch (const std::exception&) {  // a backend lookup failing must not stop the fan-out
      }
    }
    return out;
  });
}

}  // namespace

}  // namespace lumio::rpc
