// Liveness of guarded-mode loads (IrPasses.h).
//
// Liveness is ADCE's, per function: instructions with effects and terminators
// must run, and whatever they use is needed, transitively. Two refinements
// see across the functions of the module, because inlining (eager chunks and
// artifacts compile several functions together) brings a callee's code into
// its caller:
// - a parameter is needed for effects, only for the function's result, or
//   not at all (to a fixpoint, as functions pass arguments on); an argument
//   is needed as its parameter is, the second kind only if the call's result
//   is needed: a value that only flows through a callee into a dropped
//   result is dead once the callee is inlined;
// - a function whose return value is what keeps one of its loads (or a
//   callee's result) alive "returns a trap": where its caller drops that
//   result, inlining would make the load dead, so such a call is marked
//   noinline. Code that drops the result of a pure function is rare in
//   optimised Wasm, so this costs next to nothing.
#include "compiler/IrPasses.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PatternMatch.h>

#include <optional>

namespace wasmrt::internal::compiler {
namespace {

// What a parameter of a function of this module is needed for.
enum class Need { Effects, ReturnOnly, Nothing };
using ParameterNeeds = llvm::DenseMap<const llvm::Argument *, Need>;

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

// Whether `a` and `b` compute the same value from the same inputs, as EarlyCSE
// and GVN will find (`(t << 5) + t` written twice): equal, or the same pure
// arithmetic on such operands, a few levels deep. Loads and calls never match
// (memory may change between them).
bool sameValue(const llvm::Value *a, const llvm::Value *b, unsigned depth = 4) {
  if (a == b)
    return true;
  auto *left = llvm::dyn_cast<llvm::Instruction>(a);
  auto *right = llvm::dyn_cast<llvm::Instruction>(b);
  if (!left || !right || depth == 0 || !left->isSameOperationAs(right) ||
      left->mayReadOrWriteMemory() || left->mayHaveSideEffects() ||
      llvm::isa<llvm::PHINode>(left) || left->getNumOperands() != right->getNumOperands())
    return false;
  for (unsigned i = 0; i < left->getNumOperands(); ++i)
    if (!sameValue(left->getOperand(i), right->getOperand(i), depth - 1))
      return false;
  return true;
}

// Whether `instruction`'s result does not depend on its operands' values:
// InstCombine folds it to a constant and deletes what only it used, such as
// `(i32.xor (local.tee $x (i32.load ...)) (local.get $x))`.
bool ignoresOperands(const llvm::Instruction &instruction) {
  if (auto *binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction)) {
    llvm::Value *left = binary->getOperand(0), *right = binary->getOperand(1);
    switch (binary->getOpcode()) {
    case llvm::Instruction::Xor:
    case llvm::Instruction::Sub: return sameValue(left, right);
    case llvm::Instruction::And:
    case llvm::Instruction::Mul:
      return llvm::PatternMatch::match(left, llvm::PatternMatch::m_Zero()) ||
             llvm::PatternMatch::match(right, llvm::PatternMatch::m_Zero());
    default: return false;
    }
  }
  if (auto *compare = llvm::dyn_cast<llvm::ICmpInst>(&instruction))
    return sameValue(compare->getOperand(0), compare->getOperand(1));
  return false;
}

// The values of `function` something with an effect needs. With `returnIsUse`
// false, what the function returns counts as unused. An argument of a call
// is needed as its parameter is: always, only if the call's result is needed
// (a parameter the callee needs only to compute its result), or never.
llvm::DenseSet<const llvm::Value *> neededValues(llvm::Function &function, bool returnIsUse,
                                                 const ParameterNeeds &needs) {
  llvm::DenseSet<const llvm::Value *> needed;
  // Each instruction is visited at most twice: because it runs (an effect or
  // a terminator) and because its value is needed.
  llvm::SmallPtrSet<llvm::Instruction *, 32> ran, valued;
  llvm::SmallVector<std::pair<llvm::Instruction *, bool>, 256> work;
  for (llvm::BasicBlock &block : function)
    for (llvm::Instruction &instruction : block)
      if (instruction.isTerminator() || instruction.mayHaveSideEffects())
        work.push_back({&instruction, false});
  while (!work.empty()) {
    auto [instruction, asValue] = work.pop_back_val();
    if (!(asValue ? valued : ran).insert(instruction).second)
      continue;
    if (!returnIsUse && llvm::isa<llvm::ReturnInst>(instruction))
      continue;
    if (ignoresOperands(*instruction))
      continue;
    for (const llvm::Use &use : instruction->operands()) {
      if (const llvm::Argument *parameter = parameterPassed(use)) {
        auto found = needs.find(parameter);
        Need need = found == needs.end() ? Need::Effects : found->second;
        if (need == Need::Nothing || (need == Need::ReturnOnly && !asValue))
          continue;
      }
      if (!needed.insert(use.get()).second)
        continue;
      if (auto *def = llvm::dyn_cast<llvm::Instruction>(use.get()))
        work.push_back({def, true});
    }
  }
  return needed;
}

// Starts from "every parameter is needed for effects" and lowers what the
// functions' liveness shows until nothing changes: lowering one function's
// parameters can only lower its callers'. (Past a bound on the rounds, which
// real modules do not reach, every parameter counts as needed: safe.)
ParameterNeeds parameterNeeds(llvm::Module &module) {
  ParameterNeeds needs;
  for (unsigned round = 0; round < 32; ++round) {
    bool changed = false;
    for (llvm::Function &function : module) {
      if (function.isDeclaration() || function.arg_empty())
        continue;
      auto forEffects = neededValues(function, false, needs);
      auto forAnything = neededValues(function, true, needs);
      for (const llvm::Argument &argument : function.args()) {
        Need need = forEffects.contains(&argument)     ? Need::Effects
                    : forAnything.contains(&argument) ? Need::ReturnOnly
                                                      : Need::Nothing;
        auto [entry, added] = needs.try_emplace(&argument, Need::Effects);
        if (entry->second != need) {
          entry->second = need;
          changed = true;
        }
      }
    }
    if (!changed)
      return needs;
  }
  return ParameterNeeds();
}

bool isMarkedLoad(const llvm::Value *value, unsigned kind) {
  auto *load = llvm::dyn_cast<llvm::LoadInst>(value);
  return load && !load->isVolatile() && load->getMetadata(kind);
}

} // namespace

llvm::PreservedAnalyses KeepTrappingLoadsPass::run(llvm::Module &module,
                                                   llvm::ModuleAnalysisManager &) {
  unsigned kind = module.getContext().getMDKindID(kTrappingLoadMetadata);
  ParameterNeeds needs = parameterNeeds(module);
  bool changed = false;
  llvm::SmallPtrSet<const llvm::Function *, 16> returnsTrap;
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    auto needed = neededValues(function, true, needs);
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
          neededWithoutReturn = neededValues(function, false, needs);
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
          needed = neededValues(function, true, needs);
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
