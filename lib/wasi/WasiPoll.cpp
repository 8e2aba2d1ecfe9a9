// poll_oneoff. Blocking waits happen in the context's libuv loop (uv_poll_t watchers and
// one uv_timer_t); the exact readiness of every descriptor and the last sub-millisecond
// stretch before a deadline come from ppoll, because libuv timers count whole
// milliseconds and uv_poll_t does not report POLLHUP. See docs/WASI.md.
#include "wasi/Errno.h"
#include "wasi/EventLoop.h"
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
#include <optional>

namespace wasmrt::wasi {

using namespace detail;

namespace {

constexpr uint64_t kMs = 1000000;
// Waits shorter than this are done by ppoll alone. Longer ones block in libuv with a
// timer that ends this much early (libuv's loop time is a whole-millisecond count that
// may lag the clock by up to a millisecond), and ppoll finishes to the nanosecond.
constexpr uint64_t kLibuvMargin = 2 * kMs;

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
  size_t pfd; // index into PollState::pfds (one entry per distinct host descriptor)
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

Errno readClock(WasiContext &ctx, GuestMemory mem, uint32_t at, uint64_t userdata,
                uint64_t start, PollState &st) {
  uint32_t id = 0;
  uint64_t timeout = 0;
  uint16_t flags = 0;
  mem.load(at + layout::kSubClockId, id);
  mem.load(at + layout::kSubClockTimeout, timeout);
  mem.load(at + layout::kSubClockFlags, flags);
  uint64_t now = 0;
  Errno e = (flags & ~subclockflags::kAbstime) ? errno_::kInval : ctx.clockTime(id, now);
  if (e) {
    st.ready.push_back(Event{userdata, e, eventtype::kClock, 0, 0});
    return errno_::kSuccess;
  }
  uint64_t deadline;
  if (flags & subclockflags::kAbstime) {
    // Read after the subscription's clock, so the converted deadline is never early.
    // CPU-time clocks barely advance while the thread sleeps here, so their deadlines
    // become elapsed monotonic time too (as relative ones always are).
    uint64_t remaining = timeout > now ? timeout - now : 0;
    deadline = saturatingAdd(monotonicNow(), remaining);
  } else {
    deadline = saturatingAdd(start, timeout);
  }
  st.clocks.push_back(ClockWait{userdata, deadline});
  return errno_::kSuccess;
}

// Regular files, directories and block devices cannot be waited for: they are ready,
// and a read reports what is left before end of file (hangup at end of file), as
// wasmtime does. False if `hostFd` is something to wait for.
bool alwaysReady(int hostFd, uint64_t userdata, uint8_t tag, PollState &st) {
  struct stat sb;
  if (::fstat(hostFd, &sb) != 0 ||
      !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode) || S_ISBLK(sb.st_mode)))
    return false;
  Event ev{userdata, errno_::kSuccess, tag, 0, 0};
  if (tag == eventtype::kFdRead && S_ISREG(sb.st_mode)) {
    off_t pos = ::lseek(hostFd, 0, SEEK_CUR);
    if (pos >= 0 && sb.st_size > pos)
      ev.nbytes = uint64_t(sb.st_size - pos);
    if (ev.nbytes == 0)
      ev.flags = eventrwflags::kHangup;
  }
  st.ready.push_back(ev);
  return true;
}

// Reads subscription `i`; returns non-zero only for errors that fail the whole call.
Errno readSubscription(WasiContext &ctx, GuestMemory mem, uint32_t at, uint64_t start,
                       PollState &st) {
  uint64_t userdata = 0;
  uint8_t tag = 0;
  mem.load(at + layout::kSubUserdata, userdata);
  mem.load(at + layout::kSubTag, tag);
  if (tag == eventtype::kClock)
    return readClock(ctx, mem, at, userdata, start, st);
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
  int hostFd = e->host.get();
  if (alwaysReady(hostFd, userdata, tag, st))
    return errno_::kSuccess;
  // One pollfd per host descriptor: libuv allows a single watcher per descriptor, and
  // a guest may well wait for reading and writing on the same one.
  short events = tag == eventtype::kFdRead ? POLLIN : POLLOUT;
  auto it = std::find_if(st.pfds.begin(), st.pfds.end(),
                         [&](const pollfd &p) { return p.fd == hostFd; });
  if (it == st.pfds.end()) {
    st.pfds.push_back(pollfd{hostFd, 0, 0});
    it = st.pfds.end() - 1;
  }
  it->events |= events;
  st.waits.push_back(FdWait{userdata, tag, size_t(it - st.pfds.begin())});
  return errno_::kSuccess;
}

