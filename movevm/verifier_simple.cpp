// Small verifier passes: instruction consistency (generic opcodes on generic members and vice
// versa, vector counts, closure masks), constants (types and BCS data), friends.
#include <algorithm>
#include <map>
#include <set>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

VMError at_offset(StatusCode s, uint16_t function, size_t offset) {
  return VMError{s, {}, {}, {{function, uint16_t(offset)}}};
}

class Consistency {
 public:
  Consistency(const CommonTables& u, const CompiledModule* m, uint16_t function)
      : u_(u), m_(m), function_(function) {}

  std::optional<VMError> run(const CodeUnit& code) const {
    for (size_t off = 0; off < code.code.size(); ++off) {
      const Instruction& ins = code.code[off];
      std::optional<VMError> e;
      // A script has no struct, field or variant tables: Aptos's resolver refuses the lookup.
      if (!m_ && module_only(ins.op)) return VMError{StatusCode::INVALID_OPERATION_IN_SCRIPT, {}, {}, {}};
      switch (ins.op) {
        case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
          e = struct_op(off, m_->field_handles[ins.index].owner, false);
          break;
        case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
          e = struct_op(off, m_->field_handles[m_->field_instantiations[ins.index].handle].owner, true);
          break;
        case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
          e = struct_op(off, m_->variant_field_handles[ins.index].struct_index, false);
          break;
        case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric:
          e = struct_op(off, m_->variant_field_handles[m_->variant_field_instantiations[ins.index].handle].struct_index,
                        true);
          break;
        case Opcode::Call: e = function_op(off, ins.index, false); break;
        case Opcode::CallGeneric: e = function_op(off, u_.function_instantiations[ins.index].handle, true); break;
        case Opcode::PackClosure:
          if (!(e = function_op(off, ins.index, false))) e = closure_mask(off, ins.index, ins.value);
          break;
        case Opcode::PackClosureGeneric: {
          uint16_t fh = u_.function_instantiations[ins.index].handle;
          if (!(e = function_op(off, fh, true))) e = closure_mask(off, fh, ins.value);
          break;
        }
        case Opcode::Pack: case Opcode::Unpack: case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
        case Opcode::Exists: case Opcode::MoveFrom: case Opcode::MoveTo:
          e = struct_op(off, ins.index, false);
          break;
        case Opcode::PackGeneric: case Opcode::UnpackGeneric: case Opcode::MutBorrowGlobalGeneric:
        case Opcode::ImmBorrowGlobalGeneric: case Opcode::ExistsGeneric: case Opcode::MoveFromGeneric:
        case Opcode::MoveToGeneric:
          e = struct_op(off, m_->struct_def_instantiations[ins.index].handle, true);
          break;
        case Opcode::PackVariant: case Opcode::UnpackVariant: case Opcode::TestVariant:
          e = struct_op(off, m_->struct_variant_handles[ins.index].struct_index, false);
          break;
        case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric: case Opcode::TestVariantGeneric:
          e = struct_op(off, m_->struct_variant_handles[m_->struct_variant_instantiations[ins.index].handle].struct_index,
                        true);
          break;
        case Opcode::VecPack: case Opcode::VecUnpack:
          if (ins.value > 0xFFFF) e = at_offset(StatusCode::CONSTRAINT_NOT_SATISFIED, function_, off);
          break;
        default: break;
      }
      if (e) return e;
    }
    return std::nullopt;
  }

 private:
  static bool module_only(Opcode op) {
    switch (op) {
      case Opcode::MutBorrowField: case Opcode::ImmBorrowField: case Opcode::MutBorrowFieldGeneric:
      case Opcode::ImmBorrowFieldGeneric: case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
      case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric: case Opcode::Pack:
      case Opcode::Unpack: case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal: case Opcode::Exists:
      case Opcode::MoveFrom: case Opcode::MoveTo: case Opcode::PackGeneric: case Opcode::UnpackGeneric:
      case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric: case Opcode::ExistsGeneric:
      case Opcode::MoveFromGeneric: case Opcode::MoveToGeneric: case Opcode::PackVariant: case Opcode::UnpackVariant:
      case Opcode::TestVariant: case Opcode::PackVariantGeneric: case Opcode::UnpackVariantGeneric:
      case Opcode::TestVariantGeneric:
        return true;
      default: return false;
    }
  }
  std::optional<VMError> struct_op(size_t off, uint16_t def, bool generic) const {
    const auto& sh = u_.struct_handles[m_->struct_defs[def].struct_handle];
    if (sh.type_parameters.empty() == generic)
      return at_offset(StatusCode::GENERIC_MEMBER_OPCODE_MISMATCH, function_, off);
    return std::nullopt;
  }
  std::optional<VMError> function_op(size_t off, uint16_t fh, bool generic) const {
    if (u_.function_handles[fh].type_parameters.empty() == generic)
      return at_offset(StatusCode::GENERIC_MEMBER_OPCODE_MISMATCH, function_, off);
    return std::nullopt;
  }
  // The mask may only capture existing parameters (its highest set bit indexes one).
  std::optional<VMError> closure_mask(size_t off, uint16_t fh, uint64_t mask) const {
    if (mask == 0) return std::nullopt;
    size_t highest = 63 - size_t(__builtin_clzll(mask));
    if (highest >= u_.signatures[u_.function_handles[fh].parameters].size())
      return at_offset(StatusCode::INVALID_CLOSURE_MASK, function_, off);
    return std::nullopt;
  }

