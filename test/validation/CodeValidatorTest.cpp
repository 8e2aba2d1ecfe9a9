// Function-body validation: operand and control stacks, every instruction
// group, malformed bodies, error message format and FunctionFacts.
#include "ValidationTestUtil.h"

#include <regex>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

// A module of [] -> [] functions with the given bodies (locals + code).
Outcome checkBodies(std::initializer_list<std::vector<uint8_t>> bodies,
                    const Features &features = {}) {
  return check(ModuleBuilder().voidFunctions(uint32_t(bodies.size())).code(bodies).bytes(),
               features);
}

} // namespace

TEST_CASE("error messages name function, offset and instruction", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  Outcome outcome = checkText("(module (import \"m\" \"f\" (func)) (func)"
                              " (func (result i32) (i32.add (i32.const 1) (f32.const 2))))");
  REQUIRE_FALSE(outcome.ok);
  INFO(outcome.message);
  CHECK(*outcome.kind == ErrorKind::Invalid);
  // Function 2 in the function index space: one import, then two definitions.
  CHECK(std::regex_match(outcome.message,
                         std::regex("function 2 at offset 0x[0-9a-f]+ \\(i32\\.add\\): "
                                    "type mismatch: expected i32, got f32")));
}

TEST_CASE("operand stack typing", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i64) (i64.add (i64.const 1) (i64.const 2))))");
  expectValid("(module (func (param f32 f64) (result i32)"
              " (f32.lt (local.get 0) (f32.demote_f64 (local.get 1)))))");
  expectInvalid("(module (func (result i32) (i32.add (i32.const 1))))", "type mismatch");
  expectInvalid("(module (func (i32.const 1)))", "type mismatch");
  expectInvalid("(module (func (result i32)))", "type mismatch");
  expectInvalid("(module (func (result i32) (i64.const 1)))", "type mismatch");
  expectInvalid("(module (func (result i32 i32) (i32.const 1)))", "type mismatch");
  expectValid("(module (func (result i32 i64) (i32.const 1) (i64.const 2)))");
}

TEST_CASE("unreachable code is polymorphic", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i32) unreachable i32.add))");
  expectValid("(module (func (result i32) unreachable))");
  expectValid("(module (func (result f64) unreachable (f64.const 0) (drop) (select)))");
  expectValid("(module (func (block (result i32) (br 0 (unreachable))) drop))");
  expectInvalid("(module (func (result i32) unreachable (i64.const 0) i32.add))",
                "type mismatch");
  expectInvalid("(module (func unreachable (i32.const 0)))", "type mismatch");
  expectInvalid("(module (func (result i32) unreachable (f32.const 0)))", "type mismatch");
}

TEST_CASE("blocks, loops and labels", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i32) (block (result i32) (i32.const 1))))");
  expectValid("(module (func (result i32 i32)"
              " (i32.const 1) (block (param i32) (result i32 i32) (i32.const 2))))");
  expectValid("(module (type $t (func (param i32) (result i64)))"
              " (func (result i64) (i32.const 1) (block (type $t) (drop) (i64.const 2))))");
  expectValid("(module (func (result i32) (loop (result i32) (br 0))))");
  expectValid("(module (func (i32.const 1) (loop (param i32) (br 0))))");
  expectInvalid("(module (func (i32.const 1) (loop (param i32) (drop) (br 0))))",
                "type mismatch");
  expectInvalid("(module (func (block (param i32) (drop))))", "type mismatch");
  expectInvalid("(module (func (block (result i32) (i64.const 1)) (drop)))", "type mismatch");
  expectInvalid("(module (func (block (i32.const 1))))", "type mismatch");
  expectInvalid("(module (func (br 1)))", "unknown label");
  expectInvalid("(module (func (block (br 2))))", "unknown label");
  expectValid("(module (func (block (br 1))))");
}

TEST_CASE("block types by type index must exist", "[validation][code]") {
  // block (type 5) end end
  requireError(checkBodies({{0x00, 0x02, 0x05, 0x0b, 0x0b}}), ErrorKind::Invalid, "unknown type");
}

