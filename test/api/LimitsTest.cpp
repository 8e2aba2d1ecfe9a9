// Store limits, epoch interruption and fuel.
#include "ApiTestUtil.h"
#include "wasmrt/wasmrt.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <thread>

using namespace wasmrt;

namespace {

using test::compileWat;

const char *kGrow = R"((module
  (memory (export "memory") 1)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "growTable") (param i32) (result i32)
    ref.null func local.get 0 table.grow 0))
)";

} // namespace

TEST_CASE("memory.grow returns -1 past the store's memory limit", "[api][limits]") {
  Engine engine;
  Module module = compileWat(engine, kGrow);
  Store store(engine);
  store.setLimits({.maxMemoryBytes = 4 * 65536});
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto grow = instance->typedFunc<int32_t(int32_t)>("grow");
  REQUIRE(grow);
  CHECK(*(*grow)(2) == 1);
  CHECK(*(*grow)(2) == -1); // 5 pages > 4
  CHECK(*(*grow)(1) == 3);
  CHECK(*(*grow)(1) == -1);
  auto memory = instance->getMemory("memory");
  CHECK(memory->pages() == 4);
  CHECK_FALSE(memory->grow(1));
  // The failed grows left the memory usable.
  REQUIRE(memory->store<int32_t>(4 * 65536 - 4, 5));

  Store small(engine);
  small.setLimits({.maxMemoryBytes = 1000});
  auto refused = Instance::create(small, module);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::Unlinkable);
}

TEST_CASE("table.grow returns -1 past the store's table limit", "[api][limits]") {
  Engine engine;
  Module module = compileWat(engine, kGrow);
  Store store(engine);
  store.setLimits({.maxTableElements = 10});
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto grow = instance->typedFunc<int32_t(int32_t)>("growTable");
  CHECK(*(*grow)(5) == 1);
  CHECK(*(*grow)(5) == -1);
  CHECK(*(*grow)(4) == 6);
  CHECK(*(*grow)(1) == -1);
}

TEST_CASE("epoch interruption stops an infinite loop soon after its deadline",
          "[api][epoch]") {
  Config config;
  config.epochInterruption = true;
  Engine engine(config);
  Module module = compileWat(engine, R"((module
    (func (export "spin") (loop br 0))
    (func (export "quick") (result i32) i32.const 1)))");
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  // Without a deadline nothing is interrupted.
  CHECK(*(*instance->typedFunc<int32_t()>("quick"))() == 1);

  store.setEpochDeadline(1);
  using Clock = std::chrono::steady_clock;
  Clock::time_point ticked;
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ticked = Clock::now();
    engine.incrementEpoch();
  });
  auto spin = instance->typedFunc<void()>("spin");
  auto result = (*spin)();
  Clock::time_point stopped = Clock::now();
  timer.join();
  REQUIRE_FALSE(result);
  REQUIRE(store.lastTrap());
  CHECK(store.lastTrap()->kind == TrapKind::Interrupted);
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(stopped - ticked);
  INFO("stopped " << latency.count() << " us after the deadline");
  // The check runs every loop iteration: microseconds in practice; the bound is
  // generous for loaded CI machines.
  CHECK(latency.count() < 10'000 * 20);
  // A deadline already in the past interrupts at the next function entry.
  auto quick = (*instance->typedFunc<int32_t()>("quick"))();
  REQUIRE_FALSE(quick);
  store.setEpochDeadline(1);
  CHECK(*(*instance->typedFunc<int32_t()>("quick"))() == 1);
}

