// 0x1::string_utils through the VM: the genuine v10 framework's public functions (to_string,
// to_string_with_canonical_addresses, to_string_with_integer_types, debug_string, format1..4)
// over many value shapes, compared with the text Aptos produces (derived by hand from
// aptos-framework's natives/string_utils.rs and the examples and #[test]s of
// string_utils.move); the abort codes; the gas per value and per byte.
#include <gtest/gtest.h>

#include "movevm/ir.hpp"
#include "movevm/ir_compiler.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/closure_test_util.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

// BCS helpers.
Bytes le(uint64_t v, size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(n > 8 && i >= 8 ? (int64_t(v) < 0 ? 0xff : 0) : v >> (8 * i));
  return b;
}
Bytes u64(uint64_t v) { return le(v, 8); }
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes str(std::string_view s) {  // String / vector<u8> (length < 128)
  Bytes b{uint8_t(s.size())};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}
Bytes addr_bcs(uint64_t v) {
  AccountAddress a = address_from_u64(v);
  return Bytes(a.bytes.begin(), a.bytes.end());
}
TypeTag tag(const char* s) {
  auto t = parse_type_tag(s);
  if (!t) throw std::runtime_error(std::string("bad type tag ") + s);
  return *t;
}
std::string text_of(const Value& s) {  // a returned 0x1::string::String
  const Bytes& b = s.c->values.at(0).c->bytes;
  return std::string(b.begin(), b.end());
}

// Test structs (bytecode v6, compiled from Move IR) and a function that formats a signer.
constexpr const char* kTestModule = R"(module 0x42.SU {
    import 0x1.string;
    import 0x1.string_utils;
    struct Inner has copy, drop, store { x: u64, flag: bool }
    struct Outer<T> has copy, drop, store { name: string.String, inner: Self.Inner, items: vector<T> }
    public signer_text(s: &signer): string.String * string.String * string.String {
    label b0:
        return string_utils.to_string<signer>(copy(s)), string_utils.to_string_with_canonical_addresses<signer>(copy(s)), string_utils.debug_string<signer>(move(s));
    }
})";

class StringUtils : public test_util::V10Suite {
 protected:
  void SetUp() override {
    session_ = std::make_unique<Session>(*state_, *registry_);
    add_session_extensions(session_->extensions(), TransactionContext{}, state_);
    publish(compile(kTestModule));
  }

  // An IR module that may import 0x1::string and 0x1::string_utils.
  static CompiledModule compile(const char* source) {
    static const auto* deps = [] {
      auto* r = new std::vector<CompiledModule>;
      for (const char* name : {"string", "string_utils"}) {
        auto m = deserialize_module(state_->modules().at({account_address(1), name}));
        EXPECT_TRUE(m.ok());
        r->push_back(std::move(*m));
      }
      return r;
    }();
    auto parsed = ir::parse_module(source);
    EXPECT_TRUE(std::holds_alternative<ir::Module>(parsed)) << std::get<ir::ParseError>(parsed).describe();
    auto compiled = ir::compile_module(std::get<ir::Module>(parsed), {&(*deps)[0], &(*deps)[1]});
    EXPECT_TRUE(std::holds_alternative<CompiledModule>(compiled)) << std::get<ir::CompileError>(compiled).message;
    return std::get<CompiledModule>(compiled);
  }
  void publish(CompiledModule m) {
    auto module = std::make_shared<const CompiledModule>(std::move(m));
    session_->publish_module(module, *serialize_module(*module));
  }

