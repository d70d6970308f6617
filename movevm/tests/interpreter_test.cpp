// Move interpreter: instruction families, aborts and limits with Aptos's statuses and
// locations, global storage and change sets, and runtime checks that catch hand-broken
// (unverified) bytecode instead of crashing.
#include <gtest/gtest.h>

#include "movevm/ir_compiler.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

using namespace lumio;
using namespace lumio::movevm;

namespace {

AccountAddress addr(uint64_t v) { return address_from_u64(v); }

using test_util::bcs_u64;

// A session over an empty state with the std core natives, plus the modules compiled so far.
struct Vm {
  EmptyStateView state;
  GasParameters native_gas{GasSchedule{}};  // unmetered runs: native costs are not read
  NativeRegistry natives;
  std::vector<std::shared_ptr<const CompiledModule>> modules;
  std::unique_ptr<Session> session;
  UnmeteredGasMeter gas;

  Vm() {
    EXPECT_FALSE(register_stdlib_natives(natives, native_gas));
    session = std::make_unique<Session>(state, natives);
    EXPECT_GT(test_util::v6_stdlib().size(), 50u);
    for (const auto& m : test_util::v6_stdlib()) {
      modules.push_back(m);
      session->loader().add_module(m);
    }
  }

  std::vector<const CompiledModule*> deps() const {
    std::vector<const CompiledModule*> r;
    for (const auto& m : modules) r.push_back(m.get());
    return r;
  }

  void publish(const std::string& src) {
    auto parsed = ir::parse_module(src);
    ASSERT_TRUE(std::holds_alternative<ir::Module>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    auto compiled = ir::compile_module(std::get<ir::Module>(parsed), deps());
    ASSERT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
    publish_compiled(std::get<CompiledModule>(compiled));
  }

  void publish_compiled(const CompiledModule& m) {
    auto shared = std::make_shared<const CompiledModule>(m);
    modules.push_back(shared);
    auto bytes = serialize_module(m);
    session->publish_module(shared, bytes ? *bytes : Bytes{});
  }

  Outcome<ExecutionResult> script(const std::string& src, std::vector<AccountAddress> signers = {},
                                  std::vector<Bytes> args = {}, std::vector<TypeTag> tys = {}) {
    auto parsed = ir::parse_script(src);
    EXPECT_TRUE(std::holds_alternative<ir::Script>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    if (!std::holds_alternative<ir::Script>(parsed)) return ExecutionError{};
    auto compiled = ir::compile_script(std::get<ir::Script>(parsed), deps());
    EXPECT_TRUE(std::holds_alternative<CompiledScript>(compiled)) << std::get<ir::CompileError>(compiled).message;
    if (!std::holds_alternative<CompiledScript>(compiled)) return ExecutionError{};
    return session->execute_script(std::make_shared<const CompiledScript>(std::get<CompiledScript>(compiled)), tys,
                                   signers, args, gas);
  }

  Outcome<ExecutionResult> call(uint64_t a, const std::string& m, const std::string& f, std::vector<Bytes> args = {},
                                std::vector<AccountAddress> signers = {}, std::vector<TypeTag> tys = {}) {
    return session->execute_function(addr(a), m, f, tys, signers, args, gas);
  }
};

ExecutionError error_of(const Outcome<ExecutionResult>& r) {
  if (!std::holds_alternative<ExecutionError>(r)) {
    ADD_FAILURE() << "expected an error";
    return {};
  }
  return std::get<ExecutionError>(r);
}

std::vector<std::string> returns_of(const Outcome<ExecutionResult>& r) {
  std::vector<std::string> out;
  if (auto* e = std::get_if<ExecutionError>(&r)) {
    ADD_FAILURE() << "unexpected error " << status_name(e->error.status) << " " << e->error.message;
    return out;
  }
  for (const auto& v : std::get<ExecutionResult>(r).return_values) out.push_back(display_value(v));
  return out;
}

void expect_script_error(const Outcome<ExecutionResult>& r, StatusCode s, uint16_t offset,
                         std::optional<uint64_t> sub = std::nullopt) {
  auto e = error_of(r);
  EXPECT_EQ(e.error.status, s) << status_name(e.error.status);
  EXPECT_EQ(e.location, ErrorLocation::Script);
  ASSERT_EQ(e.error.offsets.size(), 1u);
  EXPECT_EQ(e.error.offsets[0], std::make_pair(uint16_t(0), offset));
  EXPECT_EQ(e.sub_status, sub);
}

}  // namespace

TEST(Interpreter, ArithmeticResultsAndOverflow) {
  Vm vm;
  vm.publish(R"(module 0x42.A {
    public ops(a: u64, b: u64): u64 * u64 * u64 * u64 * u64 * bool {
    label b0:
        return copy(a) + copy(b), copy(a) - copy(b), copy(a) * copy(b), copy(a) / copy(b), copy(a) % copy(b), copy(a) < copy(b);
    }
    public wide(): u128 * u256 * u8 * u64 {
    label b0:
        return 340282366920938463463374607431768211455u128 / 3u128, (1u256 << 255u8) + 5u256, to_u8(7u64), to_u64(255u8) << 56u8;
    }
  })");
  EXPECT_EQ(returns_of(vm.call(0x42, "A", "ops", {bcs_u64(17), bcs_u64(5)})),
            (std::vector<std::string>{"22", "12", "85", "3", "2", "false"}));
  EXPECT_EQ(returns_of(vm.call(0x42, "A", "wide")),
            (std::vector<std::string>{"113427455640312821154458202477256070485",
                                      "57896044618658097711785492504343953926634992332820282019728792003956564819973",
                                      "7", "18374686479671623680"}));

