// An in-memory bank of accounts: what tests and tools (lumio-svmbench, the builtin-program test
// harness) execute transactions against when no node state is involved.
#pragma once
#include <map>

#include "svm/runtime.hpp"

namespace lumio::svm {

class MemoryBank : public AccountSource {
 public:
  std::map<Pubkey, Account> accounts;

  // Accounts with 0 lamports do not exist (AccountSource's rule).
  std::optional<Account> get(const Pubkey& key) const override {
    auto it = accounts.find(key);
    if (it == accounts.end() || it->second.lamports == 0) return std::nullopt;
    return it->second;
  }
  // Stores a processed transaction's accounts; those left with 0 lamports are deleted.
  void commit(const TransactionOutcome& out) {
    if (!out.processed) return;
    for (const auto& [k, a] : out.post_accounts) {
      if (a.lamports == 0) accounts.erase(k);
      else accounts[k] = a;
    }
  }
  uint64_t lamports(const Pubkey& k) const {
    auto it = accounts.find(k);
    return it == accounts.end() ? 0 : it->second.lamports;
  }
  const Account* find(const Pubkey& k) const {
    auto it = accounts.find(k);
    return it == accounts.end() ? nullptr : &it->second;
  }
};

}  // namespace lumio::svm
