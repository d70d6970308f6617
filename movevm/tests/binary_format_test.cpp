// Binary format: every genuine Aptos framework module (bytecode v5-v10, ../shared) must load,
// pass bounds checks and re-serialize byte for byte; hostile inputs must fail with Aptos's
// status.
#include <gtest/gtest.h>

#include "movevm/tests/test_util.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "movevm/binary_format.hpp"

namespace fs = std::filesystem;
using namespace lumio;
using namespace lumio::movevm;

namespace {

fs::path genesis_dir() { return fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis"; }

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

struct Fixture {
  std::string name;
  Bytes bytes;
};

const std::vector<Fixture>& genuine_modules() {
  static std::vector<Fixture> all = [] {
    std::vector<Fixture> r;
    for (const auto& dir : fs::directory_iterator(genesis_dir())) {
      if (!dir.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(dir.path() / "modules"))
        if (f.path().extension() == ".mv")
          r.push_back({dir.path().filename().string() + "/" + f.path().filename().string(),
                       read_file(f.path())});
    }
    std::sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return r;
  }();
  return all;
}

// A minimal valid module: `module 0x1::M { public fun f() { return } }` at `version`.
using test_util::tiny_module;

Bytes must_serialize(const CompiledModule& m) {
  auto b = serialize_module(m);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return b.ok() ? *b : Bytes{};
}

StatusCode status_of(const Bytes& b) { return deserialize_module(b).status(); }

SignatureToken tok(TokenKind kind, uint16_t index = 0) {
  SignatureToken t;
  t.kind = kind;
  t.index = index;
  return t;
}

}  // namespace

TEST(GenuineModules, AllVersionsPresent) {
  std::map<uint32_t, int> by_version;
  for (const auto& f : genuine_modules()) {
    auto m = deserialize_module_unchecked(f.bytes);
    ASSERT_TRUE(m.ok()) << f.name;
    by_version[m->version]++;
  }
  // The fixtures cover every bytecode version from 5 to 10.
  for (uint32_t v = 5; v <= 10; ++v) EXPECT_GT(by_version[v], 0) << "version " << v;
  EXPECT_GT(genuine_modules().size(), 1000u);
}

TEST(GenuineModules, DeserializeBoundsCheckAndRoundTripByteExact) {
  size_t passed = 0, failed = 0;
  for (const auto& f : genuine_modules()) {
    auto m = deserialize_module(f.bytes);
    if (!m.ok()) {
      ADD_FAILURE() << f.name << ": " << status_name(m.error().status) << " "
                    << m.error().message;
      ++failed;
      continue;
    }
    auto out = serialize_module(*m);
    if (!out.ok() || *out != f.bytes) {
      ADD_FAILURE() << f.name << ": round trip differs";
      ++failed;
      continue;
    }
    ++passed;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  EXPECT_EQ(failed, 0u);
}

TEST(GenuineModules, NewerFeaturesAreExercised) {
  // The round trip above only means something if the v7-v10 constructs occur in the corpus.
  std::map<std::string, int> seen;
  for (const auto& f : genuine_modules()) {
    auto m = deserialize_module(f.bytes);
    ASSERT_TRUE(m.ok());
    if (!m->struct_variant_handles.empty()) seen["enums"]++;
    for (const auto& fd : m->function_defs) {
      if (!fd.code) continue;
      for (const auto& ins : fd.code->code) {
        if (ins.op == Opcode::PackClosure || ins.op == Opcode::PackClosureGeneric) seen["closures"]++;
        if (ins.op >= Opcode::LdI8 && ins.op <= Opcode::Negate) seen["signed"]++;
      }
    }
    for (const auto& fh : m->function_handles)
      if (!fh.attributes.empty()) seen["attributes"]++;
  }
  EXPECT_GT(seen["enums"], 0);
  EXPECT_GT(seen["closures"], 0);
  EXPECT_GT(seen["attributes"], 0);
  for (auto& [k, v] : seen) std::cout << k << ": " << v << "\n";
}

TEST(GenuineModules, ModelRoundTripIsStable) {
  for (const auto& f : genuine_modules()) {
    auto m = deserialize_module(f.bytes);
    ASSERT_TRUE(m.ok());
    auto again = deserialize_module(*serialize_module(*m));
    ASSERT_TRUE(again.ok()) << f.name;
    EXPECT_TRUE(*again == *m) << f.name;
  }
}

TEST(Header, BadMagic) {
  EXPECT_EQ(status_of({}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(status_of({0xA1, 0x1C, 0xEB}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(status_of({0xA1, 0x1C, 0xEB, 0x0C, 6, 0, 0, 0, 0}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(uint64_t(StatusCode::BAD_MAGIC), 3002u);
}

TEST(Header, TruncatedVersionIsMalformed) {
  EXPECT_EQ(status_of({0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0}), StatusCode::MALFORMED);
}

TEST(Header, Versions) {
  Bytes good = must_serialize(tiny_module(6));
  ASSERT_EQ(status_of(good), StatusCode::EXECUTED);
  auto with_version = [&](uint32_t v) {
    Bytes b = good;
    for (int i = 0; i < 4; ++i) b[4 + i] = uint8_t(v >> (8 * i));
    return status_of(b);
  };
  EXPECT_EQ(with_version(0), StatusCode::UNKNOWN_VERSION);
  EXPECT_EQ(with_version(11), StatusCode::UNKNOWN_VERSION);
  EXPECT_EQ(with_version(0x0A000000), StatusCode::UNKNOWN_VERSION);
  EXPECT_EQ(with_version(0x0A00000B), StatusCode::UNKNOWN_VERSION);
  EXPECT_EQ(with_version(0x06000000), StatusCode::UNKNOWN_VERSION);  // only 0x0A is masked
  EXPECT_EQ(with_version(0x0A000006), StatusCode::EXECUTED);
  EXPECT_EQ(uint64_t(StatusCode::UNKNOWN_VERSION), 3003u);
  // A node configured for an older maximum refuses newer binaries.
  DeserializerConfig v6{6, kIdentifierSizeMax};
  Bytes v7 = must_serialize(tiny_module(7));
  EXPECT_EQ(deserialize_module(v7, v6).status(), StatusCode::UNKNOWN_VERSION);
  EXPECT_TRUE(deserialize_module(v7).ok());
  // From v7 the marker is written; v5/v6 keep the plain number.
  EXPECT_EQ(v7[7], 0x0A);
  EXPECT_EQ(good[7], 0x00);
}

TEST(Header, EveryTruncationOfAGenuineModuleFails) {
  for (const auto& f : genuine_modules()) {
    if (f.bytes.size() > 1200) continue;  // keep the quadratic walk small
    for (size_t n = 0; n < f.bytes.size(); ++n) {
      Bytes prefix(f.bytes.begin(), f.bytes.begin() + n);
      StatusCode s = status_of(prefix);
      ASSERT_NE(s, StatusCode::EXECUTED) << f.name << " prefix " << n;
      if (n < 4) {
        EXPECT_EQ(s, StatusCode::BAD_MAGIC);
      } else if (n < 8) {
        EXPECT_EQ(s, StatusCode::MALFORMED);
      }
    }
  }
}

TEST(Header, TableDirectoryErrors) {
  Bytes good = must_serialize(tiny_module(6));
  // Layout of tiny_module: header (8) | count | tables ... The first entry is the module
  // handle table at offset 0.
  ASSERT_EQ(good[9], uint8_t(TableType::ModuleHandles));
  {  // unknown table kind 0x9 (a hole in the numbering)
    Bytes b = good;
    b[9] = 0x09;
    EXPECT_EQ(status_of(b), StatusCode::UNKNOWN_TABLE_TYPE);
  }
  {  // table count over the 255 limit (ULEB 256)
    Bytes b = {0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0, 0, 0x80, 0x02};
    EXPECT_EQ(status_of(b), StatusCode::MALFORMED);
  }
  {  // two tables of the same kind
    Bytes b = good;
    b[9 + 3] = b[9];  // second directory entry gets the first entry's kind
    EXPECT_EQ(status_of(b), StatusCode::DUPLICATE_TABLE);
  }
  {  // gap between tables
    Bytes b = good;
    b[10] = 1;  // first table no longer starts at 0
    EXPECT_EQ(status_of(b), StatusCode::BAD_HEADER_TABLE);
  }
  {  // a table claiming more bytes than the binary holds
    Bytes b = {0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0, 0, 1, 1, 0, 0xFF, 0xFF, 0x03};
    EXPECT_EQ(status_of(b), StatusCode::BAD_HEADER_TABLE);
  }
  {  // zero-length table
    Bytes b = {0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0, 0, 1, 1, 0, 0, 0};
    EXPECT_EQ(status_of(b), StatusCode::BAD_HEADER_TABLE);
  }
  {  // non-canonical ULEB (redundant zero group) in the table count
    Bytes b = {0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0, 0, 0x81, 0x00};
    EXPECT_EQ(status_of(b), StatusCode::MALFORMED);
  }
  {  // ULEB longer than 64 bits
    Bytes b = {0xA1, 0x1C, 0xEB, 0x0B, 6, 0, 0, 0, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
               0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
    EXPECT_EQ(status_of(b), StatusCode::MALFORMED);
  }
}

TEST(Code, UnknownOpcodeAndVersionGates) {
  CompiledModule m = tiny_module(6);
  Bytes b = must_serialize(m);
  // The Ret byte is the second to last (before the self module handle index).
  ASSERT_EQ(b[b.size() - 2], uint8_t(Opcode::Ret));
  Bytes bad = b;
  bad[bad.size() - 2] = 0x69;
  EXPECT_EQ(status_of(bad), StatusCode::UNKNOWN_OPCODE);
  bad[bad.size() - 2] = 0x00;
  EXPECT_EQ(status_of(bad), StatusCode::UNKNOWN_OPCODE);
  bad[bad.size() - 2] = uint8_t(Opcode::AbortMsg);  // v10 only
  EXPECT_EQ(status_of(bad), StatusCode::MALFORMED);
  bad[bad.size() - 2] = uint8_t(Opcode::Negate);  // v9 only
  EXPECT_EQ(status_of(bad), StatusCode::MALFORMED);
  bad[bad.size() - 2] = uint8_t(Opcode::CastU16);  // fine at v6
  EXPECT_EQ(status_of(bad), StatusCode::EXECUTED);
  EXPECT_EQ(uint64_t(StatusCode::UNKNOWN_OPCODE), 3007u);
}

bool internal_operand_is_none(Opcode op) {
  // Opcodes whose encoding is the opcode byte alone.
  switch (op) {
    case Opcode::Pop: case Opcode::Ret: case Opcode::LdTrue: case Opcode::LdFalse:
    case Opcode::ReadRef: case Opcode::WriteRef: case Opcode::FreezeRef: case Opcode::Add:
    case Opcode::Sub: case Opcode::Mul: case Opcode::Mod: case Opcode::Div: case Opcode::BitOr:
    case Opcode::BitAnd: case Opcode::Xor: case Opcode::Or: case Opcode::And: case Opcode::Not:
    case Opcode::Eq: case Opcode::Neq: case Opcode::Lt: case Opcode::Gt: case Opcode::Le:
    case Opcode::Ge: case Opcode::Abort: case Opcode::AbortMsg: case Opcode::Nop:
    case Opcode::Shl: case Opcode::Shr: case Opcode::CastU8: case Opcode::CastU16:
    case Opcode::CastU32: case Opcode::CastU64: case Opcode::CastU128: case Opcode::CastU256:
    case Opcode::CastI8: case Opcode::CastI16: case Opcode::CastI32: case Opcode::CastI64:
    case Opcode::CastI128: case Opcode::CastI256: case Opcode::Negate:
    case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32: case Opcode::LdU64:
    case Opcode::LdU128: case Opcode::LdU256: case Opcode::LdI8: case Opcode::LdI16:
    case Opcode::LdI32: case Opcode::LdI64: case Opcode::LdI128: case Opcode::LdI256:
      return true;
    default:
      return false;
  }
}

// Builds a binary from raw table contents (in the given order) and the trailing bytes.
Bytes assemble(uint32_t version_word, const std::vector<std::pair<TableType, Bytes>>& tables,
               const Bytes& tail) {
  auto uleb = [](Bytes& out, uint64_t x) {
    do {
      uint8_t b = x & 0x7F;
      x >>= 7;
      out.push_back(x ? uint8_t(b | 0x80) : b);
    } while (x);
  };
  Bytes b(kMoveMagic.begin(), kMoveMagic.end());
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(version_word >> (8 * i)));
  uleb(b, tables.size());
  uint64_t offset = 0;
  for (const auto& [kind, content] : tables) {
    b.push_back(uint8_t(kind));
    uleb(b, offset);
    uleb(b, content.size());
    offset += content.size();
  }
  for (const auto& t : tables) b.insert(b.end(), t.second.begin(), t.second.end());
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

// `module 0x1::M { fun f() { <code> } }` at v9 with an extra signature [u8] at index 1.
Bytes module_with_code(const Bytes& code, size_t instruction_count, const Bytes& signature = {0x01, 0x02}) {
  Bytes address(32, 0);
  address[31] = 1;
  Bytes sigs = {0x00};
  sigs.insert(sigs.end(), signature.begin(), signature.end());
  Bytes fdef = {0x00, 0x01, 0x00, 0x00, 0x00, uint8_t(instruction_count)};
  fdef.insert(fdef.end(), code.begin(), code.end());
  return assemble(9 | kAptosVersionMask,
                  {{TableType::ModuleHandles, {0x00, 0x00}},
                   {TableType::FunctionHandles, {0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00}},
                   {TableType::Signatures, sigs},
                   {TableType::Identifiers, {0x01, 'M', 0x01, 'f'}},
                   {TableType::AddressIdentifiers, address},
                   {TableType::FunctionDefs, fdef}},
                  {0x00});
}

TEST(Code, AssembledModuleRoundTrips) {
  Bytes b = module_with_code({uint8_t(Opcode::Ret)}, 1);
  auto m = deserialize_module(b);
  ASSERT_TRUE(m.ok()) << status_name(m.error().status) << " " << m.error().message;
  EXPECT_EQ(*serialize_module(*m), b);
}

TEST(Code, TruncatedImmediates) {
  struct Case {
    Opcode op;
    size_t width;
    StatusCode status;
  } cases[] = {{Opcode::LdU8, 1, StatusCode::MALFORMED},    {Opcode::LdU16, 2, StatusCode::BAD_U16},
               {Opcode::LdU32, 4, StatusCode::BAD_U32},     {Opcode::LdU64, 8, StatusCode::BAD_U64},
               {Opcode::LdU128, 16, StatusCode::BAD_U128},  {Opcode::LdU256, 32, StatusCode::BAD_U256},
               {Opcode::LdI8, 1, StatusCode::MALFORMED},    {Opcode::LdI64, 8, StatusCode::MALFORMED},
               {Opcode::LdI256, 32, StatusCode::MALFORMED}};
  for (const auto& c : cases) {
    Bytes full = {uint8_t(c.op)};
    full.insert(full.end(), c.width, 0x7F);
    full.push_back(uint8_t(Opcode::Ret));
    auto ok = deserialize_module(module_with_code(full, 2));
    ASSERT_TRUE(ok.ok()) << opcode_name(c.op);
    EXPECT_EQ(ok->function_defs[0].code->code[0].op, c.op);
    Bytes cut = {uint8_t(c.op)};
    cut.insert(cut.end(), c.width - 1, 0x7F);  // immediate one byte short, table ends
    EXPECT_EQ(status_of(module_with_code(cut, 1)), c.status) << opcode_name(c.op);
  }
  // VecPack's element count is a u64.
  Bytes vec = {uint8_t(Opcode::VecPack), 0x01, 1, 2, 3};
  EXPECT_EQ(status_of(module_with_code(vec, 1)), StatusCode::BAD_U64);
  // More instructions declared than present.
  EXPECT_EQ(status_of(module_with_code({uint8_t(Opcode::Ret)}, 2)), StatusCode::MALFORMED);
}

TEST(Code, EveryOpcodeRoundTrips) {
  // One instruction of every kind with distinctive operands; the codec must preserve all.
  CompiledModule m = tiny_module(10);
  std::vector<Instruction> code;
  for (unsigned b = 1; b <= kOpcodeMax; ++b) {
    Instruction ins;
    ins.op = Opcode(b);
    ins.index = uint16_t(b * 3);
    if (ins.op == Opcode::CopyLoc || ins.op == Opcode::StLoc) ins.index = 200;
    if (ins.op == Opcode::VecPack || ins.op == Opcode::VecUnpack) ins.value = 0x1122334455667788;
    if (ins.op == Opcode::PackClosure || ins.op == Opcode::PackClosureGeneric) ins.value = ~0ull;
    if (ins.op == Opcode::LdU8 || ins.op == Opcode::LdI8) ins.value = 0xFF;
    if (ins.op == Opcode::LdU16 || ins.op == Opcode::LdI16) ins.value = 0xBEEF;
    if (ins.op == Opcode::LdU32 || ins.op == Opcode::LdI32) ins.value = 0x80000001;
    if (ins.op == Opcode::LdU64 || ins.op == Opcode::LdI64) ins.value = 0x8000000000000001;
    if (ins.op == Opcode::LdU128 || ins.op == Opcode::LdI128 || ins.op == Opcode::LdU256 ||
        ins.op == Opcode::LdI256)
      for (size_t i = 0; i < (ins.op == Opcode::LdU128 || ins.op == Opcode::LdI128 ? 16u : 32u); ++i)
        ins.wide[i] = uint8_t(i + 1);
    if (internal_operand_is_none(ins.op)) ins.index = 0;
    code.push_back(ins);
  }
  m.function_defs[0].code->code = code;
  Bytes b = must_serialize(m);
  auto back = deserialize_module_unchecked(b);
  ASSERT_TRUE(back.ok()) << status_name(back.error().status) << " " << back.error().message;
  EXPECT_EQ(back->function_defs[0].code->code, code);
  EXPECT_EQ(*serialize_module(*back), b);
  // Bounds checking catches the dangling operands.
  EXPECT_EQ(status_of(b), StatusCode::INDEX_OUT_OF_BOUNDS);
  // The same code cannot be written at v8 (signed integers, AbortMsg).
  m.version = 8;
  EXPECT_FALSE(serialize_module(m).ok());
}

TEST(Signatures, DepthLimitAndUnknownTypes) {
  auto nested = [](size_t vectors) {
    Bytes sig = {0x01};
    sig.insert(sig.end(), vectors, uint8_t(TokenKind::Vector));
    sig.push_back(uint8_t(TokenKind::U8));
    return sig;
  };
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, nested(255))), StatusCode::EXECUTED);
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, nested(256))), StatusCode::MALFORMED);
  // A type nested deeper than the reader allows cannot be written either.
  auto m = deserialize_module(module_with_code({0x02}, 1, nested(255)));
  ASSERT_TRUE(m.ok());
  SignatureToken deeper = tok(TokenKind::Vector);
  deeper.children.push_back(m->signatures[1][0]);
  m->signatures[1][0] = deeper;
  EXPECT_FALSE(serialize_module(*m).ok());
  // Unknown type tags, and tags from a later version.
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x01, 0x17})), StatusCode::UNKNOWN_SERIALIZED_TYPE);
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x01, 0x00})), StatusCode::UNKNOWN_SERIALIZED_TYPE);
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x01, uint8_t(TokenKind::I128)})), StatusCode::EXECUTED);
  // Struct instantiation of arity 0, truncated signature.
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x01, 0x0B, 0x00, 0x00})), StatusCode::MALFORMED);
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x02, 0x02})), StatusCode::MALFORMED);
  // Type parameter index 65536: within Aptos's ULEB bound yet not a u16.
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x01, 0x09, 0x80, 0x80, 0x04})),
            StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  // Oversized counts: a signature of 256 types.
  EXPECT_EQ(status_of(module_with_code({0x02}, 1, {0x80, 0x02})), StatusCode::MALFORMED);
}

