// Signals arriving while a guest is blocked in a host call or runs JIT code
// (issue 15, "Faults and exhaustion"). The embedding process installs handlers
// without SA_RESTART, so every blocking system call under a WASI function sees
// EINTR: a POSIX timer sends SIGALRM to the guest's thread every millisecond, a
// helper thread sends it SIGUSR1 and SIGCHLD and starts short-lived children
// (real SIGCHLDs). WASI retries EINTR (docs/WASI.md, "Signals"), so the guest
// gets what it asked for; JIT code, traps and the trap handler are undisturbed.
#include "ApiTestUtil.h"
#include "FaultTestUtil.h"

#include "wasmrt/Wasi.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::test;

namespace {

std::atomic<uint64_t> gSignalsOnTarget{0};
thread_local bool tIsTarget = false;

void countSignal(int) {
  if (tIsTarget)
    gSignalsOnTarget.fetch_add(1, std::memory_order_relaxed);
}

// While alive: SIGALRM every millisecond from a timer aimed at the constructing
// thread, SIGUSR1 every millisecond and SIGCHLD every 5 ms from a helper thread,
// and a child process that exits at once every 20 ms. Handlers have no
// SA_RESTART (and no SA_ONSTACK: they run on the guest's stack).
class SignalStorm {
public:
  SignalStorm() : target_(pthread_self()) {
    tIsTarget = true;
    struct sigaction action = {};
    action.sa_handler = countSignal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i)
      sigaction(kSignals[i], &action, &previous_[i]);
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGALRM;
    event._sigev_un._tid = pid_t(syscall(SYS_gettid));
    timerOk_ = timer_create(CLOCK_MONOTONIC, &event, &timer_) == 0;
    struct itimerspec every = {{0, 1000000}, {0, 1000000}};
    if (timerOk_)
      timer_settime(timer_, 0, &every, nullptr);
    helper_ = std::thread([this] { hammer(); });
  }
  ~SignalStorm() {
    stop_ = true;
    helper_.join();
    if (timerOk_)
      timer_delete(timer_);
    // Consume what is still pending before the old dispositions (SIGALRM's default
    // ends the process) come back.
    sigset_t storm, old;
    sigemptyset(&storm);
    for (int signal : kSignals)
      sigaddset(&storm, signal);
    pthread_sigmask(SIG_BLOCK, &storm, &old);
    struct timespec now = {0, 0};
    while (sigtimedwait(&storm, nullptr, &now) > 0) {
    }
    for (size_t i = 0; i < kSignals.size(); ++i)
      sigaction(kSignals[i], &previous_[i], nullptr);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    tIsTarget = false;
  }
  SignalStorm(const SignalStorm &) = delete;
  SignalStorm &operator=(const SignalStorm &) = delete;

private:
  static constexpr std::array<int, 3> kSignals = {SIGALRM, SIGUSR1, SIGCHLD};

