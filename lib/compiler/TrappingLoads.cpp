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
// Above -O0 all of it is computed on folded copies of the functions
// (AnalysedFunction). AnchorTrappingLoadsPass, at the end, keeps needed
// loads where they are.
#include "compiler/IrPasses.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/ADCE.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/KnownBits.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

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

// The value each instruction of a function will be once InstSimplify,
// InstCombine's constant folds and CSE have run: a constant (`x xor x`,
// `(x << 5) & 31`), another value (`0 + x` is `x`), an earlier instruction
// that computes the same thing from the same values (EarlyCSE and GVN merge
// them), or itself. Liveness follows these representatives instead of the
// operands as written, so a load is needed only if its value still reaches an
// effect after those folds; otherwise LLVM would delete it together with its
// trap. Loads, calls and phis stand for themselves: memory may change between
// two loads, and a phi's incoming values are numbered after it.
class ValueNumbering {
public:
  // Without `modelFolds` every value stands for itself (-O0: no InstCombine).
  ValueNumbering(llvm::Function &function, bool modelFolds)
      : query_(function.getParent()->getDataLayout()) {
    if (!modelFolds)
      return;
    llvm::ReversePostOrderTraversal<llvm::Function *> order(&function);
    for (llvm::BasicBlock *block : order)
      for (llvm::Instruction &instruction : *block)
        number(instruction);
  }

  // What `value` will be: a constant, or a value that stands for itself.
  llvm::Value *representative(llvm::Value *value) const {
    auto found = representatives_.find(value);
    return found == representatives_.end() ? value : found->second;
  }

private:
  void number(llvm::Instruction &instruction) {
    if (auto *phi = llvm::dyn_cast<llvm::PHINode>(&instruction)) {
      if (llvm::Value *same = sameIncoming(*phi))
        representatives_[phi] = same;
      return;
    }
    if (instruction.mayReadOrWriteMemory() || instruction.mayHaveSideEffects() ||
        instruction.getType()->isVoidTy() || instruction.isTerminator())
      return;
    llvm::Value *simplified = simplify(instruction);
    if (!simplified && instruction.getType()->isIntOrIntVectorTy()) {
      llvm::KnownBits known = llvm::computeKnownBits(&instruction, query_.DL);
      if (known.isConstant())
        simplified = llvm::Constant::getIntegerValue(instruction.getType(), known.getConstant());
    }
    if (!simplified)
      simplified = sameComputation(instruction);
    if (simplified && simplified != &instruction)
      representatives_[&instruction] = representative(simplified);
  }

  // The one representative of all of `phi`'s incoming values other than
  // itself, or null: such a phi folds away (a local a loop does not change).
  // Values on back edges are not numbered yet, so they count as themselves.
  llvm::Value *sameIncoming(llvm::PHINode &phi) const {
    llvm::Value *same = nullptr;
    for (llvm::Value *incoming : phi.incoming_values()) {
      llvm::Value *value = representative(incoming);
      if (value == &phi)
        continue;
      if (same && value != same)
        return nullptr;
      same = value;
    }
    return same;
  }

  // InstSimplify's answer for `instruction` with its operands replaced by
  // their representatives, or null.
  llvm::Value *simplify(llvm::Instruction &instruction) {
    auto operand = [&](unsigned i) { return representative(instruction.getOperand(i)); };
    if (auto *binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction);
        binary && !instruction.getType()->isFPOrFPVectorTy())
      return llvm::simplifyBinOp(binary->getOpcode(), operand(0), operand(1), query_);
    if (auto *compare = llvm::dyn_cast<llvm::ICmpInst>(&instruction))
      return llvm::simplifyICmpInst(compare->getPredicate(), operand(0), operand(1), query_);
    if (auto *cast = llvm::dyn_cast<llvm::CastInst>(&instruction))
      return llvm::simplifyCastInst(cast->getOpcode(), operand(0), cast->getType(), query_);
    if (llvm::isa<llvm::SelectInst>(instruction))
      return llvm::simplifySelectInst(operand(0), operand(1), operand(2), query_);
    return nullptr;
  }

  // An earlier instruction that is the same operation on the same
  // representatives, or null (and `instruction` is remembered as the first).
  llvm::Value *sameComputation(llvm::Instruction &instruction) {
    std::vector<const void *> key{reinterpret_cast<const void *>(
                                      static_cast<uintptr_t>(instruction.getOpcode())),
                                  instruction.getType()};
    if (auto *compare = llvm::dyn_cast<llvm::CmpInst>(&instruction))
      key.push_back(reinterpret_cast<const void *>(
          static_cast<uintptr_t>(compare->getPredicate())));
    for (llvm::Value *operand : instruction.operands())
      key.push_back(representative(operand));
    auto [entry, added] = computations_.try_emplace(std::move(key), &instruction);
    return added ? nullptr : entry->second;
  }

  llvm::SimplifyQuery query_;
  llvm::DenseMap<const llvm::Value *, llvm::Value *> representatives_;
  std::map<std::vector<const void *>, llvm::Instruction *> computations_;
};

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
    for (const llvm::Use &use : instruction->operands()) {
      if (const llvm::Argument *parameter = parameterPassed(use)) {
        auto found = needs.find(parameter);
        Need need = found == needs.end() ? Need::Effects : found->second;
        if (need == Need::Nothing || (need == Need::ReturnOnly && !asValue))
          continue;
      }
      llvm::Value *value = use.get();
      if (!needed.insert(value).second)
        continue;
      if (auto *def = llvm::dyn_cast<llvm::Instruction>(value))
        work.push_back({def, true});
    }
  }
  return needed;
}

