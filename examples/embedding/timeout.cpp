// Stopping a runaway guest: epoch interruption with a timer thread.
#include <wasmrt/wasmrt.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

int main() {
  wasmrt::Config config;
  config.epochInterruption = true; // compile the checks
  wasmrt::Engine engine(config);
  auto module = wasmrt::Module::fromWat(engine, "(module (func (export \"forever\") (loop br 0)))");
  if (!module)
    return 1;
  wasmrt::Store store(engine);
  auto instance = wasmrt::Instance::create(store, *module);
  if (!instance)
    return 1;

  // The engine's epoch advances every millisecond; the guest may run for 100.
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      engine.incrementEpoch();
    }
  });
  store.setEpochDeadline(100);
  auto start = std::chrono::steady_clock::now();
  auto result = (*instance->typedFunc<void()>("forever"))();
  auto elapsed = std::chrono::steady_clock::now() - start;
  done = true;
  ticker.join();

  if (result || store.lastTrap()->kind != wasmrt::TrapKind::Interrupted)
    return 1;
  std::printf("stopped after %lld ms: %s\n",
              (long long)std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(),
              result.error().describe().c_str());
  return 0;
}