  const CommonTables& u_;
  const CompiledModule* m_;
  uint16_t function_;
};

bool valid_constant_type(const SignatureToken& t) {
  switch (t.kind) {
    case TokenKind::Bool: case TokenKind::U8: case TokenKind::U16: case TokenKind::U32: case TokenKind::U64:
    case TokenKind::U128: case TokenKind::U256: case TokenKind::I8: case TokenKind::I16: case TokenKind::I32:
    case TokenKind::I64: case TokenKind::I128: case TokenKind::I256: case TokenKind::Address:
      return true;
    case TokenKind::Vector: return valid_constant_type(t.children[0]);
    default: return false;
  }
}

// BCS value of a constant type; advances `p`, false when the bytes do not form one.
bool bcs_value(const SignatureToken& t, const uint8_t*& p, const uint8_t* end) {
  auto take = [&](size_t n) {
    if (size_t(end - p) < n) return false;
    p += n;
    return true;
  };
  switch (t.kind) {
    case TokenKind::Bool:
      if (p == end || *p > 1) return false;
      ++p;
      return true;
    case TokenKind::U8: case TokenKind::I8: return take(1);
    case TokenKind::U16: case TokenKind::I16: return take(2);
    case TokenKind::U32: case TokenKind::I32: return take(4);
    case TokenKind::U64: case TokenKind::I64: return take(8);
    case TokenKind::U128: case TokenKind::I128: return take(16);
    case TokenKind::U256: case TokenKind::I256: case TokenKind::Address: return take(32);
    case TokenKind::Vector: {
      // ULEB128 length, canonical, at most 2^31 - 1 (BCS sequence limit).
      uint64_t len = 0;
      for (unsigned shift = 0;; shift += 7) {
        if (p == end || shift > 28) return false;
        uint8_t b = *p++;
        len |= uint64_t(b & 0x7F) << shift;
        if (!(b & 0x80)) {
          if (shift > 0 && b == 0) return false;
          break;
        }
      }
      if (len > 0x7FFFFFFF) return false;
      for (uint64_t i = 0; i < len; ++i)
        if (!bcs_value(t.children[0], p, end)) return false;
      return true;
    }
    default: return false;
  }
}

}  // namespace

std::optional<VMError> verify_instruction_consistency(const CompiledModule& m) {
  for (size_t i = 0; i < m.function_defs.size(); ++i)
    if (m.function_defs[i].code)
      if (auto e = Consistency(m, &m, uint16_t(i)).run(*m.function_defs[i].code)) return e;
  return std::nullopt;
}

std::optional<VMError> verify_instruction_consistency(const CompiledScript& s) {
  return Consistency(s, nullptr, 0).run(s.code);
}

std::optional<VMError> verify_constants(const CommonTables& u) {
  for (size_t i = 0; i < u.constant_pool.size(); ++i) {
    const Constant& c = u.constant_pool[i];
    if (!valid_constant_type(c.type))
      return VMError{StatusCode::INVALID_CONSTANT_TYPE, {}, {{IndexKind::ConstantPool, uint16_t(i)}}, {}};
    const uint8_t* p = c.data.data();
    const uint8_t* end = p + c.data.size();
    if (!bcs_value(c.type, p, end) || p != end)
      return VMError{StatusCode::MALFORMED_CONSTANT_DATA, {}, {{IndexKind::ConstantPool, uint16_t(i)}}, {}};
  }
  return std::nullopt;
}

