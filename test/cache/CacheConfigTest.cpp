#include "cache/CacheConfig.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace wasmrt;
using namespace wasmrt::internal::cache;

TEST_CASE("The cache directory is WASMRT_CACHE_DIR, else XDG_CACHE_HOME, else HOME") {
  CacheEnvironment env;
  env.home = "/home/user";
  CHECK(*defaultCacheDirectory(env) == "/home/user/.cache/wasmrt");
  env.home = "/home/user/";
  CHECK(*defaultCacheDirectory(env) == "/home/user/.cache/wasmrt");
  env.xdgCacheHome = "/var/cache/user";
  CHECK(*defaultCacheDirectory(env) == "/var/cache/user/wasmrt");
  env.cacheDir = "/srv/wasmrt-cache";
  CHECK(*defaultCacheDirectory(env) == "/srv/wasmrt-cache");
}

TEST_CASE("A relative XDG_CACHE_HOME is ignored, as the XDG spec requires") {
  CacheEnvironment env;
  env.xdgCacheHome = "relative/cache";
  env.home = "/home/user";
  CHECK(*defaultCacheDirectory(env) == "/home/user/.cache/wasmrt");
}

TEST_CASE("Without any of the variables there is no default cache directory") {
  auto directory = defaultCacheDirectory(CacheEnvironment());
  REQUIRE_FALSE(directory);
  CHECK(directory.error().kind() == ErrorKind::Usage);
  CHECK_THAT(directory.error().message(), Catch::Contains("WASMRT_CACHE_DIR"));
}

TEST_CASE("CacheEnvironment::fromProcess treats empty variables as unset") {
  const char *savedHome = std::getenv("HOME");
  std::string home = savedHome ? savedHome : "";
  ::setenv("WASMRT_CACHE_DIR", "", 1);
  ::setenv("WASMRT_CACHE_MAX_SIZE", "64M", 1);
  ::setenv("HOME", "/home/someone", 1);
  CacheEnvironment env = CacheEnvironment::fromProcess();
  ::unsetenv("WASMRT_CACHE_DIR");
  ::unsetenv("WASMRT_CACHE_MAX_SIZE");
  if (savedHome)
    ::setenv("HOME", home.c_str(), 1);
  CHECK_FALSE(env.cacheDir);
  REQUIRE(env.maxSize);
  CHECK(*env.maxSize == "64M");
  REQUIRE(env.home);
  CHECK(*env.home == "/home/someone");
}

TEST_CASE("Cache sizes take bytes or binary K/M/G/T suffixes") {
  CHECK(*parseCacheSize("1073741824") == 1073741824);
  CHECK(*parseCacheSize("64k") == 64 * 1024);
  CHECK(*parseCacheSize("512M") == 512ull << 20);
  CHECK(*parseCacheSize("512MiB") == 512ull << 20);
  CHECK(*parseCacheSize("2G") == 2ull << 30);
  CHECK(*parseCacheSize("1T") == 1ull << 40);
  for (const char *bad : {"", "0", "0M", "M", "-1", "1.5G", "12X", "1GB", "1 G", "16777216T",
                          "99999999999999999999"}) {
    auto size = parseCacheSize(bad);
    CHECK_FALSE(size);
    if (!size) {
      CHECK(size.error().kind() == ErrorKind::Usage);
      CHECK_THAT(size.error().message(), Catch::Contains(std::string("'") + bad + "'"));
    }
  }
}

TEST_CASE("WASMRT_CACHE_MAX_SIZE sets the bound, a bad value is a usage error") {
  CacheEnvironment env;
  CHECK(cacheOptionsFromEnvironment(env)->maxSizeBytes == kDefaultMaxCacheSize);
  env.maxSize = "256M";
  CHECK(cacheOptionsFromEnvironment(env)->maxSizeBytes == 256ull << 20);
  env.maxSize = "lots";
  auto options = cacheOptionsFromEnvironment(env);
  REQUIRE_FALSE(options);
  CHECK(options.error().kind() == ErrorKind::Usage);
  CHECK_THAT(options.error().message(), Catch::Contains("WASMRT_CACHE_MAX_SIZE"));
}
