// The commands on Wasm containers: the runc process model (docs/OCI.md,
// "Process model"). `create` forks the container's init process, which
// prepares the guest, then blocks opening exec.fifo for writing until
// `start` opens it for reading; the init process then runs the guest and
// its exit status is the container's.
#pragma once

#include "Bundle.h"

#include <string>

namespace wasmrt::oci {

struct GlobalOptions {
  std::string root = "/run/wasmrt-oci";
  bool systemdCgroup = false;
};

struct CreateOptions {
  std::string id;
  std::string pidFile;       // empty: none
  std::string consoleSocket; // empty: stdio inherited (terminal: false)
};

// Each returns the process exit status, having logged any error.
int createContainer(const GlobalOptions &global, const CreateOptions &options,
                    const BundleSpec &bundle, const Entrypoint &entry);
int startContainer(const GlobalOptions &global, const std::string &id);
int printContainerState(const GlobalOptions &global, const std::string &id);
int killContainer(const GlobalOptions &global, const std::string &id, int signal, bool all);
int deleteContainer(const GlobalOptions &global, const std::string &id, bool force);
int listContainerProcesses(const GlobalOptions &global, const std::string &id, bool json);

} // namespace wasmrt::oci
