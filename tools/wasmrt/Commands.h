#pragma once

#include <span>
#include <string>
#include <string_view>

namespace wasmrt::cli {

// `--help` or `-h`: the top level and every command print their usage on
// stdout and exit 0.
inline bool isHelpOption(std::string_view arg) { return arg == "--help" || arg == "-h"; }

// Each command receives the arguments after its name and returns the exit status.
int runValidateCommand(std::span<const std::string> args);
int runRunCommand(std::span<const std::string> args);
int runCompileCommand(std::span<const std::string> args);

} // namespace wasmrt::cli