  Outcome<ExecutionResult> call(const std::string& fn, std::vector<TypeTag> tys, std::vector<Bytes> args,
                                GasMeter* gas = nullptr, const std::string& module = "string_utils") {
    UnmeteredGasMeter unmetered;
    return session_->execute_function(account_address(1), module, fn, tys, {}, args, gas ? *gas : unmetered);
  }
  // The text `fn<T>(&value)` returns.
  std::string format(const std::string& fn, const char* type, const Bytes& value) {
    auto r = call(fn, {tag(type)}, {value});
    if (auto* e = std::get_if<ExecutionError>(&r))
      return "error " + std::string(status_name(e->error.status)) + " " + e->error.message;
    return text_of(std::get<ExecutionResult>(r).return_values.at(0));
  }
  std::string to_string(const char* type, const Bytes& value) { return format("to_string", type, value); }
  std::string debug_string(const char* type, const Bytes& value) { return format("debug_string", type, value); }
  // formatN(fmt, args...) with the argument types `types`.
  Outcome<ExecutionResult> format_n(std::string_view fmt, std::vector<const char*> types, std::vector<Bytes> args) {
    std::vector<TypeTag> tys;
    for (const char* t : types) tys.push_back(tag(t));
    args.insert(args.begin(), str(fmt));
    return call("format" + std::to_string(types.size()), tys, args);
  }
  std::string formatted(std::string_view fmt, std::vector<const char*> types, std::vector<Bytes> args) {
    auto r = format_n(fmt, std::move(types), std::move(args));
    if (auto* e = std::get_if<ExecutionError>(&r)) return "error " + std::string(status_name(e->error.status));
    return text_of(std::get<ExecutionResult>(r).return_values.at(0));
  }
  // The abort code of a call that must abort inside 0x1::string_utils.
  uint64_t abort_code(const Outcome<ExecutionResult>& r) {
    auto* e = std::get_if<ExecutionError>(&r);
    if (!e) {
      ADD_FAILURE() << "no abort";
      return 0;
    }
    EXPECT_EQ(e->error.status, StatusCode::ABORTED) << e->error.message;
    EXPECT_EQ(e->location, ErrorLocation::Module);
    EXPECT_EQ(e->module_address, account_address(1));
    EXPECT_EQ(e->module_name, "string_utils");
    return e->sub_status.value_or(0);
  }

  std::unique_ptr<Session> session_;
};

