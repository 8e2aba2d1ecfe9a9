// `wasmrt run`: instantiates a module with WASI preview1 and runs `_start` (or the
// export named by --invoke). Options and exit statuses are documented in docs/CLI.md.
#include "Commands.h"
#include "ModuleInput.h"

#include "binary/Decoder.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "validation/Validator.h"
#include "wasi/RuntimeBinding.h"
#include "wasi/WasiContext.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt::cli {
using namespace wasmrt::internal;

namespace {

constexpr int kRejected = 1;   // unreadable, malformed, invalid or unlinkable module
constexpr int kUsageError = 2;
constexpr int kTrapped = 134;  // 128 + SIGABRT, as wasmtime reports a trap on Unix

constexpr const char *kRunUsage =
    "usage: wasmrt run [--dir HOST[::GUEST]] [--dir-ro HOST[::GUEST]] [--env NAME[=VALUE]]\n"
    "                  [--tcplisten HOST:PORT] [--invoke FUNC] [-O LEVEL] [--bounds-checks]\n"
    "                  FILE.wasm|FILE.wat [ARGS...]\n";

struct RunOptions {
  std::vector<wasi::PreopenDir> dirs;
  std::vector<std::string> env;
  std::vector<std::string> listen;
  std::optional<std::string> invoke;
  unsigned optLevel = 2;
  bool boundsChecks = false;
  std::string file;
  std::vector<std::string> args; // guest argv after argv[0], or --invoke arguments
};

int usageError(const std::string &message) {
  fmt::print(stderr, "wasmrt run: {}\n{}", message, kRunUsage);
  return kUsageError;
}

// "HOST", "HOST::GUEST", either with a ":ro" suffix.
wasi::PreopenDir parseDir(std::string spec, bool readOnly) {
  if (spec.size() > 3 && spec.ends_with(":ro") && !spec.ends_with("::ro")) {
    readOnly = true;
    spec.resize(spec.size() - 3);
  }
  wasi::PreopenDir dir;
  dir.readOnly = readOnly;
  if (size_t sep = spec.find("::"); sep != std::string::npos) {
    dir.hostPath = spec.substr(0, sep);
    dir.guestName = spec.substr(sep + 2);
  } else {
    dir.hostPath = spec;
    dir.guestName = spec;
  }
  return dir;
}

// Parses options up to the module file; returns an exit status on error.
std::optional<int> parseOptions(std::span<const std::string> args, RunOptions &options) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-')
      break;
    // --name VALUE, --name=VALUE (and -O2 / -O 2).
    std::string name = arg, inlineValue;
    bool hasInline = false;
    if (arg.starts_with("--")) {
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        name = arg.substr(0, eq);
        inlineValue = arg.substr(eq + 1);
        hasInline = true;
      }
    } else if (arg.starts_with("-O") && arg.size() > 2) {
      name = "-O";
      inlineValue = arg.substr(2);
      hasInline = true;
    }
    auto takeValue = [&](std::string &out) -> bool {
      if (hasInline) {
        out = inlineValue;
        return true;
      }
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (name == "--bounds-checks" && !hasInline) {
      options.boundsChecks = true;
      continue;
    }
    if (name != "--dir" && name != "--dir-ro" && name != "--env" && name != "--invoke" &&
        name != "--tcplisten" && name != "-O" && name != "--opt-level")
      return usageError(fmt::format("unknown option '{}'", arg));
    if (!takeValue(v) || v.empty())
      return usageError(fmt::format("option '{}' needs a value", name));
    if (name == "--dir" || name == "--dir-ro") {
      options.dirs.push_back(parseDir(v, name == "--dir-ro"));
    } else if (name == "--env") {
      if (v.find('=') != std::string::npos) {
        options.env.push_back(v);
      } else if (const char *host = std::getenv(v.c_str())) {
        options.env.push_back(v + "=" + host);
      }
    } else if (name == "--invoke") {
      options.invoke = v;
    } else if (name == "--tcplisten") {
      options.listen.push_back(v);
    } else {
      if (v.size() != 1 || v[0] < '0' || v[0] > '3')
        return usageError(fmt::format("optimization level must be 0..3, got '{}'", v));
      options.optLevel = unsigned(v[0] - '0');
    }
  }
  if (i >= args.size())
    return usageError("missing module file");
  options.file = args[i];
  options.args.assign(args.begin() + i + 1, args.end());
  return std::nullopt;
}

