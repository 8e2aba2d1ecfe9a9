#include "CompilerTestUtil.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;
using abi::TrapKind;

namespace {

std::unique_ptr<TestInstance> make(std::string_view wat, unsigned optLevel = 2,
                                   bool boundsChecks = false) {
  std::string error;
  auto instance = TestInstance::create(wat, testOptions(optLevel, boundsChecks), {}, &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
}

const char *kMemoryModule = R"((module
  (memory 1 4)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\ff\fe")
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load offset=1 (local.get 0)))
  (func (export "load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "load8_u") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load16_s") (param i32) (result i64) (i64.load16_s (local.get 0)))
  (func (export "load32_u") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "loadf32") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16") (param i32 i64) (i64.store16 offset=2 (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "storef64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_then_load") (param i32) (result i32)
    ;; In bounds-check mode the base moves on grow: the load must see the new base.
    (i32.store (i32.const 100) (i32.const 0x12345678))
    (drop (memory.grow (i32.const 1)))
    (i32.load (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
))";

} // namespace

TEST_CASE("memory loads and stores of every width", "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 2u);
  bool boundsChecks = GENERATE(false, true);
  auto m = make(kMemoryModule, optLevel, boundsChecks);
  CHECK(m->call("load32", {i32(16)}).u32() == 0x04030201u);
  CHECK(m->call("load32", {i32(17)}).u32() == 0x05040302u); // unaligned
  CHECK(m->call("load64", {i32(16)}).u64() == 0xFF08070605040302ull);
  CHECK(m->call("load8_s", {i32(24)}).i32() == -1);
  CHECK(m->call("load8_u", {i32(24)}).i32() == 255);
  CHECK(m->call("load16_s", {i32(24)}).i64() == int16_t(0xFEFF));
  CHECK(m->call("load32_u", {i32(23)}).i64() == 0xFEFF08ll);
  CHECK(m->call("store8", {i32(0), i32(0x1FF)}).ok());
  CHECK(m->memory()[0] == 0xFF);
  CHECK(m->memory()[1] == 0);
  CHECK(m->call("store16", {i32(0), i64(0xABCD1234)}).ok());
  CHECK(m->memory()[2] == 0x34);
  CHECK(m->memory()[3] == 0x12);
  CHECK(m->memory()[4] == 0);
  CHECK(m->call("store64", {i32(65528), i64(-1)}).ok());
  CHECK(m->call("load32", {i32(65532)}).i32() == -1);
  CHECK(m->call("storef64", {i32(40), f64(1.5)}).ok());
  CHECK(m->call("loadf32", {i32(44)}).f32() == 1.9375f); // 0x3FF80000
}

TEST_CASE("memory.size, memory.grow and bulk memory", "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 2u);
  bool boundsChecks = GENERATE(false, true);
  auto m = make(kMemoryModule, optLevel, boundsChecks);
  CHECK(m->call("size").i32() == 1);
  CHECK(m->call("grow", {i32(1)}).i32() == 1);
  CHECK(m->call("size").i32() == 2);
  CHECK(m->call("grow", {i32(5)}).i32() == -1);
  CHECK(m->call("grow_then_load", {i32(100)}).u32() == 0x12345678u);
  CHECK(m->call("size").i32() == 3);
  CHECK(m->call("load32", {i32(3 * 65536 - 4)}).i32() == 0);
  CHECK(m->call("fill", {i32(200), i32(0xAB), i32(3)}).ok());
  CHECK(m->call("load32", {i32(200)}).u32() == 0x00ABABABu);
  CHECK(m->call("copy", {i32(201), i32(16), i32(4)}).ok());
  CHECK(m->call("load32", {i32(200)}).u32() == 0x030201ABu);
  CHECK(m->call("fill", {i32(3 * 65536 - 1), i32(0), i32(2)}).trapped(TrapKind::MemoryOutOfBounds));
}

