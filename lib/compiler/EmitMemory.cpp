// Linear memory: loads, stores, memory.size/grow and the bulk operations.
//
// Guarded mode: memory 0 sits in an 8 GiB reservation, so base + zext(addr) +
// offset (< 2^33) always lands in it and needs no check; the base never moves
// and is loaded once. Bounds-check mode: base and size live in allocas
// (promoted to SSA values) refreshed at entry and after anything that may
// grow or move the memory (memory.grow, calls).
#include "compiler/FunctionTranslator.h"

namespace wasmrt::internal::compiler {

using abi::TrapKind;

namespace {

// The extending loads that sign-extend.
bool isSignedLoad(Opcode op) {
  switch (op) {
  case Opcode::I32Load8S:
  case Opcode::I32Load16S:
  case Opcode::I64Load8S:
  case Opcode::I64Load16S:
  case Opcode::I64Load32S: return true;
  default: return false;
  }
}

} // namespace

void FunctionTranslator::loadMemoryState() {
  if (!boundsChecks_)
    return;
  if (!memoryBaseVar_) {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.SetInsertPoint(entryPoint_);
    memoryBaseVar_ = b_.CreateAlloca(m_.ptrTy);
    memorySizeVar_ = b_.CreateAlloca(m_.i64Ty);
  }
  b_.CreateStore(contextField(abi::kMemoryBaseOffset, m_.ptrTy), memoryBaseVar_);
  b_.CreateStore(contextField(abi::kMemorySizeOffset, m_.i64Ty), memorySizeVar_);
}

llvm::Value *FunctionTranslator::memoryBase() {
  if (boundsChecks_)
    return b_.CreateLoad(m_.ptrTy, memoryBaseVar_);
  if (!memoryBase_)
    memoryBase_ = entryLoad(ctx_, abi::kMemoryBaseOffset, m_.ptrTy);
  return memoryBase_;
}

llvm::Value *FunctionTranslator::memoryAddress(llvm::Value *address, uint64_t offset,
                                               uint64_t size) {
  llvm::Value *index = b_.CreateZExt(address, m_.i64Ty);
  if (offset)
    index = b_.CreateNUWAdd(index, b_.getInt64(offset));
  if (boundsChecks_) {
    llvm::Value *end = b_.CreateNUWAdd(index, b_.getInt64(size));
    llvm::Value *memorySize = b_.CreateLoad(m_.i64Ty, memorySizeVar_);
    trapIf(b_.CreateICmpUGT(end, memorySize), TrapKind::MemoryOutOfBounds);
  }
  return b_.CreateInBoundsGEP(m_.i8Ty, memoryBase(), index);
}

void FunctionTranslator::emitLoad(const Instr &in) {
  const OpcodeInfo &info = opcodeInfo(in.op);
  char result = info.signature.back(); // "i:T"
  llvm::Type *resultType = result == 'I'   ? m_.i64Ty
                           : result == 'f' ? m_.f32Ty
                           : result == 'F' ? m_.f64Ty
                                           : static_cast<llvm::Type *>(m_.i32Ty);
  unsigned width = 1u << info.naturalAlignLog2;
  llvm::Value *address = memoryAddress(pop(), in.memArg.offset, width);
  // Wasm allows any alignment; the hint in memarg is never trusted.
  bool full = resultType->getPrimitiveSizeInBits() == width * 8;
  llvm::LoadInst *load = b_.CreateAlignedLoad(full ? resultType : b_.getIntNTy(width * 8),
                                              address, llvm::Align(1));
  llvm::Value *value = full                   ? static_cast<llvm::Value *>(load)
                       : isSignedLoad(in.op) ? b_.CreateSExt(load, resultType)
                                             : b_.CreateZExt(load, resultType);
  lastMemoryLoad_ = load;
  lastMemoryLoadValue_ = value;
  push(value);
}

// In guarded mode only the access itself can trap, and LLVM deletes loads
// whose value is unused. `(drop (load ...))`, the usual way to probe memory,
// therefore makes the load volatile. (Loads that become dead only after
// optimisation can still lose their trap in this mode; bounds-check mode is
// exact.)
void FunctionTranslator::emitDrop() {
  llvm::Value *value = pop();
  if (!boundsChecks_ && value == lastMemoryLoadValue_ && lastMemoryLoad_)
    lastMemoryLoad_->setVolatile(true);
}

void FunctionTranslator::emitStore(const Instr &in) {
  unsigned width = 1u << opcodeInfo(in.op).naturalAlignLog2;
  llvm::Value *value = pop();
  llvm::Value *address = memoryAddress(pop(), in.memArg.offset, width);
  if (value->getType()->isIntegerTy() && value->getType()->getIntegerBitWidth() > width * 8)
    value = b_.CreateTrunc(value, b_.getIntNTy(width * 8));
  b_.CreateAlignedStore(value, address, llvm::Align(1));
}

void FunctionTranslator::emitMemoryInstr(const Instr &in) {
  switch (in.op) {
  case Opcode::MemorySize: {
    llvm::Value *bytes = contextField(abi::kMemorySizeOffset, m_.i64Ty);
    push(b_.CreateTrunc(b_.CreateLShr(bytes, 16), m_.i32Ty));
    return;
  }
  case Opcode::MemoryGrow: {
    llvm::Value *delta = pop();
    push(callRuntimeValue(RuntimeEntry::wasmrt_memory_grow, {ctx_, b_.getInt32(in.index), delta}));
    loadMemoryState();
    return;
  }
  case Opcode::MemoryFill: {
    llvm::Value *count = pop(), *value = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_memory_fill, {ctx_, b_.getInt32(in.index), dst, value, count});
    return;
  }
  case Opcode::MemoryCopy: {
    llvm::Value *count = pop(), *src = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_memory_copy,
                {ctx_, b_.getInt32(in.index), b_.getInt32(in.index2), dst, src, count});
    return;
  }
  case Opcode::MemoryInit: {
    llvm::Value *count = pop(), *src = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_memory_init,
                {ctx_, b_.getInt32(in.index2), b_.getInt32(in.index), dst, src, count});
    return;
  }
  case Opcode::DataDrop:
    callRuntime(RuntimeEntry::wasmrt_data_drop, {ctx_, b_.getInt32(in.index)});
    return;
  default:
    return;
  }
}

} // namespace wasmrt::internal::compiler