TEST_CASE("if and else", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i32) (if (result i32) (i32.const 1)"
              " (then (i32.const 2)) (else (i32.const 3)))))");
  expectValid("(module (func (if (i32.const 1) (then nop))))");
  expectValid("(module (func (result i32) (i32.const 5)"
              " (if (param i32) (result i32) (i32.const 1) (then (i32.const 1) (i32.add)))))");
  expectInvalid("(module (func (result i32) (if (result i32) (i32.const 1)"
                " (then (i32.const 1)))))",
                "type mismatch");
  expectInvalid("(module (func (if (f32.const 1) (then nop))))", "type mismatch");
  expectInvalid("(module (func (result i32) (if (result i32) (i32.const 1)"
                " (then (i32.const 2)) (else (i64.const 3)))))",
                "type mismatch");
  expectInvalid("(module (func (if (i32.const 1) (then (i32.const 1)) (else))))",
                "type mismatch");
}

TEST_CASE("else outside if is malformed", "[validation][code]") {
  // block else end end
  requireError(checkBodies({{0x00, 0x02, 0x40, 0x05, 0x0b, 0x0b}}), ErrorKind::Malformed,
               "else");
}

TEST_CASE("br_if and br_table", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i32) (block (result i32)"
              " (br_if 0 (i32.const 1) (i32.const 0)))))");
  expectInvalid("(module (func (block (br_if 0 (f32.const 0)))))", "type mismatch");
  expectValid("(module (func (param i32) (block (block (br_table 0 1 0 (local.get 0))))))");
  expectValid("(module (func (param i32) (result i32)"
              " (block (result i32) (block (result i32)"
              " (br_table 0 1 (i32.const 7) (local.get 0))))))");
  expectInvalid("(module (func (param i32) (result i32)"
                " (block (result i32) (block"
                " (br_table 0 1 (i32.const 7) (local.get 0))) (i32.const 1))))",
                "type mismatch");
  expectInvalid("(module (func (param i32) (result i32)"
                " (block (result i32) (block (result i64)"
                " (br_table 0 1 (i32.const 7) (local.get 0))) (drop) (i32.const 1))))",
                "type mismatch");
  expectInvalid("(module (func (block (br_table 0 2 (i32.const 0)))))", "unknown label");
  expectValid("(module (func (result i32) (block (result f32)"
              " (unreachable) (br_table 0 0 (i32.const 0))) (drop) (i32.const 0)))");
}

TEST_CASE("return and calls", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result i32) (return (i32.const 1))))");
  expectInvalid("(module (func (result i32) (return (i64.const 1))))", "type mismatch");
  expectValid("(module (func $f (param i32 i64) (result f32) (f32.const 0))"
              " (func (result f32) (call $f (i32.const 1) (i64.const 2))))");
  expectInvalid("(module (func $f (param i32 i64))"
                " (func (call $f (i64.const 1) (i32.const 2))))",
                "type mismatch");
  expectInvalid("(module (func (call 3)))", "unknown function");
  expectValid("(module (type $t (func (param i32) (result i32))) (table 1 funcref)"
              " (func (result i32) (call_indirect (type $t) (i32.const 1) (i32.const 0))))");
  expectInvalid("(module (type $t (func)) (func (call_indirect (type $t) (i32.const 0))))",
                "unknown table");
  expectInvalid("(module (type $t (func)) (table 1 externref)"
                " (func (call_indirect (type $t) (i32.const 0))))",
                "type mismatch");
  expectInvalid("(module (type $t (func)) (table 1 funcref)"
                " (func (call_indirect (type $t) (i64.const 0))))",
                "type mismatch");
}

TEST_CASE("call_indirect type index must exist", "[validation][code]") {
  // table section: one funcref table; body: i32.const 0, call_indirect type 9 table 0
  auto bytes = ModuleBuilder()
                   .voidFunctions(1)
                   .section(4, {0x01, 0x70, 0x00, 0x01})
                   .code({{0x00, 0x41, 0x00, 0x11, 0x09, 0x00, 0x0b}})
                   .bytes();
  requireError(check(bytes), ErrorKind::Invalid, "unknown type");
}

