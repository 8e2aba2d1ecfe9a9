// An owned host file descriptor, closed on destruction.
#pragma once

#include <unistd.h>

#include <utility>

namespace wasmrt::wasi {

class HostFd {
public:
  HostFd() = default;
  explicit HostFd(int fd) : fd_(fd) {}
  HostFd(HostFd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  HostFd &operator=(HostFd &&other) noexcept {
    if (this != &other)
      reset(std::exchange(other.fd_, -1));
    return *this;
  }
  HostFd(const HostFd &) = delete;
  HostFd &operator=(const HostFd &) = delete;
  ~HostFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

} // namespace wasmrt::wasi
