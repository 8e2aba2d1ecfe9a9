#include "runtime/TrapHandler.h"

#include "runtime/FakeJit.h"
#include "runtime/LinearMemory.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;
using wasmrt::internal::test::FakeJit;

namespace {

LinearMemory guardedMemory(uint32_t pages = 1) {
  MemoryConfig config;
  config.initialPages = pages;
  config.mode = MemoryMode::Guarded;
  auto memory = LinearMemory::create(config);
  REQUIRE(memory);
  return std::move(*memory);
}

// Runs fake JIT code loading from `address` as a wasm call.
Expected<void> loadAsWasm(const FakeJit &jit, const void *address, uint32_t *value,
                          TrapInfo *trap) {
  return callWithTrapHandling([&] { *value = jit.load(address); }, trap);
}

// A PROT_NONE page that no memory registered: faults there are never ours.
struct UnregisteredPage {
  UnregisteredPage() {
    page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(page != MAP_FAILED);
  }
  ~UnregisteredPage() { munmap(page, 4096); }
  void *page;
};

} // namespace

TEST_CASE("A load from JIT code in bounds runs normally") {
  FakeJit jit;
  LinearMemory memory = guardedMemory();
  std::memcpy(memory.base() + 8, "\x2a\0\0\0", 4);
  uint32_t value = 0;
  TrapInfo trap;
  REQUIRE(loadAsWasm(jit, memory.base() + 8, &value, &trap));
  CHECK(value == 42);
  CHECK_FALSE(inWasmCall());
}

TEST_CASE("A load from JIT code past the memory size is an out-of-bounds trap") {
  FakeJit jit;
  LinearMemory memory = guardedMemory();
  const uint8_t *targets[] = {
      memory.base() + memory.byteSize(),                     // first byte past the end
      memory.base() + 0xffffffffull,                         // largest index
      memory.base() + 0xffffffffull + 0xffffffffull + 12,    // largest index + offset
  };
  for (int round = 0; round < 100; ++round) {
    for (const uint8_t *target : targets) {
      uint32_t value = 0;
      TrapInfo trap;
      auto result = loadAsWasm(jit, target, &value, &trap);
      REQUIRE_FALSE(result);
      CHECK(result.error().kind() == ErrorKind::Trap);
      CHECK(result.error().message() == "out of bounds memory access");
      CHECK(trap.kind == TrapKind::MemoryOutOfBounds);
      CHECK(trap.pc == jit.loadAddress());
      CHECK(trap.faultAddress == reinterpret_cast<uintptr_t>(target));
    }
  }
  // The handler unblocked SIGSEGV after each jump, and the memory still works.
  uint32_t value = 1;
  TrapInfo trap;
  REQUIRE(loadAsWasm(jit, memory.base(), &value, &trap));
  CHECK(value == 0);
  CHECK(memory.grow(1) == 1);
  REQUIRE(loadAsWasm(jit, memory.base() + LinearMemory::kPageSize, &value, &trap));
}

TEST_CASE("A trap in a nested wasm call unwinds only to the innermost entry") {
  FakeJit jit;
  LinearMemory memory = guardedMemory();
  const uint8_t *outOfBounds = memory.base() + memory.byteSize();
  int stage = 0;
  TrapInfo outerTrap;
  auto outer = callWithTrapHandling(
      [&] {
        stage = 1;
        CHECK(inWasmCall());
        {
          // host -> wasm -> host -> wasm: the inner call traps, the host sees it.
          uint32_t value = 0;
          TrapInfo innerTrap;
          auto inner = loadAsWasm(jit, outOfBounds, &value, &innerTrap);
          CHECK_FALSE(inner);
          CHECK(innerTrap.kind == TrapKind::MemoryOutOfBounds);
          CHECK(inWasmCall());
          stage = 2;
        } // `inner` owns a string: it must be gone before the next trap skips this frame
        // Now the outer wasm call traps itself.
        jit.load(outOfBounds);
        stage = 3;
      },
      &outerTrap);
  REQUIRE_FALSE(outer);
  CHECK(stage == 2);
  CHECK(outerTrap.kind == TrapKind::MemoryOutOfBounds);
  CHECK_FALSE(inWasmCall());
}

namespace {
// A runtime helper as JIT code would call it. The JIT shim passes no arguments, so the
// kind to raise comes from a thread_local.
thread_local TrapKind pendingKind;
[[gnu::noinline]] void trappingHelper() {
  raiseTrapAt(pendingKind, __builtin_return_address(0));
}
} // namespace

