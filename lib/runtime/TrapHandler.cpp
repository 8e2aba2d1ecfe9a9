#include "runtime/TrapHandler.h"

#include "interp/Interpreter.h"

#include "runtime/RangeRegistry.h"
#include "runtime/arch/Arch.h"

#include <fmt/format.h>

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>

namespace wasmrt::internal {
namespace {

constexpr int kHandledSignals[] = {SIGSEGV, SIGBUS};
constexpr size_t kHandledSignalCount = std::size(kHandledSignals);

// The one piece of process-wide mutable state in wasmrt (see docs/RUNTIME.md): a
// signal disposition is per process, so what it needs to consult must be too.
struct ProcessTrapState {
  RangeRegistry jitCode;
  RangeRegistry guardedMemory;
  std::once_flag installOnce;
  int installErrno = 0;
  // Written before our handler is installed, read-only afterwards.
  struct sigaction previous[kHandledSignalCount] = {};
};

ProcessTrapState &processState() {
  // Never destroyed: other threads may still fault (and read it) during exit.
  static ProcessTrapState *const state = new ProcessTrapState;
  return *state;
}

// One callWithTrapHandling activation; lives in that call's frame.
struct EntryFrame {
  sigjmp_buf jumpBuffer;
  EntryFrame *outer = nullptr;
  // Written by the signal handler or raiseTrap just before jumping back.
  volatile TrapKind kind = TrapKind::Unreachable;
  volatile uintptr_t pc = 0;
  volatile uintptr_t faultAddress = 0;
  volatile int signal = 0;
  uintptr_t frames[TrapInfo::kMaxFrames];
  TrapInfo::InterpretedFrame interpreted[TrapInfo::kMaxFrames];
  volatile uint32_t frameCount = 0;
};

// Records the wasm frames from `pc` (in the frame `fp`) outwards: JIT frames, by
// following frame records [caller fp, return address] while the code is JIT code,
// whose frame records are always valid; and the interpreter's activations (lib/interp),
// whose dispatch function keeps a frame pointer and records it in each activation:
// the walk goes on through frames that lie below the next activation's native frame
// (the interpreter's own, its helpers', the JIT glue it calls), and where it reaches
// that frame it records the activations running in it, innermost first. Every
// record read lies between `fp` and this entry's frame (`frame`: what is above
// belongs to outer entries), so a frame without a frame record can cut a backtrace
// short but never make the walk read outside the stack. Async-signal-safe: registry
// lookups, this thread's TLS and loads from this thread's stack only. `exact` is false
// when `pc` is itself a return address.
void captureFrames(EntryFrame *frame, uintptr_t pc, uintptr_t fp, bool exact) {
  const RangeRegistry &jitCode = processState().jitCode;
  const auto bound = reinterpret_cast<uintptr_t>(frame);
  const interp::Activation *activation = interp::innermostActivation();
  uint32_t count = 0;
  auto add = [&](uintptr_t address, const interp::Activation *interpreted) {
    frame->frames[count] = address;
    frame->interpreted[count] = interpreted
                                    ? TrapInfo::InterpretedFrame{interpreted->context,
                                                                 interpreted->funcIndex}
                                    : TrapInfo::InterpretedFrame{};
    ++count;
  };
  uintptr_t lookup = exact ? pc : pc - 1;
  // A trap raised by the interpreter itself: its activation comes first.
  if (jitCode.contains(lookup))
    add(pc, nullptr);
  bool thunkFrame = false; // fp is a JIT thunk's frame, found through an activation
  while (count < TrapInfo::kMaxFrames && fp != 0 && fp % sizeof(uintptr_t) == 0 && fp < bound) {
    bool interpreterFrame = false;
    const void *nativeCaller = nullptr;
    while (activation && reinterpret_cast<uintptr_t>(activation->nativeFrame) == fp &&
           count < TrapInfo::kMaxFrames) {
      add(0, activation);
      nativeCaller = activation->nativeCaller;
      activation = activation->caller;
      interpreterFrame = true;
    }
    // The run of the dispatch loop was entered from a JIT thunk: the walk goes on
    // from the thunk's frame (the runtime's and the interpreter's entry frames
    // between them are not JIT code).
    if (nativeCaller && reinterpret_cast<uintptr_t>(nativeCaller) > fp) {
      fp = reinterpret_cast<uintptr_t>(nativeCaller);
      thunkFrame = true;
      continue;
    }
    bool towardsInterpreter =
        activation && reinterpret_cast<uintptr_t>(activation->nativeFrame) > fp &&
        reinterpret_cast<uintptr_t>(activation->nativeFrame) < bound;
    if (!interpreterFrame && !towardsInterpreter && !thunkFrame && !jitCode.contains(lookup))
      break;
    thunkFrame = false;
    if (count >= TrapInfo::kMaxFrames)
      break;
    const auto *record = reinterpret_cast<const uintptr_t *>(fp);
    uintptr_t callerFp = record[0];
    uintptr_t returnAddress = record[1];
    // Return addresses into the interpreter or its helpers are no wasm frames.
    if (jitCode.contains(returnAddress - 1))
      add(returnAddress, nullptr);
    if (callerFp <= fp) // callers' frames are higher up the stack
      break;
    fp = callerFp;
    lookup = returnAddress - 1;
  }
  frame->frameCount = count;
}

// Read by the signal handler, so it must be trivially constructible and destructible:
// such thread_locals are plain TLS loads, with no lazy-initialisation wrapper call.
struct ThreadTrapState {
  EntryFrame *innermost;
  uintptr_t stackLimit;
  // Faults at [stackGuardLow, stackGuardHigh) are overflows of this thread's stack.
  uintptr_t stackGuardLow;
  uintptr_t stackGuardHigh;
  uintptr_t stackLow;  // lowest usable address of this thread's stack, 0 if unknown
  uintptr_t stackHigh; // one past its highest
  bool prepared;
};
static_assert(std::is_trivially_destructible_v<ThreadTrapState>);
thread_local ThreadTrapState tlsTrap;

// Owns the alternate signal stack we installed for this thread, if any. Never touched
// from a signal handler (it has a destructor, so access goes through a TLS wrapper).
struct SignalStack {
  void *mapping = nullptr;
  size_t mappingSize = 0;
  stack_t previous = {};
  ~SignalStack() {
    if (!mapping)
      return;
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 &&
        current.ss_sp == static_cast<char *>(mapping) + pageSize()) {
      if (previous.ss_flags & SS_DISABLE) {
        stack_t off = {};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
      } else {
        sigaltstack(&previous, nullptr);
      }
    }
    munmap(mapping, mappingSize);
  }
  static size_t pageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }
};
thread_local SignalStack tlsSignalStack;

