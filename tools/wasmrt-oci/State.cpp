#include "State.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wasmrt::oci {

namespace {

using Json = nlohmann::json;

// The OCI runtime spec version whose state format we write (runc 1.1's).
constexpr const char *kOciVersion = "1.0.2-dev";

// The fields of /proc/<pid>/stat after the command name, which may itself
// contain spaces and parentheses: everything after the last ')'.
std::vector<std::string> statFieldsAfterName(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!in || !std::getline(in, line))
    return {};
  size_t close = line.rfind(')');
  if (close == std::string::npos)
    return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;)
    fields.push_back(field);
  return fields;
}

} // namespace

const char *statusName(ContainerStatus status) {
  switch (status) {
  case ContainerStatus::Created: return "created";
  case ContainerStatus::Running: return "running";
  case ContainerStatus::Stopped: return "stopped";
  }
  return "stopped";
}

bool isValidContainerId(const std::string &id) {
  if (id.empty() || id == "." || id == ".." || id.size() > 1024)
    return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' ||
          c == '.'))
      return false;
  return true;
}

std::string containerDir(const std::string &root, const std::string &id) {
  return root + "/" + id;
}

bool isOurContainer(const std::string &root, const std::string &id) {
  if (!isValidContainerId(id))
    return false;
  struct stat info{};
  return stat((containerDir(root, id) + "/" + kStateFileName).c_str(), &info) == 0;
}

Expected<void> writeState(const std::string &dir, const ContainerState &state) {
  Json json = {{"id", state.id},
               {"bundle", state.bundle},
               {"rootfs", state.rootfs},
               {"pid", state.pid},
               {"pidStartTime", state.pidStartTime},
               {"created", state.created},
               {"annotations", state.annotations},
               {"cgroupDirs", state.cgroupDirs}};
  std::string text = json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  std::string path = dir + "/" + kStateFileName;
  std::string temporary = path + ".tmp";
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Error(ErrorKind::Io, fmt::format("{}: {}", temporary, std::strerror(errno)));
  bool written = write(fd, text.data(), text.size()) == ssize_t(text.size());
  int savedErrno = errno;
  close(fd);
  // rename() replaces atomically: a concurrent `state` reads the old or new file.
  if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
    if (written)
      savedErrno = errno;
    unlink(temporary.c_str());
    return Error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(savedErrno)));
  }
  return {};
}

Expected<ContainerState> readState(const std::string &dir) {
  std::string path = dir + "/" + kStateFileName;
  std::ifstream in(path);
  if (!in)
    return Error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  Json json = Json::parse(text.str(), nullptr, false);
  auto bad = [&] { return Error(ErrorKind::Io, fmt::format("{}: corrupt state file", path)); };
  if (json.is_discarded() || !json.is_object())
    return bad();
  ContainerState state;
  try { // our own file: a wrong type means corruption, reported as such
    state.id = json.at("id").get<std::string>();
    state.bundle = json.at("bundle").get<std::string>();
    state.rootfs = json.at("rootfs").get<std::string>();
    state.pid = json.at("pid").get<pid_t>();
    state.pidStartTime = json.at("pidStartTime").get<uint64_t>();
    state.created = json.at("created").get<std::string>();
    state.annotations = json.at("annotations").get<std::map<std::string, std::string>>();
    state.cgroupDirs = json.at("cgroupDirs").get<std::vector<std::string>>();
  } catch (const Json::exception &) {
    return bad();
  }
  return state;
}

uint64_t processStartTime(pid_t pid) {
  std::vector<std::string> fields = statFieldsAfterName(pid);
  // After the name: state is field 3, starttime field 22 -> index 19.
  if (fields.size() < 20)
    return 0;
  return std::strtoull(fields[19].c_str(), nullptr, 10);
}

char processState(pid_t pid) {
  std::vector<std::string> fields = statFieldsAfterName(pid);
  return fields.empty() || fields[0].empty() ? 0 : fields[0][0];
}

bool initAlive(const ContainerState &state) {
  if (state.pid <= 0)
    return false;
  char running = processState(state.pid);
  if (running == 0 || running == 'Z' || running == 'X')
    return false;
  return state.pidStartTime == 0 || processStartTime(state.pid) == state.pidStartTime;
}

ContainerStatus containerStatus(const std::string &dir, const ContainerState &state) {
  if (!initAlive(state))
    return ContainerStatus::Stopped;
  struct stat info{};
  bool waitingForStart = stat((dir + "/" + kExecFifoName).c_str(), &info) == 0;
  return waitingForStart ? ContainerStatus::Created : ContainerStatus::Running;
}

std::string stateJson(const std::string &dir, const ContainerState &state) {
  ContainerStatus status = containerStatus(dir, state);
  Json json = {{"ociVersion", kOciVersion},
               {"id", state.id},
               // runc reports pid 0 once the container has stopped.
               {"pid", status == ContainerStatus::Stopped ? 0 : state.pid},
               {"status", statusName(status)},
               {"bundle", state.bundle},
               {"rootfs", state.rootfs},
               {"created", state.created},
               {"owner", ""}};
  if (!state.annotations.empty()) // omitted when empty, as runc does
    json["annotations"] = state.annotations;
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

} // namespace wasmrt::oci
