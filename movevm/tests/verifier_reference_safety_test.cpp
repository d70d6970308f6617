// Reference safety, control flow (reducibility, v5 loops, limits), the complexity meter, the
// struct-API code shapes and v8+ type safety: one case per rule, modules compiled from Move IR
// where the IR can express them and built by hand otherwise.
#include <gtest/gtest.h>

#include "movevm/ir.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/tests/test_util.hpp"
#include "movevm/verifier.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

// (status, code offset) of verifying the module; EXECUTED when it verifies.
std::pair<StatusCode, int> verdict(const CompiledModule& m, const VerifierConfig& c = {}) {
  auto r = verify_module(m, c);
  EXPECT_TRUE(r.complete);
  if (!r.error) return {StatusCode::EXECUTED, -1};
  return {r.error->status, r.error->offsets.empty() ? -1 : int(r.error->offsets[0].second)};
}

CompiledModule compile(const std::string& src) {
  auto parsed = ir::parse_module(src);
  EXPECT_TRUE(std::holds_alternative<ir::Module>(parsed)) << src;
  auto c = ir::compile_module(std::get<ir::Module>(parsed), {});
  EXPECT_TRUE(std::holds_alternative<CompiledModule>(c)) << std::get<ir::CompileError>(c).message;
  return std::get<CompiledModule>(c);
}

// One function `t` with the given locals and body in module 0x1.M (struct S { f: u64 }).
std::pair<StatusCode, int> check(const std::string& signature, const std::string& locals, const std::string& body) {
  return verdict(compile("module 0x1.M {\n struct S has key, drop { f: u64 }\n " + signature + " {\n" + locals +
                         "\n label b0:\n" + body + "\n }\n}"));
}

using P = std::pair<StatusCode, int>;

}  // namespace

TEST(ReferenceSafety, LocalsBorrowedMutablyCannotBeCopiedMovedOrReborrowed) {
  const char* locals = "let x: u64; let r: &mut u64; let i: &u64;";
  // x = 0 (0,1); r = &mut x (2,3); then the access at offset 4.
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; _ = copy(x); return;"),
            P(StatusCode::COPYLOC_EXISTS_BORROW_ERROR, 4));
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; _ = move(x); return;"),
            P(StatusCode::MOVELOC_EXISTS_BORROW_ERROR, 4));
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; i = &x; return;"),
            P(StatusCode::BORROWLOC_EXISTS_BORROW_ERROR, 4));
  // Overwriting a borrowed local destroys the borrowed value.
  EXPECT_EQ(check("t()", locals, "x = 0; i = &x; x = 1; return;"), P(StatusCode::STLOC_UNSAFE_TO_DESTROY_ERROR, 5));
  // Releasing the reference first makes every access fine.
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; *move(r) = 1; _ = copy(x); return;"), P(StatusCode::EXECUTED, -1));
  // An immutable borrow allows copies.
  EXPECT_EQ(check("t()", locals, "x = 0; i = &x; _ = copy(x); _ = move(i); return;"), P(StatusCode::EXECUTED, -1));
}

TEST(ReferenceSafety, CopiesOfAMutableReferenceBlockWritesAndReads) {
  const char* locals = "let x: u64; let r: &mut u64; let r2: &mut u64;";
  // x = 0; r = &mut x; r2 = copy(r) (4,5); then 1 (6), move(r) (7), WriteRef (8).
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; r2 = copy(r); *move(r) = 1; _ = move(r2); return;"),
            P(StatusCode::WRITEREF_EXISTS_BORROW_ERROR, 8));
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; r2 = copy(r); _ = *move(r); _ = move(r2); return;"),
            P(StatusCode::READREF_EXISTS_MUTABLE_BORROW_ERROR, 7));
  EXPECT_EQ(check("t()", locals, "x = 0; r = &mut x; r2 = copy(r); _ = freeze(move(r)); _ = move(r2); return;"),
            P(StatusCode::FREEZEREF_EXISTS_MUTABLE_BORROW_ERROR, 7));
}

