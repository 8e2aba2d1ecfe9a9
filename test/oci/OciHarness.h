// Drives wasmrt-oci as containerd's runc shim does: global flags (--root,
// --log, --log-format json) before each command, stdio handed to `create`
// (here files, so a test reads what the container wrote), and the container's
// init process reaped by this process as the shim's subreaper.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace oci_test {

struct CommandResult {
  int status = -1; // exit status, 128 + signal, or -1 when it hung and was killed
  std::string out;
  std::string err;
};

struct ExitStatus {
  bool exited = false;   // false: still running at the deadline
  int code = -1;         // WEXITSTATUS
  int signal = 0;        // WTERMSIG when it died of a signal
};

std::string readFile(const std::string &path);
void writeFile(const std::string &path, const std::string &contents);

class OciHarness {
public:
  // A fresh work directory OCI_TEST_WORKDIR/<name> holding the state root,
  // the log file, bundles and a code cache.
  explicit OciHarness(const std::string &name);
  // Force-deletes every container left under the root.
  ~OciHarness();

  const std::string &dir() const { return dir_; }
  const std::string &root() const { return root_; }
  const std::string &logPath() const { return log_; }

  // wasmrt-oci --root R --log L --log-format json ARGS..., stdout and
  // stderr captured; `env` is added to the environment.
  CommandResult oci(const std::vector<std::string> &args,
                    const std::map<std::string, std::string> &env = {});
  // wasmrt-oci ARGS... exactly.
  CommandResult raw(const std::vector<std::string> &args,
                    const std::map<std::string, std::string> &env = {});

  // A config.json running the test guest (rootfs/app/guest.wasm) with `args`
  // after the program name; rootfs read-only, a bind mount of <bundle>/data
  // at /data, GREETING=hi.
  nlohmann::json guestConfig(const std::string &bundle, const std::vector<std::string> &args) const;
  // Writes the bundle: rootfs (the guest, etc/motd), data/, config.json.
  std::string makeBundle(const std::string &name, const std::vector<std::string> &guestArgs);
  std::string makeBundleWithConfig(const std::string &name, const nlohmann::json &config);

  // create --bundle B --pid-file B/init.pid ID; the container's stdout and
  // stderr go to B/stdout and B/stderr. Returns the init pid (0 on failure).
  pid_t create(const std::string &id, const std::string &bundle, CommandResult *result = nullptr);
  nlohmann::json state(const std::string &id);

  // Reaps `pid` (a child of ours as subreaper) within `limit`.
  static ExitStatus waitForExit(pid_t pid, std::chrono::milliseconds limit);

  // The last line of the json log, parsed (null when empty).
  nlohmann::json lastLogEntry() const;

private:
  // Runs argv[0] with stdin on /dev/null, stdout and stderr on the files
  // (fresh ones in the work directory when empty), killed after 60 s.
  CommandResult runCommand(const std::vector<std::string> &argv,
                           const std::map<std::string, std::string> &env,
                           std::string out = "", std::string err = "");

  std::string dir_, root_, log_;
  std::vector<std::string> ids_;
};

} // namespace oci_test