TEST_CASE("drop and select", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (result f64)"
              " (select (f64.const 1) (f64.const 2) (i32.const 0))))");
  expectValid("(module (func (result v128)"
              " (select (v128.const i64x2 0 0) (v128.const i64x2 1 1) (i32.const 0))))");
  expectInvalid("(module (func (drop)))", "type mismatch");
  expectInvalid("(module (func (result i32) (select (i32.const 1) (i64.const 2) (i32.const 0))))",
                "type mismatch");
  expectInvalid("(module (func (result funcref)"
                " (select (ref.null func) (ref.null func) (i32.const 0))))",
                "type mismatch");
  expectInvalid("(module (func (result i32) unreachable (ref.null extern) (select)))",
                "type mismatch");
  expectValid("(module (func (result funcref)"
              " (select (result funcref) (ref.null func) (ref.null func) (i32.const 0))))");
  expectInvalid("(module (func (result i32)"
                " (select (result i32) (i32.const 1) (i64.const 2) (i32.const 0))))",
                "type mismatch");
}

TEST_CASE("typed select needs exactly one type", "[validation][code]") {
  // i32.const 1, i32.const 1, i32.const 0, select (i32 i32), drop
  requireError(checkBodies({{0x00, 0x41, 0x01, 0x41, 0x01, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f,
                             0x1a, 0x0b}}),
               ErrorKind::Invalid, "invalid result arity");
  requireError(checkBodies({{0x00, 0x41, 0x01, 0x41, 0x01, 0x41, 0x00, 0x1c, 0x00, 0x1a, 0x0b}}),
               ErrorKind::Invalid, "invalid result arity");
}

TEST_CASE("locals and globals", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (param i32) (result i64) (local f32 i64)"
              " (local.set 1 (f32.const 1)) (local.tee 2 (i64.const 2))))");
  expectInvalid("(module (func (param i32) (local i64) (drop (local.get 2))))", "unknown local");
  expectInvalid("(module (func (local i64) (local.set 0 (i32.const 1))))", "type mismatch");
  expectInvalid("(module (func (result i32) (local i64) (local.tee 0 (i64.const 1))))",
                "type mismatch");
  expectValid("(module (global (mut f32) (f32.const 0))"
              " (func (global.set 0 (f32.add (global.get 0) (f32.const 1)))))");
  expectInvalid("(module (global f32 (f32.const 0)) (func (global.set 0 (f32.const 1))))",
                "global is immutable");
  expectInvalid("(module (func (drop (global.get 0))))", "unknown global");
  expectInvalid("(module (global (mut i32) (i32.const 0)) (func (global.set 0 (f32.const 1))))",
                "type mismatch");
}

TEST_CASE("many locals are looked up by run", "[validation][code]") {
  // locals: 70000 x i32, 5 x f64. local.get 70004 is f64; 70005 is unknown.
  std::vector<uint8_t> prefix = {0x02, 0xf0, 0xa2, 0x04, 0x7f, 0x05, 0x7c};
  auto body = [&](std::vector<uint8_t> code) {
    std::vector<uint8_t> all = prefix;
    all.insert(all.end(), code.begin(), code.end());
    return all;
  };
  requireValid(checkBodies({body({0x20, 0xf4, 0xa2, 0x04, 0x9a, 0x1a, 0x0b})})); // f64.neg
  requireError(checkBodies({body({0x20, 0xf4, 0xa2, 0x04, 0x45, 0x1a, 0x0b})}), // i32.eqz
               ErrorKind::Invalid, "type mismatch");
  requireValid(checkBodies({body({0x20, 0xef, 0xa2, 0x04, 0x45, 0x1a, 0x0b})})); // 69999: i32
  requireError(checkBodies({body({0x20, 0xf5, 0xa2, 0x04, 0x1a, 0x0b})}), ErrorKind::Invalid,
               "unknown local");
}

