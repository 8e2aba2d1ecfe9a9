// wasmrt-oci: a runc-compatible OCI runtime that runs Wasm containers with
// wasmrt and hands every other container to runc. docs/OCI.md.
#include "Bundle.h"
#include "CommandLine.h"
#include "Container.h"
#include "Features.h"
#include "Log.h"
#include "State.h"

#include "wasmrt/Version.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt::oci {
namespace {

constexpr int kFailed = 1;

constexpr const char *kUsage = R"(wasmrt-oci: a runc-compatible OCI runtime for Wasm containers

usage: wasmrt-oci [global flags] COMMAND [flags] [arguments]

Wasm containers (the bundle's process.args[0] is a wasm module or a .cwasm
artifact) run under wasmrt; every other container, and every command on an
id wasmrt-oci does not own, is handed to runc unchanged ($WASMRT_OCI_RUNC,
else runc on PATH).

commands:
  create --bundle DIR [--pid-file FILE] [--console-socket SOCK] ID
  start ID
  state ID
  kill [--all] ID [SIGNAL]          (default SIGTERM; names or numbers)
  delete [--force] ID
  ps [--format table|json] ID
  features
  run, pause, resume, exec, update, checkpoint, restore, events:
                                    refused for Wasm containers
  list, spec:                       runc's

global flags:
  --root DIR           state directory (default /run/wasmrt-oci)
  --log FILE           where errors are logged (besides stderr)
  --log-format FORMAT  text (default) or json
  --systemd-cgroup     cgroupsPath is "slice:prefix:name"
  --debug              log debug messages
  --version, --help
)";

// Replaces this process with runc, given exactly our own arguments.
[[noreturn]] void delegateToRunc(char **argv) {
  const char *runc = std::getenv("WASMRT_OCI_RUNC");
  if (!runc || !*runc)
    runc = "runc";
  std::vector<char *> args = {const_cast<char *>(runc)};
  for (char **arg = argv + 1; *arg; ++arg)
    args.push_back(*arg);
  args.push_back(nullptr);
  logDebug(fmt::format("delegating to {}", runc));
  execvp(runc, args.data());
  logError(fmt::format("cannot run {} for a non-Wasm container: {} (set WASMRT_OCI_RUNC to "
                       "runc's path)", runc, std::strerror(errno)));
  std::_Exit(kFailed);
}

int usageError(const std::string &message) {
  logError(message);
  fmt::print(stderr, "run 'wasmrt-oci --help' for usage\n");
  return kFailed;
}

Expected<ParsedCommand> parseCommand(const std::vector<std::string> &args,
                                     const std::vector<FlagSpec> &flags, size_t positionals,
                                     const std::string &command) {
  auto parsed = parseFlags(args, flags);
  if (!parsed)
    return Error(ErrorKind::Usage, fmt::format("{}: {}", command, parsed.error().message()));
  if (parsed->positional.empty())
    return Error(ErrorKind::Usage, fmt::format("{}: requires a container id", command));
  if (parsed->positional.size() > positionals)
    return Error(ErrorKind::Usage, fmt::format("{}: unexpected argument \"{}\"", command,
                                               parsed->positional[positionals]));
  return parsed;
}

int runCreate(const GlobalOptions &global, const std::vector<std::string> &args, char **argv) {
  auto parsed = parseCommand(args,
                             {valueFlag("--bundle", {"-b"}),
                              valueFlag("--pid-file"),
                              valueFlag("--console-socket"),
                              valueFlag("--preserve-fds"),
                              switchFlag("--no-pivot"),
                              switchFlag("--no-new-keyring")},
                             1, "create");
  if (!parsed)
    return usageError(parsed.error().message());
  auto bundle = loadBundle(parsed->value("--bundle", "."));
  if (!bundle)
    return usageError(bundle.error().message());
  Entrypoint entry = findEntrypoint(*bundle);
  if (entry.kind == EntrypointKind::Other)
    delegateToRunc(argv);
  CreateOptions options{.id = parsed->positional[0],
                        .pidFile = parsed->value("--pid-file"),
                        .consoleSocket = parsed->value("--console-socket")};
  return createContainer(global, options, *bundle, entry);
}

