// Helpers shared by the movevm tests.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "movevm/binary_format.hpp"

namespace lumio::movevm::test_util {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  for (std::string l; std::getline(ss, l);) r.push_back(l);
  return r;
}

// `module 0x1::M { public fun f() { return } }`
inline CompiledModule tiny_module(uint32_t version = 6) {
  CompiledModule m;
  m.version = version;
  m.module_handles = {{0, 0}};
  m.identifiers = {"M", "f"};
  FixedBytes<32> one;
  one.bytes[31] = 1;
  m.address_identifiers = {one};
  m.signatures = {{}};
  FunctionHandle fh;
  fh.name = 1;
  m.function_handles = {fh};
  FunctionDefinition fd;
  fd.visibility = Visibility::Public;
  fd.code = CodeUnit{0, {Instruction{Opcode::Ret}}};
  m.function_defs = {fd};
  return m;
}

}  // namespace lumio::movevm::test_util
