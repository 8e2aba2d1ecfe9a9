// Liveness of the values an OSR transfer stores (IrPasses.h).
//
// Each stored value's live-in blocks are found by walking backwards from its
// uses to its definition, the usual SSA way, so the work is the size of the
// live ranges (what the register allocator walks anyway), not blocks times
// values. Uses inside transfer blocks do not count: a transfer block only
// stores and returns.
#include "compiler/IrPasses.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>

#include <vector>

namespace wasmrt::internal::compiler {
namespace {

struct TransferStore {
  llvm::StoreInst *store;
  llvm::BasicBlock *continuation; // where execution goes on without a transfer
};

// The block a transfer block's check branches to when no OSR entry is ready:
// transfer <- hot (condbr entry != null, transfer, continuation).
llvm::BasicBlock *continuationOf(llvm::BasicBlock *transfer) {
  llvm::BasicBlock *hot = transfer->getSinglePredecessor();
  if (!hot)
    return nullptr;
  auto *branch = llvm::dyn_cast<llvm::BranchInst>(hot->getTerminator());
  if (!branch || !branch->isConditional())
    return nullptr;
  return branch->getSuccessor(0) == transfer ? branch->getSuccessor(1) : branch->getSuccessor(0);
}

class LiveInWalker {
public:
  explicit LiveInWalker(llvm::Function &function) {
    unsigned index = 0;
    for (llvm::BasicBlock &block : function)
      blockIndex_[&block] = index++;
    stamp_.assign(index, 0);
  }

  // Marks the blocks `value` is live into, ignoring uses in `transfers`.
  // Afterwards isLiveIn answers for this value until the next call.
  void walk(llvm::Value *value, const llvm::DenseMap<llvm::BasicBlock *, bool> &transfers) {
    ++current_;
    auto *def = llvm::dyn_cast<llvm::Instruction>(value);
    llvm::BasicBlock *defBlock = def ? def->getParent() : nullptr;
    llvm::SmallVector<llvm::BasicBlock *, 32> work;
    auto liveAtEndOf = [&](llvm::BasicBlock *block) {
      if (block != defBlock)
        work.push_back(block);
    };
    for (llvm::Use &use : value->uses()) {
      auto *user = llvm::dyn_cast<llvm::Instruction>(use.getUser());
      if (!user || transfers.count(user->getParent()))
        continue;
      if (auto *phi = llvm::dyn_cast<llvm::PHINode>(user))
        liveAtEndOf(phi->getIncomingBlock(use));
      else if (user->getParent() != defBlock)
        work.push_back(user->getParent());
    }
    while (!work.empty()) {
      llvm::BasicBlock *block = work.pop_back_val();
      unsigned &mark = stamp_[blockIndex_[block]];
      if (mark == current_)
        continue;
      mark = current_;
      for (llvm::BasicBlock *pred : llvm::predecessors(block))
        liveAtEndOf(pred);
    }
  }
  bool isLiveIn(llvm::BasicBlock *block) const {
    auto found = blockIndex_.find(block);
    return found != blockIndex_.end() && stamp_[found->second] == current_;
  }

private:
  llvm::DenseMap<llvm::BasicBlock *, unsigned> blockIndex_;
  std::vector<unsigned> stamp_;
  unsigned current_ = 0;
};

} // namespace

llvm::PreservedAnalyses PruneDeadOsrStatePass::run(llvm::Function &function,
                                                   llvm::FunctionAnalysisManager &) {
  unsigned kind = function.getContext().getMDKindID(kOsrStateStoreMetadata);
  llvm::DenseMap<llvm::BasicBlock *, bool> transfers;
  // Per stored value, the stores of it and where each transfer's loop goes on.
  llvm::DenseMap<llvm::Value *, llvm::SmallVector<TransferStore, 2>> storesByValue;
  std::vector<llvm::Value *> order; // deterministic output
  for (llvm::BasicBlock &block : function) {
    for (llvm::Instruction &instruction : block) {
      auto *store = llvm::dyn_cast<llvm::StoreInst>(&instruction);
      if (!store || !store->getMetadata(kind))
        continue;
      llvm::BasicBlock *continuation = continuationOf(&block);
      if (!continuation)
        continue; // not the shape EmitTiering makes: leave it alone
      transfers[&block] = true;
      llvm::Value *value = store->getValueOperand();
      if (!llvm::isa<llvm::Instruction>(value) && !llvm::isa<llvm::Argument>(value))
        continue; // constants cost no register
      auto &stores = storesByValue[value];
      if (stores.empty())
        order.push_back(value);
      stores.push_back({store, continuation});
    }
  }
  if (order.empty())
    return llvm::PreservedAnalyses::all();

  LiveInWalker walker(function);
  std::vector<llvm::StoreInst *> dead;
  for (llvm::Value *value : order) {
    walker.walk(value, transfers);
    for (const TransferStore &transfer : storesByValue[value])
      if (!walker.isLiveIn(transfer.continuation))
        dead.push_back(transfer.store);
  }
  for (llvm::StoreInst *store : dead)
    store->eraseFromParent();
  if (dead.empty())
    return llvm::PreservedAnalyses::all();
  llvm::PreservedAnalyses preserved;
  preserved.preserveSet<llvm::CFGAnalyses>();
  return preserved;
}

} // namespace wasmrt::internal::compiler
