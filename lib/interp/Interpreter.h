// The interpreter tier (docs/INTERPRETER.md): functions run at once from a
// compact translation of their validated bytecode, made on their first
// execution, instead of waiting for LLVM.
//
// The interpreter talks to the runtime only through the ABI (abi/RuntimeAbi.h):
// the instance context, FuncRefs, tables, globals and the runtime entry points,
// called exactly as generated code calls them, so both tiers share one
// implementation of memory.grow, bulk memory, tables and traps.
//
// Frames live on a per-thread value stack (not the native stack): a frame is
// one 16-byte abi::ValueSlot per local (parameters, then declared locals,
// zero-initialised), then the operand stack. That is also the layout of the
// JIT's on-stack-replacement buffers (EmitTiering.cpp), so a running loop can
// move to optimized code by handing over its frame as it is.
#pragma once

#include "abi/RuntimeAbi.h"
#include "binary/Module.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace wasmrt::internal::interp {

// One per interpreted wasm call, kept on the value stack in the header just
// below its frame (not on the native stack: calls between interpreted
// functions stay in one dispatch loop, so the activations that loop runs share
// its native frame, and consecutive activations may have the same
// nativeFrame; the innermost comes first in the `caller` chain). Valid while
// the call runs, and after a trap until the runtime calls restoreActivations.
struct Activation {
  Activation *caller;          // the next outer interpreted activation of this thread
  const void *nativeFrame;     // __builtin_frame_address(0) of the function running it
  abi::InstanceContext *context;
  uint32_t funcIndex;          // module function index
  abi::ValueSlot *frameBase;   // its first slot on the value stack
  uint32_t frameSlots;         // locals + the maximum operand stack
  // The activation a run of the dispatch loop starts with, when native code
  // that keeps frame records called the interpreter (a JIT thunk, through
  // wasmrt_interpret): that code's frame pointer, where a backtrace goes on
  // past the interpreter's own frames. Null otherwise.
  const void *nativeCaller;
};

// This thread's innermost interpreted activation, or null.
Activation *innermostActivation();
// After a trap unwound (siglongjmp) past newer activations: makes `mark` (an
// activation still live, or null) the innermost again, so the value-stack
// space of the abandoned frames is reused.
void restoreActivations(Activation *mark);

inline constexpr uint32_t kNoLoop = UINT32_MAX;

// An on-stack-replacement entry of the JIT: runs the rest of the activation
// from loop `loop` with the frame's locals and operand stack, and writes its
// results to frame[0..].
using OsrEntryArray = void (*)(abi::InstanceContext *ctx, abi::ValueSlot *frame, uint32_t loop);

// What the interpreter asks the JIT side (the lead's tier-up machinery).
struct TierHooks {
  void *state = nullptr;
  // A function's budget ran out (calls + loop iterations, see EmitTiering.cpp).
  // loop = kNoLoop from the function entry, else the loop's index. Returns the
  // OSR entry once compiled (only for loop != kNoLoop), else null. Never blocks.
  OsrEntryArray (*requestTierUp)(void *state, uint32_t funcIndex, uint32_t loop) = nullptr;
  // Native code of defined function funcIndex once an optimized body is
  // installed, else null.
  void *(*compiledBody)(void *state, uint32_t funcIndex) = nullptr;
  // Host->wasm trampoline of module type typeIndex (array convention).
  abi::EntryTrampoline (*entryTrampoline)(void *state, uint32_t typeIndex) = nullptr;
};

struct InterpreterOptions {
  bool consumeFuel = false;        // charge InstanceContext::fuelCounter like the JIT
  bool epochInterruption = false;  // check the epoch at entries and loop headers
  uint32_t tierUpThreshold = 10000;
  uint32_t osrCheckInterval = 1000;
  // Null: pure interpreter, no hotness counting at all. Must outlive the module.
  const TierHooks *hooks = nullptr;
};

struct FunctionCode; // a translated function (Translate.h)

// The interpreter's per-module state, shared by all instances of the module
// (each instance's InstanceContext::interpreter points to it). Thread-safe.
class InterpretedModule {
public:
  // `module` must be validated (Module::functionFacts filled) and outlive this.
  InterpretedModule(const Module &module, InterpreterOptions options);
  ~InterpretedModule();
  InterpretedModule(const InterpretedModule &) = delete;
  InterpretedModule &operator=(const InterpretedModule &) = delete;

  const Module &module() const { return module_; }
  const InterpreterOptions &options() const { return options_; }

  // The translation of defined function funcIndex, made on first use. Two
  // threads may translate at once; the first published wins, the other's is
  // discarded. Null only if translation failed (a bug: the code is validated).
  const FunctionCode *function(uint32_t funcIndex) const;

  // Tier-up budget of defined function funcIndex (relaxed atomics: a lost
  // update between threads only delays tier-up, as in EmitTiering.cpp).
  std::atomic<int32_t> &budget(uint32_t funcIndex) const {
    return budgets_[funcIndex - module_.numImportedFuncs];
  }

  // Bytes of bytecode translated so far and the time spent (measurements).
  uint64_t translatedBytes() const { return translatedBytes_.load(std::memory_order_relaxed); }

private:
  const Module &module_;
  InterpreterOptions options_;
  std::unique_ptr<std::atomic<const FunctionCode *>[]> functions_; // per defined function
  std::unique_ptr<std::atomic<int32_t>[]> budgets_;               // per defined function
  mutable std::atomic<uint64_t> translatedBytes_{0};
};

// Runs defined function funcIndex of `callee`'s module (callee->interpreter
// must be its InterpretedModule): arguments in slots[0..params), results
// written from slots[0]. `caller` is the calling instance's context (the
// callee's own when the host calls). Traps leave by wasmrt_trap (siglongjmp),
// so this must run inside the runtime's callWithTrapHandling.
// `nativeCaller`: see Activation::nativeCaller.
void interpret(abi::InstanceContext *callee, abi::InstanceContext *caller, uint32_t funcIndex,
               abi::ValueSlot *slots, const void *nativeCaller = nullptr);

} // namespace wasmrt::internal::interp