TEST(Bounds, IndexOutOfBounds) {
  CompiledModule m = tiny_module(6);
  m.function_defs[0].code->code = {Instruction{Opcode::Call, 5}, Instruction{Opcode::Ret}};
  auto r = deserialize_module(must_serialize(m));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, StatusCode::INDEX_OUT_OF_BOUNDS);
  EXPECT_EQ(uint64_t(StatusCode::INDEX_OUT_OF_BOUNDS), 1001u);
  ASSERT_EQ(r.error().offsets.size(), 1u);
  EXPECT_EQ(r.error().offsets[0], std::make_pair(uint16_t(0), uint16_t(0)));

  CompiledModule branch = tiny_module(6);
  branch.function_defs[0].code->code = {Instruction{Opcode::Branch, 2}, Instruction{Opcode::Ret}};
  auto rb = deserialize_module(must_serialize(branch));
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().status, StatusCode::INDEX_OUT_OF_BOUNDS);

  CompiledModule name = tiny_module(6);
  name.function_handles[0].name = 9;
  EXPECT_EQ(status_of(must_serialize(name)), StatusCode::INDEX_OUT_OF_BOUNDS);

  CompiledModule self = tiny_module(6);
  self.self_module_handle_idx = 1;
  EXPECT_EQ(status_of(must_serialize(self)), StatusCode::INDEX_OUT_OF_BOUNDS);

  CompiledModule none = tiny_module(6);
  none.module_handles.clear();
  auto rn = deserialize_module(must_serialize(none));
  EXPECT_EQ(rn.status(), StatusCode::NO_MODULE_HANDLES);
  EXPECT_EQ(uint64_t(StatusCode::NO_MODULE_HANDLES), 1068u);

  CompiledModule tp = tiny_module(6);
  tp.signatures.push_back({tok(TokenKind::TypeParameter, 0)});
  tp.function_handles[0].parameters = 1;  // uses T0 without declaring it
  EXPECT_EQ(status_of(must_serialize(tp)), StatusCode::INDEX_OUT_OF_BOUNDS);
  tp.function_handles[0].type_parameters = {kAbilityCopy};
  EXPECT_EQ(status_of(must_serialize(tp)), StatusCode::EXECUTED);

  CompiledModule locals = tiny_module(6);
  locals.function_defs[0].code->code = {Instruction{Opcode::CopyLoc, 0}, Instruction{Opcode::Ret}};
  EXPECT_EQ(status_of(must_serialize(locals)), StatusCode::INDEX_OUT_OF_BOUNDS);

  CompiledModule arity = tiny_module(6);
  arity.struct_handles.push_back(StructHandle{0, 0, 0, {{0, false}}});
  arity.signatures.push_back({tok(TokenKind::Struct, 0)});
  auto ra = deserialize_module(must_serialize(arity));
  EXPECT_EQ(ra.status(), StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
}

