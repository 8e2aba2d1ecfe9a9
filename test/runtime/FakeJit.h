// A page of hand-written machine code registered as "JIT code", so the trap handler
// can be tested before the JIT exists.
#pragma once

#include "runtime/TrapHandler.h"

#include <cstdint>

namespace wasmrt::internal::test {

class FakeJit {
public:
  using LoadFn = uint32_t (*)(const void *address);
  using CallFn = void (*)(void (*target)());
  using RecurseFn = void (*)();

  // Maps, fills and registers the code page. REQUIREs success.
  FakeJit();
  ~FakeJit();
  FakeJit(const FakeJit &) = delete;
  FakeJit &operator=(const FakeJit &) = delete;

  // 32-bit load from `address`.
  LoadFn load = nullptr;
  // Calls target() from inside the JIT range (a JIT frame without unwind info).
  CallFn call = nullptr;
  // Calls itself forever, pushing a frame each time: overflows the stack.
  RecurseFn recurse = nullptr;

  uintptr_t loadAddress() const { return reinterpret_cast<uintptr_t>(load); }
  uintptr_t recurseAddress() const { return reinterpret_cast<uintptr_t>(recurse); }
  uintptr_t begin() const { return reinterpret_cast<uintptr_t>(page_); }
  uintptr_t end() const { return begin() + size_; }

private:
  void *page_ = nullptr;
  size_t size_ = 0;
  TrapRegion region_;
};

// Cross builds run tests under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), where some
// tests cannot run: qemu 7.2 hangs when a forked child dies of a signal and when a
// guest creates a thread (both reproduced with 10-line C programs), cannot re-exec
// /proc/self/exe without binfmt, and keeps ~50 MB per 8 GiB reservation.
#if defined(WASMRT_TEST_EMULATED)
inline constexpr bool kEmulated = true;
#else
inline constexpr bool kEmulated = false;
#endif
#define WASMRT_SKIP_UNDER_EMULATOR(why)                                                    \
  do {                                                                                     \
    if (::wasmrt::internal::test::kEmulated) {                                                       \
      WARN("skipped under an emulator: " why);                                             \
      return;                                                                              \
    }                                                                                      \
  } while (0)

// Runs `body` in a forked child; returns the raw wait status.
int runInChild(void (*body)());
// Whether `status` is what an unhandled SIGSEGV looks like in this build (a signal
// death; under AddressSanitizer its own SEGV report and exit code 1).
bool diedOfSegv(int status);

} // namespace wasmrt::internal::test
