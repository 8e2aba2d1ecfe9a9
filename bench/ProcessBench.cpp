// Whole-process time of `wasmrt run` against the same program built natively
// (issue targets: nothing cached within 1.5x of native, compilation included;
// from a precompiled artifact or a code-cache hit within 1.10x).
//
// Each benchmark kernel is built twice as a command-line program
// (bench/programs/kernel_main.c): natively with clang-19 -O2 and for
// wasm32-wasi with clang-19 -O2. Every run is a fresh process started with
// posix_spawn; the wall-clock time from spawn to exit is measured, the median
// of WASMRT_PROCESS_RUNS runs (default 5) is reported, and the checksum the
// program prints must be the same natively and under wasmrt.
//
// Usage: bench_process [KERNEL...]    (default: all kernels)
// Environment: WASMRT_PROCESS_RUNS, WASMRT_PROCESS_SCALE (multiplies every
// kernel's scale; default 1: ~0.2-0.5 s natively on the development machine).
#include "ProcessRunner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt {
namespace {

struct Kernel {
  const char *name;
  unsigned scale; // ~0.2-0.5 s natively on the development machine
  // One of the five kernels the JIT issue's target names. The SIMD kernels'
  // scalar C loops are vectorised by the JIT for the host CPU but only for
  // SSE2 in the baseline native build, so they flatter the overall geomean.
  bool core;
};

const Kernel kKernels[] = {
    {"integer", 200, true},      {"float", 256, true},       {"memory", 32, true},
    {"calls", 512, true},        {"indirect", 112, true},    {"simd_blur", 1600, false},
    {"simd_dot", 1280, false},   {"simd_search", 480, false},
};


// A run configuration of wasmrt: the CLI options it adds before the module,
// and where the code comes from.
enum class CodeFrom { Jit, Artifact, Cache };
struct Mode {
  const char *name;
  std::vector<std::string> options;
  CodeFrom from = CodeFrom::Jit;
};

// Nothing cached (lazy in each tier: tiered is the default, int1st is tiered
// with the interpreter first, interp the interpreter alone; eager); a
// precompiled artifact (`wasmrt compile` once, then `wasmrt run FILE.cwasm`);
// a code-cache hit (the cache filled once).
const Mode kModes[] = {
    {"tiered", {"--no-cache"}},
    {"int1st", {"--no-cache", "--first-tier", "interp"}},
    {"interp", {"--no-cache", "--tier", "interp"}},
    {"baseline", {"--no-cache", "--tier", "baseline"}},
    {"optimzd", {"--no-cache", "--tier", "optimized"}},
    {"eager", {"--no-cache", "--compilation", "eager"}},
    {"cwasm", {}, CodeFrom::Artifact},
    {"cached", {}, CodeFrom::Cache},
};

struct Geomean {
  std::vector<double> logRatios = std::vector<double>(std::size(kModes), 0.0);
  int count = 0;
  void add(const std::vector<double> &ratios) {
    for (size_t i = 0; i < ratios.size(); ++i)
      logRatios[i] += std::log(ratios[i]);
    ++count;
  }
  void print(const char *what) const {
    if (count == 0)
      return;
    std::printf("geomean ratio to native, %s:", what);
    for (size_t i = 0; i < std::size(kModes); ++i)
      std::printf(" %s %.3f", kModes[i].name, std::exp(logRatios[i] / count));
    std::printf("\n");
  }
};

using bench::RunResult;
using bench::runProcess;

// Median wall time of `runs` runs, with the output of the last one.
std::optional<RunResult> measure(const std::vector<std::string> &args, int runs) {
  std::vector<double> times;
  RunResult last;
  for (int i = 0; i < runs; ++i) {
    auto result = runProcess(args);
    if (!result)
      return std::nullopt;
    times.push_back(result->seconds);
    last = std::move(*result);
  }
  std::sort(times.begin(), times.end());
  last.seconds = times[times.size() / 2];
  return last;
}

// Compiles what `mode` runs from (untimed) and completes its command line
// with the file to run.
bool prepare(const Mode &mode, const std::string &wasmFile, const std::string &scratch,
             std::vector<std::string> &args) {
  switch (mode.from) {
  case CodeFrom::Jit:
    args.push_back(wasmFile);
    return true;
  case CodeFrom::Artifact: {
    std::string artifact = scratch + "/program.cwasm";
    args.push_back(artifact);
    return runProcess({WASMRT_CLI_PATH, "compile", "-o", artifact, wasmFile}).has_value();
  }
  case CodeFrom::Cache:
    args.insert(args.end(), {"--cache-dir", scratch + "/cache", wasmFile});
    return runProcess({WASMRT_CLI_PATH, "compile", "--cache", "--cache-dir", scratch + "/cache",
                       wasmFile})
        .has_value();
  }
  return false;
}

int envInt(const char *name, int fallback) {
  const char *value = std::getenv(name);
  return value && std::atoi(value) > 0 ? std::atoi(value) : fallback;
}

} // namespace
} // namespace wasmrt

