#include "binary/InstrReader.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace wasmrt::internal {

namespace {

// Reserved memory-index bytes of 2.0 are a single 0x00 byte, not a LEB: a
// padded zero such as 0x80 0x00 is malformed.
bool readZeroByte(ByteReader &reader) {
  size_t at = reader.offset();
  uint8_t byte = 0;
  if (!reader.readByte(byte))
    return false;
  if (byte != 0)
    return reader.failAt(at, "zero byte expected");
  return true;
}

bool readValType(ByteReader &reader, ValType &out) {
  size_t at = reader.offset();
  uint8_t byte = 0;
  if (!reader.readByte(byte))
    return false;
  // Value types are one-byte signed LEBs; a continuation bit is overlong.
  if (byte & 0x80)
    return reader.failAt(at, "integer representation too long");
  if (!decodeValType(byte, out))
    return reader.failAt(at, "malformed value type");
  return true;
}

bool readBlockType(ByteReader &reader, BlockType &out) {
  uint8_t byte = 0;
  reader.peekByte(byte);
  if (byte == 0x40) {
    reader.skip(1);
    out.kind = BlockType::Kind::Empty;
    return true;
  }
  // A one-byte negative s33 can only be a value type; anything else is a
  // non-negative type index.
  if ((byte & 0xC0) == 0x40) {
    out.kind = BlockType::Kind::Value;
    return readValType(reader, out.valueType);
  }
  size_t at = reader.offset();
  int64_t index = 0;
  if (!reader.readVarS33(index))
    return false;
  if (index < 0)
    return reader.failAt(at, "malformed block type");
  out.kind = BlockType::Kind::TypeIndex;
  out.typeIndex = uint32_t(index);
  return true;
}

bool readMemArg(ByteReader &reader, MemArg &out) {
  size_t at = reader.offset();
  uint32_t offset = 0;
  if (!reader.readVarU32(out.alignLog2))
    return false;
  // Alignments of 2^32 and up are not encodable in 2.0; bit 6 is reserved
  // for a memory index (multi-memory).
  if (out.alignLog2 >= 32)
    return reader.failAt(at, "malformed memop flags");
  if (!reader.readVarU32(offset))
    return false;
  out.memoryIndex = 0;
  out.offset = offset;
  return true;
}

bool read16Bytes(ByteReader &reader, V128 &out) {
  std::span<const uint8_t> bytes;
  if (!reader.readBytes(16, bytes))
    return false;
  std::memcpy(out.bytes, bytes.data(), 16);
  return true;
}

// Decoding tables expanded from Opcodes.def, local to this file so that the
// hot path is a single indexed load with no calls.
struct DecodeEntry {
  uint16_t op;
  ImmKind imm;
};
constexpr uint16_t kIllegal = 0xFFFF;

struct DecodeTables {
  std::array<DecodeEntry, 256> plain, prefixFC, prefixFD;
  std::array<ImmKind, kNumOpcodes> imm;
  constexpr DecodeTables() : plain(), prefixFC(), prefixFD(), imm() {
    plain.fill({kIllegal, ImmKind::None});
    prefixFC.fill({kIllegal, ImmKind::None});
    prefixFD.fill({kIllegal, ImmKind::None});
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)                          \
  add(Prefix, Code, Opcode::Name, ImmKind::Imm);
#include "binary/Opcodes.def"
  }
  constexpr void add(uint8_t prefix, uint32_t code, Opcode op, ImmKind kind) {
    auto &table = prefix == 0 ? plain : prefix == 0xFC ? prefixFC : prefixFD;
    table[code] = {uint16_t(op), kind};
    imm[unsigned(op)] = kind;
  }
};
constexpr DecodeTables kTables;

} // namespace

