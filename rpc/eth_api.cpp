#include "rpc/eth_api.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/hash.hpp"

namespace lumio::rpc {

namespace {

// ---------------------------------------------------------------- formatting

std::string qty(uint64_t v) {
  char buf[20];
  int n = std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
  return std::string(buf, n);
}
std::string qty(const uint256& v) { return v.to_hex_quantity(); }
std::string hex(BytesView b) { return to_hex(b); }
template <size_t N>
std::string hex(const FixedBytes<N>& b) {
  return to_hex(b);
}
json opt_addr(const std::optional<Address>& a) { return a ? json(hex(*a)) : json(nullptr); }

json access_list_json(const std::vector<EthAccessTuple>& al) {
  json out = json::array();
  for (auto& t : al) {
    json keys = json::array();
    for (auto& k : t.storage_keys) keys.push_back(hex(k));
    out.push_back({{"address", hex(t.address)}, {"storageKeys", std::move(keys)}});
  }
  return out;
}

// ---------------------------------------------------------------- parameter decoding
// Messages follow geth's hexutil / encoding/json texts, so clients see familiar errors.

struct ArgError {
  std::string msg;
};

[[noreturn]] void type_error(std::string_view value, std::string_view type,
                             std::string_view field) {
  std::string m = "json: cannot unmarshal " + std::string(value);
  if (field.empty()) m += " into Go value of type " + std::string(type);
  else m += " into Go struct field " + std::string(field) + " of type " + std::string(type);
  throw ArgError{m};
}

bool has_0x(std::string_view s) { return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const std::string& str_or(const json& j, std::string_view type, std::string_view field) {
  if (!j.is_string()) type_error("non-string", type, field);
  return j.get_ref<const std::string&>();
}

// hexutil.Uint64 / hexutil.Big: "0x"-prefixed, no leading zeros, at most `max_digits`.
uint256 dec_number(const json& j, std::string_view type, std::string_view field,
                   size_t max_digits, const char* range_err) {
  const std::string& s = str_or(j, type, field);
  if (s.empty()) return 0;
  if (!has_0x(s)) type_error("hex string without 0x prefix", type, field);
  std::string_view d = std::string_view(s).substr(2);
  if (d.empty()) type_error("hex string \"0x\"", type, field);
  if (d.size() > 1 && d[0] == '0') type_error("hex number with leading zero digits", type, field);
  if (d.size() > max_digits) type_error(range_err, type, field);
  uint256 v;
  for (char c : d) {
    int x = hexval(c);
    if (x < 0) type_error("invalid hex string", type, field);
    v = (v << 4) | uint256(uint64_t(x));
  }
  return v;
}
uint64_t dec_u64(const json& j, std::string_view field = {}, std::string_view type = "hexutil.Uint64") {
  return dec_number(j, type, field, 16, "hex number > 64 bits").low64();
}
uint256 dec_big(const json& j, std::string_view field = {}) {
  return dec_number(j, "hexutil.Big", field, 64, "hex number > 256 bits");
}

Bytes dec_bytes(const json& j, std::string_view field = {}, std::string_view type = "hexutil.Bytes") {
  const std::string& s = str_or(j, type, field);
  if (s.empty()) return {};
  if (!has_0x(s)) type_error("hex string without 0x prefix", type, field);
  std::string_view d = std::string_view(s).substr(2);
  if (d.size() % 2) type_error("hex string of odd length", type, field);
  Bytes out(d.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexval(d[2 * i]), lo = hexval(d[2 * i + 1]);
    if (hi < 0 || lo < 0) type_error("invalid hex string", type, field);
    out[i] = uint8_t(hi << 4 | lo);
  }
  return out;
}

template <size_t N>
FixedBytes<N> dec_fixed(const json& j, std::string_view type, std::string_view field) {
  Bytes b = dec_bytes(j, field, type);
  const std::string& s = j.get_ref<const std::string&>();
  if (b.size() != N)
    throw ArgError{"hex string has length " + std::to_string(s.size() >= 2 ? s.size() - 2 : 0) +
                   ", want " + std::to_string(N * 2) + " for " + std::string(type)};
  return *FixedBytes<N>::from(b);
}
Address dec_addr(const json& j, std::string_view field = {}) {
  return dec_fixed<20>(j, "common.Address", field);
}
Hash32 dec_hash(const json& j, std::string_view field = {}) {
  return dec_fixed<32>(j, "common.Hash", field);
}

// A loose integer for dev methods: JSON number, or "0x…" hex / decimal string.
uint256 dec_loose(const json& j) {
  if (j.is_number_unsigned()) return uint256(j.get<uint64_t>());
  if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint256(uint64_t(j.get<int64_t>()));
  if (j.is_string()) {
    if (auto v = uint256::from_string(j.get_ref<const std::string&>())) return *v;
    throw ArgError{"invalid number " + j.dump()};
  }
  throw ArgError{"invalid number " + j.dump()};
}
uint64_t dec_loose_u64(const json& j) {
  uint256 v = dec_loose(j);
  if (!v.fits_u64()) throw ArgError{"number > 64 bits"};
  return v.low64();
}

// hexutil.DecodeUint64 (used by rpc.BlockNumber): stricter about emptiness.
uint64_t decode_u64_plain(std::string_view s) {
  if (s.empty()) throw ArgError{"empty hex string"};
  if (!has_0x(s)) throw ArgError{"hex string without 0x prefix"};
  std::string_view d = s.substr(2);
  if (d.empty()) throw ArgError{"hex string \"0x\""};
  if (d.size() > 1 && d[0] == '0') throw ArgError{"hex number with leading zero digits"};
  uint64_t v = 0;
  for (char c : d) {
    int x = hexval(c);
    if (x < 0) throw ArgError{"invalid hex string"};
    if (v >> 60) throw ArgError{"hex number > 64 bits"};
    v = v << 4 | uint64_t(x);
  }
  return v;
}

struct BlockSpec {
  enum Kind { kNumber, kLatest, kPending, kEarliest, kSafe, kFinalized, kHash } kind = kLatest;
  uint64_t number = 0;
  Hash32 hash;
  bool require_canonical = false;
};

BlockSpec dec_block_number(const json& j) {
  std::string s = j.is_string() ? j.get<std::string>() : j.dump();
  BlockSpec b;
  if (s == "latest") b.kind = BlockSpec::kLatest;
  else if (s == "pending") b.kind = BlockSpec::kPending;
  else if (s == "earliest") b.kind = BlockSpec::kEarliest;
  else if (s == "safe") b.kind = BlockSpec::kSafe;
  else if (s == "finalized") b.kind = BlockSpec::kFinalized;
  else {
    b.kind = BlockSpec::kNumber;
    b.number = decode_u64_plain(s);
    if (b.number > uint64_t(std::numeric_limits<int64_t>::max()))
      throw ArgError{"block number larger than int64"};
  }
  return b;
}

// rpc.BlockNumberOrHash: a tag, a number, a bare 32-byte hash, or the EIP-1898 object.
BlockSpec dec_block_or_hash(const json& j) {
  if (j.is_object()) {
    auto num = j.find("blockNumber"), h = j.find("blockHash");
    bool has_num = num != j.end() && !num->is_null(), has_hash = h != j.end() && !h->is_null();
    if (has_num && has_hash)
      throw ArgError{"cannot specify both BlockHash and BlockNumber, choose one or the other"};
    BlockSpec b;
    if (has_hash) {
      b.kind = BlockSpec::kHash;
      b.hash = dec_hash(*h, "BlockNumberOrHash.blockHash");
      auto rc = j.find("requireCanonical");
      b.require_canonical = rc != j.end() && rc->is_boolean() && rc->get<bool>();
      return b;
    }
    if (has_num) return dec_block_number(*num);
    throw RpcError(code::kServer, "invalid arguments; neither block nor hash specified");
  }
  if (j.is_string() && j.get_ref<const std::string&>().size() == 66) {
    BlockSpec b;
    b.kind = BlockSpec::kHash;
    b.hash = dec_hash(j);
    return b;
  }
  return dec_block_number(j);
}

// The JSON-RPC "params" array of one call.
class Args {
 public:
  Args(const json& p, size_t max) : p_(p) {
    if (!p.is_array()) throw RpcError(code::kInvalidParams, "non-array args");
    if (p.size() > max)
      throw RpcError(code::kInvalidParams,
                     "too many arguments, want at most " + std::to_string(max));
  }
  bool has(size_t i) const { return i < p_.size() && !p_[i].is_null(); }
  const json& at(size_t i) const {
    if (!has(i))
      throw RpcError(code::kInvalidParams, "missing value for required argument " + std::to_string(i));
    return p_[i];
  }
  template <class F>
  auto get(size_t i, F&& decode) const {
    const json& j = at(i);
    try {
      return decode(j);
    } catch (const ArgError& e) {
      throw RpcError(code::kInvalidParams, "invalid argument " + std::to_string(i) + ": " + e.msg);
    }
  }
  template <class F, class T>
  auto get_or(size_t i, F&& decode, T dflt) const {
    return has(i) ? get(i, decode) : dflt;
  }

 private:
  const json& p_;
};

std::vector<EthAccessTuple> dec_access_list(const json& j, std::string_view field) {
  if (!j.is_array()) type_error(j.is_object() ? "object" : "non-array", "types.AccessList", field);
  std::vector<EthAccessTuple> out;
  for (auto& t : j) {
    if (!t.is_object()) type_error("non-object", "types.AccessTuple", field);
    EthAccessTuple e;
    auto a = t.find("address");
    if (a == t.end()) throw ArgError{"missing required field 'address' for AccessTuple"};
    e.address = dec_addr(*a, "AccessTuple.address");
    auto k = t.find("storageKeys");
    if (k != t.end() && !k->is_null()) {
      if (!k->is_array()) type_error("non-array", "[]common.Hash", "AccessTuple.storageKeys");
      for (auto& key : *k) e.storage_keys.push_back(dec_hash(key, "AccessTuple.storageKeys"));
    }
    out.push_back(std::move(e));
  }
  return out;
}

// geth's TransactionArgs.
CallRequest dec_call(const json& j) {
  if (!j.is_object()) type_error(j.is_array() ? "array" : j.is_string() ? "string" : "non-object",
                                 "ethapi.TransactionArgs", {});
  CallRequest r;
  auto f = [&](const char* name) -> const json* {
    auto it = j.find(name);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  };
  if (auto v = f("from")) r.from = dec_addr(*v, "TransactionArgs.from");
  if (auto v = f("to")) r.to = dec_addr(*v, "TransactionArgs.to");
  if (auto v = f("gas")) r.gas = dec_u64(*v, "TransactionArgs.gas");
  if (auto v = f("gasPrice")) r.gas_price = dec_big(*v, "TransactionArgs.gasPrice");
  if (auto v = f("maxFeePerGas")) r.max_fee_per_gas = dec_big(*v, "TransactionArgs.maxFeePerGas");
  if (auto v = f("maxPriorityFeePerGas"))
    r.max_priority_fee_per_gas = dec_big(*v, "TransactionArgs.maxPriorityFeePerGas");
  if (auto v = f("maxFeePerBlobGas"))
    r.max_fee_per_blob_gas = dec_big(*v, "TransactionArgs.maxFeePerBlobGas");
  if (auto v = f("value")) r.value = dec_big(*v, "TransactionArgs.value");
  if (auto v = f("nonce")) r.nonce = dec_u64(*v, "TransactionArgs.nonce");
  std::optional<Bytes> data, input;
  if (auto v = f("data")) data = dec_bytes(*v, "TransactionArgs.data");
  if (auto v = f("input")) input = dec_bytes(*v, "TransactionArgs.input");
  if (auto v = f("accessList")) r.access_list = dec_access_list(*v, "TransactionArgs.accessList");
  if (auto v = f("chainId")) {
    uint256 c = dec_big(*v, "TransactionArgs.chainId");
    if (!c.fits_u64()) throw ArgError{"chainId too large"};
    r.chain_id = c.low64();
  }
  if (auto v = f("type")) r.type = uint8_t(dec_u64(*v, "TransactionArgs.type", "hexutil.Uint64"));
  if (auto v = f("blobVersionedHashes")) {
    if (!v->is_array()) type_error("non-array", "[]common.Hash", "TransactionArgs.blobVersionedHashes");
    for (auto& h : *v) r.blob_versioned_hashes.push_back(dec_hash(h, "TransactionArgs.blobVersionedHashes"));
  }
  if (auto v = f("authorizationList")) {
    if (!v->is_array()) type_error("non-array", "[]types.SetCodeAuthorization", "TransactionArgs.authorizationList");
    for (auto& a : *v) {
      if (!a.is_object()) type_error("non-object", "types.SetCodeAuthorization", "TransactionArgs.authorizationList");
      EthAuthorization e;
      auto g = [&](const char* n) -> const json& {
        auto it = a.find(n);
        if (it == a.end()) throw ArgError{std::string("missing required field '") + n + "' for SetCodeAuthorization"};
        return *it;
      };
      e.chain_id = dec_big(g("chainId"), "SetCodeAuthorization.chainId");
      e.address = dec_addr(g("address"), "SetCodeAuthorization.address");
      e.nonce = dec_u64(g("nonce"), "SetCodeAuthorization.nonce");
      e.y_parity = uint8_t(dec_u64(g("yParity"), "SetCodeAuthorization.yParity"));
      e.r = dec_big(g("r"), "SetCodeAuthorization.r");
      e.s = dec_big(g("s"), "SetCodeAuthorization.s");
      r.authorization_list.push_back(e);
    }
  }
  if (data && input && *data != *input)
    throw RpcError(code::kServer,
                   "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass "
                   "transaction call data");
  r.input = input ? input : data;
  if (r.gas_price && (r.max_fee_per_gas || r.max_priority_fee_per_gas))
    throw RpcError(code::kServer,
                   "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
  if (r.max_fee_per_gas && r.max_priority_fee_per_gas &&
      *r.max_fee_per_gas < *r.max_priority_fee_per_gas)
    throw RpcError(code::kServer, "maxFeePerGas (" + r.max_fee_per_gas->to_dec_string() +
                                      ") < maxPriorityFeePerGas (" +
                                      r.max_priority_fee_per_gas->to_dec_string() + ")");
  return r;
}

StateOverrides dec_state_overrides(const json& j) {
  if (!j.is_object()) type_error("non-object", "override.StateOverride", {});
  StateOverrides out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& acc = it.value();
    Address addr;
    try {
      addr = dec_addr(json(key));
    } catch (const ArgError&) {
      throw ArgError{"invalid address " + key + " in state override"};
    }
    if (!acc.is_object()) type_error("non-object", "override.OverrideAccount", {});
    AccountOverride o;
    auto f = [&](const char* name) -> const json* {
      auto it = acc.find(name);
      return it == acc.end() || it->is_null() ? nullptr : &*it;
    };
    if (auto v = f("balance")) o.balance = dec_big(*v, "OverrideAccount.balance");
    if (auto v = f("nonce")) o.nonce = dec_u64(*v, "OverrideAccount.nonce");
    if (auto v = f("code")) o.code = dec_bytes(*v, "OverrideAccount.code");
    auto slots = [&](const json& m, const char* field) {
      if (!m.is_object()) type_error("non-object", "map[common.Hash]common.Hash", field);
      std::vector<std::pair<Hash32, Hash32>> kv;
      for (auto s = m.begin(); s != m.end(); ++s)
        kv.emplace_back(dec_hash(json(s.key()), field), dec_hash(s.value(), field));
      return kv;
    };
    const json* st = f("state");
    const json* sd = f("stateDiff");
    if (st && sd)
      throw RpcError(code::kServer, "account " + hex(addr) + " has both 'state' and 'stateDiff'");
    if (st) o.state = slots(*st, "OverrideAccount.state");
    if (sd) o.state_diff = slots(*sd, "OverrideAccount.stateDiff");
    out.emplace_back(addr, std::move(o));
  }
  return out;
}

BlockOverrides dec_block_overrides(const json& j) {
  if (!j.is_object()) type_error("non-object", "override.BlockOverrides", {});
  BlockOverrides b;
  auto f = [&](const char* name) -> const json* {
    auto it = j.find(name);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  };
  if (auto v = f("number")) b.number = dec_big(*v, "BlockOverrides.Number").low64();
  if (auto v = f("time")) b.time = dec_u64(*v, "BlockOverrides.Time");
  if (auto v = f("gasLimit")) b.gas_limit = dec_u64(*v, "BlockOverrides.GasLimit");
  if (auto v = f("feeRecipient")) b.coinbase = dec_addr(*v, "BlockOverrides.FeeRecipient");
  if (auto v = f("prevRandao")) b.prev_randao = dec_hash(*v, "BlockOverrides.PrevRandao");
  if (auto v = f("baseFeePerGas")) b.base_fee = dec_big(*v, "BlockOverrides.BaseFeePerGas");
  return b;
}

// A log query: eth_getLogs / eth_newFilter / eth_subscribe("logs").
struct LogQuery {
  LogFilter filter;
  std::optional<BlockSpec> from, to;
  std::optional<Hash32> block_hash;
};

LogQuery dec_log_query(const json& j, bool allow_range) {
  if (!j.is_object()) type_error("non-object", "filters.FilterCriteria", {});
  LogQuery q;
  auto f = [&](const char* name) -> const json* {
    auto it = j.find(name);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  };
  if (allow_range) {
    if (auto v = f("blockHash")) q.block_hash = dec_hash(*v);
    if (auto v = f("fromBlock")) q.from = dec_block_number(*v);
    if (auto v = f("toBlock")) q.to = dec_block_number(*v);
    if (q.block_hash && (q.from || q.to))
      throw ArgError{"cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other"};
  }
  if (auto v = f("address")) {
    if (v->is_array()) {
      for (auto& a : *v) {
        try {
          q.filter.addresses.push_back(dec_addr(a));
        } catch (const ArgError& e) {
          throw ArgError{"invalid address at index " + std::to_string(q.filter.addresses.size()) +
                         ": " + e.msg};
        }
      }
    } else if (v->is_string()) {
      try {
        q.filter.addresses.push_back(dec_addr(*v));
      } catch (const ArgError& e) {
        throw ArgError{"invalid address: " + e.msg};
      }
    } else {
      throw ArgError{"invalid addresses in query"};
    }
  }
  if (auto v = f("topics")) {
    if (!v->is_array()) throw ArgError{"invalid topic(s)"};
    for (auto& t : *v) {
      std::vector<Hash32> alts;
      if (t.is_null()) {
      } else if (t.is_string()) {
        alts.push_back(dec_hash(t));
      } else if (t.is_array()) {
        for (auto& x : t) {
          if (x.is_null()) {  // a null inside an OR list makes the position a wildcard
            alts.clear();
            break;
          }
          if (!x.is_string()) throw ArgError{"invalid topic(s)"};
          alts.push_back(dec_hash(x));
        }
      } else {
        throw ArgError{"invalid topic(s)"};
      }
      q.filter.topics.push_back(std::move(alts));
    }
  }
  return q;
}

// Error(string) / Panic(uint256) decoding for revert messages, as geth's abi.UnpackRevert.
std::optional<std::string> unpack_revert(BytesView d) {
  static const uint8_t kError[4] = {0x08, 0xc3, 0x79, 0xa0};
  static const uint8_t kPanic[4] = {0x4e, 0x48, 0x7b, 0x71};
  if (d.size() < 4) return std::nullopt;
  auto word = [&](size_t off) -> std::optional<uint256> {
    if (off + 32 > d.size()) return std::nullopt;
    return uint256::from_be(d.data() + off, 32);
  };
  if (std::equal(kError, kError + 4, d.data())) {
    auto off = word(4);
    if (!off || !off->fits_u64() || off->low64() > d.size()) return std::nullopt;
    auto len = word(4 + off->low64());
    if (!len || !len->fits_u64()) return std::nullopt;
    size_t start = 4 + off->low64() + 32;
    if (len->low64() > d.size() || start + len->low64() > d.size()) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(d.data() + start), len->low64());
  }
  if (std::equal(kPanic, kPanic + 4, d.data())) {
    auto c = word(4);
    if (!c) return std::nullopt;
    if (c->fits_u64()) {
      switch (c->low64()) {
        case 0x00: return "generic panic";
        case 0x01: return "assert(false)";
        case 0x11: return "arithmetic underflow or overflow";
        case 0x12: return "division or modulo by zero";
        case 0x21: return "enum overflow";
        case 0x22: return "invalid encoded storage byte array accessed";
        case 0x31: return "out-of-bounds array access; popping on an empty array";
        case 0x32: return "out-of-bounds access of an array or bytesN";
        case 0x41: return "out of memory";
        case 0x51: return "uninitialized function";
      }
    }
    return "unknown panic code: " + c->to_hex_quantity();
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- EIP-712 (eth_signTypedData_v4)

struct Eip712 {
  const json& types;

  const json& fields(const std::string& type) const {
    auto it = types.find(type);
    if (it == types.end() || !it->is_array()) throw ArgError{"unknown type " + type};
    return *it;
  }
  static std::string base_type(const std::string& t) {
    auto p = t.find('[');
    return p == std::string::npos ? t : t.substr(0, p);
  }
  void deps(const std::string& type, std::set<std::string>& out) const {
    if (out.count(type) || !types.contains(type)) return;
    out.insert(type);
    for (auto& f : fields(type)) deps(base_type(f.at("type").get<std::string>()), out);
  }
  std::string encode_type(const std::string& primary) const {
    std::set<std::string> all;
    deps(primary, all);
    all.erase(primary);
    std::string out;
    auto one = [&](const std::string& t) {
      out += t + "(";
      bool first = true;
      for (auto& f : fields(t)) {
        if (!first) out += ",";
        first = false;
        out += f.at("type").get<std::string>() + " " + f.at("name").get<std::string>();
      }
      out += ")";
    };
    one(primary);
    for (auto& t : all) one(t);  // std::set: alphabetical, as the EIP requires
    return out;
  }
  static uint256 number(const json& v) {
    if (v.is_number_unsigned()) return uint256(v.get<uint64_t>());
    if (v.is_number_integer()) {
      int64_t x = v.get<int64_t>();
      return x < 0 ? -uint256(uint64_t(-(x + 1)) + 1) : uint256(uint64_t(x));
    }
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      bool neg = !s.empty() && s[0] == '-';
      auto u = uint256::from_string(neg ? s.substr(1) : s);
      if (!u) throw ArgError{"invalid integer " + s};
      return neg ? -*u : *u;
    }
    if (v.is_boolean()) return uint256(v.get<bool>() ? 1 : 0);
    throw ArgError{"invalid integer " + v.dump()};
  }
  Hash32 encode_value(const std::string& type, const json& v) const {
    if (type.back() == ']') {
      if (!v.is_array()) throw ArgError{"expected array for " + type};
      std::string elem = type.substr(0, type.rfind('['));
      Bytes buf;
      for (auto& e : v) append(buf, encode_value(elem, e).view());
      return keccak256(buf);
    }
    if (types.contains(type)) return hash_struct(type, v);
    if (type == "string") {
      if (!v.is_string()) throw ArgError{"expected string"};
      return keccak256(v.get_ref<const std::string&>());
    }
    if (type == "bytes") return keccak256(dec_bytes(v));
    if (type == "address") {
      Address a = dec_addr(v);
      return Hash32::right_aligned(a.view());
    }
    if (type == "bool") return number(v).to_be();
    if (type.rfind("uint", 0) == 0 || type.rfind("int", 0) == 0) return number(v).to_be();
    if (type.rfind("bytes", 0) == 0) {
      Bytes b = dec_bytes(v);
      if (b.size() > 32) throw ArgError{"value too long for " + type};
      Hash32 h;
      std::copy(b.begin(), b.end(), h.bytes.begin());
      return h;
    }
    throw ArgError{"unsupported type " + type};
  }
  Hash32 hash_struct(const std::string& type, const json& data) const {
    if (!data.is_object()) throw ArgError{"expected object for " + type};
    Bytes buf;
    append(buf, keccak256(encode_type(type)).view());
    for (auto& f : fields(type)) {
      auto name = f.at("name").get<std::string>();
      auto it = data.find(name);
      // A missing field encodes as zero (geth and viem agree for atomic types).
      append(buf, (it == data.end() || it->is_null()) ? Hash32{}.view()
                                                       : encode_value(f.at("type").get<std::string>(), *it).view());
    }
    return keccak256(buf);
  }
};

// The digest a wallet signs for eth_signTypedData_v4.
Hash32 typed_data_digest(const json& td) {
  if (!td.is_object()) throw ArgError{"typed data must be an object"};
  json types = td.value("types", json::object());
  if (!types.is_object()) throw ArgError{"types must be an object"};
  json domain = td.value("domain", json::object());
  if (!types.contains("EIP712Domain")) {  // derive it from the domain's fields, canonical order
    json d = json::array();
    for (auto [n, t] : {std::pair{"name", "string"}, {"version", "string"}, {"chainId", "uint256"},
                        {"verifyingContract", "address"}, {"salt", "bytes32"}})
      if (domain.contains(n)) d.push_back({{"name", n}, {"type", t}});
    types["EIP712Domain"] = d;
  }
  if (!td.contains("primaryType") || !td["primaryType"].is_string())
    throw ArgError{"primaryType missing"};
  Eip712 e{types};
  Bytes buf = {0x19, 0x01};
  append(buf, e.hash_struct("EIP712Domain", domain).view());
  std::string primary = td["primaryType"];
  if (primary != "EIP712Domain") append(buf, e.hash_struct(primary, td.value("message", json::object())).view());
  return keccak256(buf);
}

}  // namespace

bool LogFilter::matches(const EthLog& log) const {
  if (!addresses.empty() &&
      std::find(addresses.begin(), addresses.end(), log.address) == addresses.end())
    return false;
  if (topics.size() > log.topics.size()) return false;
  for (size_t i = 0; i < topics.size(); ++i) {
    if (topics[i].empty()) continue;
    if (std::find(topics[i].begin(), topics[i].end(), log.topics[i]) == topics[i].end())
      return false;
  }
  return true;
}

// ---------------------------------------------------------------- JSON shapes

json EthApi::log_json(const EthLog& l) {
  json topics = json::array();
  for (auto& t : l.topics) topics.push_back(hex(t));
  return {{"address", hex(l.address)},         {"topics", std::move(topics)},
          {"data", hex(l.data)},               {"blockNumber", qty(l.block_number)},
          {"transactionHash", hex(l.tx_hash)}, {"transactionIndex", qty(l.tx_index)},
          {"blockHash", hex(l.block_hash)},    {"blockTimestamp", qty(l.block_timestamp)},
          {"logIndex", qty(l.log_index)},      {"removed", l.removed}};
}

json EthApi::tx_json(const EthTx& tx) {
  json j;
  bool mined = tx.block_number.has_value();
  j["blockHash"] = mined ? json(hex(tx.block_hash)) : json(nullptr);
  j["blockNumber"] = mined ? json(qty(*tx.block_number)) : json(nullptr);
  j["transactionIndex"] = mined ? json(qty(tx.index)) : json(nullptr);
  j["from"] = hex(tx.from);
  j["gas"] = qty(tx.gas);
  j["hash"] = hex(tx.hash);
  j["input"] = hex(tx.input);
  j["nonce"] = qty(tx.nonce);
  j["to"] = opt_addr(tx.to);
  j["value"] = qty(tx.value);
  j["type"] = qty(uint64_t(tx.type));
  j["v"] = qty(tx.v);
  j["r"] = qty(tx.r);
  j["s"] = qty(tx.s);
  if (tx.type == 0) {
    j["gasPrice"] = qty(tx.gas_price);
    if (tx.chain_id) j["chainId"] = qty(*tx.chain_id);
    return j;
  }
  j["chainId"] = qty(tx.chain_id.value_or(0));
  j["accessList"] = access_list_json(tx.access_list);
  j["yParity"] = qty(tx.v);
  if (tx.type == 1) {
    j["gasPrice"] = qty(tx.gas_price);
    return j;
  }
  j["maxFeePerGas"] = qty(tx.max_fee_per_gas);
  j["maxPriorityFeePerGas"] = qty(tx.max_priority_fee_per_gas);
  uint256 price = tx.max_fee_per_gas;
  if (mined && tx.block_base_fee) {
    uint256 tip_cap = tx.max_fee_per_gas - *tx.block_base_fee;
    uint256 tip = tx.max_priority_fee_per_gas < tip_cap ? tx.max_priority_fee_per_gas : tip_cap;
    if (*tx.block_base_fee <= tx.max_fee_per_gas) price = *tx.block_base_fee + tip;
  }
  j["gasPrice"] = qty(price);
  if (tx.type == 3) {
    j["maxFeePerBlobGas"] = qty(tx.max_fee_per_blob_gas);
    json hs = json::array();
    for (auto& h : tx.blob_versioned_hashes) hs.push_back(hex(h));
    j["blobVersionedHashes"] = std::move(hs);
  }
  if (tx.type == 4) {
    json al = json::array();
    for (auto& a : tx.authorization_list)
      al.push_back({{"chainId", qty(a.chain_id)},
                    {"address", hex(a.address)},
                    {"nonce", qty(a.nonce)},
                    {"yParity", qty(uint64_t(a.y_parity))},
                    {"r", qty(a.r)},
                    {"s", qty(a.s)}});
    j["authorizationList"] = std::move(al);
  }
  return j;
}

json EthApi::receipt_json(const EthReceipt& r) {
  Bloom bloom;
  json logs = json::array();
  for (auto& l : r.logs) {
    bloom_add(bloom, l.address.view());
    for (auto& t : l.topics) bloom_add(bloom, t.view());
    logs.push_back(log_json(l));
  }
  json j = {{"blockHash", hex(r.block_hash)},
            {"blockNumber", qty(r.block_number)},
            {"contractAddress", opt_addr(r.contract_address)},
            {"cumulativeGasUsed", qty(r.cumulative_gas_used)},
            {"effectiveGasPrice", qty(r.effective_gas_price)},
            {"from", hex(r.from)},
            {"gasUsed", qty(r.gas_used)},
            {"logs", std::move(logs)},
            {"logsBloom", hex(bloom)},
            {"status", r.status ? "0x1" : "0x0"},
            {"to", opt_addr(r.to)},
            {"transactionHash", hex(r.tx_hash)},
            {"transactionIndex", qty(r.tx_index)},
            {"type", qty(uint64_t(r.type))}};
  if (r.blob_gas_used) j["blobGasUsed"] = qty(*r.blob_gas_used);
  if (r.blob_gas_price) j["blobGasPrice"] = qty(*r.blob_gas_price);
  return j;
}

json EthApi::header_json(const EthBlock& b) {
  char nonce[19];
  std::snprintf(nonce, sizeof nonce, "0x%016llx", (unsigned long long)b.nonce);
  json j = {{"number", qty(b.number)},
            {"hash", hex(b.hash)},
            {"parentHash", hex(b.parent_hash)},
            {"sha3Uncles", hex(b.sha3_uncles)},
            {"miner", hex(b.miner)},
            {"stateRoot", hex(b.state_root)},
            {"transactionsRoot", hex(b.transactions_root)},
            {"receiptsRoot", hex(b.receipts_root)},
            {"logsBloom", hex(b.logs_bloom)},
            {"difficulty", qty(b.difficulty)},
            {"gasLimit", qty(b.gas_limit)},
            {"gasUsed", qty(b.gas_used)},
            {"timestamp", qty(b.timestamp)},
            {"extraData", hex(b.extra_data)},
            {"mixHash", hex(b.mix_hash)},
            {"nonce", nonce}};
  if (b.base_fee_per_gas) j["baseFeePerGas"] = qty(*b.base_fee_per_gas);
  if (b.withdrawals_root) j["withdrawalsRoot"] = hex(*b.withdrawals_root);
  if (b.blob_gas_used) j["blobGasUsed"] = qty(*b.blob_gas_used);
  if (b.excess_blob_gas) j["excessBlobGas"] = qty(*b.excess_blob_gas);
  if (b.parent_beacon_block_root) j["parentBeaconBlockRoot"] = hex(*b.parent_beacon_block_root);
  if (b.requests_hash) j["requestsHash"] = hex(*b.requests_hash);
  return j;
}

json EthApi::block_json(const EthBlock& b, bool full_txs) {
  json j = header_json(b);
  j["size"] = qty(b.size);
  j["uncles"] = json::array();
  if (b.withdrawals_root) j["withdrawals"] = json::array();
  json txs = json::array();
  for (size_t i = 0; i < b.transactions.size(); ++i) {
    if (!full_txs) {
      txs.push_back(hex(b.transactions[i].hash));
      continue;
    }
    EthTx t = b.transactions[i];
    t.block_number = b.number;
    t.block_hash = b.hash;
    t.index = i;
    t.block_base_fee = b.base_fee_per_gas;
    txs.push_back(tx_json(t));
  }
  j["transactions"] = std::move(txs);
  return j;
}

RpcError EthApi::revert_error(BytesView data) {
  auto reason = unpack_revert(data);
  std::string msg = "execution reverted";
  if (reason) msg += ": " + *reason;
  return RpcError(code::kExecutionReverted, msg, json(hex(data)));
}

// ---------------------------------------------------------------- the API

struct SubSpec {
  enum Kind { kNewHeads, kLogs, kPendingTxs, kSyncing } kind;
  LogFilter filter;
  bool full_txs = false;
};

struct EthApi::Impl {
  EthBackend& be;
  EthApiOptions opts;
  SubscriptionHub<SubSpec> subs{SubscriptionHub<SubSpec>::IdStyle::kHex};

