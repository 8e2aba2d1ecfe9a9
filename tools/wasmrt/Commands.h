#pragma once

#include <span>
#include <string>

namespace wasmrt::cli {

// Each command receives the arguments after its name and returns the exit status.
int runValidateCommand(std::span<const std::string> args);
int runRunCommand(std::span<const std::string> args);
int runCompileCommand(std::span<const std::string> args);

} // namespace wasmrt::cli
