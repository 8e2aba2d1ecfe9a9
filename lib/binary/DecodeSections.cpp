// The type, import, function, table, memory, global, export, start, data
// count and code sections, and the small readers they share.
#include "binary/DecodeContext.h"
#include "binary/InstrReader.h"
#include "support/Utf8.h"

#include <algorithm>

namespace wasmrt::internal::decoder {

namespace {
constexpr uint64_t kMaxLocals = 0xFFFFFFFFu;

// A flag that the spec reads as a one-bit LEB128: a set continuation bit makes
// the representation too long, any other bit makes the value too large.
bool readFlagBit(ByteReader &r, bool &out) {
  size_t at = r.offset();
  uint8_t byte = 0;
  if (!r.readByte(byte))
    return false;
  if (byte & 0x80)
    return r.failAt(at, "integer representation too long");
  if (byte > 1)
    return r.failAt(at, "integer too large");
  out = byte == 1;
  return true;
}

template <typename T> void reserveFor(std::vector<T> &vec, uint32_t count, const ByteReader &r,
                                      size_t minElementSize) {
  vec.reserve(vec.size() + std::min<size_t>(count, r.remaining() / minElementSize));
}
} // namespace

bool ModuleDecoder::readVecCount(ByteReader &r, uint32_t &count) {
  size_t at = r.offset();
  if (!r.readVarU32(count))
    return false;
  if (count > r.remaining())
    return r.failAt(at, kSectionEnd);
  return true;
}

bool ModuleDecoder::readName(ByteReader &r, std::string &out) {
  uint32_t length = 0;
  if (!r.readVarU32(length))
    return false;
  size_t at = r.offset();
  std::span<const uint8_t> bytes;
  if (length > r.remaining()) {
    // Past the module's end as well: the length itself is out of bounds.
    return r.failAt(at, length > bytes_.size() - at ? "length out of bounds" : kSectionEnd);
  }
  r.readBytes(length, bytes);
  if (!isValidUtf8(bytes))
    return r.failAt(at, "malformed UTF-8 encoding");
  out.assign(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return true;
}

bool ModuleDecoder::readValType(ByteReader &r, ValType &out) {
  size_t at = r.offset();
  uint8_t byte = 0;
  if (!r.readByte(byte))
    return false;
  if (byte & 0x80)
    return r.failAt(at, "integer representation too long");
  if (!decodeValType(byte, out) || (out == ValType::V128 && !features_.simd) ||
      (isRefType(out) && !features_.referenceTypes))
    return r.failAt(at, "malformed value type");
  return true;
}

bool ModuleDecoder::readRefType(ByteReader &r, ValType &out) {
  size_t at = r.offset();
  uint8_t byte = 0;
  if (!r.readByte(byte))
    return false;
  if (byte & 0x80)
    return r.failAt(at, "integer representation too long");
  if (!decodeValType(byte, out) || !isRefType(out) ||
      (out == ValType::ExternRef && !features_.referenceTypes))
    return r.failAt(at, "malformed reference type");
  return true;
}

bool ModuleDecoder::readLimits(ByteReader &r, Limits &out) {
  bool hasMax = false;
  uint32_t min = 0, max = 0;
  if (!readFlagBit(r, hasMax) || !r.readVarU32(min))
    return false;
  out.min = min;
  out.max.reset();
  if (hasMax) {
    if (!r.readVarU32(max))
      return false;
    out.max = max;
  }
  return true;
}

bool ModuleDecoder::readTableType(ByteReader &r, TableType &out) {
  return readRefType(r, out.elemType) && readLimits(r, out.limits);
}

bool ModuleDecoder::readMemoryType(ByteReader &r, MemoryType &out) {
  return readLimits(r, out.limits);
}

bool ModuleDecoder::readGlobalType(ByteReader &r, GlobalType &out) {
  if (!readValType(r, out.type))
    return false;
  size_t at = r.offset();
  uint8_t mut = 0;
  if (!r.readByte(mut))
    return false;
  if (mut > 1)
    return r.failAt(at, "malformed mutability");
  out.isMutable = mut == 1;
  return true;
}

bool ModuleDecoder::decodeTypeSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.types, count, r, 3);
  for (uint32_t i = 0; i < count; ++i) {
    size_t at = r.offset();
    uint8_t form = 0;
    if (!r.readByte(form))
      return false;
    if (form & 0x80)
      return r.failAt(at, "integer representation too long");
    if (form != 0x60)
      return r.failAt(at, "malformed function type");
    FuncType &type = module_.types.emplace_back();
    for (auto *list : {&type.params, &type.results}) {
      uint32_t n = 0;
      if (!readVecCount(r, n))
        return false;
      list->resize(n);
      for (ValType &valType : *list)
        if (!readValType(r, valType))
          return false;
    }
  }
  return true;
}

bool ModuleDecoder::decodeImportSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.imports, count, r, 4);
  for (uint32_t i = 0; i < count; ++i) {
    Import &import = module_.imports.emplace_back();
    import.offset = r.offset();
    if (!readName(r, import.module) || !readName(r, import.name))
      return false;
    size_t kindOffset = r.offset();
    uint8_t kind = 0;
    if (!r.readByte(kind))
      return false;
    switch (kind) {
    case uint8_t(ExternKind::Func):
      if (!r.readVarU32(import.funcTypeIndex))
        return false;
      module_.funcs.push_back(import.funcTypeIndex);
      ++module_.numImportedFuncs;
      break;
    case uint8_t(ExternKind::Table):
      if (!readTableType(r, import.table))
        return false;
      module_.tables.push_back(import.table);
      ++module_.numImportedTables;
      break;
    case uint8_t(ExternKind::Memory):
      if (!readMemoryType(r, import.memory))
        return false;
      module_.memories.push_back(import.memory);
      ++module_.numImportedMemories;
      break;
    case uint8_t(ExternKind::Global):
      if (!readGlobalType(r, import.global))
        return false;
      module_.globals.push_back(import.global);
      ++module_.numImportedGlobals;
      break;
    default:
      return r.failAt(kindOffset, "malformed import kind");
    }
    import.kind = ExternKind(kind);
  }
  return true;
}

