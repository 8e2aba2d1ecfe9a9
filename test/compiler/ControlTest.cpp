#include "CompilerTestUtil.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;
using abi::TrapKind;

namespace {

std::unique_ptr<TestInstance> make(std::string_view wat, unsigned optLevel = 2,
                                   std::vector<std::pair<std::string, HostFunction>> host = {}) {
  std::string error;
  auto instance = TestInstance::create(wat, testOptions(optLevel), std::move(host), &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
}

} // namespace

TEST_CASE("nested blocks, br and br_if", "[compiler][control]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (func (export "nested") (param i32) (result i32)
      (block $outer (result i32)
        (block $inner (result i32)
          (drop (br_if $outer (i32.const 10) (i32.eq (local.get 0) (i32.const 0))))
          (drop (br_if $inner (i32.const 20) (i32.eq (local.get 0) (i32.const 1))))
          (drop (br_if $outer (i32.const 30) (i32.eq (local.get 0) (i32.const 2))))
          (i32.const 40))
        (i32.add (i32.const 100))))
    (func (export "dead") (result i32)
      (block (result i32)
        (br 0 (i32.const 7))
        (i32.add (unreachable))
        (block (loop (br 0)))
        (drop)
        (i32.const 8)))
    (func (export "early") (param i32) (result i32)
      (if (local.get 0) (then (return (i32.const 1))))
      (drop (br_if 0 (i32.const 2) (i32.eq (local.get 0) (i32.const 0))))
      (i32.const 3))
  ))",
                optLevel);
  CHECK(m->call("nested", {i32(0)}).i32() == 10);
  CHECK(m->call("nested", {i32(1)}).i32() == 120);
  CHECK(m->call("nested", {i32(2)}).i32() == 30);
  CHECK(m->call("nested", {i32(3)}).i32() == 140);
  CHECK(m->call("dead").i32() == 7);
  CHECK(m->call("early", {i32(5)}).i32() == 1);
  CHECK(m->call("early", {i32(0)}).i32() == 2);
}

TEST_CASE("multi-value blocks, if/else with params and loops", "[compiler][control]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (type $pair (func (param i32 i32) (result i32 i32)))
    (func (export "swap") (param i32 i32) (result i32 i32)
      (local.get 1) (local.get 0)
      (block (type $pair) (local.set 0) (local.set 1) (local.get 0) (local.get 1)))
    (func (export "choose") (param i32 i32) (result i32)
      (local.get 1)
      (if (param i32) (result i32) (local.get 0)
        (then (i32.const 1) (i32.add))
        (else (i32.const 2) (i32.mul))))
    (func (export "passthrough") (param i32) (result i32)
      (i32.const 5)
      (if (param i32) (result i32) (local.get 0) (then (drop) (i32.const 6))))
    (func (export "sum") (param i32) (result i32) (local $acc i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get 0)))
          (local.set $acc (i32.add (local.get $acc) (local.get 0)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $next)))
      (local.get $acc))
    (func (export "loop_params") (param i32) (result i32 i32)
      ;; (count, product) carried as loop parameters
      (i32.const 1) (i32.const 1)
      (loop $l (param i32 i32) (result i32 i32)
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (i32.mul (i32.const 2))
        (local.get 0)
        (if (param i32 i32) (result i32 i32) (then (br $l)) (else))))
    (func (export "multi") (result i32 i64 f64)
      (i32.const 1) (i64.const 2) (f64.const 3.5))
  ))",
                optLevel);
  Outcome swapped = m->call("swap", {i32(1), i32(2)});
  CHECK(swapped.i32(0) == 1);
  CHECK(swapped.i32(1) == 2);
  CHECK(m->call("choose", {i32(1), i32(10)}).i32() == 11);
  CHECK(m->call("choose", {i32(0), i32(10)}).i32() == 20);
  CHECK(m->call("passthrough", {i32(1)}).i32() == 6);
  CHECK(m->call("passthrough", {i32(0)}).i32() == 5);
  CHECK(m->call("sum", {i32(100)}).i32() == 5050);
  Outcome loop = m->call("loop_params", {i32(5)});
  CHECK(loop.i32(0) == 1);
  CHECK(loop.i32(1) == 32);
  Outcome multi = m->call("multi");
  CHECK(multi.i32(0) == 1);
  CHECK(multi.i64(1) == 2);
  CHECK(multi.f64(2) == 3.5);
}

TEST_CASE("br_table dispatches, including to the function label", "[compiler][control]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (func (export "table") (param i32) (result i32)
      (block $d (result i32)
        (block $c (result i32)
          (block $b (result i32)
            (block $a (result i32)
              (br_table $a $b $a $c 4 $d (i32.const 100) (local.get 0)))
            (return (i32.add (i32.const 1))))
          (return (i32.add (i32.const 2))))
        (return (i32.add (i32.const 3))))
      (i32.add (i32.const 4)))
    (func (export "same") (param i32) (result i32)
      (block $a (br_table $a $a $a (local.get 0)))
      (i32.const 9))
    (func (export "loop") (param i32) (result i32) (local $n i32)
      (loop $top
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (block $exit
          (br_table $top $exit (i32.ge_u (local.get $n) (local.get 0)))))
      (local.get $n))
  ))",
                optLevel);
  CHECK(m->call("table", {i32(0)}).i32() == 101);
  CHECK(m->call("table", {i32(1)}).i32() == 102);
  CHECK(m->call("table", {i32(2)}).i32() == 101);
  CHECK(m->call("table", {i32(3)}).i32() == 103);
  CHECK(m->call("table", {i32(4)}).i32() == 100); // the function label: returns 100
  CHECK(m->call("table", {i32(5)}).i32() == 104);
  CHECK(m->call("table", {i32(-1)}).i32() == 104);
  CHECK(m->call("same", {i32(1)}).i32() == 9);
  CHECK(m->call("loop", {i32(7)}).i32() == 7);
}

