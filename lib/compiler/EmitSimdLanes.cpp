// SIMD dispatch and the lane-structural instructions: v128.const, shuffle,
// swizzle, splat, extract/replace_lane, the bitwise operations and the
// boolean reductions (any_true, all_true, bitmask).
//
// A v128 is <16 x i8> on the operand stack, in locals, globals, phis and
// calls; each instruction bitcasts it to the lane shape its mnemonic names
// (bitcasts generate no code) and its result back.
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsAArch64.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/TargetParser/Triple.h>

namespace wasmrt::internal::compiler {

llvm::FixedVectorType *FunctionTranslator::simdType(Opcode op) {
  std::string_view name = opcodeName(op);
  if (name.starts_with("i16x8."))
    return vectorType(b_.getInt16Ty(), 8);
  if (name.starts_with("i32x4."))
    return vectorType(m_.i32Ty, 4);
  if (name.starts_with("i64x2."))
    return vectorType(m_.i64Ty, 2);
  if (name.starts_with("f32x4."))
    return vectorType(m_.f32Ty, 4);
  if (name.starts_with("f64x2."))
    return vectorType(m_.f64Ty, 2);
  return llvm::cast<llvm::FixedVectorType>(m_.v128Ty); // i8x16. and v128.
}

llvm::Value *FunctionTranslator::halves(llvm::Value *vector, bool high) {
  unsigned count = llvm::cast<llvm::FixedVectorType>(vector->getType())->getNumElements() / 2;
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < count; ++i)
    mask.push_back(int(high ? count + i : i));
  return b_.CreateShuffleVector(vector, mask);
}

llvm::Value *FunctionTranslator::evenOdd(llvm::Value *vector, bool odd) {
  unsigned count = llvm::cast<llvm::FixedVectorType>(vector->getType())->getNumElements() / 2;
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < count; ++i)
    mask.push_back(int(2 * i + (odd ? 1 : 0)));
  return b_.CreateShuffleVector(vector, mask);
}

bool FunctionTranslator::emitSimd(const Instr &in) {
  const OpcodeInfo &info = opcodeInfo(in.op);
  switch (info.imm) {
  case ImmKind::MemArg:
  case ImmKind::MemArgLane: emitSimdMemory(in); return true;
  case ImmKind::V128Const:
  case ImmKind::Shuffle:
  case ImmKind::Lane: emitSimdLaneInstr(in); return true;
  default: break;
  }
  size_t colon = info.signature.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 3)
    return fail(ErrorKind::Internal, in, "instruction has no emitter");
  std::span<llvm::Value *const> args = top(colon);
  llvm::Value *result = emitSimdBitwise(in.op, args);
  if (!result)
    result = emitSimdCompare(in.op, args);
  if (!result)
    result = emitSimdIntArith(in.op, args);
  if (!result)
    result = emitSimdFloatArith(in.op, args);
  if (!result)
    result = emitSimdConvert(in.op, args);
  if (!result)
    return fail(ErrorKind::Internal, in, "instruction has no emitter");
  stack_.resize(stack_.size() - colon);
  push(result);
  return true;
}

void FunctionTranslator::emitSimdLaneInstr(const Instr &in) {
  switch (in.op) {
  case Opcode::V128Const:
    push(llvm::ConstantDataVector::get(context_, llvm::ArrayRef<uint8_t>(in.v128.bytes)));
    return;
  case Opcode::I8x16Shuffle: {
    llvm::Value *b = pop();
    llvm::Value *a = pop();
    llvm::SmallVector<int, 16> mask(std::begin(in.v128.bytes), std::end(in.v128.bytes));
    push(b_.CreateShuffleVector(a, b, mask));
    return;
  }
  default: break;
  }
  llvm::FixedVectorType *type = simdType(in.op);
  llvm::Type *laneType = type->getElementType();
  std::string_view name = opcodeName(in.op);
  if (name.find("replace_lane") != std::string_view::npos) {
    llvm::Value *scalar = pop();
    llvm::Value *vector = asLanes(pop(), type);
    if (scalar->getType() != laneType)
      scalar = b_.CreateTrunc(scalar, laneType);
    push(asV128(b_.CreateInsertElement(vector, scalar, uint64_t(in.lane))));
    return;
  }
  llvm::Value *lane = b_.CreateExtractElement(asLanes(pop(), type), uint64_t(in.lane));
  if (laneType->isIntegerTy() && laneType->getIntegerBitWidth() < 32)
    lane = name.ends_with("_s") ? b_.CreateSExt(lane, m_.i32Ty) : b_.CreateZExt(lane, m_.i32Ty);
  push(lane);
}