bool ModuleDecoder::decodeFunctionSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.funcs, count, r, 1);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t typeIndex = 0;
    if (!r.readVarU32(typeIndex))
      return false;
    module_.funcs.push_back(typeIndex);
  }
  declaredFuncCount_ = count;
  return true;
}

bool ModuleDecoder::decodeTableSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.tables, count, r, 3);
  for (uint32_t i = 0; i < count; ++i)
    if (!readTableType(r, module_.tables.emplace_back()))
      return false;
  return true;
}

bool ModuleDecoder::decodeMemorySection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.memories, count, r, 2);
  for (uint32_t i = 0; i < count; ++i)
    if (!readMemoryType(r, module_.memories.emplace_back()))
      return false;
  return true;
}

bool ModuleDecoder::decodeGlobalSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.definedGlobals, count, r, 3);
  reserveFor(module_.globals, count, r, 3);
  for (uint32_t i = 0; i < count; ++i) {
    Global &global = module_.definedGlobals.emplace_back();
    if (!readGlobalType(r, global.type) || !readConstExpr(r, global.init))
      return false;
    module_.globals.push_back(global.type);
  }
  return true;
}

bool ModuleDecoder::decodeExportSection(ByteReader &r) {
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.exports, count, r, 3);
  for (uint32_t i = 0; i < count; ++i) {
    Export &exp = module_.exports.emplace_back();
    exp.offset = r.offset();
    if (!readName(r, exp.name))
      return false;
    size_t kindOffset = r.offset();
    uint8_t kind = 0;
    if (!r.readByte(kind))
      return false;
    if (kind > uint8_t(ExternKind::Global))
      return r.failAt(kindOffset, "malformed export kind");
    exp.kind = ExternKind(kind);
    if (!r.readVarU32(exp.index))
      return false;
  }
  return true;
}

bool ModuleDecoder::decodeStartSection(ByteReader &r) {
  uint32_t index = 0;
  if (!r.readVarU32(index))
    return false;
  module_.startFunc = index;
  return true;
}

bool ModuleDecoder::decodeDataCountSection(ByteReader &r) {
  uint32_t count = 0;
  if (!r.readVarU32(count))
    return false;
  module_.dataCount = count;
  return true;
}

bool ModuleDecoder::decodeCodeSection(ByteReader &r) {
  sawCodeSection_ = true;
  uint32_t count = 0;
  if (!readVecCount(r, count))
    return false;
  reserveFor(module_.code, count, r, 3);
  for (uint32_t i = 0; i < count; ++i)
    if (!decodeFunctionBody(r, module_.code.emplace_back()))
      return false;
  return true;
}

bool ModuleDecoder::decodeFunctionBody(ByteReader &r, FunctionBody &out) {
  out.bodyOffset = r.offset();
  uint32_t size = 0;
  if (!r.readVarU32(size))
    return false;
  size_t bodyStart = r.offset();
  std::span<const uint8_t> bytes;
  if (!r.readBytes(size, bytes))
    return r.failAt(bodyStart, kSectionEnd);
  ByteReader body(bytes, bodyStart);

  uint32_t groups = 0;
  if (!readVecCount(body, groups))
    return propagateError(r, body);
  out.locals.reserve(std::min<size_t>(groups, body.remaining() / 2));
  uint64_t total = 0;
  for (uint32_t i = 0; i < groups; ++i) {
    size_t at = body.offset();
    LocalGroup group{0, ValType::I32};
    if (!body.readVarU32(group.count) || !readValType(body, group.type))
      return propagateError(r, body);
    total += group.count;
    if (total > kMaxLocals)
      return r.failAt(at, "too many locals");
    out.locals.push_back(group);
  }
  out.numLocals = total;
  out.codeOffset = body.offset();
  out.code = std::span<const uint8_t>(body.position(), body.remaining());
  if (out.code.empty() || out.code.back() != 0x0B)
    return diagnoseMissingEnd(r, out.codeOffset, bodyStart + size);
  return true;
}

// A body whose last byte is not `end`. Find out what a reader that ignores
// the body size would have seen, so the message matches the spec tests:
// running off the module, an `else` at function level, or an `end` that lies
// beyond the body (the section size is then wrong).
bool ModuleDecoder::diagnoseMissingEnd(ByteReader &r, size_t codeOffset, size_t bodyEnd) {
  InstrReader reader(bytes_.subspan(codeOffset), codeOffset);
  uint32_t depth = 0;
  Instr instr;
  while (reader.next(instr)) {
    switch (instr.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
      ++depth;
      break;
    case Opcode::Else:
      if (depth == 0)
        return r.failAt(instr.offset, "END opcode expected");
      break;
    case Opcode::End:
      if (depth == 0) {
        if (instr.offset >= bodyEnd)
          return r.failAt(bodyEnd, "section size mismatch");
        return r.failAt(bodyEnd, "END opcode expected");
      }
      --depth;
      break;
    default:
      break;
    }
  }
  if (reader.reader().errorMessage() == "unexpected end")
    return r.failAt(reader.reader().errorOffset(), kSectionEnd);
  return propagateError(r, reader.reader());
}

} // namespace wasmrt::internal::decoder
