// The bytecode verifier pass by pass: statuses, indices and offsets as Aptos reports them, and a
// final verdict (`complete`) for every unit.
#include <gtest/gtest.h>

#include "movevm/tests/test_util.hpp"

#include <filesystem>
#include <fstream>

#include "movevm/verifier.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

// `module 0x1::M { public fun f() { return } }`
CompiledModule module_m() { return test_util::tiny_module(); }

std::pair<IndexKind, uint16_t> first_index(const VerificationResult& r) {
  EXPECT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->indices.size(), 1u);
  return r.error->indices.at(0);
}

}  // namespace

TEST(Verifier, BorrowingModuleIsVerifiedCompletely) {
  // A function that borrows a local and drops the reference: reference safety accepts it.
  CompiledModule m = module_m();
  m.signatures = {{}, {SignatureToken{TokenKind::U64}}};
  m.function_defs[0].code = CodeUnit{1, {Instruction{Opcode::LdU64, 0, 1}, Instruction{Opcode::StLoc, 0},
                                         Instruction{Opcode::ImmBorrowLoc, 0}, Instruction{Opcode::Pop},
                                         Instruction{Opcode::Ret}}};
  auto r = verify_module(m);
  EXPECT_FALSE(r.error.has_value());
  EXPECT_TRUE(r.complete);
}

TEST(Verifier, BoundsFailuresComeFirstAndAreUnlocated) {
  CompiledModule m = module_m();
  m.function_handles[0].name = 7;
  auto r = verify_module(m);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::INDEX_OUT_OF_BOUNDS);
  EXPECT_FALSE(r.located_in_unit);
}

TEST(Verifier, Duplicates) {
  CompiledModule m = module_m();
  m.identifiers.push_back("M");
  auto r = verify_module(m);
  EXPECT_EQ(r.error->status, StatusCode::DUPLICATE_ELEMENT);
  EXPECT_EQ(first_index(r), std::make_pair(IndexKind::Identifier, uint16_t(2)));
  EXPECT_TRUE(r.located_in_unit);

  m = module_m();
  m.signatures.push_back({});
  EXPECT_EQ(first_index(verify_module(m)), std::make_pair(IndexKind::Signature, uint16_t(1)));

  m = module_m();
  m.function_defs.push_back(m.function_defs[0]);  // two definitions of one handle
  EXPECT_EQ(first_index(verify_module(m)), std::make_pair(IndexKind::FunctionDefinition, uint16_t(1)));

  m = module_m();
  m.function_defs[0].acquires_global_resources = {0, 0};
  m.struct_handles.push_back(StructHandle{0, 0, kAbilityKey, {}});
  StructDefinition sd;
  sd.fields.push_back(FieldDefinition{1, SignatureToken{}});
  m.struct_defs.push_back(sd);
  auto acquires = verify_module(m);
  EXPECT_EQ(acquires.error->status, StatusCode::DUPLICATE_ACQUIRES_ANNOTATION);
}

TEST(Verifier, DefinitionsMustCoverSelfHandles) {
  CompiledModule m = module_m();
  FunctionHandle extra;
  extra.name = 0;  // another function of this module, never defined
  m.function_handles.push_back(extra);
  auto r = verify_module(m);
  EXPECT_EQ(r.error->status, StatusCode::UNIMPLEMENTED_HANDLE);
  EXPECT_EQ(first_index(r), std::make_pair(IndexKind::FunctionHandle, uint16_t(1)));

  m = module_m();
  m.struct_handles.push_back(StructHandle{0, 0, 0, {}});
  m.struct_defs.push_back(StructDefinition{});  // declared struct without fields
  auto z = verify_module(m);
  EXPECT_EQ(z.error->status, StatusCode::ZERO_SIZED_STRUCT);
  EXPECT_EQ(first_index(z), std::make_pair(IndexKind::StructDefinition, uint16_t(0)));
}

