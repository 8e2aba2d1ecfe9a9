// Runs a program as a fresh process and measures it: wall time from spawn to
// exit, its stdout, and its peak resident set size. Shared by the
// whole-process benchmarks (bench_process, bench_startup).
#pragma once

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

extern char **environ;

namespace wasmrt::bench {

struct RunResult {
  double seconds = 0;
  std::string output;
  long maxRssKiB = 0;
};

// Runs argv[0] with stdout captured; nullopt if it could not start or exited non-zero.
inline std::optional<RunResult> runProcess(const std::vector<std::string> &args) {
  std::vector<char *> argv;
  for (const std::string &arg : args)
    argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  int pipeFds[2];
  if (pipe(pipeFds) != 0)
    return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipeFds[0]);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipeFds[1]);
  RunResult result;
  char buffer[4096];
  ssize_t got = 0;
  while (spawned == 0 && (got = read(pipeFds[0], buffer, sizeof buffer)) > 0)
    result.output.append(buffer, size_t(got));
  close(pipeFds[0]);
  if (spawned != 0)
    return std::nullopt;
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::nullopt;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.maxRssKiB = usage.ru_maxrss;
  return result;
}

} // namespace wasmrt::bench
