// Move IR lexer and recursive-descent parser. Token kinds, lexing quirks (names that swallow a
// following '<', '(' or '.'), precedences and error texts mirror Aptos's syntax crate, because
// the transactional tests compare parser errors verbatim.
#include <algorithm>
#include <cstring>

#include "movevm/ir.hpp"

namespace lumio::movevm::ir {
namespace {

#define LUMIO_IR_TOKENS(X)                                                                   \
  X(EndOfFile) X(AccountAddressValue) X(U8Value) X(U16Value) X(U32Value) X(U64Value) X(U128Value)  \
  X(U256Value) X(NameValue) X(NameBeginTyValue) X(DotNameValue) X(ByteArrayValue) X(Exclaim) \
  X(ExclaimEqual) X(Percent) X(Amp) X(AmpAmp) X(AmpMut) X(LParen) X(RParen) X(Star) X(Plus)  \
  X(Comma) X(Minus) X(Period) X(Slash) X(Colon) X(ColonEqual) X(Semicolon) X(Less)           \
  X(LessEqual) X(LessLess) X(Equal) X(EqualEqual) X(EqualEqualGreater) X(Greater)            \
  X(GreaterEqual) X(GreaterGreater) X(Caret) X(Underscore) X(Abort) X(AbortsIf) X(Acquires)  \
  X(As) X(Assert) X(BorrowGlobal) X(BorrowGlobalMut) X(Copy) X(Ensures) X(Exists) X(False)   \
  X(Freeze) X(Global) X(GlobalExists) X(ToU8) X(ToU16) X(ToU32) X(ToU64) X(ToU128) X(ToU256) \
  X(Import) X(Invariant) X(Jump) X(JumpIf) X(JumpIfFalse) X(Label) X(Let) X(Main) X(Module)  \
  X(Move) X(MoveFrom) X(MoveTo) X(Native) X(Old) X(Public) X(Script) X(Friend) X(Requires)   \
  X(SpecReturn) X(Return) X(Struct) X(SucceedsIf) X(Synthetic) X(True) X(VecPack) X(VecLen)  \
  X(VecImmBorrow) X(VecMutBorrow) X(VecPushBack) X(VecPopBack) X(VecUnpack) X(VecSwap)       \
  X(LBrace) X(Pipe) X(PipePipe) X(RBrace) X(LSquare) X(RSquare) X(PeriodPeriod) X(Nop)

enum class Tok : uint8_t {
#define LUMIO_X(name) name,
  LUMIO_IR_TOKENS(LUMIO_X)
#undef LUMIO_X
};

constexpr std::string_view kTokNames[] = {
#define LUMIO_X(name) #name,
    LUMIO_IR_TOKENS(LUMIO_X)
#undef LUMIO_X
};

// A token as Rust's Debug prints it (VecPack carries its count).
struct TokVal {
  Tok tok = Tok::EndOfFile;
  uint64_t num = 0;
  bool operator==(Tok t) const { return tok == t; }
};

std::string tok_name(TokVal t) {
  if (t.tok == Tok::EndOfFile) return "EOF";  // Rust's Debug name; EOF is a C macro here
  std::string s(kTokNames[size_t(t.tok)]);
  if (t.tok == Tok::VecPack || t.tok == Tok::VecUnpack) s += "(" + std::to_string(t.num) + ")";
  return s;
}

struct Failure {
  ParseError error;
};
[[noreturn]] void invalid(Loc loc, std::string message) {
  throw Failure{ParseError{loc, true, std::move(message)}};
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$' || c == '_';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '_';
}

size_t name_len(std::string_view t) {
  if (t.empty() || (t[0] >= '0' && t[0] <= '9')) return 0;
  size_t n = 0;
  while (n < t.size() && is_name_char(t[n])) ++n;
  return n;
}
size_t hex_len(std::string_view t) {
  size_t n = 0;
  while (n < t.size() && is_hex(t[n])) ++n;
  return n;
}

Tok keyword(std::string_view n) {
  static const std::pair<std::string_view, Tok> kWords[] = {
      {"_", Tok::Underscore}, {"abort", Tok::Abort}, {"aborts_if", Tok::AbortsIf},
      {"acquires", Tok::Acquires}, {"as", Tok::As}, {"copy", Tok::Copy},
      {"ensures", Tok::Ensures}, {"false", Tok::False}, {"freeze", Tok::Freeze},
      {"friend", Tok::Friend}, {"global", Tok::Global}, {"global_exists", Tok::GlobalExists},
      {"to_u8", Tok::ToU8}, {"to_u16", Tok::ToU16}, {"to_u32", Tok::ToU32},
      {"to_u64", Tok::ToU64}, {"to_u128", Tok::ToU128}, {"to_u256", Tok::ToU256},
      {"import", Tok::Import}, {"jump", Tok::Jump}, {"jump_if", Tok::JumpIf},
      {"jump_if_false", Tok::JumpIfFalse}, {"label", Tok::Label}, {"let", Tok::Let},
      {"main", Tok::Main}, {"module", Tok::Module}, {"native", Tok::Native},
      {"invariant", Tok::Invariant}, {"old", Tok::Old}, {"public", Tok::Public},
      {"requires", Tok::Requires}, {"RET", Tok::SpecReturn}, {"return", Tok::Return},
      {"script", Tok::Script}, {"struct", Tok::Struct}, {"succeeds_if", Tok::SucceedsIf},
      {"synthetic", Tok::Synthetic}, {"true", Tok::True}, {"nop", Tok::Nop}};
  for (const auto& [w, t] : kWords)
    if (w == n) return t;
  return Tok::NameValue;
}

std::optional<uint64_t> parse_count(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  bool spec_mode = false;

  TokVal peek() const { return token_; }
  std::string_view content() const { return text_.substr(cur_start_, cur_end_ - cur_start_); }
  size_t start_loc() const { return cur_start_; }
  size_t previous_end_loc() const { return prev_end_; }
  Loc current_loc() const { return {uint32_t(cur_start_), uint32_t(cur_end_)}; }

  void advance() {
    prev_end_ = cur_end_;
    cur_start_ = skip(cur_end_);
    auto [tok, len] = find_token(cur_start_);
    cur_end_ = cur_start_ + len;
    token_ = tok;
  }
  TokVal lookahead() const { return find_token(skip(cur_end_)).first; }
  void replace_token(Tok t, size_t len) {
    token_ = {t, 0};
    cur_end_ = cur_start_ + len;
  }

 private:
  // Whitespace is only "\r\n", '\n', '\t' and ' '; comments are `//` to end of line.
  size_t skip(size_t pos) const {
    for (;;) {
      while (text_.compare(pos, 2, "\r\n") == 0) pos += 2;
      while (pos < text_.size() && (text_[pos] == '\n' || text_[pos] == '\t' || text_[pos] == ' '))
        ++pos;
      if (text_.compare(pos, 2, "//") == 0) {
        while (pos < text_.size() && text_[pos] != '\n') ++pos;
        continue;
      }
      return pos;
    }
  }

  std::pair<TokVal, size_t> find_token(size_t pos) const {
    std::string_view t = text_.substr(pos);
    if (t.empty()) return {{Tok::EndOfFile}, 0};
    auto starts = [&](std::string_view p) { return t.substr(0, p.size()) == p; };
    char c = t[0];
    if (c >= '0' && c <= '9') {
      if ((starts("0x") || starts("0X")) && t.size() > 2) {
        size_t h = hex_len(t.substr(2));
        if (h == 0) return {{Tok::U64Value}, 1};
        return {{Tok::AccountAddressValue}, 2 + h};
      }
      size_t n = 0;
      while (n < t.size() && ((t[n] >= '0' && t[n] <= '9') || t[n] == '_')) ++n;
      std::string_view rest = t.substr(n);
      auto suffix = [&](std::string_view s) { return rest.substr(0, s.size()) == s; };
      if (suffix("u8")) return {{Tok::U8Value}, n + 2};
      if (suffix("u16")) return {{Tok::U16Value}, n + 3};
      if (suffix("u32")) return {{Tok::U32Value}, n + 3};
      if (suffix("u64")) return {{Tok::U64Value}, n + 3};
      if (suffix("u128")) return {{Tok::U128Value}, n + 4};
      if (suffix("u256")) return {{Tok::U256Value}, n + 4};
      return {{Tok::U64Value}, n};
    }
    if (is_name_start(c)) {
      size_t len = name_len(t);
      std::string_view name = t.substr(0, len);
      if (spec_mode || len == t.size()) return {{keyword(name)}, len};
      char next = t[len];
      if (next == '"') {
        if (name == "h") {
          size_t h = hex_len(t.substr(len + 1));
          if (len + 1 + h < t.size() && t[len + 1 + h] == '"') return {{Tok::ByteArrayValue}, 2 + h + 1};
        }
        return {{keyword(name)}, len};
      }
      if (next == '.') {
        size_t len2 = name_len(t.substr(len + 1));
        if (len2 > 0) return {{Tok::DotNameValue}, len + 1 + len2};
        return {{keyword(name)}, len};
      }
      if (next == '<') {
        if (name == "vec_len") return {{Tok::VecLen}, len};
        if (name == "vec_imm_borrow") return {{Tok::VecImmBorrow}, len};
        if (name == "vec_mut_borrow") return {{Tok::VecMutBorrow}, len};
        if (name == "vec_push_back") return {{Tok::VecPushBack}, len};
        if (name == "vec_pop_back") return {{Tok::VecPopBack}, len};
        if (name == "vec_swap") return {{Tok::VecSwap}, len};
        if (name == "borrow_global") return {{Tok::BorrowGlobal}, len + 1};
        if (name == "borrow_global_mut") return {{Tok::BorrowGlobalMut}, len + 1};
        if (name == "exists") return {{Tok::Exists}, len + 1};
        if (name == "move_from") return {{Tok::MoveFrom}, len + 1};
        if (name == "move_to") return {{Tok::MoveTo}, len + 1};
        if (name == "main") return {{Tok::Main}, len};
        for (auto [prefix, tok] : {std::pair{std::string_view("vec_pack_"), Tok::VecPack},
                                   std::pair{std::string_view("vec_unpack_"), Tok::VecUnpack}}) {
          if (name.substr(0, prefix.size()) == prefix) {
            if (auto n = parse_count(name.substr(prefix.size()))) return {{tok, *n}, len};
            return {{Tok::NameBeginTyValue}, len + 1};
          }
        }
        return {{Tok::NameBeginTyValue}, len + 1};
      }
      if (next == '(') {
        if (name == "assert") return {{Tok::Assert}, len + 1};
        if (name == "copy") return {{Tok::Copy}, len + 1};
        if (name == "move") return {{Tok::Move}, len + 1};
      }
      return {{keyword(name)}, len};
    }
    switch (c) {
      case '&':
        if (starts("&mut ")) return {{Tok::AmpMut}, 5};
        if (starts("&&")) return {{Tok::AmpAmp}, 2};
        return {{Tok::Amp}, 1};
      case '|': return starts("||") ? std::pair{TokVal{Tok::PipePipe}, size_t(2)} : std::pair{TokVal{Tok::Pipe}, size_t(1)};
      case '=':
        if (starts("==>")) return {{Tok::EqualEqualGreater}, 3};
        if (starts("==")) return {{Tok::EqualEqual}, 2};
        return {{Tok::Equal}, 1};
      case '!': return starts("!=") ? std::pair{TokVal{Tok::ExclaimEqual}, size_t(2)} : std::pair{TokVal{Tok::Exclaim}, size_t(1)};
      case '<':
        if (starts("<=")) return {{Tok::LessEqual}, 2};
        if (starts("<<")) return {{Tok::LessLess}, 2};
        return {{Tok::Less}, 1};
      case '>':
        if (starts(">=")) return {{Tok::GreaterEqual}, 2};
        if (starts(">>")) return {{Tok::GreaterGreater}, 2};
        return {{Tok::Greater}, 1};
      case '%': return {{Tok::Percent}, 1};
      case '(': return {{Tok::LParen}, 1};
      case ')': return {{Tok::RParen}, 1};
      case '*': return {{Tok::Star}, 1};
      case '+': return {{Tok::Plus}, 1};
      case ',': return {{Tok::Comma}, 1};
      case '-': return {{Tok::Minus}, 1};
      case '.': return starts("..") ? std::pair{TokVal{Tok::PeriodPeriod}, size_t(2)} : std::pair{TokVal{Tok::Period}, size_t(1)};
      case '/': return {{Tok::Slash}, 1};
      case ':': return starts(":=") ? std::pair{TokVal{Tok::ColonEqual}, size_t(2)} : std::pair{TokVal{Tok::Colon}, size_t(1)};
      case ';': return {{Tok::Semicolon}, 1};
      case '^': return {{Tok::Caret}, 1};
      case '{': return {{Tok::LBrace}, 1};
      case '}': return {{Tok::RBrace}, 1};
      case '[': return {{Tok::LSquare}, 1};
      case ']': return {{Tok::RSquare}, 1};
      default: break;
    }
    invalid({uint32_t(pos), uint32_t(pos)},
            std::string("unrecognized character for token '") + c + "'");
  }

  std::string_view text_;
  size_t prev_end_ = 0, cur_start_ = 0, cur_end_ = 0;
  TokVal token_;
};

// Decimal string (digits only) -> 256-bit little-endian; false on overflow or bad digits.
bool decimal_to_word(std::string_view s, std::array<uint8_t, 32>& out, unsigned bits) {
  out.fill(0);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned carry = unsigned(c - '0');
    for (auto& byte : out) {
      unsigned v = unsigned(byte) * 10 + carry;
      byte = uint8_t(v);
      carry = v >> 8;
    }
    if (carry) return false;
  }
  for (unsigned i = bits / 8; i < 32; ++i)
    if (out[i]) return false;
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view src) : lex_(src) { lex_.advance(); }

