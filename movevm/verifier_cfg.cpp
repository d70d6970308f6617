// Control-flow graphs of code units: the abstract interpreter's view (block order, back edges),
// reducibility of v6+ units (control_flow.rs + loop_summary.rs) and the structured-loop rules
// of v5 units (control_flow_v5.rs). Same statuses and offsets as Aptos.
#include <algorithm>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

bool has_target(const Instruction& i) {
  return i.op == Opcode::BrTrue || i.op == Opcode::BrFalse || i.op == Opcode::Branch;
}
bool is_branch(const Instruction& i) {
  return has_target(i) || i.op == Opcode::Ret || i.op == Opcode::Abort || i.op == Opcode::AbortMsg;
}
bool is_unconditional(const Instruction& i) {
  return i.op == Opcode::Branch || i.op == Opcode::Ret || i.op == Opcode::Abort || i.op == Opcode::AbortMsg;
}
VMError at(StatusCode s, uint16_t function, size_t off) { return VMError{s, {}, {}, {{function, uint16_t(off)}}}; }

}  // namespace

AbsintCfg::AbsintCfg(const std::vector<Instruction>& code) {
  size_t n = code.size();
  std::set<uint16_t> ids{0};
  for (size_t pc = 0; pc < n; ++pc) {
    if (has_target(code[pc])) ids.insert(code[pc].index);
    if (is_branch(code[pc]) && pc + 1 < n) ids.insert(uint16_t(pc + 1));
  }
  uint16_t entry = 0;
  for (size_t pc = 0; pc < n; ++pc) {
    if (pc + 1 != n && !ids.count(uint16_t(pc + 1))) continue;
    std::vector<uint16_t> s;
    if (has_target(code[pc])) s.push_back(code[pc].index);
    if (pc + 1 < n && !is_unconditional(code[pc]) && (s.empty() || s[0] != pc + 1)) s.push_back(uint16_t(pc + 1));
    if (s.size() > 1 && s[0] > s[1]) std::swap(s[0], s[1]);
    exit[entry] = uint16_t(pc);
    successors[entry] = std::move(s);
    entry = uint16_t(pc + 1);
  }
  // Iterative DFS as Aptos does it: successors pushed in order, so the last is explored first.
  std::map<uint16_t, bool> done;  // present: in progress (false) or done (true)
  std::vector<uint16_t> stack{0}, post;
  while (!stack.empty()) {
    uint16_t b = stack.back();
    stack.pop_back();
    auto it = done.find(b);
    if (it == done.end()) {
      done[b] = false;
      stack.push_back(b);
      for (uint16_t s : successors[b]) {
        auto st = done.find(s);
        if (st == done.end()) stack.push_back(s);
        else if (!st->second && back_edges[s].insert(b).second) ++num_back_edges;
      }
    } else if (!it->second) {
      post.push_back(b);
      it->second = true;
    }
  }
  for (auto it = back_edges.begin(); it != back_edges.end();) it = it->second.empty() ? back_edges.erase(it) : std::next(it);
  for (size_t i = post.size(); i-- > 1;) next[post[i]] = post[i - 1];
  for (size_t i = 0; i < post.size(); ++i) rank[post[i]] = post.size() - 1 - i;
}