TEST(ReferenceSafety, ReturnsAndCalls) {
  // A reference to a local cannot outlive the frame.
  EXPECT_EQ(check("t(): &u64", "let x: u64;", "x = 0; return &x;"),
            P(StatusCode::UNSAFE_RET_LOCAL_OR_RESOURCE_STILL_BORROWED, 3));
  // A mutable reference with a live copy cannot be returned or passed.
  EXPECT_EQ(check("t(p: &mut u64): &mut u64", "let c: &mut u64;", "c = copy(p); _ = move(c); return move(p);"),
            P(StatusCode::EXECUTED, -1));
  EXPECT_EQ(verdict(compile(R"(module 0x1.M {
    g(a: &mut u64, b: &mut u64) { label b0: return; }
    t(p: &mut u64) {
        let c: &mut u64;
    label b0:
        c = copy(p);
        Self.g(copy(p), move(c));
        _ = move(p);
        return;
    }
})")),
            P(StatusCode::CALL_BORROWED_MUTABLE_REFERENCE_ERROR, 4));
}

TEST(ReferenceSafety, GlobalsAndFields) {
  // Two live mutable borrows of one resource.
  EXPECT_EQ(check("t(a: address) acquires S", "let r1: &mut Self.S; let r2: &mut Self.S;",
                  "r1 = borrow_global_mut<S>(copy(a)); r2 = borrow_global_mut<S>(copy(a)); return;"),
            P(StatusCode::GLOBAL_REFERENCE_ERROR, 4));
  // A field borrowed mutably blocks an immutable borrow of the same field.
  EXPECT_EQ(check("t(s: &mut Self.S)", "let f: &mut u64; let g: &u64;",
                  "f = &mut copy(s).S::f; g = &copy(s).S::f; _ = move(s); return;"),
            P(StatusCode::BORROWFIELD_EXISTS_MUTABLE_BORROW_ERROR, 4));
}

TEST(ReferenceSafety, JoinsAtLoopHeads) {
  // A reference re-assigned inside a loop: the join keeps the borrow graph bounded and clean.
  EXPECT_EQ(check("t(p: &mut u64)", "let i: u64; let r: &mut u64;",
                  "i = 0; r = copy(p); _ = move(r); jump b1;\n label b1:\n r = copy(p); *move(r) = 1; i = copy(i) + 1; "
                  "jump_if (copy(i) < 10) b1;\n label b2:\n _ = move(p); return;"),
            P(StatusCode::EXECUTED, -1));
}

TEST(ControlFlow, IrreducibleLoopsAreSplitAtTheOffendingBlock) {
  CompiledModule m = test_util::tiny_module();
  // Blocks [0,1] -> 2 | 4; [2] -> 6; [4,5] -> 6; [6] -> 4: the loop {4, 6} is entered at 4
  // from block 0 and at 6 from block 2. Aptos's DFS reaches 4 first (the last successor is
  // explored first), so block 2 is the predecessor outside the loop head's subtree.
  Instruction t{Opcode::LdTrue};
  m.function_defs[0].code->code = {t, Instruction{Opcode::BrTrue, 4}, Instruction{Opcode::Branch, 6},
                                   Instruction{Opcode::Ret}, t, Instruction{Opcode::BrTrue, 6},
                                   Instruction{Opcode::Branch, 4}, Instruction{Opcode::Nop}, Instruction{Opcode::Ret}};
  EXPECT_EQ(verdict(m), P(StatusCode::INVALID_LOOP_SPLIT, 2));
  // Entered only through its head, the same loop is reducible.
  m.function_defs[0].code->code[2] = Instruction{Opcode::Branch, 4};
  EXPECT_EQ(verdict(m).first, StatusCode::EXECUTED);
}

TEST(ControlFlow, LoopDepthAndBlockLimits) {
  CompiledModule m = test_util::tiny_module();
  // Six nested self-loops: 0: LdFalse 1: BrTrue 0 ... each level one deeper.
  std::vector<Instruction> code;
  for (int i = 0; i < 6; ++i) code.push_back(Instruction{Opcode::Nop});
  for (int i = 5; i >= 0; --i) {
    code.push_back(Instruction{Opcode::LdFalse});
    code.push_back(Instruction{Opcode::BrTrue, uint16_t(i)});
  }
  code.push_back(Instruction{Opcode::Ret});
  m.function_defs[0].code->code = code;
  EXPECT_EQ(verdict(m).first, StatusCode::EXECUTED);  // no depth limit by default
  EXPECT_EQ(verdict(m, VerifierConfig::production()).first, StatusCode::LOOP_MAX_DEPTH_REACHED);
  VerifierConfig few;
  few.max_basic_blocks = 3;
  EXPECT_EQ(verdict(m, few), P(StatusCode::TOO_MANY_BASIC_BLOCKS, 0));
  VerifierConfig back;
  back.max_back_edges_per_function = 5;
  EXPECT_EQ(verdict(m, back), P(StatusCode::TOO_MANY_BACK_EDGES, 0));
}

