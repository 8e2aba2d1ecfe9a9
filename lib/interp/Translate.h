// The interpreter's internal code: what a function's validated bytecode is
// translated into before it first runs (Translate.cpp), and what the dispatch
// loop (Execute.cpp) runs.
//
// Code is an array of 32-bit words. An instruction is one word holding its
// operation in the low 16 bits (an Opcode, or one of the internal operations
// below, numbered after the last Opcode) and a small operand in the high 16
// bits (unused by most), followed by its immediates, decoded: indices, memory
// offsets, constants (64-bit ones as two words, low first), branch targets as
// code offsets in words. Structured control flow is gone: every branch knows
// its target, how many values it carries and how many slots to drop below
// them, all fixed by validation.
#pragma once

#include "binary/Module.h"
#include "binary/Opcode.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace wasmrt::internal::interp {

// Operations that have no Opcode of their own.
enum class InternalOp : uint16_t {
  Jump = kNumOpcodes, // target
  BrMove,             // target, arity, drop: keep `arity` values, drop `drop` slots below
  BrIfJump,           // target: pops i32, jumps if non-zero (nothing to move)
  BrUnless,           // target: pops i32, jumps if zero (if, and br_if that moves values)
  BrTableX,           // count, then count+1 entries of (target, arity, drop)
  ReturnX,            // copies the results to the frame's first slots and returns
  Fuel,               // n: charges n units (a straight-line run, JIT-exact)
  LoopHead,           // loop index: epoch check and hotness count at a loop header
  // Calls end with (typeIndex, params, results) of the callee's type.
  CallDefined,        // funcIndex, type...: a function the module defines
  CallImport,         // funcIndex, type...: through the import's FuncRef
  CallIndirectX,      // tableIndex, type...
  SimdArith,          // high half: operands | immediate words << 8; word 1: the Opcode
  // Variables of 32-bit and 128-bit types (the Opcode ones are 64-bit): an
  // access as wide as the value, so that reading a slot right after a
  // narrower write of it is forwarded from the store instead of stalling.
  LocalGet32,
  LocalSet32,
  LocalTee32,
  LocalGet128,
  LocalSet128,
  LocalTee128,
  GlobalGet32,
  GlobalSet32,
  GlobalGet128,
  GlobalSet128,
  // Fused forms of the i32 binary operators (Opcodes i32.eqz .. i32.rotr;
  // only the binary ones are used) whose right operand the translator folds:
  // an i32.const (the constant in word 1) or a 32-bit local.get (its index),
  // saving the dispatch of that instruction.
  I32ConstRhs,
  I32LocalRhs = I32ConstRhs + (uint16_t(Opcode::I32Rotr) - uint16_t(Opcode::I32Eqz) + 1),
  // An i32 comparison (i32.eq .. i32.ge_u) fused with the conditional branch
  // that consumes it (br_if, or the branch to an if's else), in its three
  // forms (plain, constant or local right operand): [operand,] target.
  // Indexed like I32ConstRhs; `Unless` ones branch when the comparison is false.
  I32CompareBrIf = I32LocalRhs + (uint16_t(Opcode::I32Rotr) - uint16_t(Opcode::I32Eqz) + 1),
  I32CompareBrUnless =
      I32CompareBrIf + 3 * (uint16_t(Opcode::I32Rotr) - uint16_t(Opcode::I32Eqz) + 1),
  Count = I32CompareBrUnless + 3 * (uint16_t(Opcode::I32Rotr) - uint16_t(Opcode::I32Eqz) + 1)
};

// The form of a fused comparison's right operand.
enum class Rhs : uint16_t { Stack, Const, Local };
inline constexpr uint16_t i32CompareBranch(Opcode compare, Rhs rhs, bool ifTrue) {
  constexpr uint16_t range = uint16_t(Opcode::I32Rotr) - uint16_t(Opcode::I32Eqz) + 1;
  return uint16_t(uint16_t(ifTrue ? InternalOp::I32CompareBrIf : InternalOp::I32CompareBrUnless) +
                  uint16_t(rhs) * range + uint16_t(compare) - uint16_t(Opcode::I32Eqz));
}

// The fused form of i32 binary operator `wasm` (see I32ConstRhs).
inline constexpr uint16_t i32ConstRhs(Opcode wasm) {
  return uint16_t(uint16_t(InternalOp::I32ConstRhs) + uint16_t(wasm) - uint16_t(Opcode::I32Eqz));
}
inline constexpr uint16_t i32LocalRhs(Opcode wasm) {
  return uint16_t(uint16_t(InternalOp::I32LocalRhs) + uint16_t(wasm) - uint16_t(Opcode::I32Eqz));
}

inline constexpr uint16_t op(InternalOp internal) { return uint16_t(internal); }
inline constexpr uint16_t op(Opcode wasm) { return uint16_t(wasm); }

// A translated function.
struct FunctionCode {
  std::vector<uint32_t> code;
  uint32_t funcIndex = 0;
  uint32_t typeIndex = 0;
  uint32_t numParams = 0;
  uint32_t numLocals = 0;  // parameters + declared locals
  uint32_t numResults = 0;
  uint32_t frameSlots = 0; // numLocals + the maximum operand stack
  uint32_t loops = 0;      // loops in reachable code (numbered like the compiler's)
  size_t bytecodeSize = 0;
};

struct TranslateOptions {
  bool consumeFuel = false;
  bool loopHeads = false; // LoopHead at every loop header (epoch or hotness)
};

// Translates defined function funcIndex of a validated module. Null if the
// bytecode cannot be decoded (it was validated, so only a bug would do that).
std::unique_ptr<FunctionCode> translateFunction(const Module &module, uint32_t funcIndex,
                                                const TranslateOptions &options);

} // namespace wasmrt::internal::interp
