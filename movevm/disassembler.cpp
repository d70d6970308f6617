#include "movevm/disassembler.hpp"

#include <map>
#include <set>

namespace lumio::movevm {
namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string r;
  for (size_t i = 0; i < v.size(); ++i) r += (i ? sep : "") + v[i];
  return r;
}

std::string type_params_suffix(const std::vector<std::string>& v) {
  return v.empty() ? "" : "<" + join(v, ", ") + ">";
}

std::string abilities_list(AbilitySet a, const std::string& sep) {
  std::vector<std::string> names;
  if (a & kAbilityCopy) names.push_back("copy");
  if (a & kAbilityDrop) names.push_back("drop");
  if (a & kAbilityStore) names.push_back("store");
  if (a & kAbilityKey) names.push_back("key");
  return join(names, sep);
}

// Little-endian bytes -> decimal.
std::string decimal(const uint8_t* le, size_t n) {
  std::vector<uint8_t> v(le, le + n);
  std::string digits;
  bool zero = false;
  while (!zero) {
    unsigned rem = 0;
    zero = true;
    for (size_t i = n; i-- > 0;) {
      unsigned cur = (rem << 8) | v[i];
      v[i] = uint8_t(cur / 10);
      rem = cur % 10;
      if (v[i]) zero = false;
    }
    digits.push_back(char('0' + rem));
  }
  return std::string(digits.rbegin(), digits.rend());
}

std::string signed_decimal(const uint8_t* le, size_t n) {
  if (!(le[n - 1] & 0x80)) return decimal(le, n);
  std::vector<uint8_t> v(le, le + n);  // two's complement magnitude
  unsigned carry = 1;
  for (auto& b : v) {
    unsigned x = unsigned(uint8_t(~b)) + carry;
    b = uint8_t(x);
    carry = x >> 8;
  }
  return "-" + decimal(v.data(), n);
}

// Rust Debug of a SignatureToken (used for constant types).
std::string token_debug(const SignatureToken& t) {
  static const std::map<TokenKind, std::string> kNames = {
      {TokenKind::Bool, "Bool"}, {TokenKind::U8, "U8"}, {TokenKind::U16, "U16"},
      {TokenKind::U32, "U32"}, {TokenKind::U64, "U64"}, {TokenKind::U128, "U128"},
      {TokenKind::U256, "U256"}, {TokenKind::I8, "I8"}, {TokenKind::I16, "I16"},
      {TokenKind::I32, "I32"}, {TokenKind::I64, "I64"}, {TokenKind::I128, "I128"},
      {TokenKind::I256, "I256"}, {TokenKind::Address, "Address"}, {TokenKind::Signer, "Signer"}};
  auto it = kNames.find(t.kind);
  if (it != kNames.end()) return it->second;
  switch (t.kind) {
    case TokenKind::Vector: return "Vector(" + token_debug(t.children[0]) + ")";
    case TokenKind::Reference: return "Reference(" + token_debug(t.children[0]) + ")";
    case TokenKind::MutableReference: return "MutableReference(" + token_debug(t.children[0]) + ")";
    case TokenKind::Struct: return "Struct(StructHandleIndex(" + std::to_string(t.index) + "))";
    case TokenKind::TypeParameter: return "TypeParameter(" + std::to_string(t.index) + ")";
    default: return "?";
  }
}

class Disassembler {
 public:
  Disassembler(const CommonTables& u, const CompiledModule* m) : u_(u), m_(m) {
    // Modules sharing a name get aliases "1M", "2M", ... in handle order.
    std::map<std::string, int> seen;
    if (m_) seen[self_name()] = 0;
    for (size_t i = 0; i < u_.module_handles.size(); ++i) {
      if (is_self(i)) continue;
      const std::string& name = u_.identifiers[u_.module_handles[i].name];
      auto it = seen.find(name);
      if (it == seen.end()) {
        seen[name] = 0;
      } else {
        std::string key = id_key(i);
        if (!aliases_.count(key)) aliases_[key] = std::to_string(it->second) + name;
        ++it->second;
      }
    }
  }

