// Tiered compilation in generated code (docs/COMPILER.md, "Tiers").
//
// Baseline code of a tiered function counts down a per-function budget
// (a private global of its LLVM module, shared by all instances and threads
// of the module: a lost update between threads only delays tier-up) at its
// entry and at every loop header. When the budget runs out it calls
// wasmrt_tier_up, which queues the optimized compile, and resets the budget
// to CompileOptions::osrCheckInterval, so a function that stays in baseline
// code asks again now and then instead of at every call.
//
// At a loop header the call also names the loop and returns its on-stack-
// replacement entry once that is compiled. The baseline code then stores its
// locals and its operand stack (loop parameters included) into a state
// buffer, one 16-byte slot each, calls the entry with the instance context
// and the buffer, and returns whatever the entry returns: the rest of the
// activation runs in optimized code, and the function's caller gets the
// results as if the baseline code had finished.
//
// The OSR entry of loop k is the whole function translated again with a
// different entry block: it loads the locals from the buffer, then jumps to
// a block that loads the operand stack and enters loop k. Everything the
// translator emits before loop k is unreachable and deleted by the
// optimiser; everything after is the function's ordinary optimized code.
// Both sides agree on the layout because both come from the same
// translation of the same body: the same locals, and at loop k the same
// operand stack (its height and types are fixed by validation).
#include "compiler/FunctionTranslator.h"

#include <fmt/format.h>
#include <algorithm>
#include <llvm/IR/CFG.h>
#include <llvm/IR/MDBuilder.h>

namespace wasmrt::internal::compiler {

llvm::Value *FunctionTranslator::stateSlot(llvm::Value *state, size_t slot) {
  return b_.CreateConstInBoundsGEP1_64(m_.i8Ty, state, slot * sizeof(abi::ValueSlot));
}

void FunctionTranslator::emitHotnessCount(uint32_t loop) {
  if (!hotness_) {
    hotness_ = new llvm::GlobalVariable(
        m_.out(), m_.i32Ty, /*isConstant=*/false, llvm::GlobalValue::InternalLinkage,
        b_.getInt32(m_.options().tierUpThreshold),
        fmt::format("wasmrt_hotness_{}", funcIndex_));
    hotness_->setAlignment(llvm::Align(4));
  }
  // Unordered atomics: plain loads and stores in machine code, but a race
  // between threads is defined behaviour for LLVM.
  llvm::LoadInst *left = b_.CreateAlignedLoad(m_.i32Ty, hotness_, llvm::Align(4));
  left->setAtomic(llvm::AtomicOrdering::Unordered);
  llvm::Value *next = b_.CreateSub(left, b_.getInt32(1));
  b_.CreateAlignedStore(next, hotness_, llvm::Align(4))
      ->setAtomic(llvm::AtomicOrdering::Unordered);

  auto *hot = llvm::BasicBlock::Create(context_, "hot", function_);
  auto *cold = llvm::BasicBlock::Create(context_, "", function_);
  llvm::MDNode *weights = llvm::MDBuilder(context_).createBranchWeights(1, 1u << 20);
  b_.CreateCondBr(b_.CreateICmpSLE(next, b_.getInt32(0)), hot, cold, weights);

  b_.SetInsertPoint(hot);
  b_.CreateAlignedStore(b_.getInt32(m_.options().osrCheckInterval), hotness_, llvm::Align(4))
      ->setAtomic(llvm::AtomicOrdering::Unordered);
  llvm::Value *osrEntry = b_.CreateCall(
      m_.tierUpEntry(), {m_.tierUpState(), b_.getInt32(funcIndex_), b_.getInt32(loop)});
  if (loop == kNoLoop) {
    b_.CreateBr(cold);
  } else {
    auto *transfer = llvm::BasicBlock::Create(context_, "osr", function_);
    b_.CreateCondBr(b_.CreateIsNotNull(osrEntry), transfer, cold);
    b_.SetInsertPoint(transfer);
    emitOsrTransfer(osrEntry);
  }
  b_.SetInsertPoint(cold);
}

void FunctionTranslator::emitOsrTransfer(llvm::Value *osrEntry) {
  // Allocated only on this path, once per activation that moves: a dynamic
  // alloca, so the baseline frame does not carry the buffer.
  size_t slots = locals_.size() + stack_.size();
  llvm::AllocaInst *state =
      b_.CreateAlloca(llvm::ArrayType::get(m_.i8Ty, slots * sizeof(abi::ValueSlot)));
  state->setAlignment(llvm::Align(16));
  for (size_t i = 0; i < locals_.size(); ++i)
    b_.CreateAlignedStore(b_.CreateLoad(localTypes_[i], locals_[i]), stateSlot(state, i),
                          llvm::Align(16));
  for (size_t i = 0; i < stack_.size(); ++i)
    b_.CreateAlignedStore(stack_[i], stateSlot(state, locals_.size() + i), llvm::Align(16));
  auto *entryType =
      llvm::FunctionType::get(function_->getReturnType(), {m_.ptrTy, m_.ptrTy}, false);
  llvm::CallInst *results = b_.CreateCall(entryType, osrEntry, {ctx_, state});
  function_->getReturnType()->isVoidTy() ? b_.CreateRetVoid() : b_.CreateRet(results);
}

void FunctionTranslator::beginOsrEntry() {
  osrBlock_ = llvm::BasicBlock::Create(context_, "osr-entry", function_);
  b_.CreateBr(osrBlock_);
  // The body up to the loop is translated into blocks nothing branches to.
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "dead", function_));
}

