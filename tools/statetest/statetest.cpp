// lumio-statetest: runs ethereum/tests GeneralStateTests (Cancun) through lumio's EVM and
// checks the post-state root, the logs hash and expected transaction exceptions.
// Usage: lumio-statetest [--test NAME] [--index N] [-v] [--txbytes] [--baseline FILE] FILE_OR_DIR...
// --txbytes runs each case from its signed network bytes (decode + sender recovery) instead.
// Cases are the entries of post.Cancun; tests with no Cancun entries count as skipped.
// With --baseline the exit status is 0 iff at least that many cases passed (CTest).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "common/rlp.hpp"
#include "common/secp256k1.hpp"
#include "evm/evm.hpp"
#include "evm/precompiles/precompiles.hpp"
#include "state/mpt.hpp"

using namespace lumio;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct MemAccount {
  evm::AccountInfo info;
  std::map<uint256, uint256, decltype([](const uint256& a, const uint256& b) { return a < b; })> storage;
};

// The fixture's pre-state, mutated by applying StateDiffs.
class MemBackend : public evm::StateBackend {
 public:
  std::map<Address, MemAccount> accounts;
  std::map<Hash32, Bytes> codes;

  std::optional<evm::AccountInfo> account(const Address& a) override {
    auto it = accounts.find(a);
    if (it == accounts.end()) return std::nullopt;
    return it->second.info;
  }
  uint256 storage(const Address& a, const uint256& key) override {
    auto it = accounts.find(a);
    if (it == accounts.end()) return {};
    auto s = it->second.storage.find(key);
    return s == it->second.storage.end() ? uint256() : s->second;
  }
  Bytes code(const Hash32& h) override {
    auto it = codes.find(h);
    return it == codes.end() ? Bytes() : it->second;
  }
  bool has_storage(const Address& a) override {
    auto it = accounts.find(a);
    return it != accounts.end() && !it->second.storage.empty();
  }

  void apply(const evm::StateDiff& diff) {
    for (const auto& [h, c] : diff.codes) codes[h] = c;
    for (const auto& d : diff.accounts) {
      if (d.deleted) {
        accounts.erase(d.address);
        continue;
      }
      MemAccount& acc = accounts[d.address];
      acc.info = d.info;
      if (d.storage_cleared) acc.storage.clear();
      for (const auto& [k, v] : d.storage) {
        if (v.is_zero()) acc.storage.erase(k);
        else acc.storage[k] = v;
      }
    }
  }

  Hash32 root() const {
    std::vector<std::pair<Bytes, Bytes>> entries;
    for (const auto& [addr, acc] : accounts) {
      std::vector<std::pair<Bytes, Bytes>> slots;
      for (const auto& [k, v] : acc.storage) {
        if (v.is_zero()) continue;
        auto kh = keccak256(k.to_be().view());
        slots.emplace_back(Bytes(kh.bytes.begin(), kh.bytes.end()), rlp::encode_string(v.to_be_trimmed()));
      }
      Hash32 sroot = state::trie_root(std::move(slots));
      rlp::Encoder e;
      e.begin_list().add_uint(acc.info.nonce).add(acc.info.balance.to_be_trimmed()).add(sroot).add(acc.info.code_hash).end_list();
      auto ah = keccak256(addr.view());
      entries.emplace_back(Bytes(ah.bytes.begin(), ah.bytes.end()), e.take());
    }
    return state::trie_root(std::move(entries));
  }
};

Hash32 logs_hash(const std::vector<evm::Log>& logs) {
  rlp::Encoder e;
  e.begin_list();
  for (const auto& l : logs) {
    e.begin_list().add(l.address).begin_list();
    for (const auto& t : l.topics) e.add(t);
    e.end_list().add(l.data).end_list();
  }
  e.end_list();
  return keccak256(e.bytes());
}

uint256 u256(const json& j) {
  auto v = uint256::from_string(j.get<std::string>());
  if (!v) throw std::runtime_error("bad number " + j.get<std::string>());
  return *v;
}
uint64_t u64(const json& j) {
  uint256 v = u256(j);
  if (!v.fits_u64()) throw std::runtime_error("number exceeds 64 bits");
  return v.low64();
}
Bytes hex(const json& j) {
  std::string s = j.get<std::string>();
  if (s.rfind(":raw ", 0) == 0) s = s.substr(5);
  auto b = from_hex(s);
  if (!b) throw std::runtime_error("bad hex " + s);
  return *b;
}
template <size_t N>
FixedBytes<N> fixed(const json& j) {
  auto b = hex(j);
  return FixedBytes<N>::right_aligned(b);
}

struct Options {
  std::string test;
  long index = -1;
  bool verbose = false;
  bool use_txbytes = false;  // decode post.txbytes with evm/transaction.hpp instead of the JSON
};