  std::string run() {
    std::string header = "script";
    if (m_) {
      const auto& h = u_.module_handles[m_->self_module_handle_idx];
      std::string hex = to_hex(u_.address_identifiers[h.address].view(), false);
      size_t nz = hex.find_first_not_of('0');
      header = "module " + (nz == std::string::npos ? std::string("0") : hex.substr(nz)) + "." +
               u_.identifiers[h.name];
    }
    std::vector<std::string> imports;
    for (size_t i = 0; i < u_.module_handles.size(); ++i) {
      if (is_self(i)) continue;
      const auto& h = u_.module_handles[i];
      std::string s = "use " + to_hex(u_.address_identifiers[h.address].view(), false) + "::" +
                      u_.identifiers[h.name];
      auto a = aliases_.find(id_key(i));
      if (a != aliases_.end()) s += " as " + a->second;
      imports.push_back(s + ";");
    }
    std::vector<std::string> structs, functions;
    if (m_) {
      for (size_t i = 0; i < m_->struct_defs.size(); ++i) structs.push_back(struct_def(m_->struct_defs[i]));
      for (size_t i = 0; i < m_->function_defs.size(); ++i) {
        const auto& fd = m_->function_defs[i];
        const auto& fh = u_.function_handles[fd.function];
        functions.push_back(function(i, &fd, u_.identifiers[fh.name], fh.type_parameters, fh.parameters,
                                     &u_.signatures[fh.return_], fd.code ? &*fd.code : nullptr));
      }
    }
    std::string imports_str = imports.empty() ? "" : "\n" + join(imports, "\n") + "\n\n";
    return "// Move bytecode v" + std::to_string(u_.version) + "\n" + header + " {" + imports_str + "\n" +
           join(structs, "\n") + "\n\n" + join(functions, "\n") + "\n}";
  }

  std::string script_main(const CompiledScript& s) {
    std::string out = run();
    // run() printed no functions for a script; splice main in before the closing brace.
    std::string main = function(0, nullptr, "main", s.type_parameters, s.parameters, nullptr, &s.code);
    out.insert(out.size() - 2, main);
    return out;
  }

 private:
  std::string self_name() const { return u_.identifiers[u_.module_handles[m_->self_module_handle_idx].name]; }
  bool is_self(size_t handle) const {
    if (!m_) return false;
    const auto& a = u_.module_handles[handle];
    const auto& b = u_.module_handles[m_->self_module_handle_idx];
    return u_.address_identifiers[a.address] == u_.address_identifiers[b.address] &&
           u_.identifiers[a.name] == u_.identifiers[b.name];
  }
  std::string id_key(size_t handle) const {
    const auto& h = u_.module_handles[handle];
    return to_hex(u_.address_identifiers[h.address].view(), false) + "::" + u_.identifiers[h.name];
  }

  std::string type(const SignatureToken& t, const std::vector<std::string>& tps) const {
    std::vector<std::string> kids;
    auto list = [&](size_t from, size_t to) {
      std::vector<std::string> r;
      for (size_t i = from; i < to; ++i) r.push_back(type(t.children[i], tps));
      return r;
    };
    switch (t.kind) {
      case TokenKind::Bool: return "bool";
      case TokenKind::U8: return "u8";
      case TokenKind::U16: return "u16";
      case TokenKind::U32: return "u32";
      case TokenKind::U64: return "u64";
      case TokenKind::U128: return "u128";
      case TokenKind::U256: return "u256";
      case TokenKind::I8: return "i8";
      case TokenKind::I16: return "i16";
      case TokenKind::I32: return "i32";
      case TokenKind::I64: return "i64";
      case TokenKind::I128: return "i128";
      case TokenKind::I256: return "i256";
      case TokenKind::Address: return "address";
      case TokenKind::Signer: return "signer";
      case TokenKind::Struct: return u_.identifiers[u_.struct_handles[t.index].name];
      case TokenKind::StructInstantiation:
        return u_.identifiers[u_.struct_handles[t.index].name] + type_params_suffix(list(0, t.children.size()));
      case TokenKind::Vector: return "vector<" + type(t.children[0], tps) + ">";
      case TokenKind::Reference: return "&" + type(t.children[0], tps);
      case TokenKind::MutableReference: return "&mut " + type(t.children[0], tps);
      case TokenKind::TypeParameter:
        if (t.index < tps.size()) return tps[t.index];
        return "<error: Type parameter index " + std::to_string(t.index) +
               " out of bounds while disassembling type signature>";
      case TokenKind::Function: {
        std::string abilities = t.abilities ? " has " + abilities_list(t.abilities, " + ") : "";
        return "|" + join(list(0, t.function_args), ",") + "|" +
               join(list(t.function_args, t.children.size()), ",") + abilities;
      }
    }
    return "?";
  }

