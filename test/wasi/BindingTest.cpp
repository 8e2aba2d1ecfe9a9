// The binding on the public API (wasmrt/Wasi.h): every WasiFunctions.def entry is
// importable with its wasm type, calls see the caller's memory as it is after
// memory.grow, bad pointers are EFAULT, proc_exit unwinds with the code in the
// WasiState, and sockets are numbered before preopened directories.
#include "wasmrt/Wasi.h"
#include "wasmrt/wasmrt.h"

#include "WasiTestUtil.h"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

using namespace wasmrt;

namespace {

std::string importsOfEveryFunction() {
  std::string wat;
#define WASI_FUNCTION(NAME, FN, PARAMS)                                                       \
  {                                                                                           \
    wat += "(import \"wasi_snapshot_preview1\" \"" #NAME "\" (func $" #NAME;                  \
    for (char c : std::string_view(PARAMS))                                                   \
      wat += c == 'I' ? " (param i64)" : " (param i32)";                                      \
    if (std::string_view(#NAME) != "proc_exit")                                               \
      wat += " (result i32)";                                                                 \
    wat += "))\n";                                                                            \
  }
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  return wat;
}

WasiConfig quietConfig() {
  WasiConfig config;
  config.args = {"prog", "arg"};
  config.inheritStdio = false;
  return config;
}

struct Guest {
  Engine engine;
  Store store{engine};
  std::optional<WasiState> wasi;
  std::optional<Instance> instance;

  explicit Guest(const std::string &body, const WasiConfig &config = quietConfig()) {
    Linker linker;
    auto defined = defineWasi(linker, store, config);
    if (!defined)
      FAIL(defined.error().describe());
    wasi = *defined;
    auto module = Module::fromWat(engine, "(module\n" + importsOfEveryFunction() + body + ")");
    if (!module)
      FAIL(module.error().describe());
    auto made = linker.instantiate(store, *module);
    if (!made)
      FAIL(made.error().describe());
    instance = *made;
  }
  int32_t call(const char *name, std::vector<Val> args = {}) {
    auto results = instance->getFunc(name)->call(args);
    if (!results)
      FAIL(results.error().describe());
    REQUIRE(results->size() == 1);
    return (*results)[0].i32();
  }
};

// fd_fdstat_get's filetype byte for `fd` (or 100 + errno).
const char *kFiletypeOf = R"(
    (memory (export "memory") 1)
    (func (export "filetype") (param i32) (result i32) (local i32)
      (local.set 1 (call $fd_fdstat_get (local.get 0) (i32.const 64)))
      (if (result i32) (local.get 1)
        (then (i32.add (local.get 1) (i32.const 100)))
        (else (i32.load8_u (i32.const 64))))))";

} // namespace

TEST_CASE("binding: all 46 functions link with their wasm types") {
  size_t count = 0;
#define WASI_FUNCTION(NAME, FN, PARAMS) ++count;
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  CHECK(count == 46);
  Guest guest("(memory (export \"memory\") 1)");
  CHECK(guest.instance->getExport("memory"));
}

TEST_CASE("binding: calls use the caller's current memory") {
  Guest guest(R"(
    (memory (export "memory") 1)
    (func (export "sizes") (result i32)
      (call $args_sizes_get (i32.const 0) (i32.const 4)) drop
      (i32.add (i32.load (i32.const 0)) (i32.mul (i32.load (i32.const 4)) (i32.const 100))))
    (func (export "grow_then_write") (result i32)
      (drop (memory.grow (i32.const 1)))
      ;; 0x10000 is only in bounds after the grow
      (call $args_sizes_get (i32.const 0x10000) (i32.const 0x10004)))
    (func (export "out_of_bounds") (result i32)
      (call $args_sizes_get (i32.const 0x7fffffff) (i32.const 0)))
    (func (export "exit") (call $proc_exit (i32.const 7)) unreachable))");
  // argc 2, argv bytes "prog\0arg\0" = 9
  CHECK(guest.call("sizes") == 2 + 9 * 100);
  CHECK(guest.call("out_of_bounds") == 21); // EFAULT
  CHECK(guest.call("grow_then_write") == 0);
  CHECK_FALSE(guest.wasi->exitCode());
  auto exited = guest.instance->getFunc("exit")->call({});
  REQUIRE_FALSE(exited);
  CHECK(exited.error().kind() == ErrorKind::Trap);
  REQUIRE(guest.store.lastTrap());
  CHECK(guest.store.lastTrap()->kind == TrapKind::HostTrap);
  REQUIRE(guest.wasi->exitCode());
  CHECK(*guest.wasi->exitCode() == 7);
}

TEST_CASE("binding: a module without memory gets EFAULT, not a crash") {
  Guest guest(R"((func (export "f") (result i32)
      (call $args_sizes_get (i32.const 0) (i32.const 4))))");
  CHECK(guest.call("f") == 21);
}

