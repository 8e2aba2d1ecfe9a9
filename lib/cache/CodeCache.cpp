#include "cache/CodeCache.h"

#include "cache/CacheUsage.h"
#include "cache/Sha256.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wasmrt::internal::cache {

namespace {

// The cache holds native code this process will execute, so a directory that another
// user can write to (or owns, and so can make writable) would let them plant code.
Expected<void> requirePrivateDirectory(const std::string &path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    return osError("inspect", path, errno);
  if (!S_ISDIR(info.st_mode))
    return Error(ErrorKind::Io, fmt::format("'{}' exists but is not a directory", path));
  if (info.st_uid != ::geteuid())
    return Error(ErrorKind::Io,
                 fmt::format("refusing code cache directory '{}': it is owned by uid {}, not "
                             "by this user (uid {}), and the cache holds code wasmrt executes",
                             path, info.st_uid, ::geteuid()));
  if (info.st_mode & (S_IWGRP | S_IWOTH))
    return Error(ErrorKind::Io,
                 fmt::format("refusing code cache directory '{}': other users can write to it "
                             "(mode {:04o}), and the cache holds code wasmrt executes",
                             path, info.st_mode & 07777));
  return {};
}

Expected<void> makeDirectory(const std::string &path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST)
    return {};
  return osError("create directory", path, errno);
}

// 16 hex digits, unique enough (with the pid in front) that O_EXCL rarely retries.
std::string randomSuffix() {
  uint8_t bytes[8];
  if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != ssize_t(sizeof bytes)) {
    // Early boot or a seccomp filter: fall back to the clock mixed with a stack address
    // (distinct per thread), which suffices because O_EXCL catches any clash.
    uint64_t mixed = uint64_t(nowNanoseconds()) ^ (uint64_t(uintptr_t(&bytes)) << 17);
    for (uint8_t &byte : bytes) {
      byte = uint8_t(mixed);
      mixed = (mixed >> 8) | (mixed << 56);
    }
  }
  return toHex(bytes);
}

// Refreshes atime on a hit, for LRU eviction. Failure only blurs the LRU order (e.g. a
// cache on a read-only file system), so it is deliberately not an error.
void refreshAccessTime(int fd, const struct stat &info) {
  int64_t granularityNs =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kAccessTimeGranularity).count();
  if (nowNanoseconds() - nanosecondsSinceEpoch(info.st_atim) < granularityNs)
    return;
  const struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  (void)::futimens(fd, times);
}

bool needsScan(const UsageRecord &usage, uint64_t maxSizeBytes) {
  int64_t nowSeconds = nowNanoseconds() / 1'000'000'000;
  return usage.estimatedBytes > maxSizeBytes ||
         nowSeconds - usage.lastScanSeconds >= kRescanInterval.count();
}

} // namespace

Expected<CodeCache> CodeCache::open(std::string directory, CacheOptions options) {
  if (directory.empty())
    return Error(ErrorKind::Usage, "the code cache directory is an empty path");
  while (directory.size() > 1 && directory.back() == '/') // keeps entry paths free of "//"
    directory.pop_back();
  if (options.maxSizeBytes == 0)
    return Error(ErrorKind::Usage, "the code cache size bound must be positive");
  if (auto made = makeDirectories(directory, 0700); !made)
    return std::move(made).error();
  if (auto checked = requirePrivateDirectory(directory); !checked)
    return std::move(checked).error();
  std::string layoutDirectory = directory + '/' + std::string(kLayoutDirectory);
  if (auto made = makeDirectory(layoutDirectory, 0700); !made)
    return std::move(made).error();
  if (auto checked = requirePrivateDirectory(layoutDirectory); !checked)
    return std::move(checked).error();
  return CodeCache(std::move(directory), std::move(layoutDirectory), options);
}

std::string CodeCache::entryPath(const CacheKey &key) const {
  const std::string &hex = key.hex();
  return fmt::format("{}/{}/{}{}", layoutDirectory_, hex.substr(0, 2), hex, kEntrySuffix);
}

std::string CodeCache::usagePath() const {
  return layoutDirectory_ + '/' + std::string(kUsageFileName);
}

