// A Wasm container's state on disk (docs/OCI.md, "State"):
//
//   <root>/<id>/            created by `create`; its existence claims the id
//     wasmrt.json           this file: what `state`, `kill`, `delete` need
//     exec.fifo             present from create until start (as in runc)
//
// runc keeps <root>/<id>/state.json instead, so one --root holds both kinds
// of container and wasmrt.json says which tool owns an id.
#pragma once

#include "wasmrt/Error.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wasmrt::oci {

inline constexpr const char *kStateFileName = "wasmrt.json";
inline constexpr const char *kExecFifoName = "exec.fifo";

struct ContainerState {
  std::string id;
  std::string bundle;
  std::string rootfs;
  pid_t pid = 0;
  // Field 22 of /proc/<pid>/stat when created: a pid reused by another
  // process after ours exited does not count as our container running.
  uint64_t pidStartTime = 0;
  std::string created; // RFC 3339
  std::map<std::string, std::string> annotations;
  std::vector<std::string> cgroupDirs; // every hierarchy's directory, to signal and remove
};

enum class ContainerStatus { Created, Running, Stopped };
const char *statusName(ContainerStatus status);

// runc's rule for ids: letters, digits, '_', '+', '-', '.'; not "." or "..".
bool isValidContainerId(const std::string &id);

std::string containerDir(const std::string &root, const std::string &id);
// Whether `id` is a wasmrt-oci container under `root` (its wasmrt.json exists).
bool isOurContainer(const std::string &root, const std::string &id);

Expected<void> writeState(const std::string &dir, const ContainerState &state);
Expected<ContainerState> readState(const std::string &dir);

// Whether the container's init process still runs (alive and not a zombie
// waiting for the shim to reap it), and has not been replaced by another.
bool initAlive(const ContainerState &state);
ContainerStatus containerStatus(const std::string &dir, const ContainerState &state);

// The start time (field 22 of /proc/<pid>/stat), or 0 if it cannot be read.
uint64_t processStartTime(pid_t pid);
// 'R', 'S', 'Z', ... from /proc/<pid>/stat; 0 if the process is gone.
char processState(pid_t pid);

// runc's JSON for `state`.
std::string stateJson(const std::string &dir, const ContainerState &state);

} // namespace wasmrt::oci
