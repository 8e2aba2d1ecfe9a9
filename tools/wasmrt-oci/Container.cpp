#include "Container.h"

#include "Cgroups.h"
#include "Guest.h"
#include "Init.h"
#include "Log.h"
#include "State.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

namespace wasmrt::oci {

namespace {

constexpr int kFailed = 1;

int fail(const std::string &message) {
  logError(message);
  return kFailed;
}

Expected<void> writeFileAtomically(const std::string &path, const std::string &contents) {
  std::string temporary = path + ".wasmrt-oci.tmp";
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error(ErrorKind::Io, fmt::format("{}: {}", temporary, std::strerror(errno)));
  bool written = write(fd, contents.data(), contents.size()) == ssize_t(contents.size());
  close(fd);
  if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
    int savedErrno = errno;
    unlink(temporary.c_str());
    return Error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(savedErrno)));
  }
  return {};
}

// Waits (up to `limit`) until the init process has died: gone, or a zombie
// its reaper (the shim) has yet to wait for.
bool waitUntilDead(const ContainerState &state, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (initAlive(state)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void removeStateDir(const std::string &dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec)
    logWarning(fmt::format("cannot remove {}: {}", dir, ec.message()));
}

std::string receiveAll(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return text;
    text.append(buffer, size_t(got));
  }
}

struct ForkedInit {
  pid_t pid = -1;
  int socket = -1; // create's end
};

Expected<ForkedInit> forkInit(const std::string &dir, const CreateOptions &options,
                              const BundleSpec &bundle, const Entrypoint &entry) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return Error(ErrorKind::Io, fmt::format("socketpair: {}", std::strerror(errno)));
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(pair[0]);
    close(pair[1]);
    return Error(ErrorKind::Io, fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    close(pair[0]);
    InitSetup setup{.bundle = &bundle,
                    .entry = &entry,
                    .execFifo = dir + "/" + kExecFifoName,
                    .consoleSocket = options.consoleSocket,
                    .createSocket = pair[1]};
    runInit(setup);
  }
  close(pair[1]);
  return ForkedInit{pid, pair[0]};
}

