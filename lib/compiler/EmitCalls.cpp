// Calls. Direct calls to functions this module defines are plain LLVM calls
// (same instance, so callee context = caller context) that the inliner can
// see; imported functions and call_indirect go through FuncRef records.
#include "compiler/FunctionTranslator.h"

namespace wasmrt::internal::compiler {

using abi::TrapKind;

void FunctionTranslator::emitCall(uint32_t funcIndex) {
  const Module &wasm = m_.wasm();
  uint32_t typeIndex = wasm.funcs[funcIndex];
  if (funcIndex >= wasm.numImportedFuncs) {
    emitCallThrough(typeIndex, m_.wasmFunction(funcIndex), ctx_);
    return;
  }
  // An import's FuncRef is fixed once the instance is linked.
  llvm::Value *ref = funcRef(funcIndex);
  llvm::MDNode *invariant = llvm::MDNode::get(context_, {});
  llvm::LoadInst *code = b_.CreateLoad(m_.ptrTy, ref);
  code->setMetadata(llvm::LLVMContext::MD_invariant_load, invariant);
  llvm::LoadInst *calleeContext = b_.CreateLoad(
      m_.ptrTy, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, ref, offsetof(abi::FuncRef, context)));
  calleeContext->setMetadata(llvm::LLVMContext::MD_invariant_load, invariant);
  emitCallThrough(typeIndex, code, calleeContext);
}

void FunctionTranslator::emitCallIndirect(uint32_t typeIndex, uint32_t tableIndex) {
  llvm::Value *address = tableElementAddress(tableIndex, pop(), TrapKind::UndefinedElement);
  llvm::Value *ref = b_.CreateLoad(m_.ptrTy, address);
  trapIf(b_.CreateIsNull(ref), TrapKind::UninitializedElement);
  llvm::Value *refTypeId = b_.CreateLoad(
      m_.i32Ty, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, ref, offsetof(abi::FuncRef, typeId)));
  trapIf(b_.CreateICmpNE(refTypeId, typeId(typeIndex)), TrapKind::IndirectCallTypeMismatch);
  llvm::Value *code = b_.CreateLoad(m_.ptrTy, ref);
  llvm::Value *calleeContext = b_.CreateLoad(
      m_.ptrTy, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, ref, offsetof(abi::FuncRef, context)));
  emitCallThrough(typeIndex, code, calleeContext);
}

void FunctionTranslator::emitCallThrough(uint32_t typeIndex, llvm::Value *callee,
                                         llvm::Value *calleeContext) {
  const FuncType &type = m_.wasm().types[typeIndex];
  size_t numParams = type.params.size();
  llvm::SmallVector<llvm::Value *, 8> args = {calleeContext, ctx_};
  std::span<llvm::Value *const> params = top(numParams);
  args.append(params.begin(), params.end());
  stack_.resize(stack_.size() - numParams);

  llvm::CallInst *call = b_.CreateCall(m_.funcType(typeIndex), callee, args);
  // Never a tail call: tail-recursion elimination would turn unbounded
  // recursion (which must trap with "call stack exhausted") into an endless
  // loop, and sibling calls would drop frames from backtraces.
  call->setTailCallKind(llvm::CallInst::TCK_NoTail);
  if (type.results.size() == 1) {
    push(call);
  } else {
    for (unsigned i = 0; i < type.results.size(); ++i)
      push(b_.CreateExtractValue(call, {i}));
  }
  // The callee may have grown (and, in bounds-check mode, moved) the memory.
  if (memoryBaseVar_)
    loadMemoryState();
}

} // namespace wasmrt::internal::compiler
