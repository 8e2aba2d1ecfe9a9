#include "compiler/CompileThreadPool.h"

namespace wasmrt::internal {

CompileThreadPool::~CompileThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

void CompileThreadPool::run(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    if (idle_ == 0 && workers_.size() < maxThreads_)
      workers_.emplace_back([this] { work(); });
  }
  wake_.notify_one();
}

void CompileThreadPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty())
      return; // stopping
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;
    lock.lock();
  }
}

std::shared_ptr<CompileThreadPool> createCompileThreadPool(unsigned threads) {
  return std::make_shared<CompileThreadPool>(threads);
}

namespace compiler {

void PoolTaskDispatcher::dispatch(std::unique_ptr<llvm::orc::Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (shutDown_)
      return;
    ++outstanding_;
  }
  // std::function needs a copyable callable: hand the task over as a raw
  // pointer and own it again inside.
  pool_->run([this, raw = task.release()] {
    std::unique_ptr<llvm::orc::Task> owned(raw);
    owned->run();
    owned.reset(); // destroyed before it counts as finished
    std::lock_guard lock(mutex_);
    --outstanding_;
    finished_.notify_all();
  });
}

void PoolTaskDispatcher::shutdown() {
  std::unique_lock lock(mutex_);
  shutDown_ = true;
  finished_.wait(lock, [this] { return outstanding_ == 0; });
}

} // namespace compiler
} // namespace wasmrt::internal
