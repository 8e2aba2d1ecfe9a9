// A module that needs more stack than the host thread has (issue 15, "Faults and
// exhaustion"): on threads whose stacks are smaller than Config::wasmStackSize
// (512 KiB), runaway recursion must end in the "call stack exhausted" trap, never
// a host SIGSEGV, and so must host -> wasm -> host -> wasm re-entry near the
// limit, including a first call (a lazy compile) made there. The runtime clamps
// the limit to the thread's real stack less 64 KiB for host frames
// (docs/RUNTIME.md, "Stack limit and stack exhaustion").
#include "ApiTestUtil.h"
#include "FaultTestUtil.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::test;

namespace {

constexpr int kFreshFunctions = 32;

// $rec(n) = n by recursing n deep. The store after the call keeps it a real
// recursion (no accumulator tail-call elimination). $down(n, k) recurses n deep
// and then asks the host to call back into wasm with k: rec(k) for k >= 0,
// fresh(-k - 1)(5) for k < 0, a function called for the first time (lazily
// compiled right there). $calls counts the calls of both.
std::string recursionModule() {
  std::string wat = R"((module
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (global $calls (mut i32) (i32.const 0))
  (global $last (mut i32) (i32.const 0))
  (func (export "calls") (result i32) (global.get $calls))
  (func (export "reset") (global.set $calls (i32.const 0)))
  (func $rec (export "rec") (param $n i32) (result i32) (local $r i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $r (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1)))))
    (global.set $last (local.get $n))
    (local.get $r))
  (func $down (export "down") (param $n i32) (param $k i32) (result i32) (local $r i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.eqz (local.get $n)) (then (return (call $reenter (local.get $k)))))
    (local.set $r (i32.add (i32.const 1)
      (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $k))))
    (global.set $last (local.get $n))
    (local.get $r))
)";
  for (int i = 0; i < kFreshFunctions; ++i)
    wat += "  (func (export \"fresh" + std::to_string(i) +
           "\") (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const " +
           std::to_string(1000 * i) + ")))\n";
  return wat + ")";
}

// The host import: calls back into the calling instance. A trap in that inner
// call comes back here as an error; the host answers -1 instead, so that the
// outer call can go on (or run out of stack itself).
void defineReenter(Linker &linker, int *innerTraps) {
  linker.defineFunc("host", "reenter", [innerTraps](Caller &caller, int32_t k) -> int32_t {
    std::string name = k >= 0 ? "rec" : "fresh" + std::to_string(-k - 1);
    auto callee = caller.getExport(name);
    if (!callee || !callee->func())
      return -2;
    auto result = callee->func()->call({Val(k >= 0 ? k : 5)});
    if (!result) {
      ++*innerTraps;
      return -1;
    }
    return (*result)[0].i32();
  });
}

struct Session {
  Store store;
  int innerTraps = 0;
  std::optional<Instance> instance;
  std::string error;

  Session(const Engine &engine, const Module &module) : store(engine) {
    Linker linker;
    defineReenter(linker, &innerTraps);
    auto created = linker.instantiate(store, module);
    if (created)
      instance = *created;
    else
      error = created.error().describe();
  }
  Expected<int32_t> call(const char *name, std::initializer_list<Val> args) {
    return callI32(*instance, name, args);
  }
  bool exhausted(const Expected<int32_t> &result) const {
    return !result && store.lastTrap() && store.lastTrap()->kind == TrapKind::CallStackExhausted;
  }
  int32_t calls() {
    auto n = call("calls", {});
    return n ? *n : -1;
  }
};

struct RecursionOutcome {
  std::string failure;
  int32_t depth = -1; // calls made before the stack ran out
};

// On the current thread: runaway recursion traps, the thread can still call
// wasm afterwards, and half the depth that trapped succeeds.
RecursionOutcome runawayRecursion(const Engine &engine, const Module &module) {
  RecursionOutcome outcome;
  Session session(engine, module);
  if (!session.instance) {
    outcome.failure = "instantiation failed: " + session.error;
    return outcome;
  }
  auto runaway = session.call("rec", {Val(100'000'000)});
  if (!session.exhausted(runaway)) {
    outcome.failure = runaway ? "runaway recursion returned" : runaway.error().describe();
    return outcome;
  }
  outcome.depth = session.calls();
  if (outcome.depth >= 4) {
    (void)session.call("reset", {});
    int32_t half = outcome.depth / 2;
    auto shallow = session.call("rec", {Val(half)});
    if (!shallow || *shallow != half)
      outcome.failure = "rec(" + std::to_string(half) + ") after the trap: " +
                        (shallow ? std::to_string(*shallow) : shallow.error().describe());
  }
  return outcome;
}

