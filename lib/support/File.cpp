#include "support/File.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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
  std::vector<uint8_t> bytes;
  if (S_ISREG(info.st_mode))
    bytes.reserve(size_t(info.st_size));
  uint8_t buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    bytes.insert(bytes.end(), buffer, buffer + got);
  if (std::ferror(file.get()))
    return ioError(errno ? errno : EIO);
  return bytes;
}

} // namespace wasmrt::internal
