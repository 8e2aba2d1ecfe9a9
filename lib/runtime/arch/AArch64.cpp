#include "runtime/arch/Arch.h"

#include <ucontext.h>

static_assert(sizeof(void *) == 8, "arch/AArch64.cpp is for 64-bit Arm only");

namespace wasmrt::internal::arch {

uintptr_t contextPc(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.pc);
}

uintptr_t contextSp(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.sp);
}

uintptr_t contextFp(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.regs[29]);
}

const char *name() { return "aarch64"; }

} // namespace wasmrt::internal::arch
