// Turning faults in JIT code into wasm traps, and the wasm-entry API.
//
// One process-wide SIGSEGV/SIGBUS handler (the single documented exception to the
// no-global-state rule, see docs/RUNTIME.md) decides whether a fault is a trap: the
// faulting address is in a registered guarded memory (or just below this thread's
// stack) and the PC is in registered JIT code. Then it siglongjmps to the innermost
// callWithTrapHandling() frame of the faulting thread. Any other fault goes to the
// handler that was installed before ours, or kills the process as it would have.
//
// Per-thread state (the chain of wasm entries, the stack limit, the signal stack) is
// thread_local: it belongs to one thread, so it is not shared mutable state.
#pragma once

#include "runtime/TrapKind.h"
#include "wasmrt/Error.h"

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace wasmrt::internal {

struct TrapInfo {
  TrapKind kind = TrapKind::Unreachable;
  uintptr_t pc = 0;           // faulting instruction, or raiseTrap's caller
  uintptr_t faultAddress = 0; // si_addr for signal traps, 0 for raiseTrap
  // The wasm frames at the trap, innermost first, captured before unwinding (the stack
  // is reused afterwards): JIT frames as code addresses (`pc` first when it is JIT
  // code, then return addresses) and the interpreter's activations (lib/interp) in
  // their place among them. Found by walking frame records (generated code and the
  // interpreter keep frame pointers) from the faulting context, or from raiseTrapAt's
  // frame pointer (TrapHandler.cpp, captureFrames). Empty when raiseTrap had no frame
  // pointer.
  static constexpr uint32_t kMaxFrames = 64;
  uintptr_t frames[kMaxFrames] = {};
  // frames[i] was an activation of the interpreter when `context` is set: the
  // function `funcIndex` of the instance with that context (frames[i] is 0).
  struct InterpretedFrame {
    const void *context = nullptr;
    uint32_t funcIndex = 0;
  };
  InterpretedFrame interpreted[kMaxFrames] = {};
  uint32_t frameCount = 0;
};

struct WasmEntryOptions {
  // Stack that wasm code (plus host calls it makes) may use below the outermost
  // entry of a thread. Nested entries inherit the outermost limit.
  size_t wasmStackSize = 512 * 1024;
};

// Stack kept free below the limit for host functions and the runtime, when the
// thread's real stack is smaller than wasmStackSize.
inline constexpr size_t kHostStackReserve = 64 * 1024;
// Size of the per-thread alternate signal stack we install when the thread has none
// (or one smaller than this).
inline constexpr size_t kSignalStackSize = 128 * 1024;

// RAII registration of an address range with the trap handler. Move-only.
class TrapRegion {
public:
  TrapRegion() = default;
  TrapRegion(TrapRegion &&other) noexcept { *this = std::move(other); }
  TrapRegion &operator=(TrapRegion &&other) noexcept;
  TrapRegion(const TrapRegion &) = delete;
  TrapRegion &operator=(const TrapRegion &) = delete;
  ~TrapRegion() { reset(); }

  explicit operator bool() const { return slot_ != kNoSlot; }
  void reset();

private:
  enum class Table : uint8_t { JitCode, GuardedMemory };
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  TrapRegion(Table table, uint32_t slot) : table_(table), slot_(slot) {}
  friend Expected<TrapRegion> registerJitCode(const void *begin, size_t size);
  friend Expected<TrapRegion> registerGuardedMemory(const void *begin, size_t size);

  Table table_ = Table::JitCode;
  uint32_t slot_ = kNoSlot;
};

// Faults whose PC lies in [begin, begin + size) may be traps.
Expected<TrapRegion> registerJitCode(const void *begin, size_t size);
// Faults at addresses in [begin, begin + size) from JIT code are out-of-bounds traps.
// LinearMemory registers its guarded reservations itself.
Expected<TrapRegion> registerGuardedMemory(const void *begin, size_t size);

// Installs the process-wide handler once (thread-safe). callWithTrapHandling calls it;
// embedders may call it early to control ordering with their own handlers.
Expected<void> installTrapHandler();

// Runs body(arg) as a wasm call. A trap inside it (a fault in JIT code, or raiseTrap)
// unwinds to here: the result is an ErrorKind::Trap error with the spec's message, and
// *trapOut (if given) receives the details. Other errors (ErrorKind::Internal) mean
// the signal machinery could not be set up. Re-entrant: host -> wasm -> host -> wasm
// works, and a trap unwinds to the innermost entry only.
//
// Unwinding is a siglongjmp: C++ destructors of frames between this call and the trap
// do not run. Code that may trap must not own resources on the stack.
Expected<void> callWithTrapHandling(void (*body)(void *), void *arg, TrapInfo *trapOut = nullptr,
                                    const WasmEntryOptions &options = {});

// Convenience for callables; `fn` itself lives in the caller's frame.
template <typename Fn, typename = std::enable_if_t<std::is_invocable_v<Fn &>>>
Expected<void> callWithTrapHandling(Fn &&fn, TrapInfo *trapOut = nullptr,
                                    const WasmEntryOptions &options = {}) {
  auto *target = &fn;
  return callWithTrapHandling(
      [](void *p) { (*static_cast<decltype(target)>(p))(); }, target, trapOut, options);
}

// Explicit trap from runtime helpers that JIT code calls. Unwinds to the innermost
// callWithTrapHandling of this thread; aborts the process if there is none (a bug).
// The reported pc is raiseTrap's caller; a helper called directly from JIT code can
// report the JIT pc instead with raiseTrapAt(kind, __builtin_return_address(0)).
[[noreturn]] void raiseTrap(TrapKind kind);
[[noreturn]] void raiseTrapAt(TrapKind kind, const void *pc);
// The same, also reporting the frame pointer of `pc`'s frame, so TrapInfo::frames
// gets the JIT frames from `pc` outwards.
[[noreturn]] void raiseTrapAt(TrapKind kind, const void *pc, const void *framePointer);

// True between entry and exit of callWithTrapHandling on this thread.
bool inWasmCall();

// The lowest stack address wasm code on this thread may use (0 outside wasm calls).
// JIT prologues compare SP against it and trap with CallStackExhausted below it.
uintptr_t wasmStackLimit();

} // namespace wasmrt::internal