Error systemError(const char *what, int err) {
  return Error(ErrorKind::Internal,
               fmt::format("{}: {}", what, std::generic_category().message(err)));
}

void chainToPrevious(int signal, siginfo_t *info, void *context) {
  size_t index = signal == SIGSEGV ? 0 : 1;
  const struct sigaction &previous = processState().previous[index];
  bool sent = info->si_code <= 0; // kill()/raise()/sigqueue(), not a fault
  if (previous.sa_handler == SIG_IGN && sent)
    return;
  if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // Die as we would have without our handler: with the default action restored, a
    // fault re-executes and is fatal; a sent signal is re-raised (blocked until we
    // return).
    struct sigaction fallback = {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, nullptr);
    if (sent)
      raise(signal);
    return;
  }
  if (previous.sa_flags & SA_SIGINFO)
    previous.sa_sigaction(signal, info, context);
  else
    previous.sa_handler(signal);
}

// Async-signal-safe: TLS loads, atomic loads and siglongjmp only.
void handleFault(int signal, siginfo_t *info, void *context) {
  ThreadTrapState &thread = tlsTrap;
  EntryFrame *frame = thread.innermost;
  if (frame && info->si_code > 0) {
    ProcessTrapState &state = processState();
    uintptr_t pc = arch::contextPc(context);
    auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    if (state.jitCode.contains(pc)) {
      bool outOfBounds = state.guardedMemory.contains(address);
      bool stackOverflow =
          address >= thread.stackGuardLow && address < thread.stackGuardHigh;
      if (outOfBounds || stackOverflow) {
        frame->kind = outOfBounds ? TrapKind::MemoryOutOfBounds : TrapKind::CallStackExhausted;
        frame->pc = pc;
        frame->faultAddress = address;
        frame->signal = signal;
        captureFrames(frame, pc, arch::contextFp(context), true);
        siglongjmp(frame->jumpBuffer, 1);
      }
    }
  }
  chainToPrevious(signal, info, context);
}