TEST_CASE("table instructions", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid(R"((module (table $f 1 funcref) (table $e 1 externref) (elem $s funcref)
    (func (param externref) (result i32)
      (table.set $e (i32.const 0) (local.get 0))
      (drop (table.get $f (i32.const 0)))
      (drop (table.grow $e (ref.null extern) (i32.const 1)))
      (table.fill $f (i32.const 0) (ref.null func) (i32.const 1))
      (table.copy $f $f (i32.const 0) (i32.const 0) (i32.const 0))
      (table.init $f $s (i32.const 0) (i32.const 0) (i32.const 0))
      (elem.drop $s)
      (table.size $e))))");
  expectInvalid("(module (func (drop (table.get 0 (i32.const 0)))))", "unknown table");
  expectInvalid("(module (table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func))))",
                "type mismatch");
  expectInvalid("(module (table 1 funcref) (func (result funcref) (table.get 0 (i64.const 0))))",
                "type mismatch");
  expectInvalid("(module (table 1 funcref) (func (result i32)"
                " (table.grow 0 (ref.null extern) (i32.const 1))))",
                "type mismatch");
  expectInvalid("(module (table $f 1 funcref) (table $e 1 externref)"
                " (func (table.copy $f $e (i32.const 0) (i32.const 0) (i32.const 0))))",
                "type mismatch");
  expectInvalid("(module (table 1 externref) (elem $s funcref)"
                " (func (table.init 0 $s (i32.const 0) (i32.const 0) (i32.const 0))))",
                "type mismatch");
  expectInvalid("(module (table 1 funcref)"
                " (func (table.init 0 3 (i32.const 0) (i32.const 0) (i32.const 0))))",
                "unknown elem segment");
  expectInvalid("(module (func (elem.drop 0)))", "unknown elem segment");
}

TEST_CASE("memory instructions", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid(R"((module (memory 1) (data $d "x")
    (func (result i32)
      (i64.store32 offset=4 align=4 (i32.const 0) (i64.load16_u align=1 (i32.const 0)))
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
      (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
      (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))
      (data.drop $d)
      (drop (memory.grow (i32.const 1)))
      (f32.store (i32.const 0) (f32.load (i32.const 0)))
      (memory.size))))");
  expectInvalid("(module (func (drop (i32.load (i32.const 0)))))", "unknown memory");
  expectInvalid("(module (func (drop (memory.size))))", "unknown memory");
  expectInvalid("(module (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))",
                "unknown memory");
  expectInvalid("(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))",
                "alignment must not be larger than natural");
  expectInvalid("(module (memory 1) (func (i64.store8 align=2 (i32.const 0) (i64.const 0))))",
                "alignment must not be larger than natural");
  expectInvalid("(module (memory 1) (func (drop (i32.load (i64.const 0)))))", "type mismatch");
  expectInvalid("(module (memory 1) (func (i32.store (i32.const 0) (f32.const 0))))",
                "type mismatch");
}

TEST_CASE("simd lanes and memory", "[validation][code][simd]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid(R"((module (memory 1)
    (func (param v128) (result i32)
      (v128.store (i32.const 0) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
        (local.get 0) (v128.load8_lane 15 (i32.const 0) (local.get 0))))
      (i32x4.extract_lane 3 (i32x4.add (local.get 0) (local.get 0))))))");
  expectInvalid("(module (func (param v128) (result i32) (i8x16.extract_lane_s 16 (local.get 0))))",
                "invalid lane index");
  expectInvalid("(module (func (param v128) (result i64) (i64x2.extract_lane 2 (local.get 0))))",
                "invalid lane index");
  expectInvalid("(module (memory 1) (func (param v128) (result v128)"
                " (v128.load32_lane 4 (i32.const 0) (local.get 0))))",
                "invalid lane index");
  expectInvalid("(module (memory 1) (func (result v128)"
                " (v128.load align=32 (i32.const 0))))",
                "alignment must not be larger than natural");
  expectInvalid("(module (func (param v128) (result i32) (i32.add (local.get 0) (i32.const 0))))",
                "type mismatch");
}

