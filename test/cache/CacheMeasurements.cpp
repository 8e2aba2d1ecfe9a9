// Timings behind the design choices in docs/CACHE.md. Hidden ([.]) so CTest does not
// run them; run by hand:  build/test/cache/test_cache "[measure]"
#include "CacheTestUtil.h"
#include "cache/CacheUsage.h"
#include "cache/CodeCache.h"
#include "cache/Sha256.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>

using namespace wasmrt::internal::cache;
using namespace wasmrt::internal::cache::test;

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// User plus system CPU time of this process: unlike wall time, barely affected by other
// processes competing for the cores.
double cpuMilliseconds() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const struct timeval &t) {
    return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// Median milliseconds per store of `size`-byte entries, each under a new key.
double storeMilliseconds(const std::string &directory, size_t size, int count, bool sync) {
  auto cache = CodeCache::open(directory, CacheOptions{.maxSizeBytes = uint64_t(1) << 40,
                                                       .syncWrites = sync});
  REQUIRE(cache);
  std::vector<uint8_t> contents = testContents(1, size);
  std::vector<double> samples;
  static int nextKey = 1'000'000;
  for (int i = 0; i < count; ++i) {
    auto start = Clock::now();
    REQUIRE(cache->store(testKey(nextKey++), contents));
    samples.push_back(millisecondsSince(start));
  }
  return median(samples);
}

} // namespace

TEST_CASE("Measure: store with and without fsync", "[.][measure]") {
  ScratchDirectory scratch;
  struct Case { size_t size; int count; };
  for (Case c : {Case{64 << 10, 40}, Case{1 << 20, 30}, Case{8 << 20, 10}}) {
    double synced = storeMilliseconds(scratch.sub("synced"), c.size, c.count, true);
    double unsynced = storeMilliseconds(scratch.sub("unsynced"), c.size, c.count, false);
    std::printf("store %5zu KiB: %7.3f ms with fsync, %7.3f ms without (median of %d)\n",
                c.size >> 10, synced, unsynced, c.count);
  }
}

TEST_CASE("Measure: lookup hit and usage accounting", "[.][measure]") {
  ScratchDirectory scratch;
  auto cache = CodeCache::open(scratch.sub("cache"));
  REQUIRE(cache);
  REQUIRE(cache->store(testKey(1), testContents(1, 1 << 20)));
  std::vector<double> lookups;
  for (int i = 0; i < 1000; ++i) {
    auto start = Clock::now();
    auto found = cache->lookup(testKey(1));
    lookups.push_back(millisecondsSince(start));
    REQUIRE(found);
    REQUIRE(found->has_value());
  }
  std::vector<double> misses;
  for (int i = 0; i < 1000; ++i) {
    auto start = Clock::now();
    REQUIRE(cache->lookup(testKey(2)));
    misses.push_back(millisecondsSince(start));
  }
  std::vector<double> accounting;
  for (int i = 0; i < 1000; ++i) {
    auto start = Clock::now();
    REQUIRE(addUsage(scratch.sub("cache/v1/usage"), 1));
    accounting.push_back(millisecondsSince(start));
  }
  std::printf("lookup hit (1 MiB, mapped): %.1f us; miss: %.1f us; usage update: %.1f us "
              "(medians of 1000)\n",
              median(lookups) * 1000, median(misses) * 1000, median(accounting) * 1000);
}

TEST_CASE("Measure: eviction scan", "[.][measure]") {
  for (int entries : {1000, 10000}) {
    ScratchDirectory scratch;
    std::string directory = scratch.sub("cache");
    auto cache = CodeCache::open(directory, CacheOptions{.maxSizeBytes = uint64_t(1) << 40,
                                                         .syncWrites = false});
    REQUIRE(cache);
    std::vector<uint8_t> contents = testContents(1, 1024);
    for (int i = 0; i < entries; ++i)
      REQUIRE(cache->store(testKey(i), contents));
    std::vector<double> scans, scanCpu;
    for (int i = 0; i < 7; ++i) {
      auto start = Clock::now();
      double cpuStart = cpuMilliseconds();
      auto stats = cache->evict();
      scans.push_back(millisecondsSince(start));
      scanCpu.push_back(cpuMilliseconds() - cpuStart);
      REQUIRE(stats);
      REQUIRE(stats->entriesScanned == size_t(entries));
    }
    // Half the bound: eviction deletes 55% of the entries.
    auto halved = CodeCache::open(directory, CacheOptions{.maxSizeBytes = uint64_t(entries) * 512,
                                                          .syncWrites = false});
    REQUIRE(halved);
    auto start = Clock::now();
    double cpuStart = cpuMilliseconds();
    auto stats = halved->evict();
    double evicting = millisecondsSince(start), evictingCpu = cpuMilliseconds() - cpuStart;
    REQUIRE(stats);
    std::printf("scan of %5d entries: %.2f ms wall, %.2f ms CPU (medians of 7, nothing "
                "removed); scan removing %zu: %.2f ms wall, %.2f ms CPU\n",
                entries, median(scans), median(scanCpu), stats->entriesRemoved, evicting,
                evictingCpu);
  }
}

TEST_CASE("Measure: SHA-256 throughput (the cost of a key)", "[.][measure]") {
  std::vector<uint8_t> wasm = testContents(1, 16 << 20);
  std::vector<double> samples;
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    Sha256().update(wasm).digest();
    samples.push_back(millisecondsSince(start));
  }
  std::printf("SHA-256 of 16 MiB: %.1f ms = %.0f MB/s (median of 5)\n", median(samples),
              16.0 * 1.048576 / (median(samples) / 1000));
}
