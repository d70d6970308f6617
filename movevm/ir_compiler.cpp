// Move IR compiler. Every pool is filled in first-use order and every lookup happens in the
// same sequence as in Aptos's compiler, because table indices and code offsets are observable
// (verifier and runtime errors report them).
#include "movevm/ir_compiler.hpp"

#include <map>
#include <unordered_map>

namespace lumio::movevm::ir {
namespace {

using Address32 = std::array<uint8_t, 32>;
constexpr size_t kTableMax = 65535;

[[noreturn]] void error(std::string message) { throw CompileError{std::move(message)}; }

std::string hex64(const Address32& a) { return to_hex(BytesView(a.data(), a.size()), false); }
std::string ident_key(const Address32& a, const std::string& name) { return hex64(a) + "." + name; }

// Canonical text of a value, for de-duplicating pool entries.
void token_key(const SignatureToken& t, std::string& out) {
  out += std::to_string(int(t.kind)) + ":" + std::to_string(t.index) + ":" +
         std::to_string(int(t.abilities)) + ":" + std::to_string(int(t.function_args)) + "(";
  for (const auto& c : t.children) token_key(c, out);
  out += ")";
}
std::string signature_key(const Signature& s) {
  std::string k;
  for (const auto& t : s) token_key(t, k);
  return k;
}

template <class T>
struct Pool {
  std::vector<T> items;
  std::unordered_map<std::string, uint16_t> index;

  uint16_t add(const T& value, const std::string& key) {
    auto it = index.find(key);
    if (it != index.end()) return it->second;
    if (items.size() >= kTableMax) error("Max table size reached!");
    uint16_t i = uint16_t(items.size());
    index.emplace(key, i);
    items.push_back(value);
    return i;
  }
};

SignatureToken token(TokenKind kind, uint16_t index = 0) {
  SignatureToken t;
  t.kind = kind;
  t.index = index;
  return t;
}

AbilitySet ability_set(const Abilities& abilities) {
  AbilitySet s = 0;
  for (Ability a : abilities) {
    switch (a) {
      case Ability::Copy: s |= kAbilityCopy; break;
      case Ability::Drop: s |= kAbilityDrop; break;
      case Ability::Store: s |= kAbilityStore; break;
      case Ability::Key: s |= kAbilityKey; break;
    }
  }
  return s;
}

// What the compiler needs from a published module: its struct handles by (module, name) and
// the signatures of the functions it defines.
struct Dependency {
  const CompiledModule* module = nullptr;
  std::map<std::pair<std::string, std::string>, uint16_t> structs;
  std::map<std::string, uint16_t> functions;

  explicit Dependency(const CompiledModule* m) : module(m) {
    for (size_t i = 0; i < m->struct_handles.size(); ++i) {
      const auto& sh = m->struct_handles[i];
      std::string mname = m->identifiers[m->module_handles[sh.module].name];
      structs.emplace(std::pair{mname, m->identifiers[sh.name]}, uint16_t(i));  // first wins
    }
    for (size_t i = 0; i < m->function_handles.size(); ++i) {
      const auto& fh = m->function_handles[i];
      if (fh.module == m->self_module_handle_idx) functions[m->identifiers[fh.name]] = uint16_t(i);
    }
  }
};

struct FunctionSig {
  std::vector<SignatureToken> returns, parameters;
  std::vector<AbilitySet> type_parameters;
};

using TypeParams = std::map<std::string, uint16_t>;

class Context {
 public:
  Context(const std::vector<const CompiledModule*>& deps) {
    for (const CompiledModule* d : deps) {
      const auto& self = d->module_handles[d->self_module_handle_idx];
      std::string key = ident_key(d->address_identifiers[self.address].bytes, d->identifiers[self.name]);
      if (deps_.count(key)) error("Duplicate dependency module for " + key);
      deps_.emplace(key, Dependency(d));
    }
  }

