// SIMD operations that change the lane width or kind: saturating narrowing,
// extension (extend, extmul, extadd_pairwise, dot) and the int <-> float and
// float <-> float conversions. Wider intermediate lanes keep every step
// exact; the result is assembled with shuffles.
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/Intrinsics.h>

namespace wasmrt::internal::compiler {

namespace {

// Whether an opcode named "<shape>.<op>_..._<s|u>[_zero]" is the signed one.
bool isSigned(Opcode op) {
  std::string_view name = opcodeName(op);
  return name.ends_with("_s") || name.ends_with("_s_zero");
}

} // namespace

llvm::Value *FunctionTranslator::emitSimdConvert(Opcode op, std::span<llvm::Value *const> args) {
  using O = Opcode;
  llvm::FixedVectorType *i32x4 = vectorType(m_.i32Ty, 4);
  llvm::FixedVectorType *f32x4 = vectorType(m_.f32Ty, 4);
  llvm::FixedVectorType *f64x2 = vectorType(m_.f64Ty, 2);
  // Appends zero lanes to a two-lane result: [x0, x1, 0, 0].
  auto zeroExtendLanes = [&](llvm::Value *pair) {
    return b_.CreateShuffleVector(pair, llvm::Constant::getNullValue(pair->getType()),
                                  llvm::ArrayRef<int>{0, 1, 2, 3});
  };
  switch (op) {
  case O::I8x16NarrowI16x8S: case O::I8x16NarrowI16x8U:
  case O::I16x8NarrowI32x4S: case O::I16x8NarrowI32x4U:
    return emitSimdNarrow(op, args[0], args[1]);
  case O::F32x4ConvertI32x4S: return asV128(b_.CreateSIToFP(asLanes(args[0], i32x4), f32x4));
  case O::F32x4ConvertI32x4U: return asV128(b_.CreateUIToFP(asLanes(args[0], i32x4), f32x4));
  case O::F64x2ConvertLowI32x4S:
    return asV128(b_.CreateSIToFP(halves(asLanes(args[0], i32x4), false), f64x2));
  case O::F64x2ConvertLowI32x4U:
    return asV128(b_.CreateUIToFP(halves(asLanes(args[0], i32x4), false), f64x2));
  // llvm.fpto[su]i.sat is exactly trunc_sat (NaN -> 0, clamping), per lane.
  case O::I32x4TruncSatF32x4S:
  case O::I32x4TruncSatF32x4U: {
    auto id = isSigned(op) ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
    return asV128(b_.CreateIntrinsic(id, {i32x4, f32x4}, {asLanes(args[0], f32x4)}));
  }
  case O::I32x4TruncSatF64x2SZero:
  case O::I32x4TruncSatF64x2UZero: {
    auto id = isSigned(op) ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
    llvm::Value *pair =
        b_.CreateIntrinsic(id, {vectorType(m_.i32Ty, 2), f64x2}, {asLanes(args[0], f64x2)});
    return asV128(zeroExtendLanes(pair));
  }
  case O::F32x4DemoteF64x2Zero: {
    // The fence keeps demote(promote(x)) from folding to x, which would let a
    // signalling NaN through unquieted (as for scalar f32.demote_f64).
    llvm::Value *wide = asLanes(args[0], f64x2);
    wide = b_.CreateArithmeticFence(wide, f64x2);
    return asV128(zeroExtendLanes(b_.CreateFPTrunc(wide, vectorType(m_.f32Ty, 2))));
  }
  case O::F64x2PromoteLowF32x4:
    return asV128(b_.CreateFPExt(halves(asLanes(args[0], f32x4), false), f64x2));
  default: return emitSimdWiden(op, args);
  }
}

// Saturating narrowing: the lanes of a then b, clamped to the (signed or
// unsigned) range of the half-width lane, then truncated. The inputs are
// signed in both variants.
llvm::Value *FunctionTranslator::emitSimdNarrow(Opcode op, llvm::Value *a, llvm::Value *b) {
  llvm::FixedVectorType *result = simdType(op);
  auto *source = llvm::VectorType::getExtendedElementVectorType(
      vectorType(result->getElementType(), result->getNumElements() / 2));
  llvm::SmallVector<int, 16> concat;
  for (unsigned i = 0; i < result->getNumElements(); ++i)
    concat.push_back(int(i));
  llvm::Value *lanes = b_.CreateShuffleVector(asLanes(a, source), asLanes(b, source), concat);
  auto *wide = llvm::cast<llvm::FixedVectorType>(lanes->getType());
  unsigned bits = result->getScalarSizeInBits();
  llvm::APInt low = isSigned(op) ? llvm::APInt::getSignedMinValue(bits).sext(2 * bits)
                                 : llvm::APInt::getZero(2 * bits);
  llvm::APInt high = isSigned(op) ? llvm::APInt::getSignedMaxValue(bits).sext(2 * bits)
                                  : llvm::APInt::getMaxValue(bits).zext(2 * bits);
  lanes = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, lanes, llvm::ConstantInt::get(wide, low));
  lanes =
      b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, lanes, llvm::ConstantInt::get(wide, high));
  return asV128(b_.CreateTrunc(lanes, result));
}

