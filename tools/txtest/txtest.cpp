// lumio-txtest: runs ethereum/tests TransactionTests (Cancun rules) through evm/transaction.
// For each case: decode the bytes, validate as a Cancun node would on mainnet (chain id 1),
// and compare validity, sender, hash and intrinsic gas with the fixture.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "evm/transaction.hpp"

using namespace lumio;
namespace fs = std::filesystem;

namespace {

// Returns an error string for an invalid transaction, empty when valid.
std::string validate(const evm::Transaction& tx, std::optional<Address>& sender) {
  if (tx.chain_id && *tx.chain_id != 1) return "invalid chain id";
  if (tx.nonce == UINT64_MAX) return "nonce overflow";
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas()) return "tip above fee cap";
  // gas * price must fit in 256 bits.
  if (tx.gas_limit && tx.max_fee_per_gas() > ~uint256(0) / uint256(tx.gas_limit))
    return "gas * price overflow";
  if (!tx.to && tx.data.size() > 49152) return "initcode too large";
  if (evm::intrinsic_gas(tx) > tx.gas_limit) return "intrinsic gas too low";
  sender = evm::recover_sender(tx);
  if (!sender) return "invalid signature";
  return {};
}

struct Counts {
  int passed = 0, failed = 0;
};

void run_file(const fs::path& path, Counts& c, bool verbose) {
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in);
  for (auto& [name, t] : doc.items()) {
    if (!t["result"].contains("Cancun")) continue;
    const auto& want = t["result"]["Cancun"];
    bool want_valid = !want.contains("exception");
    std::string why;
    auto raw = from_hex(t["txbytes"].get<std::string>());
    evm::DecodeError derr;
    std::optional<evm::Transaction> tx;
    std::optional<Address> sender;
    if (!raw) why = "bad hex";
    else if (!(tx = evm::decode_transaction(*raw, &derr))) why = derr.message;
    else why = validate(*tx, sender);
    bool ok = why.empty() == want_valid;
    if (ok && want_valid) {
      ok = to_hex(*sender) == want["sender"].get<std::string>() &&
           to_hex(keccak256(*raw)) == want["hash"].get<std::string>() &&
           to_hex(evm::encode_transaction(*tx)) == to_hex(*raw) &&
           uint256(evm::intrinsic_gas(*tx)) ==
               *uint256::from_string(want["intrinsicGas"].get<std::string>());
      if (!ok) why = "sender/hash/re-encoding/intrinsic gas mismatch";
    }
    if (ok) {
      ++c.passed;
    } else {
      ++c.failed;
      std::cout << "FAIL " << path.filename().string() << " " << name << ": expected "
                << (want_valid ? "valid" : want["exception"].get<std::string>()) << ", got "
                << (why.empty() ? "valid" : why) << "\n";
    }
    if (verbose && ok) std::cout << "ok   " << name << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  Counts c;
  bool verbose = false;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-v") verbose = true;
    else paths.emplace_back(a);
  }
  if (paths.empty()) {
    std::cerr << "usage: lumio-txtest [-v] FILE|DIR...\n";
    return 2;
  }
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.path().extension() == ".json") files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) run_file(f, c, verbose);
    } else {
      run_file(p, c, verbose);
    }
  }
  std::cout << c.passed << " passed, " << c.failed << " failed\n";
  return c.failed ? 1 : 0;
}