  static std::vector<std::string> generic_names(size_t n) {
    std::vector<std::string> r;
    for (size_t i = 0; i < n; ++i) r.push_back("Ty" + std::to_string(i));
    return r;
  }

  std::string struct_def(const StructDefinition& d) const {
    const auto& sh = u_.struct_handles[d.struct_handle];
    std::vector<std::string> tps;
    for (size_t i = 0; i < sh.type_parameters.size(); ++i) {
      const auto& tp = sh.type_parameters[i];
      tps.push_back(std::string(tp.is_phantom ? "phantom " : "") + "Ty" + std::to_string(i) +
                    (tp.constraints ? ": " + abilities_list(tp.constraints, " + ") : ""));
    }
    std::string name = u_.identifiers[sh.name] + type_params_suffix(tps) +
                       (sh.abilities ? " has " + abilities_list(sh.abilities, ", ") : "");
    auto names = generic_names(sh.type_parameters.size());
    auto fields = [&](const std::vector<FieldDefinition>& fs) {
      std::vector<std::string> r;
      for (const auto& f : fs) r.push_back("\t" + u_.identifiers[f.name] + ": " + type(f.type, names));
      return join(r, ",\n");
    };
    switch (d.layout) {
      case StructLayout::Native: return "native struct " + name;
      case StructLayout::Declared: return "struct " + name + " {\n" + fields(d.fields) + "\n}";
      case StructLayout::DeclaredVariants: {
        std::vector<std::string> vs;
        for (const auto& v : d.variants) vs.push_back(" " + u_.identifiers[v.name] + "{\n" + fields(v.fields) + "\n }");
        return "enum " + name + " {\n" + join(vs, ",\n") + "\n}";
      }
    }
    return "";
  }

  std::string function(size_t def_idx, const FunctionDefinition* fd, const std::string& name,
                       const std::vector<AbilitySet>& type_params, uint16_t params_sig,
                       const Signature* returns, const CodeUnit* code) const {
    std::vector<std::string> tps = generic_names(type_params.size());
    std::vector<std::string> tp_decls;
    for (size_t i = 0; i < type_params.size(); ++i)
      tp_decls.push_back(tps[i] + (type_params[i] ? ": " + abilities_list(type_params[i], " + ") : ""));
    const Signature& params = u_.signatures[params_sig];
    std::vector<std::string> ps, rets;
    for (size_t i = 0; i < params.size(); ++i) ps.push_back("Arg" + std::to_string(i) + ": " + type(params[i], tps));
    if (returns)
      for (const auto& t : *returns) rets.push_back(type(t, tps));
    std::string prefix;
    if (fd && fd->is_entry) prefix += "entry ";
    if (fd && !fd->code) prefix += "native ";
    if (fd && fd->visibility == Visibility::Friend) prefix += "public(friend) ";
    if (fd && fd->visibility == Visibility::Public) prefix += "public ";
    std::string body;
    if (code) {
      const Signature& locals = u_.signatures[code->locals];
      std::vector<std::string> lines;
      for (size_t j = 0; j < locals.size(); ++j)
        lines.push_back("L" + std::to_string(j + params.size()) + ":\tloc" + std::to_string(j) + ": " +
                        type(locals[j], tps));
      std::set<size_t> blocks = {0};
      for (size_t pc = 0; pc < code->code.size(); ++pc) {
        Opcode op = code->code[pc].op;
        bool branch = op == Opcode::BrTrue || op == Opcode::BrFalse || op == Opcode::Branch;
        if (branch) blocks.insert(code->code[pc].index);
        if ((branch || op == Opcode::Ret || op == Opcode::Abort || op == Opcode::AbortMsg) &&
            pc + 1 < code->code.size())
          blocks.insert(pc + 1);
      }
      size_t block_no = 0;
      for (size_t pc = 0; pc < code->code.size(); ++pc) {
        if (blocks.count(pc)) lines.push_back("B" + std::to_string(block_no++) + ":");
        lines.push_back("\t" + std::to_string(pc) + ": " + instruction(code->code[pc], params, locals, tps));
      }
      if (!lines.empty()) body = " {\n" + join(lines, "\n") + "\n}";
    }
    std::string ret = rets.empty() ? "" : ": " + join(rets, " * ");
    return prefix + name + type_params_suffix(tp_decls) + "(" + join(ps, ", ") + ")" + ret +
           " /* def_idx: " + std::to_string(def_idx) + " */" + body;
  }

