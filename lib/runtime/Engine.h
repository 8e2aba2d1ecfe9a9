// The engine: compilation settings shared by every store, the engine-wide
// canonical function-type ids that call_indirect compares, and the per-type
// glue (entry trampolines, host adapters) for host functions.
//
// An Engine is thread-safe: any number of threads may load modules and create
// stores on it concurrently. It must outlive its stores and loaded modules.
//
// The engine does not link the compiler: whoever creates it supplies a
// CompilerBackend (compiler/Compiler.h), which the engine asks for the first
// time it must compile something (a module, or glue for host functions).
// Creating an engine, and everything that needs no compilation, therefore
// never loads the compiler or LLVM.
#pragma once

#include "abi/RuntimeAbi.h"
#include "binary/Module.h"
#include "compiler/Compiler.h"
#include "interp/Interpreter.h"
#include "runtime/LinearMemory.h"
#include "runtime/TrapHandler.h"
#include "wasmrt/Error.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace wasmrt::internal {

struct EngineConfig {
  unsigned optLevel = 2; // 0..3
  // Guarded: 8 GiB reservations, no bounds checks in generated code.
  // BoundsChecked: generated code compares every access with the memory size.
  MemoryMode memoryMode = defaultMemoryMode();
  unsigned compileThreads = 0; // 0 = all hardware threads
  bool lazyCompilation = true; // CompileOptions::lazy
  CompileOptions::Tiering tiering = CompileOptions::Tiering::Tiered;
  uint32_t tierUpThreshold = 10000;
  uint32_t osrCheckInterval = 1000;
  WasmEntryOptions entry;      // stack available to wasm (call stack exhaustion)
  bool epochInterruption = false; // compile epoch checks (CompileOptions)
  bool consumeFuel = false;       // compile fuel metering (CompileOptions)
  // The interpreter tier only (docs/INTERPRETER.md): modules load without the
  // compiler and every function runs in lib/interp; host functions need no glue.
  bool interpreter = false;
  // Tiered, lazy: functions start in the interpreter instead of baseline code;
  // hot ones tier up to optimized code (CompileOptions::interpreterEntry).
  bool interpreterFirst = false;
};

// Lazy compilation: the bodies of a module's functions as they become
// executable, and the defined-function FuncRefs of its live instances, which
// are switched from the function's stub to its body (saving a jump on every
// call through a table or from the host). Both targets are valid at any time,
// so a caller that read the old pointer is still right.
class LazyBodies {
public:
  LazyBodies(uint32_t numImportedFuncs, uint32_t numDefinedFuncs)
      : numImportedFuncs_(numImportedFuncs), bodies_(numDefinedFuncs) {}
  // From compile threads.
  void ready(uint32_t funcIndex, void *body);
  // `funcRefs` (one per defined function) gets the bodies ready so far and
  // those that follow, until detach().
  void attach(std::vector<abi::FuncRef> &funcRefs);
  void detach(std::vector<abi::FuncRef> &funcRefs);

private:
  std::mutex mutex_;
  uint32_t numImportedFuncs_;
  std::vector<void *> bodies_; // per defined function; null until ready
  std::vector<std::vector<abi::FuncRef> *> attached_;
};

// Where an engine gets its compiler, called on first need (at most once if it
// succeeds; a failure is returned to that caller and the next need asks
// again): e.g. loadCompilerBackend (lib/loader), which dlopens the compiler
// plugin, or a lambda returning createCompilerBackend() in a program that
// links wasmrt_compiler. The backend returned keeps what it needs alive (the
// plugin's handle) for as long as the engine holds it.
using CompilerSupplier = std::function<Expected<std::shared_ptr<CompilerBackend>>()>;

// A compiled module, ready to be instantiated any number of times.
struct LoadedModule {
  std::shared_ptr<const Module> module;
  std::unique_ptr<CompiledModule> compiled;
  std::vector<uint32_t> typeIds; // per module type index: canonical id
  // Trap-handler registrations of the module's code, added as code is linked
  // (lazily compiled functions arrive while the module runs).
  struct CodeRegions {
    std::mutex mutex;
    std::vector<TrapRegion> regions;
  };
  std::shared_ptr<CodeRegions> codeRegions;
  std::shared_ptr<LazyBodies> lazyBodies; // lazy mode only
  // Interpreter tier: the module's interpreter state (instances' contexts
  // point to it); `compiled` then has no code at all. Declared after `module`,
  // which it refers to, so destroyed first.
  std::unique_ptr<interp::InterpretedModule> interpreted;
  // Tiered with the interpreter first: how it reaches the JIT (`compiled`).
  std::unique_ptr<interp::TierHooks> tierHooks;

