// Move IR parser over the public transactional tests (../shared/move-tests): every task body
// that Aptos parses must parse here, and where the expected output is a parser error we must
// fail with the same text.
#include <gtest/gtest.h>

#include "movevm/tests/test_util.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "movevm/ir.hpp"

namespace fs = std::filesystem;
using namespace lumio::movevm;

namespace {

using test_util::lines_of;
using test_util::slurp;

struct Task {
  std::string command;  // the `//#` line
  std::string body;     // the task's lines, command line included
};

std::vector<Task> split_tasks(const std::string& text) {
  std::vector<Task> tasks;
  for (const auto& line : lines_of(text)) {
    if (line.rfind("//#", 0) == 0) tasks.push_back({line, {}});
    if (!tasks.empty()) tasks.back().body += line + "\n";
  }
  return tasks;
}

// task index -> first output line of that task in the .exp file.
std::map<size_t, std::string> expected_first_lines(const std::string& exp) {
  std::map<size_t, std::string> r;
  auto lines = lines_of(exp);
  for (size_t i = 0; i + 1 < lines.size(); ++i)
    if (lines[i].rfind("task ", 0) == 0) r[std::stoul(lines[i].substr(5))] = lines[i + 1];
  return r;
}

bool has_code(const std::string& body) {
  for (const auto& l : lines_of(body)) {
    size_t p = l.find_first_not_of(" \t\r");
    if (p != std::string::npos && l.compare(p, 2, "//") != 0) return true;
  }
  return false;
}

std::optional<ir::ParseError> parse_task(const Task& t) {
  std::istringstream cmd(t.command);
  std::string marker, kind;
  cmd >> marker >> kind;
  bool module = kind == "publish" || t.command.find("--input=module") != std::string::npos;
  if (module) {
    auto r = ir::parse_module(t.body);
    if (auto* e = std::get_if<ir::ParseError>(&r)) return *e;
  } else {
    auto r = ir::parse_script(t.body);
    if (auto* e = std::get_if<ir::ParseError>(&r)) return *e;
  }
  return std::nullopt;
}

}  // namespace

TEST(MoveIrParser, TransactionalTestSources) {
  fs::path root = fs::path(LUMIO_SOURCE_DIR) / ".." / "shared" / "move-tests";
  ASSERT_TRUE(fs::exists(root)) << root;
  size_t passed = 0, failed = 0, expected_errors = 0, files = 0;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (f.path().extension() != ".mvir") continue;
    ++files;
    auto tasks = split_tasks(slurp(f.path()));
    fs::path exp_path = f.path();
    exp_path.replace_extension(".exp");
    auto expected = expected_first_lines(fs::exists(exp_path) ? slurp(exp_path) : "");
    for (size_t i = 0; i < tasks.size(); ++i) {
      const Task& t = tasks[i];
      bool parses = t.command.rfind("//# publish", 0) == 0 || t.command.rfind("//# run", 0) == 0 ||
                    t.command.rfind("//# print-bytecode", 0) == 0;
      if (!parses || !has_code(t.body.substr(t.command.size() + 1))) continue;
      auto err = parse_task(t);
      std::string want = expected.count(i) ? expected[i] : "";
      bool want_error = want.rfind("Error: ParserError", 0) == 0;
      expected_errors += want_error;
      bool ok = want_error ? (err && "Error: " + err->describe() == want) : !err;
      if (!ok)
        ADD_FAILURE() << f.path().string() << " task " << i << ": expected "
                      << (want_error ? want : "success") << ", got "
                      << (err ? err->describe() + " at " + std::to_string(err->loc.start) : "success");
      (ok ? passed : failed)++;
    }
  }
  EXPECT_GT(files, 500u);
  EXPECT_GE(expected_errors, 10u);
  std::cout << passed << " passed, " << failed << " failed\n";
  EXPECT_EQ(failed, 0u);
}

