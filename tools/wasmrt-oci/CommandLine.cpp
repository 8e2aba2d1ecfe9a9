#include "CommandLine.h"

#include <fmt/format.h>

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace wasmrt::oci {

namespace {

const std::vector<FlagSpec> &globalFlags() {
  static const std::vector<FlagSpec> flags = {
      valueFlag("--root"),
      valueFlag("--log"),
      valueFlag("--log-format"),
      valueFlag("--criu"),     // accepted for runc compatibility
      valueFlag("--rootless"), // accepted for runc compatibility
      switchFlag("--systemd-cgroup"),
      switchFlag("--debug"),
      switchFlag("--version", {"-v"}),
      switchFlag("--help", {"-h"}),
  };
  return flags;
}

// "-root" and "--root" are the same flag; "-b" stays a short alias.
std::string normalise(const std::string &arg) {
  if (arg.size() > 2 && arg[0] == '-' && arg[1] != '-')
    return "-" + arg;
  return arg;
}

const FlagSpec *findFlag(const std::vector<FlagSpec> &flags, const std::string &name) {
  for (const FlagSpec &flag : flags) {
    if (flag.name == name)
      return &flag;
    if (std::find(flag.aliases.begin(), flag.aliases.end(), name) != flag.aliases.end())
      return &flag;
  }
  return nullptr;
}

} // namespace

Expected<ParsedCommand> parseFlags(const std::vector<std::string> &args,
                                   const std::vector<FlagSpec> &flags) {
  ParsedCommand parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--") {
      parsed.positional.insert(parsed.positional.end(), args.begin() + long(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      parsed.positional.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inlineValue;
    if (size_t equals = arg.find('='); equals != std::string::npos) {
      name = arg.substr(0, equals);
      inlineValue = arg.substr(equals + 1);
    }
    const FlagSpec *flag = findFlag(flags, name);
    if (!flag)
      flag = findFlag(flags, normalise(name));
    if (!flag)
      return Error(ErrorKind::Usage, fmt::format("flag provided but not defined: {}", name));
    if (!flag->takesValue) {
      if (inlineValue && *inlineValue != "true" && *inlineValue != "false")
        return Error(ErrorKind::Usage, fmt::format("invalid boolean value \"{}\" for {}",
                                                   *inlineValue, name));
      if (!inlineValue || *inlineValue == "true")
        parsed.switches.insert(flag->name);
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= args.size())
        return Error(ErrorKind::Usage, fmt::format("flag needs an argument: {}", name));
      inlineValue = args[++i];
    }
    parsed.values[flag->name] = *inlineValue;
  }
  return parsed;
}

Expected<GlobalSplit> parseGlobalFlags(const std::vector<std::string> &args) {
  // Global flags end at the first argument that is not one (the command).
  size_t end = 0;
  while (end < args.size() && args[end].size() > 1 && args[end][0] == '-') {
    std::string name = args[end].substr(0, args[end].find('='));
    const FlagSpec *flag = findFlag(globalFlags(), name);
    if (!flag)
      flag = findFlag(globalFlags(), normalise(name));
    if (!flag)
      return Error(ErrorKind::Usage, fmt::format("flag provided but not defined: {}", name));
    end += (flag->takesValue && args[end].find('=') == std::string::npos) ? 2 : 1;
  }
  end = std::min(end, args.size());
  auto global = parseFlags(std::vector<std::string>(args.begin(), args.begin() + long(end)),
                           globalFlags());
  if (!global)
    return std::move(global).error();
  return GlobalSplit{std::move(*global), end};
}

std::optional<int> parseSignal(const std::string &text) {
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size())
    return number > 0 && number < NSIG ? std::optional<int>(number) : std::nullopt;
  std::string name = text;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return char(std::toupper(c)); });
  if (name.rfind("SIG", 0) == 0)
    name.erase(0, 3);
  static const std::pair<const char *, int> names[] = {
      {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},    {"CHLD", SIGCHLD},
      {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},    {"ILL", SIGILL},
      {"INT", SIGINT},   {"IO", SIGIO},     {"IOT", SIGIOT},    {"KILL", SIGKILL},
      {"PIPE", SIGPIPE}, {"PROF", SIGPROF}, {"PWR", SIGPWR},    {"QUIT", SIGQUIT},
      {"SEGV", SIGSEGV}, {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP}, {"SYS", SIGSYS},
      {"TERM", SIGTERM}, {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP},  {"TTIN", SIGTTIN},
      {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"USR1", SIGUSR1},  {"USR2", SIGUSR2},
      {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
  };
  for (const auto &[candidate, number] : names)
    if (name == candidate)
      return number;
  return std::nullopt;
}

} // namespace wasmrt::oci
