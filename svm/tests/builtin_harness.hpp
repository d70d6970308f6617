// Test harness for the builtin programs: a bank of accounts, a chain of slots, and real
// transactions (messages compiled like solana-message Message::new, signed with libsodium keys)
// executed by the runtime with register_builtins().
#pragma once
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/hash.hpp"
#include "svm/alt.hpp"
#include "svm/client.hpp"
#include "svm/loader_upgradeable.hpp"
#include "svm/memory_bank.hpp"
#include "svm/nonce.hpp"
#include "svm/runtime.hpp"
#include "svm/syscalls.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm::test {

// A deterministic keypair: the seed is 32 copies of one byte.
struct Keypair : svm::Keypair {
  explicit Keypair(uint8_t seed_byte) : svm::Keypair(from_seed(filled(seed_byte))) {}
  static std::array<uint8_t, 32> filled(uint8_t b) {
    std::array<uint8_t, 32> seed;
    seed.fill(b);
    return seed;
  }
};

inline std::string b58(const Pubkey& k) { return base58(k.data(), 32); }

inline Hash blockhash_of_slot(uint64_t slot) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(slot >> (8 * i));
  Hash32 h = sha256(BytesView(b, 8));
  Hash out;
  std::copy(h.bytes.begin(), h.bytes.end(), out.begin());
  return out;
}

class Bank : public MemoryBank {
 public:
  TableAccountSource table_source() const {
    return [this](const Pubkey& k) -> std::optional<TableAccountView> {
      auto it = accounts.find(k);
      if (it == accounts.end()) return std::nullopt;
      return TableAccountView{it->second.owner, it->second.lamports, it->second.data};
    };
  }
};

using svm::compile_message;  // Message::new (svm/client.hpp)

inline Transaction sign(const Message& m, const std::vector<const Keypair*>& signers) {
  return sign_message(m, std::vector<const svm::Keypair*>(signers.begin(), signers.end()));
}

// A chain of slots: each slot has its own blockhash; SlotHashes and RecentBlockhashes follow.
struct Chain {
  Runtime rt;
  Bank bank;
  RuntimeEnv env;
  explicit Chain(const BuiltinFeatures& features = {}) {
    register_builtins(rt, features);
    env.slot = 0;
    advance(1000);
  }
  void advance(uint64_t slots = 1) {
    for (uint64_t i = 0; i < slots; ++i) {
      env.slot_hashes.insert(env.slot_hashes.begin(), {env.slot, blockhash_of_slot(env.slot)});
      if (env.slot_hashes.size() > kSlotHashesMaxEntries) env.slot_hashes.pop_back();
      ++env.slot;
      env.recent_blockhashes.insert(env.recent_blockhashes.begin(), blockhash_of_slot(env.slot));
      if (env.recent_blockhashes.size() > 150) env.recent_blockhashes.pop_back();
    }
  }
  Hash blockhash() const { return env.recent_blockhashes.front(); }
  SlotHashes slot_hashes() const { return SlotHashes{env.slot_hashes}; }

  void fund(const Pubkey& k, uint64_t lamports) {
    Account& a = bank.accounts[k];
    a.lamports += lamports;
  }
  // Header-based writability of a static key (what the nonce rule needs).
  static bool header_writable(const Message& m, size_t i) {
    const auto& h = m.header;
    if (i < h.num_required_signatures) return i < size_t(h.num_required_signatures - h.num_readonly_signed_accounts);
    return i < m.account_keys.size() - h.num_readonly_unsigned_accounts;
  }
  TransactionOutcome execute(const Transaction& tx) {
    // Transaction age as the bank checks it: a recent blockhash, else a durable nonce whose advance
    // is committed even when the transaction fails.
    std::optional<NonceInfo> nonce;
    const auto& rb = env.recent_blockhashes;
    if (std::find(rb.begin(), rb.end(), tx.message.recent_blockhash) == rb.end()) {
      nonce = check_durable_nonce(tx.message, [&](size_t i) { return header_writable(tx.message, i); },
                                  bank.table_source(), blockhash(), env.lamports_per_signature);
      if (!nonce) {
        TransactionOutcome out;
        out.err = TransactionError(TransactionError::BlockhashNotFound);
        return out;
      }
    }
    TransactionOutcome out = execute_loaded(tx);
    if (nonce && out.processed && out.err) bank.accounts[nonce->address].data = nonce->advanced_data;
    return out;
  }
  TransactionOutcome execute_loaded(const Transaction& tx) {
    LoadedAddresses loaded;
    if (tx.message.v0) {
      auto r = resolve_address_lookups(tx.message, bank.table_source(), env.slot, slot_hashes());
      if (!r.ok()) {
        TransactionOutcome out;
        out.err = to_transaction_error(r.error());
        return out;
      }
      loaded = *r;
    }
    auto out = rt.execute(tx, bank, env, loaded);
    bank.commit(out);
    return out;
  }
  TransactionOutcome send(const std::vector<Instruction>& ixs, const Keypair& payer,
                          std::vector<const Keypair*> signers = {}) {
    signers.push_back(&payer);
    return execute(sign(compile_message(payer.pub, ixs, blockhash()), signers));
  }
};