  std::string local(size_t idx, const Signature& params, const Signature& locals,
                    const std::vector<std::string>& tps) const {
    std::string name = idx < params.size() ? "Arg" + std::to_string(idx) : "loc" + std::to_string(idx - params.size());
    const SignatureToken* t = idx < params.size() ? &params[idx]
                              : idx - params.size() < locals.size() ? &locals[idx - params.size()] : nullptr;
    return name + ": " + (t ? type(*t, tps) : "?");
  }

  std::string struct_name(uint16_t def) const {
    return u_.identifiers[u_.struct_handles[m_->struct_defs[def].struct_handle].name];
  }

  std::string field(uint16_t fh_idx) const {
    const auto& fh = m_->field_handles[fh_idx];
    const auto& sd = m_->struct_defs[fh.owner];
    const auto& f = sd.fields[fh.field];
    auto names = generic_names(u_.struct_handles[sd.struct_handle].type_parameters.size());
    return struct_name(fh.owner) + "." + u_.identifiers[f.name] + ": " + type(f.type, names);
  }

  std::string variant_name(uint16_t def, uint16_t variant) const {
    return u_.identifiers[m_->struct_defs[def].variants[variant].name];
  }

  std::string variant_field(uint16_t vfh_idx) const {
    const auto& h = m_->variant_field_handles[vfh_idx];
    const auto& sd = m_->struct_defs[h.struct_index];
    std::vector<std::string> parts;
    for (uint16_t v : h.variants)
      parts.push_back(variant_name(h.struct_index, v) + "." + u_.identifiers[sd.variants[v].fields[h.field].name]);
    auto names = generic_names(u_.struct_handles[sd.struct_handle].type_parameters.size());
    return join(parts, "|") + ": " + type(sd.variants[h.variants.at(0)].fields[h.field].type, names);
  }

  std::string inst_args(uint16_t sig, const std::vector<std::string>& tps) const {
    std::vector<std::string> r;
    for (const auto& t : u_.signatures[sig]) r.push_back(type(t, tps));
    return type_params_suffix(r);
  }

  std::string call(const std::string& op, uint16_t fh_idx, const std::vector<std::string>* ty_args) const {
    const auto& fh = u_.function_handles[fh_idx];
    std::string fname = u_.identifiers[fh.name];
    if (!is_self(fh.module)) {
      auto a = aliases_.find(id_key(fh.module));
      fname = (a != aliases_.end() ? a->second : u_.identifiers[u_.module_handles[fh.module].name]) + "::" + fname;
    }
    std::vector<std::string> none;
    const auto& ctx = ty_args ? *ty_args : none;
    std::vector<std::string> ps, rs;
    for (const auto& t : u_.signatures[fh.parameters]) ps.push_back(type(t, ctx));
    for (const auto& t : u_.signatures[fh.return_]) rs.push_back(type(t, ctx));
    return op + " " + fname + (ty_args ? type_params_suffix(*ty_args) : "") + "(" + join(ps, ", ") + ")" +
           (rs.empty() ? "" : ": " + join(rs, " * "));
  }

