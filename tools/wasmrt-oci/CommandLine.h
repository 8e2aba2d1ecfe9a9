// The runc command line as containerd's shim uses it: global flags, then a
// command with its own flags and arguments (docs/OCI.md, "Commands").
#pragma once

#include "wasmrt/Error.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wasmrt::oci {

struct ParsedCommand {
  std::map<std::string, std::string> values; // "--bundle" -> DIR (by canonical long name)
  std::set<std::string> switches;            // "--force"
  std::vector<std::string> positional;
  bool has(const std::string &flag) const { return switches.count(flag) != 0; }
  std::string value(const std::string &flag, const std::string &fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second;
  }
};

// Which flags a command takes: each a long name plus optional aliases
// ("-b" for "--bundle"). One or two dashes are equivalent, as in runc;
// "--flag=value" works for value flags.
struct FlagSpec {
  std::string name;
  bool takesValue = false;
  std::vector<std::string> aliases;
};
inline FlagSpec valueFlag(std::string name, std::vector<std::string> aliases = {}) {
  return FlagSpec{std::move(name), true, std::move(aliases)};
}
inline FlagSpec switchFlag(std::string name, std::vector<std::string> aliases = {}) {
  return FlagSpec{std::move(name), false, std::move(aliases)};
}

// Parses `args` (flags and positionals in any order; "--" ends flags).
// Usage error naming the flag when it is unknown or lacks its value.
Expected<ParsedCommand> parseFlags(const std::vector<std::string> &args,
                                   const std::vector<FlagSpec> &flags);

// Splits argv after the program name into global flags and the command:
// the index of the first argument that is not a global flag (or argv size).
struct GlobalSplit {
  ParsedCommand global;
  size_t commandIndex = 0;
};
Expected<GlobalSplit> parseGlobalFlags(const std::vector<std::string> &args);

// "KILL", "SIGKILL", "kill", "9": the signal number, or nullopt.
std::optional<int> parseSignal(const std::string &text);

} // namespace wasmrt::oci
