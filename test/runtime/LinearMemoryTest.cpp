#include "runtime/LinearMemory.h"

#include "runtime/FakeJit.h"
#include "MappingFiller.h"
#include "ProcessStatus.h"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

constexpr uint64_t kPage = LinearMemory::kPageSize;

LinearMemory makeMemory(uint32_t initial, std::optional<uint32_t> max, MemoryMode mode,
                        uint32_t embedderMax = LinearMemory::kMaxPages) {
  MemoryConfig config;
  config.initialPages = initial;
  config.maxPages = max;
  config.mode = mode;
  config.embedderMaxPages = embedderMax;
  auto memory = LinearMemory::create(config);
  REQUIRE(memory);
  return std::move(*memory);
}

bool allZero(const uint8_t *begin, uint64_t size) {
  return std::all_of(begin, begin + size, [](uint8_t b) { return b == 0; });
}

// Virtual size of this process in KiB.
uint64_t virtualSizeKiB() { return processStatusKiB("VmSize"); }

} // namespace

TEST_CASE("Guarded memory reserves 8 GiB and exposes the initial pages zeroed") {
  LinearMemory memory = makeMemory(2, std::nullopt, MemoryMode::Guarded);
  REQUIRE(memory.base() != nullptr);
  CHECK(memory.mode() == MemoryMode::Guarded);
  CHECK(memory.pages() == 2);
  CHECK(memory.byteSize() == 2 * kPage);
  CHECK(memory.maxPages() == 65536);
  CHECK(memory.reservedBytes() == LinearMemory::kGuardedReservation);
  CHECK(allZero(memory.base(), memory.byteSize()));
  memory.base()[0] = 1;
  memory.base()[2 * kPage - 1] = 2;
  CHECK(memory.base()[2 * kPage - 1] == 2);
  // Every u32 index + u32 offset + 16-byte access lies inside the reservation.
  CHECK(memory.reservationContains(memory.base()));
  CHECK(memory.reservationContains(memory.base() + 0xffffffffull + 0xffffffffull + 15));
  CHECK_FALSE(memory.reservationContains(memory.base() - 1));
  CHECK_FALSE(memory.reservationContains(memory.base() + LinearMemory::kGuardedReservation));
}

TEST_CASE("Guarded memory grows in place up to its maximum") {
  LinearMemory memory = makeMemory(1, 4, MemoryMode::Guarded);
  uint8_t *base = memory.base();
  memory.base()[100] = 42;
  CHECK(memory.grow(0) == 1);
  CHECK(memory.grow(2) == 1);
  CHECK(memory.base() == base);
  CHECK(memory.pages() == 3);
  CHECK(memory.base()[100] == 42);
  CHECK(allZero(memory.base() + kPage, 2 * kPage));
  memory.base()[3 * kPage - 1] = 7;
  CHECK(memory.grow(2) == LinearMemory::kGrowFailed); // 5 > max 4
  CHECK(memory.pages() == 3);
  CHECK(memory.grow(1) == 3);
  CHECK(memory.grow(1) == LinearMemory::kGrowFailed);
  CHECK(memory.grow(0) == 4);
  CHECK(memory.grow(UINT32_MAX) == LinearMemory::kGrowFailed);
}

TEST_CASE("Guarded memory can grow to the full 4 GiB and no further") {
  LinearMemory memory = makeMemory(0, std::nullopt, MemoryMode::Guarded);
  CHECK(memory.byteSize() == 0);
  CHECK(memory.grow(65536) == 0);
  CHECK(memory.byteSize() == (4ull << 30));
  memory.base()[(4ull << 30) - 1] = 1; // touches one page only
  CHECK(memory.grow(1) == LinearMemory::kGrowFailed);
}

TEST_CASE("The embedder limit caps growth below the declared maximum") {
  LinearMemory memory = makeMemory(1, 100, MemoryMode::Guarded, 3);
  CHECK(memory.maxPages() == 3);
  CHECK(memory.grow(2) == 1);
  CHECK(memory.grow(1) == LinearMemory::kGrowFailed);
  LinearMemory checked = makeMemory(1, std::nullopt, MemoryMode::BoundsChecked, 2);
  CHECK(checked.maxPages() == 2);
  CHECK(checked.grow(2) == LinearMemory::kGrowFailed);
  CHECK(checked.grow(1) == 1);
}

