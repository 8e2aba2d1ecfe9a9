// Lazy compilation (CompileOptions::lazy): bodies compile on their first call,
// calls and table entries go through stable stubs, results match eager code.
#include "CompilerTestUtil.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

CompileOptions lazyOptions(unsigned optLevel = 2) {
  CompileOptions options = testOptions(optLevel);
  options.lazy = true;
  return options;
}

std::unique_ptr<TestInstance> make(std::string_view wat, CompileOptions options) {
  std::string error;
  auto instance = TestInstance::create(wat, std::move(options), {}, &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
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
  // Functions reached only through a table, or not at all, stay uncompiled
  // until called: square (1) is an element, unused (6) nothing.
  CHECK_FALSE(compiled.isCompiled(1));
  CHECK_FALSE(compiled.isCompiled(6));
  CHECK(m->call("dispatch", {i32(1), i32(9)}).i32() == 81);
  CHECK(compiled.isCompiled(1));
  CHECK_FALSE(compiled.isCompiled(6));
}

TEST_CASE("lazy stubs work through tables, traps and backtraces", "[compiler][lazy]") {
  auto m = make(kIndependent, lazyOptions());
  const CompiledModule &compiled = m->compiled();
  CHECK(m->call("dispatch", {i32(1), i32(9)}).i32() == 81); // square through the table
  CHECK(compiled.isCompiled(1));
  CHECK(m->call("square", {i32(5)}).i32() == 25);
  CHECK(m->call("dispatch", {i32(0), i32(9)}).i32() == 18);
  CHECK(m->call("dispatch", {i32(2), i32(9)}).trapped(wasmrt::abi::TrapKind::UndefinedElement));
  CHECK(m->call("divide", {i32(7), i32(0)}).trapped(wasmrt::abi::TrapKind::IntegerDivideByZero));
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