void FunctionTranslator::enterOsrLoop(Frame &loop) {
  // Code before the loop is dead unless an enclosing loop leads back to it:
  // then the loop has two ways in, the enclosing loop's next iteration and
  // the OSR entry. Operand-stack entries below the outermost enclosing
  // loop cannot change while it runs (nothing in it can reach them), so the
  // values loaded from the state hold on every path and are used directly;
  // entries pushed inside the enclosing loops (and the loop's parameters)
  // get a phi of the two ways in.
  size_t invariantBelow = stack_.size();
  bool enclosed = false;
  for (size_t i = 0; i + 1 < frames_.size(); ++i)
    if (frames_[i].kind == FrameKind::Loop) {
      invariantBelow = frames_[i].height;
      enclosed = true;
      break;
    }
  invariantBelow = std::min(invariantBelow, loop.height);
  llvm::BasicBlock *from = b_.GetInsertBlock();
  if (enclosed)
    b_.CreateBr(loop.loopHeader);
  else
    b_.CreateUnreachable();

  b_.SetInsertPoint(osrBlock_);
  llvm::Value *state = function_->getArg(1);
  for (size_t i = 0; i < stack_.size(); ++i) {
    llvm::Value *loaded = b_.CreateAlignedLoad(
        stack_[i]->getType(), stateSlot(state, locals_.size() + i), llvm::Align(16));
    if (i < invariantBelow) {
      stack_[i] = loaded;
      continue;
    }
    llvm::PHINode *phi = llvm::PHINode::Create(loaded->getType(), 2, "", loop.loopHeader);
    if (enclosed)
      phi->addIncoming(stack_[i], from);
    phi->addIncoming(loaded, osrBlock_);
    if (i >= loop.height)
      loop.loopPhis.push_back(phi); // branches to the loop add their values
    else
      invariantPhis_.push_back(phi); // completed by completeOsrPhis()
    stack_[i] = phi;
  }
  b_.CreateBr(loop.loopHeader);
  lastMemoryLoad_ = nullptr;
  lastMemoryLoadValue_ = nullptr;
}

void FunctionTranslator::completeOsrPhis() {
  // Entries below the loop's frame are the same on every back-edge.
  for (llvm::PHINode *phi : invariantPhis_) {
    llvm::SmallVector<std::pair<llvm::BasicBlock *, llvm::Value *>, 2> entries;
    for (unsigned i = 0; i < phi->getNumIncomingValues(); ++i)
      entries.emplace_back(phi->getIncomingBlock(i), phi->getIncomingValue(i));
    while (phi->getNumIncomingValues())
      phi->removeIncomingValue(0u, /*DeletePHIIfEmpty=*/false);
    for (llvm::BasicBlock *pred : llvm::predecessors(phi->getParent())) {
      llvm::Value *value = phi;
      for (auto &[block, incoming] : entries)
        if (block == pred)
          value = incoming;
      phi->addIncoming(value, pred);
    }
  }
  invariantPhis_.clear();
}

} // namespace wasmrt::internal::compiler
