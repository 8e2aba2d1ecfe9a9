#include "runtime/Engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace wasmrt::internal {

namespace {

// A compact, unambiguous key for a function type: the number of parameters
// (4 bytes), then the parameters' and the results' value-type bytes. (It
// used to separate the two lists with '|', which is 0x7C, the byte of f64:
// `(param f64)` and `(result f64)` got the same canonical id, so a host
// function of one type got the other's adapter and call_indirect accepted
// one for the other. The differential fuzzer found it.)
std::string typeKey(const FuncType &type) {
  std::string key;
  uint32_t params = uint32_t(type.params.size());
  key.append(reinterpret_cast<const char *>(&params), sizeof params);
  for (ValType param : type.params)
    key.push_back(char(param));
  for (ValType result : type.results)
    key.push_back(char(result));
  return key;
}

// Faults in generated code become traps (guarded memory accesses, stack
// overflow): each range is registered with the trap handler as it is linked,
// before it can run, and stays registered as long as `regions` lives.
void registerLinkedCode(CompileOptions &options,
                        const std::shared_ptr<LoadedModule::CodeRegions> &regions) {
  options.onCodeLinked = [regions](uintptr_t begin, uintptr_t end) -> Expected<void> {
    auto region = registerJitCode(reinterpret_cast<const void *>(begin), end - begin);
    if (!region)
      return std::move(region).error();
    std::lock_guard lock(regions->mutex);
    regions->regions.push_back(std::move(*region));
    return {};
  };
}

// The interpreter's settings from an EngineConfig or the CompileOptions made
// from one (the same field names): fuel, epoch and tier-up as compiled code's.
template <typename Settings> interp::InterpreterOptions interpreterOptions(const Settings &from) {
  interp::InterpreterOptions options;
  options.consumeFuel = from.consumeFuel;
  options.epochInterruption = from.epochInterruption;
  options.tierUpThreshold = from.tierUpThreshold;
  options.osrCheckInterval = from.osrCheckInterval;
  return options;
}

// Tiered with the interpreter first: functions start in the interpreter (the
// JIT's thunks call wasmrt_interpret), which asks the compiled module for
// tier-up, OSR entries, optimized bodies and entry trampolines.
void attachInterpreter(LoadedModule &loaded, const Module &module, const CompileOptions &options) {
  auto hooks = std::make_unique<interp::TierHooks>();
  hooks->state = loaded.compiled.get();
  hooks->requestTierUp = [](void *state, uint32_t funcIndex, uint32_t loop) {
    return reinterpret_cast<interp::OsrEntryArray>(
        static_cast<CompiledModule *>(state)->requestTierUp(funcIndex, loop));
  };
  hooks->compiledBody = [](void *state, uint32_t funcIndex) {
    return static_cast<CompiledModule *>(state)->optimizedBody(funcIndex);
  };
  hooks->entryTrampoline = [](void *state, uint32_t typeIndex) {
    return static_cast<CompiledModule *>(state)->entryTrampoline(typeIndex);
  };
  interp::InterpreterOptions settings = interpreterOptions(options);
  settings.hooks = hooks.get();
  loaded.interpreted = std::make_unique<interp::InterpretedModule>(module, settings);
  loaded.tierHooks = std::move(hooks);
}

Expected<std::shared_ptr<const LoadedModule>>
compileAndRegister(CompilerBackend &compiler, std::shared_ptr<const Module> module,
                   CompileOptions options, std::vector<uint32_t> typeIds) {
  auto regions = std::make_shared<LoadedModule::CodeRegions>();
  registerLinkedCode(options, regions);
  std::shared_ptr<LazyBodies> lazyBodies;
  if (options.lazy) {
    lazyBodies = std::make_shared<LazyBodies>(module->numImportedFuncs, module->numDefinedFuncs());
    options.onBodyReady = [lazyBodies](uint32_t funcIndex, void *body) {
      lazyBodies->ready(funcIndex, body);
    };
  }
  auto compiled = compiler.compileModule(*module, options);
  if (!compiled)
    return std::move(compiled).error();
  auto loaded = std::make_shared<LoadedModule>();
  loaded->compiled = std::move(*compiled);
  if (options.interpreterEntry)
    attachInterpreter(*loaded, *module, options);
  loaded->module = std::move(module);
  loaded->typeIds = std::move(typeIds);
  loaded->codeRegions = std::move(regions);
  loaded->lazyBodies = std::move(lazyBodies);
  return std::shared_ptr<const LoadedModule>(std::move(loaded));
}

// The "code" of an interpreted module: none. Its FuncRefs have null code,
// which the runtime's call path and the interpreter take to mean "interpret".
class NoCode final : public CompiledModule {
public:
  void *functionCode(uint32_t) const override { return nullptr; }
  abi::EntryTrampoline entryTrampoline(uint32_t) const override { return nullptr; }
  void *hostAdapter(uint32_t) const override { return nullptr; }
  std::vector<std::pair<uintptr_t, uintptr_t>> codeRanges() const override { return {}; }
  bool containsCode(uintptr_t) const override { return false; }
  bool isCompiled(uint32_t) const override { return false; }
  std::optional<uint32_t> functionAt(uintptr_t) const override { return std::nullopt; }
};

} // namespace

