// path_* functions. Every guest path goes through Sandbox.h; the host kernel only
// ever sees single components relative to a sandbox-resolved directory (or a whole
// path under openat2's RESOLVE_BENEATH).
#include "wasi/Errno.h"
#include "wasi/Sandbox.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace wasmrt::wasi {

using namespace detail;

namespace {

Beneath beneath(WasiContext &ctx, const FdEntry &dir) {
  return Beneath{dir.host.get(), ctx.useOpenat2()};
}

// Reads the guest path and resolves its parent directory (following a final symlink
// when `follow`, or when the path ends in '/', as POSIX lookups do).
Errno resolveGuestPath(WasiContext &ctx, GuestMemory mem, const FdEntry &dir, u32 ptr,
                       u32 len, bool follow, ParentDir &out) {
  std::string path;
  if (Errno e = readGuestString(mem, ptr, len, path))
    return e;
  if (follow || (!path.empty() && path.back() == '/'))
    return resolveFollow(beneath(ctx, dir), path, out);
  return resolveParent(beneath(ctx, dir), path, out);
}

// What Linux reports when a name that must be created carries a trailing slash
// (symlinkat, linkat): EEXIST if something is there, otherwise ENOENT.
Errno trailingSlashCreateError(const ParentDir &pd) {
  struct stat st;
  return ::fstatat(pd.fd, pd.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ? errno_::kExist
                                                                          : errno_::kNoent;
}

// A trailing slash demands a directory; `pd` was resolved following symlinks.
Errno requireDirectory(const ParentDir &pd) {
  struct stat st;
  if (::fstatat(pd.fd, pd.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errnoFromHost(errno);
  return S_ISDIR(st.st_mode) ? errno_::kSuccess : errno_::kNotdir;
}

Errno hostResult(int r) { return r == 0 ? errno_::kSuccess : errnoFromHost(errno); }

} // namespace

Errno pathCreateDirectory(WasiContext &ctx, GuestMemory mem, u32 fd, u32 path, u32 len) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathCreateDirectory, dir, true))
    return e;
  ParentDir pd;
  if (Errno e = resolveGuestPath(ctx, mem, *dir, path, len, false, pd))
    return e;
  return hostResult(::mkdirat(pd.fd, pd.leaf.c_str(), 0777));
}

