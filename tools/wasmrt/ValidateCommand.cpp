#include "Commands.h"
#include "ModuleInput.h"

#include "binary/Decoder.h"
#include "validation/Validator.h"

#include <fmt/format.h>

namespace wasmrt::cli {
using namespace wasmrt::internal;

namespace {
// Exit statuses of `wasmrt validate`, documented in docs/CLI.md.
constexpr int kValid = 0;
constexpr int kRejected = 1;
constexpr int kUsageError = 2;

int validateOne(const std::string &path) {
  auto bytes = loadModuleBinary(path);
  if (!bytes) {
    fmt::print(stderr, "{}: {}\n", path, bytes.error().describe());
    return kRejected;
  }
  auto module = decodeModule(std::move(*bytes));
  if (!module) {
    fmt::print(stderr, "{}: {}\n", path, module.error().describe());
    return kRejected;
  }
  auto valid = validateModule(*module);
  if (!valid) {
    fmt::print(stderr, "{}: {}\n", path, valid.error().describe());
    return kRejected;
  }
  return kValid;
}
} // namespace

int runValidateCommand(std::span<const std::string> args) {
  constexpr const char *kUsage = "usage: wasmrt validate FILE.wasm|FILE.wat...\n";
  if (args.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return kUsageError;
  }
  int status = kValid;
  for (const std::string &arg : args) {
    if (isHelpOption(arg)) {
      fmt::print("{}", kUsage);
      return 0;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      fmt::print(stderr, "wasmrt validate: unknown option '{}'\n", arg);
      return kUsageError;
    }
  }
  for (const std::string &path : args)
    if (validateOne(path) != kValid)
      status = kRejected;
  return status;
}

} // namespace wasmrt::cli