  // ---- pools ----
  uint16_t identifier(const std::string& s) {
    if (!is_valid_identifier(s)) error("Invalid identifier '" + s + "'");
    return identifiers_.add(s, s);
  }
  uint16_t address(const Address32& a) {
    FixedBytes<32> f;
    f.bytes = a;
    return addresses_.add(f, hex64(a));
  }
  uint16_t signature(const Signature& s) { return signatures_.add(s, signature_key(s)); }
  uint16_t constant(const Constant& c) {
    std::string k;
    token_key(c.type, k);
    return constants_.add(c, k + "=" + to_hex(c.data, false));
  }
  uint16_t field_handle(uint16_t owner, uint16_t field) {
    return field_handles_.add(FieldHandle{owner, field}, std::to_string(owner) + "," + std::to_string(field));
  }
  static uint16_t inst(Pool<Instantiation>& pool, uint16_t handle, uint16_t sig) {
    return pool.add(Instantiation{handle, sig}, std::to_string(handle) + "," + std::to_string(sig));
  }
  uint16_t struct_instantiation(uint16_t def, uint16_t sig) { return inst(struct_insts_, def, sig); }
  uint16_t function_instantiation(uint16_t fh, uint16_t sig) { return inst(function_insts_, fh, sig); }
  uint16_t field_instantiation(uint16_t fh, uint16_t sig) { return inst(field_insts_, fh, sig); }

  // ---- modules ----
  ModuleHandle declare_friend(const ModuleIdent& id) {
    uint16_t a = address(id.address);
    uint16_t n = identifier(id.name);
    return ModuleHandle{a, n};
  }

  uint16_t declare_import(const ModuleIdent& id, const std::string& alias) {
    aliases_[ident_key(id.address, id.name)] = alias;
    uint16_t a = address(id.address);
    uint16_t n = identifier(id.name);
    ModuleHandle h{a, n};
    modules_[alias] = {id, h};
    return module_handles_.add(h, std::to_string(a) + "," + std::to_string(n));
  }

  const ModuleIdent& module_ident(const std::string& alias) const {
    auto it = modules_.find(alias);
    if (it == modules_.end()) error("Unbound module alias " + alias);
    return it->second.first;
  }

  uint16_t module_handle_index(const std::string& alias) {
    auto it = modules_.find(alias);
    if (it == modules_.end()) error("Unbound module alias " + alias);
    const ModuleHandle& h = it->second.second;
    return module_handles_.index.at(std::to_string(h.address) + "," + std::to_string(h.name));
  }

  const std::string& module_alias(const Address32& a, const std::string& name) const {
    auto it = aliases_.find(ident_key(a, name));
    if (it == aliases_.end()) error("Missing import for module " + ident_key(a, name));
    return it->second;
  }

  const Dependency& dependency(const ModuleIdent& id) const {
    auto it = deps_.find(ident_key(id.address, id.name));
    if (it == deps_.end()) error("Dependency not provided for " + ident_key(id.address, id.name));
    return it->second;
  }

  // ---- structs ----
  uint16_t declare_struct_handle(const std::string& alias, const std::string& name,
                                 AbilitySet abilities, std::vector<StructTypeParameter> tps) {
    uint16_t m = module_handle_index(alias);
    uint16_t n = identifier(name);
    StructHandle h{m, n, abilities, std::move(tps)};
    structs_[{alias, name}] = h;
    return struct_handles_.add(h, struct_key(h));
  }

  uint16_t struct_handle_index(const std::string& alias, const std::string& name) {
    auto it = structs_.find({alias, name});
    if (it != structs_.end()) return struct_handles_.index.at(struct_key(it->second));
    if (alias == "Self") error("Unbound struct " + alias + "." + name);
    const ModuleIdent& mid = module_ident(alias);
    const Dependency& dep = dependency(mid);
    auto s = dep.structs.find({mid.name, name});
    if (s == dep.structs.end()) error("Unbound struct " + alias + "." + name);
    const StructHandle& h = dep.module->struct_handles[s->second];
    return declare_struct_handle(alias, name, h.abilities, h.type_parameters);
  }

  uint16_t declare_struct_definition(const std::string& name) {
    if (struct_defs_.size() > kTableMax) error("too many struct definitions " + name);
    return struct_defs_.emplace(name, uint16_t(struct_defs_.size())).first->second;
  }
  uint16_t struct_definition_index(const std::string& name) const {
    auto it = struct_defs_.find(name);
    if (it == struct_defs_.end()) error("Missing struct definition for " + name);
    return it->second;
  }