llvm::Value *FunctionTranslator::emitSimdSplat(Opcode op, llvm::Value *scalar) {
  llvm::FixedVectorType *type = simdType(op);
  if (scalar->getType() != type->getElementType())
    scalar = b_.CreateTrunc(scalar, type->getElementType());
  return asV128(b_.CreateVectorSplat(type->getNumElements(), scalar));
}

llvm::Value *FunctionTranslator::emitSimdBitwise(Opcode op, std::span<llvm::Value *const> args) {
  switch (op) {
  case Opcode::I8x16Splat:
  case Opcode::I16x8Splat:
  case Opcode::I32x4Splat:
  case Opcode::I64x2Splat:
  case Opcode::F32x4Splat:
  case Opcode::F64x2Splat: return emitSimdSplat(op, args[0]);
  case Opcode::I8x16Swizzle: return emitSwizzle(args[0], args[1]);
  case Opcode::V128Not: return b_.CreateNot(args[0]);
  case Opcode::V128And: return b_.CreateAnd(args[0], args[1]);
  case Opcode::V128AndNot: return b_.CreateAnd(args[0], b_.CreateNot(args[1]));
  case Opcode::V128Or: return b_.CreateOr(args[0], args[1]);
  case Opcode::V128Xor: return b_.CreateXor(args[0], args[1]);
  case Opcode::V128Bitselect:
    return b_.CreateOr(b_.CreateAnd(args[0], args[2]),
                       b_.CreateAnd(args[1], b_.CreateNot(args[2])));
  case Opcode::V128AnyTrue: {
    llvm::Value *bits = b_.CreateBitCast(args[0], b_.getIntNTy(128));
    return b_.CreateZExt(b_.CreateICmpNE(bits, b_.getIntN(128, 0)), m_.i32Ty);
  }
  case Opcode::I8x16AllTrue:
  case Opcode::I16x8AllTrue:
  case Opcode::I32x4AllTrue:
  case Opcode::I64x2AllTrue:
  case Opcode::I8x16Bitmask:
  case Opcode::I16x8Bitmask:
  case Opcode::I32x4Bitmask:
  case Opcode::I64x2Bitmask: return emitSimdMask(op, args[0]);
  default: return nullptr;
  }
}

llvm::Value *FunctionTranslator::emitSimdMask(Opcode op, llvm::Value *a) {
  llvm::FixedVectorType *type = simdType(op);
  llvm::Value *lanes = asLanes(a, type);
  llvm::Value *zero = llvm::Constant::getNullValue(type);
  if (opcodeName(op).ends_with("all_true")) {
    llvm::Value *nonZero = b_.CreateICmpNE(lanes, zero);
    return b_.CreateZExt(b_.CreateAndReduce(nonZero), m_.i32Ty);
  }
  // bitmask: the sign bit of lane i becomes bit i.
  llvm::Value *signs = b_.CreateICmpSLT(lanes, zero);
  llvm::Value *bits = b_.CreateBitCast(signs, b_.getIntNTy(type->getNumElements()));
  return b_.CreateZExt(bits, m_.i32Ty);
}

// result[i] = indices[i] < 16 ? a[indices[i]] : 0. LLVM has no generic
// variable shuffle, so use the table lookup each target has with exactly
// these semantics (NEON tbl: out-of-range indices give 0; SSSE3 pshufb: a
// set high bit gives 0, and a saturating add of 0x70 sets it for every index
// >= 16 while keeping the low four bits of the others) and a per-lane
// select elsewhere.
llvm::Value *FunctionTranslator::emitSwizzle(llvm::Value *a, llvm::Value *indices) {
  llvm::Triple triple(m_.out().getTargetTriple());
  if (triple.getArch() == llvm::Triple::aarch64)
    return b_.CreateIntrinsic(llvm::Intrinsic::aarch64_neon_tbl1, {m_.v128Ty}, {a, indices});
  if (triple.getArch() == llvm::Triple::x86_64) {
    llvm::Value *biased = b_.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_sat, indices,
                                                   llvm::ConstantInt::get(m_.v128Ty, 0x70));
    return b_.CreateIntrinsic(llvm::Intrinsic::x86_ssse3_pshuf_b_128, {}, {a, biased});
  }
  llvm::Value *result = llvm::Constant::getNullValue(m_.v128Ty);
  llvm::Value *sixteen = b_.getInt8(16);
  for (unsigned i = 0; i < 16; ++i) {
    llvm::Value *index = b_.CreateExtractElement(indices, uint64_t(i));
    llvm::Value *lane = b_.CreateExtractElement(a, b_.CreateAnd(index, b_.getInt8(15)));
    lane = b_.CreateSelect(b_.CreateICmpULT(index, sixteen), lane, b_.getInt8(0));
    result = b_.CreateInsertElement(result, lane, uint64_t(i));
  }
  return result;
}

} // namespace wasmrt::internal::compiler
