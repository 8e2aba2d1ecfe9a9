#include "support/File.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <memory>
#include <sys/stat.h>

namespace wasmrt::internal {

Expected<std::vector<uint8_t>> readFileBytes(const std::string &path) {
  auto ioError = [&](int err) {
    return Error(ErrorKind::Io, fmt::format("cannot read '{}': {}", path, std::strerror(err)));
  };
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file)
    return ioError(errno);
  struct stat info;
  if (fstat(fileno(file.get()), &info) != 0)
    return ioError(errno);
  if (S_ISDIR(info.st_mode))
    return ioError(EISDIR);
  // Read straight into the vector, in steps of at least 64 KiB: no buffer on the
  // stack, which may be small (`ulimit -s`; a 64 KiB array here crashed the CLI
  // under a 72 KiB stack before it ran anything).
  constexpr size_t kStep = size_t(1) << 16;
  std::vector<uint8_t> bytes(S_ISREG(info.st_mode) ? size_t(info.st_size) + 1 : kStep);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size())
      bytes.resize(bytes.size() + std::max(kStep, bytes.size() / 2));
    size_t got = std::fread(bytes.data() + used, 1, bytes.size() - used, file.get());
    used += got;
    if (got == 0)
      break;
  }
  if (std::ferror(file.get()))
    return ioError(errno ? errno : EIO);
  bytes.resize(used);
  return bytes;
}

} // namespace wasmrt::internal
