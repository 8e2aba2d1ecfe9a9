// The Engine: compilation settings and the JIT shared by every module and
// store created from it. Engines are cheap-to-copy handles to shared state and
// thread-safe: any thread may compile modules and create stores on one engine.
#pragma once

#include "wasmrt/Error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace wasmrt {

// WebAssembly proposals beyond the MVP; the defaults are exactly Wasm 2.0.
struct Features {
  bool signExtension = true;
  bool saturatingFloatToInt = true;
  bool multiValue = true;
  bool bulkMemory = true;
  bool referenceTypes = true;
  bool simd = true;
};

enum class MemoryMode : uint8_t {
  Default,       // Guarded on 64-bit hosts, BoundsChecked otherwise
  Guarded,       // 8 GiB reservation per memory, no bounds checks in generated code
  BoundsChecked, // generated code compares every access with the memory size
};

// When function bodies are compiled to native code.
enum class CompilationMode : uint8_t {
  // Each function is compiled the first time it is called (and its direct
  // callees speculatively, in the background): instantiation is cheap and
  // code that never runs is never compiled. Calls between functions go
  // through a patched stub.
  Lazy,
  // Every function is compiled when the Module is created; direct calls are
  // plain native calls the optimiser may inline.
  Eager,
};

// Which code lazily compiled functions run (docs/COMPILER.md, "Tiers").
enum class Tiering : uint8_t {
  // Functions start in the first tier (TieringConfig::firstTier: the
  // interpreter, or a cheap baseline compile on their first call); those that
  // turn out hot (calls plus loop iterations reach tierUpThreshold) are
  // compiled at optLevel in the background and replace the first tier's code
  // everywhere, including a loop that is running at the time (on-stack
  // replacement).
  Tiered,
  // The baseline compiler only: the fastest start, slower code.
  Baseline,
  // Every function compiled at optLevel on its first call.
  Optimized,
  // No compiler at all: every function runs in the interpreter
  // (docs/INTERPRETER.md), from a translation made on its first call. The
  // fastest start, the slowest code; the code cache is not used.
  Interpreter,
};

// Tiered: what runs a function until it is hot (docs/COMPILER.md, "Tiers").
enum class FirstTier : uint8_t {
  // Baseline code, compiled by LLVM on the function's first call.
  Baseline,
  // The interpreter (docs/INTERPRETER.md): nothing is compiled before a
  // function is hot; a loop that gets hot moves to optimized code (OSR).
  Interpreter,
};

struct TieringConfig {
  Tiering mode = Tiering::Tiered;
  FirstTier firstTier = FirstTier::Baseline;
  // Tiered: a function is recompiled once its calls plus loop back-edges
  // (counted per module, across instances and threads) reach this.
  uint32_t tierUpThreshold = 10000;
  // Tiered: once a function is hot, a loop running in baseline code checks
  // every this many iterations whether optimized code for it is ready.
  uint32_t osrCheckInterval = 1000;
};

// The persistent code cache (docs/CACHE.md): Module::compile() reuses native
// code compiled for the same module, wasmrt build, CPU and code-generation
// settings by an earlier compile, in this process or another.
struct CacheConfig {
  bool enabled = false;
  // Empty: $WASMRT_CACHE_DIR, else $XDG_CACHE_HOME/wasmrt, else ~/.cache/wasmrt.
  std::string directory;
  // 0: $WASMRT_CACHE_MAX_SIZE, else 1 GiB. Least recently used entries go first.
  uint64_t maxSize = 0;
  // On a miss, Module::compile() compiles the whole module ahead of time at
  // optLevel, stores it and runs that code (true), or compiles as
  // `compilation` says and leaves the cache alone (false; a caller such as the
  // CLI then fills the cache itself, e.g. with Module::precompile in another
  // process, see docs/CACHE.md).
  bool fillOnMiss = true;
};

struct Config {
  unsigned optLevel = 2;                // 0 (fast compile) .. 3
  MemoryMode memoryMode = MemoryMode::Default;
  // 0: all hardware threads. Calls waiting for a lazily compiled body and
  // eager compilation use up to this many threads; speculative background
  // compiles up to this many minus one (at least one), leaving a core to
  // the guests.
  unsigned compileThreads = 0;
  CompilationMode compilation = CompilationMode::Lazy;
  // Lazy compilation only; eager compilation compiles every function at
  // optLevel (Tiered, Optimized) or with the baseline compiler (Baseline).
  TieringConfig tiering;
  size_t wasmStackSize = 512 * 1024;    // deeper recursion traps with CallStackExhausted
  // Compile epoch checks into function entries and loop headers, so that
  // Store::setEpochDeadline + Engine::incrementEpoch can interrupt guests.
  bool epochInterruption = false;
  // Compile fuel metering (one unit per wasm instruction); see Store::setFuel.
  bool consumeFuel = false;
  Features features;
  CacheConfig cache;
};

class Engine {
public:
  explicit Engine(const Config &config = {});
  ~Engine();
  Engine(const Engine &) = default;
  Engine &operator=(const Engine &) = default;

  const Config &config() const;
  // Advances the epoch by one; safe from any thread (e.g. a timer thread).
  // Guests whose store's deadline is reached trap with TrapKind::Interrupted
  // at their next function entry or loop iteration.
  void incrementEpoch();
  uint64_t epoch() const;

  struct Impl;
  const std::shared_ptr<Impl> &impl() const { return impl_; }

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace wasmrt