  expect_script_error(vm.script("main() { label b0: _ = 255u8 + 1u8; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 0u64 - 1u64; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 1u128 / 0u128; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 1u256 % 0u256; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 18446744073709551615u64 * 2u64; return; }"),
                      StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 1u64 << 64u8; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = 1u8 >> 8u8; return; }"), StatusCode::ARITHMETIC_ERROR, 2);
  expect_script_error(vm.script("main() { label b0: _ = to_u8(256u64); return; }"), StatusCode::ARITHMETIC_ERROR, 1);
  auto e = error_of(vm.script("main() { label b0: _ = 255u8 + 1u8; return; }"));
  EXPECT_EQ(e.error.message, "Addition overflow");
}

TEST(Interpreter, AbortCarriesCodeAndLocation) {
  Vm vm;
  vm.publish(R"(module 0x42.B {
    public f(x: u64) {
    label b0:
        assert(copy(x) == 0, 77);
        return;
    }
    public g() {
    label b0:
        Self.f(3);
        return;
    }
  })");
  auto r = vm.script("import 0x42.B; main() { label b0: B.g(); return; }");
  auto e = error_of(r);
  EXPECT_EQ(e.error.status, StatusCode::ABORTED);
  EXPECT_EQ(e.sub_status, std::optional<uint64_t>(77));
  EXPECT_EQ(e.location, ErrorLocation::Module);
  EXPECT_EQ(e.module_name, "B");
  EXPECT_EQ(e.module_address, addr(0x42));
  ASSERT_EQ(e.error.offsets.size(), 1u);
  EXPECT_EQ(e.error.offsets[0].first, 0);  // f
  // Callers: the script, then g.
  ASSERT_EQ(e.stack_trace.size(), 2u);
  EXPECT_FALSE(e.stack_trace[0].module.has_value());
  EXPECT_EQ(e.stack_trace[1].function, 1);
}

TEST(Interpreter, VectorsAndTheirErrors) {
  Vm vm;
  vm.publish(R"(module 0x42.V {
    public build(): vector<u64> * u64 {
        let v: vector<u64>;
    label b0:
        v = vec_pack_3<u64>(1, 2, 3);
        vec_push_back<u64>(&mut v, 4);
        vec_swap<u64>(&mut v, 0, 3);
        *vec_mut_borrow<u64>(&mut v, 1) = 20;
        return copy(v), vec_len<u64>(&v);
    }
    public bytes(): vector<u8> {
        let v: vector<u8>;
    label b0:
        v = vec_pack_0<u8>();
        vec_push_back<u8>(&mut v, 104u8);
        vec_push_back<u8>(&mut v, 105u8);
        return move(v);
    }
  })");
  EXPECT_EQ(returns_of(vm.call(0x42, "V", "build")), (std::vector<std::string>{"[4, 20, 3, 1]", "4"}));
  EXPECT_EQ(returns_of(vm.call(0x42, "V", "bytes")), (std::vector<std::string>{"[104, 105]"}));
  expect_script_error(vm.script(R"(main() { let v: vector<u64>; label b0: v = vec_pack_0<u64>();
      _ = vec_pop_back<u64>(&mut v); return; })"), StatusCode::VECTOR_OPERATION_ERROR, 3, 2);
  expect_script_error(vm.script(R"(main() { let v: vector<u64>; label b0: v = vec_pack_1<u64>(1);
      _ = *vec_imm_borrow<u64>(&v, 1); return; })"), StatusCode::VECTOR_OPERATION_ERROR, 5, 1);
  expect_script_error(vm.script(R"(main() { let a: u64; label b0: a = vec_unpack_1<u64>(vec_pack_0<u64>()); return; })"),
                      StatusCode::VECTOR_OPERATION_ERROR, 1, 3);
}