  struct Filter {
    enum Kind { kLogs, kBlocks, kPendingTxs } kind;
    LogQuery query;
    std::chrono::steady_clock::time_point last_poll;
    json changes = json::array();
  };
  static constexpr size_t kMaxFilterBacklog = 10'000;  // oldest changes dropped beyond
  std::mutex filters_mu;
  std::unordered_map<std::string, Filter> filters;

  Impl(EthBackend& b, EthApiOptions o) : be(b), opts(std::move(o)) {}

  // Resolves a block selector for state reads. geth's texts for the failure cases.
  StateRef state_at(const BlockSpec& b) {
    uint64_t head = be.block_number();
    switch (b.kind) {
      case BlockSpec::kLatest: return {head, false};
      case BlockSpec::kPending: return {head, true};
      case BlockSpec::kEarliest: return {be.earliest_block_number(), false};
      case BlockSpec::kSafe:
      case BlockSpec::kFinalized: return {be.finalized_block_number(), false};
      case BlockSpec::kNumber:
        if (b.number > head) throw RpcError(code::kServer, "header not found");
        return {b.number, false};
      case BlockSpec::kHash: {
        auto blk = be.block_by_hash(b.hash, false);
        if (!blk) throw RpcError(code::kServer, "header for hash not found");
        if (b.require_canonical) {
          auto canon = be.block_by_number(blk->number, false);
          if (!canon || canon->hash != b.hash)
            throw RpcError(code::kServer, "hash is not currently canonical");
        }
        return {blk->number, false};
      }
    }
    return {head, false};
  }