TEST_CASE("binding: an unexported memory 0 is the guest's memory") {
  Guest guest(R"((memory 1)
    (func (export "f") (result i32)
      (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
      (i32.load (i32.const 0))))");
  CHECK(guest.call("f") == 2);
}

TEST_CASE("binding: environment set and inherited in order") {
  ::setenv("WASMRT_BINDING_TEST", "from-host", 1);
  ::unsetenv("WASMRT_BINDING_UNSET");
  WasiConfig config = quietConfig();
  config.env = {{"A", "1"}, {"WASMRT_BINDING_TEST", std::nullopt},
                {"WASMRT_BINDING_UNSET", std::nullopt}, {"B", "x=y"}};
  Guest guest(R"(
    (memory (export "memory") 1)
    (func (export "count") (result i32)
      (drop (call $environ_sizes_get (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
    (func (export "bytes") (result i32)
      (drop (call $environ_sizes_get (i32.const 0) (i32.const 4))) (i32.load (i32.const 4))))",
              config);
  CHECK(guest.call("count") == 3);
  // "A=1\0" "WASMRT_BINDING_TEST=from-host\0" "B=x=y\0"
  CHECK(guest.call("bytes") == 4 + 30 + 6);

  WasiConfig inherit = quietConfig();
  inherit.inheritEnv = true;
  Guest all("(memory (export \"memory\") 1)" + std::string(R"(
    (func (export "count") (result i32)
      (drop (call $environ_sizes_get (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))"),
            inherit);
  CHECK(all.call("count") >= 1);
}

TEST_CASE("binding: sockets take fds 3.. before the preopened directories") {
  wasi::test::TempDir dir;
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  WasiConfig config = quietConfig();
  config.preopens.push_back({dir.path().string(), "/data", false});
  config.tcpListen = {"127.0.0.1:0"};
  config.listenFds = {listener};
  Guest guest(kFiletypeOf, config);
  ::close(listener); // the context holds its own duplicate
  constexpr int32_t kSocketStream = 6, kDirectory = 3, kBadf = 8;
  CHECK(guest.call("filetype", {Val(int32_t(3))}) == kSocketStream);
  CHECK(guest.call("filetype", {Val(int32_t(4))}) == kSocketStream);
  CHECK(guest.call("filetype", {Val(int32_t(5))}) == kDirectory);
  CHECK(guest.call("filetype", {Val(int32_t(6))}) == 100 + kBadf);
}

TEST_CASE("binding: configuration errors name what failed") {
  Engine engine;
  Store store(engine);
  Linker linker;
  WasiConfig badAddress = quietConfig();
  badAddress.tcpListen = {"nope"};
  auto refused = defineWasi(linker, store, badAddress);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::Usage);
  CHECK_THAT(refused.error().message(), Catch::Contains("expected HOST:PORT"));

  WasiConfig missingDir = quietConfig();
  missingDir.preopens.push_back({"/nonexistent/wasmrt-binding-test", ".", false});
  auto missing = defineWasi(linker, store, missingDir);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == ErrorKind::Io);
  CHECK_THAT(missing.error().message(), Catch::Contains("wasmrt-binding-test"));
}
