// Internal: the worker threads behind CompileThreadPool (Compiler.h). The ORC
// task dispatcher that runs one JIT session's tasks on them is in Jit.h.
#pragma once

#include "compiler/Compiler.h"

#include <llvm/Support/thread.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace wasmrt::internal {

// The stack of every compile thread (the pool's and AOT compilation's). Threads
// created without a size get RLIMIT_STACK's (`ulimit -s`), and LLVM's recursive
// passes overflowed a 48 KiB one on test/programs/compute.c (a host SIGSEGV). Clang
// gives its own compile threads 8 MiB; untouched pages cost nothing.
inline constexpr unsigned kCompileThreadStackSize = 8u << 20;
// As llvm::thread wants it (a plain unsigned would be taken for the function).
inline constexpr std::optional<unsigned> kCompileThreadStack = kCompileThreadStackSize;

// Why not ORC's DynamicThreadPoolTaskDispatcher: its threads destroy a task
// after reporting it finished, so a session torn down right after its last
// compile can be freed under a task still being destroyed; and it starts one
// thread per module. Here a worker destroys each task before it counts as
// done, and the threads belong to the pool, shared by many sessions.
//
// Two lanes, each of up to `threads` workers started on demand:
// - urgent: compiles someone waits for or is about to (a call reaching a
//   body that is not compiled yet, a lazy module's entry points, eager
//   compilation);
// - background: speculative compiles of lazy mode.
// A call that waits for a body therefore never queues behind speculation.
// Both lanes run at the process's own priority: background workers at a
// lower one (tried: nice +10) leave a call that waits for a body being
// compiled speculatively starved whenever other processes load the machine
// (a spec script took 15 s instead of 2.8 s next to two busy loops), and an
// unprivileged thread cannot raise its priority back. How much speculation
// runs at once is the speculator's bound (lib/compiler/Compiler.cpp).
//
// A third lane, tier-up, runs the optimized recompiles of tiered mode at
// nice +10: nobody ever waits for an optimized body (baseline code keeps
// running until it is ready), so the objection above does not apply, and
// those compiles must not take a core from the guest or from a compile the
// guest waits for.
class CompileThreadPool {
public:
  enum class Lane { Urgent, Background, TierUp };
  static constexpr int kTierUpNice = 10;

  explicit CompileThreadPool(unsigned threads) : maxThreads_(std::max(threads, 1u)) {}
  ~CompileThreadPool();
  CompileThreadPool(const CompileThreadPool &) = delete;
  CompileThreadPool &operator=(const CompileThreadPool &) = delete;

  void run(std::function<void()> job, Lane lane);
  // Where work dispatched from the calling thread belongs (see
  // DispatchLaneScope).
  static Lane currentDispatchLane();

private:
  struct Workers {
    std::condition_variable wake;
    std::deque<std::function<void()>> jobs;
    std::vector<llvm::thread> threads;
    unsigned idle = 0;
  };
  void work(Workers &workers, Lane lane);

  const unsigned maxThreads_;
  std::mutex mutex_;
  Workers lanes_[3]; // indexed by Lane
  bool stopping_ = false;
};

// While alive, ORC tasks dispatched from this thread go to `lane`: the
// background lane for a speculative lookup, the tier-up lane for a tier-up
// lookup. The innermost scope wins. Tasks dispatched from a background or
// tier-up worker stay in its lane; everything else is urgent.
class DispatchLaneScope {
public:
  explicit DispatchLaneScope(CompileThreadPool::Lane lane);
  ~DispatchLaneScope();
  DispatchLaneScope(const DispatchLaneScope &) = delete;
  DispatchLaneScope &operator=(const DispatchLaneScope &) = delete;

private:
  CompileThreadPool::Lane outer_;
};

} // namespace wasmrt::internal
