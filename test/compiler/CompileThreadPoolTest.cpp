// The compile pool's two lanes: urgent work never waits behind background
// (speculative) work, and dispatch follows DispatchLaneScope.
#include "compiler/CompileThreadPool.h"

#include <catch2/catch.hpp>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

using namespace wasmrt::internal;
using Lane = CompileThreadPool::Lane;

namespace {

// Holds background workers until released.
class Gate {
public:
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

} // namespace

TEST_CASE("Urgent jobs run while every background worker is busy", "[compiler][pool]") {
  CompileThreadPool pool(2);
  Gate gate;
  std::atomic<int> backgroundStarted{0};
  for (int i = 0; i < 3; ++i) // one more than the lane has workers
    pool.run(
        [&] {
          ++backgroundStarted;
          gate.wait();
        },
        Lane::Background);
  std::promise<void> urgentRan;
  pool.run([&] { urgentRan.set_value(); }, Lane::Urgent);
  CHECK(urgentRan.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  while (backgroundStarted < 2)
    std::this_thread::yield();
  CHECK(backgroundStarted == 2); // the third waits for a background worker
  gate.open();
}

// Both lanes at the starting thread's priority: a niced background lane
// starved calls waiting for a speculative compile on a loaded machine.
TEST_CASE("Background and urgent workers run at the starting thread's priority, tier-up lower",
          "[compiler][pool]") {
  auto niceOfThisThread = [] {
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)));
    return errno == 0 ? std::optional<int>(nice) : std::nullopt;
  };
  std::optional<int> own = niceOfThisThread();
  REQUIRE(own);
  CompileThreadPool pool(1);
  std::promise<std::optional<int>> background, urgent;
  pool.run([&] { background.set_value(niceOfThisThread()); }, Lane::Background);
  pool.run([&] { urgent.set_value(niceOfThisThread()); }, Lane::Urgent);
  CHECK(background.get_future().get() == own);
  CHECK(urgent.get_future().get() == own);
  // Tier-up compiles nobody waits for: lowered (nice may be capped at 19).
  std::promise<std::optional<int>> tierUp;
  pool.run([&] { tierUp.set_value(niceOfThisThread()); }, Lane::TierUp);
  std::optional<int> lowered = tierUp.get_future().get();
  REQUIRE(lowered);
  CHECK(*lowered == std::min(*own + CompileThreadPool::kTierUpNice, 19));
}

TEST_CASE("DispatchLaneScope(TierUp) sends work to the tier-up lane, innermost scope wins",
          "[compiler][pool]") {
  CHECK(CompileThreadPool::currentDispatchLane() == Lane::Urgent);
  {
    DispatchLaneScope tierUp(Lane::TierUp);
    CHECK(CompileThreadPool::currentDispatchLane() == Lane::TierUp);
    {
      DispatchLaneScope speculating(Lane::Background);
      CHECK(CompileThreadPool::currentDispatchLane() == Lane::Background);
    }
    CHECK(CompileThreadPool::currentDispatchLane() == Lane::TierUp);
  }
  CHECK(CompileThreadPool::currentDispatchLane() == Lane::Urgent);
  CompileThreadPool pool(1);
  std::promise<Lane> inWorker;
  pool.run([&] { inWorker.set_value(CompileThreadPool::currentDispatchLane()); }, Lane::TierUp);
  CHECK(inWorker.get_future().get() == Lane::TierUp);
}

TEST_CASE("Dispatch lane follows DispatchLaneScope and background workers",
          "[compiler][pool]") {
  CHECK(CompileThreadPool::currentDispatchLane() == Lane::Urgent);
  {
    DispatchLaneScope speculating(Lane::Background);
    CHECK(CompileThreadPool::currentDispatchLane() == Lane::Background);
    {
      DispatchLaneScope nested(Lane::Background);
      CHECK(CompileThreadPool::currentDispatchLane() == Lane::Background);
    }
    CHECK(CompileThreadPool::currentDispatchLane() == Lane::Background);
  }
  CHECK(CompileThreadPool::currentDispatchLane() == Lane::Urgent);

  CompileThreadPool pool(1);
  std::promise<Lane> onBackground, onUrgent;
  pool.run([&] { onBackground.set_value(CompileThreadPool::currentDispatchLane()); },
           Lane::Background);
  pool.run([&] { onUrgent.set_value(CompileThreadPool::currentDispatchLane()); }, Lane::Urgent);
  CHECK(onBackground.get_future().get() == Lane::Background);
  CHECK(onUrgent.get_future().get() == Lane::Urgent);
}

TEST_CASE("Compile workers have their own 8 MiB stacks, whatever ulimit -s says",
          "[compiler][pool]") {
  // Threads created without a size get RLIMIT_STACK's as read at process start;
  // a small `ulimit -s` used to crash LLVM on the workers (docs/RUNTIME.md,
  // testing notes). Every lane is checked.
  CompileThreadPool pool(1);
  for (Lane lane : {Lane::Urgent, Lane::Background, Lane::TierUp}) {
    std::promise<size_t> size;
    pool.run(
        [&] {
          pthread_attr_t attributes;
          size_t bytes = 0;
          if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
            pthread_attr_getstacksize(&attributes, &bytes);
            pthread_attr_destroy(&attributes);
          }
          size.set_value(bytes);
        },
        lane);
    CHECK(size.get_future().get() >= kCompileThreadStackSize);
  }
}
