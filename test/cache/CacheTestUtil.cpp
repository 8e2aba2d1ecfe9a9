#include "CacheTestUtil.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>

namespace wasmrt::internal::cache::test {

ScratchDirectory::ScratchDirectory() {
  std::string pattern = (fs::temp_directory_path() / "wasmrt-cache-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
  fs::remove_all(path_, ignored);
}

std::vector<uint8_t> bytesOf(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

CacheKey testKey(int index) { return CacheKey::derive({"test entry", std::to_string(index)}); }

std::vector<uint8_t> testContents(int index, size_t size) {
  if (size == 0)
    size = 512 + size_t(index) * 977 % 4096;
  // splitmix64 seeded by the index: cheap, and different for every index and offset.
  uint64_t state = uint64_t(index) * 0x9e3779b97f4a7c15ull + 1;
  std::vector<uint8_t> bytes(size);
  for (uint8_t &byte : bytes) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    byte = uint8_t(z ^ (z >> 31));
  }
  return bytes;
}

mode_t permissionsOf(const fs::path &path) {
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void setFileAge(const fs::path &path, int64_t secondsAgo) {
  setFileTimes(path, secondsAgo, secondsAgo);
}

void setFileTimes(const fs::path &path, int64_t accessedSecondsAgo, int64_t modifiedSecondsAgo) {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  struct timespec times[2] = {now, now};
  times[0].tv_sec -= accessedSecondsAgo;
  times[1].tv_sec -= modifiedSecondsAgo;
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

static std::vector<fs::path> filesWhere(const fs::path &directory, auto predicate) {
  std::vector<fs::path> found;
  for (const auto &item : fs::recursive_directory_iterator(directory))
    if (item.is_regular_file() && predicate(item.path().filename().string()))
      found.push_back(item.path());
  return found;
}

std::vector<fs::path> filesEndingWith(const fs::path &directory, std::string_view suffix) {
  return filesWhere(directory, [&](const std::string &name) { return name.ends_with(suffix); });
}

std::vector<fs::path> filesStartingWith(const fs::path &directory, std::string_view prefix) {
  return filesWhere(directory, [&](const std::string &name) { return name.starts_with(prefix); });
}

uint64_t totalEntryBytes(const fs::path &directory) {
  uint64_t total = 0;
  for (const fs::path &entry : filesEndingWith(directory, ".cwasm"))
    total += fs::file_size(entry);
  return total;
}

} // namespace wasmrt::internal::cache::test