  struct FieldInfo {
    uint16_t def;
    size_t order;
  };
  void declare_field(uint16_t sh, const std::string& field, uint16_t def, size_t order) {
    fields_.emplace(std::pair{sh, field}, FieldInfo{def, order});
  }
  FieldInfo field(uint16_t sh, const std::string& f) const {
    auto it = fields_.find({sh, f});
    if (it == fields_.end()) error("Unbound field " + f);
    return it->second;
  }

  // ---- functions ----
  void declare_function(const std::string& alias, const std::string& name, const FunctionSig& sig) {
    uint16_t m = module_handle_index(alias);
    uint16_t n = identifier(name);
    uint16_t params = signature(sig.parameters);
    uint16_t ret = signature(sig.returns);
    FunctionHandle h;
    h.module = m;
    h.name = n;
    h.parameters = params;
    h.return_ = ret;
    h.type_parameters = sig.type_parameters;
    auto key = std::pair{alias, name};
    auto it = function_handles_.find(key);
    size_t idx = it == function_handles_.end() ? function_handles_.size() : it->second.second;
    if (idx > kTableMax) error("too many functions: " + alias + "." + name);
    function_handles_[key] = {h, uint16_t(idx)};
  }

  uint16_t function_handle(const std::string& alias, const std::string& name) {
    auto key = std::pair{alias, name};
    if (!function_handles_.count(key)) declare_function(alias, name, dep_function_signature(alias, name));
    return function_handles_.at(key).second;
  }

  std::vector<FunctionHandle> function_handles() const {
    std::vector<FunctionHandle> r(function_handles_.size());
    for (const auto& [k, v] : function_handles_) r[v.second] = v.first;
    return r;
  }

  // ---- labels (per function) ----
  uint16_t label_index(const std::string& label) {
    auto it = labels_.find(label);
    if (it != labels_.end()) return it->second;
    if (labels_.size() >= kTableMax) error("Max table size reached!");
    uint16_t i = uint16_t(labels_.size());
    labels_.emplace(label, i);
    return i;
  }
  std::map<uint16_t, uint16_t> take_remapping(const std::map<std::string, uint16_t>& label_to_index) {
    std::map<uint16_t, uint16_t> r;
    for (const auto& [label, actual] : label_to_index) r[labels_.at(label)] = actual;
    labels_.clear();
    return r;
  }

  void fill(CommonTables& u) const {
    u.version = 6;
    u.module_handles = module_handles_.items;
    u.struct_handles = struct_handles_.items;
    u.function_handles = function_handles();
    u.function_instantiations = function_insts_.items;
    u.signatures = signatures_.items;
    u.identifiers = identifiers_.items;
    u.address_identifiers = addresses_.items;
    u.constant_pool = constants_.items;
  }
  void fill(CompiledModule& m) const {
    fill(static_cast<CommonTables&>(m));
    m.field_handles = field_handles_.items;
    m.struct_def_instantiations = struct_insts_.items;
    m.field_instantiations = field_insts_.items;
  }

 private:
  static std::string struct_key(const StructHandle& h) {
    std::string k = std::to_string(h.module) + "," + std::to_string(h.name) + "," + std::to_string(h.abilities);
    for (const auto& tp : h.type_parameters) k += "," + std::to_string(tp.constraints) + (tp.is_phantom ? "p" : "");
    return k;
  }

  SignatureToken reindex(const Dependency& dep, const SignatureToken& t) {
    SignatureToken r = t;
    if (t.kind == TokenKind::Struct || t.kind == TokenKind::StructInstantiation) {
      const CompiledModule& m = *dep.module;
      if (t.index >= m.struct_handles.size()) error("Malformed dependency");
      const auto& sh = m.struct_handles[t.index];
      const auto& mh = m.module_handles[sh.module];
      Address32 addr = m.address_identifiers[mh.address].bytes;
      const std::string& alias = module_alias(addr, m.identifiers[mh.name]);
      r.index = struct_handle_index(alias, m.identifiers[sh.name]);
    }
    for (auto& c : r.children) c = reindex(dep, c);
    return r;
  }