TEST(Bounds, EnumsNeedVariants) {
  CompiledModule m = tiny_module(7);
  m.struct_handles.push_back(StructHandle{0, 0, kAbilityDrop, {}});
  StructDefinition d;
  d.layout = StructLayout::DeclaredVariants;
  m.struct_defs.push_back(d);
  auto r = deserialize_module(must_serialize(m));
  EXPECT_EQ(r.status(), StatusCode::ZERO_VARIANTS_ERROR);
  EXPECT_EQ(uint64_t(StatusCode::ZERO_VARIANTS_ERROR), 1130u);
  // Enums cannot be written (or read) at v6.
  m.version = 6;
  EXPECT_FALSE(serialize_module(m).ok());
}

TEST(Functions, FlagsAndVisibility) {
  CompiledModule m = tiny_module(6);
  Bytes b = must_serialize(m);
  // function def table: fh=0, visibility=1, flags=0, acquires=0, locals=0, count=1, Ret.
  Bytes pattern = {0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02};
  auto it = std::search(b.begin(), b.end(), pattern.begin(), pattern.end());
  ASSERT_NE(it, b.end());
  Bytes bad = b;
  bad[size_t(it - b.begin()) + 2] = 0x08;  // undefined flag bit
  EXPECT_EQ(status_of(bad), StatusCode::INVALID_FLAG_BITS);
  bad = b;
  bad[size_t(it - b.begin()) + 1] = 0x02;  // deprecated script visibility is gone in v5+
  EXPECT_EQ(status_of(bad), StatusCode::MALFORMED);
  bad = b;
  bad[size_t(it - b.begin()) + 2] = 0x04;  // entry
  auto e = deserialize_module(bad);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->function_defs[0].is_entry);
}

