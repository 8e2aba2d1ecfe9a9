// lib/api's private glue: the state behind the public handles and the
// conversions between public and internal types. Included only by lib/api.
#pragma once

#include "binary/Features.h"
#include "binary/Module.h"
#include "loader/CompilerLoader.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "wasmrt/wasmrt.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt {

struct Engine::Impl {
  Impl(const Config &config, const internal::EngineConfig &internalConfig)
      : config(config), engine(internalConfig, internal::loadCompilerBackend) {}
  Config config;
  internal::Engine engine;
  internal::Features features;
};

struct Module::Impl {
  Engine engine; // first: destroyed after the code
  std::shared_ptr<const internal::LoadedModule> loaded;
  const char *codeSource = "jit";
};

namespace detail {

struct StoreState {
  explicit StoreState(const Engine &e) : engine(e), store(e.impl()->engine) {}
  Engine engine; // first: outlives the store
  internal::Store store;
  StoreLimits limits;
  std::optional<Trap> lastTrap;
  std::optional<std::string> hostTrapMessage; // the latest host function error
  void *data = nullptr;
  // Linker host functions already created in this store.
  std::map<const void *, Func> linkerFuncs;
  std::vector<std::shared_ptr<const void>> keepAlive;
};

internal::ValType toInternal(ValType type);
ValType fromInternal(internal::ValType type);
internal::FuncType toInternal(const FuncType &type);
FuncType fromInternal(const internal::FuncType &type);
internal::Limits toInternal(const Limits &limits);
Limits fromInternal(const internal::Limits &limits);
internal::Value toInternal(const Val &value);
Val fromInternal(const internal::Value &value, StoreState *store);
Extern fromInternal(const internal::Extern &value, StoreState *store);
ExternType externTypeOf(const internal::Module &module, internal::ExternKind kind,
                        uint32_t index);

// Records a trap as the store's lastTrap; the error to return for it.
Error recordTrap(StoreState *store, const internal::Trap &trap);
// Runs `func` with `args`, recording a trap in the store.
Expected<std::vector<Val>> callFunc(StoreState *store, const abi::FuncRef *func,
                                    std::span<const Val> args);
// Module::compile() with Config::cache enabled: a cache hit, or the module
// compiled ahead of time and stored; nullopt to compile without the cache
// (cache unavailable, or fillOnMiss off and no entry).
std::optional<Expected<Module>> compileWithCache(const Engine &engine, std::span<const uint8_t> wasm);
Expected<Func> createHostFunc(StoreState *store, const FuncType &type, HostCallback callback);

} // namespace detail
} // namespace wasmrt