TEST_CASE("explicit bounds checks trap on every out-of-bounds access", "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(kMemoryModule, optLevel, true);
  CHECK(m->call("load32", {i32(65532)}).ok());
  CHECK(m->call("load32", {i32(65533)}).trapped(TrapKind::MemoryOutOfBounds));
  CHECK(m->call("load32", {i32(-1)}).trapped(TrapKind::MemoryOutOfBounds));
  CHECK(m->call("load64", {i32(65528)}).trapped(TrapKind::MemoryOutOfBounds)); // offset=1
  CHECK(m->call("load64", {i32(65527)}).ok());
  CHECK(m->call("load8_u", {i32(65535)}).ok());
  CHECK(m->call("load8_u", {i32(65536)}).trapped(TrapKind::MemoryOutOfBounds));
  CHECK(m->call("store16", {i32(65533), i64(0)}).trapped(TrapKind::MemoryOutOfBounds));
  CHECK(m->call("store16", {i32(65532), i64(0)}).ok());
  // After growing, the new page is accessible.
  CHECK(m->call("grow", {i32(1)}).i32() == 1);
  CHECK(m->call("load32", {i32(65536 * 2 - 4)}).ok());
  CHECK(m->call("load32", {i32(65536 * 2 - 3)}).trapped(TrapKind::MemoryOutOfBounds));

  // offset + address beyond 4 GiB must not wrap around.
  auto big = make(R"((module (memory 1)
    (func (export "f") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))))",
                  optLevel, true);
  CHECK(big->call("f", {i32(1)}).trapped(TrapKind::MemoryOutOfBounds));
}

TEST_CASE("globals: get, set, immutable and imported-style cells", "[compiler][globals]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (global $counter (mut i32) (i32.const 10))
    (global $big (mut i64) (i64.const -5))
    (global $pi f64 (f64.const 3.25))
    (global $fref (mut funcref) (ref.null func))
    (func $f)
    (elem declare func $f)
    (func (export "bump") (result i32)
      (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
      (global.get $counter))
    (func (export "big") (result i64) (global.set $big (i64.mul (global.get $big) (i64.const 2)))
      (global.get $big))
    (func (export "pi") (result f64) (global.get $pi))
    (func (export "set_ref") (global.set $fref (ref.func $f)))
    (func (export "ref_is_null") (result i32) (ref.is_null (global.get $fref)))
  ))",
                optLevel);
  CHECK(m->call("bump").i32() == 11);
  CHECK(m->call("bump").i32() == 12);
  CHECK(m->global(0).i32 == 12);
  m->global(0).i32 = 100; // the runtime may change cells between calls
  CHECK(m->call("bump").i32() == 101);
  CHECK(m->call("big").i64() == -10);
  CHECK(m->call("pi").f64() == 3.25);
  CHECK(m->call("ref_is_null").i32() == 1);
  CHECK(m->call("set_ref").ok());
  CHECK(m->call("ref_is_null").i32() == 0);
  CHECK(m->global(3).ref == m->funcRef(0));
}

TEST_CASE("tables: get, set, size, grow, fill, copy, init", "[compiler][tables]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (table $t 2 10 funcref)
    (table $e 1 externref)
    (elem $seg func $a $b)
    (func $a (result i32) (i32.const 1))
    (func $b (result i32) (i32.const 2))
    (func (export "get_is_null") (param i32) (result i32)
      (ref.is_null (table.get $t (local.get 0))))
    (func (export "set") (param i32) (table.set $t (local.get 0) (ref.func $b)))
    (func (export "size") (result i32) (table.size $t))
    (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $a) (local.get 1)))
    (func (export "copy") (table.copy $t $t (i32.const 1) (i32.const 0) (i32.const 1)))
    (func (export "init") (param i32)
      (table.init $t $seg (local.get 0) (i32.const 0) (i32.const 2)))
    (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
    (func (export "put_extern") (param externref) (table.set $e (i32.const 0) (local.get 0)))
    (func (export "get_extern") (result externref) (table.get $e (i32.const 0)))
    (func (export "drop")  (elem.drop $seg))
  ))",
                optLevel);
  CHECK(m->call("size").i32() == 2);
  CHECK(m->call("get_is_null", {i32(1)}).i32() == 1);
  CHECK(m->call("get_is_null", {i32(2)}).trapped(TrapKind::TableOutOfBounds));
  CHECK(m->call("set", {i32(1)}).ok());
  CHECK(m->call("call", {i32(1)}).i32() == 2);
  CHECK(m->call("set", {i32(2)}).trapped(TrapKind::TableOutOfBounds));
  CHECK(m->call("grow", {i32(3)}).i32() == 2);
  CHECK(m->call("size").i32() == 5);
  CHECK(m->call("grow", {i32(100)}).i32() == -1);
  CHECK(m->call("fill", {i32(2), i32(3)}).ok());
  CHECK(m->call("call", {i32(4)}).i32() == 1);
  CHECK(m->call("fill", {i32(4), i32(2)}).trapped(TrapKind::TableOutOfBounds));
  CHECK(m->call("copy").ok());
  CHECK(m->call("get_is_null", {i32(1)}).i32() == 1);
  CHECK(m->call("init", {i32(0)}).ok());
  CHECK(m->call("call", {i32(0)}).i32() == 1);
  CHECK(m->call("call", {i32(1)}).i32() == 2);
  int token = 0;
  CHECK(m->call("put_extern", {ref(&token)}).ok());
  CHECK(m->call("get_extern").ref() == &token);
  CHECK(m->call("drop").ok());
}

