#include "CompilerTestUtil.h"

#include "binary/Decoder.h"
#include "support/File.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdio>
#include <cstdlib>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;
using abi::TrapKind;

namespace {

std::unique_ptr<TestInstance> make(std::string_view wat, CompileOptions options) {
  std::string error;
  auto instance = TestInstance::create(wat, std::move(options), {}, &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
}

Expected<Module> validModule(std::string_view wat) {
  auto bytes = text::parseWat(wat);
  if (!bytes)
    return bytes.error();
  auto module = decodeModule(std::move(*bytes));
  if (!module)
    return module;
  if (auto valid = validateModule(*module); !valid)
    return valid.error();
  return module;
}

const char *kMixedModule = R"((module
  (memory 1)
  (func $hash (export "hash") (param $n i32) (result i64) (local $h i64) (local $i i32)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i64.store8 (local.get $i) (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 7))))
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $i)))
                             (i64.const 0x100000001b3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $h))
  (func (export "poly") (param $x f64) (result f64)
    (f64.add (f64.mul (f64.mul (local.get $x) (local.get $x)) (f64.const 0.5))
             (f64.nearest (f64.div (local.get $x) (f64.const 3)))))
  (func (export "mix") (param i32 i32) (result i32)
    (i32.rotl (i32.xor (i32.div_u (local.get 0) (i32.or (local.get 1) (i32.const 1)))
                       (i32.clz (local.get 1)))
              (local.get 0)))
  (func (export "sort") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $t i32)
    ;; bubble sort of n i32s written at 1024, returns a checksum of the sorted order
    (local.set $i (i32.const 0))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))
                 (i32.rem_u (i32.mul (local.get $i) (i32.const 2654435761)) (i32.const 1000)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (local.set $i (i32.const 0))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block (loop
        (br_if 1 (i32.ge_u (local.get $j)
                           (i32.sub (i32.sub (local.get $n) (local.get $i)) (i32.const 1))))
        (if (i32.gt_s (i32.load offset=1024 (i32.shl (local.get $j) (i32.const 2)))
                      (i32.load offset=1028 (i32.shl (local.get $j) (i32.const 2))))
          (then
            (local.set $t (i32.load offset=1024 (i32.shl (local.get $j) (i32.const 2))))
            (i32.store offset=1024 (i32.shl (local.get $j) (i32.const 2))
              (i32.load offset=1028 (i32.shl (local.get $j) (i32.const 2))))
            (i32.store offset=1028 (i32.shl (local.get $j) (i32.const 2)) (local.get $t))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (local.set $t (i32.const 0))
    (local.set $i (i32.const 0))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $t (i32.add (i32.mul (local.get $t) (i32.const 31))
                             (i32.load offset=1024 (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (local.get $t))
))";

// n functions; f_i(x) = f_{i-1}(x) + i, f_0(x) = x, each padded with some
// arithmetic so the module is large enough to be split into chunks.
std::string chainModule(int n) {
  std::string wat = "(module\n(func $f0 (export \"f0\") (param i32) (result i32) (local.get 0))\n";
  for (int i = 1; i < n; ++i) {
    std::string index = std::to_string(i);
    wat += "(func $f" + index + " (export \"f" + index + "\") (param i32) (result i32)";
    wat += " (local i32)\n";
    for (int k = 0; k < 4; ++k)
      wat += "  (local.set 1 (i32.xor (i32.mul (local.get 1) (i32.const 16777619))"
             " (local.get 0)))\n";
    wat += "  (i32.add (call $f" + std::to_string(i - 1) + " (local.get 0))\n";
    wat += "    (i32.add (i32.const " + index + ") (i32.and (local.get 1) (i32.const 0)))))\n";
  }
  return wat + ")";
}

} // namespace

TEST_CASE("all optimisation levels compute the same results", "[compiler][opt]") {
  std::vector<std::vector<abi::ValueSlot>> results[4];
  for (unsigned level = 0; level < 4; ++level) {
    auto m = make(kMixedModule, testOptions(level, level % 2 == 1));
    for (int n : {0, 1, 17, 300})
      results[level].push_back(m->call("hash", {i32(n)}).results);
    for (double x : {0.0, -1.5, 7.25, 1e10})
      results[level].push_back(m->call("poly", {f64(x)}).results);
    for (int a : {0, 1, -1, 123456789})
      results[level].push_back(m->call("mix", {i32(a), i32(a * 3 + 5)}).results);
    results[level].push_back(m->call("sort", {i32(100)}).results);
  }
  auto bytesOf = [](const std::vector<std::vector<abi::ValueSlot>> &all) {
    std::vector<uint64_t> flat;
    for (const auto &slots : all)
      for (const abi::ValueSlot &slot : slots) {
        uint64_t low;
        std::memcpy(&low, slot.bytes, 8);
        flat.push_back(low);
      }
    return flat;
  };
  for (unsigned level = 1; level < 4; ++level)
    CHECK(bytesOf(results[level]) == bytesOf(results[0]));
}

TEST_CASE("a module with many functions compiles in parallel chunks", "[compiler][parallel]") {
  constexpr int kFunctions = 600;
  std::string wat = chainModule(kFunctions);
  unsigned threads = GENERATE(1u, 2u, 4u);
  CompileOptions options = testOptions(2);
  options.threads = threads;
  auto m = make(wat, options);
  CHECK(m->call("f" + std::to_string(kFunctions - 1), {i32(1)}).i32() ==
        1 + kFunctions * (kFunctions - 1) / 2);
  CHECK(m->call("f10", {i32(0)}).i32() == 55);

  // Every function has code, maps back to its index, and lies in a code range.
  const CompiledModule &compiled = m->compiled();
  auto ranges = compiled.codeRanges();
  REQUIRE(!ranges.empty());
  for (uint32_t i = 0; i < kFunctions; ++i) {
    auto pc = reinterpret_cast<uintptr_t>(compiled.functionCode(i));
    REQUIRE(pc != 0);
    CHECK(compiled.functionAt(pc) == std::optional<uint32_t>(i));
    CHECK(compiled.functionAt(pc + 1) == std::optional<uint32_t>(i));
    bool inRange = std::any_of(ranges.begin(), ranges.end(),
                               [&](const auto &r) { return pc >= r.first && pc < r.second; });
    CHECK(inRange);
  }
  CHECK_FALSE(compiled.functionAt(0).has_value());
  CHECK(compiled.functionCode(kFunctions) == nullptr);
}

TEST_CASE("entry trampolines and host adapters exist for every type", "[compiler]") {
  auto module = validModule(R"((module
    (type (func))
    (type (func (param v128 f32) (result i64 f64 externref)))
    (import "host" "f" (func (type 1)))))");
  REQUIRE(module);
  auto compiled = compileModule(*module, testOptions(0));
  REQUIRE(compiled);
  for (uint32_t type = 0; type < 2; ++type) {
    CHECK((*compiled)->entryTrampoline(type) != nullptr);
    CHECK((*compiled)->hostAdapter(type) != nullptr);
  }
  CHECK((*compiled)->functionCode(0) == nullptr); // an import
  CHECK((*compiled)->entryTrampoline(2) == nullptr);
}

TEST_CASE("compile errors", "[compiler]") {
  auto module = validModule("(module (func (export \"f\")))");
  REQUIRE(module);
  SECTION("missing runtime symbols") {
    CompileOptions options = testOptions();
    options.runtimeSymbols.pop_back();
    auto compiled = compileModule(*module, options);
    REQUIRE_FALSE(compiled);
    CHECK(compiled.error().kind() == ErrorKind::Usage);
  }
  SECTION("module that was not validated") {
    Module unvalidated = std::move(*module);
    unvalidated.functionFacts.clear();
    auto compiled = compileModule(unvalidated, testOptions());
    REQUIRE_FALSE(compiled);
    CHECK(compiled.error().kind() == ErrorKind::Usage);
  }
  SECTION("SIMD compiles (SimdTest.cpp checks what it computes)") {
    auto simd = validModule(R"((module (func (export "f") (result v128)
      (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 1 1 1)))))");
    REQUIRE(simd);
    auto compiled = compileModule(*simd, testOptions());
    INFO((compiled ? std::string() : compiled.error().describe()));
    CHECK(compiled);
  }
}