// extend_{low,high}, extmul_{low,high}, extadd_pairwise and dot: the result
// shape is the mnemonic's; the source lanes are half as wide.
llvm::Value *FunctionTranslator::emitSimdWiden(Opcode op, std::span<llvm::Value *const> args) {
  using O = Opcode;
  llvm::FixedVectorType *result = simdType(op);
  unsigned bits = result->getScalarSizeInBits();
  llvm::FixedVectorType *source =
      vectorType(b_.getIntNTy(bits / 2), result->getNumElements() * 2);
  bool isSignedOp = isSigned(op);
  auto extend = [&](llvm::Value *half) {
    return isSignedOp ? b_.CreateSExt(half, result) : b_.CreateZExt(half, result);
  };
  auto arg = [&](size_t i) { return asLanes(args[i], source); };
  switch (op) {
  case O::I16x8ExtendLowI8x16S: case O::I16x8ExtendLowI8x16U:
  case O::I32x4ExtendLowI16x8S: case O::I32x4ExtendLowI16x8U:
  case O::I64x2ExtendLowI32x4S: case O::I64x2ExtendLowI32x4U:
    return asV128(extend(halves(arg(0), false)));
  case O::I16x8ExtendHighI8x16S: case O::I16x8ExtendHighI8x16U:
  case O::I32x4ExtendHighI16x8S: case O::I32x4ExtendHighI16x8U:
  case O::I64x2ExtendHighI32x4S: case O::I64x2ExtendHighI32x4U:
    return asV128(extend(halves(arg(0), true)));
  case O::I16x8ExtmulLowI8x16S: case O::I16x8ExtmulLowI8x16U:
  case O::I32x4ExtmulLowI16x8S: case O::I32x4ExtmulLowI16x8U:
  case O::I64x2ExtmulLowI32x4S: case O::I64x2ExtmulLowI32x4U:
    return asV128(b_.CreateMul(extend(halves(arg(0), false)), extend(halves(arg(1), false))));
  case O::I16x8ExtmulHighI8x16S: case O::I16x8ExtmulHighI8x16U:
  case O::I32x4ExtmulHighI16x8S: case O::I32x4ExtmulHighI16x8U:
  case O::I64x2ExtmulHighI32x4S: case O::I64x2ExtmulHighI32x4U:
    return asV128(b_.CreateMul(extend(halves(arg(0), true)), extend(halves(arg(1), true))));
  case O::I16x8ExtaddPairwiseI8x16S: case O::I16x8ExtaddPairwiseI8x16U:
  case O::I32x4ExtaddPairwiseI16x8S: case O::I32x4ExtaddPairwiseI16x8U:
    return asV128(b_.CreateAdd(extend(evenOdd(arg(0), false)), extend(evenOdd(arg(0), true))));
  case O::I32x4DotI16x8S: {
    // Wraps for the one overflowing case (all four inputs -32768), as specified.
    llvm::Value *products = b_.CreateMul(b_.CreateSExt(arg(0), vectorType(m_.i32Ty, 8)),
                                         b_.CreateSExt(arg(1), vectorType(m_.i32Ty, 8)));
    return asV128(b_.CreateAdd(evenOdd(products, false), evenOdd(products, true)));
  }
  default: return nullptr;
  }
}

} // namespace wasmrt::internal::compiler
