// WASI preview1 for embedders: the `wasi_snapshot_preview1` imports, defined
// into a Linker for one Store. See docs/EMBEDDING.md ("WASI") and docs/WASI.md.
//
//   wasmrt::WasiConfig config;
//   config.args = {"app.wasm", "--verbose"};
//   config.preopens.push_back({.hostPath = "data", .guestPath = "/data", .readOnly = true});
//   auto wasi = wasmrt::defineWasi(linker, store, config);
//   ... instantiate through `linker`, call "_start" ...
//   if (!result && wasi->exitCode()) { the guest called proc_exit(*wasi->exitCode()) }
//
// Link the `wasmrt_wasi_binding` library (it brings in libuv); the rest of the
// API does not depend on it.
#pragma once

#include "wasmrt/Error.h"
#include "wasmrt/Instance.h"
#include "wasmrt/Store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt {

// A host directory the guest may use, and nothing outside it (symlinks and
// ".." included; docs/WASI.md, "Sandbox").
struct WasiPreopenDir {
  std::string hostPath;  // opened by defineWasi
  std::string guestPath; // what the guest sees (fd_prestat_dir_name), e.g. "." or "/data"
  // Every write, create, truncate, rename, unlink, mkdir, rmdir, link,
  // symlink and time or size change under it fails with EPERM.
  bool readOnly = false;
};

// One guest environment variable.
struct WasiEnvVar {
  std::string name;
  // nullopt: the embedding process's own value of `name`, read by defineWasi;
  // the variable is left out when the process does not have it.
  std::optional<std::string> value;
};

struct WasiConfig {
  std::vector<std::string> args; // args[0] is the program name
  // Every variable of the embedding process first, when set; then `env` in
  // order. Entries are passed through as given (names may repeat).
  bool inheritEnv = false;
  std::vector<WasiEnvVar> env;
  std::vector<WasiPreopenDir> preopens;
  // The guest's fds 0, 1, 2: duplicates of the process's own stdio (a guest
  // closing them leaves the host's open), or else /dev/null.
  bool inheritStdio = true;
  // Listening TCP sockets for sock_accept. `tcpListen` addresses ("HOST:PORT",
  // "[::1]:PORT") are bound by defineWasi; `listenFds` are host descriptors
  // the embedder bound itself (duplicated: the embedder keeps its own).
  // Sockets take the fds right after stdio (3, 4, ...: tcpListen, then
  // listenFds), before the preopened directories, as wasmtime numbers them.
  std::vector<std::string> tcpListen;
  std::vector<int> listenFds;
};

// The WASI state of one store: descriptor table, arguments, environment and
// the exit status. A cheap copyable handle; the host functions share it, so
// it lives as long as the store uses it, whatever the handle's lifetime.
class WasiState {
public:
  // The code the guest passed to proc_exit, once it has called it. proc_exit
  // unwinds the guest like a trap: the call into wasm (or the instantiation,
  // for a start function) fails with ErrorKind::Trap and Store::lastTrap()
  // is a TrapKind::HostTrap. An embedder tells a WASI exit apart from a real
  // trap by exitCode() being set.
  std::optional<uint32_t> exitCode() const;

  struct Impl;
  explicit WasiState(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

private:
  std::shared_ptr<Impl> impl_;
};

// The import module name of WASI preview1.
inline constexpr const char *kWasiPreview1Module = "wasi_snapshot_preview1";

// Defines the 46 preview1 functions in `linker` under "wasi_snapshot_preview1",
// bound to a new WasiState built from `config`. They are created in a store
// when the linker instantiates a module that imports them, so only imported
// ones cost anything. Use these definitions to instantiate into `store` only:
// another store would share the same WasiState (descriptor table, exit code). Each call reads the calling
// instance's memory (its export "memory", else its memory 0) afresh, so
// memory.grow between calls is seen; a guest pointer outside it is EFAULT.
// Errors: ErrorKind::Io for a preopen or socket that cannot be opened or
// bound, ErrorKind::Usage for a malformed tcpListen address or a NUL byte in
// an argument or variable.
Expected<WasiState> defineWasi(Linker &linker, Store &store, const WasiConfig &config);

} // namespace wasmrt
