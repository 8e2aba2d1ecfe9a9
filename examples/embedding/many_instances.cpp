// One compiled module, many instances: each has its own memory and globals,
// and stores on different threads run concurrently.
#include <wasmrt/wasmrt.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

int main() {
  wasmrt::Engine engine;
  auto module = wasmrt::Module::fromWat(engine, R"((module
    (global $id (mut i32) (i32.const 0))
    (func (export "setId") (param i32) local.get 0 global.set $id)
    (func (export "id") (result i32) global.get $id)))");
  if (!module)
    return 1;

  // Many instances in one store.
  wasmrt::Store store(engine);
  std::vector<wasmrt::Instance> instances;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    auto instance = wasmrt::Instance::create(store, *module);
    if (!instance)
      return 1;
    (void)(*instance->typedFunc<void(int32_t)>("setId"))(i);
    instances.push_back(*instance);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  std::printf("1000 instances in %.1f us each\n",
              std::chrono::duration<double, std::micro>(elapsed).count() / 1000);
  for (int i = 0; i < 1000; ++i)
    if (*(*instances[i].typedFunc<int32_t()>("id"))() != i)
      return 1;

  // A store per thread, one shared module.
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      wasmrt::Store own(engine);
      auto instance = wasmrt::Instance::create(own, *module);
      if (!instance)
        return;
      (void)(*instance->typedFunc<void(int32_t)>("setId"))(t);
      ok[t] = *(*instance->typedFunc<int32_t()>("id"))() == t;
    });
  for (auto &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t)
    if (!ok[t])
      return 1;
  std::printf("4 threads ran their own stores\n");
  return 0;
}
