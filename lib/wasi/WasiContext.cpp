#include "wasi/WasiContext.h"

#include "wasi/Errno.h"
#include "wasi/EventLoop.h"
#include "wasi/Sandbox.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace wasmrt::wasi {

namespace {
Error ioError(const std::string &what, int err) {
  return Error(ErrorKind::Io, what + ": " + std::strerror(err));
}

HostFd duplicate(int fd) { return HostFd(::fcntl(fd, F_DUPFD_CLOEXEC, 0)); }
} // namespace

Errno describeHostFd(int hostFd, FdEntry &entry) {
  struct stat st;
  if (::fstat(hostFd, &st) != 0)
    return errnoFromHost(errno);
  entry.isSocket = false;
  switch (st.st_mode & S_IFMT) {
  case S_IFREG:
    entry.filetype = filetype::kRegularFile;
    entry.base = rights::kRegularFile;
    entry.inheriting = 0;
    break;
  case S_IFDIR:
    entry.filetype = filetype::kDirectory;
    entry.base = rights::kDirectoryBase;
    entry.inheriting = rights::kAll;
    break;
  case S_IFCHR:
    entry.filetype = filetype::kCharacterDevice;
    entry.base = rights::kStream;
    // wasi-libc's isatty() means "character device without seek/tell", so only a
    // terminal may lack them; /dev/null and friends seek fine on Linux.
    if (uv_guess_handle(hostFd) != UV_TTY)
      entry.base |= rights::kFdSeek | rights::kFdTell;
    entry.inheriting = 0;
    break;
  case S_IFBLK:
    entry.filetype = filetype::kBlockDevice;
    entry.base = rights::kRegularFile;
    entry.inheriting = 0;
    break;
  case S_IFSOCK: {
    int type = 0;
    socklen_t len = sizeof(type);
    if (::getsockopt(hostFd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
      return errnoFromHost(errno);
    entry.filetype = type == SOCK_DGRAM ? filetype::kSocketDgram : filetype::kSocketStream;
    entry.base = rights::kSocket;
    entry.inheriting = rights::kSocket;
    entry.isSocket = true;
    break;
  }
  default: // FIFOs have no preview1 type of their own
    entry.filetype = filetype::kUnknown;
    entry.base = rights::kStream;
    entry.inheriting = 0;
    break;
  }
  return errno_::kSuccess;
}

Expected<std::unique_ptr<WasiContext>> WasiContext::create(const WasiConfig &config) {
  std::unique_ptr<WasiContext> ctx(new WasiContext());
  ctx->args_ = config.args;
  ctx->env_ = config.env;
  ctx->clock_ = config.clock;
  ctx->random_ = config.random;
  ctx->useOpenat2_ = config.useOpenat2 && kernelHasOpenat2();
  for (const auto &e : config.env)
    if (e.find('\0') != std::string::npos)
      return Error(ErrorKind::Usage, "environment entry contains a NUL byte");
  for (const auto &a : config.args)
    if (a.find('\0') != std::string::npos)
      return Error(ErrorKind::Usage, "argument contains a NUL byte");
  if (auto r = ctx->addStdio(config); !r)
    return std::move(r).error();
  // Sockets before preopens: wasmtime's numbering, which guests may rely on.
  if (auto r = ctx->addSockets(config); !r)
    return std::move(r).error();
  if (auto r = ctx->addPreopens(config); !r)
    return std::move(r).error();
  return ctx;
}

Expected<void> WasiContext::addStdio(const WasiConfig &config) {
  for (int i = 0; i < 3; ++i) {
    int source = config.inheritStdio ? i : config.stdioFds[i];
    HostFd fd;
    if (source >= 0)
      fd = duplicate(source);
    if (!fd.valid()) {
      // A closed host stdio (or an explicit -1) reads as empty and swallows writes.
      fd = HostFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!fd.valid())
        return ioError("cannot open /dev/null for stdio", errno);
    }
    FdEntry entry;
    if (describeHostFd(fd.get(), entry) != errno_::kSuccess)
      return ioError("cannot stat stdio descriptor " + std::to_string(i), errno);
    entry.host = std::move(fd);
    if (!insert(std::move(entry)))
      return Error(ErrorKind::Internal, "descriptor table full");
  }
  return {};
}

Expected<void> WasiContext::addPreopens(const WasiConfig &config) {
  for (size_t i = 0; i < config.preopens.size(); ++i) {
    const PreopenDir &p = config.preopens[i];
    HostFd fd(::open(p.hostPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
      return ioError("cannot open preopened directory '" + p.hostPath + "'", errno);
    FdEntry entry;
    entry.host = std::move(fd);
    entry.filetype = filetype::kDirectory;
    entry.base = rights::kDirectoryBase;
    entry.inheriting = rights::kAll;
    if (p.readOnly)
      entry.base &= ~rights::kMutating;
    entry.preopenIndex = int(i);
    entry.readOnly = p.readOnly;
    entry.isPreopen = true;
    entry.preopenName = p.guestName;
    if (!insert(std::move(entry)))
      return Error(ErrorKind::Usage, "too many preopened directories");
  }
  return {};
}

Expected<void> WasiContext::addSockets(const WasiConfig &config) {
  for (int s : config.sockets) {
    HostFd fd = duplicate(s);
    if (!fd.valid())
      return ioError("cannot duplicate socket " + std::to_string(s), errno);
    FdEntry entry;
    if (describeHostFd(fd.get(), entry) != errno_::kSuccess || !entry.isSocket)
      return Error(ErrorKind::Usage, "descriptor " + std::to_string(s) + " is not a socket");
    entry.host = std::move(fd);
    if (!insert(std::move(entry)))
      return Error(ErrorKind::Usage, "too many sockets");
  }
  return {};
}

WasiContext::~WasiContext() = default;

EventLoop *WasiContext::eventLoop(Errno &err) {
  err = errno_::kSuccess;
  if (!loop_)
    loop_ = EventLoop::create(err);
  return loop_.get();
}

FdEntry *WasiContext::get(uint32_t fd) {
  if (fd >= fds_.size())
    return nullptr;
  return fds_[fd].get();
}

std::optional<uint32_t> WasiContext::insert(FdEntry entry) {
  for (size_t i = 0; i < fds_.size(); ++i) {
    if (!fds_[i]) {
      fds_[i] = std::make_unique<FdEntry>(std::move(entry));
      return uint32_t(i);
    }
  }
  if (fds_.size() >= kMaxFds)
    return std::nullopt;
  fds_.push_back(std::make_unique<FdEntry>(std::move(entry)));
  return uint32_t(fds_.size() - 1);
}

bool WasiContext::close(uint32_t fd) {
  if (!get(fd))
    return false;
  fds_[fd].reset();
  dropClosedTail();
  return true;
}

bool WasiContext::renumber(uint32_t from, uint32_t to) {
  // `to` must be open (the official suite's `renumber` test), except that a
  // closed standard stream may be filled again: programs redirect stdout and
  // stderr by closing them and renumbering a file onto the number, as
  // close(1) + dup2() would, and Wasmtime's preview1 adapter accepts it.
  bool standardStream = to <= 2;
  if (!get(from) || (!get(to) && !standardStream))
    return false;
  if (from != to) {
    if (to >= fds_.size())
      fds_.resize(size_t(to) + 1);
    fds_[to] = std::move(fds_[from]); // destroying the old entry closes its host fd
    dropClosedTail();
  }
  return true;
}

void WasiContext::dropClosedTail() {
  while (!fds_.empty() && !fds_.back())
    fds_.pop_back();
}

size_t WasiContext::openCount() const {
  size_t n = 0;
  for (const auto &e : fds_)
    n += e != nullptr;
  return n;
}

bool hostClockId(uint32_t clockId, clockid_t &host) {
  switch (clockId) {
  case clockid::kRealtime: host = CLOCK_REALTIME; return true;
  case clockid::kMonotonic: host = CLOCK_MONOTONIC; return true;
  case clockid::kProcessCputime: host = CLOCK_PROCESS_CPUTIME_ID; return true;
  case clockid::kThreadCputime: host = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

Errno WasiContext::clockTime(uint32_t clockId, uint64_t &ns) const {
  if (clock_)
    return clock_(clockId, ns);
  clockid_t host;
  if (!hostClockId(clockId, host))
    return errno_::kInval;
  struct timespec ts;
  if (::clock_gettime(host, &ts) != 0)
    return errnoFromHost(errno);
  ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  return errno_::kSuccess;
}

Errno WasiContext::randomBytes(std::span<uint8_t> out) const {
  if (random_)
    return random_(out);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errnoFromHost(errno);
    }
    done += size_t(n);
  }
  return errno_::kSuccess;
}

} // namespace wasmrt::wasi
