#include "binary/Encoder.h"

#include "support/ByteWriter.h"

namespace wasmrt::internal {

namespace {

enum SectionId : uint8_t {
  kCustomSection = 0,
  kTypeSection = 1,
  kImportSection = 2,
  kFunctionSection = 3,
  kTableSection = 4,
  kMemorySection = 5,
  kGlobalSection = 6,
  kExportSection = 7,
  kStartSection = 8,
  kElementSection = 9,
  kCodeSection = 10,
  kDataSection = 11,
  kDataCountSection = 12,
};

void writeLimits(ByteWriter &out, const Limits &limits) {
  out.writeByte(limits.max ? 0x01 : 0x00);
  out.writeVarU64(limits.min);
  if (limits.max)
    out.writeVarU64(*limits.max);
}

void writeTableType(ByteWriter &out, const TableType &table) {
  out.writeByte(uint8_t(table.elemType));
  writeLimits(out, table.limits);
}

void writeGlobalType(ByteWriter &out, const GlobalType &global) {
  out.writeByte(uint8_t(global.type));
  out.writeByte(global.isMutable ? 0x01 : 0x00);
}

void writeSection(ByteWriter &module, uint8_t id, const ByteWriter &contents) {
  module.writeByte(id);
  module.writeVarU32(uint32_t(contents.size()));
  module.writeBytes(contents.bytes());
}

void writeElement(ByteWriter &out, const EncoderElement &element) {
  // Pick the shortest of the eight encodings that expresses the segment:
  // bit 0 = passive/declarative, bit 1 = explicit table or declarative,
  // bit 2 = expressions instead of function indices.
  bool active = element.mode == SegmentMode::Active;
  bool implicitTable =
      active && element.tableIndex == 0 && element.elemType == ValType::FuncRef;
  uint32_t flags = element.usesExprs ? 4 : 0;
  if (element.mode == SegmentMode::Passive)
    flags |= 1;
  else if (element.mode == SegmentMode::Declarative)
    flags |= 3;
  else if (!implicitTable)
    flags |= 2;
  out.writeVarU32(flags);
  if (active) {
    if (!implicitTable)
      out.writeVarU32(element.tableIndex);
    out.writeBytes(element.offset);
  }
  if (!implicitTable) {
    // elemkind 0x00 (funcref) for index lists, a reference type for exprs.
    if (element.usesExprs)
      out.writeByte(uint8_t(element.elemType));
    else
      out.writeByte(0x00);
  }
  if (element.usesExprs) {
    out.writeVarU32(uint32_t(element.exprs.size()));
    for (const auto &expr : element.exprs)
      out.writeBytes(expr);
  } else {
    out.writeVarU32(uint32_t(element.funcIndices.size()));
    for (uint32_t index : element.funcIndices)
      out.writeVarU32(index);
  }
}

void writeData(ByteWriter &out, const EncoderData &data) {
  if (data.mode == SegmentMode::Passive) {
    out.writeVarU32(1);
  } else if (data.memoryIndex == 0) {
    out.writeVarU32(0);
    out.writeBytes(data.offset);
  } else {
    out.writeVarU32(2);
    out.writeVarU32(data.memoryIndex);
    out.writeBytes(data.offset);
  }
  out.writeVarU32(uint32_t(data.bytes.size()));
  out.writeBytes(data.bytes);
}

void writeFunctionBody(ByteWriter &out, const EncoderFunction &function) {
  ByteWriter body;
  body.writeVarU32(uint32_t(function.locals.size()));
  for (const LocalGroup &group : function.locals) {
    body.writeVarU32(group.count);
    body.writeByte(uint8_t(group.type));
  }
  body.writeBytes(function.code);
  out.writeVarU32(uint32_t(body.size()));
  out.writeBytes(body.bytes());
}

void writeNameSection(ByteWriter &module, const EncoderNames &names) {
  ByteWriter contents;
  contents.writeName("name");
  auto subsection = [&](uint8_t id, const ByteWriter &payload) {
    contents.writeByte(id);
    contents.writeVarU32(uint32_t(payload.size()));
    contents.writeBytes(payload.bytes());
  };
  if (names.module) {
    ByteWriter payload;
    payload.writeName(*names.module);
    subsection(0, payload);
  }
  if (!names.functions.empty()) {
    ByteWriter payload;
    payload.writeVarU32(uint32_t(names.functions.size()));
    for (const auto &[index, name] : names.functions) {
      payload.writeVarU32(index);
      payload.writeName(name);
    }
    subsection(1, payload);
  }
  if (!names.locals.empty()) {
    ByteWriter payload;
    payload.writeVarU32(uint32_t(names.locals.size()));
    for (const auto &[funcIndex, locals] : names.locals) {
      payload.writeVarU32(funcIndex);
      payload.writeVarU32(uint32_t(locals.size()));
      for (const auto &[localIndex, name] : locals) {
        payload.writeVarU32(localIndex);
        payload.writeName(name);
      }
    }
    subsection(2, payload);
  }
  writeSection(module, kCustomSection, contents);
}

} // namespace

std::vector<uint8_t> ModuleEncoder::encode() const {
  ByteWriter module;
  module.writeFixedU32(0x6D736100); // "\0asm"
  module.writeFixedU32(1);

  if (!types.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(types.size()));
    for (const FuncType &type : types) {
      s.writeByte(0x60);
      s.writeVarU32(uint32_t(type.params.size()));
      for (ValType t : type.params)
        s.writeByte(uint8_t(t));
      s.writeVarU32(uint32_t(type.results.size()));
      for (ValType t : type.results)
        s.writeByte(uint8_t(t));
    }
    writeSection(module, kTypeSection, s);
  }
  if (!imports.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(imports.size()));
    for (const Import &import : imports) {
      s.writeName(import.module);
      s.writeName(import.name);
      s.writeByte(uint8_t(import.kind));
      switch (import.kind) {
      case ExternKind::Func: s.writeVarU32(import.funcTypeIndex); break;
      case ExternKind::Table: writeTableType(s, import.table); break;
      case ExternKind::Memory: writeLimits(s, import.memory.limits); break;
      case ExternKind::Global: writeGlobalType(s, import.global); break;
      }
    }
    writeSection(module, kImportSection, s);
  }
  if (!functions.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(functions.size()));
    for (const EncoderFunction &function : functions)
      s.writeVarU32(function.typeIndex);
    writeSection(module, kFunctionSection, s);
  }
  if (!tables.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(tables.size()));
    for (const TableType &table : tables)
      writeTableType(s, table);
    writeSection(module, kTableSection, s);
  }
  if (!memories.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(memories.size()));
    for (const MemoryType &memory : memories)
      writeLimits(s, memory.limits);
    writeSection(module, kMemorySection, s);
  }
  if (!globals.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(globals.size()));
    for (const EncoderGlobal &global : globals) {
      writeGlobalType(s, global.type);
      s.writeBytes(global.init);
    }
    writeSection(module, kGlobalSection, s);
  }
  if (!exports.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(exports.size()));
    for (const Export &e : exports) {
      s.writeName(e.name);
      s.writeByte(uint8_t(e.kind));
      s.writeVarU32(e.index);
    }
    writeSection(module, kExportSection, s);
  }
  if (start) {
    ByteWriter s;
    s.writeVarU32(*start);
    writeSection(module, kStartSection, s);
  }
  if (!elements.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(elements.size()));
    for (const EncoderElement &element : elements)
      writeElement(s, element);
    writeSection(module, kElementSection, s);
  }
  if (needsDataCount) {
    ByteWriter s;
    s.writeVarU32(uint32_t(data.size()));
    writeSection(module, kDataCountSection, s);
  }
  if (!functions.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(functions.size()));
    for (const EncoderFunction &function : functions)
      writeFunctionBody(s, function);
    writeSection(module, kCodeSection, s);
  }
  if (!data.empty()) {
    ByteWriter s;
    s.writeVarU32(uint32_t(data.size()));
    for (const EncoderData &segment : data)
      writeData(s, segment);
    writeSection(module, kDataSection, s);
  }
  if (!names.empty())
    writeNameSection(module, names);
  return module.take();
}

} // namespace wasmrt::internal