TEST(Interpreter, GlobalStorageAndChangeSet) {
  Vm vm;
  vm.publish(R"(module 0x42.R {
    import 0x1.signer;
    struct C has key { n: u64 }
    public put(s: &signer, n: u64) {
    label b0:
        move_to<C>(move(s), C { n: move(n) });
        return;
    }
    public bump(a: address) acquires C {
        let r: &mut Self.C;
    label b0:
        r = borrow_global_mut<C>(move(a));
        *&mut copy(r).C::n = *&copy(r).C::n + 1;
        return;
    }
    public take(a: address): u64 acquires C {
        let n: u64;
    label b0:
        C { n } = move_from<C>(move(a));
        return move(n);
    }
    public has(a: address): bool {
    label b0:
        return exists<C>(move(a));
    }
  })");
  const char* put = "import 0x42.R; main(s: signer) { label b0: R.put(&s, 41); return; }";
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(vm.script(put, {addr(7)})));
  auto dup = error_of(vm.script(put, {addr(7)}));
  EXPECT_EQ(dup.error.status, StatusCode::RESOURCE_ALREADY_EXISTS);
  EXPECT_EQ(dup.location, ErrorLocation::Module);
  AccountAddress seven = addr(7);
  Bytes seven_bcs(seven.bytes.begin(), seven.bytes.end());
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(vm.call(0x42, "R", "bump", {seven_bcs})));
  EXPECT_EQ(returns_of(vm.call(0x42, "R", "has", {seven_bcs})), std::vector<std::string>{"true"});

  auto cs = vm.session->change_set();
  ASSERT_TRUE(std::holds_alternative<ChangeSet>(cs));
  const auto& resources = std::get<ChangeSet>(cs).resources;
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources.begin()->first.first, seven);
  EXPECT_EQ(resources.begin()->first.second.to_string(), "0x42::R::C");
  EXPECT_EQ(resources.begin()->second, std::optional<Bytes>(bcs_u64(42)));

  EXPECT_EQ(returns_of(vm.call(0x42, "R", "take", {seven_bcs})), std::vector<std::string>{"42"});
  auto missing = error_of(vm.call(0x42, "R", "take", {seven_bcs}));
  EXPECT_EQ(missing.error.status, StatusCode::MISSING_DATA);
  auto missing_borrow = error_of(vm.call(0x42, "R", "bump", {seven_bcs}));
  EXPECT_EQ(missing_borrow.error.status, StatusCode::MISSING_DATA);
  EXPECT_EQ(missing_borrow.error.message, "Failed to borrow global resource from " + to_hex(seven.view(), false));
  // Created and deleted within the session: nothing to write.
  cs = vm.session->change_set();
  EXPECT_TRUE(std::get<ChangeSet>(cs).resources.empty());
}

TEST(Interpreter, ReferencesToLocalsFieldsAndStructs) {
  Vm vm;
  vm.publish(R"(module 0x42.P {
    struct In has copy, drop { v: u64 }
    struct Out has copy, drop { a: Self.In, b: u64 }
    public f(): Self.Out * Self.Out {
        let o: Self.Out;
        let c: Self.Out;
        let r: &mut Self.In;
    label b0:
        o = Out { a: In { v: 1 }, b: 2 };
        c = copy(o);
        r = &mut (&mut o).Out::a;
        *&mut copy(r).In::v = 10;
        *move(r) = In { v: 11 };
        *&mut (&mut o).Out::b = 3;
        return move(o), move(c);
    }
    public eq(): bool * bool {
    label b0:
        return Out { a: In { v: 1 }, b: 2 } == Out { a: In { v: 1 }, b: 2 }, In { v: 1 } != In { v: 1 };
    }
  })");
  // The copy is deep: writes through references never reach it.
  EXPECT_EQ(returns_of(vm.call(0x42, "P", "f")), (std::vector<std::string>{"{ { 11 }, 3 }", "{ { 1 }, 2 }"}));
  EXPECT_EQ(returns_of(vm.call(0x42, "P", "eq")), (std::vector<std::string>{"true", "false"}));
}

TEST(Interpreter, CallStackOverflow) {
  Vm vm;
  vm.publish(R"(module 0x42.Rec {
    public f() {
    label b0:
        Self.f();
        return;
    }
  })");
  auto e = error_of(vm.call(0x42, "Rec", "f"));
  EXPECT_EQ(e.error.status, StatusCode::CALL_STACK_OVERFLOW);
  EXPECT_EQ(e.stack_trace.size(), 1023u);
}

TEST(Interpreter, EntryArgumentsAndSigners) {
  Vm vm;
  vm.publish(R"(module 0x42.E {
    import 0x1.signer;
    public who(s: signer, x: u64, r: &mut u64): address * u64 {
    label b0:
        *copy(r) = *copy(r) + copy(x);
        return signer.address_of(&s), move(x);
    }
  })");
  auto r = vm.call(0x42, "E", "who", {bcs_u64(5), bcs_u64(10)}, {addr(0xab)});
  EXPECT_EQ(returns_of(r), (std::vector<std::string>{to_hex(addr(0xab).view(), false), "5"}));
  ASSERT_EQ(std::get<ExecutionResult>(r).mutable_outputs.size(), 1u);
  EXPECT_EQ(display_value(std::get<1>(std::get<ExecutionResult>(r).mutable_outputs[0])), "15");
  EXPECT_EQ(error_of(vm.call(0x42, "E", "who", {bcs_u64(5)}, {addr(1)})).error.status,
            StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH);
  EXPECT_EQ(error_of(vm.call(0x42, "E", "who", {Bytes{1, 2}, bcs_u64(1)}, {addr(1)})).error.status,
            StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT);
  EXPECT_EQ(error_of(vm.call(0x42, "E", "nope")).error.status, StatusCode::FUNCTION_RESOLUTION_FAILURE);
  EXPECT_EQ(error_of(vm.call(0x43, "E", "who")).error.status, StatusCode::LINKER_ERROR);
}

