#include "Guest.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace wasmrt::oci {

namespace {

constexpr const char *kDefaultCacheDir = "/var/cache/wasmrt";

// Identical in the cache-filling child and the container, or the cache key
// (which covers code-generation settings) would differ.
Config engineConfig() {
  Config config;
  config.cache.enabled = cacheEnabled();
  config.cache.directory = cacheDirectory();
  config.cache.fillOnMiss = true;
  return config;
}

Expected<std::vector<uint8_t>> readModule(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int savedErrno = errno;
      close(fd);
      return Error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(savedErrno)));
    }
    if (got == 0)
      break;
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  close(fd);
  return bytes;
}

// FNV-1a: only names the per-module lock file, so a collision merely makes
// two modules' first compiles wait for each other.
uint64_t lockHash(const std::vector<uint8_t> &bytes) {
  uint64_t hash = 1469598103934665603ull;
  for (uint8_t byte : bytes)
    hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

// Holds an exclusive flock on <cache>/oci-locks/<hash>.lock while alive.
class CompileLock {
public:
  explicit CompileLock(uint64_t hash) {
    std::string dir = cacheDirectory() + "/oci-locks";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    chmod(dir.c_str(), 0700);
    fd_ = open(fmt::format("{}/{:016x}.lock", dir, hash).c_str(),
               O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0)
      while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
  }
  ~CompileLock() {
    if (fd_ >= 0)
      close(fd_);
  }
  CompileLock(const CompileLock &) = delete;
  CompileLock &operator=(const CompileLock &) = delete;

private:
  int fd_ = -1; // without a lock (unwritable cache), compiles just do not wait
};

// The child of fillCodeCache: compiles and reports a failure on `reportFd`.
[[noreturn]] void fillCodeCacheChild(const std::string &modulePath, int reportFd) {
  auto report = [&](const std::string &message) {
    (void)!write(reportFd, message.data(), message.size());
    _exit(1);
  };
  auto bytes = readModule(modulePath);
  if (!bytes)
    report(bytes.error().describe());
  Config config = engineConfig();
  std::error_code ec;
  std::filesystem::create_directories(config.cache.directory, ec);
  chmod(config.cache.directory.c_str(), 0700);
  CompileLock lock(lockHash(*bytes));
  Engine engine(config);
  auto module = Module::compile(engine, *bytes);
  if (!module)
    report(module.error().describe());
  // The process exits at once: the kernel frees the compiler faster than
  // destructors would.
  _exit(0);
}

void addMountPreopens(const BundleSpec &bundle, WasiConfig &config) {
  for (const MountSpec &mount : bundle.mounts) {
    auto hasOption = [&](const char *name) {
      return std::find(mount.options.begin(), mount.options.end(), name) != mount.options.end();
    };
    // Only bind mounts of host directories can be preopens: proc, sysfs,
    // tmpfs, devpts, mqueue, cgroup and bind-mounted files (resolv.conf,
    // hosts) have nothing a WASI guest could use.
    bool bind = mount.type == "bind" || hasOption("bind") || hasOption("rbind");
    struct stat info{};
    if (!bind || mount.source.empty() || stat(mount.source.c_str(), &info) != 0 ||
        !S_ISDIR(info.st_mode) || mount.destination.empty())
      continue;
    std::string guestPath =
        std::filesystem::path("/" + mount.destination).lexically_normal().string();
    config.preopens.push_back({.hostPath = mount.source,
                               .guestPath = guestPath,
                               .readOnly = hasOption("ro")});
  }
}

void addListenAddresses(const std::string &list, WasiConfig &config) {
  std::istringstream addresses(list);
  for (std::string address; std::getline(addresses, address, ',');)
    if (!address.empty())
      config.tcpListen.push_back(address);
}

} // namespace

bool cacheEnabled() {
  const char *setting = std::getenv("WASMRT_CACHE");
  return !(setting && (std::strcmp(setting, "off") == 0 || std::strcmp(setting, "0") == 0));
}

std::string cacheDirectory() {
  const char *dir = std::getenv("WASMRT_CACHE_DIR");
  return dir && *dir ? dir : kDefaultCacheDir;
}

Expected<WasiConfig> wasiConfigFor(const BundleSpec &bundle) {
  WasiConfig config;
  config.args = bundle.args;
  for (const std::string &entry : bundle.env) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos)
      config.env.push_back({.name = entry, .value = std::string()});
    else
      config.env.push_back({.name = entry.substr(0, equals), .value = entry.substr(equals + 1)});
    if (entry.compare(0, equals, kTcpListenEnv) == 0 && equals == std::strlen(kTcpListenEnv))
      addListenAddresses(entry.substr(equals + 1), config);
  }
  if (auto listen = bundle.annotations.find(kTcpListenAnnotation);
      listen != bundle.annotations.end())
    addListenAddresses(listen->second, config);
  config.preopens.push_back(
      {.hostPath = bundle.rootfs, .guestPath = "/", .readOnly = bundle.rootReadonly});
  // process.cwd has no WASI counterpart: preview1 has no working directory
  // and wasi-libc resolves relative paths from "/", the rootfs. A "."
  // preopen of the cwd would not help: wasi-libc treats it as another "/"
  // and lets it shadow the rootfs (docs/OCI.md, "Files").
  addMountPreopens(bundle, config);
  return config;
}

