#include "runtime/Engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace wasmrt::internal {

namespace {

// A compact, unambiguous key for a function type: value-type bytes, a
// separator, result bytes.
std::string typeKey(const FuncType &type) {
  std::string key;
  for (ValType param : type.params)
    key.push_back(char(param));
  key.push_back('|');
  for (ValType result : type.results)
    key.push_back(char(result));
  return key;
}

Expected<std::shared_ptr<const LoadedModule>>
compileAndRegister(std::shared_ptr<const Module> module, CompileOptions options,
                   std::vector<uint32_t> typeIds) {
  // Faults in this code become traps (guarded memory accesses, stack
  // overflow); it is registered before it can run.
  auto regions = std::make_shared<LoadedModule::CodeRegions>();
  options.onCodeLinked = [regions](uintptr_t begin, uintptr_t end) -> Expected<void> {
    auto region = registerJitCode(reinterpret_cast<const void *>(begin), end - begin);
    if (!region)
      return std::move(region).error();
    std::lock_guard lock(regions->mutex);
    regions->regions.push_back(std::move(*region));
    return {};
  };
  auto compiled = compileModule(*module, options);
  if (!compiled)
    return std::move(compiled).error();
  auto loaded = std::make_shared<LoadedModule>();
  loaded->module = std::move(module);
  loaded->compiled = std::move(*compiled);
  loaded->typeIds = std::move(typeIds);
  loaded->codeRegions = std::move(regions);
  return std::shared_ptr<const LoadedModule>(std::move(loaded));
}

} // namespace

Engine::Engine(EngineConfig config)
    : config_(config),
      compileThreads_(createCompileThreadPool(
          config.compileThreads ? config.compileThreads : std::thread::hardware_concurrency())) {}

Engine::~Engine() = default;

CompileOptions Engine::compileOptions() const {
  CompileOptions options;
  options.optLevel = config_.optLevel;
  options.explicitBoundsChecks = config_.memoryMode == MemoryMode::BoundsChecked;
  options.threads = config_.compileThreads;
  options.lazy = config_.lazyCompilation;
  options.threadPool = compileThreads_;
  options.epochInterruption = config_.epochInterruption;
  options.consumeFuel = config_.consumeFuel;
  options.runtimeSymbols = runtimeSymbols();
  return options;
}

uint32_t Engine::internType(const FuncType &type) {
  std::lock_guard lock(typesMutex_);
  auto [found, inserted] = typeIds_.try_emplace(typeKey(type), uint32_t(types_.size()));
  if (inserted)
    types_.push_back(type);
  return found->second;
}

const FuncType &Engine::typeOf(uint32_t typeId) const {
  std::lock_guard lock(typesMutex_);
  return types_.at(typeId);
}

Expected<std::shared_ptr<const LoadedModule>> Engine::load(std::shared_ptr<const Module> module) {
  std::vector<uint32_t> typeIds;
  typeIds.reserve(module->types.size());
  for (const FuncType &type : module->types)
    typeIds.push_back(internType(type));
  return compileAndRegister(std::move(module), compileOptions(), std::move(typeIds));
}

Expected<Engine::TypeGlue> Engine::glue(uint32_t typeId) {
  auto glueOf = [](const GlueEntry &entry) {
    return TypeGlue{entry.module->compiled->hostAdapter(entry.typeIndex),
                    entry.module->compiled->entryTrampoline(entry.typeIndex)};
  };
  std::vector<uint32_t> missing;
  {
    std::lock_guard lock(glueMutex_);
    auto found = glue_.find(typeId);
    if (found != glue_.end())
      return glueOf(found->second);
    // Compile the glue of every interned type that lacks it in one go: a
    // host embedding (e.g. WASI) asks for dozens of types in a row, and one
    // compilation costs about as much as one type's.
    std::lock_guard typesLock(typesMutex_);
    missing.push_back(typeId);
    for (uint32_t id = 0; id < types_.size(); ++id)
      if (id != typeId && !glue_.count(id))
        missing.push_back(id);
  }
  // A module with just these types and nothing else: the compiler emits
  // their entry trampolines and host adapters.
  auto module = std::make_shared<Module>();
  for (uint32_t id : missing)
    module->types.push_back(typeOf(id));
  CompileOptions options = compileOptions();
  options.threads = 1;
  options.lazy = false;
  // Straight-line loads, a call and stores: O0 code is as good, and hosts
  // create functions one at a time (each type costs one compilation).
  options.optLevel = 0;
  auto compiled = compileAndRegister(std::move(module), options, missing);
  if (!compiled)
    return std::move(compiled).error();
  std::lock_guard lock(glueMutex_);
  for (uint32_t i = 0; i < missing.size(); ++i)
    glue_.try_emplace(missing[i], GlueEntry{*compiled, i});
  return glueOf(glue_.at(typeId));
}

} // namespace wasmrt::internal
