// Hello world: compile a module from text, give it a host function, call it.
#include <wasmrt/wasmrt.h>

#include <cstdio>

int main() {
  wasmrt::Engine engine;
  auto module = wasmrt::Module::fromWat(engine, R"((module
    (import "host" "hello" (func $hello (param i32)))
    (func (export "run") i32.const 42 call $hello)))");
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().describe().c_str());
    return 1;
  }
  wasmrt::Linker linker;
  linker.defineFunc("host", "hello", [](int32_t n) { std::printf("Hello, world! (%d)\n", n); });
  wasmrt::Store store(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().describe().c_str());
    return 1;
  }
  auto run = instance->typedFunc<void()>("run");
  if (!run || !(*run)()) {
    std::fprintf(stderr, "calling run failed\n");
    return 1;
  }
  return 0;
}
