// The compiler layer's public interface: validated Wasm module -> native code.
//
// compileModule() translates every defined function of a validated Module to
// LLVM IR (one function at a time), optimises it and JIT-links it in process
// with ORC (LLJIT + JITLink). The result, a CompiledModule, owns the JIT and
// all generated code; it is immutable and may be shared by any number of
// instances and threads once created. No LLVM type appears in this header, so
// the runtime layer (which never includes LLVM headers) uses it directly.
//
// Generated code follows lib/abi/RuntimeAbi.h: it reaches instance data
// only through the InstanceContext passed to every function, and the runtime
// only through the named entry points of WASMRT_RUNTIME_ENTRY_POINTS, whose
// addresses the runtime supplies in CompileOptions::runtimeSymbols. Nothing in
// the IR depends on a host address, so the same IR can be emitted as an object
// file for AOT/caching.
//
// Parallelism: the module's functions are split into chunks of neighbouring
// functions (one LLVM module and LLVMContext per chunk). Calls within a chunk
// are plain LLVM calls that the inliner may inline; calls across chunks are
// resolved by the JIT linker. Chunks are translated, optimised and code-
// generated in parallel on the JIT's thread pool (see Jit.cpp for the sizing).
//
// This header is also the seam between runtime and compiler: the runtime
// includes it (and no other compiler header) but does not link
// wasmrt_compiler. It reaches the compiler only through a CompilerBackend
// (end of this file), which comes either from createCompilerBackend() in a
// program that links wasmrt_compiler, or from libwasmrt-compiler.so, this
// library built as a plugin (CompilerPlugin.cpp) that lib/loader dlopens on
// first need, so that a process that only runs precompiled code never maps
// LLVM. Everything declared here must therefore stay free of LLVM types.
#pragma once

#include "abi/RuntimeAbi.h"
#include "binary/Module.h"
#include "wasmrt/Error.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wasmrt::internal {

// Worker threads that compile function bodies, shared by every module
// compiled with it (e.g. all modules of one runtime Engine). Threads start
// on first use, up to the size given, and are joined when the last owner
// lets go; modules compiled with a pool keep it alive.
class CompileThreadPool;
std::shared_ptr<CompileThreadPool> createCompileThreadPool(unsigned threads);

struct CompileOptions {
  unsigned optLevel = 2; // 0..3; 0 = mem2reg + FastISel
  // false: memory 0 lives in an 8 GiB guarded reservation; accesses are not
  // checked (faults are turned into traps by the runtime's signal handler).
  // true: every access is compared against InstanceContext::memorySize.
  bool explicitBoundsChecks = false;
  // Guarded mode: probe stores wider than a byte (load their last byte first)
  // also on targets that do not need it. Targets where a faulting store may
  // have written part of its bytes (AArch64) always probe; see EmitMemory.cpp.
  // For tests of the probing code on x86-64.
  bool forceStoreProbes = false;
  // Code memory: write code through a second, writable mapping of the same
  // pages (packed, no page per link graph) when the system allows it; false
  // forces the fallback of whole pages made executable with mprotect (see
  // lib/compiler/CodeArena.h). For tests.
  bool dualMappedCode = true;
  unsigned threads = 0; // 0 = all hardware threads
  // Where bodies compile; null: a pool of `threads` threads for this module
  // alone. Eager compilation with threads == 1 compiles on the calling thread.
  std::shared_ptr<CompileThreadPool> threadPool;
  // Compile each function on its first call instead of all of them in
  // compileModule(). Every defined function is then reached through a stub
  // (an indirect jump ORC patches once the body is linked); the first call
  // blocks while a compile thread translates and compiles the body, and
  // also queues that function's direct callees for background compilation.
  // The Module passed to compileModule() must then outlive the result.
  bool lazy = false;
  // Called with every region that will hold generated code (a chunk of the
  // JIT's code arena, see lib/compiler/CodeArena.h), from compile threads,
  // before any code in it can run, so the runtime can recognise faults in
  // it; an error fails the compilation that needed the region. May be empty.
  std::function<Expected<void>(uintptr_t begin, uintptr_t end)> onCodeLinked;
  // Lazy mode: called (from a compile thread) once the body of defined
  // function `funcIndex` is linked and executable, with its address, so
  // that FuncRefs can point at it instead of at the stub; called again
  // with the optimized body when a tiered function tiers up. May be empty.
  std::function<void(uint32_t funcIndex, void *body)> onBodyReady;
  // Addresses of the runtime entry points named in RuntimeAbi.h
  // (WASMRT_RUNTIME_ENTRY_POINTS), supplied by the runtime layer (the compiler
  // must not reference them at C++ link time). All of them are required.
  std::vector<std::pair<std::string, void *>> runtimeSymbols;
  // Run the LLVM IR verifier on every translated function (tests, debugging).
  bool verifyIR = false;
  // Epoch interruption: at every function entry and loop header, trap with
  // TrapKind::Interrupted once *InstanceContext::epochCounter reaches
  // InstanceContext::epochDeadline. Off: nothing is emitted.
  bool epochInterruption = false;
  // Fuel metering: every straight-line run of instructions subtracts its
  // instruction count from *InstanceContext::fuelCounter before the control
  // instruction that ends it; below zero traps with TrapKind::OutOfFuel.
  bool consumeFuel = false;
  // Lazy mode: which code a function runs (docs/COMPILER.md, "Tiers").
  //   Optimized: each body is compiled once, at optLevel.
  //   Baseline:  each body is compiled once, by the baseline pipeline (cheap
  //              to compile, slower code).
  //   Tiered:    baseline first; a function whose calls plus loop iterations
  //              reach tierUpThreshold is recompiled at optLevel in the
  //              background and replaces the baseline code everywhere (stub,
  //              FuncRefs); a loop still running in baseline code moves to
  //              optimized code at its next iteration check (on-stack
  //              replacement).
  // Eager mode compiles every function at optLevel (Optimized, Tiered) or by
  // the baseline pipeline (Baseline).
  enum class Tiering : uint8_t { Optimized, Baseline, Tiered };
  Tiering tiering = Tiering::Optimized;
  // Tiered: calls + loop back-edges after which a function is recompiled.
  uint32_t tierUpThreshold = 10000;
  // Tiered: once hot, how many loop iterations pass between checks whether
  // optimized code for the running loop is ready (the check is a call).
  uint32_t osrCheckInterval = 1000;
  // Tiered, lazy: the interpreter is the first tier instead of baseline code.
  // The address of the runtime's wasmrt_interpret (lib/interp): a function's
  // first body is then a thunk into it, compiled in a moment, and the
  // interpreter counts hotness and asks for optimized code and OSR entries
  // through CompiledModule::requestTierUp. Null: baseline code first.
  void *interpreterEntry = nullptr;
};