// The spec: a store that traps writes nothing, also when only its last bytes are
// out of bounds. Guarded mode relies on the fault there, which AArch64 may raise after
// writing part of the store, so on AArch64 stores probe their last byte first
// (EmitMemory.cpp); forceStoreProbes runs the same code on other targets.
// A load whose value nothing uses still traps out of bounds. In guarded mode
// the access itself is the check, so it must survive dead-code elimination
// (KeepTrappingLoadsPass); the first shape is what the differential fuzzer
// found (docs/FUZZING.md), the others are its relatives.
TEST_CASE("an out-of-bounds load traps even when its value is unused", "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 1u, 2u, 3u);
  bool boundsChecks = GENERATE(false, true);
  INFO("-O" << optLevel << (boundsChecks ? " bounds-checked" : " guarded"));
  auto m = make(R"((module (memory 16 17)
    (func (export "xor_drop") (param i32) (result i32)
      (drop (i32.xor (i32.load8_u offset=15 (local.get 0)) (local.get 0)))
      (i32.const 0))
    (func (export "dead_local") (param i32) (result i32) (local i64)
      (local.set 1 (i64.load (local.get 0)))
      (i32.const 1))
    (func (export "select_drop") (param i32) (result i32)
      (drop (select (f64.load (local.get 0)) (f64.const 1) (local.get 0)))
      (i32.const 2))
    (func (export "in_loop") (param i32) (result i32) (local i32)
      (loop $l
        (drop (i32.add (i32.load16_s (i32.add (local.get 0) (local.get 1))) (i32.const 1)))
        (local.set 1 (i32.add (local.get 1) (i32.const 65536)))
        (br_if $l (i32.lt_u (local.get 1) (i32.const 0x200000))))
      (i32.const 3))
    (func (export "simd_drop") (param i32) (result i32)
      (drop (i32x4.add (v128.load32_splat (local.get 0)) (v128.const i32x4 1 2 3 4)))
      (i32.const 4))
    (func $ignore (param f64))
    (func (export "inlined") (param i32) (result i32)
      (call $ignore (f64.load offset=2 (local.get 0)))
      (i32.const 5))
    (func $compare (param f64) (drop (select (local.get 0) (f64.const 0)
                                          (f64.eq (local.get 0) (local.get 0)))))
    (func (export "inlined_unread") (param i32) (result i32)
      (call $compare (f64.load offset=2 (local.get 0)))
      (i32.const 6))
    (func (export "xor_self") (param i32) (result i32) (local i32)
      (i32.xor (local.tee 1 (i32.load8_u (local.get 0))) (local.get 1)))
    (func (export "xor_recomputed") (param i32) (result i32) (local i32)
      (local.set 1 (i32.load8_u (local.get 0)))
      (i32.xor (i32.add (i32.shl (local.get 1) (i32.const 5)) (local.get 1))
               (i32.add (i32.shl (local.get 1) (i32.const 5)) (local.get 1))))
    (func (export "identity_then_xor") (param i32) (result i32) (local i32)
      (local.set 1 (i32.load8_u offset=6 (local.get 0)))
      (i32.xor (i32.add (i32.const 0) (local.get 1)) (local.get 1)))
    (func (export "known_bits") (param i32) (result i32)
      (i32.and (i32.shl (i32.load (local.get 0)) (i32.const 5)) (i32.const 31)))
    (func (export "wrapped_shift") (param i32) (result i32)
      (i32.wrap_i64 (i64.shl (i64.load (local.get 0)) (i64.const 32))))
    (func (export "stored_fold") (param i32) (result i32) (local i32)
      (local.set 1 (i32.load (local.get 0)))
      (i32.store (i32.const 0) (i32.sub (i32.or (local.get 1) (i32.const 0)) (local.get 1)))
      (i32.const 8))
    (global $zero (mut i32) (i32.const 0))
    (func (export "xor_reassociated") (param i32) (result i32) (local i32 i32)
      (local.set 1 (i32.load8_u (local.get 0)))
      (local.set 2 (i32.add (local.get 1) (i32.shl (local.get 1) (i32.const 5))))
      (i32.xor (local.get 2) (i32.xor (i32.load8_u offset=4 (i32.const 0)) (local.get 2))))
    (func (export "empty_if") (param i32) (result i32)
      (if (f32.ne (f32.load offset=2 (local.get 0)) (f32.const 0)) (then (nop)))
      (i32.const 10))
    (func (export "conditional_use") (param i32) (result i32) (local i32)
      (local.set 1 (i32.load (local.get 0)))
      (if (i32.eq (local.get 0) (i32.const 12345))
        (then (i32.store (i32.const 0) (local.get 1))))
      (i32.const 9))
    (func (export "used_past_a_trap") (param i32) (result i32) (local i32)
      (local.set 1 (i32.load8_u offset=3 (local.get 0)))
      (drop (i32.div_u (i32.const 1) (global.get $zero)))
      (local.get 1))
    ;; Both arms of the `if` go back to the loop and do nothing that lasts, so
    ;; once the dead conversion is gone the branch, which alone used the load,
    ;; folds away (the fuzzer's eager-o2-trap-lost-1508, reduced).
    (global $rounds (mut i32) (i32.const 0))
    (global $g (mut i32) (i32.const 7))
    (func (export "arms_rejoin") (param i32) (result i32)
      (global.set $rounds (i32.const 1))
      (loop $l
        (if (i32.eqz (global.get $rounds)) (then (return (i32.const 11))))
        (global.set $rounds (i32.const 0))
        (drop (f32.convert_i32_s
          (if (result i32) (i32.load16_u offset=4 (local.get 0))
            (then (global.get $g))
            (else (br $l)))))
        (br $l))
      (unreachable))
    ;; A call of a function that does nothing is gone once inlined, and the
    ;; branch around it with it (eager-o2-trap-lost-3261, reduced).
    (func $nop)
    (func (export "if_calls_nothing") (param i32) (result i32)
      (if (i32.load offset=4 (local.get 0)) (then (call $nop)))
      (i32.const 12))
    ;; Both arms make the same call (or store): SimplifyCFG merges them and
    ;; the branch has nothing left to choose (eager-o2-trap-lost-3261).
    (func $canon (param f64) (result f64)
      (select (local.get 0) (f64.const 0) (f64.eq (local.get 0) (local.get 0))))
    (func (export "same_call_both_arms") (param i32) (result i32) (local f64)
      (if (i32.load offset=4 (local.get 0))
        (then (local.set 1 (call $canon (f64.const 63))))
        (else (local.set 1 (call $canon (f64.const 63)))))
      (i32.trunc_f64_s (local.get 1)))
    (func (export "same_store_both_arms") (param i32) (result i32)
      (if (i32.load8_u offset=1 (local.get 0))
        (then (global.set $g (i32.const 5)))
        (else (global.set $g (i32.const 5))))
      (i32.const 13))
    ;; The load decides the branch only when the select picks it (address 30
    ;; holds 0): code generation turns `br (select c, x, false)` into two
    ;; branches and MachineSink moves the load into the second (the hour-long
    ;; fuzz run of 2026-12-07 evening, reduced); `and` of two conditions
    ;; is split the same way.
    (func (export "select_arm") (param i32) (result i32)
      (if (result i32)
        (select (f32.ge (f32.load offset=2 (local.get 0)) (f32.const 0x1p+64))
                (i32.const 7)
                (i32.load16_u (i32.const 30)))
        (then (i32.const 14))
        (else (global.set $g (i32.const 1)) (i32.const 15))))
    (func (export "and_of_conditions") (param i32) (result i32)
      (if (result i32)
        (i32.and (i32.ne (i32.load16_u (i32.const 30)) (i32.const 0))
                 (f32.ge (f32.load offset=2 (local.get 0)) (f32.const 0x1p+64)))
        (then (global.set $g (i32.const 2)) (i32.const 16))
        (else (i32.const 17))))
    (func $get (param i32) (result i32) (i32.load16_u (local.get 0)))
    (func (export "dropped_result") (param i32) (result i32)
      (drop (i32.xor (call $get (local.get 0)) (i32.const 1)))
      (i32.const 7))))",
                optLevel, boundsChecks);
  int32_t inBounds = 16 * 65536 - 16, outOfBounds = 1089 * 33 * 32;
  for (const char *name : {"xor_drop", "dead_local", "select_drop", "simd_drop", "inlined",
                           "inlined_unread", "dropped_result", "xor_self", "xor_recomputed",
                           "identity_then_xor", "known_bits", "wrapped_shift", "stored_fold",
                           "conditional_use", "xor_reassociated", "empty_if", "arms_rejoin",
                           "if_calls_nothing", "same_call_both_arms",
                           "same_store_both_arms", "select_arm", "and_of_conditions"}) {
    INFO(name);
    CHECK(m->call(name, {i32(inBounds)}).ok());
    CHECK(m->call(name, {i32(outOfBounds)}).trapped(TrapKind::MemoryOutOfBounds));
    CHECK(m->call(name, {i32(-8)}).trapped(TrapKind::MemoryOutOfBounds));
  }
  // The load comes first, so its trap, not the division's, is the one.
  CHECK(m->call("used_past_a_trap", {i32(outOfBounds)}).trapped(TrapKind::MemoryOutOfBounds));
  // The loop walks from its start in 64 KiB steps past the end of memory.
  CHECK(m->call("in_loop", {i32(0)}).trapped(TrapKind::MemoryOutOfBounds));
}

