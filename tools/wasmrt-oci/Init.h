// The container's init process, forked by `create` (docs/OCI.md).
#pragma once

#include "Bundle.h"

#include <string>

namespace wasmrt::oci {

// Messages on the socket between `create` and init.
inline constexpr char kGoMessage = 'g';               // create -> init: cgroup joined
inline constexpr const char *kReadyMessage = "ready"; // init -> create: waiting for start
// Anything else init sends is an error message, after which it exits.

struct InitSetup {
  const BundleSpec *bundle = nullptr;
  const Entrypoint *entry = nullptr;
  std::string execFifo;      // <state dir>/exec.fifo
  std::string consoleSocket; // empty: keep the inherited stdio
  int createSocket = -1;     // init's end of the socket to `create`
};

// Never returns: sets up the process, reports ready (or an error) to
// `create`, waits for `start`, runs the guest and exits with its status.
[[noreturn]] void runInit(const InitSetup &setup);

} // namespace wasmrt::oci
