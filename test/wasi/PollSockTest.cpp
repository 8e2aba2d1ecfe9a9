// poll_oneoff (clocks, pipes, files, errors) and sock_* on sockets given to the context.
#include "WasiTestUtil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

using namespace wasmrt::wasi;
using namespace wasmrt::wasi::test;

namespace {

uint64_t nowNs(clockid_t clock = CLOCK_MONOTONIC) {
  struct timespec ts;
  ::clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

constexpr uint32_t kSubs = 2048, kEvents = 4096;

void clockSub(Guest &g, uint32_t index, uint64_t userdata, uint32_t clock, uint64_t timeout,
              uint16_t flags = 0) {
  uint32_t at = kSubs + index * layout::kSubscriptionSize;
  std::memset(g.data() + at, 0, layout::kSubscriptionSize);
  g.setU64(at + layout::kSubUserdata, userdata);
  g.setU8(at + layout::kSubTag, eventtype::kClock);
  g.setU32(at + layout::kSubClockId, clock);
  g.setU64(at + layout::kSubClockTimeout, timeout);
  g.setU16(at + layout::kSubClockFlags, flags);
}

void fdSub(Guest &g, uint32_t index, uint64_t userdata, uint8_t type, uint32_t fd) {
  uint32_t at = kSubs + index * layout::kSubscriptionSize;
  std::memset(g.data() + at, 0, layout::kSubscriptionSize);
  g.setU64(at + layout::kSubUserdata, userdata);
  g.setU8(at + layout::kSubTag, type);
  g.setU32(at + layout::kSubFd, fd);
}

struct Ev {
  uint64_t userdata;
  uint16_t error;
  uint8_t type;
  uint64_t nbytes;
  uint16_t flags;
};

Ev event(Guest &g, uint32_t i) {
  uint32_t at = kEvents + i * layout::kEventSize;
  return Ev{g.u64(at + layout::kEventUserdata), g.u16(at + layout::kEventError),
            g.u8(at + layout::kEventType), g.u64(at + layout::kEventNbytes),
            g.u16(at + layout::kEventFlags)};
}

std::unique_ptr<WasiContext> pipeContext(int stdinFd, int stdoutFd,
                                         std::vector<int> sockets = {}) {
  WasiConfig config;
  config.inheritStdio = false;
  config.stdioFds = {stdinFd, stdoutFd, -1};
  config.sockets = std::move(sockets);
  auto ctx = WasiContext::create(config);
  REQUIRE(ctx);
  return std::move(*ctx);
}

} // namespace

TEST_CASE("poll_oneoff: relative and absolute clock timeouts") {
  WasiFixture f;
  Guest &g = f.g;
  clockSub(g, 0, 7, clockid::kMonotonic, 20000000); // 20 ms
  uint64_t start = nowNs();
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(nowNs() - start >= 20000000);
  REQUIRE(g.u32(0) == 1);
  Ev ev = event(g, 0);
  CHECK(ev.userdata == 7);
  CHECK(ev.error == errno_::kSuccess);
  CHECK(ev.type == eventtype::kClock);

  // Two clocks: only the earlier one fires. Sub-millisecond timeouts work.
  clockSub(g, 0, 1, clockid::kMonotonic, 1000000000);
  clockSub(g, 1, 2, clockid::kMonotonic, 300000); // 0.3 ms
  start = nowNs();
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 2, 0) == errno_::kSuccess);
  CHECK(nowNs() - start < 500000000);
  REQUIRE(g.u32(0) == 1);
  CHECK(event(g, 0).userdata == 2);

  // Absolute realtime deadline 15 ms from now; one in the past fires at once.
  clockSub(g, 0, 3, clockid::kRealtime, nowNs(CLOCK_REALTIME) + 15000000,
           subclockflags::kAbstime);
  start = nowNs();
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(nowNs() - start >= 10000000);
  CHECK(event(g, 0).userdata == 3);
  clockSub(g, 0, 4, clockid::kMonotonic, 1, subclockflags::kAbstime);
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(event(g, 0).userdata == 4);

  // Bad clock ids and flags are reported in the event; zero subscriptions are EINVAL.
  clockSub(g, 0, 5, 17, 0);
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(event(g, 0).error == errno_::kInval);
  CHECK(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 0, 0) == errno_::kInval);
  fdSub(g, 0, 6, 9, 0); // unknown event type
  CHECK(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 1, 0) == errno_::kInval);
  CHECK(pollOneoff(f.ctx(), g.mem(), g.size() - 40, kEvents, 1, 0) == errno_::kFault);
  CHECK(pollOneoff(f.ctx(), g.mem(), kSubs, g.size() - 16, 1, 0) == errno_::kFault);
  CHECK(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 0x10000000u, 0) == errno_::kFault);
}

