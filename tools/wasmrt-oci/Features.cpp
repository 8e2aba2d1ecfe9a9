#include "Features.h"

#include "Guest.h"
#include "Log.h"

#include "wasmrt/Version.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wasmrt::oci {

int printFeatures() {
  using Json = nlohmann::json;
  Json features = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", kOciSpecVersion},
      {"hooks", Json::array()}, // Wasm containers run no hooks (docs/OCI.md)
      {"mountOptions", {"bind", "rbind", "ro", "rw"}},
      {"linux",
       {{"namespaces", {"network"}},
        {"capabilities", Json::array()},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}}},
        {"seccomp", {{"enabled", false}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}}}},
      {"annotations",
       {{"io.wasmrt.oci.version", versionString()},
        {"io.wasmrt.oci.delegate", "runc"},
        {kTcpListenAnnotation, "HOST:PORT[,HOST:PORT...]"}}},
  };
  fmt::print("{}\n", features.dump(4));
  return 0;
}

int refuseCommand(const std::string &command, const std::string &id) {
  std::string why;
  if (command == "exec")
    why = "a Wasm container is one WASI instance, with no shell or second process to run "
          "inside it";
  else if (command == "pause" || command == "resume")
    why = "freezing needs the cgroup freezer, which wasmrt-oci does not manage";
  else if (command == "checkpoint")
    why = "checkpointing a wasmrt process is not supported";
  else if (command == "update")
    why = "resource limits are fixed when the container is created";
  else if (command == "run")
    why = "use create and start";
  else
    why = "not supported for Wasm containers";
  logError(fmt::format("{} is not supported for Wasm container {}: {}", command,
                       id.empty() ? "(bundle)" : id, why));
  return 1;
}

} // namespace wasmrt::oci
