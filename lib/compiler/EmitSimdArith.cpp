// SIMD lane-wise arithmetic that keeps the lane shape: comparisons, integer
// arithmetic (wrapping, saturating, min/max, rounding average, shifts with
// the count modulo the lane width, q15mulr) and float arithmetic with the
// scalar operators' exact NaN and signed-zero rules, applied per lane.
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsAArch64.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/TargetParser/Triple.h>

namespace wasmrt::internal::compiler {

llvm::Value *FunctionTranslator::emitSimdCompare(Opcode op, std::span<llvm::Value *const> args) {
  using P = llvm::CmpInst::Predicate;
  using O = Opcode;
  P predicate;
  switch (op) {
  case O::I8x16Eq: case O::I16x8Eq: case O::I32x4Eq: case O::I64x2Eq:
    predicate = P::ICMP_EQ; break;
  case O::I8x16Ne: case O::I16x8Ne: case O::I32x4Ne: case O::I64x2Ne:
    predicate = P::ICMP_NE; break;
  case O::I8x16LtS: case O::I16x8LtS: case O::I32x4LtS: case O::I64x2LtS:
    predicate = P::ICMP_SLT; break;
  case O::I8x16LtU: case O::I16x8LtU: case O::I32x4LtU: predicate = P::ICMP_ULT; break;
  case O::I8x16GtS: case O::I16x8GtS: case O::I32x4GtS: case O::I64x2GtS:
    predicate = P::ICMP_SGT; break;
  case O::I8x16GtU: case O::I16x8GtU: case O::I32x4GtU: predicate = P::ICMP_UGT; break;
  case O::I8x16LeS: case O::I16x8LeS: case O::I32x4LeS: case O::I64x2LeS:
    predicate = P::ICMP_SLE; break;
  case O::I8x16LeU: case O::I16x8LeU: case O::I32x4LeU: predicate = P::ICMP_ULE; break;
  case O::I8x16GeS: case O::I16x8GeS: case O::I32x4GeS: case O::I64x2GeS:
    predicate = P::ICMP_SGE; break;
  case O::I8x16GeU: case O::I16x8GeU: case O::I32x4GeU: predicate = P::ICMP_UGE; break;
  // As for scalars: ordered comparisons are false for NaN, `ne` is unordered.
  case O::F32x4Eq: case O::F64x2Eq: predicate = P::FCMP_OEQ; break;
  case O::F32x4Ne: case O::F64x2Ne: predicate = P::FCMP_UNE; break;
  case O::F32x4Lt: case O::F64x2Lt: predicate = P::FCMP_OLT; break;
  case O::F32x4Gt: case O::F64x2Gt: predicate = P::FCMP_OGT; break;
  case O::F32x4Le: case O::F64x2Le: predicate = P::FCMP_OLE; break;
  case O::F32x4Ge: case O::F64x2Ge: predicate = P::FCMP_OGE; break;
  default: return nullptr;
  }
  llvm::FixedVectorType *type = simdType(op);
  llvm::Value *result =
      b_.CreateCmp(predicate, asLanes(args[0], type), asLanes(args[1], type));
  // true lanes are all ones
  return asV128(b_.CreateSExt(result, llvm::VectorType::getInteger(type)));
}

llvm::Value *FunctionTranslator::emitSimdIntArith(Opcode op, std::span<llvm::Value *const> args) {
  using O = Opcode;
  namespace I = llvm::Intrinsic;
  llvm::FixedVectorType *type = simdType(op);
  auto arg = [&](size_t i) { return asLanes(args[i], type); };
  auto binary = [&](I::ID id) { return asV128(b_.CreateBinaryIntrinsic(id, arg(0), arg(1))); };
  auto shift = [&](llvm::Instruction::BinaryOps opcode) {
    unsigned bits = type->getScalarSizeInBits();
    llvm::Value *count = b_.CreateAnd(args[1], b_.getInt32(bits - 1));
    count = b_.CreateZExtOrTrunc(count, type->getElementType());
    return asV128(
        b_.CreateBinOp(opcode, arg(0), b_.CreateVectorSplat(type->getNumElements(), count)));
  };
  switch (op) {
  case O::I8x16Add: case O::I16x8Add: case O::I32x4Add: case O::I64x2Add:
    return asV128(b_.CreateAdd(arg(0), arg(1)));
  case O::I8x16Sub: case O::I16x8Sub: case O::I32x4Sub: case O::I64x2Sub:
    return asV128(b_.CreateSub(arg(0), arg(1)));
  case O::I16x8Mul: case O::I32x4Mul: case O::I64x2Mul:
    return asV128(b_.CreateMul(arg(0), arg(1)));
  case O::I8x16AddSatS: case O::I16x8AddSatS: return binary(I::sadd_sat);
  case O::I8x16AddSatU: case O::I16x8AddSatU: return binary(I::uadd_sat);
  case O::I8x16SubSatS: case O::I16x8SubSatS: return binary(I::ssub_sat);
  case O::I8x16SubSatU: case O::I16x8SubSatU: return binary(I::usub_sat);
  case O::I8x16MinS: case O::I16x8MinS: case O::I32x4MinS: return binary(I::smin);
  case O::I8x16MinU: case O::I16x8MinU: case O::I32x4MinU: return binary(I::umin);
  case O::I8x16MaxS: case O::I16x8MaxS: case O::I32x4MaxS: return binary(I::smax);
  case O::I8x16MaxU: case O::I16x8MaxU: case O::I32x4MaxU: return binary(I::umax);
  case O::I8x16AvgrU:
  case O::I16x8AvgrU: {
    // (a + b + 1) / 2 without overflow: in lanes of twice the width.
    auto *wide = llvm::VectorType::getExtendedElementVectorType(type);
    llvm::Value *sum = b_.CreateAdd(b_.CreateZExt(arg(0), wide), b_.CreateZExt(arg(1), wide));
    sum = b_.CreateAdd(sum, llvm::ConstantInt::get(wide, 1));
    return asV128(b_.CreateTrunc(b_.CreateLShr(sum, 1), type));
  }
  case O::I16x8Q15mulrSatS: return asV128(emitQ15MulrSat(arg(0), arg(1)));
  case O::I8x16Abs: case O::I16x8Abs: case O::I32x4Abs: case O::I64x2Abs:
    // INT_MIN stays INT_MIN (not poison).
    return asV128(b_.CreateBinaryIntrinsic(I::abs, arg(0), b_.getFalse()));
  case O::I8x16Neg: case O::I16x8Neg: case O::I32x4Neg: case O::I64x2Neg:
    return asV128(b_.CreateNeg(arg(0)));
  case O::I8x16Popcnt: return b_.CreateUnaryIntrinsic(I::ctpop, args[0]);
  case O::I8x16Shl: case O::I16x8Shl: case O::I32x4Shl: case O::I64x2Shl:
    return shift(llvm::Instruction::Shl);
  case O::I8x16ShrS: case O::I16x8ShrS: case O::I32x4ShrS: case O::I64x2ShrS:
    return shift(llvm::Instruction::AShr);
  case O::I8x16ShrU: case O::I16x8ShrU: case O::I32x4ShrU: case O::I64x2ShrU:
    return shift(llvm::Instruction::LShr);
  default: return nullptr;
  }
}

// q15mulr_sat_s = sat((a * b + 2^14) >> 15). NEON sqrdmulh computes exactly
// that; SSSE3 pmulhrsw rounds the same way but gives 0x8000 for the one
// overflowing case (-32768 * -32768), which the xor turns into 0x7FFF.
// Elsewhere: i32 lanes, where only that case exceeds the i16 range.
llvm::Value *FunctionTranslator::emitQ15MulrSat(llvm::Value *a, llvm::Value *b) {
  namespace I = llvm::Intrinsic;
  auto *type = llvm::cast<llvm::FixedVectorType>(a->getType());
  llvm::Triple triple(m_.out().getTargetTriple());
  if (triple.getArch() == llvm::Triple::aarch64)
    return b_.CreateIntrinsic(I::aarch64_neon_sqrdmulh, {type}, {a, b});
  if (triple.getArch() == llvm::Triple::x86_64) {
    llvm::Value *rounded = b_.CreateIntrinsic(I::x86_ssse3_pmul_hr_sw_128, {}, {a, b});
    llvm::Value *overflow = b_.CreateICmpEQ(rounded, llvm::ConstantInt::get(type, 0x8000));
    return b_.CreateXor(rounded, b_.CreateSExt(overflow, type));
  }
  auto *wide = llvm::VectorType::getExtendedElementVectorType(type);
  llvm::Value *product = b_.CreateMul(b_.CreateSExt(a, wide), b_.CreateSExt(b, wide));
  product = b_.CreateAShr(b_.CreateAdd(product, llvm::ConstantInt::get(wide, 0x4000)), 15);
  product = b_.CreateBinaryIntrinsic(I::smin, product, llvm::ConstantInt::get(wide, 0x7FFF));
  return b_.CreateTrunc(product, type);
}

llvm::Value *FunctionTranslator::emitSimdFloatArith(Opcode op,
                                                    std::span<llvm::Value *const> args) {
  using O = Opcode;
  namespace I = llvm::Intrinsic;
  llvm::FixedVectorType *type = simdType(op);
  // Constant operands are fenced like scalar ones (x * 1 must still quiet a
  // signalling NaN); see fenceIdentity.
  auto arg = [&](size_t i) { return fenceIdentity(asLanes(args[i], type)); };
  auto unary = [&](I::ID id) { return asV128(b_.CreateUnaryIntrinsic(id, arg(0))); };
  switch (op) {
  case O::F32x4Add: case O::F64x2Add: return asV128(b_.CreateFAdd(arg(0), arg(1)));
  case O::F32x4Sub: case O::F64x2Sub: return asV128(b_.CreateFSub(arg(0), arg(1)));
  case O::F32x4Mul: case O::F64x2Mul: return asV128(b_.CreateFMul(arg(0), arg(1)));
  case O::F32x4Div: case O::F64x2Div: return asV128(b_.CreateFDiv(arg(0), arg(1)));
  case O::F32x4Min: case O::F64x2Min: return asV128(emitMinMax(true, arg(0), arg(1)));
  case O::F32x4Max: case O::F64x2Max: return asV128(emitMinMax(false, arg(0), arg(1)));
  // pmin = b < a ? b : a, pmax = a < b ? b : a: exactly one operand, bits
  // unchanged (no NaN quieting), as the spec defines them.
  case O::F32x4Pmin: case O::F64x2Pmin: {
    llvm::Value *a = asLanes(args[0], type), *b = asLanes(args[1], type);
    return asV128(b_.CreateSelect(b_.CreateFCmpOLT(b, a), b, a));
  }
  case O::F32x4Pmax: case O::F64x2Pmax: {
    llvm::Value *a = asLanes(args[0], type), *b = asLanes(args[1], type);
    return asV128(b_.CreateSelect(b_.CreateFCmpOLT(a, b), b, a));
  }
  case O::F32x4Abs: case O::F64x2Abs:
  case O::F32x4Neg: case O::F64x2Neg:
    return asV128(emitSignBits(op == O::F32x4Abs || op == O::F64x2Abs ? O::F32Abs : O::F32Neg,
                               asLanes(args[0], type), nullptr));
  case O::F32x4Sqrt: case O::F64x2Sqrt: return unary(I::sqrt);
  case O::F32x4Ceil: case O::F64x2Ceil: return unary(I::ceil);
  case O::F32x4Floor: case O::F64x2Floor: return unary(I::floor);
  case O::F32x4Trunc: case O::F64x2Trunc: return unary(I::trunc);
  case O::F32x4Nearest: case O::F64x2Nearest: return unary(I::roundeven);
  default: return nullptr;
  }
}

} // namespace wasmrt::internal::compiler
