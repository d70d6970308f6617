// Internal: data-parallel loops for the commitment (TBB underneath).
#pragma once
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace lumio::state {

// fn(i) for every i in [0, n), in parallel. Isolated: while it waits, the calling thread runs
// only these tasks, never unrelated TBB work that could need a lock the caller holds.
template <class F>
void parallel_for_isolated(size_t n, const F& fn) {
  tbb::this_task_arena::isolate([&] { tbb::parallel_for(size_t(0), n, fn); });
}

}  // namespace lumio::state