TEST(Interpreter, GenericsAndTypeArguments) {
  Vm vm;
  vm.publish(R"(module 0x42.G {
    struct Box<T> has copy, drop { t: T }
    public wrap<T: copy + drop>(t: T): Self.Box<T> {
    label b0:
        return Box<T> { t: move(t) };
    }
    public twice<T: copy + drop>(t: T): Self.Box<Self.Box<T>> {
    label b0:
        return Self.wrap<Self.Box<T>>(Self.wrap<T>(move(t)));
    }
  })");
  auto tag = [](const char* s) { return *parse_type_tag(s); };
  EXPECT_EQ(returns_of(vm.call(0x42, "G", "twice", {bcs_u64(9)}, {}, {tag("u64")})),
            std::vector<std::string>{"{ { 9 } }"});
  EXPECT_EQ(returns_of(vm.call(0x42, "G", "twice", {Bytes{2, 'h', 'i'}}, {}, {tag("vector<u8>")})),
            std::vector<std::string>{"{ { [104, 105] } }"});
  EXPECT_EQ(error_of(vm.call(0x42, "G", "twice", {bcs_u64(9)})).error.status,
            StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
  EXPECT_EQ(error_of(vm.call(0x42, "G", "twice", {}, {}, {tag("signer")})).error.status,
            StatusCode::CONSTRAINT_NOT_SATISFIED);
}

// ---------------------------------------------------------------------------------------------
// Hand-built bytecode (features the IR cannot express, and broken code the verifier would reject).

namespace {

// Module 0x1::M with one public function `f` of the given signatures and code.
CompiledModule module_with(uint32_t version, Signature params, Signature returns, Signature locals,
                           std::vector<Instruction> code) {
  CompiledModule m = test_util::tiny_module(version);
  m.signatures = {{}, std::move(params), std::move(returns), std::move(locals)};
  m.function_handles[0].parameters = 1;
  m.function_handles[0].return_ = 2;
  m.function_defs[0].code = CodeUnit{3, std::move(code)};
  return m;
}

Instruction op(Opcode o, uint16_t index = 0, uint64_t value = 0) { return Instruction{o, index, value, {}}; }

SignatureToken tok(TokenKind k) { return SignatureToken{k, 0, 0, 0, {}}; }

}  // namespace

TEST(Interpreter, SignedIntegers) {
  Vm vm;
  vm.publish_compiled(module_with(9, {}, {tok(TokenKind::I8), tok(TokenKind::I64), tok(TokenKind::Bool)}, {},
                                  {op(Opcode::LdI8, 0, uint64_t(int64_t(-100))), op(Opcode::LdI8, 0, 27),
                                   op(Opcode::Sub),                                     // -127
                                   op(Opcode::LdI64, 0, uint64_t(int64_t(-7))), op(Opcode::LdI64, 0, 2),
                                   op(Opcode::Div),                                     // -3 (truncating)
                                   op(Opcode::LdI8, 0, uint64_t(int64_t(-1))), op(Opcode::LdI8, 0, 0),
                                   op(Opcode::Lt), op(Opcode::Ret)}));
  EXPECT_EQ(returns_of(vm.call(1, "M", "f")), (std::vector<std::string>{"-127", "-3", "true"}));

  Vm overflow;
  overflow.publish_compiled(module_with(9, {}, {tok(TokenKind::I8)}, {},
                                        {op(Opcode::LdI8, 0, uint64_t(int64_t(-128))), op(Opcode::Negate), op(Opcode::Ret)}));
  auto e = error_of(overflow.call(1, "M", "f"));
  EXPECT_EQ(e.error.status, StatusCode::ARITHMETIC_ERROR);
  EXPECT_EQ(e.error.offsets.at(0), std::make_pair(uint16_t(0), uint16_t(1)));

  Vm cast;
  cast.publish_compiled(module_with(9, {}, {tok(TokenKind::U8)}, {},
                                    {op(Opcode::LdI8, 0, uint64_t(int64_t(-1))), op(Opcode::CastU8), op(Opcode::Ret)}));
  EXPECT_EQ(error_of(cast.call(1, "M", "f")).error.status, StatusCode::ARITHMETIC_ERROR);
}

