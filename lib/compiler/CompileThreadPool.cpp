#include "compiler/CompileThreadPool.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace wasmrt::internal {

namespace {

thread_local CompileThreadPool::Lane tDispatchLane = CompileThreadPool::Lane::Urgent;

} // namespace

CompileThreadPool::Lane CompileThreadPool::currentDispatchLane() { return tDispatchLane; }

DispatchLaneScope::DispatchLaneScope(CompileThreadPool::Lane lane) : outer_(tDispatchLane) {
  tDispatchLane = lane;
}

DispatchLaneScope::~DispatchLaneScope() { tDispatchLane = outer_; }

CompileThreadPool::~CompileThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (Workers &lane : lanes_)
    lane.wake.notify_all();
  for (Workers &lane : lanes_)
    for (llvm::thread &worker : lane.threads)
      worker.join();
}

void CompileThreadPool::run(std::function<void()> job, Lane lane) {
  Workers &workers = lanes_[size_t(lane)];
  {
    std::lock_guard lock(mutex_);
    workers.jobs.push_back(std::move(job));
    if (workers.idle == 0 && workers.threads.size() < maxThreads_)
      workers.threads.emplace_back(kCompileThreadStack,
                                   [this, &workers, lane] { work(workers, lane); });
  }
  workers.wake.notify_one();
}

void CompileThreadPool::work(Workers &workers, Lane lane) {
  tDispatchLane = lane;
  // Lower this thread's own priority (Linux: nice is per thread), relative to
  // the nice it inherited: an absolute kTierUpNice would be only 5 lower in a
  // process started with nice 5, and would raise the priority of one started
  // above 10 (which root may do). If the system refuses, the lane runs at
  // normal priority: slower guests on a busy machine, nothing worse.
  if (lane == Lane::TierUp) {
    auto thread = id_t(syscall(SYS_gettid));
    errno = 0;
    int own = getpriority(PRIO_PROCESS, thread);
    if (errno == 0)
      (void)setpriority(PRIO_PROCESS, thread, std::min(own + kTierUpNice, 19));
  }
  std::unique_lock lock(mutex_);
  while (true) {
    ++workers.idle;
    workers.wake.wait(lock, [&] { return stopping_ || !workers.jobs.empty(); });
    --workers.idle;
    if (workers.jobs.empty())
      return; // stopping
    std::function<void()> job = std::move(workers.jobs.front());
    workers.jobs.pop_front();
    lock.unlock();
    job();
    job = nullptr;
    lock.lock();
  }
}

std::shared_ptr<CompileThreadPool> createCompileThreadPool(unsigned threads) {
  return std::make_shared<CompileThreadPool>(threads);
}

} // namespace wasmrt::internal
