#include "interp/ValueStack.h"

#include <sys/mman.h>
#include <unistd.h>

namespace wasmrt::internal::interp {

namespace {

thread_local ValueStack threadStack;

size_t guardBytes() { return size_t(sysconf(_SC_PAGESIZE)); }

} // namespace

ValueStack::~ValueStack() {
  if (base)
    munmap(base, kValueStackBytes + guardBytes());
}

ValueStack &ValueStack::current() {
  ValueStack &stack = threadStack;
  if (!stack.base) [[unlikely]] {
    // The guard page after the end is never mapped accessible: explicit
    // checks keep frames below `limit`; the guard catches a bug, not a guest.
    size_t guard = guardBytes();
    void *mapped = mmap(nullptr, kValueStackBytes + guard, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED)
      return stack;
    mprotect(static_cast<uint8_t *>(mapped) + kValueStackBytes, guard, PROT_NONE);
    stack.base = static_cast<Slot *>(mapped);
    stack.limit = stack.base + kValueStackBytes / sizeof(Slot);
  }
  return stack;
}

Activation *innermostActivation() { return threadStack.innermost; }

void restoreActivations(Activation *mark) { threadStack.innermost = mark; }

} // namespace wasmrt::internal::interp
