// wasi_snapshot_preview1 as plain C++ functions, independent of the JIT and runtime.
//
// Each function takes the context, a GuestMemory snapshot and the wasm-level
// parameters (i32 as uint32_t, i64 as uint64_t) in witx order, with result pointers
// last, and returns the preview1 errno. proc_exit returns errno_::kExitRequested
// after recording the exit code; the binding must then stop the guest. The binding
// layer (added with the public API) wraps these per WasiFunctions.def.
#pragma once

#include "wasi/GuestMemory.h"
#include "wasi/WasiContext.h"

#include <cstdint>

namespace wasmrt::wasi {

using u32 = uint32_t;
using u64 = uint64_t;

Errno argsGet(WasiContext &, GuestMemory, u32 argv, u32 argvBuf);
Errno argsSizesGet(WasiContext &, GuestMemory, u32 countOut, u32 bufSizeOut);
Errno environGet(WasiContext &, GuestMemory, u32 environ, u32 environBuf);
Errno environSizesGet(WasiContext &, GuestMemory, u32 countOut, u32 bufSizeOut);
Errno clockResGet(WasiContext &, GuestMemory, u32 clockId, u32 resolutionOut);
Errno clockTimeGet(WasiContext &, GuestMemory, u32 clockId, u64 precision, u32 timeOut);

Errno fdAdvise(WasiContext &, GuestMemory, u32 fd, u64 offset, u64 len, u32 advice);
Errno fdAllocate(WasiContext &, GuestMemory, u32 fd, u64 offset, u64 len);
Errno fdClose(WasiContext &, GuestMemory, u32 fd);
Errno fdDatasync(WasiContext &, GuestMemory, u32 fd);
Errno fdFdstatGet(WasiContext &, GuestMemory, u32 fd, u32 fdstatOut);
Errno fdFdstatSetFlags(WasiContext &, GuestMemory, u32 fd, u32 flags);
Errno fdFdstatSetRights(WasiContext &, GuestMemory, u32 fd, u64 base, u64 inheriting);
Errno fdFilestatGet(WasiContext &, GuestMemory, u32 fd, u32 filestatOut);
Errno fdFilestatSetSize(WasiContext &, GuestMemory, u32 fd, u64 size);
Errno fdFilestatSetTimes(WasiContext &, GuestMemory, u32 fd, u64 atim, u64 mtim,
                         u32 fstFlags);
Errno fdPread(WasiContext &, GuestMemory, u32 fd, u32 iovs, u32 iovsLen, u64 offset,
              u32 nreadOut);
Errno fdPrestatGet(WasiContext &, GuestMemory, u32 fd, u32 prestatOut);
Errno fdPrestatDirName(WasiContext &, GuestMemory, u32 fd, u32 path, u32 pathLen);
Errno fdPwrite(WasiContext &, GuestMemory, u32 fd, u32 iovs, u32 iovsLen, u64 offset,
               u32 nwrittenOut);
Errno fdRead(WasiContext &, GuestMemory, u32 fd, u32 iovs, u32 iovsLen, u32 nreadOut);
Errno fdReaddir(WasiContext &, GuestMemory, u32 fd, u32 buf, u32 bufLen, u64 cookie,
                u32 usedOut);
Errno fdRenumber(WasiContext &, GuestMemory, u32 fd, u32 to);
Errno fdSeek(WasiContext &, GuestMemory, u32 fd, u64 offset, u32 whence, u32 newOffsetOut);
Errno fdSync(WasiContext &, GuestMemory, u32 fd);
Errno fdTell(WasiContext &, GuestMemory, u32 fd, u32 offsetOut);
Errno fdWrite(WasiContext &, GuestMemory, u32 fd, u32 iovs, u32 iovsLen, u32 nwrittenOut);

Errno pathCreateDirectory(WasiContext &, GuestMemory, u32 fd, u32 path, u32 pathLen);
Errno pathFilestatGet(WasiContext &, GuestMemory, u32 fd, u32 lookupFlags, u32 path,
                      u32 pathLen, u32 filestatOut);
Errno pathFilestatSetTimes(WasiContext &, GuestMemory, u32 fd, u32 lookupFlags, u32 path,
                           u32 pathLen, u64 atim, u64 mtim, u32 fstFlags);
Errno pathLink(WasiContext &, GuestMemory, u32 oldFd, u32 oldFlags, u32 oldPath,
               u32 oldPathLen, u32 newFd, u32 newPath, u32 newPathLen);
Errno pathOpen(WasiContext &, GuestMemory, u32 fd, u32 dirFlags, u32 path, u32 pathLen,
               u32 oflags, u64 rightsBase, u64 rightsInheriting, u32 fdflags, u32 fdOut);
Errno pathReadlink(WasiContext &, GuestMemory, u32 fd, u32 path, u32 pathLen, u32 buf,
                   u32 bufLen, u32 usedOut);
Errno pathRemoveDirectory(WasiContext &, GuestMemory, u32 fd, u32 path, u32 pathLen);
Errno pathRename(WasiContext &, GuestMemory, u32 fd, u32 oldPath, u32 oldPathLen,
                 u32 newFd, u32 newPath, u32 newPathLen);
Errno pathSymlink(WasiContext &, GuestMemory, u32 oldPath, u32 oldPathLen, u32 fd,
                  u32 newPath, u32 newPathLen);
Errno pathUnlinkFile(WasiContext &, GuestMemory, u32 fd, u32 path, u32 pathLen);

Errno pollOneoff(WasiContext &, GuestMemory, u32 in, u32 out, u32 nsubscriptions,
                 u32 neventsOut);
Errno procExit(WasiContext &, GuestMemory, u32 code);
Errno procRaise(WasiContext &, GuestMemory, u32 signal);
Errno schedYield(WasiContext &, GuestMemory);
Errno randomGet(WasiContext &, GuestMemory, u32 buf, u32 bufLen);

Errno sockAccept(WasiContext &, GuestMemory, u32 fd, u32 flags, u32 fdOut);
Errno sockRecv(WasiContext &, GuestMemory, u32 fd, u32 riData, u32 riDataLen, u32 riFlags,
               u32 sizeOut, u32 roFlagsOut);
Errno sockSend(WasiContext &, GuestMemory, u32 fd, u32 siData, u32 siDataLen, u32 siFlags,
               u32 sizeOut);
Errno sockShutdown(WasiContext &, GuestMemory, u32 fd, u32 how);

} // namespace wasmrt::wasi