// The destructors of the interface classes here are inline, so that every
// user of the header has their type information: the runtime does not link
// the compiler, and UBSan's vptr checks need it at each virtual call.
class CompiledModule {
public:
  virtual ~CompiledModule() = default;
  // Code of a defined function (module function index space, calling
  // convention of RuntimeAbi.h); nullptr for imports and out-of-range indices.
  // In lazy mode this is the function's stub, stable for the module's life.
  virtual void *functionCode(uint32_t funcIndex) const = 0;
  // Host -> wasm trampoline for module type `typeIndex` (array convention).
  // It passes `callee` as both the callee and the caller context.
  virtual abi::EntryTrampoline entryTrampoline(uint32_t typeIndex) const = 0;
  // Code for host FuncRefs of module type `typeIndex`: its callee context must
  // be an abi::HostFunctionContext.
  virtual void *hostAdapter(uint32_t typeIndex) const = 0;
  // Address ranges [begin, end) of the generated code linked so far, sorted
  // and disjoint (lazily compiled code adds ranges over time).
  virtual std::vector<std::pair<uintptr_t, uintptr_t>> codeRanges() const = 0;
  // Whether `pc` lies in generated code linked so far. Thread-safe.
  virtual bool containsCode(uintptr_t pc) const = 0;
  // Whether the body of defined function `funcIndex` has been linked (always,
  // once compileModule() returned, in eager mode). Thread-safe.
  virtual bool isCompiled(uint32_t funcIndex) const = 0;
  // The defined function whose code contains `pc` (for backtraces). Thread-safe.
  virtual std::optional<uint32_t> functionAt(uintptr_t pc) const = 0;
  // Tiered mode: what tier-up has done so far (tests, diagnostics). Thread-safe.
  struct TierStats {
    uint32_t optimizedBodies = 0; // installed in place of baseline bodies
    uint32_t osrEntries = 0;      // compiled, one per function
    uint64_t osrTransfers = 0;    // baseline activations that moved to an OSR entry
  };
  virtual TierStats tierStats() const { return {}; }
  // Tiered with an interpreter first (CompileOptions::interpreterEntry), from
  // the interpreter on a guest thread; never blocks. `funcIndex` got hot:
  // queue its optimized body and, from loop `loop` (not UINT32_MAX), its OSR
  // entry, which is returned once compiled, with the convention
  // void entry(InstanceContext *, ValueSlot *frame, uint32_t loop) (results
  // written to frame[0..]); null until then.
  virtual void *requestTierUp(uint32_t funcIndex, uint32_t loop) {
    (void)funcIndex, (void)loop;
    return nullptr;
  }
  // The optimized body of `funcIndex` once it is installed, else null.
  virtual void *optimizedBody(uint32_t funcIndex) const {
    (void)funcIndex;
    return nullptr;
  }
};

