// Execution speed of the JIT against native code on the same C kernels.
//   bench_kernels [--benchmark_filter=...] [--benchmark_repetitions=3]
// native/<k> calls the kernel compiled natively (clang-19 -O2, baseline x86-64),
// native-host/<k> the same with -march=native (the JIT targets the host CPU too),
// wasm/<k> calls kernel_run of kernel_<k>.wasm (clang-19 -O2, wasm32-wasi) on
// the JIT, and wasm-simd/<k> the -msimd128 build of the SIMD kernels. Compilation and
// instantiation happen before timing. Checksums of native and wasm runs must
// agree. After the run, a summary prints wasm/native CPU-time ratios (medians
// when repeated) and their geometric means (console format only).
// Environment: WASMRT_BENCH_OPT (JIT optimisation level, default 2),
// WASMRT_BENCH_BOUNDS_CHECKS=1 (bounds-checked memory mode),
// WASMRT_KERNEL_SCALE (overrides every kernel's scale, for calibration).
#include "BenchRuntime.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
uint64_t kernel_run_integer(uint32_t);
uint64_t kernel_run_float(uint32_t);
uint64_t kernel_run_memory(uint32_t);
uint64_t kernel_run_calls(uint32_t);
uint64_t kernel_run_indirect(uint32_t);
uint64_t kernel_run_simd_blur(uint32_t);
uint64_t kernel_run_simd_dot(uint32_t);
uint64_t kernel_run_simd_search(uint32_t);
uint64_t kernel_run_integer_host(uint32_t);
uint64_t kernel_run_float_host(uint32_t);
uint64_t kernel_run_memory_host(uint32_t);
uint64_t kernel_run_calls_host(uint32_t);
uint64_t kernel_run_indirect_host(uint32_t);
uint64_t kernel_run_simd_blur_host(uint32_t);
uint64_t kernel_run_simd_dot_host(uint32_t);
uint64_t kernel_run_simd_search_host(uint32_t);
}

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

struct Kernel {
  const char *name;
  uint64_t (*native)(uint32_t);
  uint64_t (*nativeHost)(uint32_t); // -march=native
  uint32_t scale; // ~50-200 ms per call on the development machine
  bool simd;
};

const Kernel kKernels[] = {
    {"integer", kernel_run_integer, kernel_run_integer_host, 48, false},
    {"float", kernel_run_float, kernel_run_float_host, 64, false},
    {"memory", kernel_run_memory, kernel_run_memory_host, 8, false},
    {"calls", kernel_run_calls, kernel_run_calls_host, 128, false},
    {"indirect", kernel_run_indirect, kernel_run_indirect_host, 28, false},
    {"simd_blur", kernel_run_simd_blur, kernel_run_simd_blur_host, 400, true},
    {"simd_dot", kernel_run_simd_dot, kernel_run_simd_dot_host, 320, true},
    {"simd_search", kernel_run_simd_search, kernel_run_simd_search_host, 120, true},
};

uint32_t scaleOf(const Kernel &kernel) {
  if (const char *scale = std::getenv("WASMRT_KERNEL_SCALE"))
    return uint32_t(std::strtoul(scale, nullptr, 10));
  return kernel.scale;
}

// The native checksum per kernel, computed once (outside any timing).
uint64_t nativeChecksum(const Kernel &kernel) {
  thread_local std::map<std::string, uint64_t> cache;
  auto found = cache.find(kernel.name);
  if (found == cache.end())
    found = cache.emplace(kernel.name, kernel.native(scaleOf(kernel))).first;
  return found->second;
}

void runNative(benchmark::State &state, const Kernel *kernel, bool host) {
  uint32_t scale = scaleOf(*kernel);
  uint64_t checksum = 0;
  for (auto _ : state) {
    checksum = host ? kernel->nativeHost(scale) : kernel->native(scale);
    benchmark::DoNotOptimize(checksum);
  }
  state.counters["checksum"] = double(checksum % 1000000);
}

void runWasm(benchmark::State &state, Engine *engine, const Kernel *kernel,
             const std::string &path) {
  auto fail = [&](const Error &error) { state.SkipWithError(error.message().c_str()); };
  auto module = bench::moduleFromFile(path);
  if (!module)
    return fail(module.error());
  auto loaded = engine->load(*module);
  if (!loaded)
    return fail(loaded.error());
  Store store(*engine);
  auto instance = bench::instantiateWithStubs(store, *loaded);
  if (!instance)
    return fail(instance.error());
  if ((*instance)->exportNamed("_initialize"))
    if (auto init = (*instance)->invoke("_initialize", {}); !init)
      return fail(init.error());
  uint32_t scale = scaleOf(*kernel);
  // A short warm-up call, so that lazily compiled bodies exist before timing.
  Value warmUp = Value::i32(1);
  if (auto warm = (*instance)->invoke("kernel_run", std::span<const Value>(&warmUp, 1)); !warm)
    return fail(warm.error());
  Value arg = Value::i32(int32_t(scale));
  uint64_t checksum = 0;
  for (auto _ : state) {
    auto results = (*instance)->invoke("kernel_run", std::span<const Value>(&arg, 1));
    if (!results)
      return fail(results.error());
    checksum = (*results)[0].bits;
  }
  if (checksum != nativeChecksum(*kernel)) {
    std::string message = "checksum mismatch: wasm " + std::to_string(checksum) + ", native " +
                          std::to_string(nativeChecksum(*kernel));
    state.SkipWithError(message.c_str());
    return;
  }
  state.counters["checksum"] = double(checksum % 1000000);
}