TEST(Interpreter, EnumsVariantsAndMismatch) {
  // enum E has drop { A { x: u64 }, B }: f packs B and unpacks it as A.
  auto build = [](bool mismatch) {
    CompiledModule m = test_util::enum_module();
    SignatureToken e{TokenKind::Struct, 0, 0, 0, {}};
    m.signatures = {{}, {tok(TokenKind::Bool), tok(TokenKind::Bool)}, {e}};
    m.function_handles[0].return_ = 1;
    std::vector<Instruction> code = {op(Opcode::LdU64, 0, 5), op(Opcode::PackVariant, 0), op(Opcode::StLoc, 0),
                                     op(Opcode::ImmBorrowLoc, 0), op(Opcode::TestVariant, 0),
                                     op(Opcode::ImmBorrowLoc, 0), op(Opcode::TestVariant, 1)};
    if (mismatch) {
      code.push_back(op(Opcode::PackVariant, 1));
      code.push_back(op(Opcode::UnpackVariant, 0));
    } else {
      code.push_back(op(Opcode::ImmBorrowLoc, 0));
      code.push_back(op(Opcode::ImmBorrowVariantField, 0));
      code.push_back(op(Opcode::Pop));
    }
    code.push_back(op(Opcode::Ret));
    m.function_defs[0].code = CodeUnit{2, code};
    return m;
  };
  Vm ok;
  ok.publish_compiled(build(false));
  EXPECT_EQ(returns_of(ok.call(1, "M", "f")), (std::vector<std::string>{"true", "false"}));
  Vm bad;
  bad.publish_compiled(build(true));
  auto e = error_of(bad.call(1, "M", "f"));
  EXPECT_EQ(e.error.status, StatusCode::STRUCT_VARIANT_MISMATCH);
  EXPECT_EQ(e.error.offsets.at(0), std::make_pair(uint16_t(0), uint16_t(8)));
}

TEST(Interpreter, ClosuresCaptureAndCall) {
  // g(a: u64, b: u64): u64 = a * 10 + b; f() = (|b| g(4, b))(2) == 42.
  CompiledModule m = test_util::tiny_module(8);
  m.identifiers.push_back("g");
  SignatureToken u64 = tok(TokenKind::U64);
  SignatureToken fn{TokenKind::Function, 0, kAbilityDrop | kAbilityCopy, 1, {u64, u64}};
  m.signatures = {{}, {u64}, {u64, u64}, {fn}};
  m.function_handles[0].return_ = 1;
  FunctionHandle gh;
  gh.module = 0;
  gh.name = 2;
  gh.parameters = 2;
  gh.return_ = 1;
  m.function_handles.push_back(gh);
  m.function_defs[0].code = CodeUnit{0, {op(Opcode::LdU64, 0, 2), op(Opcode::LdU64, 0, 4),
                                         op(Opcode::PackClosure, 1, 0b01), op(Opcode::CallClosure, 3), op(Opcode::Ret)}};
  FunctionDefinition g;
  g.function = 1;
  g.code = CodeUnit{0, {op(Opcode::MoveLoc, 0), op(Opcode::LdU64, 0, 10), op(Opcode::Mul), op(Opcode::MoveLoc, 1),
                        op(Opcode::Add), op(Opcode::Ret)}};
  m.function_defs.push_back(g);
  Vm vm;
  vm.publish_compiled(m);
  EXPECT_EQ(returns_of(vm.call(1, "M", "f")), std::vector<std::string>{"42"});
}

TEST(Interpreter, ValueDepthLimit) {
  // VecPack of vector^130<u8>: deeper than 128.
  SignatureToken t = tok(TokenKind::U8);
  for (int i = 0; i < 130; ++i) t = SignatureToken{TokenKind::Vector, 0, 0, 0, {t}};
  CompiledModule m = module_with(6, {}, {}, {}, {op(Opcode::VecPack, 4, 0), op(Opcode::Pop), op(Opcode::Ret)});
  m.signatures.push_back({t});
  Vm vm;
  vm.publish_compiled(m);
  auto e = error_of(vm.call(1, "M", "f"));
  EXPECT_EQ(e.error.status, StatusCode::VM_MAX_VALUE_DEPTH_REACHED);
  EXPECT_EQ(e.error.offsets.at(0), std::make_pair(uint16_t(0), uint16_t(0)));
}

