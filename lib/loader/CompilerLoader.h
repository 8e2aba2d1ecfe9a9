// Loading the compiler plugin, libwasmrt-compiler.so (lib/compiler built as a
// shared library; see compiler/Compiler.h), for processes that do not link
// the compiler: the public API, the CLI, the spec runner. Pass
// loadCompilerBackend as the runtime Engine's CompilerSupplier: the engine
// calls it when it first has to compile, so a process that never compiles
// never maps the plugin or LLVM.
//
// Search order (the first that exists is loaded; see docs/EMBEDDING.md):
//   1. $WASMRT_COMPILER_LIBRARY, a path to the library; if set, nothing else
//      is tried, so a wrong value is an error instead of a silent fallback;
//   2. next to the running executable (/proc/self/exe);
//   3. <directory of the executable>/../lib/wasmrt/ (the installed layout);
//   4. where the build put it (the path of the build tree, baked in by CMake).
//
// The library is loaded RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE: all symbols are
// resolved up front (a broken install fails here, not in the middle of a
// compile), none of them becomes visible to the rest of the process, and its
// code stays mapped after the last dlclose, because compiled modules, compile
// threads and glue created by it may outlive the engine that loaded it.
//
// There is no process-wide state here: each backend returned owns a dlopen
// handle (closed with the backend), and dlopen's reference count makes the
// second load of the same library cheap.
#pragma once

#include "compiler/Compiler.h"
#include "wasmrt/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace wasmrt::internal {

inline constexpr const char kCompilerLibraryName[] = "libwasmrt-compiler.so";
inline constexpr const char kCompilerLibraryEnv[] = "WASMRT_COMPILER_LIBRARY";

// Loads the plugin and creates a backend. Errors (ErrorKind::Io) start with
// "compiler not available" and name every path tried with the reason it
// failed (dlerror's message, or a plugin built from other sources). A
// statically linked program never loads it (that would put a second C
// library into the process) and gets that error at once.
Expected<std::shared_ptr<CompilerBackend>> loadCompilerBackend();

// The paths loadCompilerBackend() tries, in order, for the environment and
// executable of this process.
std::vector<std::string> compilerLibraryCandidates();

} // namespace wasmrt::internal
