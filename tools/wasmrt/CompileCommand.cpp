// `wasmrt compile`: a module (.wasm or .wat) to a precompiled artifact
// (.cwasm, docs/AOT.md) through the public API.
#include "Commands.h"
#include "ModuleInput.h"
#include "RunOptions.h"

#include "wasmrt/wasmrt.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace wasmrt::cli {

namespace {

constexpr const char *kCompileUsage =
    "usage: wasmrt compile [-o FILE.cwasm] [-O LEVEL] [--target x86_64|aarch64]\n"
    "                      [--bounds-checks] [--consume-fuel] [--epoch-interruption]\n"
    "                      [--cache [--cache-dir DIR]] FILE.wasm|FILE.wat\n";

struct CompileOptions {
  std::string input;
  std::string output; // default: the input with .cwasm instead of .wasm/.wat
  std::string target;
  Config config;
  // --cache: compile into the code cache instead of a file (what `wasmrt run`
  // starts in the background on a cache miss; docs/CACHE.md).
  bool intoCache = false;
};

int compileUsageError(const std::string &message) {
  fmt::print(stderr, "wasmrt compile: {}\n{}", message, kCompileUsage);
  return kUsageError;
}

std::optional<int> parseCompileOptions(std::span<const std::string> args, CompileOptions &out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    auto value = [&](const char *name) -> std::optional<std::string> {
      if (arg.size() > std::strlen(name) && arg.starts_with(name) &&
          (arg[std::strlen(name)] == '=' || name[1] != '-'))
        return arg.substr(std::strlen(name) + (arg[std::strlen(name)] == '=' ? 1 : 0));
      if (arg == name && i + 1 < args.size())
        return args[++i];
      return std::nullopt;
    };
    if (isHelpOption(arg)) {
      fmt::print("{}", kCompileUsage);
      return 0;
    }
    if (arg == "--" && i + 2 == args.size() && out.input.empty()) {
      out.input = args[++i];
    } else if (arg == "--bounds-checks") {
      out.config.memoryMode = MemoryMode::BoundsChecked;
    } else if (arg == "--consume-fuel") {
      out.config.consumeFuel = true;
    } else if (arg == "--epoch-interruption") {
      out.config.epochInterruption = true;
    } else if (arg == "--cache") {
      out.intoCache = true;
    } else if (auto directory = value("--cache-dir")) {
      out.config.cache.directory = *directory;
    } else if (auto level = value("-O")) {
      if (level->size() != 1 || (*level)[0] < '0' || (*level)[0] > '3')
        return compileUsageError(fmt::format("-O expects 0, 1, 2 or 3, got '{}'", *level));
      out.config.optLevel = unsigned((*level)[0] - '0');
    } else if (auto output = value("-o")) {
      out.output = *output;
    } else if (auto target = value("--target")) {
      if (*target != "x86_64" && *target != "aarch64")
        return compileUsageError(fmt::format("--target must be x86_64 or aarch64, got '{}'", *target));
      out.target = *target;
    } else if (arg.starts_with("-") && arg != "-") {
      return compileUsageError(fmt::format("unknown or incomplete option '{}'", arg));
    } else if (out.input.empty()) {
      out.input = arg;
    } else {
      return compileUsageError(fmt::format("more than one input file ('{}')", arg));
    }
  }
  if (out.input.empty())
    return compileUsageError("missing module file");
  if (out.intoCache && (!out.output.empty() || !out.target.empty()))
    return compileUsageError("--cache takes neither -o nor --target");
  if (out.output.empty()) {
    std::string base = out.input;
    for (const char *extension : {".wasm", ".wat"})
      if (base.ends_with(extension))
        base.resize(base.size() - std::strlen(extension));
    out.output = base + ".cwasm";
  }
  return std::nullopt;
}

// "compiling: 1234/5678 functions" on a terminal, redrawn at most 10 times a
// second; nothing when stderr is not a terminal.
class Progress {
public:
  Progress() : enabled_(isatty(STDERR_FILENO)) {}
  void update(uint32_t done, uint32_t total) {
    auto now = std::chrono::steady_clock::now();
    if (!enabled_ || (done < total && now - last_ < std::chrono::milliseconds(100)))
      return;
    last_ = now;
    fmt::print(stderr, "\rcompiling: {}/{} functions", done, total);
    drawn_ = true;
  }
  ~Progress() {
    if (drawn_)
      fmt::print(stderr, "\n");
  }

private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// Writes `bytes` to `path` through a temporary file and a rename, so a reader
// (or a crash) never sees half an artifact.
std::optional<std::string> writeAtomically(const std::string &path, std::span<const uint8_t> bytes) {
  std::string temporary = fmt::format("{}.tmp-{}", path, getpid());
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fmt::format("cannot create {}: {}", temporary, std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string error = std::strerror(errno);
      close(fd);
      unlink(temporary.c_str());
      return fmt::format("cannot write {}: {}", temporary, error);
    }
    written += size_t(n);
  }
  if (close(fd) != 0 || rename(temporary.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    unlink(temporary.c_str());
    return fmt::format("cannot write {}: {}", path, error);
  }
  return std::nullopt;
}

// A cache fill runs in the background of someone's program: it yields the
// processor to it (nice +10).
int compileIntoCache(CompileOptions &options, std::span<const uint8_t> wasm) {
  errno = 0;
  if (nice(10) == -1 && errno != 0)
    fmt::print(stderr, "wasmrt compile: cannot lower the priority: {}\n", std::strerror(errno));
  options.config.cache.enabled = true;
  options.config.cache.fillOnMiss = true;
  Engine engine(options.config);
  auto module = Module::compile(engine, wasm);
  if (!module) {
    fmt::print(stderr, "{}: {}\n", options.input, module.error().describe());
    return 1;
  }
  if (std::string_view(module->codeSource()).starts_with("cache")) // hit or stored
    return 0;
  fmt::print(stderr, "wasmrt compile: the code cache is not available\n");
  return 1;
}

} // namespace

int runCompileCommand(std::span<const std::string> args) {
  CompileOptions options;
  if (std::optional<int> status = parseCompileOptions(args, options))
    return *status;
  auto wasm = loadModuleBinary(options.input);
  if (!wasm) {
    fmt::print(stderr, "{}: {}\n", options.input, wasm.error().describe());
    return 1;
  }
  if (options.intoCache)
    return compileIntoCache(options, *wasm);
  Engine engine(options.config);
  std::vector<uint8_t> artifact;
  {
    Progress progress;
    Module::PrecompileOptions precompile;
    precompile.target = options.target;
    precompile.onProgress = [&progress](uint32_t done, uint32_t total) {
      progress.update(done, total);
    };
    auto compiled = Module::precompile(engine, *wasm, precompile);
    if (!compiled) {
      fmt::print(stderr, "{}: {}\n", options.input, compiled.error().describe());
      return 1;
    }
    artifact = std::move(*compiled);
  }
  if (std::optional<std::string> error = writeAtomically(options.output, artifact)) {
    fmt::print(stderr, "wasmrt compile: {}\n", *error);
    return 1;
  }
  return 0;
}

} // namespace wasmrt::cli