// A listening TCP socket on "HOST:PORT" ("[::1]:PORT" for IPv6).
Expected<int> listenOn(const std::string &spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return Error(ErrorKind::Usage, fmt::format("--tcplisten '{}': expected HOST:PORT", spec));
  std::string host = spec.substr(0, colon), port = spec.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo *found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return Error(ErrorKind::Usage,
                 fmt::format("--tcplisten '{}': {}", spec, gai_strerror(rc)));
  int lastErrno = 0;
  for (addrinfo *a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      lastErrno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    lastErrno = errno;
    ::close(fd);
  }
  freeaddrinfo(found);
  return Error(ErrorKind::Io, fmt::format("--tcplisten '{}': {}", spec, std::strerror(lastErrno)));
}

std::optional<Value> parseValue(const std::string &text, ValType type) {
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
    return Value::i32(int32_t(uint32_t(v)));
  }
  case ValType::I64: {
    int64_t v;
    if (integer(v))
      return Value::i64(v);
    uint64_t u;
    if (!integer(u))
      return std::nullopt;
    return Value::i64(int64_t(u));
  }
  case ValType::F32:
  case ValType::F64: {
    char *end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      return std::nullopt;
    return type == ValType::F32 ? Value::f32(float(d)) : Value::f64(d);
  }
  default: return std::nullopt;
  }
}

std::string formatValue(const Value &value) {
  switch (value.type) {
  case ValType::I32: return fmt::format("{}", value.asI32());
  case ValType::I64: return fmt::format("{}", value.asI64());
  case ValType::F32: return fmt::format("{}", value.asF32());
  case ValType::F64: return fmt::format("{}", value.asF64());
  case ValType::V128: {
    std::string text = "0x";
    for (int i = 15; i >= 0; --i)
      text += fmt::format("{:02x}", value.v128.bytes[i]);
    return text;
  }
  default: return value.ref ? "ref" : "null";
  }
}

