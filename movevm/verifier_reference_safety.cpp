// Reference safety (reference_safety/ + move-borrow-graph): an abstract interpretation whose
// state is the locals (reference id or value) and a borrow graph between references, walked
// exactly like the other absint passes. Edge sets, factoring, release splicing, joins, the
// canonical renumbering at block ends and the edge-set overflow (10 edges collapse into one
// weak epsilon edge) follow Aptos, because the first error found depends on all of them.
#include <algorithm>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

using RefId = uint32_t;
// Labels order as Aptos's enum: Local < Global < Field, then by index.
using Label = uint32_t;
Label local_label(uint16_t i) { return i; }
Label global_label(uint16_t i) { return (1u << 16) | i; }
Label field_label(uint16_t i) { return (2u << 16) | i; }
using Path = std::vector<Label>;

bool path_leq(const Path& a, const Path& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

struct Edge {
  bool strong;
  Path path;
  auto operator<=>(const Edge&) const = default;
  bool leq(const Edge& o) const { return *this == o || (!strong && path_leq(path, o.path)); }
};

constexpr size_t kMaxEdgeSetSize = 10;

struct EdgeSet {
  std::set<Edge> edges;
  bool overflown = false;
  void insert(Edge e) {
    if (overflown) return;
    if (edges.size() + 1 > kMaxEdgeSetSize) {
      edges = {Edge{false, {}}};
      overflown = true;
    } else {
      edges.insert(std::move(e));
    }
  }
  bool operator==(const EdgeSet&) const = default;
};

struct Ref {
  std::map<RefId, EdgeSet> borrowed_by;
  std::set<RefId> borrows_from;
  bool mut = false;
  bool operator==(const Ref&) const = default;
};

class BorrowGraph {
 public:
  size_t size() const {
    size_t n = 0;
    for (const auto& [_, r] : refs_) {
      n += 1;
      for (const auto& [__, es] : r.borrowed_by) n += es.edges.size();
    }
    return n;
  }
  bool is_mutable(RefId id) const { return refs_.at(id).mut; }
  void new_ref(RefId id, bool mut) { refs_[id] = Ref{{}, {}, mut}; }

  // Full (epsilon) borrowers and field borrowers by first label.
  void borrowed_by(RefId id, std::set<RefId>& full, std::map<Label, std::set<RefId>>& fields) const {
    for (const auto& [child, es] : refs_.at(id).borrowed_by)
      for (const auto& e : es.edges) {
        if (e.path.empty()) full.insert(child);
        else fields[e.path[0]].insert(child);
      }
  }

  void add_strong_borrow(RefId parent, RefId child) { factor(parent, {}, child); }
  void add_strong_field_borrow(RefId parent, Label f, RefId child) { factor(parent, {f}, child); }
  void add_weak_borrow(RefId parent, RefId child) { add_edge(parent, Edge{false, {}}, child); }
  void add_weak_field_borrow(RefId parent, Label f, RefId child) { add_edge(parent, Edge{false, {f}}, child); }

  void release(RefId id) {
    Ref r = std::move(refs_.at(id));
    refs_.erase(id);
    for (RefId parent_id : r.borrows_from) {
      auto& parent = refs_.at(parent_id);
      EdgeSet parent_edges = std::move(parent.borrowed_by.at(id));
      parent.borrowed_by.erase(id);
      for (const Edge& pe : parent_edges.edges)
        for (const auto& [child, ces] : r.borrowed_by)
          for (const Edge& ce : ces.edges) {
            if (parent_id == child) continue;  // releasing from a cycle
            Path path = pe.path;
            if (pe.strong) path.insert(path.end(), ce.path.begin(), ce.path.end());
            add_edge(parent_id, Edge{pe.strong && ce.strong, std::move(path)}, child);
          }
    }
    for (const auto& [child, _] : r.borrowed_by) refs_.at(child).borrows_from.erase(id);
  }

  // Whether `this` covers `other`: every edge of other has a smaller-or-equal one here.
  bool leq(const BorrowGraph& other) const { return unmatched(other).empty(); }

  BorrowGraph join(const BorrowGraph& other) const {
    BorrowGraph j = *this;
    for (auto& [parent, children] : unmatched(other))
      for (auto& [child, edges] : children)
        for (auto& e : edges) j.add_edge(parent, e, child);
    return j;
  }

  void remap(const std::map<RefId, RefId>& m) {
    auto f = [&](RefId id) {
      auto it = m.find(id);
      return it == m.end() ? id : it->second;
    };
    std::map<RefId, Ref> out;
    for (auto& [id, r] : refs_) {
      Ref nr;
      nr.mut = r.mut;
      for (auto& [c, es] : r.borrowed_by) nr.borrowed_by[f(c)] = std::move(es);
      for (RefId p : r.borrows_from) nr.borrows_from.insert(f(p));
      out[f(id)] = std::move(nr);
    }
    refs_ = std::move(out);
  }

 private:
  void add_edge(RefId parent, Edge e, RefId child) {
    refs_.at(parent).borrowed_by[child].insert(std::move(e));
    refs_.at(child).borrows_from.insert(parent);
  }

  void factor(RefId parent_id, const Path& path, RefId intermediate) {
    auto& parent = refs_.at(parent_id);
    std::vector<std::pair<RefId, Edge>> moved;
    for (const auto& [child, es] : parent.borrowed_by)
      for (const Edge& e : es.edges)
        if (path_leq(path, e.path)) moved.push_back({child, e});
    std::set<RefId> cleanup;
    for (const auto& [child, e] : moved) {
      auto& es = parent.borrowed_by.at(child);
      es.edges.erase(e);
      if (es.edges.empty()) {
        parent.borrowed_by.erase(child);
        cleanup.insert(child);
      }
    }
    for (RefId c : cleanup) refs_.at(c).borrows_from.erase(parent_id);
    for (auto& [child, e] : moved)
      add_edge(intermediate, Edge{e.strong, Path(e.path.begin() + long(path.size()), e.path.end())}, child);
    add_edge(parent_id, Edge{true, path}, intermediate);
  }

  std::map<RefId, std::map<RefId, std::vector<Edge>>> unmatched(const BorrowGraph& other) const {
    std::map<RefId, std::map<RefId, std::vector<Edge>>> out;
    for (const auto& [parent, oref] : other.refs_) {
      auto sit = refs_.find(parent);
      for (const auto& [child, oes] : oref.borrowed_by)
        for (const Edge& oe : oes.edges) {
          bool found = false;
          if (sit != refs_.end()) {
            auto c = sit->second.borrowed_by.find(child);
            if (c != sit->second.borrowed_by.end())
              for (const Edge& se : c->second.edges)
                if (se.leq(oe)) {
                  found = true;
                  break;
                }
          }
          if (!found) out[parent][child].push_back(oe);
        }
    }
    return out;
  }

  std::map<RefId, Ref> refs_;
};

constexpr unsigned __int128 kStepBase = 10, kStepPerLocal = 20, kStepPerGraphItem = 50, kJoinBase = 100,
                            kJoinPerLocal = 10, kJoinPerGraphItem = 50, kRefParamEdge = 100, kCallPerAcquires = 100;
constexpr float kRefParamEdgeGrowth = 1.5f;

constexpr RefId kValue = UINT32_MAX;  // AbstractValue::NonReference

struct State {
  std::vector<RefId> locals;
  BorrowGraph graph;
  RefId next_id = 0;

  RefId frame_root() const { return RefId(locals.size()); }
  RefId new_ref(bool mut) {
    graph.new_ref(next_id, mut);
    return next_id++;
  }
  RefId value_for(const SignatureToken& t) {
    if (t.kind == TokenKind::Reference) return new_ref(false);
    if (t.kind == TokenKind::MutableReference) return new_ref(true);
    return kValue;
  }
  void release_value(RefId v) {
    if (v != kValue) graph.release(v);
  }

  bool has_full_borrows(RefId id) const {
    std::set<RefId> full;
    std::map<Label, std::set<RefId>> fields;
    graph.borrowed_by(id, full, fields);
    return !full.empty();
  }
  bool has_consistent_borrows(RefId id, std::optional<Label> label) const {
    std::set<RefId> full;
    std::map<Label, std::set<RefId>> fields;
    graph.borrowed_by(id, full, fields);
    if (!full.empty()) return true;
    if (!label) {
      for (auto& [_, s] : fields)
        if (!s.empty()) return true;
      return false;
    }
    auto it = fields.find(*label);
    return it != fields.end() && !it->second.empty();
  }
  bool all_immutable(const std::set<RefId>& s) const {
    for (RefId r : s)
      if (graph.is_mutable(r)) return false;
    return true;
  }
  bool has_consistent_mutable_borrows(RefId id, std::optional<Label> label) const {
    std::set<RefId> full;
    std::map<Label, std::set<RefId>> fields;
    graph.borrowed_by(id, full, fields);
    if (!all_immutable(full)) return true;
    if (!label) {
      for (auto& [_, s] : fields)
        if (!all_immutable(s)) return true;
      return false;
    }
    auto it = fields.find(*label);
    return it != fields.end() && !all_immutable(it->second);
  }
  bool is_writable(RefId id) const { return !has_consistent_borrows(id, std::nullopt); }
  bool is_freezable(RefId id, std::optional<Label> f) const { return !has_consistent_mutable_borrows(id, f); }
  bool is_readable(RefId id, std::optional<Label> f) const { return !graph.is_mutable(id) || is_freezable(id, f); }
  bool is_local_borrowed(uint16_t i) const { return has_consistent_borrows(frame_root(), local_label(i)); }
  bool is_local_mutably_borrowed(uint16_t i) const {
    return has_consistent_mutable_borrows(frame_root(), local_label(i));
  }
  bool is_global_borrowed(uint16_t s) const { return has_consistent_borrows(frame_root(), global_label(s)); }
  bool is_global_mutably_borrowed(uint16_t s) const {
    return has_consistent_mutable_borrows(frame_root(), global_label(s));
  }

  State canonical() const {
    std::map<RefId, RefId> m{{frame_root(), frame_root()}};
    State c{locals, graph, RefId(locals.size() + 1)};
    for (size_t i = 0; i < locals.size(); ++i)
      if (locals[i] != kValue) {
        m[locals[i]] = RefId(i);
        c.locals[i] = RefId(i);
      }
    c.graph.remap(m);
    return c;
  }
};

class Analysis {
 public:
  Analysis(const CommonTables& u, const CompiledModule* m, uint16_t function, const Signature& returns, Meter& meter)
      : u_(u), m_(m), function_(function), returns_(returns), meter_(meter) {}

  std::optional<VMError> run(const CodeUnit& code, const Signature& params) {
    size_t num_locals = params.size() + u_.signatures[code.locals].size();
    State init;
    init.locals.assign(num_locals, kValue);
    init.next_id = RefId(num_locals + 1);
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].kind == TokenKind::Reference || params[i].kind == TokenKind::MutableReference) {
        init.graph.new_ref(RefId(i), params[i].kind == TokenKind::MutableReference);
        init.locals[i] = RefId(i);
      }
    init.graph.new_ref(init.frame_root(), true);

    AbsintCfg cfg(code.code);
    std::map<uint16_t, State> pre{{0, std::move(init)}};
    std::optional<uint16_t> block = 0;
    while (block) {
      uint16_t b = *block;
      auto nb = cfg.next.find(b);
      std::optional<uint16_t> next = nb == cfg.next.end() ? std::nullopt : std::optional<uint16_t>(nb->second);
      auto found = pre.find(b);
      if (found == pre.end()) {
        block = next;
        continue;
      }
      State st = found->second;
      uint16_t last = cfg.exit.at(b);
      for (uint16_t pc = b; pc <= last; ++pc) {
        if (auto e = step(st, code.code[pc], pc)) return e;
        if (pc == last) {
          if (!stack_.empty()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
          st = st.canonical();
        }
      }
      std::optional<uint16_t> jump;
      for (uint16_t s : cfg.successors[b]) {
        auto it = pre.find(s);
        if (it == pre.end()) {
          pre.emplace(s, st);
          continue;
        }
        bool changed = false;
        if (auto e = join(it->second, st, changed)) return e;
        if (changed && cfg.back_edges.count(s) && cfg.back_edges[s].count(b) &&
            (!jump || cfg.rank[s] < cfg.rank[*jump]))
          jump = s;
      }
      if (jump) next = jump;
      block = next;
    }
    return std::nullopt;
  }

 private:
  VMError error(StatusCode s, uint16_t pc) const { return VMError{s, {}, {}, {{function_, pc}}}; }

  // AbstractState::join (absint's AbstractDomain): `changed` unless locals are unchanged and
  // the old graph covers the joined one.
  std::optional<VMError> join(State& self, const State& other, bool& changed) {
    BorrowGraph sg = self.graph, og = other.graph;
    std::vector<RefId> locals(self.locals.size());
    for (size_t i = 0; i < locals.size(); ++i) {
      RefId a = self.locals[i], b = other.locals[i];
      if (a != kValue && b == kValue) sg.release(a), locals[i] = kValue;
      else if (a == kValue && b != kValue) og.release(b), locals[i] = kValue;
      else locals[i] = a;
    }
    State joined{locals, sg.join(og), self.next_id};
    if (auto e = meter_.add_function(kJoinBase)) return e;
    if (auto e = meter_.add_items(kJoinPerLocal, self.locals.size())) return e;
    if (auto e = meter_.add_items(kJoinPerGraphItem, self.graph.size())) return e;
    changed = !(self.locals == joined.locals && self.graph.leq(joined.graph));
    if (changed) self = std::move(joined);
    return std::nullopt;
  }

  RefId pop() {
    RefId v = stack_.back();
    stack_.pop_back();
    return v;
  }

  std::optional<VMError> call(State& st, uint16_t pc, std::vector<RefId> args, const std::vector<uint16_t>& acquires,
                              const Signature& results, size_t first_result) {
    if (auto e = meter_.add_items(kCallPerAcquires, acquires.size())) return e;
    for (uint16_t r : acquires)
      if (st.is_global_borrowed(r)) return error(StatusCode::GLOBAL_REFERENCE_ERROR, pc);
    std::set<RefId> all, muts;
    for (RefId id : args) {
      if (id == kValue) continue;
      if (st.graph.is_mutable(id)) {
        if (!st.is_writable(id)) return error(StatusCode::CALL_BORROWED_MUTABLE_REFERENCE_ERROR, pc);
        muts.insert(id);
      }
      all.insert(id);
    }
    size_t returned_refs = 0;
    for (size_t i = first_result; i < results.size(); ++i) {
      const auto& t = results[i];
      if (t.kind == TokenKind::MutableReference || t.kind == TokenKind::Reference) {
        bool mut = t.kind == TokenKind::MutableReference;
        RefId id = st.new_ref(mut);
        for (RefId p : mut ? muts : all) st.graph.add_weak_borrow(p, id);
        ++returned_refs;
        stack_.push_back(id);
      } else {
        stack_.push_back(kValue);
      }
    }
    if (auto e = meter_.add_items_with_growth(kRefParamEdge, all.size() * returned_refs, kRefParamEdgeGrowth)) return e;
    for (RefId id : all) st.graph.release(id);
    return std::nullopt;
  }

  std::vector<RefId> pop_n(size_t n) {
    std::vector<RefId> v(n);
    for (size_t i = n; i-- > 0;) v[i] = pop();
    return v;
  }

  std::optional<VMError> borrow_field(State& st, uint16_t pc, bool mut, uint16_t field) {
    RefId id = pop();
    if (id == kValue) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
    if ((mut && st.has_full_borrows(id)) || (!mut && !st.is_readable(id, field_label(field))))
      return error(StatusCode::BORROWFIELD_EXISTS_MUTABLE_BORROW_ERROR, pc);
    RefId child = st.new_ref(mut);
    st.graph.add_strong_field_borrow(id, field_label(field), child);
    st.graph.release(id);
    stack_.push_back(child);
    return std::nullopt;
  }

  std::optional<VMError> borrow_global(State& st, uint16_t pc, bool mut, uint16_t def) {
    pop();
    if ((mut && st.is_global_borrowed(def)) || st.is_global_mutably_borrowed(def))
      return error(StatusCode::GLOBAL_REFERENCE_ERROR, pc);
    RefId id = st.new_ref(mut);
    st.graph.add_weak_field_borrow(st.frame_root(), global_label(def), id);
    stack_.push_back(id);
    return std::nullopt;
  }

  std::optional<VMError> vector_op(State& st, uint16_t pc, RefId id, bool mut) {
    if (id == kValue) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
    if (mut && !st.is_writable(id)) return error(StatusCode::VEC_UPDATE_EXISTS_MUTABLE_BORROW_ERROR, pc);
    st.graph.release(id);
    return std::nullopt;
  }

  const std::vector<uint16_t>& acquires_of(uint16_t handle) {
    static const std::vector<uint16_t> kNone;
    if (!m_) return kNone;
    // name_def_map: the last definition whose handle has this name; only an identical handle counts.
    const FunctionHandle& fh = u_.function_handles[handle];
    const FunctionDefinition* def = nullptr;
    for (const auto& d : m_->function_defs)
      if (u_.function_handles[d.function].name == fh.name) def = &d;
    if (!def || !(u_.function_handles[def->function] == fh)) return kNone;
    return def->acquires_global_resources;
  }

  std::optional<VMError> step(State& st, const Instruction& ins, uint16_t pc) {
    if (auto e = meter_.add_function(kStepBase)) return e;
    if (auto e = meter_.add_items(kStepPerLocal, st.locals.size())) return e;
    if (auto e = meter_.add_items(kStepPerGraphItem, st.graph.size())) return e;
    auto inv = [] { return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}}; };
    switch (ins.op) {
      case Opcode::Pop: st.release_value(pop()); return std::nullopt;
      case Opcode::CopyLoc: {
        RefId v = st.locals[ins.index];
        if (v != kValue) {
          RefId id = st.new_ref(st.graph.is_mutable(v));
          st.graph.add_strong_borrow(v, id);
          stack_.push_back(id);
          return std::nullopt;
        }
        if (st.is_local_mutably_borrowed(ins.index)) return error(StatusCode::COPYLOC_EXISTS_BORROW_ERROR, pc);
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::MoveLoc: {
        RefId v = st.locals[ins.index];
        st.locals[ins.index] = kValue;
        if (v == kValue && st.is_local_borrowed(ins.index)) return error(StatusCode::MOVELOC_EXISTS_BORROW_ERROR, pc);
        stack_.push_back(v);
        return std::nullopt;
      }
      case Opcode::StLoc: {
        RefId old = st.locals[ins.index];
        st.locals[ins.index] = pop();
        if (old != kValue) st.graph.release(old);
        else if (st.is_local_borrowed(ins.index)) return error(StatusCode::STLOC_UNSAFE_TO_DESTROY_ERROR, pc);
        return std::nullopt;
      }
      case Opcode::FreezeRef: {
        RefId id = pop();
        if (id == kValue) return inv();
        if (!st.is_freezable(id, std::nullopt)) return error(StatusCode::FREEZEREF_EXISTS_MUTABLE_BORROW_ERROR, pc);
        RefId frozen = st.new_ref(false);
        st.graph.add_strong_borrow(id, frozen);
        st.graph.release(id);
        stack_.push_back(frozen);
        return std::nullopt;
      }
      case Opcode::Eq: case Opcode::Neq: {
        RefId v1 = pop(), v2 = pop();
        if (v1 != kValue && v2 != kValue) {
          if (!st.is_readable(v1, std::nullopt) || !st.is_readable(v2, std::nullopt))
            return error(StatusCode::READREF_EXISTS_MUTABLE_BORROW_ERROR, pc);
          st.graph.release(v1);
          st.graph.release(v2);
        } else if (v1 != kValue || v2 != kValue) {
          return inv();
        }
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::ReadRef: {
        RefId id = pop();
        if (id == kValue) return inv();
        if (!st.is_readable(id, std::nullopt)) return error(StatusCode::READREF_EXISTS_MUTABLE_BORROW_ERROR, pc);
        st.graph.release(id);
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::WriteRef: {
        RefId id = pop();
        pop();
        if (id == kValue) return inv();
        if (!st.is_writable(id)) return error(StatusCode::WRITEREF_EXISTS_BORROW_ERROR, pc);
        st.graph.release(id);
        return std::nullopt;
      }
      case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc: {
        bool mut = ins.op == Opcode::MutBorrowLoc;
        if (!mut && st.is_local_mutably_borrowed(ins.index)) return error(StatusCode::BORROWLOC_EXISTS_BORROW_ERROR, pc);
        // The frame can be fully borrowed after an edge-set overflow.
        if (mut && st.has_full_borrows(st.frame_root())) return error(StatusCode::BORROWLOC_EXISTS_BORROW_ERROR, pc);
        RefId id = st.new_ref(mut);
        st.graph.add_strong_field_borrow(st.frame_root(), local_label(ins.index), id);
        stack_.push_back(id);
        return std::nullopt;
      }
      case Opcode::MutBorrowField: case Opcode::ImmBorrowField:
        return borrow_field(st, pc, ins.op == Opcode::MutBorrowField, m_->field_handles[ins.index].field);
      case Opcode::MutBorrowFieldGeneric: case Opcode::ImmBorrowFieldGeneric:
        return borrow_field(st, pc, ins.op == Opcode::MutBorrowFieldGeneric,
                            m_->field_handles[m_->field_instantiations[ins.index].handle].field);
      case Opcode::MutBorrowVariantField: case Opcode::ImmBorrowVariantField:
        return borrow_field(st, pc, ins.op == Opcode::MutBorrowVariantField, m_->variant_field_handles[ins.index].field);
      case Opcode::MutBorrowVariantFieldGeneric: case Opcode::ImmBorrowVariantFieldGeneric:
        return borrow_field(st, pc, ins.op == Opcode::MutBorrowVariantFieldGeneric,
                            m_->variant_field_handles[m_->variant_field_instantiations[ins.index].handle].field);
      case Opcode::MutBorrowGlobal: case Opcode::ImmBorrowGlobal:
        return borrow_global(st, pc, ins.op == Opcode::MutBorrowGlobal, ins.index);
      case Opcode::MutBorrowGlobalGeneric: case Opcode::ImmBorrowGlobalGeneric:
        return borrow_global(st, pc, ins.op == Opcode::MutBorrowGlobalGeneric,
                             m_->struct_def_instantiations[ins.index].handle);
      case Opcode::MoveFrom: case Opcode::MoveFromGeneric: {
        pop();
        uint16_t def = ins.op == Opcode::MoveFrom ? ins.index : m_->struct_def_instantiations[ins.index].handle;
        if (st.is_global_borrowed(def)) return error(StatusCode::GLOBAL_REFERENCE_ERROR, pc);
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::Call: case Opcode::CallGeneric: {
        uint16_t h = ins.op == Opcode::Call ? ins.index : u_.function_instantiations[ins.index].handle;
        const FunctionHandle& fh = u_.function_handles[h];
        auto args = pop_n(u_.signatures[fh.parameters].size());
        return call(st, pc, std::move(args), acquires_of(h), u_.signatures[fh.return_], 0);
      }
      case Opcode::CallClosure: {
        const Signature& s = u_.signatures[ins.index];
        if (s.empty() || s[0].kind != TokenKind::Function) return VMError{StatusCode::VERIFIER_INVARIANT_VIOLATION, {}, {}, {}};
        pop();  // the closure
        auto args = pop_n(s[0].function_args);
        static const std::vector<uint16_t> kNone;
        return call(st, pc, std::move(args), kNone, s[0].children, s[0].function_args);
      }
      case Opcode::Ret: {
        auto values = pop_n(returns_.size());
        std::set<RefId> released;
        for (RefId v : st.locals)
          if (v != kValue) released.insert(v);
        for (RefId v : released) st.graph.release(v);
        if (st.has_consistent_borrows(st.frame_root(), std::nullopt))
          return error(StatusCode::UNSAFE_RET_LOCAL_OR_RESOURCE_STILL_BORROWED, pc);
        for (RefId v : values)
          if (v != kValue && st.graph.is_mutable(v) && !st.is_writable(v))
            return error(StatusCode::RET_BORROWED_MUTABLE_REFERENCE_ERROR, pc);
        return std::nullopt;
      }
      case Opcode::Branch: case Opcode::Nop: case Opcode::CastU8: case Opcode::CastU16: case Opcode::CastU32:
      case Opcode::CastU64: case Opcode::CastU128: case Opcode::CastU256: case Opcode::CastI8: case Opcode::CastI16:
      case Opcode::CastI32: case Opcode::CastI64: case Opcode::CastI128: case Opcode::CastI256: case Opcode::Not:
      case Opcode::Negate: case Opcode::Exists: case Opcode::ExistsGeneric:
        return std::nullopt;
      case Opcode::BrTrue: case Opcode::BrFalse: case Opcode::Abort:
        pop();
        return std::nullopt;
      case Opcode::AbortMsg:
        pop(), pop();
        return std::nullopt;
      case Opcode::MoveTo: case Opcode::MoveToGeneric:
        pop();
        st.release_value(pop());
        return std::nullopt;
      case Opcode::LdTrue: case Opcode::LdFalse: case Opcode::LdU8: case Opcode::LdU16: case Opcode::LdU32:
      case Opcode::LdU64: case Opcode::LdU128: case Opcode::LdU256: case Opcode::LdI8: case Opcode::LdI16:
      case Opcode::LdI32: case Opcode::LdI64: case Opcode::LdI128: case Opcode::LdI256:
        stack_.push_back(kValue);
        return std::nullopt;
      case Opcode::LdConst: stack_.push_back(st.value_for(u_.constant_pool[ins.index].type)); return std::nullopt;
      case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Mod: case Opcode::Div: case Opcode::BitOr:
      case Opcode::BitAnd: case Opcode::Xor: case Opcode::Shl: case Opcode::Shr: case Opcode::Or: case Opcode::And:
      case Opcode::Lt: case Opcode::Gt: case Opcode::Le: case Opcode::Ge:
        pop(), pop();
        stack_.push_back(kValue);
        return std::nullopt;
      case Opcode::Pack: case Opcode::PackGeneric: case Opcode::PackVariant: case Opcode::PackVariantGeneric:
      case Opcode::Unpack: case Opcode::UnpackGeneric: case Opcode::UnpackVariant: case Opcode::UnpackVariantGeneric: {
        uint16_t def = 0;
        std::optional<uint16_t> variant;
        switch (ins.op) {
          case Opcode::Pack: case Opcode::Unpack: def = ins.index; break;
          case Opcode::PackGeneric: case Opcode::UnpackGeneric: def = m_->struct_def_instantiations[ins.index].handle; break;
          default: {
            bool generic = ins.op == Opcode::PackVariantGeneric || ins.op == Opcode::UnpackVariantGeneric;
            const auto& h = m_->struct_variant_handles[generic ? m_->struct_variant_instantiations[ins.index].handle
                                                               : ins.index];
            def = h.struct_index;
            variant = h.variant;
          }
        }
        size_t n = m_->struct_defs[def].field_count(variant);
        bool pack = ins.op == Opcode::Pack || ins.op == Opcode::PackGeneric || ins.op == Opcode::PackVariant ||
                    ins.op == Opcode::PackVariantGeneric;
        if (pack) {
          for (size_t i = 0; i < n; ++i)
            if (pop() != kValue) return inv();
          stack_.push_back(kValue);
        } else {
          if (pop() != kValue) return inv();
          for (size_t i = 0; i < n; ++i) stack_.push_back(kValue);
        }
        return std::nullopt;
      }
      case Opcode::TestVariant: case Opcode::TestVariantGeneric: {
        RefId id = pop();
        if (id == kValue) return inv();
        if (!st.is_readable(id, std::nullopt)) return error(StatusCode::READREF_EXISTS_MUTABLE_BORROW_ERROR, pc);
        st.graph.release(id);
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::PackClosure: case Opcode::PackClosureGeneric: {
        for (int i = 0; i < __builtin_popcountll(ins.value); ++i)
          if (pop() != kValue) return inv();
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::VecPack: {
        for (uint64_t i = 0; i < ins.value; ++i)
          if (pop() != kValue) return inv();
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::VecLen: {
        if (auto e = vector_op(st, pc, pop(), false)) return e;
        stack_.push_back(kValue);
        return std::nullopt;
      }
      case Opcode::VecImmBorrow: case Opcode::VecMutBorrow: {
        bool mut = ins.op == Opcode::VecMutBorrow;
        pop();
        RefId vec = pop();
        if (vec == kValue) return inv();
        if (mut && !st.is_writable(vec)) return error(StatusCode::VEC_BORROW_ELEMENT_EXISTS_MUTABLE_BORROW_ERROR, pc);
        RefId elem = st.new_ref(mut);
        st.graph.add_weak_borrow(vec, elem);
        st.graph.release(vec);
        stack_.push_back(elem);
        return std::nullopt;
      }
      case Opcode::VecPushBack:
        pop();
        return vector_op(st, pc, pop(), true);
      case Opcode::VecPopBack: {
        if (auto e = vector_op(st, pc, pop(), true)) return e;
        stack_.push_back(st.value_for(u_.signatures[ins.index][0]));
        return std::nullopt;
      }
      case Opcode::VecUnpack: {
        pop();
        for (uint64_t i = 0; i < ins.value; ++i) stack_.push_back(st.value_for(u_.signatures[ins.index][0]));
        return std::nullopt;
      }
      case Opcode::VecSwap:
        pop(), pop();
        return vector_op(st, pc, pop(), true);
    }
    return inv();
  }

  const CommonTables& u_;
  const CompiledModule* m_;
  uint16_t function_;
  const Signature& returns_;
  Meter& meter_;
  std::vector<RefId> stack_;
};

}  // namespace

std::optional<VMError> verify_reference_safety(const CommonTables& unit, const CompiledModule* module,
                                               uint16_t function, const CodeUnit& code, const Signature& params,
                                               const Signature& returns, Meter& meter) {
  return Analysis(unit, module, function, returns, meter).run(code, params);
}

}  // namespace lumio::movevm::internal
