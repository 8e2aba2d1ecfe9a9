// fd_* functions and the helpers shared with the path and socket functions.
#include "wasi/Errno.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace wasmrt::wasi {

namespace detail {

Errno lookupFd(WasiContext &ctx, uint32_t fd, Rights required, FdEntry *&out,
               bool mutates) {
  out = ctx.get(fd);
  if (!out)
    return errno_::kBadf;
  if (mutates && out->readOnly)
    return errno_::kPerm;
  if ((out->base & required) != required)
    return errno_::kNotcapable;
  return errno_::kSuccess;
}

Errno lookupDir(WasiContext &ctx, uint32_t fd, Rights required, FdEntry *&out,
                bool mutates) {
  out = ctx.get(fd);
  if (!out)
    return errno_::kBadf;
  if (out->filetype != filetype::kDirectory)
    return errno_::kNotdir;
  if (mutates && out->readOnly)
    return errno_::kPerm;
  if ((out->base & required) != required)
    return errno_::kNotcapable;
  return errno_::kSuccess;
}

Errno gatherIovecs(GuestMemory mem, uint32_t iovs, uint32_t count, std::vector<iovec> &out) {
  if (!mem.inBounds(iovs, uint64_t(count) * layout::kIovecSize))
    return errno_::kFault;
  out.clear();
  uint32_t kept = count < IOV_MAX ? count : IOV_MAX;
  out.reserve(kept);
  for (uint32_t i = 0; i < kept; ++i) {
    uint32_t buf = 0, len = 0;
    mem.load(iovs + i * layout::kIovecSize + layout::kIovecBuf, buf);
    mem.load(iovs + i * layout::kIovecSize + layout::kIovecLen, len);
    auto bytes = mem.bytes(buf, len);
    if (!bytes)
      return errno_::kFault;
    out.push_back(iovec{bytes->data(), bytes->size()});
  }
  return errno_::kSuccess;
}

Errno readGuestString(GuestMemory mem, uint32_t ptr, uint32_t len, std::string &out) {
  auto s = mem.string(ptr, len);
  if (!s)
    return errno_::kFault;
  out.assign(*s);
  return errno_::kSuccess;
}

uint8_t filetypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return filetype::kRegularFile;
  case S_IFDIR: return filetype::kDirectory;
  case S_IFLNK: return filetype::kSymbolicLink;
  case S_IFCHR: return filetype::kCharacterDevice;
  case S_IFBLK: return filetype::kBlockDevice;
  case S_IFSOCK: return filetype::kSocketStream;
  default: return filetype::kUnknown;
  }
}

Errno storeFilestat(GuestMemory mem, uint32_t ptr, const struct stat &st) {
  auto ns = [](const struct timespec &t) {
    return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec);
  };
  if (!mem.inBounds(ptr, layout::kFilestatSize))
    return errno_::kFault;
  auto bytes = *mem.bytes(ptr, layout::kFilestatSize);
  std::memset(bytes.data(), 0, bytes.size());
  mem.store<uint64_t>(ptr + layout::kFilestatDev, uint64_t(st.st_dev));
  mem.store<uint64_t>(ptr + layout::kFilestatIno, uint64_t(st.st_ino));
  mem.store<uint8_t>(ptr + layout::kFilestatFiletype, filetypeFromMode(st.st_mode));
  mem.store<uint64_t>(ptr + layout::kFilestatNlink, uint64_t(st.st_nlink));
  mem.store<uint64_t>(ptr + layout::kFilestatSize_, uint64_t(st.st_size));
  mem.store<uint64_t>(ptr + layout::kFilestatAtim, ns(st.st_atim));
  mem.store<uint64_t>(ptr + layout::kFilestatMtim, ns(st.st_mtim));
  mem.store<uint64_t>(ptr + layout::kFilestatCtim, ns(st.st_ctim));
  return errno_::kSuccess;
}

Errno hostTimes(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]) {
  using namespace fstflags;
  if (flags & ~uint32_t(kAtim | kAtimNow | kMtim | kMtimNow))
    return errno_::kInval;
  if (((flags & kAtim) && (flags & kAtimNow)) || ((flags & kMtim) && (flags & kMtimNow)))
    return errno_::kInval;
  auto set = [](struct timespec &t, uint64_t ns, bool given, bool now) {
    if (now) {
      t.tv_sec = 0;
      t.tv_nsec = UTIME_NOW;
    } else if (given) {
      t.tv_sec = time_t(ns / 1000000000ull);
      t.tv_nsec = long(ns % 1000000000ull);
    } else {
      t.tv_sec = 0;
      t.tv_nsec = UTIME_OMIT;
    }
  };
  set(out[0], atim, flags & kAtim, flags & kAtimNow);
  set(out[1], mtim, flags & kMtim, flags & kMtimNow);
  return errno_::kSuccess;
}

} // namespace detail

