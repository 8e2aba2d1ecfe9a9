// Start-up of a whole process: a C hello world (test/programs/hello.c) built
// natively and run by `wasmrt run` from a precompiled artifact, from a
// code-cache hit and, for reference, JIT-compiled with nothing cached.
// Targets (docs/AOT.md issue): artifact median <= 1.0 ms, peak RSS <= 5 MB;
// a cache hit within 1.5x of the artifact.
//
// The variants run interleaved, one process each per round, so machine noise
// hits them alike; medians and 90th percentiles of wall time (spawn to exit)
// and the largest peak RSS are printed with the ratios to native.
//
// Usage: bench_startup    Environment: WASMRT_STARTUP_RUNS (default 200).
#include "ProcessRunner.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace wasmrt::bench;

namespace {

struct Variant {
  Variant(const char *name, std::vector<std::string> args) : name(name), args(std::move(args)) {}
  const char *name;
  std::vector<std::string> args;
  std::vector<double> seconds;
  long maxRssKiB = 0;
  bool failed = false;
};

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, size_t(p * double(values.size())))];
}

} // namespace

int main() {
  const char *runsText = std::getenv("WASMRT_STARTUP_RUNS");
  int runs = runsText && std::atoi(runsText) > 0 ? std::atoi(runsText) : 200;
  const std::string data = WASMRT_BENCH_DATA_DIR, cli = WASMRT_CLI_PATH;
  char scratchTemplate[] = "/tmp/wasmrt-bench-startup-XXXXXX";
  if (!mkdtemp(scratchTemplate)) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string scratch = scratchTemplate, wasm = data + "/hello.wasm";
  const std::string artifact = scratch + "/hello.cwasm", cache = scratch + "/cache";
  if (!runProcess({cli, "compile", "-o", artifact, wasm}) ||
      !runProcess({cli, "compile", "--cache", "--cache-dir", cache, wasm})) {
    std::fprintf(stderr, "wasmrt compile failed\n");
    return 1;
  }
  struct stat info {};
  stat(artifact.c_str(), &info);
  std::vector<Variant> variants = {
      {"native", {data + "/hello", "a"}},
      {"wasmrt run hello.cwasm", {cli, "run", artifact, "a"}},
      {"wasmrt run hello.wasm (cache hit)", {cli, "run", "--cache-dir", cache, wasm, "a"}},
      {"wasmrt --version", {cli, "--version"}},
  };
  Variant jit{"wasmrt run hello.wasm (no cache, JIT)", {cli, "run", "--no-cache", wasm, "a"}};
  std::string expected;
  for (int round = 0; round < runs; ++round) {
    for (Variant &variant : variants) {
      auto result = runProcess(variant.args);
      if (!result) {
        variant.failed = true;
        continue;
      }
      if (&variant == &variants[0])
        expected = result->output;
      else if (&variant != &variants.back() && result->output != expected)
        variant.failed = true;
      variant.seconds.push_back(result->seconds);
      variant.maxRssKiB = std::max(variant.maxRssKiB, result->maxRssKiB);
    }
    // JIT runs take ~100x longer: a few are enough for the reference.
    if (round < 5)
      if (auto result = runProcess(jit.args)) {
        jit.seconds.push_back(result->seconds);
        jit.maxRssKiB = std::max(jit.maxRssKiB, result->maxRssKiB);
      }
  }
  variants.push_back(jit);
  std::printf("C hello world, whole process, %d interleaved runs (5 for the JIT); artifact %lld bytes\n",
              runs, static_cast<long long>(info.st_size));
  std::printf("%-40s %10s %10s %8s %10s\n", "", "median ms", "p90 ms", "ratio", "peak RSS");
  double native = variants[0].seconds.empty() ? 0 : percentile(variants[0].seconds, 0.5);
  bool failed = false;
  for (const Variant &variant : variants) {
    if (variant.failed || variant.seconds.empty()) {
      std::printf("%-40s failed (or printed something else than native)\n", variant.name);
      failed = true;
      continue;
    }
    double median = percentile(variant.seconds, 0.5);
    std::printf("%-40s %10.3f %10.3f %8.2f %7.1f MB\n", variant.name, median * 1e3,
                percentile(variant.seconds, 0.9) * 1e3, native > 0 ? median / native : 0.0,
                double(variant.maxRssKiB) / 1024.0);
  }
  std::string cleanup = "rm -rf '" + scratch + "'";
  if (std::system(cleanup.c_str()) != 0)
    std::fprintf(stderr, "cannot remove %s\n", scratch.c_str());
  return failed ? 1 : 0;
}