  // A block number for block lookups; nullopt when it does not exist (null result).
  std::optional<uint64_t> block_num(const BlockSpec& b) {
    uint64_t head = be.block_number();
    switch (b.kind) {
      case BlockSpec::kLatest:
      case BlockSpec::kPending: return head;
      case BlockSpec::kEarliest: return be.earliest_block_number();
      case BlockSpec::kSafe:
      case BlockSpec::kFinalized: return be.finalized_block_number();
      case BlockSpec::kNumber:
        if (b.number > head) return std::nullopt;
        return b.number;
      case BlockSpec::kHash: break;
    }
    return std::nullopt;
  }

  json call_result(const CallResult& r) {
    switch (r.status) {
      case CallResult::Status::kSuccess: return hex(r.output);
      case CallResult::Status::kRevert: throw revert_error(r.output);
      case CallResult::Status::kError: throw RpcError(code::kServer, r.error);
    }
    return nullptr;
  }

  void check_query_limits(const LogFilter& f) {
    if (f.topics.size() > 4) throw RpcError(code::kServer, "exceed max topics");
    if (opts.max_log_query_terms) {
      bool over = f.addresses.size() > opts.max_log_query_terms;
      for (auto& t : f.topics) over |= t.size() > opts.max_log_query_terms;
      if (over) throw RpcError(code::kServer, "exceed max addresses or topics per search position");
    }
  }

