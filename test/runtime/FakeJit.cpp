#include "runtime/FakeJit.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iterator>

namespace wasmrt::internal::test {
namespace {

constexpr size_t kLoadOffset = 0;
constexpr size_t kCallOffset = 32;
constexpr size_t kRecurseOffset = 64;

#if defined(__x86_64__)
// mov (%rdi),%eax ; ret
constexpr uint8_t kLoad[] = {0x8b, 0x07, 0xc3};
// sub $8,%rsp ; call *%rdi ; add $8,%rsp ; ret
constexpr uint8_t kCall[] = {0x48, 0x83, 0xec, 0x08, 0xff, 0xd7, 0x48, 0x83, 0xc4, 0x08, 0xc3};
// call . (pushes a return address and jumps to itself)
constexpr uint8_t kRecurse[] = {0xe8, 0xfb, 0xff, 0xff, 0xff};
#elif defined(__aarch64__)
// ldr w0,[x0] ; ret
constexpr uint8_t kLoad[] = {0x00, 0x00, 0x40, 0xb9, 0xc0, 0x03, 0x5f, 0xd6};
// stp x29,x30,[sp,#-16]! ; blr x0 ; ldp x29,x30,[sp],#16 ; ret
constexpr uint8_t kCall[] = {0xfd, 0x7b, 0xbf, 0xa9, 0x00, 0x00, 0x3f, 0xd6,
                             0xfd, 0x7b, 0xc1, 0xa8, 0xc0, 0x03, 0x5f, 0xd6};
// 1: stp x29,x30,[sp,#-16]! ; bl 1b
constexpr uint8_t kRecurse[] = {0xfd, 0x7b, 0xbf, 0xa9, 0xff, 0xff, 0xff, 0x97};
#else
#error "FakeJit: add machine code for this architecture"
#endif

static_assert(sizeof kLoad <= kCallOffset - kLoadOffset);
static_assert(sizeof kCall <= kRecurseOffset - kCallOffset);

} // namespace

FakeJit::FakeJit() {
  size_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  page_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(page_ != MAP_FAILED);
  auto *bytes = static_cast<uint8_t *>(page_);
  std::memcpy(bytes + kLoadOffset, kLoad, sizeof kLoad);
  std::memcpy(bytes + kCallOffset, kCall, sizeof kCall);
  std::memcpy(bytes + kRecurseOffset, kRecurse, sizeof kRecurse);
  REQUIRE(mprotect(page_, size_, PROT_READ | PROT_EXEC) == 0);
  __builtin___clear_cache(static_cast<char *>(page_), static_cast<char *>(page_) + size_);
  load = reinterpret_cast<LoadFn>(bytes + kLoadOffset);
  call = reinterpret_cast<CallFn>(bytes + kCallOffset);
  recurse = reinterpret_cast<RecurseFn>(bytes + kRecurseOffset);
  auto region = registerJitCode(page_, size_);
  REQUIRE(region);
  region_ = std::move(*region);
}

FakeJit::~FakeJit() {
  region_.reset();
  munmap(page_, size_);
}

int runInChild(void (*body)()) {
  pid_t child = fork();
  if (child == 0) {
    // The child is expected to crash; keep sanitizer reports out of the test log.
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return status;
}

bool diedOfSegv(int status) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer's own SIGSEGV handler reports and exits (ASan 1, TSan 66).
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return true;
#endif
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

} // namespace wasmrt::internal::test
