// Soak: many threads creating stores, instantiating, calling and dropping, over
// and over, must leave resident memory and the number of mappings where they
// were (issue: conformance and robustness, "Soak"). A leak of a guarded
// reservation, a code mapping, a store or an instance per cycle shows up as
// growth of hundreds of MB of RSS or thousands of mappings.
#include "ApiTestUtil.h"
#include "ProcessStatus.h"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::test;

namespace {

// A memory (a guarded reservation each instance), a table, a global, a trap.
constexpr const char *kCycleModule = R"((module
  (memory 1 4)
  (global $count (mut i32) (i32.const 0))
  (table 2 funcref) (elem (i32.const 0) $bump $fail)
  (func $bump (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 64) (global.get $count))
    (drop (memory.grow (i32.const 1)))
    (i32.load (i32.const 64)))
  (func $fail (result i32) unreachable)
  (func (export "run") (param i32) (result i32)
    (call_indirect (result i32) (local.get 0))))
)";

size_t residentKiB() { return processStatusKiB("VmRSS"); }

size_t mappings() {
  std::ifstream maps("/proc/self/maps");
  size_t count = 0;
  for (std::string line; std::getline(maps, line);)
    ++count;
  return count;
}

} // namespace

TEST_CASE("8 threads x 10,000 store/instantiate/call/drop cycles leave memory and mappings flat",
          "[api][soak]") {
  Engine engine;
  Module module = compileWat(engine, kCycleModule);
  constexpr int kThreads = 8, kCycles = 10000;
  std::atomic<int> failures{0};
  auto cycles = [&](int count) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < count; ++i) {
          Store store(engine);
          auto instance = Instance::create(store, module);
          if (!instance) {
            ++failures;
            continue;
          }
          auto run = instance->typedFunc<int32_t(int32_t)>("run");
          if (!run) {
            ++failures;
            continue;
          }
          auto counted = (*run)(0);
          if (!counted || *counted != 1)
            ++failures;
          // Every 16th cycle traps too, so that trap unwinding is soaked.
          if ((i + t) % 16 == 0 && (*run)(1))
            ++failures;
        }
      });
    }
    for (std::thread &thread : threads)
      thread.join();
  };
  // Warm up: first-use allocations (thread stacks, alternate signal stacks,
  // allocator arenas, lazily compiled bodies) are not leaks.
  cycles(200);
  size_t rssBefore = residentKiB(), mapsBefore = mappings();
  cycles(kCycles);
  size_t rssAfter = residentKiB(), mapsAfter = mappings();
  INFO("RSS " << rssBefore << " -> " << rssAfter << " KiB, mappings " << mapsBefore << " -> "
              << mapsAfter);
  CHECK(failures == 0);
  // Generous bounds: 80,000 leaked instances would be far beyond them (each
  // holds at least a 64 KiB memory page touched and several mappings).
#if defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed memory in its quarantine (256 MiB by default) before
  // reusing it, so resident memory grows by design (measured: +250 MiB);
  // LeakSanitizer checks for leaks at exit instead.
  (void)rssBefore;
  (void)rssAfter;
#else
  CHECK(rssAfter < rssBefore + 32 * 1024);
#endif
#if defined(__SANITIZE_THREAD__)
  // TSan's runtime maps its own memory (shadow and metadata for the heap
  // ranges and threads it sees) as the run goes on: +91 mappings measured,
  // against +9 without sanitizers and +29 under ASan, where the bound holds.
  // Under TSan this test is about the races of 8 threads, not the mappings.
  (void)mapsBefore;
  (void)mapsAfter;
#else
  CHECK(mapsAfter < mapsBefore + 64);
#endif
}
