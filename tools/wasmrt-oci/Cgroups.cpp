#include "Cgroups.h"

#include "Log.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace wasmrt::oci {

namespace {

struct Hierarchy {
  std::string mountPoint;
  bool unified = false; // cgroup2
  bool memory = false;  // v1 memory controller, or v2 offering "memory"
  bool cpuset = false;  // v1 cpuset: new groups start with no CPUs
};

bool hasOption(const std::string &options, const std::string &wanted) {
  std::istringstream list(options);
  for (std::string option; std::getline(list, option, ',');)
    if (option == wanted)
      return true;
  return false;
}

std::string readTrimmed(const std::string &path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text, '\0');
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

Expected<void> writeFile(const std::string &path, const std::string &value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorKind::Io, fmt::format("cgroup: {}: {}", path, std::strerror(errno)));
  bool ok = write(fd, value.data(), value.size()) == ssize_t(value.size());
  int savedErrno = errno;
  close(fd);
  if (!ok)
    return Error(ErrorKind::Io, fmt::format("cgroup: writing \"{}\" to {}: {}", value, path,
                                            std::strerror(savedErrno)));
  return {};
}

std::vector<Hierarchy> mountedHierarchies() {
  std::vector<Hierarchy> hierarchies;
  std::ifstream mounts("/proc/self/mounts");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device, mountPoint, type, options;
    fields >> device >> mountPoint >> type >> options;
    if (type != "cgroup" && type != "cgroup2")
      continue;
    Hierarchy hierarchy{.mountPoint = mountPoint, .unified = type == "cgroup2"};
    if (hierarchy.unified) {
      std::string controllers = " " + readTrimmed(mountPoint + "/cgroup.controllers") + " ";
      hierarchy.memory = controllers.find(" memory ") != std::string::npos;
    } else {
      hierarchy.memory = hasOption(options, "memory");
      hierarchy.cpuset = hasOption(options, "cpuset");
    }
    hierarchies.push_back(std::move(hierarchy));
  }
  return hierarchies;
}

std::vector<std::string> pathComponents(const std::string &path) {
  std::vector<std::string> parts;
  std::istringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');)
    if (!part.empty() && part != ".")
      parts.push_back(part);
  return parts;
}

// systemd's slice name "a-b-c.slice" nests as /a.slice/a-b.slice/a-b-c.slice.
Expected<std::string> expandSlice(const std::string &slice) {
  if (slice.empty() || slice == "-.slice")
    return std::string();
  const std::string suffix = ".slice";
  if (slice.size() <= suffix.size() || slice.substr(slice.size() - suffix.size()) != suffix ||
      slice.find('/') != std::string::npos)
    return Error(ErrorKind::Usage, fmt::format("cgroupsPath: \"{}\" is not a systemd slice", slice));
  std::string stem = slice.substr(0, slice.size() - suffix.size());
  std::string path, prefix;
  std::istringstream parts(stem);
  for (std::string part; std::getline(parts, part, '-');) {
    if (part.empty())
      return Error(ErrorKind::Usage, fmt::format("cgroupsPath: \"{}\" is not a systemd slice", slice));
    prefix += (prefix.empty() ? "" : "-") + part;
    path += "/" + prefix + suffix;
  }
  return path;
}

// mkdir -p of `relative` under the hierarchy, copying cpuset.cpus/mems down
// where v1 cpuset leaves them empty (a process cannot join such a group).
Expected<std::string> makeGroup(const Hierarchy &hierarchy, const std::string &relative) {
  std::string dir = hierarchy.mountPoint;
  for (const std::string &part : pathComponents(relative)) {
    std::string parent = dir;
    dir += "/" + part;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return Error(ErrorKind::Io, fmt::format("cgroup: cannot create {}: {}", dir, std::strerror(errno)));
    if (hierarchy.cpuset)
      for (const char *file : {"cpuset.cpus", "cpuset.mems"})
        if (readTrimmed(dir + "/" + file).empty())
          if (auto copied = writeFile(dir + "/" + file, readTrimmed(parent + "/" + file)); !copied)
            return std::move(copied).error();
    if (hierarchy.unified && hierarchy.memory)
      // Best effort: the parent may have processes of its own, which v2's
      // "no internal processes" rule forbids with subtree controllers.
      (void)writeFile(parent + "/cgroup.subtree_control", "+memory");
  }
  return dir;
}

Expected<void> applyMemoryLimit(const Hierarchy &hierarchy, const std::string &dir,
                                int64_t limit) {
  if (hierarchy.unified)
    return writeFile(dir + "/memory.max", std::to_string(limit));
  return writeFile(dir + "/memory.limit_in_bytes", std::to_string(limit));
}

} // namespace