struct Counts {
  size_t passed = 0, failed = 0, skipped = 0;
};

MemBackend load_pre(const json& pre) {
  MemBackend b;
  for (const auto& [addr_s, acc] : pre.items()) {
    Address addr = fixed<20>(json(addr_s));
    MemAccount m;
    m.info.nonce = u64(acc.at("nonce"));
    m.info.balance = u256(acc.at("balance"));
    Bytes code = hex(acc.at("code"));
    m.info.code_hash = keccak256(code);
    if (!code.empty()) b.codes[m.info.code_hash] = code;
    for (const auto& [k, v] : acc.at("storage").items()) {
      uint256 val = u256(v);
      if (!val.is_zero()) m.storage[*uint256::from_string(k)] = val;
    }
    b.accounts[addr] = std::move(m);
  }
  return b;
}

// Builds the transaction for one (data, gas, value) index. Throws on values that cannot be
// represented (such a transaction is invalid; the fixture then expects an exception).
evm::Transaction make_tx(const json& t, size_t d, size_t g, size_t v) {
  evm::Transaction tx;
  tx.chain_id = 1;
  tx.nonce = u64(t.at("nonce"));
  tx.gas_limit = u64(t.at("gasLimit").at(g));
  tx.value = u256(t.at("value").at(v));
  tx.data = hex(t.at("data").at(d));
  std::string to = t.at("to").get<std::string>();
  if (!to.empty()) tx.to = fixed<20>(t.at("to"));
  if (t.contains("maxFeePerGas")) {
    tx.type = 2;
    tx.gas_price = u256(t.at("maxFeePerGas"));
    tx.max_priority_fee_per_gas = u256(t.at("maxPriorityFeePerGas"));
  } else {
    tx.gas_price = u256(t.at("gasPrice"));
    tx.max_priority_fee_per_gas = tx.gas_price;
  }
  if (t.contains("accessLists") && d < t["accessLists"].size() && !t["accessLists"][d].is_null()) {
    if (tx.type == 0) tx.type = 1;
    for (const auto& e : t["accessLists"][d]) {
      evm::AccessListEntry entry{fixed<20>(e.at("address")), {}};
      for (const auto& k : e.at("storageKeys")) entry.storage_keys.push_back(fixed<32>(k));
      tx.access_list.push_back(std::move(entry));
    }
  }
  if (t.contains("blobVersionedHashes")) {
    tx.type = 3;
    for (const auto& h : t["blobVersionedHashes"]) tx.blob_versioned_hashes.push_back(fixed<32>(h));
    tx.max_fee_per_blob_gas = u256(t.at("maxFeePerBlobGas"));
  }
  return tx;
}

