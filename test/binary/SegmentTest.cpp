#include "binary/Decoder.h"

#include "WasmBytes.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

const Bytes kI32Const0 = {0x41, 0x00, 0x0B};
const Bytes kRefFunc1 = {0xD2, 0x01, 0x0B};
const Bytes kRefNullFunc = {0xD0, 0x70, 0x0B};

// One element segment in a module with two functions and two tables.
Bytes elemModule(const Bytes &segment) {
  return module({section(1, vec({{0x60, 0x00, 0x00}})), section(3, vec({{0x00}, {0x00}})),
                 section(4, vec({{0x70, 0x00, 0x01}, {0x6F, 0x00, 0x01}})),
                 section(9, vec({segment})),
                 section(10, vec({body({0x00}, {0x0B}), body({0x00}, {0x0B})}))});
}

ElementSegment decodeElem(const Bytes &segment) {
  Bytes bytes = elemModule(segment);
  Module m = decodeOk(bytes);
  REQUIRE(m.elements.size() == 1);
  ElementSegment out = m.elements[0];
  // The spans point into `bytes`; keep only facts the caller checks.
  out.offsetExpr.bytes = {};
  out.exprs.clear();
  out.exprs.resize(m.elements[0].exprs.size());
  for (size_t i = 0; i < out.exprs.size(); ++i)
    out.exprs[i].offset = m.elements[0].exprs[i].offset;
  return out;
}

// The element section starts at 28 in elemModule; its segment at 31.
constexpr size_t kSegmentOffset = 31;

} // namespace

TEST_CASE("Elements: encoding 0, active table 0 with function indices") {
  ElementSegment seg = decodeElem(Bytes{0x00} + kI32Const0 + vec({{0x00}, {0x01}}));
  CHECK(seg.mode == SegmentMode::Active);
  CHECK(seg.tableIndex == 0);
  CHECK(seg.elemType == ValType::FuncRef);
  CHECK_FALSE(seg.usesExprs);
  CHECK(seg.funcIndices == std::vector<uint32_t>{0, 1});
  CHECK(seg.size() == 2);
  CHECK(seg.offset == kSegmentOffset);
  CHECK(seg.offsetExpr.offset == kSegmentOffset + 1);
}

TEST_CASE("Elements: encoding 1, passive with elemkind") {
  ElementSegment seg = decodeElem(Bytes{0x01, 0x00} + vec({{0x01}}));
  CHECK(seg.mode == SegmentMode::Passive);
  CHECK(seg.elemType == ValType::FuncRef);
  CHECK(seg.funcIndices == std::vector<uint32_t>{1});
}

TEST_CASE("Elements: encoding 2, active with explicit table") {
  ElementSegment seg = decodeElem(Bytes{0x02, 0x01} + kI32Const0 + Bytes{0x00} + vec({{0x00}}));
  CHECK(seg.mode == SegmentMode::Active);
  CHECK(seg.tableIndex == 1);
  CHECK(seg.offsetExpr.offset == kSegmentOffset + 2);
  CHECK(seg.funcIndices == std::vector<uint32_t>{0});
}

TEST_CASE("Elements: encoding 3, declarative") {
  ElementSegment seg = decodeElem(Bytes{0x03, 0x00} + vec({{0x00}, {0x01}, {0x00}}));
  CHECK(seg.mode == SegmentMode::Declarative);
  CHECK(seg.size() == 3);
}

TEST_CASE("Elements: encoding 4, active table 0 with expressions") {
  ElementSegment seg = decodeElem(Bytes{0x04} + kI32Const0 + vec({kRefFunc1, kRefNullFunc}));
  CHECK(seg.mode == SegmentMode::Active);
  CHECK(seg.tableIndex == 0);
  CHECK(seg.elemType == ValType::FuncRef);
  CHECK(seg.usesExprs);
  REQUIRE(seg.exprs.size() == 2);
  CHECK(seg.exprs[0].offset == kSegmentOffset + 5);
  CHECK(seg.exprs[1].offset == kSegmentOffset + 8);
  CHECK(seg.funcIndices.empty());
}

TEST_CASE("Elements: encoding 5, passive with expressions and a reftype") {
  ElementSegment seg = decodeElem(Bytes{0x05, 0x6F} + vec({{0xD0, 0x6F, 0x0B}}));
  CHECK(seg.mode == SegmentMode::Passive);
  CHECK(seg.elemType == ValType::ExternRef);
  CHECK(seg.usesExprs);
  CHECK(seg.size() == 1);
}

TEST_CASE("Elements: encoding 6, active with explicit table and expressions") {
  ElementSegment seg =
      decodeElem(Bytes{0x06, 0x01} + kI32Const0 + Bytes{0x70} + vec({kRefFunc1}));
  CHECK(seg.mode == SegmentMode::Active);
  CHECK(seg.tableIndex == 1);
  CHECK(seg.elemType == ValType::FuncRef);
  CHECK(seg.size() == 1);
}

