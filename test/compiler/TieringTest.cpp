// Tiered compilation (CompileOptions::tiering, EmitTiering.cpp): baseline code
// counts hotness, hot functions are replaced by optimized bodies, and running
// loops move to optimized code through OSR entries. Every case compiles with
// the IR verifier on, so a malformed OSR entry fails here rather than
// miscompiling.
#include "CompilerTestUtil.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

CompileOptions tieredOptions(CompileOptions::Tiering tiering, uint32_t threshold = 1,
                             uint32_t interval = 1) {
  CompileOptions options = testOptions(2);
  options.lazy = true;
  options.tiering = tiering;
  options.tierUpThreshold = threshold;
  options.osrCheckInterval = interval;
  options.verifyIR = true;
  return options;
}

std::unique_ptr<TestInstance> make(std::string_view wat, CompileOptions options,
                                   std::vector<std::pair<std::string, HostFunction>> host = {}) {
  std::string error;
  auto instance = TestInstance::create(wat, std::move(options), std::move(host), &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
}

// Loops of every shape the OSR entry must get right: values below a loop,
// nested loops, loop parameters, loops inside if/else and blocks left by
// br_table, sequential loops, v128 and reference values on the stack.
constexpr const char *kLoops = R"((module
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (i32.const 7)
    (loop $outer (result i32)
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 100))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))
      (local.get $acc))
    (i32.add))
  (func (export "params") (param $n i32) (result i32)
    (i32.const 3)
    (i32.const 40) (i64.const 1)
    (loop $l (param i32 i64) (result i32 i64)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (i64.add (i64.extend_i32_u (local.get $n)))
      (br_if $l (local.get $n)))
    (i32.wrap_i64) (i32.add) (i32.add))
  (func (export "branchy") (param $n i32) (param $sel i32) (result i32)
    (local $i i32) (local $acc i32)
    (i32.const 1000)
    (if (param i32) (result i32) (local.get $sel)
      (then
        (i32.const 5)
        (block $exit (param i32) (result i32)
          (loop $l (param i32) (result i32)
            (local.set $acc (i32.add (local.get $acc) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_table $l $exit (i32.ge_u (local.get $i) (local.get $n)))))
        (i32.add))
      (else (i32.const 2) (i32.mul)))
    (local.get $acc) (i32.add)
    (local.set $i (i32.const 0))
    (loop $again
      (local.set $acc (i32.xor (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc) (i32.add))
  (func (export "vector") (param $n i32) (result i32)
    (local $v v128) (local $i i32)
    (v128.const i32x4 1 2 3 4)
    (loop $l (param v128) (result v128)
      (i32x4.add (v128.const i32x4 1 1 1 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $v)
    (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))
)";

struct Expected {
  int64_t sum;
  int32_t nested, params0, branchy1, branchy0, vector;
};

Expected run(TestInstance &m, int32_t n) {
  return {m.call("sum", {i32(n)}).i64(),        m.call("nested", {i32(n)}).i32(),
          m.call("params", {i32(n)}).i32(),      m.call("branchy", {i32(n), i32(1)}).i32(),
          m.call("branchy", {i32(n), i32(0)}).i32(), m.call("vector", {i32(n)}).i32()};
}

bool operator==(const Expected &a, const Expected &b) {
  return a.sum == b.sum && a.nested == b.nested && a.params0 == b.params0 &&
         a.branchy1 == b.branchy1 && a.branchy0 == b.branchy0 && a.vector == b.vector;
}

} // namespace

TEST_CASE("tiered code computes what optimized and baseline code compute", "[compiler][tiering]") {
  auto optimized = make(kLoops, tieredOptions(CompileOptions::Tiering::Optimized));
  auto baseline = make(kLoops, tieredOptions(CompileOptions::Tiering::Baseline));
  auto tiered = make(kLoops, tieredOptions(CompileOptions::Tiering::Tiered));
  for (int32_t n : {1, 2, 3, 50, 20000, 200000, 3, 200000}) {
    INFO("n = " << n);
    Expected expected = run(*optimized, n);
    CHECK(run(*baseline, n) == expected);
    CHECK(run(*tiered, n) == expected);
  }
  CHECK(optimized->compiled().tierStats().osrTransfers == 0);
  CHECK(baseline->compiled().tierStats().osrTransfers == 0);
}

TEST_CASE("a running loop is replaced by optimized code through its OSR entry",
          "[compiler][tiering]") {
  // The loop calls the host every iteration; the host keeps it running until
  // the OSR entry is compiled, then for 1000 more iterations. Baseline code
  // with osrCheckInterval 1 asks at every iteration, so each iteration still
  // in baseline code after the entry is ready would be one more transfer:
  // exactly one transfer means the loop went on in the OSR entry.
  constexpr const char *kProbe = R"((module
    (import "host" "probe" (func $probe (param i32) (result i32)))
    (func (export "main") (result i32)
      (local $i i32) (local $acc i32)
      (block $done
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $done (call $probe (local.get $i)))
          (br $l)))
      (local.get $acc)))
  )";
  std::atomic<const CompiledModule *> compiled{nullptr};
  uint32_t iterations = 0, afterTransfer = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  HostFunction probe = [&](wasmrt::abi::ValueSlot *values) -> uint32_t {
    iterations = *reinterpret_cast<uint32_t *>(values[0].bytes);
    CompiledModule::TierStats stats = compiled.load()->tierStats();
    uint32_t stop = 0;
    if (stats.osrTransfers > 0)
      stop = ++afterTransfer >= 1000;
    else if (stats.osrEntries == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(200)); // let it compile
    if (std::chrono::steady_clock::now() > deadline)
      stop = 1;
    std::memcpy(values[0].bytes, &stop, sizeof stop);
    return 0;
  };
  auto m = make(kProbe, tieredOptions(CompileOptions::Tiering::Tiered, 10, 1),
                {{"probe", probe}});
  compiled = &m->compiled();
  Outcome result = m->call("main");
  REQUIRE(result.ok());
  CompiledModule::TierStats stats = m->compiled().tierStats();
  CHECK(stats.osrEntries == 1);
  CHECK(stats.osrTransfers == 1);
  CHECK(afterTransfer == 1000);
  uint64_t n = iterations;
  CHECK(result.u32() == uint32_t(n * (n - 1) / 2));
}

