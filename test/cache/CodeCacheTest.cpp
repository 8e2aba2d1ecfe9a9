#include "CacheTestUtil.h"
#include "cache/CodeCache.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace wasmrt;
using namespace wasmrt::internal::cache;
using namespace wasmrt::internal::cache::test;

static CodeCache openCache(const std::string &directory, CacheOptions options = {}) {
  auto cache = CodeCache::open(directory, options);
  if (!cache)
    FAIL(cache.error().describe());
  return std::move(*cache);
}

static std::vector<uint8_t> lookupBytes(const CodeCache &cache, const CacheKey &key) {
  auto found = cache.lookup(key);
  if (!found)
    FAIL(found.error().describe());
  REQUIRE(found->has_value());
  auto bytes = (*found)->bytes();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

TEST_CASE("A stored entry is found again, byte for byte") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(1);
  std::vector<uint8_t> contents = testContents(1, 100'000);
  REQUIRE(cache.store(key, contents));

  auto found = cache.lookup(key);
  REQUIRE(found);
  REQUIRE(found->has_value());
  const MappedFile &entry = **found;
  CHECK(entry.size() == contents.size());
  CHECK(std::vector<uint8_t>(entry.bytes().begin(), entry.bytes().end()) == contents);
  CHECK(entry.path() == cache.entryPath(key));
  // The descriptor is the entry's: the caller maps code pages from it.
  struct stat byFd, byPath;
  REQUIRE(::fstat(entry.fd(), &byFd) == 0);
  REQUIRE(::stat(entry.path().c_str(), &byPath) == 0);
  CHECK(byFd.st_ino == byPath.st_ino);
  void *page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, entry.fd(), 0);
  REQUIRE(page != MAP_FAILED);
  CHECK(std::memcmp(page, contents.data(), 4096) == 0);
  ::munmap(page, 4096);
}

TEST_CASE("Entries live in DIR/v1/<first two digits>/<key>.cwasm") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(2);
  const std::string &hex = key.hex();
  CHECK(cache.entryPath(key) == scratch.sub("cache") + "/v1/" + hex.substr(0, 2) + "/" + hex +
                                    ".cwasm");
  REQUIRE(cache.store(key, testContents(2)));
  CHECK(fs::is_regular_file(cache.entryPath(key)));
  CHECK(openCache(scratch.sub("cache") + "//").entryPath(key) == cache.entryPath(key));
}

TEST_CASE("Looking up a key never stored is a miss, not an error") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  auto found = cache.lookup(testKey(3));
  REQUIRE(found);
  CHECK_FALSE(found->has_value());
  REQUIRE(cache.store(testKey(4), testContents(4)));
  found = cache.lookup(testKey(3));
  REQUIRE(found);
  CHECK_FALSE(found->has_value());
}

TEST_CASE("An empty entry round-trips") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  REQUIRE(cache.store(testKey(5), {}));
  auto found = cache.lookup(testKey(5));
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->size() == 0);
  CHECK((*found)->bytes().empty());
}

TEST_CASE("Storing a key again replaces the entry, a reader keeps what it mapped") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(6);
  std::vector<uint8_t> first = bytesOf("first version"), second = testContents(6, 8192);
  REQUIRE(cache.store(key, first));
  auto held = cache.lookup(key);
  REQUIRE(held);
  REQUIRE(held->has_value());
  REQUIRE(cache.store(key, second));
  CHECK(lookupBytes(cache, key) == second);
  // Replacement is a rename, so the earlier mapping still shows the complete old file.
  CHECK(std::vector<uint8_t>((*held)->bytes().begin(), (*held)->bytes().end()) == first);
}

TEST_CASE("Stores leave no temp files behind") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  for (int i = 0; i < 20; ++i)
    REQUIRE(cache.store(testKey(i % 7), testContents(i % 7)));
  CHECK(filesStartingWith(scratch.path(), ".tmp-").empty());
  CHECK(filesEndingWith(scratch.path(), ".cwasm").size() == 7);
}

TEST_CASE("The cache directory is 0700 and entries are 0600, missing parents are created") {
  ScratchDirectory scratch;
  mode_t umaskNow = ::umask(022);
  ::umask(umaskNow);
  std::string directory = scratch.sub("a/b/cache");
  CodeCache cache = openCache(directory);
  CacheKey key = testKey(7);
  REQUIRE(cache.store(key, testContents(7)));

  CHECK(permissionsOf(directory) == 0700);
  CHECK(permissionsOf(directory + "/v1") == 0700);
  CHECK(permissionsOf(fs::path(cache.entryPath(key)).parent_path()) == 0700);
  CHECK(permissionsOf(cache.entryPath(key)) == 0600);
  CHECK(permissionsOf(scratch.sub("a")) == (0777 & ~umaskNow));
  CHECK(permissionsOf(scratch.sub("a/b")) == (0777 & ~umaskNow));
  CHECK(permissionsOf(directory + "/v1/usage") == 0600);
}

TEST_CASE("Opening an existing cache keeps its entries") {
  ScratchDirectory scratch;
  std::string directory = scratch.sub("cache");
  REQUIRE(openCache(directory).store(testKey(8), testContents(8)));
  CodeCache reopened = openCache(directory);
  CHECK(lookupBytes(reopened, testKey(8)) == testContents(8));
}

