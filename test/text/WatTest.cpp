#include "text/WatParser.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::text;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes wat(std::string_view source) {
  auto result = parseWat(source);
  INFO(source);
  if (!result)
    INFO(result.error().message());
  REQUIRE(result);
  return std::move(result).value();
}

std::string watError(std::string_view source) {
  auto result = parseWat(source);
  INFO(source);
  REQUIRE_FALSE(result);
  CHECK(result.error().kind() == ErrorKind::Malformed);
  return result.error().message();
}

// Header plus the given sections.
Bytes module(std::initializer_list<Bytes> sections) {
  Bytes bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const Bytes &section : sections)
    bytes.insert(bytes.end(), section.begin(), section.end());
  return bytes;
}

// A module of one function of type [] -> [] (or the given type section)
// whose code (locals included) is `body`.
Bytes oneFunc(Bytes typeSection, Bytes body) {
  Bytes code = {0x0a, uint8_t(body.size() + 2), 0x01, uint8_t(body.size())};
  code.insert(code.end(), body.begin(), body.end());
  return module({typeSection, {0x03, 0x02, 0x01, 0x00}, code});
}

const Bytes kVoidType = {0x01, 0x04, 0x01, 0x60, 0x00, 0x00};

} // namespace

TEST_CASE("Empty modules") {
  CHECK(wat("(module)") == module({}));
  CHECK(wat("") == module({}));
  CHECK(wat("(module $m)") == module({}));
  CHECK(wat("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")") == module({}));
  CHECK(wat("(module quote \"(func)\")") == wat("(func)"));
}

TEST_CASE("Plain and folded instructions encode the same") {
  Bytes plain = wat("(func (result i32) i32.const 1 i32.const 2 i32.add)");
  Bytes folded = wat("(func (result i32) (i32.add (i32.const 1) (i32.const 2)))");
  CHECK(plain == folded);
  CHECK(plain == oneFunc({0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f},
                         {0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b}));
}

TEST_CASE("Locals, params and symbolic indices") {
  Bytes bytes = wat("(func $f (param $a i32) (param i64) (local $x i32) (local f32 f32)"
                    "  local.get $a local.set $x local.get 3 drop call $f)");
  // type (i32 i64) -> (); locals: 1 x i32, 2 x f32
  Bytes expected = oneFunc({0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7e, 0x00},
                           {0x02, 0x01, 0x7f, 0x02, 0x7d, 0x20, 0x00, 0x21, 0x02, 0x20,
                            0x03, 0x1a, 0x10, 0x00, 0x0b});
  CHECK(bytes == expected);
}

TEST_CASE("Blocks, labels and branches") {
  Bytes plain = wat("(func block $outer loop $inner br $outer br $inner br 0 end end)");
  CHECK(plain == oneFunc(kVoidType, {0x00, 0x02, 0x40, 0x03, 0x40, 0x0c, 0x01, 0x0c, 0x00,
                                     0x0c, 0x00, 0x0b, 0x0b, 0x0b}));
  Bytes folded = wat("(func (block $outer (loop $inner (br $outer) (br $inner) (br 0))))");
  CHECK(folded == plain);
  // Shadowing: the innermost $l wins.
  CHECK(wat("(func block $l block $l br $l end end)") ==
        oneFunc(kVoidType, {0x00, 0x02, 0x40, 0x02, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x0b}));
  CHECK(wat("(func block $l end $l)") == wat("(func block end)"));
  CHECK(wat("(func br_table 0 0 0)") ==
        oneFunc(kVoidType, {0x00, 0x0e, 0x02, 0x00, 0x00, 0x00, 0x0b}));
}

TEST_CASE("Folded if with condition, then and else") {
  Bytes folded = wat("(func (result i32) (if (result i32) (i32.const 1)"
                     "  (then (i32.const 2)) (else (i32.const 3))))");
  Bytes plain = wat("(func (result i32) i32.const 1 if (result i32) i32.const 2 else "
                    "i32.const 3 end)");
  CHECK(folded == plain);
  CHECK(folded == oneFunc({0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f},
                          {0x00, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x02, 0x05, 0x41, 0x03,
                           0x0b, 0x0b}));
}

TEST_CASE("Multi-value block types add a type") {
  Bytes bytes = wat("(func (block (param) (result i32 i32) (i32.const 1) (i32.const 2)) "
                    "drop drop)");
  // Types: 0 = [] -> [], 1 = [] -> [i32 i32]
  Bytes types = {0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x02, 0x7f, 0x7f};
  CHECK(bytes == oneFunc(types, {0x00, 0x02, 0x01, 0x41, 0x01, 0x41, 0x02, 0x0b, 0x1a, 0x1a,
                                 0x0b}));
}

TEST_CASE("Type uses reuse explicit types and append implicit ones") {
  Bytes bytes = wat("(type $t (func (param i32))) (func (param i32)) (func (type $t))"
                    "(func (type $t) (param i32)) (func (result f32) f32.const 0)");
  Bytes types = {0x01, 0x09, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7d};
  Bytes funcs = {0x03, 0x05, 0x04, 0x00, 0x00, 0x00, 0x01};
  Bytes code = {0x0a, 0x12, 0x04, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b,
                0x07, 0x00, 0x43, 0x00, 0x00, 0x00, 0x00, 0x0b};
  CHECK(bytes == module({types, funcs, code}));
  CHECK(watError("(type $t (func (param i32))) (func (type $t) (param i64))") ==
        "1:42: inline function type");
}

TEST_CASE("Memory instructions and memargs") {
  Bytes bytes = wat("(memory 1) (func (drop (i32.load offset=8 align=2 (i32.const 0)))"
                    " (i64.store8 offset=0x10 (i32.const 0) (i64.const -1)))");
  Bytes code = {0x00, 0x41, 0x00, 0x28, 0x01, 0x08, 0x1a, 0x41, 0x00, 0x42, 0x7f,
                0x3c, 0x00, 0x10, 0x0b};
  Bytes func = oneFunc(kVoidType, code);
  Bytes expected = module({kVoidType, {0x03, 0x02, 0x01, 0x00}, {0x05, 0x03, 0x01, 0x00, 0x01},
                           Bytes(func.end() - (code.size() + 4), func.end())});
  CHECK(bytes == expected);
  CHECK(watError("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))")
            .ends_with("alignment must be a power of two"));
}

TEST_CASE("SIMD constants, shuffles and lanes") {
  Bytes bytes = wat("(func (result v128) (v128.const i32x4 1 2 3 -1))");
  Bytes code = {0x00, 0xfd, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
                0x0b};
  CHECK(bytes == oneFunc({0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b}, code));
  Bytes f32 = wat("(func (result v128) (v128.const f32x4 1 0x1p1 -inf nan))");
  CHECK(Bytes(f32.end() - 17, f32.end() - 1) ==
        Bytes{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x80, 0xff, 0x00,
              0x00, 0xc0, 0x7f});
  Bytes shuffle = wat("(func (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 "
                      "14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))");
  CHECK(shuffle[shuffle.size() - 18] == 0x0d);
  CHECK(shuffle[shuffle.size() - 2] == 31);
  Bytes lane = wat("(memory 1) (func (param v128) (result v128)"
                   " (v128.load16_lane offset=2 7 (i32.const 0) (local.get 0)))");
  Bytes tail = {0xfd, 0x55, 0x01, 0x02, 0x07, 0x0b};
  CHECK(Bytes(lane.end() - 6, lane.end()) == tail);
  CHECK(watError("(func (v128.const i32x4 1 2 3))").ends_with("wrong number of lane literals"));
  CHECK(watError("(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)))")
            .ends_with("malformed lane index"));
  CHECK(watError("(func (i8x16.shuffle 0 1 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))")
            .ends_with("invalid lane length"));
}

TEST_CASE("Imports, exports and inline abbreviations") {
  Bytes inlineForm = wat("(func $f (import \"m\" \"f\") (param i32))"
                         "(memory (export \"mem\") 1 2)"
                         "(global $g (export \"g\") (mut i32) (i32.const 7))"
                         "(func (export \"run\") (call $f (global.get $g)))");
  Bytes explicitForm = wat("(type (func (param i32))) (type (func))"
                           "(import \"m\" \"f\" (func $f (type 0)))"
                           "(memory $m 1 2) (global $g (mut i32) (i32.const 7))"
                           "(func $run (call $f (global.get $g)))"
                           "(export \"mem\" (memory $m)) (export \"g\" (global $g))"
                           "(export \"run\" (func $run))");
  CHECK(inlineForm == explicitForm);
  CHECK(watError("(memory 1) (import \"m\" \"f\" (func))") == "1:12: import after memory");
}

TEST_CASE("Tables and element segments") {
  Bytes inlineElem = wat("(func $a) (func $b) (table funcref (elem $a $b))");
  Bytes explicitElem = wat("(func $a) (func $b) (table 2 2 funcref)"
                           "(elem (table 0) (i32.const 0) func $a $b)");
  CHECK(inlineElem == explicitElem);
  Bytes segments = wat("(table 1 funcref) (func $f)"
                       "(elem (i32.const 0) $f)"                 // flags 0
                       "(elem func $f)"                          // flags 1
                       "(elem declare func $f)"                  // flags 3
                       "(elem funcref (ref.func $f) (ref.null func))" // flags 5
                       "(elem (offset (i32.const 0)) funcref (item ref.func 0))"); // flags 4
  Bytes section = {0x09, 0x1c, 0x05, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,
                   0x01, 0x00, 0x01, 0x00,
                   0x03, 0x00, 0x01, 0x00,
                   0x05, 0x70, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b,
                   0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b};
  section[1] = uint8_t(section.size() - 2);
  auto at = std::search(segments.begin(), segments.end(), section.begin(), section.end());
  CHECK(at != segments.end());
}

TEST_CASE("Data segments and the data count section") {
  Bytes inlineData = wat("(memory (data \"ab\" \"c\"))");
  Bytes explicitData = wat("(memory 1 1) (data (i32.const 0) \"abc\")");
  CHECK(inlineData == explicitData);
  CHECK(inlineData == module({{0x05, 0x04, 0x01, 0x01, 0x01, 0x01},
                              {0x0b, 0x09, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x03, 'a', 'b', 'c'}}));
  Bytes passive = wat("(memory 1) (data $d \"x\") (func (data.drop $d))");
  // The data count section (id 12) precedes the code section.
  Bytes dataCount = {0x0c, 0x01, 0x01};
  CHECK(std::search(passive.begin(), passive.end(), dataCount.begin(), dataCount.end()) !=
        passive.end());
}

TEST_CASE("Name and syntax errors carry line and column") {
  CHECK(watError("(func (call $nope))") == "1:13: unknown function $nope");
  CHECK(watError("(func\n  (br $l))") == "2:7: unknown label $l");
  CHECK(watError("(func $f) (func $f)") == "1:17: duplicate func $f");
  CHECK(watError("(func (param $x i32) (local $x i32))") == "1:29: duplicate local $x");
  CHECK(watError("(func block $a end $b)") == "1:20: mismatching label");
  CHECK(watError("(func (i32.const 4294967296))") == "1:18: constant out of range");
  CHECK(watError("(func (f32.const 1e39))") == "1:18: constant out of range");
  CHECK(watError("(func (i32.const 1_))") == "1:18: unknown operator 1_");
  CHECK(watError("(func (i32.add1))") == "1:8: unknown operator i32.add1");
  CHECK(watError("(func end)").starts_with("1:7: unexpected token"));
  CHECK(watError("(func block)").starts_with("1:7: unclosed block"));
  CHECK(watError("(start 0) (start 0) (func)") == "1:11: multiple start sections");
  CHECK(watError("(func (export \"\\ff\"))") == "1:15: malformed UTF-8 encoding");
  CHECK(watError("(module (func)) (module)").starts_with("1:1: unexpected token"));
}

TEST_CASE("Type-incorrect modules still encode") {
  CHECK(parseWat("(func (result i32) (i64.const 0))"));
  CHECK(parseWat("(func (call 7) (local.get 9) (br 5))"));
  CHECK(parseWat("(func (type 3))"));
}

TEST_CASE("Optional name section carries module and function ids") {
  WatOptions options;
  options.emitNames = true;
  auto bytes = parseWat("(module $m (func $f) (func) (func $g))", options);
  REQUIRE(bytes);
  // custom section "name": module name "m", function names 0 -> "f", 2 -> "g".
  Bytes names = {0x00, 0x12, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x02, 0x01, 'm',
                 0x01, 0x07, 0x02, 0x00, 0x01, 'f', 0x02, 0x01, 'g'};
  REQUIRE(bytes->size() > names.size());
  CHECK(Bytes(bytes->end() - long(names.size()), bytes->end()) == names);
}