TEST_CASE("fuel exhaustion traps deterministically", "[api][fuel]") {
  Config config;
  config.consumeFuel = true;
  Engine engine(config);
  Module module = compileWat(engine, R"((module
    (global $n (export "n") (mut i32) (i32.const 0))
    (func (export "count")
      (loop global.get $n i32.const 1 i32.add global.set $n br 0))
    (func (export "small") (result i32) i32.const 2 i32.const 3 i32.add)))");
  auto runWith = [&](uint64_t fuel) {
    Store store(engine);
    REQUIRE(store.setFuel(fuel));
    auto instance = Instance::create(store, module);
    REQUIRE(instance);
    auto result = (*instance->typedFunc<void()>("count"))();
    REQUIRE_FALSE(result);
    REQUIRE(store.lastTrap());
    CHECK(store.lastTrap()->kind == TrapKind::OutOfFuel);
    CHECK(*store.fuelRemaining() == 0);
    return instance->getGlobal("n")->get().i32();
  };
  int32_t first = runWith(10'000);
  CHECK(first > 0);
  CHECK(runWith(10'000) == first);
  CHECK(runWith(20'000) > first);

  Store store(engine);
  REQUIRE(store.setFuel(100));
  auto instance = Instance::create(store, module);
  CHECK(*(*instance->typedFunc<int32_t()>("small"))() == 5);
  uint64_t left = *store.fuelRemaining();
  CHECK(left < 100);
  CHECK(left > 90);

  Engine plain;
  Store unmetered(plain);
  CHECK_FALSE(unmetered.setFuel(5));
}

TEST_CASE("metered and interruptible code computes the same results", "[api][fuel][epoch]") {
  const char *text = R"((module
    (func $fib (export "fib") (param i32) (result i64)
      local.get 0 i32.const 2 i32.lt_u
      if (result i64) local.get 0 i64.extend_i32_u
      else local.get 0 i32.const 1 i32.sub call $fib
           local.get 0 i32.const 2 i32.sub call $fib i64.add end)
    (func (export "pick") (param i32) (result i32)
      (block (result i32)
        (block (result i32)
          (block (result i32)
            i32.const 10 local.get 0 br_table 0 1 2)
          i32.const 1 i32.add)
        i32.const 2 i32.add))
    (func (export "sum") (param i32) (result i32) (local i32)
      (block (loop
        local.get 0 i32.eqz br_if 1
        local.get 1 local.get 0 i32.add local.set 1
        local.get 0 i32.const 1 i32.sub local.set 0
        br 0))
      local.get 1))
  )";
  for (int mode = 0; mode < 3; ++mode) {
    Config config;
    config.consumeFuel = mode != 1;
    config.epochInterruption = mode != 0;
    Engine engine(config);
    Module module = compileWat(engine, text);
    Store store(engine);
    if (config.consumeFuel)
      REQUIRE(store.setFuel(1'000'000'000));
    if (config.epochInterruption)
      store.setEpochDeadline(1000);
    auto instance = Instance::create(store, module);
    REQUIRE(instance);
    CHECK(*(*instance->typedFunc<int64_t(int32_t)>("fib"))(20) == 6765);
    auto pick = instance->typedFunc<int32_t(int32_t)>("pick");
    CHECK(*(*pick)(0) == 13);
    CHECK(*(*pick)(1) == 12);
    CHECK(*(*pick)(2) == 10);
    CHECK(*(*pick)(7) == 10);
    CHECK(*(*instance->typedFunc<int32_t(int32_t)>("sum"))(100) == 5050);
    if (config.consumeFuel) {
      uint64_t left = *store.fuelRemaining();
      CHECK(left < 1'000'000'000);
    }
  }
}

namespace {
// The error of instantiating `module` in a fresh store with `limits`.
Error refusedWith(const Engine &engine, const Module &module, const StoreLimits &limits) {
  Store store(engine);
  store.setLimits(limits);
  auto instance = Instance::create(store, module);
  REQUIRE_FALSE(instance);
  return instance.error();
}
} // namespace

TEST_CASE("instantiation fails when initial sizes exceed the store's limits", "[api][limits]") {
  Engine engine;
  Module tables = compileWat(engine, R"((module (table 4 funcref) (table 20 funcref)))");
  Error table = refusedWith(engine, tables, {.maxTableElements = 10});
  CHECK(table.kind() == ErrorKind::Unlinkable);
  CHECK_THAT(table.message(), Catch::Contains("table 1"));
  CHECK_THAT(table.message(), Catch::Contains("table limit of 10 elements"));

  Module memory = compileWat(engine, R"((module (memory 3)))");
  Error mem = refusedWith(engine, memory, {.maxMemoryBytes = 2 * 65536});
  CHECK(mem.kind() == ErrorKind::Unlinkable);
  CHECK_THAT(mem.message(), Catch::Contains("memory 0"));
  CHECK_THAT(mem.message(), Catch::Contains("memory limit of 131072 bytes"));

  // The limit covers all memories of the store: a second instance does not fit.
  Module onePage = compileWat(engine, R"((module (memory 1)))");
  Store shared(engine);
  shared.setLimits({.maxMemoryBytes = 65536});
  REQUIRE(Instance::create(shared, onePage));
  auto second = Instance::create(shared, onePage);
  REQUIRE_FALSE(second);
  CHECK_THAT(second.error().message(), Catch::Contains("65536 bytes in use"));
  // Within the limits, the same modules instantiate.
  Store roomy(engine);
  roomy.setLimits({.maxMemoryBytes = 3 * 65536, .maxTableElements = 24});
  CHECK(Instance::create(roomy, memory));
  CHECK(Instance::create(roomy, tables));
}

namespace {

// "work" and "own" each spin `n` times; "both" runs its own loop, then A's.
const char *kFuelA = R"((module
  (func (export "work") (param i32)
    (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))))";
const char *kFuelB = R"((module
  (import "a" "work" (func $work (param i32)))
  (func $own (export "own") (param i32)
    (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))
  (func (export "both") (param i32)
    local.get 0 call $own
    local.get 0 call $work)))";

struct FuelPair {
  Store store;
  std::optional<Instance> a, b;
  FuelPair(const Engine &engine, const Module &ma, const Module &mb, uint64_t fuel)
      : store(engine) {
    REQUIRE(store.setFuel(fuel));
    a = *Instance::create(store, ma);
    Linker linker;
    linker.defineInstance("a", *a);
    auto made = linker.instantiate(store, mb);
    REQUIRE(made);
    b = *made;
  }
  // Fuel used by one call, or nullopt if it trapped.
  std::optional<uint64_t> used(const Instance &instance, const char *name, int32_t n) {
    uint64_t before = *store.fuelRemaining();
    if (!(*instance.typedFunc<void(int32_t)>(name))(n))
      return std::nullopt;
    return before - *store.fuelRemaining();
  }
};

} // namespace

TEST_CASE("fuel is one budget for all instances of a store", "[api][fuel]") {
  Config config;
  config.consumeFuel = true;
  Engine engine(config);
  Module ma = compileWat(engine, kFuelA), mb = compileWat(engine, kFuelB);
  FuelPair measure(engine, ma, mb, 1'000'000);
  uint64_t work = *measure.used(*measure.a, "work", 1000);
  uint64_t own = *measure.used(*measure.b, "own", 1000);
  uint64_t both = *measure.used(*measure.b, "both", 1000);
  CHECK(work == own); // the same code in either instance
  CHECK(work > 1000);
  // A cross-instance call is charged to the same budget, deterministically.
  CHECK(both > work + own);
  uint64_t overhead = both - work - own;
  CHECK(overhead < 16);
  CHECK(*measure.used(*measure.b, "both", 1000) == both);
  uint64_t work10 = *measure.used(*measure.a, "work", 10);
  CHECK(*measure.used(*measure.b, "both", 10) == 2 * work10 + overhead);
  CHECK(*measure.store.fuelRemaining() ==
        1'000'000 - work - own - 2 * both - 3 * work10 - overhead);

  // Enough for either instance's loop alone, not for both: per-instance
  // budgets would let "both" finish.
  FuelPair tight(engine, ma, mb, work + work / 2);
  CHECK_FALSE(tight.used(*tight.b, "both", 1000));
  REQUIRE(tight.store.lastTrap());
  CHECK(tight.store.lastTrap()->kind == TrapKind::OutOfFuel);
  CHECK(*tight.store.fuelRemaining() == 0);
  // The exhausted budget stops the other instance too, at its first charge.
  CHECK_FALSE(tight.used(*tight.a, "work", 1));
  REQUIRE(tight.store.setFuel(work));
  CHECK(tight.used(*tight.a, "work", 1000) == work);
  CHECK(*tight.store.fuelRemaining() == 0);
}