TEST_F(StringUtils, Primitives) {
  // The module's doc comments and test_format.
  EXPECT_EQ(to_string("u64", u64(1)), "1");
  EXPECT_EQ(to_string("bool", {0}), "false");
  EXPECT_EQ(to_string("bool", {1}), "true");
  EXPECT_EQ(to_string("u256", le(1, 32)), "1");
  EXPECT_EQ(to_string("u8", {255}), "255");
  EXPECT_EQ(to_string("u16", le(65535, 2)), "65535");
  EXPECT_EQ(to_string("u32", le(4000000000u, 4)), "4000000000");
  EXPECT_EQ(to_string("u64", u64(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(to_string("u128", Bytes(16, 0xff)), "340282366920938463463374607431768211455");
  EXPECT_EQ(to_string("u256", Bytes(32, 0xff)),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  // Signed integers (v9 types) print with their sign.
  EXPECT_EQ(to_string("i8", {0x80}), "-128");
  EXPECT_EQ(to_string("i16", le(uint64_t(-300), 2)), "-300");
  EXPECT_EQ(to_string("i32", le(7, 4)), "7");
  EXPECT_EQ(to_string("i64", u64(uint64_t(INT64_MIN))), "-9223372036854775808");
  EXPECT_EQ(to_string("i128", Bytes(16, 0xff)), "-1");
  EXPECT_EQ(to_string("i128", le(uint64_t(-12345678901234), 16)), "-12345678901234");
  EXPECT_EQ(to_string("i256", le(uint64_t(-5), 32)), "-5");
  // Addresses: `@` and the short form; to_string_with_canonical_addresses: 64 digits, no 0x.
  EXPECT_EQ(to_string("address", addr_bcs(0x1234c0ffee)), "@0x1234c0ffee");
  EXPECT_EQ(to_string("address", addr_bcs(0)), "@0x0");
  EXPECT_EQ(to_string("address", addr_bcs(1)), "@0x1");
  EXPECT_EQ(format("to_string_with_canonical_addresses", "address", addr_bcs(1)), "@" + std::string(63, '0') + "1");
  EXPECT_EQ(format("to_string_with_canonical_addresses", "u64", u64(5)), "5");
}

TEST_F(StringUtils, IntegerTypesFunctionPassesTheCanonicalFlags) {
  // The genuine module's to_string_with_integer_types calls native_format(s, false, true, true,
  // false), the same flags as to_string_with_canonical_addresses: no integer suffix, 64-digit
  // addresses. (The suffixes themselves are checked on the native below.)
  EXPECT_EQ(format("to_string_with_integer_types", "u8", {6}), "6");
  EXPECT_EQ(format("to_string_with_integer_types", "address", addr_bcs(0xa)), "@" + std::string(63, '0') + "a");
  EXPECT_EQ(format("to_string_with_integer_types", "vector<u32>", cat({{2}, le(128, 4), le(1, 4)})), "[ 128, 1 ]");
}

TEST_F(StringUtils, NativeFormatFlags) {
  // native_format(s, type_tag, canonicalize, single_line, include_int_types), called directly.
  auto native = [&](const char* type, const Bytes& value, bool type_tag, bool canonicalize, bool single_line,
                    bool ints) {
    auto r = call("native_format", {tag(type)},
                  {value, {uint8_t(type_tag)}, {uint8_t(canonicalize)}, {uint8_t(single_line)}, {uint8_t(ints)}});
    if (auto* e = std::get_if<ExecutionError>(&r)) return "error " + std::string(status_name(e->error.status));
    return text_of(std::get<ExecutionResult>(r).return_values.at(0));
  };
  EXPECT_EQ(native("u8", {6}, false, false, true, true), "6u8");
  EXPECT_EQ(native("u16", le(7, 2), false, false, true, true), "7u16");
  EXPECT_EQ(native("u32", le(128, 4), false, false, true, true), "128u32");
  EXPECT_EQ(native("u64", u64(1), false, false, true, true), "1u64");
  EXPECT_EQ(native("u128", le(2, 16), false, false, true, true), "2u128");
  EXPECT_EQ(native("u256", le(3, 32), false, false, true, true), "3u256");
  EXPECT_EQ(native("i8", {0xff}, false, false, true, true), "-1i8");
  EXPECT_EQ(native("i64", u64(uint64_t(-2)), false, false, true, true), "-2i64");
  EXPECT_EQ(native("i256", le(uint64_t(-3), 32), false, false, true, true), "-3i256");
  // Only integers get a suffix; vector<u8> and strings return before it.
  EXPECT_EQ(native("vector<u64>", cat({{2}, u64(1), u64(2)}), false, false, true, true), "[ 1u64, 2u64 ]");
  EXPECT_EQ(native("vector<u8>", {2, 1, 2}, false, false, true, true), "0x0102");
  EXPECT_EQ(native("bool", {1}, false, false, true, true), "true");
  EXPECT_EQ(native("address", addr_bcs(2), false, false, true, true), "@0x2");
  EXPECT_EQ(native("0x1::option::Option<u8>", {1, 9}, false, false, true, true), "Some(9u8)");
  EXPECT_EQ(native("0x42::SU::Inner", cat({u64(3), {0}}), true, true, true, true),
            "0x42::SU::Inner { x: 3u64, flag: false }");
  EXPECT_EQ(native("0x42::SU::Inner", cat({u64(3), {0}}), false, false, false, false),
            "Inner {\n  x: 3,\n  flag: false\n}");
}

TEST_F(StringUtils, VectorsAndStrings) {
  EXPECT_EQ(to_string("vector<u64>", cat({{3}, u64(1), u64(2), u64(3)})), "[ 1, 2, 3 ]");  // doc comment
  EXPECT_EQ(to_string("vector<u64>", {0}), "[]");
  EXPECT_EQ(to_string("vector<u8>", {3, 1, 2, 3}), "0x010203");  // doc comment
  EXPECT_EQ(to_string("vector<u8>", {0}), "0x");
  EXPECT_EQ(to_string("vector<bool>", {2, 1, 0}), "[ true, false ]");
  EXPECT_EQ(to_string("vector<address>", cat({{2}, addr_bcs(1), addr_bcs(0xcafe)})), "[ @0x1, @0xcafe ]");
  EXPECT_EQ(to_string("vector<vector<u64>>", cat({{2, 1}, u64(1), {2}, u64(2), u64(3)})), "[ [ 1 ], [ 2, 3 ] ]");
  EXPECT_EQ(to_string("vector<vector<u8>>", {2, 1, 1, 2, 2, 3}), "[ 0x01, 0x0203 ]");
  EXPECT_EQ(to_string("vector<vector<u64>>", {1, 0}), "[ [] ]");
  // Strings: quoted, `"` and `\` escaped, UTF-8 as is.
  EXPECT_EQ(to_string("0x1::string::String", str("My string")), "\"My string\"");  // doc comment
  EXPECT_EQ(to_string("0x1::string::String", str("a\"b\\c")), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(to_string("0x1::string::String", str("")), "\"\"");
  EXPECT_EQ(to_string("0x1::string::String", str("h\xc3\xa9")), "\"h\xc3\xa9\"");
  EXPECT_EQ(to_string("vector<0x1::string::String>", cat({{2}, str("a"), str("b")})), "[ \"a\", \"b\" ]");
  // debug_string: vectors of vectors or structs go one element per line, indented by depth.
  EXPECT_EQ(debug_string("vector<vector<u64>>", cat({{2, 1}, u64(1), {2}, u64(2), u64(3)})), "[\n  [ 1 ],\n  [ 2, 3 ]\n]");
  EXPECT_EQ(debug_string("vector<u64>", cat({{2}, u64(1), u64(2)})), "[ 1, 2 ]");
  EXPECT_EQ(debug_string("vector<vector<u8>>", {2, 1, 1, 2, 2, 3}), "[\n  0x01,\n  0x0203\n]");
  EXPECT_EQ(debug_string("vector<0x1::string::String>", cat({{2}, str("a"), str("b")})), "[\n  \"a\",\n  \"b\"\n]");
  EXPECT_EQ(debug_string("vector<vector<vector<u64>>>", cat({{1, 1, 1}, u64(4)})), "[\n  [\n    [ 4 ]\n  ]\n]");
}

TEST_F(StringUtils, OptionsAndEnums) {
  // v10's Option is an enum (None, Some { e }); it prints as None / Some(..) at the same depth.
  EXPECT_EQ(to_string("0x1::option::Option<u64>", {0}), "None");        // test_format
  EXPECT_EQ(to_string("0x1::option::Option<u64>", cat({{1}, u64(1)})), "Some(1)");
  EXPECT_EQ(to_string("0x1::option::Option<vector<u64>>", cat({{1, 2}, u64(1), u64(2)})), "Some([ 1, 2 ])");
  EXPECT_EQ(to_string("0x1::option::Option<0x1::string::String>", cat({{1}, str("x")})), "Some(\"x\")");
  EXPECT_EQ(to_string("vector<0x1::option::Option<u8>>", {2, 0, 1, 7}), "[ None, Some(7) ]");
  EXPECT_EQ(debug_string("0x1::option::Option<0x42::SU::Inner>", cat({{1}, u64(1), {1}})),
            "Some(0x42::SU::Inner {\n  x: 1,\n  flag: true\n})");
  // Other enums: the variant's name, then its fields in braces (no space before them).
  EXPECT_EQ(to_string("0x1::cmp::Ordering", {1}), "Equal{}");
  EXPECT_EQ(debug_string("0x1::cmp::Ordering", {2}), "Greater{}");
  EXPECT_EQ(to_string("vector<0x1::cmp::Ordering>", {2, 0, 2}), "[ Less{}, Greater{} ]");
  EXPECT_EQ(to_string("0x1::ordered_map::IteratorPtr", cat({{1}, u64(5)})), "Position{ index: 5 }");
  EXPECT_EQ(to_string("0x1::ordered_map::IteratorPtr", {0}), "End{}");
  EXPECT_EQ(to_string("0x1::permissioned_signer::StoredPermission", cat({{1}, le(7, 32)})), "Capacity{ _0: 7 }");
  Bytes map = cat({{0, 2}, u64(1), {1}, u64(2), {0}});  // SortedVectorMap { entries: [(1, true), (2, false)] }
  EXPECT_EQ(to_string("0x1::ordered_map::OrderedMap<u64, bool>", map),
            "SortedVectorMap{ entries: [ Entry { key: 1, value: true }, Entry { key: 2, value: false } ] }");
  EXPECT_EQ(debug_string("0x1::ordered_map::OrderedMap<u64, bool>", map),
            "SortedVectorMap{\n"
            "  entries: [\n"
            "    0x1::ordered_map::Entry<u64, bool> {\n"
            "      key: 1,\n"
            "      value: true\n"
            "    },\n"
            "    0x1::ordered_map::Entry<u64, bool> {\n"
            "      key: 2,\n"
            "      value: false\n"
            "    }\n"
            "  ]\n"
            "}");
}

TEST_F(StringUtils, Structs) {
  Bytes cons = cat({str("My string"), u64(2)});
  // test_format: `Cons { car: "My string", cdr: 2 }`.
  EXPECT_EQ(to_string("0x1::string_utils::Cons<0x1::string::String, u64>", cons), "Cons { car: \"My string\", cdr: 2 }");
  EXPECT_EQ(debug_string("0x1::string_utils::Cons<0x1::string::String, u64>", cons),
            "0x1::string_utils::Cons<0x1::string::String, u64> {\n  car: \"My string\",\n  cdr: 2\n}");
  EXPECT_EQ(to_string("0x1::string_utils::NIL", {0}), "NIL { dummy_field: false }");
  Bytes outer = cat({str("n"), u64(7), {1}, {2}, u64(1), u64(2)});
  EXPECT_EQ(to_string("0x42::SU::Outer<u64>", outer),
            "Outer { name: \"n\", inner: Inner { x: 7, flag: true }, items: [ 1, 2 ] }");
  EXPECT_EQ(debug_string("0x42::SU::Outer<u64>", outer),
            "0x42::SU::Outer<u64> {\n"
            "  name: \"n\",\n"
            "  inner: 0x42::SU::Inner {\n"
            "    x: 7,\n"
            "    flag: true\n"
            "  },\n"
            "  items: [ 1, 2 ]\n"
            "}");
  Bytes two_inner = cat({{2}, u64(1), {0}, u64(2), {1}});
  EXPECT_EQ(to_string("vector<0x42::SU::Inner>", two_inner),
            "[ Inner { x: 1, flag: false }, Inner { x: 2, flag: true } ]");
  EXPECT_EQ(debug_string("vector<0x42::SU::Inner>", two_inner),
            "[\n  0x42::SU::Inner {\n    x: 1,\n    flag: false\n  },\n  0x42::SU::Inner {\n    x: 2,\n    flag: true\n  }\n]");
  // Type arguments in the type name are the canonical tags (short addresses).
  Bytes nested = cat({str("m"), u64(0), {0}, {1}, str("z"), u64(9), {1}, {0}});
  EXPECT_EQ(debug_string("0x42::SU::Outer<0x42::SU::Outer<u8>>", nested),
            "0x42::SU::Outer<0x42::SU::Outer<u8>> {\n"
            "  name: \"m\",\n"
            "  inner: 0x42::SU::Inner {\n"
            "    x: 0,\n"
            "    flag: false\n"
            "  },\n"
            "  items: [\n"
            "    0x42::SU::Outer<u8> {\n"
            "      name: \"z\",\n"
            "      inner: 0x42::SU::Inner {\n"
            "        x: 9,\n"
            "        flag: true\n"
            "      },\n"
            "      items: 0x\n"
            "    }\n"
            "  ]\n"
            "}");
  // Canonical addresses reach fields too, not type names.
  EXPECT_EQ(format("to_string_with_canonical_addresses", "0x1::string_utils::Cons<address, bool>",
                   cat({addr_bcs(0x42), {1}})),
            "Cons { car: @" + std::string(62, '0') + "42, cdr: true }");
}

TEST_F(StringUtils, Signers) {
  UnmeteredGasMeter gas;
  auto r = session_->execute_function(address_from_u64(0x42), "SU", "signer_text", {}, {address_from_u64(0x123)}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r)) << std::get<ExecutionError>(r).error.message;
  const auto& out = std::get<ExecutionResult>(r).return_values;
  EXPECT_EQ(text_of(out.at(0)), "signer(@0x123)");  // the framework's own test (SIGNER_NATIVE_FORMAT_FIX)
  EXPECT_EQ(text_of(out.at(1)), "signer(@" + std::string(61, '0') + "123)");
  EXPECT_EQ(text_of(out.at(2)), "signer(@0x123)");
}

// SIGNER_NATIVE_FORMAT_FIX (25) comes from the session's features when it carries them (the
// framework adds the state's); cleared, formatting a signer fails as before the fix.
TEST_F(StringUtils, SignerFormatFollowsTheSessionFeatures) {
  UnmeteredGasMeter gas;
  FeatureFlags flags = read_features(*state_);
  ASSERT_TRUE(flags.enabled(kFeatureSignerNativeFormatFix));
  flags.bits[kFeatureSignerNativeFormatFix / 8] &= uint8_t(~(1u << (kFeatureSignerNativeFormatFix % 8)));
  session_->extensions().add(std::make_shared<FeatureFlags>(flags));
  auto r = session_->execute_function(address_from_u64(0x42), "SU", "signer_text", {}, {address_from_u64(0x123)}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  EXPECT_EQ(std::get<ExecutionError>(r).error.status, StatusCode::INTERNAL_TYPE_ERROR);
  EXPECT_EQ(std::get<ExecutionError>(r).error.message, "string_utils: cannot cast a signer to an address");
  flags.bits[kFeatureSignerNativeFormatFix / 8] |= uint8_t(1u << (kFeatureSignerNativeFormatFix % 8));
  session_->extensions().add(std::make_shared<FeatureFlags>(flags));
  r = session_->execute_function(address_from_u64(0x42), "SU", "signer_text", {}, {address_from_u64(0x123)}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r)) << std::get<ExecutionError>(r).error.message;
  EXPECT_EQ(text_of(std::get<ExecutionResult>(r).return_values.at(0)), "signer(@0x123)");
}

TEST_F(StringUtils, FormatLists) {
  // test_format_list / test_format_escape_braces_works.
  EXPECT_EQ(formatted("a = {} b = {} c = {}", {"u64", "u64", "0x1::string::String"}, {u64(1), u64(2), str("My string")}),
            "a = 1 b = 2 c = \"My string\"");
  EXPECT_EQ(formatted("{{a = {} b = {} c = {}}}", {"u64", "u64", "u64"}, {u64(1), u64(2), u64(3)}), "{a = 1 b = 2 c = 3}");
  // Values print as debug_string does, on one line: structs with their full type names.
  EXPECT_EQ(formatted("x={}", {"0x42::SU::Inner"}, {cat({u64(1), {1}})}), "x=0x42::SU::Inner { x: 1, flag: true }");
  EXPECT_EQ(formatted("{} and {}", {"vector<vector<u64>>", "address"}, {{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, addr_bcs(1)}),
            "[ [ 1 ] ] and @0x1");
  EXPECT_EQ(formatted("{}{}{}{}", {"u8", "bool", "0x1::string::String", "vector<u8>"}, {{1}, {1}, str("s"), {1, 0xab}}),
            "1true\"s\"0xab");
  EXPECT_EQ(formatted("{}}}{{", {"0x1::option::Option<u64>"}, {{0}}), "None}{");
  EXPECT_EQ(formatted("caf\xc3\xa9 {}", {"i8"}, {{0xfe}}), "caf\xc3\xa9 -2");
}

TEST_F(StringUtils, FormatAborts) {
  constexpr uint64_t kArgsMismatch = 1, kInvalidFormat = 2;
  // The module's expected_failure tests.
  EXPECT_EQ(abort_code(format_n("a = {} b = {} c = {}", {"u64", "u64", "u64", "u64"}, {u64(1), u64(2), u64(3), u64(4)})),
            kArgsMismatch);
  EXPECT_EQ(abort_code(format_n("a = {} b = {} c = {}", {"u64", "u64"}, {u64(1), u64(2)})), kArgsMismatch);
  EXPECT_EQ(abort_code(format_n("a = {} b = {} c = {", {"u64", "u64", "u64"}, {u64(1), u64(2), u64(3)})), kInvalidFormat);
  EXPECT_EQ(abort_code(format_n("a = {} b = { c = {}", {"u64", "u64", "u64"}, {u64(1), u64(2), u64(3)})), kInvalidFormat);
  EXPECT_EQ(abort_code(format_n("a = } b = {} c = {}", {"u64", "u64", "u64"}, {u64(1), u64(2), u64(3)})), kInvalidFormat);
  EXPECT_EQ(abort_code(format_n("}", {"u64"}, {u64(1)})), kInvalidFormat);
  EXPECT_EQ(abort_code(format_n("{", {"u64"}, {u64(1)})), kInvalidFormat);
  // A format string that is not UTF-8.
  EXPECT_EQ(abort_code(format_n("\xff {}", {"u64"}, {u64(1)})), kInvalidFormat);
  // The order of the checks: a malformed brace after too many placeholders still reports the
  // missing value first.
  EXPECT_EQ(abort_code(format_n("{} {} }x", {"u64"}, {u64(1)})), kArgsMismatch);
  EXPECT_EQ(abort_code(format_n("{} }x {}", {"u64"}, {u64(1)})), kInvalidFormat);
  // native_format_list with lists that do not end in NIL (test_format_list_not_valid_nil /
  // _not_valid_list, with the module's own FakeCons).
  auto list = [&](const char* type, Bytes value) {
    return call("native_format_list", {tag(type)}, {str("a = {} b = {} c = {}"), std::move(value)});
  };
  EXPECT_EQ(abort_code(list("0x1::string_utils::Cons<u64, 0x1::string_utils::Cons<u64, 0x1::string_utils::Cons<u64, u64>>>",
                            cat({u64(1), u64(2), u64(3), u64(4)}))),
            kArgsMismatch);
  EXPECT_EQ(abort_code(list("0x1::string_utils::Cons<u64, 0x1::string_utils::FakeCons<u64, "
                            "0x1::string_utils::Cons<u64, 0x1::string_utils::NIL>>>",
                            cat({u64(1), u64(2), u64(3), {0}}))),
            kArgsMismatch);
  EXPECT_EQ(abort_code(call("native_format_list", {tag("u64")}, {str("{}"), u64(1)})), kArgsMismatch);
  auto ok = call("native_format_list", {tag("0x1::string_utils::NIL")}, {str("no values"), {0}});
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(ok));
  EXPECT_EQ(text_of(std::get<ExecutionResult>(ok).return_values.at(0)), "no values");
}

TEST_F(StringUtils, GasPerValueAndPerByte) {
  uint64_t base = params_->native("aptos_framework.string_utils.format.base");
  uint64_t per_byte = params_->native("aptos_framework.string_utils.format.per_byte");
  ASSERT_GT(base, 0u);
  ASSERT_GT(per_byte, 0u);
  // Same bytecode path, different value sizes: the difference is the native's own charges.
  auto consumed = [&](const char* fn, const char* type, const Bytes& value) {
    AptosGasMeter meter(*params_, 1'000'000);
    auto r = call(fn, {tag(type)}, {value}, &meter);
    EXPECT_TRUE(std::holds_alternative<ExecutionResult>(r));
    return meter.consumed();
  };
  Bytes small{1, 0xaa};
  Bytes large{101};
  large.resize(102, 0xbb);
  EXPECT_EQ(consumed("to_string", "vector<u8>", large) - consumed("to_string", "vector<u8>", small), 100 * per_byte);
  // A vector of n u64s: n + 1 values formatted.
  Bytes one = cat({{1}, u64(1)});
  Bytes four = cat({{4}, u64(1), u64(2), u64(3), u64(4)});
  EXPECT_EQ(consumed("to_string", "vector<u64>", four) - consumed("to_string", "vector<u64>", one), 3 * base);
  // Strings are charged per byte as well.
  EXPECT_EQ(consumed("to_string", "0x1::string::String", str("0123456789")) -
                consumed("to_string", "0x1::string::String", str("")),
            10 * per_byte);
  // A value too large for the budget stops with OUT_OF_GAS instead of being formatted whole.
  Bytes big{0xa0, 0x8d, 0x06};  // 100000 u64s
  big.resize(3 + 8 * 100000, 0);
  AptosGasMeter meter(*params_, 20);
  auto r = call("to_string", {tag("vector<u64>")}, {big}, &meter);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  EXPECT_EQ(std::get<ExecutionError>(r).error.status, StatusCode::OUT_OF_GAS);
}

// Function values print as the function's name (address in AIP-40 form: long unless 0x0..0xf),
// then the parameters up to the last captured one, `_` for those not captured, and a final
// `..`; captured values by their runtime layouts. Move IR has no closures: the struct field's
// type and the PackClosure instructions are patched in (bytecode v8).
TEST_F(StringUtils, FunctionValues) {
  CompiledModule m = compile(R"(module 0x42.FS {
    import 0x1.string;
    import 0x1.string_utils;
    struct Holder has copy, drop { f: u64 }
    struct Pair has copy, drop, store { a: u64, b: bool }
    public add(x: u64, y: u64): u64 {
    label b0:
        return move(x) + move(y);
    }
    public first(p: Self.Pair, y: u64): u64 {
    label b0:
        return *&(&p).Pair::a + move(y);
    }
    public show_x(k: u64): string.String * string.String {
        let h: Self.Holder;
    label b0:
        h = Holder { f: move(k) };
        return string_utils.to_string<Self.Holder>(&h), string_utils.debug_string<Self.Holder>(&h);
    }
    public show_y(k: u64): string.String * string.String {
        let h: Self.Holder;
    label b0:
        h = Holder { f: move(k) };
        return string_utils.to_string<Self.Holder>(&h), string_utils.debug_string<Self.Holder>(&h);
    }
    public show_pair(a: u64, b: bool): string.String * string.String {
        let h: Self.Holder;
    label b0:
        h = Holder { f: Pair { a: move(a), b: move(b) } };
        return string_utils.to_string<Self.Holder>(&h), string_utils.debug_string<Self.Holder>(&h);
    }
  })");
  m.version = 8;
  m.struct_defs[0].fields[0].type = closure_test::fun_u64_u64();
  for (auto [fn, target, mask] : {std::tuple{"show_x", "add", 0b1}, std::tuple{"show_y", "add", 0b10},
                                  std::tuple{"show_pair", "first", 0b1}}) {
    auto& code = closure_test::def_of(m, fn).code->code;
    // The Pack of Holder is the last Pack (show_pair packs the Pair first).
    size_t pack = 0;
    for (size_t i = 0; i < code.size(); ++i)
      if (code[i].op == Opcode::Pack) pack = i;
    code.insert(code.begin() + long(pack), Instruction{Opcode::PackClosure, closure_test::handle_of(m, target), uint64_t(mask), {}});
  }
  publish(std::move(m));
  auto texts = [&](const char* fn, std::vector<Bytes> args) {
    UnmeteredGasMeter gas;
    auto r = session_->execute_function(address_from_u64(0x42), "FS", fn, {}, {}, args, gas);
    if (auto* e = std::get_if<ExecutionError>(&r)) return std::pair<std::string, std::string>{status_name(e->error.status), e->error.message};
    const auto& out = std::get<ExecutionResult>(r).return_values;
    return std::pair{text_of(out.at(0)), text_of(out.at(1))};
  };
  const std::string fs = "0x" + std::string(62, '0') + "42::FS";
  auto [x, x_debug] = texts("show_x", {u64(5)});
  EXPECT_EQ(x, "Holder { f: " + fs + "::add(5, ..) }");
  EXPECT_EQ(x_debug, "0x42::FS::Holder {\n  f: " + fs + "::add(5,\n    ..)\n}");
  auto [y, y_debug] = texts("show_y", {u64(6)});
  EXPECT_EQ(y, "Holder { f: " + fs + "::add(_, 6, ..) }");
  // A captured struct prints by its runtime layout: no names.
  auto [p, p_debug] = texts("show_pair", {u64(3), {1}});
  EXPECT_EQ(p, "Holder { f: " + fs + "::first({ 3, true }, ..) }");
  EXPECT_EQ(p_debug, "0x42::FS::Holder {\n  f: " + fs + "::first({\n      3,\n      true\n    },\n    ..)\n}");
}

// transaction_context::monotonically_increasing_counter_internal_for_test_only is registered
// in production by Aptos (v8v9+ frameworks declare it): the session's call count, from 1.
TEST_F(StringUtils, TestOnlyMonotonicCounter) {
  for (unsigned __int128 expected = 1; expected <= 3; ++expected) {
    auto r = call("monotonically_increasing_counter_internal_for_test_only", {}, {}, nullptr, "transaction_context");
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r));
    const Value& v = std::get<ExecutionResult>(r).return_values.at(0);
    EXPECT_EQ(v.kind, ValueKind::U128);
    EXPECT_TRUE(v.u128 == expected);
  }
  session_->extensions().get<TransactionContext>()->monotonic_counter = 0xFFFF;
  auto r = call("monotonically_increasing_counter_internal_for_test_only", {}, {}, nullptr, "transaction_context");
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(r));
  EXPECT_EQ(std::get<ExecutionError>(r).sub_status, std::optional<uint64_t>(0x30002));
}

}  // namespace
}  // namespace lumio::movevm
