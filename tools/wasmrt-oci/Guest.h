// The Wasm side of a container: which engine settings, which code (the code
// cache), which WASI view of the bundle, and the run itself. docs/OCI.md.
#pragma once

#include "Bundle.h"

#include "wasmrt/Error.h"
#include "wasmrt/Wasi.h"
#include "wasmrt/wasmrt.h"

#include <optional>
#include <string>

namespace wasmrt::oci {

// Exit statuses of the container process, as `wasmrt run` uses them
// (docs/CLI.md): the guest's proc_exit code, else these.
inline constexpr int kExitRejected = 1; // module unusable, preopen or socket failed
inline constexpr int kExitTrapped = 134; // 128 + SIGABRT, like wasmtime's trap

// The annotation and guest-environment variable naming TCP listen sockets
// ("HOST:PORT", comma-separated) that are bound for the guest (sock_accept).
inline constexpr const char *kTcpListenAnnotation = "io.wasmrt.tcplisten";
inline constexpr const char *kTcpListenEnv = "WASMRT_TCPLISTEN";

// The code cache: on unless WASMRT_CACHE=off (or 0); its directory is
// $WASMRT_CACHE_DIR, else /var/cache/wasmrt.
bool cacheEnabled();
std::string cacheDirectory();

// The WASI view of the bundle: args, env, rootfs as "/",
// bind mounts of directories as further preopens, listen sockets.
Expected<WasiConfig> wasiConfigFor(const BundleSpec &bundle);

// In a short-lived child process (so the compiler and its threads never live
// in this process or the container's): makes sure the cache holds the
// module's code, compiling it on a miss while holding a per-module lock, so
// containers created together compile it once. Errors: the module is
// malformed or invalid, or the child failed.
Expected<void> fillCodeCache(const std::string &modulePath);

// A module ready to run: engine, code, store and WASI defined. Preparing
// reports every problem found before guest code runs (as create errors).
struct PreparedGuest {
  std::optional<Engine> engine;
  std::optional<Module> module;
  std::optional<Store> store;
  std::optional<Linker> linker;
  std::optional<WasiState> wasi;
  std::string programName;
};
Expected<void> prepareGuest(const BundleSpec &bundle, const Entrypoint &entry,
                            PreparedGuest &guest);

// Instantiates and runs _initialize/_start; returns the exit status.
int runGuest(PreparedGuest &guest);

} // namespace wasmrt::oci