TEST_CASE("a hot function's stub moves to its optimized body, which is reported for FuncRefs",
          "[compiler][tiering]") {
  constexpr const char *kCalls = R"((module
    (type $t (func (param i32) (result i32)))
    (table 1 funcref)
    (elem (i32.const 0) $callee)
    (func $callee (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
    (func (export "direct") (param $n i32) (result i32) (local $acc i32)
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (call $callee (local.get $n))))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $acc))
    (func (export "indirect") (param i32) (result i32)
      (call_indirect (type $t) (local.get 0) (i32.const 0))))
  )";
  struct Ready {
    std::mutex mutex;
    std::vector<void *> bodies; // of $callee, in order
  } ready;
  CompileOptions options = tieredOptions(CompileOptions::Tiering::Tiered, 100, 1);
  options.onBodyReady = [&ready](uint32_t funcIndex, void *body) {
    std::lock_guard lock(ready.mutex);
    if (funcIndex == 0)
      ready.bodies.push_back(body);
  };
  auto m = make(kCalls, options);
  int64_t calls = 0;
  for (int round = 0; round < 2000 && m->compiled().tierStats().optimizedBodies == 0; ++round) {
    REQUIRE(m->call("direct", {i32(1000)}).i32() == 3 * 500500);
    calls += 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Baseline body first, then the optimized one, which the code map knows
  // as $callee (backtraces) and which the table's entry now reaches.
  auto reported = [&ready] {
    std::lock_guard lock(ready.mutex);
    return ready.bodies.size();
  };
  for (int i = 0; i < 2000 && reported() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::lock_guard lock(ready.mutex);
  REQUIRE(ready.bodies.size() == 2);
  CHECK(ready.bodies[0] != ready.bodies[1]);
  CHECK(m->compiled().functionAt(reinterpret_cast<uintptr_t>(ready.bodies[1])) == 0u);
  CHECK(m->call("indirect", {i32(14)}).i32() == 42);
  CHECK(m->call("direct", {i32(10)}).i32() == 165);
  CHECK(calls > 0);
}
