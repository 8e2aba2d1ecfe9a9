// The two executables of the CLI (docs/CLI.md, "Two executables").
//
// `wasmrt` is linked statically (static PIE, when the toolchain can): no
// dynamic loader, no shared libraries to map and relocate, which is most of
// what separated `wasmrt run app.cwasm` from a native program's start-up
// (docs/PERFORMANCE.md). A static program cannot load the compiler plugin
// (lib/loader), so whatever must compile is handed, by execv with the same
// arguments, to `wasmrt-dynamic`: the same CLI linked against the shared C
// library. `wasmrt` itself runs artifacts and cache hits, validates, and
// prints help and version; `compile`, `wast`, runs that must compile (a cache
// miss, --no-cache) and runs with --tcplisten (name resolution needs the
// shared C library's NSS) go to wasmrt-dynamic.
//
// Where wasmrt-dynamic is looked for, the first that exists wins:
//   0. $WASMRT_DYNAMIC_CLI, a path; if set, nothing else is tried (tests);
//   1. next to the running executable (/proc/self/exe);
//   2. <directory of the executable>/../lib/wasmrt/ (an installed layout,
//      next to the compiler plugin);
//   3. where the build put it (baked in by CMake).
// Builds without the static front end (WASMRT_STATIC_CLI=OFF: sanitizers,
// cross builds, WASMRT_STATIC_DEPS=OFF) have a single dynamic `wasmrt` that
// does everything itself; there isFrontEnd() is false.
#pragma once

#include <string>
#include <vector>

namespace wasmrt::cli {

// True in the statically linked front end.
constexpr bool isFrontEnd() {
#ifdef WASMRT_CLI_FRONTEND
  return true;
#else
  return false;
#endif
}

// main() records its arguments for delegate().
void setProcessArguments(int argc, char **argv);

// The paths delegate() tries, in order.
std::vector<std::string> dynamicCliCandidates();

// Replaces this process by wasmrt-dynamic with this process's arguments.
// Returns only if that failed, with the exit status to return (after an
// error message on stderr).
int delegate();

} // namespace wasmrt::cli
