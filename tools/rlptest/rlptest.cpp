// lumio-rlptest: runs ethereum/tests RLPTests through common/rlp.
// Valid cases: encoding `in` must give `out`, and strictly decoding `out` must give `in` back
// (integers, including "#bigint" ones, decode as big-endian integers without leading zeros).
// "VALID" cases: strict decoding must succeed and re-encode to the same bytes.
// "INVALID" cases: strict decoding (every nested item, nothing trailing) must throw.
#include <boost/multiprecision/cpp_int.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/rlp.hpp"

using namespace lumio;
namespace fs = std::filesystem;
using BigInt = boost::multiprecision::cpp_int;
using nlohmann::json;

namespace {

Bytes big_to_bytes(const BigInt& v) {
  Bytes out;
  if (v != 0) boost::multiprecision::export_bits(v, std::back_inserter(out), 8);
  return out;
}

// A JSON fixture value is a string, an integer (number or "#decimal"), or a list of values.
void encode(const json& v, rlp::Encoder& e) {
  if (v.is_array()) {
    e.begin_list();
    for (auto& x : v) encode(x, e);
    e.end_list();
  } else if (v.is_number_unsigned() || v.is_number_integer()) {
    e.add_uint(v.get<uint64_t>());
  } else {
    auto s = v.get<std::string>();
    if (!s.empty() && s[0] == '#') e.add(big_to_bytes(BigInt(s.substr(1))));
    else e.add(s);
  }
}

// Checks that the decoded item equals the fixture value; returns an error or "".
std::string match(const rlp::Item& it, const json& v) {
  if (v.is_array()) {
    if (!it.is_list) return "expected list";
    auto items = rlp::list_items(it);
    if (items.size() != v.size()) return "list length differs";
    for (size_t i = 0; i < items.size(); ++i)
      if (auto err = match(items[i], v[i]); !err.empty()) return err;
    return "";
  }
  if (it.is_list) return "expected string, got list";
  if (v.is_number()) {
    if (rlp::to_uint64(it) != v.get<uint64_t>()) return "integer differs";
    return "";
  }
  auto s = v.get<std::string>();
  if (!s.empty() && s[0] == '#') {
    if (!it.payload.empty() && it.payload[0] == 0) return "integer has leading zero";
    BigInt got = 0;
    if (!it.payload.empty())
      boost::multiprecision::import_bits(got, it.payload.begin(), it.payload.end(), 8);
    return got == BigInt(s.substr(1)) ? "" : "big integer differs";
  }
  if (Bytes(it.payload.begin(), it.payload.end()) != Bytes(s.begin(), s.end())) return "string differs";
  return "";
}

// Strict full decode: every nested item must be well formed. Returns the re-encoding.
void reencode(const rlp::Item& it, rlp::Encoder& e) {
  if (!it.is_list) {
    e.add(it.payload);
    return;
  }
  e.begin_list();
  for (auto& c : rlp::list_items(it)) reencode(c, e);
  e.end_list();
}

struct Counts {
  int passed = 0, failed = 0;
};

void run_file(const fs::path& path, Counts& c) {
  std::ifstream f(path);
  json doc = json::parse(f);
  for (auto& [name, t] : doc.items()) {
    std::string err;
    const json& in = t["in"];
    auto out = from_hex(t["out"].get<std::string>());
    bool want_invalid = in.is_string() && in.get<std::string>() == "INVALID";
    bool want_valid_only = in.is_string() && in.get<std::string>() == "VALID";
    try {
      if (!out) {
        err = want_invalid ? "" : "fixture hex unreadable";
        if (want_invalid) throw rlp::Error("bad hex");
      }
      if (want_invalid || want_valid_only) {
        rlp::Item it = rlp::decode_exact(*out);
        rlp::Encoder e;
        reencode(it, e);
        if (want_invalid) err = "accepted invalid input";
        else if (e.bytes() != *out) err = "re-encoding differs";
      } else {
        rlp::Encoder e;
        encode(in, e);
        if (e.bytes() != *out) err = "encoding differs: " + to_hex(e.bytes());
        else err = match(rlp::decode_exact(*out), in);
      }
    } catch (const rlp::Error& ex) {
      if (!want_invalid) err = std::string("decode failed: ") + ex.what();
    } catch (const std::exception& ex) {
      err = std::string("exception: ") + ex.what();
    }
    if (err.empty()) {
      ++c.passed;
    } else {
      ++c.failed;
      std::cout << "FAIL " << path.filename().string() << " " << name << ": " << err << "\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path root = argc > 1 ? argv[1] : "../shared/ethereum-tests/RLPTests";
  Counts c;
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& p : files) {
    try {
      run_file(p, c);
    } catch (const std::exception& ex) {
      ++c.failed;
      std::cout << "FAIL " << p.string() << ": " << ex.what() << "\n";
    }
  }
  if (files.empty()) {
    std::cout << "no fixtures under " << root << "\n";
    ++c.failed;
  }
  std::cout << c.passed << " passed, " << c.failed << " failed\n";
  return c.failed ? 1 : 0;
}