std::optional<uint64_t> earliestDeadline(const PollState &st) {
  std::optional<uint64_t> d;
  for (const ClockWait &c : st.clocks)
    d = d ? std::min(*d, c.deadline) : c.deadline;
  return d;
}

// ppoll for at most `timeoutNs` (0: just look), retrying on EINTR with what is left.
Errno pollDescriptors(PollState &st, uint64_t timeoutNs) {
  uint64_t until = saturatingAdd(monotonicNow(), timeoutNs);
  for (;;) {
    uint64_t now = monotonicNow();
    uint64_t wait = until > now ? until - now : 0;
    struct timespec ts;
    ts.tv_sec = time_t(std::min<uint64_t>(wait / 1000000000ull, INT32_MAX));
    ts.tv_nsec = long(wait % 1000000000ull);
    int r = ::ppoll(st.pfds.data(), st.pfds.size(), &ts, nullptr);
    if (r >= 0)
      return errno_::kSuccess;
    if (errno != EINTR)
      return errnoFromHost(errno);
  }
}

void collectEvents(PollState &st) {
  for (const FdWait &w : st.waits) {
    const pollfd &p = st.pfds[w.pfd];
    short want = w.type == eventtype::kFdRead ? POLLIN : POLLOUT;
    short rev = p.revents & (want | POLLHUP | POLLERR | POLLNVAL);
    if (!rev)
      continue;
    Event ev{w.userdata, errno_::kSuccess, w.type, 0, 0};
    if (rev & POLLNVAL)
      ev.error = errno_::kBadf;
    if (rev & POLLHUP)
      ev.flags |= eventrwflags::kHangup;
    if (w.type == eventtype::kFdRead && (rev & POLLIN)) {
      int avail = 0;
      if (::ioctl(p.fd, FIONREAD, &avail) == 0 && avail > 0)
        ev.nbytes = uint64_t(avail);
    }
    st.ready.push_back(ev);
  }
  uint64_t now = monotonicNow();
  for (const ClockWait &c : st.clocks)
    if (c.deadline <= now)
      st.ready.push_back(Event{c.userdata, errno_::kSuccess, eventtype::kClock, 0, 0});
}

// Blocks in the context's libuv loop until a descriptor is ready or shortly before
// the earliest deadline; returns how long ppoll should then wait.
Errno waitInLoop(WasiContext &ctx, const PollState &st, std::optional<uint64_t> deadline,
                 uint64_t &pollTimeout) {
  Errno err;
  EventLoop *loop = ctx.eventLoop(err);
  if (!loop)
    return err;
  std::vector<PollWatch> watches;
  watches.reserve(st.pfds.size());
  for (const pollfd &p : st.pfds)
    watches.push_back(PollWatch{p.fd, (p.events & POLLIN) != 0, (p.events & POLLOUT) != 0});
  std::optional<uint64_t> timeoutMs;
  if (deadline) {
    uint64_t now = monotonicNow();
    uint64_t left = *deadline > now ? *deadline - now : 0;
    timeoutMs = left > kLibuvMargin ? (left - kLibuvMargin) / kMs : 0;
  }
  bool fdFired = false;
  if (Errno e = loop->wait(watches, timeoutMs, fdFired))
    return e;
  pollTimeout = 0;
  if (!fdFired && deadline) {
    uint64_t now = monotonicNow();
    pollTimeout = *deadline > now ? *deadline - now : 0;
  }
  return errno_::kSuccess;
}

Errno waitForEvents(WasiContext &ctx, PollState &st) {
  // The first look never blocks: with anything ready already (files, per-event
  // errors, expired clocks, ready descriptors) the call returns at once.
  uint64_t pollTimeout = 0;
  for (;;) {
    if (Errno e = pollDescriptors(st, pollTimeout))
      return e;
    collectEvents(st);
    if (!st.ready.empty())
      return errno_::kSuccess;
    std::optional<uint64_t> deadline = earliestDeadline(st);
    if (!deadline && st.pfds.empty())
      return errno_::kInval; // nothing could ever end the wait (unreachable today)
    uint64_t now = monotonicNow();
    // Within a millisecond of the margin a libuv timer would be zero: ppoll alone.
    if (deadline && *deadline < saturatingAdd(now, kLibuvMargin + kMs)) {
      pollTimeout = *deadline > now ? *deadline - now : 0;
      continue;
    }
    if (Errno e = waitInLoop(ctx, st, deadline, pollTimeout))
      return e;
  }
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
  if (st.ready.empty()) {
    if (Errno e = waitForEvents(ctx, st))
      return e;
  } else {
    // Something is ready already: add descriptors and clocks that are too, never wait.
    if (Errno e = pollDescriptors(st, 0))
      return e;
    collectEvents(st);
  }
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
