// The per-thread value stack of the interpreter: where its frames live (not
// on the native stack, so that interpreted recursion is not shallower than
// optimized code's: an interpreted frame is 16 bytes per local and operand
// slot, and a call between interpreted functions uses no native stack).
#pragma once

#include "abi/RuntimeAbi.h"
#include "interp/Interpreter.h"

#include <cstdint>

namespace wasmrt::internal::interp {

// One value in a frame, in the ABI's slot format (abi::ValueSlot): little-
// endian, i32/f32 in bytes 0-3, i64/f64 in 0-7, v128 in 0-15, references as
// a pointer in 0-7; the bytes above a scalar are unspecified.
union alignas(16) Slot {
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float f32;
  double f64;
  void *ref;
  uint8_t bytes[16];
};
static_assert(sizeof(Slot) == sizeof(abi::ValueSlot) && alignof(Slot) == alignof(abi::ValueSlot));

// A thread's stack: a reservation of kValueStackBytes (MAP_NORESERVE, so
// pages are committed as frames first touch them) followed by a guard page,
// mapped on the thread's first interpreted call and unmapped when the thread
// exits. The one piece of mutable state of lib/interp outside the modules: a
// thread_local, owned by its thread and never touched by another.
struct ValueStack {
  static constexpr size_t kValueStackBytes = size_t(64) << 20;

  Slot *base = nullptr;  // null if the reservation failed
  Slot *limit = nullptr; // frames end at or below it
  Activation *innermost = nullptr;

  ValueStack() = default;
  ValueStack(const ValueStack &) = delete;
  ValueStack &operator=(const ValueStack &) = delete;
  ~ValueStack();

  // The calling thread's stack, reserved on first use.
  static ValueStack &current();
};

} // namespace wasmrt::internal::interp