using Functions = llvm::SmallPtrSet<const llvm::Function *, 16>;

// The functions of the module that do nothing but compute a result: no
// instruction with an effect (no store, no trap, no volatile access, no call
// outside the module) other than calls of such functions, and no guarded
// load. Once inlined, a call of one whose result nothing needs is gone, and
// so is a branch that only decides whether to make it: `if (load) (call
// $nop)` does not keep its load. (The largest such set: a cycle of calls
// among such functions counts as pure, which can only make more loads
// volatile.)
Functions pureFunctions(llvm::ArrayRef<llvm::Function *> definitions, unsigned kind) {
  Functions pure(definitions.begin(), definitions.end());
  for (bool changed = true; changed;) {
    changed = false;
    for (llvm::Function *function : definitions) {
      if (!pure.contains(function))
        continue;
      for (llvm::Instruction &instruction : llvm::instructions(*function)) {
        auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction);
        bool effect = instruction.mayHaveSideEffects() &&
                      !(call && pure.contains(call->getCalledFunction()));
        if (effect || (llvm::isa<llvm::LoadInst>(instruction) && instruction.getMetadata(kind))) {
          pure.erase(function);
          changed = true;
          break;
        }
      }
    }
  }
  return pure;
}

// A function as liveness sees it. Above -O0, that is a copy run through
// EarlyCSE, SimplifyCFG, InstCombine, ADCE and SimplifyCFG again, because
// those folds decide what survives: `(a + b) xor (m xor (a + b))` is `m`, the
// condition of a branch to an empty `if` goes with the branch (also once the
// dead code in the `if` is gone, or when both arms go back to the same place),
// a parameter tested only to choose what to return becomes a select. Pure
// functions are inlined into the copy first (up to a budget), as the inliner
// would: `(if (load) (then (local.set $x (call $canon (f64.const 63))))
// (else (local.set $x (call $canon (f64.const 63)))))` is `63` on both arms
// only then. Calls of pure functions left are marked as such (read-only,
// returning), so the folds delete those whose result is unused. The copy's
// remaining calls still name the module's functions, so parameter needs stay
// keyed by the originals' arguments.
class AnalysedFunction {
public:
  AnalysedFunction(llvm::Function &original, bool fold, const Functions &pure,
                   llvm::FunctionAnalysisManager &analyses)
      : original_(original), view_(&original), analyses_(analyses) {
    if (!fold)
      return;
    view_ = llvm::CloneFunction(&original, copies_);
    llvm::SmallVector<llvm::CallBase *, 16> calls;
    for (llvm::Instruction &instruction : llvm::instructions(*view_))
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&instruction);
          call && pure.contains(call->getCalledFunction()))
        calls.push_back(call);
    // Instructions inlined at most: a bound on the copy's size (recursion).
    size_t budget = 4 * original.getInstructionCount() + 256;
    while (!calls.empty()) {
      llvm::CallBase *call = calls.pop_back_val();
      llvm::Function *callee = call->getCalledFunction();
      size_t size = callee->getInstructionCount();
      if (size <= budget) {
        llvm::InlineFunctionInfo inlined;
        if (llvm::InlineFunction(*call, inlined).isSuccess()) {
          budget -= size;
          for (llvm::CallBase *inner : inlined.InlinedCallSites)
            if (pure.contains(inner->getCalledFunction()))
              calls.push_back(inner);
          continue;
        }
      }
      call->setOnlyReadsMemory();
      call->setDoesNotThrow();
      call->addFnAttr(llvm::Attribute::WillReturn);
    }
    llvm::FunctionPassManager folds;
    folds.addPass(llvm::EarlyCSEPass());
    folds.addPass(llvm::SimplifyCFGPass());
    folds.addPass(llvm::InstCombinePass());
    folds.addPass(llvm::ADCEPass());
    // As at the end of -O2 (Pipeline.cpp): arms that end alike, even in
    // calls, are merged, and a branch between two empty arms folds away.
    folds.addPass(llvm::SimplifyCFGPass(
        llvm::SimplifyCFGOptions().hoistCommonInsts(true).sinkCommonInsts(true)));
    folds.run(*view_, analyses_);
  }
  AnalysedFunction(const AnalysedFunction &) = delete;
  AnalysedFunction &operator=(const AnalysedFunction &) = delete;
  ~AnalysedFunction() {
    if (view_ == &original_)
      return;
    analyses_.clear(*view_, view_->getName());
    view_->eraseFromParent();
  }

  llvm::Function &original() const { return original_; }
  llvm::Function &view() const { return *view_; }
  const llvm::Argument *viewArgument(unsigned index) const { return view_->getArg(index); }

  // What the view has in place of the original's `value`: itself, what the
  // folds replaced it with, or null where they deleted it.
  llvm::Value *inView(llvm::Value *value) const {
    if (view_ == &original_)
      return value;
    auto found = copies_.find(value);
    return found == copies_.end() ? nullptr : static_cast<llvm::Value *>(found->second);
  }

