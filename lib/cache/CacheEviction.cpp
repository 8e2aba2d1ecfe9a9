#include "cache/CacheEviction.h"

#include "cache/CacheUsage.h"
#include "cache/Sha256.h"
#include "cache/UniqueFd.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace wasmrt::internal::cache {

namespace {

struct ScannedEntry {
  std::string path;
  uint64_t size;
  int64_t lastUseNs;
};

struct ScanResult {
  std::vector<ScannedEntry> entries;
  uint64_t totalBytes = 0;
};

// Closes a directory stream when destroyed.
class DirectoryStream {
public:
  explicit DirectoryStream(DIR *dir) : dir_(dir) {}
  DirectoryStream(const DirectoryStream &) = delete;
  DirectoryStream &operator=(const DirectoryStream &) = delete;
  ~DirectoryStream() {
    if (dir_)
      ::closedir(dir_);
  }
  DIR *get() const { return dir_; }
  int fd() const { return ::dirfd(dir_); }

private:
  DIR *dir_;
};

bool isLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool isFanOutName(std::string_view name) { return name.size() == 2 && isLowerHex(name); }

bool isEntryName(std::string_view name) {
  if (!name.ends_with(kEntrySuffix))
    return false;
  name.remove_suffix(kEntrySuffix.size());
  return name.size() == Sha256::kDigestSize * 2 && isLowerHex(name);
}

int64_t lastUseNs(const struct stat &info) {
  return std::max(nanosecondsSinceEpoch(info.st_atim), nanosecondsSinceEpoch(info.st_mtim));
}

// Lists one fan-out directory: entries go into `scan`, stale temp files are deleted,
// live ones counted. Every file may vanish under a concurrent evictor at any moment,
// so ENOENT anywhere means "skip", not failure.
void scanFanOut(const DirectoryStream &dir, const std::string &dirPath, int64_t nowNs,
                ScanResult &scan, EvictionStats &stats) {
  const int64_t staleBeforeNs =
      nowNs - std::chrono::duration_cast<std::chrono::nanoseconds>(kStaleTempAge).count();
  for (;;) {
    errno = 0; // readdir reports an error only through errno
    struct dirent *item = ::readdir(dir.get());
    if (!item) {
      stats.failures += errno != 0;
      return;
    }
    std::string_view name(item->d_name);
    bool isTemp = name.starts_with(kTempPrefix);
    if (!isTemp && !isEntryName(name))
      continue; // not ours (or "." and ".."): leave it alone
    struct stat info;
    if (::fstatat(dir.fd(), item->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) {
      stats.failures += errno != ENOENT;
      continue;
    }
    if (!S_ISREG(info.st_mode))
      continue;
    uint64_t size = uint64_t(info.st_size);
    if (isTemp && nanosecondsSinceEpoch(info.st_mtim) < staleBeforeNs) {
      if (::unlinkat(dir.fd(), item->d_name, 0) == 0)
        ++stats.staleTempFilesRemoved;
      else
        stats.failures += errno != ENOENT;
      continue;
    }
    scan.totalBytes += size;
    if (!isTemp) {
      scan.entries.push_back({dirPath + '/' + item->d_name, size, lastUseNs(info)});
      ++stats.entriesScanned;
    }
  }
}

Expected<ScanResult> scanEntries(const std::string &entriesDirectory, EvictionStats &stats) {
  DirectoryStream top(::opendir(entriesDirectory.c_str()));
  if (!top.get())
    return osError("list", entriesDirectory, errno);
  ScanResult scan;
  int64_t nowNs = nowNanoseconds();
  for (;;) {
    errno = 0;
    struct dirent *item = ::readdir(top.get());
    if (!item) {
      if (errno != 0)
        return osError("list", entriesDirectory, errno);
      break;
    }
    if (!isFanOutName(item->d_name))
      continue;
    int fd = ::openat(top.fd(), item->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      stats.failures += errno != ENOENT;
      continue;
    }
    DirectoryStream dir(::fdopendir(fd));
    if (!dir.get()) {
      ::close(fd);
      ++stats.failures;
      continue;
    }
    scanFanOut(dir, entriesDirectory + '/' + item->d_name, nowNs, scan, stats);
  }
  return scan;
}

// Deletes least recently used entries until `scan.totalBytes` is at most `target`.
void removeLeastRecentlyUsed(ScanResult &scan, uint64_t target, EvictionStats &stats) {
  std::sort(scan.entries.begin(), scan.entries.end(),
            [](const ScannedEntry &a, const ScannedEntry &b) {
              return a.lastUseNs != b.lastUseNs ? a.lastUseNs < b.lastUseNs : a.path < b.path;
            });
  for (const ScannedEntry &entry : scan.entries) {
    if (scan.totalBytes <= target)
      break;
    // A process that has the entry mapped keeps its inode; unlinking is safe.
    if (::unlink(entry.path.c_str()) == 0) {
      ++stats.entriesRemoved;
    } else if (errno != ENOENT) { // ENOENT: a concurrent evictor or remove() got there first
      ++stats.failures;
      continue;
    }
    scan.totalBytes -= entry.size;
  }
}

uint64_t evictionTarget(uint64_t maxSizeBytes) {
  // Written to avoid overflowing for bounds near UINT64_MAX.
  return maxSizeBytes / 100 * kEvictionTargetPercent +
         maxSizeBytes % 100 * kEvictionTargetPercent / 100;
}

} // namespace

Expected<std::optional<EvictionStats>> evictEntries(const std::string &entriesDirectory,
                                                    uint64_t maxSizeBytes,
                                                    EvictionLockWait wait) {
  std::string lockPath = entriesDirectory + '/' + std::string(kEvictionLockName);
  UniqueFd lock(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock)
    return osError("open", lockPath, errno);
  int operation = LOCK_EX | (wait == EvictionLockWait::SkipIfBusy ? LOCK_NB : 0);
  while (::flock(lock.get(), operation) != 0) {
    if (errno == EWOULDBLOCK && wait == EvictionLockWait::SkipIfBusy)
      return std::optional<EvictionStats>();
    if (errno != EINTR)
      return osError("lock", lockPath, errno);
  }

  std::string usagePath = entriesDirectory + '/' + std::string(kUsageFileName);
  auto usageAtStart = readUsage(usagePath);
  if (!usageAtStart)
    return std::move(usageAtStart).error();
  EvictionStats stats;
  auto scan = scanEntries(entriesDirectory, stats);
  if (!scan)
    return std::move(scan).error();
  stats.bytesBefore = scan->totalBytes;
  if (scan->totalBytes > maxSizeBytes)
    removeLeastRecentlyUsed(*scan, evictionTarget(maxSizeBytes), stats);
  stats.bytesAfter = scan->totalBytes;

  int64_t nowSeconds = nowNanoseconds() / 1'000'000'000;
  auto recorded = recordScan(usagePath, usageAtStart->estimatedBytes, stats.bytesAfter, nowSeconds);
  if (!recorded)
    return std::move(recorded).error();
  return std::optional<EvictionStats>(stats);
}

} // namespace wasmrt::internal::cache
