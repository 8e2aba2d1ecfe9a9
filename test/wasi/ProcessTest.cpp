// GuestMemory, args/environ, clocks, random, proc_*, sched_yield, the function table.
#include "WasiTestUtil.h"

#include <ctime>
#include <set>
#include <string>

using namespace wasmrt::wasi;
using namespace wasmrt::wasi::test;

TEST_CASE("GuestMemory checks bounds in 64-bit arithmetic") {
  std::vector<uint8_t> bytes(100);
  GuestMemory mem(bytes.data(), bytes.size());
  CHECK(mem.inBounds(0, 100));
  CHECK(mem.inBounds(100, 0));
  CHECK_FALSE(mem.inBounds(101, 0));
  CHECK_FALSE(mem.inBounds(99, 2));
  CHECK_FALSE(mem.inBounds(0xfffffff0u, 0x20)); // would wrap in 32 bits
  CHECK_FALSE(mem.inBounds(1, 0xffffffffu));
  CHECK(mem.store<uint32_t>(96, 0x11223344));
  CHECK_FALSE(mem.store<uint32_t>(97, 1));
  CHECK(bytes[96] == 0x44); // little-endian
  uint32_t v = 0;
  CHECK(mem.load(96, v));
  CHECK(v == 0x11223344);
  uint64_t w = 0;
  CHECK_FALSE(mem.load(96, w));
  CHECK_FALSE(mem.bytes(50, 51));
  CHECK(mem.bytes(50, 50)->size() == 50);
  CHECK_FALSE(mem.string(0xffffffffu, 2));
}

TEST_CASE("args and environ: sizes, contents and EFAULT") {
  WasiFixture f;
  Guest &g = f.g;
  REQUIRE(argsSizesGet(f.ctx(), g.mem(), 0, 4) == errno_::kSuccess);
  CHECK(g.u32(0) == 3);
  CHECK(g.u32(4) == std::string("prog").size() + 1 + std::string("arg one").size() + 1 + 1);
  REQUIRE(argsGet(f.ctx(), g.mem(), 64, 1024) == errno_::kSuccess);
  CHECK(g.u32(64) == 1024);
  CHECK(g.getBytes(1024, 5) == std::string("prog\0", 5));
  CHECK(g.getBytes(g.u32(68), 8) == std::string("arg one\0", 8));
  CHECK(g.u8(g.u32(72)) == 0);

  REQUIRE(environSizesGet(f.ctx(), g.mem(), 0, 4) == errno_::kSuccess);
  CHECK(g.u32(0) == 2);
  CHECK(g.u32(4) == 14 + 7);
  REQUIRE(environGet(f.ctx(), g.mem(), 64, 2048) == errno_::kSuccess);
  CHECK(g.getBytes(g.u32(64), 14) == std::string("HOME=/sandbox\0", 14));
  CHECK(g.getBytes(g.u32(68), 7) == std::string("LANG=C\0", 7));

  CHECK(argsSizesGet(f.ctx(), g.mem(), g.size() - 2, 4) == errno_::kFault);
  CHECK(argsGet(f.ctx(), g.mem(), g.size() - 8, 1024) == errno_::kFault);
  CHECK(argsGet(f.ctx(), g.mem(), 64, g.size() - 4) == errno_::kFault);
  CHECK(environGet(f.ctx(), g.mem(), 0xfffffffcu, 0) == errno_::kFault);
}

