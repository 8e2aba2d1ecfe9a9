// A whole file mapped read-only, with its descriptor kept open. Cache entries are
// replaced by rename and removed by unlink, never modified in place, so the mapping
// and the descriptor stay valid and complete even after the path is gone or names a
// newer file. The caller should therefore map further pages (e.g. code as executable)
// from fd(), not by reopening path().
#pragma once

#include "cache/UniqueFd.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace wasmrt::internal::cache {

class MappedFile {
public:
  // Maps the first `size` bytes of the open regular file `fd` (named `path` in errors).
  static Expected<MappedFile> map(std::string path, UniqueFd fd, size_t size);

  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }
  int fd() const { return fd_.get(); }
  const std::string &path() const { return path_; }

private:
  MappedFile(std::string path, UniqueFd fd, const uint8_t *data, size_t size)
      : path_(std::move(path)), fd_(std::move(fd)), data_(data), size_(size) {}
  void unmap();

  std::string path_;
  UniqueFd fd_;
  const uint8_t *data_ = nullptr; // null for an empty file: mmap cannot map zero bytes
  size_t size_ = 0;
};

} // namespace wasmrt::internal::cache