using namespace detail;

Errno fdAdvise(WasiContext &ctx, GuestMemory, u32 fd, u64 offset, u64 len, u32 advice) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdAdvise, e))
    return err;
  int host;
  switch (advice) {
  case advice::kNormal: host = POSIX_FADV_NORMAL; break;
  case advice::kSequential: host = POSIX_FADV_SEQUENTIAL; break;
  case advice::kRandom: host = POSIX_FADV_RANDOM; break;
  case advice::kWillneed: host = POSIX_FADV_WILLNEED; break;
  case advice::kDontneed: host = POSIX_FADV_DONTNEED; break;
  case advice::kNoreuse: host = POSIX_FADV_NOREUSE; break;
  default: return errno_::kInval;
  }
  if (offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX))
    return errno_::kInval;
  if (e->filetype == filetype::kDirectory)
    return errno_::kSuccess; // advice is only a hint; Linux rejects it on directories
  int r = ::posix_fadvise(e->host.get(), off_t(offset), off_t(len), host);
  return r == 0 ? errno_::kSuccess : errnoFromHost(r);
}

Errno fdAllocate(WasiContext &ctx, GuestMemory, u32 fd, u64 offset, u64 len) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdAllocate, e, true))
    return err;
  if (offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX) - offset)
    return errno_::kFbig;
  if (len == 0)
    return errno_::kInval;
  int r; // returns the error instead of setting errno
  do
    r = ::posix_fallocate(e->host.get(), off_t(offset), off_t(len));
  while (r == EINTR);
  return r == 0 ? errno_::kSuccess : errnoFromHost(r);
}

Errno fdClose(WasiContext &ctx, GuestMemory, u32 fd) {
  return ctx.close(fd) ? errno_::kSuccess : errno_::kBadf;
}

Errno fdDatasync(WasiContext &ctx, GuestMemory, u32 fd) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdDatasync, e))
    return err;
  return retryOnEintr([&] { return ::fdatasync(e->host.get()); }) == 0 ? errno_::kSuccess
                                                                         : errnoFromHost(errno);
}

Errno fdSync(WasiContext &ctx, GuestMemory, u32 fd) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdSync, e))
    return err;
  return retryOnEintr([&] { return ::fsync(e->host.get()); }) == 0 ? errno_::kSuccess
                                                                     : errnoFromHost(errno);
}

Errno fdFdstatGet(WasiContext &ctx, GuestMemory mem, u32 fd, u32 out) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, 0, e))
    return err;
  int fl = ::fcntl(e->host.get(), F_GETFL);
  if (fl < 0)
    return errnoFromHost(errno);
  uint16_t flags = 0;
  if (fl & O_APPEND)
    flags |= fdflags::kAppend;
  if (fl & O_NONBLOCK)
    flags |= fdflags::kNonblock;
  // O_SYNC contains the O_DSYNC bit, and O_RSYNC equals O_SYNC on Linux.
  if ((fl & O_SYNC) == O_SYNC)
    flags |= fdflags::kSync;
  else if (fl & O_DSYNC)
    flags |= fdflags::kDsync;
  if (!mem.inBounds(out, layout::kFdstatSize))
    return errno_::kFault;
  std::memset(mem.bytes(out, layout::kFdstatSize)->data(), 0, layout::kFdstatSize);
  mem.store<uint8_t>(out + layout::kFdstatFiletype, e->filetype);
  mem.store<uint16_t>(out + layout::kFdstatFlags, flags);
  mem.store<uint64_t>(out + layout::kFdstatRightsBase, e->base);
  mem.store<uint64_t>(out + layout::kFdstatRightsInheriting, e->inheriting);
  return errno_::kSuccess;
}