std::optional<VMError> verify_friends(const CompiledModule& m) {
  const ModuleHandle& self = m.module_handles[m.self_module_handle_idx];
  for (const auto& f : m.friend_decls)
    if (f == self) return VMError{StatusCode::INVALID_FRIEND_DECL_WITH_SELF, {}, {}, {}};
  for (const auto& f : m.friend_decls)
    if (m.address_identifiers[f.address] != m.address_identifiers[self.address])
      return VMError{StatusCode::INVALID_FRIEND_DECL_WITH_MODULES_OUTSIDE_ACCOUNT_ADDRESS, {}, {}, {}};
  return std::nullopt;
}

}  // namespace lumio::movevm::internal

// ---- recursive struct definitions (struct_defs.rs) ----
namespace lumio::movevm::internal {
namespace {

// A directed graph with petgraph GraphMap's iteration orders (nodes and edges in insertion
// order), so that the node Aptos's `toposort` names in a cycle error is the one we name.
struct OrderedDigraph {
  std::vector<uint16_t> nodes;
  std::map<uint16_t, size_t> slot;
  std::vector<std::vector<size_t>> out, in;

  size_t add_node(uint16_t n) {
    auto it = slot.find(n);
    if (it != slot.end()) return it->second;
    slot[n] = nodes.size();
    nodes.push_back(n);
    out.emplace_back();
    in.emplace_back();
    return nodes.size() - 1;
  }
  void add_edge(uint16_t a, uint16_t b) {
    size_t x = add_node(a), y = add_node(b);
    if (std::find(out[x].begin(), out[x].end(), y) != out[x].end()) return;
    out[x].push_back(y);
    in[y].push_back(x);
  }

  // petgraph::algo::toposort: the node reported for a cycle, if any.
  std::optional<uint16_t> cycle_node() const {
    size_t n = nodes.size();
    std::vector<bool> discovered(n), finished(n);
    std::vector<size_t> finish, stack;
    for (size_t k = 0; k < n; ++k) {  // nodes in insertion order (the petgraph Aptos pins)
      if (discovered[k]) continue;
      stack.push_back(k);
      while (!stack.empty()) {
        size_t x = stack.back();
        if (!discovered[x]) {
          discovered[x] = true;
          for (size_t s : out[x]) {
            if (s == x) return nodes[x];
            if (!discovered[s]) stack.push_back(s);
          }
        } else {
          stack.pop_back();
          if (!finished[x]) {
            finished[x] = true;
            finish.push_back(x);
          }
        }
      }
    }
    std::reverse(finish.begin(), finish.end());
    std::vector<bool> seen(n);
    for (size_t i : finish) {
      stack.assign(1, i);
      bool cycle = false;
      while (!stack.empty()) {  // DFS over incoming edges, sharing `seen` across starts
        size_t x = stack.back();
        stack.pop_back();
        if (seen[x]) continue;
        seen[x] = true;
        for (size_t p : in[x])
          if (!seen[p]) stack.push_back(p);
        if (cycle) return nodes[x];
        cycle = true;
      }
    }
    return std::nullopt;
  }
};

bool add_struct_edges(const std::map<uint16_t, uint16_t>& handle_to_def, uint16_t from, const SignatureToken& t,
                      std::map<uint16_t, std::set<uint16_t>>& edges) {
  switch (t.kind) {
    case TokenKind::Reference: case TokenKind::MutableReference: return false;
    // A function value is a closure behind an indirection: its parameter and result types
    // (which may be references) neither form struct edges nor count as reference fields.
    case TokenKind::Function: return true;
    case TokenKind::Struct: case TokenKind::StructInstantiation: {
      auto it = handle_to_def.find(t.index);
      if (it != handle_to_def.end()) edges[from].insert(it->second);
      for (const auto& c : t.children)
        if (!add_struct_edges(handle_to_def, from, c, edges)) return false;
      return true;
    }
    default:
      for (const auto& c : t.children)
        if (!add_struct_edges(handle_to_def, from, c, edges)) return false;
      return true;
  }
}

}  // namespace

std::optional<VMError> verify_struct_recursion(const CompiledModule& m) {
  std::map<uint16_t, uint16_t> handle_to_def;
  for (size_t i = 0; i < m.struct_defs.size(); ++i) handle_to_def[m.struct_defs[i].struct_handle] = uint16_t(i);
  std::map<uint16_t, std::set<uint16_t>> edges;
  for (size_t i = 0; i < m.struct_defs.size(); ++i) {
    const auto& d = m.struct_defs[i];
    auto fields = [&](const std::vector<FieldDefinition>& fs) {
      for (const auto& f : fs)
        if (!add_struct_edges(handle_to_def, uint16_t(i), f.type, edges)) return false;
      return true;
    };
    bool ok = d.layout == StructLayout::DeclaredVariants
                  ? std::all_of(d.variants.begin(), d.variants.end(), [&](const auto& v) { return fields(v.fields); })
                  : fields(d.fields);
    if (!ok) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "Reference field when checking recursive structs", {}, {}};
  }
  OrderedDigraph g;
  for (const auto& [from, tos] : edges)
    for (uint16_t to : tos) g.add_edge(from, to);
  if (auto n = g.cycle_node())
    return VMError{StatusCode::RECURSIVE_STRUCT_DEFINITION, {}, {{IndexKind::StructDefinition, *n}}, {}};
  return std::nullopt;
}

}  // namespace lumio::movevm::internal