  FunctionSig dep_function_signature(const std::string& alias, const std::string& name) {
    if (alias == "Self") error("Unbound function Self." + name);
    ModuleIdent mid = module_ident(alias);
    const Dependency& dep = dependency(mid);
    auto it = dep.functions.find(name);
    if (it == dep.functions.end()) error("Unbound function " + ident_key(mid.address, mid.name) + "." + name);
    const CompiledModule& m = *dep.module;
    const FunctionHandle& fh = m.function_handles[it->second];
    FunctionSig sig;
    for (const auto& t : m.signatures[fh.return_]) sig.returns.push_back(reindex(dep, t));
    for (const auto& t : m.signatures[fh.parameters]) sig.parameters.push_back(reindex(dep, t));
    sig.type_parameters = fh.type_parameters;
    return sig;
  }

  std::map<std::string, Dependency> deps_;
  std::map<std::string, std::string> aliases_;
  std::map<std::string, std::pair<ModuleIdent, ModuleHandle>> modules_;
  std::map<std::pair<std::string, std::string>, StructHandle> structs_;
  std::map<std::string, uint16_t> struct_defs_;
  std::map<std::pair<uint16_t, std::string>, FieldInfo> fields_;
  std::map<std::pair<std::string, std::string>, std::pair<FunctionHandle, uint16_t>> function_handles_;
  std::map<std::string, uint16_t> labels_;

  Pool<ModuleHandle> module_handles_;
  Pool<StructHandle> struct_handles_;
  Pool<Signature> signatures_;
  Pool<std::string> identifiers_;
  Pool<FixedBytes<32>> addresses_;
  Pool<Constant> constants_;
  Pool<FieldHandle> field_handles_;
  Pool<Instantiation> struct_insts_, function_insts_, field_insts_;
};

// ---- types ----

SignatureToken compile_type(Context& ctx, const TypeParams& tps, const Type& ty);

std::vector<SignatureToken> compile_types(Context& ctx, const TypeParams& tps, const std::vector<Type>& tys) {
  std::vector<SignatureToken> r;
  for (const auto& t : tys) r.push_back(compile_type(ctx, tps, t));
  return r;
}

SignatureToken compile_type(Context& ctx, const TypeParams& tps, const Type& ty) {
  switch (ty.kind) {
    case Type::Kind::Address: return token(TokenKind::Address);
    case Type::Kind::Signer: return token(TokenKind::Signer);
    case Type::Kind::U8: return token(TokenKind::U8);
    case Type::Kind::U16: return token(TokenKind::U16);
    case Type::Kind::U32: return token(TokenKind::U32);
    case Type::Kind::U64: return token(TokenKind::U64);
    case Type::Kind::U128: return token(TokenKind::U128);
    case Type::Kind::U256: return token(TokenKind::U256);
    case Type::Kind::Bool: return token(TokenKind::Bool);
    case Type::Kind::Vector: case Type::Kind::Reference: case Type::Kind::MutableReference: {
      SignatureToken t = token(ty.kind == Type::Kind::Vector ? TokenKind::Vector
                               : ty.kind == Type::Kind::Reference ? TokenKind::Reference
                                                                  : TokenKind::MutableReference);
      t.children.push_back(compile_type(ctx, tps, ty.args[0]));
      return t;
    }
    case Type::Kind::Struct: {
      uint16_t sh = ctx.struct_handle_index(ty.module, ty.name);
      if (ty.args.empty()) return token(TokenKind::Struct, sh);
      SignatureToken t = token(TokenKind::StructInstantiation, sh);
      t.children = compile_types(ctx, tps, ty.args);
      return t;
    }
    case Type::Kind::TypeParameter: {
      auto it = tps.find(ty.name);
      if (it == tps.end()) error("Unbound type parameter " + ty.name);
      return token(TokenKind::TypeParameter, it->second);
    }
  }
  error("unknown type");
}

TypeParams type_parameter_indexes(const std::vector<TypeParameter>& formals) {
  TypeParams m;
  for (size_t i = 0; i < formals.size(); ++i)
    if (!m.emplace(formals[i].name, uint16_t(i)).second)
      error("Type formal '" + formals[i].name + "'' already bound");
  return m;
}

FunctionSig function_signature(Context& ctx, const Function& f) {
  TypeParams tps = type_parameter_indexes(f.type_parameters);
  FunctionSig sig;
  sig.returns = compile_types(ctx, tps, f.returns);
  for (const auto& [name, ty] : f.parameters) sig.parameters.push_back(compile_type(ctx, tps, ty));
  for (const auto& tp : f.type_parameters) sig.type_parameters.push_back(ability_set(tp.constraints));
  return sig;
}

// ---- function bodies ----

void verify_labels(const Function& f) {
  std::vector<std::string> seen, redeclared, undeclared;
  for (const auto& b : f.blocks) {
    if (std::find(seen.begin(), seen.end(), b.label) != seen.end()) redeclared.push_back(b.label);
    else seen.push_back(b.label);
  }
  for (const auto& b : f.blocks)
    for (const auto& s : b.statements)
      if ((s.kind == Statement::Kind::Jump || s.kind == Statement::Kind::JumpIf ||
           s.kind == Statement::Kind::JumpIfFalse) &&
          std::find(seen.begin(), seen.end(), s.label) == seen.end())
        undeclared.push_back(s.label);
  if (redeclared.empty() && undeclared.empty()) return;
  auto join = [](const std::vector<std::string>& v) {
    std::string r;
    for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + v[i];
    return r;
  };
  std::string msg = "Invalid block labels";
  if (!redeclared.empty()) msg += ", labels were declared twice (" + join(redeclared) + ")";
  if (!undeclared.empty()) msg += ", labels were used without being declared (" + join(undeclared) + ")";
  error(msg);
}

Bytes uleb(uint64_t n) {
  Bytes b;
  do {
    uint8_t x = n & 0x7F;
    n >>= 7;
    b.push_back(n ? uint8_t(x | 0x80) : x);
  } while (n);
  return b;
}

class FunctionCompiler {
 public:
  FunctionCompiler(Context& ctx, TypeParams tps) : ctx_(ctx), tps_(std::move(tps)) {}