// The baseline tier compiles a function of 1 KiB or more of Wasm code at
// CodeGenOptLevel::Less, whose code generation folds a branch between two
// arms that do the same (here: nothing), with the load that was its condition
// (the fuzzer's tiered-trap-lost-88, reduced).
TEST_CASE("an out-of-bounds load traps even when its value is unused: large functions",
          "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 1u, 2u);
  bool boundsChecks = GENERATE(false, true);
  INFO("-O" << optLevel << (boundsChecks ? " bounds-checked" : " guarded"));
  std::string padding;
  for (int i = 0; i < 120; ++i)
    padding += "(global.set $g (i32.add (global.get $g) (i32.const 1234567)))\n";
  auto m = make(R"((module (memory 16 17) (global $g (mut i32) (i32.const 0))
    (func (export "arms_alike") (param i32) (result i32) (local i32)
      )" + padding + R"(
      (local.set 1 (i32.trunc_sat_f64_u
        (if (result f64) (i32.load8_s offset=22 (local.get 0))
          (then (f64.const 0)) (else (f64.const 0)))))
      (i32.const 1))))",
                optLevel, boundsChecks);
  CHECK(m->call("arms_alike", {i32(16 * 65536 - 32)}).ok());
  CHECK(m->call("arms_alike", {i32(2147483646)}).trapped(TrapKind::MemoryOutOfBounds));
  CHECK(m->call("arms_alike", {i32(-8)}).trapped(TrapKind::MemoryOutOfBounds));
}

