// Transaction encodings and status meta (solana-transaction-status: EncodedTransaction,
// UiTransactionStatusMeta, UiInnerInstructions, token balances) and TransactionError's serde
// and Display forms.
#include <cstring>
#include <set>

#include "rpc/sol_encoding.hpp"
#include "svm/syscalls.hpp"
#include "svm/transaction.hpp"

namespace lumio::rpc::sol {

namespace {

bool is_account_index_variant(const std::string& k) {
  return k == "InsufficientFundsForRent" || k == "ProgramExecutionTemporarilyRestricted";
}

// Keys Agave never reports as writable (ReservedAccountKeys: sysvars and builtin programs).
const std::set<SolPubkey>& reserved_keys() {
  static const std::set<SolPubkey> keys = [] {
    std::set<SolPubkey> s;
    for (const char* k :
         {"11111111111111111111111111111111", "Vote111111111111111111111111111111111111111",
          "Stake11111111111111111111111111111111111111", "Config1111111111111111111111111111111111111",
          "BPFLoader1111111111111111111111111111111111", "BPFLoader2111111111111111111111111111111111",
          "BPFLoaderUpgradeab1e11111111111111111111111", "LoaderV411111111111111111111111111111111111",
          "ComputeBudget111111111111111111111111111111", "AddressLookupTab1e1111111111111111111111111",
          "Ed25519SigVerify111111111111111111111111111", "KeccakSecp256k11111111111111111111111111111",
          "Secp256r1SigVerify1111111111111111111111111", "NativeLoader1111111111111111111111111111111",
          "ZkE1Gama1Proof11111111111111111111111111111", "Feature111111111111111111111111111111111111",
          "Sysvar1111111111111111111111111111111111111", "SysvarC1ock11111111111111111111111111111111",
          "SysvarEpochSchedu1e111111111111111111111111", "SysvarFees111111111111111111111111111111111",
          "SysvarInstructions1111111111111111111111111", "SysvarRecentB1ockHashes11111111111111111111",
          "SysvarRent111111111111111111111111111111111", "SysvarRewards111111111111111111111111111111",
          "SysvarS1otHashes111111111111111111111111111", "SysvarS1otHistory11111111111111111111111111",
          "SysvarStakeHistory1111111111111111111111111", "SysvarEpochRewards1111111111111111111111111",
          "SysvarLastRestartS1ot1111111111111111111111"}) {
      auto d = svm::base58_decode(k);
      SolPubkey p{};
      if (d && d->size() == 32) std::memcpy(p.data(), d->data(), 32);
      s.insert(p);
    }
    return s;
  }();
  return keys;
}

json token_balances_json(const std::optional<std::vector<SolTokenBalance>>& v) {
  if (!v) return nullptr;
  json out = json::array();
  for (auto& b : *v) {
    json j = {{"accountIndex", b.account_index},
              {"mint", b58(b.mint)},
              {"uiTokenAmount", ui_token_amount(b.amount, b.decimals)}};
    if (b.owner) j["owner"] = b58(*b.owner);
    if (b.program_id) j["programId"] = b58(*b.program_id);
    out.push_back(std::move(j));
  }
  return out;
}

struct Decoded {
  svm::Transaction tx;
  std::vector<SolPubkey> keys;  // static, then loaded writable, then loaded readonly
  size_t n_static = 0, n_loaded_writable = 0;
};

Decoded decode(const SolTxWithMeta& t) {
  auto r = svm::decode_transaction(t.wire);
  if (!r) throw RpcError(code::kInternal, "Internal error");
  Decoded d;
  d.tx = std::move(r.value());
  d.keys = d.tx.message.account_keys;
  d.n_static = d.keys.size();
  d.keys.insert(d.keys.end(), t.meta.loaded_writable.begin(), t.meta.loaded_writable.end());
  d.n_loaded_writable = t.meta.loaded_writable.size();
  d.keys.insert(d.keys.end(), t.meta.loaded_readonly.begin(), t.meta.loaded_readonly.end());
  return d;
}

// Message::is_maybe_writable / v0 LoadedMessage::is_writable, with reserved keys and invoked
// programs demoted (no upgradeable-loader exception).
bool is_writable(const Decoded& d, size_t i) {
  auto& h = d.tx.message.header;
  bool w;
  if (i < d.n_static) {
    size_t nsig = h.num_required_signatures;
    w = i < nsig ? i < nsig - std::min<size_t>(nsig, h.num_readonly_signed_accounts)
                 : i < d.n_static - std::min(d.n_static, size_t(h.num_readonly_unsigned_accounts));
  } else {
    w = i < d.n_static + d.n_loaded_writable;
  }
  if (!w || reserved_keys().count(d.keys[i])) return false;
  bool upgradeable_present = false;
  static const SolPubkey kUpgradeable = [] {
    SolPubkey p{};
    auto v = svm::base58_decode("BPFLoaderUpgradeab1e11111111111111111111111");
    std::memcpy(p.data(), v->data(), 32);
    return p;
  }();
  for (auto& k : d.keys) upgradeable_present |= k == kUpgradeable;
  if (!upgradeable_present)
    for (auto& ix : d.tx.message.instructions)
      if (ix.program_id_index == i) return false;
  return true;
}

json parsed_account_keys(const Decoded& d) {
  json keys = json::array();
  for (size_t i = 0; i < d.keys.size(); ++i)
    keys.push_back({{"pubkey", b58(d.keys[i])},
                    {"writable", is_writable(d, i)},
                    {"signer", i < d.tx.message.header.num_required_signatures},
                    {"source", i < d.n_static ? "transaction" : "lookupTable"}});
  return keys;
}

json compiled_ix_json(uint8_t program, const std::vector<uint8_t>& accounts, BytesView data,
                      std::optional<uint32_t> stack_height) {
  return {{"programIdIndex", program},
          {"accounts", accounts},
          {"data", b58(data)},
          {"stackHeight", stack_height ? json(*stack_height) : json(nullptr)}};
}

// A bincode reader for instruction data (fixint, trailing bytes allowed: limited_deserialize).
struct Reader {
  BytesView d;
  size_t at = 0;
  bool ok = true;
  uint64_t u(size_t n) {
    if (d.size() - at < n) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(d[at + i]) << (8 * i);
    at += n;
    return v;
  }
  std::string key() {
    if (d.size() - at < 32) {
      ok = false;
      return {};
    }
    at += 32;
    return b58(d.data() + at - 32, 32);
  }
  std::string str() {  // bincode String: u64 length + UTF-8
    uint64_t n = u(8);
    if (!ok || d.size() - at < n) {
      ok = false;
      return {};
    }
    std::string v(reinterpret_cast<const char*>(d.data() + at), n);
    at += n;
    return v;
  }
};

// parse_system: {"type", "info"} of a System program instruction; nullopt when it does not parse
// (then the instruction is shown partially decoded, as Agave does).
std::optional<json> parse_system(BytesView data, const std::vector<json>& a) {
  Reader r{data};
  uint32_t tag = uint32_t(r.u(4));
  auto need = [&](size_t n) { return a.size() >= n; };
  json out;
  switch (tag) {
    case 0: {
      uint64_t lamports = r.u(8), space = r.u(8);
      std::string owner = r.key();
      if (!need(2)) return std::nullopt;
      out = {{"type", "createAccount"},
             {"info", {{"source", a[0]}, {"newAccount", a[1]}, {"lamports", lamports}, {"space", space}, {"owner", owner}}}};
      break;
    }
    case 1: {
      std::string owner = r.key();
      if (!need(1)) return std::nullopt;
      out = {{"type", "assign"}, {"info", {{"account", a[0]}, {"owner", owner}}}};
      break;
    }
    case 2: {
      uint64_t lamports = r.u(8);
      if (!need(2)) return std::nullopt;
      out = {{"type", "transfer"}, {"info", {{"source", a[0]}, {"destination", a[1]}, {"lamports", lamports}}}};
      break;
    }
    case 3: {
      std::string base = r.key(), seed = r.str();
      uint64_t lamports = r.u(8), space = r.u(8);
      std::string owner = r.key();
      if (!need(2)) return std::nullopt;
      out = {{"type", "createAccountWithSeed"},
             {"info", {{"source", a[0]}, {"newAccount", a[1]}, {"base", base}, {"seed", seed},
                       {"lamports", lamports}, {"space", space}, {"owner", owner}}}};
      break;
    }
    case 4:
      if (!need(3)) return std::nullopt;
      out = {{"type", "advanceNonce"},
             {"info", {{"nonceAccount", a[0]}, {"recentBlockhashesSysvar", a[1]}, {"nonceAuthority", a[2]}}}};
      break;
    case 5: {
      uint64_t lamports = r.u(8);
      if (!need(5)) return std::nullopt;
      out = {{"type", "withdrawFromNonce"},
             {"info", {{"nonceAccount", a[0]}, {"destination", a[1]}, {"recentBlockhashesSysvar", a[2]},
                       {"rentSysvar", a[3]}, {"nonceAuthority", a[4]}, {"lamports", lamports}}}};
      break;
    }
    case 6: {
      std::string auth = r.key();
      if (!need(3)) return std::nullopt;
      out = {{"type", "initializeNonce"},
             {"info", {{"nonceAccount", a[0]}, {"recentBlockhashesSysvar", a[1]}, {"rentSysvar", a[2]},
                       {"nonceAuthority", auth}}}};
      break;
    }
    case 7: {
      std::string auth = r.key();
      if (!need(2)) return std::nullopt;
      out = {{"type", "authorizeNonce"},
             {"info", {{"nonceAccount", a[0]}, {"nonceAuthority", a[1]}, {"newAuthorized", auth}}}};
      break;
    }
    case 8: {
      uint64_t space = r.u(8);
      if (!need(1)) return std::nullopt;
      out = {{"type", "allocate"}, {"info", {{"account", a[0]}, {"space", space}}}};
      break;
    }
    case 9: {
      std::string base = r.key(), seed = r.str();
      uint64_t space = r.u(8);
      std::string owner = r.key();
      if (!need(2)) return std::nullopt;
      out = {{"type", "allocateWithSeed"},
             {"info", {{"account", a[0]}, {"base", base}, {"seed", seed}, {"space", space}, {"owner", owner}}}};
      break;
    }
    case 10: {
      std::string base = r.key(), seed = r.str(), owner = r.key();
      if (!need(2)) return std::nullopt;
      out = {{"type", "assignWithSeed"},
             {"info", {{"account", a[0]}, {"base", base}, {"seed", seed}, {"owner", owner}}}};
      break;
    }
    case 11: {
      uint64_t lamports = r.u(8);
      std::string seed = r.str(), owner = r.key();
      if (!need(3)) return std::nullopt;
      out = {{"type", "transferWithSeed"},
             {"info", {{"source", a[0]}, {"sourceBase", a[1]}, {"destination", a[2]}, {"lamports", lamports},
                       {"sourceSeed", seed}, {"sourceOwner", owner}}}};
      break;
    }
    case 12:
      if (!need(1)) return std::nullopt;
      out = {{"type", "upgradeNonce"}, {"info", {{"nonceAccount", a[0]}}}};
      break;
    default: return std::nullopt;
  }
  if (!r.ok) return std::nullopt;
  return out;
}

bool valid_utf8(BytesView d) {
  for (size_t i = 0; i < d.size();) {
    uint8_t c = d[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07;
    else return false;
    if (d.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((d[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (d[i + k] & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// A compiled instruction in jsonParsed form: the System program and SPL Memo are parsed
// ({"program", "programId", "parsed", "stackHeight"}); others are UiPartiallyDecodedInstruction.
json parsed_ix_json(const Decoded& d, uint8_t program, const std::vector<uint8_t>& accounts,
                    BytesView data, std::optional<uint32_t> stack_height) {
  static const SolPubkey kMemoV1 = [] {
    SolPubkey p{};
    auto v = svm::base58_decode("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo");
    std::memcpy(p.data(), v->data(), 32);
    return p;
  }();
  static const SolPubkey kMemoV3 = [] {
    SolPubkey p{};
    auto v = svm::base58_decode("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
    std::memcpy(p.data(), v->data(), 32);
    return p;
  }();
  auto key = [&](size_t i) { return i < d.keys.size() ? json(b58(d.keys[i])) : json(nullptr); };
  std::vector<json> accts;
  for (auto a : accounts) accts.push_back(key(a));
  json height = stack_height ? json(*stack_height) : json(nullptr);
  if (program < d.keys.size()) {
    const SolPubkey& pid = d.keys[program];
    std::optional<json> parsed;
    const char* name = nullptr;
    if (pid == kSystemProgram) {
      name = "system";
      parsed = parse_system(data, accts);
    } else if ((pid == kMemoV1 || pid == kMemoV3) && valid_utf8(data)) {
      name = "spl-memo";
      parsed = json(std::string(data.begin(), data.end()));
    }
    if (parsed)
      return {{"program", name}, {"programId", b58(pid)}, {"parsed", std::move(*parsed)}, {"stackHeight", height}};
  }
  return {{"programId", key(program)}, {"accounts", accts}, {"data", b58(data)}, {"stackHeight", height}};
}

json lookups_json(const svm::Message& m) {
  json out = json::array();
  for (auto& l : m.address_table_lookups)
    out.push_back({{"accountKey", b58(l.account_key)},
                   {"writableIndexes", l.writable_indexes},
                   {"readonlyIndexes", l.readonly_indexes}});
  return out;
}

json tx_json(const Decoded& d, bool parsed) {
  auto& m = d.tx.message;
  json sigs = json::array();
  for (auto& s : d.tx.signatures) sigs.push_back(b58(s));
  json msg;
  if (parsed) {
    json ixs = json::array();
    for (auto& ix : m.instructions)
      ixs.push_back(parsed_ix_json(d, ix.program_id_index, ix.accounts, ix.data, std::nullopt));
    msg = {{"accountKeys", parsed_account_keys(d)},
           {"recentBlockhash", b58(m.recent_blockhash)},
           {"instructions", std::move(ixs)}};
  } else {
    json keys = json::array();
    for (auto& k : m.account_keys) keys.push_back(b58(k));
    json ixs = json::array();
    for (auto& ix : m.instructions)
      ixs.push_back(compiled_ix_json(ix.program_id_index, ix.accounts, ix.data, std::nullopt));
    msg = {{"header",
            {{"numRequiredSignatures", m.header.num_required_signatures},
             {"numReadonlySignedAccounts", m.header.num_readonly_signed_accounts},
             {"numReadonlyUnsignedAccounts", m.header.num_readonly_unsigned_accounts}}},
           {"accountKeys", std::move(keys)},
           {"recentBlockhash", b58(m.recent_blockhash)},
           {"instructions", std::move(ixs)}};
  }
  if (m.v0) msg["addressTableLookups"] = lookups_json(m);
  return {{"signatures", std::move(sigs)}, {"message", std::move(msg)}};
}

json inner_json(const Decoded* d, const std::vector<SolInnerInstructions>& v) {
  json out = json::array();
  for (auto& group : v) {
    json ixs = json::array();
    for (auto& ix : group.instructions)
      ixs.push_back(d ? parsed_ix_json(*d, ix.program_id_index, ix.accounts, ix.data, ix.stack_height)
                      : compiled_ix_json(ix.program_id_index, ix.accounts, ix.data, ix.stack_height));
    out.push_back({{"index", group.index}, {"instructions", std::move(ixs)}});
  }
  return out;
}

json meta_json(const SolTxMeta& m, const Decoded* parsed, bool simple, bool show_rewards) {
  json err = m.err ? tx_error_json(*m.err) : json(nullptr);
  json j = {{"err", err},
            {"status", m.err ? json{{"Err", err}} : json{{"Ok", nullptr}}},
            {"fee", m.fee},
            {"preBalances", m.pre_balances},
            {"postBalances", m.post_balances},
            {"preTokenBalances", token_balances_json(m.pre_token_balances)},
            {"postTokenBalances", token_balances_json(m.post_token_balances)}};
  if (simple) {  // transactionDetails "accounts": build_simple_ui_transaction_status_meta
    if (show_rewards) j["rewards"] = json::array();
    return j;
  }
  j["rewards"] = json::array();
  j["innerInstructions"] = m.inner_instructions ? inner_json(parsed, *m.inner_instructions) : json(nullptr);
  j["logMessages"] = m.log_messages ? json(*m.log_messages) : json(nullptr);
  if (!parsed) {
    json w = json::array(), r = json::array();
    for (auto& k : m.loaded_writable) w.push_back(b58(k));
    for (auto& k : m.loaded_readonly) r.push_back(b58(k));
    j["loadedAddresses"] = {{"writable", std::move(w)}, {"readonly", std::move(r)}};
  }
  if (m.return_data) j["returnData"] = return_data_json(*m.return_data);
  if (m.compute_units_consumed) j["computeUnitsConsumed"] = *m.compute_units_consumed;
  if (m.cost_units) j["costUnits"] = *m.cost_units;
  return j;
}

}  // namespace

const char* tx_encoding_name(TxEncoding e) {
  switch (e) {
    case TxEncoding::kBinary: return "binary";
    case TxEncoding::kBase58: return "base58";
    case TxEncoding::kBase64: return "base64";
    case TxEncoding::kJson: return "json";
    case TxEncoding::kJsonParsed: return "jsonParsed";
  }
  return "?";
}

json tx_error_json(const SolTxError& e) {
  if (e.kind == "InstructionError") {
    json inner;
    if (e.instruction_error == "Custom") inner = {{"Custom", e.custom}};
    else if (e.instruction_error == "BorshIoError" && !e.borsh_message.empty())
      inner = {{"BorshIoError", e.borsh_message}};
    else inner = e.instruction_error;
    return {{"InstructionError", json::array({e.index, std::move(inner)})}};
  }
  if (e.kind == "DuplicateInstruction") return {{e.kind, e.index}};
  if (is_account_index_variant(e.kind)) return {{e.kind, {{"account_index", e.index}}}};
  return e.kind;
}

std::string tx_error_text(const SolTxError& e) {
  if (e.kind == "InstructionError") {
    // InstructionError's Display, from the one table in svm/transaction.
    std::string inner = e.instruction_error;
    if (e.instruction_error == "Custom") inner = svm::InstructionError(svm::InstructionError::Custom, e.custom).message();
    else if (auto ie = svm::InstructionError::from_name(e.instruction_error)) inner = ie->message();
    return "Error processing Instruction " + std::to_string(e.index) + ": " + inner;
  }
  if (e.kind == "DuplicateInstruction")
    return "Transaction contains a duplicate instruction (" + std::to_string(e.index) +
           ") that is not allowed";
  if (e.kind == "InsufficientFundsForRent")
    return "Transaction results in an account (" + std::to_string(e.index) +
           ") with insufficient funds for rent";
  if (e.kind == "ProgramExecutionTemporarilyRestricted")
    return "Execution of the program referenced by account at index " + std::to_string(e.index) +
           " is temporarily restricted.";
  if (auto t = svm::TransactionError::from_name(e.kind)) return svm::message(*t);
  return e.kind;
}

json return_data_json(const SolReturnData& r) {
  return {{"programId", b58(r.program_id)}, {"data", json::array({b64(r.data), "base64"})}};
}

json inner_instructions_json(const std::vector<SolInnerInstructions>& v, const svm::Transaction& tx) {
  Decoded d;
  d.tx = tx;
  d.keys = tx.message.account_keys;
  d.n_static = d.keys.size();
  return inner_json(&d, v);
}

json encode_tx_with_meta(const SolTxWithMeta& t, TxEncoding enc, std::optional<uint8_t> max_version,
                         TxDetails details, bool show_rewards) {
  Decoded d = decode(t);
  json version;
  if (d.tx.message.v0) {
    if (!max_version)
      throw RpcError(sol_code::kUnsupportedTransactionVersion,
                     "Transaction version (0) is not supported by the requesting client. Please "
                     "try the request again with the following configuration parameter: "
                     "\"maxSupportedTransactionVersion\": 0");
    version = 0;
  } else if (max_version) {
    version = "legacy";
  }
  json out;
  if (details == TxDetails::kAccounts) {
    json sigs = json::array();
    for (auto& s : d.tx.signatures) sigs.push_back(b58(s));
    out = {{"transaction", {{"signatures", std::move(sigs)}, {"accountKeys", parsed_account_keys(d)}}},
           {"meta", meta_json(t.meta, nullptr, true, show_rewards)}};
  } else {
    json tx;
    switch (enc) {
      case TxEncoding::kBinary: tx = b58(t.wire); break;
      case TxEncoding::kBase58: tx = json::array({b58(t.wire), "base58"}); break;
      case TxEncoding::kBase64: tx = json::array({b64(t.wire), "base64"}); break;
      case TxEncoding::kJson: tx = tx_json(d, false); break;
      case TxEncoding::kJsonParsed: tx = tx_json(d, true); break;
    }
    bool parsed = enc == TxEncoding::kJsonParsed;
    out = {{"transaction", std::move(tx)},
           {"meta", meta_json(t.meta, parsed ? &d : nullptr, false, show_rewards)}};
  }
  if (!version.is_null()) out["version"] = std::move(version);
  return out;
}

}  // namespace lumio::rpc::sol