  uint16_t define_local(const std::string& name) {
    if (locals_.size() >= kTableMax) error("Max number of locals reached");
    uint8_t idx = uint8_t(locals_.size());  // wraps past 255 like Aptos's `as u8`
    if (!locals_.emplace(name, idx).second) error("variable redefinition " + name);
    return idx;
  }

  CodeUnit body(const Function& f) {
    for (const auto& [name, ty] : f.parameters) {
      compile_type(ctx_, tps_, ty);
      define_local(name);
    }
    Signature locals;
    for (const auto& [name, ty] : f.locals) {
      SignatureToken t = compile_type(ctx_, tps_, ty);
      define_local(name);
      locals.push_back(std::move(t));
    }
    CodeUnit unit;
    unit.locals = ctx_.signature(locals);
    for (const auto& b : f.blocks) {
      label_to_index_[b.label] = uint16_t(code_.size());
      ctx_.label_index(b.label);
      for (const auto& s : b.statements) statement(s);
    }
    auto remap = ctx_.take_remapping(label_to_index_);
    for (auto& ins : code_)
      if (ins.op == Opcode::BrTrue || ins.op == Opcode::BrFalse || ins.op == Opcode::Branch)
        ins.index = remap.at(ins.index);
    unit.code = std::move(code_);
    return unit;
  }

 private:
  void emit(Opcode op, uint16_t index = 0, uint64_t value = 0) {
    Instruction ins;
    ins.op = op;
    ins.index = index;
    ins.value = value;
    code_.push_back(ins);
  }

  uint16_t local(const std::string& name) const {
    auto it = locals_.find(name);
    if (it == locals_.end()) error("variable " + name + " undefined");
    return it->second;
  }

  uint16_t type_args_signature(const std::vector<Type>& tys) {
    return ctx_.signature(compile_types(ctx_, tps_, tys));
  }