// Not run by default: WASMRT_COMPILE_BENCH=file.wasm test_compiler "[.compile-bench]"
// prints compile times per optimisation level and thread count.
TEST_CASE("compile time of a wasm file", "[.compile-bench]") {
  const char *path = std::getenv("WASMRT_COMPILE_BENCH");
  REQUIRE(path);
  auto bytes = readFileBytes(path);
  REQUIRE(bytes);
  auto module = decodeModule(std::move(*bytes));
  REQUIRE(module);
  REQUIRE(validateModule(*module));
  size_t codeBytes = 0;
  for (const FunctionBody &body : module->code)
    codeBytes += body.code.size();
  for (unsigned level : {0u, 1u, 2u}) {
    for (unsigned threads : {1u, 0u}) {
      CompileOptions options = testOptions(level);
      options.verifyIR = false;
      options.threads = threads;
      auto start = std::chrono::steady_clock::now();
      auto compiled = compileModule(*module, options);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      INFO((compiled ? std::string() : compiled.error().describe()));
      REQUIRE(compiled);
      std::printf("%s: %zu functions, %.1f KiB code, O%u, threads %u: %.3f s (%.2f s/MiB)\n",
                  path, module->code.size(), codeBytes / 1024.0, level, threads, seconds,
                  seconds / (codeBytes / 1048576.0));
    }
  }
}