TEST_CASE("poll_oneoff: pipe readiness, timeouts, hangup, files and bad fds") {
  int in[2], out[2];
  REQUIRE(::pipe(in) == 0);
  REQUIRE(::pipe(out) == 0);
  auto ctx = pipeContext(in[0], out[1]);
  ::close(in[0]);
  ::close(out[1]);
  Guest g;

  // Nothing to read: the 10 ms clock fires instead.
  fdSub(g, 0, 10, eventtype::kFdRead, 0);
  clockSub(g, 1, 11, clockid::kMonotonic, 10000000);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 2, 0) == errno_::kSuccess);
  REQUIRE(g.u32(0) == 1);
  CHECK(event(g, 0).userdata == 11);

  REQUIRE(::write(in[1], "abc", 3) == 3);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 2, 0) == errno_::kSuccess);
  REQUIRE(g.u32(0) == 1);
  Ev ev = event(g, 0);
  CHECK(ev.userdata == 10);
  CHECK(ev.type == eventtype::kFdRead);
  CHECK(ev.nbytes == 3);

  // stdout is writable; both events come back together.
  fdSub(g, 1, 12, eventtype::kFdWrite, 1);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 2, 0) == errno_::kSuccess);
  CHECK(g.u32(0) == 2);

  // A closed writer: readable with hangup.
  ::close(in[1]);
  g.setU32(Guest::kIovs, Guest::kData);
  g.setU32(Guest::kIovs + 4, 8);
  REQUIRE(fdRead(*ctx, g.mem(), 0, Guest::kIovs, 1, 0) == errno_::kSuccess); // drain
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK((event(g, 0).flags & eventrwflags::kHangup));

  // Bad descriptors and missing rights are per-event errors.
  fdSub(g, 0, 20, eventtype::kFdRead, 42);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(event(g, 0).error == errno_::kBadf);
  REQUIRE(fdFdstatSetRights(*ctx, g.mem(), 1, rights::kFdWrite, 0) == errno_::kSuccess);
  fdSub(g, 0, 21, eventtype::kFdWrite, 1);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(event(g, 0).error == errno_::kNotcapable);
  ::close(out[0]);
}

TEST_CASE("poll_oneoff: regular files are always ready") {
  WasiFixture f;
  Guest &g = f.g;
  writeHostFile(f.sandbox() / "f", "0123456789");
  uint32_t fd = 0;
  REQUIRE(f.open("f", 0, &fd) == errno_::kSuccess);
  std::string s;
  REQUIRE(f.read(fd, 4, &s) == errno_::kSuccess);
  fdSub(g, 0, 1, eventtype::kFdRead, fd);
  fdSub(g, 1, 2, eventtype::kFdWrite, fd);
  clockSub(g, 2, 3, clockid::kMonotonic, 5000000000ull);
  uint64_t start = nowNs();
  REQUIRE(pollOneoff(f.ctx(), g.mem(), kSubs, kEvents, 3, 0) == errno_::kSuccess);
  CHECK(nowNs() - start < 1000000000ull);
  REQUIRE(g.u32(0) == 2);
  CHECK(event(g, 0).userdata == 1);
  CHECK(event(g, 0).nbytes == 6);
  CHECK(event(g, 1).userdata == 2);
}

