// Ownership of a POSIX file descriptor, and the small file-system helpers the cache
// layer shares. Every helper reports failures as an Error naming the path and the
// OS reason, so a user reading a warning knows which file to look at.
#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>

namespace wasmrt::internal::cache {

// Closes its descriptor when destroyed; move-only.
class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd &operator=(UniqueFd &&other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1);
  // Gives up ownership, e.g. to close() the descriptor and check the result.
  int release() { return std::exchange(fd_, -1); }

private:
  int fd_ = -1;
};

// "cannot <action> '<path>': <strerror(err)>", of kind Io.
Error osError(std::string_view action, std::string_view path, int err);

// Writes all of `bytes`, retrying short writes and EINTR.
Expected<void> writeAll(int fd, std::span<const uint8_t> bytes, std::string_view path);

// mkdir -p: creates `path` with `leafMode` and any missing parents with the default
// mode (0777 minus the umask). An existing directory is fine; an existing
// non-directory at `path` or at a parent is an error naming that component.
Expected<void> makeDirectories(const std::string &path, mode_t leafMode);

// Seconds and nanoseconds since the epoch as one signed count of nanoseconds.
int64_t nanosecondsSinceEpoch(const struct timespec &time);
int64_t nowNanoseconds();

} // namespace wasmrt::internal::cache