TEST_CASE("shuffle lane indices must be below 32", "[validation][code][simd]") {
  std::vector<uint8_t> body = {0x00, 0xfd, 0x0c};
  body.insert(body.end(), 16, 0x00); // v128.const 0
  body.insert(body.end(), {0xfd, 0x0c});
  body.insert(body.end(), 16, 0x00); // v128.const 0
  body.insert(body.end(), {0xfd, 0x0d});
  for (int i = 0; i < 15; ++i)
    body.push_back(uint8_t(i));
  body.push_back(32);
  body.insert(body.end(), {0x1a, 0x0b});
  requireError(checkBodies({body}), ErrorKind::Invalid, "invalid lane index");
}

TEST_CASE("reference instructions", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (param externref) (result i32)"
              " (i32.and (ref.is_null (local.get 0)) (ref.is_null (ref.null func)))))");
  expectInvalid("(module (func (result i32) (ref.is_null (i32.const 0))))", "type mismatch");
  expectInvalid("(module (func (result externref) (ref.null func)))", "type mismatch");
}

TEST_CASE("body structure is malformed when the final end is wrong", "[validation][code]") {
  // nop, end, nop, end: an instruction after the function's final end.
  requireError(checkBodies({{0x00, 0x01, 0x0b, 0x01, 0x0b}}), ErrorKind::Malformed,
               "END opcode expected");
  // block ... end without the function's end.
  requireError(checkBodies({{0x00, 0x02, 0x40, 0x0b}}), ErrorKind::Malformed,
               "END opcode expected");
  // Undecodable instruction bytes pass through as malformed.
  requireError(checkBodies({{0x00, 0xff, 0x0b}}), ErrorKind::Malformed, "");
}

TEST_CASE("disabled features reject their instructions", "[validation][code]") {
  // v128.const 0, drop
  std::vector<uint8_t> body = {0x00, 0xfd, 0x0c};
  body.insert(body.end(), 16, 0x00);
  body.insert(body.end(), {0x1a, 0x0b});
  requireValid(checkBodies({body}));
  Features noSimd;
  noSimd.simd = false;
  Outcome outcome = checkBodies({body}, noSimd);
  CHECK_FALSE(outcome.ok);
}

TEST_CASE("function facts", "[validation][code][facts]") {
  WASMRT_REQUIRE_WAT2WASM();
  Outcome outcome = checkText(R"((module
    (type $t (func))
    (memory 1)
    (table 1 funcref)
    (func $plain (result i32)
      (i32.const 1) (i32.const 2) (i32.const 3) (drop) (drop))
    (func $busy
      (block (block (loop (br_if 2 (i32.load (i32.const 0))))))
      (call $plain) (drop)
      (call_indirect (type $t) (i32.const 0)))
    (func $table (result funcref) (table.get 0 (i32.const 0)))))");
  requireValid(outcome);
  REQUIRE(outcome.facts.size() == 3);
  const FunctionFacts &plain = outcome.facts[0];
  CHECK(plain.maxOperandStackDepth == 3);
  CHECK(plain.maxControlDepth == 1);
  CHECK_FALSE(plain.hasCalls);
  CHECK_FALSE(plain.usesMemory);
  CHECK_FALSE(plain.hasLoops);
  const FunctionFacts &busy = outcome.facts[1];
  CHECK(busy.maxControlDepth == 4);
  CHECK(busy.maxOperandStackDepth == 1);
  CHECK(busy.hasCalls);
  CHECK(busy.hasIndirectCalls);
  CHECK(busy.usesMemory);
  CHECK(busy.usesTables);
  CHECK(busy.hasLoops);
  const FunctionFacts &table = outcome.facts[2];
  CHECK(table.usesTables);
  CHECK_FALSE(table.usesMemory);
  CHECK_FALSE(table.hasCalls);
}

TEST_CASE("direct callees are listed once each, in order of first call", "[validation][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  Outcome outcome = checkText(R"((module
    (import "env" "host" (func $host))
    (func $a)
    (func $b)
    (func $caller
      (call $b) (call $host) (call $a) (call $b) (call $caller) (call $a))
    (func $none (nop))))");
  requireValid(outcome);
  REQUIRE(outcome.facts.size() == 4);
  CHECK(outcome.facts[2].directCallees == std::vector<uint32_t>{2, 0, 1, 3});
  CHECK(outcome.facts[3].directCallees.empty());
}
