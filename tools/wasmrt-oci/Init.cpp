#include "Init.h"

#include "Guest.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wasmrt::oci {

namespace {

Error osError(const std::string &what) {
  return Error(ErrorKind::Io, fmt::format("{}: {}", what, std::strerror(errno)));
}

// A fresh network namespace has only a loopback device, down; runc brings
// it up, so a guest listening on 127.0.0.1 works the same under both.
Expected<void> bringUpLoopback() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return osError("socket");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(sock, SIOCGIFFLAGS, &request) == 0;
  if (ok) {
    request.ifr_flags = short(request.ifr_flags | IFF_UP);
    ok = ioctl(sock, SIOCSIFFLAGS, &request) == 0;
  }
  int savedErrno = errno;
  close(sock);
  errno = savedErrno;
  return ok ? Expected<void>() : osError("bringing up the loopback device");
}

// Only the network namespace matters to a WASI guest (the sockets it is
// given); the others are left alone on purpose (docs/OCI.md, "Namespaces").
Expected<void> enterNamespaces(const BundleSpec &bundle) {
  for (const NamespaceSpec &ns : bundle.namespaces) {
    if (ns.type != "network")
      continue;
    if (ns.path.empty()) {
      if (unshare(CLONE_NEWNET) != 0)
        return osError("creating a network namespace");
      if (auto up = bringUpLoopback(); !up)
        return up;
      continue;
    }
    int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return osError(fmt::format("network namespace {}", ns.path));
    int joined = setns(fd, CLONE_NEWNET);
    int savedErrno = errno;
    close(fd);
    errno = savedErrno;
    if (joined != 0)
      return osError(fmt::format("joining network namespace {}", ns.path));
  }
  return {};
}

Expected<void> sendFd(int socketFd, int fd, const std::string &payload) {
  char control[CMSG_SPACE(sizeof(int))] = {};
  iovec data{.iov_base = const_cast<char *>(payload.data()), .iov_len = payload.size()};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr *header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
  if (sendmsg(socketFd, &message, MSG_NOSIGNAL) < 0)
    return osError("sending the terminal to --console-socket");
  return {};
}