TEST(ControlFlow, Version5StructuredLoops) {
  CompiledModule m = test_util::tiny_module(5);
  Instruction f{Opcode::LdFalse};
  // Loops [1, 3] and [2, 4] overlap: the continue at 3 jumps to 1 while the innermost open
  // loop is the one headed at 2.
  m.function_defs[0].code->code = {Instruction{Opcode::Nop}, Instruction{Opcode::Nop}, f,
                                   Instruction{Opcode::BrTrue, 1}, Instruction{Opcode::Branch, 2},
                                   Instruction{Opcode::Ret}};
  EXPECT_EQ(verdict(m), P(StatusCode::INVALID_LOOP_CONTINUE, 3));
  // A break that does not land right after the loop's last continue.
  m.function_defs[0].code->code = {Instruction{Opcode::Nop}, f, Instruction{Opcode::BrTrue, 6}, f,
                                   Instruction{Opcode::BrTrue, 0}, Instruction{Opcode::Nop}, Instruction{Opcode::Ret}};
  EXPECT_EQ(verdict(m), P(StatusCode::INVALID_LOOP_BREAK, 2));
  // A forward jump into the middle of a loop.
  m.function_defs[0].code->code = {f, Instruction{Opcode::BrTrue, 3}, Instruction{Opcode::Nop},
                                   Instruction{Opcode::Nop}, f, Instruction{Opcode::BrTrue, 2},
                                   Instruction{Opcode::Ret}};
  EXPECT_EQ(verdict(m), P(StatusCode::INVALID_LOOP_SPLIT, 1));
  // A well-nested loop passes.
  m.function_defs[0].code->code = {Instruction{Opcode::Nop}, f, Instruction{Opcode::BrTrue, 0},
                                   Instruction{Opcode::Ret}};
  EXPECT_EQ(verdict(m).first, StatusCode::EXECUTED);
}

TEST(Meter, ChargesReferenceAndTypeSafety) {
  CompiledModule m = compile(R"(module 0x1.M {
    t(p: &mut u64) {
        let i: u64;
    label b0:
        i = 0;
        jump b1;
    label b1:
        *copy(p) = copy(i);
        i = copy(i) + 1;
        jump_if (copy(i) < 10) b1;
    label b2:
        _ = move(p);
        return;
    }
})");
  EXPECT_EQ(verdict(m, VerifierConfig::production()).first, StatusCode::EXECUTED);
  VerifierConfig tiny;
  tiny.max_per_fun_meter_units = 200;
  auto r = verify_module(m, tiny);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::CONSTRAINT_NOT_SATISFIED);
  EXPECT_NE(r.error->message.find("program too complex"), std::string::npos);
}

TEST(StructApi, AttributedFunctionsMustHaveTheirShape) {
  CompiledModule m = test_util::tiny_module(10);
  m.function_handles[0].attributes = {FunctionAttribute{FunctionAttributeKind::Unpack, 0}};
  auto r = verify_module(m);  // body is just `Ret`, not MoveLoc; Unpack; Ret
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, StatusCode::INVALID_STRUCT_API_CODE);
  EXPECT_EQ(r.error->indices, (std::vector<std::pair<IndexKind, uint16_t>>{{IndexKind::FunctionDefinition, 0}}));
  m.function_handles[0].attributes.clear();
  EXPECT_FALSE(verify_module(m).error);
}