// Entry trampolines and host adapters for function types that no compiled
// module provides (host functions, calls from the host), compiled on demand
// into one JIT session instead of one session per type. Thread-safe; the
// runtime Engine keeps one.
class GlueCompiler {
public:
  struct Glue {
    void *hostAdapter = nullptr;
    abi::EntryTrampoline entryTrampoline = nullptr;
  };
  virtual ~GlueCompiler() = default;
  // The glue of each type, in order.
  virtual Expected<std::vector<Glue>> compile(std::span<const FuncType> types) = 0;
};
// Uses `options` except lazy and threads (glue compiles on the calling thread).
Expected<std::unique_ptr<GlueCompiler>> createGlueCompiler(const CompileOptions &options);

// Ahead-of-time compilation of a whole module into an artifact (the format
// of abi/ArtifactFormat.h, described in docs/AOT.md) that the runtime maps
// and runs without LLVM.
struct ArtifactOptions {
  // "": the host, with its CPU's features; the artifact then loads only on a
  // CPU with the same fingerprint. "x86_64" or "aarch64": portable code for
  // that architecture's baseline (x86-64-v2; Armv8-A with NEON).
  std::string targetArch;
  std::array<uint8_t, 32> sourceHash{};     // SHA-256 of the module bytes, recorded
  std::array<uint8_t, 32> cpuFingerprint{}; // the host's (runtime/CpuFingerprint.h); host code only
  // Functions compiled so far and in all, from compile threads (one at a time).
  std::function<void(uint32_t done, uint32_t total)> onProgress;
};

// `module` must have passed validateModule() and `wasmBytes` be the bytes it
// was decoded from (the artifact embeds them). Uses options.optLevel, the
// memory mode, fuel and epoch settings and options.threads; ignores the
// rest (no JIT is involved).
Expected<std::vector<uint8_t>> compileArtifact(const Module &module,
                                               std::span<const uint8_t> wasmBytes,
                                               const CompileOptions &options,
                                               const ArtifactOptions &artifact);

// `module` must have passed validateModule(). On x86-64 the generated SIMD
// code needs SSSE3 (the JIT targets the host CPU).
Expected<std::unique_ptr<CompiledModule>> compileModule(const Module &module,
                                                        const CompileOptions &options);

// The compiler as the runtime sees it: the three entry points above, behind
// virtual calls, so that the runtime can use a compiler it does not link.
// Objects a backend returns may be used and destroyed on any thread; the code
// behind them stays mapped as long as the process lives (the plugin is loaded
// with RTLD_NODELETE), so they may outlive the backend. Thread-safe.
class CompilerBackend {
public:
  virtual ~CompilerBackend() = default;
  virtual std::shared_ptr<CompileThreadPool> createThreadPool(unsigned threads) = 0;
  virtual Expected<std::unique_ptr<CompiledModule>> compileModule(const Module &module,
                                                                  const CompileOptions &options) = 0;
  virtual Expected<std::unique_ptr<GlueCompiler>>
  createGlueCompiler(const CompileOptions &options) = 0;
  // Ahead-of-time compilation into an artifact (compileArtifact() above).
  virtual Expected<std::vector<uint8_t>> compileArtifact(const Module &module,
                                                         std::span<const uint8_t> wasmBytes,
                                                         const CompileOptions &options,
                                                         const ArtifactOptions &artifact) = 0;
};

// The backend over createCompileThreadPool(), compileModule() and
// createGlueCompiler(), for programs that link wasmrt_compiler (as the plugin
// does). The runtime never calls this or the functions above: it does not
// link them.
std::unique_ptr<CompilerBackend> createCompilerBackend();

} // namespace wasmrt::internal

// The plugin's one exported symbol, looked up by name (kCompilerBackendFactory)
// by lib/loader. The name carries the version of this protocol; the layout of
// every type that crosses the seam (this header, binary/Module.h, ...) is
// checked by `interfaceId`: the loader passes the id it was built with, and
// the plugin returns a new backend (owned by the caller) only if the id is its
// own. Otherwise it returns null and sets *pluginInterfaceId to its own id.
// Adding a virtual function to CompilerBackend (or changing any type it
// passes) needs no new name: the id changes with the headers. A new name
// (wasmrt_compiler_backend_v2) is for a change of this function's signature.
extern "C" wasmrt::internal::CompilerBackend *
wasmrt_compiler_backend_v1(const char *interfaceId, const char **pluginInterfaceId);

namespace wasmrt::internal {
inline constexpr const char kCompilerBackendFactory[] = "wasmrt_compiler_backend_v1";
} // namespace wasmrt::internal