// ---- instantiation loops (instantiation_loops.rs) ----
namespace lumio::movevm::internal {

// Rejects generic call cycles that grow a type on every round (f<T> calls g<S<T>> calls f<..>):
// a strongly connected component of the "type parameter flows into type parameter" graph that
// contains an edge applying a type constructor.
std::optional<VMError> verify_instantiation_loops(const CompiledModule& m) {
  std::map<uint16_t, uint16_t> handle_to_def;
  for (size_t i = 0; i < m.function_defs.size(); ++i) handle_to_def[m.function_defs[i].function] = uint16_t(i);

  std::map<std::pair<uint16_t, uint16_t>, size_t> node_of;  // (function def, type param) -> node
  struct Edge {
    size_t from, to;
    bool constructor;
  };
  std::vector<Edge> edges;
  auto node = [&](uint16_t f, uint16_t tp) {
    return node_of.emplace(std::pair{f, tp}, node_of.size()).first->second;
  };
  for (size_t caller = 0; caller < m.function_defs.size(); ++caller) {
    const auto& fd = m.function_defs[caller];
    if (!fd.code) continue;
    for (const auto& ins : fd.code->code) {
      if (ins.op != Opcode::CallGeneric && ins.op != Opcode::PackClosureGeneric) continue;
      const auto& fi = m.function_instantiations[ins.index];
      auto callee = handle_to_def.find(fi.handle);
      if (callee == handle_to_def.end()) continue;
      const auto& actuals = m.signatures[fi.type_parameters];
      for (size_t formal = 0; formal < actuals.size(); ++formal) {
        const SignatureToken& ty = actuals[formal];
        size_t to = node(callee->second, uint16_t(formal));
        if (ty.kind == TokenKind::TypeParameter) {
          edges.push_back({node(uint16_t(caller), ty.index), to, false});
          continue;
        }
        std::set<uint16_t> params;
        std::vector<const SignatureToken*> stack{&ty};
        while (!stack.empty()) {
          const SignatureToken* t = stack.back();
          stack.pop_back();
          if (t->kind == TokenKind::TypeParameter) params.insert(t->index);
          for (const auto& c : t->children) stack.push_back(&c);
        }
        for (uint16_t p : params) edges.push_back({node(uint16_t(caller), p), to, true});
      }
    }
  }

  // Tarjan's SCC, iterative.
  size_t n = node_of.size();
  std::vector<std::vector<size_t>> out(n);
  for (size_t e = 0; e < edges.size(); ++e) out[edges[e].from].push_back(e);
  std::vector<long> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<bool> on_stack(n);
  std::vector<size_t> scc_stack;
  long counter = 0, comps = 0;
  for (size_t root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    std::vector<std::pair<size_t, size_t>> work{{root, 0}};  // (node, next edge position)
    index[root] = low[root] = counter++;
    scc_stack.push_back(root);
    on_stack[root] = true;
    while (!work.empty()) {
      auto& [v, pos] = work.back();
      if (pos < out[v].size()) {
        size_t w = edges[out[v][pos++]].to;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          scc_stack.push_back(w);
          on_stack[w] = true;
          work.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        size_t w;
        do {
          w = scc_stack.back();
          scc_stack.pop_back();
          on_stack[w] = false;
          comp[w] = comps;
        } while (w != v);
        ++comps;
      }
      size_t done = v;
      work.pop_back();
      if (!work.empty()) low[work.back().first] = std::min(low[work.back().first], low[done]);
    }
  }
  for (const auto& e : edges)
    if (e.constructor && comp[e.from] == comp[e.to])
      return VMError{StatusCode::LOOP_IN_INSTANTIATION_GRAPH, {}, {}, {}};
  return std::nullopt;
}

}  // namespace lumio::movevm::internal