TEST_CASE("Invalid memory configurations are errors, not crashes") {
  MemoryConfig config;
  config.initialPages = 3;
  config.maxPages = 2;
  auto inverted = LinearMemory::create(config);
  REQUIRE_FALSE(inverted);
  CHECK(inverted.error().kind() == ErrorKind::Invalid);
  CHECK(inverted.error().message() == "size minimum must not be greater than maximum");

  config = {};
  config.initialPages = 65537;
  auto tooBig = LinearMemory::create(config);
  REQUIRE_FALSE(tooBig);
  CHECK(tooBig.error().message() == "memory size must be at most 65536 pages (4GiB)");

  config = {};
  config.maxPages = 70000;
  CHECK_FALSE(LinearMemory::create(config));

  config = {};
  config.initialPages = 10;
  config.embedderMaxPages = 5;
  auto overBudget = LinearMemory::create(config);
  REQUIRE_FALSE(overBudget);
  CHECK(overBudget.error().kind() == ErrorKind::Unlinkable);
}

TEST_CASE("Bounds-checked memory with a small maximum reserves it all and never moves") {
  LinearMemory memory = makeMemory(1, 16, MemoryMode::BoundsChecked);
  CHECK(memory.mode() == MemoryMode::BoundsChecked);
  CHECK(memory.reservedBytes() == 16 * kPage);
  CHECK(allZero(memory.base(), kPage));
  uint8_t *base = memory.base();
  for (uint32_t i = 1; i < 16; ++i) {
    CHECK(memory.grow(1) == int32_t(i));
    memory.base()[i * kPage] = uint8_t(i);
  }
  CHECK(memory.base() == base);
  CHECK(memory.grow(1) == LinearMemory::kGrowFailed);
  CHECK(memory.base()[15 * kPage] == 15);
}

TEST_CASE("Bounds-checked memory with a zero maximum still has a unique base") {
  LinearMemory memory = makeMemory(0, 0, MemoryMode::BoundsChecked);
  CHECK(memory.base() != nullptr);
  CHECK(memory.byteSize() == 0);
  CHECK(memory.grow(1) == LinearMemory::kGrowFailed);
}

TEST_CASE("Bounds-checked memory without a small maximum moves when it outgrows its "
          "reservation, keeping its contents") {
  LinearMemory memory = makeMemory(1, std::nullopt, MemoryMode::BoundsChecked);
  uint64_t initialReservation = memory.reservedBytes();
  CHECK(initialReservation < (64ull << 20));
  for (uint64_t i = 0; i < kPage; ++i)
    memory.base()[i] = uint8_t(i * 7);
  uint32_t pagesToOutgrow = uint32_t(initialReservation / kPage); // one past the end
  CHECK(memory.grow(pagesToOutgrow) == 1);
  CHECK(memory.reservedBytes() > initialReservation);
  CHECK(memory.byteSize() == (1 + uint64_t(pagesToOutgrow)) * kPage);
  bool kept = true;
  for (uint64_t i = 0; i < kPage; ++i)
    kept = kept && memory.base()[i] == uint8_t(i * 7);
  CHECK(kept);
  CHECK(allZero(memory.base() + kPage, memory.byteSize() - kPage));
  memory.base()[memory.byteSize() - 1] = 1;
  // Growing from zero bytes (nothing to move) works too.
  LinearMemory empty = makeMemory(0, std::nullopt, MemoryMode::BoundsChecked);
  CHECK(empty.grow(uint32_t(empty.reservedBytes() / kPage) + 1) == 0);
  CHECK(allZero(empty.base(), empty.byteSize()));
}

TEST_CASE("Linear memories are move-only and release their reservation once") {
  LinearMemory a = makeMemory(1, std::nullopt, MemoryMode::Guarded);
  uint8_t *base = a.base();
  LinearMemory b = std::move(a);
  CHECK(a.base() == nullptr);
  CHECK(a.byteSize() == 0);
  CHECK(a.grow(1) == LinearMemory::kGrowFailed);
  CHECK(b.base() == base);
  LinearMemory c = makeMemory(1, 1, MemoryMode::BoundsChecked);
  c = std::move(b);
  CHECK(c.base() == base);
  CHECK(c.reservedBytes() == LinearMemory::kGuardedReservation);
}