TEST_CASE("a store straddling the end of memory traps and writes nothing",
          "[compiler][memory]") {
  unsigned optLevel = GENERATE(0u, 2u);
  bool boundsChecks = GENERATE(false, true);
  bool forceProbes = GENERATE(false, true);
  if (boundsChecks && forceProbes)
    return; // probes are for guarded mode only; nothing to add
  CompileOptions options = testOptions(optLevel, boundsChecks);
  options.forceStoreProbes = forceProbes;
  std::string error;
  auto m = TestInstance::create(R"((module (memory 1)
    (func (export "i32") (param i32) (i32.store (local.get 0) (i32.const -1)))
    (func (export "i64") (param i32) (i64.store (local.get 0) (i64.const -1)))
    (func (export "i64_32") (param i32) (i64.store32 offset=1 (local.get 0) (i64.const -1)))
    (func (export "i32_16") (param i32) (i32.store16 (local.get 0) (i32.const -1)))
    (func (export "f32") (param i32) (f32.store (local.get 0) (f32.reinterpret_i32 (i32.const -1))))
    (func (export "f64") (param i32) (f64.store offset=3 (local.get 0) (f64.reinterpret_i64 (i64.const -1))))
    (func (export "v128") (param i32) (v128.store (local.get 0) (v128.const i64x2 -1 -1)))
    (func (export "lane64") (param i32)
      (v128.store64_lane 1 (local.get 0) (v128.const i64x2 -1 -1)))
    (func (export "lane32") (param i32)
      (v128.store32_lane 0 (local.get 0) (v128.const i64x2 -1 -1)))
    ;; Constant addresses: the first straddles the end, the second ends exactly there.
    (func (export "const_straddle") (i64.store offset=65530 (i32.const 1) (i64.const -1)))
    (func (export "const_end") (i64.store offset=65520 (i32.const 8) (i64.const -1)))
    ;; An in-bounds store before a straddling one in the same function stays written.
    (func (export "two") (param i32)
      (i32.store (i32.sub (local.get 0) (i32.const 4)) (i32.const -1))
      (i32.store (local.get 0) (i32.const -1)))))",
                                options, {}, &error);
  INFO(error);
  REQUIRE(m);
  uint8_t *tail = m->memory() + 65536 - 32;
  auto reset = [&] {
    for (int i = 0; i < 32; ++i)
      tail[i] = uint8_t(i);
  };
  auto untouched = [&] {
    for (int i = 0; i < 32; ++i)
      if (tail[i] != uint8_t(i))
        return false;
    return true;
  };
  struct Store {
    const char *name;
    unsigned width;
    unsigned offset;
  };
  for (Store store : {Store{"i32", 4, 0}, Store{"i64", 8, 0}, Store{"i64_32", 4, 1},
                      Store{"i32_16", 2, 0}, Store{"f32", 4, 0}, Store{"f64", 8, 3},
                      Store{"v128", 16, 0}, Store{"lane64", 8, 0}, Store{"lane32", 4, 0}}) {
    // Every start from one past the last fitting one to the last byte.
    for (unsigned over = 1; over < store.width; ++over) {
      int32_t address = int32_t(65536 - store.width + over - store.offset);
      INFO(store.name << " at " << address);
      reset();
      CHECK(m->call(store.name, {i32(address)}).trapped(TrapKind::MemoryOutOfBounds));
      CHECK(untouched());
    }
    int32_t fits = int32_t(65536 - store.width - store.offset);
    INFO(store.name << " at " << fits);
    reset();
    CHECK(m->call(store.name, {i32(fits)}).ok());
    for (unsigned i = 32 - store.width; i < 32; ++i)
      CHECK(tail[i] == 0xFF);
  }
  reset();
  CHECK(m->call("const_straddle").trapped(TrapKind::MemoryOutOfBounds));
  CHECK(untouched());
  CHECK(m->call("const_end").ok());
  CHECK(tail[31] == 0xFF);
  reset();
  CHECK(m->call("two", {i32(65534)}).trapped(TrapKind::MemoryOutOfBounds));
  for (int i = 0; i < 32; ++i) // bytes 65530..65533 written, 65534.. not
    CHECK(tail[i] == (i >= 26 && i < 30 ? 0xFF : i));
}
