// Element and data segments, and the constant expressions they (and globals)
// contain.
#include "binary/DecodeContext.h"
#include "binary/InstrReader.h"

#include <algorithm>

namespace wasmrt::internal::decoder {

namespace {
// Element segment flag bits (the eight encodings are their combinations).
constexpr uint32_t kElemPassiveOrDeclarative = 0x1; // with bit 1: declarative
constexpr uint32_t kElemExplicitTable = 0x2;        // active only: tableidx + elemkind/reftype
constexpr uint32_t kElemExpressions = 0x4;          // vec(expr) instead of vec(funcidx)

constexpr uint8_t kElemKindFuncRef = 0x00;
} // namespace

// Reads instructions up to the `end` that closes the expression. The reader
// deliberately runs over the rest of the module rather than the section, as
// the reference decoder does: a missing `end` then reports the instruction
// that follows (usually "illegal opcode") instead of a generic end of section.
bool ModuleDecoder::readConstExpr(ByteReader &r, ConstExpr &out) {
  size_t start = r.offset();
  InstrReader reader(bytes_.subspan(start), start);
  uint32_t depth = 0;
  Instr instr;
  for (;;) {
    if (!reader.next(instr))
      return propagateError(r, reader.reader());
    if (instr.op == Opcode::Block || instr.op == Opcode::Loop || instr.op == Opcode::If) {
      ++depth;
    } else if (instr.op == Opcode::End) {
      if (depth == 0)
        break;
      --depth;
    }
  }
  size_t length = reader.offset() - start;
  if (length > r.remaining())
    return r.failAt(r.offset() + r.remaining(), "section size mismatch");
  out.offset = start;
  out.bytes = std::span<const uint8_t>(r.position(), length);
  r.skip(length);
  return true;
}

bool ModuleDecoder::decodeElementSegment(ByteReader &r, ElementSegment &out) {
  out.offset = r.offset();
  uint32_t flags = 0;
  if (!r.readVarU32(flags))
    return false;
  if (flags > 7 || (flags != 0 && !features_.bulkMemory && !features_.referenceTypes))
    return r.failAt(out.offset, "malformed elements segment kind");

  if (!(flags & kElemPassiveOrDeclarative)) {
    out.mode = SegmentMode::Active;
    if ((flags & kElemExplicitTable) && !r.readVarU32(out.tableIndex))
      return false;
    if (!readConstExpr(r, out.offsetExpr))
      return false;
  } else {
    out.mode = (flags & kElemExplicitTable) ? SegmentMode::Declarative : SegmentMode::Passive;
  }

  out.usesExprs = (flags & kElemExpressions) != 0;
  // Encodings 0 and 4 imply funcref; the others spell out the element type.
  bool hasTypeByte = (flags & (kElemPassiveOrDeclarative | kElemExplicitTable)) != 0;
  out.elemType = ValType::FuncRef;
  if (hasTypeByte) {
    if (out.usesExprs) {
      if (!readRefType(r, out.elemType))
        return false;
    } else {
      size_t at = r.offset();
      uint8_t kind = 0;
      if (!r.readByte(kind))
        return false;
      if (kind != kElemKindFuncRef)
        return r.failAt(at, "malformed element kind");
    }
  }

  uint32_t count = 0;
  if (out.usesExprs) {
    if (!readVecCount(r, count))
      return false;
    out.exprs.reserve(std::min<size_t>(count, r.remaining() / 2));
    for (uint32_t i = 0; i < count; ++i)
      if (!readConstExpr(r, out.exprs.emplace_back()))
        return false;
  } else {
    if (!readVecCount(r, count))
      return false;
    out.funcIndices.resize(count);
    for (uint32_t &index : out.funcIndices)
      if (!r.readVarU32(index))
        return false;
  }
  return true;
}

bool ModuleDecoder::decodeElementSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  module_.elements.reserve(std::min<size_t>(count, r.remaining() / 3));
  for (uint32_t i = 0; i < count; ++i)
    if (!decodeElementSegment(r, module_.elements.emplace_back()))
      return false;
  return true;
}

bool ModuleDecoder::decodeDataSection(ByteReader &r) {
  sawDataSection_ = true;
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  module_.data.reserve(std::min<size_t>(count, r.remaining() / 2));
  for (uint32_t i = 0; i < count; ++i) {
    DataSegment &segment = module_.data.emplace_back();
    segment.offset = r.offset();
    uint32_t flags = 0;
    if (!r.readVarU32(flags))
      return false;
    if (flags > 2 || (flags != 0 && !features_.bulkMemory))
      return r.failAt(segment.offset, "malformed data segment kind");
    segment.mode = flags == 1 ? SegmentMode::Passive : SegmentMode::Active;
    if (flags == 2 && !r.readVarU32(segment.memoryIndex))
      return false;
    if (flags != 1 && !readConstExpr(r, segment.offsetExpr))
      return false;
    uint32_t length = 0;
    if (!r.readVarU32(length))
      return false;
    if (!r.readBytes(length, segment.bytes))
      return false;
  }
  return true;
}

} // namespace wasmrt::internal::decoder