// Lazy compilation (CompileOptions::lazy): bodies compile on their first call,
// calls and table entries go through stable stubs, results match eager code.
namespace {

CompileOptions lazyOptions(unsigned optLevel = 2) {
  CompileOptions options = testOptions(optLevel);
  options.lazy = true;
  return options;
}

// Waits (bounded) until background compilation has settled.
void settle(const CompiledModule &compiled, uint32_t funcIndex) {
  for (int i = 0; i < 200 && !compiled.isCompiled(funcIndex); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

constexpr const char *kIndependent = R"((module
  (type $unary (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $square)
  (func $double (export "double") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 2)))
  (func $square (param i32) (result i32)
    (i32.mul (local.get 0) (local.get 0)))
  (func $helper (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
  (func $viaHelper (export "viaHelper") (param i32) (result i32)
    (call $helper (local.get 0)))
  (func $dispatch (export "dispatch") (param i32 i32) (result i32)
    (call_indirect (type $unary) (local.get 1) (local.get 0)))
  (func $divide (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $unused (param i32) (result i32) (local.get 0))
  (func (export "square") (param i32) (result i32) (call_indirect (type $unary) (local.get 0) (i32.const 1))))
)";

} // namespace

TEST_CASE("lazy mode compiles a body on its first call only", "[compiler][lazy]") {
  auto m = make(kIndependent, lazyOptions());
  const CompiledModule &compiled = m->compiled();
  // Every function has its stub from the start.
  for (uint32_t i = 0; i < 8; ++i)
    CHECK(compiled.functionCode(i) != nullptr);
  void *stub = compiled.functionCode(0);
  CHECK(m->call("double", {i32(21)}).i32() == 42);
  CHECK(compiled.isCompiled(0));
  CHECK(compiled.functionCode(0) == stub); // stable: tables and FuncRefs keep it

  // Exports compile in the background from the start, and so do the direct
  // callees of whatever compiled: viaHelper (3) brings helper (2).
  settle(compiled, 3);
  settle(compiled, 2);
  CHECK(compiled.isCompiled(3));
  CHECK(compiled.isCompiled(2));
  // Table elements come last (indirect calls are invisible to speculation);
  // a function nothing refers to is compiled only when called.
  settle(compiled, 1);
  CHECK(compiled.isCompiled(1));
  CHECK_FALSE(compiled.isCompiled(6));
  CHECK(m->call("dispatch", {i32(1), i32(9)}).i32() == 81);
  CHECK(compiled.isCompiled(1));
  CHECK_FALSE(compiled.isCompiled(6));
}

namespace {

size_t mappingCount() {
  std::FILE *maps = std::fopen("/proc/self/maps", "r");
  REQUIRE(maps);
  size_t lines = 0;
  for (int c; (c = std::fgetc(maps)) != EOF;)
    lines += c == '\n';
  std::fclose(maps);
  return lines;
}

} // namespace

TEST_CASE("lazily linked bodies share a few mappings and code regions", "[compiler][lazy]") {
  // 3,000 bodies, one link graph each. With a mapping per graph (LLVM's
  // in-process memory manager) this took ~6,000 mappings and as many
  // trap-handler registrations; Linux allows 65,530 mappings per process.
  constexpr uint32_t kFunctions = 3000;
  std::string wat = "(module (type $t (func (result i32))) (table " +
                    std::to_string(kFunctions) + " funcref) (elem (i32.const 0)";
  for (uint32_t i = 0; i < kFunctions; ++i)
    wat += " $f" + std::to_string(i);
  wat += ")";
  for (uint32_t i = 0; i < kFunctions; ++i)
    wat += " (func $f" + std::to_string(i) + " (result i32) (i32.const " + std::to_string(i) + "))";
  wat += " (func (export \"call\") (param i32) (result i32)"
         " (call_indirect (type $t) (local.get 0))))";

  CompileOptions options = lazyOptions(0);
  options.dualMappedCode = GENERATE(true, false);
  INFO("dual-mapped code memory: " << options.dualMappedCode);
  auto regions = std::make_shared<std::vector<std::pair<uintptr_t, uintptr_t>>>();
  options.onCodeLinked = [regions](uintptr_t begin, uintptr_t end) -> Expected<void> {
    regions->emplace_back(begin, end);
    return {};
  };
  size_t mappingsBefore = mappingCount();
  auto m = make(wat, options);
  uint64_t sum = 0;
  for (uint32_t i = 0; i < kFunctions; ++i)
    sum += uint32_t(m->call("call", {i32(int32_t(i))}).i32());
  CHECK(sum == uint64_t(kFunctions) * (kFunctions - 1) / 2);
  for (uint32_t i = 0; i < kFunctions; ++i)
    REQUIRE(m->compiled().isCompiled(i));
  // All linked code lies in reported regions (the trap handler knows it).
  for (const auto &[begin, end] : m->compiled().codeRanges()) {
    bool inRegion = std::any_of(regions->begin(), regions->end(), [&](const auto &region) {
      return begin >= region.first && end <= region.second;
    });
    CHECK(inRegion);
  }
  // Chunks double from 1 MiB: a few regions for 3,000 graphs (a page each
  // in the fallback, packed otherwise).
  CHECK(regions->size() <= 6);
  CHECK(mappingCount() < mappingsBefore + 200);
}

TEST_CASE("lazy stubs work through tables, traps and backtraces", "[compiler][lazy]") {
  auto m = make(kIndependent, lazyOptions());
  const CompiledModule &compiled = m->compiled();
  CHECK(m->call("dispatch", {i32(1), i32(9)}).i32() == 81); // square through the table
  CHECK(compiled.isCompiled(1));
  CHECK(m->call("square", {i32(5)}).i32() == 25);
  CHECK(m->call("dispatch", {i32(0), i32(9)}).i32() == 18);
  CHECK(m->call("dispatch", {i32(2), i32(9)}).trapped(TrapKind::UndefinedElement));
  CHECK(m->call("divide", {i32(7), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("divide", {i32(7), i32(2)}).i32() == 3);
  // Code of a lazily linked body maps back to its function (for backtraces).
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges = compiled.codeRanges();
  REQUIRE_FALSE(ranges.empty());
  bool found = false;
  for (const auto &[begin, end] : ranges)
    for (uintptr_t pc = begin; pc < end && !found; ++pc)
      found = compiled.functionAt(pc) == std::optional<uint32_t>(5);
  CHECK(found);
  CHECK(compiled.containsCode(ranges.front().first));
}

TEST_CASE("lazy and eager code compute the same results", "[compiler][lazy]") {
  constexpr int kFunctions = 300;
  std::string wat = "(module\n(func $f0 (export \"f0\") (param i32) (result i32) (local.get 0))\n";
  for (int i = 1; i < kFunctions; ++i) {
    std::string index = std::to_string(i);
    wat += "(func $f" + index + " (export \"f" + index + "\") (param i32) (result i32)" +
           " (i32.add (call $f" + std::to_string(i - 1) + " (i32.mul (local.get 0) (i32.const 3)))" +
           " (i32.const " + index + ")))\n";
  }
  wat += ")";
  unsigned optLevel = GENERATE(0u, 2u);
  CompileOptions eagerOptions = testOptions(optLevel);
  auto eager = make(wat, eagerOptions);
  auto lazy = make(wat, lazyOptions(optLevel));
  for (int i : {kFunctions - 1, 7, 150, 0})
    CHECK(lazy->call("f" + std::to_string(i), {i32(5)}).i32() ==
          eager->call("f" + std::to_string(i), {i32(5)}).i32());
  for (uint32_t i = 0; i < uint32_t(kFunctions); ++i)
    CHECK(lazy->compiled().isCompiled(i)); // the first call reached them all
}

// Threads racing on a first call: test/api ("threads racing on the first call of a
// lazily compiled function"); this harness shares one stack limit per instance.

TEST_CASE("destroying a lazy module while bodies compile in the background", "[compiler][lazy]") {
  // Many callees queued for speculation when the module goes away.
  std::string wat = "(module\n";
  for (int i = 0; i < 64; ++i)
    wat += "(func $g" + std::to_string(i) +
           " (param i32) (result i32) (i32.mul (local.get 0) (i32.const " + std::to_string(i) +
           ")))\n";
  wat += "(func (export \"main\") (param i32) (result i32) (local.get 0)\n";
  for (int i = 0; i < 64; ++i)
    wat += "  (call $g" + std::to_string(i) + ") (i32.add (local.get 0))\n";
  wat += "))";
  for (int round = 0; round < 5; ++round) {
    auto m = make(wat, lazyOptions());
    CHECK(m->call("main", {i32(1)}).ok());
  }
}