void LazyBodies::ready(uint32_t funcIndex, void *body) {
  if (funcIndex < numImportedFuncs_ || funcIndex - numImportedFuncs_ >= bodies_.size())
    return;
  uint32_t defined = funcIndex - numImportedFuncs_;
  std::lock_guard lock(mutex_);
  bodies_[defined] = body;
  // Generated code reads FuncRef::code with plain loads while this runs.
  for (std::vector<abi::FuncRef> *funcRefs : attached_)
    std::atomic_ref<void *>((*funcRefs)[defined].code).store(body, std::memory_order_release);
}

void LazyBodies::attach(std::vector<abi::FuncRef> &funcRefs) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < bodies_.size() && i < funcRefs.size(); ++i)
    if (bodies_[i])
      std::atomic_ref<void *>(funcRefs[i].code).store(bodies_[i], std::memory_order_release);
  attached_.push_back(&funcRefs);
}

void LazyBodies::detach(std::vector<abi::FuncRef> &funcRefs) {
  std::lock_guard lock(mutex_);
  std::erase(attached_, &funcRefs);
}

Engine::Engine(EngineConfig config, CompilerSupplier compiler)
    : config_(config), supplyCompiler_(std::move(compiler)) {}

Engine::Engine(EngineConfig config, std::shared_ptr<CompilerBackend> compiler)
    : config_(config), compiler_(std::move(compiler)) {}

Engine::~Engine() = default;

Expected<CompilerBackend *> Engine::compiler() {
  std::lock_guard lock(compilerMutex_);
  if (!compiler_) {
    if (!supplyCompiler_)
      return Error(ErrorKind::Usage, "this engine was created without a compiler");
    auto supplied = supplyCompiler_();
    if (!supplied)
      return std::move(supplied).error();
    if (!*supplied)
      return Error(ErrorKind::Internal, "the engine's compiler supplier returned no compiler");
    compiler_ = std::move(*supplied);
  }
  if (!compileThreads_)
    compileThreads_ = compiler_->createThreadPool(
        config_.compileThreads ? config_.compileThreads : std::thread::hardware_concurrency());
  return compiler_.get();
}