TEST(Identifiers, Rules) {
  EXPECT_TRUE(is_valid_identifier("foo_bar1"));
  EXPECT_TRUE(is_valid_identifier("_x"));
  EXPECT_TRUE(is_valid_identifier("$x"));
  EXPECT_TRUE(is_valid_identifier("<SELF>"));
  EXPECT_FALSE(is_valid_identifier("_"));
  EXPECT_FALSE(is_valid_identifier("1a"));
  EXPECT_FALSE(is_valid_identifier(""));
  EXPECT_FALSE(is_valid_identifier("a-b"));
  CompiledModule m = tiny_module(8);
  m.identifiers[1] = "f$g";
  EXPECT_EQ(status_of(must_serialize(m)), StatusCode::MALFORMED);  // `$` needs v9
  m.version = 9;
  EXPECT_EQ(status_of(must_serialize(m)), StatusCode::EXECUTED);
}

TEST(Scripts, RoundTripAndModuleTablesRejected) {
  CompiledScript s;
  s.version = 8;
  s.signatures = {{}};
  s.code = CodeUnit{0, {Instruction{Opcode::Ret}}};
  s.access_specifiers = std::vector<AccessSpecifier>{};
  auto b = serialize_script(s);
  ASSERT_TRUE(b.ok());
  auto back = deserialize_script(*b);
  ASSERT_TRUE(back.ok()) << status_name(back.error().status);
  EXPECT_TRUE(*back == s);
  EXPECT_EQ(*serialize_script(*back), *b);
  // A module binary is not a script.
  auto as_script = deserialize_script(must_serialize(tiny_module(8)));
  EXPECT_FALSE(as_script.ok());
}

