#include "CacheTestUtil.h"
#include "cache/CodeCache.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace wasmrt;
using namespace wasmrt::internal::cache;
using namespace wasmrt::internal::cache::test;

static CodeCache openCache(const std::string &directory, uint64_t maxSizeBytes) {
  auto cache = CodeCache::open(directory, CacheOptions{.maxSizeBytes = maxSizeBytes});
  if (!cache)
    FAIL(cache.error().describe());
  return std::move(*cache);
}

static bool isCached(const CodeCache &cache, int index) {
  auto found = cache.lookup(testKey(index));
  REQUIRE(found);
  return found->has_value();
}

TEST_CASE("Eviction removes the least recently used entries first, down to 90%") {
  ScratchDirectory scratch;
  // Ten 1000-byte entries fit; the eleventh pushes the total over the bound.
  CodeCache cache = openCache(scratch.sub("cache"), 10'500);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(cache.store(testKey(i), testContents(i, 1000)));
    setFileAge(cache.entryPath(testKey(i)), 10'000 - i * 100); // entry 0 is the oldest
  }
  // Using entry 0 makes it the most recently used; 1 and 2 are now the oldest.
  REQUIRE(isCached(cache, 0));

  REQUIRE(cache.store(testKey(10), testContents(10, 1000)));

  // 11,000 bytes > 10,500: eviction frees down to 9,450, i.e. removes two entries.
  CHECK(isCached(cache, 0));
  CHECK_FALSE(isCached(cache, 1));
  CHECK_FALSE(isCached(cache, 2));
  for (int i = 3; i <= 10; ++i)
    CHECK(isCached(cache, i));
  CHECK(totalEntryBytes(scratch.path()) == 9000);
  CHECK(*cache.estimatedSize() == 9000);
}

TEST_CASE("Eviction keeps the total under the bound as entries keep coming") {
  ScratchDirectory scratch;
  const uint64_t bound = 64 * 1024;
  CodeCache cache = openCache(scratch.sub("cache"), bound);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(cache.store(testKey(i), testContents(i)));
    CHECK(totalEntryBytes(scratch.path()) <= bound);
  }
  // The newest entries survive: eviction goes oldest first.
  CHECK(isCached(cache, 199));
  CHECK_FALSE(isCached(cache, 0));
  for (const fs::path &entry : filesEndingWith(scratch.path(), ".cwasm")) {
    bool matched = false;
    for (int i = 0; i < 200 && !matched; ++i)
      if (entry == cache.entryPath(testKey(i))) {
        auto found = cache.lookup(testKey(i));
        REQUIRE(found);
        REQUIRE(found->has_value());
        CHECK(std::vector<uint8_t>((*found)->bytes().begin(), (*found)->bytes().end()) ==
              testContents(i));
        matched = true;
      }
    CHECK(matched);
  }
}

TEST_CASE("An explicit evict() under the bound removes nothing") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), 1 << 20);
  for (int i = 0; i < 5; ++i)
    REQUIRE(cache.store(testKey(i), testContents(i, 100)));
  auto stats = cache.evict();
  REQUIRE(stats);
  CHECK(stats->entriesScanned == 5);
  CHECK(stats->entriesRemoved == 0);
  CHECK(stats->bytesBefore == 500);
  CHECK(stats->bytesAfter == 500);
  CHECK(stats->failures == 0);
}

TEST_CASE("Eviction deletes stale temp files and leaves live ones and foreign files") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), 1 << 20);
  REQUIRE(cache.store(testKey(1), testContents(1, 100)));
  fs::path fanOut = fs::path(cache.entryPath(testKey(1))).parent_path();
  fs::path stale = fanOut / ".tmp-4242-00000000deadbeef";
  fs::path live = fanOut / ".tmp-4243-00000000cafef00d";
  fs::path foreign = fanOut / "notes.txt";
  for (const fs::path &path : {stale, live, foreign})
    std::ofstream(path) << "partial entry";
  setFileAge(stale, 11 * 60);
  setFileAge(live, 5 * 60);
  setFileAge(foreign, 24 * 60 * 60);

  auto stats = cache.evict();
  REQUIRE(stats);
  CHECK(stats->staleTempFilesRemoved == 1);
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(live));
  CHECK(fs::exists(foreign));
  CHECK(stats->bytesAfter == 100 + fs::file_size(live)); // live writes count toward the bound
  CHECK(isCached(cache, 1));
}

TEST_CASE("A store rescans when the last scan is over a day old") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), 1 << 20);
  REQUIRE(cache.store(testKey(1), testContents(1, 100)));
  fs::path stale = fs::path(cache.entryPath(testKey(1))).parent_path() / ".tmp-1-0000000000000001";
  std::ofstream(stale) << "abandoned";
  setFileAge(stale, 60 * 60);

  REQUIRE(cache.store(testKey(2), testContents(2, 100))); // scanned recently: no scan
  CHECK(fs::exists(stale));

  // Pretend the last scan was two days ago.
  std::ofstream(scratch.sub("cache/v1/usage"), std::ios::trunc)
      << "200 " << (std::time(nullptr) - 2 * 24 * 60 * 60) << "\n";
  REQUIRE(cache.store(testKey(3), testContents(3, 100)));
  CHECK_FALSE(fs::exists(stale));
  CHECK(*cache.estimatedSize() == 300);
}

TEST_CASE("A garbled usage file makes the next store rescan and repair it") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), 1 << 20);
  REQUIRE(cache.store(testKey(1), testContents(1, 100)));
  std::ofstream(scratch.sub("cache/v1/usage"), std::ios::trunc) << "garbage";
  REQUIRE(cache.store(testKey(2), testContents(2, 250)));
  CHECK(*cache.estimatedSize() == 350);
}

TEST_CASE("Entries deleted behind the cache's back do not break eviction") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), 5'000);
  for (int i = 0; i < 4; ++i)
    REQUIRE(cache.store(testKey(i), testContents(i, 1000)));
  fs::remove(cache.entryPath(testKey(0)));
  fs::remove_all(fs::path(cache.entryPath(testKey(1))).parent_path());
  // The estimate still counts the deleted entries (4,000), so this store scans.
  REQUIRE(cache.store(testKey(4), testContents(4, 1500)));
  CHECK(*cache.estimatedSize() == totalEntryBytes(scratch.path()));
  CHECK(*cache.estimatedSize() <= 3500);
  CHECK(isCached(cache, 4));
}
