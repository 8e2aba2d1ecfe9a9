// Host <-> wasm call overhead.
//   bench_calls [--benchmark_filter=...]
// host->wasm: one call of an exported (param i32) (result i32) identity
//   invoke:      Instance::invoke (argument checks, slots, trap handling)
//   trap-entry:  the entry trampoline inside callWithTrapHandling, no Value
//                conversion (what Store::call costs without its bookkeeping)
//   trampoline:  the raw entry trampoline, no trap handling (lower bound)
// wasm->host: a wasm loop of N calls of an imported host identity, against
//   the same loop with the call replaced by its argument; the per-call cost
//   is (loop with calls - loop without) / N (the summary prints it).
// JIT optimisation level: WASMRT_BENCH_OPT (default 2).
#include "BenchRuntime.h"
#include "runtime/TrapHandler.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <unistd.h>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

constexpr int32_t kLoopCalls = 1'000'000;

constexpr const char *kWat = R"((module
  (import "env" "id" (func $hostId (param i32) (result i32)))
  (func (export "id") (param i32) (result i32) (local.get 0))
  ;; acc = acc * 3 + f(i) for i in [0, n): a dependency chain LLVM cannot fold
  (func (export "loop_host") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
                               (call $hostId (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $acc))
  (func (export "loop_base") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $acc)))
)";

struct Fixture {
  Engine *engine;
  std::shared_ptr<const LoadedModule> loaded;
  Store *store;
  Instance *instance;
};

void invokeIdentity(benchmark::State &state, Fixture *f) {
  Value arg = Value::i32(7);
  for (auto _ : state) {
    auto results = f->instance->invoke("id", std::span<const Value>(&arg, 1));
    benchmark::DoNotOptimize(results);
  }
}

struct RawCall {
  abi::EntryTrampoline trampoline;
  const abi::FuncRef *func;
  abi::ValueSlot *slots;
};

void trapEntryIdentity(benchmark::State &state, Fixture *f) {
  const abi::FuncRef *func = f->instance->exportNamed("id")->func;
  uint32_t typeIndex = f->loaded->module->funcs[func->funcIndex];
  abi::ValueSlot slot{};
  RawCall call{f->loaded->compiled->entryTrampoline(typeIndex), func, &slot};
  Store *store = f->store;
  for (auto _ : state) {
    storeValue(slot, Value::i32(7));
    auto done = callWithTrapHandling(
        [&] {
          store->refreshStackLimit();
          call.trampoline(call.func->code, call.func->context, call.slots);
        },
        nullptr, f->engine->config().entry);
    benchmark::DoNotOptimize(done);
    benchmark::DoNotOptimize(slot);
  }
}

void rawTrampolineIdentity(benchmark::State &state, Fixture *f) {
  const abi::FuncRef *func = f->instance->exportNamed("id")->func;
  uint32_t typeIndex = f->loaded->module->funcs[func->funcIndex];
  abi::EntryTrampoline trampoline = f->loaded->compiled->entryTrampoline(typeIndex);
  abi::ValueSlot slot{};
  // The context's stack limit was set by an earlier invoke; the identity
  // cannot trap, so no trap handling is needed for this measurement.
  for (auto _ : state) {
    storeValue(slot, Value::i32(7));
    trampoline(func->code, func->context, &slot);
    benchmark::DoNotOptimize(slot);
  }
}

void wasmLoop(benchmark::State &state, Fixture *f, const char *name) {
  Value arg = Value::i32(kLoopCalls);
  for (auto _ : state) {
    auto results = f->instance->invoke(name, std::span<const Value>(&arg, 1));
    if (!results) {
      state.SkipWithError(results.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(results);
  }
  state.counters["calls"] = kLoopCalls;
}

class CallReporter : public benchmark::ConsoleReporter {
public:
  CallReporter() : ConsoleReporter(isatty(1) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
      bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.error_occurred || (run.run_type == Run::RT_Aggregate && !median))
        continue;
      // CPU time in nanoseconds, whatever the display unit.
      double ns = run.GetAdjustedCPUTime() * benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                  benchmark::GetTimeUnitMultiplier(run.time_unit);
      std::string name = run.run_name.function_name;
      if (median || !medians_.count(name))
        ns_[name] = ns;
      if (median)
        medians_[name] = true;
    }
  }
  void printSummary() const {
    auto get = [&](const char *name) {
      auto found = ns_.find(name);
      return found == ns_.end() ? 0.0 : found->second;
    };
    double host = get("wasm->host/loop_host"), base = get("wasm->host/loop_base");
    if (host > 0 && base > 0)
      std::printf("\nwasm->host: %.1f ns per call (loop with calls %.2f ms, without %.2f ms, "
                  "%d calls)\n",
                  (host - base) / kLoopCalls, host / 1e6, base / 1e6, kLoopCalls);
  }

private:
  std::map<std::string, double> ns_;
  std::map<std::string, bool> medians_;
};

} // namespace

int main(int argc, char **argv) {
  EngineConfig config;
  config.lazyCompilation = false; // nothing compiles inside the timed loops
  if (const char *opt = std::getenv("WASMRT_BENCH_OPT"))
    config.optLevel = unsigned(std::atoi(opt));
  Engine engine(config, createCompilerBackend()); // linked in: see CMakeLists.txt
  Store store(engine);
  auto module = bench::moduleFromWat(kWat);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().message().c_str());
    return 1;
  }
  auto loaded = engine.load(*module);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message().c_str());
    return 1;
  }
  auto hostId = store.createHostFunction(
      FuncType{{ValType::I32}, {ValType::I32}},
      [](Instance *, std::span<const Value> params,
         std::span<Value> results) -> std::optional<TrapKind> {
        results[0] = params[0];
        return std::nullopt;
      });
  if (!hostId) {
    std::fprintf(stderr, "%s\n", hostId.error().message().c_str());
    return 1;
  }
  Extern imports[] = {Extern{ExternKind::Func, *hostId}};
  auto instance = store.instantiate(*loaded, imports);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().message().c_str());
    return 1;
  }
  // Sets the contexts' stack limit for the raw trampoline calls.
  if (auto warm = (*instance)->invoke("id", {Value::i32(1)}); !warm) {
    std::fprintf(stderr, "%s\n", warm.error().message().c_str());
    return 1;
  }
  Fixture fixture{&engine, *loaded, &store, *instance};
  benchmark::RegisterBenchmark("host->wasm/invoke", invokeIdentity, &fixture);
  benchmark::RegisterBenchmark("host->wasm/trap-entry", trapEntryIdentity, &fixture);
  benchmark::RegisterBenchmark("host->wasm/trampoline", rawTrampolineIdentity, &fixture);
  benchmark::RegisterBenchmark("wasm->host/loop_host", wasmLoop, &fixture, "loop_host")
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("wasm->host/loop_base", wasmLoop, &fixture, "loop_base")
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  CallReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.printSummary();
  benchmark::Shutdown();
  return 0;
}
