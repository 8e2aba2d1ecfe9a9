// Where the code cache lives and how large it may grow, from the environment:
//   WASMRT_CACHE_DIR        the cache directory, used as given
//   XDG_CACHE_HOME          else $XDG_CACHE_HOME/wasmrt (absolute paths only, per XDG)
//   HOME                    else $HOME/.cache/wasmrt
//   WASMRT_CACHE_MAX_SIZE   the size bound, bytes or with a K/M/G/T (binary) suffix
// The environment is read once into CacheEnvironment, so the rules are plain functions
// of their input and tests need not change the process environment.
#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wasmrt::internal::cache {

inline constexpr uint64_t kDefaultMaxCacheSize = uint64_t(1) << 30; // 1 GiB

struct CacheOptions {
  // Entries are evicted, least recently used first, once their total size (st_size of
  // entries and in-progress writes) exceeds this; eviction goes down to 90% of it.
  uint64_t maxSizeBytes = kDefaultMaxCacheSize;
  // fsync each entry before renaming it into place, so that after a power loss an
  // entry's name never survives without its complete contents (docs/CACHE.md).
  bool syncWrites = true;
};

// The variables above; an empty variable counts as unset.
struct CacheEnvironment {
  std::optional<std::string> cacheDir;     // WASMRT_CACHE_DIR
  std::optional<std::string> maxSize;      // WASMRT_CACHE_MAX_SIZE
  std::optional<std::string> xdgCacheHome; // XDG_CACHE_HOME
  std::optional<std::string> home;         // HOME

  static CacheEnvironment fromProcess();
};

// The cache directory by the rules above; a Usage error if none applies.
Expected<std::string> defaultCacheDirectory(const CacheEnvironment &env);

// "1073741824", "512M", "512MiB", "1G", "64k": a positive byte count. Suffixes are
// binary (K = 1024) and case-insensitive.
Expected<uint64_t> parseCacheSize(std::string_view text);

// CacheOptions with WASMRT_CACHE_MAX_SIZE applied; a Usage error names a bad value.
Expected<CacheOptions> cacheOptionsFromEnvironment(const CacheEnvironment &env);

} // namespace wasmrt::internal::cache