void installOnce(ProcessTrapState &state) {
  for (size_t i = 0; i < kHandledSignalCount; ++i) {
    if (sigaction(kHandledSignals[i], nullptr, &state.previous[i]) != 0) {
      state.installErrno = errno;
      return;
    }
  }
  struct sigaction action = {};
  action.sa_sigaction = handleFault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : kHandledSignals) {
    if (sigaction(signal, &action, nullptr) != 0) {
      state.installErrno = errno;
      return;
    }
  }
}

Expected<void> installSignalStack() {
  stack_t current;
  if (sigaltstack(nullptr, &current) != 0)
    return systemError("sigaltstack", errno);
  if (!(current.ss_flags & SS_DISABLE) && current.ss_size >= kSignalStackSize)
    return {}; // someone (e.g. a sanitizer runtime) already gave this thread one
  size_t page = SignalStack::pageSize();
  size_t mappingSize = kSignalStackSize + page; // plus a guard page below
  void *mapping = mmap(nullptr, mappingSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED)
    return systemError("mmap of the signal stack", errno);
  if (mprotect(mapping, page, PROT_NONE) != 0) {
    int err = errno;
    munmap(mapping, mappingSize);
    return systemError("mprotect of the signal stack guard", err);
  }
  stack_t stack = {};
  stack.ss_sp = static_cast<char *>(mapping) + page;
  stack.ss_size = kSignalStackSize;
  SignalStack &owner = tlsSignalStack;
  // The old stack goes to a local first: qemu-user emulating pages larger than
  // the host's (QEMU_PAGESIZE=16384/65536, how 16 and 64 KiB-page kernels are
  // tried on x86-64) fails sigaltstack with EFAULT when the pointer is in the
  // main thread's static TLS (docs/CROSS-COMPILING.md). Same result elsewhere.
  stack_t previous;
  if (sigaltstack(&stack, &previous) != 0) {
    int err = errno;
    munmap(mapping, mappingSize);
    return systemError("sigaltstack", err);
  }
  owner.previous = previous;
  owner.mapping = mapping;
  owner.mappingSize = mappingSize;
  return {};
}

// Finds this thread's stack and the window below it where an overflow faults. A
// thread whose stack cannot be determined gets no overflow detection by fault (the
// explicit limit check in JIT prologues still works).
void findThreadStack(ThreadTrapState &thread) {
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0)
    return;
  void *stackAddress = nullptr;
  size_t stackSize = 0;
  size_t guardSize = 0;
  if (pthread_attr_getstack(&attributes, &stackAddress, &stackSize) == 0 && stackAddress) {
    pthread_attr_getguardsize(&attributes, &guardSize);
    auto low = reinterpret_cast<uintptr_t>(stackAddress);
    // The main thread's stack grows on demand and has a larger kernel guard gap than
    // glibc's one-page guard; 64 KiB covers a call's or a probe's overshoot either way.
    size_t window = std::max<size_t>(guardSize, 64 * 1024);
    thread.stackLow = low;
    thread.stackHigh = low + stackSize;
    thread.stackGuardHigh = low;
    thread.stackGuardLow = low > window ? low - window : 0;
  }
  pthread_attr_destroy(&attributes);
}

Expected<void> prepareThread() {
  ThreadTrapState &thread = tlsTrap;
  if (thread.prepared)
    return {};
  if (auto installed = installSignalStack(); !installed)
    return installed;
  findThreadStack(thread);
  thread.prepared = true;
  return {};
}

uintptr_t entryStackLimit(const ThreadTrapState &thread, const WasmEntryOptions &options) {
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  uintptr_t limit = sp > options.wasmStackSize ? sp - options.wasmStackSize : 0;
  // Clamp to the thread's real stack only when running on it. On another stack (a
  // fiber or coroutine; its bounds are unknown here) the thread's bounds would put the
  // limit above SP, so that every call trapped, or say nothing: the fiber's stack must
  // hold wasmStackSize (docs/EMBEDDING.md).
  if (thread.stackLow && sp >= thread.stackLow && sp < thread.stackHigh)
    limit = std::max(limit, thread.stackLow + kHostStackReserve);
  return limit;
}

// Kept tiny and separate so nothing in callWithTrapHandling lives across sigsetjmp.
[[gnu::noinline]] bool runBody(EntryFrame *frame, void (*body)(void *), void *arg) {
  if (sigsetjmp(frame->jumpBuffer, 0) != 0)
    return false;
  body(arg);
  return true;
}

} // namespace

