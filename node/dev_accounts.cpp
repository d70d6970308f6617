#include "node/dev_accounts.hpp"

#include <cryptopp/hmac.h>
#include <cryptopp/pwdbased.h>
#include <cryptopp/sha.h>

#include <stdexcept>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"

namespace lumio::node {
namespace {

struct ExtendedKey {
  Hash32 key, chain;
};

FixedBytes<64> hmac_sha512(BytesView key, BytesView data) {
  FixedBytes<64> out;
  CryptoPP::HMAC<CryptoPP::SHA512> mac(key.data(), key.size());
  mac.CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

ExtendedKey split(const FixedBytes<64>& i) {
  ExtendedKey k;
  std::memcpy(k.key.data(), i.data(), 32);
  std::memcpy(k.chain.data(), i.data() + 32, 32);
  return k;
}

// BIP-32 CKDpriv.
ExtendedKey child(const ExtendedKey& parent, uint32_t index) {
  Bytes data;
  if (index & 0x80000000u) {
    data.push_back(0);
    append(data, parent.key.view());
  } else {
    append(data, secp256k1::compressed_pubkey(parent.key).view());
  }
  for (int shift = 24; shift >= 0; shift -= 8) data.push_back(uint8_t(index >> shift));
  ExtendedKey c = split(hmac_sha512(parent.chain.view(), data));
  auto key = secp256k1::seckey_tweak_add(parent.key, c.key);
  if (!key) throw std::runtime_error("bip32: invalid child key");
  c.key = *key;
  return c;
}

}  // namespace

std::vector<DevAccount> derive_dev_accounts(const std::string& mnemonic, size_t count,
                                            const std::string& passphrase) {
  FixedBytes<64> seed;
  std::string salt = "mnemonic" + passphrase;
  CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA512> kdf;
  kdf.DeriveKey(seed.data(), seed.size(), 0, reinterpret_cast<const uint8_t*>(mnemonic.data()),
                mnemonic.size(), reinterpret_cast<const uint8_t*>(salt.data()), salt.size(), 2048);
  ExtendedKey k = split(hmac_sha512(as_view("Bitcoin seed"), seed.view()));
  for (uint32_t i : {44u | 0x80000000u, 60u | 0x80000000u, 0x80000000u, 0u}) k = child(k, i);
  std::vector<DevAccount> out;
  for (size_t i = 0; i < count; ++i) {
    Hash32 secret = child(k, uint32_t(i)).key;
    out.push_back({secret, secp256k1::address_of(secret)});
  }
  return out;
}

Hash32 bench_key(uint64_t i) {
  return keccak256(as_view("lumio-bench-sender-" + std::to_string(i)));
}

Address bench_address(uint64_t i) {
  if (i < kBenchKeyed) return secp256k1::address_of(bench_key(i));
  Hash32 h = keccak256(as_view("lumio-bench-account-" + std::to_string(i)));
  return *Address::from(h.view().subspan(12));
}

}  // namespace lumio::node