Expected<void> fillCodeCache(const std::string &modulePath) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0)
    return Error(ErrorKind::Io, fmt::format("pipe: {}", std::strerror(errno)));
  fflush(nullptr);
  pid_t child = fork();
  if (child < 0) {
    close(report[0]);
    close(report[1]);
    return Error(ErrorKind::Io, fmt::format("fork: {}", std::strerror(errno)));
  }
  if (child == 0) {
    close(report[0]);
    fillCodeCacheChild(modulePath, report[1]);
  }
  close(report[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t got; (got = read(report[0], buffer, sizeof buffer)) != 0;) {
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      break;
    message.append(buffer, size_t(got));
  }
  close(report[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return {};
  if (!message.empty())
    return Error(ErrorKind::Invalid, fmt::format("{}: {}", modulePath, message));
  if (WIFSIGNALED(status))
    return Error(ErrorKind::Internal, fmt::format("compiling {} failed: killed by signal {}",
                                                  modulePath, WTERMSIG(status)));
  return Error(ErrorKind::Internal, fmt::format("compiling {} failed", modulePath));
}

Expected<void> prepareGuest(const BundleSpec &bundle, const Entrypoint &entry,
                            PreparedGuest &guest) {
  Engine &engine = guest.engine.emplace(engineConfig());
  Expected<Module> module = Error(ErrorKind::Internal, "no module");
  if (entry.kind == EntrypointKind::Artifact) {
    module = Module::deserializeFile(engine, entry.hostPath);
  } else {
    auto bytes = readModule(entry.hostPath);
    if (!bytes)
      return std::move(bytes).error();
    module = Module::compile(engine, *bytes);
  }
  if (!module)
    return Error(module.error().kind(),
                 fmt::format("{}: {}", bundle.args.front(), module.error().describe()));
  // Only WASI is linked: any other import would fail at start, after
  // create reported success. Said now, as a create error.
  for (const ImportType &import : module->imports())
    if (import.module != kWasiPreview1Module)
      return Error(ErrorKind::Unlinkable,
                   fmt::format("{}: unknown import {}::{} (wasmrt-oci provides only {})",
                               bundle.args.front(), import.module, import.name,
                               kWasiPreview1Module));
  guest.module.emplace(std::move(*module));
  Store &store = guest.store.emplace(engine);
  if (bundle.memoryLimit)
    store.setLimits({.maxMemoryBytes = uint64_t(*bundle.memoryLimit)});
  auto config = wasiConfigFor(bundle);
  if (!config)
    return std::move(config).error();
  Linker &linker = guest.linker.emplace();
  auto wasi = defineWasi(linker, store, *config);
  if (!wasi)
    return std::move(wasi).error();
  guest.wasi.emplace(*wasi);
  guest.programName = bundle.args.front();
  return {};
}

namespace {

// The status for a failed instantiation or call, as `wasmrt run` reports it.
int failedStatus(PreparedGuest &guest, const Error &error) {
  if (std::optional<uint32_t> code = guest.wasi->exitCode())
    return int(*code & 0xff);
  const std::optional<Trap> &trap = guest.store->lastTrap();
  if (error.kind() != ErrorKind::Trap || !trap) {
    fmt::print(stderr, "wasmrt-oci: {}: {}\n", guest.programName, error.describe());
    return kExitRejected;
  }
  fmt::print(stderr, "wasmrt: trap: {}\n", trap->message);
  if (!trap->frames.empty()) {
    fmt::print(stderr, "wasm backtrace:\n");
    for (size_t i = 0; i < trap->frames.size(); ++i) {
      const TrapFrame &frame = trap->frames[i];
      fmt::print(stderr, "  {}: func[{}]{}\n", i, frame.funcIndex,
                 frame.funcName.empty() ? "" : " $" + frame.funcName);
    }
  }
  return kExitTrapped;
}

std::optional<int> callIfExported(PreparedGuest &guest, const Instance &instance,
                                  const char *name) {
  std::optional<Extern> exported = instance.getExport(name);
  if (!exported || exported->kind() != ExternKind::Func)
    return std::nullopt;
  if (auto done = exported->func()->call(std::span<const Val>()); !done)
    return failedStatus(guest, done.error());
  return std::nullopt;
}

} // namespace

int runGuest(PreparedGuest &guest) {
  // A guest writing to a closed pipe gets EPIPE from fd_write instead of
  // the container dying of SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  auto instance = guest.linker->instantiate(*guest.store, *guest.module);
  if (!instance)
    return failedStatus(guest, instance.error());
  if (std::optional<int> status = callIfExported(guest, *instance, "_initialize"))
    return *status;
  return callIfExported(guest, *instance, "_start").value_or(0);
}

} // namespace wasmrt::oci