  std::string instruction(const Instruction& ins, const Signature& params, const Signature& locals,
                          const std::vector<std::string>& tps) const {
    std::string op(opcode_name(ins.op));
    std::string idx = "[" + std::to_string(ins.index) + "]";
    auto generic_struct = [&](uint16_t inst) {
      const auto& si = m_->struct_def_instantiations[inst];
      return struct_name(si.handle) + inst_args(si.type_parameters, tps);
    };
    auto variant_struct = [&](uint16_t handle) {
      const auto& h = m_->struct_variant_handles[handle];
      return struct_name(h.struct_index) + "/" + variant_name(h.struct_index, h.variant);
    };
    bool module_table = ins.op == Opcode::MutBorrowField || ins.op == Opcode::ImmBorrowField ||
                        ins.op == Opcode::Pack || ins.op == Opcode::Unpack || ins.op == Opcode::Exists ||
                        (ins.op >= Opcode::MutBorrowGlobal && ins.op <= Opcode::MoveTo) ||
                        (ins.op >= Opcode::MutBorrowFieldGeneric && ins.op <= Opcode::MoveToGeneric &&
                         ins.op != Opcode::CallGeneric) ||
                        (ins.op >= Opcode::ImmBorrowVariantField && ins.op <= Opcode::TestVariantGeneric);
    if (module_table && !m_) return op + idx;  // scripts have none of these tables
    switch (ins.op) {
      case Opcode::LdConst: {
        const Constant& c = u_.constant_pool[ins.index];
        std::vector<std::string> bytes;
        for (uint8_t b : c.data) bytes.push_back(std::to_string(b));
        return op + idx + "(" + token_debug(c.type) + ": [" + join(bytes, ", ") + "])";
      }
      case Opcode::CopyLoc: case Opcode::MoveLoc: case Opcode::StLoc: case Opcode::MutBorrowLoc:
      case Opcode::ImmBorrowLoc:
        return op + idx + "(" + local(ins.index, params, locals, tps) + ")";
      case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
        return op + idx + "(" + field(ins.index) + ")";
      case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
        return op + idx + "(" + field(m_->field_instantiations[ins.index].handle) + ")";
      case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
        return op + idx + "(" + variant_field(ins.index) + ")";
      case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric:
        return op + idx + "(" + variant_field(m_->variant_field_instantiations[ins.index].handle) + ")";
      case Opcode::Pack: case Opcode::Unpack: case Opcode::Exists: case Opcode::MutBorrowGlobal:
      case Opcode::ImmBorrowGlobal: case Opcode::MoveFrom: case Opcode::MoveTo:
        return op + idx + "(" + struct_name(ins.index) + ")";
      case Opcode::PackGeneric: case Opcode::UnpackGeneric: case Opcode::ExistsGeneric:
      case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric:
      case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric:
        return op + idx + "(" + generic_struct(ins.index) + ")";
      case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::TestVariant:
        return op + idx + "(" + variant_struct(ins.index) + ")";
      case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric: {
        const auto& vi = m_->struct_variant_instantiations[ins.index];
        return op + idx + "(" + variant_struct(vi.handle) + inst_args(vi.type_parameters, tps) + ")";
      }
      case Opcode::CallClosure: {
        const Signature& s = u_.signatures[ins.index];
        return op + "(" + (s.size() == 1 ? type(s[0], tps) : "<error: invalid closure signature>") + ")";
      }
      case Opcode::Call: return call("Call", ins.index, nullptr);
      case Opcode::PackClosure: return call("PackClosure#" + std::to_string(ins.value), ins.index, nullptr);
      case Opcode::CallGeneric: case Opcode::PackClosureGeneric: {
        const auto& fi = u_.function_instantiations[ins.index];
        std::vector<std::string> args;
        for (const auto& t : u_.signatures[fi.type_parameters]) args.push_back(type(t, tps));
        std::string name = ins.op == Opcode::CallGeneric ? "Call" : "PackClosureGeneric#" + std::to_string(ins.value);
        return call(name, fi.handle, &args);
      }
      case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::Branch: case Opcode::VecLen:
      case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: case Opcode::VecPushBack:
      case Opcode::VecPopBack: case Opcode::VecSwap:
        return op + "(" + std::to_string(ins.index) + ")";
      case Opcode::VecPack: case Opcode::VecUnpack:
        return op + "(" + std::to_string(ins.index) + ", " + std::to_string(ins.value) + ")";
      case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32: case Opcode::LdU64:
        return op + "(" + std::to_string(ins.value) + ")";
      case Opcode::LdI8: return op + "(" + std::to_string(int8_t(ins.value)) + ")";
      case Opcode::LdI16: return op + "(" + std::to_string(int16_t(ins.value)) + ")";
      case Opcode::LdI32: return op + "(" + std::to_string(int32_t(ins.value)) + ")";
      case Opcode::LdI64: return op + "(" + std::to_string(int64_t(ins.value)) + ")";
      case Opcode::LdU128: return op + "(" + decimal(ins.wide.data(), 16) + ")";
      case Opcode::LdU256: return op + "(" + decimal(ins.wide.data(), 32) + ")";
      case Opcode::LdI128: return op + "(" + signed_decimal(ins.wide.data(), 16) + ")";
      case Opcode::LdI256: return op + "(" + signed_decimal(ins.wide.data(), 32) + ")";
      default:
        return op;
    }
  }

  const CommonTables& u_;
  const CompiledModule* m_;
  std::map<std::string, std::string> aliases_;
};

}  // namespace

// The listing indexes tables directly, so only bounds-checked units are rendered.
std::string disassemble(const CompiledModule& module) {
  if (auto e = check_bounds(module)) return "Error: " + std::string(status_name(e->status));
  return Disassembler(module, &module).run();
}

std::string disassemble(const CompiledScript& script) {
  if (auto e = check_bounds(script)) return "Error: " + std::string(status_name(e->status));
  return Disassembler(script, nullptr).script_main(script);
}

}  // namespace lumio::movevm
