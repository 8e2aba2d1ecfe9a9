// JIT compile time: Engine::load (translate, optimise, code-generate, link) of
// large_O1.wasm and each kernel module, at -O0 and -O2 with 1 and 2 compile
// threads. Wall-clock time (the work runs on the JIT's threads); the summary
// prints milliseconds per MB of code-section bytes (function bodies).
//
// compile/interp_<size>/...: one interpreter-style function (a dispatch loop
// over a br_table, case bodies of register arithmetic, loads, stores and
// branches on 16 i32 + 8 i64 locals) of about 1 KB, 10 KB, 100 KB and 1 MB of
// Wasm code, alone in its module: the critical path of compiling one huge
// function at each level (one function cannot be split across threads).
//   bench_compile [--benchmark_filter=...] [--benchmark_repetitions=3]
#include "BenchRuntime.h"

#include <benchmark/benchmark.h>

#include <algorithm>
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

// Appends one "micro-op" of an interpreter case: register arithmetic, a load,
// a store or a short branch, on locals $r0..$r15 (i32) and $q0..$q7 (i64).
void appendMicroOp(std::string &wat, uint32_t &seed) {
  auto next = [&seed](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  auto r = [&] { return " $r" + std::to_string(next(16)); };
  auto q = [&] { return " $q" + std::to_string(next(8)); };
  static const char *const i32Ops[] = {"i32.add", "i32.sub", "i32.mul", "i32.xor",
                                       "i32.and", "i32.or",  "i32.shl", "i32.shr_u"};
  static const char *const i64Ops[] = {"i64.add", "i64.sub", "i64.mul", "i64.xor"};
  switch (next(6)) {
  case 0:
  case 1:
    wat += "local.get" + r() + " local.get" + r() + " " + i32Ops[next(8)] + " local.set" + r() +
           "\n";
    break;
  case 2:
    wat += "local.get" + q() + " local.get" + r() + " i64.extend_i32_u " + i64Ops[next(4)] +
           " local.set" + q() + "\n";
    break;
  case 3:
    wat += "local.get" + r() + " i32.const 4095 i32.and i32.load offset=" +
           std::to_string(next(64) * 4) + " local.set" + r() + "\n";
    break;
  case 4:
    wat += "local.get" + r() + " i32.const 4095 i32.and local.get" + r() + " i32.store offset=" +
           std::to_string(next(64) * 4) + "\n";
    break;
  default: {
    std::string target = r();
    wat += "local.get" + r() + " local.get" + r() + " i32.lt_u if local.get" + target +
           " i32.const 1 i32.add local.set" + target + " end\n";
  }
  }
}

// One exported function `run(pc, n)`: a bytecode interpreter's shape, the
// dispatch loop reading an opcode byte at pc and branching through a
// br_table to one of `cases` handlers, each `opsPerCase` micro-ops long.
std::string interpreterWat(uint32_t cases, uint32_t opsPerCase) {
  std::string wat = "(module (memory 1) (func (export \"run\") (param $pc i32) (param $n i32) "
                    "(result i32)\n";
  for (int i = 0; i < 16; ++i)
    wat += "(local $r" + std::to_string(i) + " i32)";
  for (int i = 0; i < 8; ++i)
    wat += "(local $q" + std::to_string(i) + " i64)";
  wat += "\nloop $dispatch\nblock $exit\n";
  for (uint32_t c = cases; c-- > 0;)
    wat += "block $c" + std::to_string(c) + "\n";
  wat += "local.get $pc i32.load8_u br_table";
  for (uint32_t c = 0; c < cases; ++c)
    wat += " $c" + std::to_string(c);
  wat += " $exit\n";
  uint32_t seed = 12345;
  for (uint32_t c = 0; c < cases; ++c) {
    wat += "end\n";
    for (uint32_t op = 0; op < opsPerCase; ++op)
      appendMicroOp(wat, seed);
    wat += "local.get $pc i32.const 1 i32.add local.set $pc\n"
           "local.get $n i32.const 1 i32.sub local.tee $n br_if $dispatch br $exit\n";
  }
  wat += "end\nend\n";
  for (int i = 0; i < 16; ++i)
    wat += "local.get $r" + std::to_string(i) + (i ? " i32.add\n" : "\n");
  for (int i = 0; i < 8; ++i)
    wat += "local.get $q" + std::to_string(i) + " i32.wrap_i64 i32.add\n";
  wat += "))";
  return wat;
}

// About `bytes` of Wasm code in one function.
Expected<std::shared_ptr<const Module>> interpreterModule(size_t bytes) {
  uint32_t cases = uint32_t(std::clamp<size_t>(bytes / 400, 4, 256));
  // A micro-op is 10.5 bytes of code on average; a case's dispatch tail 14.
  uint32_t ops = uint32_t(std::max<size_t>(1, (bytes / cases) * 2 / 21));
  return bench::moduleFromWat(interpreterWat(cases, ops));
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
  inputs.reserve(names.size() + 4);
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
  for (auto [label, bytes] : {std::pair<const char *, size_t>{"interp_1KB", 1 << 10},
                              {"interp_10KB", 10 << 10},
                              {"interp_100KB", 100 << 10},
                              {"interp_1MB", 1 << 20}}) {
    auto module = interpreterModule(bytes);
    if (!module) {
      std::fprintf(stderr, "%s: %s\n", label, module.error().message().c_str());
      return 1;
    }
    inputs.push_back(Input{label, *module, codeSectionBytes(**module)});
    codeBytes[label] = inputs.back().codeBytes;
  }
  for (const Input &input : inputs)
    for (unsigned opt : {0u, 2u})
      for (unsigned threads : {1u, 2u}) {
        if (threads > 1 && input.name.starts_with("interp_"))
          continue; // one function: one thread
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
