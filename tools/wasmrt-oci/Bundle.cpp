#include "Bundle.h"

#include "wasmrt/Module.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wasmrt::oci {

namespace {

using Json = nlohmann::json;

// config.json problems, all reported the same way.
class SpecReader {
public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}

  Error error(const std::string &what) const {
    return Error(ErrorKind::Usage, fmt::format("{}: {}", file_, what));
  }

  // Each returns false (and sets problem) when the field has the wrong type;
  // an absent field leaves `out` alone.
  bool string(const Json &object, const char *key, std::string &out, const std::string &where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return true;
    if (!it->is_string())
      return fail(fmt::format("{}.{} must be a string", where, key));
    out = it->get<std::string>();
    return true;
  }
  bool boolean(const Json &object, const char *key, bool &out, const std::string &where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return true;
    if (!it->is_boolean())
      return fail(fmt::format("{}.{} must be true or false", where, key));
    out = it->get<bool>();
    return true;
  }
  bool strings(const Json &object, const char *key, std::vector<std::string> &out,
               const std::string &where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return true;
    if (!it->is_array())
      return fail(fmt::format("{}.{} must be an array of strings", where, key));
    for (const Json &item : *it) {
      if (!item.is_string())
        return fail(fmt::format("{}.{} must be an array of strings", where, key));
      out.push_back(item.get<std::string>());
    }
    return true;
  }
  // An object member, or nullptr when absent; a non-object is a problem.
  const Json *object(const Json &parent, const char *key, const std::string &where) {
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null())
      return nullptr;
    if (!it->is_object()) {
      fail(fmt::format("{}.{} must be an object", where, key));
      return nullptr;
    }
    return &*it;
  }

  bool fail(std::string problem) {
    if (problem_.empty())
      problem_ = std::move(problem);
    return false;
  }
  const std::string &problem() const { return problem_; }

private:
  std::string file_;
  std::string problem_;
};

bool readUnsigned(SpecReader &reader, const Json &object, const char *key, auto &out,
                  const std::string &where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null())
    return true;
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->template get<int64_t>() >= 0))
    return reader.fail(fmt::format("{}.{} must be a non-negative integer", where, key));
  out = it->template get<std::remove_reference_t<decltype(out)>>();
  return true;
}

void readUser(SpecReader &reader, const Json &user, BundleSpec &spec) {
  readUnsigned(reader, user, "uid", spec.user.uid, "process.user");
  readUnsigned(reader, user, "gid", spec.user.gid, "process.user");
  auto gids = user.find("additionalGids");
  if (gids == user.end() || gids->is_null())
    return;
  if (!gids->is_array()) {
    reader.fail("process.user.additionalGids must be an array");
    return;
  }
  for (const Json &gid : *gids) {
    if (!gid.is_number_unsigned()) {
      reader.fail("process.user.additionalGids must hold non-negative integers");
      return;
    }
    spec.user.additionalGids.push_back(gid.get<uint32_t>());
  }
}

void readRlimits(SpecReader &reader, const Json &process, BundleSpec &spec) {
  auto rlimits = process.find("rlimits");
  if (rlimits == process.end() || rlimits->is_null())
    return;
  if (!rlimits->is_array()) {
    reader.fail("process.rlimits must be an array");
    return;
  }
  for (const Json &entry : *rlimits) {
    if (!entry.is_object()) {
      reader.fail("process.rlimits entries must be objects");
      return;
    }
    RlimitSpec limit;
    reader.string(entry, "type", limit.type, "process.rlimits[]");
    readUnsigned(reader, entry, "soft", limit.soft, "process.rlimits[]");
    readUnsigned(reader, entry, "hard", limit.hard, "process.rlimits[]");
    spec.rlimits.push_back(std::move(limit));
  }
}