TEST(Hostile, RandomMutationsNeverCrash) {
  std::mt19937_64 rng(42);
  size_t loaded = 0, rejected = 0;
  const auto& mods = genuine_modules();
  for (int iter = 0; iter < 4000; ++iter) {
    const Bytes& src = mods[rng() % mods.size()].bytes;
    Bytes b = src;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % b.size();
      switch (rng() % 3) {
        case 0: b[pos] = uint8_t(rng()); break;
        case 1: b.erase(b.begin() + pos); break;
        default: b.insert(b.begin() + pos, uint8_t(rng())); break;
      }
      if (b.empty()) break;
    }
    auto m = deserialize_module(b);
    if (!m.ok()) {
      ++rejected;
      EXPECT_NE(status_name(m.error().status), "UNKNOWN_STATUS");
      continue;
    }
    ++loaded;
    auto out = serialize_module(*m);
    ASSERT_TRUE(out.ok());
    auto again = deserialize_module(*out);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *m);
  }
  EXPECT_GT(rejected, 0u);
  std::cout << loaded << " mutants loaded, " << rejected << " rejected\n";
}

// Hand-made binaries for each version the reader accepts (1..9 here; 10 is covered above):
// the directory and content rules do not depend on the version.
TEST(Header, MalformedSimpleEveryVersion) {
  auto head = [](uint32_t version) {
    Bytes b(kMoveMagic.begin(), kMoveMagic.end());
    for (int i = 0; i < 4; ++i) b.push_back(uint8_t(version >> (8 * i)));
    return b;
  };
  auto cat = [](Bytes b, std::initializer_list<uint8_t> tail, size_t zeros = 0) {
    b.insert(b.end(), tail);
    b.resize(b.size() + zeros, 0);
    return b;
  };
  auto module_status = [](const Bytes& b) { return deserialize_module(b).status(); };
  auto script_status = [](const Bytes& b) { return deserialize_script(b).status(); };
  for (uint32_t v = 1; v < kVersionMax; ++v) {
    SCOPED_TRACE(v);
    Bytes h = head(v);
    EXPECT_EQ(script_status(cat(h, {150, 150, 1})), StatusCode::MALFORMED);  // count > 255
    EXPECT_EQ(script_status(cat(h, {150, 150, 150, 150, 150, 150, 150, 150, 150, 150, 150, 0})),
              StatusCode::MALFORMED);                                        // ULEB too long
    EXPECT_EQ(module_status(cat(h, {0})), StatusCode::MALFORMED);            // no self index
    EXPECT_EQ(module_status(cat(h, {10})), StatusCode::MALFORMED);           // headers missing
    EXPECT_EQ(script_status(cat(h, {1, 1, 0, 10})), StatusCode::MALFORMED);  // content missing
    EXPECT_EQ(module_status(cat(h, {1, 1, 100, 10})), StatusCode::BAD_HEADER_TABLE);
    EXPECT_EQ(module_status(cat(h, {2, 1, 0, 10, 2, 100, 10}, 5000)), StatusCode::BAD_HEADER_TABLE);
    EXPECT_EQ(script_status(cat(h, {1, 1, 0, 10}, 5)), StatusCode::MALFORMED);  // short content
    EXPECT_EQ(module_status(cat(h, {1, 100, 0, 10}, 10)), StatusCode::UNKNOWN_TABLE_TYPE);
    EXPECT_EQ(script_status(cat(h, {3, 1, 0, 10, 2, 10, 10, 1, 20, 10}, 5000)),
              StatusCode::DUPLICATE_TABLE);
    // A field-handle table cannot appear in a script.
    EXPECT_EQ(script_status(cat(h, {1, 0xD, 0, 10}, 5000)), StatusCode::MALFORMED);
  }
  EXPECT_EQ(script_status({}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(script_status({0, 0, 0}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(script_status({0, 0, 0, 0}), StatusCode::BAD_MAGIC);
  EXPECT_EQ(script_status(Bytes(kMoveMagic.begin(), kMoveMagic.end())), StatusCode::MALFORMED);
  EXPECT_EQ(script_status(cat(head(kVersionMax + 1), {10, 0})), StatusCode::UNKNOWN_VERSION);
  DeserializerConfig lower{kVersionMax - 1, kLegacyIdentifierSizeMax};
  EXPECT_EQ(deserialize_script(cat(head(kVersionMax), {10, 0}), lower).status(),
            StatusCode::UNKNOWN_VERSION);
}

TEST(Identifiers, LengthLimitIsConfigurable) {
  // `module 0x1::M { fun fff...f() }` with a 256-byte function name, one over the limit.
  auto with_name_length = [](size_t n) {
    Bytes address(32, 0);
    address[31] = 1;
    Bytes idents = {0x01, 'M'};
    idents.push_back(uint8_t(0x80 | (n & 0x7F)));
    idents.push_back(uint8_t(n >> 7));
    idents.resize(idents.size() + n, 'f');
    return assemble(9 | kAptosVersionMask,
                    {{TableType::ModuleHandles, {0x00, 0x00}},
                     {TableType::FunctionHandles, {0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00}},
                     {TableType::Signatures, {0x00}},
                     {TableType::Identifiers, idents},
                     {TableType::AddressIdentifiers, address},
                     {TableType::FunctionDefs, {0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02}}},
                    {0x00});
  };
  EXPECT_EQ(status_of(with_name_length(255)), StatusCode::EXECUTED);
  Bytes b = with_name_length(256);
  EXPECT_EQ(status_of(b), StatusCode::MALFORMED);
  EXPECT_TRUE(deserialize_module(b, DeserializerConfig{kVersionMax, kLegacyIdentifierSizeMax}).ok());
  EXPECT_TRUE(deserialize_module_unchecked(b).ok());
}