TEST(Interpreter, BrokenBytecodeIsCaughtNotCrashed) {
  struct Case {
    const char* what;
    std::vector<Instruction> code;
    Signature locals;
  };
  std::vector<Case> cases = {
      {"add on an empty stack", {op(Opcode::Add), op(Opcode::Ret)}, {}},
      {"bool + u64", {op(Opcode::LdTrue), op(Opcode::LdU64, 0, 1), op(Opcode::Add), op(Opcode::Ret)}, {}},
      {"branch on u64", {op(Opcode::LdU64, 0, 1), op(Opcode::BrTrue, 0), op(Opcode::Ret)}, {}},
      {"copy of an unset local", {op(Opcode::CopyLoc, 0), op(Opcode::Pop), op(Opcode::Ret)}, {tok(TokenKind::U64)}},
      {"local out of range", {op(Opcode::MoveLoc, 9), op(Opcode::Ret)}, {}},
      {"read_ref of a value", {op(Opcode::LdU64, 0, 1), op(Opcode::ReadRef), op(Opcode::Ret)}, {}},
      {"write_ref to a value", {op(Opcode::LdU64, 0, 1), op(Opcode::LdU64, 0, 1), op(Opcode::WriteRef), op(Opcode::Ret)}, {}},
      {"vector op on a value", {op(Opcode::LdU64, 0, 1), op(Opcode::VecLen, 0), op(Opcode::Ret)}, {}},
      {"falls off the end", {op(Opcode::LdU64, 0, 1), op(Opcode::Pop)}, {}},
      {"field borrow on u64", {op(Opcode::LdU64, 0, 1), op(Opcode::ImmBorrowField, 0), op(Opcode::Ret)}, {}},
      {"equality of different kinds", {op(Opcode::LdTrue), op(Opcode::LdU8, 0, 1), op(Opcode::Eq), op(Opcode::Ret)}, {}},
  };
  for (const auto& c : cases) {
    Vm vm;
    vm.publish_compiled(module_with(6, {}, {}, c.locals, c.code));
    auto e = error_of(vm.call(1, "M", "f"));
    // Paranoid type checks (on by default) report missing operands as EMPTY_VALUE_STACK, as Aptos.
    EXPECT_TRUE(e.error.status == StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR ||
                e.error.status == StatusCode::EMPTY_VALUE_STACK || e.error.status == StatusCode::PC_OVERFLOW)
        << c.what << ": " << status_name(e.error.status);
    EXPECT_EQ(e.location, ErrorLocation::Module) << c.what;
  }
  // A vector<u64> holding a vector (how unverified code would nest values without bound)
  // and a u64 stored into a bool local: both refused by the shallow runtime type checks.
  {
    CompiledModule m = module_with(6, {}, {}, {tok(TokenKind::Bool)},
                                   {op(Opcode::VecPack, 4, 0), op(Opcode::VecPack, 4, 1), op(Opcode::Pop), op(Opcode::Ret)});
    m.signatures.push_back({tok(TokenKind::U64)});
    Vm vm;
    vm.publish_compiled(m);
    auto e = error_of(vm.call(1, "M", "f"));
    EXPECT_EQ(e.error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
    EXPECT_EQ(e.error.offsets.at(0), std::make_pair(uint16_t(0), uint16_t(1)));
    Vm vm2;
    vm2.publish_compiled(module_with(6, {}, {}, {tok(TokenKind::Bool)}, {op(Opcode::LdU64, 0, 1), op(Opcode::StLoc, 0), op(Opcode::Ret)}));
    EXPECT_EQ(error_of(vm2.call(1, "M", "f")).error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR);
  }
  // Operand stack overflow: a loop that pushes forever.
  Vm vm;
  vm.publish_compiled(module_with(6, {}, {}, {}, {op(Opcode::LdU64, 0, 1), op(Opcode::Branch, 0)}));
  EXPECT_EQ(error_of(vm.call(1, "M", "f")).error.status, StatusCode::EXECUTION_STACK_OVERFLOW);
}

TEST(Values, BcsRoundTripAndTags) {
  TypeLayout u64{LayoutKind::U64, {}, {}};
  TypeLayout vec_u8{LayoutKind::Vector, {TypeLayout{LayoutKind::U8, {}, {}}}, {}};
  TypeLayout s{LayoutKind::Struct, {u64, vec_u8, TypeLayout{LayoutKind::Address, {}, {}}}, {}};
  Value v = make_struct({Value::u64v(7), make_vec_u8({1, 2}), Value::addr(address_from_u64(0x42))});
  auto b = serialize_value(v, s);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->size(), 8u + 3u + 32u);
  auto back = deserialize_value(*b, s);
  ASSERT_TRUE(back);
  EXPECT_TRUE(*values_equal(*back, v));
  Bytes longer = *b;
  longer.push_back(0);
  EXPECT_FALSE(deserialize_value(longer, s));  // trailing bytes
  EXPECT_FALSE(deserialize_value(Bytes{2}, TypeLayout{LayoutKind::Bool, {}, {}}));
  EXPECT_FALSE(deserialize_value(Bytes{0x80, 0x00}, vec_u8));  // non-canonical length

  auto tag = parse_type_tag("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->to_string(), "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>");
  EXPECT_EQ(parse_type_tag("vector<0x1::string::String>")->to_string(), "vector<0x1::string::String>");
  EXPECT_FALSE(parse_type_tag("0x1::coin"));
  Bytes tb;
  parse_type_tag("u64")->serialize(tb);
  EXPECT_EQ(tb, Bytes{2});
}

TEST(Natives, RegistryRejectsDuplicates) {
  NativeRegistry r;
  auto fn = [](NativeContext&, std::span<const Type>, std::vector<Value>&) -> Expected<NativeResult> {
    return NativeResult::ok({});
  };
  EXPECT_FALSE(r.add(address_from_u64(1), "m", "f", fn));
  auto dup = r.add(address_from_u64(1), "m", "f", fn);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, StatusCode::DUPLICATE_NATIVE_FUNCTION);
  EXPECT_TRUE(r.find(address_from_u64(1), "m", "f"));
  EXPECT_FALSE(r.find(address_from_u64(1), "m", "g"));
}

