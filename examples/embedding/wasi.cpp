// Running a WASI program: defineWasi, a preopened directory, and telling the
// guest's proc_exit apart from a trap.
#include <wasmrt/Wasi.h>
#include <wasmrt/wasmrt.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

// Opens "greeting.txt" in its preopened directory (fd 3), writes its contents
// to stdout and exits with the number of bytes read.
const char *kGuest = R"((module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "greeting.txt")
  (func (export "_start")
    ;; path_open(fd 3, follow symlinks, "greeting.txt", no oflags, fd_read right) -> fd at 16
    (if (call $path_open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 12)
                         (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16))
      (then unreachable))
    ;; one iovec at 32: buffer 64, 256 bytes; bytes read at 40
    (i32.store (i32.const 32) (i32.const 64))
    (i32.store (i32.const 36) (i32.const 256))
    (if (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40))
      (then unreachable))
    (i32.store (i32.const 36) (i32.load (i32.const 40)))
    (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 44)))
    (call $proc_exit (i32.load (i32.const 40)))))
)";

} // namespace

int main() {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("wasmrt-example-wasi-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "greeting.txt") << "hello from a preopened directory\n";

  wasmrt::Engine engine;
  auto module = wasmrt::Module::fromWat(engine, kGuest);
  if (!module)
    return 1;
  wasmrt::Store store(engine);
  wasmrt::Linker linker;
  wasmrt::WasiConfig config;
  config.args = {"greeter"};
  config.preopens.push_back({.hostPath = dir.string(), .guestPath = "/data", .readOnly = true});
  auto wasi = wasmrt::defineWasi(linker, store, config);
  if (!wasi) {
    std::fprintf(stderr, "%s\n", wasi.error().describe().c_str());
    return 1;
  }
  auto instance = linker.instantiate(store, *module);
  if (!instance)
    return 1;
  auto run = instance->getFunc("_start")->call({});
  fs::remove_all(dir);
  std::fflush(stdout);
  // proc_exit unwinds like a trap; exitCode() says it was an exit.
  if (run || !wasi->exitCode()) {
    std::fprintf(stderr, "expected proc_exit: %s\n",
                 run ? "returned" : run.error().describe().c_str());
    return 1;
  }
  std::printf("the guest exited with %u\n", *wasi->exitCode());
  return *wasi->exitCode() == 33 ? 0 : 1;
}
