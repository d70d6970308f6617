// BLAKE3 against the official test vectors (BLAKE3-team/BLAKE3 test_vectors.json: input byte i is
// i % 251; expected outputs are the first 32 bytes, plus the full 131-byte extended output for some).
#include "common/blake3.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace lumio;

namespace {

Bytes input(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i % 251);
  return b;
}

struct Vector {
  size_t len;
  const char* hash;  // hex, 32 or 131 bytes
};

const Vector kVectors[] = {
    {0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050"
        "338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda"
        "7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d"},
    {1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"},
    {1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"},
    {1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"},
    {1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444f4c4a22b4b399155358a994e52bf255d"
           "e60035742ec71bd08ac275a1b51cc6bfe332b0ef84b409108cda080e6269ed4b3e2c3f7d722aa4cdc98d16deb554e562"
           "7be8f955c98e1d5f9565a9194cad0c4285f93700062d9595adb992ae68ff12800ab67a"},
    {2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"},
    {2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"},
    {3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"},
    {4096, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969"},
    {4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"},
    {8193, "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b"},
    {31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47"},
    {102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085e01c59dab908c04c3342b816941a26"
             "d69c2605ebee5ec5291cc55e15b76146e6745f0601156c3596cb75065a9c57f35585a52e1ac70f69131c23d611ce11"
             "ee4ab1ec2c009012d236648e77be9295dd0426f29b764d65de58eb7d01dd42248204f45f8e"},
};

}  // namespace

TEST(Blake3, OfficialVectors) {
  for (const auto& v : kVectors) {
    Bytes in = input(v.len);
    std::string want(v.hash);
    Bytes out(want.size() / 2);
    blake3::Hasher h;
    h.update(in);
    h.finalize_xof(out.data(), out.size());
    EXPECT_EQ(to_hex(out, false), want) << "len " << v.len;
    EXPECT_EQ(to_hex(blake3::hash(in), false), want.substr(0, 64)) << "len " << v.len;
  }
}

TEST(Blake3, IncrementalEqualsOneShot) {
  std::mt19937 rng(3);
  for (size_t len : {0u, 63u, 64u, 65u, 1024u, 1025u, 5000u, 70000u}) {
    Bytes in = input(len);
    blake3::Hasher h;
    size_t at = 0;
    while (at < len) {
      size_t n = std::min<size_t>(len - at, rng() % 1500);
      h.update(BytesView(in.data() + at, n));
      at += n;
    }
    EXPECT_EQ(h.finalize(), blake3::hash(in)) << len;
  }
}