  void statement(const Statement& s) {
    switch (s.kind) {
      case Statement::Kind::Abort:
        if (s.exp) exp(*s.exp);
        emit(Opcode::Abort);
        break;
      case Statement::Kind::Assert: {
        exp(*s.exp);  // already `!(cond)`
        std::string cont = "assert_cont_" + std::to_string(code_.size());
        emit(Opcode::BrFalse, ctx_.label_index(cont));
        exp(*s.error);
        emit(Opcode::Abort);
        label_to_index_[cont] = uint16_t(code_.size());
        break;
      }
      case Statement::Kind::Assign:
        exp(*s.exp);
        for (auto it = s.lvalues.rbegin(); it != s.lvalues.rend(); ++it) {
          switch (it->kind) {
            case LValue::Kind::Var: emit(Opcode::StLoc, local(it->var)); break;
            case LValue::Kind::Mutate:
              exp(*it->target);
              emit(Opcode::WriteRef);
              break;
            case LValue::Kind::Pop: emit(Opcode::Pop); break;
          }
        }
        break;
      case Statement::Kind::Exp:
        exp(*s.exp);
        break;
      case Statement::Kind::Jump:
        emit(Opcode::Branch, ctx_.label_index(s.label));
        break;
      case Statement::Kind::JumpIf: case Statement::Kind::JumpIfFalse:
        exp(*s.exp);
        emit(s.kind == Statement::Kind::JumpIf ? Opcode::BrTrue : Opcode::BrFalse, ctx_.label_index(s.label));
        break;
      case Statement::Kind::Return:
        exp(*s.exp);
        emit(Opcode::Ret);
        break;
      case Statement::Kind::Unpack: {
        std::vector<SignatureToken> tokens = compile_types(ctx_, tps_, s.type_actuals);
        exp(*s.exp);
        uint16_t def = ctx_.struct_definition_index(s.struct_name);
        if (s.type_actuals.empty()) {
          emit(Opcode::Unpack, def);
        } else {
          uint16_t sig = ctx_.signature(tokens);
          emit(Opcode::UnpackGeneric, ctx_.struct_instantiation(def, sig));
        }
        for (auto it = s.bindings.rbegin(); it != s.bindings.rend(); ++it)
          emit(Opcode::StLoc, local(it->second));
        break;
      }
    }
  }

  void exp(const Exp& e) {
    switch (e.kind) {
      case Exp::Kind::Move: emit(Opcode::MoveLoc, local(e.name)); break;
      case Exp::Kind::Copy: emit(Opcode::CopyLoc, local(e.name)); break;
      case Exp::Kind::BorrowLocal:
        emit(e.is_mutable ? Opcode::MutBorrowLoc : Opcode::ImmBorrowLoc, local(e.name));
        break;
      case Exp::Kind::Value: value(e.value); break;
      case Exp::Kind::Pack: {
        uint16_t sig = type_args_signature(e.type_actuals);
        uint16_t def = ctx_.struct_definition_index(e.name);
        uint16_t sh = ctx_.struct_handle_index("Self", e.name);
        for (size_t i = 0; i < e.operands.size(); ++i) {
          if (ctx_.field(sh, e.field_names[i]).order != i)
            error("Field " + e.field_names[i] + " defined out of order for struct " + e.name);
          exp(e.operands[i]);
        }
        if (e.type_actuals.empty()) emit(Opcode::Pack, def);
        else emit(Opcode::PackGeneric, ctx_.struct_instantiation(def, sig));
        break;
      }
      case Exp::Kind::Not:
        exp(e.operands[0]);
        emit(Opcode::Not);
        break;
      case Exp::Kind::Binop: {
        exp(e.operands[0]);
        exp(e.operands[1]);
        static constexpr Opcode kOps[] = {Opcode::Add, Opcode::Sub, Opcode::Mul, Opcode::Mod,
                                          Opcode::Div, Opcode::BitOr, Opcode::BitAnd, Opcode::Xor,
                                          Opcode::Shl, Opcode::Shr, Opcode::And, Opcode::Or,
                                          Opcode::Eq, Opcode::Neq, Opcode::Lt, Opcode::Gt,
                                          Opcode::Le, Opcode::Ge};
        if (e.op == BinOp::Subrange) error("Subrange operators should only appear in specification ASTs.");
        emit(kOps[size_t(e.op)]);
        break;
      }
      case Exp::Kind::Dereference:
        exp(e.operands[0]);
        emit(Opcode::ReadRef);
        break;
      case Exp::Kind::Borrow: {
        exp(e.operands[0]);
        uint16_t sh = ctx_.struct_handle_index("Self", e.field.struct_name);
        auto info = ctx_.field(sh, e.field.field);
        uint16_t fh = ctx_.field_handle(info.def, uint16_t(info.order));
        if (e.field.type_actuals.empty()) {
          emit(e.is_mutable ? Opcode::MutBorrowField : Opcode::ImmBorrowField, fh);
        } else {
          uint16_t sig = type_args_signature(e.field.type_actuals);
          uint16_t fi = ctx_.field_instantiation(fh, sig);
          emit(e.is_mutable ? Opcode::MutBorrowFieldGeneric : Opcode::ImmBorrowFieldGeneric, fi);
        }
        break;
      }
      case Exp::Kind::Call:
        exp(e.operands[0]);
        call(e.call);
        break;
      case Exp::Kind::ExprList:
        for (const auto& o : e.operands) exp(o);
        break;
    }
  }

