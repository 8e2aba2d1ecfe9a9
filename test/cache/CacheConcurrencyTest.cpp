// Several processes filling one cache at once, with overlapping keys and evictions
// running concurrently: every store must succeed, no reader may ever see a partial
// entry, and every entry that survives must be complete.
#include "CacheTestUtil.h"
#include "cache/CodeCache.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sys/wait.h>
#include <unistd.h>

using namespace wasmrt;
using namespace wasmrt::internal::cache;
using namespace wasmrt::internal::cache::test;

namespace {

constexpr int kWriters = 4;
constexpr int kKeys = 150;           // shared by all writers, so keys collide
constexpr int kStoresPerWriter = 250;
constexpr uint64_t kBound = 128 * 1024; // ~1/3 of all keys' contents: constant eviction

// Why a child failed, as its exit status (Catch2 must not run in a forked child).
enum ChildFailure : int {
  kOpenFailed = 10,
  kStoreFailed,
  kLookupFailed,
  kWrongContents,
  kEvictFailed,
};

bool matches(const MappedFile &entry, int index) {
  std::vector<uint8_t> expected = testContents(index);
  return entry.size() == expected.size() &&
         std::equal(expected.begin(), expected.end(), entry.bytes().begin());
}

// One writer: stores keys in its own order, looks keys up and checks every hit, and
// now and then runs a full eviction itself.
int runWriter(const std::string &directory, int writer, bool syncWrites) {
  auto cache = CodeCache::open(directory, CacheOptions{kBound, syncWrites});
  if (!cache)
    return kOpenFailed;
  for (int i = 0; i < kStoresPerWriter; ++i) {
    int index = (i * 7 + writer * 31) % kKeys;
    if (!cache->store(testKey(index), testContents(index)))
      return kStoreFailed;
    int probe = (i * 13 + writer) % kKeys;
    auto found = cache->lookup(testKey(probe));
    if (!found)
      return kLookupFailed;
    if (found->has_value() && !matches(**found, probe))
      return kWrongContents;
    if (i % 40 == writer && !cache->evict())
      return kEvictFailed;
  }
  return 0;
}

void fillConcurrently(const std::string &directory, bool syncWrites) {
  std::vector<pid_t> children;
  for (int writer = 0; writer < kWriters; ++writer) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
      ::_exit(runWriter(directory, writer, syncWrites));
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("writer exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

void checkSurvivors(const std::string &directory) {
  auto cache = CodeCache::open(directory, CacheOptions{.maxSizeBytes = kBound});
  REQUIRE(cache);
  size_t hits = 0;
  for (int index = 0; index < kKeys; ++index) {
    auto found = cache->lookup(testKey(index));
    REQUIRE(found);
    if (found->has_value()) {
      ++hits;
      CHECK(matches(**found, index));
    }
  }
  CHECK(hits > 0);
  // Nothing but complete entries of known keys; no writer left a temp file.
  CHECK(filesEndingWith(directory, ".cwasm").size() == hits);
  CHECK(filesStartingWith(directory, ".tmp-").empty());
  auto stats = cache->evict();
  REQUIRE(stats);
  CHECK(stats->failures == 0);
  CHECK(stats->bytesAfter <= kBound);
  CHECK(totalEntryBytes(directory) <= kBound);
  CHECK(*cache->estimatedSize() == totalEntryBytes(directory));
}

} // namespace

TEST_CASE("Processes filling one cache at once leave only complete entries") {
  ScratchDirectory scratch;
  std::string directory = scratch.sub("cache");
  SECTION("with fsync") {
    fillConcurrently(directory, true);
    checkSurvivors(directory);
  }
  SECTION("without fsync") {
    fillConcurrently(directory, false);
    checkSurvivors(directory);
  }
}
