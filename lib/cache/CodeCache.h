// A persistent, size-bounded cache of compiled code, shared by concurrent processes.
// Entries are opaque bytes named by a CacheKey; the cache never looks inside them.
// Validating an entry (its header, checksum, target) is the caller's job: a caller that
// finds an entry corrupt calls remove() and recompiles. See docs/CACHE.md.
//
// Guarantees, for any number of processes and threads using one directory at once:
//  - lookup() sees either no entry or a complete one that some store() wrote: stores
//    write a private temp file and rename() it over the entry's name.
//  - Storing one key from several processes at once succeeds in each and leaves one
//    complete entry.
//  - Eviction and remove() only unlink, so an entry someone has mapped stays intact for
//    them, and files vanishing under a concurrent evictor are not errors.
// A CodeCache holds no open files or mutable state; every method may be called from
// several threads at once.
#pragma once

#include "cache/CacheConfig.h"
#include "cache/CacheEviction.h"
#include "cache/CacheKey.h"
#include "cache/MappedFile.h"
#include "wasmrt/Error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace wasmrt::internal::cache {

// A hit whose access time is older than this refreshes it; younger hits cost no
// extra syscall. The LRU order is only as fine as this, which is plenty for eviction.
inline constexpr std::chrono::seconds kAccessTimeGranularity{60};

class CodeCache {
public:
  // Opens the cache in `directory` (see defaultCacheDirectory()), creating it with mode
  // 0700 (missing parents with the default mode) and its layout directory. Refuses a
  // path that is not a directory, and a directory that other users can write to: the
  // cache holds native code that this process will execute.
  static Expected<CodeCache> open(std::string directory, CacheOptions options = {});

  const std::string &directory() const { return directory_; }
  const CacheOptions &options() const { return options_; }
  // Where `key`'s entry lives (whether or not it exists).
  std::string entryPath(const CacheKey &key) const;

  // The entry for `key` mapped read-only, or nullopt if there is none. An entry that
  // exists but cannot be opened, inspected or mapped is an error. Refreshes the entry's
  // access time for LRU eviction (at most once per kAccessTimeGranularity).
  Expected<std::optional<MappedFile>> lookup(const CacheKey &key) const;

  // Stores `bytes` as `key`'s entry (mode 0600), replacing any existing entry
  // atomically, then evicts if the cache may now exceed its bound. An entry larger than
  // the bound is refused (Usage error), since eviction would remove it at once. An
  // error after the entry was renamed into place comes from eviction; the entry is
  // stored regardless.
  Expected<void> store(const CacheKey &key, std::span<const uint8_t> bytes) const;

  // Removes `key`'s entry; false if there was none.
  Expected<bool> remove(const CacheKey &key) const;

  // Scans the whole cache now: deletes abandoned temp files and, if the total exceeds
  // the bound, least recently used entries down to 90% of it. Waits for a concurrent
  // evictor to finish first.
  Expected<EvictionStats> evict() const;

  // The accounting file's estimate of the total size (errs high; see CacheUsage.h).
  Expected<uint64_t> estimatedSize() const;

private:
  CodeCache(std::string directory, std::string layoutDirectory, CacheOptions options)
      : directory_(std::move(directory)), layoutDirectory_(std::move(layoutDirectory)),
        options_(options) {}

  Expected<void> writeEntry(const std::string &fanOutDirectory, const std::string &path,
                            std::span<const uint8_t> bytes) const;
  std::string usagePath() const;

  std::string directory_;
  std::string layoutDirectory_; // directory_/v1
  CacheOptions options_;
};

} // namespace wasmrt::internal::cache