private:
  llvm::Function &original_;
  llvm::Function *view_;
  llvm::FunctionAnalysisManager &analyses_;
  llvm::ValueToValueMapTy copies_;
};

using AnalysedFunctions = std::vector<std::unique_ptr<AnalysedFunction>>;

// Starts from "every parameter is needed for effects" and lowers what the
// functions' liveness shows until nothing changes: lowering one function's
// parameters can only lower its callers'. (Past a bound on the rounds, which
// real modules do not reach, every parameter counts as needed: safe.)
ParameterNeeds parameterNeeds(const AnalysedFunctions &functions) {
  ParameterNeeds needs;
  for (unsigned round = 0; round < 32; ++round) {
    bool changed = false;
    for (const auto &function : functions) {
      if (function->original().arg_empty())
        continue;
      auto forEffects = neededValues(function->view(), false, needs);
      auto forAnything = neededValues(function->view(), true, needs);
      for (const llvm::Argument &argument : function->original().args()) {
        const llvm::Argument *seen = function->viewArgument(argument.getArgNo());
        Need need = forEffects.contains(seen)     ? Need::Effects
                    : forAnything.contains(seen) ? Need::ReturnOnly
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

// Whether `load`'s value must be computed in the load's own block after
// LLVM's folds: something in that block with an effect, its terminator, or a
// phi on an edge leaving it needs the value, through pure instructions of the
// block. Otherwise InstCombine and MachineSink move the load (with what uses
// it) into the block that uses it, where it runs only if that block does, or
// past a later trap check of the block: `x = load; if (c) store x` must trap
// also when c is false. Without `modelFolds` (-O0), the condition of a
// conditional branch or switch does not hold a load: nothing models what
// CodeGenPrepare (which FastISel at CodeGenOptLevel::Less, the baseline
// tier's large functions, runs first) folds, and it folds a branch whose
// targets turn out to be the same, deleting the load with its condition.
bool anchoredInBlock(const llvm::LoadInst &load, const ValueNumbering &numbering,
                     bool modelFolds) {
  const llvm::BasicBlock *block = load.getParent();
  // Each value with whether it got there through an `and` or `or`: code
  // generation splits a branch on `a and b` (or `a or b`) into two branches
  // (SelectionDAG's merged conditions), the second in a block of its own,
  // and MachineSink then moves a load that only the second needs into it.
  llvm::SmallVector<std::pair<const llvm::Instruction *, bool>, 16> work{{&load, false}};
  llvm::SmallPtrSet<const llvm::Instruction *, 16> seen[2];
  seen[0].insert(&load);
  while (!work.empty()) {
    auto [value, combined] = work.pop_back_val();
    for (const llvm::Use &use : value->uses()) {
      auto *user = llvm::cast<llvm::Instruction>(use.getUser());
      llvm::Value *becomes = numbering.representative(user);
      if (llvm::isa<llvm::Constant>(becomes))
        continue;
      if (auto *phi = llvm::dyn_cast<llvm::PHINode>(user)) {
        if (becomes == phi && phi->getIncomingBlock(use) == block)
          return true;
        // A phi that folds away hands the value to its users.
        if (becomes != phi && seen[combined].insert(phi).second)
          work.push_back({phi, combined});
        continue;
      }
      if (user->getParent() != block)
        continue;
      bool branches = user->isTerminator() && user->getNumSuccessors() > 1;
      if (branches && (combined || !modelFolds))
        continue;
      if (user->isTerminator() || user->mayHaveSideEffects())
        return true;
      // A value a select only chooses is computed only when chosen once the
      // select is a branch (CodeGenPrepare, x86's cmov conversion), and
      // `select c, x, false` is the `and` above.
      if (llvm::isa<llvm::SelectInst>(user) && becomes == user && use.getOperandNo() != 0)
        continue;
      bool combines = becomes == user && (user->getOpcode() == llvm::Instruction::And ||
                                          user->getOpcode() == llvm::Instruction::Or);
      if (seen[combined || combines].insert(user).second)
        work.push_back({user, combined || combines});
    }
  }
  return false;
}

} // namespace

llvm::PreservedAnalyses AnchorTrappingLoadsPass::run(llvm::Function &function,
                                                     llvm::FunctionAnalysisManager &) {
  unsigned kind = function.getContext().getMDKindID(kTrappingLoadMetadata);
  std::optional<ValueNumbering> numbering;
  bool changed = false;
  for (llvm::BasicBlock &block : function)
    for (llvm::Instruction &instruction : block) {
      if (!isMarkedLoad(&instruction, kind))
        continue;
      if (!numbering)
        numbering.emplace(function, modelFolds_);
      auto &load = llvm::cast<llvm::LoadInst>(instruction);
      if (!anchoredInBlock(load, *numbering, modelFolds_)) {
        load.setVolatile(true);
        changed = true;
      }
    }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

llvm::PreservedAnalyses KeepTrappingLoadsPass::run(llvm::Module &module,
                                                   llvm::ModuleAnalysisManager &moduleAnalyses) {
  unsigned kind = module.getContext().getMDKindID(kTrappingLoadMetadata);
  auto &analyses =
      moduleAnalyses.getResult<llvm::FunctionAnalysisManagerModuleProxy>(module).getManager();
  // Collected first: the folded copies are functions of the module too.
  llvm::SmallVector<llvm::Function *, 16> definitions;
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      definitions.push_back(&function);
  Functions pure;
  if (modelFolds_)
    pure = pureFunctions(definitions, kind);
  AnalysedFunctions functions;
  for (llvm::Function *definition : definitions)
    functions.push_back(
        std::make_unique<AnalysedFunction>(*definition, modelFolds_, pure, analyses));
  ParameterNeeds needs = parameterNeeds(functions);

  bool changed = modelFolds_; // copies were added and removed
  llvm::SmallPtrSet<const llvm::Function *, 16> returnsTrap;
  // Kept per function: the calls below ask the same question again.
  std::vector<llvm::DenseSet<const llvm::Value *>> neededByFunction;
  neededByFunction.reserve(functions.size());
  for (const auto &function : functions) {
    const auto &needed =
        neededByFunction.emplace_back(neededValues(function->view(), true, needs));
    std::optional<llvm::DenseSet<const llvm::Value *>> neededWithoutReturn;
    bool hasResult = !function->original().getReturnType()->isVoidTy();
    for (llvm::Instruction &instruction : llvm::instructions(function->original())) {
      bool load = isMarkedLoad(&instruction, kind);
      if (!load && !definedCallee(&instruction))
        continue;
      // A load the folds deleted, or replaced by what is not a load (a
      // stored value forwarded to it), has lost its access and its trap.
      llvm::Value *seen = function->inView(&instruction);
      if (load && (!llvm::isa_and_nonnull<llvm::LoadInst>(seen) || !needed.contains(seen))) {
        llvm::cast<llvm::LoadInst>(instruction).setVolatile(true);
        changed = true;
        continue;
      }
      // (A pure function has no guarded load, nor calls a function with one.)
      if (!seen || !hasResult || returnsTrap.contains(&function->original()) ||
          pure.contains(&function->original()))
        continue;
      if (!neededWithoutReturn)
        neededWithoutReturn = neededValues(function->view(), false, needs);
      if (!neededWithoutReturn->contains(seen))
        returnsTrap.insert(&function->original());
    }
  }
  // Calls whose result nothing needs, of such a function, stay calls.
  for (size_t index = 0; index < functions.size() && !returnsTrap.empty(); ++index) {
    const AnalysedFunction &function = *functions[index];
    const auto &needed = neededByFunction[index];
    for (llvm::Instruction &instruction : llvm::instructions(function.original())) {
      auto *call = llvm::dyn_cast<llvm::CallInst>(&instruction);
      if (!call || !call->getCalledFunction() ||
          !returnsTrap.contains(call->getCalledFunction()) || call->isNoInline())
        continue;
      llvm::Value *seen = function.inView(call);
      if (!seen || !needed.contains(seen)) {
        call->setIsNoInline();
        changed = true;
      }
    }
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

} // namespace wasmrt::internal::compiler