TEST(Interpreter, EntryFunctionArgumentValidation) {
  Vm vm;
  vm.publish(R"(module 0x42.Entry {
    import 0x1.string;
    import 0x1.option;
    struct S has drop { x: u64 }
    public entry greet(s: &signer, name: string.String, o: option.Option<u64>) {
    label b0:
        return;
    }
    public entry takes_struct(s: Self.S) {
    label b0:
        return;
    }
    public not_entry() {
    label b0:
        return;
    }
  })");
  auto entry = [&](const std::string& f, std::vector<Bytes> args, std::vector<AccountAddress> signers) {
    return vm.session->execute_entry_function(addr(0x42), "Entry", f, {}, signers, args, vm.gas);
  };
  Bytes name = {2, 'h', 'i'}, none = {0}, some = {1, 7, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(std::holds_alternative<ExecutionResult>(entry("greet", {name, none}, {addr(1)})));
  EXPECT_TRUE(std::holds_alternative<ExecutionResult>(entry("greet", {name, some}, {addr(1)})));
  EXPECT_EQ(error_of(entry("greet", {Bytes{2, 0xC0, 0x80}, none}, {addr(1)})).error.status,  // overlong UTF-8
            StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT);
  EXPECT_EQ(error_of(entry("greet", {name, Bytes{2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}}, {addr(1)}))
                .error.status,
            StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT);  // an Option with two elements
  EXPECT_EQ(error_of(entry("greet", {name, none}, {addr(1), addr(2)})).error.status,
            StatusCode::NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH);
  EXPECT_EQ(error_of(entry("greet", {name}, {addr(1)})).error.status, StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH);
  EXPECT_EQ(error_of(entry("takes_struct", {bcs_u64(1)}, {})).error.status,
            StatusCode::INVALID_MAIN_FUNCTION_SIGNATURE);
  EXPECT_EQ(error_of(entry("not_entry", {}, {})).error.status,
            StatusCode::EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION);
}

TEST(Interpreter, SessionsShareACodeCache) {
  Vm vm;  // for its compiled modules and natives
  vm.publish(R"(module 0x42.C {
    public id(x: u64): u64 {
    label b0:
        return move(x);
    }
  })");
  auto cache = std::make_shared<Loader>(vm.state, vm.natives);
  for (const auto& m : vm.modules) cache->add_module(m);
  EmptyStateView other_state;
  const LoadedModule* first = nullptr;
  for (int i = 0; i < 3; ++i) {
    Session s(i % 2 ? static_cast<const StateView&>(other_state) : vm.state, cache);
    auto r = s.execute_function(addr(0x42), "C", "id", {}, {}, {bcs_u64(uint64_t(i))}, vm.gas);
    EXPECT_EQ(returns_of(r), std::vector<std::string>{std::to_string(i)});
    auto m = cache->load_module(addr(0x42), "C");
    ASSERT_TRUE(m);
    if (!first) first = *m;
    EXPECT_EQ(*m, first);  // linked once, reused
  }
}

TEST(Interpreter, ViewFunctionResultsAreBcs) {
  Vm vm;
  vm.publish(R"(module 0x42.View {
    struct P has copy, drop { a: u64, b: bool }
    public get(x: u64): Self.P * vector<u8> {
    label b0:
        return P { a: move(x), b: true }, h"0102";
    }
  })");
  auto r = vm.session->execute_view_function(addr(0x42), "View", "get", {}, {bcs_u64(5)}, vm.gas);
  ASSERT_TRUE((std::holds_alternative<std::vector<Bytes>>(r)));
  const auto& out = std::get<std::vector<Bytes>>(r);
  ASSERT_EQ(out.size(), 2u);
  Bytes p = bcs_u64(5);
  p.push_back(1);
  EXPECT_EQ(out[0], p);
  EXPECT_EQ(out[1], (Bytes{2, 1, 2}));
}

namespace {

// Stops execution after a fixed number of charges (random code may loop forever).
class BudgetMeter final : public GasMeter {
 public:
  explicit BudgetMeter(uint64_t steps) : left_(steps) {}
  bool charge_simple(Opcode) override { return take(); }
  bool charge_instr(const InstrCharge&) override { return take(); }
  bool charge_native(uint64_t) override { return take(); }
  bool charge_load_resource(uint64_t) override { return take(); }
  uint64_t consumed() const override { return 0; }
  uint64_t remaining() const override { return left_; }

 private:
  bool take() { return left_ ? (--left_, true) : false; }
  uint64_t left_;
};

}  // namespace

