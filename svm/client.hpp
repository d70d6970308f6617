// What a Solana client does before sending: compile instructions into a legacy message
// (solana-message Message::new) and sign it (ed25519, libsodium). Used by tools and tests that
// build real transactions; the runtime itself never signs.
#pragma once
#include <array>
#include <vector>

#include "svm/invoke.hpp"
#include "svm/transaction.hpp"

namespace lumio::svm {

struct Keypair {
  Pubkey pub{};
  std::array<uint8_t, 64> secret{};  // libsodium layout: seed || public key
  static Keypair from_seed(const std::array<uint8_t, 32>& seed);
};

// Message::new: the payer first, then writable signers, read-only signers, writable non-signers,
// read-only non-signers (program ids are read-only non-signers), each class in first-seen order.
Message compile_message(const Pubkey& payer, const std::vector<Instruction>& ixs, const Hash& blockhash);

// Signs `m` with the keypairs among `signers` matching its signer keys (a missing one leaves a
// zero signature, which verification rejects).
Transaction sign_message(const Message& m, const std::vector<const Keypair*>& signers);

}  // namespace lumio::svm
