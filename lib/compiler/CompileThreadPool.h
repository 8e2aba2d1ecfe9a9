// Internal: the worker threads behind CompileThreadPool (Compiler.h) and the
// ORC task dispatcher that runs one JIT session's tasks on them.
#pragma once

#include "compiler/Compiler.h"

#include <llvm/ExecutionEngine/Orc/TaskDispatch.h>

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
class CompileThreadPool {
public:
  explicit CompileThreadPool(unsigned threads) : maxThreads_(std::max(threads, 1u)) {}
  ~CompileThreadPool();
  CompileThreadPool(const CompileThreadPool &) = delete;
  CompileThreadPool &operator=(const CompileThreadPool &) = delete;

  void run(std::function<void()> job);

private:
  void work();

  const unsigned maxThreads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  unsigned idle_ = 0;
  bool stopping_ = false;
};


namespace compiler {

// Runs one ORC session's tasks on a CompileThreadPool; shutdown() (called when
// the session ends) waits until every task it dispatched has run and been
// destroyed, and drops tasks dispatched after it.
class PoolTaskDispatcher : public llvm::orc::TaskDispatcher {
public:
  explicit PoolTaskDispatcher(std::shared_ptr<CompileThreadPool> pool) : pool_(std::move(pool)) {}
  void dispatch(std::unique_ptr<llvm::orc::Task> task) override;
  void shutdown() override;

private:
  std::shared_ptr<CompileThreadPool> pool_;
  std::mutex mutex_;
  std::condition_variable finished_;
  size_t outstanding_ = 0;
  bool shutDown_ = false;
};

} // namespace compiler
} // namespace wasmrt::internal
