// An OCI bundle's config.json, reduced to what wasmrt-oci uses, and the
// decision whether the bundle is a Wasm container (docs/OCI.md).
#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt::oci {

struct MountSpec {
  std::string destination; // inside the container
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct NamespaceSpec {
  std::string type; // "network", "pid", ...
  std::string path; // empty: a new namespace was asked for
};

struct ProcessUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additionalGids;
};

struct RlimitSpec {
  std::string type; // "RLIMIT_NOFILE", ...
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct BundleSpec {
  std::string bundleDir; // absolute
  std::string rootfs;    // absolute host path (root.path resolved against bundleDir)
  bool rootReadonly = false;
  std::vector<std::string> args;
  std::vector<std::string> env; // "NAME=VALUE"
  std::string cwd = "/";
  bool terminal = false;
  ProcessUser user;
  std::vector<RlimitSpec> rlimits;
  bool noNewPrivileges = false;
  std::optional<int> oomScoreAdj; // process.oomScoreAdj (the kubelet's QoS)
  std::vector<MountSpec> mounts;
  std::map<std::string, std::string> annotations;
  std::string cgroupsPath;
  std::optional<int64_t> memoryLimit; // linux.resources.memory.limit, bytes
  std::vector<NamespaceSpec> namespaces;
};

// Reads and checks <bundleDir>/config.json. Errors (kind Io or Usage) name
// the file and what is wrong with it.
Expected<BundleSpec> loadBundle(const std::string &bundleDir);

enum class EntrypointKind {
  Wasm,     // starts with "\0asm"
  Artifact, // a wasmrt precompiled module (.cwasm)
  Missing,  // does not exist, but the bundle says it is Wasm (name or annotation)
  Other,    // anything else: a Linux container for runc
};

struct Entrypoint {
  EntrypointKind kind = EntrypointKind::Other;
  std::string hostPath; // the file on the host, when it exists
};

// Resolves process.args[0] inside the rootfs (absolute symlinks stay inside
// it) and classifies it by its first bytes, not by annotations: under CRI a
// pod's annotations reach its pause container too.
Entrypoint findEntrypoint(const BundleSpec &bundle);

} // namespace wasmrt::oci
