// Liveness of guarded-mode loads (TrappingLoads.h).
//
// Liveness is ADCE's, per function: instructions with effects and terminators
// must run, and whatever they use is needed, transitively. Two refinements
// see across the functions of the module, because inlining (eager chunks and
// artifacts compile several functions together) brings a callee's code into
// its caller:
// - a parameter its function never needs is "unread", and a value passed
//   only to unread parameters is dead (found to a fixpoint, as callees pass
//   arguments on);
// - a function whose return value is what keeps one of its loads (or a
//   callee's result) alive "returns a trap": where its caller drops that
//   result, inlining would make the load dead, so such a call is marked
//   noinline. Code that drops the result of a pure function is rare in
//   optimised Wasm, so this costs next to nothing.
#include "compiler/TrappingLoads.h"

#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>

#include <optional>

namespace wasmrt::internal::compiler {
namespace {

using ArgumentSet = llvm::DenseSet<const llvm::Argument *>;

// The parameter of a callee defined in this module that operand `use` of a
// call passes, or null.
const llvm::Argument *parameterPassed(const llvm::Use &use) {
  auto *call = llvm::dyn_cast<llvm::CallBase>(use.getUser());
  if (!call || !call->isArgOperand(&use))
    return nullptr;
  llvm::Function *callee = call->getCalledFunction();
  unsigned index = call->getArgOperandNo(&use);
  if (!callee || callee->isDeclaration() || index >= callee->arg_size())
    return nullptr;
  return callee->getArg(index);
}

bool definedCallee(const llvm::Value *value) {
  auto *call = llvm::dyn_cast<llvm::CallBase>(value);
  return call && call->getCalledFunction() && !call->getCalledFunction()->isDeclaration();
}

// The values of `function` something with an effect needs. With `returnIsUse`
// false, what the function returns counts as unused.
llvm::DenseSet<const llvm::Value *> neededValues(llvm::Function &function, bool returnIsUse,
                                                 const ArgumentSet &unread) {
  llvm::DenseSet<const llvm::Value *> needed;
  llvm::SmallPtrSet<llvm::Instruction *, 32> visited;
  llvm::SmallVector<llvm::Instruction *, 256> work;
  for (llvm::BasicBlock &block : function)
    for (llvm::Instruction &instruction : block)
      if (instruction.isTerminator() || instruction.mayHaveSideEffects())
        work.push_back(&instruction);
  while (!work.empty()) {
    llvm::Instruction *instruction = work.pop_back_val();
    if (!visited.insert(instruction).second)
      continue;
    if (!returnIsUse && llvm::isa<llvm::ReturnInst>(instruction))
      continue;
    for (const llvm::Use &use : instruction->operands()) {
      if (const llvm::Argument *parameter = parameterPassed(use); parameter && unread.contains(parameter))
        continue;
      if (!needed.insert(use.get()).second)
        continue;
      if (auto *def = llvm::dyn_cast<llvm::Instruction>(use.get()))
        work.push_back(def);
    }
  }
  return needed;
}

ArgumentSet unreadParameters(llvm::Module &module) {
  ArgumentSet unread;
  for (bool grew = true; grew;) {
    grew = false;
    for (llvm::Function &function : module) {
      if (function.isDeclaration() || function.arg_empty())
        continue;
      auto needed = neededValues(function, true, unread);
      for (const llvm::Argument &argument : function.args())
        if (!needed.contains(&argument))
          grew |= unread.insert(&argument).second;
    }
  }
  return unread;
}

bool isMarkedLoad(const llvm::Value *value, unsigned kind) {
  auto *load = llvm::dyn_cast<llvm::LoadInst>(value);
  return load && !load->isVolatile() && load->getMetadata(kind);
}

} // namespace

llvm::PreservedAnalyses KeepTrappingLoadsPass::run(llvm::Module &module,
                                                   llvm::ModuleAnalysisManager &) {
  unsigned kind = module.getContext().getMDKindID(kTrappingLoadMetadata);
  ArgumentSet unread = unreadParameters(module);
  bool changed = false;
  llvm::SmallPtrSet<const llvm::Function *, 16> returnsTrap;
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    auto needed = neededValues(function, true, unread);
    std::optional<llvm::DenseSet<const llvm::Value *>> neededWithoutReturn;
    for (llvm::BasicBlock &block : function) {
      for (llvm::Instruction &instruction : block) {
        bool load = isMarkedLoad(&instruction, kind);
        if (load && !needed.contains(&instruction)) {
          llvm::cast<llvm::LoadInst>(instruction).setVolatile(true);
          changed = true;
          continue;
        }
        if (function.getReturnType()->isVoidTy() || !(load || definedCallee(&instruction)) ||
            returnsTrap.contains(&function))
          continue;
        if (!neededWithoutReturn)
          neededWithoutReturn = neededValues(function, false, unread);
        if (!neededWithoutReturn->contains(&instruction))
          returnsTrap.insert(&function);
      }
    }
  }
  // Calls whose result nothing needs, of such a function, stay calls.
  if (returnsTrap.empty())
    return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    std::optional<llvm::DenseSet<const llvm::Value *>> needed;
    for (llvm::BasicBlock &block : function) {
      for (llvm::Instruction &instruction : block) {
        auto *call = llvm::dyn_cast<llvm::CallInst>(&instruction);
        if (!call || !call->getCalledFunction() ||
            !returnsTrap.contains(call->getCalledFunction()) || call->isNoInline())
          continue;
        if (!needed)
          needed = neededValues(function, true, unread);
        if (!needed->contains(call)) {
          call->setIsNoInline();
          changed = true;
        }
      }
    }
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

} // namespace wasmrt::internal::compiler
