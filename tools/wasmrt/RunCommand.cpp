// `wasmrt run`: instantiates a module with WASI preview1 and runs `_start` (or the
// export named by --invoke), through the public embedding API only. Options and
// exit statuses are documented in docs/CLI.md.
#include "Commands.h"
#include "Delegate.h"
#include "ModuleInput.h"
#include "RunOptions.h"

#include "support/File.h"
#include "wasmrt/Wasi.h"
#include "wasmrt/wasmrt.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wasmrt::cli {

namespace {

constexpr int kRejected = 1;    // unreadable, malformed, invalid or unlinkable module
constexpr int kTrapped = 134;   // 128 + SIGABRT, as wasmtime reports a trap on Unix
// Resource limits report what a native process stopped for the same reason
// would: 128 + SIGALRM for running out of time, 128 + SIGXCPU (RLIMIT_CPU)
// for running out of fuel.
constexpr int kTimedOut = 128 + SIGALRM;
constexpr int kOutOfFuel = 128 + SIGXCPU;

// --timeout: a timer thread that advances the engine's epoch once the time is
// up, which interrupts the guest at its next function entry or loop iteration.
// A guest blocked in a host call (a read from an idle socket, say) never gets
// there; after a grace period the watchdog ends the process itself.
class Watchdog {
public:
  Watchdog(Engine engine, std::chrono::milliseconds timeout, std::string timeoutText)
      : engine_(std::move(engine)), timeoutText_(std::move(timeoutText)),
        thread_([this, timeout] { watch(timeout); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

private:
  static constexpr std::chrono::seconds kGrace{2};

  void watch(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, timeout, [this] { return done_; }))
      return;
    engine_.incrementEpoch();
    if (wake_.wait_for(lock, kGrace, [this] { return done_; }))
      return;
    fmt::print(stderr,
               "wasmrt: timeout: the guest ran longer than --timeout {} and did not return "
               "from a host call within {}s\n",
               timeoutText_, kGrace.count());
    std::fflush(stderr);
    std::_Exit(kTimedOut);
  }

