#include "compiler/CompileThreadPool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace wasmrt::internal {

namespace {

thread_local bool tDispatchInBackground = false;

// Linux's largest nice value; setpriority clamps to it anyway.
constexpr int kLowestPriority = 19;

} // namespace

CompileThreadPool::Lane CompileThreadPool::currentDispatchLane() {
  return tDispatchInBackground ? Lane::Background : Lane::Urgent;
}

SpeculativeDispatchScope::SpeculativeDispatchScope() : outer_(tDispatchInBackground) {
  tDispatchInBackground = true;
}

SpeculativeDispatchScope::~SpeculativeDispatchScope() { tDispatchInBackground = outer_; }

CompileThreadPool::~CompileThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (Workers &lane : lanes_)
    lane.wake.notify_all();
  for (Workers &lane : lanes_)
    for (std::thread &worker : lane.threads)
      worker.join();
}

void CompileThreadPool::run(std::function<void()> job, Lane lane) {
  Workers &workers = lanes_[size_t(lane)];
  {
    std::lock_guard lock(mutex_);
    workers.jobs.push_back(std::move(job));
    if (workers.idle == 0 && workers.threads.size() < maxThreads_)
      workers.threads.emplace_back([this, &workers, lane] { work(workers, lane); });
  }
  workers.wake.notify_one();
}

void CompileThreadPool::work(Workers &workers, Lane lane) {
  if (lane == Lane::Background) {
    tDispatchInBackground = true;
    // Per thread on Linux (the "process" is the thread id). Lowering the
    // priority needs no privilege; failing to is harmless. Relative to the
    // nice value inherited from the starting thread: under `nice -n 5 wasmrt`
    // an absolute 10 would put speculation only 5 below the guest, and under
    // `nice -n 15` level with it (going back to 10 needs privilege).
    auto tid = id_t(syscall(SYS_gettid));
    errno = 0;
    int inherited = getpriority(PRIO_PROCESS, tid);
    if (errno == 0)
      setpriority(PRIO_PROCESS, tid, std::min(inherited + kBackgroundNice, kLowestPriority));
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
