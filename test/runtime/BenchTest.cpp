// Timings quoted in docs/RUNTIME.md. Hidden: run with `test_runtime "[bench]"`.
#include "runtime/FakeJit.h"
#include "runtime/LinearMemory.h"
#include "runtime/TrapHandler.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

template <typename Fn> double microsecondsPerCall(int count, Fn &&fn) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i)
    fn();
  std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / count;
}

void noop(void *) {}

} // namespace

TEST_CASE("Runtime timings", "[.][bench]") {
  MemoryConfig guarded;
  guarded.initialPages = 1;
  MemoryConfig checked = guarded;
  checked.mode = MemoryMode::BoundsChecked;
  bool ok = true;
  auto createDestroy = [&](const MemoryConfig &config) {
    auto memory = LinearMemory::create(config);
    ok = ok && memory;
  };
  std::printf("guarded memory create+destroy:        %8.2f us\n",
              microsecondsPerCall(2000, [&] { createDestroy(guarded); }));
  std::printf("bounds-checked memory create+destroy: %8.2f us\n",
              microsecondsPerCall(2000, [&] { createDestroy(checked); }));
  auto memory = LinearMemory::create(guarded);
  REQUIRE(memory);
  std::printf("guarded grow by 1 page:               %8.2f us\n",
              microsecondsPerCall(1000, [&] { ok = ok && memory->grow(1) >= 0; }));

  test::FakeJit jit;
  std::printf("callWithTrapHandling, no trap:        %8.3f us\n",
              microsecondsPerCall(1000000, [&] { ok = ok && callWithTrapHandling(noop, nullptr); }));
  const uint8_t *past = memory->base() + memory->byteSize();
  std::printf("signal trap round trip (OOB load):    %8.2f us\n",
              microsecondsPerCall(100000, [&] {
                ok = ok && !callWithTrapHandling([&] { jit.load(past); });
              }));
  std::printf("raiseTrap round trip:                 %8.3f us\n",
              microsecondsPerCall(1000000, [&] {
                ok = ok && !callWithTrapHandling([] { raiseTrap(TrapKind::Unreachable); });
              }));
  CHECK(ok);
}
