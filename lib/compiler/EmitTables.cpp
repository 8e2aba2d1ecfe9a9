// Tables and references. table.get/set/size are inline (with the bounds check
// of the spec); growing, filling, copying and segment initialisation call the
// runtime entry points.
#include "compiler/FunctionTranslator.h"

namespace wasmrt::internal::compiler {

using abi::TrapKind;

llvm::Value *FunctionTranslator::tableElementAddress(uint32_t tableIndex, llvm::Value *index,
                                                     TrapKind outOfBounds) {
  llvm::Value *table = tableData(tableIndex);
  llvm::Value *size = b_.CreateLoad(
      m_.i32Ty, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, table, offsetof(abi::TableData, size)));
  trapIf(b_.CreateICmpUGE(index, size), outOfBounds);
  llvm::Value *elements = b_.CreateLoad(m_.ptrTy, table); // TableData::elements is at 0
  return b_.CreateInBoundsGEP(m_.ptrTy, elements, b_.CreateZExt(index, m_.i64Ty));
}

void FunctionTranslator::emitTableInstr(const Instr &in) {
  switch (in.op) {
  case Opcode::TableGet: {
    llvm::Value *address = tableElementAddress(in.index, pop(), TrapKind::TableOutOfBounds);
    push(b_.CreateLoad(m_.ptrTy, address));
    return;
  }
  case Opcode::TableSet: {
    llvm::Value *value = pop();
    llvm::Value *address = tableElementAddress(in.index, pop(), TrapKind::TableOutOfBounds);
    b_.CreateStore(value, address);
    return;
  }
  case Opcode::TableSize: {
    llvm::Value *table = tableData(in.index);
    push(b_.CreateLoad(m_.i32Ty, b_.CreateConstInBoundsGEP1_64(
                                     m_.i8Ty, table, offsetof(abi::TableData, size))));
    return;
  }
  case Opcode::TableGrow: {
    llvm::Value *delta = pop(), *init = pop();
    push(callRuntimeValue(RuntimeEntry::wasmrt_table_grow,
                          {ctx_, b_.getInt32(in.index), init, delta}));
    return;
  }
  case Opcode::TableFill: {
    llvm::Value *count = pop(), *value = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_table_fill, {ctx_, b_.getInt32(in.index), dst, value, count});
    return;
  }
  case Opcode::TableCopy: {
    llvm::Value *count = pop(), *src = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_table_copy,
                {ctx_, b_.getInt32(in.index), b_.getInt32(in.index2), dst, src, count});
    return;
  }
  case Opcode::TableInit: {
    llvm::Value *count = pop(), *src = pop(), *dst = pop();
    callRuntime(RuntimeEntry::wasmrt_table_init,
                {ctx_, b_.getInt32(in.index2), b_.getInt32(in.index), dst, src, count});
    return;
  }
  case Opcode::ElemDrop:
    callRuntime(RuntimeEntry::wasmrt_elem_drop, {ctx_, b_.getInt32(in.index)});
    return;
  default:
    return;
  }
}

void FunctionTranslator::emitReference(const Instr &in) {
  switch (in.op) {
  case Opcode::RefNull:
    push(llvm::ConstantPointerNull::get(m_.ptrTy));
    return;
  case Opcode::RefIsNull:
    push(b_.CreateZExt(b_.CreateIsNull(pop()), m_.i32Ty));
    return;
  case Opcode::RefFunc:
    push(funcRef(in.index));
    return;
  default:
    return;
  }
}

} // namespace wasmrt::internal::compiler
