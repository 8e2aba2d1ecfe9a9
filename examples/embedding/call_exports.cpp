// Calling exports: typed (checked once at lookup) and untyped (any signature),
// reading globals and memory, and handling a trap.
#include <wasmrt/wasmrt.h>

#include <cstdio>

int main() {
  wasmrt::Engine engine;
  auto module = wasmrt::Module::fromWat(engine, R"((module
    (memory (export "memory") 1)
    (global (export "calls") (mut i32) (i32.const 0))
    (func $bump global.get 0 i32.const 1 i32.add global.set 0)
    (func (export "fma") (param f64 f64 f64) (result f64)
      call $bump local.get 0 local.get 1 f64.mul local.get 2 f64.add)
    (func (export "divmod") (param i32 i32) (result i32 i32)
      call $bump
      local.get 0 local.get 1 i32.div_u local.get 0 local.get 1 i32.rem_u)))");
  if (!module)
    return std::fprintf(stderr, "%s\n", module.error().describe().c_str()), 1;
  for (const auto &e : module->exports())
    std::printf("export %-7s %s\n", e.name.c_str(),
                e.type.kind == wasmrt::ExternKind::Func ? e.type.func.toString().c_str()
                                                        : wasmrt::externKindName(e.type.kind));

  wasmrt::Store store(engine);
  auto instance = wasmrt::Instance::create(store, *module);
  if (!instance)
    return 1;

  auto fma = instance->typedFunc<double(double, double, double)>("fma");
  if (!fma)
    return std::fprintf(stderr, "%s\n", fma.error().describe().c_str()), 1;
  std::printf("fma(2, 3, 4) = %g\n", *(*fma)(2, 3, 4));

  auto divmod = instance->typedFunc<std::tuple<uint32_t, uint32_t>(uint32_t, uint32_t)>("divmod");
  auto [q, r] = *(*divmod)(17, 5);
  std::printf("divmod(17, 5) = %u, %u\n", q, r);

  // Untyped: any export, values checked at the call.
  auto func = instance->getFunc("divmod");
  auto results = func->call({wasmrt::Val(int32_t(1)), wasmrt::Val(int32_t(0))});
  if (results)
    return 1;
  std::printf("divmod(1, 0): %s\n", results.error().describe().c_str());

  std::printf("calls = %d\n", instance->getGlobal("calls")->get().i32());
  return instance->getGlobal("calls")->get().i32() == 3 ? 0 : 1;
}