TEST(Verifier, ProductionLimits) {
  CompiledModule m = module_m();
  m.function_handles[0].type_parameters.assign(33, 0);
  EXPECT_FALSE(verify_module(m).error.has_value());  // default config: unlimited
  auto r = verify_module(m, VerifierConfig::production());
  EXPECT_EQ(r.error->status, StatusCode::TOO_MANY_TYPE_PARAMETERS);
  EXPECT_EQ(first_index(r), std::make_pair(IndexKind::FunctionHandle, uint16_t(0)));

  m = module_m();
  SignatureToken deep;
  deep.kind = TokenKind::U8;
  for (int i = 0; i < 25; ++i) {
    SignatureToken v;
    v.kind = TokenKind::Vector;
    v.children.push_back(deep);
    deep = v;
  }
  m.signatures.push_back({deep});
  EXPECT_EQ(verify_module(m, VerifierConfig::production()).error->status, StatusCode::TOO_MANY_TYPE_NODES);
}

TEST(Verifier, CodeUnitControlFlowAndStackUsage) {
  CompiledModule m = module_m();
  m.function_defs[0].code->code = {Instruction{Opcode::LdTrue}};  // falls off the end
  auto r = verify_module(m);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::INVALID_FALL_THROUGH);
  EXPECT_EQ(r.error->offsets, (std::vector<std::pair<uint16_t, uint16_t>>{{0, 0}}));
  EXPECT_EQ(first_index(r), std::make_pair(IndexKind::FunctionDefinition, uint16_t(0)));

  m.function_defs[0].code->code = {Instruction{Opcode::LdTrue}, Instruction{Opcode::Ret}};  // leftover value
  EXPECT_EQ(verify_module(m).error->status, StatusCode::POSITIVE_STACK_SIZE_AT_BLOCK_END);

  m.function_defs[0].code->code = {Instruction{Opcode::Pop}, Instruction{Opcode::Ret}};  // pops nothing
  EXPECT_EQ(verify_module(m).error->status, StatusCode::NEGATIVE_STACK_SIZE_WITHIN_BLOCK);

  m.function_defs[0].code->code.clear();
  EXPECT_EQ(verify_module(m).error->status, StatusCode::EMPTY_CODE_UNIT);

  // A module without functions has nothing left to verify.
  CompiledModule s = module_m();
  s.function_defs.clear();
  s.function_handles.clear();
  s.identifiers.pop_back();
  auto v = verify_module(s);
  EXPECT_FALSE(v.error.has_value());
  EXPECT_TRUE(v.complete);
}

TEST(Verifier, TypeSafety) {
  CompiledModule m = module_m();
  auto status_at = [&](std::vector<Instruction> code) {
    m.function_defs[0].code->code = std::move(code);
    auto r = verify_module(m);
    EXPECT_TRUE(r.complete);
    return r.error ? std::make_pair(r.error->status, r.error->offsets.at(0).second)
                   : std::make_pair(StatusCode::EXECUTED, uint16_t(0));
  };
  using P = std::pair<StatusCode, uint16_t>;
  Instruction one{Opcode::LdU64, 0, 1};
  EXPECT_EQ(status_at({Instruction{Opcode::LdTrue}, one, Instruction{Opcode::Add}, Instruction{Opcode::Pop},
                       Instruction{Opcode::Ret}}),
            P(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR, 2));
  EXPECT_EQ(status_at({one, Instruction{Opcode::BrTrue, 2}, Instruction{Opcode::Ret}}),
            P(StatusCode::BR_TYPE_MISMATCH_ERROR, 1));
  EXPECT_EQ(status_at({Instruction{Opcode::LdTrue}, Instruction{Opcode::Abort}}),
            P(StatusCode::ABORT_TYPE_MISMATCH_ERROR, 1));
  EXPECT_EQ(status_at({one, Instruction{Opcode::FreezeRef}, Instruction{Opcode::Pop}, Instruction{Opcode::Ret}}),
            P(StatusCode::FREEZEREF_TYPE_MISMATCH_ERROR, 1));
  // Well typed and reference-free: verified.
  EXPECT_EQ(status_at({one, one, Instruction{Opcode::Lt}, Instruction{Opcode::Pop}, Instruction{Opcode::Ret}}),
            P(StatusCode::EXECUTED, 0));

  // A local of type u64 written with a bool; a signer local cannot be copied.
  m.signatures = {{}, {SignatureToken{TokenKind::U64}}, {SignatureToken{TokenKind::Signer}}};
  m.function_defs[0].code->locals = 1;
  EXPECT_EQ(status_at({Instruction{Opcode::LdFalse}, Instruction{Opcode::StLoc, 0}, Instruction{Opcode::Ret}}),
            P(StatusCode::STLOC_TYPE_MISMATCH_ERROR, 1));
  m.function_defs[0].code->locals = 2;
  EXPECT_EQ(status_at({Instruction{Opcode::CopyLoc, 0}, Instruction{Opcode::Pop}, Instruction{Opcode::Ret}}),
            P(StatusCode::COPYLOC_WITHOUT_COPY_ABILITY, 0));
}

