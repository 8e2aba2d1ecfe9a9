// The numeric vocabulary of wasi_snapshot_preview1 (typenames.witx): errno values,
// rights, flags, enums and the byte layouts of the structs guests pass by pointer.
// Values are the witx enum/flag positions; layouts follow the witx C ABI (natural
// alignment, little-endian).
#pragma once

#include <cstdint>

namespace wasmrt::wasi {

using Errno = uint16_t;

namespace errno_ {
constexpr Errno kSuccess = 0, k2big = 1, kAcces = 2, kAddrinuse = 3, kAddrnotavail = 4,
                kAfnosupport = 5, kAgain = 6, kAlready = 7, kBadf = 8, kBadmsg = 9,
                kBusy = 10, kCanceled = 11, kChild = 12, kConnaborted = 13,
                kConnrefused = 14, kConnreset = 15, kDeadlk = 16, kDestaddrreq = 17,
                kDom = 18, kDquot = 19, kExist = 20, kFault = 21, kFbig = 22,
                kHostunreach = 23, kIdrm = 24, kIlseq = 25, kInprogress = 26, kIntr = 27,
                kInval = 28, kIo = 29, kIsconn = 30, kIsdir = 31, kLoop = 32, kMfile = 33,
                kMlink = 34, kMsgsize = 35, kMultihop = 36, kNametoolong = 37,
                kNetdown = 38, kNetreset = 39, kNetunreach = 40, kNfile = 41,
                kNobufs = 42, kNodev = 43, kNoent = 44, kNoexec = 45, kNolck = 46,
                kNolink = 47, kNomem = 48, kNomsg = 49, kNoprotoopt = 50, kNospc = 51,
                kNosys = 52, kNotconn = 53, kNotdir = 54, kNotempty = 55,
                kNotrecoverable = 56, kNotsock = 57, kNotsup = 58, kNotty = 59,
                kNxio = 60, kOverflow = 61, kOwnerdead = 62, kPerm = 63, kPipe = 64,
                kProto = 65, kProtonosupport = 66, kPrototype = 67, kRange = 68,
                kRofs = 69, kSpipe = 70, kSrch = 71, kStale = 72, kTimedout = 73,
                kTxtbsy = 74, kXdev = 75, kNotcapable = 76;
// Not a preview1 errno: proc_exit returns it so the binding unwinds the guest and
// reports WasiContext::exitCode(). Chosen far outside the witx range (0..76).
constexpr Errno kExitRequested = 0xffff;
} // namespace errno_

using Rights = uint64_t;
namespace rights {
constexpr Rights kFdDatasync = 1ull << 0, kFdRead = 1ull << 1, kFdSeek = 1ull << 2,
                 kFdFdstatSetFlags = 1ull << 3, kFdSync = 1ull << 4, kFdTell = 1ull << 5,
                 kFdWrite = 1ull << 6, kFdAdvise = 1ull << 7, kFdAllocate = 1ull << 8,
                 kPathCreateDirectory = 1ull << 9, kPathCreateFile = 1ull << 10,
                 kPathLinkSource = 1ull << 11, kPathLinkTarget = 1ull << 12,
                 kPathOpen = 1ull << 13, kFdReaddir = 1ull << 14,
                 kPathReadlink = 1ull << 15, kPathRenameSource = 1ull << 16,
                 kPathRenameTarget = 1ull << 17, kPathFilestatGet = 1ull << 18,
                 kPathFilestatSetSize = 1ull << 19, kPathFilestatSetTimes = 1ull << 20,
                 kFdFilestatGet = 1ull << 21, kFdFilestatSetSize = 1ull << 22,
                 kFdFilestatSetTimes = 1ull << 23, kPathSymlink = 1ull << 24,
                 kPathRemoveDirectory = 1ull << 25, kPathUnlinkFile = 1ull << 26,
                 kPollFdReadwrite = 1ull << 27, kSockShutdown = 1ull << 28,
                 kSockAccept = 1ull << 29;
constexpr Rights kAll = (1ull << 30) - 1;
// Rights that only make sense on a directory.
constexpr Rights kDirectoryOnly =
    kPathCreateDirectory | kPathCreateFile | kPathLinkSource | kPathLinkTarget |
    kPathOpen | kFdReaddir | kPathReadlink | kPathRenameSource | kPathRenameTarget |
    kPathFilestatGet | kPathFilestatSetSize | kPathFilestatSetTimes | kPathSymlink |
    kPathRemoveDirectory | kPathUnlinkFile;
constexpr Rights kDirectoryBase =
    kDirectoryOnly | kFdFdstatSetFlags | kFdSync | kFdDatasync | kFdAdvise |
    kFdFilestatGet | kFdFilestatSetTimes | kPollFdReadwrite;
constexpr Rights kRegularFile =
    kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell | kFdWrite |
    kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize |
    kFdFilestatSetTimes | kPollFdReadwrite;
// Character devices, pipes and sockets: no seeking, sizes or allocation.
constexpr Rights kStream = kFdRead | kFdWrite | kFdFdstatSetFlags | kFdFilestatGet |
                           kPollFdReadwrite | kFdSync | kFdDatasync;
constexpr Rights kSocket = kStream | kSockShutdown | kSockAccept;
// What a read-only preopen strips from every descriptor beneath it.
constexpr Rights kMutating =
    kFdDatasync | kFdWrite | kFdAllocate | kPathCreateDirectory | kPathCreateFile |
    kPathLinkSource | kPathLinkTarget | kPathRenameSource | kPathRenameTarget |
    kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatSetSize |
    kFdFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
} // namespace rights

namespace filetype {
constexpr uint8_t kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3,
                  kRegularFile = 4, kSocketDgram = 5, kSocketStream = 6,
                  kSymbolicLink = 7;
}
namespace fdflags {
constexpr uint16_t kAppend = 1, kDsync = 2, kNonblock = 4, kRsync = 8, kSync = 16;
constexpr uint16_t kAll = 31;
} // namespace fdflags
namespace oflags {
constexpr uint16_t kCreat = 1, kDirectory = 2, kExcl = 4, kTrunc = 8;
}
namespace lookupflags {
constexpr uint32_t kSymlinkFollow = 1;
}
namespace fstflags {
constexpr uint16_t kAtim = 1, kAtimNow = 2, kMtim = 4, kMtimNow = 8;
}
namespace clockid {
constexpr uint32_t kRealtime = 0, kMonotonic = 1, kProcessCputime = 2,
                   kThreadCputime = 3;
}
namespace whence {
constexpr uint32_t kSet = 0, kCur = 1, kEnd = 2;
}
namespace advice {
constexpr uint32_t kNormal = 0, kSequential = 1, kRandom = 2, kWillneed = 3,
                   kDontneed = 4, kNoreuse = 5;
}
namespace eventtype {
constexpr uint8_t kClock = 0, kFdRead = 1, kFdWrite = 2;
}
namespace eventrwflags {
constexpr uint16_t kHangup = 1;
}
namespace subclockflags {
constexpr uint16_t kAbstime = 1;
}
namespace riflags {
constexpr uint16_t kRecvPeek = 1, kRecvWaitall = 2;
}
namespace roflags {
constexpr uint16_t kRecvDataTruncated = 1;
}
namespace sdflags {
constexpr uint8_t kRd = 1, kWr = 2;
}
namespace preopentype {
constexpr uint8_t kDir = 0;
}

// Struct layouts: sizes and field offsets in guest memory.
namespace layout {
// iovec / ciovec
constexpr uint32_t kIovecSize = 8, kIovecBuf = 0, kIovecLen = 4;
// fdstat
constexpr uint32_t kFdstatSize = 24, kFdstatFiletype = 0, kFdstatFlags = 2,
                   kFdstatRightsBase = 8, kFdstatRightsInheriting = 16;
// filestat
constexpr uint32_t kFilestatSize = 64, kFilestatDev = 0, kFilestatIno = 8,
                   kFilestatFiletype = 16, kFilestatNlink = 24, kFilestatSize_ = 32,
                   kFilestatAtim = 40, kFilestatMtim = 48, kFilestatCtim = 56;
// dirent (followed by d_namlen name bytes)
constexpr uint32_t kDirentSize = 24, kDirentNext = 0, kDirentIno = 8, kDirentNamlen = 16,
                   kDirentType = 20;
// prestat
constexpr uint32_t kPrestatSize = 8, kPrestatTag = 0, kPrestatNameLen = 4;
// subscription: userdata, then the tagged union (tag at 8, payload at 16)
constexpr uint32_t kSubscriptionSize = 48, kSubUserdata = 0, kSubTag = 8,
                   kSubClockId = 16, kSubClockTimeout = 24, kSubClockPrecision = 32,
                   kSubClockFlags = 40, kSubFd = 16;
// event
constexpr uint32_t kEventSize = 32, kEventUserdata = 0, kEventError = 8, kEventType = 10,
                   kEventNbytes = 16, kEventFlags = 24;
} // namespace layout

} // namespace wasmrt::wasi
