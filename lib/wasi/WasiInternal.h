// Helpers shared by the WASI function implementations; not part of the layer's API.
#pragma once

#include "wasi/GuestMemory.h"
#include "wasi/WasiContext.h"

#include <sys/stat.h>
#include <sys/uio.h>

#include <cerrno>
#include <string>
#include <vector>

namespace wasmrt::wasi::detail {

// EBADF if `fd` is not open; EPERM if `mutates` and it lies under a read-only
// preopen (checked before rights, so read-only trees answer like wasmtime's);
// ENOTCAPABLE if it lacks any of `required`.
Errno lookupFd(WasiContext &ctx, uint32_t fd, Rights required, FdEntry *&out,
               bool mutates = false);
// Like lookupFd, and the descriptor must be a directory (ENOTDIR otherwise).
Errno lookupDir(WasiContext &ctx, uint32_t fd, Rights required, FdEntry *&out,
                bool mutates = false);

// Reads an (c)iovec array into host iovecs, checking every buffer (EFAULT). Keeps at
// most IOV_MAX entries: a shorter transfer is a legal result.
Errno gatherIovecs(GuestMemory mem, uint32_t iovs, uint32_t count, std::vector<iovec> &out);
// Reads a guest path string (EFAULT if out of bounds).
Errno readGuestString(GuestMemory mem, uint32_t ptr, uint32_t len, std::string &out);

uint8_t filetypeFromMode(mode_t mode);
Errno storeFilestat(GuestMemory mem, uint32_t ptr, const struct stat &st);
// fstflags + times -> the two timespecs of futimens/utimensat (EINVAL on bad flags).
Errno hostTimes(uint64_t atim, uint64_t mtim, uint32_t fstFlags, struct timespec out[2]);

// Calls `call` (a system call returning a negative value and setting errno on
// failure) again for as long as a signal interrupts it: a handler installed
// without SA_RESTART by the embedding process must not reach the guest as EINTR
// (docs/WASI.md, "Signals").
template <typename Call> auto retryOnEintr(Call &&call) {
  auto result = call();
  while (result < 0 && errno == EINTR)
    result = call();
  return result;
}

} // namespace wasmrt::wasi::detail
