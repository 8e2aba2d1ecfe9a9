// sock_* on sockets the embedder handed to the context (preview1 cannot create them).
#include "wasi/Errno.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <sys/socket.h>

#include <cerrno>

namespace wasmrt::wasi {

using namespace detail;

namespace {
// A descriptor that is not a socket is ENOTSOCK before its rights are looked
// at (it lacks every sock_* right anyway): what POSIX, Wasmtime and the
// official WASI suite (sock_shutdown-not_sock) say, not ENOTCAPABLE.
Errno lookupSocket(WasiContext &ctx, uint32_t fd, Rights required, FdEntry *&out) {
  if (Errno e = lookupFd(ctx, fd, 0, out))
    return e;
  if (!out->isSocket)
    return errno_::kNotsock;
  return lookupFd(ctx, fd, required, out);
}
} // namespace

Errno sockAccept(WasiContext &ctx, GuestMemory mem, u32 fd, u32 flags, u32 fdOut) {
  FdEntry *e;
  if (Errno err = lookupSocket(ctx, fd, rights::kSockAccept, e))
    return err;
  if (flags & ~uint32_t(fdflags::kNonblock))
    return errno_::kInval;
  if (!mem.inBounds(fdOut, 4))
    return errno_::kFault;
  int hostFlags = SOCK_CLOEXEC | ((flags & fdflags::kNonblock) ? SOCK_NONBLOCK : 0);
  int s;
  do
    s = ::accept4(e->host.get(), nullptr, nullptr, hostFlags);
  while (s < 0 && errno == EINTR);
  if (s < 0)
    return errnoFromHost(errno);
  FdEntry entry;
  entry.host = HostFd(s);
  if (Errno err = describeHostFd(s, entry))
    return err;
  // A connection cannot accept; it keeps the rest of what the listener may hand down.
  entry.base &= e->inheriting & ~rights::kSockAccept;
  entry.inheriting &= e->inheriting;
  auto newFd = ctx.insert(std::move(entry));
  if (!newFd)
    return errno_::kMfile;
  mem.store<uint32_t>(fdOut, *newFd);
  return errno_::kSuccess;
}

Errno sockRecv(WasiContext &ctx, GuestMemory mem, u32 fd, u32 riData, u32 riDataLen,
               u32 riFlags, u32 sizeOut, u32 roFlagsOut) {
  FdEntry *e;
  if (Errno err = lookupSocket(ctx, fd, rights::kFdRead, e))
    return err;
  if (riFlags & ~uint32_t(riflags::kRecvPeek | riflags::kRecvWaitall))
    return errno_::kInval;
  std::vector<iovec> vec;
  if (Errno err = gatherIovecs(mem, riData, riDataLen, vec))
    return err;
  if (!mem.inBounds(sizeOut, 4) || !mem.inBounds(roFlagsOut, 2))
    return errno_::kFault;
  struct msghdr msg = {};
  msg.msg_iov = vec.data();
  msg.msg_iovlen = vec.size();
  int flags = ((riFlags & riflags::kRecvPeek) ? MSG_PEEK : 0) |
              ((riFlags & riflags::kRecvWaitall) ? MSG_WAITALL : 0);
  ssize_t n;
  do
    n = ::recvmsg(e->host.get(), &msg, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errnoFromHost(errno);
  mem.store<uint32_t>(sizeOut, uint32_t(n));
  mem.store<uint16_t>(roFlagsOut,
                      (msg.msg_flags & MSG_TRUNC) ? roflags::kRecvDataTruncated : 0);
  return errno_::kSuccess;
}

Errno sockSend(WasiContext &ctx, GuestMemory mem, u32 fd, u32 siData, u32 siDataLen,
               u32 siFlags, u32 sizeOut) {
  FdEntry *e;
  if (Errno err = lookupSocket(ctx, fd, rights::kFdWrite, e))
    return err;
  if (siFlags != 0)
    return errno_::kInval; // preview1 defines no send flags
  std::vector<iovec> vec;
  if (Errno err = gatherIovecs(mem, siData, siDataLen, vec))
    return err;
  if (!mem.inBounds(sizeOut, 4))
    return errno_::kFault;
  struct msghdr msg = {};
  msg.msg_iov = vec.data();
  msg.msg_iovlen = vec.size();
  ssize_t n;
  do
    n = ::sendmsg(e->host.get(), &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errnoFromHost(errno);
  mem.store<uint32_t>(sizeOut, uint32_t(n));
  return errno_::kSuccess;
}

Errno sockShutdown(WasiContext &ctx, GuestMemory, u32 fd, u32 how) {
  FdEntry *e;
  if (Errno err = lookupSocket(ctx, fd, rights::kSockShutdown, e))
    return err;
  int host;
  switch (how) {
  case sdflags::kRd: host = SHUT_RD; break;
  case sdflags::kWr: host = SHUT_WR; break;
  case sdflags::kRd | sdflags::kWr: host = SHUT_RDWR; break;
  default: return errno_::kInval;
  }
  return ::shutdown(e->host.get(), host) == 0 ? errno_::kSuccess : errnoFromHost(errno);
}

} // namespace wasmrt::wasi