  Module module() {
    Module m = parse_module();
    consume(Tok::EndOfFile);
    return m;
  }
  Script script() {
    Script s = parse_script();
    consume(Tok::EndOfFile);
    return s;
  }
  std::variant<Script, Module> script_or_module() {
    std::variant<Script, Module> r;
    if (peek() == Tok::Module) r = parse_module();
    else r = parse_script();
    consume(Tok::EndOfFile);
    return r;
  }

 private:
  TokVal peek() const { return lex_.peek(); }
  Loc span(size_t start) const { return {uint32_t(start), uint32_t(lex_.previous_end_loc())}; }
  [[noreturn]] void invalid_here(std::string message) { invalid(lex_.current_loc(), std::move(message)); }

  bool match(Tok t) {
    if (peek() == t) {
      lex_.advance();
      return true;
    }
    return false;
  }
  void consume(Tok t) {
    if (!(peek() == t))
      invalid_here("expected " + tok_name({t}) + ", not " + tok_name(peek()));
    lex_.advance();
  }
  // `>>` closing two generic lists is split into two `>`.
  void adjust(std::initializer_list<Tok> ends) {
    if (peek() == Tok::GreaterGreater && std::find(ends.begin(), ends.end(), Tok::Greater) != ends.end())
      lex_.replace_token(Tok::Greater, 1);
  }
  bool at_any(std::initializer_list<Tok> ends) const {
    return std::any_of(ends.begin(), ends.end(), [&](Tok t) { return peek() == t; });
  }

