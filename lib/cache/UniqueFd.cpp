#include "cache/UniqueFd.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

namespace wasmrt::internal::cache {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0)
    ::close(fd_); // a close error on a descriptor we only read or already fsynced is moot
  fd_ = fd;
}

Error osError(std::string_view action, std::string_view path, int err) {
  return Error(ErrorKind::Io, fmt::format("cannot {} '{}': {}", action, path, std::strerror(err)));
}

Expected<void> writeAll(int fd, std::span<const uint8_t> bytes, std::string_view path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return osError("write", path, errno);
    }
    bytes = bytes.subspan(size_t(written));
  }
  return {};
}

static Expected<void> requireDirectory(const std::string &path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    return osError("inspect", path, errno);
  if (!S_ISDIR(info.st_mode))
    return Error(ErrorKind::Io, fmt::format("'{}' exists but is not a directory", path));
  return {};
}

Expected<void> makeDirectories(const std::string &path, mode_t leafMode) {
  if (::mkdir(path.c_str(), leafMode) == 0)
    return {};
  int err = errno;
  if (err == EEXIST)
    return requireDirectory(path);
  if (err != ENOENT)
    return osError("create directory", path, err);
  // A parent is missing. Create parents first, then retry the leaf.
  std::string_view trimmed(path);
  while (trimmed.size() > 1 && trimmed.back() == '/')
    trimmed.remove_suffix(1);
  size_t slash = trimmed.rfind('/');
  if (slash == std::string_view::npos || slash == 0)
    return osError("create directory", path, err);
  if (auto parent = makeDirectories(std::string(trimmed.substr(0, slash)), 0777); !parent)
    return parent;
  if (::mkdir(path.c_str(), leafMode) == 0)
    return {};
  if (errno == EEXIST) // another process created it between our two attempts
    return requireDirectory(path);
  return osError("create directory", path, errno);
}

int64_t nanosecondsSinceEpoch(const struct timespec &time) {
  return int64_t(time.tv_sec) * 1'000'000'000 + int64_t(time.tv_nsec);
}

int64_t nowNanoseconds() {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  return nanosecondsSinceEpoch(now);
}

} // namespace wasmrt::internal::cache