Expected<std::optional<MappedFile>> CodeCache::lookup(const CacheKey &key) const {
  std::string path = entryPath(key);
  // O_NOFOLLOW: the cache only ever creates regular files, so a symlink is not ours.
  // O_NOATIME: the kernel would otherwise write atime on mapping the file whenever
  // relatime's rules say so (e.g. after every store); refreshAccessTime() alone decides.
  // Only the file's owner may ask for it, hence the retry.
  const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  UniqueFd fd(::open(path.c_str(), flags | O_NOATIME));
  if (!fd && errno == EPERM)
    fd = UniqueFd(::open(path.c_str(), flags));
  if (!fd) {
    if (errno == ENOENT)
      return std::optional<MappedFile>();
    return osError("open", path, errno);
  }
  struct stat info;
  if (::fstat(fd.get(), &info) != 0)
    return osError("inspect", path, errno);
  if (!S_ISREG(info.st_mode))
    return Error(ErrorKind::Io, fmt::format("cannot read cache entry '{}': not a regular file",
                                            path));
  refreshAccessTime(fd.get(), info);
  auto mapped = MappedFile::map(std::move(path), std::move(fd), size_t(info.st_size));
  if (!mapped)
    return std::move(mapped).error();
  return std::optional<MappedFile>(std::move(*mapped));
}

Expected<void> CodeCache::store(const CacheKey &key, std::span<const uint8_t> bytes) const {
  std::string path = entryPath(key);
  if (bytes.size() > options_.maxSizeBytes)
    return Error(ErrorKind::Usage,
                 fmt::format("cannot store '{}': its {} bytes exceed the cache size bound of "
                             "{} bytes", path, bytes.size(), options_.maxSizeBytes));
  std::string fanOutDirectory = path.substr(0, path.rfind('/'));
  if (auto made = makeDirectory(fanOutDirectory, 0700); !made)
    return made;
  // Counted before writing, so a writer that crashes leaves its temp file counted.
  auto usage = addUsage(usagePath(), int64_t(bytes.size()));
  if (!usage)
    return std::move(usage).error();
  if (auto written = writeEntry(fanOutDirectory, path, bytes); !written)
    return written;
  if (!needsScan(*usage, options_.maxSizeBytes))
    return {};
  // If another process is evicting already, it will see our entry or its own
  // recordScan() keeps our bytes in the estimate, so skipping is safe.
  auto evicted =
      evictEntries(layoutDirectory_, options_.maxSizeBytes, EvictionLockWait::SkipIfBusy);
  if (!evicted)
    return std::move(evicted).error();
  return {};
}

Expected<void> CodeCache::writeEntry(const std::string &fanOutDirectory, const std::string &path,
                                     std::span<const uint8_t> bytes) const {
  std::string tempPath;
  UniqueFd fd;
  for (int attempt = 0; !fd; ++attempt) {
    tempPath = fmt::format("{}/{}{}-{}", fanOutDirectory, kTempPrefix, ::getpid(), randomSuffix());
    fd = UniqueFd(::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd && (errno != EEXIST || attempt == 8))
      return osError("create", tempPath, errno);
  }
  auto fail = [&](Error error) {
    ::unlink(tempPath.c_str());
    return error;
  };
  if (auto written = writeAll(fd.get(), bytes, tempPath); !written)
    return fail(std::move(written).error());
  if (options_.syncWrites && ::fsync(fd.get()) != 0)
    return fail(osError("sync", tempPath, errno));
  // close() can report a deferred write error (NFS, quotas), so check it.
  if (::close(fd.release()) != 0)
    return fail(osError("write", tempPath, errno));
  if (::rename(tempPath.c_str(), path.c_str()) != 0)
    return fail(Error(ErrorKind::Io, fmt::format("cannot rename '{}' to '{}': {}", tempPath,
                                                 path, std::strerror(errno))));
  return {};
}

Expected<bool> CodeCache::remove(const CacheKey &key) const {
  std::string path = entryPath(key);
  struct stat info;
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT)
      return false;
    return osError("inspect", path, errno);
  }
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) // a concurrent remove() or evictor was first
      return false;
    return osError("remove", path, errno);
  }
  auto usage = addUsage(usagePath(), -int64_t(info.st_size));
  if (!usage)
    return std::move(usage).error();
  return true;
}

Expected<EvictionStats> CodeCache::evict() const {
  auto evicted = evictEntries(layoutDirectory_, options_.maxSizeBytes, EvictionLockWait::Wait);
  if (!evicted)
    return std::move(evicted).error();
  return **evicted;
}

Expected<uint64_t> CodeCache::estimatedSize() const {
  auto usage = readUsage(usagePath());
  if (!usage)
    return std::move(usage).error();
  return usage->estimatedBytes;
}

} // namespace wasmrt::internal::cache