Errno fdFdstatSetFlags(WasiContext &ctx, GuestMemory, u32 fd, u32 flags) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdFdstatSetFlags, e))
    return err;
  if (flags & ~uint32_t(fdflags::kAll))
    return errno_::kInval;
  // Linux cannot change the synchronisation mode of an open file.
  if (flags & (fdflags::kDsync | fdflags::kRsync | fdflags::kSync))
    return errno_::kNotsup;
  int fl = ::fcntl(e->host.get(), F_GETFL);
  if (fl < 0)
    return errnoFromHost(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflags::kAppend)
    fl |= O_APPEND;
  if (flags & fdflags::kNonblock)
    fl |= O_NONBLOCK;
  return ::fcntl(e->host.get(), F_SETFL, fl) == 0 ? errno_::kSuccess : errnoFromHost(errno);
}

Errno fdFdstatSetRights(WasiContext &ctx, GuestMemory, u32 fd, u64 base, u64 inheriting) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, 0, e))
    return err;
  if ((base & ~e->base) || (inheriting & ~e->inheriting))
    return errno_::kNotcapable; // rights can only shrink
  e->base = base;
  e->inheriting = inheriting;
  return errno_::kSuccess;
}

Errno fdFilestatGet(WasiContext &ctx, GuestMemory mem, u32 fd, u32 out) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdFilestatGet, e))
    return err;
  struct stat st;
  if (::fstat(e->host.get(), &st) != 0)
    return errnoFromHost(errno);
  if (Errno err = storeFilestat(mem, out, st))
    return err;
  // The socket type comes from the descriptor, not the inode.
  mem.store<uint8_t>(out + layout::kFilestatFiletype, e->filetype);
  return errno_::kSuccess;
}

Errno fdFilestatSetSize(WasiContext &ctx, GuestMemory, u32 fd, u64 size) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdFilestatSetSize, e, true))
    return err;
  if (size > uint64_t(INT64_MAX))
    return errno_::kInval;
  return retryOnEintr([&] { return ::ftruncate(e->host.get(), off_t(size)); }) == 0
             ? errno_::kSuccess
             : errnoFromHost(errno);
}

Errno fdFilestatSetTimes(WasiContext &ctx, GuestMemory, u32 fd, u64 atim, u64 mtim,
                         u32 fstFlags) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdFilestatSetTimes, e, true))
    return err;
  struct timespec ts[2];
  if (Errno err = hostTimes(atim, mtim, fstFlags, ts))
    return err;
  return ::futimens(e->host.get(), ts) == 0 ? errno_::kSuccess : errnoFromHost(errno);
}

namespace {
// fd_pread and fd_pwrite differ only in the right they need and the syscall.
Errno positionalIo(WasiContext &ctx, GuestMemory mem, u32 fd, uint64_t right, u32 iovs,
                   u32 iovsLen, u64 offset, u32 countOut,
                   ssize_t (*io)(int, const iovec *, int, off_t)) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, right | rights::kFdSeek, e))
    return err;
  if (offset > uint64_t(INT64_MAX))
    return errno_::kInval;
  std::vector<iovec> vec;
  if (Errno err = gatherIovecs(mem, iovs, iovsLen, vec))
    return err;
  if (!mem.inBounds(countOut, 4))
    return errno_::kFault;
  ssize_t n =
      retryOnEintr([&] { return io(e->host.get(), vec.data(), int(vec.size()), off_t(offset)); });
  if (n < 0)
    return errnoFromHost(errno);
  mem.store<uint32_t>(countOut, uint32_t(n));
  return errno_::kSuccess;
}
} // namespace

Errno fdPread(WasiContext &ctx, GuestMemory mem, u32 fd, u32 iovs, u32 iovsLen, u64 offset,
              u32 nreadOut) {
  return positionalIo(ctx, mem, fd, rights::kFdRead, iovs, iovsLen, offset, nreadOut,
                      &::preadv);
}

Errno fdPwrite(WasiContext &ctx, GuestMemory mem, u32 fd, u32 iovs, u32 iovsLen,
               u64 offset, u32 nwrittenOut) {
  return positionalIo(ctx, mem, fd, rights::kFdWrite, iovs, iovsLen, offset, nwrittenOut,
                      &::pwritev);
}

Errno fdRead(WasiContext &ctx, GuestMemory mem, u32 fd, u32 iovs, u32 iovsLen,
             u32 nreadOut) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdRead, e))
    return err;
  std::vector<iovec> vec;
  if (Errno err = gatherIovecs(mem, iovs, iovsLen, vec))
    return err;
  if (!mem.inBounds(nreadOut, 4))
    return errno_::kFault;
  ssize_t n;
  do
    n = ::readv(e->host.get(), vec.data(), int(vec.size()));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errnoFromHost(errno);
  mem.store<uint32_t>(nreadOut, uint32_t(n));
  return errno_::kSuccess;
}

