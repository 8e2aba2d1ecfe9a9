// Decode and validate throughput (MB/s) on large generated modules.
//   bench_decode_validate [--benchmark_filter=...]
// Modules come from bench/data (built with the bench_modules target) or from
// the paths in WASMRT_BENCH_MODULES (colon-separated).
#include "binary/Decoder.h"
#include "support/File.h"
#include "validation/Validator.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

void decodeOnly(benchmark::State &state, const std::vector<uint8_t> &bytes) {
  for (auto _ : state) {
    auto module = decodeModule(std::span<const uint8_t>(bytes));
    if (!module) {
      state.SkipWithError(module.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(module->code.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}

void decodeAndValidate(benchmark::State &state, const std::vector<uint8_t> &bytes) {
  for (auto _ : state) {
    auto module = decodeModule(std::span<const uint8_t>(bytes));
    if (!module) {
      state.SkipWithError(module.error().message().c_str());
      return;
    }
    auto valid = validateModule(*module);
    if (!valid) {
      state.SkipWithError(valid.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(module->functionFacts.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}

std::vector<std::string> modulePaths() {
  std::vector<std::string> paths;
  if (const char *list = std::getenv("WASMRT_BENCH_MODULES")) {
    std::stringstream stream(list);
    for (std::string path; std::getline(stream, path, ':');)
      if (!path.empty())
        paths.push_back(path);
    return paths;
  }
  for (const char *name : {"large_O0.wasm", "large_O1.wasm"})
    paths.push_back(std::string(WASMRT_BENCH_DATA_DIR) + "/" + name);
  return paths;
}

} // namespace

int main(int argc, char **argv) {
  // Inputs live as long as the benchmarks that capture them.
  std::vector<std::vector<uint8_t>> inputs;
  std::vector<std::string> paths = modulePaths();
  inputs.reserve(paths.size());
  for (const std::string &path : paths) {
    auto bytes = readFileBytes(path);
    if (!bytes) {
      std::fprintf(stderr, "%s\n", bytes.error().message().c_str());
      return 1;
    }
    inputs.push_back(std::move(*bytes));
    std::string name = path.substr(path.find_last_of('/') + 1);
    const auto &input = inputs.back();
    benchmark::RegisterBenchmark(("decode/" + name).c_str(), decodeOnly, std::cref(input))
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("decode+validate/" + name).c_str(), decodeAndValidate,
                                 std::cref(input))
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