TEST(Verifier, LocalsSafety) {
  CompiledModule m = module_m();
  // One u64 local and one signer local (no copy, drop only).
  m.signatures = {{}, {SignatureToken{TokenKind::U64}, SignatureToken{TokenKind::Signer}}};
  m.function_defs[0].code->locals = 1;
  auto status_at = [&](std::vector<Instruction> code) {
    m.function_defs[0].code->code = std::move(code);
    auto r = verify_module(m);
    EXPECT_TRUE(r.complete);
    return r.error ? std::make_pair(r.error->status, r.error->offsets.at(0).second)
                   : std::make_pair(StatusCode::EXECUTED, uint16_t(0));
  };
  using P = std::pair<StatusCode, uint16_t>;
  Instruction one{Opcode::LdU64, 0, 1};
  EXPECT_EQ(status_at({Instruction{Opcode::CopyLoc, 0}, Instruction{Opcode::Pop}, Instruction{Opcode::Ret}}),
            P(StatusCode::COPYLOC_UNAVAILABLE_ERROR, 0));
  EXPECT_EQ(status_at({one, Instruction{Opcode::StLoc, 0}, Instruction{Opcode::MoveLoc, 0}, Instruction{Opcode::Pop},
                       Instruction{Opcode::MoveLoc, 0}, Instruction{Opcode::Pop}, Instruction{Opcode::Ret}}),
            P(StatusCode::MOVELOC_UNAVAILABLE_ERROR, 4));
  // Assigned on one path only: MaybeAvailable after the join at offset 5.
  EXPECT_EQ(status_at({Instruction{Opcode::LdTrue}, Instruction{Opcode::BrFalse, 5}, one, Instruction{Opcode::StLoc, 0},
                       Instruction{Opcode::Branch, 5}, Instruction{Opcode::ImmBorrowLoc, 0}, Instruction{Opcode::Pop},
                       Instruction{Opcode::Ret}}),
            P(StatusCode::BORROWLOC_UNAVAILABLE_ERROR, 5));
  // Well formed and reference-free: verified.
  EXPECT_EQ(status_at({one, Instruction{Opcode::StLoc, 0}, Instruction{Opcode::CopyLoc, 0}, Instruction{Opcode::Pop},
                       Instruction{Opcode::Ret}}),
            P(StatusCode::EXECUTED, 0));
}

TEST(Verifier, LaterFunctionsAfterCleanOnesAndAcquires) {
  // f is reference-free and clean, so an error in g (the second function) gets a verdict.
  CompiledModule m = module_m();
  m.identifiers.push_back("g");
  FunctionHandle g;
  g.name = 2;
  m.function_handles.push_back(g);
  FunctionDefinition gd;
  gd.function = 1;
  gd.code = CodeUnit{0, {Instruction{Opcode::LdTrue}, Instruction{Opcode::Abort}}};
  m.function_defs.push_back(gd);
  auto r = verify_module(m);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::ABORT_TYPE_MISMATCH_ERROR);
  EXPECT_EQ(r.error->offsets, (std::vector<std::pair<uint16_t, uint16_t>>{{1, 1}}));
  EXPECT_EQ(first_index(r), std::make_pair(IndexKind::FunctionDefinition, uint16_t(1)));

  // f borrows a local: reference safety judges f clean, so g's error is still the verdict.
  m.signatures = {{}, {SignatureToken{TokenKind::U64}}};
  m.function_defs[0].code = CodeUnit{1, {Instruction{Opcode::LdU64, 0, 1}, Instruction{Opcode::StLoc, 0},
                                         Instruction{Opcode::ImmBorrowLoc, 0}, Instruction{Opcode::Pop},
                                         Instruction{Opcode::Ret}}};
  auto r2 = verify_module(m);
  ASSERT_TRUE(r2.error);
  EXPECT_EQ(r2.error->status, StatusCode::ABORT_TYPE_MISMATCH_ERROR);

  // An acquires annotation on a function that acquires nothing.
  CompiledModule a = module_m();
  a.identifiers.push_back("R");
  StructHandle sh;
  sh.name = 2;
  sh.abilities = kAbilityKey;
  a.struct_handles = {sh};
  StructDefinition sd;
  sd.fields = {FieldDefinition{0, SignatureToken{TokenKind::Bool}}};
  a.struct_defs = {sd};
  a.function_defs[0].acquires_global_resources = {0};
  auto e = verify_module(a);
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->status, StatusCode::EXTRANEOUS_ACQUIRES_ANNOTATION);
}