int runKill(const GlobalOptions &global, const std::vector<std::string> &args) {
  auto parsed = parseCommand(args, {switchFlag("--all", {"-a"})}, 2, "kill");
  if (!parsed)
    return usageError(parsed.error().message());
  std::string name = parsed->positional.size() > 1 ? parsed->positional[1] : "SIGTERM";
  std::optional<int> signal = parseSignal(name);
  if (!signal)
    return usageError(fmt::format("kill: unknown signal \"{}\"", name));
  return killContainer(global, parsed->positional[0], *signal, parsed->has("--all"));
}

// The commands on an existing Wasm container.
int runOnOurContainer(const GlobalOptions &global, const std::string &command,
                      const std::vector<std::string> &args) {
  if (command == "kill")
    return runKill(global, args);
  if (command == "delete") {
    auto parsed = parseCommand(args, {switchFlag("--force", {"-f"})}, 1, command);
    return parsed ? deleteContainer(global, parsed->positional[0], parsed->has("--force"))
                  : usageError(parsed.error().message());
  }
  if (command == "ps") {
    auto parsed = parseCommand(args, {valueFlag("--format", {"-f"})},
                               1, command);
    if (!parsed)
      return usageError(parsed.error().message());
    std::string format = parsed->value("--format", "table");
    if (format != "table" && format != "json")
      return usageError(fmt::format("ps: invalid format \"{}\" (table or json)", format));
    return listContainerProcesses(global, parsed->positional[0], format == "json");
  }
  auto parsed = parseCommand(args, {}, 1, command);
  if (!parsed)
    return usageError(parsed.error().message());
  const std::string &id = parsed->positional[0];
  if (command == "start")
    return startContainer(global, id);
  if (command == "state")
    return printContainerState(global, id);
  return kFailed;
}

// The id a command names: its first argument that is not a flag (or a
// flag's value). Empty when there is none. runc's flags that take a value,
// for every command that names an id; "-f" is `ps --format` but
// `delete --force`.
std::string commandTarget(const std::string &command, const std::vector<std::string> &args) {
  static const std::vector<std::string> valueFlags = {
      "--format", "--process", "-p", "--console-socket", "--cwd", "--env", "-e",
      "--user", "-u", "--pid-file", "--process-label", "--apparmor", "--cap", "-c",
      "--preserve-fds", "--additional-gids", "-g", "--resources", "-r", "--image-path",
      "--work-path", "--parent-path", "--page-server", "--manage-cgroups-mode",
      "--empty-ns", "--interval", "--bundle", "-b", "--memory", "--cpu-shares",
      "--cpu-period", "--cpu-quota", "--cpuset-cpus", "--cpuset-mems", "--kernel-memory",
      "--kernel-memory-tcp", "--memory-reservation", "--memory-swap", "--pids-limit",
      "--l3-cache-schema", "--mem-bw-schema", "--blkio-weight", "--lazy-pages",
      "--status-fd", "--rt-period", "--rt-runtime"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--")
      return i + 1 < args.size() ? args[i + 1] : "";
    if (arg.size() > 1 && arg[0] == '-') {
      bool takesValue = std::find(valueFlags.begin(), valueFlags.end(), arg) != valueFlags.end() ||
                        (arg == "-f" && command == "ps");
      if (arg.find('=') == std::string::npos && takesValue)
        ++i;
      continue;
    }
    return arg;
  }
  return "";
}

// `run --bundle DIR` (or -b, -bundle, --bundle=DIR) among flags we do not parse.
std::string bundleArgument(const std::vector<std::string> &args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    for (const char *name : {"--bundle", "-bundle", "-b"}) {
      std::string prefix = std::string(name) + "=";
      if (arg == name && i + 1 < args.size())
        return args[i + 1];
      if (arg.rfind(prefix, 0) == 0)
        return arg.substr(prefix.size());
    }
  }
  return ".";
}

