// The compile pool's two lanes: urgent work never waits behind background
// (speculative) work, and dispatch follows SpeculativeDispatchScope.
#include "compiler/CompileThreadPool.h"

#include <catch2/catch.hpp>

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

TEST_CASE("Background workers run at a lower priority", "[compiler][pool]") {
  CompileThreadPool pool(1);
  errno = 0;
  int own = getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)));
  REQUIRE(errno == 0);
  std::promise<int> background, urgent;
  pool.run([&] { background.set_value(getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)))); },
           Lane::Background);
  pool.run([&] { urgent.set_value(getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)))); },
           Lane::Urgent);
  int expected = std::min(own + CompileThreadPool::kBackgroundNice, 19);
  CHECK(background.get_future().get() == expected);
  CHECK(urgent.get_future().get() == own);
}

// Whatever nice value the process was started with (`nice -n 5 ctest` made
// an absolute setpriority(10) look like +5), background workers are
// kBackgroundNice below the thread that starts them.
TEST_CASE("Background workers are niced relative to the thread that starts them",
          "[compiler][pool]") {
  auto niceOfThisThread = [] {
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)));
    return errno == 0 ? std::optional<int>(nice) : std::nullopt;
  };
  std::optional<int> starter, background;
  std::thread([&] {
    // Lowering a thread's own priority needs no privilege.
    std::optional<int> own = niceOfThisThread();
    if (!own || setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), std::min(*own + 3, 19)) != 0)
      return;
    starter = niceOfThisThread();
    CompileThreadPool pool(1);
    std::promise<std::optional<int>> seen;
    pool.run([&] { seen.set_value(niceOfThisThread()); }, Lane::Background);
    background = seen.get_future().get();
  }).join();
  REQUIRE(starter);
  REQUIRE(background);
  CHECK(*background == std::min(*starter + CompileThreadPool::kBackgroundNice, 19));
}

TEST_CASE("Dispatch lane follows SpeculativeDispatchScope and background workers",
          "[compiler][pool]") {
  CHECK(CompileThreadPool::currentDispatchLane() == Lane::Urgent);
  {
    SpeculativeDispatchScope speculating;
    CHECK(CompileThreadPool::currentDispatchLane() == Lane::Background);
    {
      SpeculativeDispatchScope nested;
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