  Engine engine_;
  std::string timeoutText_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_; // last: starts once the members it uses exist
};

std::optional<Val> parseValue(const std::string &text, ValType type) {
  const char *first = text.data(), *last = text.data() + text.size();
  auto integer = [&](auto &out) {
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc() && ptr == last;
  };
  switch (type) {
  case ValType::I32: {
    int64_t v;
    if (!integer(v) || v < INT32_MIN || v > int64_t(UINT32_MAX))
      return std::nullopt;
    return Val(int32_t(uint32_t(v)));
  }
  case ValType::I64: {
    int64_t v;
    if (integer(v))
      return Val(v);
    uint64_t u;
    if (!integer(u))
      return std::nullopt;
    return Val(int64_t(u));
  }
  case ValType::F32:
  case ValType::F64: {
    char *end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      return std::nullopt;
    return type == ValType::F32 ? Val(float(d)) : Val(d);
  }
  default: return std::nullopt;
  }
}

std::string formatValue(const Val &value) {
  switch (value.type()) {
  case ValType::I32: return fmt::format("{}", value.i32());
  case ValType::I64: return fmt::format("{}", value.i64());
  case ValType::F32: return fmt::format("{}", value.f32());
  case ValType::F64: return fmt::format("{}", value.f64());
  case ValType::V128: {
    std::string text = "0x";
    for (int i = 15; i >= 0; --i)
      text += fmt::format("{:02x}", value.v128().bytes[i]);
    return text;
  }
  default: return value.isNullRef() ? "null" : "ref";
  }
}

void printBacktrace(const Trap &trap) {
  if (trap.frames.empty())
    return;
  fmt::print(stderr, "wasm backtrace:\n");
  for (size_t i = 0; i < trap.frames.size(); ++i) {
    const TrapFrame &frame = trap.frames[i];
    std::string name = frame.moduleName.empty() ? "" : "$" + frame.moduleName + ".";
    name += fmt::format("func[{}]", frame.funcIndex);
    if (!frame.funcName.empty())
      name += " $" + frame.funcName;
    fmt::print(stderr, "  {}: {}\n", i, name);
  }
}

struct Session {
  const RunOptions &options;
  Store &store;
  WasiState wasi;
};

// The status of a failed call or instantiation: the guest's exit code, a
// resource limit, a trap report, or a module that could not be used.
int failed(const Session &session, const Error &error) {
  if (std::optional<uint32_t> code = session.wasi.exitCode())
    return int(*code & 0xff);
  const std::optional<Trap> &trap = session.store.lastTrap();
  if (error.kind() != ErrorKind::Trap || !trap) {
    fmt::print(stderr, "{}: {}\n", session.options.file, error.describe());
    return kRejected;
  }
  int status = kTrapped;
  if (trap->kind == TrapKind::Interrupted) {
    fmt::print(stderr, "wasmrt: timeout: the guest ran longer than --timeout {}\n",
               session.options.timeoutText);
    status = kTimedOut;
  } else if (trap->kind == TrapKind::OutOfFuel) {
    fmt::print(stderr, "wasmrt: out of fuel: the guest used all {} units of --fuel\n",
               *session.options.fuel);
    status = kOutOfFuel;
  } else {
    fmt::print(stderr, "wasmrt: trap: {}\n", trap->message);
  }
  printBacktrace(*trap);
  return status;
}

int invokeExport(const Session &session, const Instance &instance) {
  const RunOptions &options = session.options;
  const std::string &name = *options.invoke;
  std::optional<Extern> exported = instance.getExport(name);
  if (!exported || exported->kind() != ExternKind::Func) {
    fmt::print(stderr, "wasmrt: {}: no exported function '{}'\n", options.file, name);
    return kRejected;
  }
  Func func = *exported->func();
  FuncType type = func.type();
  if (options.args.size() != type.params.size())
    return usageError(fmt::format("'{}' takes {} arguments {}, got {}", name,
                                  type.params.size(), type.toString(), options.args.size()));
  std::vector<Val> args;
  for (size_t i = 0; i < type.params.size(); ++i) {
    std::optional<Val> value = parseValue(options.args[i], type.params[i]);
    if (!value)
      return usageError(fmt::format("argument {} of '{}': '{}' is not a valid {}", i + 1, name,
                                    options.args[i], valTypeName(type.params[i])));
    args.push_back(*value);
  }
  auto results = func.call(args);
  if (!results)
    return failed(session, results.error());
  for (const Val &value : *results)
    fmt::print("{}\n", formatValue(value));
  std::fflush(stdout);
  return 0;
}

// Calls export `name` if it is a function; nullopt when it is absent or succeeded.
std::optional<int> callIfExported(const Session &session, const Instance &instance,
                                  const char *name) {
  std::optional<Extern> exported = instance.getExport(name);
  if (!exported || exported->kind() != ExternKind::Func)
    return std::nullopt;
  if (auto done = exported->func()->call(std::span<const Val>()); !done)
    return failed(session, done.error());
  return std::nullopt;
}

// The file as a compiled module: a precompiled artifact (mapped, nothing
// compiled), binary, or text when it lacks the "\0asm" magic.
// A regular file is mapped (MAP_POPULATE: one call instead of a page fault per
// 64 KiB, and no copy; a cache hit only hashes the bytes), anything else (a
// pipe, /dev/stdin) read into `storage`. The mapping is never unmapped: the
// process ends with the run (RunState).
Expected<std::span<const uint8_t>> mapOrRead(const std::string &path,
                                             std::vector<uint8_t> &storage) {
  if (int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    struct stat info;
    void *mapped = MAP_FAILED;
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0)
      mapped = mmap(nullptr, size_t(info.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (mapped != MAP_FAILED)
      return std::span<const uint8_t>(static_cast<const uint8_t *>(mapped), size_t(info.st_size));
  }
  auto bytes = internal::readFileBytes(path); // and its error messages
  if (!bytes)
    return std::move(bytes).error();
  storage = std::move(*bytes);
  return std::span<const uint8_t>(storage);
}

Expected<Module> loadModule(const Engine &engine, const std::string &path) {
  if (isArtifactFile(path))
    return Module::deserializeFile(engine, path);
  std::vector<uint8_t> storage;
  auto bytes = mapOrRead(path, storage);
  if (!bytes)
    return std::move(bytes).error();
  if (bytes->size() >= 4 && std::memcmp(bytes->data(), "\0asm", 4) == 0)
    return Module::compile(engine, *bytes);
  std::string_view text(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  auto module = Module::fromWat(engine, text);
  if (!module && module.error().kind() == ErrorKind::Malformed)
    return Error(ErrorKind::Malformed, path + ":" + module.error().message());
  return module;
}

// On a cache miss the program runs on JIT-compiled code at once, while a
// detached `wasmrt compile --cache` (niced, in its own session, stdio on
// /dev/null) compiles the whole module for the runs that follow: the first
// run is not slowed by compiling code it never calls (docs/CACHE.md).
void startCacheFill(const RunOptions &options, const Config &config) {
  std::vector<std::string> args = {"wasmrt", "compile", "--cache", "-O",
                                   std::to_string(config.optLevel)};
  if (config.memoryMode == MemoryMode::BoundsChecked)
    args.push_back("--bounds-checks");
  if (config.consumeFuel)
    args.push_back("--consume-fuel");
  if (config.epochInterruption)
    args.push_back("--epoch-interruption");
  if (!config.cache.directory.empty())
    args.insert(args.end(), {"--cache-dir", config.cache.directory});
  args.push_back("--");
  args.push_back(options.file);
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&files);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&files, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  pid_t child = 0;
  // Best effort: without a fill the next run simply misses again.
  (void)posix_spawn(&child, "/proc/self/exe", &files, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
}

// WASMRT_CACHE=off (or 0) turns the cache off like --no-cache.
bool cacheWanted(const RunOptions &options) {
  const char *setting = std::getenv("WASMRT_CACHE");
  return options.cache && !(setting && (std::strcmp(setting, "off") == 0 || std::strcmp(setting, "0") == 0));
}

WasiConfig wasiConfigFor(const RunOptions &options) {
  WasiConfig config;
  config.args.push_back(options.file);
  if (!options.invoke)
    config.args.insert(config.args.end(), options.args.begin(), options.args.end());
  config.env = options.env;
  config.preopens = options.dirs;
  config.tcpListen = options.listen;
  return config;
}

// What a run creates that is costly to tear down: the engine (JIT sessions,
// compile threads), the module's code and the store (linear memories in
// 8 GiB reservations). runRunCommand never destroys it: the process exits
// right after the guest, and the kernel reclaims all of it faster than
// destructors can (and without waiting for speculative compiles in flight).
struct RunState {
  std::optional<Engine> engine;
  std::optional<Module> module;
  std::optional<Store> store;
};

int runModule(const RunOptions &options, RunState &state) {
  Config config;
  // The interpreter tier runs no compiled code: nothing to take from the cache or put in it.
  config.cache.enabled = cacheWanted(options) && options.tiering != Tiering::Interpreter;
  config.cache.directory = options.cacheDir;
  config.cache.fillOnMiss = false; // filled in the background, see startCacheFill
  config.optLevel = options.optLevel;
  config.compilation = options.compilation;
  config.tiering.mode = options.tiering;
  if (options.firstTier)
    config.tiering.firstTier = *options.firstTier;
  if (options.tierUpThreshold)
    config.tiering.tierUpThreshold = *options.tierUpThreshold;
  if (options.boundsChecks)
    config.memoryMode = MemoryMode::BoundsChecked;
  // Metering and interruption cost time in every loop: compiled in only when asked for.
  config.epochInterruption = options.timeout.has_value();
  config.consumeFuel = options.fuel.has_value();
  // The static front end runs artifacts and cache hits; what must compile
  // (or resolve host names for --tcplisten) is wasmrt-dynamic's (Delegate.h).
  // The interpreter tier needs no compiler: it runs here.
  bool compiles = options.tiering != Tiering::Interpreter;
  if (isFrontEnd() && (!options.listen.empty() ||
                       (compiles && !config.cache.enabled && !isArtifactFile(options.file))))
    return delegate();
  Engine &engine = state.engine.emplace(config);
  auto module = loadModule(engine, options.file);
  if (isFrontEnd() && !module && module.error().kind() == ErrorKind::Io &&
      module.error().message().starts_with("compiler not available"))
    return delegate(); // a cache miss
  if (!module) {
    fmt::print(stderr, "{}: {}\n", options.file, module.error().describe());
    if (module.error().kind() == ErrorKind::Unsupported && isArtifactFile(options.file))
      fmt::print(stderr, "(compile it again with 'wasmrt compile' and the run's code-generation "
                         "options: --bounds-checks, --consume-fuel for --fuel, "
                         "--epoch-interruption for --timeout)\n");
    return kRejected;
  }
  // WASMRT_LOG=cache says where the code came from (tests, troubleshooting).
  if (const char *log = std::getenv("WASMRT_LOG"); log && std::string_view(log) == "cache")
    fmt::print(stderr, "wasmrt: code: {}\n", module->codeSource());
  if (config.cache.enabled && std::string_view(module->codeSource()) == "jit" &&
      !isArtifactFile(options.file))
    startCacheFill(options, config);
  state.module.emplace(*module);

  Store &store = state.store.emplace(engine);
  if (options.maxMemory)
    store.setLimits({.maxMemoryBytes = *options.maxMemory});
  if (options.fuel)
    if (auto set = store.setFuel(*options.fuel); !set)
      return usageError(set.error().message());
  Linker linker;
  auto wasi = defineWasi(linker, store, wasiConfigFor(options));
  if (!wasi) {
    if (wasi.error().kind() == ErrorKind::Usage) {
      fmt::print(stderr, "wasmrt: {}\n", wasi.error().message());
      return kUsageError;
    }
    fmt::print(stderr, "wasmrt: {}\n", wasi.error().describe());
    return kRejected;
  }
  Session session{options, store, *wasi};

  std::optional<Watchdog> watchdog;
  if (options.timeout) {
    store.setEpochDeadline(1);
    watchdog.emplace(engine, *options.timeout, options.timeoutText);
  }
  // The start function runs during instantiation; it may trap or call proc_exit.
  auto instance = linker.instantiate(store, *module);
  if (!instance)
    return failed(session, instance.error());
  // Reactors (and any module asked to --invoke) are initialised first.
  if (std::optional<int> status = callIfExported(session, *instance, "_initialize"))
    return *status;
  if (options.invoke)
    return invokeExport(session, *instance);
  // Without _start, instantiation (and its start function) was the program.
  return callIfExported(session, *instance, "_start").value_or(0);
}

} // namespace

int runRunCommand(std::span<const std::string> args) {
  RunOptions options;
  if (std::optional<int> status = parseRunOptions(args, options))
    return *status;
  // A guest writing to a closed pipe gets EPIPE from fd_write instead of killing us.
  signal(SIGPIPE, SIG_IGN);
  // Deliberately never destroyed; see RunState.
  auto *state = new RunState;
  int status = runModule(options, *state);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(status);
}

} // namespace wasmrt::cli