Errno pathFilestatGet(WasiContext &ctx, GuestMemory mem, u32 fd, u32 flags, u32 path,
                      u32 len, u32 out) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathFilestatGet, dir))
    return e;
  if (!mem.inBounds(out, layout::kFilestatSize))
    return errno_::kFault;
  ParentDir pd;
  bool follow = flags & lookupflags::kSymlinkFollow;
  if (Errno e = resolveGuestPath(ctx, mem, *dir, path, len, follow, pd))
    return e;
  struct stat st;
  if (::fstatat(pd.fd, pd.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errnoFromHost(errno);
  if (pd.trailingSlash && !S_ISDIR(st.st_mode))
    return errno_::kNotdir;
  return storeFilestat(mem, out, st);
}

Errno pathFilestatSetTimes(WasiContext &ctx, GuestMemory mem, u32 fd, u32 flags, u32 path,
                           u32 len, u64 atim, u64 mtim, u32 fstFlags) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathFilestatSetTimes, dir, true))
    return e;
  struct timespec ts[2];
  if (Errno e = hostTimes(atim, mtim, fstFlags, ts))
    return e;
  ParentDir pd;
  bool follow = flags & lookupflags::kSymlinkFollow;
  if (Errno e = resolveGuestPath(ctx, mem, *dir, path, len, follow, pd))
    return e;
  if (pd.trailingSlash)
    if (Errno e = requireDirectory(pd))
      return e;
  return hostResult(::utimensat(pd.fd, pd.leaf.c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

Errno pathLink(WasiContext &ctx, GuestMemory mem, u32 oldFd, u32 oldFlags, u32 oldPath,
               u32 oldLen, u32 newFd, u32 newPath, u32 newLen) {
  FdEntry *from, *to;
  if (Errno e = lookupDir(ctx, oldFd, rights::kPathLinkSource, from, true))
    return e;
  if (Errno e = lookupDir(ctx, newFd, rights::kPathLinkTarget, to, true))
    return e;
  if (from->preopenIndex != to->preopenIndex)
    return errno_::kXdev;
  ParentDir src, dst;
  bool follow = oldFlags & lookupflags::kSymlinkFollow;
  if (Errno e = resolveGuestPath(ctx, mem, *from, oldPath, oldLen, follow, src))
    return e;
  if (Errno e = resolveGuestPath(ctx, mem, *to, newPath, newLen, false, dst))
    return e;
  if (src.trailingSlash) {
    // Only a directory may carry a trailing slash, and directories cannot be linked.
    Errno e = requireDirectory(src);
    return e ? e : errno_::kPerm;
  }
  if (dst.trailingSlash)
    return trailingSlashCreateError(dst);
  // Never AT_SYMLINK_FOLLOW: a followed source was already expanded under the sandbox.
  return hostResult(::linkat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str(), 0));
}

Errno pathOpen(WasiContext &ctx, GuestMemory mem, u32 fd, u32 dirFlags, u32 path,
               u32 len, u32 oflagsIn, u64 base, u64 inheriting, u32 fdflagsIn, u32 fdOut) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathOpen, dir))
    return e;
  if (oflagsIn & ~uint32_t(oflags::kCreat | oflags::kDirectory | oflags::kExcl |
                           oflags::kTrunc))
    return errno_::kInval;
  if (fdflagsIn & ~uint32_t(fdflags::kAll))
    return errno_::kInval;
  if (!mem.inBounds(fdOut, 4))
    return errno_::kFault;
  std::string p;
  if (Errno e = readGuestString(mem, path, len, p))
    return e;

  Rights needed = 0;
  if (oflagsIn & oflags::kCreat)
    needed |= rights::kPathCreateFile;
  if (oflagsIn & oflags::kTrunc)
    needed |= rights::kPathFilestatSetSize;
  bool wantsWrite = (base & (rights::kFdWrite | rights::kFdAllocate |
                             rights::kFdFilestatSetSize)) ||
                    (fdflagsIn & fdflags::kAppend);
  bool wantsRead = base & (rights::kFdRead | rights::kFdReaddir);
  if (dir->readOnly && (wantsWrite || (oflagsIn & (oflags::kCreat | oflags::kTrunc))))
    return errno_::kPerm;
  if ((dir->base & needed) != needed)
    return errno_::kNotcapable;
  // A new descriptor may only get rights its directory may hand down.
  if ((base & ~dir->inheriting) || (inheriting & ~dir->inheriting))
    return errno_::kNotcapable;

  int flags = O_RDONLY;
  if (oflagsIn & oflags::kDirectory)
    flags = O_RDONLY | O_DIRECTORY;
  else if (wantsWrite)
    flags = wantsRead ? O_RDWR : O_WRONLY;
  if (oflagsIn & oflags::kCreat)
    flags |= O_CREAT;
  if (oflagsIn & oflags::kExcl)
    flags |= O_EXCL;
  if (oflagsIn & oflags::kTrunc)
    flags |= O_TRUNC;
  if (fdflagsIn & fdflags::kAppend)
    flags |= O_APPEND;
  if (fdflagsIn & fdflags::kDsync)
    flags |= O_DSYNC;
  if (fdflagsIn & fdflags::kSync)
    flags |= O_SYNC;
  if (fdflagsIn & fdflags::kRsync)
    flags |= O_RSYNC;
  if (fdflagsIn & fdflags::kNonblock)
    flags |= O_NONBLOCK;

  HostFd host;
  bool follow = dirFlags & lookupflags::kSymlinkFollow;
  if (Errno e = openBeneath(beneath(ctx, *dir), p, flags, 0666, follow, host))
    return e;
  // A directory cannot be opened for writing: EISDIR, as open(2) answers
  // O_WRONLY/O_RDWR on one and as Wasmtime does (the official suite's
  // path_open_preopen). Checked once the path resolved, so that lookup errors
  // (ENOENT, ENOTDIR, a path leaving the sandbox) come first, as in open(2).
  if ((oflagsIn & oflags::kDirectory) && wantsWrite)
    return errno_::kIsdir;
  FdEntry entry;
  if (Errno e = describeHostFd(host.get(), entry))
    return e;
  // Rights that do not apply to the opened file's type are dropped, as preview1 allows.
  entry.base &= base;
  entry.inheriting &= inheriting;
  entry.host = std::move(host);
  entry.preopenIndex = dir->preopenIndex;
  entry.readOnly = dir->readOnly;
  if (entry.readOnly)
    entry.base &= ~rights::kMutating;
  auto newFd = ctx.insert(std::move(entry));
  if (!newFd)
    return errno_::kMfile;
  mem.store<uint32_t>(fdOut, *newFd);
  return errno_::kSuccess;
}