  // The defined function whose code contains `pc`.
  std::optional<uint32_t> functionAt(uintptr_t pc) const { return compiled->functionAt(pc); }
  bool containsCode(uintptr_t pc) const { return compiled->containsCode(pc); }
};

class Engine {
public:
  Engine(EngineConfig config, CompilerSupplier compiler);
  // A backend at hand (a program that links wasmrt_compiler passes
  // createCompilerBackend()).
  Engine(EngineConfig config, std::shared_ptr<CompilerBackend> compiler);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  const EngineConfig &config() const { return config_; }
  MemoryMode memoryMode() const { return config_.memoryMode; }
  // The options modules are compiled with; threadPool is null until the
  // first compilation created it.
  CompileOptions compileOptions() const;

  // The canonical id of a function type: equal types get equal ids.
  uint32_t internType(const FuncType &type);
  // The type of a canonical id (the reference stays valid for the engine's lifetime).
  const FuncType &typeOf(uint32_t typeId) const;

  // The backend, asked of the supplier on the first call (which also creates
  // the engine's compile threads through it); an error if it cannot be had.
  // For everything that compiles: load(), glue(), and compilations done
  // outside the engine (with its compileOptions()).
  Expected<CompilerBackend *> compiler();

  // Compiles a validated module (all of Wasm 2.0, SIMD included). Fails if
  // the compiler cannot be had (e.g. the plugin cannot be loaded).
  Expected<std::shared_ptr<const LoadedModule>> load(std::shared_ptr<const Module> module);
  // The interpreter tier's load (what load() does when config().interpreter):
  // no compiler, no code; functions are translated on their first call.
  std::shared_ptr<const LoadedModule> loadInterpreted(std::shared_ptr<const Module> module);

  // A module whose code was compiled ahead of time (runtime/Artifact.h); no
  // compiler is involved. Its entry trampolines and host adapters serve as
  // the engine's glue for its types, so a precompiled program's host calls
  // need no compiler either (the engine then keeps that module's code).
  Expected<std::shared_ptr<const LoadedModule>> loadPrecompiled(std::shared_ptr<const Module> module,
                                                                std::unique_ptr<CompiledModule> code);

  // Glue for functions of canonical type `typeId`: the adapter that calls an
  // abi::HostFunctionContext, and the entry trampoline (compiled once per type).
  using TypeGlue = GlueCompiler::Glue;
  Expected<TypeGlue> glue(uint32_t typeId);

  // The runtime entry points (WASMRT_RUNTIME_ENTRY_POINTS) for CompileOptions.
  static std::vector<std::pair<std::string, void *>> runtimeSymbols();
  // The address of wasmrt_interpret (EntryPoints.cpp), for the JIT's thunks.
  static void *interpreterEntry();

  // Epoch interruption: any thread may advance the epoch; generated code
  // (EngineConfig::epochInterruption) compares it with its store's deadline.
  void incrementEpoch() { epoch_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t epoch() const { return epoch_.load(std::memory_order_relaxed); }
  // What InstanceContext::epochCounter points to.
  const uint64_t *epochCounter() const {
    return reinterpret_cast<const uint64_t *>(&epoch_);
  }

private:
  static_assert(sizeof(std::atomic<uint64_t>) == sizeof(uint64_t) &&
                std::atomic<uint64_t>::is_always_lock_free);
  std::atomic<uint64_t> epoch_{0};
  EngineConfig config_;
  mutable std::mutex compilerMutex_;
  CompilerSupplier supplyCompiler_;
  // Declared before everything the backend created, so destroyed after it.
  std::shared_ptr<CompilerBackend> compiler_;
  // Compile threads shared by every module of this engine (started on use).
  std::shared_ptr<CompileThreadPool> compileThreads_;
  mutable std::mutex typesMutex_;
  std::map<std::string, uint32_t> typeIds_; // encoded FuncType -> id
  std::deque<FuncType> types_;              // id -> type
  mutable std::mutex glueMutex_;
  std::shared_ptr<LoadedModule::CodeRegions> glueRegions_;
  std::unique_ptr<GlueCompiler> glueCompiler_; // created on first use
  std::map<uint32_t, TypeGlue> glue_;          // canonical type id -> its glue
  std::vector<std::shared_ptr<const LoadedModule>> glueModules_; // precompiled glue's code
};

} // namespace wasmrt::internal