  void value(const Value& v) {
    switch (v.kind) {
      case Value::Kind::Address: {
        Constant c{token(TokenKind::Address), Bytes(v.word.begin(), v.word.end())};
        emit(Opcode::LdConst, ctx_.constant(c));
        break;
      }
      case Value::Kind::ByteArray: {
        Constant c{token(TokenKind::Vector), uleb(v.bytes.size())};
        c.type.children.push_back(token(TokenKind::U8));
        c.data.insert(c.data.end(), v.bytes.begin(), v.bytes.end());
        emit(Opcode::LdConst, ctx_.constant(c));
        break;
      }
      case Value::Kind::Bool: emit(v.boolean ? Opcode::LdTrue : Opcode::LdFalse); break;
      case Value::Kind::U8: emit(Opcode::LdU8, 0, v.as_u64()); break;
      case Value::Kind::U16: emit(Opcode::LdU16, 0, v.as_u64()); break;
      case Value::Kind::U32: emit(Opcode::LdU32, 0, v.as_u64()); break;
      case Value::Kind::U64: emit(Opcode::LdU64, 0, v.as_u64()); break;
      case Value::Kind::U128: case Value::Kind::U256: {
        Instruction ins;
        ins.op = v.kind == Value::Kind::U128 ? Opcode::LdU128 : Opcode::LdU256;
        ins.wide = v.word;
        code_.push_back(ins);
        break;
      }
    }
  }

  void call(const FunctionCall& c) {
    if (!c.is_builtin) {
      uint16_t sig = type_args_signature(c.type_actuals);
      uint16_t fh = ctx_.function_handle(c.module, c.name);
      if (c.type_actuals.empty()) emit(Opcode::Call, fh);
      else emit(Opcode::CallGeneric, ctx_.function_instantiation(fh, sig));
      return;
    }
    auto global = [&](Opcode plain, Opcode generic) {
      uint16_t sig = type_args_signature(c.type_actuals);
      uint16_t def = ctx_.struct_definition_index(c.name);
      if (c.type_actuals.empty()) emit(plain, def);
      else emit(generic, ctx_.struct_instantiation(def, sig));
    };
    auto vec = [&](Opcode op, bool counted) {
      uint16_t sig = type_args_signature(c.type_actuals);
      emit(op, sig, counted ? c.vec_count : 0);
    };
    switch (c.builtin) {
      case Builtin::Exists: global(Opcode::Exists, Opcode::ExistsGeneric); break;
      case Builtin::BorrowGlobal: global(Opcode::ImmBorrowGlobal, Opcode::ImmBorrowGlobalGeneric); break;
      case Builtin::BorrowGlobalMut: global(Opcode::MutBorrowGlobal, Opcode::MutBorrowGlobalGeneric); break;
      case Builtin::MoveFrom: global(Opcode::MoveFrom, Opcode::MoveFromGeneric); break;
      case Builtin::MoveTo: global(Opcode::MoveTo, Opcode::MoveToGeneric); break;
      case Builtin::VecPack: vec(Opcode::VecPack, true); break;
      case Builtin::VecLen: vec(Opcode::VecLen, false); break;
      case Builtin::VecImmBorrow: vec(Opcode::VecImmBorrow, false); break;
      case Builtin::VecMutBorrow: vec(Opcode::VecMutBorrow, false); break;
      case Builtin::VecPushBack: vec(Opcode::VecPushBack, false); break;
      case Builtin::VecPopBack: vec(Opcode::VecPopBack, false); break;
      case Builtin::VecUnpack: vec(Opcode::VecUnpack, true); break;
      case Builtin::VecSwap: vec(Opcode::VecSwap, false); break;
      case Builtin::Freeze: emit(Opcode::FreezeRef); break;
      case Builtin::ToU8: emit(Opcode::CastU8); break;
      case Builtin::ToU16: emit(Opcode::CastU16); break;
      case Builtin::ToU32: emit(Opcode::CastU32); break;
      case Builtin::ToU64: emit(Opcode::CastU64); break;
      case Builtin::ToU128: emit(Opcode::CastU128); break;
      case Builtin::ToU256: emit(Opcode::CastU256); break;
      case Builtin::Nop: emit(Opcode::Nop); break;
    }
  }