TEST(Interpreter, RandomUnverifiedCodeNeverCrashes) {
  // Random instruction sequences over a module with a struct, an enum-free field handle, a
  // generic-free signature pool and a few locals: every run ends in a status (an invariant
  // violation, an arithmetic/vector error, OUT_OF_GAS, ...), never a crash or a hang.
  CompiledModule base = test_util::tiny_module(9);
  base.identifiers.push_back("S");  // 2
  base.identifiers.push_back("x");  // 3
  StructHandle sh;
  sh.name = 2;
  sh.abilities = kAbilityCopy | kAbilityDrop | kAbilityKey | kAbilityStore;
  base.struct_handles = {sh};
  StructDefinition sd;
  sd.fields = {FieldDefinition{3, tok(TokenKind::U64)}};
  base.struct_defs = {sd};
  base.field_handles = {FieldHandle{0, 0}};
  SignatureToken s{TokenKind::Struct, 0, 0, 0, {}};
  SignatureToken vec_u64{TokenKind::Vector, 0, 0, 0, {tok(TokenKind::U64)}};
  SignatureToken vec_u8{TokenKind::Vector, 0, 0, 0, {tok(TokenKind::U8)}};
  base.signatures = {{},
                     {tok(TokenKind::U64)},
                     {tok(TokenKind::U8)},
                     {tok(TokenKind::U64), tok(TokenKind::Bool), s, vec_u64, vec_u8, tok(TokenKind::Address),
                      tok(TokenKind::I64)}};
  base.function_handles[0].parameters = 0;
  base.function_handles[0].return_ = 0;
  base.constant_pool = {Constant{tok(TokenKind::U64), bcs_u64(9)}};
  const Opcode ops[] = {
      Opcode::Pop, Opcode::Ret, Opcode::BrTrue, Opcode::BrFalse, Opcode::Branch, Opcode::LdU64, Opcode::LdConst,
      Opcode::LdTrue, Opcode::CopyLoc, Opcode::MoveLoc, Opcode::StLoc, Opcode::MutBorrowLoc, Opcode::ImmBorrowLoc,
      Opcode::MutBorrowField, Opcode::ImmBorrowField, Opcode::Call, Opcode::Pack, Opcode::Unpack, Opcode::ReadRef,
      Opcode::WriteRef, Opcode::Add, Opcode::Sub, Opcode::Mul, Opcode::Mod, Opcode::Div, Opcode::BitOr, Opcode::Xor,
      Opcode::Or, Opcode::Not, Opcode::Eq, Opcode::Neq, Opcode::Lt, Opcode::Ge, Opcode::Abort, Opcode::Exists,
      Opcode::MutBorrowGlobal, Opcode::MoveFrom, Opcode::MoveTo, Opcode::FreezeRef, Opcode::Shl, Opcode::Shr,
      Opcode::LdU8, Opcode::CastU8, Opcode::CastU128, Opcode::CastU256, Opcode::VecPack, Opcode::VecLen,
      Opcode::VecImmBorrow, Opcode::VecMutBorrow, Opcode::VecPushBack, Opcode::VecPopBack, Opcode::VecUnpack,
      Opcode::VecSwap, Opcode::LdI64, Opcode::CastI8, Opcode::Negate, Opcode::LdU256, Opcode::PackClosure,
      Opcode::CallClosure};
  uint64_t seed = 12345;
  auto rnd = [&](uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  std::map<StatusCode, int> seen;
  for (int run = 0; run < 3000; ++run) {
    CompiledModule m = base;
    std::vector<Instruction> code;
    size_t len = 1 + rnd(24);
    for (size_t i = 0; i < len; ++i) {
      Opcode o = ops[rnd(std::size(ops))];
      Instruction ins = op(o, uint16_t(rnd(4)), rnd(4));
      if (o == Opcode::Branch || o == Opcode::BrTrue || o == Opcode::BrFalse) ins.index = uint16_t(rnd(len));
      if (o == Opcode::StLoc || o == Opcode::CopyLoc || o == Opcode::MoveLoc || o == Opcode::MutBorrowLoc ||
          o == Opcode::ImmBorrowLoc)
        ins.index = uint16_t(rnd(8));
      if (o == Opcode::VecPack || o == Opcode::VecLen || o == Opcode::VecPushBack || o == Opcode::VecImmBorrow ||
          o == Opcode::VecMutBorrow || o == Opcode::VecPopBack || o == Opcode::VecUnpack || o == Opcode::VecSwap)
        ins.index = uint16_t(1 + rnd(2));
      if (o == Opcode::CallClosure) ins.index = 0;
      if (o == Opcode::Call || o == Opcode::PackClosure) ins.index = 0, ins.value = 0;
      code.push_back(ins);
    }
    m.function_defs[0].code = CodeUnit{3, code};
    Vm vm;
    vm.publish_compiled(m);
    BudgetMeter budget(2000);
    auto r = vm.session->execute_function(addr(1), "M", "f", {}, {}, {}, budget);
    StatusCode st = std::holds_alternative<ExecutionError>(r) ? std::get<ExecutionError>(r).error.status
                                                               : StatusCode::EXECUTED;
    seen[st]++;
    (void)vm.session->change_set();
  }
  // The runs reach a spread of outcomes, invariant violations most of all.
  EXPECT_GT(seen[StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR] + seen[StatusCode::EMPTY_VALUE_STACK], 1000);
  EXPECT_GT(seen.size(), 4u);
}
