// JIT compile time: Engine::load (translate, optimise, code-generate, link) of
// large_O1.wasm and each kernel module, at -O0 and -O2 with 1 and 2 compile
// threads. Wall-clock time (the work runs on the JIT's threads); the summary
// prints milliseconds per MB of code-section bytes (function bodies).
//   bench_compile [--benchmark_filter=...] [--benchmark_repetitions=3]
#include "BenchRuntime.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

struct Input {
  std::string name;
  std::shared_ptr<const Module> module;
  size_t codeBytes = 0;
};

size_t codeSectionBytes(const Module &module) {
  size_t bytes = 0;
  for (const FunctionBody &body : module.code)
    bytes += body.codeOffset + body.code.size() - body.bodyOffset;
  return bytes;
}

void compile(benchmark::State &state, const Input *input, unsigned optLevel, unsigned threads) {
  EngineConfig config;
  config.optLevel = optLevel;
  config.compileThreads = threads;
  config.lazyCompilation = false; // the whole module, as before anything runs
  Engine engine(config, createCompilerBackend()); // linked in: see CMakeLists.txt
  for (auto _ : state) {
    auto loaded = engine.load(input->module);
    if (!loaded) {
      state.SkipWithError(loaded.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(loaded);
  }
  state.counters["code_KB"] = double(input->codeBytes) / 1024;
}

class CompileReporter : public benchmark::ConsoleReporter {
public:
  explicit CompileReporter(std::map<std::string, size_t> codeBytes)
      : ConsoleReporter(isatty(1) ? OO_ColorTabular : OO_Tabular),
        codeBytes_(std::move(codeBytes)) {}
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
      bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.error_occurred || (run.run_type == Run::RT_Aggregate && !median))
        continue;
      double ms = run.GetAdjustedRealTime() * 1e3 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      std::string name = run.run_name.function_name;
      if (median || !medians_.count(name))
        ms_[name] = ms;
      if (median)
        medians_[name] = true;
    }
  }
  void printSummary() const {
    std::printf("\n%-40s %10s %10s %10s\n", "compile (wall clock)", "code KB", "ms", "ms/MB");
    for (const auto &[name, ms] : ms_) {
      // name: compile/<module>/O<n>/threads:<t>
      std::string module = name.substr(8, name.find('/', 8) - 8);
      auto bytes = codeBytes_.find(module);
      if (bytes == codeBytes_.end())
        continue;
      double mb = double(bytes->second) / (1024.0 * 1024.0);
      std::printf("%-40s %10.1f %10.2f %10.0f\n", name.c_str(), double(bytes->second) / 1024,
                  ms, ms / mb);
    }
  }

private:
  std::map<std::string, size_t> codeBytes_;
  std::map<std::string, double> ms_;
  std::map<std::string, bool> medians_;
};

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> names = {"large_O1"};
  for (const char *kernel : {"integer", "float", "memory", "calls", "indirect", "simd_blur",
                             "simd_dot", "simd_search"})
    names.push_back(std::string("kernel_") + kernel);
  std::vector<Input> inputs;
  inputs.reserve(names.size());
  std::map<std::string, size_t> codeBytes;
  for (const std::string &name : names) {
    auto module = bench::moduleFromFile(std::string(WASMRT_BENCH_DATA_DIR) + "/" + name + ".wasm");
    if (!module) {
      std::fprintf(stderr, "%s\n", module.error().message().c_str());
      return 1;
    }
    inputs.push_back(Input{name, *module, codeSectionBytes(**module)});
    codeBytes[name] = inputs.back().codeBytes;
  }
  for (const Input &input : inputs)
    for (unsigned opt : {0u, 2u})
      for (unsigned threads : {1u, 2u}) {
        std::string name = "compile/" + input.name + "/O" + std::to_string(opt) +
                           "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), compile, &input, opt, threads)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  CompileReporter reporter(codeBytes);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.printSummary();
  benchmark::Shutdown();
  return 0;
}
