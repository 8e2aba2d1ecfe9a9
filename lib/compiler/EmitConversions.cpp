// Conversions: wrap/extend, float <-> int (trapping and saturating),
// promote/demote, reinterpretations and the sign-extension operators.
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>

namespace wasmrt::internal::compiler {

using abi::TrapKind;

llvm::Value *FunctionTranslator::emitConversion(Opcode op, llvm::Value *a) {
  llvm::IntegerType *i32 = m_.i32Ty;
  llvm::IntegerType *i64 = m_.i64Ty;
  switch (op) {
  case Opcode::I32WrapI64: return b_.CreateTrunc(a, i32);
  case Opcode::I64ExtendI32S: return b_.CreateSExt(a, i64);
  case Opcode::I64ExtendI32U: return b_.CreateZExt(a, i64);

  case Opcode::I32TruncF32S: case Opcode::I32TruncF64S: return emitTruncTrapping(a, i32, true);
  case Opcode::I32TruncF32U: case Opcode::I32TruncF64U: return emitTruncTrapping(a, i32, false);
  case Opcode::I64TruncF32S: case Opcode::I64TruncF64S: return emitTruncTrapping(a, i64, true);
  case Opcode::I64TruncF32U: case Opcode::I64TruncF64U: return emitTruncTrapping(a, i64, false);
  case Opcode::I32TruncSatF32S: case Opcode::I32TruncSatF64S: return emitTruncSat(a, i32, true);
  case Opcode::I32TruncSatF32U: case Opcode::I32TruncSatF64U: return emitTruncSat(a, i32, false);
  case Opcode::I64TruncSatF32S: case Opcode::I64TruncSatF64S: return emitTruncSat(a, i64, true);
  case Opcode::I64TruncSatF32U: case Opcode::I64TruncSatF64U: return emitTruncSat(a, i64, false);

  case Opcode::F32ConvertI32S: case Opcode::F32ConvertI64S: return b_.CreateSIToFP(a, m_.f32Ty);
  case Opcode::F32ConvertI32U: case Opcode::F32ConvertI64U: return b_.CreateUIToFP(a, m_.f32Ty);
  case Opcode::F64ConvertI32S: case Opcode::F64ConvertI64S: return b_.CreateSIToFP(a, m_.f64Ty);
  case Opcode::F64ConvertI32U: case Opcode::F64ConvertI64U: return b_.CreateUIToFP(a, m_.f64Ty);
  case Opcode::F32DemoteF64:
    // demote(promote(x)) must quiet a signalling NaN; LLVM would fold it to x.
    if (llvm::isa<llvm::FPExtInst>(a))
      a = b_.CreateArithmeticFence(a, a->getType());
    return b_.CreateFPTrunc(a, m_.f32Ty);
  case Opcode::F64PromoteF32: return b_.CreateFPExt(a, m_.f64Ty);

  case Opcode::I32ReinterpretF32: return b_.CreateBitCast(a, i32);
  case Opcode::I64ReinterpretF64: return b_.CreateBitCast(a, i64);
  case Opcode::F32ReinterpretI32: return b_.CreateBitCast(a, m_.f32Ty);
  case Opcode::F64ReinterpretI64: return b_.CreateBitCast(a, m_.f64Ty);

  case Opcode::I32Extend8S: return b_.CreateSExt(b_.CreateTrunc(a, m_.i8Ty), i32);
  case Opcode::I32Extend16S: return b_.CreateSExt(b_.CreateTrunc(a, b_.getInt16Ty()), i32);
  case Opcode::I64Extend8S: return b_.CreateSExt(b_.CreateTrunc(a, m_.i8Ty), i64);
  case Opcode::I64Extend16S: return b_.CreateSExt(b_.CreateTrunc(a, b_.getInt16Ty()), i64);
  case Opcode::I64Extend32S: return b_.CreateSExt(b_.CreateTrunc(a, i32), i64);
  default: return nullptr;
  }
}

// NaN traps with "invalid conversion"; values whose truncation does not fit
// trap with "integer overflow". The bounds are exact in the source type:
// the upper bound 2^N (unsigned) or 2^(N-1) (signed) is exclusive; the lower
// bound is -1 (exclusive, unsigned), -2^(N-1)-1 (exclusive, when the float
// type can represent it: f64 -> i32) or -2^(N-1) (inclusive).
llvm::Value *FunctionTranslator::emitTruncTrapping(llvm::Value *a, llvm::IntegerType *to,
                                                   bool isSigned) {
  llvm::Type *floatType = a->getType();
  unsigned bits = to->getBitWidth();
  unsigned mantissaBits = floatType == m_.f32Ty ? 24 : 53;
  trapIf(b_.CreateFCmpUNO(a, a), TrapKind::InvalidConversionToInteger);

  double upper = std::ldexp(1.0, int(isSigned ? bits - 1 : bits));
  llvm::Value *inRange = b_.CreateFCmpOLT(a, llvm::ConstantFP::get(floatType, upper));
  llvm::Value *aboveLower;
  if (!isSigned)
    aboveLower = b_.CreateFCmpOGT(a, llvm::ConstantFP::get(floatType, -1.0));
  else if (mantissaBits >= bits)
    aboveLower = b_.CreateFCmpOGT(a, llvm::ConstantFP::get(floatType, -upper - 1.0));
  else
    aboveLower = b_.CreateFCmpOGE(a, llvm::ConstantFP::get(floatType, -upper));
  inRange = b_.CreateAnd(inRange, aboveLower);
  trapIf(b_.CreateNot(inRange), TrapKind::IntegerOverflow);
  return isSigned ? b_.CreateFPToSI(a, to) : b_.CreateFPToUI(a, to);
}

// llvm.fpto[su]i.sat has exactly the Wasm semantics (NaN -> 0, clamping).
llvm::Value *FunctionTranslator::emitTruncSat(llvm::Value *a, llvm::IntegerType *to,
                                              bool isSigned) {
  return b_.CreateIntrinsic(isSigned ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
                            {to, a->getType()}, {a});
}

} // namespace wasmrt::internal::compiler