TEST(TypeSafetyV8, SignedIntegersClosuresAndAbortMsg) {
  CompiledModule m = test_util::tiny_module(10);
  auto run = [&](std::vector<Instruction> code) { m.function_defs[0].code->code = std::move(code); return verdict(m); };
  Instruction ret{Opcode::Ret}, pop{Opcode::Pop};
  Instruction i64{Opcode::LdI64, 0, uint64_t(-5)}, u64{Opcode::LdU64, 0, 5};
  EXPECT_EQ(run({i64, i64, Instruction{Opcode::Add}, Instruction{Opcode::Negate}, pop, ret}), P(StatusCode::EXECUTED, -1));
  EXPECT_EQ(run({u64, Instruction{Opcode::Negate}, pop, ret}), P(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR, 1));
  EXPECT_EQ(run({i64, i64, Instruction{Opcode::BitAnd}, pop, ret}), P(StatusCode::INTEGER_OP_TYPE_MISMATCH_ERROR, 2));
  EXPECT_EQ(run({i64, Instruction{Opcode::CastU8}, pop, ret}), P(StatusCode::EXECUTED, -1));
  // AbortMsg: u64 code below a vector<u8> message.
  m.signatures.push_back({SignatureToken{TokenKind::U8, 0, 0, 0, {}}});
  uint16_t u8sig = uint16_t(m.signatures.size() - 1);
  EXPECT_EQ(run({u64, Instruction{Opcode::VecPack, u8sig, 0}, Instruction{Opcode::AbortMsg}}), P(StatusCode::EXECUTED, -1));
  EXPECT_EQ(run({Instruction{Opcode::VecPack, u8sig, 0}, u64, Instruction{Opcode::AbortMsg}}),
            P(StatusCode::ABORT_TYPE_MISMATCH_ERROR, 2));

  // Closures over g(x: u64, y: bool): capture x (mask 1) gives |bool| with copy+drop; calling it
  // through a |bool| with fewer abilities is allowed, capturing a bool for x is not.
  m.identifiers.push_back("g");
  m.signatures.push_back({SignatureToken{TokenKind::U64, 0, 0, 0, {}}, SignatureToken{TokenKind::Bool, 0, 0, 0, {}}});
  FunctionHandle g;
  g.name = uint16_t(m.identifiers.size() - 1);
  g.parameters = uint16_t(m.signatures.size() - 1);
  m.function_handles.push_back(g);
  FunctionDefinition gd;
  gd.function = 1;
  gd.code = CodeUnit{0, {ret}};
  m.function_defs.push_back(gd);
  SignatureToken fn{TokenKind::Function, 0, kAbilityDrop, 1, {SignatureToken{TokenKind::Bool, 0, 0, 0, {}}}};
  m.signatures.push_back({fn});
  uint16_t fnsig = uint16_t(m.signatures.size() - 1);
  Instruction pack{Opcode::PackClosure, 1, 1}, t{Opcode::LdTrue};
  EXPECT_EQ(run({t, u64, pack, Instruction{Opcode::CallClosure, fnsig}, ret}), P(StatusCode::EXECUTED, -1));
  EXPECT_EQ(run({t, pack, pop, ret}), P(StatusCode::PACK_TYPE_MISMATCH_ERROR, 1));
  // A |bool| requiring `store` cannot be satisfied by a private function's closure.
  m.signatures[fnsig][0].abilities = kAbilityDrop | kAbilityStore;
  EXPECT_EQ(run({t, u64, pack, Instruction{Opcode::CallClosure, fnsig}, ret}),
            P(StatusCode::CALL_TYPE_MISMATCH_ERROR, 3));
}

TEST(Scripts, ModuleOnlyInstructionsAreRefused) {
  // A script has no struct or field tables (and the bounds checker cannot check those
  // operands): the lookup fails as Aptos's resolver does, never reading a missing table.
  CompiledScript s;
  s.version = 6;
  s.signatures = {{}};
  for (Opcode op : {Opcode::Pack, Opcode::ImmBorrowField, Opcode::PackGeneric, Opcode::MutBorrowFieldGeneric,
                    Opcode::MoveToGeneric, Opcode::TestVariant}) {
    s.code.code = {Instruction{op, 7}, Instruction{Opcode::Ret}};
    auto r = verify_script(s);
    ASSERT_TRUE(r.error) << opcode_name(op);
    EXPECT_EQ(r.error->status, StatusCode::INVALID_OPERATION_IN_SCRIPT) << opcode_name(op);
    EXPECT_TRUE(r.complete);
  }
}

TEST(Scripts, LegacySignatureRulesBeforeV5) {
  // v4 scripts: signer parameters first, then only constant types (script_signature.rs).
  CompiledScript s;
  s.version = 4;
  SignatureToken signer{TokenKind::Signer, 0, 0, 0, {}}, u64{TokenKind::U64, 0, 0, 0, {}};
  s.signatures = {{}, {signer, u64}, {u64, signer}};
  s.code.code = {Instruction{Opcode::Ret}};
  s.parameters = 1;
  auto ok = verify_script(s);
  EXPECT_FALSE(ok.error);
  EXPECT_TRUE(ok.complete);
  s.parameters = 2;
  auto bad = verify_script(s);
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->status, StatusCode::INVALID_MAIN_FUNCTION_SIGNATURE);
  // From v5 on there are no additional checks.
  s.version = 5;
  EXPECT_FALSE(verify_script(s).error);
}