Errno fdWrite(WasiContext &ctx, GuestMemory mem, u32 fd, u32 iovs, u32 iovsLen,
              u32 nwrittenOut) {
  FdEntry *e;
  if (Errno err = lookupFd(ctx, fd, rights::kFdWrite, e))
    return err;
  std::vector<iovec> vec;
  if (Errno err = gatherIovecs(mem, iovs, iovsLen, vec))
    return err;
  if (!mem.inBounds(nwrittenOut, 4))
    return errno_::kFault;
  ssize_t n;
  do {
    if (e->isSocket) {
      // MSG_NOSIGNAL: a closed peer is EPIPE for the guest, not SIGPIPE for the host.
      struct msghdr msg = {};
      msg.msg_iov = vec.data();
      msg.msg_iovlen = vec.size();
      n = ::sendmsg(e->host.get(), &msg, MSG_NOSIGNAL);
    } else {
      n = ::writev(e->host.get(), vec.data(), int(vec.size()));
    }
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return errnoFromHost(errno);
  mem.store<uint32_t>(nwrittenOut, uint32_t(n));
  return errno_::kSuccess;
}

Errno fdPrestatGet(WasiContext &ctx, GuestMemory mem, u32 fd, u32 out) {
  FdEntry *e = ctx.get(fd);
  if (!e || !e->isPreopen)
    return errno_::kBadf;
  if (!mem.inBounds(out, layout::kPrestatSize))
    return errno_::kFault;
  std::memset(mem.bytes(out, layout::kPrestatSize)->data(), 0, layout::kPrestatSize);
  mem.store<uint8_t>(out + layout::kPrestatTag, preopentype::kDir);
  mem.store<uint32_t>(out + layout::kPrestatNameLen, uint32_t(e->preopenName.size()));
  return errno_::kSuccess;
}

Errno fdPrestatDirName(WasiContext &ctx, GuestMemory mem, u32 fd, u32 path, u32 pathLen) {
  FdEntry *e = ctx.get(fd);
  if (!e || !e->isPreopen)
    return errno_::kBadf;
  if (pathLen < e->preopenName.size())
    return errno_::kNametoolong;
  return mem.storeBytes(path, e->preopenName.data(), e->preopenName.size())
             ? errno_::kSuccess
             : errno_::kFault;
}

Errno fdRenumber(WasiContext &ctx, GuestMemory, u32 fd, u32 to) {
  return ctx.renumber(fd, to) ? errno_::kSuccess : errno_::kBadf;
}

Errno fdSeek(WasiContext &ctx, GuestMemory mem, u32 fd, u64 offset, u32 whence,
             u32 newOffsetOut) {
  int64_t delta = int64_t(offset);
  // A pure query (cur + 0) needs only fd_tell, per the rights' definition.
  Rights need = (whence == whence::kCur && delta == 0) ? rights::kFdTell : rights::kFdSeek;
  FdEntry *e = ctx.get(fd);
  if (!e)
    return errno_::kBadf;
  if ((e->base & need) != need && !(need == rights::kFdTell && (e->base & rights::kFdSeek)))
    return errno_::kNotcapable;
  int host;
  switch (whence) {
  case whence::kSet: host = SEEK_SET; break;
  case whence::kCur: host = SEEK_CUR; break;
  case whence::kEnd: host = SEEK_END; break;
  default: return errno_::kInval;
  }
  if (!mem.inBounds(newOffsetOut, 8))
    return errno_::kFault;
  off_t r = ::lseek(e->host.get(), off_t(delta), host);
  if (r < 0)
    return errnoFromHost(errno);
  mem.store<uint64_t>(newOffsetOut, uint64_t(r));
  return errno_::kSuccess;
}

Errno fdTell(WasiContext &ctx, GuestMemory mem, u32 fd, u32 offsetOut) {
  FdEntry *e = ctx.get(fd);
  if (!e)
    return errno_::kBadf;
  if (!(e->base & (rights::kFdTell | rights::kFdSeek)))
    return errno_::kNotcapable;
  if (!mem.inBounds(offsetOut, 8))
    return errno_::kFault;
  off_t r = ::lseek(e->host.get(), 0, SEEK_CUR);
  if (r < 0)
    return errnoFromHost(errno);
  mem.store<uint64_t>(offsetOut, uint64_t(r));
  return errno_::kSuccess;
}

} // namespace wasmrt::wasi
