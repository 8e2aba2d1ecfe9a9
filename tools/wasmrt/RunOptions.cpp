#include "RunOptions.h"
#include "Commands.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace wasmrt::cli {

namespace {

constexpr const char *kRunUsage =
    "usage: wasmrt run [--dir HOST[::GUEST]] [--dir-ro HOST[::GUEST]] [--env NAME[=VALUE]]\n"
    "                  [--tcplisten HOST:PORT] [--invoke FUNC] [-O LEVEL] [--bounds-checks]\n"
    "                  [--timeout DURATION] [--fuel N] [--max-memory SIZE]\n"
    "                  [--compilation lazy|eager] [--tier tiered|baseline|optimized|interp]\n"
    "                  [--first-tier interp|baseline] [--tier-up-threshold N]\n"
    "                  [--cache-dir DIR] [--no-cache]\n"
    "                  FILE.wasm|FILE.wat [ARGS...]\n";

// "HOST", "HOST::GUEST", either with a ":ro" suffix.
WasiPreopenDir parseDir(std::string spec, bool readOnly) {
  if (spec.size() > 3 && spec.ends_with(":ro") && !spec.ends_with("::ro")) {
    readOnly = true;
    spec.resize(spec.size() - 3);
  }
  WasiPreopenDir dir;
  dir.readOnly = readOnly;
  if (size_t sep = spec.find("::"); sep != std::string::npos) {
    dir.hostPath = spec.substr(0, sep);
    dir.guestPath = spec.substr(sep + 2);
  } else {
    dir.hostPath = spec;
    dir.guestPath = spec;
  }
  return dir;
}

// Leading decimal digits of `text` (at least one, no sign) and the rest.
std::optional<uint64_t> leadingNumber(const std::string &text, std::string &unit) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data() || text[0] == '-' || text[0] == '+')
    return std::nullopt;
  unit.assign(ptr, text.data() + text.size());
  return value;
}

bool takesValue(const std::string &name) {
  for (const char *known : {"--dir", "--dir-ro", "--env", "--invoke", "--tcplisten", "-O",
                            "--opt-level", "--timeout", "--fuel", "--max-memory",
                            "--compilation", "--tier", "--first-tier", "--tier-up-threshold",
                            "--cache-dir"})
    if (name == known)
      return true;
  return false;
}

// Applies one option with its value; an exit status on error.
std::optional<int> applyOption(const std::string &name, const std::string &v,
                               RunOptions &options) {
  if (name == "--dir" || name == "--dir-ro") {
    options.dirs.push_back(parseDir(v, name == "--dir-ro"));
  } else if (name == "--env") {
    if (size_t eq = v.find('='); eq != std::string::npos)
      options.env.push_back({v.substr(0, eq), v.substr(eq + 1)});
    else
      options.env.push_back({v, std::nullopt});
  } else if (name == "--invoke") {
    options.invoke = v;
  } else if (name == "--tcplisten") {
    options.listen.push_back(v);
  } else if (name == "--timeout") {
    options.timeout = parseDuration(v);
    if (!options.timeout)
      return usageError(fmt::format("--timeout '{}': expected a duration such as 200ms, 5s "
                                    "or 1m (a plain number is seconds)",
                                    v));
    options.timeoutText = v;
  } else if (name == "--fuel") {
    std::string unit;
    options.fuel = leadingNumber(v, unit);
    if (!options.fuel || !unit.empty() || *options.fuel > uint64_t(INT64_MAX))
      return usageError(
          fmt::format("--fuel '{}': expected a whole number from 0 to {}", v, INT64_MAX));
  } else if (name == "--max-memory") {
    options.maxMemory = parseByteSize(v);
    if (!options.maxMemory)
      return usageError(fmt::format(
          "--max-memory '{}': expected a size in bytes, optionally with KiB, MiB or GiB", v));
  } else if (name == "--cache-dir") {
    options.cacheDir = v;
  } else if (name == "--compilation") {
    if (v != "lazy" && v != "eager")
      return usageError(fmt::format("--compilation must be lazy or eager, got '{}'", v));
    options.compilation = v == "lazy" ? CompilationMode::Lazy : CompilationMode::Eager;
  } else if (name == "--tier") {
    if (v == "tiered")
      options.tiering = Tiering::Tiered;
    else if (v == "baseline")
      options.tiering = Tiering::Baseline;
    else if (v == "optimized")
      options.tiering = Tiering::Optimized;
    else if (v == "interp")
      options.tiering = Tiering::Interpreter;
    else
      return usageError(
          fmt::format("--tier must be tiered, baseline, optimized or interp, got '{}'", v));
  } else if (name == "--first-tier") {
    if (v != "interp" && v != "baseline")
      return usageError(fmt::format("--first-tier must be interp or baseline, got '{}'", v));
    options.firstTier = v == "interp" ? FirstTier::Interpreter : FirstTier::Baseline;
  } else if (name == "--tier-up-threshold") {
    std::string unit;
    std::optional<uint64_t> count = leadingNumber(v, unit);
    if (!count || !unit.empty() || *count == 0 || *count > UINT32_MAX)
      return usageError(fmt::format(
          "--tier-up-threshold '{}': expected a whole number from 1 to {}", v, UINT32_MAX));
    options.tierUpThreshold = uint32_t(*count);
  } else {
    if (v.size() != 1 || v[0] < '0' || v[0] > '3')
      return usageError(fmt::format("optimization level must be 0..3, got '{}'", v));
    options.optLevel = unsigned(v[0] - '0');
  }
  return std::nullopt;
}

} // namespace

