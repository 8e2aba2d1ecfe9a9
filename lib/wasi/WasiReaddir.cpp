// fd_readdir. A directory's entries are snapshotted when the guest reads from cookie 0
// (opendir, rewinddir) and served by index afterwards: cookie N means "entry N", so
// wasi-libc can resume anywhere, including in the middle of an entry it could not fit.
#include "wasi/Errno.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wasmrt::wasi {

using namespace detail;

namespace {

uint8_t filetypeFromDtype(unsigned char t) {
  switch (t) {
  case DT_REG: return filetype::kRegularFile;
  case DT_DIR: return filetype::kDirectory;
  case DT_LNK: return filetype::kSymbolicLink;
  case DT_CHR: return filetype::kCharacterDevice;
  case DT_BLK: return filetype::kBlockDevice;
  case DT_SOCK: return filetype::kSocketStream;
  default: return filetype::kUnknown;
  }
}

Errno snapshot(FdEntry &e) {
  // A fresh descriptor: reading must not disturb the guest's own offset, and the
  // guest's descriptor may have been opened without read access.
  int fd = ::openat(e.host.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errnoFromHost(errno);
  DIR *d = ::fdopendir(fd);
  if (!d) {
    int err = errno;
    ::close(fd);
    return errnoFromHost(err);
  }
  std::vector<DirEntry> entries;
  uint64_t selfIno = 0;
  errno = 0;
  while (struct dirent *de = ::readdir(d)) {
    DirEntry entry;
    entry.name = de->d_name;
    entry.ino = de->d_ino;
    entry.type = filetypeFromDtype(de->d_type);
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        entry.type = filetypeFromMode(st.st_mode);
    }
    if (entry.name == ".")
      selfIno = entry.ino;
    entries.push_back(std::move(entry));
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err)
    return errnoFromHost(err);
  // A preopen's ".." lies outside the sandbox: do not reveal its inode.
  if (e.isPreopen)
    for (DirEntry &entry : entries)
      if (entry.name == "..")
        entry.ino = selfIno;
  e.dirEntries = std::move(entries);
  e.dirEntriesValid = true;
  return errno_::kSuccess;
}

} // namespace

Errno fdReaddir(WasiContext &ctx, GuestMemory mem, u32 fd, u32 buf, u32 bufLen, u64 cookie,
                u32 usedOut) {
  FdEntry *e;
  if (Errno err = lookupDir(ctx, fd, rights::kFdReaddir, e))
    return err;
  if (!mem.inBounds(buf, bufLen) || !mem.inBounds(usedOut, 4))
    return errno_::kFault;
  if (cookie == 0 || !e->dirEntriesValid)
    if (Errno err = snapshot(*e))
      return err;
  uint32_t used = 0;
  uint8_t header[layout::kDirentSize];
  for (uint64_t i = cookie; i < e->dirEntries.size() && used < bufLen; ++i) {
    const DirEntry &entry = e->dirEntries[size_t(i)];
    std::memset(header, 0, sizeof(header));
    uint64_t next = i + 1;
    uint32_t namlen = uint32_t(entry.name.size());
    std::memcpy(header + layout::kDirentNext, &next, 8);
    std::memcpy(header + layout::kDirentIno, &entry.ino, 8);
    std::memcpy(header + layout::kDirentNamlen, &namlen, 4);
    header[layout::kDirentType] = entry.type;
    // Fill the buffer completely, truncating the last entry: the guest detects a
    // full buffer and asks again (with a bigger one if a single entry did not fit).
    uint32_t n = std::min<uint32_t>(layout::kDirentSize, bufLen - used);
    mem.storeBytes(buf + used, header, n);
    used += n;
    n = std::min<uint32_t>(namlen, bufLen - used);
    mem.storeBytes(buf + used, entry.name.data(), n);
    used += n;
  }
  mem.store<uint32_t>(usedOut, used);
  return errno_::kSuccess;
}

} // namespace wasmrt::wasi