// process.terminal: a new pty whose master goes to the shim over the
// console socket (SCM_RIGHTS, the pty's name as the payload, as runc sends
// it) and whose slave becomes the controlling terminal and stdio.
Expected<void> setUpConsole(const std::string &socketPath) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return osError("opening a pseudo-terminal");
  char name[128];
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof name) != 0) {
    close(master);
    return osError("preparing the pseudo-terminal");
  }
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{.sun_family = AF_UNIX, .sun_path = {}};
  if (socketPath.size() >= sizeof address.sun_path) {
    close(master);
    return Error(ErrorKind::Usage, fmt::format("--console-socket {}: path too long", socketPath));
  }
  std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size());
  Expected<void> sent;
  if (slave < 0 || sock < 0)
    sent = osError("opening the pseudo-terminal");
  else if (connect(sock, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
    sent = osError(fmt::format("connecting to --console-socket {}", socketPath));
  else
    sent = sendFd(sock, master, name);
  if (sock >= 0)
    close(sock);
  close(master);
  if (!sent) {
    if (slave >= 0)
      close(slave);
    return sent;
  }
  if (ioctl(slave, TIOCSCTTY, 0) != 0)
    return osError("making the pseudo-terminal the controlling terminal");
  for (int fd : {0, 1, 2})
    if (dup2(slave, fd) < 0)
      return osError("redirecting stdio to the pseudo-terminal");
  close(slave);
  return {};
}

// process.rlimits, as runc applies them (e.g. RLIMIT_NOFILE from containerd's
// default spec, which bounds the guest's descriptors too).
Expected<void> applyRlimits(const BundleSpec &bundle) {
  static const std::pair<const char *, int> names[] = {
      {"RLIMIT_AS", RLIMIT_AS},         {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},       {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},   {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},   {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
  };
  for (const RlimitSpec &limit : bundle.rlimits) {
    const auto *found = std::find_if(std::begin(names), std::end(names),
                                     [&](const auto &entry) { return limit.type == entry.first; });
    if (found == std::end(names))
      return Error(ErrorKind::Usage, fmt::format("process.rlimits: unknown type \"{}\"", limit.type));
    rlimit value{.rlim_cur = limit.soft, .rlim_max = limit.hard};
    if (setrlimit(found->second, &value) != 0)
      return osError(fmt::format("setting {} to {}/{}", limit.type, limit.soft, limit.hard));
  }
  return {};
}

// process.oomScoreAdj, which the kubelet sets by QoS class; like runc, a
// value the kernel refuses is an error.
Expected<void> applyOomScoreAdj(const BundleSpec &bundle) {
  if (!bundle.oomScoreAdj)
    return {};
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  std::string value = std::to_string(*bundle.oomScoreAdj);
  bool written = fd >= 0 && write(fd, value.data(), value.size()) == ssize_t(value.size());
  int savedErrno = errno;
  if (fd >= 0)
    close(fd);
  errno = savedErrno;
  return written ? Expected<void>() : osError("setting process.oomScoreAdj to " + value);
}

// process.user: after everything that needs root (cgroup, namespaces, the
// code cache, binding listen sockets) and before the guest runs, so files
// in the rootfs and mounts are reached with the user's permissions.
Expected<void> becomeUser(const ProcessUser &user) {
  if (user.uid == getuid() && user.gid == getgid() && user.additionalGids.empty())
    return {};
  std::vector<gid_t> groups(user.additionalGids.begin(), user.additionalGids.end());
  if (setgroups(groups.size(), groups.data()) != 0)
    return osError("setgroups (process.user.additionalGids)");
  if (setgid(user.gid) != 0)
    return osError(fmt::format("setgid {} (process.user.gid)", user.gid));
  if (setuid(user.uid) != 0)
    return osError(fmt::format("setuid {} (process.user.uid)", user.uid));
  return {};
}

void sendToCreate(int socketFd, const std::string &message) {
  (void)!send(socketFd, message.data(), message.size(), MSG_NOSIGNAL);
}

[[noreturn]] void failInit(int socketFd, const Error &error) {
  sendToCreate(socketFd, error.message().empty() ? error.describe() : error.message());
  _exit(kExitRejected);
}

// Blocks until `start` opens the fifo for reading, then tells it we run.
void waitForStart(int fifoPathFd) {
  // Reopened through /proc so that the fifo's directory may already be
  // gone (delete of a created container) without this open failing oddly.
  std::string reopen = fmt::format("/proc/self/fd/{}", fifoPathFd);
  int fifo;
  while ((fifo = open(reopen.c_str(), O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (fifo < 0)
    _exit(kExitRejected);
  (void)!write(fifo, "0", 1);
  close(fifo);
  close(fifoPathFd);
}

} // namespace

void runInit(const InitSetup &setup) {
  const int sock = setup.createSocket;
  // The container is a session of its own, as under runc: the shim's
  // process group and terminal signals do not reach it.
  setsid();
  char go = 0;
  ssize_t got;
  while ((got = read(sock, &go, 1)) < 0 && errno == EINTR) {
  }
  if (got != 1 || go != kGoMessage)
    _exit(kExitRejected); // create gave up (and reports why)
  if (chdir("/") != 0)
    failInit(sock, osError("chdir /"));
  if (auto entered = enterNamespaces(*setup.bundle); !entered)
    failInit(sock, entered.error());
  if (auto limited = applyRlimits(*setup.bundle); !limited)
    failInit(sock, limited.error());
  if (auto adjusted = applyOomScoreAdj(*setup.bundle); !adjusted)
    failInit(sock, adjusted.error());
  if (setup.bundle->noNewPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    failInit(sock, osError("process.noNewPrivileges"));
  if (setup.bundle->terminal)
    if (auto console = setUpConsole(setup.consoleSocket); !console)
      failInit(sock, console.error());
  // Deliberately never destroyed: the process exits right after the guest
  // and the kernel reclaims memories and code faster (as `wasmrt run` does).
  auto *guest = new PreparedGuest;
  if (auto prepared = prepareGuest(*setup.bundle, *setup.entry, *guest); !prepared)
    failInit(sock, Error(prepared.error().kind(), prepared.error().describe()));
  if (auto user = becomeUser(setup.bundle->user); !user)
    failInit(sock, user.error());
  int fifoPathFd = open(setup.execFifo.c_str(), O_PATH | O_CLOEXEC);
  if (fifoPathFd < 0)
    failInit(sock, osError(setup.execFifo));
  sendToCreate(sock, kReadyMessage);
  close(sock);
  waitForStart(fifoPathFd);
  int status = runGuest(*guest);
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(status);
}

} // namespace wasmrt::oci
