// The public embedding API's fixed costs (docs/PERFORMANCE.md, "Embedding
// API"): instantiation, host -> wasm calls (typed and untyped) and wasm -> host
// calls through deduced host functions.
#include "wasmrt/wasmrt.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

namespace {

wasmrt::Module compile(const wasmrt::Engine &engine, const char *text) {
  auto module = wasmrt::Module::fromWat(engine, text);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().describe().c_str());
    std::abort();
  }
  return std::move(*module);
}

const char *kSmall = R"((module
  (import "env" "host" (func $host (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (table 4 funcref)
  (data (i32.const 0) "hello")
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "callHost") (param i32) (result i32) (local i32)
    (loop
      local.get 1 call $host local.set 1
      local.get 0 i32.const 1 i32.sub local.tee 0
      br_if 0)
    local.get 1))
)";

wasmrt::Engine &engine() {
  static wasmrt::Engine shared; // one JIT for all benchmarks
  return shared;
}

wasmrt::Linker makeLinker() {
  wasmrt::Linker linker;
  linker.defineFunc("env", "host", [](int32_t x) { return x + 1; });
  return linker;
}

// A fresh store and one instance per iteration (the store's destruction included).
void BM_StoreAndInstance(benchmark::State &state) {
  wasmrt::Module module = compile(engine(), kSmall);
  wasmrt::Linker linker = makeLinker();
  for (auto _ : state) {
    wasmrt::Store store(engine());
    auto instance = linker.instantiate(store, module);
    benchmark::DoNotOptimize(instance);
  }
}
BENCHMARK(BM_StoreAndInstance)->Unit(benchmark::kMicrosecond);

// Instances added to one store (a new store every 256, outside the timing).
void BM_Instance(benchmark::State &state) {
  wasmrt::Module module = compile(engine(), kSmall);
  wasmrt::Linker linker = makeLinker();
  auto store = std::make_unique<wasmrt::Store>(engine());
  int count = 0;
  for (auto _ : state) {
    if (++count % 256 == 0) {
      state.PauseTiming();
      store = std::make_unique<wasmrt::Store>(engine());
      state.ResumeTiming();
    }
    auto instance = linker.instantiate(*store, module);
    benchmark::DoNotOptimize(instance);
  }
}
BENCHMARK(BM_Instance)->Unit(benchmark::kMicrosecond);

void BM_TypedCall(benchmark::State &state) {
  wasmrt::Module module = compile(engine(), kSmall);
  wasmrt::Store store(engine());
  auto instance = makeLinker().instantiate(store, module);
  auto add = instance->typedFunc<int32_t(int32_t, int32_t)>("add");
  int32_t x = 0;
  for (auto _ : state)
    x = *(*add)(x, 1);
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_TypedCall);

void BM_UntypedCall(benchmark::State &state) {
  wasmrt::Module module = compile(engine(), kSmall);
  wasmrt::Store store(engine());
  auto instance = makeLinker().instantiate(store, module);
  auto add = instance->getFunc("add");
  int32_t x = 0;
  for (auto _ : state) {
    wasmrt::Val args[] = {wasmrt::Val(x), wasmrt::Val(int32_t(1))};
    x = (*add->call(args))[0].i32();
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_UntypedCall);

// wasm -> host: 1000 calls of a deduced (int32_t) -> int32_t host function per iteration.
void BM_HostCall(benchmark::State &state) {
  wasmrt::Module module = compile(engine(), kSmall);
  wasmrt::Store store(engine());
  auto instance = makeLinker().instantiate(store, module);
  auto callHost = instance->typedFunc<int32_t(int32_t)>("callHost");
  for (auto _ : state)
    benchmark::DoNotOptimize(*(*callHost)(1000));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_HostCall);

} // namespace

BENCHMARK_MAIN();
