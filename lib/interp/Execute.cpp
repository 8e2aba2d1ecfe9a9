// The dispatch loop: runs translated functions (Translate.h) on the thread's
// value stack (ValueStack.h).
//
// One invocation of run() (from interpret(): the host, the runtime or a JIT
// thunk) runs an activation and every interpreted call it makes: calls
// between interpreted functions push a frame on the value stack and go on in
// the same loop, so interpreted recursion costs no native stack. Calls that
// leave the interpreter (host functions, native code, runtime entry points,
// OSR entries) are made from run() itself, which keeps its frame pointer
// (this file is compiled with -fno-omit-frame-pointer), so a trap raised
// below it can walk through it.
//
// Traps leave by siglongjmp (wasmrt_trap). Nothing here owns a resource at a
// point that can trap; the value stack's innermost activation is reset by the
// runtime after a trap (restoreActivations).
//
// The loop is one function over 150 lines on purpose: its handlers must share
// the interpreter state in registers (pc, sp, frame, context). The handlers
// are in ControlOps.inc, MemoryOps.inc and NumericOps.inc, written with
// WASMRT_HANDLER(label, operation) so that the same text fills the dispatch
// table and defines the handlers (no list of operations kept by hand).
#include "interp/Interpreter.h"
#include "interp/SimdOps.h"
#include "interp/Translate.h"
#include "interp/ValueStack.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace wasmrt::internal::interp {

