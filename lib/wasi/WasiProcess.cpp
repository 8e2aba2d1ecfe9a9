// args, environ, clocks, random, scheduling and process exit.
#include "wasi/Errno.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <sched.h>
#include <time.h>

#include <cerrno>
#include <vector>

namespace wasmrt::wasi {

namespace {

Errno stringsSizes(const std::vector<std::string> &list, GuestMemory mem, u32 countOut,
                   u32 sizeOut) {
  uint64_t bytes = 0;
  for (const auto &s : list)
    bytes += s.size() + 1;
  if (list.size() > UINT32_MAX || bytes > UINT32_MAX)
    return errno_::kOverflow;
  if (!mem.store<uint32_t>(countOut, uint32_t(list.size())) ||
      !mem.store<uint32_t>(sizeOut, uint32_t(bytes)))
    return errno_::kFault;
  return errno_::kSuccess;
}

// Writes the pointer array at `ptrs` and the NUL-terminated strings at `buf`, after
// checking both regions so a bad pointer leaves guest memory untouched.
Errno stringsGet(const std::vector<std::string> &list, GuestMemory mem, u32 ptrs, u32 buf) {
  uint64_t bytes = 0;
  for (const auto &s : list)
    bytes += s.size() + 1;
  if (!mem.inBounds(ptrs, uint64_t(list.size()) * 4) || !mem.inBounds(buf, bytes))
    return errno_::kFault;
  uint32_t at = buf;
  for (size_t i = 0; i < list.size(); ++i) {
    mem.store<uint32_t>(ptrs + uint32_t(i * 4), at);
    mem.storeBytes(at, list[i].data(), list[i].size());
    mem.store<uint8_t>(at + uint32_t(list[i].size()), 0);
    at += uint32_t(list[i].size() + 1);
  }
  return errno_::kSuccess;
}

} // namespace

Errno argsGet(WasiContext &ctx, GuestMemory mem, u32 argv, u32 argvBuf) {
  return stringsGet(ctx.args(), mem, argv, argvBuf);
}
Errno argsSizesGet(WasiContext &ctx, GuestMemory mem, u32 countOut, u32 bufSizeOut) {
  return stringsSizes(ctx.args(), mem, countOut, bufSizeOut);
}
Errno environGet(WasiContext &ctx, GuestMemory mem, u32 environ, u32 environBuf) {
  return stringsGet(ctx.env(), mem, environ, environBuf);
}
Errno environSizesGet(WasiContext &ctx, GuestMemory mem, u32 countOut, u32 bufSizeOut) {
  return stringsSizes(ctx.env(), mem, countOut, bufSizeOut);
}

Errno clockResGet(WasiContext &, GuestMemory mem, u32 clockId, u32 resolutionOut) {
  clockid_t host;
  if (!hostClockId(clockId, host))
    return errno_::kInval;
  struct timespec ts;
  if (::clock_getres(host, &ts) != 0)
    return errnoFromHost(errno);
  uint64_t ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  if (ns == 0)
    ns = 1; // preview1 requires a non-zero resolution for supported clocks
  return mem.store<uint64_t>(resolutionOut, ns) ? errno_::kSuccess : errno_::kFault;
}

Errno clockTimeGet(WasiContext &ctx, GuestMemory mem, u32 clockId, u64, u32 timeOut) {
  uint64_t ns = 0;
  if (Errno e = ctx.clockTime(clockId, ns))
    return e;
  return mem.store<uint64_t>(timeOut, ns) ? errno_::kSuccess : errno_::kFault;
}

Errno randomGet(WasiContext &ctx, GuestMemory mem, u32 buf, u32 bufLen) {
  auto bytes = mem.bytes(buf, bufLen);
  if (!bytes)
    return errno_::kFault;
  return ctx.randomBytes(*bytes);
}

Errno schedYield(WasiContext &, GuestMemory) {
  ::sched_yield();
  return errno_::kSuccess;
}

Errno procExit(WasiContext &ctx, GuestMemory, u32 code) {
  ctx.requestExit(code);
  return errno_::kExitRequested;
}

// Signals cannot be delivered into a wasm guest; like wasmtime, report "not supported".
Errno procRaise(WasiContext &, GuestMemory, u32) { return errno_::kNotsup; }

} // namespace wasmrt::wasi
