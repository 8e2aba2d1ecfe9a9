// SIMD memory access: v128.load/store, the extending loads, splat and zero
// loads, and single-lane loads and stores. Addresses, bounds checks (in
// bounds-check mode) and the access width come from the scalar path
// (memoryAddress, the opcode's natural alignment); alignment hints are never
// trusted.
#include "compiler/FunctionTranslator.h"

namespace wasmrt::internal::compiler {

namespace {

// Extending loads: the lane width read and whether it is sign-extended.
struct ExtendLoad {
  unsigned laneBits = 0;
  bool isSigned = false;
};

ExtendLoad extendLoad(Opcode op) {
  switch (op) {
  case Opcode::V128Load8x8S: return {8, true};
  case Opcode::V128Load8x8U: return {8, false};
  case Opcode::V128Load16x4S: return {16, true};
  case Opcode::V128Load16x4U: return {16, false};
  case Opcode::V128Load32x2S: return {32, true};
  case Opcode::V128Load32x2U: return {32, false};
  default: return {};
  }
}

} // namespace

void FunctionTranslator::emitSimdMemory(const Instr &in) {
  const OpcodeInfo &info = opcodeInfo(in.op);
  unsigned width = 1u << info.naturalAlignLog2;
  if (info.imm == ImmKind::MemArgLane) {
    emitSimdLaneMemory(in, width);
    return;
  }
  if (in.op == Opcode::V128Store) {
    llvm::Value *value = pop();
    llvm::Value *address = storeAddress(pop(), in.memArg.offset, width);
    b_.CreateAlignedStore(value, address, llvm::Align(1));
    return;
  }
  llvm::Value *address = memoryAddress(pop(), in.memArg.offset, width);
  llvm::LoadInst *load = nullptr;
  llvm::Value *value = nullptr;
  llvm::IntegerType *scalarType = b_.getIntNTy(width * 8);
  switch (in.op) {
  case Opcode::V128Load:
    value = load = b_.CreateAlignedLoad(m_.v128Ty, address, llvm::Align(1));
    break;
  case Opcode::V128Load8Splat:
  case Opcode::V128Load16Splat:
  case Opcode::V128Load32Splat:
  case Opcode::V128Load64Splat:
    load = b_.CreateAlignedLoad(scalarType, address, llvm::Align(1));
    value = asV128(b_.CreateVectorSplat(16 / width, load));
    break;
  case Opcode::V128Load32Zero:
  case Opcode::V128Load64Zero: {
    load = b_.CreateAlignedLoad(scalarType, address, llvm::Align(1));
    llvm::Value *zero = llvm::Constant::getNullValue(vectorType(scalarType, 16 / width));
    value = asV128(b_.CreateInsertElement(zero, load, uint64_t(0)));
    break;
  }
  default: {
    ExtendLoad extend = extendLoad(in.op);
    unsigned count = 64 / extend.laneBits;
    llvm::IntegerType *laneType = b_.getIntNTy(extend.laneBits);
    load = b_.CreateAlignedLoad(vectorType(laneType, count), address, llvm::Align(1));
    llvm::Type *wide = vectorType(b_.getIntNTy(2 * extend.laneBits), count);
    value = asV128(extend.isSigned ? b_.CreateSExt(load, wide) : b_.CreateZExt(load, wide));
    break;
  }
  }
  markTrappingLoad(load);
  push(value);
}

void FunctionTranslator::emitSimdLaneMemory(const Instr &in, unsigned width) {
  llvm::IntegerType *laneType = b_.getIntNTy(width * 8);
  llvm::Type *type = vectorType(laneType, 16 / width);
  llvm::Value *vector = asLanes(pop(), type);
  llvm::Value *wasmAddress = pop();
  std::string_view name = opcodeName(in.op);
  if (name.starts_with("v128.store")) {
    llvm::Value *address = storeAddress(wasmAddress, in.memArg.offset, width);
    llvm::Value *lane = b_.CreateExtractElement(vector, uint64_t(in.lane));
    b_.CreateAlignedStore(lane, address, llvm::Align(1));
    return;
  }
  llvm::Value *address = memoryAddress(wasmAddress, in.memArg.offset, width);
  llvm::LoadInst *load = b_.CreateAlignedLoad(laneType, address, llvm::Align(1));
  llvm::Value *value = asV128(b_.CreateInsertElement(vector, load, uint64_t(in.lane)));
  markTrappingLoad(load);
  push(value);
}

} // namespace wasmrt::internal::compiler
