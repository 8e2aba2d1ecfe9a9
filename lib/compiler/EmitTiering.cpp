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
// At a loop header the call also names the loop and returns the function's
// on-stack-replacement entry once that is compiled. The baseline code then
// stores its locals and its operand stack (loop parameters included) into a
// state buffer, one 16-byte slot each, calls the entry with the instance
// context, the buffer and the loop's index, and returns whatever the entry
// returns: the rest of the activation runs in optimized code, and the
// function's caller gets the results as if the baseline code had finished.
//
// The OSR entry is the whole function translated again with a different
// entry block: it loads the locals from the buffer and switches on the loop
// index to a block per loop that loads the operand stack and enters that
// loop. Every operand-stack entry at a loop head becomes a phi of the ways
// in: the OSR block, the ordinary path into the loop (the translation's,
// dead unless an enclosing loop or an earlier loop's exit leads there), and
// the back-edges. Entries below the loop's frame need phis too: entered
// through an inner loop's OSR block, an enclosing loop holds them in that
// inner loop's phis, not in its own. Code that only the function's real
// entry reaches is unreachable here and deleted by the optimiser. Both sides
// agree on the layout because both come from the same translation of the
// same body: the same locals, and at each loop the same operand stack (its
// height and types are fixed by validation). One entry per function serves
// all its loops, so a function is compiled at most twice when it tiers up.
#include "compiler/FunctionTranslator.h"
#include "compiler/IrPasses.h"

#include <fmt/format.h>
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

  // Every loop is a transfer point: a kernel's work is usually in an inner
  // loop whose outer loop iterates rarely (OSR at outermost loops only left
  // the kernels in baseline code: 2.6x native against 1.5x). Each point costs
  // baseline code and compile time (it stores every local).
  bool transfers = loop != kNoLoop;
  b_.SetInsertPoint(hot);
  b_.CreateAlignedStore(b_.getInt32(m_.options().osrCheckInterval), hotness_, llvm::Align(4))
      ->setAtomic(llvm::AtomicOrdering::Unordered);
  llvm::Value *osrEntry =
      b_.CreateCall(m_.tierUpEntry(), {m_.tierUpState(), b_.getInt32(funcIndex_),
                                       b_.getInt32(transfers ? loop : kNoLoop)});
  if (!transfers) {
    b_.CreateBr(cold);
  } else {
    auto *transfer = llvm::BasicBlock::Create(context_, "osr", function_);
    b_.CreateCondBr(b_.CreateIsNotNull(osrEntry), transfer, cold);
    b_.SetInsertPoint(transfer);
    emitOsrTransfer(osrEntry, loop);
  }
  b_.SetInsertPoint(cold);
}

void FunctionTranslator::emitOsrTransfer(llvm::Value *osrEntry, uint32_t loop) {
  // Allocated only on this path, once per activation that moves: a dynamic
  // alloca, so the baseline frame does not carry the buffer.
  size_t slots = locals_.size() + stack_.size();
  llvm::AllocaInst *state =
      b_.CreateAlloca(llvm::ArrayType::get(m_.i8Ty, slots * sizeof(abi::ValueSlot)));
  state->setAlignment(llvm::Align(16));
  // Marked, so that PruneDeadOsrStatePass can drop the stores of values the
  // loop never reads again once mem2reg has made the locals SSA values.
  llvm::MDNode *mark = llvm::MDNode::get(context_, {});
  auto storeSlot = [&](llvm::Value *value, size_t slot) {
    b_.CreateAlignedStore(value, stateSlot(state, slot), llvm::Align(16))
        ->setMetadata(kOsrStateStoreMetadata, mark);
  };
  for (size_t i = 0; i < locals_.size(); ++i)
    storeSlot(b_.CreateLoad(localTypes_[i], locals_[i]), i);
  for (size_t i = 0; i < stack_.size(); ++i)
    storeSlot(stack_[i], locals_.size() + i);
  auto *entryType = llvm::FunctionType::get(function_->getReturnType(),
                                            {m_.ptrTy, m_.ptrTy, m_.i32Ty}, false);
  llvm::CallInst *results = b_.CreateCall(entryType, osrEntry, {ctx_, state, b_.getInt32(loop)});
  function_->getReturnType()->isVoidTy() ? b_.CreateRetVoid() : b_.CreateRet(results);
}

void FunctionTranslator::beginOsrEntry() {
  auto *badLoop = llvm::BasicBlock::Create(context_, "", function_);
  osrSwitch_ = b_.CreateSwitch(function_->getArg(2), badLoop);
  b_.SetInsertPoint(badLoop);
  b_.CreateUnreachable();
  // The body is translated from here, into blocks nothing branches to until
  // the first loop.
  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "dead", function_));
}

void FunctionTranslator::enterOsrLoop(Frame &frame, uint32_t loop) {
  llvm::BasicBlock *from = b_.GetInsertBlock();
  b_.CreateBr(frame.loopHeader);
  auto *entry = llvm::BasicBlock::Create(context_, "osr", function_);
  osrSwitch_->addCase(b_.getInt32(loop), entry);
  b_.SetInsertPoint(entry);
  llvm::Value *state = function_->getArg(1);
  for (size_t i = 0; i < stack_.size(); ++i) {
    llvm::Value *loaded = b_.CreateAlignedLoad(
        stack_[i]->getType(), stateSlot(state, locals_.size() + i), llvm::Align(16));
    llvm::PHINode *phi = llvm::PHINode::Create(loaded->getType(), 2, "", frame.loopHeader);
    phi->addIncoming(stack_[i], from);
    phi->addIncoming(loaded, entry);
    // Branches to the loop add their values (addIncoming), for the entries
    // below the loop's frame too: they are what the branch sees there.
    (i >= frame.height ? frame.loopPhis : frame.osrBelowPhis).push_back(phi);
    stack_[i] = phi;
  }
  b_.CreateBr(frame.loopHeader);
}

} // namespace wasmrt::internal::compiler
