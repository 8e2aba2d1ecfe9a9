// Placing a container's init process in its cgroup (linux.cgroupsPath) on
// cgroup v2, v1, or the v1/v2 hybrid these machines mount; docs/OCI.md,
// "cgroups".
#pragma once

#include "wasmrt/Error.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt::oci {

struct CgroupRequest {
  std::string cgroupsPath;            // "/a/b", or "slice:prefix:name" with systemd
  bool systemd = false;               // --systemd-cgroup
  std::optional<int64_t> memoryLimit; // bytes
};

// The cgroupfs path (relative to each hierarchy's root) for a request:
// "/a/b" as given; "a-b.slice:prefix:name" as systemd would place it,
// "/a.slice/a-b.slice/prefix-name.scope". Usage error when malformed.
Expected<std::string> cgroupRelativePath(const CgroupRequest &request);

// Creates the cgroup in every mounted hierarchy, sets the memory limit and
// moves `pid` into it. Returns the directories made (to remove on delete).
// An empty cgroupsPath places nothing. No writable cgroup filesystem at all
// (not mounted, or mounted read-only) is a warning, not an error, and yields
// no directories; any other failure is an error.
Expected<std::vector<std::string>> placeInCgroup(const CgroupRequest &request, pid_t pid);

// Every process in the container's cgroups (cgroup.procs of each directory).
std::vector<pid_t> cgroupProcesses(const std::vector<std::string> &dirs);

// Removes the directories (deepest first), retrying briefly while the
// kernel still counts an exiting process. Failures are logged as warnings.
void removeCgroup(const std::vector<std::string> &dirs);

} // namespace wasmrt::oci
