// Linear memory: loads, stores, memory.size/grow and the bulk operations.
//
// Guarded mode: memory 0 sits in an 8 GiB reservation, so base + zext(addr) +
// offset (< 2^33) always lands in it and needs no check; the base never moves
// and is loaded once. Bounds-check mode: base and size live in allocas
// (promoted to SSA values) refreshed at entry and after anything that may
// grow or move the memory (memory.grow, calls).
#include "compiler/FunctionTranslator.h"
#include "compiler/IrPasses.h"

#include <llvm/TargetParser/Triple.h>

namespace wasmrt::internal::compiler {

using abi::TrapKind;

// Store probes (guarded mode).
//
// A trapping store must write nothing, also when its first bytes are in
// bounds and only its last ones are past the end of memory. In guarded mode
// that case is left to the fault on the first inaccessible page. x86-64
// raises the fault before any byte of the store is written. The Arm
// architecture does not promise that: a store that faults may already have
// written some of its bytes (qemu-aarch64 visibly does so for v128.store,
// which it performs as two 8-byte halves). So on AArch64 every store wider
// than one byte first loads its own last byte. Memory is accessible from the
// base up to its size, which is a multiple of 64 KiB, and inaccessible after
// it up to 8 GiB + 64 KiB, so that load faults exactly when any byte of the
// store is out of bounds; and since faults are precise, the store (later in
// program order) has not written anything then.
//
// The probe is a volatile byte load of the last byte: volatile so it is never
// deleted as dead, and no pass moves it below the store, whose bytes it
// overlaps. On AArch64 it is an `ldrb wzr, [x, #width-1]` (plus an `add`
// when the store alone would have used a register-offset address), touching
// the cache line the store writes, with no branch; cheaper than bounds-check
// mode's load of the memory size, compare and branch. Stores of one byte cannot straddle the end and are not
// probed, nor are stores at constant addresses that cannot cross a 64 KiB
// boundary. Targets that fault before writing (x86-64) get no probes, so their
// code is unchanged.
bool needsStoreProbes(const CompileOptions &options, const std::string &targetTriple) {
  if (options.explicitBoundsChecks)
    return false; // the explicit check comes before the store
  return options.forceStoreProbes || llvm::Triple(targetTriple).isAArch64();
}

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

llvm::Value *FunctionTranslator::storeAddress(llvm::Value *address, uint64_t offset,
                                             unsigned width) {
  llvm::Value *pointer = memoryAddress(address, offset, width);
  if (!probeStores_ || width == 1)
    return pointer;
  // A constant effective address whose bytes all lie within one 64 KiB page
  // cannot straddle the end of memory (a whole number of pages).
  constexpr uint64_t kPage = 65536;
  if (auto *constant = llvm::dyn_cast<llvm::ConstantInt>(address)) {
    uint64_t start = constant->getZExtValue() + offset;
    if (start % kPage <= kPage - width)
      return pointer;
  }
  llvm::Value *last = b_.CreateInBoundsGEP(m_.i8Ty, pointer, b_.getInt64(width - 1));
  b_.CreateLoad(m_.i8Ty, last, /*isVolatile=*/true);
  return pointer;
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
  markTrappingLoad(load);
  push(value);
}

void FunctionTranslator::markTrappingLoad(llvm::LoadInst *load) {
  if (!boundsChecks_)
    load->setMetadata(kTrappingLoadMetadata, llvm::MDNode::get(context_, {}));
}

void FunctionTranslator::emitDrop() { pop(); }

void FunctionTranslator::emitStore(const Instr &in) {
  unsigned width = 1u << opcodeInfo(in.op).naturalAlignLog2;
  llvm::Value *value = pop();
  llvm::Value *address = storeAddress(pop(), in.memArg.offset, width);
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