TEST_CASE("Elements: encoding 7, declarative with expressions") {
  ElementSegment seg = decodeElem(Bytes{0x07, 0x70} + vec({kRefFunc1, kRefFunc1}));
  CHECK(seg.mode == SegmentMode::Declarative);
  CHECK(seg.usesExprs);
  CHECK(seg.size() == 2);
}

TEST_CASE("Elements: expressions are views including the final end") {
  Bytes bytes = elemModule(Bytes{0x04} + kI32Const0 + vec({kRefFunc1}));
  Module m = decodeOk(bytes);
  const ElementSegment &seg = m.elements[0];
  CHECK(Bytes(seg.offsetExpr.bytes.begin(), seg.offsetExpr.bytes.end()) == kI32Const0);
  CHECK(seg.offsetExpr.bytes.data() == bytes.data() + seg.offsetExpr.offset);
  CHECK(Bytes(seg.exprs[0].bytes.begin(), seg.exprs[0].bytes.end()) == kRefFunc1);
}

TEST_CASE("Elements: malformed segments") {
  CHECK(decodeError(elemModule(Bytes{0x08} + kI32Const0 + vec({}))) ==
        atOffset(kSegmentOffset, "malformed elements segment kind"));
  CHECK(decodeError(elemModule(Bytes{0x01, 0x01} + vec({}))) ==
        atOffset(kSegmentOffset + 1, "malformed element kind"));
  CHECK(decodeError(elemModule(Bytes{0x05, 0x7F} + vec({kRefFunc1}))) ==
        atOffset(kSegmentOffset + 1, "malformed reference type"));
  CHECK(decodeError(elemModule(Bytes{0x05, 0x70} + vec({{0xF3, 0x00, 0x0B}}))) ==
        atOffset(kSegmentOffset + 3, "illegal opcode 0xf3"));
  // Flags are a u32 LEB: padded encodings are fine.
  ElementSegment padded = decodeElem(Bytes{0x82, 0x00, 0x80, 0x00} + kI32Const0 + Bytes{0x00} +
                                     vec({}));
  CHECK(padded.mode == SegmentMode::Active);
  CHECK(padded.tableIndex == 0);
  // Function index vector longer than the section.
  CHECK(decodeError(elemModule(Bytes{0x01, 0x00, 0x7F})) ==
        atOffset(kSegmentOffset + 2, "unexpected end of section or function"));
}

namespace {
Bytes dataModule(const Bytes &segment) {
  return module({section(5, vec({{0x00, 0x01}})), section(11, vec({segment}))});
}
constexpr size_t kDataSegmentOffset = 16;
} // namespace

TEST_CASE("Data: the three encodings") {
  {
    Bytes bytes = dataModule(Bytes{0x00} + kI32Const0 + name("abc"));
    Module m = decodeOk(bytes);
    REQUIRE(m.data.size() == 1);
    const DataSegment &seg = m.data[0];
    CHECK(seg.mode == SegmentMode::Active);
    CHECK(seg.memoryIndex == 0);
    CHECK(seg.offset == kDataSegmentOffset);
    CHECK(seg.offsetExpr.offset == kDataSegmentOffset + 1);
    CHECK(seg.offsetExpr.bytes.size() == 3);
    REQUIRE(seg.bytes.size() == 3);
    CHECK(seg.bytes[2] == 'c');
    CHECK(seg.bytes.data() == bytes.data() + kDataSegmentOffset + 5);
  }
  {
    Bytes bytes = dataModule(Bytes{0x01} + name("xy"));
    Module m = decodeOk(bytes);
    CHECK(m.data[0].mode == SegmentMode::Passive);
    CHECK(m.data[0].bytes.size() == 2);
  }
  {
    Bytes bytes = dataModule(Bytes{0x02, 0x00} + kI32Const0 + name(""));
    Module m = decodeOk(bytes);
    CHECK(m.data[0].mode == SegmentMode::Active);
    CHECK(m.data[0].memoryIndex == 0);
    CHECK(m.data[0].offsetExpr.offset == kDataSegmentOffset + 2);
    CHECK(m.data[0].bytes.empty());
  }
}

TEST_CASE("Data: malformed segments") {
  CHECK(decodeError(dataModule(Bytes{0x03} + name(""))) ==
        atOffset(kDataSegmentOffset, "malformed data segment kind"));
  // Contents longer than the section.
  CHECK(decodeError(dataModule(Bytes{0x01, 0x05, 'a'})) ==
        atOffset(kDataSegmentOffset + 2, "unexpected end of section or function"));
  // Offset expression without `end` at the end of the module.
  CHECK(decodeError(dataModule(Bytes{0x00, 0x41, 0x00})) ==
        atOffset(kDataSegmentOffset + 3, "unexpected end of section or function"));
  Features mvp;
  mvp.bulkMemory = false;
  CHECK(decodeError(dataModule(Bytes{0x01} + name("")), mvp) ==
        atOffset(kDataSegmentOffset, "malformed data segment kind"));
}