TEST_CASE("raiseTrap from a host function called by JIT code unwinds to the entry") {
  FakeJit jit;
  for (unsigned k = 0; k < kTrapKindCount; ++k) {
    auto kind = static_cast<TrapKind>(k);
    TrapInfo trap;
    pendingKind = kind;
    auto result = callWithTrapHandling([&] { jit.call(trappingHelper); }, &trap);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind() == ErrorKind::Trap);
    CHECK(result.error().message() == trapMessage(kind));
    CHECK(trap.kind == kind);
    // The helper reported the JIT pc it returns to.
    CHECK(trap.pc > jit.begin());
    CHECK(trap.pc < jit.end());
    CHECK(trap.faultAddress == 0);
  }
  TrapInfo trap;
  auto plain = callWithTrapHandling([] { raiseTrap(TrapKind::Unreachable); }, &trap);
  REQUIRE_FALSE(plain);
  CHECK(plain.error().message() == "unreachable");
  CHECK(trap.pc != 0);
}

TEST_CASE("raiseTrap in a nested host call reaches the inner entry, and the host can "
          "rethrow it to the outer one") {
  FakeJit jit;
  TrapInfo outerTrap;
  bool innerTrapped = false;
  auto outer = callWithTrapHandling(
      [&] {
        TrapInfo innerTrap;
        // Host code converts the Expected before re-raising: raiseTrap skips destructors.
        innerTrapped = !callWithTrapHandling(
            [] { raiseTrap(TrapKind::IntegerDivideByZero); }, &innerTrap);
        if (innerTrapped)
          raiseTrap(innerTrap.kind);
      },
      &outerTrap);
  CHECK(innerTrapped);
  REQUIRE_FALSE(outer);
  CHECK(outerTrap.kind == TrapKind::IntegerDivideByZero);
  CHECK(outer.error().message() == "integer divide by zero");
}

TEST_CASE("The spec's trap messages") {
  CHECK(std::string(trapMessage(TrapKind::Unreachable)) == "unreachable");
  CHECK(std::string(trapMessage(TrapKind::IntegerOverflow)) == "integer overflow");
  CHECK(std::string(trapMessage(TrapKind::InvalidConversionToInteger)) ==
        "invalid conversion to integer");
  CHECK(std::string(trapMessage(TrapKind::UndefinedElement)) == "undefined element");
  CHECK(std::string(trapMessage(TrapKind::UninitializedElement)) == "uninitialized element");
  CHECK(std::string(trapMessage(TrapKind::IndirectCallTypeMismatch)) ==
        "indirect call type mismatch");
  CHECK(std::string(trapMessage(TrapKind::CallStackExhausted)) == "call stack exhausted");
  CHECK(std::string(trapMessage(TrapKind::TableOutOfBounds)) == "out of bounds table access");
}

TEST_CASE("Faults that are not ours still kill the process") {
  WASMRT_SKIP_UNDER_EMULATOR("uses fork");
  SECTION("a fault in registered memory from code that is not JIT code") {
    CHECK(test::diedOfSegv(test::runInChild([] {
      LinearMemory memory = guardedMemory();
      volatile uint8_t *past = memory.base() + memory.byteSize();
      (void)callWithTrapHandling([&] { (void)*past; });
    })));
  }
  SECTION("a fault from JIT code at an unregistered address") {
    CHECK(test::diedOfSegv(test::runInChild([] {
      FakeJit jit;
      UnregisteredPage page;
      (void)callWithTrapHandling([&] { jit.load(page.page); });
    })));
  }
  SECTION("a fault from JIT code outside any wasm call") {
    CHECK(test::diedOfSegv(test::runInChild([] {
      REQUIRE(installTrapHandler());
      FakeJit jit;
      LinearMemory memory = guardedMemory();
      jit.load(memory.base() + memory.byteSize());
    })));
  }
  SECTION("a SIGSEGV sent with kill() while in a wasm call") {
    CHECK(test::diedOfSegv(test::runInChild([] {
      (void)callWithTrapHandling([] { kill(getpid(), SIGSEGV); });
    })));
  }
}

// --- Chaining: needs a process where another handler was installed before ours, so
// the parent re-executes this binary, running only one hidden test case.

namespace {

void runHiddenCase(const char *name, int expectedExit) {
  pid_t child = fork();
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execl("/proc/self/exe", "test_runtime", name, static_cast<char *>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  INFO("hidden case " << name);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == expectedExit);
}

void faultOutsideOurRanges() {
  REQUIRE(installTrapHandler());
  FakeJit jit;
  UnregisteredPage page;
  LinearMemory memory = guardedMemory(); // registered, but not where we fault
  (void)callWithTrapHandling([&] { jit.load(page.page); });
}

} // namespace

TEST_CASE("chain child: siginfo handler", "[.chain-child]") {
  struct sigaction previous = {};
  previous.sa_flags = SA_SIGINFO;
  previous.sa_sigaction = [](int, siginfo_t *info, void *) {
    _exit(info->si_code > 0 ? 42 : 40);
  };
  sigemptyset(&previous.sa_mask);
  sigaction(SIGSEGV, &previous, nullptr);
  faultOutsideOurRanges();
  _exit(1);
}

TEST_CASE("chain child: plain handler", "[.chain-child]") {
  signal(SIGSEGV, [](int) { _exit(43); });
  faultOutsideOurRanges();
  _exit(1);
}

