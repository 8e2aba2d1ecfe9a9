#include "Delegate.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>

#ifndef WASMRT_DYNAMIC_CLI_BUILD_PATH
#define WASMRT_DYNAMIC_CLI_BUILD_PATH ""
#endif

namespace wasmrt::cli {

namespace {

char **processArguments = nullptr;
constexpr const char kDynamicName[] = "wasmrt-dynamic";

// The directory of the running executable, or empty.
std::string executableDirectory() {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0)
    return {};
  std::string exe(path, size_t(length));
  size_t slash = exe.rfind('/');
  return slash == std::string::npos ? std::string() : exe.substr(0, slash);
}

} // namespace

void setProcessArguments(int, char **argv) { processArguments = argv; }

std::vector<std::string> dynamicCliCandidates() {
  // secure_getenv: a set-user-ID wasmrt must not run a program its caller names.
  if (const char *path = secure_getenv("WASMRT_DYNAMIC_CLI"); path && *path)
    return {path};
  std::vector<std::string> candidates;
  if (std::string dir = executableDirectory(); !dir.empty()) {
    candidates.push_back(dir + "/" + kDynamicName);
    candidates.push_back(dir + "/../lib/wasmrt/" + kDynamicName);
  }
  if (*WASMRT_DYNAMIC_CLI_BUILD_PATH)
    candidates.push_back(WASMRT_DYNAMIC_CLI_BUILD_PATH);
  return candidates;
}

int delegate() {
  std::fflush(stdout);
  std::fflush(stderr);
  std::string tried;
  for (const std::string &path : dynamicCliCandidates()) {
    if (access(path.c_str(), X_OK) != 0) {
      tried += fmt::format("\n  {}: {}", path, std::strerror(errno));
      continue;
    }
    execv(path.c_str(), processArguments);
    tried += fmt::format("\n  {}: {}", path, std::strerror(errno));
  }
  fmt::print(stderr,
             "wasmrt: this needs the compiler, which only {} can load (the dynamically linked "
             "wasmrt); not found, tried:{}\n",
             kDynamicName, tried);
  return 1;
}

} // namespace wasmrt::cli
