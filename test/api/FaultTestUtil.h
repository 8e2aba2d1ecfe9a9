// Helpers of the fault tests (test_faults): bodies that run in a forked child,
// so that what they exhaust or the limits they set die with it, and on threads
// with a chosen stack size.
#pragma once

#include <wasmrt/wasmrt.h>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

namespace wasmrt::test {

// Calls `name` on `instance`: its first result as an i32 (0 if it has none),
// or the error (a trap included).
inline Expected<int32_t> callI32(const Instance &instance, const char *name,
                                 std::initializer_list<Val> args) {
  auto func = instance.getFunc(name);
  if (!func)
    return std::move(func).error();
  auto results = func->call(args);
  if (!results)
    return std::move(results).error();
  return results->empty() ? 0 : (*results)[0].i32();
}

// Skips a test case in cross builds run under qemu-user, which hangs on fork and
// threads and keeps ~50 MB per 8 GiB reservation (docs/RUNTIME.md, testing notes).
#if defined(WASMRT_TEST_EMULATED)
#define WASMRT_FAULT_SKIP_UNDER_EMULATOR()                                                     \
  do {                                                                                         \
    WARN("skipped under an emulator: forks, starts threads, reserves address space");         \
    return;                                                                                    \
  } while (0)
#else
#define WASMRT_FAULT_SKIP_UNDER_EMULATOR() (void)0
#endif

struct ChildOutcome {
  int status = 0;       // as from waitpid
  std::string failure; // what the body reported; empty when it succeeded
  bool succeeded() const {
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && failure.empty();
  }
  std::string describe() const {
    std::string how = WIFEXITED(status)     ? "exit status " + std::to_string(WEXITSTATUS(status))
                      : WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "status " + std::to_string(status);
    return how + (failure.empty() ? "" : ": " + failure);
  }
};

// Runs `body` in a forked child. It returns "" on success, else what went wrong
// (Catch2's assertions cannot report from the child). A crash is a signal status.
inline ChildOutcome runInChild(const std::function<std::string()> &body) {
  int pipeFds[2];
  if (pipe(pipeFds) != 0)
    return {-1, "pipe failed"};
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0)
    return {-1, "fork failed"};
  if (child == 0) {
    close(pipeFds[0]);
    std::string failure = body();
    for (size_t done = 0; done < failure.size();) {
      ssize_t n = write(pipeFds[1], failure.data() + done, failure.size() - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    _exit(failure.empty() ? 0 : 1);
  }
  close(pipeFds[1]);
  ChildOutcome outcome;
  char buffer[512];
  for (ssize_t n; (n = read(pipeFds[0], buffer, sizeof buffer)) > 0;)
    outcome.failure.append(buffer, size_t(n));
  close(pipeFds[0]);
  waitpid(child, &outcome.status, 0);
  return outcome;
}

// Runs `body` on a new thread with a stack of `stackBytes` and waits for it.
// False if the thread could not be created.
inline bool runOnThread(size_t stackBytes, const std::function<void()> &body) {
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  bool sized = pthread_attr_setstacksize(&attributes, stackBytes) == 0;
  pthread_t thread;
  auto start = [](void *arg) -> void * {
    (*static_cast<const std::function<void()> *>(arg))();
    return nullptr;
  };
  bool created =
      sized && pthread_create(&thread, &attributes, start,
                              const_cast<std::function<void()> *>(&body)) == 0;
  pthread_attr_destroy(&attributes);
  if (created)
    pthread_join(thread, nullptr);
  return created;
}

} // namespace wasmrt::test