namespace {

using abi::TrapKind;

// Native stack run() needs below its frame for what it calls before the next
// check (helpers, SimdOps, entry points); host functions and nested runtime
// calls have the runtime's reserve below the limit (kHostStackReserve).
constexpr uintptr_t kNativeFrameAllowance = 2048;

[[noreturn]] __attribute__((noinline)) void trap(abi::InstanceContext *ctx, TrapKind kind) {
  wasmrt_trap(ctx, uint32_t(kind));
  __builtin_unreachable();
}

template <typename T> T divS(abi::InstanceContext *ctx, T a, T b) {
  if (b == 0) [[unlikely]]
    trap(ctx, TrapKind::IntegerDivideByZero);
  if (a == std::numeric_limits<T>::min() && b == -1) [[unlikely]]
    trap(ctx, TrapKind::IntegerOverflow);
  return a / b;
}
template <typename T> T divU(abi::InstanceContext *ctx, T a, T b) {
  if (b == 0) [[unlikely]]
    trap(ctx, TrapKind::IntegerDivideByZero);
  return a / b;
}
template <typename T> T remS(abi::InstanceContext *ctx, T a, T b) {
  if (b == 0) [[unlikely]]
    trap(ctx, TrapKind::IntegerDivideByZero);
  return b == -1 ? 0 : a % b;
}
template <typename T> T remU(abi::InstanceContext *ctx, T a, T b) {
  if (b == 0) [[unlikely]]
    trap(ctx, TrapKind::IntegerDivideByZero);
  return a % b;
}

// Rounding results that are NaN must be quiet (libm may pass a signalling NaN through).
template <typename F> F quiet(F x) { return x != x ? x + x : x; }

// Wasm min/max: NaN if either is NaN; -0 < +0.
template <typename F> F wasmMin(F a, F b) {
  if (a != a || b != b)
    return a + b;
  if (a == b) {
    using U = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
    return std::bit_cast<F>(U(std::bit_cast<U>(a) | std::bit_cast<U>(b)));
  }
  return a < b ? a : b;
}
template <typename F> F wasmMax(F a, F b) {
  if (a != a || b != b)
    return a + b;
  if (a == b) {
    using U = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
    return std::bit_cast<F>(U(std::bit_cast<U>(a) & std::bit_cast<U>(b)));
  }
  return a > b ? a : b;
}

// The integer range as exact bounds in F: [lo, hi) after truncation.
template <typename I, typename F> constexpr F lowerBound() {
  return F(std::numeric_limits<I>::min());
}
template <typename I, typename F> constexpr F upperBound() {
  return std::is_signed_v<I> ? -F(std::numeric_limits<I>::min())
                             : F(2) * F(I(1) << (sizeof(I) * 8 - 1));
}

template <typename I, typename F> I truncTrapping(abi::InstanceContext *ctx, F x) {
  if (x != x) [[unlikely]]
    trap(ctx, TrapKind::InvalidConversionToInteger);
  F t = std::trunc(x);
  if (!(t >= lowerBound<I, F>() && t < upperBound<I, F>())) [[unlikely]]
    trap(ctx, TrapKind::IntegerOverflow);
  return I(t);
}

template <typename I> I truncSat(auto x) {
  using F = decltype(x);
  if (x != x)
    return 0;
  if (x <= lowerBound<I, F>())
    return std::numeric_limits<I>::min();
  if (x >= upperBound<I, F>())
    return std::numeric_limits<I>::max();
  return I(x);
}

// The frame header: the activation of the frame just above it, and where an
// interpreted caller continues.
struct FrameHeader {
  Activation activation;
  const uint32_t *returnPc;       // null: the activation run() was called for
  Slot *returnSp;                 // where the caller wants the results
  const FunctionCode *callerCode;
};
constexpr uint32_t kHeaderSlots = uint32_t((sizeof(FrameHeader) + sizeof(Slot) - 1) / sizeof(Slot));

InterpretedModule &moduleOf(abi::InstanceContext *ctx) {
  return *static_cast<InterpretedModule *>(ctx->interpreter);
}

bool epochReached(abi::InstanceContext *ctx) {
  return __atomic_load_n(ctx->epochCounter, __ATOMIC_RELAXED) >= ctx->epochDeadline;
}

// Counts down the function's budget; the tier-up request when it runs out
// (EmitTiering.cpp emitHotnessCount).
OsrEntryArray countHotness(const InterpretedModule &module, uint32_t funcIndex, uint32_t loop) {
  std::atomic<int32_t> &budget = module.budget(funcIndex);
  int32_t next = budget.load(std::memory_order_relaxed) - 1;
  budget.store(next, std::memory_order_relaxed);
  if (next > 0) [[likely]]
    return nullptr;
  const InterpreterOptions &options = module.options();
  budget.store(int32_t(options.osrCheckInterval), std::memory_order_relaxed);
  return options.hooks->requestTierUp(options.hooks->state, funcIndex, loop);
}

// A frame for `code` at `header` (value-stack overflow traps), its arguments
// copied from `args`, its other locals zeroed, its activation the innermost.
Slot *pushFrame(ValueStack &stack, abi::InstanceContext *ctx, const FunctionCode *code,
                Slot *header, const Slot *args, const void *nativeFrame,
                const void *nativeCaller = nullptr) {
  Slot *frame = header + kHeaderSlots;
  if (frame + code->frameSlots > stack.limit) [[unlikely]]
    trap(ctx, TrapKind::CallStackExhausted);
  std::memcpy(static_cast<void *>(frame), args, code->numParams * sizeof(Slot));
  std::memset(static_cast<void *>(frame + code->numParams), 0,
              (code->numLocals - code->numParams) * sizeof(Slot));
  auto *h = reinterpret_cast<FrameHeader *>(header);
  h->activation = {stack.innermost, nativeFrame, ctx, code->funcIndex,
                   reinterpret_cast<abi::ValueSlot *>(frame), code->frameSlots, nativeCaller};
  stack.innermost = &h->activation;
  return frame;
}

const FunctionCode *codeOf(abi::InstanceContext *ctx, uint32_t funcIndex) {
  const FunctionCode *code = moduleOf(ctx).function(funcIndex);
  if (!code) [[unlikely]]
    trap(ctx, TrapKind::CompilationFailed);
  return code;
}

// Whether a call of `f` stays in the dispatch loop: an interpreted function
// whose module has no optimized body for it yet. *body gets that body if there is one.
bool staysInterpreted(const abi::FuncRef *f, void **body) {
  *body = nullptr;
  if (f->funcIndex == UINT32_MAX || !f->context->interpreter)
    return false;
  const TierHooks *hooks = moduleOf(f->context).options().hooks;
  if (hooks && hooks->compiledBody)
    *body = hooks->compiledBody(hooks->state, f->funcIndex);
  return !*body;
}

// Calls that leave the interpreter: a host function, or native code through
// the entry trampoline of the caller module's type: `code` if not null (an
// optimized body of the caller's own module, f then null), else f's code.
// `slots` holds the arguments and receives the results. Kept out of line (and
// with a frame pointer) so run()'s frame stays small.
__attribute__((noinline)) void callOut(abi::InstanceContext *caller, const abi::FuncRef *f,
                                       void *code, uint32_t typeIndex, Slot *slots) {
  auto *values = reinterpret_cast<abi::ValueSlot *>(slots);
  if (f && f->funcIndex == UINT32_MAX) {
    // What the host adapter does (ModuleEmitter.cpp).
    auto *host = reinterpret_cast<abi::HostFunctionContext *>(f->context);
    if (uint32_t kind = host->callback(host, caller, values))
      wasmrt_trap(caller, kind);
    return;
  }
  const TierHooks *hooks = moduleOf(caller).options().hooks;
  abi::EntryTrampoline trampoline =
      hooks && hooks->entryTrampoline ? hooks->entryTrampoline(hooks->state, typeIndex) : nullptr;
  if (!code)
    code = __atomic_load_n(&const_cast<abi::FuncRef *>(f)->code, __ATOMIC_ACQUIRE);
  if (!trampoline || !code) [[unlikely]]
    trap(caller, TrapKind::CompilationFailed);
  trampoline(code, f ? f->context : caller, values);
}

__attribute__((noinline)) void run(abi::InstanceContext *ctx, uint32_t funcIndex,
                                   abi::ValueSlot *slots, const void *nativeCaller) {
  const void *nativeFrame = __builtin_frame_address(0);
  if (uintptr_t(nativeFrame) - kNativeFrameAllowance < ctx->stackLimit) [[unlikely]]
    trap(ctx, TrapKind::CallStackExhausted);
  ValueStack &stack = ValueStack::current();
  if (!stack.base) [[unlikely]]
    trap(ctx, TrapKind::CallStackExhausted);
  const FunctionCode *fc = codeOf(ctx, funcIndex);
  Slot *start = stack.innermost ? reinterpret_cast<Slot *>(stack.innermost->frameBase) +
                                      stack.innermost->frameSlots
                                : stack.base;
  Slot *fp = pushFrame(stack, ctx, fc, start, reinterpret_cast<Slot *>(slots), nativeFrame,
                       nativeCaller);
  auto *header = reinterpret_cast<FrameHeader *>(start);
  header->returnPc = nullptr;
  header->returnSp = nullptr;
  header->callerCode = nullptr;
  Activation *act = &header->activation;
  const uint32_t *pc = fc->code.data();
  Slot *sp = fp + fc->numLocals;

  // Function entry (after the stack check): epoch, then hotness.
#define WASMRT_ENTER_FUNCTION()                                                                    \
  do {                                                                                             \
    const InterpreterOptions &options = moduleOf(ctx).options();                                  \
    if (options.epochInterruption && epochReached(ctx)) [[unlikely]]                               \
      trap(ctx, TrapKind::Interrupted);                                                            \
    if (options.hooks) [[unlikely]]                                                                \
      countHotness(moduleOf(ctx), fc->funcIndex, kNoLoop);                                         \
  } while (false)

  // The next instruction: an indirect jump at the end of every handler
  // (threaded dispatch), whose target the branch predictor learns per handler.
  uint32_t word;
#define WASMRT_NEXT()                                                                              \
  do {                                                                                             \
    word = *pc;                                                                                    \
    goto *dispatch[uint16_t(word)];                                                                \
  } while (false)
  // Leaves the function: results to the frame's caller (the dispatch loop's
  // own caller for the activation run() started).
#define WASMRT_RETURN()                                                                            \
  do {                                                                                             \
    uint32_t n = fc->numResults;                                                                   \
    auto *h = reinterpret_cast<FrameHeader *>(fp - kHeaderSlots);                                  \
    if (!h->returnPc) {                                                                            \
      std::memcpy(slots, sp - n, n * sizeof(Slot));                                                \
      stack.innermost = act->caller;                                                               \
      return;                                                                                      \
    }                                                                                              \
    std::memmove(static_cast<void *>(h->returnSp), sp - n, n * sizeof(Slot));                      \
    sp = h->returnSp + n;                                                                          \
    pc = h->returnPc;                                                                              \
    fc = h->callerCode;                                                                            \
    act = act->caller;                                                                             \
    stack.innermost = act;                                                                         \
    ctx = act->context;                                                                            \
    fp = reinterpret_cast<Slot *>(act->frameBase);                                                 \
    WASMRT_NEXT();                                                                                 \
  } while (false)

  // The address of each operation's handler, filled on the thread's first
  // call: a thread_local, so no thread ever writes what another reads. The
  // handler files are included here once so that each WASMRT_HANDLER stores
  // its label (the handler's body after it is dead code), and once below.
  thread_local const void *table[op(InternalOp::Count)] = {};
  const void *const *dispatch = table;
  if (!table[op(Opcode::Unreachable)]) [[unlikely]] {
    for (const void *&entry : table)
      entry = &&invalid;
#define WASMRT_HANDLER(name, value)                                                                \
  table[value] = &&L_##name;                                                                       \
  if (false)
#define WASMRT_ALIAS(name, value) table[value] = &&L_##name;
#include "interp/ControlOps.inc"
#include "interp/MemoryOps.inc"
#include "interp/NumericOps.inc"
#undef WASMRT_HANDLER
#undef WASMRT_ALIAS
  }

  WASMRT_ENTER_FUNCTION();
  WASMRT_NEXT();

#define WASMRT_HANDLER(name, value) L_##name:
#define WASMRT_ALIAS(name, value) L_##name:
#include "interp/ControlOps.inc"
#include "interp/MemoryOps.inc"
#include "interp/NumericOps.inc"
#undef WASMRT_HANDLER
#undef WASMRT_ALIAS

invalid:
  // Translation emits nothing else.
  trap(ctx, TrapKind::CompilationFailed);
#undef WASMRT_NEXT
#undef WASMRT_RETURN
#undef WASMRT_ENTER_FUNCTION
}

} // namespace

void interpret(abi::InstanceContext *callee, abi::InstanceContext *, uint32_t funcIndex,
               abi::ValueSlot *slots, const void *nativeCaller) {
  run(callee, funcIndex, slots, nativeCaller);
}

} // namespace wasmrt::internal::interp
