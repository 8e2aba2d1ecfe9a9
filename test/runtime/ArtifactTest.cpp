// Precompiled artifacts: compiled by the AOT compiler, checked, mapped and run
// by the runtime without a JIT; refused when truncated, corrupted, of another
// format version, target, CPU or code-generation option.
#include "abi/ArtifactFormat.h"
#include "abi/LibraryRoutines.h"
#include "compiler/Compiler.h"
#include "runtime/Artifact.h"
#include "runtime/CpuFingerprint.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "support/Checksum.h"

#include "binary/Decoder.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace wasmrt;
using namespace wasmrt::internal;
namespace art = wasmrt::abi::artifact;

namespace {

// Exercises code, rodata (float constants), runtime entry points (memory.grow,
// memory.fill), library routines, tables, host imports and traps.
constexpr std::string_view kModule = R"(
  (module
    (import "host" "add" (func $hostAdd (param i32 i32) (result i32)))
    (memory 1 4)
    (table 2 funcref)
    (global $counter (mut i32) (i32.const 0))
    (elem (i32.const 0) $double $triple)
    (type $unary (func (param i32) (result i32)))
    (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
    (func (export "indirect") (param i32 i32) (result i32)
      (call_indirect (type $unary) (local.get 1) (local.get 0)))
    (func (export "viaHost") (param i32) (result i32)
      (call $hostAdd (local.get 0) (i32.const 100)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "fillAndSum") (param i32 i32) (result i32)
      (memory.fill (i32.const 16) (local.get 0) (local.get 1))
      (i32.add (i32.load8_u (i32.const 16)) (i32.load8_u (i32.const 17))))
    (func (export "scale") (param f64) (result f64)
      (f64.add (f64.mul (local.get 0) (f64.const 1.5)) (f64.const 0.25)))
    (func (export "nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
    (func (export "count") (result i32)
      (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
      (global.get $counter))
    (func $inner (export "divide") (param i32 i32) (result i32)
      (i32.div_s (local.get 0) (local.get 1)))
    (func $outer (export "outer") (param i32 i32) (result i32)
      (call $inner (local.get 0) (local.get 1)))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
)";

struct Source {
  std::vector<uint8_t> bytes;
  std::shared_ptr<const Module> module;
};

Source parse(std::string_view wat) {
  text::WatOptions options;
  options.emitNames = true;
  auto bytes = text::parseWat(wat, options);
  REQUIRE(bytes);
  std::vector<uint8_t> copy = *bytes;
  auto module = decodeModule(std::move(*bytes)); // owns its bytes
  REQUIRE(module);
  REQUIRE(validateModule(*module));
  return {std::move(copy), std::make_shared<const Module>(std::move(*module))};
}

CompileOptions compileOptions(MemoryMode mode, unsigned optLevel = 2) {
  CompileOptions options;
  options.optLevel = optLevel;
  options.explicitBoundsChecks = mode == MemoryMode::BoundsChecked;
  options.threads = 2;
  return options;
}

std::vector<uint8_t> compile(const Source &source, const CompileOptions &options,
                             std::string targetArch = "") {
  ArtifactOptions artifact;
  artifact.targetArch = std::move(targetArch);
  artifact.cpuFingerprint = hostCpuFingerprint();
  artifact.sourceHash[0] = 42;
  auto bytes = compileArtifact(*source.module, source.bytes, options, artifact);
  if (!bytes)
    FAIL(bytes.error().describe());
  return std::move(*bytes);
}

ArtifactRequirements requirementsFor(const CompileOptions &options) {
  ArtifactRequirements requirements;
  requirements.explicitBoundsChecks = options.explicitBoundsChecks;
  requirements.epochInterruption = options.epochInterruption;
  requirements.consumeFuel = options.consumeFuel;
  return requirements;
}

EngineConfig engineConfig(MemoryMode mode) {
  EngineConfig config;
  config.memoryMode = mode;
  config.compileThreads = 1;
  return config;
}

// Artifacts run without a compiler: an engine whose compiler cannot be had
// still loads, instantiates and calls them (host functions included: the
// artifact's own glue serves them).
CompilerSupplier noCompiler() {
  return []() -> Expected<std::shared_ptr<CompilerBackend>> {
    return Error(ErrorKind::Unsupported, "no compiler in this test");
  };
}

// Rewrites the checksum after a deliberate change of the header.
void reseal(std::vector<uint8_t> &file) {
  std::memset(file.data() + offsetof(art::ArtifactHeader, checksum), 0, 16);
  Checksum128 sum = checksum128({file});
  std::memcpy(file.data() + offsetof(art::ArtifactHeader, checksum), sum.data(), sum.size());
}

art::ArtifactHeader &headerOf(std::vector<uint8_t> &file) {
  return *reinterpret_cast<art::ArtifactHeader *>(file.data());
}

std::string writeTemp(const std::vector<uint8_t> &bytes) {
  char path[] = "/tmp/wasmrt-artifact-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  close(fd);
  return path;
}

int32_t callI32(Instance &instance, std::string_view name, std::vector<Value> args) {
  auto results = instance.invoke(name, args);
  if (!results)
    FAIL(results.error().describe());
  REQUIRE(results->size() == 1);
  return (*results)[0].asI32();
}

void runModule(Engine &engine, LoadedArtifact artifact) {
  auto loaded = engine.loadPrecompiled(artifact.module, std::move(artifact.code));
  REQUIRE(loaded);
  Store store(engine);
  Linker linker;
  FuncType addType{{ValType::I32, ValType::I32}, {ValType::I32}};
  auto add = store.createHostFunction(
      addType, [](Instance *, std::span<const Value> params, std::span<Value> results)
                   -> std::optional<TrapKind> {
        results[0] = Value::i32(params[0].asI32() + params[1].asI32());
        return std::nullopt;
      });
  REQUIRE(add);
  linker.define("host", "add", Extern{ExternKind::Func, *add});
  auto imports = linker.resolve(*(*loaded)->module);
  REQUIRE(imports);
  auto instance = store.instantiate(*loaded, *imports);
  REQUIRE(instance);
  Instance &wasm = **instance;

  CHECK(callI32(wasm, "indirect", {Value::i32(0), Value::i32(7)}) == 14);
  CHECK(callI32(wasm, "indirect", {Value::i32(1), Value::i32(7)}) == 21);
  CHECK(callI32(wasm, "viaHost", {Value::i32(5)}) == 105);
  CHECK(callI32(wasm, "grow", {Value::i32(1)}) == 1);
  CHECK(callI32(wasm, "grow", {Value::i32(5)}) == -1);
  CHECK(callI32(wasm, "fillAndSum", {Value::i32(9), Value::i32(4)}) == 18);
  CHECK(callI32(wasm, "count", {}) == 1);
  CHECK(callI32(wasm, "count", {}) == 2);
  auto scaled = wasm.invoke("scale", std::vector<Value>{Value::f64(2.0)});
  REQUIRE(scaled);
  CHECK((*scaled)[0].asF64() == 3.25);
  auto nearest = wasm.invoke("nearest", std::vector<Value>{Value::f32(2.5f)});
  REQUIRE(nearest);
  CHECK((*nearest)[0].asF32() == 2.0f);

  Trap trap;
  auto divided = wasm.invoke("outer", std::vector<Value>{Value::i32(1), Value::i32(0)}, &trap);
  REQUIRE_FALSE(divided);
  CHECK(trap.kind == TrapKind::IntegerDivideByZero);
  REQUIRE(trap.frames.size() >= 1);
  INFO(trap.describe());
  // At -O1 and above `inner` may be inlined into `outer`.
  CHECK((trap.frames[0].funcName == "inner" || trap.frames[0].funcName == "outer"));
  auto outOfBounds = wasm.invoke("load", std::vector<Value>{Value::i32(5 * 65536)}, &trap);
  REQUIRE_FALSE(outOfBounds);
  CHECK(trap.kind == TrapKind::MemoryOutOfBounds);
  auto indirectNull = wasm.invoke("indirect", std::vector<Value>{Value::i32(5), Value::i32(1)}, &trap);
  REQUIRE_FALSE(indirectNull);
  CHECK(trap.kind == TrapKind::UndefinedElement);
}

#define ANY_MODE GENERATE(MemoryMode::Guarded, MemoryMode::BoundsChecked)

} // namespace

TEST_CASE("An artifact runs from a file and from memory like JIT code") {
  MemoryMode mode = ANY_MODE;
  Source source = parse(kModule);
  CompileOptions options = compileOptions(mode);
  std::vector<uint8_t> artifact = compile(source, options);
  REQUIRE(looksLikeArtifact(artifact));
  CHECK_FALSE(looksLikeArtifact(source.bytes));
  Engine engine(engineConfig(mode), noCompiler());

  SECTION("from memory") {
    auto loaded = loadArtifactBytes(artifact, requirementsFor(options));
    if (!loaded)
      FAIL(loaded.error().describe());
    CHECK(loaded->sourceHash[0] == 42);
    CHECK(loaded->description.find("opt-level: 2") != std::string::npos);
    runModule(engine, std::move(*loaded));
  }
  SECTION("from a file, its code mapped from the file") {
    std::string path = writeTemp(artifact);
    auto loaded = loadArtifactFile(path, requirementsFor(options));
    if (!loaded)
      FAIL(loaded.error().describe());
    // The text segment is a file mapping, executable and not writable.
    uintptr_t code = reinterpret_cast<uintptr_t>(loaded->code->functionCode(1));
    std::ifstream maps("/proc/self/maps");
    bool mappedFromFile = false;
    for (std::string line; std::getline(maps, line);) {
      uintptr_t begin = 0, end = 0;
      char perms[5] = {};
      if (std::sscanf(line.c_str(), "%lx-%lx %4s", &begin, &end, perms) == 3 && code >= begin &&
          code < end)
        mappedFromFile = std::string(perms) == "r-xp" && line.find(path) != std::string::npos;
    }
    CHECK(mappedFromFile);
    std::remove(path.c_str());
    runModule(engine, std::move(*loaded));
  }
}

TEST_CASE("Portable artifacts for this architecture run, other architectures are refused") {
  Source source = parse(kModule);
  CompileOptions options = compileOptions(MemoryMode::Guarded);
  bool x86 = hostArch() == art::TargetArch::X86_64;
  std::vector<uint8_t> portable = compile(source, options, x86 ? "x86_64" : "aarch64");
  auto loaded = loadArtifactBytes(portable, requirementsFor(options));
  if (!loaded)
    FAIL(loaded.error().describe());
  Engine engine(engineConfig(MemoryMode::Guarded), noCompiler());
  runModule(engine, std::move(*loaded));

  std::vector<uint8_t> other = compile(source, options, x86 ? "aarch64" : "x86_64");
  auto refused = loadArtifactBytes(other, requirementsFor(options));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::Unsupported);
  CHECK_THAT(refused.error().message(), Catch::Contains("compiled for"));
}

TEST_CASE("Damaged or incompatible artifacts are refused with a clear error") {
  Source source = parse(kModule);
  CompileOptions options = compileOptions(MemoryMode::Guarded, 1);
  const std::vector<uint8_t> good = compile(source, options);
  ArtifactRequirements requirements = requirementsFor(options);
  REQUIRE(loadArtifactBytes(good, requirements));
  auto refusal = [&](const std::vector<uint8_t> &bytes, const ArtifactRequirements &r) {
    auto loaded = loadArtifactBytes(bytes, r);
    REQUIRE_FALSE(loaded);
    return loaded.error();
  };

  SECTION("truncated anywhere") {
    for (size_t size : {size_t(0), size_t(7), sizeof(art::ArtifactHeader) - 1, good.size() / 2,
                        good.size() - 1}) {
      std::vector<uint8_t> cut(good.begin(), good.begin() + size);
      Error error = refusal(cut, requirements);
      CHECK(error.kind() == ErrorKind::Malformed);
    }
    std::vector<uint8_t> cut(good.begin(), good.end() - 1);
    CHECK_THAT(refusal(cut, requirements).message(), Catch::Contains("truncated"));
  }
  SECTION("any flipped byte after the header") {
    for (size_t at = sizeof(art::ArtifactHeader); at < good.size(); at += good.size() / 17) {
      std::vector<uint8_t> bad = good;
      bad[at] ^= 0x20;
      CHECK_THAT(refusal(bad, requirements).message(), Catch::Contains("checksum"));
    }
  }
  SECTION("a wasm module is not an artifact") {
    CHECK_THAT(refusal(source.bytes, requirements).message(), Catch::Contains("not a wasmrt artifact"));
  }
  SECTION("another format version") {
    std::vector<uint8_t> bad = good;
    headerOf(bad).formatVersion += 1;
    reseal(bad);
    Error error = refusal(bad, requirements);
    CHECK(error.kind() == ErrorKind::Unsupported);
    CHECK_THAT(error.message(), Catch::Contains("format version"));
  }
  SECTION("another wasmrt version") {
    std::vector<uint8_t> bad = good;
    std::strcpy(headerOf(bad).wasmrtVersion, "0.0.0-other");
    reseal(bad);
    CHECK_THAT(refusal(bad, requirements).message(), Catch::Contains("compiled by wasmrt 0.0.0-other"));
  }
  SECTION("another CPU") {
    std::vector<uint8_t> bad = good;
    headerOf(bad).cpuFingerprint[20] ^= 1;
    reseal(bad);
    CHECK_THAT(refusal(bad, requirements).message(), Catch::Contains("another CPU"));
  }
  SECTION("other code-generation options than the engine's") {
    ArtifactRequirements checks = requirements;
    checks.explicitBoundsChecks = true;
    CHECK_THAT(refusal(good, checks).message(), Catch::Contains("guarded"));
    ArtifactRequirements fuel = requirements;
    fuel.consumeFuel = true;
    CHECK_THAT(refusal(good, fuel).message(), Catch::Contains("fuel"));
    ArtifactRequirements epoch = requirements;
    epoch.epochInterruption = true;
    CHECK_THAT(refusal(good, epoch).message(), Catch::Contains("epoch"));
  }
  SECTION("regions outside the file, even with a valid checksum") {
    std::vector<uint8_t> bad = good;
    headerOf(bad).wasmSize = bad.size();
    reseal(bad);
    CHECK_THAT(refusal(bad, requirements).message(), Catch::Contains("outside"));
  }
  SECTION("a missing file") {
    auto loaded = loadArtifactFile("/nonexistent/x.cwasm", requirements);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind() == ErrorKind::Io);
    CHECK_THAT(loaded.error().message(), Catch::Contains("/nonexistent/x.cwasm"));
  }
}

TEST_CASE("Every library routine generated code may call resolves at load") {
#define WASMRT_CHECK_ROUTINE(name) CHECK(libraryRoutineAddress(#name) != nullptr);
  WASMRT_LIBRARY_ROUTINES(WASMRT_CHECK_ROUTINE)
#undef WASMRT_CHECK_ROUTINE
  CHECK(libraryRoutineAddress("system") == nullptr);
}

#if defined(__x86_64__)
#include <cpuid.h>

// hostCpuFingerprint reads the feature leaves from glibc's copy instead of
// executing CPUID (each CPUID traps in a VM). The fingerprint must be the one
// the CPUID instruction gives, or artifacts compiled by an older wasmrt (or in
// a process without glibc's copy) would be refused as "another CPU".
TEST_CASE("CPU fingerprint: the same as computed with the CPUID instruction", "[artifact]") {
  struct Leaf {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
  };
  auto cpuid = [](uint32_t leaf, uint32_t subleaf, uint32_t maxLeaf) {
    Leaf r;
    if (leaf <= maxLeaf)
      __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
  };
  Leaf vendor = cpuid(0, 0, 0);
  uint32_t maxBasic = vendor.eax;
  uint32_t maxExtended = cpuid(0x80000000, 0, 0x80000000).eax;
  Leaf basic = cpuid(1, 0, maxBasic);
  basic.ebx = 0;
  uint64_t enabled = 0;
  if (basic.ecx & (1u << 27)) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    enabled = (uint64_t(edx) << 32) | eax;
  }
  const Leaf leaves[] = {vendor, basic, cpuid(7, 0, maxBasic), cpuid(7, 1, maxBasic),
                         cpuid(0x80000001, 0, maxExtended)};
  uint64_t words[2] = {enabled, maxExtended};
  Checksum128 digest = checksum128({{reinterpret_cast<const uint8_t *>(leaves), sizeof leaves},
                                    {reinterpret_cast<const uint8_t *>(words), sizeof words}});
  CpuFingerprint host = hostCpuFingerprint();
  CHECK(std::memcmp(host.data(), "x86_64", 6) == 0);
  CHECK(std::memcmp(host.data() + 16, digest.data(), digest.size()) == 0);
  CHECK(hostMeetsBaseline(art::TargetArch::X86_64) ==
        ((cpuid(1, 0, maxBasic).ecx & 0x982201u) == 0x982201u &&
         (cpuid(0x80000001, 0, maxExtended).ecx & 1u)));
}
#endif
