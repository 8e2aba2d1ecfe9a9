#include "binary/InstrReader.h"

#include "WasmBytes.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

// Decodes exactly one instruction that spans all of `bytes`.
Instr readOne(const Bytes &bytes, size_t base = 0) {
  InstrReader reader(bytes, base);
  Instr instr;
  bool ok = reader.next(instr);
  INFO(reader.reader().errorMessage());
  REQUIRE(ok);
  CHECK(reader.atEnd());
  return instr;
}

// The error message of decoding one instruction from `bytes`.
std::string readError(const Bytes &bytes, size_t base = 0) {
  InstrReader reader(bytes, base);
  Instr instr;
  while (reader.next(instr)) {
    if (reader.atEnd())
      return "";
  }
  return reader.reader().makeError().message();
}

} // namespace

TEST_CASE("InstrReader: plain opcodes and offsets") {
  Bytes code = {0x01, 0x1A, 0x0B};
  InstrReader reader(code, 0x40);
  Instr instr;
  REQUIRE(reader.next(instr));
  CHECK(instr.op == Opcode::Nop);
  CHECK(instr.offset == 0x40);
  REQUIRE(reader.next(instr));
  CHECK(instr.op == Opcode::Drop);
  CHECK(instr.offset == 0x41);
  REQUIRE(reader.next(instr));
  CHECK(instr.op == Opcode::End);
  CHECK(instr.offset == 0x42);
  CHECK(reader.atEnd());
  CHECK(reader.offset() == 0x43);
  CHECK_FALSE(reader.next(instr));
  CHECK(reader.reader().makeError().message() == atOffset(0x43, "unexpected end"));
}

TEST_CASE("InstrReader: illegal opcodes report the opcode's offset") {
  CHECK(readError({0x01, 0x06}, 0x10) == atOffset(0x11, "illegal opcode 0x06"));
  CHECK(readError({0xFF}) == atOffset(0, "illegal opcode 0xff"));
  CHECK(readError({0x01, 0xFC, 0x7F}, 0x20) == atOffset(0x21, "illegal opcode 0xfc 0x7f"));
  CHECK(readError({0xFD, 0xFF, 0x7F}) == atOffset(0, "illegal opcode 0xfd 0x3fff"));
  // Prefixed sub-opcodes are u32 LEBs: padding is allowed, overflow is not.
  CHECK(readOne({0xFC, 0x80, 0x00}).op == Opcode::I32TruncSatF32S);
  CHECK(readOne({0xFC, 0x8B, 0x80, 0x80, 0x80, 0x00, 0x00}).op == Opcode::MemoryFill);
  CHECK(readError({0xFC, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}) ==
        atOffset(1, "integer representation too long"));
  CHECK(readError({0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}) == atOffset(1, "integer too large"));
  CHECK(readError({0xFC}) == atOffset(1, "unexpected end"));
}

TEST_CASE("InstrReader: block types") {
  Instr empty = readOne({0x02, 0x40});
  CHECK(empty.op == Opcode::Block);
  CHECK(empty.blockType.kind == BlockType::Kind::Empty);

  Instr value = readOne({0x03, 0x7E});
  CHECK(value.op == Opcode::Loop);
  CHECK(value.blockType.kind == BlockType::Kind::Value);
  CHECK(value.blockType.valueType == ValType::I64);
  CHECK(readOne({0x04, 0x6F}).blockType.valueType == ValType::ExternRef);
  CHECK(readOne({0x04, 0x7B}).blockType.valueType == ValType::V128);

  Instr index = readOne({0x02, 0x05});
  CHECK(index.blockType.kind == BlockType::Kind::TypeIndex);
  CHECK(index.blockType.typeIndex == 5);
  // Type index 64 needs two bytes in s33 (0x40 alone is the empty type).
  CHECK(readOne({0x02, 0xC0, 0x00}).blockType.typeIndex == 64);
  CHECK(readOne({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}).blockType.typeIndex == 0xFFFFFFFF);

  CHECK(readError({0x02, 0x7A}) == atOffset(1, "malformed value type"));
  CHECK(readError({0x02, 0x80, 0x7F}) == atOffset(1, "malformed block type"));
  CHECK(readError({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F}) == atOffset(1, "integer too large"));
  CHECK(readError({0x02}) == atOffset(1, "unexpected end"));
}