  void hammer() {
    sigset_t blocked;
    sigemptyset(&blocked);
    for (int signal : kSignals)
      sigaddset(&blocked, signal);
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
    for (unsigned tick = 0; !stop_; ++tick) {
      pthread_kill(target_, SIGUSR1);
      if (tick % 5 == 0)
        pthread_kill(target_, SIGCHLD);
      if (tick % 20 == 0) {
        // vfork: no copy of this big process's page tables, just a real SIGCHLD.
        pid_t child = vfork();
        if (child == 0)
          _exit(0);
        if (child > 0)
          waitpid(child, nullptr, 0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  pthread_t target_;
  std::array<struct sigaction, 3> previous_ = {};
  timer_t timer_ = {};
  bool timerOk_ = false;
  std::atomic<bool> stop_{false};
  std::thread helper_;
};

// Guest memory: 0 "fifo"; 16 an iovec {1024, 4096}; 32 an fd out; 36 a count
// out; 40 ro_flags; 48 nevents; 64 two subscriptions; 192 two events; 1024 the
// read buffer. Results (total bytes, byte sum) or (-errno, 0).
constexpr const char *kWasiGuest = R"((module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open
    (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept
    (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv
    (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fifo")
  (data (i32.const 16) "\00\04\00\00\00\10\00\00")
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u offset=1024 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $s))
  ;; subscription `at`: clock (monotonic, relative `ns`), userdata 2
  (func $clock_sub (param $at i32) (param $ns i64)
    (memory.fill (local.get $at) (i32.const 0) (i32.const 48))
    (i64.store (local.get $at) (i64.const 2))
    (i32.store offset=16 (local.get $at) (i32.const 1))
    (i64.store offset=24 (local.get $at) (local.get $ns)))
  ;; poll_oneoff for a relative `ns`: 0 once the clock event came, else errno or -1
  (func (export "sleep") (param $ns i64) (result i32) (local $err i32)
    (call $clock_sub (i32.const 64) (local.get $ns))
    (local.set $err (call $poll (i32.const 64) (i32.const 192) (i32.const 1) (i32.const 48)))
    (if (local.get $err) (then (return (local.get $err))))
    (if (i32.ne (i32.load (i32.const 48)) (i32.const 1)) (then (return (i32.const -1))))
    (if (i64.ne (i64.load (i32.const 192)) (i64.const 2)) (then (return (i32.const -1))))
    (i32.load16_u (i32.const 200)))
  ;; waits until `fd` is readable (userdata 1), at most 10 s: 0, errno, or -1000 on timeout
  (func $wait_readable (param $fd i32) (result i32) (local $err i32)
    (memory.fill (i32.const 64) (i32.const 0) (i32.const 48))
    (i64.store (i32.const 64) (i64.const 1))
    (i32.store8 (i32.const 72) (i32.const 1))
    (i32.store (i32.const 80) (local.get $fd))
    (call $clock_sub (i32.const 112) (i64.const 10000000000))
    (local.set $err (call $poll (i32.const 64) (i32.const 192) (i32.const 2) (i32.const 48)))
    (if (local.get $err) (then (return (local.get $err))))
    (if (i64.eq (i64.load (i32.const 192)) (i64.const 2)) (then (return (i32.const -1000))))
    (i32.load16_u (i32.const 200)))
  ;; reads `fd` to the end, waiting for readiness first if `poll`
  (func $drain (param $fd i32) (param $poll i32) (param $socket i32) (result i32 i32)
    (local $err i32) (local $n i32) (local $total i32) (local $sum i32)
    (loop $more
      (if (local.get $poll) (then
        (local.set $err (call $wait_readable (local.get $fd)))
        (if (local.get $err)
          (then (return (i32.sub (i32.const 0) (local.get $err)) (i32.const 0))))))
      (local.set $err (if (result i32) (local.get $socket)
        (then (call $sock_recv (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 0)
                               (i32.const 36) (i32.const 40)))
        (else (call $fd_read (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 36)))))
      (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)) (i32.const 0))))
      (local.set $n (i32.load (i32.const 36)))
      (if (local.get $n) (then
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $sum (local.get $n))))
        (br $more))))
    (drop (call $fd_close (local.get $fd)))
    (local.get $total) (local.get $sum))
  ;; opens "fifo" in the preopened directory (fd 4) for reading and drains it
  (func (export "read_fifo") (param $poll i32) (result i32 i32) (local $err i32)
    (local.set $err (call $path_open (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 4)
      (i32.const 0) (i64.const 0x8000002) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)) (i32.const 0))))
    (call $drain (i32.load (i32.const 32)) (local.get $poll) (i32.const 0)))
  ;; accepts one connection on the listener (fd 3) and drains it
  (func (export "accept_recv") (param $poll i32) (result i32 i32) (local $err i32)
    (if (local.get $poll) (then
      (local.set $err (call $wait_readable (i32.const 3)))
      (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)) (i32.const 0))))))
    (local.set $err (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 32)))
    (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)) (i32.const 0))))
    (call $drain (i32.load (i32.const 32)) (local.get $poll) (i32.const 1)))
))";

