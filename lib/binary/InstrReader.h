// Decodes one instruction at a time from a code body or constant expression.
// Shared by the validator, the compiler and the printer so that immediate
// decoding exists exactly once. It checks encodings only (malformed input),
// never types or index ranges (that is validation).
#pragma once

#include "binary/Opcode.h"
#include "binary/Types.h"
#include "support/ByteReader.h"

#include <cstdint>
#include <span>
#include <vector>

namespace wasmrt::internal {

struct MemArg {
  uint32_t alignLog2 = 0;
  uint32_t memoryIndex = 0; // always 0 in 2.0
  uint64_t offset = 0;
};

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType valueType = ValType::I32; // Kind::Value
  uint32_t typeIndex = 0;           // Kind::TypeIndex
};

// One decoded instruction. Which immediate fields are meaningful depends on
// opcodeInfo(op).imm.
struct Instr {
  Opcode op = Opcode::Nop;
  size_t offset = 0; // module offset of the opcode's first byte
  uint32_t index = 0;  // func/local/global/table/type/label/data/elem/lane index
  uint32_t index2 = 0; // second index, in encoding order: table of
                       // call_indirect and table.init, memory of memory.init,
                       // source of *.copy (`index` is the destination)
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32Bits;
    uint64_t f64Bits;
  } value{};
  MemArg memArg;
  BlockType blockType;
  ValType refType = ValType::FuncRef; // ref.null, typed select (first type)
  uint32_t selectTypeCount = 0;       // typed select: length of the type vector
  uint8_t lane = 0;                   // Lane, MemArgLane
  V128 v128;                          // V128Const, Shuffle (lane bytes)
};

class InstrReader {
public:
  // `code` starts at the first instruction; `baseOffset` is its module offset.
  InstrReader(std::span<const uint8_t> code, size_t baseOffset)
      : reader_(code, baseOffset) {}

  bool atEnd() const { return reader_.atEnd(); }
  size_t offset() const { return reader_.offset(); }
  // Decodes the next instruction into `out`; false on malformed input, with
  // the error in reader().
  bool next(Instr &out);
  // br_table targets of the last instruction read (default target last);
  // valid until the next call to next().
  std::span<const uint32_t> brTableTargets() const { return brTargets_; }
  const ByteReader &reader() const { return reader_; }
  ByteReader &reader() { return reader_; }

private:
  bool readImmediates(Instr &out);

  ByteReader reader_;
  std::vector<uint32_t> brTargets_;
};

} // namespace wasmrt::internal
