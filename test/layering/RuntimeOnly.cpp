// An embedder that links wasmrt_api, which is LLVM-free, and has no compiler:
// run by CTest with WASMRT_COMPILER_LIBRARY naming a file that does not exist.
// Everything that needs no compiler must work, everything that compiles must
// fail with a clear error, and neither may map LLVM or the compiler plugin.
#include <wasmrt/wasmrt.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok)
    ++failures;
}

// Whether a file whose path contains `name` is mapped into this process.
bool mapped(const std::string &name) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line))
    if (line.find(name) != std::string::npos)
      return true;
  return false;
}

// A compile failure that names the missing library.
bool isCompilerUnavailable(const wasmrt::Error &error, const std::string &library) {
  std::printf("  (%s)\n", error.describe().c_str());
  return error.kind() == wasmrt::ErrorKind::Io &&
         error.message().find("compiler not available") != std::string::npos &&
         error.message().find(library) != std::string::npos;
}

} // namespace

int main() {
  const char *library = std::getenv("WASMRT_COMPILER_LIBRARY");
  if (!library || !*library) {
    std::fprintf(stderr, "run with WASMRT_COMPILER_LIBRARY set to a file that does not exist\n");
    return 2;
  }
  // (func (result i32) (i32.const 0))
  const std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                      0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
                                      0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b};
  wasmrt::Engine engine;
  check(bool(wasmrt::Module::validate(engine, bytes)), "a valid module validates");
  std::vector<uint8_t> invalid = bytes;
  invalid[invalid.size() - 3] = 0x42; // i64.const: type mismatch
  auto rejected = wasmrt::Module::validate(engine, invalid);
  check(!rejected && rejected.error().kind() == wasmrt::ErrorKind::Invalid,
        "an invalid module is rejected");

  wasmrt::Store store(engine);
  auto memory = wasmrt::Memory::create(store, {{1, 2}});
  check(memory && memory->write(100, std::vector<uint8_t>{1, 2, 3}) &&
            memory->load<uint8_t>(102) && *memory->load<uint8_t>(102) == 3,
        "a host memory can be created, written and read");
  auto global = wasmrt::Global::create(store, {wasmrt::ValType::I32, true}, wasmrt::Val(int32_t(5)));
  check(global && global->set(wasmrt::Val(int32_t(6))) && global->get().i32() == 6,
        "a host global can be created and set");

  auto compiled = wasmrt::Module::compile(engine, bytes);
  check(!compiled && isCompilerUnavailable(compiled.error(), library),
        "compiling fails with 'compiler not available' naming the library");
  auto again = wasmrt::Module::compile(engine, bytes);
  check(!again && isCompilerUnavailable(again.error(), library), "and again the same way");
  auto host = wasmrt::Func::wrap(store, [](int32_t x) { return x + 1; });
  check(!host && isCompilerUnavailable(host.error(), library),
        "a host function (which needs compiled glue) fails the same way");

  check(!mapped("libLLVM"), "libLLVM is not mapped");
  check(!mapped("libwasmrt-compiler"), "the compiler plugin is not mapped");
  return failures == 0 ? 0 : 1;
}