void readProcess(SpecReader &reader, const Json &process, BundleSpec &spec) {
  reader.strings(process, "args", spec.args, "process");
  reader.strings(process, "env", spec.env, "process");
  reader.string(process, "cwd", spec.cwd, "process");
  reader.boolean(process, "terminal", spec.terminal, "process");
  reader.boolean(process, "noNewPrivileges", spec.noNewPrivileges, "process");
  if (auto adj = process.find("oomScoreAdj"); adj != process.end() && !adj->is_null()) {
    if (!adj->is_number_integer() || adj->get<int64_t>() < -1000 || adj->get<int64_t>() > 1000)
      reader.fail("process.oomScoreAdj must be an integer from -1000 to 1000");
    else
      spec.oomScoreAdj = adj->get<int>();
  }
  if (const Json *user = reader.object(process, "user", "process"))
    readUser(reader, *user, spec);
  readRlimits(reader, process, spec);
}

void readMounts(SpecReader &reader, const Json &config, BundleSpec &spec) {
  auto it = config.find("mounts");
  if (it == config.end() || it->is_null())
    return;
  if (!it->is_array()) {
    reader.fail("mounts must be an array");
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const Json &entry = (*it)[i];
    std::string where = fmt::format("mounts[{}]", i);
    if (!entry.is_object()) {
      reader.fail(where + " must be an object");
      return;
    }
    MountSpec mount;
    reader.string(entry, "destination", mount.destination, where);
    reader.string(entry, "type", mount.type, where);
    reader.string(entry, "source", mount.source, where);
    reader.strings(entry, "options", mount.options, where);
    spec.mounts.push_back(std::move(mount));
  }
}

void readLinux(SpecReader &reader, const Json &linux, BundleSpec &spec) {
  reader.string(linux, "cgroupsPath", spec.cgroupsPath, "linux");
  if (const Json *resources = reader.object(linux, "resources", "linux"))
    if (const Json *memory = reader.object(*resources, "memory", "linux.resources")) {
      auto limit = memory->find("limit");
      if (limit != memory->end() && !limit->is_null()) {
        if (!limit->is_number_integer())
          reader.fail("linux.resources.memory.limit must be an integer");
        else if (limit->get<int64_t>() > 0) // -1 (and 0): unlimited
          spec.memoryLimit = limit->get<int64_t>();
      }
    }
  auto namespaces = linux.find("namespaces");
  if (namespaces == linux.end() || namespaces->is_null())
    return;
  if (!namespaces->is_array()) {
    reader.fail("linux.namespaces must be an array");
    return;
  }
  for (const Json &entry : *namespaces) {
    NamespaceSpec ns;
    if (!entry.is_object()) {
      reader.fail("linux.namespaces entries must be objects");
      return;
    }
    reader.string(entry, "type", ns.type, "linux.namespaces[]");
    reader.string(entry, "path", ns.path, "linux.namespaces[]");
    spec.namespaces.push_back(std::move(ns));
  }
}

void readAnnotations(SpecReader &reader, const Json &config, BundleSpec &spec) {
  const Json *annotations = reader.object(config, "annotations", "config");
  if (!annotations)
    return;
  for (const auto &[key, value] : annotations->items()) {
    if (!value.is_string()) {
      reader.fail(fmt::format("annotations.{} must be a string", key));
      return;
    }
    spec.annotations[key] = value.get<std::string>();
  }
}

std::optional<std::string> readWholeFile(const std::string &path, std::string &problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Opens `containerPath` with the rootfs as "/" for every symlink and "..".
int openInRootfs(int rootfsFd, const std::string &containerPath) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  std::string relative = containerPath;
  while (!relative.empty() && relative.front() == '/')
    relative.erase(0, 1);
  if (relative.empty())
    relative = ".";
  long fd = syscall(SYS_openat2, rootfsFd, relative.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) // kernels before 5.6: a lexical join
    fd = openat(rootfsFd, relative.c_str(), O_RDONLY | O_CLOEXEC);
  return int(fd);
}