CompileOptions Engine::compileOptions() const {
  CompileOptions options;
  options.optLevel = config_.optLevel;
  options.explicitBoundsChecks = config_.memoryMode == MemoryMode::BoundsChecked;
  options.threads = config_.compileThreads;
  options.lazy = config_.lazyCompilation;
  options.tiering = config_.tiering;
  options.tierUpThreshold = config_.tierUpThreshold;
  options.osrCheckInterval = config_.osrCheckInterval;
  {
    std::lock_guard lock(compilerMutex_);
    options.threadPool = compileThreads_;
  }
  options.epochInterruption = config_.epochInterruption;
  options.consumeFuel = config_.consumeFuel;
  options.runtimeSymbols = runtimeSymbols();
  if (config_.interpreterFirst && config_.lazyCompilation &&
      config_.tiering == CompileOptions::Tiering::Tiered)
    options.interpreterEntry = interpreterEntry();
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

std::shared_ptr<const LoadedModule> Engine::loadInterpreted(std::shared_ptr<const Module> module) {
  auto loaded = std::make_shared<LoadedModule>();
  loaded->typeIds.reserve(module->types.size());
  for (const FuncType &type : module->types)
    loaded->typeIds.push_back(internType(type));
  loaded->codeRegions = std::make_shared<LoadedModule::CodeRegions>();
  loaded->compiled = std::make_unique<NoCode>();
  loaded->interpreted =
      std::make_unique<interp::InterpretedModule>(*module, interpreterOptions(config_));
  loaded->module = std::move(module);
  return loaded;
}

Expected<std::shared_ptr<const LoadedModule>> Engine::load(std::shared_ptr<const Module> module) {
  if (config_.interpreter)
    return loadInterpreted(std::move(module));
  auto compiler = this->compiler();
  if (!compiler)
    return std::move(compiler).error();
  std::vector<uint32_t> typeIds;
  typeIds.reserve(module->types.size());
  for (const FuncType &type : module->types)
    typeIds.push_back(internType(type));
  return compileAndRegister(**compiler, std::move(module), compileOptions(), std::move(typeIds));
}

Expected<std::shared_ptr<const LoadedModule>>
Engine::loadPrecompiled(std::shared_ptr<const Module> module, std::unique_ptr<CompiledModule> code) {
  auto loaded = std::make_shared<LoadedModule>();
  loaded->typeIds.reserve(module->types.size());
  for (const FuncType &type : module->types)
    loaded->typeIds.push_back(internType(type));
  loaded->codeRegions = std::make_shared<LoadedModule::CodeRegions>();
  for (auto [begin, end] : code->codeRanges()) {
    auto region = registerJitCode(reinterpret_cast<const void *>(begin), end - begin);
    if (!region)
      return std::move(region).error();
    loaded->codeRegions->regions.push_back(std::move(*region));
  }
  loaded->module = std::move(module);
  loaded->compiled = std::move(code);
  std::lock_guard lock(glueMutex_);
  bool provides = false;
  for (uint32_t type = 0; type < loaded->typeIds.size(); ++type) {
    TypeGlue glue{loaded->compiled->hostAdapter(type), loaded->compiled->entryTrampoline(type)};
    if (glue.hostAdapter && glue.entryTrampoline && glue_.emplace(loaded->typeIds[type], glue).second)
      provides = true;
  }
  if (provides)
    glueModules_.push_back(loaded);
  return std::shared_ptr<const LoadedModule>(std::move(loaded));
}

Expected<Engine::TypeGlue> Engine::glue(uint32_t typeId) {
  // The interpreter calls host functions and is called by the runtime
  // directly (null code in a FuncRef), without compiled glue.
  if (config_.interpreter)
    return TypeGlue{};
  std::lock_guard lock(glueMutex_);
  auto found = glue_.find(typeId);
  if (found != glue_.end())
    return found->second;
  if (!glueCompiler_) {
    auto backend = compiler();
    if (!backend)
      return std::move(backend).error();
    CompileOptions options = compileOptions();
    // Straight-line loads, a call and stores: O0 code is as good.
    options.optLevel = 0;
    glueRegions_ = std::make_shared<LoadedModule::CodeRegions>();
    registerLinkedCode(options, glueRegions_);
    auto compiler = (*backend)->createGlueCompiler(options);
    if (!compiler)
      return std::move(compiler).error();
    glueCompiler_ = std::move(*compiler);
  }
  // Every interned type that lacks glue goes in the same batch: hosts tend to
  // create many functions in a row (WASI defines 46).
  std::vector<uint32_t> missing = {typeId};
  std::vector<FuncType> types = {typeOf(typeId)};
  {
    std::lock_guard typesLock(typesMutex_);
    for (uint32_t id = 0; id < types_.size(); ++id)
      if (id != typeId && !glue_.count(id)) {
        missing.push_back(id);
        types.push_back(types_[id]);
      }
  }
  auto compiled = glueCompiler_->compile(types);
  if (!compiled)
    return std::move(compiled).error();
  for (size_t i = 0; i < missing.size(); ++i)
    glue_.emplace(missing[i], (*compiled)[i]);
  return glue_.at(typeId);
}

} // namespace wasmrt::internal