// On the current thread: find how deep $down gets, then re-enter wasm from the
// host at depths just short of that, with runaway and first-time callees.
// Every call ends in the right value or in "call stack exhausted".
std::string reentryNearTheLimit(const Engine &engine, const Module &module) {
  Session session(engine, module);
  if (!session.instance)
    return "instantiation failed: " + session.error;
  auto runaway = session.call("down", {Val(100'000'000), Val(0)});
  if (!session.exhausted(runaway))
    return "runaway $down: " + (runaway ? std::string("returned") : runaway.error().describe());
  int32_t limit = session.calls();
  if (limit < 2)
    return ""; // no room for wasm at all on this thread: nothing to re-enter
  int fresh = 0;
  for (int32_t back = 1; back <= 400 && back < limit; back += back < 16 ? 1 : back / 4) {
    int32_t n = limit - back;
    for (int32_t k : {0, 3, 100'000'000, -1 - (fresh++ % kFreshFunctions)}) {
      (void)session.call("reset", {});
      auto result = session.call("down", {Val(n), Val(k)});
      if (!result) {
        if (!session.exhausted(result))
          return "down(" + std::to_string(n) + ", " + std::to_string(k) +
                 "): " + result.error().describe();
        continue;
      }
      int32_t inner = *result - n; // what reenter returned
      bool innerOk = k == 100'000'000 ? inner == -1
                     : k >= 0         ? inner == k || inner == -1
                                      : inner == 5 + 1000 * (-k - 1) || inner == -1;
      if (!innerOk)
        return "down(" + std::to_string(n) + ", " + std::to_string(k) + ") returned " +
               std::to_string(*result);
    }
  }
  if (session.innerTraps == 0)
    return "no re-entry ran out of stack: the test did not get near the limit";
  return "";
}

// Lazy tiered (the default), eager at O2, lazy baseline: their frames differ.
std::vector<std::pair<const char *, Config>> configurations() {
  Config eager;
  eager.compilation = CompilationMode::Eager;
  Config baseline;
  baseline.tiering.mode = Tiering::Baseline;
  return {{"lazy tiered", Config{}}, {"eager O2", eager}, {"lazy baseline", baseline}};
}

} // namespace

TEST_CASE("Runaway recursion on threads with small stacks traps with call stack exhausted",
          "[faults][stack]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  for (auto &[name, config] : configurations()) {
    INFO(name);
    Engine engine(config);
    Module module = compileWat(engine, recursionModule());
    struct Case {
      size_t stack;
      RecursionOutcome outcome;
      bool ran;
    };
    std::vector<Case> cases;
    for (size_t kib : {64, 128, 256, 1024, 4096})
      cases.push_back(Case{kib << 10, {}, false});
    for (Case &c : cases)
      c.ran = runOnThread(c.stack, [&] { c.outcome = runawayRecursion(engine, module); });
    for (const Case &c : cases) {
      INFO("thread stack " << (c.stack >> 10) << " KiB: depth " << c.outcome.depth);
      REQUIRE(c.ran);
      CHECK(c.outcome.failure == "");
    }
    // 64 KiB is all the host's reserve: no wasm frame fits. Up to the wasm stack
    // size (512 KiB) the depth follows the thread's stack; beyond it, the limit.
    CHECK(cases[0].outcome.depth <= 1);
    CHECK(cases[1].outcome.depth > 0);
    // Lazy tiered code changes frames when $rec tiers up (10,000 calls), between
    // cases or during one: depths compare only within one tier.
    if (config.compilation == CompilationMode::Lazy && config.tiering.mode == Tiering::Tiered)
      continue;
    CHECK(cases[1].outcome.depth < cases[2].outcome.depth);
    CHECK(cases[2].outcome.depth < cases[3].outcome.depth);
    CHECK(cases[3].outcome.depth > cases[4].outcome.depth * 9 / 10);
    CHECK(cases[3].outcome.depth < cases[4].outcome.depth * 11 / 10);
  }
}