TEST_CASE("sockets: accept, send, recv, shutdown on a given listener") {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
  auto ctx = pipeContext(-1, -1, {listener});
  ::close(listener);
  Guest g;
  const uint32_t lfd = 3;
  REQUIRE(fdFdstatGet(*ctx, g.mem(), lfd, 0) == errno_::kSuccess);
  CHECK(g.u8(0) == filetype::kSocketStream);

  // No pending connection on a non-blocking listener. (sock_accept's flags apply to
  // the new connection, not to the accept call.)
  REQUIRE(fdFdstatSetFlags(*ctx, g.mem(), lfd, fdflags::kNonblock) == errno_::kSuccess);
  CHECK(sockAccept(*ctx, g.mem(), lfd, 0, 0) == errno_::kAgain);
  REQUIRE(fdFdstatSetFlags(*ctx, g.mem(), lfd, 0) == errno_::kSuccess);
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(::connect(client, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
  // The listener polls readable once a connection waits.
  fdSub(g, 0, 1, eventtype::kFdRead, lfd);
  REQUIRE(pollOneoff(*ctx, g.mem(), kSubs, kEvents, 1, 0) == errno_::kSuccess);
  CHECK(event(g, 0).userdata == 1);
  REQUIRE(sockAccept(*ctx, g.mem(), lfd, fdflags::kNonblock, 0) == errno_::kSuccess);
  uint32_t conn = g.u32(0);
  CHECK(conn == 4);
  REQUIRE(fdFdstatGet(*ctx, g.mem(), conn, 0) == errno_::kSuccess);
  CHECK((g.u64(8) & rights::kSockAccept) == 0);
  CHECK(g.u16(2) == fdflags::kNonblock);
  g.setU32(Guest::kIovs, Guest::kData);
  g.setU32(Guest::kIovs + 4, 16);
  CHECK(sockRecv(*ctx, g.mem(), conn, Guest::kIovs, 1, 0, 0, 4) == errno_::kAgain);
  REQUIRE(fdFdstatSetFlags(*ctx, g.mem(), conn, 0) == errno_::kSuccess);
  CHECK(sockAccept(*ctx, g.mem(), lfd, 0x10, 0) == errno_::kInval);

  g.putBytes(Guest::kData, "ping");
  g.setU32(Guest::kIovs, Guest::kData);
  g.setU32(Guest::kIovs + 4, 4);
  REQUIRE(sockSend(*ctx, g.mem(), conn, Guest::kIovs, 1, 0, 0) == errno_::kSuccess);
  CHECK(g.u32(0) == 4);
  char buf[16] = {};
  REQUIRE(::recv(client, buf, sizeof(buf), 0) == 4);
  CHECK(std::string(buf, 4) == "ping");
  CHECK(sockSend(*ctx, g.mem(), conn, Guest::kIovs, 1, 1, 0) == errno_::kInval);

  REQUIRE(::send(client, "pong!", 5, 0) == 5);
  g.setU32(Guest::kIovs + 4, 16);
  REQUIRE(sockRecv(*ctx, g.mem(), conn, Guest::kIovs, 1, riflags::kRecvPeek, 0, 4) ==
          errno_::kSuccess);
  CHECK(g.u32(0) == 5);
  REQUIRE(sockRecv(*ctx, g.mem(), conn, Guest::kIovs, 1, 0, 0, 4) == errno_::kSuccess);
  CHECK(g.u32(0) == 5);
  CHECK(g.u16(4) == 0);
  CHECK(g.getBytes(Guest::kData, 5) == "pong!");
  CHECK(sockRecv(*ctx, g.mem(), conn, Guest::kIovs, 1, 4, 0, 4) == errno_::kInval);
  CHECK(sockRecv(*ctx, g.mem(), conn, Guest::kIovs, 1, 0, g.size() - 2, 4) ==
        errno_::kFault);

  // fd_write on a socket works too, and never raises SIGPIPE in the host.
  REQUIRE(fdWrite(*ctx, g.mem(), conn, Guest::kIovs, 1, 0) == errno_::kSuccess);
  REQUIRE(sockShutdown(*ctx, g.mem(), conn, sdflags::kWr) == errno_::kSuccess);
  CHECK(::recv(client, buf, sizeof(buf), 0) == 16);
  CHECK(::recv(client, buf, sizeof(buf), 0) == 0); // EOF after shutdown(WR)
  CHECK(sockShutdown(*ctx, g.mem(), conn, 0) == errno_::kInval);
  ::close(client);
  // Writing after shutdown(WR) is EPIPE, not a host SIGPIPE.
  CHECK(fdWrite(*ctx, g.mem(), conn, Guest::kIovs, 1, 0) == errno_::kPipe);
  CHECK(sockSend(*ctx, g.mem(), conn, Guest::kIovs, 1, 0, 0) == errno_::kPipe);

  // Socket calls on non-sockets.
  CHECK(sockRecv(*ctx, g.mem(), 0, Guest::kIovs, 1, 0, 0, 4) == errno_::kNotsock);
  CHECK(sockSend(*ctx, g.mem(), 1, Guest::kIovs, 1, 0, 0) == errno_::kNotsock);
  CHECK(sockShutdown(*ctx, g.mem(), 1, sdflags::kRd) == errno_::kNotcapable);
  CHECK(sockAccept(*ctx, g.mem(), 99, 0, 0) == errno_::kBadf);
}

TEST_CASE("a context refuses a non-socket as a socket") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  WasiConfig config;
  config.sockets = {p[0]};
  auto ctx = WasiContext::create(config);
  CHECK_FALSE(ctx);
  ::close(p[0]);
  ::close(p[1]);
}
