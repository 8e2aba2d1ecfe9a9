// The wasmrt command-line driver: dispatches to one command per verb.
#include "Commands.h"

#include "spec-tests/WastRunner.h"
#include "wasmrt/Version.h"

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char *kUsage = R"(wasmrt - a WebAssembly runtime

Usage:
  wasmrt validate FILE...      check that modules (.wasm or .wat) are valid
  wasmrt wast [--verbose] FILE...
                               run WebAssembly spec-test scripts (.wast)
  wasmrt --help                show this help
  wasmrt --version             show the version

Exit status: 0 on success, 1 when a module is rejected or a test fails,
2 for usage errors. See docs/CLI.md.
)";

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  const std::string &command = args.front();
  std::span<const std::string> rest(args.data() + 1, args.size() - 1);
  if (command == "--help" || command == "-h" || command == "help") {
    fmt::print("{}", kUsage);
    return 0;
  }
  if (command == "--version" || command == "-V") {
    fmt::print("wasmrt {}\n", wasmrt::versionString());
    return 0;
  }
  if (command == "validate")
    return wasmrt::cli::runValidateCommand(rest);
  if (command == "wast")
    return wasmrt::internal::spectest::runWastCommand(rest, std::cout, std::cerr);
  fmt::print(stderr, "wasmrt: unknown command '{}' (see 'wasmrt --help')\n", command);
  return 2;
}