TEST_CASE("chain child: own traps still work with an earlier handler", "[.chain-child]") {
  signal(SIGSEGV, [](int) { _exit(44); });
  FakeJit jit;
  LinearMemory memory = guardedMemory();
  TrapInfo trap;
  uint32_t value;
  auto result = loadAsWasm(jit, memory.base() + memory.byteSize(), &value, &trap);
  _exit(!result && trap.kind == TrapKind::MemoryOutOfBounds ? 0 : 2);
}

TEST_CASE("Faults that are not ours go to the previously installed handler") {
  WASMRT_SKIP_UNDER_EMULATOR("re-executes the test binary");
  runHiddenCase("chain child: siginfo handler", 42);
  runHiddenCase("chain child: plain handler", 43);
  runHiddenCase("chain child: own traps still work with an earlier handler", 0);
}

// --- Stack exhaustion.

namespace {

struct StackOverflowResult {
  bool trapped = false;
  TrapInfo trap;
  uintptr_t limit = 0;
  uintptr_t nestedLimit = 0;
  uintptr_t frameAddress = 0;
  uintptr_t recursePc = 0;
};

void *overflowOnThisThread(void *arg) {
  auto *results = static_cast<StackOverflowResult *>(arg);
  FakeJit jit;
  for (int i = 0; i < 3; ++i) {
    StackOverflowResult &result = results[i];
    result.recursePc = jit.recurseAddress();
    auto call = callWithTrapHandling(
        [&] {
          result.limit = wasmStackLimit();
          result.frameAddress = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
          (void)callWithTrapHandling([&] { result.nestedLimit = wasmStackLimit(); });
          jit.recurse();
        },
        &result.trap);
    result.trapped = !call && call.error().message() == "call stack exhausted";
  }
  return nullptr;
}

} // namespace

TEST_CASE("Overflowing the thread's stack from JIT code is 'call stack exhausted'") {
  WASMRT_SKIP_UNDER_EMULATOR("creates a thread");
  // A thread with a known 1 MiB stack, smaller than the default wasm stack size, so the
  // limit is clamped to the real stack.
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 1 << 20);
  StackOverflowResult results[3];
  pthread_t thread;
  // Asserted only after the join: the thread makes Catch assertions too (in
  // FakeJit), and Catch's are not thread-safe (TSan saw the two race).
  int created = pthread_create(&thread, &attributes, overflowOnThisThread, results);
  if (created == 0)
    pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  REQUIRE(created == 0);
  for (const StackOverflowResult &result : results) {
    CHECK(result.trapped);
    CHECK(result.trap.kind == TrapKind::CallStackExhausted);
    CHECK(result.trap.pc == result.recursePc);
    CHECK(result.limit != 0);
    CHECK(result.limit < result.frameAddress);
    CHECK(result.frameAddress - result.limit <= WasmEntryOptions{}.wasmStackSize);
    CHECK(result.nestedLimit == result.limit); // nested entries inherit the limit
  }
  CHECK(wasmStackLimit() == 0);
}

TEST_CASE("The stack limit is the entry SP minus the configured size") {
  WasmEntryOptions options;
  options.wasmStackSize = 100 * 1024;
  uintptr_t limit = 0;
  uintptr_t here = 0;
  REQUIRE(callWithTrapHandling(
      [&] {
        limit = wasmStackLimit();
        here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
      },
      nullptr, options));
  CHECK(limit < here);
  CHECK(here - limit < options.wasmStackSize);
  CHECK(here - limit > options.wasmStackSize - 16 * 1024);
}

// --- Threads.

TEST_CASE("Several threads trap concurrently while memories come and go") {
  WASMRT_SKIP_UNDER_EMULATOR("creates threads");
  FakeJit jit;
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  // Catch2 assertions are not thread-safe: threads only count failures.
  auto create = [&] {
    MemoryConfig config;
    config.initialPages = 1;
    auto memory = LinearMemory::create(config);
    if (!memory)
      std::abort(); // cannot report from here; a crash fails the test
    return std::move(*memory);
  };
  std::atomic<int> churned{0};
  std::thread churn([&] {
    while (!stop.load()) {
      LinearMemory memory = create();
      memory.base()[0] = 1;
      churned.fetch_add(1);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      LinearMemory memory = create();
      memory.base()[0] = uint8_t(t);
      for (int i = 0; i < kRounds; ++i) {
        uint32_t value = 99;
        TrapInfo trap;
        if (!loadAsWasm(jit, memory.base(), &value, &trap) || value != uint32_t(t))
          failures.fetch_add(1);
        auto result = loadAsWasm(jit, memory.base() + memory.byteSize() + i, &value, &trap);
        if (result || trap.kind != TrapKind::MemoryOutOfBounds)
          failures.fetch_add(1);
      }
    });
  }
  for (auto &thread : threads)
    thread.join();
  stop = true;
  churn.join();
  CHECK(failures.load() == 0);
  CHECK(churned.load() > 0);
}
