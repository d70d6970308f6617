// The devnet's pre-funded accounts: BIP-39 mnemonic -> BIP-32 keys on Ethereum's
// path m/44'/60'/0'/0/i, the same accounts anvil and Hardhat derive.
#pragma once
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace lumio::node {

inline constexpr const char* kDevMnemonic =
    "test test test test test test test test test test test junk";

struct DevAccount {
  Hash32 secret;
  Address address;
};

// Derives accounts 0..count-1. The mnemonic is used as given (ASCII words need no NFKD).
std::vector<DevAccount> derive_dev_accounts(const std::string& mnemonic, size_t count,
                                            const std::string& passphrase = "");

// Benchmark accounts: the first kBenchKeyed have keys (bench_key(i)) and can send; the rest
// are funded addresses only (recipients), cheap to derive in bulk.
inline constexpr uint64_t kBenchKeyed = 10'000;
Hash32 bench_key(uint64_t i);         // keccak256("lumio-bench-sender-" + i)
Address bench_address(uint64_t i);    // address of bench_key(i) below kBenchKeyed, else
                                      // keccak256("lumio-bench-account-" + i)[12:]

}  // namespace lumio::node
