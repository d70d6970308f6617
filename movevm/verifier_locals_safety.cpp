// Locals safety (locals_safety/): whether each local holds a value where it is used, by
// abstract interpretation over the control-flow graph exactly as Aptos walks it (absint.rs):
// blocks in reverse post-order of a DFS from the entry, a back edge whose join changes the loop
// head's state jumps back to it (the earliest such head when several change), and the first
// error found stops the analysis. The order
// matters because it decides which offending offset is reported.
#include <map>
#include <set>

#include "movevm/verifier_internal.hpp"

namespace lumio::movevm::internal {
namespace {

enum class Local : uint8_t { Unavailable, MaybeAvailable, Available };

}  // namespace

std::optional<VMError> verify_locals_safety(const CommonTables& u, uint16_t function, const CodeUnit& code,
                                            const Signature& params, const std::vector<AbilitySet>& type_params,
                                            Meter& meter) {
  // Meter charges of locals_safety/: per instruction, per local at Ret, per join.
  constexpr unsigned __int128 kStepBase = 15, kRetPerLocal = 30, kJoinBase = 10, kJoinPerLocal = 5;
  const Signature& locals = u.signatures[code.locals];
  std::vector<AbilitySet> abilities;
  std::vector<Local> initial;
  for (const auto& t : params) abilities.push_back(type_abilities(u, t, type_params)), initial.push_back(Local::Available);
  for (const auto& t : locals) abilities.push_back(type_abilities(u, t, type_params)), initial.push_back(Local::Unavailable);
  auto drop = [&](size_t i) { return (abilities[i] & kAbilityDrop) != 0; };
  auto error = [&](StatusCode s, size_t pc) { return VMError{s, {}, {}, {{function, uint16_t(pc)}}}; };

  AbsintCfg cfg(code.code);
  std::map<uint16_t, std::vector<Local>> pre{{0, initial}};
  std::optional<uint16_t> block = 0;
  while (block) {
    uint16_t b = *block;
    auto found = pre.find(b);
    auto nb = cfg.next.find(b);
    std::optional<uint16_t> next = nb == cfg.next.end() ? std::nullopt : std::optional<uint16_t>(nb->second);
    if (found == pre.end()) {
      block = next;
      continue;
    }
    std::vector<Local> st = found->second;
    for (size_t pc = b; pc <= cfg.exit[b]; ++pc) {
      const Instruction& ins = code.code[pc];
      if (auto e = meter.add_function(kStepBase)) return e;
      switch (ins.op) {
        case Opcode::StLoc:
          if (st[ins.index] != Local::Unavailable && !drop(ins.index))
            return error(StatusCode::STLOC_UNSAFE_TO_DESTROY_ERROR, pc);
          st[ins.index] = Local::Available;
          break;
        case Opcode::MoveLoc:
          if (st[ins.index] != Local::Available) return error(StatusCode::MOVELOC_UNAVAILABLE_ERROR, pc);
          st[ins.index] = Local::Unavailable;
          break;
        case Opcode::CopyLoc:
          if (st[ins.index] != Local::Available) return error(StatusCode::COPYLOC_UNAVAILABLE_ERROR, pc);
          break;
        case Opcode::MutBorrowLoc: case Opcode::ImmBorrowLoc:
          if (st[ins.index] != Local::Available) return error(StatusCode::BORROWLOC_UNAVAILABLE_ERROR, pc);
          break;
        case Opcode::Ret:
          if (auto e = meter.add_items(kRetPerLocal, st.size())) return e;
          for (size_t i = 0; i < st.size(); ++i)
            if (st[i] != Local::Unavailable && !drop(i)) return error(StatusCode::UNSAFE_RET_UNUSED_VALUES_WITHOUT_DROP, pc);
          break;
        default: break;
      }
    }
    std::optional<uint16_t> jump;
    for (uint16_t s : cfg.successors[b]) {
      auto it = pre.find(s);
      if (it == pre.end()) {
        pre.emplace(s, st);
        continue;
      }
      if (auto e = meter.add_function(kJoinBase)) return e;
      if (auto e = meter.add_items(kJoinPerLocal, st.size())) return e;
      bool changed = false;
      for (size_t i = 0; i < st.size(); ++i) {
        Local j = it->second[i] == st[i] ? st[i] : Local::MaybeAvailable;
        if (j != it->second[i]) it->second[i] = j, changed = true;
      }
      // A changed loop head is analysed again; of several, the earliest in traversal order
      // (Aptos's block_traversal_order_hot_potato case: the outer head must win).
      if (changed && cfg.back_edges.count(s) && cfg.back_edges[s].count(b) && (!jump || cfg.rank[s] < cfg.rank[*jump]))
        jump = s;
    }
    if (jump) next = jump;
    block = next;
  }
  return std::nullopt;
}

}  // namespace lumio::movevm::internal