  json get_logs(const LogQuery& q) {
    check_query_limits(q.filter);
    std::vector<EthLog> logs;
    if (q.block_hash) {
      auto blk = be.block_by_hash(*q.block_hash, false);
      if (!blk) throw RpcError(code::kServer, "unknown block");
      logs = be.logs(blk->number, blk->number, q.filter);
    } else {
      uint64_t head = be.block_number();
      auto resolve = [&](const std::optional<BlockSpec>& s) -> uint64_t {
        if (!s) return head;
        switch (s->kind) {
          case BlockSpec::kEarliest: return be.earliest_block_number();
          case BlockSpec::kSafe:
          case BlockSpec::kFinalized: return be.finalized_block_number();
          case BlockSpec::kNumber: return s->number;
          default: return head;
        }
      };
      uint64_t from = resolve(q.from), to = resolve(q.to);
      bool explicit_range = q.from && q.to && q.from->kind == BlockSpec::kNumber &&
                            q.to->kind == BlockSpec::kNumber;
      if (explicit_range && from > to)
        throw RpcError(code::kServer, "invalid block range params");
      if (to > head)
        throw RpcError(code::kInvalidParams, "block range extends beyond current head block");
      if (from > to) throw RpcError(code::kInvalidParams, "invalid block range params");
      if (opts.max_logs_block_range && to - from >= opts.max_logs_block_range)
        throw RpcError(code::kServer, "exceed maximum block range: " +
                                          std::to_string(opts.max_logs_block_range));
      logs = be.logs(from, to, q.filter);
    }
    json out = json::array();
    for (auto& l : logs)
      if (q.filter.matches(l)) out.push_back(EthApi::log_json(l));
    return out;
  }