bool looksLikeWasmByName(const BundleSpec &bundle) {
  const std::string &program = bundle.args.front();
  auto endsWith = [&](std::string_view suffix) {
    return program.size() >= suffix.size() &&
           program.compare(program.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (endsWith(".wasm") || endsWith(".cwasm"))
    return true;
  auto variant = bundle.annotations.find("module.wasm.image/variant");
  return variant != bundle.annotations.end() && variant->second == "compat-smart";
}

} // namespace

Expected<BundleSpec> loadBundle(const std::string &bundleDir) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(bundleDir, ec);
  std::string file = (dir / "config.json").string();
  std::string problem;
  std::optional<std::string> text = readWholeFile(file, problem);
  if (!text)
    return Error(ErrorKind::Io, fmt::format("{}: cannot read the bundle's config: {}", file, problem));
  Json config = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  SpecReader reader(file);
  if (config.is_discarded())
    return reader.error("not valid JSON");
  if (!config.is_object())
    return reader.error("must be a JSON object");

  BundleSpec spec;
  spec.bundleDir = dir.lexically_normal().string();
  std::string rootPath = "rootfs";
  if (const Json *root = reader.object(config, "root", "config")) {
    reader.string(*root, "path", rootPath, "root");
    reader.boolean(*root, "readonly", spec.rootReadonly, "root");
  }
  spec.rootfs = (dir / rootPath).lexically_normal().string();
  if (!spec.rootfs.empty() && spec.rootfs.size() > 1 && spec.rootfs.back() == '/')
    spec.rootfs.pop_back();
  const Json *process = reader.object(config, "process", "config");
  if (process)
    readProcess(reader, *process, spec);
  readMounts(reader, config, spec);
  if (const Json *linux = reader.object(config, "linux", "config"))
    readLinux(reader, *linux, spec);
  readAnnotations(reader, config, spec);
  if (!reader.problem().empty())
    return reader.error(reader.problem());
  if (!process)
    return reader.error("no \"process\": nothing to run");
  if (spec.args.empty() || spec.args.front().empty())
    return reader.error("process.args is empty: nothing to run");
  if (spec.cwd.empty() || spec.cwd.front() != '/')
    return reader.error(fmt::format("process.cwd \"{}\" must be an absolute path", spec.cwd));
  return spec;
}

Entrypoint findEntrypoint(const BundleSpec &bundle) {
  const std::string &program = bundle.args.front();
  std::vector<std::string> candidates;
  if (program.front() == '/') {
    candidates.push_back(program);
  } else {
    candidates.push_back(bundle.cwd + "/" + program);
    if (program.find('/') == std::string::npos)
      candidates.push_back("/" + program);
  }
  Entrypoint entry;
  int rootfsFd = open(bundle.rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfsFd >= 0) {
    for (const std::string &candidate : candidates) {
      int fd = openInRootfs(rootfsFd, candidate);
      if (fd < 0)
        continue;
      unsigned char magic[8] = {};
      ssize_t got = pread(fd, magic, sizeof magic, 0);
      char resolved[PATH_MAX];
      std::string link = fmt::format("/proc/self/fd/{}", fd);
      ssize_t length = readlink(link.c_str(), resolved, sizeof resolved - 1);
      close(fd);
      if (got < 4 || length <= 0)
        continue;
      entry.hostPath.assign(resolved, size_t(length));
      if (std::memcmp(magic, "\0asm", 4) == 0)
        entry.kind = EntrypointKind::Wasm;
      else if (Module::isArtifact(std::span<const uint8_t>(magic, size_t(got))))
        entry.kind = EntrypointKind::Artifact;
      else
        entry.kind = EntrypointKind::Other;
      break;
    }
    close(rootfsFd);
  }
  if (entry.hostPath.empty() && looksLikeWasmByName(bundle))
    entry.kind = EntrypointKind::Missing;
  return entry;
}

} // namespace wasmrt::oci
