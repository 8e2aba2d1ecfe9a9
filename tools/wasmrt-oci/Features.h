// `features` (runc's JSON shape, describing what Wasm containers support)
// and the refusal of commands that make no sense for them.
#pragma once

#include <string>

namespace wasmrt::oci {

// The OCI runtime spec version wasmrt-oci implements (runc 1.1's).
inline constexpr const char *kOciSpecVersion = "1.0.2-dev";

int printFeatures();

// For pause, resume, exec, update, checkpoint, events, run on a Wasm
// container: a clear error (log and stderr) and a failed exit status.
int refuseCommand(const std::string &command, const std::string &id);

} // namespace wasmrt::oci
