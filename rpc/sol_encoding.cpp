// Account encodings and the jsonParsed account parsers (solana-account-decoder: UiAccount,
// parse_token, parse_token_extension, parse_nonce), written from their published layouts.
#include <zstd.h>

#include <cmath>
#include <cstring>

#include "rpc/sol_encoding.hpp"
#include "svm/syscalls.hpp"

namespace lumio::rpc::sol {

namespace {

SolPubkey key_from_b58(const char* s) {
  SolPubkey k{};
  auto d = svm::base58_decode(s);
  if (d && d->size() == 32) std::memcpy(k.data(), d->data(), 32);
  return k;
}

uint64_t le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

SolPubkey key_at(const uint8_t* p) {
  SolPubkey k;
  std::memcpy(k.data(), p, 32);
  return k;
}
// OptionalNonZeroPubkey: all zero is None.
json opt_key(const uint8_t* p) {
  for (int i = 0; i < 32; ++i)
    if (p[i]) return b58(p, 32);
  return nullptr;
}
// COption<Pubkey>: u32 tag (0/1) + 32 bytes. nullopt: invalid tag.
std::optional<json> coption_key(const uint8_t* p) {
  uint32_t tag = le32(p);
  if (tag == 0) return json(nullptr);
  if (tag == 1) return json(b58(p + 4, 32));
  return std::nullopt;
}

constexpr size_t kMintLen = 82, kAccountLen = 165, kMultisigLen = 355;
constexpr uint8_t kAccountTypeMint = 1, kAccountTypeAccount = 2;

const char* account_state_name(uint8_t s) {
  return s == 1 ? "initialized" : s == 2 ? "frozen" : "uninitialized";
}

std::string f64_string(double v) {  // Rust's f64 Display: shortest round trip, no exponent
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find('e') != std::string::npos) {
    std::snprintf(buf, sizeof buf, "%.17f", v);
    s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

// Borsh String (u32 length + UTF-8) from [p, end).
std::optional<std::string> borsh_string(const uint8_t*& p, const uint8_t* end) {
  if (end - p < 4) return std::nullopt;
  uint32_t n = le32(p);
  p += 4;
  if (uint64_t(end - p) < n) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(p), n);
  p += n;
  return s;
}

// One Token-2022 extension as UiExtension ({"extension": name, "state": {...}}).
json parse_extension(uint16_t type, const uint8_t* v, size_t len) {
  auto ext = [](const char* name, json state) {
    json j = {{"extension", name}};
    if (!state.is_null()) j["state"] = std::move(state);
    return j;
  };
  const json unparsable = ext("unparseableExtension", nullptr);
  auto need = [&](size_t n) { return len == n; };
  switch (type) {
    case 0: return ext("uninitialized", nullptr);
    case 1: {  // TransferFeeConfig
      if (!need(108)) return unparsable;
      auto fee = [](const uint8_t* p) {
        return json{{"epoch", le64(p)}, {"maximumFee", le64(p + 8)},
                    {"transferFeeBasisPoints", le16(p + 16)}};
      };
      return ext("transferFeeConfig", {{"transferFeeConfigAuthority", opt_key(v)},
                                       {"withdrawWithheldAuthority", opt_key(v + 32)},
                                       {"withheldAmount", le64(v + 64)},
                                       {"olderTransferFee", fee(v + 72)},
                                       {"newerTransferFee", fee(v + 90)}});
    }
    case 2:
      if (!need(8)) return unparsable;
      return ext("transferFeeAmount", {{"withheldAmount", le64(v)}});
    case 3:
      if (!need(32)) return unparsable;
      return ext("mintCloseAuthority", {{"closeAuthority", opt_key(v)}});
    case 4:
      if (!need(65)) return unparsable;
      return ext("confidentialTransferMint", {{"authority", opt_key(v)},
                                              {"autoApproveNewAccounts", v[32] != 0},
                                              {"auditorElgamalPubkey", opt_key(v + 33)}});
    case 6:
      if (!need(1)) return unparsable;
      return ext("defaultAccountState", {{"accountState", account_state_name(v[0] <= 2 ? v[0] : 0)}});
    case 7: return ext("immutableOwner", nullptr);
    case 8:
      if (!need(1)) return unparsable;
      return ext("memoTransfer", {{"requireIncomingTransferMemos", v[0] != 0}});
    case 9: return ext("nonTransferable", nullptr);
    case 10:
      if (!need(52)) return unparsable;
      return ext("interestBearingConfig",
                 {{"rateAuthority", opt_key(v)},
                  {"initializationTimestamp", int64_t(le64(v + 32))},
                  {"preUpdateAverageRate", int16_t(le16(v + 40))},
                  {"lastUpdateTimestamp", int64_t(le64(v + 42))},
                  {"currentRate", int16_t(le16(v + 50))}});
    case 11:
      if (!need(1)) return unparsable;
      return ext("cpiGuard", {{"lockCpi", v[0] != 0}});
    case 12:
      if (!need(32)) return unparsable;
      return ext("permanentDelegate", {{"delegate", opt_key(v)}});
    case 13: return ext("nonTransferableAccount", nullptr);
    case 14:
      if (!need(64)) return unparsable;
      return ext("transferHook", {{"authority", opt_key(v)}, {"programId", opt_key(v + 32)}});
    case 15:
      if (!need(1)) return unparsable;
      return ext("transferHookAccount", {{"transferring", v[0] != 0}});
    case 18:
      if (!need(64)) return unparsable;
      return ext("metadataPointer", {{"authority", opt_key(v)}, {"metadataAddress", opt_key(v + 32)}});
    case 19: {  // TokenMetadata (borsh, variable length)
      if (len < 64) return unparsable;
      const uint8_t *p = v + 64, *end = v + len;
      auto name = borsh_string(p, end);
      auto symbol = name ? borsh_string(p, end) : std::nullopt;
      auto uri = symbol ? borsh_string(p, end) : std::nullopt;
      if (!uri || end - p < 4) return unparsable;
      uint32_t n = le32(p);
      p += 4;
      json extra = json::array();
      for (uint32_t i = 0; i < n; ++i) {
        auto k = borsh_string(p, end);
        auto val = k ? borsh_string(p, end) : std::nullopt;
        if (!val) return unparsable;
        extra.push_back(json::array({*k, *val}));
      }
      if (p != end) return unparsable;
      return ext("tokenMetadata", {{"updateAuthority", opt_key(v)}, {"mint", b58(v + 32, 32)},
                                   {"name", *name}, {"symbol", *symbol}, {"uri", *uri},
                                   {"additionalMetadata", std::move(extra)}});
    }
    case 20:
      if (!need(64)) return unparsable;
      return ext("groupPointer", {{"authority", opt_key(v)}, {"groupAddress", opt_key(v + 32)}});
    case 21:
      if (!need(80)) return unparsable;
      return ext("tokenGroup", {{"updateAuthority", opt_key(v)}, {"mint", b58(v + 32, 32)},
                                {"size", le64(v + 64)}, {"maxSize", le64(v + 72)}});
    case 22:
      if (!need(64)) return unparsable;
      return ext("groupMemberPointer", {{"authority", opt_key(v)}, {"memberAddress", opt_key(v + 32)}});
    case 23:
      if (!need(72)) return unparsable;
      return ext("tokenGroupMember", {{"mint", b58(v, 32)}, {"group", b58(v + 32, 32)},
                                      {"memberNumber", le64(v + 64)}});
    case 25: {
      if (!need(56)) return unparsable;
      double m, nm;
      std::memcpy(&m, v + 32, 8);
      std::memcpy(&nm, v + 48, 8);
      return ext("scaledUiAmountConfig", {{"authority", opt_key(v)},
                                          {"multiplier", f64_string(m)},
                                          {"newMultiplierEffectiveTimestamp", int64_t(le64(v + 40))},
                                          {"newMultiplier", f64_string(nm)}});
    }
    case 26:
      if (!need(33)) return unparsable;
      return ext("pausableConfig", {{"authority", opt_key(v)}, {"paused", v[32] != 0}});
    case 27: return ext("pausableAccount", nullptr);
    default: return unparsable;  // confidential-transfer state: ElGamal ciphertexts, not decoded here
  }
}

// TLV entries after the account-type byte; nullopt when malformed (then the whole account
// does not unpack, as StateWithExtensions::unpack fails).
std::optional<json> parse_extensions(BytesView d) {
  json out = json::array();
  size_t i = kAccountLen + 1;
  while (i + 4 <= d.size()) {
    uint16_t type = le16(&d[i]), len = le16(&d[i + 2]);
    if (type == 0 && len == 0) break;  // uninitialized tail
    if (i + 4 + len > d.size()) return std::nullopt;
    out.push_back(parse_extension(type, &d[i + 4], len));
    i += 4 + len;
  }
  return out;
}

// StateWithExtensions<Account>::unpack + parse: nullopt when not a token account (or, with
// *needs_decimals set, when its mint's decimals are unknown).
std::optional<json> parse_token_account(BytesView d, const std::optional<uint8_t>& decimals,
                                        bool* needs_decimals) {
  if (d.size() < kAccountLen || d.size() == kMultisigLen) return std::nullopt;
  uint8_t state = d[108];
  if (state == 0 || state > 2) return std::nullopt;
  json ext = json::array();
  if (d.size() > kAccountLen) {
    if (d[kAccountLen] != kAccountTypeAccount) return std::nullopt;
    auto e = parse_extensions(d);
    if (!e) return std::nullopt;
    ext = std::move(*e);
  }
  auto delegate = coption_key(&d[72]);
  auto close = coption_key(&d[129]);
  uint32_t native_tag = le32(&d[109]);
  if (!delegate || !close || native_tag > 1) return std::nullopt;
  if (!decimals) {
    *needs_decimals = true;
    return std::nullopt;
  }
  json info = {{"mint", b58(&d[0], 32)},
               {"owner", b58(&d[32], 32)},
               {"tokenAmount", ui_token_amount(le64(&d[64]), *decimals)},
               {"state", account_state_name(state)},
               {"isNative", native_tag == 1}};
  if (!delegate->is_null()) {
    info["delegate"] = *delegate;
    info["delegatedAmount"] = ui_token_amount(le64(&d[121]), *decimals);
  }
  if (native_tag == 1) info["rentExemptReserve"] = ui_token_amount(le64(&d[113]), *decimals);
  if (!close->is_null()) info["closeAuthority"] = *close;
  if (!ext.empty()) info["extensions"] = std::move(ext);
  return json{{"type", "account"}, {"info", std::move(info)}};
}

std::optional<json> parse_mint(BytesView d) {
  if (d.size() < kMintLen) return std::nullopt;
  json ext = json::array();
  if (d.size() > kMintLen) {
    if (d.size() <= kAccountLen || d.size() == kMultisigLen) return std::nullopt;
    for (size_t i = kMintLen; i < kAccountLen; ++i)
      if (d[i]) return std::nullopt;
    if (d[kAccountLen] != kAccountTypeMint) return std::nullopt;
    auto e = parse_extensions(d);
    if (!e) return std::nullopt;
    ext = std::move(*e);
  }
  auto auth = coption_key(&d[0]);
  auto freeze = coption_key(&d[46]);
  if (!auth || !freeze || d[45] != 1) return std::nullopt;  // must be initialized
  json info = {{"mintAuthority", *auth},
               {"supply", std::to_string(le64(&d[36]))},
               {"decimals", d[44]},
               {"isInitialized", true},
               {"freezeAuthority", *freeze}};
  if (!ext.empty()) info["extensions"] = std::move(ext);
  return json{{"type", "mint"}, {"info", std::move(info)}};
}

std::optional<json> parse_multisig(BytesView d) {
  if (d.size() != kMultisigLen || d[2] != 1) return std::nullopt;
  uint8_t m = d[0], n = d[1];
  if (n > 11 || m > n) return std::nullopt;
  json signers = json::array();
  for (uint8_t i = 0; i < n; ++i) signers.push_back(b58(&d[3 + 32 * i], 32));
  return json{{"type", "multisig"},
              {"info", {{"numRequiredSigners", m}, {"numValidSigners", n},
                        {"isInitialized", true}, {"signers", std::move(signers)}}}};
}

// parse_nonce: Versions (u32) + State (u32) [+ authority, durable nonce, lamports/signature].
std::optional<json> parse_nonce(BytesView d) {
  if (d.size() < 8) return std::nullopt;
  uint32_t version = le32(&d[0]), state = le32(&d[4]);
  if (version > 1 || state > 1) return std::nullopt;
  if (state == 0) return json{{"type", "uninitialized"}};
  if (d.size() < 80) return std::nullopt;
  return json{{"type", "initialized"},
              {"info", {{"authority", b58(&d[8], 32)},
                        {"blockhash", b58(&d[40], 32)},
                        {"feeCalculator", {{"lamportsPerSignature", std::to_string(le64(&d[72]))}}}}}};
}

BytesView sliced(const Bytes& data, const std::optional<DataSlice>& s) {
  if (!s) return data;
  if (s->offset > data.size()) return {};
  size_t n = std::min(s->length, data.size() - s->offset);
  return BytesView(data).subspan(s->offset, n);
}

}  // namespace

const SolPubkey kTokenProgram = key_from_b58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const SolPubkey kToken2022Program = key_from_b58("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
const SolPubkey kSystemProgram{};

bool is_token_program(const SolPubkey& p) { return p == kTokenProgram || p == kToken2022Program; }

bool is_token_account_data(BytesView d) {
  if (d.size() == kAccountLen) return d[108] != 0;
  return d.size() > kAccountLen && d.size() != kMultisigLen && d[kAccountLen] == kAccountTypeAccount;
}

std::optional<TokenAccountView> unpack_token_account(BytesView d) {
  if (d.size() < kAccountLen || d.size() == kMultisigLen || d[108] == 0 || d[108] > 2)
    return std::nullopt;
  if (d.size() > kAccountLen && d[kAccountLen] != kAccountTypeAccount) return std::nullopt;
  return TokenAccountView{key_at(&d[0]), key_at(&d[32]), le64(&d[64])};
}

std::optional<MintView> unpack_mint(BytesView d) {
  if (d.size() < kMintLen || d[45] != 1) return std::nullopt;
  if (d.size() > kMintLen && (d.size() <= kAccountLen || d[kAccountLen] != kAccountTypeMint))
    return std::nullopt;
  return MintView{le64(&d[36]), d[44]};
}

json ui_token_amount(uint64_t amount, uint8_t decimals) {
  std::string s = std::to_string(amount);
  if (decimals > 0) {
    if (s.size() < size_t(decimals) + 1) s.insert(0, decimals + 1 - s.size(), '0');
    s.insert(s.size() - decimals, 1, '.');
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  json ui = nullptr;
  if (decimals <= 19) {  // 10^decimals must fit usize
    double div = 1;
    for (int i = 0; i < decimals; ++i) div *= 10;
    ui = double(amount) / div;
  }
  return {{"amount", std::to_string(amount)}, {"decimals", decimals}, {"uiAmount", ui},
          {"uiAmountString", s}};
}

json ui_account(const SolAccount& a, AccountEncoding enc, const std::optional<DataSlice>& slice,
                const MintLookup& mints, bool base58_limit) {
  json data;
  BytesView d = sliced(a.data, slice);
  auto as_base64 = [&] { return json::array({b64(d), "base64"}); };
  switch (enc) {
    case AccountEncoding::kBinary:
    case AccountEncoding::kBase58:
      if (base58_limit && d.size() > kMaxBase58Bytes)
        throw RpcError(code::kInvalidRequest,
                       "Encoded binary (base 58) data should be less than 128 bytes, please use "
                       "Base64 encoding.");
      data = enc == AccountEncoding::kBinary ? json(b58(d)) : json::array({b58(d), "base58"});
      break;
    case AccountEncoding::kBase64: data = as_base64(); break;
    case AccountEncoding::kBase64Zstd: {
      Bytes z(ZSTD_compressBound(d.size()));
      size_t n = ZSTD_compress(z.data(), z.size(), d.data(), d.size(), 0);
      if (ZSTD_isError(n)) data = as_base64();
      else data = json::array({b64(BytesView(z.data(), n)), "base64+zstd"});
      break;
    }
    case AccountEncoding::kJsonParsed: {
      std::optional<json> parsed;
      const char* program = nullptr;
      BytesView full = a.data;
      if (is_token_program(a.owner)) {
        program = a.owner == kTokenProgram ? "spl-token" : "spl-token-2022";
        bool needs_decimals = false;
        std::optional<uint8_t> decimals;
        if (auto t = unpack_token_account(full); t && mints)
          if (auto m = mints(t->mint); m && is_token_program(m->owner))
            if (auto mv = unpack_mint(m->data)) decimals = mv->decimals;
        parsed = parse_token_account(full, decimals, &needs_decimals);
        if (!parsed && !needs_decimals) parsed = parse_mint(full);
        if (!parsed && !needs_decimals) parsed = parse_multisig(full);
      } else if (a.owner == kSystemProgram) {
        program = "nonce";
        parsed = parse_nonce(full);
      }
      if (parsed)
        data = {{"program", program}, {"parsed", std::move(*parsed)}, {"space", a.data.size()}};
      else
        data = json::array({b64(d), "base64"});
      break;
    }
  }
  return {{"lamports", a.lamports}, {"data", std::move(data)}, {"owner", b58(a.owner)},
          {"executable", a.executable}, {"rentEpoch", a.rent_epoch}, {"space", a.data.size()}};
}

}  // namespace lumio::rpc::sol

namespace lumio::rpc {

bool SolAccountFilter::matches(const SolAccount& a) const {
  switch (kind) {
    case Kind::kDataSize: return a.data.size() == data_size;
    case Kind::kMemcmp:
      return offset <= a.data.size() && a.data.size() - offset >= bytes.size() &&
             std::equal(bytes.begin(), bytes.end(), a.data.begin() + offset);
    case Kind::kTokenAccountState: return sol::is_token_account_data(a.data);
  }
  return false;
}

}  // namespace lumio::rpc