TEST_CASE("unreachable traps, select picks by condition", "[compiler][control]") {
  auto m = make(R"((module
    (func (export "trap") (unreachable))
    (func (export "select") (param i32) (result i64)
      (select (i64.const 1) (i64.const 2) (local.get 0)))
    (func (export "select_typed") (param i32) (result f32)
      (select (result f32) (f32.const 1) (f32.const 2) (local.get 0)))
  ))");
  CHECK(m->call("trap").trapped(TrapKind::Unreachable));
  CHECK(m->call("select", {i32(7)}).i64() == 1);
  CHECK(m->call("select", {i32(0)}).i64() == 2);
  CHECK(m->call("select_typed", {i32(0)}).f32() == 2.0f);
}

TEST_CASE("direct calls and recursion", "[compiler][calls]") {
  unsigned optLevel = GENERATE(0u, 1u, 2u, 3u);
  auto m = make(R"((module
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $divmod (param i32 i32) (result i32 i32)
      (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
    (func (export "divmod") (param i32 i32) (result i32)
      (call $divmod (local.get 0) (local.get 1)) (i32.sub))
    (func $depth (export "depth") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))
        (else (i32.const 0))))
    (func $forever (export "forever") (param i32) (result i32)
      (i32.add (call $forever (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ))",
                optLevel);
  CHECK(m->call("fib", {i32(20)}).i32() == 6765);
  CHECK(m->call("divmod", {i32(17), i32(5)}).i32() == 1);
  CHECK(m->call("divmod", {i32(17), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("depth", {i32(10000)}).i32() == 10000);
  CHECK(m->call("forever", {i32(0)}).trapped(TrapKind::CallStackExhausted));
  // The instance is still usable after a stack-exhaustion trap.
  CHECK(m->call("fib", {i32(10)}).i32() == 55);
}

TEST_CASE("call_indirect checks bounds, null and signature", "[compiler][calls]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (type $unary (func (param i32) (result i32)))
    (type $unary2 (func (param i32) (result i32)))
    (type $nullary (func (result i32)))
    (table 4 funcref)
    (elem (i32.const 0) $double $seven $increment)
    (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
    (func $seven (type $nullary) (i32.const 7))
    (func $increment (type $unary2) (i32.add (local.get 0) (i32.const 1)))
    (func (export "call") (param i32 i32) (result i32)
      (call_indirect (type $unary) (local.get 1) (local.get 0)))
    (func (export "call0") (param i32) (result i32) (call_indirect (type $nullary) (local.get 0)))
  ))",
                optLevel);
  CHECK(m->call("call", {i32(0), i32(21)}).i32() == 42);
  CHECK(m->call("call", {i32(2), i32(41)}).i32() == 42); // structurally equal type
  CHECK(m->call("call0", {i32(1)}).i32() == 7);
  CHECK(m->call("call", {i32(1), i32(0)}).trapped(TrapKind::IndirectCallTypeMismatch));
  CHECK(m->call("call", {i32(3), i32(0)}).trapped(TrapKind::UninitializedElement));
  CHECK(m->call("call", {i32(4), i32(0)}).trapped(TrapKind::UndefinedElement));
  CHECK(m->call("call", {i32(-1), i32(0)}).trapped(TrapKind::UndefinedElement));
}

TEST_CASE("imported host functions through host adapters", "[compiler][calls]") {
  unsigned optLevel = GENERATE(0u, 2u);
  std::vector<std::pair<std::string, HostFunction>> host = {
      {"add3",
       [](abi::ValueSlot *values) {
         int64_t a, c;
         int32_t b;
         std::memcpy(&a, values[0].bytes, 8);
         std::memcpy(&b, values[1].bytes, 4);
         std::memcpy(&c, values[2].bytes, 8);
         int64_t sum = a + b + c;
         double half = double(sum) / 2;
         std::memcpy(values[0].bytes, &sum, 8);
         std::memcpy(values[1].bytes, &half, 8);
         return 0u;
       }},
      {"fail", [](abi::ValueSlot *) { return uint32_t(TrapKind::HostTrap); }},
  };
  auto m = make(R"((module
    (import "host" "add3" (func $add3 (param i64 i32 i64) (result i64 f64)))
    (import "host" "fail" (func $fail))
    (table 1 funcref)
    (elem (i32.const 0) $add3)
    (func (export "direct") (result i64)
      (call $add3 (i64.const 1) (i32.const 2) (i64.const 4)) (drop))
    (func (export "indirect") (result i64)
      (call_indirect (param i64 i32 i64) (result i64 f64)
        (i64.const 10) (i32.const 20) (i64.const 30) (i32.const 0))
      (drop))
    (func (export "fail") (call $fail))
  ))",
                optLevel, host);
  CHECK(m->call("direct").i64() == 7);
  CHECK(m->call("indirect").i64() == 60);
  CHECK(m->call("fail").trapped(TrapKind::HostTrap));
}