constexpr size_t kChunk = 4096, kChunks = 24;

uint8_t patternByte(size_t i) { return uint8_t(i * 7 + 3); }

int32_t patternSum() {
  uint32_t sum = 0;
  for (size_t i = 0; i < kChunk * kChunks; ++i)
    sum += patternByte(i);
  return int32_t(sum);
}

// Writes the pattern to `fd` in chunks, a couple of milliseconds apart, so that
// the reader blocks between them; then closes it. Runs with the storm's signals
// blocked (it is not the guest).
void feed(int fd) {
  std::vector<uint8_t> bytes(kChunk * kChunks);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = patternByte(i);
  for (size_t chunk = 0; chunk < kChunks; ++chunk) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    for (size_t done = 0; done < kChunk;) {
      ssize_t n = write(fd, bytes.data() + chunk * kChunk + done, kChunk - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
  }
  close(fd);
}

void blockStormSignals() {
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int signal : {SIGALRM, SIGUSR1, SIGCHLD})
    sigaddset(&blocked, signal);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
}

// Opens the FIFO's write end once the guest has opened the read end (a
// non-blocking open fails with ENXIO until then), 50 ms in, and feeds it.
std::thread fifoWriter(const std::string &path) {
  return std::thread([path] {
    blockStormSignals();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int fd;
    while ((fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (fd < 0)
      return; // the guest never opened it; its call reports why
    fcntl(fd, F_SETFL, 0);
    feed(fd);
  });
}

std::thread socketClient(uint16_t port) {
  return std::thread([port] {
    blockStormSignals();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
      close(fd);
      return;
    }
    feed(fd);
  });
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wasmrt-signals-XXXXXX").string();
    path = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// "BYTES SUM" of a drain, "-ERRNO 0" if a WASI call failed, or the call's error.
std::string outcome(const Expected<std::vector<Val>> &results) {
  if (!results)
    return results.error().describe();
  if (results->size() != 2)
    return "wrong result count";
  return std::to_string((*results)[0].i32()) + " " + std::to_string((*results)[1].i32());
}

} // namespace

TEST_CASE("A guest blocked in WASI calls while the host is hammered by signals gets the right "
          "results",
          "[faults][signals]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  TempDir dir;
  REQUIRE(!dir.path.empty());
  std::string fifo = (dir.path / "fifo").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 4) == 0);
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0);
  uint16_t port = ntohs(address.sin_port);

  Engine engine;
  Store store(engine);
  Linker linker;
  WasiConfig config;
  config.inheritStdio = false;
  config.listenFds = {listener}; // fd 3
  config.preopens.push_back({dir.path.string(), "/", false}); // fd 4
  auto wasi = defineWasi(linker, store, config);
  REQUIRE(wasi);
  close(listener);
  Module module = compileWat(engine, kWasiGuest);
  auto instance = linker.instantiate(store, module);
  REQUIRE(instance);
  auto sleep = instance->getFunc("sleep");
  auto readFifo = instance->getFunc("read_fifo");
  auto acceptRecv = instance->getFunc("accept_recv");
  REQUIRE((sleep && readFifo && acceptRecv));
  const std::string expected =
      std::to_string(kChunk * kChunks) + " " + std::to_string(patternSum());

  gSignalsOnTarget = 0;
  SignalStorm storm;
  // poll_oneoff on a clock: neither ended early by a signal nor failed with EINTR.
  for (int i = 0; i < 3; ++i) {
    auto begin = std::chrono::steady_clock::now();
    auto slept = sleep->call({Val(int64_t(30'000'000))});
    auto took = std::chrono::steady_clock::now() - begin;
    REQUIRE(slept);
    CHECK((*slept)[0].i32() == 0);
    CHECK(took >= std::chrono::milliseconds(30));
    CHECK(took < std::chrono::seconds(20));
  }
  for (int32_t poll : {0, 1}) {
    INFO((poll ? "poll_oneoff, then " : "") << "fd_read");
    // path_open blocks until the writer opens the FIFO; fd_read between chunks.
    std::thread writer = fifoWriter(fifo);
    auto fromFifo = readFifo->call({Val(poll)});
    writer.join();
    CHECK(outcome(fromFifo) == expected);
    // sock_accept blocks until the client connects; sock_recv between chunks.
    INFO((poll ? "poll_oneoff, then " : "") << "sock_accept and sock_recv");
    std::thread client = socketClient(port);
    auto fromSocket = acceptRecv->call({Val(poll)});
    client.join();
    CHECK(outcome(fromSocket) == expected);
  }
  INFO(gSignalsOnTarget.load() << " signals handled on the guest's thread");
  CHECK(gSignalsOnTarget.load() > 50);
}