int usageError(const std::string &message) {
  fmt::print(stderr, "wasmrt run: {}\n{}", message, kRunUsage);
  return kUsageError;
}

std::optional<std::chrono::milliseconds> parseDuration(const std::string &text) {
  std::string unit;
  std::optional<uint64_t> value = leadingNumber(text, unit);
  uint64_t perUnit = 0;
  if (unit.empty() || unit == "s")
    perUnit = 1000;
  else if (unit == "ms")
    perUnit = 1;
  else if (unit == "m")
    perUnit = 60'000;
  else if (unit == "h")
    perUnit = 3'600'000;
  // The bound keeps steady_clock arithmetic far from overflow (about 292 years).
  if (!value || perUnit == 0 || *value > uint64_t(INT64_MAX / 1'000'000) / perUnit)
    return std::nullopt;
  return std::chrono::milliseconds(int64_t(*value * perUnit));
}

std::optional<uint64_t> parseByteSize(const std::string &text) {
  std::string unit;
  std::optional<uint64_t> value = leadingNumber(text, unit);
  unsigned shift = 0;
  if (unit.empty() || unit == "B")
    shift = 0;
  else if (unit == "K" || unit == "KiB")
    shift = 10;
  else if (unit == "M" || unit == "MiB")
    shift = 20;
  else if (unit == "G" || unit == "GiB")
    shift = 30;
  else
    return std::nullopt;
  if (!value || *value > (UINT64_MAX >> shift))
    return std::nullopt;
  return *value << shift;
}

std::optional<int> parseRunOptions(std::span<const std::string> args, RunOptions &options) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-')
      break;
    if (isHelpOption(arg)) {
      fmt::print("{}", kRunUsage);
      return 0;
    }
    // --name VALUE, --name=VALUE (and -O2 / -O 2).
    std::string name = arg, value;
    bool hasInline = false;
    if (arg.starts_with("--")) {
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        hasInline = true;
      }
    } else if (arg.starts_with("-O") && arg.size() > 2) {
      name = "-O";
      value = arg.substr(2);
      hasInline = true;
    }
    if (name == "--bounds-checks" && !hasInline) {
      options.boundsChecks = true;
      continue;
    }
    if (name == "--no-cache" && !hasInline) {
      options.cache = false;
      continue;
    }
    if (!takesValue(name))
      return usageError(fmt::format("unknown option '{}'", arg));
    if (!hasInline && i + 1 < args.size()) {
      value = args[++i];
      hasInline = true;
    }
    if (!hasInline || value.empty())
      return usageError(fmt::format("option '{}' needs a value", name));
    if (std::optional<int> status = applyOption(name, value, options))
      return status;
  }
  if (i >= args.size())
    return usageError("missing module file");
  options.file = args[i];
  options.args.assign(args.begin() + i + 1, args.end());
  return std::nullopt;
}

} // namespace wasmrt::cli
