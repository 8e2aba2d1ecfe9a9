// `wasmrt run`'s command line: options up to the module file, then the guest's
// arguments. Documented in docs/CLI.md.
#pragma once

#include "wasmrt/Wasi.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wasmrt::cli {

inline constexpr int kUsageError = 2;

struct RunOptions {
  std::vector<WasiPreopenDir> dirs;
  std::vector<WasiEnvVar> env;
  std::vector<std::string> listen;
  std::optional<std::string> invoke;
  unsigned optLevel = 2;
  CompilationMode compilation = CompilationMode::Lazy;
  // --tier, --tier-up-threshold (Config::tiering); unset: the Config default.
  Tiering tiering = Tiering::Tiered;
  std::optional<FirstTier> firstTier; // --first-tier
  std::optional<uint32_t> tierUpThreshold;
  bool boundsChecks = false;
  // Resource limits: each is off unless its flag is given.
  std::optional<std::chrono::milliseconds> timeout;
  std::string timeoutText; // as given, for messages
  std::optional<uint64_t> fuel;
  std::optional<uint64_t> maxMemory; // bytes
  // The code cache (docs/CACHE.md): on unless --no-cache; --cache-dir or
  // WASMRT_CACHE_DIR, else the default directory.
  bool cache = true;
  std::string cacheDir;
  std::string file;
  std::vector<std::string> args; // guest argv after argv[0], or --invoke arguments
};

// Prints "wasmrt run: MESSAGE" and the usage to stderr; returns kUsageError.
int usageError(const std::string &message);

// Parses options up to the module file; returns an exit status on error.
std::optional<int> parseRunOptions(std::span<const std::string> args, RunOptions &options);

// "200ms", "5s", "1m", "2h"; a plain number is seconds. nullopt if malformed.
std::optional<std::chrono::milliseconds> parseDuration(const std::string &text);
// "65536", "64KiB", "16MiB", "1GiB" (K, M, G alone mean the same). nullopt if
// malformed or beyond 2^64 - 1.
std::optional<uint64_t> parseByteSize(const std::string &text);

} // namespace wasmrt::cli