void printTrap(const Trap &trap) {
  fmt::print(stderr, "wasmrt: trap: {}\n", trapMessage(trap.kind));
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

// The status of a failed call: the guest's exit code, or a trap report.
int failedCall(const Error &error, const Trap &trap, const wasi::WasiContext &context) {
  if (std::optional<uint32_t> code = context.exitCode())
    return int(*code & 0xff);
  if (error.kind() != ErrorKind::Trap) {
    fmt::print(stderr, "wasmrt: {}\n", error.describe());
    return kRejected;
  }
  printTrap(trap);
  return kTrapped;
}

int invokeExport(Instance &instance, const RunOptions &options, wasi::WasiContext &context) {
  const std::string &name = *options.invoke;
  std::optional<Extern> func = instance.exportNamed(name);
  if (!func || func->kind != ExternKind::Func) {
    fmt::print(stderr, "wasmrt: {}: no exported function '{}'\n", options.file, name);
    return kRejected;
  }
  const FuncType &type = instance.store().engine().typeOf(func->func->typeId);
  if (options.args.size() != type.params.size())
    return usageError(fmt::format("'{}' takes {} arguments {}, got {}", name,
                                  type.params.size(), toString(type), options.args.size()));
  std::vector<Value> args;
  for (size_t i = 0; i < type.params.size(); ++i) {
    std::optional<Value> value = parseValue(options.args[i], type.params[i]);
    if (!value)
      return usageError(fmt::format("argument {} of '{}': '{}' is not a valid {}", i + 1, name,
                                    options.args[i], valTypeName(type.params[i])));
    args.push_back(*value);
  }
  Trap trap;
  auto results = instance.invoke(name, args, &trap);
  if (!results)
    return failedCall(results.error(), trap, context);
  for (const Value &value : *results)
    fmt::print("{}\n", formatValue(value));
  std::fflush(stdout);
  return 0;
}

int runModule(const RunOptions &options) {
  auto bytes = loadModuleBinary(options.file);
  if (!bytes) {
    fmt::print(stderr, "{}: {}\n", options.file, bytes.error().describe());
    return kRejected;
  }
  auto module = decodeModule(std::move(*bytes));
  if (!module) {
    fmt::print(stderr, "{}: {}\n", options.file, module.error().describe());
    return kRejected;
  }
  if (auto valid = validateModule(*module); !valid) {
    fmt::print(stderr, "{}: {}\n", options.file, valid.error().describe());
    return kRejected;
  }

  wasi::WasiConfig config;
  config.args.push_back(options.file);
  if (!options.invoke)
    config.args.insert(config.args.end(), options.args.begin(), options.args.end());
  config.env = options.env;
  config.preopens = options.dirs;
  std::vector<int> listeners;
  for (const std::string &spec : options.listen) {
    auto fd = listenOn(spec);
    if (!fd) {
      for (int l : listeners)
        ::close(l);
      fmt::print(stderr, "wasmrt: {}\n", fd.error().message());
      return fd.error().kind() == ErrorKind::Usage ? kUsageError : kRejected;
    }
    listeners.push_back(*fd);
  }
  config.sockets = listeners;
  auto context = wasi::WasiContext::create(config);
  for (int l : listeners)
    ::close(l); // the context holds duplicates
  if (!context) {
    fmt::print(stderr, "wasmrt: {}\n", context.error().describe());
    return kRejected;
  }

  EngineConfig engineConfig;
  engineConfig.optLevel = options.optLevel;
  if (options.boundsChecks)
    engineConfig.memoryMode = MemoryMode::BoundsChecked;
  Engine engine(engineConfig);
  auto loaded = engine.load(std::make_shared<const Module>(std::move(*module)));
  if (!loaded) {
    fmt::print(stderr, "{}: {}\n", options.file, loaded.error().describe());
    return kRejected;
  }
  Store store(engine);
  Linker linker;
  if (auto defined = wasi::defineWasi(store, linker, **context); !defined) {
    fmt::print(stderr, "wasmrt: {}\n", defined.error().describe());
    return kRejected;
  }
  auto imports = linker.resolve(*(*loaded)->module);
  if (!imports) {
    fmt::print(stderr, "{}: {}\n", options.file, imports.error().describe());
    return kRejected;
  }
  auto instance = store.instantiate(*loaded, *imports);
  if (!instance) {
    // The start function trapped (or called proc_exit), or linking failed.
    if ((*context)->exitCode() || instance.error().kind() == ErrorKind::Trap) {
      if (std::optional<uint32_t> code = (*context)->exitCode())
        return int(*code & 0xff);
      fmt::print(stderr, "wasmrt: trap: {}\n", instance.error().message());
      return kTrapped;
    }
    fmt::print(stderr, "{}: {}\n", options.file, instance.error().describe());
    return kRejected;
  }

  // Reactors (and any module asked to --invoke) are initialised first.
  std::optional<Extern> initialize = (*instance)->exportNamed("_initialize");
  if (initialize && initialize->kind == ExternKind::Func) {
    Trap trap;
    if (auto done = (*instance)->invoke("_initialize", {}, &trap); !done)
      return failedCall(done.error(), trap, **context);
  }
  if (options.invoke)
    return invokeExport(**instance, options, **context);
  std::optional<Extern> start = (*instance)->exportNamed("_start");
  if (!start || start->kind != ExternKind::Func)
    return 0; // nothing to run: instantiation (and its start function) was the program
  Trap trap;
  auto done = (*instance)->invoke("_start", {}, &trap);
  if (!done)
    return failedCall(done.error(), trap, **context);
  return 0;
}

} // namespace

int runRunCommand(std::span<const std::string> args) {
  RunOptions options;
  if (std::optional<int> status = parseOptions(args, options))
    return *status;
  // A guest writing to a closed pipe gets EPIPE from fd_write instead of killing us.
  signal(SIGPIPE, SIG_IGN);
  int status = runModule(options);
  std::fflush(stdout);
  std::fflush(stderr);
  return status;
}

} // namespace wasmrt::cli
