// A Store owns instances and everything they create (memories, tables,
// globals, host functions). Handles (Instance, Func, Memory, ...) refer into
// their store and are valid as long as it lives. A store is used by one
// thread at a time; run stores concurrently on different threads.
#pragma once

#include "wasmrt/Engine.h"
#include "wasmrt/Error.h"
#include "wasmrt/Trap.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace wasmrt {

namespace detail {
struct StoreState;
} // namespace detail

// Resource limits for everything the store's wasm code allocates. Growing
// past them fails cleanly: memory.grow and table.grow return -1 (and
// Memory::grow / Table::grow an error); instantiating a module whose
// initial memories exceed the memory limit fails with ErrorKind::Unlinkable.
struct StoreLimits {
  uint64_t maxMemoryBytes = UINT64_MAX;   // all linear memories of the store together
  uint64_t maxTableElements = UINT64_MAX; // all tables of the store together
};

class Store {
public:
  explicit Store(const Engine &engine);
  ~Store();
  Store(Store &&) noexcept;
  Store &operator=(Store &&) noexcept;
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  const Engine &engine() const;

  void setLimits(const StoreLimits &limits);
  const StoreLimits &limits() const;

  // Guests running in this store trap with TrapKind::Interrupted once the
  // engine's epoch has advanced `ticks` times from now (needs
  // Config::epochInterruption). The default deadline is never.
  void setEpochDeadline(uint64_t ticks);

  // Sets the fuel budget (needs Config::consumeFuel; then every wasm
  // instruction costs one unit and running out traps with
  // TrapKind::OutOfFuel). The budget is the store's: all its instances,
  // present and future, draw on it, calls from one instance into another
  // included (as in wasmtime). Setting it replaces what was left. Without
  // setFuel a fuel-metered store has none. Values above INT64_MAX are INT64_MAX.
  Expected<void> setFuel(uint64_t fuel);
  // What is left of the budget (0 once a guest ran out).
  Expected<uint64_t> fuelRemaining() const;

  // The most recent trap in this store: of a call from the host into wasm,
  // or of instantiation (segments out of bounds, the start function).
  // Calls that succeed do not clear it.
  const std::optional<Trap> &lastTrap() const;

  // An embedder pointer that host functions reach through Caller::data().
  void setData(void *data);
  void *data() const;

  detail::StoreState *state() const { return state_.get(); }

private:
  std::unique_ptr<detail::StoreState> state_;
};

} // namespace wasmrt
