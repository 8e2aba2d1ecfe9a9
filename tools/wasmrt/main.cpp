// The wasmrt command-line driver: dispatches to one command per verb.
#include "Commands.h"
#include "Delegate.h"

#ifndef WASMRT_CLI_FRONTEND
#include "spec-tests/WastRunner.h"
#endif
#include "wasmrt/Version.h"

#include <fmt/format.h>

#include <sys/stat.h>

#include <ext/stdio_sync_filebuf.h>
#include <ostream>
#include <string>
#include <vector>

namespace {

constexpr const char *kUsage = R"(wasmrt - a WebAssembly runtime

Usage:
  wasmrt run [OPTIONS] FILE [ARGS...]
                               run a WASI program (or --invoke an export)
  wasmrt FILE [ARGS...]        shorthand for 'wasmrt run FILE [ARGS...]'
  wasmrt compile [OPTIONS] FILE [-o FILE.cwasm]
                               precompile a module to native code (an artifact)
  wasmrt validate FILE...      check that modules (.wasm or .wat) are valid
  wasmrt wast [OPTIONS] FILE...
                               run WebAssembly spec-test scripts (.wast); options
                               in 'wasmrt wast --help'; see docs/SPEC-TESTS.md
  wasmrt --help                show this help
  wasmrt --version             show the version

run options:
  --dir HOST[::GUEST][:ro]     preopen a host directory (repeatable)
  --dir-ro HOST[::GUEST]       preopen a host directory read-only
  --env NAME=VALUE | NAME      set / inherit a guest environment variable
  --tcplisten HOST:PORT        give the guest a listening TCP socket
  --invoke FUNC                call export FUNC with ARGS, print its results
  -O LEVEL                     optimization level 0..3 (default 2)
  --compilation lazy|eager     compile each function on first call, or all up front
  --tier tiered|baseline|optimized|interp
                               which code lazily compiled functions run (default tiered);
                               interp: no compiler, every function interpreted
  --first-tier interp|baseline tiered: what runs a function until it is hot
                               (default baseline)
  --tier-up-threshold N        tiered: calls + loop iterations before optimizing
  --bounds-checks              explicit bounds checks instead of guard pages
  --timeout DURATION           stop the guest after 200ms, 5s, 1m, ... (plain: seconds)
  --fuel N                     stop the guest after N wasm instructions
  --max-memory SIZE            limit linear memory to SIZE bytes (KiB, MiB, GiB)
  --cache-dir DIR              the code cache's directory (default: $WASMRT_CACHE_DIR,
                               $XDG_CACHE_HOME/wasmrt or ~/.cache/wasmrt)
  --no-cache                   neither use nor fill the code cache

compile options:
  -o FILE                      output (default: FILE with .cwasm)
  -O LEVEL                     optimization level 0..3 (default 2)
  --target x86_64|aarch64      portable code for that architecture (default: this CPU)
  --bounds-checks              explicit bounds checks (run it with --bounds-checks)
  --consume-fuel               fuel metering (to run it with --fuel)
  --epoch-interruption         interruption checks (to run it with --timeout)

Exit status: 0 on success, 1 when a module is rejected or a test fails,
2 for usage errors; 'run' exits with the guest's exit code, 134 on a trap,
142 on --timeout, 152 when --fuel runs out.
See docs/CLI.md.
)";

#ifndef WASMRT_CLI_FRONTEND
// The spec runner writes to std::ostreams. They are made here, over stdio,
// rather than taken from <iostream>: its static initialisation (std::cout,
// locales) would run in every process, and a precompiled program's whole run
// takes about a millisecond.
int runWast(std::span<const std::string> args) {
  __gnu_cxx::stdio_sync_filebuf<char> outBuffer(stdout), errBuffer(stderr);
  std::ostream out(&outBuffer), err(&errBuffer);
  int status = wasmrt::internal::spectest::runWastCommand(args, out, err);
  out.flush();
  err.flush();
  return status;
}
#endif

} // namespace

int main(int argc, char **argv) {
  wasmrt::cli::setProcessArguments(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  const std::string &command = args.front();
  std::span<const std::string> rest(args.data() + 1, args.size() - 1);
  if (wasmrt::cli::isHelpOption(command) || command == "help") {
    fmt::print("{}", kUsage);
    return 0;
  }
  if (command == "--version" || command == "-V") {
    fmt::print("wasmrt {}\n", wasmrt::versionString());
    return 0;
  }
  if (command == "run")
    return wasmrt::cli::runRunCommand(rest);
  if (command == "validate")
    return wasmrt::cli::runValidateCommand(rest);
#ifdef WASMRT_CLI_FRONTEND
  // Compiling needs the plugin, which only the dynamically linked CLI loads.
  if (command == "compile" || command == "wast")
    return wasmrt::cli::delegate();
#else
  if (command == "compile")
    return wasmrt::cli::runCompileCommand(rest);
  if (command == "wast")
    return runWast(rest);
#endif
  // `wasmrt FILE ...` runs FILE when it is not a command but an existing file.
  if (struct stat info; command[0] != '-' && stat(command.c_str(), &info) == 0 &&
                        S_ISREG(info.st_mode))
    return wasmrt::cli::runRunCommand(args);
  fmt::print(stderr, "wasmrt: unknown command '{}' (see 'wasmrt --help')\n", command);
  return 2;
}
