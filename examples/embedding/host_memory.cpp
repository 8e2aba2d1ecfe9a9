// A host function that reads a string from the caller's linear memory, with
// bounds-checked access; a bad pointer traps the guest instead of the host.
#include <wasmrt/wasmrt.h>

#include <cstdio>
#include <string>

int main() {
  wasmrt::Engine engine;
  auto module = wasmrt::Module::fromWat(engine, R"((module
    (import "env" "print" (func $print (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) "text from linear memory")
    (func (export "good") (result i32) i32.const 64 i32.const 23 call $print)
    (func (export "bad") (result i32) i32.const 65530 i32.const 100 call $print)))");
  if (!module)
    return std::fprintf(stderr, "%s\n", module.error().describe().c_str()), 1;

  wasmrt::Linker linker;
  linker.defineFunc("env", "print",
                    [](wasmrt::Caller &caller, uint32_t ptr,
                       uint32_t len) -> wasmrt::Expected<int32_t> {
                      auto memory = caller.memory();
                      if (!memory)
                        return wasmrt::Error(wasmrt::ErrorKind::Trap, "no exported memory");
                      auto bytes = memory->view(ptr, len); // checked
                      if (!bytes)
                        return std::move(bytes).error();
                      std::string text(bytes->begin(), bytes->end());
                      std::printf("guest says: %s\n", text.c_str());
                      return int32_t(text.size());
                    });
  wasmrt::Store store(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance)
    return std::fprintf(stderr, "%s\n", instance.error().describe().c_str()), 1;

  auto good = (*instance->typedFunc<int32_t()>("good"))();
  if (!good || *good != 23)
    return 1;
  auto bad = (*instance->typedFunc<int32_t()>("bad"))();
  if (bad)
    return 1;
  std::printf("bad pointer: %s\n", bad.error().describe().c_str());
  return store.lastTrap()->kind == wasmrt::TrapKind::HostTrap ? 0 : 1;
}
