// Calls. Direct calls to functions this module defines are plain LLVM calls
// (same instance, so callee context = caller context) that the inliner can
// see; imported functions and call_indirect go through FuncRef records.
#include "compiler/FunctionTranslator.h"

#include <llvm/IR/MDBuilder.h>

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

  // Most indirect calls stay in the calling instance. Passing our own
  // context on that path, behind a predicted branch, keeps the callee's
  // memory addresses independent of the table loads: with the loaded context
  // every access of the callee waits for the chain slot -> FuncRef -> context
  // -> memory base, and the next loads of the caller wait for those stores'
  // addresses (an indirect-call-heavy interpreter ran 2.4x slower).
  auto *sameInstance = llvm::BasicBlock::Create(context_, "call.same", function_);
  auto *otherInstance = llvm::BasicBlock::Create(context_, "call.other", function_);
  auto *join = llvm::BasicBlock::Create(context_, "call.join", function_);
  llvm::MDNode *likely = llvm::MDBuilder(context_).createBranchWeights(1u << 10, 1);
  b_.CreateCondBr(b_.CreateICmpEQ(calleeContext, ctx_), sameInstance, otherInstance, likely);

  llvm::SmallVector<llvm::Value *, 8> args = popCallArgs(typeIndex);
  b_.SetInsertPoint(sameInstance);
  llvm::CallInst *sameCall = createCall(typeIndex, code, ctx_, args);
  // Distinct call-site attributes keep SimplifyCFG from merging the two calls
  // back into one call on a select of the contexts.
  sameCall->addFnAttr(llvm::Attribute::get(context_, "wasmrt-same-instance"));
  b_.CreateBr(join);
  b_.SetInsertPoint(otherInstance);
  llvm::CallInst *otherCall = createCall(typeIndex, code, calleeContext, args);
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::Value *results = nullptr;
  if (!sameCall->getType()->isVoidTy()) {
    llvm::PHINode *phi = b_.CreatePHI(sameCall->getType(), 2);
    phi->addIncoming(sameCall, sameInstance);
    phi->addIncoming(otherCall, otherInstance);
    results = phi;
  }
  pushCallResults(typeIndex, results);
}

void FunctionTranslator::emitCallThrough(uint32_t typeIndex, llvm::Value *callee,
                                         llvm::Value *calleeContext) {
  pushCallResults(typeIndex, createCall(typeIndex, callee, calleeContext, popCallArgs(typeIndex)));
}

llvm::SmallVector<llvm::Value *, 8> FunctionTranslator::popCallArgs(uint32_t typeIndex) {
  std::span<llvm::Value *const> params = top(m_.wasm().types[typeIndex].params.size());
  llvm::SmallVector<llvm::Value *, 8> args(params.begin(), params.end());
  stack_.resize(stack_.size() - args.size());
  return args;
}

llvm::CallInst *FunctionTranslator::createCall(uint32_t typeIndex, llvm::Value *callee,
                                               llvm::Value *calleeContext,
                                               std::span<llvm::Value *const> params) {
  llvm::SmallVector<llvm::Value *, 8> args = {calleeContext, ctx_};
  args.append(params.begin(), params.end());
  llvm::CallInst *call = b_.CreateCall(m_.funcType(typeIndex), callee, args);
  // Never a tail call: tail-recursion elimination would turn unbounded
  // recursion (which must trap with "call stack exhausted") into an endless
  // loop, and sibling calls would drop frames from backtraces.
  call->setTailCallKind(llvm::CallInst::TCK_NoTail);
  return call;
}

void FunctionTranslator::pushCallResults(uint32_t typeIndex, llvm::Value *results) {
  size_t count = m_.wasm().types[typeIndex].results.size();
  if (count == 1) {
    push(results);
  } else {
    for (unsigned i = 0; i < count; ++i)
      push(b_.CreateExtractValue(results, {i}));
  }
  // The callee may have grown (and, in bounds-check mode, moved) the memory.
  if (memoryBaseVar_)
    loadMemoryState();
}

} // namespace wasmrt::internal::compiler
