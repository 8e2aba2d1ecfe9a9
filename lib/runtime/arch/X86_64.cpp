#include "runtime/arch/Arch.h"

#include <ucontext.h>

static_assert(sizeof(void *) == 8, "arch/X86_64.cpp is for 64-bit x86 only");

namespace wasmrt::internal::arch {

uintptr_t contextPc(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.gregs[REG_RIP]);
}

uintptr_t contextSp(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.gregs[REG_RSP]);
}

uintptr_t contextFp(const void *ucontext) {
  const auto *context = static_cast<const ucontext_t *>(ucontext);
  return static_cast<uintptr_t>(context->uc_mcontext.gregs[REG_RBP]);
}

const char *name() { return "x86_64"; }

} // namespace wasmrt::internal::arch