  template <class F>
  auto comma_list(std::initializer_list<Tok> ends, F&& item, bool allow_trailing) {
    std::vector<decltype(item())> v;
    adjust(ends);
    if (!at_any(ends)) {
      for (;;) {
        v.push_back(item());
        adjust(ends);
        if (at_any(ends)) break;
        consume(Tok::Comma);
        adjust(ends);
        if (at_any(ends) && allow_trailing) break;
      }
    }
    return v;
  }

  std::string name() {
    if (!(peek() == Tok::NameValue)) invalid_here("expected Tok::NameValue");
    std::string n(lex_.content());
    lex_.advance();
    return n;
  }
  std::string name_begin_ty() {
    if (!(peek() == Tok::NameBeginTyValue)) invalid_here("expected Tok::NameBeginTyValue");
    std::string_view s = lex_.content();
    std::string n(s.substr(0, s.size() - 1));
    lex_.advance();
    return n;
  }
  std::pair<std::string, std::string> dot_name() {
    if (!(peek() == Tok::DotNameValue)) invalid_here("expected Tok::DotNameValue");
    std::string_view s = lex_.content();
    size_t dot = s.find('.');
    std::pair<std::string, std::string> r{std::string(s.substr(0, dot)), std::string(s.substr(dot + 1))};
    lex_.advance();
    return r;
  }

