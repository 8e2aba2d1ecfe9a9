#include "loader/CompilerLoader.h"

#include <fmt/format.h>

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

// Set by lib/loader/CMakeLists.txt: the id of the seam's types this loader was
// built with (compiler/Compiler.h), and the plugin's path in the build tree.
#ifndef WASMRT_COMPILER_INTERFACE_ID
#error "WASMRT_COMPILER_INTERFACE_ID must be defined"
#endif
#ifndef WASMRT_COMPILER_BUILD_PATH
#error "WASMRT_COMPILER_BUILD_PATH must be defined"
#endif

namespace wasmrt::internal {

namespace {

// The directory of the running executable, or empty if /proc is unavailable.
std::filesystem::path executableDirectory() {
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : exe.parent_path();
}

struct DlHandleCloser {
  void operator()(void *handle) const { dlclose(handle); }
};
using DlHandle = std::unique_ptr<void, DlHandleCloser>;

// One attempt: the backend, or why this path did not give one.
Expected<std::shared_ptr<CompilerBackend>> loadFrom(const std::string &path) {
  dlerror(); // clear a stale message
  DlHandle handle(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
  if (!handle) {
    const char *message = dlerror();
    return Error(ErrorKind::Io, message ? message : "dlopen failed");
  }
  auto *factory = reinterpret_cast<decltype(&wasmrt_compiler_backend_v1)>(
      dlsym(handle.get(), kCompilerBackendFactory));
  if (!factory)
    return Error(ErrorKind::Io, fmt::format("{}: no symbol {} (not a wasmrt compiler plugin, or "
                                            "one of another version)",
                                            path, kCompilerBackendFactory));
  const char *pluginId = nullptr;
  CompilerBackend *backend = factory(WASMRT_COMPILER_INTERFACE_ID, &pluginId);
  if (!backend)
    return Error(ErrorKind::Io,
                 fmt::format("{}: built from other sources (interface {}, this program needs {})",
                             path, pluginId ? pluginId : "unknown", WASMRT_COMPILER_INTERFACE_ID));
  // The handle goes with the backend: the engine that holds it keeps the
  // library loaded. The backend is deleted first: its destructor is the
  // plugin's code (RTLD_NODELETE keeps that mapped anyway).
  return std::shared_ptr<CompilerBackend>(
      backend, [handle = std::shared_ptr<void>(std::move(handle))](CompilerBackend *b) { delete b; });
}

// Whether the main program was linked statically: it then has no PT_INTERP
// (no dynamic loader ran). (getauxval(AT_BASE) would also be 0 for a dynamic
// program started as `ld.so PROGRAM`.)
bool mainProgramIsStatic() {
  bool isStatic = true;
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i)
          if (info->dlpi_phdr[i].p_type == PT_INTERP)
            *static_cast<bool *>(data) = false;
        return 1; // the main program comes first: stop there
      },
      &isStatic);
  return isStatic;
}

} // namespace

std::vector<std::string> compilerLibraryCandidates() {
  // secure_getenv: a set-user-ID program must not load a library its caller
  // names, as the dynamic loader ignores LD_LIBRARY_PATH for it.
  if (const char *path = secure_getenv(kCompilerLibraryEnv); path && *path)
    return {path};
  std::vector<std::string> candidates;
  if (std::filesystem::path dir = executableDirectory(); !dir.empty()) {
    candidates.push_back((dir / kCompilerLibraryName).string());
    candidates.push_back(
        (dir.parent_path() / "lib" / "wasmrt" / kCompilerLibraryName).lexically_normal().string());
  }
  candidates.push_back(WASMRT_COMPILER_BUILD_PATH);
  std::vector<std::string> unique;
  for (std::string &candidate : candidates)
    if (std::find(unique.begin(), unique.end(), candidate) == unique.end())
      unique.push_back(std::move(candidate));
  return unique;
}

Expected<std::shared_ptr<CompilerBackend>> loadCompilerBackend() {
  // The plugin needs the shared C library (and with it libLLVM and
  // libstdc++.so): dlopened into a statically linked program it would bring a
  // second C library, with its own heap, into the process. The statically
  // linked `wasmrt` hands such work to wasmrt-dynamic (tools/wasmrt/Delegate.h).
  if (mainProgramIsStatic())
    return Error(ErrorKind::Io, fmt::format("compiler not available: this program is statically "
                                            "linked and cannot load {}",
                                            kCompilerLibraryName));
  const char *fromEnv = secure_getenv(kCompilerLibraryEnv);
  if (fromEnv && *fromEnv) {
    auto backend = loadFrom(fromEnv);
    if (!backend)
      return Error(ErrorKind::Io, fmt::format("compiler not available: cannot load {}={}: {}",
                                              kCompilerLibraryEnv, fromEnv,
                                              backend.error().message()));
    return backend;
  }
  std::string tried;
  for (const std::string &path : compilerLibraryCandidates()) {
    // A missing file is the usual case for all but one candidate: say so
    // briefly instead of quoting dlopen.
    if (access(path.c_str(), F_OK) != 0) {
      tried += fmt::format("\n  {}: {}", path, std::strerror(errno));
      continue;
    }
    auto backend = loadFrom(path);
    if (backend)
      return backend;
    tried += fmt::format("\n  {}: {}", path, backend.error().message());
  }
  return Error(ErrorKind::Io, fmt::format("compiler not available: cannot load {} (set {} to its "
                                          "path); tried:{}",
                                          kCompilerLibraryName, kCompilerLibraryEnv, tried));
}

} // namespace wasmrt::internal
