// The optimisation pipelines for translated Wasm.
//
// Wasm reaching us has almost always been optimised by its producer already
// (inlined, CSE'd, loop-optimised by clang or rustc). What our IR still needs
// is what translation leaves behind or the producer could not express:
// locals in allocas, redundant loads of instance-context fields, and
// vectorisation of loops built without SIMD. LLVM's O2 pipeline re-runs its
// whole function simplification stack twice (before and after inlining) and
// costs as much as code generation; the pipeline below keeps the passes that
// change Wasm code measurably (docs/PERFORMANCE.md) at about half the cost.
#include "compiler/Jit.h"
#include "compiler/IrPasses.h"

#include <llvm/Analysis/InlineCost.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/Inliner.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/ADCE.h>
#include <llvm/Transforms/Scalar/DeadStoreElimination.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/GVN.h>
#include <llvm/Transforms/Scalar/IndVarSimplify.h>
#include <llvm/Transforms/Scalar/LICM.h>
#include <llvm/Transforms/Scalar/LoopDeletion.h>
#include <llvm/Transforms/Scalar/LoopPassManager.h>
#include <llvm/Transforms/Scalar/LoopRotation.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <llvm/Transforms/Utils/Mem2Reg.h>
#include <llvm/Transforms/Vectorize/LoopVectorize.h>
#include <llvm/Transforms/Vectorize/SLPVectorizer.h>

namespace wasmrt::internal::compiler {

namespace {

llvm::LICMPass licm() { return llvm::LICMPass(llvm::LICMOptions()); }

// Per function, before and (in eager chunks) interleaved with inlining.
llvm::FunctionPassManager simplificationPipeline(unsigned optLevel) {
  llvm::FunctionPassManager passes;
  passes.addPass(AnchorTrappingLoadsPass(/*modelFolds=*/true));
  passes.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
  passes.addPass(llvm::EarlyCSEPass(/*UseMemorySSA=*/true));
  passes.addPass(llvm::SimplifyCFGPass());
  passes.addPass(llvm::InstCombinePass());

  llvm::LoopPassManager hoisting;
  hoisting.addPass(llvm::LoopRotatePass());
  hoisting.addPass(licm());
  passes.addPass(llvm::createFunctionToLoopPassAdaptor(std::move(hoisting),
                                                       /*UseMemorySSA=*/true));
  passes.addPass(llvm::SimplifyCFGPass());

  // No widening: Wasm addresses are zero-extended i32 sums. Widening a
  // loop's i32 counter to i64 turns `zext(i + c)` into `(i' + c) & mask`,
  // which hides from the loop vectoriser that the accesses are consecutive
  // (a byte-counting loop stayed scalar, 2.3x slower than native). x86-64
  // and AArch64 zero-extend 32-bit values for free, so the narrow counter
  // costs nothing.
  llvm::LoopPassManager loops;
  loops.addPass(llvm::IndVarSimplifyPass(/*WidenIndVars=*/false));
  loops.addPass(llvm::LoopDeletionPass());
  passes.addPass(llvm::createFunctionToLoopPassAdaptor(std::move(loops)));

  if (optLevel >= 2)
    passes.addPass(llvm::GVNPass());
  else
    passes.addPass(llvm::EarlyCSEPass(/*UseMemorySSA=*/true));
  passes.addPass(llvm::InstCombinePass());
  passes.addPass(llvm::DSEPass());
  passes.addPass(llvm::ADCEPass());
  passes.addPass(llvm::SimplifyCFGPass());
  return passes;
}

// Once per function after simplification (and inlining).
llvm::FunctionPassManager vectorizationPipeline() {
  llvm::FunctionPassManager passes;
  passes.addPass(llvm::LoopVectorizePass());
  passes.addPass(llvm::InstCombinePass());
  passes.addPass(llvm::SLPVectorizerPass());
  passes.addPass(llvm::EarlyCSEPass());
  passes.addPass(llvm::InstCombinePass());
  passes.addPass(llvm::createFunctionToLoopPassAdaptor(licm(), /*UseMemorySSA=*/true));
  passes.addPass(llvm::SimplifyCFGPass(llvm::SimplifyCFGOptions()
                                           .convertSwitchRangeToICmp(true)
                                           .convertSwitchToLookupTable(true)
                                           .hoistCommonInsts(true)
                                           .sinkCommonInsts(true)));
  return passes;
}

llvm::ModulePassManager buildPipeline(unsigned optLevel) {
  llvm::ModulePassManager pipeline;
  // Every level first promotes the locals (allocas) and keeps the guarded
  // loads whose value is unused (IrPasses.h); at O0, after dropping the
  // dead OSR state, which may leave loads unused.
  llvm::FunctionPassManager first;
  first.addPass(llvm::PromotePass());
  if (optLevel == 0)
    first.addPass(PruneDeadOsrStatePass());
  pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(first)));
  pipeline.addPass(KeepTrappingLoadsPass(/*modelFolds=*/optLevel > 0));
  if (optLevel == 0) {
    pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(
        AnchorTrappingLoadsPass(/*modelFolds=*/false)));
    // FastISel does the rest. Cheap IR passes (EarlyCSE, SimplifyCFG) gained
    // neither compile time nor smaller frames (docs/PERFORMANCE.md, "Baseline tier").
  } else if (optLevel == 1) {
    pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(simplificationPipeline(1)));
  } else {
    // Direct calls inside one unit (eager chunks) may be inlined; lazily
    // compiled units hold one function, where this costs next to nothing.
    // -O3 is this pipeline with -O3's inlining threshold, not LLVM's default
    // O3 pipeline: that one infers function attributes (read-only, will
    // return) and then deletes a call whose result is unused, and with it a
    // guarded load's trap that KeepTrappingLoadsPass kept by making the call
    // noinline.
    llvm::ModuleInlinerWrapperPass inliner(llvm::getInlineParams(std::min(optLevel, 3u), 0));
    inliner.getPM().addPass(llvm::createCGSCCToFunctionPassAdaptor(simplificationPipeline(2)));
    pipeline.addPass(std::move(inliner));
    pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(vectorizationPipeline()));
  }
  return pipeline;
}

} // namespace

llvm::TargetLibraryInfoImpl libraryInfo(const llvm::Module &module) {
  // No library calls may be invented (e.g. loop idioms -> memset): they would
  // run outside generated code, where a guard-page fault is not a trap.
  llvm::TargetLibraryInfoImpl info{llvm::Triple(module.getTargetTriple())};
  info.disableAllFunctions();
  return info;
}

void optimize(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel) {
  llvm::LoopAnalysisManager loopAnalyses;
  llvm::FunctionAnalysisManager functionAnalyses;
  llvm::CGSCCAnalysisManager cgsccAnalyses;
  llvm::ModuleAnalysisManager moduleAnalyses;
  // Only for the analyses: the pipelines above choose their passes.
  llvm::PassBuilder builder(&machine);
  llvm::TargetLibraryInfoImpl library = libraryInfo(module);
  functionAnalyses.registerPass([&] { return llvm::TargetLibraryAnalysis(library); });
  builder.registerModuleAnalyses(moduleAnalyses);
  builder.registerCGSCCAnalyses(cgsccAnalyses);
  builder.registerFunctionAnalyses(functionAnalyses);
  builder.registerLoopAnalyses(loopAnalyses);
  builder.crossRegisterProxies(loopAnalyses, functionAnalyses, cgsccAnalyses, moduleAnalyses);
  buildPipeline(optLevel).run(module, moduleAnalyses);
}

} // namespace wasmrt::internal::compiler