TEST_CASE("InstrReader: index immediates") {
  CHECK(readOne({0x0C, 0x03}).index == 3);
  CHECK(readOne({0x0D, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}).index == 0xFFFFFFFF);
  CHECK(readOne({0x10, 0x80, 0x01}).index == 128);
  CHECK(readOne({0x20, 0x00}).op == Opcode::LocalGet);
  CHECK(readOne({0x24, 0x07}).index == 7);
  CHECK(readOne({0x25, 0x02}).index == 2);
  CHECK(readOne({0xD2, 0x09}).index == 9);
  CHECK(readOne({0xFC, 0x09, 0x04}).index == 4);  // data.drop
  CHECK(readOne({0xFC, 0x0D, 0x05}).index == 5);  // elem.drop
  CHECK(readOne({0xFC, 0x10, 0x01}).index == 1);  // table.size
  CHECK(readError({0x20, 0x80, 0x80, 0x80, 0x80, 0x10}) == atOffset(1, "integer too large"));
  CHECK(readError({0x20}) == atOffset(1, "unexpected end"));

  Instr callIndirect = readOne({0x11, 0x02, 0x01});
  CHECK(callIndirect.index == 2);
  CHECK(callIndirect.index2 == 1);
  Instr tableInit = readOne({0xFC, 0x0C, 0x03, 0x01});
  CHECK(tableInit.index == 3);
  CHECK(tableInit.index2 == 1);
  Instr tableCopy = readOne({0xFC, 0x0E, 0x01, 0x02});
  CHECK(tableCopy.index == 1); // destination
  CHECK(tableCopy.index2 == 2); // source
}

TEST_CASE("InstrReader: br_table targets") {
  Bytes code = {0x0E, 0x03, 0x00, 0x01, 0x80, 0x01, 0x02};
  InstrReader reader(code, 0);
  Instr instr;
  REQUIRE(reader.next(instr));
  auto targets = reader.brTableTargets();
  REQUIRE(targets.size() == 4);
  CHECK(targets[0] == 0);
  CHECK(targets[1] == 1);
  CHECK(targets[2] == 128);
  CHECK(targets[3] == 2); // default last

  CHECK(readOne({0x0E, 0x00, 0x05}).op == Opcode::BrTable);
  // A count larger than the remaining bytes fails before allocating.
  CHECK(readError({0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00}) ==
        atOffset(1, "length out of bounds"));
  CHECK(readError({0x0E, 0x02, 0x00, 0x00}) == atOffset(4, "unexpected end"));
}

TEST_CASE("InstrReader: select with types") {
  Instr typed = readOne({0x1C, 0x01, 0x7D});
  CHECK(typed.op == Opcode::SelectTyped);
  CHECK(typed.selectTypeCount == 1);
  CHECK(typed.refType == ValType::F32);
  Instr two = readOne({0x1C, 0x02, 0x70, 0x7F});
  CHECK(two.selectTypeCount == 2);
  CHECK(two.refType == ValType::FuncRef);
  CHECK(readOne({0x1C, 0x00}).selectTypeCount == 0);
  CHECK(readError({0x1C, 0x01, 0x40}) == atOffset(2, "malformed value type"));
  CHECK(readOne({0x1B}).op == Opcode::Select);
}

