// Numeric operators: comparisons, integer and float arithmetic, with the exact
// Wasm semantics (trapping division, shift counts modulo the width, NaN-
// propagating min/max with -0 < +0, sign operations as bit operations so NaN
// payloads are untouched).
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/Intrinsics.h>

namespace wasmrt::internal::compiler {

using abi::TrapKind;

llvm::Value *FunctionTranslator::emitNumeric(Opcode op, std::span<llvm::Value *const> args) {
  if (args.size() == 1)
    return emitUnary(op, args[0]);
  if (args.size() != 2)
    return nullptr;
  if (llvm::Value *result = emitCompare(op, args[0], args[1]))
    return result;
  if (llvm::Value *result = emitIntArith(op, args[0], args[1]))
    return result;
  return emitFloatArith(op, args[0], args[1]);
}

llvm::Value *FunctionTranslator::emitCompare(Opcode op, llvm::Value *a, llvm::Value *b) {
  using P = llvm::CmpInst::Predicate;
  P predicate;
  switch (op) {
  case Opcode::I32Eq: case Opcode::I64Eq: predicate = P::ICMP_EQ; break;
  case Opcode::I32Ne: case Opcode::I64Ne: predicate = P::ICMP_NE; break;
  case Opcode::I32LtS: case Opcode::I64LtS: predicate = P::ICMP_SLT; break;
  case Opcode::I32LtU: case Opcode::I64LtU: predicate = P::ICMP_ULT; break;
  case Opcode::I32GtS: case Opcode::I64GtS: predicate = P::ICMP_SGT; break;
  case Opcode::I32GtU: case Opcode::I64GtU: predicate = P::ICMP_UGT; break;
  case Opcode::I32LeS: case Opcode::I64LeS: predicate = P::ICMP_SLE; break;
  case Opcode::I32LeU: case Opcode::I64LeU: predicate = P::ICMP_ULE; break;
  case Opcode::I32GeS: case Opcode::I64GeS: predicate = P::ICMP_SGE; break;
  case Opcode::I32GeU: case Opcode::I64GeU: predicate = P::ICMP_UGE; break;
  // Ordered comparisons are false for NaN; `ne` is unordered (true for NaN).
  case Opcode::F32Eq: case Opcode::F64Eq: predicate = P::FCMP_OEQ; break;
  case Opcode::F32Ne: case Opcode::F64Ne: predicate = P::FCMP_UNE; break;
  case Opcode::F32Lt: case Opcode::F64Lt: predicate = P::FCMP_OLT; break;
  case Opcode::F32Gt: case Opcode::F64Gt: predicate = P::FCMP_OGT; break;
  case Opcode::F32Le: case Opcode::F64Le: predicate = P::FCMP_OLE; break;
  case Opcode::F32Ge: case Opcode::F64Ge: predicate = P::FCMP_OGE; break;
  default: return nullptr;
  }
  return b_.CreateZExt(b_.CreateCmp(predicate, a, b), m_.i32Ty);
}

llvm::Value *FunctionTranslator::emitIntArith(Opcode op, llvm::Value *a, llvm::Value *b) {
  auto shiftCount = [&] {
    unsigned width = a->getType()->getIntegerBitWidth();
    return b_.CreateAnd(b, llvm::ConstantInt::get(a->getType(), width - 1));
  };
  switch (op) {
  case Opcode::I32Add: case Opcode::I64Add: return b_.CreateAdd(a, b);
  case Opcode::I32Sub: case Opcode::I64Sub: return b_.CreateSub(a, b);
  case Opcode::I32Mul: case Opcode::I64Mul: return b_.CreateMul(a, b);
  case Opcode::I32And: case Opcode::I64And: return b_.CreateAnd(a, b);
  case Opcode::I32Or: case Opcode::I64Or: return b_.CreateOr(a, b);
  case Opcode::I32Xor: case Opcode::I64Xor: return b_.CreateXor(a, b);
  case Opcode::I32Shl: case Opcode::I64Shl: return b_.CreateShl(a, shiftCount());
  case Opcode::I32ShrS: case Opcode::I64ShrS: return b_.CreateAShr(a, shiftCount());
  case Opcode::I32ShrU: case Opcode::I64ShrU: return b_.CreateLShr(a, shiftCount());
  // Funnel shifts of a value with itself are rotates; the count is modulo
  // the width by definition.
  case Opcode::I32Rotl: case Opcode::I64Rotl:
    return b_.CreateIntrinsic(llvm::Intrinsic::fshl, {a->getType()}, {a, a, b});
  case Opcode::I32Rotr: case Opcode::I64Rotr:
    return b_.CreateIntrinsic(llvm::Intrinsic::fshr, {a->getType()}, {a, a, b});
  case Opcode::I32DivS: case Opcode::I64DivS:
  case Opcode::I32DivU: case Opcode::I64DivU:
  case Opcode::I32RemS: case Opcode::I64RemS:
  case Opcode::I32RemU: case Opcode::I64RemU:
    return emitDivRem(op, a, b);
  default: return nullptr;
  }
}

llvm::Value *FunctionTranslator::emitDivRem(Opcode op, llvm::Value *a, llvm::Value *b) {
  llvm::Type *type = a->getType();
  trapIf(b_.CreateICmpEQ(b, llvm::ConstantInt::get(type, 0)), TrapKind::IntegerDivideByZero);
  llvm::Value *minusOne = llvm::ConstantInt::getSigned(type, -1);
  switch (op) {
  case Opcode::I32DivS:
  case Opcode::I64DivS: {
    llvm::Value *intMin = llvm::ConstantInt::get(
        type, llvm::APInt::getSignedMinValue(type->getIntegerBitWidth()));
    trapIf(b_.CreateAnd(b_.CreateICmpEQ(a, intMin), b_.CreateICmpEQ(b, minusOne)),
           TrapKind::IntegerOverflow);
    return b_.CreateSDiv(a, b);
  }
  case Opcode::I32RemS:
  case Opcode::I64RemS: {
    // x rem_s -1 is 0 for every x, including INT_MIN (where the hardware
    // division would fault): divide by 1 instead.
    llvm::Value *divisor =
        b_.CreateSelect(b_.CreateICmpEQ(b, minusOne), llvm::ConstantInt::get(type, 1), b);
    return b_.CreateSRem(a, divisor);
  }
  case Opcode::I32DivU:
  case Opcode::I64DivU: return b_.CreateUDiv(a, b);
  default: return b_.CreateURem(a, b);
  }
}

// LLVM folds x*1, x/1, x-0 and x+(-0) to x, and x*-1, x/-1, -0-x to fneg x.
// Those keep a signalling NaN signalling where Wasm requires a quiet NaN. An
// arithmetic fence around such a constant operand hides its value from the
// folds; it generates no code.
// Vector constants (SIMD) are fenced when any lane is such a value.
llvm::Value *FunctionTranslator::fenceIdentity(llvm::Value *value) {
  auto isIdentity = [](llvm::Constant *lane) {
    auto *constant = llvm::dyn_cast_or_null<llvm::ConstantFP>(lane);
    return constant && (constant->isZero() || constant->isExactlyValue(1.0) ||
                        constant->isExactlyValue(-1.0));
  };
  auto *constant = llvm::dyn_cast<llvm::Constant>(value);
  if (!constant)
    return value;
  bool fence = isIdentity(constant);
  if (auto *vector = llvm::dyn_cast<llvm::FixedVectorType>(value->getType()))
    for (unsigned i = 0; i < vector->getNumElements() && !fence; ++i)
      fence = isIdentity(constant->getAggregateElement(i));
  if (!fence)
    return value;
  return b_.CreateArithmeticFence(value, value->getType());
}

llvm::Value *FunctionTranslator::emitFloatArith(Opcode op, llvm::Value *a, llvm::Value *b) {
  a = fenceIdentity(a);
  b = fenceIdentity(b);
  switch (op) {
  case Opcode::F32Add: case Opcode::F64Add: return b_.CreateFAdd(a, b);
  case Opcode::F32Sub: case Opcode::F64Sub: return b_.CreateFSub(a, b);
  case Opcode::F32Mul: case Opcode::F64Mul: return b_.CreateFMul(a, b);
  case Opcode::F32Div: case Opcode::F64Div: return b_.CreateFDiv(a, b);
  case Opcode::F32Min: case Opcode::F64Min: return emitMinMax(true, a, b);
  case Opcode::F32Max: case Opcode::F64Max: return emitMinMax(false, a, b);
  case Opcode::F32Copysign: case Opcode::F64Copysign: return emitSignBits(op, a, b);
  default: return nullptr;
  }
}

// min: a < b ? a : b < a ? b : unordered ? a + b (a quiet NaN) : bits(a) | bits(b)
// (equal operands differ at most in the sign of zero; OR picks -0, AND +0).
// Scalars or vectors (lane-wise).
llvm::Value *FunctionTranslator::emitMinMax(bool isMin, llvm::Value *a, llvm::Value *b) {
  llvm::Type *floatType = a->getType();
  llvm::Type *intType =
      floatType->getWithNewType(b_.getIntNTy(floatType->getScalarSizeInBits()));
  llvm::Value *aBits = b_.CreateBitCast(a, intType);
  llvm::Value *bBits = b_.CreateBitCast(b, intType);
  llvm::Value *equal = b_.CreateBitCast(
      isMin ? b_.CreateOr(aBits, bBits) : b_.CreateAnd(aBits, bBits), floatType);
  llvm::Value *nan = b_.CreateFAdd(a, b);
  llvm::Value *result = b_.CreateSelect(b_.CreateFCmpUNO(a, b), nan, equal);
  result = b_.CreateSelect(b_.CreateFCmpOLT(b, a), isMin ? b : a, result);
  return b_.CreateSelect(b_.CreateFCmpOLT(a, b), isMin ? a : b, result);
}

// Scalars or vectors (lane-wise; SIMD passes F32Abs/F32Neg for either shape).
llvm::Value *FunctionTranslator::emitSignBits(Opcode op, llvm::Value *a, llvm::Value *b) {
  llvm::Type *floatType = a->getType();
  unsigned bitWidth = floatType->getScalarSizeInBits();
  llvm::Type *intType = floatType->getWithNewType(b_.getIntNTy(bitWidth));
  llvm::APInt signMask = llvm::APInt::getSignMask(bitWidth);
  llvm::Value *sign = llvm::ConstantInt::get(intType, signMask);
  llvm::Value *magnitude = llvm::ConstantInt::get(intType, ~signMask);
  llvm::Value *bits = b_.CreateBitCast(a, intType);
  switch (op) {
  case Opcode::F32Abs:
  case Opcode::F64Abs: bits = b_.CreateAnd(bits, magnitude); break;
  case Opcode::F32Neg:
  case Opcode::F64Neg: bits = b_.CreateXor(bits, sign); break;
  default:
    bits = b_.CreateOr(b_.CreateAnd(bits, magnitude),
                       b_.CreateAnd(b_.CreateBitCast(b, intType), sign));
    break;
  }
  return b_.CreateBitCast(bits, floatType);
}

llvm::Value *FunctionTranslator::emitUnary(Opcode op, llvm::Value *a) {
  switch (op) {
  case Opcode::I32Eqz:
  case Opcode::I64Eqz:
    return b_.CreateZExt(b_.CreateICmpEQ(a, llvm::ConstantInt::get(a->getType(), 0)), m_.i32Ty);
  case Opcode::I32Clz: case Opcode::I64Clz:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, a, b_.getFalse());
  case Opcode::I32Ctz: case Opcode::I64Ctz:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, a, b_.getFalse());
  case Opcode::I32Popcnt: case Opcode::I64Popcnt:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, a);
  case Opcode::F32Abs: case Opcode::F64Abs:
  case Opcode::F32Neg: case Opcode::F64Neg:
    return emitSignBits(op, a, nullptr);
  case Opcode::F32Ceil: case Opcode::F64Ceil:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, a);
  case Opcode::F32Floor: case Opcode::F64Floor:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, a);
  case Opcode::F32Trunc: case Opcode::F64Trunc:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, a);
  case Opcode::F32Nearest: case Opcode::F64Nearest:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, a);
  case Opcode::F32Sqrt: case Opcode::F64Sqrt:
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a);
  default: return nullptr;
  }
}

} // namespace wasmrt::internal::compiler