TEST_CASE("clocks: resolution, time, cputime and bad ids") {
  WasiFixture f;
  Guest &g = f.g;
  for (uint32_t id : {clockid::kRealtime, clockid::kMonotonic, clockid::kProcessCputime,
                      clockid::kThreadCputime}) {
    REQUIRE(clockResGet(f.ctx(), g.mem(), id, 0) == errno_::kSuccess);
    CHECK(g.u64(0) > 0);
    REQUIRE(clockTimeGet(f.ctx(), g.mem(), id, 0, 8) == errno_::kSuccess);
  }
  REQUIRE(clockTimeGet(f.ctx(), g.mem(), clockid::kRealtime, 1, 8) == errno_::kSuccess);
  uint64_t seconds = g.u64(8) / 1000000000ull;
  uint64_t hostNow = uint64_t(std::time(nullptr));
  CHECK(seconds + 2 >= hostNow);
  CHECK(seconds <= hostNow + 2);
  REQUIRE(clockTimeGet(f.ctx(), g.mem(), clockid::kMonotonic, 0, 8) == errno_::kSuccess);
  uint64_t a = g.u64(8);
  REQUIRE(clockTimeGet(f.ctx(), g.mem(), clockid::kMonotonic, 0, 8) == errno_::kSuccess);
  CHECK(g.u64(8) >= a);
  CHECK(clockResGet(f.ctx(), g.mem(), 4, 0) == errno_::kInval);
  CHECK(clockTimeGet(f.ctx(), g.mem(), 99, 0, 0) == errno_::kInval);
  CHECK(clockTimeGet(f.ctx(), g.mem(), clockid::kRealtime, 0, g.size() - 7) ==
        errno_::kFault);
}

TEST_CASE("an injected clock and random source replace the host's") {
  WasiConfig config;
  config.clock = [](uint32_t id, uint64_t &ns) {
    ns = 1000 + id;
    return errno_::kSuccess;
  };
  config.random = [](std::span<uint8_t> out) {
    for (auto &b : out)
      b = 0xab;
    return errno_::kSuccess;
  };
  auto ctx = WasiContext::create(config);
  REQUIRE(ctx);
  Guest g;
  REQUIRE(clockTimeGet(**ctx, g.mem(), clockid::kMonotonic, 0, 0) == errno_::kSuccess);
  CHECK(g.u64(0) == 1001);
  REQUIRE(randomGet(**ctx, g.mem(), 16, 4) == errno_::kSuccess);
  CHECK(g.u32(16) == 0xabababab);
}

TEST_CASE("random_get fills the buffer and checks it") {
  WasiFixture f;
  Guest &g = f.g;
  REQUIRE(randomGet(f.ctx(), g.mem(), Guest::kData, 4096) == errno_::kSuccess);
  std::set<uint8_t> distinct(g.data() + Guest::kData, g.data() + Guest::kData + 4096);
  CHECK(distinct.size() > 100);
  CHECK(randomGet(f.ctx(), g.mem(), 0, 0) == errno_::kSuccess);
  CHECK(randomGet(f.ctx(), g.mem(), g.size() - 10, 11) == errno_::kFault);
  CHECK(randomGet(f.ctx(), g.mem(), 0xffffff00u, 0x200) == errno_::kFault);
}

TEST_CASE("proc_exit records the code and asks the caller to unwind") {
  WasiFixture f;
  CHECK_FALSE(f.ctx().exitCode());
  CHECK(procExit(f.ctx(), f.g.mem(), 42) == errno_::kExitRequested);
  REQUIRE(f.ctx().exitCode());
  CHECK(*f.ctx().exitCode() == 42);
  CHECK(procRaise(f.ctx(), f.g.mem(), 6) == errno_::kNotsup);
  CHECK(schedYield(f.ctx(), f.g.mem()) == errno_::kSuccess);
}

TEST_CASE("WasiFunctions.def lists every preview1 function once") {
  std::set<std::string> names;
  size_t count = 0;
#define WASI_FUNCTION(name, fn, params)                                                   \
  names.insert(#name);                                                                    \
  ++count;                                                                                \
  (void)&fn;
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  CHECK(count == 46);
  CHECK(names.size() == 46);
  CHECK(names.count("poll_oneoff"));
  CHECK(names.count("sock_shutdown"));
}

TEST_CASE("WasiContext::create reports an unusable preopen") {
  WasiConfig config;
  config.preopens.push_back({"/nonexistent/wasmrt-wasi-test", "/x", false});
  auto ctx = WasiContext::create(config);
  REQUIRE_FALSE(ctx);
  CHECK(ctx.error().kind() == wasmrt::ErrorKind::Io);
  CHECK(ctx.error().message().find("/nonexistent/wasmrt-wasi-test") != std::string::npos);
}