  Context& ctx_;
  TypeParams tps_;
  std::map<std::string, uint8_t> locals_;
  std::map<std::string, uint16_t> label_to_index_;
  std::vector<Instruction> code_;
};

CompiledModule module_impl(const Module& src, const std::vector<const CompiledModule*>& deps) {
  for (const auto& f : src.functions) verify_labels(f);
  Context ctx(deps);
  CompiledModule m;
  for (const auto& friend_id : src.friends) m.friend_decls.push_back(ctx.declare_friend(friend_id));
  m.self_module_handle_idx = ctx.declare_import(src.ident, "Self");
  for (const auto& imp : src.imports) ctx.declare_import(imp.module, imp.alias);
  for (const auto& s : src.structs) {
    std::vector<StructTypeParameter> tps;
    for (const auto& tp : s.type_parameters) tps.push_back({ability_set(tp.constraints), tp.is_phantom});
    ctx.declare_struct_handle("Self", s.name, ability_set(s.abilities), std::move(tps));
  }
  for (const auto& f : src.functions) ctx.declare_function("Self", f.name, function_signature(ctx, f));

  for (const auto& s : src.structs) {
    uint16_t sh = ctx.struct_handle_index("Self", s.name);
    TypeParams tps = type_parameter_indexes(s.type_parameters);
    uint16_t def = ctx.declare_struct_definition(s.name);
    StructDefinition d;
    d.struct_handle = sh;
    d.layout = s.is_native ? StructLayout::Native : StructLayout::Declared;
    for (size_t i = 0; i < s.fields.size(); ++i) {
      FieldDefinition fd;
      fd.name = ctx.identifier(s.fields[i].first);
      fd.type = compile_type(ctx, tps, s.fields[i].second);
      ctx.declare_field(sh, s.fields[i].first, def, i);
      d.fields.push_back(std::move(fd));
    }
    m.struct_defs.push_back(std::move(d));
  }

  for (const auto& f : src.functions) {
    FunctionDefinition d;
    d.function = ctx.function_handle("Self", f.name);
    d.visibility = f.visibility == Visibility::Public ? lumio::movevm::Visibility::Public
                   : f.visibility == Visibility::Friend ? lumio::movevm::Visibility::Friend
                                                         : lumio::movevm::Visibility::Private;
    d.is_entry = f.is_entry;
    for (const auto& a : f.acquires) d.acquires_global_resources.push_back(ctx.struct_definition_index(a));
    if (!f.is_native) d.code = FunctionCompiler(ctx, type_parameter_indexes(f.type_parameters)).body(f);
    m.function_defs.push_back(std::move(d));
  }
  ctx.fill(m);
  return m;
}

CompiledScript script_impl(const Script& src, const std::vector<const CompiledModule*>& deps) {
  verify_labels(src.main);
  Context ctx(deps);
  for (const auto& imp : src.imports) ctx.declare_import(imp.module, imp.alias);
  FunctionSig sig = function_signature(ctx, src.main);
  CompiledScript s;
  s.parameters = ctx.signature(sig.parameters);
  s.type_parameters = sig.type_parameters;
  s.code = FunctionCompiler(ctx, type_parameter_indexes(src.main.type_parameters)).body(src.main);
  ctx.fill(s);
  return s;
}

}  // namespace

std::string module_id_string(const std::array<uint8_t, 32>& address, const std::string& name) {
  return ident_key(address, name);
}

CompileResult<CompiledModule> compile_module(const Module& module,
                                             const std::vector<const CompiledModule*>& dependencies) {
  try {
    return module_impl(module, dependencies);
  } catch (const CompileError& e) {
    return e;
  }
}

CompileResult<CompiledScript> compile_script(const Script& script,
                                             const std::vector<const CompiledModule*>& dependencies) {
  try {
    return script_impl(script, dependencies);
  } catch (const CompileError& e) {
    return e;
  }
}

}  // namespace lumio::movevm::ir