Expected<std::string> cgroupRelativePath(const CgroupRequest &request) {
  const std::string &path = request.cgroupsPath;
  if (!request.systemd) {
    for (const std::string &part : pathComponents(path))
      if (part == "..")
        return Error(ErrorKind::Usage, fmt::format("cgroupsPath \"{}\" must not contain \"..\"", path));
    return "/" + path.substr(path.find_first_not_of('/') == std::string::npos
                                 ? path.size()
                                 : path.find_first_not_of('/'));
  }
  // slice:prefix:name
  size_t first = path.find(':');
  size_t second = first == std::string::npos ? first : path.find(':', first + 1);
  if (second == std::string::npos || path.find(':', second + 1) != std::string::npos)
    return Error(ErrorKind::Usage,
                 fmt::format("cgroupsPath \"{}\": with --systemd-cgroup it must be "
                             "\"slice:prefix:name\"", path));
  std::string slice = path.substr(0, first);
  std::string prefix = path.substr(first + 1, second - first - 1);
  std::string name = path.substr(second + 1);
  if (name.empty() || name.find('/') != std::string::npos || prefix.find('/') != std::string::npos)
    return Error(ErrorKind::Usage, fmt::format("cgroupsPath \"{}\": bad unit name", path));
  auto slicePath = expandSlice(slice.empty() ? "system.slice" : slice);
  if (!slicePath)
    return std::move(slicePath).error();
  std::string unit = prefix.empty() ? name : prefix + "-" + name;
  if (unit.size() < 6 || unit.substr(unit.size() - 6) != ".slice")
    unit += ".scope";
  return *slicePath + "/" + unit;
}

Expected<std::vector<std::string>> placeInCgroup(const CgroupRequest &request, pid_t pid) {
  std::vector<std::string> made;
  if (request.cgroupsPath.empty())
    return made;
  auto relative = cgroupRelativePath(request);
  if (!relative)
    return std::move(relative).error();
  std::vector<Hierarchy> hierarchies = mountedHierarchies();
  bool memoryLimited = false;
  // On failure, the groups made so far go again (the process dies with create).
  auto undo = [&](Error error) {
    removeCgroup(made);
    return error;
  };
  for (const Hierarchy &hierarchy : hierarchies) {
    if (access(hierarchy.mountPoint.c_str(), W_OK) != 0 && errno == EROFS)
      continue; // read-only (e.g. a cgroup namespace of an unprivileged container)
    auto dir = makeGroup(hierarchy, *relative);
    if (!dir)
      return undo(std::move(dir).error());
    made.push_back(*dir);
    if (request.memoryLimit && hierarchy.memory) {
      if (auto limited = applyMemoryLimit(hierarchy, *dir, *request.memoryLimit); !limited)
        return undo(std::move(limited).error());
      memoryLimited = true;
    }
    if (auto joined = writeFile(*dir + "/cgroup.procs", std::to_string(pid)); !joined)
      return undo(std::move(joined).error());
  }
  if (made.empty())
    logWarning(fmt::format("no writable cgroup filesystem: the container is not placed in "
                           "cgroup {} (the memory limit still bounds the guest's memory)",
                           *relative));
  else if (request.memoryLimit && !memoryLimited)
    logWarning("no memory cgroup controller: the memory limit bounds only the guest's memory");
  return made;
}

std::vector<pid_t> cgroupProcesses(const std::vector<std::string> &dirs) {
  std::vector<pid_t> pids;
  for (const std::string &dir : dirs) {
    std::ifstream procs(dir + "/cgroup.procs");
    for (pid_t pid; procs >> pid;)
      if (std::find(pids.begin(), pids.end(), pid) == pids.end())
        pids.push_back(pid);
  }
  return pids;
}

void removeCgroup(const std::vector<std::string> &dirs) {
  for (const std::string &dir : dirs) {
    // A process that just died can keep its cgroup busy for a moment after
    // it left cgroup.procs; other live processes keep it busy for good.
    bool removed = false;
    for (int attempt = 0; attempt < 50 && !removed; ++attempt) {
      removed = rmdir(dir.c_str()) == 0 || errno == ENOENT;
      if (removed || errno != EBUSY || !cgroupProcesses({dir}).empty())
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!removed)
      logWarning(fmt::format("cannot remove cgroup {}: {}{}", dir, std::strerror(errno),
                             cgroupProcesses({dir}).empty() ? "" : " (other processes are in it)"));
  }
}

} // namespace wasmrt::oci
