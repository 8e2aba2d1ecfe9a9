#include "OciHarness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace oci_test {

namespace fs = std::filesystem;

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const std::string &path, const std::string &contents) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

OciHarness::OciHarness(const std::string &name) {
  // The shim is the subreaper of the containers it creates; so are we.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  dir_ = std::string(OCI_TEST_WORKDIR) + "/" + name;
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  root_ = dir_ + "/root";
  log_ = dir_ + "/log.json";
}

OciHarness::~OciHarness() {
  for (const std::string &id : ids_)
    (void)oci({"delete", "--force", id});
  // Reap whatever the deletes killed.
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  // The parent group the tests' cgroupsPath uses (delete removes the leaf
  // only, as runc does); rmdir fails harmlessly while another test uses it.
  std::error_code ec;
  for (const auto &hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    fs::remove(hierarchy.path() / "wasmrt-oci-test", ec);
}

CommandResult OciHarness::runCommand(const std::vector<std::string> &argv,
                                     const std::map<std::string, std::string> &env,
                                     std::string out, std::string err) {
  static int counter = 0;
  ++counter;
  if (out.empty())
    out = dir_ + "/cmd" + std::to_string(counter) + ".out";
  if (err.empty())
    err = dir_ + "/cmd" + std::to_string(counter) + ".err";
  pid_t pid = fork();
  if (pid == 0) {
    int outFd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int errFd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int nullFd = open("/dev/null", O_RDONLY);
    dup2(nullFd, 0);
    dup2(outFd, 1);
    dup2(errFd, 2);
    for (const auto &[name, value] : env)
      setenv(name.c_str(), value.c_str(), 1);
    std::vector<char *> args;
    for (const std::string &arg : argv)
      args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  CommandResult result;
  ExitStatus status = waitForExit(pid, std::chrono::seconds(60));
  if (!status.exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  } else {
    result.status = status.signal ? 128 + status.signal : status.code;
  }
  result.out = readFile(out);
  result.err = readFile(err);
  return result;
}

CommandResult OciHarness::oci(const std::vector<std::string> &args,
                              const std::map<std::string, std::string> &env) {
  std::vector<std::string> argv = {WASMRT_OCI_BINARY, "--root", root_, "--log", log_,
                                   "--log-format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> withCache = env;
  withCache.emplace("WASMRT_CACHE_DIR", std::string(OCI_TEST_WORKDIR) + "/cache");
  return runCommand(argv, withCache);
}

CommandResult OciHarness::raw(const std::vector<std::string> &args,
                              const std::map<std::string, std::string> &env) {
  std::vector<std::string> argv = {WASMRT_OCI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, env);
}

nlohmann::json OciHarness::guestConfig(const std::string &bundle,
                                       const std::vector<std::string> &args) const {
  std::vector<std::string> processArgs = {"/app/guest.wasm"};
  processArgs.insert(processArgs.end(), args.begin(), args.end());
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"args", processArgs},
        {"env", {"PATH=/usr/bin:/bin", "GREETING=hi"}},
        {"cwd", "/"}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        {{"destination", "/data"},
         {"type", "bind"},
         {"source", bundle + "/data"},
         {"options", {"rbind", "rw"}}}}},
      {"linux", {{"namespaces", {{{"type", "pid"}}, {{"type", "mount"}}, {{"type", "ipc"}}}}}},
  };
}

std::string OciHarness::makeBundle(const std::string &name, const std::vector<std::string> &guestArgs) {
  std::string bundle = dir_ + "/" + name;
  return makeBundleWithConfig(name, guestConfig(bundle, guestArgs));
}

std::string OciHarness::makeBundleWithConfig(const std::string &name, const nlohmann::json &config) {
  std::string bundle = dir_ + "/" + name;
  fs::create_directories(bundle + "/rootfs/app");
  fs::create_directories(bundle + "/data");
  fs::copy_file(OCI_GUEST_WASM, bundle + "/rootfs/app/guest.wasm",
                fs::copy_options::overwrite_existing);
  writeFile(bundle + "/rootfs/etc/motd", "motd from the rootfs\n");
  writeFile(bundle + "/config.json", config.dump(2));
  return bundle;
}

pid_t OciHarness::create(const std::string &id, const std::string &bundle, CommandResult *result) {
  ids_.push_back(id);
  // The container inherits create's stdio, as from the shim: here files.
  std::vector<std::string> argv = {WASMRT_OCI_BINARY, "--root", root_, "--log", log_,
                                   "--log-format", "json", "create", "--bundle", bundle,
                                   "--pid-file", bundle + "/init.pid", id};
  CommandResult created =
      runCommand(argv, {{"WASMRT_CACHE_DIR", std::string(OCI_TEST_WORKDIR) + "/cache"}},
                 bundle + "/stdout", bundle + "/stderr");
  if (result)
    *result = created;
  if (created.status != 0)
    return 0;
  return pid_t(std::stol(readFile(bundle + "/init.pid")));
}

nlohmann::json OciHarness::state(const std::string &id) {
  CommandResult result = oci({"state", id});
  if (result.status != 0)
    return nullptr;
  return nlohmann::json::parse(result.out, nullptr, false);
}

ExitStatus OciHarness::waitForExit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  ExitStatus result;
  for (;;) {
    int status = 0;
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) {
      result.exited = true;
      if (WIFEXITED(status))
        result.code = WEXITSTATUS(status);
      else if (WIFSIGNALED(status))
        result.signal = WTERMSIG(status);
      return result;
    }
    if (got < 0 || std::chrono::steady_clock::now() >= deadline)
      return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

nlohmann::json OciHarness::lastLogEntry() const {
  std::istringstream lines(readFile(log_));
  std::string last;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      last = line;
  if (last.empty())
    return nullptr;
  return nlohmann::json::parse(last, nullptr, false);
}

} // namespace oci_test