namespace {

// loop_summary.rs + control_flow.rs verify_reducibility.
std::optional<VMError> verify_reducibility(uint16_t function, const std::vector<Instruction>& code,
                                           const VerifierConfig& config) {
  AbsintCfg cfg(code);
  size_t n = cfg.exit.size();
  std::vector<uint16_t> blocks(n, 0);
  std::vector<uint32_t> descs(n, 0);
  std::vector<std::vector<uint32_t>> backs(n), preds(n);
  // DFS assigning node ids in pre-order; explicit frontier of Visit/Finish actions.
  struct Action {
    bool finish;
    uint32_t from;       // Visit: from node; Finish: parent
    uint16_t block;      // target block
    uint32_t node;       // Finish: the node
  };
  std::map<uint16_t, std::pair<bool, uint32_t>> exploration;  // block -> (done, node)
  uint32_t next_node = 0;
  uint32_t root = next_node++;
  blocks[root] = 0;
  exploration[0] = {false, root};
  std::vector<Action> stack;
  for (uint16_t s : cfg.successors[0]) stack.push_back({false, root, s, 0});
  while (!stack.empty()) {
    Action a = stack.back();
    stack.pop_back();
    if (a.finish) {
      descs[a.from] += 1 + descs[a.node];
      exploration[a.block].first = true;
      continue;
    }
    auto it = exploration.find(a.block);
    if (it != exploration.end()) {
      (it->second.first ? preds : backs)[it->second.second].push_back(a.from);
      continue;
    }
    uint32_t to = next_node++;
    exploration[a.block] = {false, to};
    blocks[to] = a.block;
    preds[to].push_back(a.from);
    stack.push_back({true, a.from, a.block, to});
    for (uint16_t s : cfg.successors[a.block]) stack.push_back({false, to, s, 0});
  }
  auto is_descendant = [&](uint32_t anc, uint32_t d) { return anc <= d && d <= anc + descs[anc]; };
  std::vector<uint32_t> parents(n);
  std::vector<uint32_t> depths(n, 0);
  for (uint32_t i = 0; i < n; ++i) parents[i] = i;
  auto containing = [&](uint32_t id) {
    uint32_t root_id = id;
    while (parents[root_id] != root_id) root_id = parents[root_id];
    while (parents[id] != root_id) {
      uint32_t nx = parents[id];
      parents[id] = root_id;
      id = nx;
    }
    return root_id;
  };
  for (uint32_t head = uint32_t(n); head-- > 0;) {
    if (backs[head].empty()) continue;
    std::set<uint32_t> body;
    for (uint32_t node : backs[head]) {
      uint32_t c = containing(node);
      if (c != head) body.insert(c);
    }
    std::vector<uint32_t> frontier(body.begin(), body.end());
    while (!frontier.empty()) {
      uint32_t node = frontier.back();
      frontier.pop_back();
      for (uint32_t p : preds[node]) {
        uint32_t pred = containing(p);
        if (!is_descendant(head, pred)) return at(StatusCode::INVALID_LOOP_SPLIT, function, blocks[pred]);
        if (pred != head && body.insert(pred).second) frontier.push_back(pred);
      }
    }
    uint32_t depth = depths[head];
    for (uint32_t c : body) {
      parents[c] = head;
      depth = std::max(depth, depths[c]);
    }
    depths[head] = ++depth;
    if (config.max_loop_depth && depth > *config.max_loop_depth)
      return at(StatusCode::LOOP_MAX_DEPTH_REACHED, function, blocks[head]);
  }
  return std::nullopt;
}

// control_flow_v5.rs: loops are the ranges [head, last continue]; jumps must respect them.
std::optional<VMError> verify_v5(uint16_t function, const std::vector<Instruction>& code, const VerifierConfig& config) {
  size_t n = code.size();
  constexpr uint32_t kCode = UINT32_MAX;
  std::vector<uint32_t> last_continue(n, kCode);  // kCode: not a loop head
  auto back = [](size_t i, uint16_t t) { return t <= i; };
  for (size_t i = 0; i < n; ++i)
    if (has_target(code[i]) && back(i, code[i].index)) last_continue[code[i].index] = uint32_t(i);
  // Walks the code with the loop stack, calling check(stack, i) before popping a loop.
  auto walk = [&](auto check) -> std::optional<VMError> {
    std::vector<std::pair<uint32_t, uint32_t>> stack;
    for (size_t i = 0; i < n; ++i) {
      if (last_continue[i] != kCode) stack.push_back({uint32_t(i), last_continue[i]});
      if (auto e = check(stack, i)) return e;
      if (has_target(code[i]) && back(i, code[i].index)) {
        if (stack.empty()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
        if (i == stack.back().second) stack.pop_back();
      }
    }
    return std::nullopt;
  };
  using Stack = std::vector<std::pair<uint32_t, uint32_t>>;
  if (auto e = walk([&](const Stack& st, size_t i) -> std::optional<VMError> {
        if (!has_target(code[i]) || !back(i, code[i].index)) return std::nullopt;
        if (st.empty()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, {}, {}, {}};
        if (code[i].index != st.back().first) return at(StatusCode::INVALID_LOOP_CONTINUE, function, i);
        return std::nullopt;
      }))
    return e;
  if (auto e = walk([&](const Stack& st, size_t i) -> std::optional<VMError> {
        if (!has_target(code[i]) || back(i, code[i].index) || st.empty()) return std::nullopt;
        uint32_t t = code[i].index, lc = st.back().second;
        if (t > lc && t != lc + 1) return at(StatusCode::INVALID_LOOP_BREAK, function, i);
        return std::nullopt;
      }))
    return e;
  std::vector<size_t> depth(n);
  {
    std::set<uint32_t> ends;
    for (uint32_t lc : last_continue)
      if (lc != kCode) ends.insert(lc);
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (last_continue[i] != kCode) ++count;
      depth[i] = count;
      if (ends.count(uint32_t(i))) --count;
    }
  }
  if (auto e = walk([&](const Stack& st, size_t i) -> std::optional<VMError> {
        if (!has_target(code[i])) return std::nullopt;
        uint32_t j = code[i].index;
        bool is_break = !st.empty() && j > st.back().second;
        if (!(j > i) || is_break || j >= n) return std::nullopt;
        size_t after = last_continue[j] != kCode ? depth[j] - 1 : depth[j];
        if (depth[i] != after) return at(StatusCode::INVALID_LOOP_SPLIT, function, i);
        return std::nullopt;
      }))
    return e;
  if (config.max_loop_depth)
    return walk([&](const Stack&, size_t i) -> std::optional<VMError> {
      if (depth[i] > *config.max_loop_depth) return at(StatusCode::LOOP_MAX_DEPTH_REACHED, function, i);
      return std::nullopt;
    });
  return std::nullopt;
}

}  // namespace

std::optional<VMError> verify_control_flow(uint32_t version, uint16_t function, const std::vector<Instruction>& code,
                                           const VerifierConfig& config) {
  if (code.empty()) return VMError{StatusCode::EMPTY_CODE_UNIT, {}, {}, {}};
  if (!is_unconditional(code.back())) return at(StatusCode::INVALID_FALL_THROUGH, function, code.size() - 1);
  if (version <= 5) return verify_v5(function, code, config);
  return verify_reducibility(function, code, config);
}

std::optional<VMError> Meter::add(unsigned __int128& units, const std::string& name, unsigned __int128 n) {
  if (!max_) return std::nullopt;
  unsigned __int128 sum = units + n;
  if (sum < units) sum = ~(unsigned __int128)0;
  if (sum > *max_) {
    auto str = [](unsigned __int128 v) {
      std::string s;
      do s.insert(s.begin(), char('0' + int(v % 10))), v /= 10; while (v);
      return s;
    };
    return VMError{StatusCode::CONSTRAINT_NOT_SATISFIED,
                   "program too complex (in `" + name + "` with `" + str(units) + " current + " + str(n) + " new > " +
                       str(*max_) + " max`)",
                   {}, {}};
  }
  units = sum;
  return std::nullopt;
}

}  // namespace lumio::movevm::internal