TEST_CASE("Creating and destroying many guarded memories returns the address space") {
  WASMRT_SKIP_UNDER_EMULATOR("reservations are expensive under qemu");
  uint64_t before = virtualSizeKiB();
  for (int i = 0; i < 1000; ++i) {
    LinearMemory memory = makeMemory(1, std::nullopt, MemoryMode::Guarded);
    memory.base()[0] = 1;
  }
  std::vector<LinearMemory> alive;
  for (int i = 0; i < 200; ++i)
    alive.push_back(makeMemory(1, std::nullopt, MemoryMode::Guarded));
  uint64_t during = virtualSizeKiB();
  CHECK(during - before >= 200 * (LinearMemory::kGuardedReservation >> 10));
  alive.clear();
  // Allow for allocator growth, but not for a single leaked 8 GiB reservation.
  CHECK(virtualSizeKiB() < before + (LinearMemory::kGuardedReservation >> 10));
}

TEST_CASE("Failing to reserve address space is an error, and a failed grow changes "
          "nothing") {
  WASMRT_SKIP_UNDER_EMULATOR("uses fork");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  SUCCEED("skipped under ASan and TSan: their shadow memory already exceeds RLIMIT_AS");
#else
  int status = test::runInChild([] {
    struct rlimit limit = {1ull << 30, 1ull << 30};
    if (setrlimit(RLIMIT_AS, &limit) != 0)
      _exit(10);
    MemoryConfig config;
    config.initialPages = 1;
    auto guarded = LinearMemory::create(config);
    if (guarded || guarded.error().kind() != ErrorKind::Unlinkable ||
        guarded.error().message().find("address-space limit (ulimit -v)") == std::string::npos)
      _exit(11);
    config.mode = MemoryMode::BoundsChecked;
    auto checked = LinearMemory::create(config);
    if (!checked)
      _exit(12);
    checked->base()[0] = 5;
    if (checked->grow(32768) != LinearMemory::kGrowFailed) // 2 GiB > RLIMIT_AS
      _exit(13);
    if (checked->pages() != 1 || checked->base()[0] != 5 || checked->grow(1) != 1)
      _exit(14);
    _exit(0);
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
#endif
}

// The process at vm.max_map_count (reached by splitting a region of its own, not by
// changing the machine-wide sysctl): no new reservation, no growth that needs a new
// mapping, each a clear error or memory.grow's -1; all of it works again once
// mappings are freed. In a child: at the limit nothing else may need a mapping.
TEST_CASE("At vm.max_map_count, creating a memory is a clear error and growing one fails "
          "cleanly, until mappings are freed") {
  WASMRT_SKIP_UNDER_EMULATOR("uses fork");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // ThreadSanitizer too: its runtime maps shadow and metadata as the child runs
  // and aborts (exit 66) when it cannot.
  SUCCEED("skipped under Address/ThreadSanitizer: their runtimes need new mappings at any "
          "time");
#else
  uint64_t limit = faults::maxMapCount();
  if (limit == 0 || limit > (1u << 20)) {
    WARN("skipped: vm.max_map_count is " << limit << ", too large to fill quickly");
    return;
  }
  static uint64_t sLimit;
  sLimit = limit;
  int status = test::runInChild([] {
    MemoryConfig config;
    config.initialPages = 0;
    auto empty = LinearMemory::create(config); // one mapping: growing it splits it
    config.initialPages = 1;
    config.mode = MemoryMode::BoundsChecked;
    auto moving = LinearMemory::create(config); // grows past 16 MiB by moving
    if (!empty || !moving)
      _exit(10);
    moving->base()[0] = 7;
    faults::MappingFiller filler(sLimit + 16);
    if (!filler.ok() || !filler.fill())
      _exit(11);
    config.mode = MemoryMode::Guarded;
    auto refused = LinearMemory::create(config);
    // Linux lets mmap make one mapping more than a split may: the reservation is
    // then made and committing its first page is what fails.
    if (refused || refused.error().kind() != ErrorKind::Unlinkable ||
        refused.error().message().find("for a linear memory: Cannot allocate memory (the "
                                       "process has") == std::string::npos ||
        refused.error().message().find("vm.max_map_count allows") == std::string::npos)
      _exit(12);
    if (empty->grow(1) != LinearMemory::kGrowFailed || empty->pages() != 0)
      _exit(13);
    if (moving->grow(512) != LinearMemory::kGrowFailed || moving->pages() != 1 ||
        moving->base()[0] != 7)
      _exit(14);
    filler.release(16);
    auto accepted = LinearMemory::create(config);
    if (!accepted || accepted->pages() != 1)
      _exit(15);
    accepted->base()[0] = 1;
    if (empty->grow(1) != 0 || moving->grow(512) != 1 || moving->base()[0] != 7)
      _exit(16);
    empty->base()[kPage - 1] = 1;
    _exit(0);
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
#endif
}