int dispatch(const GlobalOptions &global, const std::string &command,
             const std::vector<std::string> &args, char **argv) {
  if (command == "create")
    return runCreate(global, args, argv);
  if (command == "features")
    return printFeatures();
  if (command == "help")
    return fmt::print("{}", kUsage), 0;
  static const std::vector<std::string> onContainers = {"start", "state", "kill", "delete", "ps"};
  static const std::vector<std::string> refused = {
      "pause", "resume", "exec", "update", "checkpoint", "events", "run"};
  static const std::vector<std::string> runcOnly = {"list", "spec", "restore"};
  bool known = std::find(onContainers.begin(), onContainers.end(), command) != onContainers.end();
  bool isRefused = std::find(refused.begin(), refused.end(), command) != refused.end();
  if (std::find(runcOnly.begin(), runcOnly.end(), command) != runcOnly.end())
    delegateToRunc(argv);
  if (!known && !isRefused)
    return usageError(fmt::format("unknown command \"{}\"", command));
  std::string id = commandTarget(command, args);
  if (command == "run") {
    // `run` creates its container: a Wasm bundle is refused, the rest is runc's.
    auto bundle = loadBundle(bundleArgument(args));
    if (!bundle || findEntrypoint(*bundle).kind == EntrypointKind::Other)
      delegateToRunc(argv);
  } else if (id.empty() || !isOurContainer(global.root, id)) {
    delegateToRunc(argv);
  }
  if (isRefused)
    return refuseCommand(command, id);
  return runOnOurContainer(global, command, args);
}

// --log and --log-format picked out of arguments that fail to parse, so the
// parse error itself still reaches the shim's log.
void configureLogLeniently(const std::vector<std::string> &args) {
  LogSettings settings;
  auto valueOf = [&](size_t &i, const char *name) -> std::optional<std::string> {
    std::string arg = args[i].rfind("--", 0) == 0 ? args[i] : "-" + args[i];
    std::string flag = std::string("--") + name;
    if (arg == flag && i + 1 < args.size())
      return args[++i];
    if (arg.rfind(flag + "=", 0) == 0)
      return arg.substr(flag.size() + 1);
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size() && !args[i].empty() && args[i][0] == '-'; ++i) {
    if (auto path = valueOf(i, "log"))
      settings.path = *path;
    else if (auto format = valueOf(i, "log-format"))
      settings.format = *format == "json" ? LogFormat::Json : LogFormat::Text;
    else
      for (const char *name : {"root", "criu", "rootless"})
        if (valueOf(i, name))
          break;
  }
  configureLog(settings);
}

int run(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto split = parseGlobalFlags(args);
  if (!split) {
    configureLogLeniently(args);
    return usageError(split.error().message());
  }
  const ParsedCommand &flags = split->global;
  std::string format = flags.value("--log-format", "text");
  if (format != "text" && format != "json")
    return usageError(fmt::format("invalid --log-format \"{}\" (text or json)", format));
  configureLog({.path = flags.value("--log"),
                .format = format == "json" ? LogFormat::Json : LogFormat::Text,
                .debug = flags.has("--debug")});
  if (flags.has("--version")) {
    fmt::print("wasmrt-oci version {}\nspec: {}\nwasmrt: {}\n", versionString(), kOciSpecVersion,
               versionString());
    return 0;
  }
  if (flags.has("--help") || split->commandIndex >= args.size()) {
    fmt::print("{}", kUsage);
    return flags.has("--help") ? 0 : kFailed;
  }
  GlobalOptions global;
  global.root = flags.value("--root", global.root);
  global.systemdCgroup = flags.has("--systemd-cgroup");
  std::string command = args[split->commandIndex];
  std::vector<std::string> commandArgs(args.begin() + long(split->commandIndex) + 1, args.end());
  if (std::find(commandArgs.begin(), commandArgs.end(), "--help") != commandArgs.end() ||
      std::find(commandArgs.begin(), commandArgs.end(), "-h") != commandArgs.end()) {
    fmt::print("{}", kUsage);
    return 0;
  }
  return dispatch(global, command, commandArgs, argv);
}

} // namespace
} // namespace wasmrt::oci

int main(int argc, char **argv) { return wasmrt::oci::run(argc, argv); }
