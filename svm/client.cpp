#include "svm/client.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

namespace lumio::svm {

Keypair Keypair::from_seed(const std::array<uint8_t, 32>& seed) {
  if (sodium_init() < 0) std::abort();
  Keypair k;
  crypto_sign_seed_keypair(k.pub.data(), k.secret.data(), seed.data());
  return k;
}

Message compile_message(const Pubkey& payer, const std::vector<Instruction>& ixs, const Hash& blockhash) {
  struct Meta {
    Pubkey key;
    bool signer, writable;
  };
  std::vector<Meta> metas{{payer, true, true}};
  auto add = [&](const Pubkey& k, bool s, bool w) {
    for (auto& m : metas)
      if (m.key == k) {
        m.signer |= s;
        m.writable |= w;
        return;
      }
    metas.push_back({k, s, w});
  };
  for (const auto& ix : ixs) {
    for (const auto& a : ix.accounts) add(a.pubkey, a.is_signer, a.is_writable);
    add(ix.program_id, false, false);
  }
  // Stable partition into the four classes keeps first-seen order within each.
  std::stable_sort(metas.begin(), metas.end(), [](const Meta& a, const Meta& b) {
    auto cls = [](const Meta& m) { return m.signer ? (m.writable ? 0 : 1) : (m.writable ? 2 : 3); };
    return cls(a) < cls(b);
  });
  Message msg;
  for (const auto& m : metas) {
    msg.account_keys.push_back(m.key);
    if (m.signer) ++msg.header.num_required_signatures;
    if (m.signer && !m.writable) ++msg.header.num_readonly_signed_accounts;
    if (!m.signer && !m.writable) ++msg.header.num_readonly_unsigned_accounts;
  }
  auto index = [&](const Pubkey& k) {
    return uint8_t(std::find(msg.account_keys.begin(), msg.account_keys.end(), k) - msg.account_keys.begin());
  };
  msg.recent_blockhash = blockhash;
  for (const auto& ix : ixs) {
    CompiledInstruction c;
    c.program_id_index = index(ix.program_id);
    for (const auto& a : ix.accounts) c.accounts.push_back(index(a.pubkey));
    c.data = ix.data;
    msg.instructions.push_back(std::move(c));
  }
  return msg;
}

Transaction sign_message(const Message& m, const std::vector<const Keypair*>& signers) {
  Transaction tx;
  tx.message = m;
  tx.message_bytes = encode_message(m);
  tx.signatures.resize(m.header.num_required_signatures);
  for (size_t i = 0; i < tx.signatures.size(); ++i)
    for (const auto* k : signers)
      if (k->pub == m.account_keys[i])
        crypto_sign_detached(tx.signatures[i].data(), nullptr, tx.message_bytes.data(), tx.message_bytes.size(),
                             k->secret.data());
  return tx;
}

}  // namespace lumio::svm