TEST_CASE("InstrReader: memarg") {
  Instr load = readOne({0x28, 0x02, 0x10});
  CHECK(load.op == Opcode::I32Load);
  CHECK(load.memArg.alignLog2 == 2);
  CHECK(load.memArg.offset == 16);
  CHECK(load.memArg.memoryIndex == 0);
  Instr big = readOne({0x37, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
  CHECK(big.memArg.offset == 0xFFFFFFFFu);
  // In 2.0 the offset is a u32: 2^32 does not fit.
  CHECK(readError({0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10}) ==
        atOffset(2, "integer too large"));
  CHECK(readError({0x28, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00}) ==
        atOffset(1, "integer representation too long"));
  CHECK(readError({0x28, 0x02}) == atOffset(2, "unexpected end"));
}

TEST_CASE("InstrReader: reserved zero bytes") {
  CHECK(readOne({0x3F, 0x00}).op == Opcode::MemorySize);
  CHECK(readOne({0x40, 0x00}).op == Opcode::MemoryGrow);
  CHECK(readError({0x3F, 0x01}) == atOffset(1, "zero byte expected"));
  CHECK(readError({0x40, 0x80, 0x00}) == atOffset(1, "zero byte expected"));
  CHECK(readOne({0xFC, 0x0B, 0x00}).op == Opcode::MemoryFill);
  CHECK(readError({0xFC, 0x0B, 0x01}) == atOffset(2, "zero byte expected"));

  Instr init = readOne({0xFC, 0x08, 0x07, 0x00});
  CHECK(init.op == Opcode::MemoryInit);
  CHECK(init.index == 7);
  CHECK(init.index2 == 0);
  CHECK(readError({0xFC, 0x08, 0x07, 0x01}) == atOffset(3, "zero byte expected"));

  CHECK(readOne({0xFC, 0x0A, 0x00, 0x00}).op == Opcode::MemoryCopy);
  CHECK(readError({0xFC, 0x0A, 0x00, 0x01}) == atOffset(3, "zero byte expected"));
  CHECK(readError({0xFC, 0x0A, 0x02, 0x00}) == atOffset(2, "zero byte expected"));
}

TEST_CASE("InstrReader: integer constants are signed LEBs") {
  CHECK(readOne({0x41, 0x7F}).value.i32 == -1);
  CHECK(readOne({0x41, 0x3F}).value.i32 == 63);
  CHECK(readOne({0x41, 0xC0, 0x00}).value.i32 == 64);
  CHECK(readOne({0x41, 0x80, 0x80, 0x80, 0x80, 0x78}).value.i32 == INT32_MIN);
  CHECK(readOne({0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07}).value.i32 == INT32_MAX);
  CHECK(readError({0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}) == atOffset(1, "integer too large"));
  CHECK(readError({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}) ==
        atOffset(1, "integer representation too long"));

  CHECK(readOne(Bytes{0x42} + s64(INT64_MIN)).value.i64 == INT64_MIN);
  CHECK(readOne(Bytes{0x42} + s64(INT64_MAX)).value.i64 == INT64_MAX);
  CHECK(readOne({0x42, 0x7E}).value.i64 == -2);
  CHECK(readError({0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x41}) ==
        atOffset(1, "integer too large"));
}

TEST_CASE("InstrReader: float constants are little-endian bits") {
  CHECK(readOne({0x43, 0x00, 0x00, 0x80, 0x3F}).value.f32Bits == 0x3F800000u);
  CHECK(readOne({0x44, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}).value.f64Bits ==
        0x0807060504030201ull);
  CHECK(readError({0x43, 0x00, 0x00, 0x80}) == atOffset(1, "unexpected end"));
  CHECK(readError({0x44, 0x00, 0x00, 0x00, 0x00, 0x00}) == atOffset(5, "unexpected end"));
}

TEST_CASE("InstrReader: reference instructions") {
  CHECK(readOne({0xD0, 0x70}).refType == ValType::FuncRef);
  CHECK(readOne({0xD0, 0x6F}).refType == ValType::ExternRef);
  CHECK(readError({0xD0, 0x7F}) == atOffset(1, "malformed reference type"));
  CHECK(readOne({0xD1}).op == Opcode::RefIsNull);
}

TEST_CASE("InstrReader: SIMD immediates") {
  Bytes constBytes = {0xFD, 0x0C};
  for (uint8_t i = 0; i < 16; ++i)
    constBytes.push_back(uint8_t(i * 3));
  Instr v128 = readOne(constBytes);
  CHECK(v128.op == Opcode::V128Const);
  for (int i = 0; i < 16; ++i)
    CHECK(v128.v128.bytes[i] == uint8_t(i * 3));
  CHECK(readError(Bytes{0xFD, 0x0C, 0x00, 0x00}) == atOffset(2, "unexpected end"));

  Bytes shuffle = {0xFD, 0x0D};
  for (uint8_t i = 0; i < 16; ++i)
    shuffle.push_back(uint8_t(31 - i));
  Instr sh = readOne(shuffle);
  CHECK(sh.op == Opcode::I8x16Shuffle);
  CHECK(sh.v128.bytes[0] == 31);
  CHECK(sh.v128.bytes[15] == 16);

  Instr lane = readOne({0xFD, 0x15, 0x0F});
  CHECK(lane.op == Opcode::I8x16ExtractLaneS);
  CHECK(lane.lane == 15);
  Instr load = readOne({0xFD, 0x00, 0x04, 0x20});
  CHECK(load.op == Opcode::V128Load);
  CHECK(load.memArg.alignLog2 == 4);
  CHECK(load.memArg.offset == 32);
  // v128.load8_lane: memarg then lane; multi-byte sub-opcode 0x54.
  Instr loadLane = readOne({0xFD, 0x54, 0x00, 0x01, 0x07});
  CHECK(loadLane.op == Opcode::V128Load8Lane);
  CHECK(loadLane.memArg.offset == 1);
  CHECK(loadLane.lane == 7);
  // Sub-opcodes above 0x7F take two LEB bytes: i32x4.add is 0xAE.
  CHECK(readOne({0xFD, 0xAE, 0x01}).op == Opcode::I32x4Add);
}

TEST_CASE("InstrReader: every opcode in the table decodes from its own encoding") {
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    Opcode op = Opcode(i);
    const OpcodeInfo &info = opcodeInfo(op);
    ByteWriter writer;
    if (info.prefix) {
      writer.writeByte(info.prefix);
      writer.writeVarU32(info.code);
    } else {
      writer.writeByte(uint8_t(info.code));
    }
    // Enough zero bytes for any immediate; a zero is valid for all of them
    // except the reference and value types below.
    Bytes code = writer.take();
    switch (info.imm) {
    case ImmKind::RefType: code.push_back(0x70); break;
    case ImmKind::SelectTypes: code = code + Bytes{0x01, 0x7F}; break;
    case ImmKind::BlockType: code.push_back(0x40); break;
    default: code.resize(code.size() + 18, 0x00); break;
    }
    InstrReader reader(code, 0);
    Instr instr;
    INFO(info.text);
    REQUIRE(reader.next(instr));
    CHECK(instr.op == op);
  }
}

TEST_CASE("InstrReader: br_table vector is reused without growing per instruction") {
  Bytes code;
  for (int i = 0; i < 100; ++i)
    code = code + Bytes{0x0E, 0x02, 0x00, 0x01, 0x02};
  InstrReader reader(code, 0);
  Instr instr;
  int count = 0;
  while (!reader.atEnd()) {
    REQUIRE(reader.next(instr));
    REQUIRE(reader.brTableTargets().size() == 3);
    ++count;
  }
  CHECK(count == 100);
}

TEST_CASE("InstrReader: accepts exactly the opcodes lookupOpcode knows") {
  for (unsigned prefix : {0x00u, 0xFCu, 0xFDu}) {
    for (uint32_t code = 0; code < (prefix ? 300u : 256u); ++code) {
      if (!prefix && (code == 0xFC || code == 0xFD))
        continue;
      Bytes bytes = prefix ? Bytes{uint8_t(prefix)} + u32(code) : Bytes{uint8_t(code)};
      bytes.resize(bytes.size() + 20, 0x00);
      std::optional<Opcode> expected = lookupOpcode(uint8_t(prefix), code);
      InstrReader reader(bytes, 0);
      Instr instr;
      bool ok = reader.next(instr);
      INFO("prefix " << prefix << " code " << code);
      if (expected) {
        if (ok)
          CHECK(instr.op == *expected);
        else // only immediates that reject zero bytes may fail here
          CHECK(reader.reader().errorMessage().find("illegal opcode") == std::string::npos);
      } else {
        CHECK_FALSE(ok);
        CHECK(reader.reader().errorMessage().rfind("illegal opcode", 0) == 0);
      }
    }
  }
}
