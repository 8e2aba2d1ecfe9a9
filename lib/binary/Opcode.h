// Opcode enumeration and per-opcode metadata, all generated from Opcodes.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wasmrt::internal {

enum class Opcode : uint16_t {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes) Name,
#include "binary/Opcodes.def"
};

inline constexpr unsigned kNumOpcodes = 0
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes) +1
#include "binary/Opcodes.def"
    ;

// What follows an opcode in the binary format.
enum class ImmKind : uint8_t {
  None,
  BlockType,    // s33 block type
  LabelIdx,     // br, br_if
  BrTable,      // vec(labelidx) labelidx
  FuncIdx,      // call, ref.func
  CallIndirect, // typeidx tableidx
  SelectTypes,  // vec(valtype)
  LocalIdx,
  GlobalIdx,
  TableIdx,     // table.get/set/grow/size/fill
  MemArg,       // align offset
  MemIdx,       // memory.size/grow/fill: one memory index (a 0x00 byte in 2.0)
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  RefType,      // ref.null heap type
  MemoryInit,   // dataidx memidx
  DataIdx,      // data.drop
  MemoryCopy,   // memidx memidx
  TableInit,    // elemidx tableidx
  ElemIdx,      // elem.drop
  TableCopy,    // tableidx tableidx
  V128Const,    // 16 bytes
  Shuffle,      // 16 lane bytes
  Lane,         // one lane byte
  MemArgLane,   // memarg then a lane byte
};

struct OpcodeInfo {
  uint8_t prefix;         // 0, 0xFC or 0xFD
  uint32_t code;          // byte, or u32 after the prefix
  std::string_view text;  // text-format mnemonic
  ImmKind imm;
  // "params:results" over i I f F V, or "*" when the validator types the
  // instruction itself.
  std::string_view signature;
  uint8_t naturalAlignLog2; // memory access width, for alignment checks
  uint8_t laneCount;        // bound for lane immediates
};

const OpcodeInfo &opcodeInfo(Opcode op);
inline std::string_view opcodeName(Opcode op) { return opcodeInfo(op).text; }

// Decoding lookup: nullopt if (prefix, code) is not an instruction.
std::optional<Opcode> lookupOpcode(uint8_t prefix, uint32_t code);
// Text lookup; "select" maps to Select (the typed form shares the mnemonic).
std::optional<Opcode> lookupOpcodeByName(std::string_view text);

// Fuel metering (CompileOptions::consumeFuel): the instructions that end a
// straight-line run; the run's instruction count, this one included, is
// charged before it. Every tier charges at exactly these points, so fuel runs
// out at the same instruction whatever runs the code.
constexpr bool endsFuelRun(Opcode op) {
  switch (op) {
  case Opcode::Block:
  case Opcode::Loop:
  case Opcode::If:
  case Opcode::Else:
  case Opcode::End:
  case Opcode::Br:
  case Opcode::BrIf:
  case Opcode::BrTable:
  case Opcode::Return:
  case Opcode::Call:
  case Opcode::CallIndirect:
  case Opcode::Unreachable: return true;
  default: return false;
  }
}

} // namespace wasmrt::internal