bool InstrReader::next(Instr &out) {
  out.offset = reader_.offset();
  uint8_t byte = 0;
  if (!reader_.readByte(byte)) [[unlikely]]
    return false;
  DecodeEntry entry = kTables.plain[byte];
  if (entry.op == kIllegal) [[unlikely]] {
    if (byte != 0xFC && byte != 0xFD)
      return reader_.failAt(out.offset, fmt::format("illegal opcode {:#04x}", byte));
    uint32_t code = 0;
    if (!reader_.readVarU32(code))
      return false;
    if (code < 256)
      entry = (byte == 0xFC ? kTables.prefixFC : kTables.prefixFD)[code];
    if (entry.op == kIllegal)
      return reader_.failAt(out.offset, fmt::format("illegal opcode {:#04x} {:#x}", byte, code));
  }
  out.op = Opcode(entry.op);
  if (entry.imm == ImmKind::None)
    return true;
  return readImmediates(out);
}

bool InstrReader::readImmediates(Instr &out) {
  ByteReader &r = reader_;
  switch (kTables.imm[unsigned(out.op)]) {
  case ImmKind::None:
    return true;
  case ImmKind::BlockType:
    return readBlockType(r, out.blockType);
  case ImmKind::LabelIdx:
  case ImmKind::FuncIdx:
  case ImmKind::LocalIdx:
  case ImmKind::GlobalIdx:
  case ImmKind::TableIdx:
  case ImmKind::DataIdx:
  case ImmKind::ElemIdx:
    return r.readVarU32(out.index);
  case ImmKind::BrTable: {
    uint32_t count = 0;
    if (!r.readCount(count, 1))
      return false;
    // The vector keeps its capacity, so steady-state decoding does not allocate.
    brTargets_.resize(size_t(count) + 1);
    for (uint32_t &target : brTargets_)
      if (!r.readVarU32(target))
        return false;
    return true;
  }
  case ImmKind::CallIndirect:
    return r.readVarU32(out.index) && r.readVarU32(out.index2);
  case ImmKind::SelectTypes: {
    uint32_t count = 0;
    if (!r.readCount(count, 1))
      return false;
    out.selectTypeCount = count;
    for (uint32_t i = 0; i < count; ++i) {
      ValType type = ValType::I32;
      if (!readValType(r, type))
        return false;
      if (i == 0)
        out.refType = type;
    }
    return true;
  }
  case ImmKind::MemArg:
    return readMemArg(r, out.memArg);
  case ImmKind::MemIdx:
    out.index = 0;
    return readZeroByte(r);
  case ImmKind::I32Const:
    return r.readVarS32(out.value.i32);
  case ImmKind::I64Const:
    return r.readVarS64(out.value.i64);
  case ImmKind::F32Const:
    return r.readFixedU32(out.value.f32Bits);
  case ImmKind::F64Const:
    return r.readFixedU64(out.value.f64Bits);
  case ImmKind::RefType: {
    size_t at = r.offset();
    uint8_t byte = 0;
    if (!r.readByte(byte))
      return false;
    if (byte != uint8_t(ValType::FuncRef) && byte != uint8_t(ValType::ExternRef))
      return r.failAt(at, "malformed reference type");
    out.refType = ValType(byte);
    return true;
  }
  case ImmKind::MemoryInit:
    out.index2 = 0;
    return r.readVarU32(out.index) && readZeroByte(r);
  case ImmKind::MemoryCopy:
    out.index = out.index2 = 0;
    return readZeroByte(r) && readZeroByte(r);
  case ImmKind::TableInit:
  case ImmKind::TableCopy:
    return r.readVarU32(out.index) && r.readVarU32(out.index2);
  case ImmKind::V128Const:
  case ImmKind::Shuffle:
    return read16Bytes(r, out.v128);
  case ImmKind::Lane:
    return r.readByte(out.lane);
  case ImmKind::MemArgLane:
    return readMemArg(r, out.memArg) && r.readByte(out.lane);
  }
  return r.fail("illegal opcode");
}

} // namespace wasmrt::internal
