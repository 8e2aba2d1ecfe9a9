// Structured control flow: blocks, loops, if/else, branches and returns.
//
// Every frame gets a detached continuation block with one phi per result.
// Branches add incoming values per CFG edge (LLVM wants one phi entry per
// edge, so br_table adds one per case). At `end`, a frame nobody branched to
// simply keeps its results on the operand stack and the current block goes
// on; otherwise the continuation is inserted and its phis become the stack.
// Branches to the function's label and `return` emit `ret` directly.
#include "compiler/FunctionTranslator.h"

#include <algorithm>

namespace wasmrt::internal::compiler {

void FunctionTranslator::blockSignature(const BlockType &type, std::span<const ValType> &params,
                                        std::span<const ValType> &results) const {
  switch (type.kind) {
  case BlockType::Kind::Empty:
    params = {};
    results = {};
    return;
  case BlockType::Kind::Value:
    params = {};
    results = std::span<const ValType>(&type.valueType, 1);
    return;
  case BlockType::Kind::TypeIndex: {
    const FuncType &funcType = m_.wasm().types[type.typeIndex];
    params = funcType.params;
    results = funcType.results;
    return;
  }
  }
}

FunctionTranslator::Frame &FunctionTranslator::pushFrame(FrameKind kind,
                                                         std::span<const ValType> params,
                                                         std::span<const ValType> results) {
  Frame &frame = frames_.emplace_back();
  frame.kind = kind;
  frame.numParams = uint32_t(params.size());
  frame.numResults = uint32_t(results.size());
  frame.height = stack_.size() - params.size();
  frame.endBlock = llvm::BasicBlock::Create(context_, "end");
  for (ValType result : results)
    frame.endPhis.push_back(llvm::PHINode::Create(m_.valType(result), 2, "", frame.endBlock));
  if (variant_.osrEntry && kind != FrameKind::Function) {
    // An OSR entry may enter a loop inside this frame: what lies below the
    // frame then differs between the ways through it (EmitTiering.cpp).
    for (size_t i = 0; i < frame.height; ++i)
      frame.endBelowPhis.push_back(
          llvm::PHINode::Create(stack_[i]->getType(), 2, "", frame.endBlock));
    frame.belowAtEntry.assign(stack_.begin(), stack_.begin() + ptrdiff_t(frame.height));
  }
  return frame;
}

void FunctionTranslator::emitBlock(const Instr &in) {
  std::span<const ValType> params, results;
  blockSignature(in.blockType, params, results);
  pushFrame(FrameKind::Block, params, results);
}

void FunctionTranslator::emitLoop(const Instr &in) {
  std::span<const ValType> params, results;
  blockSignature(in.blockType, params, results);
  Frame &frame = pushFrame(FrameKind::Loop, params, results);
  frame.loopHeader = llvm::BasicBlock::Create(context_, "loop", function_);
  // An OSR entry enters the function here (EmitTiering.cpp).
  if (variant_.osrEntry) {
    enterOsrLoop(frame, loopsEmitted_);
  } else {
    llvm::BasicBlock *from = b_.GetInsertBlock();
    for (size_t i = 0; i < params.size(); ++i) {
      llvm::PHINode *phi =
          llvm::PHINode::Create(m_.valType(params[i]), 2, "", frame.loopHeader);
      phi->addIncoming(stack_[frame.height + i], from);
      frame.loopPhis.push_back(phi);
      stack_[frame.height + i] = phi;
    }
    b_.CreateBr(frame.loopHeader);
  }
  uint32_t loop = loopsEmitted_++;
  b_.SetInsertPoint(frame.loopHeader);
  if (m_.options().epochInterruption)
    emitEpochCheck();
  if (variant_.countHotness)
    emitHotnessCount(loop);
}

void FunctionTranslator::emitIf(const Instr &in) {
  llvm::Value *condition = pop();
  std::span<const ValType> params, results;
  blockSignature(in.blockType, params, results);
  Frame &frame = pushFrame(FrameKind::If, params, results);
  auto *thenBlock = llvm::BasicBlock::Create(context_, "then", function_);
  frame.elseBlock = llvm::BasicBlock::Create(context_, "else");
  frame.ifParams.assign(stack_.begin() + ptrdiff_t(frame.height), stack_.end());
  b_.CreateCondBr(b_.CreateICmpNE(condition, b_.getInt32(0)), thenBlock, frame.elseBlock);
  b_.SetInsertPoint(thenBlock);
}

void FunctionTranslator::emitElse() {
  Frame &frame = frames_.back();
  if (reachable_) {
    addIncoming(frame, b_.GetInsertBlock());
    b_.CreateBr(frame.endBlock);
  }
  restoreBelow(frame);
  stack_.insert(stack_.end(), frame.ifParams.begin(), frame.ifParams.end());
  frame.elseBlock->insertInto(function_);
  b_.SetInsertPoint(frame.elseBlock);
  frame.elseBlock = nullptr;
  frame.kind = FrameKind::Else;
  reachable_ = true;
}

void FunctionTranslator::emitEnd() {
  Frame &frame = frames_.back();
  bool branchedTo = !frame.endBlock->hasNPredecessors(0);
  if (frame.kind == FrameKind::Function) {
    if (reachable_ && !branchedTo) {
      llvm::Value *result = m_.packResults(b_, top(frame.numResults), function_->getReturnType());
      result ? b_.CreateRet(result) : b_.CreateRetVoid();
      reachable_ = false;
    } else if (reachable_) {
      addIncoming(frame, b_.GetInsertBlock());
      b_.CreateBr(frame.endBlock);
    }
    if (!frame.endBlock->hasNPredecessors(0)) {
      frame.endBlock->insertInto(function_);
      b_.SetInsertPoint(frame.endBlock);
      llvm::SmallVector<llvm::Value *, 4> values(frame.endPhis.begin(), frame.endPhis.end());
      llvm::Value *result = m_.packResults(b_, values, function_->getReturnType());
      result ? b_.CreateRet(result) : b_.CreateRetVoid();
    } else {
      delete frame.endBlock;
    }
    frames_.pop_back();
    return;
  }
  if (reachable_ && !branchedTo && !frame.elseBlock) {
    // Nothing branches here: the results stay where they are.
    delete frame.endBlock;
    stack_.erase(stack_.begin() + ptrdiff_t(frame.height),
                 stack_.end() - ptrdiff_t(frame.numResults));
    frames_.pop_back();
    return;
  }
  if (reachable_) {
    addIncoming(frame, b_.GetInsertBlock());
    b_.CreateBr(frame.endBlock);
  }
  if (frame.elseBlock) {
    // An `if` without `else` passes its parameters through as results.
    frame.elseBlock->insertInto(function_);
    b_.SetInsertPoint(frame.elseBlock);
    restoreBelow(frame);
    stack_.insert(stack_.end(), frame.ifParams.begin(), frame.ifParams.end());
    addIncoming(frame, frame.elseBlock);
    b_.CreateBr(frame.endBlock);
  }
  closeFrame(frame);
  frames_.pop_back();
}

void FunctionTranslator::closeFrame(Frame &frame) {
  stack_.resize(frame.height);
  if (frame.endBlock->hasNPredecessors(0)) {
    delete frame.endBlock;
    markUnreachable();
    return;
  }
  frame.endBlock->insertInto(function_);
  b_.SetInsertPoint(frame.endBlock);
  std::copy(frame.endBelowPhis.begin(), frame.endBelowPhis.end(), stack_.begin());
  stack_.insert(stack_.end(), frame.endPhis.begin(), frame.endPhis.end());
  reachable_ = true;
}

void FunctionTranslator::restoreBelow(const Frame &frame) {
  stack_.resize(frame.height);
  std::copy(frame.belowAtEntry.begin(), frame.belowAtEntry.end(), stack_.begin());
}

llvm::BasicBlock *FunctionTranslator::branchTarget(Frame &frame) {
  return frame.kind == FrameKind::Loop ? frame.loopHeader : frame.endBlock;
}

void FunctionTranslator::addIncoming(Frame &frame, llvm::BasicBlock *from) {
  if (frame.kind == FrameKind::Loop) {
    std::span<llvm::Value *const> values = top(frame.numParams);
    for (size_t i = 0; i < values.size(); ++i)
      frame.loopPhis[i]->addIncoming(values[i], from);
    for (size_t i = 0; i < frame.osrBelowPhis.size(); ++i)
      frame.osrBelowPhis[i]->addIncoming(stack_[i], from);
  } else {
    std::span<llvm::Value *const> values = top(frame.numResults);
    for (size_t i = 0; i < values.size(); ++i)
      frame.endPhis[i]->addIncoming(values[i], from);
    for (size_t i = 0; i < frame.endBelowPhis.size(); ++i)
      frame.endBelowPhis[i]->addIncoming(stack_[i], from);
  }
}

void FunctionTranslator::markUnreachable() {
  reachable_ = false;
  skipDepth_ = 0;
}

void FunctionTranslator::emitReturn() {
  llvm::Value *result =
      m_.packResults(b_, top(type_->results.size()), function_->getReturnType());
  result ? b_.CreateRet(result) : b_.CreateRetVoid();
  markUnreachable();
}

void FunctionTranslator::emitBr(uint32_t depth) {
  Frame &frame = frameAt(depth);
  if (frame.kind == FrameKind::Function) {
    emitReturn();
    return;
  }
  addIncoming(frame, b_.GetInsertBlock());
  b_.CreateBr(branchTarget(frame));
  markUnreachable();
}

void FunctionTranslator::emitBrIf(uint32_t depth) {
  llvm::Value *condition = b_.CreateICmpNE(pop(), b_.getInt32(0));
  Frame &frame = frameAt(depth);
  auto *next = llvm::BasicBlock::Create(context_, "", function_);
  if (frame.kind == FrameKind::Function) {
    auto *returnBlock = llvm::BasicBlock::Create(context_, "", function_);
    b_.CreateCondBr(condition, returnBlock, next);
    b_.SetInsertPoint(returnBlock);
    emitReturn();
    reachable_ = true;
  } else {
    addIncoming(frame, b_.GetInsertBlock());
    b_.CreateCondBr(condition, branchTarget(frame), next);
  }
  b_.SetInsertPoint(next);
}

void FunctionTranslator::emitBrTable(std::span<const uint32_t> targets) {
  llvm::Value *index = pop();
  uint32_t defaultDepth = targets.back();
  if (std::all_of(targets.begin(), targets.end(),
                  [&](uint32_t depth) { return depth == defaultDepth; })) {
    emitBr(defaultDepth);
    return;
  }
  llvm::BasicBlock *from = b_.GetInsertBlock();
  llvm::BasicBlock *returnBlock = nullptr;
  auto edgeTo = [&](uint32_t depth) -> llvm::BasicBlock * {
    Frame &frame = frameAt(depth);
    if (frame.kind == FrameKind::Function) {
      if (!returnBlock)
        returnBlock = llvm::BasicBlock::Create(context_, "", function_);
      return returnBlock;
    }
    addIncoming(frame, from);
    return branchTarget(frame);
  };
  llvm::SwitchInst *branch =
      b_.CreateSwitch(index, edgeTo(defaultDepth), unsigned(targets.size() - 1));
  for (size_t i = 0; i + 1 < targets.size(); ++i)
    branch->addCase(b_.getInt32(uint32_t(i)), edgeTo(targets[i]));
  if (returnBlock) {
    b_.SetInsertPoint(returnBlock);
    emitReturn();
  }
  markUnreachable();
}

void FunctionTranslator::emitUnreachable() {
  b_.CreateBr(trapBlock(abi::TrapKind::Unreachable));
  markUnreachable();
}

} // namespace wasmrt::internal::compiler