TEST(MoveIrParser, ShapesOfTheTree) {
  auto r = ir::parse_module(R"(
module 0x42.M {
    import 0x1.signer;
    struct T<phantom A: copy + drop> has key, store { f: u64, g: vector<Self.T<A>> }
    public(friend) entry f<X: key>(s: &signer, x: u64): u64 * bool acquires T {
        let y: u64;
    label b0:
        y = move(x) + 2u8 * copy(x);
        jump_if_false (exists<T<X>>(signer.address_of(move(s)))) b1;
        return 1u128, false;
    label b1:
        abort 7;
    }
    native fun_n();
}
)");
  ASSERT_TRUE(std::holds_alternative<ir::Module>(r)) << std::get<ir::ParseError>(r).describe();
  const auto& m = std::get<ir::Module>(r);
  EXPECT_EQ(m.ident.address[31], 0x42);
  EXPECT_EQ(m.ident.name, "M");
  ASSERT_EQ(m.imports.size(), 1u);
  EXPECT_EQ(m.imports[0].alias, "signer");
  ASSERT_EQ(m.structs.size(), 1u);
  EXPECT_TRUE(m.structs[0].type_parameters[0].is_phantom);
  EXPECT_EQ(m.structs[0].type_parameters[0].constraints.size(), 2u);
  EXPECT_EQ(m.structs[0].abilities, (ir::Abilities{ir::Ability::Key, ir::Ability::Store}));
  ASSERT_EQ(m.structs[0].fields.size(), 2u);
  EXPECT_EQ(m.structs[0].fields[1].second.kind, ir::Type::Kind::Vector);
  EXPECT_EQ(m.structs[0].fields[1].second.args[0].module, "Self");
  ASSERT_EQ(m.functions.size(), 2u);
  const auto& f = m.functions[0];
  EXPECT_EQ(f.visibility, ir::Visibility::Friend);
  EXPECT_TRUE(f.is_entry);
  EXPECT_EQ(f.returns.size(), 2u);
  EXPECT_EQ(f.acquires, std::vector<std::string>{"T"});
  ASSERT_EQ(f.blocks.size(), 2u);
  const auto& assign = f.blocks[0].statements[0];
  ASSERT_EQ(assign.kind, ir::Statement::Kind::Assign);
  // `move(x) + 2u8 * copy(x)`: multiplication binds tighter.
  ASSERT_EQ(assign.exp->kind, ir::Exp::Kind::Binop);
  EXPECT_EQ(assign.exp->op, ir::BinOp::Add);
  EXPECT_EQ(assign.exp->operands[1].op, ir::BinOp::Mul);
  EXPECT_EQ(assign.exp->operands[1].operands[0].value.kind, ir::Value::Kind::U8);
  const auto& jump = f.blocks[0].statements[1];
  EXPECT_EQ(jump.kind, ir::Statement::Kind::JumpIfFalse);
  EXPECT_EQ(jump.label, "b1");
  EXPECT_TRUE(jump.exp->call.is_builtin);
  EXPECT_EQ(jump.exp->call.builtin, ir::Builtin::Exists);
  EXPECT_EQ(f.blocks[0].statements[2].exp->operands.size(), 2u);
  EXPECT_TRUE(m.functions[1].is_native);
}

TEST(MoveIrParser, Errors) {
  auto err = [](std::string_view src) {
    auto r = ir::parse_script(src);
    return std::holds_alternative<ir::ParseError>(r) ? std::get<ir::ParseError>(r).describe() : "ok";
  };
  EXPECT_EQ(err("main() { label b0: return; }"), "ok");
  EXPECT_EQ(err("main(label: u64) { label b0: return; }"),
            "ParserError: Invalid Token: expected Tok::NameValue");
  EXPECT_EQ(err("main() { label b0: / return; }"),
            "ParserError: Invalid Token: invalid token kind for statement Slash");
  EXPECT_EQ(err("main() { label b0: x = vec_pack_3<u8>(1, 2 3); }"),
            "ParserError: Invalid Token: expected Comma, not U64Value");
  EXPECT_EQ(err("main() { label b0: return 300u8; }"),
            "ParserError: Invalid Token: invalid integer literal 300u8");
  EXPECT_EQ(err("main<T: copy + copy>() { label b0: return; }"),
            "ParserError: Duplicate ability 'copy'");
  EXPECT_EQ(err("main() { label b0: return; } }"), "ParserError: Invalid Token: expected EOF, not RBrace");
  EXPECT_EQ(err("main() { label b0: x = 1 ==> 2; }"),
            "ParserError: Invalid Token: Unexpected token that is not a binary operator");
  EXPECT_EQ(err("main() {\r label b0: return; }").substr(0, 57),
            "ParserError: Invalid Token: unrecognized character for to");
  // Deep nesting and garbage must not crash.
  EXPECT_EQ(err("main() { label b0: x = " + std::string(1000000, '(')),
            "ParserError: Invalid Token: nesting too deep");
  std::string refs;
  for (int i = 0; i < 100000; ++i) refs += "& ";
  EXPECT_EQ(err("main() { let x: " + refs + "u8; label b0: return; }"),
            "ParserError: Invalid Token: nesting too deep");
  EXPECT_NE(err(std::string("main() { label b0: x = ") + std::string(2000, '!') + "1; }"), "crash");
}
