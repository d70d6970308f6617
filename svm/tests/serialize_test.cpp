// Program input layouts (Agave serialization.rs): field offsets the entrypoint parsers rely on.
#include <gtest/gtest.h>

#include <cstring>

#include "svm/serialize.hpp"

namespace lumio::svm {
namespace {

uint64_t u64_at(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}

InstructionAccount account() {
  InstructionAccount a;
  a.key.fill(0x11);
  a.owner.fill(0x22);
  a.lamports = 1000;
  a.data = {1, 2, 3};
  a.rent_epoch = 7;
  a.is_signer = true;
  a.is_writable = true;
  return a;
}

TEST(SvmSerialize, AlignedLayout) {
  InstructionAccount dup;
  dup.duplicate_of = 0;
  std::vector<InstructionAccount> accounts = {account(), dup};
  std::vector<uint8_t> data = {9, 8};
  Pubkey program{};
  program.fill(0x33);
  auto b = serialize_aligned(accounts, data, program);
  EXPECT_EQ(u64_at(b, 0), 2u);
  EXPECT_EQ(b[8], 0xff);  // not a duplicate
  EXPECT_EQ(b[9], 1);     // signer
  EXPECT_EQ(b[10], 1);    // writable
  EXPECT_EQ(b[11], 0);    // executable
  EXPECT_EQ(b[16], 0x11);
  EXPECT_EQ(b[48], 0x22);
  EXPECT_EQ(u64_at(b, 80), 1000u);
  EXPECT_EQ(u64_at(b, 88), 3u);
  EXPECT_EQ(b[96], 1);
  // data (3) + 10 KiB realloc room + padding to 8, then rent_epoch
  const size_t rent = 96 + 3 + 10240 + 5;
  EXPECT_EQ(rent % 8, 0u);
  EXPECT_EQ(u64_at(b, rent), 7u);
  EXPECT_EQ(b[rent + 8], 0);  // duplicate of account 0, then 7 bytes of padding
  EXPECT_EQ(u64_at(b, rent + 16), 2u);
  EXPECT_EQ(b[rent + 24], 9);
  EXPECT_EQ(b[rent + 26], 0x33);
  EXPECT_EQ(b.size(), rent + 26 + 32);
}

TEST(SvmSerialize, UnalignedLayout) {
  InstructionAccount dup;
  dup.duplicate_of = 0;
  std::vector<InstructionAccount> accounts = {account(), dup};
  Pubkey program{};
  program.fill(0x33);
  auto b = serialize_unaligned(accounts, std::vector<uint8_t>{5}, program);
  EXPECT_EQ(u64_at(b, 0), 2u);
  EXPECT_EQ(b[8], 0xff);
  EXPECT_EQ(b[9], 1);
  EXPECT_EQ(b[10], 1);
  EXPECT_EQ(b[11], 0x11);
  EXPECT_EQ(u64_at(b, 43), 1000u);
  EXPECT_EQ(u64_at(b, 51), 3u);
  EXPECT_EQ(b[59], 1);
  EXPECT_EQ(b[62], 0x22);         // owner after the data
  EXPECT_EQ(b[94], 0);            // executable
  EXPECT_EQ(u64_at(b, 95), 7u);   // rent epoch
  EXPECT_EQ(b[103], 0);           // duplicate marker: index only
  EXPECT_EQ(u64_at(b, 104), 1u);  // instruction data length
  EXPECT_EQ(b[112], 5);
  EXPECT_EQ(b[113], 0x33);
  EXPECT_EQ(b.size(), 113u + 32u);
}

TEST(SvmSerialize, DeserializeReadsBackChanges) {
  InstructionAccount dup;
  dup.duplicate_of = 0;
  std::vector<InstructionAccount> accounts = {account(), dup};
  Pubkey program{};
  auto b = serialize_aligned(accounts, std::vector<uint8_t>{}, program);
  // The program grows the data by 10 bytes, changes lamports and owner.
  uint64_t lamports = 555, len = 13;
  std::memcpy(b.data() + 80, &lamports, 8);
  std::memcpy(b.data() + 88, &len, 8);
  b[96 + 12] = 0x77;
  b[48] = 0x99;
  auto u = deserialize_aligned(b, accounts);
  ASSERT_TRUE(u.ok()) << u.error();
  ASSERT_EQ(u->size(), 2u);
  EXPECT_EQ((*u)[0].lamports, 555u);
  EXPECT_EQ((*u)[0].data.size(), 13u);
  EXPECT_EQ((*u)[0].data[12], 0x77);
  EXPECT_EQ((*u)[0].owner[0], 0x99);
  EXPECT_EQ((*u)[1].lamports, 555u);  // the duplicate mirrors its original
  // More than 10 KiB of growth is InvalidRealloc.
  len = 3 + 10240 + 1;
  std::memcpy(b.data() + 88, &len, 8);
  auto bad = deserialize_aligned(b, accounts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "InvalidRealloc");
  // Unaligned: lamports and data come back; length is fixed.
  auto ub = serialize_unaligned(accounts, std::vector<uint8_t>{}, program);
  std::memcpy(ub.data() + 43, &lamports, 8);
  ub[59] = 0x42;
  auto uu = deserialize_unaligned(ub, accounts);
  ASSERT_TRUE(uu.ok());
  EXPECT_EQ((*uu)[0].lamports, 555u);
  EXPECT_EQ((*uu)[0].data[0], 0x42);
  EXPECT_FALSE(deserialize_unaligned(std::vector<uint8_t>(20, 0), accounts).ok());  // truncated
}

}  // namespace
}  // namespace lumio::svm
