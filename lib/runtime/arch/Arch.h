// The only architecture-specific pieces of the trap machinery: reading registers
// out of the signal context. One implementation file per architecture is compiled,
// chosen by CMAKE_SYSTEM_PROCESSOR.
#pragma once

#include <cstdint>

namespace wasmrt::internal::arch {

// `ucontext` is the third argument of an SA_SIGINFO signal handler.
uintptr_t contextPc(const void *ucontext);
uintptr_t contextSp(const void *ucontext);
// The frame pointer register (rbp / x29).
uintptr_t contextFp(const void *ucontext);

// "x86_64" or "aarch64", for diagnostics.
const char *name();

} // namespace wasmrt::internal::arch