  std::array<uint8_t, 32> account_address() {
    if (!(peek() == Tok::AccountAddressValue)) invalid_here("expected Tok::AccountAddressValue");
    std::string_view hex = lex_.content().substr(2);
    if (hex.size() > 64 || hex.find('_') != std::string_view::npos)
      invalid_here("The address \"" + std::string(lex_.content()) + "\" is of invalid length");
    std::array<uint8_t, 32> a{};
    // Right-aligned, big-endian; an odd digit count has an implied leading zero.
    size_t nibble = 64 - hex.size();
    for (char c : hex) {
      uint8_t v = uint8_t(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      a[nibble / 2] |= (nibble % 2) ? v : uint8_t(v << 4);
      ++nibble;
    }
    lex_.advance();
    return a;
  }

  Value copyable_val() {
    Value v;
    Tok t = peek().tok;
    auto integer = [&](Value::Kind kind, size_t suffix, unsigned bits) {
      std::string_view s = lex_.content();
      if (suffix && s.size() > suffix && (s.substr(s.size() - suffix, 1) == "u")) s = s.substr(0, s.size() - suffix);
      v.kind = kind;
      if (!decimal_to_word(s, v.word, bits)) invalid_here("invalid integer literal " + std::string(lex_.content()));
      lex_.advance();
    };
    switch (t) {
      case Tok::AccountAddressValue:
        v.kind = Value::Kind::Address;
        v.word = account_address();
        break;
      case Tok::True: case Tok::False:
        v.kind = Value::Kind::Bool;
        v.boolean = t == Tok::True;
        lex_.advance();
        break;
      case Tok::U8Value: integer(Value::Kind::U8, 2, 8); break;
      case Tok::U16Value: integer(Value::Kind::U16, 3, 16); break;
      case Tok::U32Value: integer(Value::Kind::U32, 3, 32); break;
      case Tok::U64Value: integer(Value::Kind::U64, 3, 64); break;
      case Tok::U128Value: integer(Value::Kind::U128, 4, 128); break;
      case Tok::U256Value: integer(Value::Kind::U256, 4, 256); break;
      case Tok::ByteArrayValue: {
        std::string_view s = lex_.content();
        auto bytes = from_hex(s.substr(2, s.size() - 3));
        if (!bytes) invalid_here("The string " + std::string(s) + " is not a valid hex-encoded byte array");
        v.kind = Value::Kind::ByteArray;
        v.bytes = std::move(*bytes);
        lex_.advance();
        break;
      }
      default:
        invalid_here("unrecognized token kind " + tok_name(peek()));
    }
    return v;
  }

  static int precedence(Tok t) {
    switch (t) {
      case Tok::EqualEqualGreater: return 1;
      case Tok::ColonEqual: return 3;
      case Tok::PipePipe: return 5;
      case Tok::AmpAmp: return 10;
      case Tok::EqualEqual: case Tok::ExclaimEqual: case Tok::Less: case Tok::Greater:
      case Tok::LessEqual: case Tok::GreaterEqual: return 15;
      case Tok::PeriodPeriod: return 20;
      case Tok::Pipe: return 25;
      case Tok::Caret: return 30;
      case Tok::Amp: return 35;
      case Tok::LessLess: case Tok::GreaterGreater: return 40;
      case Tok::Plus: case Tok::Minus: return 45;
      case Tok::Star: case Tok::Slash: case Tok::Percent: return 50;
      default: return 0;
    }
  }

  static std::optional<BinOp> binop(Tok t) {
    switch (t) {
      case Tok::EqualEqual: return BinOp::Eq;
      case Tok::ExclaimEqual: return BinOp::Neq;
      case Tok::Less: return BinOp::Lt;
      case Tok::Greater: return BinOp::Gt;
      case Tok::LessEqual: return BinOp::Le;
      case Tok::GreaterEqual: return BinOp::Ge;
      case Tok::PipePipe: return BinOp::Or;
      case Tok::AmpAmp: return BinOp::And;
      case Tok::Caret: return BinOp::Xor;
      case Tok::LessLess: return BinOp::Shl;
      case Tok::GreaterGreater: return BinOp::Shr;
      case Tok::Pipe: return BinOp::BitOr;
      case Tok::Amp: return BinOp::BitAnd;
      case Tok::Plus: return BinOp::Add;
      case Tok::Minus: return BinOp::Sub;
      case Tok::Star: return BinOp::Mul;
      case Tok::Slash: return BinOp::Div;
      case Tok::Percent: return BinOp::Mod;
      case Tok::PeriodPeriod: return BinOp::Subrange;
      default: return std::nullopt;
    }
  }

  Exp exp() {
    Exp lhs = unary_exp();
    return rhs_of_binary(std::move(lhs), 1);
  }

  Exp rhs_of_binary(Exp lhs, int min_prec) {
    DepthGuard guard(*this);
    Exp result = std::move(lhs);
    int next = precedence(peek().tok);
    while (next >= min_prec) {
      Tok op_tok = peek().tok;
      lex_.advance();
      Exp rhs = unary_exp();
      int this_prec = next;
      next = precedence(peek().tok);
      if (this_prec < next) {
        rhs = rhs_of_binary(std::move(rhs), this_prec + 1);
        next = precedence(peek().tok);
      }
      auto op = binop(op_tok);
      // `==>`, `:=` and `..` are spec-only; Aptos panics on them here, we report them.
      if (!op || *op == BinOp::Subrange) invalid_here("Unexpected token that is not a binary operator");
      Exp e;
      e.kind = Exp::Kind::Binop;
      e.op = *op;
      e.loc = {result.loc.start, uint32_t(lex_.previous_end_loc())};
      e.operands.push_back(std::move(result));
      e.operands.push_back(std::move(rhs));
      result = std::move(e);
    }
    return result;
  }

  static bool starts_call(Tok t) {
    switch (t) {
      case Tok::Exists: case Tok::BorrowGlobal: case Tok::BorrowGlobalMut: case Tok::MoveFrom:
      case Tok::MoveTo: case Tok::VecPack: case Tok::VecLen: case Tok::VecImmBorrow:
      case Tok::VecMutBorrow: case Tok::VecPushBack: case Tok::VecPopBack: case Tok::VecUnpack:
      case Tok::VecSwap: case Tok::Freeze: case Tok::DotNameValue: case Tok::ToU8: case Tok::ToU16:
      case Tok::ToU32: case Tok::ToU64: case Tok::ToU128: case Tok::ToU256: case Tok::Nop:
        return true;
      default:
        return false;
    }
  }

  FunctionCall qualified_function_name() {
    size_t start = lex_.start_loc();
    FunctionCall f;
    if (peek() == Tok::DotNameValue) {
      auto [m, n] = dot_name();
      f.module = m;
      f.name = n;
      f.type_actuals = type_actuals();
    } else if (starts_call(peek().tok)) {
      f.is_builtin = true;
      builtin(f);
    } else {
      invalid_here("unrecognized token kind for qualified function name " + tok_name(peek()));
    }
    f.loc = span(start);
    return f;
  }

  void end_of_generics() {
    if (peek() == Tok::Greater) {
      lex_.advance();
    } else if (peek() == Tok::GreaterGreater) {
      lex_.replace_token(Tok::Greater, 1);
      lex_.advance();
    } else {
      invalid_here("expected Tok::Greater or Tok::GreaterGreater");
    }
  }

  void builtin(FunctionCall& f) {
    TokVal t = peek();
    lex_.advance();
    auto global = [&](Builtin b) {
      f.builtin = b;
      std::tie(f.name, f.type_actuals) = name_and_type_actuals();
      end_of_generics();
    };
    auto vec = [&](Builtin b) {
      f.builtin = b;
      f.vec_count = t.num;
      f.type_actuals = type_actuals();
    };
    switch (t.tok) {
      case Tok::Exists: global(Builtin::Exists); break;
      case Tok::BorrowGlobal: global(Builtin::BorrowGlobal); break;
      case Tok::BorrowGlobalMut: global(Builtin::BorrowGlobalMut); break;
      case Tok::MoveFrom: global(Builtin::MoveFrom); break;
      case Tok::MoveTo: global(Builtin::MoveTo); break;
      case Tok::VecPack: vec(Builtin::VecPack); break;
      case Tok::VecLen: vec(Builtin::VecLen); break;
      case Tok::VecImmBorrow: vec(Builtin::VecImmBorrow); break;
      case Tok::VecMutBorrow: vec(Builtin::VecMutBorrow); break;
      case Tok::VecPushBack: vec(Builtin::VecPushBack); break;
      case Tok::VecPopBack: vec(Builtin::VecPopBack); break;
      case Tok::VecUnpack: vec(Builtin::VecUnpack); break;
      case Tok::VecSwap: vec(Builtin::VecSwap); break;
      case Tok::Freeze: f.builtin = Builtin::Freeze; break;
      case Tok::ToU8: f.builtin = Builtin::ToU8; break;
      case Tok::ToU16: f.builtin = Builtin::ToU16; break;
      case Tok::ToU32: f.builtin = Builtin::ToU32; break;
      case Tok::ToU64: f.builtin = Builtin::ToU64; break;
      case Tok::ToU128: f.builtin = Builtin::ToU128; break;
      case Tok::ToU256: f.builtin = Builtin::ToU256; break;
      case Tok::Nop: f.builtin = Builtin::Nop; break;
      default: invalid_here("unrecognized token kind for builtin " + tok_name(t));
    }
  }

  FieldIdent field_ident() {
    FieldIdent fi;
    std::tie(fi.struct_name, fi.type_actuals) = name_and_type_actuals();
    consume(Tok::Colon);
    consume(Tok::Colon);
    fi.field = name();
    return fi;
  }

  // After `&` / `&mut `: a local borrow `&x` or a field borrow `&e.S::f`.
  Exp borrow(bool is_mutable, size_t start) {
    Exp e;
    if (peek() == Tok::NameValue) {
      if (!(lex_.lookahead() == Tok::LBrace)) {
        e.kind = Exp::Kind::BorrowLocal;
        e.is_mutable = is_mutable;
        e.name = name();
        e.loc = span(start);
        return e;
      }
      size_t s = lex_.start_loc();
      std::string n = name();
      Exp pack = pack_exp(std::move(n), {});
      pack.loc = span(s);
      e.operands.push_back(std::move(pack));
    } else {
      e.operands.push_back(unary_exp());
    }
    consume(Tok::Period);
    e.kind = Exp::Kind::Borrow;
    e.is_mutable = is_mutable;
    e.field = field_ident();
    e.loc = span(start);
    return e;
  }

  Exp unary_exp() {
    DepthGuard guard(*this);
    size_t start = lex_.start_loc();
    Exp e;
    switch (peek().tok) {
      case Tok::Exclaim:
        lex_.advance();
        e.kind = Exp::Kind::Not;
        e.operands.push_back(unary_exp());
        break;
      case Tok::Star:
        lex_.advance();
        e.kind = Exp::Kind::Dereference;
        e.operands.push_back(unary_exp());
        break;
      case Tok::AmpMut:
        lex_.advance();
        return borrow(true, start);
      case Tok::Amp:
        lex_.advance();
        return borrow(false, start);
      default:
        return call_or_term();
    }
    e.loc = span(start);
    return e;
  }

  Exp call_or_term() {
    size_t start = lex_.start_loc();
    if (starts_call(peek().tok)) {
      Exp e;
      e.kind = Exp::Kind::Call;
      e.call = qualified_function_name();
      e.operands.push_back(call_or_term());
      e.loc = span(start);
      return e;
    }
    Exp e = term();
    e.loc = span(start);
    return e;
  }

  Exp pack_exp(std::string struct_name, std::vector<Type> tys) {
    consume(Tok::LBrace);
    Exp e;
    e.kind = Exp::Kind::Pack;
    e.name = std::move(struct_name);
    e.type_actuals = std::move(tys);
    auto fields = comma_list({Tok::RBrace}, [&] {
      std::string f = name();
      consume(Tok::Colon);
      e.field_names.push_back(std::move(f));
      return exp();
    }, true);
    e.operands = std::move(fields);
    consume(Tok::RBrace);
    return e;
  }

  Exp term() {
    Exp e;
    switch (peek().tok) {
      case Tok::Move: case Tok::Copy:
        e.kind = peek() == Tok::Move ? Exp::Kind::Move : Exp::Kind::Copy;
        lex_.advance();
        e.name = name();
        consume(Tok::RParen);
        return e;
      case Tok::AmpMut: case Tok::Amp:
        e.kind = Exp::Kind::BorrowLocal;
        e.is_mutable = peek() == Tok::AmpMut;
        lex_.advance();
        e.name = name();
        return e;
      case Tok::AccountAddressValue: case Tok::True: case Tok::False: case Tok::U8Value:
      case Tok::U16Value: case Tok::U32Value: case Tok::U64Value: case Tok::U128Value:
      case Tok::U256Value: case Tok::ByteArrayValue:
        e.kind = Exp::Kind::Value;
        e.value = copyable_val();
        return e;
      case Tok::NameValue: case Tok::NameBeginTyValue: {
        auto [n, tys] = name_and_type_actuals();
        return pack_exp(std::move(n), std::move(tys));
      }
      case Tok::LParen: {
        lex_.advance();
        e.kind = Exp::Kind::ExprList;
        e.operands = comma_list({Tok::RParen}, [&] { return exp(); }, true);
        consume(Tok::RParen);
        return e;
      }
      default:
        invalid_here("unrecognized token kind for term " + tok_name(peek()));
    }
  }

  LValue lvalue() {
    size_t start = lex_.start_loc();
    LValue lv;
    switch (peek().tok) {
      case Tok::NameValue:
        lv.kind = LValue::Kind::Var;
        lv.var = name();
        break;
      case Tok::Star:
        lex_.advance();
        lv.kind = LValue::Kind::Mutate;
        lv.target = exp();
        break;
      case Tok::Underscore:
        lex_.advance();
        lv.kind = LValue::Kind::Pop;
        break;
      default:
        invalid_here("unrecognized token kind for lvalue " + tok_name(peek()));
    }
    lv.loc = span(start);
    return lv;
  }

  void assign(Statement& s) {
    s.kind = Statement::Kind::Assign;
    s.lvalues = comma_list({Tok::Equal}, [&] { return lvalue(); }, false);
    if (s.lvalues.empty()) invalid_here("could not parse lvalues in assignment");
    consume(Tok::Equal);
    s.exp = exp();
  }

  void unpack(Statement& s, std::string struct_name, std::vector<Type> tys) {
    s.kind = Statement::Kind::Unpack;
    s.struct_name = std::move(struct_name);
    s.type_actuals = std::move(tys);
    consume(Tok::LBrace);
    s.bindings = comma_list({Tok::RBrace}, [&] {
      std::string f = name();
      if (peek() == Tok::Colon) {
        lex_.advance();
        return std::pair<std::string, std::string>(f, name());
      }
      return std::pair<std::string, std::string>(f, f);
    }, true);
    consume(Tok::RBrace);
    consume(Tok::Equal);
    s.exp = exp();
  }

  Statement statement() {
    size_t start = lex_.start_loc();
    Statement s;
    TokVal t = peek();
    switch (t.tok) {
      case Tok::Abort:
        lex_.advance();
        s.kind = Statement::Kind::Abort;
        if (!(peek() == Tok::Semicolon)) s.exp = exp();
        break;
      case Tok::Assert: {
        lex_.advance();
        s.kind = Statement::Kind::Assert;
        Exp cond = exp();
        consume(Tok::Comma);
        s.error = exp();
        consume(Tok::RParen);
        Exp negated;  // Aptos stores the assertion as "abort if !cond"
        negated.kind = Exp::Kind::Not;
        negated.loc = cond.loc;
        negated.operands.push_back(std::move(cond));
        s.exp = std::move(negated);
        break;
      }
      case Tok::Jump:
        lex_.advance();
        s.kind = Statement::Kind::Jump;
        s.label = name();
        break;
      case Tok::JumpIf: case Tok::JumpIfFalse:
        lex_.advance();
        s.kind = t.tok == Tok::JumpIf ? Statement::Kind::JumpIf : Statement::Kind::JumpIfFalse;
        consume(Tok::LParen);
        s.exp = exp();
        consume(Tok::RParen);
        s.label = name();
        break;
      case Tok::NameValue:
        if (lex_.lookahead() == Tok::LBrace) {
          std::string n = name();
          unpack(s, std::move(n), {});
        } else {
          assign(s);
        }
        break;
      case Tok::Return: {
        lex_.advance();
        s.kind = Statement::Kind::Return;
        Exp list;
        list.kind = Exp::Kind::ExprList;
        size_t ls = lex_.start_loc();
        list.operands = comma_list({Tok::Semicolon}, [&] { return exp(); }, true);
        list.loc = {uint32_t(ls), uint32_t(lex_.start_loc())};
        s.exp = std::move(list);
        break;
      }
      case Tok::Star: case Tok::Underscore:
        assign(s);
        break;
      case Tok::NameBeginTyValue: {
        auto [n, tys] = name_and_type_actuals();
        unpack(s, std::move(n), std::move(tys));
        break;
      }
      case Tok::LParen: {
        lex_.advance();
        s.kind = Statement::Kind::Exp;
        Exp list;
        list.kind = Exp::Kind::ExprList;
        size_t ls = lex_.start_loc();
        list.operands = comma_list({Tok::RParen}, [&] { return exp(); }, true);
        consume(Tok::RParen);
        list.loc = {uint32_t(ls), uint32_t(lex_.start_loc())};
        s.exp = std::move(list);
        break;
      }
      default:
        if (starts_call(t.tok)) {
          s.kind = Statement::Kind::Exp;
          size_t cs = lex_.start_loc();
          Exp call;
          call.kind = Exp::Kind::Call;
          call.call = qualified_function_name();
          call.operands.push_back(call_or_term());
          call.loc = span(cs);
          s.exp = std::move(call);
          break;
        }
        invalid_here("invalid token kind for statement " + tok_name(t));
    }
    s.loc = span(start);
    consume(Tok::Semicolon);
    return s;
  }

  std::vector<Block> blocks() {
    std::vector<Block> bs;
    while (!(peek() == Tok::RBrace)) {
      size_t start = lex_.start_loc();
      Block b;
      consume(Tok::Label);
      b.label = name();
      consume(Tok::Colon);
      while (!(peek() == Tok::Label) && !(peek() == Tok::RBrace)) b.statements.push_back(statement());
      b.loc = span(start);
      bs.push_back(std::move(b));
    }
    return bs;
  }

  void function_block(Function& f) {
    consume(Tok::LBrace);
    while (peek() == Tok::Let) {
      lex_.advance();
      std::string v = name();
      consume(Tok::Colon);
      Type t = type();
      consume(Tok::Semicolon);
      f.locals.emplace_back(std::move(v), std::move(t));
    }
    f.blocks = blocks();
    consume(Tok::RBrace);
  }

  Ability ability() {
    std::string_view c = lex_.content();
    Ability a;
    if (peek() == Tok::Copy) a = Ability::Copy;
    else if (peek() == Tok::NameValue && c == "drop") a = Ability::Drop;
    else if (peek() == Tok::NameValue && c == "store") a = Ability::Store;
    else if (peek() == Tok::NameValue && c == "key") a = Ability::Key;
    else invalid_here("could not parse ability");
    lex_.advance();
    return a;
  }

  static void add_ability(Abilities& set, Ability a, Loc loc) {
    static constexpr std::string_view kNames[] = {"copy", "drop", "store", "key"};
    if (std::find(set.begin(), set.end(), a) != set.end())
      throw Failure{ParseError{loc, false, "Duplicate ability '" + std::string(kNames[size_t(a)]) + "'"}};
    set.push_back(a);
  }

  Type type() {
    DepthGuard guard(*this);
    Type t;
    std::string_view c = lex_.content();
    switch (peek().tok) {
      case Tok::NameValue: {
        static const std::pair<std::string_view, Type::Kind> kPrims[] = {
            {"address", Type::Kind::Address}, {"u8", Type::Kind::U8}, {"u16", Type::Kind::U16},
            {"u32", Type::Kind::U32}, {"u64", Type::Kind::U64}, {"u128", Type::Kind::U128},
            {"u256", Type::Kind::U256}, {"bool", Type::Kind::Bool}, {"signer", Type::Kind::Signer}};
        for (auto [n, k] : kPrims)
          if (c == n) {
            lex_.advance();
            t.kind = k;
            return t;
          }
        t.kind = Type::Kind::TypeParameter;
        t.name = name();
        return t;
      }
      case Tok::NameBeginTyValue:
        if (c != "vector<") break;
        lex_.advance();
        t.kind = Type::Kind::Vector;
        t.args.push_back(type());
        adjust({Tok::Greater});
        consume(Tok::Greater);
        return t;
      case Tok::DotNameValue: {
        t.kind = Type::Kind::Struct;
        std::tie(t.module, t.name) = dot_name();
        t.args = type_actuals();
        return t;
      }
      case Tok::Amp: case Tok::AmpMut:
        t.kind = peek() == Tok::Amp ? Type::Kind::Reference : Type::Kind::MutableReference;
        lex_.advance();
        t.args.push_back(type());
        return t;
      default: break;
    }
    invalid_here("invalid token kind for type " + tok_name(peek()));
  }

  TypeParameter type_parameter(bool allow_phantom) {
    TypeParameter p;
    if (allow_phantom && peek() == Tok::NameValue && lex_.content() == "phantom") {
      lex_.advance();
      p.is_phantom = true;
    }
    p.name = name();
    if (peek() == Tok::Colon) {
      lex_.advance();
      for (;;) {
        Loc loc = lex_.current_loc();
        add_ability(p.constraints, ability(), loc);
        if (!match(Tok::Plus)) break;
      }
    }
    return p;
  }

  std::vector<Type> type_actuals() {
    std::vector<Type> tys;
    if (peek() == Tok::Less) {
      lex_.advance();
      tys = comma_list({Tok::Greater}, [&] { return type(); }, true);
      consume(Tok::Greater);
    }
    return tys;
  }

  std::pair<std::string, std::vector<TypeParameter>> name_and_type_parameters(bool phantom) {
    if (peek() == Tok::NameBeginTyValue) {
      std::string n = name_begin_ty();
      auto ps = comma_list({Tok::Greater}, [&] { return type_parameter(phantom); }, true);
      consume(Tok::Greater);
      return {std::move(n), std::move(ps)};
    }
    return {name(), {}};
  }

  std::pair<std::string, std::vector<Type>> name_and_type_actuals() {
    if (peek() == Tok::NameBeginTyValue) {
      std::string n = name_begin_ty();
      auto tys = comma_list({Tok::Greater}, [&] { return type(); }, true);
      consume(Tok::Greater);
      return {std::move(n), std::move(tys)};
    }
    return {name(), {}};
  }

  std::pair<std::string, Type> arg_decl() {
    std::string v = name();
    consume(Tok::Colon);
    return {std::move(v), type()};
  }

  // ---- specification language: parsed for well-formedness, not kept ----

  void storage_location() {
    DepthGuard guard(*this);
    switch (peek().tok) {
      case Tok::SpecReturn:
        lex_.advance();
        if (peek() == Tok::LParen) {
          consume(Tok::LParen);
          consume(Tok::U64Value);
          consume(Tok::RParen);
        }
        break;
      case Tok::AccountAddressValue:
        account_address();
        break;
      case Tok::Global:
        consume(Tok::Global);
        consume(Tok::Less);
        name();
        consume(Tok::Period);
        name();
        type_actuals();
        consume(Tok::Greater);
        consume(Tok::LParen);
        storage_location();
        consume(Tok::RParen);
        break;
      default:
        name();
    }
    for (;;) {
      if (peek() == Tok::Period) {
        lex_.advance();
        name();
      } else if (peek() == Tok::LSquare) {
        lex_.advance();
        spec_exp();
        consume(Tok::RSquare);
      } else {
        break;
      }
    }
  }

  void unary_spec_exp() {
    DepthGuard guard(*this);
    switch (peek().tok) {
      case Tok::AccountAddressValue: case Tok::True: case Tok::False: case Tok::U8Value:
      case Tok::U16Value: case Tok::U32Value: case Tok::U64Value: case Tok::U128Value:
      case Tok::U256Value: case Tok::ByteArrayValue:
        copyable_val();
        return;
      case Tok::GlobalExists:
        consume(Tok::GlobalExists);
        consume(Tok::Less);
        name();
        consume(Tok::Period);
        name();
        type_actuals();
        consume(Tok::Greater);
        consume(Tok::LParen);
        storage_location();
        consume(Tok::RParen);
        return;
      case Tok::Star: case Tok::Amp:
        lex_.advance();
        storage_location();
        return;
      case Tok::Exclaim:
        lex_.advance();
        unary_spec_exp();
        return;
      case Tok::Old:
        lex_.advance();
        consume(Tok::LParen);
        spec_exp();
        consume(Tok::RParen);
        return;
      case Tok::NameValue:
        if (lex_.lookahead() == Tok::LParen) {
          name();
          consume(Tok::LParen);
          while (!(peek() == Tok::RParen)) {
            spec_exp();
            if (!(peek() == Tok::Comma)) break;
            consume(Tok::Comma);
          }
          consume(Tok::RParen);
          return;
        }
        storage_location();
        return;
      default:
        storage_location();
    }
  }

  void rhs_of_spec_exp(int min_prec) {
    DepthGuard guard(*this);
    int next = precedence(peek().tok);
    while (next >= min_prec) {
      Tok op = peek().tok;
      lex_.advance();
      unary_spec_exp();
      int this_prec = next;
      next = precedence(peek().tok);
      if (this_prec < next) {
        rhs_of_spec_exp(this_prec + 1);
        next = precedence(peek().tok);
      }
      if (op == Tok::LessLess || op == Tok::GreaterGreater)
        invalid_here("Unexpected token that is not a binary operator");
    }
  }

  void spec_exp() {
    unary_spec_exp();
    rhs_of_spec_exp(1);
  }

  static bool is_spec_directive(Tok t) {
    return t == Tok::Ensures || t == Tok::Requires || t == Tok::SucceedsIf || t == Tok::AbortsIf;
  }

  // Runs `f` with the lexer in spec mode (names do not swallow '<', '.', '(').
  template <class F>
  void in_spec_mode(F&& f) {
    lex_.spec_mode = true;
    try {
      f();
    } catch (...) {
      lex_.spec_mode = false;
      throw;
    }
    lex_.spec_mode = false;
  }

  Loc spec_condition() {
    size_t start = lex_.start_loc();
    in_spec_mode([&] {
      if (!is_spec_directive(peek().tok))
        invalid_here("invalid token kind for spec condition " + tok_name(peek()));
      lex_.advance();
      spec_exp();
    });
    return span(start);
  }

  Loc invariant() {
    size_t start = lex_.start_loc();
    in_spec_mode([&] {
      consume(Tok::Invariant);
      if (peek() == Tok::LBrace) {
        lex_.advance();
        name();
        consume(Tok::RBrace);
      }
      if (peek() == Tok::NameValue && lex_.lookahead() == Tok::Equal) {
        name();
        consume(Tok::Equal);
      }
      spec_exp();
    });
    return span(start);
  }

  // ---- declarations ----

  Visibility visibility() {
    if (!match(Tok::Public)) return Visibility::Internal;
    if (!match(Tok::LParen)) return Visibility::Public;
    TokVal sub = peek();
    if (!(sub == Tok::Script) && !(sub == Tok::Friend))
      invalid_here("expected Tok::Script or Tok::Friend, not " + tok_name(sub));
    lex_.advance();
    consume(Tok::RParen);
    if (sub == Tok::Script) invalid_here("Unexpected token that is not a visibility modifier");
    return Visibility::Friend;
  }

  Function function_decl() {
    size_t start = lex_.start_loc();
    Function f;
    f.is_native = match(Tok::Native);
    f.visibility = visibility();
    if (peek() == Tok::NameValue && lex_.content() == "entry") {
      lex_.advance();
      f.is_entry = true;
    }
    std::tie(f.name, f.type_parameters) = name_and_type_parameters(false);
    consume(Tok::LParen);
    f.parameters = comma_list({Tok::RParen}, [&] { return arg_decl(); }, true);
    consume(Tok::RParen);
    if (peek() == Tok::Colon) {
      lex_.advance();
      f.returns.push_back(type());
      while (match(Tok::Star)) f.returns.push_back(type());
    }
    if (match(Tok::Acquires)) {
      f.acquires.push_back(name());
      while (match(Tok::Comma)) f.acquires.push_back(name());
    }
    while (is_spec_directive(peek().tok)) f.specifications.push_back(spec_condition());
    if (f.is_native) consume(Tok::Semicolon);
    else function_block(f);
    f.loc = span(start);
    return f;
  }

  StructDecl struct_decl() {
    size_t start = lex_.start_loc();
    StructDecl s;
    s.is_native = match(Tok::Native);
    consume(Tok::Struct);
    std::tie(s.name, s.type_parameters) = name_and_type_parameters(true);
    if (peek() == Tok::NameValue && lex_.content() == "has") {
      lex_.advance();
      std::vector<std::pair<Ability, Loc>> list = comma_list({Tok::LBrace, Tok::Semicolon}, [&] {
        Loc loc = lex_.current_loc();
        return std::pair<Ability, Loc>(ability(), loc);
      }, false);
      for (auto [a, loc] : list) add_ability(s.abilities, a, loc);
    }
    if (s.is_native) {
      consume(Tok::Semicolon);
      s.loc = span(start);
      return s;
    }
    consume(Tok::LBrace);
    s.fields = comma_list({Tok::RBrace, Tok::Invariant}, [&] {
      std::string f = name();
      consume(Tok::Colon);
      return std::pair<std::string, Type>(std::move(f), type());
    }, true);
    if (peek() == Tok::Invariant) s.invariants = comma_list({Tok::RBrace}, [&] { return invariant(); }, true);
    consume(Tok::RBrace);
    s.loc = span(start);
    return s;
  }

  ModuleIdent module_ident() {
    ModuleIdent id;
    id.address = account_address();
    consume(Tok::Period);
    id.name = name();
    return id;
  }

  Import import_decl() {
    consume(Tok::Import);
    Import i;
    i.module = module_ident();
    i.alias = i.module.name;
    if (match(Tok::As)) {
      i.alias = name();
      if (i.alias == "Self")
        throw Failure{ParseError{lex_.current_loc(), false, "Invalid use of reserved module alias 'Self'"}};
    }
    consume(Tok::Semicolon);
    return i;
  }

  Script parse_script() {
    size_t start = lex_.start_loc();
    Script s;
    while (peek() == Tok::Import) s.imports.push_back(import_decl());
    size_t fun_start = lex_.start_loc();
    consume(Tok::Main);
    s.main.name = "main";
    s.main.visibility = Visibility::Public;
    s.main.is_entry = true;
    if (peek() == Tok::Less) {
      consume(Tok::Less);
      s.main.type_parameters = comma_list({Tok::Greater}, [&] { return type_parameter(false); }, true);
      consume(Tok::Greater);
    }
    consume(Tok::LParen);
    s.main.parameters = comma_list({Tok::RParen}, [&] { return arg_decl(); }, true);
    consume(Tok::RParen);
    function_block(s.main);
    s.main.loc = span(fun_start);
    s.loc = span(start);
    return s;
  }

  Module parse_module() {
    size_t start = lex_.start_loc();
    Module m;
    consume(Tok::Module);
    m.ident = module_ident();
    consume(Tok::LBrace);
    while (peek() == Tok::Friend) {
      lex_.advance();
      m.friends.push_back(module_ident());
      consume(Tok::Semicolon);
    }
    while (peek() == Tok::Import) m.imports.push_back(import_decl());
    while (peek() == Tok::Synthetic) {
      in_spec_mode([&] {
        consume(Tok::Synthetic);
        std::string n = name();
        consume(Tok::Colon);
        Type t = type();
        consume(Tok::Semicolon);
        m.synthetics.emplace_back(std::move(n), std::move(t));
      });
    }
    while (peek() == Tok::Struct || (peek() == Tok::Native && lex_.lookahead() == Tok::Struct))
      m.structs.push_back(struct_decl());
    while (!(peek() == Tok::RBrace)) m.functions.push_back(function_decl());
    lex_.advance();
    m.loc = span(start);
    return m;
  }

  // Bounds recursion on hostile input (Aptos has no such limit; real sources nest a few levels).
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth) invalid(p.lex_.current_loc(), "nesting too deep");
    }
    ~DepthGuard() { --p.depth_; }
  };
  static constexpr int kMaxDepth = 512;

  Lexer lex_;
  int depth_ = 0;
};

template <class T, class F>
ParseResult<T> guarded(F&& f) {
  try {
    return f();
  } catch (const Failure& e) {
    return e.error;
  }
}

}  // namespace

uint64_t Value::as_u64() const {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(word[i]) << (8 * i);
  return v;
}

std::string ParseError::describe() const {
  return invalid_token ? "ParserError: Invalid Token: " + message : "ParserError: " + message;
}

ParseResult<Module> parse_module(std::string_view source) {
  return guarded<Module>([&] { return Parser(source).module(); });
}

ParseResult<Script> parse_script(std::string_view source) {
  return guarded<Script>([&] { return Parser(source).script(); });
}

ParseResult<std::variant<Script, Module>> parse_script_or_module(std::string_view source) {
  return guarded<std::variant<Script, Module>>([&] { return Parser(source).script_or_module(); });
}

}  // namespace lumio::movevm::ir