Errno pathReadlink(WasiContext &ctx, GuestMemory mem, u32 fd, u32 path, u32 len, u32 buf,
                   u32 bufLen, u32 usedOut) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathReadlink, dir))
    return e;
  if (!mem.inBounds(buf, bufLen) || !mem.inBounds(usedOut, 4))
    return errno_::kFault;
  ParentDir pd;
  if (Errno e = resolveGuestPath(ctx, mem, *dir, path, len, false, pd))
    return e;
  std::string target;
  if (!readLinkAt(pd.fd, pd.leaf, target))
    return errnoFromHost(errno);
  // Like readlink(2), a short buffer gets a truncated target.
  uint32_t n = target.size() < bufLen ? uint32_t(target.size()) : bufLen;
  mem.storeBytes(buf, target.data(), n);
  mem.store<uint32_t>(usedOut, n);
  return errno_::kSuccess;
}

Errno pathRemoveDirectory(WasiContext &ctx, GuestMemory mem, u32 fd, u32 path, u32 len) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathRemoveDirectory, dir, true))
    return e;
  ParentDir pd;
  std::string p;
  if (Errno e = readGuestString(mem, path, len, p))
    return e;
  // Trailing slashes are fine on a directory and must not follow a final symlink.
  if (Errno e = resolveParent(beneath(ctx, *dir), p, pd))
    return e;
  return hostResult(::unlinkat(pd.fd, pd.leaf.c_str(), AT_REMOVEDIR));
}

Errno pathRename(WasiContext &ctx, GuestMemory mem, u32 fd, u32 oldPath, u32 oldLen,
                 u32 newFd, u32 newPath, u32 newLen) {
  FdEntry *from, *to;
  if (Errno e = lookupDir(ctx, fd, rights::kPathRenameSource, from, true))
    return e;
  if (Errno e = lookupDir(ctx, newFd, rights::kPathRenameTarget, to, true))
    return e;
  if (from->preopenIndex != to->preopenIndex)
    return errno_::kXdev;
  std::string a, b;
  if (Errno e = readGuestString(mem, oldPath, oldLen, a))
    return e;
  if (Errno e = readGuestString(mem, newPath, newLen, b))
    return e;
  ParentDir src, dst;
  if (Errno e = resolveParent(beneath(ctx, *from), a, src))
    return e;
  if (Errno e = resolveParent(beneath(ctx, *to), b, dst))
    return e;
  if (src.trailingSlash || dst.trailingSlash) {
    // rename(2): trailing slashes are only allowed when the source is a directory.
    struct stat st;
    if (::fstatat(src.fd, src.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errnoFromHost(errno);
    if (!S_ISDIR(st.st_mode))
      return errno_::kNotdir;
  }
  return hostResult(::renameat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str()));
}

Errno pathSymlink(WasiContext &ctx, GuestMemory mem, u32 oldPath, u32 oldLen, u32 fd,
                  u32 newPath, u32 newLen) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathSymlink, dir, true))
    return e;
  std::string target, p;
  if (Errno e = readGuestString(mem, oldPath, oldLen, target))
    return e;
  if (Errno e = readGuestString(mem, newPath, newLen, p))
    return e;
  // The target is checked like a guest path: an absolute target could never be
  // followed inside the sandbox and would point host tools outside it (EPERM).
  if (Errno e = checkGuestPath(target))
    return e;
  ParentDir pd;
  if (Errno e = resolveParent(beneath(ctx, *dir), p, pd))
    return e;
  if (pd.trailingSlash)
    return trailingSlashCreateError(pd);
  return hostResult(::symlinkat(target.c_str(), pd.fd, pd.leaf.c_str()));
}

Errno pathUnlinkFile(WasiContext &ctx, GuestMemory mem, u32 fd, u32 path, u32 len) {
  FdEntry *dir;
  if (Errno e = lookupDir(ctx, fd, rights::kPathUnlinkFile, dir, true))
    return e;
  std::string p;
  if (Errno e = readGuestString(mem, path, len, p))
    return e;
  ParentDir pd;
  if (Errno e = resolveParent(beneath(ctx, *dir), p, pd))
    return e;
  if (pd.trailingSlash) {
    // unlinkat(2) with a trailing slash never removes anything: name why.
    struct stat st;
    if (::fstatat(pd.fd, pd.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errnoFromHost(errno);
    return S_ISDIR(st.st_mode) ? errno_::kIsdir : errno_::kNotdir;
  }
  return hostResult(::unlinkat(pd.fd, pd.leaf.c_str(), 0));
}

} // namespace wasmrt::wasi
