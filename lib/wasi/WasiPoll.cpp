// poll_oneoff over host descriptors with ppoll (nanosecond timeouts). Sockets driven
// by a libuv loop come later, with the runtime's event loop; see docs/WASI.md.
#include "wasi/Errno.h"
#include "wasi/Wasi.h"
#include "wasi/WasiInternal.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace wasmrt::wasi {

using namespace detail;

namespace {

struct Event {
  uint64_t userdata = 0;
  Errno error = errno_::kSuccess;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct FdWait {
  uint64_t userdata;
  uint8_t type;
};

struct ClockWait {
  uint64_t userdata;
  uint64_t deadline; // host CLOCK_MONOTONIC nanoseconds
};

uint64_t monotonicNow() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

struct PollState {
  std::vector<Event> ready;
  std::vector<pollfd> pfds;
  std::vector<FdWait> waits;
  std::vector<ClockWait> clocks;
};

// Reads subscription `i`; returns non-zero only for errors that fail the whole call.
Errno readSubscription(WasiContext &ctx, GuestMemory mem, uint32_t at, uint64_t start,
                       PollState &st) {
  uint64_t userdata = 0;
  uint8_t tag = 0;
  mem.load(at + layout::kSubUserdata, userdata);
  mem.load(at + layout::kSubTag, tag);
  if (tag == eventtype::kClock) {
    uint32_t id = 0;
    uint64_t timeout = 0;
    uint16_t flags = 0;
    mem.load(at + layout::kSubClockId, id);
    mem.load(at + layout::kSubClockTimeout, timeout);
    mem.load(at + layout::kSubClockFlags, flags);
    uint64_t now = 0;
    Errno e = (flags & ~subclockflags::kAbstime) ? errno_::kInval : ctx.clockTime(id, now);
    if (e) {
      st.ready.push_back(Event{userdata, e, tag, 0, 0});
      return errno_::kSuccess;
    }
    uint64_t remaining = timeout;
    if (flags & subclockflags::kAbstime)
      remaining = timeout > now ? timeout - now : 0;
    st.clocks.push_back(ClockWait{userdata, saturatingAdd(start, remaining)});
    return errno_::kSuccess;
  }
  if (tag != eventtype::kFdRead && tag != eventtype::kFdWrite)
    return errno_::kInval;
  uint32_t fd = 0;
  mem.load(at + layout::kSubFd, fd);
  FdEntry *e = ctx.get(fd);
  Rights need = rights::kPollFdReadwrite |
                (tag == eventtype::kFdRead ? rights::kFdRead : rights::kFdWrite);
  if (!e || (e->base & need) != need) {
    st.ready.push_back(Event{userdata, e ? errno_::kNotcapable : errno_::kBadf, tag, 0, 0});
    return errno_::kSuccess;
  }
  struct stat sb;
  if (::fstat(e->host.get(), &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode) ||
                                           S_ISBLK(sb.st_mode))) {
    // Files are always ready; report what is left to read, as other runtimes do.
    Event ev{userdata, errno_::kSuccess, tag, 0, 0};
    if (tag == eventtype::kFdRead && S_ISREG(sb.st_mode)) {
      off_t pos = ::lseek(e->host.get(), 0, SEEK_CUR);
      if (pos >= 0 && sb.st_size > pos)
        ev.nbytes = uint64_t(sb.st_size - pos);
    }
    st.ready.push_back(ev);
    return errno_::kSuccess;
  }
  short events = tag == eventtype::kFdRead ? POLLIN : POLLOUT;
  st.pfds.push_back(pollfd{e->host.get(), events, 0});
  st.waits.push_back(FdWait{userdata, tag});
  return errno_::kSuccess;
}

Errno waitForEvents(PollState &st) {
  bool block = st.ready.empty();
  for (;;) {
    struct timespec ts = {0, 0};
    struct timespec *timeout = &ts;
    if (block) {
      if (st.clocks.empty()) {
        timeout = nullptr;
      } else {
        uint64_t deadline = st.clocks[0].deadline;
        for (const ClockWait &c : st.clocks)
          deadline = std::min(deadline, c.deadline);
        uint64_t now = monotonicNow();
        uint64_t wait = deadline > now ? deadline - now : 0;
        ts.tv_sec = time_t(std::min<uint64_t>(wait / 1000000000ull, INT32_MAX));
        ts.tv_nsec = long(wait % 1000000000ull);
      }
    }
    int r = ::ppoll(st.pfds.data(), st.pfds.size(), timeout, nullptr);
    if (r >= 0)
      return errno_::kSuccess;
    if (errno != EINTR)
      return errnoFromHost(errno);
  }
}

void collectEvents(PollState &st) {
  for (size_t i = 0; i < st.pfds.size(); ++i) {
    short rev = st.pfds[i].revents;
    if (!rev)
      continue;
    Event ev{st.waits[i].userdata, errno_::kSuccess, st.waits[i].type, 0, 0};
    if (rev & POLLNVAL)
      ev.error = errno_::kBadf;
    if (rev & POLLHUP)
      ev.flags |= eventrwflags::kHangup;
    if (ev.type == eventtype::kFdRead && (rev & POLLIN)) {
      int avail = 0;
      if (::ioctl(st.pfds[i].fd, FIONREAD, &avail) == 0 && avail > 0)
        ev.nbytes = uint64_t(avail);
    }
    st.ready.push_back(ev);
  }
  uint64_t now = monotonicNow();
  for (const ClockWait &c : st.clocks)
    if (c.deadline <= now)
      st.ready.push_back(Event{c.userdata, errno_::kSuccess, eventtype::kClock, 0, 0});
}

} // namespace

Errno pollOneoff(WasiContext &ctx, GuestMemory mem, u32 in, u32 out, u32 nsubscriptions,
                 u32 neventsOut) {
  if (nsubscriptions == 0)
    return errno_::kInval;
  if (!mem.inBounds(in, uint64_t(nsubscriptions) * layout::kSubscriptionSize) ||
      !mem.inBounds(out, uint64_t(nsubscriptions) * layout::kEventSize) ||
      !mem.inBounds(neventsOut, 4))
    return errno_::kFault;
  PollState st;
  uint64_t start = monotonicNow();
  for (uint32_t i = 0; i < nsubscriptions; ++i)
    if (Errno e = readSubscription(ctx, mem, in + i * layout::kSubscriptionSize, start, st))
      return e;
  bool immediate = !st.ready.empty();
  do {
    if (!st.pfds.empty() || st.ready.empty())
      if (Errno e = waitForEvents(st))
        return e;
    collectEvents(st);
  } while (!immediate && st.ready.empty()); // a wake-up before any deadline passed
  uint32_t n = uint32_t(std::min<size_t>(st.ready.size(), nsubscriptions));
  for (uint32_t i = 0; i < n; ++i) {
    const Event &ev = st.ready[i];
    uint32_t at = out + i * layout::kEventSize;
    std::memset(mem.bytes(at, layout::kEventSize)->data(), 0, layout::kEventSize);
    mem.store<uint64_t>(at + layout::kEventUserdata, ev.userdata);
    mem.store<uint16_t>(at + layout::kEventError, ev.error);
    mem.store<uint8_t>(at + layout::kEventType, ev.type);
    mem.store<uint64_t>(at + layout::kEventNbytes, ev.nbytes);
    mem.store<uint16_t>(at + layout::kEventFlags, ev.flags);
  }
  mem.store<uint32_t>(neventsOut, n);
  return errno_::kSuccess;
}

} // namespace wasmrt::wasi