// The init process failed before it was ready: reap it and clean up.
int abandonInit(const ForkedInit &init, const std::string &dir,
                const std::vector<std::string> &cgroupDirs, const std::string &message) {
  kill(init.pid, SIGKILL);
  int status;
  while (waitpid(init.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(init.socket);
  removeCgroup(cgroupDirs);
  removeStateDir(dir);
  return fail(message);
}

Expected<void> checkCreatable(const CreateOptions &options, const BundleSpec &bundle,
                              const Entrypoint &entry) {
  if (!isValidContainerId(options.id))
    return Error(ErrorKind::Usage, fmt::format("invalid container id \"{}\"", options.id));
  if (entry.kind == EntrypointKind::Missing)
    return Error(ErrorKind::Io,
                 fmt::format("process.args[0] \"{}\": no such Wasm module in the rootfs {}",
                             bundle.args.front(), bundle.rootfs));
  if (bundle.terminal && options.consoleSocket.empty())
    return Error(ErrorKind::Usage,
                 "process.terminal is true but no --console-socket was given");
  return {};
}

} // namespace

int createContainer(const GlobalOptions &global, const CreateOptions &options,
                    const BundleSpec &bundle, const Entrypoint &entry) {
  if (auto creatable = checkCreatable(options, bundle, entry); !creatable)
    return fail(creatable.error().message());
  std::error_code ec;
  std::filesystem::create_directories(global.root, ec);
  std::string dir = containerDir(global.root, options.id);
  if (mkdir(dir.c_str(), 0711) != 0) {
    if (errno == EEXIST)
      return fail(fmt::format("container with id exists: {}", options.id));
    return fail(fmt::format("cannot create state directory {}: {}", dir, std::strerror(errno)));
  }
  if (entry.kind == EntrypointKind::Wasm && cacheEnabled())
    if (auto filled = fillCodeCache(entry.hostPath); !filled) {
      removeStateDir(dir);
      return fail(fmt::format("{}: {}", bundle.args.front(), filled.error().message()));
    }
  // 0622 after umask, as runc makes it: an init running as process.user
  // must still be able to open it for writing.
  std::string fifoPath = dir + "/" + kExecFifoName;
  if (mkfifo(fifoPath.c_str(), 0622) != 0 || chmod(fifoPath.c_str(), 0622) != 0) {
    int savedErrno = errno;
    removeStateDir(dir);
    return fail(fmt::format("cannot create {}/{}: {}", dir, kExecFifoName, std::strerror(savedErrno)));
  }
  auto init = forkInit(dir, options, bundle, entry);
  if (!init) {
    removeStateDir(dir);
    return fail(init.error().message());
  }
  CgroupRequest cgroup{.cgroupsPath = bundle.cgroupsPath,
                       .systemd = global.systemdCgroup,
                       .memoryLimit = bundle.memoryLimit};
  auto cgroupDirs = placeInCgroup(cgroup, init->pid);
  if (!cgroupDirs)
    return abandonInit(*init, dir, {}, cgroupDirs.error().message());
  // Recorded before init goes on, so that from here a `delete` finds (and
  // kills) it even if this process dies before finishing.
  ContainerState state{.id = options.id,
                       .bundle = bundle.bundleDir,
                       .rootfs = bundle.rootfs,
                       .pid = init->pid,
                       .pidStartTime = processStartTime(init->pid),
                       .created = rfc3339Now(),
                       .annotations = bundle.annotations,
                       .cgroupDirs = *cgroupDirs};
  if (auto saved = writeState(dir, state); !saved)
    return abandonInit(*init, dir, *cgroupDirs, saved.error().message());
  (void)!send(init->socket, &kGoMessage, 1, MSG_NOSIGNAL);
  std::string reply = receiveAll(init->socket);
  if (reply != kReadyMessage)
    return abandonInit(*init, dir, *cgroupDirs,
                       reply.empty() ? "the container's init process exited before it was ready"
                                     : reply);
  close(init->socket);

  if (!options.pidFile.empty())
    if (auto written = writeFileAtomically(options.pidFile, std::to_string(init->pid)); !written)
      return abandonInit(*init, dir, *cgroupDirs, written.error().message());
  logDebug(fmt::format("created Wasm container {} (init pid {})", options.id, init->pid));
  return 0; // init is left running; the shim, as subreaper, inherits it
}

int startContainer(const GlobalOptions &global, const std::string &id) {
  std::string dir = containerDir(global.root, id);
  auto state = readState(dir);
  if (!state)
    return fail(state.error().message());
  ContainerStatus status = containerStatus(dir, *state);
  if (status == ContainerStatus::Stopped)
    return fail("cannot start a container that has stopped");
  if (status == ContainerStatus::Running)
    return fail("cannot start an already running container");
  std::string fifoPath = dir + "/" + kExecFifoName;
  // Non-blocking, so a dead init cannot make `start` hang in open().
  int fifo = open(fifoPath.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return fail(fmt::format("cannot start container {}: {}: {}", id, fifoPath, std::strerror(errno)));
  bool started = false;
  while (!started) {
    pollfd ready{.fd = fifo, .events = POLLIN, .revents = 0};
    int polled = poll(&ready, 1, 50);
    if (polled > 0 && (ready.revents & POLLIN)) {
      char byte;
      started = read(fifo, &byte, 1) == 1;
    }
    if (!started && !initAlive(*state))
      break;
  }
  close(fifo);
  unlink(fifoPath.c_str());
  if (!started)
    return fail(fmt::format("cannot start container {}: its init process has exited", id));
  logDebug(fmt::format("started Wasm container {}", id));
  return 0;
}

int printContainerState(const GlobalOptions &global, const std::string &id) {
  std::string dir = containerDir(global.root, id);
  auto state = readState(dir);
  if (!state)
    return fail(state.error().message());
  fmt::print("{}\n", stateJson(dir, *state));
  return 0;
}

int killContainer(const GlobalOptions &global, const std::string &id, int signal, bool all) {
  std::string dir = containerDir(global.root, id);
  auto state = readState(dir);
  if (!state)
    return fail(state.error().message());
  bool alive = initAlive(*state);
  if (!alive && !all)
    return fail("container not running"); // the words the shim looks for
  if (alive && kill(state->pid, signal) != 0)
    return fail(fmt::format("kill {}: {}", state->pid, std::strerror(errno)));
  if (all)
    for (pid_t pid : cgroupProcesses(state->cgroupDirs))
      if (pid != state->pid)
        kill(pid, signal);
  return 0;
}

int deleteContainer(const GlobalOptions &global, const std::string &id, bool force) {
  std::string dir = containerDir(global.root, id);
  auto state = readState(dir);
  if (!state) {
    if (!force)
      return fail(state.error().message());
    removeStateDir(dir); // unreadable state: --force still clears it
    return 0;
  }
  ContainerStatus status = containerStatus(dir, *state);
  if (status == ContainerStatus::Running && !force)
    return fail(fmt::format("cannot delete container {} that is not stopped: running", id));
  if (status != ContainerStatus::Stopped) {
    // A created container is deleted without --force, as runc does.
    kill(state->pid, SIGKILL);
    for (pid_t pid : cgroupProcesses(state->cgroupDirs))
      kill(pid, SIGKILL);
    if (!waitUntilDead(*state, std::chrono::seconds(10)))
      return fail(fmt::format("container {}: init process {} did not die of SIGKILL", id,
                              state->pid));
  }
  removeCgroup(state->cgroupDirs);
  removeStateDir(dir);
  return 0;
}

int listContainerProcesses(const GlobalOptions &global, const std::string &id, bool json) {
  std::string dir = containerDir(global.root, id);
  auto state = readState(dir);
  if (!state)
    return fail(state.error().message());
  std::vector<pid_t> pids = cgroupProcesses(state->cgroupDirs);
  if (initAlive(*state) && std::find(pids.begin(), pids.end(), state->pid) == pids.end())
    pids.insert(pids.begin(), state->pid);
  if (json) {
    std::string list;
    for (pid_t pid : pids)
      list += (list.empty() ? "" : ",") + std::to_string(pid);
    fmt::print("[{}]\n", list);
  } else {
    fmt::print("PID\n");
    for (pid_t pid : pids)
      fmt::print("{}\n", pid);
  }
  return 0;
}

} // namespace wasmrt::oci
