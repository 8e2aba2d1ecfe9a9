// Internal: the worker threads behind CompileThreadPool (Compiler.h). The ORC
// task dispatcher that runs one JIT session's tasks on them is in Jit.h.
#pragma once

#include "compiler/Compiler.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace wasmrt::internal {

// Why not ORC's DynamicThreadPoolTaskDispatcher: its threads destroy a task
// after reporting it finished, so a session torn down right after its last
// compile can be freed under a task still being destroyed; and it starts one
// thread per module. Here a worker destroys each task before it counts as
// done, and the threads belong to the pool, shared by many sessions.
//
// Two lanes, each of up to `threads` workers started on demand:
// - urgent: compiles someone waits for (a call reaching a body that is not
//   compiled yet, eager compilation);
// - background: speculative compiles of lazy mode. Their workers run at a
//   lower scheduling priority (kBackgroundNice above the nice value of the
//   thread that started them), so speculation takes the cores the guest
//   leaves idle, and a call that waits for a body never queues behind
//   speculation.
class CompileThreadPool {
public:
  enum class Lane { Urgent, Background };
  static constexpr int kBackgroundNice = 10;

  explicit CompileThreadPool(unsigned threads) : maxThreads_(std::max(threads, 1u)) {}
  ~CompileThreadPool();
  CompileThreadPool(const CompileThreadPool &) = delete;
  CompileThreadPool &operator=(const CompileThreadPool &) = delete;

  void run(std::function<void()> job, Lane lane);
  // Where work dispatched from the calling thread belongs (see
  // SpeculativeDispatchScope).
  static Lane currentDispatchLane();
  unsigned threadsPerLane() const { return maxThreads_; }

private:
  struct Workers {
    std::condition_variable wake;
    std::deque<std::function<void()>> jobs;
    std::vector<std::thread> threads;
    unsigned idle = 0;
  };
  void work(Workers &workers, Lane lane);

  const unsigned maxThreads_;
  std::mutex mutex_;
  Workers lanes_[2]; // indexed by Lane
  bool stopping_ = false;
};

// While alive, ORC tasks dispatched from this thread (by a speculative
// lookup) go to the background lane. Tasks dispatched from a background
// worker stay there too; everything else is urgent.
class SpeculativeDispatchScope {
public:
  SpeculativeDispatchScope();
  ~SpeculativeDispatchScope();
  SpeculativeDispatchScope(const SpeculativeDispatchScope &) = delete;
  SpeculativeDispatchScope &operator=(const SpeculativeDispatchScope &) = delete;

private:
  bool outer_;
};

} // namespace wasmrt::internal