inline bool has_log(const TransactionOutcome& out, const std::string& line) {
  return std::find(out.logs.begin(), out.logs.end(), line) != out.logs.end();
}
inline std::string logs_of(const TransactionOutcome& out) {
  std::string s;
  for (auto& l : out.logs) s += l + "\n";
  return s;
}
// The InstructionError of a failed transaction ("ok" / the TransactionError name otherwise).
inline std::string ix_error(const TransactionOutcome& out) {
  if (!out.err) return "ok";
  if (out.err->kind != TransactionError::InstructionError) return name(*out.err);
  if (out.err->instruction.kind == InstructionError::Custom)
    return "Custom(" + std::to_string(out.err->instruction.custom) + ")";
  return out.err->instruction.name();
}

// Instruction builders (solana-system-interface / solana-loader-v3-interface helpers).
inline Instruction system_ix(const SystemInstruction& ix, std::vector<AccountMeta> metas) {
  return Instruction{ids::system_program, std::move(metas), encode(ix)};
}
inline Instruction transfer(const Pubkey& from, const Pubkey& to, uint64_t lamports) {
  SystemInstruction ix;
  ix.kind = SystemInstruction::Transfer;
  ix.lamports = lamports;
  return system_ix(ix, {{from, true, true}, {to, false, true}});
}
inline Instruction create_account(const Pubkey& from, const Pubkey& to, uint64_t lamports, uint64_t space,
                                  const Pubkey& owner) {
  SystemInstruction ix;
  ix.kind = SystemInstruction::CreateAccount;
  ix.lamports = lamports;
  ix.space = space;
  ix.owner = owner;
  return system_ix(ix, {{from, true, true}, {to, true, true}});
}
inline Instruction loader_ix(const UpgradeableLoaderInstruction& ix, std::vector<AccountMeta> metas) {
  return Instruction{ids::bpf_loader_upgradeable, std::move(metas), encode(ix)};
}

using LoaderIx = UpgradeableLoaderInstruction;
inline LoaderIx loader(LoaderIx::Kind k) {
  LoaderIx ix;
  ix.kind = k;
  return ix;
}

// `solana program deploy` in steps: buffer account + InitializeBuffer, chunked Writes, then the
// program account + DeployWithMaxDataLen.
struct Deployer {
  Chain& c;
  const Keypair& payer;
  const Keypair& authority;
  size_t chunk = 900;

  std::vector<TransactionOutcome> write_buffer(const Keypair& buffer, std::span<const uint8_t> elf) {
    std::vector<TransactionOutcome> outs;
    size_t space = UpgradeableLoaderState::size_of_buffer(elf.size());
    outs.push_back(c.send({create_account(payer.pub, buffer.pub, c.env.rent.minimum_balance(space), space,
                                          ids::bpf_loader_upgradeable),
                           loader_ix(loader(LoaderIx::InitializeBuffer),
                                     {{buffer.pub, false, true}, {authority.pub, false, false}})},
                          payer, {&buffer}));
    for (size_t off = 0; off < elf.size(); off += chunk) {
      auto w = loader(LoaderIx::Write);
      w.offset = uint32_t(off);
      w.bytes.assign(elf.begin() + off, elf.begin() + std::min(elf.size(), off + chunk));
      outs.push_back(c.send({loader_ix(w, {{buffer.pub, false, true}, {authority.pub, true, false}})}, payer,
                            {&authority}));
    }
    return outs;
  }
  Instruction deploy_ix(const Pubkey& program, const Pubkey& buffer, uint64_t max_data_len) const {
    auto d = loader(LoaderIx::DeployWithMaxDataLen);
    d.max_data_len = max_data_len;
    return loader_ix(d, {{payer.pub, true, true},
                         {programdata_address(program), false, true},
                         {program, false, true},
                         {buffer, false, true},
                         {ids::sysvar_rent, false, false},
                         {ids::sysvar_clock, false, false},
                         {ids::system_program, false, false},
                         {authority.pub, true, false}});
  }
  TransactionOutcome deploy(const Keypair& program, const Pubkey& buffer, uint64_t max_data_len) {
    size_t space = UpgradeableLoaderState::kSizeOfProgram;
    return c.send({create_account(payer.pub, program.pub, c.env.rent.minimum_balance(space), space,
                                  ids::bpf_loader_upgradeable),
                   deploy_ix(program.pub, buffer, max_data_len)},
                  payer, {&program, &authority});
  }
  Instruction upgrade_ix(const Pubkey& program, const Pubkey& buffer, const Pubkey& upgrade_authority) const {
    return loader_ix(loader(LoaderIx::Upgrade), {{programdata_address(program), false, true},
                                                 {program, false, true},
                                                 {buffer, false, true},
                                                 {payer.pub, false, true},
                                                 {ids::sysvar_rent, false, false},
                                                 {ids::sysvar_clock, false, false},
                                                 {upgrade_authority, true, false}});
  }
};

inline Instruction invoke(const Pubkey& program, std::vector<uint8_t> data = {}, std::vector<AccountMeta> metas = {}) {
  return Instruction{program, std::move(metas), std::move(data)};
}

}  // namespace lumio::svm::test
