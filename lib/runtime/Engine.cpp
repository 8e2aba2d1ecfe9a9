#include "runtime/Engine.h"

#include <fmt/format.h>

#include <algorithm>

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
compileAndRegister(std::shared_ptr<const Module> module, const CompileOptions &options,
                   std::vector<uint32_t> typeIds) {
  auto compiled = compileModule(*module, options);
  if (!compiled)
    return std::move(compiled).error();
  auto loaded = std::make_shared<LoadedModule>();
  loaded->module = std::move(module);
  loaded->compiled = std::move(*compiled);
  loaded->typeIds = std::move(typeIds);
  // Faults in this code become traps (guarded memory accesses, stack overflow).
  for (const auto &[begin, end] : loaded->compiled->codeRanges()) {
    auto region = registerJitCode(reinterpret_cast<const void *>(begin), end - begin);
    if (!region)
      return std::move(region).error();
    loaded->codeRegions.push_back(std::move(*region));
  }
  return std::shared_ptr<const LoadedModule>(std::move(loaded));
}

} // namespace

bool LoadedModule::containsCode(uintptr_t pc) const {
  for (const auto &[begin, end] : compiled->codeRanges())
    if (pc >= begin && pc < end)
      return true;
  return false;
}

Engine::Engine(EngineConfig config) : config_(config) {}

Engine::~Engine() = default;

CompileOptions Engine::compileOptions() const {
  CompileOptions options;
  options.optLevel = config_.optLevel;
  options.explicitBoundsChecks = config_.memoryMode == MemoryMode::BoundsChecked;
  options.threads = config_.compileThreads;
  options.lazy = config_.lazyCompilation;
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
  std::shared_ptr<const LoadedModule> loaded;
  {
    std::lock_guard lock(glueMutex_);
    auto found = glue_.find(typeId);
    if (found != glue_.end())
      loaded = found->second;
  }
  if (!loaded) {
    // A module with the one type and nothing else: the compiler emits its
    // entry trampoline and host adapter.
    auto module = std::make_shared<Module>();
    module->types.push_back(typeOf(typeId));
    CompileOptions options = compileOptions();
    options.threads = 1;
    auto compiled = compileAndRegister(std::move(module), options, {typeId});
    if (!compiled)
      return std::move(compiled).error();
    std::lock_guard lock(glueMutex_);
    loaded = glue_.try_emplace(typeId, std::move(*compiled)).first->second;
  }
  return TypeGlue{loaded->compiled->hostAdapter(0), loaded->compiled->entryTrampoline(0)};
}

} // namespace wasmrt::internal
