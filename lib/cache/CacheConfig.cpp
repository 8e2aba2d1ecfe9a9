#include "cache/CacheConfig.h"

#include <fmt/format.h>

#include <cstdlib>

namespace wasmrt::internal::cache {

static std::optional<std::string> environmentVariable(const char *name) {
  const char *value = std::getenv(name);
  if (!value || !*value)
    return std::nullopt;
  return std::string(value);
}

CacheEnvironment CacheEnvironment::fromProcess() {
  CacheEnvironment env;
  env.cacheDir = environmentVariable("WASMRT_CACHE_DIR");
  env.maxSize = environmentVariable("WASMRT_CACHE_MAX_SIZE");
  env.xdgCacheHome = environmentVariable("XDG_CACHE_HOME");
  env.home = environmentVariable("HOME");
  return env;
}

static std::string joinPath(std::string_view base, std::string_view name) {
  std::string path(base);
  if (path.empty() || path.back() != '/')
    path.push_back('/');
  path.append(name);
  return path;
}

Expected<std::string> defaultCacheDirectory(const CacheEnvironment &env) {
  if (env.cacheDir && !env.cacheDir->empty())
    return *env.cacheDir;
  // The XDG base directory spec says a relative path in these variables is invalid
  // and to be ignored.
  if (env.xdgCacheHome && env.xdgCacheHome->starts_with('/'))
    return joinPath(*env.xdgCacheHome, "wasmrt");
  if (env.home && !env.home->empty())
    return joinPath(joinPath(*env.home, ".cache"), "wasmrt");
  return Error(ErrorKind::Usage,
               "no code cache directory: set WASMRT_CACHE_DIR, XDG_CACHE_HOME or HOME");
}

static std::optional<unsigned> suffixShift(std::string_view suffix) {
  if (suffix.empty())
    return 0;
  unsigned shift;
  switch (suffix.front()) {
  case 'k': case 'K': shift = 10; break;
  case 'm': case 'M': shift = 20; break;
  case 'g': case 'G': shift = 30; break;
  case 't': case 'T': shift = 40; break;
  default: return std::nullopt;
  }
  suffix.remove_prefix(1);
  if (suffix.empty() || suffix == "iB" || suffix == "ib" || suffix == "IB")
    return shift;
  return std::nullopt;
}

Expected<uint64_t> parseCacheSize(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error(ErrorKind::Usage, fmt::format("invalid cache size '{}': {}", text, why));
  };
  size_t digits = 0;
  uint64_t count = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    unsigned digit = unsigned(text[digits] - '0');
    if (count > (UINT64_MAX - digit) / 10)
      return invalid("too large");
    count = count * 10 + digit;
    ++digits;
  }
  if (digits == 0)
    return invalid("expected a number of bytes, optionally with a K, M, G or T suffix");
  auto shift = suffixShift(text.substr(digits));
  if (!shift)
    return invalid("unknown suffix (use K, M, G or T)");
  if (count > (UINT64_MAX >> *shift))
    return invalid("too large");
  if (count == 0)
    return invalid("must be positive");
  return count << *shift;
}

Expected<CacheOptions> cacheOptionsFromEnvironment(const CacheEnvironment &env) {
  CacheOptions options;
  if (env.maxSize) {
    auto size = parseCacheSize(*env.maxSize);
    if (!size)
      return Error(ErrorKind::Usage,
                   fmt::format("WASMRT_CACHE_MAX_SIZE: {}", size.error().message()));
    options.maxSizeBytes = *size;
  }
  return options;
}

} // namespace wasmrt::internal::cache