using namespace wasmrt;

int main(int argc, char **argv) {
  int runs = envInt("WASMRT_PROCESS_RUNS", 5);
  int scaleFactor = envInt("WASMRT_PROCESS_SCALE", 1);
  std::vector<std::string> selected(argv + 1, argv + argc);
  const std::string dataDir = WASMRT_BENCH_DATA_DIR;
  char scratchTemplate[] = "/tmp/wasmrt-bench-process-XXXXXX";
  if (!mkdtemp(scratchTemplate)) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string scratch = scratchTemplate;

  std::printf("whole-process wall time, median of %d runs (s)\n%-12s %8s", runs, "kernel",
              "native");
  for (const Mode &mode : kModes)
    std::printf(" %8s %8s", mode.name, "ratio");
  std::printf("\n");
  Geomean all, core;
  bool failed = false;
  for (const Kernel &kernel : kKernels) {
    if (!selected.empty() &&
        std::find(selected.begin(), selected.end(), kernel.name) == selected.end())
      continue;
    std::string scale = std::to_string(kernel.scale * unsigned(scaleFactor));
    auto native = measure({dataDir + "/program_" + kernel.name, scale}, runs);
    if (!native) {
      std::fprintf(stderr, "%s: the native program failed\n", kernel.name);
      failed = true;
      continue;
    }
    std::printf("%-12s %8.3f", kernel.name, native->seconds);
    std::vector<double> ratios;
    for (const Mode &mode : kModes) {
      std::string wasmFile = dataDir + "/program_" + kernel.name + ".wasm";
      std::vector<std::string> args = {WASMRT_CLI_PATH, "run"};
      args.insert(args.end(), mode.options.begin(), mode.options.end());
      if (!prepare(mode, wasmFile, scratch, args)) {
        std::fprintf(stderr, "\n%s (%s): wasmrt compile failed\n", kernel.name, mode.name);
        failed = true;
        ratios.push_back(NAN);
        std::printf(" %8s %8s", "-", "-");
        continue;
      }
      args.push_back(scale);
      auto wasm = measure(args, runs);
      if (!wasm || wasm->output != native->output) {
        std::fprintf(stderr, "\n%s (%s): %s\n", kernel.name, mode.name,
                     wasm ? "output differs from the native program's" : "wasmrt run failed");
        failed = true;
        ratios.push_back(NAN);
        std::printf(" %8s %8s", "-", "-");
        continue;
      }
      ratios.push_back(wasm->seconds / native->seconds);
      std::printf(" %8.3f %8.3f", wasm->seconds, ratios.back());
    }
    std::printf("\n");
    std::fflush(stdout);
    if (std::none_of(ratios.begin(), ratios.end(), [](double r) { return std::isnan(r); })) {
      all.add(ratios);
      if (kernel.core)
        core.add(ratios);
    }
  }
  core.print("integer, float, memory, calls, indirect (the target)");
  all.print("all kernels");
  std::string cleanup = "rm -rf '" + scratch + "'";
  if (std::system(cleanup.c_str()) != 0)
    std::fprintf(stderr, "cannot remove %s\n", scratch.c_str());
  return failed ? 1 : 0;
}
