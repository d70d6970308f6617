// The genesis write set, decoded with our BCS reader, must publish exactly the framework
// modules found in ../shared (same names, same bytes), and every one of them must load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "movevm/genesis.hpp"

namespace fs = std::filesystem;
using namespace lumio;
using namespace lumio::movevm;

namespace {

Bytes slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::string short_address(const AccountAddress& a) {
  std::string hex = to_hex(a.view(), false);
  size_t nz = hex.find_first_not_of('0');
  return "0x" + (nz == std::string::npos ? std::string("0") : hex.substr(nz));
}

std::vector<fs::path> genesis_folders() {
  std::vector<fs::path> r;
  for (const auto& d : fs::directory_iterator(fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis"))
    if (d.is_directory()) r.push_back(d.path());
  std::sort(r.begin(), r.end());
  return r;
}

}  // namespace

TEST(Genesis, WriteSetPublishesTheSameModules) {
  auto folders = genesis_folders();
  ASSERT_EQ(folders.size(), 8u);
  size_t passed = 0, failed = 0;
  for (const auto& dir : folders) {
    auto cs = decode_genesis_transaction(slurp(dir / "genesis.blob"));
    ASSERT_TRUE(cs.ok()) << dir << ": " << cs.error().message;
    EXPECT_GT(cs->events.size(), 0u);
    std::map<std::string, Bytes> from_blob;
    for (auto& m : published_modules(*cs))
      from_blob[short_address(m.address) + "__" + m.name + ".mv"] = m.code;
    std::map<std::string, Bytes> from_files;
    for (const auto& f : fs::directory_iterator(dir / "modules"))
      from_files[f.path().filename().string()] = slurp(f.path());
    EXPECT_EQ(from_blob.size(), from_files.size()) << dir;
    for (const auto& [name, code] : from_files) {
      auto it = from_blob.find(name);
      bool same = it != from_blob.end() && it->second == code;
      EXPECT_TRUE(same) << dir.filename() << "/" << name;
      // Every published module loads, and is the module its key says it is.
      auto m = deserialize_module(it == from_blob.end() ? code : it->second);
      bool loads = m.ok();
      if (loads) {
        const auto& self = m->module_handles[m->self_module_handle_idx];
        loads = name == short_address(m->address_identifiers[self.address]) + "__" +
                            m->identifiers[self.name] + ".mv";
      }
      EXPECT_TRUE(loads) << name;
      (same && loads ? passed : failed)++;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  EXPECT_EQ(failed, 0u);
}

TEST(Genesis, HostileBlobs) {
  Bytes blob = slurp(genesis_folders().front() / "genesis.blob");
  ASSERT_TRUE(decode_genesis_transaction(blob).ok());
  for (size_t cut : {size_t(0), size_t(1), size_t(3), size_t(100), blob.size() / 2, blob.size() - 1}) {
    Bytes b(blob.begin(), blob.begin() + cut);
    EXPECT_EQ(decode_genesis_transaction(b).status(), StatusCode::VALUE_DESERIALIZATION_ERROR) << cut;
  }
  Bytes trailing = blob;
  trailing.push_back(0);
  EXPECT_EQ(decode_genesis_transaction(trailing).status(), StatusCode::VALUE_DESERIALIZATION_ERROR);
  Bytes user_txn = blob;
  user_txn[0] = 0;  // Transaction::UserTransaction
  EXPECT_FALSE(decode_genesis_transaction(user_txn).ok());
  Bytes huge_count = {1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F};  // 2^32-1 entries, no data
  EXPECT_EQ(decode_genesis_transaction(huge_count).status(), StatusCode::VALUE_DESERIALIZATION_ERROR);
  Bytes noncanonical = {1, 0, 0, 0x80, 0x00};
  EXPECT_EQ(decode_genesis_transaction(noncanonical).status(), StatusCode::VALUE_DESERIALIZATION_ERROR);
}
