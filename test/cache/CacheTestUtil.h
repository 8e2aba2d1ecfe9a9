// Scratch directories, deterministic entry contents and file inspection for the cache
// tests.
#pragma once

#include "cache/CacheKey.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace wasmrt::internal::cache::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp directory, removed with its contents.
class ScratchDirectory {
public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory &) = delete;
  ScratchDirectory &operator=(const ScratchDirectory &) = delete;

  const fs::path &path() const { return path_; }
  std::string sub(std::string_view name) const { return (path_ / name).string(); }

private:
  fs::path path_;
};

std::vector<uint8_t> bytesOf(std::string_view text);

// The key and contents of test entry `index`: every index has its own contents (and
// size, if `size` is 0), so a surviving entry can be checked byte for byte.
CacheKey testKey(int index);
std::vector<uint8_t> testContents(int index, size_t size = 0);

// Permission bits (st_mode & 07777) of `path`.
mode_t permissionsOf(const fs::path &path);

// Sets atime and mtime to `secondsAgo` before now.
void setFileAge(const fs::path &path, int64_t secondsAgo);
void setFileTimes(const fs::path &path, int64_t accessedSecondsAgo, int64_t modifiedSecondsAgo);

// Regular files below `directory` whose name ends with `suffix` / starts with `prefix`.
std::vector<fs::path> filesEndingWith(const fs::path &directory, std::string_view suffix);
std::vector<fs::path> filesStartingWith(const fs::path &directory, std::string_view prefix);

// Total st_size of the entries (*.cwasm) below `directory`.
uint64_t totalEntryBytes(const fs::path &directory);

} // namespace wasmrt::internal::cache::test