std::string fmtNumber(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", v);
  return buffer;
}

// The console output plus, at the end, wasm/native ratios of CPU time.
class RatioReporter : public benchmark::ConsoleReporter {
public:
  RatioReporter() : ConsoleReporter(isatty(1) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
      if (run.error_occurred)
        continue;
      // With repetitions use the median; without, the single run.
      bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median)
        continue;
      std::string name = run.run_name.function_name;
      if (median || !medianSeen_.count(name))
        cpu_[name] = run.GetAdjustedCPUTime();
      if (median)
        medianSeen_[name] = true;
    }
  }

  void printSummary(std::FILE *out) const {
    std::fprintf(out, "\nwasm/native CPU-time ratio (JIT -O%s%s)\n",
                 std::getenv("WASMRT_BENCH_OPT") ? std::getenv("WASMRT_BENCH_OPT") : "2",
                 std::getenv("WASMRT_BENCH_BOUNDS_CHECKS") ? ", bounds checks" : "");
    std::fprintf(out, "%-12s %9s %9s %9s %9s %8s %8s %9s %9s\n", "kernel", "native", "host",
                 "wasm", "simd", "wasm/nat", "simd/nat", "wasm/host", "simd/host");
    double logSum = 0, logSimdSum = 0, logHostSum = 0, logHostSimdSum = 0;
    int count = 0;
    for (const Kernel &kernel : kKernels) {
      auto get = [&](const std::string &prefix) {
        auto found = cpu_.find(prefix + "/" + kernel.name);
        return found == cpu_.end() ? 0.0 : found->second;
      };
      double native = get("native"), host = get("native-host"), wasm = get("wasm"),
             simd = get("wasm-simd");
      if (native <= 0 || host <= 0 || wasm <= 0)
        continue;
      // Kernels with a -msimd128 build count with it in the "SIMD" geomeans.
      double withSimd = simd > 0 ? simd : wasm;
      logSum += std::log(wasm / native);
      logSimdSum += std::log(withSimd / native);
      logHostSum += std::log(wasm / host);
      logHostSimdSum += std::log(withSimd / host);
      ++count;
      auto cell = [](double v) { return v > 0 ? fmtNumber(v) : std::string("-"); };
      std::fprintf(out, "%-12s %9.2f %9.2f %9.2f %9s %8.3f %8s %9.3f %9s\n", kernel.name, native,
                   host, wasm, cell(simd).c_str(), wasm / native,
                   cell(simd > 0 ? simd / native : 0).c_str(), wasm / host,
                   cell(simd > 0 ? simd / host : 0).c_str());
    }
    if (count > 0)
      std::fprintf(out,
                   "geomean (ms are CPU time): wasm/native %.3f, with SIMD builds %.3f; "
                   "wasm/host-native %.3f, with SIMD builds %.3f\n",
                   std::exp(logSum / count), std::exp(logSimdSum / count),
                   std::exp(logHostSum / count), std::exp(logHostSimdSum / count));
  }

private:
  std::map<std::string, double> cpu_; // benchmark name -> CPU time in the display unit
  std::map<std::string, bool> medianSeen_;
};

} // namespace

int main(int argc, char **argv) {
  EngineConfig config;
  // Execution only: eager by default; WASMRT_BENCH_LAZY=1 measures the code
  // lazy compilation produces (bodies compiled before timing, see below).
  config.lazyCompilation = std::getenv("WASMRT_BENCH_LAZY") != nullptr;
  if (const char *opt = std::getenv("WASMRT_BENCH_OPT"))
    config.optLevel = unsigned(std::atoi(opt));
  if (std::getenv("WASMRT_BENCH_BOUNDS_CHECKS"))
    config.memoryMode = MemoryMode::BoundsChecked;
  Engine engine(config, createCompilerBackend()); // linked in: see CMakeLists.txt
  std::vector<std::string> paths; // kept alive for the registered lambdas
  paths.reserve(std::size(kKernels) * 2);
  for (const Kernel &kernel : kKernels) {
    std::string dir = WASMRT_BENCH_DATA_DIR;
    benchmark::RegisterBenchmark((std::string("native/") + kernel.name).c_str(), runNative,
                                 &kernel, false)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("native-host/") + kernel.name).c_str(), runNative,
                                 &kernel, true)
        ->Unit(benchmark::kMillisecond);
    paths.push_back(dir + "/kernel_" + kernel.name + ".wasm");
    benchmark::RegisterBenchmark((std::string("wasm/") + kernel.name).c_str(), runWasm, &engine,
                                 &kernel, paths.back())
        ->Unit(benchmark::kMillisecond);
    if (kernel.simd) {
      paths.push_back(dir + "/kernel_" + kernel.name + "_simd.wasm");
      benchmark::RegisterBenchmark((std::string("wasm-simd/") + kernel.name).c_str(), runWasm,
                                   &engine, &kernel, paths.back())
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  bool console = true;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--benchmark_format=", 19) == 0 &&
        std::strcmp(argv[i] + 19, "console") != 0)
      console = false;
  if (console) {
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.printSummary(stdout);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
