#include "interp/SimdOps.h"

#include <array>
#include <cstdlib>
#include <cstring>

namespace wasmrt::internal::interp {

namespace {

using abi::ValueSlot;

// Derived from the opcode table so that a new 0xFD instruction cannot be
// forgotten here: everything under the prefix except the memory accesses.
constexpr std::array<bool, kNumOpcodes> kSimdArithmetic = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)          \
  (Prefix) == 0xFD && ImmKind::Imm != ImmKind::MemArg && ImmKind::Imm != ImmKind::MemArgLane,
#include "binary/Opcodes.def"
};

} // namespace

bool isSimdArithmetic(Opcode op) {
  unsigned index = unsigned(op);
  return index < kNumOpcodes && kSimdArithmetic[index];
}

void executeSimd(Opcode op, const uint8_t *imm, const ValueSlot *operands, ValueSlot *result) {
  ValueSlot out;
  switch (op) {
  case Opcode::V128Const:
    std::memcpy(out.bytes, imm, 16);
    break;
  case Opcode::V128Not:
    for (unsigned i = 0; i < 16; ++i)
      out.bytes[i] = uint8_t(~operands[0].bytes[i]);
    break;
  case Opcode::V128And:
    for (unsigned i = 0; i < 16; ++i)
      out.bytes[i] = operands[0].bytes[i] & operands[1].bytes[i];
    break;
  default:
    std::abort();
  }
  *result = out;
}

} // namespace wasmrt::internal::interp
