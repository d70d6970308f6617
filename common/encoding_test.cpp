// Base58 and base64 (common/base58.hpp, common/base64.hpp): published vectors, round trips and
// the error texts Solana RPC reports.
#include <gtest/gtest.h>

#include "common/base58.hpp"
#include "common/base64.hpp"

namespace lumio {
namespace {

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(Base58, Vectors) {
  EXPECT_EQ(base58_encode({}), "");
  EXPECT_EQ(base58_encode(Bytes{0}), "1");
  EXPECT_EQ(base58_encode(Bytes{0, 0, 0x28, 0x7f, 0xb4, 0xcd}), "11233QC4");
  EXPECT_EQ(base58_encode(text("Hello World!")), "2NEpo7TZRRrLZSi2U");
  EXPECT_EQ(base58_encode(Bytes(32, 0)), std::string(32, '1'));  // the system program id
  EXPECT_EQ(base58_encode(Bytes{0x61}), "2g");
  EXPECT_EQ(base58_encode(Bytes{0xff, 0xff, 0xff, 0xff}), "7YXq9G");
  EXPECT_EQ(base58_decode("2NEpo7TZRRrLZSi2U"), text("Hello World!"));
  EXPECT_EQ(base58_decode("11233QC4"), (Bytes{0, 0, 0x28, 0x7f, 0xb4, 0xcd}));
  EXPECT_EQ(base58_decode(""), Bytes{});
  EXPECT_EQ(base58_decode("111"), Bytes(3, 0));
}

TEST(Base58, RoundTripsAndErrors) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 37 + n);
    if (n % 3 == 0 && n) b[0] = 0;  // leading zeros too
    EXPECT_EQ(base58_decode(base58_encode(b)), b) << n;
  }
  std::string err;
  EXPECT_FALSE(base58_decode("0abc", &err));
  EXPECT_EQ(err, "InvalidCharacter { character: '0', index: 0 }");
  EXPECT_FALSE(base58_decode("11l", &err));
  EXPECT_EQ(err, "InvalidCharacter { character: 'l', index: 2 }");
  EXPECT_FALSE(base58_decode("2\xc3\xa9", &err));
  EXPECT_EQ(err, "NonAsciiCharacter { index: 1 }");
  EXPECT_FALSE(base58_decode(std::string_view("a\0", 2), &err));
  EXPECT_EQ(err, "InvalidCharacter { character: '\\0', index: 1 }");
  EXPECT_FALSE(base58_decode("a\x01", &err));
  EXPECT_EQ(err, "InvalidCharacter { character: '\\u{1}', index: 1 }");
  EXPECT_FALSE(base58_decode("I"));  // no error text asked for
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(text(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), text(plain)) << encoded;
  }
  EXPECT_EQ(base64_encode(Bytes{0xfb, 0xff}), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), (Bytes{0xfb, 0xff}));
}

TEST(Base64, RoundTripsAndErrors) {
  for (size_t n = 0; n < 40; ++n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 91 + 7);
    EXPECT_EQ(base64_decode(base64_encode(b)), b) << n;
  }
  std::string err;
  EXPECT_FALSE(base64_decode("A*==", &err));
  EXPECT_EQ(err, "InvalidByte(1, 42)");
  EXPECT_FALSE(base64_decode("!!!!", &err));
  EXPECT_EQ(err, "InvalidByte(0, 33)");
  EXPECT_FALSE(base64_decode("Zg=", &err));
  EXPECT_EQ(err, "InvalidPadding");
  EXPECT_FALSE(base64_decode("Zm9vY", &err));
  EXPECT_EQ(err, "InvalidLength(5)");
  EXPECT_FALSE(base64_decode("Zh==", &err));  // 'h' leaves non-zero unused bits
  EXPECT_EQ(err, "InvalidLastSymbol(1, 104)");
  EXPECT_FALSE(base64_decode("Zg==="));  // three pads
}

}  // namespace
}  // namespace lumio
