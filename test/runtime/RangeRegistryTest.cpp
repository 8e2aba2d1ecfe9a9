#include "runtime/RangeRegistry.h"

#include "runtime/FakeJit.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

TEST_CASE("Range registry finds addresses in live ranges only") {
  RangeRegistry registry;
  CHECK_FALSE(registry.contains(0));
  auto a = registry.add(0x1000, 0x2000);
  auto b = registry.add(0x5000, 0x5001);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(registry.contains(0x1000));
  CHECK(registry.contains(0x1fff));
  CHECK_FALSE(registry.contains(0x2000));
  CHECK_FALSE(registry.contains(0xfff));
  CHECK(registry.contains(0x5000));
  CHECK_FALSE(registry.contains(0x5001));
  CHECK(registry.liveCount() == 2);
  registry.remove(*a);
  CHECK_FALSE(registry.contains(0x1000));
  CHECK(registry.contains(0x5000));
  // The freed slot is reused rather than growing the scanned prefix.
  auto c = registry.add(0x9000, 0xa000);
  REQUIRE(c);
  CHECK(*c == *a);
  CHECK(registry.contains(0x9abc));
  auto empty = registry.add(0x7000, 0x7000);
  REQUIRE(empty);
  CHECK_FALSE(registry.contains(0x7000));
  CHECK_FALSE(registry.add(0x3000, 0x2000));
}

TEST_CASE("Range registry spans several chunks") {
  RangeRegistry registry;
  std::vector<uint32_t> slots;
  for (uintptr_t i = 0; i < 3 * RangeRegistry::kChunkSlots; ++i) {
    auto slot = registry.add(i * 0x100, i * 0x100 + 0x10);
    REQUIRE(slot);
    slots.push_back(*slot);
  }
  CHECK(registry.contains(2 * RangeRegistry::kChunkSlots * 0x100 + 0x5));
  CHECK_FALSE(registry.contains(0x50));
  for (uint32_t slot : slots)
    registry.remove(slot);
  CHECK(registry.liveCount() == 0);
  CHECK_FALSE(registry.contains(0x5));
}

TEST_CASE("A stable range is always found while other ranges churn") {
  WASMRT_SKIP_UNDER_EMULATOR("creates threads");
  RangeRegistry registry;
  REQUIRE(registry.add(0x10000, 0x20000));
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        uintptr_t base = 0x100000 * uintptr_t(t + 2);
        auto slot = registry.add(base, base + 0x1000);
        if (slot)
          registry.remove(*slot);
      }
    });
  }
  int misses = 0;
  int falseHits = 0;
  for (int i = 0; i < 200000; ++i) {
    misses += !registry.contains(0x18000);
    falseHits += registry.contains(0x30000);
  }
  stop = true;
  for (auto &writer : writers)
    writer.join();
  CHECK(misses == 0);
  CHECK(falseHits == 0);
}