TEST_CASE("host -> wasm -> host -> wasm near the stack limit ends in results or traps",
          "[faults][stack]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  for (auto &[name, config] : configurations()) {
    INFO(name);
    Engine engine(config);
    // A module each, so that its fresh functions are compiled at that thread's limit.
    for (size_t stack : {size_t(128) << 10, size_t(256) << 10, size_t(2) << 20}) {
      Module module = compileWat(engine, recursionModule());
      std::string failure = "thread not started";
      runOnThread(stack, [&] { failure = reentryNearTheLimit(engine, module); });
      INFO("thread stack " << (stack >> 10) << " KiB");
      CHECK(failure == "");
    }
    // And the main thread (8 MiB here, or whatever ulimit -s gave it).
    Module module = compileWat(engine, recursionModule());
    CHECK(reentryNearTheLimit(engine, module) == "");
  }
}

namespace {

// A fiber (ucontext) on a stack of our own, as coroutine libraries run code.
struct Fiber {
  static constexpr size_t kGuard = 64 << 10;
  ucontext_t caller = {}, fiber = {};
  void *mapping = nullptr;
  size_t size = 0;
  std::function<void()> body;

  explicit Fiber(size_t stackBytes) : size(stackBytes + kGuard) {
    mapping = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED)
      mapping = nullptr;
    else
      mprotect(mapping, kGuard, PROT_NONE); // a guard below, as a coroutine library's
  }
  ~Fiber() {
    if (mapping)
      munmap(mapping, size);
  }
  static void trampoline(unsigned high, unsigned low) {
    auto *self = reinterpret_cast<Fiber *>((uintptr_t(high) << 32) | low);
    self->body();
    swapcontext(&self->fiber, &self->caller);
  }
  bool run(std::function<void()> work) {
    if (!mapping || getcontext(&fiber) != 0)
      return false;
    body = std::move(work);
    fiber.uc_stack.ss_sp = static_cast<char *>(mapping) + kGuard;
    fiber.uc_stack.ss_size = size - kGuard;
    fiber.uc_link = nullptr;
    auto self = reinterpret_cast<uintptr_t>(this);
    makecontext(&fiber, reinterpret_cast<void (*)()>(trampoline), 2, unsigned(self >> 32),
                unsigned(self & 0xffffffffu));
    return swapcontext(&caller, &fiber) == 0;
  }
};

} // namespace

TEST_CASE("Wasm called on a fiber's own stack gets the configured wasm stack",
          "[faults][stack]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
#if defined(__SANITIZE_ADDRESS__)
  SUCCEED("skipped under AddressSanitizer: it warns of false positives with swapcontext");
  return;
#endif
  // The thread's own stack bounds say nothing about a fiber's stack: the limit is
  // the entry SP minus Config::wasmStackSize there, which the fiber's stack must
  // hold (docs/EMBEDDING.md). Before, a fiber stack below the thread's stack got a
  // limit above its SP: every call trapped at once.
  Engine engine;
  Module module = compileWat(engine, recursionModule());
  RecursionOutcome onThread, onFiber;
  REQUIRE(runOnThread(4 << 20, [&] { onThread = runawayRecursion(engine, module); }));
  Fiber fiber(2 << 20);
  REQUIRE(fiber.run([&] { onFiber = runawayRecursion(engine, module); }));
  // And re-entry near the limit on the fiber.
  std::string reentry = "not run";
  Module other = compileWat(engine, recursionModule());
  Fiber second(2 << 20);
  REQUIRE(second.run([&] { reentry = reentryNearTheLimit(engine, other); }));
  INFO("depth on a 4 MiB thread " << onThread.depth << ", on a 2 MiB fiber " << onFiber.depth);
  CHECK(onThread.failure == "");
  CHECK(onFiber.failure == "");
  CHECK(onFiber.depth > onThread.depth / 2);
  CHECK(reentry == "");
}
