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

// BCS of a u64: 8 bytes, little-endian.
inline Bytes bcs_u64(uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}

// BCS of a vector<u8>: ULEB128 length, then the bytes.
inline Bytes bcs_bytes(BytesView b) {
  Bytes out;
  uint64_t n = b.size();
  do {
    uint8_t byte = n & 0x7f;
    n >>= 7;
    out.push_back(byte | (n ? 0x80 : 0));
  } while (n);
  out.insert(out.end(), b.begin(), b.end());
  return out;
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

// tiny_module (version 7) plus `enum E has drop { A { x: u64 }, B }` with its variant and
// variant-field handles (identifiers E=2, A=3, B=4, x=5).
inline CompiledModule enum_module() {
  CompiledModule m = tiny_module(7);
  for (const char* id : {"E", "A", "B", "x"}) m.identifiers.push_back(id);
  StructHandle sh;
  sh.module = 0;
  sh.name = 2;
  sh.abilities = kAbilityDrop;
  m.struct_handles = {sh};
  StructDefinition def;
  def.struct_handle = 0;
  def.layout = StructLayout::DeclaredVariants;
  def.variants = {VariantDefinition{3, {FieldDefinition{5, SignatureToken{TokenKind::U64, 0, 0, 0, {}}}}},
                  VariantDefinition{4, {}}};
  m.struct_defs = {def};
  m.struct_variant_handles = {StructVariantHandle{0, 0}, StructVariantHandle{0, 1}};
  m.variant_field_handles = {VariantFieldHandle{0, {0}, 0}};
  return m;
}

}  // namespace lumio::movevm::test_util
