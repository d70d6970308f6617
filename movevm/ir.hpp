// Move IR (.mvir): the textual, bytecode-close language of Move's transactional tests. This
// header is the syntax tree and the parser; the IR-to-bytecode compiler builds on it.
// The grammar and the error messages follow Aptos's move-ir-to-bytecode syntax crate, so
// parse failures read exactly like the expected outputs ("ParserError: Invalid Token: ...").
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.hpp"

namespace lumio::movevm::ir {

struct Loc {
  uint32_t start = 0, end = 0;  // byte offsets into the source
};

enum class Ability : uint8_t { Copy, Drop, Store, Key };
using Abilities = std::vector<Ability>;  // in source order, no duplicates

struct Type {
  enum class Kind : uint8_t {
    Address, Signer, Bool, U8, U16, U32, U64, U128, U256,
    Vector, Struct, Reference, MutableReference, TypeParameter,
  };
  Kind kind = Kind::Bool;
  std::string module;      // Struct: module alias ("Self" for the current module)
  std::string name;        // Struct name or type parameter name
  std::vector<Type> args;  // Vector/Reference element, Struct type actuals
};

// A literal. Integers keep their value as 32 little-endian bytes.
struct Value {
  enum class Kind : uint8_t { Address, Bool, U8, U16, U32, U64, U128, U256, ByteArray };
  Kind kind = Kind::U64;
  std::array<uint8_t, 32> word{};  // address (big-endian as written) or integer (LE)
  bool boolean = false;
  Bytes bytes;                     // ByteArray
  uint64_t as_u64() const;         // low 64 bits of an integer
};

enum class BinOp : uint8_t {
  Add, Sub, Mul, Mod, Div, BitOr, BitAnd, Xor, Shl, Shr, And, Or, Eq, Neq, Lt, Gt, Le, Ge,
  Subrange,  // spec language only
};

enum class Builtin : uint8_t {
  Exists, BorrowGlobal, BorrowGlobalMut, MoveFrom, MoveTo, VecPack, VecLen, VecImmBorrow,
  VecMutBorrow, VecPushBack, VecPopBack, VecUnpack, VecSwap, Freeze,
  ToU8, ToU16, ToU32, ToU64, ToU128, ToU256, Nop,
};

struct FunctionCall {
  bool is_builtin = false;
  Builtin builtin = Builtin::Freeze;
  std::string module, name;        // module function: `M.f`; builtin: struct name if any
  std::vector<Type> type_actuals;
  uint64_t vec_count = 0;          // vec_pack_N / vec_unpack_N
  Loc loc;
};

struct Exp;
using ExpPtr = std::unique_ptr<Exp>;

struct FieldIdent {
  std::string struct_name;
  std::vector<Type> type_actuals;
  std::string field;
};

struct Exp {
  enum class Kind : uint8_t {
    Value,        // value
    Move,         // move(var)
    Copy,         // copy(var)
    BorrowLocal,  // &var / &mut var
    Borrow,       // &e.S::f / &mut e.S::f   (operand[0], field)
    Pack,         // S<T> { f: e, ... }        (name, type_actuals, field_names ~ operands)
    Dereference,  // *e
    Not,          // !e
    Binop,        // operand[0] op operand[1]
    Call,         // call(operand[0])           (operand[0] is usually an ExprList)
    ExprList,     // (e, ...)
  };
  Kind kind = Kind::ExprList;
  Loc loc;
  Value value;
  std::string name;  // variable or struct name
  bool is_mutable = false;
  BinOp op = BinOp::Add;
  std::vector<Type> type_actuals;
  FieldIdent field;
  FunctionCall call;
  std::vector<std::string> field_names;  // Pack: names of the fields given in `operands`
  std::vector<Exp> operands;
};

struct LValue {
  enum class Kind : uint8_t { Var, Mutate, Pop };
  Kind kind = Kind::Var;
  std::string var;
  std::optional<Exp> target;  // Mutate: `*e = ...`
  Loc loc;
};

struct Statement {
  enum class Kind : uint8_t { Abort, Assert, Jump, JumpIf, JumpIfFalse, Assign, Unpack, Return, Exp };
  Kind kind = Kind::Exp;
  Loc loc;
  std::optional<Exp> exp;    // abort code (optional), asserted condition (already negated,
                             // as Aptos does), jump condition, assigned value, returned list
  std::optional<Exp> error;  // assert error code
  std::string label;         // jumps
  std::vector<LValue> lvalues;                                   // Assign
  std::string struct_name;                                       // Unpack
  std::vector<Type> type_actuals;                                // Unpack
  std::vector<std::pair<std::string, std::string>> bindings;    // Unpack: field -> var
};

struct Block {
  std::string label;
  std::vector<Statement> statements;
  Loc loc;
};

struct TypeParameter {
  std::string name;
  Abilities constraints;
  bool is_phantom = false;  // struct type parameters only
};

enum class Visibility : uint8_t { Internal, Public, Friend };

struct Function {
  std::string name;
  Visibility visibility = Visibility::Internal;
  bool is_entry = false;
  bool is_native = false;
  std::vector<TypeParameter> type_parameters;
  std::vector<std::pair<std::string, Type>> parameters;
  std::vector<Type> returns;
  std::vector<std::string> acquires;
  std::vector<Loc> specifications;  // requires/ensures/aborts_if/succeeds_if (not compiled)
  std::vector<std::pair<std::string, Type>> locals;
  std::vector<Block> blocks;
  Loc loc;
};

struct StructDecl {
  std::string name;
  bool is_native = false;
  Abilities abilities;
  std::vector<TypeParameter> type_parameters;
  std::vector<std::pair<std::string, Type>> fields;
  std::vector<Loc> invariants;  // spec only
  Loc loc;
};

struct ModuleIdent {
  std::array<uint8_t, 32> address{};
  std::string name;
};

struct Import {
  ModuleIdent module;
  std::string alias;  // the module name when no `as` is given
};

struct Module {
  ModuleIdent ident;
  std::vector<ModuleIdent> friends;
  std::vector<Import> imports;
  std::vector<std::pair<std::string, Type>> synthetics;  // spec only
  std::vector<StructDecl> structs;
  std::vector<Function> functions;
  Loc loc;
};

struct Script {
  std::vector<Import> imports;
  Function main;  // named "main", public entry
  Loc loc;
};

struct ParseError {
  Loc loc;
  bool invalid_token = true;  // false: a semantic ("User") error such as a duplicate ability
  std::string message;
  // As the Move transactional test runner prints it.
  std::string describe() const;
};

template <class T>
using ParseResult = std::variant<T, ParseError>;

ParseResult<Module> parse_module(std::string_view source);
ParseResult<Script> parse_script(std::string_view source);
ParseResult<std::variant<Script, Module>> parse_script_or_module(std::string_view source);

}  // namespace lumio::movevm::ir
