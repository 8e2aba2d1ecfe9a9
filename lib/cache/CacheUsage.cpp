#include "cache/CacheUsage.h"

#include "cache/UniqueFd.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace wasmrt::internal::cache {

namespace {

// The usage file, open and exclusively locked until destroyed (closing the descriptor
// drops the flock).
class LockedUsageFile {
public:
  static Expected<LockedUsageFile> open(const std::string &path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd)
      return osError("open", path, errno);
    while (::flock(fd.get(), LOCK_EX) != 0)
      if (errno != EINTR)
        return osError("lock", path, errno);
    return LockedUsageFile(path, std::move(fd));
  }

  Expected<UsageRecord> read() const {
    char text[64];
    ssize_t got;
    while ((got = ::pread(fd_.get(), text, sizeof text - 1, 0)) < 0)
      if (errno != EINTR)
        return osError("read", path_, errno);
    return parse(std::string_view(text, size_t(got)));
  }

  Expected<void> write(const UsageRecord &record) const {
    std::string text = fmt::format("{} {}\n", record.estimatedBytes, record.lastScanSeconds);
    // Readers take the same lock, so rewriting in place cannot be seen half-done.
    ssize_t written;
    while ((written = ::pwrite(fd_.get(), text.data(), text.size(), 0)) < 0)
      if (errno != EINTR)
        return osError("write", path_, errno);
    if (size_t(written) != text.size())
      return osError("write", path_, ENOSPC);
    if (::ftruncate(fd_.get(), off_t(text.size())) != 0)
      return osError("truncate", path_, errno);
    return {};
  }

private:
  LockedUsageFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  static UsageRecord parse(std::string_view text) {
    UsageRecord record;
    const char *end = text.data() + text.size();
    auto bytes = std::from_chars(text.data(), end, record.estimatedBytes);
    if (bytes.ec != std::errc() || bytes.ptr == end || *bytes.ptr != ' ')
      return UsageRecord();
    auto scan = std::from_chars(bytes.ptr + 1, end, record.lastScanSeconds);
    if (scan.ec != std::errc())
      return UsageRecord();
    return record;
  }

  std::string path_;
  UniqueFd fd_;
};

} // namespace

Expected<UsageRecord> readUsage(const std::string &path) {
  auto file = LockedUsageFile::open(path);
  if (!file)
    return std::move(file).error();
  return file->read();
}

Expected<UsageRecord> addUsage(const std::string &path, int64_t deltaBytes) {
  auto file = LockedUsageFile::open(path);
  if (!file)
    return std::move(file).error();
  auto record = file->read();
  if (!record)
    return record;
  if (deltaBytes >= 0)
    record->estimatedBytes += uint64_t(deltaBytes);
  else if (record->estimatedBytes > uint64_t(-deltaBytes))
    record->estimatedBytes -= uint64_t(-deltaBytes);
  else
    record->estimatedBytes = 0;
  if (auto written = file->write(*record); !written)
    return std::move(written).error();
  return record;
}

Expected<UsageRecord> recordScan(const std::string &path, uint64_t estimateAtScanStart,
                                 uint64_t scannedBytes, int64_t scanSeconds) {
  auto file = LockedUsageFile::open(path);
  if (!file)
    return std::move(file).error();
  auto record = file->read();
  if (!record)
    return record;
  uint64_t addedDuringScan = record->estimatedBytes > estimateAtScanStart
                                 ? record->estimatedBytes - estimateAtScanStart
                                 : 0;
  record->estimatedBytes = scannedBytes + addedDuringScan;
  record->lastScanSeconds = scanSeconds;
  if (auto written = file->write(*record); !written)
    return std::move(written).error();
  return record;
}

} // namespace wasmrt::internal::cache
