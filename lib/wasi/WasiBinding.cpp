// The binding of the WASI preview1 core (Wasi.h) to the public embedding API
// (include/wasmrt/Wasi.h): every function of WasiFunctions.def as a host
// function of `wasi_snapshot_preview1`. Only public API types are used here.
#include "wasmrt/Wasi.h"

#include "wasi/Wasi.h"
#include "wasi/WasiContext.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

extern char **environ;

namespace wasmrt {

struct WasiState::Impl {
  std::unique_ptr<wasi::WasiContext> context;
};

std::optional<uint32_t> WasiState::exitCode() const { return impl_->context->exitCode(); }

namespace {

using wasi::Errno;
using wasi::GuestMemory;
using wasi::WasiContext;

// The caller's linear memory as it is now (memory.grow may have moved or grown
// it since the last call). No memory at all: every guest pointer is out of bounds.
GuestMemory callerMemory(const Caller &caller) {
  std::optional<Memory> memory = caller.memory();
  if (!memory)
    memory = caller.memoryAt(0);
  if (!memory)
    return GuestMemory(nullptr, 0);
  return GuestMemory(memory->data(), memory->size());
}

FuncType funcTypeOf(std::string_view params, bool returnsErrno) {
  FuncType type;
  for (char c : params)
    type.params.push_back(c == 'I' ? ValType::I64 : ValType::I32);
  if (returnsErrno)
    type.results.push_back(ValType::I32);
  return type;
}

// Checks at compile time that a C++ signature matches the def's parameter string.
template <typename... Args> consteval bool matches(std::string_view params) {
  if (params.size() != sizeof...(Args))
    return false;
  size_t i = 0;
  bool ok = true;
  ((ok = ok && (params[i++] == 'I' ? sizeof(Args) == 8 : sizeof(Args) == 4)), ...);
  return ok;
}

template <typename... Args>
consteval bool signatureMatches(Errno (*)(WasiContext &, GuestMemory, Args...),
                                std::string_view params) {
  return matches<Args...>(params);
}

// The host function's type already fixed the parameters' wasm types, so the
// raw bits are the values (i32 zero-extended, i64 as is).
template <typename... Args>
Errno callCore(Errno (*fn)(WasiContext &, GuestMemory, Args...), WasiContext &context,
               GuestMemory memory, std::span<const Val> params) {
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return fn(context, memory, Args(params[I].rawBits())...);
  }(std::index_sequence_for<Args...>{});
}

template <auto Fn>
void defineOne(Linker &linker, const std::shared_ptr<WasiState::Impl> &state, const char *name,
               std::string_view params) {
  bool returnsErrno = std::string_view(name) != "proc_exit";
  HostCallback callback = [state, returnsErrno](Caller &caller, std::span<const Val> args,
                                                std::span<Val> results) -> Expected<void> {
    WasiContext &context = *state->context;
    Errno result = callCore(Fn, context, callerMemory(caller), args);
    if (result == wasi::errno_::kExitRequested)
      // Unwinds the guest; the embedder reads the code from WasiState::exitCode().
      return Error(ErrorKind::Trap,
                   "proc_exit(" + std::to_string(context.exitCode().value_or(0)) + ")");
    if (returnsErrno)
      results[0] = Val(int32_t(result));
    return {};
  };
  // Defined in the linker, not created in the store: a store gets the
  // functions a module imports when that module is instantiated, so a program
  // that imports eight of the 46 pays for eight (their glue then compiles in
  // one batch with the module's other types).
  linker.defineFunc(kWasiPreview1Module, name, funcTypeOf(params, returnsErrno),
                    std::move(callback));
}

// A listening TCP socket on "HOST:PORT" ("[::1]:PORT" for IPv6).
Expected<int> listenOn(const std::string &spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return Error(ErrorKind::Usage, "--tcplisten '" + spec + "': expected HOST:PORT");
  std::string host = spec.substr(0, colon), port = spec.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo *found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return Error(ErrorKind::Usage, "--tcplisten '" + spec + "': " + gai_strerror(rc));
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
  return Error(ErrorKind::Io, "--tcplisten '" + spec + "': " + std::strerror(lastErrno));
}

// Closes the sockets defineWasi bound itself (the context holds duplicates).
struct OwnedFds {
  std::vector<int> fds;
  ~OwnedFds() {
    for (int fd : fds)
      ::close(fd);
  }
};

Expected<std::unique_ptr<WasiContext>> createContext(const WasiConfig &config) {
  wasi::WasiConfig core;
  core.args = config.args;
  if (config.inheritEnv)
    for (char **entry = environ; entry && *entry; ++entry)
      core.env.emplace_back(*entry);
  for (const WasiEnvVar &var : config.env) {
    if (var.value)
      core.env.push_back(var.name + "=" + *var.value);
    else if (const char *host = std::getenv(var.name.c_str()))
      core.env.push_back(var.name + "=" + host);
  }
  for (const WasiPreopenDir &dir : config.preopens)
    core.preopens.push_back({dir.hostPath, dir.guestPath, dir.readOnly});
  core.inheritStdio = config.inheritStdio;
  OwnedFds bound;
  for (const std::string &spec : config.tcpListen) {
    auto fd = listenOn(spec);
    if (!fd)
      return std::move(fd).error();
    bound.fds.push_back(*fd);
  }
  core.sockets = bound.fds;
  core.sockets.insert(core.sockets.end(), config.listenFds.begin(), config.listenFds.end());
  return WasiContext::create(core);
}

} // namespace

Expected<WasiState> defineWasi(Linker &linker, Store &, const WasiConfig &config) {
  auto context = createContext(config);
  if (!context)
    return std::move(context).error();
  auto state = std::make_shared<WasiState::Impl>();
  state->context = std::move(*context);
#define WASI_FUNCTION(NAME, FN, PARAMS)                                                       \
  static_assert(signatureMatches(&wasi::FN, PARAMS), #FN " does not match " PARAMS);          \
  defineOne<&wasi::FN>(linker, state, #NAME, PARAMS);
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  return WasiState(std::move(state));
}

} // namespace wasmrt