void run_test(const std::string& name, const json& test, const Options& opt, Counts& counts) {
  if (!test.contains("post") || !test["post"].contains("Cancun")) {
    ++counts.skipped;  // a test for other forks only
    if (opt.verbose) std::cerr << name << ": no Cancun expectations, skipped\n";
    return;
  }
  const json& env = test.at("env");
  evm::BlockEnv block;
  block.number = u64(env.at("currentNumber"));
  block.timestamp = u64(env.at("currentTimestamp"));
  block.coinbase = fixed<20>(env.at("currentCoinbase"));
  block.gas_limit = u64(env.at("currentGasLimit"));
  block.base_fee = env.contains("currentBaseFee") ? u256(env["currentBaseFee"]) : uint256();
  if (env.contains("currentRandom")) block.prev_randao = fixed<32>(env["currentRandom"]);
  block.chain_id = 1;
  uint64_t excess = env.contains("currentExcessBlobGas") ? u64(env["currentExcessBlobGas"]) : 0;
  block.blob_base_fee = evm::blob_base_fee_from_excess(excess);
  // The fixtures' block hashes: keccak256 of the block number in decimal.
  block.block_hash = [](uint64_t n) { return keccak256(std::to_string(n)); };

  const json& t = test.at("transaction");
  Address sender;
  if (t.contains("sender")) sender = fixed<20>(t["sender"]);
  else sender = secp256k1::address_of(fixed<32>(t.at("secretKey")));

  const json& posts = test["post"]["Cancun"];
  for (size_t i = 0; i < posts.size(); ++i) {
    if (opt.index >= 0 && size_t(opt.index) != i) continue;
    const json& post = posts[i];
    const auto& idx = post.at("indexes");
    size_t d = idx.at("data"), g = idx.at("gas"), v = idx.at("value");
    std::string case_name = name + "[" + std::to_string(i) + "]";
    bool expect_exception = post.contains("expectException");
    MemBackend backend = load_pre(test.at("pre"));
    std::string error;
    std::vector<evm::Log> logs;
    bool invalid = false;
    {
      evm::State state(backend);
      try {
        evm::Transaction tx;
        Address from = sender;
        if (opt.use_txbytes) {
          // The node's path: network bytes -> codec -> signature recovery -> EVM.
          evm::DecodeError derr;
          auto decoded = evm::decode_transaction(hex(post.at("txbytes")), &derr);
          if (!decoded) throw std::runtime_error("txbytes: " + derr.message);
          auto rec = evm::recover_sender(*decoded);
          if (!rec) throw std::runtime_error("txbytes: invalid signature");
          tx = std::move(*decoded);
          from = *rec;
        } else {
          tx = make_tx(t, d, g, v);
        }
        auto res = evm::execute_transaction(state, block, tx, from);
        if (res.invalid) {
          invalid = true;
          if (opt.verbose) std::cerr << case_name << ": invalid tx: " << *res.invalid << "\n";
        } else {
          logs = res.logs;
          if (opt.verbose)
            std::cerr << case_name << ": status " << int(res.status) << " gas " << res.gas_used << "\n";
        }
      } catch (const std::exception& e) {
        invalid = true;
        if (opt.verbose) std::cerr << case_name << ": unrepresentable tx: " << e.what() << "\n";
      }
      // geth's runner touches the coinbase with a zero reward (removing it when empty).
      state.begin_tx();
      state.add_balance(block.coinbase, uint256());
      state.finish_tx();
      backend.apply(state.take_diff());
    }
    Hash32 root = backend.root();
    Hash32 want_root = fixed<32>(post.at("hash"));
    Hash32 want_logs = fixed<32>(post.at("logs"));
    if (invalid != expect_exception)
      error = expect_exception ? "expected exception " + post["expectException"].get<std::string>()
                               : "transaction unexpectedly invalid";
    else if (root != want_root)
      error = "state root " + to_hex(root) + " want " + to_hex(want_root);
    else if (logs_hash(logs) != want_logs)
      error = "logs hash " + to_hex(logs_hash(logs)) + " want " + to_hex(want_logs);
    if (error.empty()) {
      ++counts.passed;
    } else {
      ++counts.failed;
      std::cout << "FAIL " << case_name << ": " << error << "\n";
      if (opt.verbose) {
        for (const auto& [a, acc] : backend.accounts)
          std::cerr << "  " << to_hex(a) << " nonce " << acc.info.nonce << " balance "
                    << acc.info.balance.to_dec_string() << " slots " << acc.storage.size() << "\n";
      }
    }
  }
}

void run_file(const fs::path& path, const Options& opt, Counts& counts) {
  json doc;
  try {
    std::ifstream in(path);
    doc = json::parse(in);
  } catch (const std::exception& e) {
    std::cout << "FAIL " << path.string() << ": cannot parse: " << e.what() << "\n";
    ++counts.failed;
    return;
  }
  for (const auto& [name, test] : doc.items()) {
    if (!opt.test.empty() && name != opt.test) continue;
    try {
      run_test(name, test, opt, counts);
    } catch (const std::exception& e) {
      std::cout << "FAIL " << name << ": malformed fixture: " << e.what() << "\n";
      ++counts.failed;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<fs::path> inputs;
  std::string baseline_file;  // CTest mode: succeed iff passed >= the number in this file
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--test" && i + 1 < argc) opt.test = argv[++i];
    else if (a == "--index" && i + 1 < argc) opt.index = std::stol(argv[++i]);
    else if (a == "-v") opt.verbose = true;
    else if (a == "--txbytes") opt.use_txbytes = true;
    else if (a == "--baseline" && i + 1 < argc) baseline_file = argv[++i];
    else inputs.emplace_back(a);
  }
#ifdef LUMIO_KZG_SETUP_FILE
  // Point evaluation (0x0a) needs the KZG setup wherever the runner is started from (CTest
  // runs in the build tree); $LUMIO_KZG_SETUP and ../shared remain fallbacks.
  evm::precompiles::set_trusted_setup_path(LUMIO_KZG_SETUP_FILE);
#endif
  if (inputs.empty()) {
    std::cerr << "usage: lumio-statetest [--test NAME] [--index N] [-v] [--txbytes] [--baseline FILE] FILE_OR_DIR...\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& p : inputs) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  Counts counts;
  for (const auto& f : files) run_file(f, opt, counts);
  std::cout << counts.passed << " passed, " << counts.failed << " failed, " << counts.skipped
            << " skipped\n";
  if (!baseline_file.empty()) {
    std::ifstream in(baseline_file);
    size_t baseline = 0;
    if (!(in >> baseline)) {
      std::cerr << "cannot read baseline " << baseline_file << "\n";
      return 2;
    }
    if (counts.passed < baseline)
      std::cerr << "passed " << counts.passed << " < baseline " << baseline << "\n";
    return counts.passed >= baseline ? 0 : 1;
  }
  return counts.failed ? 1 : 0;
}