TrapRegion &TrapRegion::operator=(TrapRegion &&other) noexcept {
  if (this != &other) {
    reset();
    table_ = other.table_;
    slot_ = std::exchange(other.slot_, kNoSlot);
  }
  return *this;
}

void TrapRegion::reset() {
  if (slot_ == kNoSlot)
    return;
  ProcessTrapState &state = processState();
  (table_ == Table::JitCode ? state.jitCode : state.guardedMemory).remove(slot_);
  slot_ = kNoSlot;
}

Expected<TrapRegion> registerJitCode(const void *begin, size_t size) {
  auto low = reinterpret_cast<uintptr_t>(begin);
  auto slot = processState().jitCode.add(low, low + size);
  if (!slot)
    return std::move(slot).error();
  return TrapRegion(TrapRegion::Table::JitCode, *slot);
}

Expected<TrapRegion> registerGuardedMemory(const void *begin, size_t size) {
  auto low = reinterpret_cast<uintptr_t>(begin);
  auto slot = processState().guardedMemory.add(low, low + size);
  if (!slot)
    return std::move(slot).error();
  return TrapRegion(TrapRegion::Table::GuardedMemory, *slot);
}

Expected<void> installTrapHandler() {
  ProcessTrapState &state = processState();
  std::call_once(state.installOnce, installOnce, std::ref(state));
  if (state.installErrno)
    return systemError("installing the trap signal handler", state.installErrno);
  return {};
}

Expected<void> callWithTrapHandling(void (*body)(void *), void *arg, TrapInfo *trapOut,
                                    const WasmEntryOptions &options) {
  if (auto installed = installTrapHandler(); !installed)
    return installed;
  if (auto prepared = prepareThread(); !prepared)
    return prepared;
  ThreadTrapState &thread = tlsTrap;
  EntryFrame frame;
  frame.outer = thread.innermost;
  uintptr_t outerLimit = thread.stackLimit;
  if (!frame.outer)
    thread.stackLimit = entryStackLimit(thread, options);
  thread.innermost = &frame;
  // A trap skips the interpreter's own bookkeeping: activations newer than the
  // ones live at entry are dropped here.
  interp::Activation *activations = interp::innermostActivation();
  bool completed = runBody(&frame, body, arg);
  thread.innermost = frame.outer;
  thread.stackLimit = outerLimit;
  if (completed)
    return {};
  interp::restoreActivations(activations);
  if (frame.signal) {
    // We left the handler by jumping, so the kernel did not restore the signal mask;
    // unblock the signal it blocked for the handler's duration.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, frame.signal);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
  if (trapOut) {
    trapOut->kind = frame.kind;
    trapOut->pc = frame.pc;
    trapOut->faultAddress = frame.faultAddress;
    trapOut->frameCount = frame.frameCount;
    std::copy_n(frame.frames, frame.frameCount, trapOut->frames);
    std::copy_n(frame.interpreted, frame.frameCount, trapOut->interpreted);
  }
  return Error(ErrorKind::Trap, trapMessage(frame.kind));
}

void raiseTrapAt(TrapKind kind, const void *pc) { raiseTrapAt(kind, pc, nullptr); }

void raiseTrapAt(TrapKind kind, const void *pc, const void *framePointer) {
  EntryFrame *frame = tlsTrap.innermost;
  if (!frame) {
    static const char message[] = "wasmrt: raiseTrap called outside a wasm call\n";
    [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    std::abort();
  }
  frame->kind = kind;
  frame->pc = reinterpret_cast<uintptr_t>(pc);
  frame->faultAddress = 0;
  frame->signal = 0;
  frame->frameCount = 0;
  if (framePointer)
    captureFrames(frame, reinterpret_cast<uintptr_t>(pc), reinterpret_cast<uintptr_t>(framePointer),
                  false);
  siglongjmp(frame->jumpBuffer, 1);
}

void raiseTrap(TrapKind kind) { raiseTrapAt(kind, __builtin_return_address(0)); }

bool inWasmCall() { return tlsTrap.innermost != nullptr; }

uintptr_t wasmStackLimit() { return tlsTrap.innermost ? tlsTrap.stackLimit : 0; }

} // namespace wasmrt::internal