TEST_CASE("A cache path that is not a directory is refused") {
  ScratchDirectory scratch;
  std::string file = scratch.sub("file");
  std::ofstream(file) << "not a directory";
  auto cache = CodeCache::open(file);
  REQUIRE_FALSE(cache);
  CHECK(cache.error().kind() == ErrorKind::Io);
  CHECK_THAT(cache.error().message(), Catch::Contains("'" + file + "'") &&
                                          Catch::Contains("not a directory"));

  auto below = CodeCache::open(file + "/cache");
  REQUIRE_FALSE(below);
  CHECK_THAT(below.error().message(), Catch::Contains(file));
}

TEST_CASE("A cache directory other users can write to is refused") {
  ScratchDirectory scratch;
  std::string directory = scratch.sub("shared");
  REQUIRE(::mkdir(directory.c_str(), 0700) == 0);
  REQUIRE(::chmod(directory.c_str(), 0770) == 0);
  auto cache = CodeCache::open(directory);
  REQUIRE_FALSE(cache);
  CHECK_THAT(cache.error().message(), Catch::Contains(directory) && Catch::Contains("0770"));
  REQUIRE(::chmod(directory.c_str(), 0755) == 0);
  CHECK(CodeCache::open(directory));
}

TEST_CASE("A cache directory owned by another user is refused") {
  if (::geteuid() != 0) {
    WARN("skipped: only root can give a directory to another user");
    return;
  }
  ScratchDirectory scratch;
  std::string directory = scratch.sub("theirs");
  REQUIRE(::mkdir(directory.c_str(), 0700) == 0);
  REQUIRE(::chown(directory.c_str(), 65534, 65534) == 0);
  auto cache = CodeCache::open(directory);
  REQUIRE_FALSE(cache);
  CHECK_THAT(cache.error().message(), Catch::Contains(directory) && Catch::Contains("uid 65534"));
}

TEST_CASE("A truncated entry is returned as it is, and remove() deletes it") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(9);
  std::vector<uint8_t> contents = testContents(9, 5000);
  REQUIRE(cache.store(key, contents));
  REQUIRE(::truncate(cache.entryPath(key).c_str(), 1234) == 0);

  // Validating entries is the caller's job: the cache hands back what is on disk.
  std::vector<uint8_t> truncated = lookupBytes(cache, key);
  CHECK(truncated == std::vector<uint8_t>(contents.begin(), contents.begin() + 1234));

  auto removed = cache.remove(key);
  REQUIRE(removed);
  CHECK(*removed);
  auto found = cache.lookup(key);
  REQUIRE(found);
  CHECK_FALSE(found->has_value());
  removed = cache.remove(key);
  REQUIRE(removed);
  CHECK_FALSE(*removed);
}

TEST_CASE("An entry that cannot be read is an error naming it") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(10);
  // A directory where the entry should be: open() fails (EISDIR is not a miss). Tests
  // may run as root, for whom a mode-0000 file would still be readable.
  REQUIRE(fs::create_directories(cache.entryPath(key)));
  auto found = cache.lookup(key);
  REQUIRE_FALSE(found);
  CHECK(found.error().kind() == ErrorKind::Io);
  CHECK_THAT(found.error().message(), Catch::Contains(cache.entryPath(key)));
}

TEST_CASE("An entry larger than the size bound is refused") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"), CacheOptions{.maxSizeBytes = 1000});
  auto stored = cache.store(testKey(11), testContents(11, 1001));
  REQUIRE_FALSE(stored);
  CHECK(stored.error().kind() == ErrorKind::Usage);
  CHECK(filesEndingWith(scratch.path(), ".cwasm").empty());
  CHECK(cache.store(testKey(11), testContents(11, 1000)));
}

TEST_CASE("A hit refreshes the access time only when it is over a minute old") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CacheKey key = testKey(12);
  REQUIRE(cache.store(key, testContents(12)));
  fs::path path = cache.entryPath(key);
  auto accessTime = [&] {
    struct stat info;
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_atim.tv_sec;
  };
  auto modifyTime = [&] {
    struct stat info;
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mtim.tv_sec;
  };

  // atime after mtime and under a day old, so a relatime mount's own update on
  // mapping the file stays out of the way and only the cache's refresh can move it.
  setFileTimes(path, 30, 7200);
  time_t recent = accessTime();
  REQUIRE(cache.lookup(key));
  CHECK(accessTime() == recent);

  setFileTimes(path, 3600, 7200);
  time_t old = accessTime(), oldModify = modifyTime();
  REQUIRE(cache.lookup(key));
  CHECK(accessTime() >= old + 3590);
  CHECK(modifyTime() == oldModify);
}

TEST_CASE("The size estimate follows stores and removals") {
  ScratchDirectory scratch;
  CodeCache cache = openCache(scratch.sub("cache"));
  CHECK(*cache.estimatedSize() == 0);
  REQUIRE(cache.store(testKey(13), testContents(13, 1000)));
  REQUIRE(cache.store(testKey(14), testContents(14, 3000)));
  CHECK(*cache.estimatedSize() == 4000);
  REQUIRE(*cache.remove(testKey(13)));
  CHECK(*cache.estimatedSize() == 3000);
  // Storing a key twice counts it twice (the estimate errs high) until a scan.
  REQUIRE(cache.store(testKey(14), testContents(14, 3000)));
  CHECK(*cache.estimatedSize() == 6000);
  REQUIRE(cache.evict());
  CHECK(*cache.estimatedSize() == 3000);
}