  std::optional<EthBlock> block_for(const BlockSpec& s, bool full) {
    if (s.kind == BlockSpec::kHash) return be.block_by_hash(s.hash, full);
    auto n = block_num(s);
    if (!n) return std::nullopt;
    return be.block_by_number(*n, full);
  }

  // ---- filters ----
  void expire_filters() {
    auto now = std::chrono::steady_clock::now();
    auto ttl = std::chrono::seconds(opts.filter_timeout_s);
    for (auto it = filters.begin(); it != filters.end();)
      it = now - it->second.last_poll > ttl ? filters.erase(it) : std::next(it);
  }
  std::string add_filter(Filter f) {
    std::lock_guard lock(filters_mu);
    expire_filters();
    if (filters.size() >= opts.max_filters) throw RpcError(code::kServer, "too many filters");
    f.last_poll = std::chrono::steady_clock::now();
    std::string id = random_hex_id();
    filters.emplace(id, std::move(f));
    return id;
  }
  void push_change(Filter& f, json v) {
    if (f.changes.size() >= kMaxFilterBacklog) f.changes.erase(f.changes.begin());
    f.changes.push_back(std::move(v));
  }

  json fee_history(const Args& a);
  void register_all(Server& s);
};

json EthApi::Impl::fee_history(const Args& a) {
  uint64_t count = a.get(0, [](const json& j) -> uint64_t {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
    std::string s = j.is_string() ? j.get<std::string>() : j.dump();
    auto v = uint256::from_string(s);
    if (!v || !v->fits_u64()) throw ArgError{"invalid hex or decimal integer \"" + s + "\""};
    return v->low64();
  });
  BlockSpec newest = a.get(1, dec_block_number);
  std::vector<double> pct;
  if (a.has(2)) {
    pct = a.get(2, [](const json& j) {
      if (!j.is_array()) type_error("non-array", "[]float64", {});
      std::vector<double> v;
      for (auto& x : j) {
        if (!x.is_number()) type_error(x.dump(), "float64", {});
        v.push_back(x.get<double>());
      }
      return v;
    });
    for (size_t i = 0; i < pct.size(); ++i) {
      char buf[160];
      if (pct[i] < 0 || pct[i] > 100) {
        std::snprintf(buf, sizeof buf, "invalid reward percentile: %g", pct[i]);
        throw RpcError(code::kInvalidParams, buf);
      }
      if (i > 0 && pct[i] <= pct[i - 1]) {
        std::snprintf(buf, sizeof buf, "invalid reward percentile: #%zu:%g >= #%zu:%g", i - 1,
                      pct[i - 1], i, pct[i]);
        throw RpcError(code::kInvalidParams, buf);
      }
    }
  }
  if (count == 0) return {{"oldestBlock", "0x0"}};
  count = std::min(count, opts.max_fee_history_blocks);
  uint64_t head = be.block_number();
  uint64_t last = head;
  if (newest.kind == BlockSpec::kNumber) {
    if (newest.number > head)
      throw RpcError(code::kInvalidParams, "request beyond head block: requested " +
                                               std::to_string(newest.number) + ", head " +
                                               std::to_string(head));
    last = newest.number;
  } else if (auto n = block_num(newest)) {
    last = *n;
  }
  uint64_t first = last + 1 >= count ? last + 1 - count : 0;
  json base_fees = json::array(), ratios = json::array(), rewards = json::array();
  json blob_fees = json::array(), blob_ratios = json::array();
  for (uint64_t n = first; n <= last; ++n) {
    auto blk = be.block_by_number(n, !pct.empty());
    if (!blk) throw RpcError(code::kServer, "header not found");
    uint256 base = blk->base_fee_per_gas.value_or(0);
    base_fees.push_back(qty(base));
    ratios.push_back(blk->gas_limit ? double(blk->gas_used) / double(blk->gas_limit) : 0.0);
    blob_fees.push_back("0x1");
    blob_ratios.push_back(blk->blob_gas_used ? double(*blk->blob_gas_used) / 786432.0 : 0.0);
    if (pct.empty()) continue;
    json row = json::array();
    auto receipts = be.block_receipts(n);
    if (!receipts || receipts->empty() || blk->gas_used == 0) {
      for (size_t i = 0; i < pct.size(); ++i) row.push_back("0x0");
    } else {
      // geth: sort by effective tip, walk cumulative gas until each percentile's share.
      std::vector<std::pair<uint256, uint64_t>> tips;
      for (auto& r : *receipts) {
        uint256 tip = r.effective_gas_price > base ? r.effective_gas_price - base : uint256(0);
        tips.emplace_back(tip, r.gas_used);
      }
      std::sort(tips.begin(), tips.end(), [](auto& x, auto& y) { return x.first < y.first; });
      size_t i = 0;
      uint64_t sum = tips[0].second;
      for (double p : pct) {
        double threshold = double(blk->gas_used) * p / 100.0;
        while (double(sum) < threshold && i + 1 < tips.size()) sum += tips[++i].second;
        row.push_back(qty(tips[i].first));
      }
    }
    rewards.push_back(std::move(row));
  }
  base_fees.push_back(qty(last == head ? be.next_base_fee()
                                       : be.block_by_number(last + 1, false)
                                             .value_or(EthBlock{})
                                             .base_fee_per_gas.value_or(0)));
  blob_fees.push_back("0x1");
  json out = {{"oldestBlock", qty(first)},
              {"baseFeePerGas", std::move(base_fees)},
              {"gasUsedRatio", std::move(ratios)},
              {"baseFeePerBlobGas", std::move(blob_fees)},
              {"blobGasUsedRatio", std::move(blob_ratios)}};
  if (!pct.empty()) out["reward"] = std::move(rewards);
  return out;
}

void EthApi::Impl::register_all(Server& s) {
  auto& b = be;
  auto add = [&](const char* name, size_t max_args, std::function<json(const Args&)> fn) {
    s.add_method(name, [fn = std::move(fn), max_args](const json& p) {
      Args a(p, max_args);
      return fn(a);
    });
  };
  auto block_arg = [](const Args& a, size_t i) {
    return a.has(i) ? a.get(i, dec_block_or_hash) : BlockSpec{};
  };

  // ---- web3 / net ----
  add("web3_clientVersion", 0, [this](const Args&) { return json(opts.client_version); });
  add("web3_sha3", 1, [](const Args& a) {
    return json(hex(keccak256(a.get(0, [](const json& j) { return dec_bytes(j); }))));
  });
  add("net_version", 0, [&b](const Args&) { return json(std::to_string(b.chain_id())); });
  add("net_listening", 0, [](const Args&) { return json(true); });
  add("net_peerCount", 0, [](const Args&) { return json("0x0"); });

  // ---- chain ----
  add("eth_chainId", 0, [&b](const Args&) { return json(qty(b.chain_id())); });
  add("eth_blockNumber", 0, [&b](const Args&) { return json(qty(b.block_number())); });
  add("eth_syncing", 0, [](const Args&) { return json(false); });
  add("eth_mining", 0, [&b](const Args&) { return json(b.mining()); });
  add("eth_hashrate", 0, [](const Args&) { return json("0x0"); });
  add("eth_coinbase", 0, [&b](const Args&) { return json(hex(b.coinbase())); });
  add("eth_accounts", 0, [&b](const Args&) {
    json out = json::array();
    for (auto& a : b.accounts()) out.push_back(hex(a));
    return out;
  });
  add("eth_gasPrice", 0, [&b](const Args&) { return json(qty(b.gas_price())); });
  add("eth_maxPriorityFeePerGas", 0,
      [&b](const Args&) { return json(qty(b.max_priority_fee_per_gas())); });
  add("eth_blobBaseFee", 0, [&b](const Args&) { return json(qty(b.blob_base_fee())); });
  add("eth_feeHistory", 3, [this](const Args& a) { return fee_history(a); });

  // ---- state ----
  add("eth_getBalance", 2, [this, block_arg](const Args& a) {
    Address addr = a.get(0, [](const json& j) { return dec_addr(j); });
    return json(qty(be.balance(addr, state_at(block_arg(a, 1)))));
  });
  add("eth_getTransactionCount", 2, [this, block_arg](const Args& a) {
    Address addr = a.get(0, [](const json& j) { return dec_addr(j); });
    return json(qty(be.nonce(addr, state_at(block_arg(a, 1)))));
  });
  add("eth_getCode", 2, [this, block_arg](const Args& a) {
    Address addr = a.get(0, [](const json& j) { return dec_addr(j); });
    return json(hex(be.code(addr, state_at(block_arg(a, 1)))));
  });
  add("eth_getStorageAt", 3, [this, block_arg](const Args& a) {
    Address addr = a.get(0, [](const json& j) { return dec_addr(j); });
    // geth decodes the slot leniently: optional 0x, odd length padded, at most 32 bytes.
    const json& k = a.at(1);
    if (!k.is_string())
      throw RpcError(code::kInvalidParams,
                     "invalid argument 1: json: cannot unmarshal non-string into Go value of type string");
    std::string ks = k.get<std::string>();
    if (has_0x(ks)) ks = ks.substr(2);
    if (ks.size() % 2) ks = "0" + ks;
    if (ks.size() > 64)
      throw RpcError(code::kServer, "unable to decode storage key: hex string too long, want at most 32 bytes");
    auto kb = from_hex(ks);
    if (!kb) throw RpcError(code::kServer, "unable to decode storage key: hex string invalid");
    Hash32 slot = Hash32::right_aligned(*kb);
    return json(hex(be.storage(addr, slot, state_at(block_arg(a, 2)))));
  });

  // ---- execution ----
  add("eth_call", 4, [this, block_arg](const Args& a) {
    CallRequest req = a.get(0, dec_call);
    StateRef at = state_at(block_arg(a, 1));
    StateOverrides so = a.has(2) ? a.get(2, dec_state_overrides) : StateOverrides{};
    BlockOverrides bo = a.has(3) ? a.get(3, dec_block_overrides) : BlockOverrides{};
    return call_result(be.call(req, at, so, bo));
  });
  add("eth_estimateGas", 3, [this](const Args& a) {
    CallRequest req = a.get(0, dec_call);
    // geth's default for estimation is "pending" state.
    BlockSpec spec;
    spec.kind = BlockSpec::kPending;
    if (a.has(1)) spec = a.get(1, dec_block_or_hash);
    StateRef at = state_at(spec);
    StateOverrides so = a.has(2) ? a.get(2, dec_state_overrides) : StateOverrides{};
    CallResult r = be.estimate_gas(req, at, so);
    call_result(r);
    return json(qty(r.gas_used));
  });

  // ---- transactions ----
  add("eth_sendRawTransaction", 1, [&b](const Args& a) {
    Bytes raw = a.get(0, [](const json& j) { return dec_bytes(j); });
    if (raw.empty()) throw RpcError(code::kServer, "typed transaction too short");
    return json(hex(b.send_raw_transaction(raw)));
  });
  add("eth_sendTransaction", 1, [&b](const Args& a) {
    CallRequest req = a.get(0, dec_call);
    return json(hex(b.send_transaction(req)));
  });
  // EIP-191 personal messages: keccak("\x19Ethereum Signed Message:\n" + len + message).
  auto personal_digest = [](const Bytes& msg) {
    std::string prefix = "\x19" "Ethereum Signed Message:\n" + std::to_string(msg.size());
    Bytes buf(prefix.begin(), prefix.end());
    append(buf, msg);
    return keccak256(buf);
  };
  add("eth_sign", 2, [&b, personal_digest](const Args& a) {
    Address who = a.get(0, [](const json& j) { return dec_addr(j); });
    Bytes msg = a.get(1, [](const json& j) { return dec_bytes(j); });
    return json(hex(b.sign_hash(who, personal_digest(msg))));
  });
  add("personal_sign", 3, [&b, personal_digest](const Args& a) {
    Bytes msg = a.get(0, [](const json& j) { return dec_bytes(j); });
    Address who = a.get(1, [](const json& j) { return dec_addr(j); });
    return json(hex(b.sign_hash(who, personal_digest(msg))));
  });
  add("eth_signTypedData_v4", 2, [&b](const Args& a) {
    Address who = a.get(0, [](const json& j) { return dec_addr(j); });
    Hash32 digest = a.get(1, [](const json& j) {
      try {
        // ethers sends the typed data as a JSON string, viem as an object. The string did
        // not pass the server's nesting check, so bound it here (json copies recurse).
        if (j.is_string()) {
          const std::string& t = j.get_ref<const std::string&>();
          size_t depth = 0, max_depth = 0;
          for (char c : t) {
            if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
            else if ((c == ']' || c == '}') && depth) --depth;
          }
          if (max_depth > 64) throw ArgError{"typed data nested too deeply"};
          return typed_data_digest(json::parse(t));
        }
        return typed_data_digest(j);
      } catch (const json::exception& e) {
        throw ArgError{e.what()};
      }
    });
    return json(hex(b.sign_hash(who, digest)));
  });
  add("eth_getTransactionByHash", 1, [&b](const Args& a) {
    auto tx = b.transaction_by_hash(a.get(0, [](const json& j) { return dec_hash(j); }));
    return tx ? tx_json(*tx) : json(nullptr);
  });
  add("eth_getTransactionReceipt", 1, [&b](const Args& a) {
    auto r = b.receipt(a.get(0, [](const json& j) { return dec_hash(j); }));
    return r ? receipt_json(*r) : json(nullptr);
  });

  // ---- blocks ----
  auto full_arg = [](const Args& a, size_t i) {
    const json& j = a.at(i);
    if (!j.is_boolean())
      throw RpcError(code::kInvalidParams, "invalid argument " + std::to_string(i) +
                                               ": json: cannot unmarshal " +
                                               (j.is_string() ? "string" : "number") +
                                               " into Go value of type bool");
    return j.get<bool>();
  };
  add("eth_getBlockByNumber", 2, [this, full_arg](const Args& a) {
    BlockSpec s = a.get(0, dec_block_number);
    bool full = full_arg(a, 1);
    auto blk = block_for(s, full);
    return blk ? block_json(*blk, full) : json(nullptr);
  });
  add("eth_getBlockByHash", 2, [this, full_arg](const Args& a) {
    Hash32 h = a.get(0, [](const json& j) { return dec_hash(j); });
    bool full = full_arg(a, 1);
    auto blk = be.block_by_hash(h, full);
    return blk ? block_json(*blk, full) : json(nullptr);
  });
  add("eth_getBlockTransactionCountByNumber", 1, [this](const Args& a) {
    auto blk = block_for(a.get(0, dec_block_number), false);
    return blk ? json(qty(uint64_t(blk->transactions.size()))) : json(nullptr);
  });
  add("eth_getBlockTransactionCountByHash", 1, [&b](const Args& a) {
    auto blk = b.block_by_hash(a.get(0, [](const json& j) { return dec_hash(j); }), false);
    return blk ? json(qty(uint64_t(blk->transactions.size()))) : json(nullptr);
  });
  auto tx_at = [](const std::optional<EthBlock>& blk, uint64_t i) -> json {
    if (!blk || i >= blk->transactions.size()) return nullptr;
    EthTx t = blk->transactions[i];
    t.block_number = blk->number;
    t.block_hash = blk->hash;
    t.index = i;
    t.block_base_fee = blk->base_fee_per_gas;
    return tx_json(t);
  };
  auto index_arg = [](const json& j) { return dec_u64(j, {}, "hexutil.Uint"); };
  add("eth_getTransactionByBlockNumberAndIndex", 2, [this, tx_at, index_arg](const Args& a) {
    BlockSpec s = a.get(0, dec_block_number);
    uint64_t i = a.get(1, index_arg);
    return tx_at(block_for(s, true), i);
  });
  add("eth_getTransactionByBlockHashAndIndex", 2, [&b, tx_at, index_arg](const Args& a) {
    Hash32 h = a.get(0, [](const json& j) { return dec_hash(j); });
    uint64_t i = a.get(1, index_arg);
    return tx_at(b.block_by_hash(h, true), i);
  });
  // Post-merge blocks have no uncles: a count of 0 for a known block, no uncle ever.
  add("eth_getUncleCountByBlockNumber", 1, [this](const Args& a) {
    return block_for(a.get(0, dec_block_number), false) ? json("0x0") : json(nullptr);
  });
  add("eth_getUncleCountByBlockHash", 1, [&b](const Args& a) {
    return b.block_by_hash(a.get(0, [](const json& j) { return dec_hash(j); }), false)
               ? json("0x0")
               : json(nullptr);
  });
  add("eth_getUncleByBlockNumberAndIndex", 2, [index_arg](const Args& a) {
    a.get(0, dec_block_number);
    a.get(1, index_arg);
    return json(nullptr);
  });
  add("eth_getUncleByBlockHashAndIndex", 2, [index_arg](const Args& a) {
    a.get(0, [](const json& j) { return dec_hash(j); });
    a.get(1, index_arg);
    return json(nullptr);
  });
  add("eth_getBlockReceipts", 1, [this](const Args& a) {
    BlockSpec s = a.get(0, dec_block_or_hash);
    std::optional<uint64_t> n;
    if (s.kind == BlockSpec::kHash) {
      auto blk = be.block_by_hash(s.hash, false);
      if (blk) n = blk->number;
    } else {
      n = block_num(s);
    }
    if (!n) return json(nullptr);
    auto rs = be.block_receipts(*n);
    if (!rs) return json(nullptr);
    json out = json::array();
    for (auto& r : *rs) out.push_back(receipt_json(r));
    return out;
  });

  // ---- logs and filters ----
  add("eth_getLogs", 1, [this](const Args& a) {
    return get_logs(a.get(0, [](const json& j) { return dec_log_query(j, true); }));
  });
  add("eth_newFilter", 1, [this](const Args& a) {
    LogQuery q = a.get(0, [](const json& j) { return dec_log_query(j, true); });
    check_query_limits(q.filter);
    Filter f{Filter::kLogs, std::move(q), {}, json::array()};
    return json(add_filter(std::move(f)));
  });
  add("eth_newBlockFilter", 0, [this](const Args&) {
    return json(add_filter(Filter{Filter::kBlocks, {}, {}, json::array()}));
  });
  add("eth_newPendingTransactionFilter", 1, [this](const Args&) {
    return json(add_filter(Filter{Filter::kPendingTxs, {}, {}, json::array()}));
  });
  auto filter_id = [](const json& j) {
    if (!j.is_string()) type_error("non-string", "rpc.ID", {});
    return j.get<std::string>();
  };
  add("eth_getFilterChanges", 1, [this, filter_id](const Args& a) {
    std::string id = a.get(0, filter_id);
    std::lock_guard lock(filters_mu);
    expire_filters();
    auto it = filters.find(id);
    if (it == filters.end()) throw RpcError(code::kServer, "filter not found");
    it->second.last_poll = std::chrono::steady_clock::now();
    json out = json::array();
    out.swap(it->second.changes);
    return out;
  });
  add("eth_getFilterLogs", 1, [this, filter_id](const Args& a) {
    std::string id = a.get(0, filter_id);
    LogQuery q;
    {
      std::lock_guard lock(filters_mu);
      expire_filters();
      auto it = filters.find(id);
      if (it == filters.end() || it->second.kind != Filter::kLogs)
        throw RpcError(code::kServer, "filter not found");
      it->second.last_poll = std::chrono::steady_clock::now();
      q = it->second.query;
    }
    return get_logs(q);
  });
  add("eth_uninstallFilter", 1, [this, filter_id](const Args& a) {
    std::string id = a.get(0, filter_id);
    std::lock_guard lock(filters_mu);
    return json(filters.erase(id) > 0);
  });

  // ---- subscriptions (WebSocket only) ----
  s.add_method("eth_subscribe", [this](const json& p, CallContext& ctx) -> json {
    Args a(p, 2);
    if (!ctx.connection) throw RpcError(code::kMethodNotFound, "notifications not supported");
    const json& kind = a.at(0);
    if (!kind.is_string())
      throw RpcError(code::kInvalidParams, "invalid argument 0: json: cannot unmarshal non-string "
                                           "into Go value of type string");
    const std::string& k = kind.get_ref<const std::string&>();
    SubSpec spec{SubSpec::kNewHeads, {}, false};
    if (k == "newHeads") {
      if (a.has(1)) throw RpcError(code::kInvalidParams, "too many arguments, want at most 1");
    } else if (k == "logs") {
      LogQuery q = a.has(1) ? a.get(1, [](const json& j) { return dec_log_query(j, false); })
                            : LogQuery{};
      check_query_limits(q.filter);
      spec = SubSpec{SubSpec::kLogs, std::move(q.filter), false};
    } else if (k == "syncing") {
      spec = SubSpec{SubSpec::kSyncing, {}, false};  // never pushes: a sequencer is never syncing
    } else if (k == "newPendingTransactions") {
      bool full = false;
      if (a.has(1)) {
        if (!a.at(1).is_boolean())
          throw RpcError(code::kInvalidParams, "invalid argument 1: json: cannot unmarshal non-bool "
                                               "into Go value of type bool");
        full = a.at(1).get<bool>();
      }
      spec = SubSpec{SubSpec::kPendingTxs, {}, full};
    } else {
      throw RpcError(code::kMethodNotFound, "no \"" + k + "\" subscription in eth namespace");
    }
    return subs.add(ctx, "eth_subscription", std::move(spec));
  });
  s.add_method("eth_unsubscribe", [this](const json& p, CallContext& ctx) -> json {
    Args a(p, 1);
    if (!ctx.connection) throw RpcError(code::kMethodNotFound, "notifications not supported");
    if (!subs.remove(a.at(0), *ctx.connection))
      throw RpcError(code::kServer, "subscription not found");
    return true;
  });

  // ---- tracing ----
  add("debug_traceTransaction", 2, [&b](const Args& a) {
    Hash32 h = a.get(0, [](const json& j) { return dec_hash(j); });
    json cfg = a.has(1) ? a.at(1) : json::object();
    if (!cfg.is_object())
      throw RpcError(code::kInvalidParams, "invalid argument 1: json: cannot unmarshal non-object "
                                           "into Go value of type tracers.TraceConfig");
    return b.trace_transaction(h, cfg);
  });
  add("debug_traceCall", 3, [this, block_arg](const Args& a) {
    CallRequest req = a.get(0, dec_call);
    StateRef at = state_at(block_arg(a, 1));
    json cfg = a.has(2) ? a.at(2) : json::object();
    if (!cfg.is_object())
      throw RpcError(code::kInvalidParams, "invalid argument 2: json: cannot unmarshal non-object "
                                           "into Go value of type tracers.TraceCallConfig");
    return be.trace_call(req, at, cfg);
  });

  if (!opts.dev_methods) return;

  // ---- dev node: Hardhat's methods return true, Anvil's null (as those nodes do) ----
  add("evm_snapshot", 0, [&b](const Args&) { return json(qty(b.snapshot())); });
  add("evm_revert", 1, [&b](const Args& a) { return json(b.revert(a.get(0, dec_loose_u64))); });
  add("evm_mine", 1, [&b](const Args& a) {
    std::optional<uint64_t> ts;
    uint64_t blocks = 1;
    if (a.has(0)) {
      const json& j = a.at(0);
      if (j.is_object()) {  // ganache/anvil form: {timestamp, blocks}
        try {
          if (j.contains("timestamp") && !j["timestamp"].is_null()) ts = dec_loose_u64(j["timestamp"]);
          if (j.contains("blocks") && !j["blocks"].is_null()) blocks = dec_loose_u64(j["blocks"]);
        } catch (const ArgError& e) {
          throw RpcError(code::kInvalidParams, "invalid argument 0: " + e.msg);
        }
      } else {
        ts = a.get(0, dec_loose_u64);
      }
    }
    b.mine(blocks, ts, 1);
    return json("0x0");
  });
  add("evm_increaseTime", 1,
      [&b](const Args& a) { return json(qty(b.increase_time(a.get(0, dec_loose_u64)))); });
  add("evm_setNextBlockTimestamp", 1, [&b](const Args& a) {
    b.set_next_block_timestamp(a.get(0, dec_loose_u64));
    return json(nullptr);
  });
  auto addr0 = [](const Args& a) { return a.get(0, [](const json& j) { return dec_addr(j); }); };
  for (std::string ns : {"anvil_", "hardhat_"}) {
    json ok = ns == "hardhat_" ? json(true) : json(nullptr);
    add((ns + "setBalance").c_str(), 2, [&b, ok, addr0](const Args& a) {
      b.set_balance(addr0(a), a.get(1, dec_loose));
      return ok;
    });
    add((ns + "setCode").c_str(), 2, [&b, ok, addr0](const Args& a) {
      b.set_code(addr0(a), a.get(1, [](const json& j) { return dec_bytes(j); }));
      return ok;
    });
    add((ns + "setNonce").c_str(), 2, [&b, ok, addr0](const Args& a) {
      b.set_nonce(addr0(a), a.get(1, dec_loose_u64));
      return ok;
    });
    add((ns + "setStorageAt").c_str(), 3, [&b, ok, addr0](const Args& a) {
      Address addr = addr0(a);
      Hash32 slot = a.get(1, [](const json& j) { return dec_loose(j).to_be(); });
      Hash32 value = a.get(2, [](const json& j) {
        Bytes v = dec_bytes(j);
        if (v.size() > 32) throw ArgError{"storage value must be at most 32 bytes"};
        return Hash32::right_aligned(v);
      });
      b.set_storage_at(addr, slot, value);
      return ok;
    });
    add((ns + "impersonateAccount").c_str(), 1, [&b, ok, addr0](const Args& a) {
      b.impersonate(addr0(a), true);
      return ok;
    });
    add((ns + "stopImpersonatingAccount").c_str(), 1, [&b, ok, addr0](const Args& a) {
      b.impersonate(addr0(a), false);
      return ok;
    });
    add((ns + "mine").c_str(), 2, [&b, ok](const Args& a) {
      uint64_t blocks = a.has(0) ? a.get(0, dec_loose_u64) : 1;
      uint64_t interval = a.has(1) ? a.get(1, dec_loose_u64) : 1;
      if (blocks == 0) blocks = 1;
      b.mine(blocks, std::nullopt, interval);
      return ok;
    });
  }
}

EthApi::EthApi(Server& server, EthBackend& backend, EthApiOptions opts)
    : impl_(std::make_unique<Impl>(backend, std::move(opts))) {
  impl_->register_all(server);
}

EthApi::~EthApi() = default;

void EthApi::notify_new_block(const EthBlock& block, const std::vector<EthLog>& logs) {
  update_filters(block, logs);
  publish_block(block, logs);
}

void EthApi::update_filters(const EthBlock& block, const std::vector<EthLog>& logs) {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.filters_mu);
    std::vector<json> log_jsons;
    for (auto& [id, f] : s.filters) {
      if (f.kind == Impl::Filter::kBlocks) {
        s.push_change(f, hex(block.hash));
      } else if (f.kind == Impl::Filter::kLogs) {
        if (f.query.block_hash) continue;
        for (auto& l : logs)
          if (f.query.filter.matches(l)) s.push_change(f, log_json(l));
      }
    }
  }
}

void EthApi::publish_block(const EthBlock& block, const std::vector<EthLog>& logs) {
  auto& s = *impl_;
  if (s.subs.size() == 0) return;
  json head = header_json(block);
  s.subs.publish([&](const SubSpec& sp) {
    std::vector<json> out;
    if (sp.kind == SubSpec::kNewHeads) out.push_back(head);
    else if (sp.kind == SubSpec::kLogs)
      for (auto& l : logs)
        if (sp.filter.matches(l)) out.push_back(log_json(l));
    return out;
  });
}

void EthApi::notify_pending_transaction(const EthTx& tx) {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.filters_mu);
    for (auto& [id, f] : s.filters)
      if (f.kind == Impl::Filter::kPendingTxs) s.push_change(f, hex(tx.hash));
  }
  if (s.subs.size() == 0) return;
  s.subs.publish([&](const SubSpec& sp) {
    std::vector<json> out;
    if (sp.kind == SubSpec::kPendingTxs) out.push_back(sp.full_txs ? tx_json(tx) : json(hex(tx.hash)));
    return out;
  });
}

}  // namespace lumio::rpc