TEST(Verifier, CleanModulesAreComplete) {
  // module_m's only function is clean, and v6 has no script-signature checks.
  auto r = verify_module(module_m());
  EXPECT_FALSE(r.error.has_value());
  EXPECT_TRUE(r.complete);
  CompiledModule n = module_m();
  n.function_defs[0].code.reset();  // natives have no code to verify (the loader resolves them)
  EXPECT_TRUE(verify_module(n).complete);
}

TEST(Verifier, GenuineFrameworkModulesPass) {
  // Every module Aptos published at genesis passed Aptos's verifier (with the chain's
  // configuration), so none may fail ours, and every one gets a final verdict (v5..v10).
  namespace fs = std::filesystem;
  fs::path root = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  size_t verified = 0, complete = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path() / "modules")) {
      if (f.path().extension() != ".mv") continue;
      std::ifstream in(f.path(), std::ios::binary);
      Bytes bytes(std::istreambuf_iterator<char>(in), {});
      auto m = deserialize_module(bytes);
      ASSERT_TRUE(m) << f.path();
      auto r = verify_module(*m, VerifierConfig::aptos_prod());
      EXPECT_TRUE(r.complete) << f.path();
      EXPECT_FALSE(r.error.has_value()) << f.path() << ": " << status_name(r.error->status) << " "
                                        << (r.error->offsets.empty() ? -1 : r.error->offsets[0].first) << ":"
                                        << (r.error->offsets.empty() ? -1 : r.error->offsets[0].second);
      ++verified;
      complete += r.complete;
    }
  }
  EXPECT_EQ(verified, 1141u);
  EXPECT_EQ(complete, verified);
  std::cout << verified << " genuine modules (v5..v10), " << complete << " verified completely\n";
}

TEST(Verifier, MutatedGenuineModulesGetVerdictsWithoutCrashing) {
  // The fuzz target's instruction-level mutations, deterministic: every genuine module with one
  // opcode swap, operand shift, deletion and duplication each. Nothing may crash, every unit
  // that passes bounds checking gets a final verdict, and some mutants must be rejected by the
  // code-unit passes (the mutations reach them).
  namespace fs = std::filesystem;
  fs::path root = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "aptos-genesis";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  uint64_t seed = 42;
  size_t mutants = 0, rejected_in_code = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path() / "modules")) {
      if (f.path().extension() != ".mv") continue;
      std::ifstream in(f.path(), std::ios::binary);
      Bytes bytes(std::istreambuf_iterator<char>(in), {});
      auto m = deserialize_module(bytes);
      ASSERT_TRUE(m) << f.path();
      for (int kind = 0; kind < 4; ++kind) {
        CompiledModule x = *m;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        if (x.function_defs.empty()) break;
        auto& fd = x.function_defs[(seed >> 33) % x.function_defs.size()];
        if (!fd.code || fd.code->code.empty()) continue;
        auto& code = fd.code->code;
        size_t at = (seed >> 17) % code.size();
        switch (kind) {
          case 0: code[at].op = Opcode(1 + (seed >> 40) % kOpcodeMax); break;
          case 1: code[at].index = uint16_t(code[at].index + 1); break;
          case 2: code.erase(code.begin() + long(at)); break;
          default: code.insert(code.begin() + long(at), code[at]); break;
        }
        auto r = verify_module(x, VerifierConfig::aptos_prod());
        EXPECT_TRUE(r.complete) << f.path() << " mutation " << kind;
        ++mutants;
        rejected_in_code += r.error && !r.error->offsets.empty();
      }
    }
  }
  EXPECT_GT(mutants, 3000u);
  EXPECT_GT(rejected_in_code, mutants / 4);
  std::cout << mutants << " mutants, " << rejected_in_code << " rejected at a code offset\n";
}