namespace {

// A loop mixing arithmetic and memory traffic, an out-of-bounds load and a
// division by zero.
constexpr const char *kComputeGuest = R"((module
  (memory 1)
  (func (export "work") (param $n i32) (result i32) (local $i i32) (local $h i32)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 16384))
    (loop $next
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (local.get $i)))
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 4095)) (i32.const 2)) (local.get $h))
      (local.set $h (i32.xor (local.get $h)
        (i32.load (i32.shl (i32.and (i32.mul (local.get $i) (i32.const 7)) (i32.const 4095))
                           (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $h))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
)";

int32_t expectedWork(uint32_t n) {
  std::vector<uint32_t> memory(4096, 0);
  uint32_t h = 0;
  for (uint32_t i = 0; i < n; ++i) {
    h = h * 31 + i;
    memory[i & 4095] = h;
    h ^= memory[(i * 7) & 4095];
  }
  return int32_t(h);
}

} // namespace

TEST_CASE("Signals hammering JIT code change neither its results nor its traps",
          "[faults][signals]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  for (MemoryMode mode : {MemoryMode::Guarded, MemoryMode::BoundsChecked}) {
    INFO((mode == MemoryMode::Guarded ? "guarded" : "bounds-checked") << " memory");
    Config config;
    config.memoryMode = mode;
    Engine engine(config);
    Module module = compileWat(engine, kComputeGuest);
    Store store(engine);
    auto instance = Instance::create(store, module);
    REQUIRE(instance);
    auto work = instance->typedFunc<int32_t(int32_t)>("work");
    auto load = instance->typedFunc<int32_t(int32_t)>("load");
    auto div = instance->typedFunc<int32_t(int32_t, int32_t)>("div");
    REQUIRE((work && load && div));
    constexpr int32_t kIterations = 200'000;
    const int32_t expected = expectedWork(kIterations);
    gSignalsOnTarget = 0;
    int wrong = 0, wrongTraps = 0;
    {
      SignalStorm storm;
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      for (int round = 0; round < 20 || std::chrono::steady_clock::now() < until; ++round) {
        auto result = (*work)(kIterations);
        wrong += !result || *result != expected;
        auto outOfBounds = (*load)(65536 - 2 + round % 8);
        wrongTraps += outOfBounds || store.lastTrap()->kind != TrapKind::MemoryOutOfBounds;
        auto divided = (*div)(round, 0);
        wrongTraps += divided || store.lastTrap()->kind != TrapKind::IntegerDivideByZero;
        auto inBounds = (*load)(65532);
        wrong += !inBounds;
      }
    }
    INFO(gSignalsOnTarget.load() << " signals handled on the guest's thread");
    CHECK(wrong == 0);
    CHECK(wrongTraps == 0);
    CHECK(gSignalsOnTarget.load() > 50);
  }
}
