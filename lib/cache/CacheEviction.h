// The on-disk layout of the code cache and its eviction (docs/CACHE.md):
//
//   DIR/v1/usage                   size estimate and last scan time (CacheUsage.h)
//   DIR/v1/evict.lock              held (flock) by the one process evicting
//   DIR/v1/ab/abcdef...(64).cwasm  an entry, named by its key; ab = first two digits
//   DIR/v1/ab/.tmp-<pid>-<random>  an entry being written, renamed into place when done
//
// Eviction lists the fan-out directories, deletes temp files abandoned by crashed
// writers, and if the total exceeds the bound deletes entries least recently used
// first (by the later of atime and mtime; lookups refresh atime) down to 90% of it.
#pragma once

#include "wasmrt/Error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wasmrt::internal::cache {

// Bump when the directory layout changes, so older and newer wasmrt builds sharing a
// cache directory each use their own tree instead of misreading the other's.
inline constexpr std::string_view kLayoutDirectory = "v1";
inline constexpr std::string_view kEntrySuffix = ".cwasm";
inline constexpr std::string_view kTempPrefix = ".tmp-";
inline constexpr std::string_view kUsageFileName = "usage";
inline constexpr std::string_view kEvictionLockName = "evict.lock";

// A temp file untouched this long belongs to a writer that died: a live writer's
// writes keep moving its mtime, and entries are at most a few hundred MB.
inline constexpr std::chrono::seconds kStaleTempAge{10 * 60};
// Even below the bound, a store rescans when the last scan is this old, so abandoned
// temp files and drift in the size estimate do not survive forever.
inline constexpr std::chrono::seconds kRescanInterval{24 * 60 * 60};
// Eviction frees down to this share of the bound, so that the stores following an
// eviction do not each trigger another scan.
inline constexpr unsigned kEvictionTargetPercent = 90;

struct EvictionStats {
  size_t entriesScanned = 0;
  size_t entriesRemoved = 0;
  size_t staleTempFilesRemoved = 0;
  // Files or directories that could not be listed, inspected or removed (other than
  // vanishing under a concurrent evictor, which is expected). They are skipped.
  size_t failures = 0;
  uint64_t bytesBefore = 0; // entries plus live temp files, as found by the scan
  uint64_t bytesAfter = 0;
};

enum class EvictionLockWait { Wait, SkipIfBusy };

// Scans `entriesDirectory` (DIR/v1) and evicts as above, then resets the usage file's
// estimate. Only one process evicts at a time; with SkipIfBusy a busy lock returns
// nullopt (the other evictor is doing the work). Failing to delete a single file is
// counted in `failures`, not an error: one unremovable file must not disable eviction.
Expected<std::optional<EvictionStats>> evictEntries(const std::string &entriesDirectory,
                                                    uint64_t maxSizeBytes,
                                                    EvictionLockWait wait);

} // namespace wasmrt::internal::cache
