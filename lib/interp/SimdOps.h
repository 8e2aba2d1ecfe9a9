// The interpreter's SIMD arithmetic: every 0xFD instruction that does not touch
// memory, on values in the ABI's 16-byte slots (abi::ValueSlot).
//
// Slot format (shared with the interpreter's frames and the JIT's OSR buffers):
// little-endian, i32/f32 in bytes 0-3, i64/f64 in bytes 0-7, v128 in bytes 0-15;
// bytes above a scalar's width are unspecified and never read.
//
// Semantics are the spec's (Wasm 2.0 fixed-width SIMD), including the NaN rules:
// arithmetic results that are NaN may be any NaN the spec allows for the
// instruction (canonical or arithmetic), so the host's SSE/NEON-free scalar C++
// code is correct as long as it follows the per-lane definitions.
#pragma once

#include "abi/RuntimeAbi.h"
#include "binary/Opcode.h"

#include <cstdint>

namespace wasmrt::internal::interp {

// Whether `op` is one of the instructions executeSimd handles: a 0xFD-prefixed
// instruction other than the memory ones (v128.load*, v128.store, the lane
// loads and stores, load-splat, load-zero and load-extend).
bool isSimdArithmetic(Opcode op);

// Executes one such instruction. `operands` holds its inputs in the order they
// were pushed (operands[0] is the deepest), as many as its Opcodes.def signature
// names; `imm` points to its immediate bytes: the lane index (ImmKind::Lane),
// the 16 lane indices (ImmKind::Shuffle) or the 16 bytes (ImmKind::V128Const),
// and is unused otherwise. The single result is written to *result, which may
// alias operands[0]. No instruction handled here traps.
void executeSimd(Opcode op, const uint8_t *imm, const abi::ValueSlot *operands,
                 abi::ValueSlot *result);

} // namespace wasmrt::internal::interp
