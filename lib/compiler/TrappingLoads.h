// Keeps the linear-memory loads of guarded mode whose value is unused
// (docs/COMPILER.md, "Memory accesses in guarded mode").
#pragma once

#include <llvm/IR/PassManager.h>

namespace wasmrt::internal::compiler {

// Metadata kind on the loads of linear memory in guarded mode
// (FunctionTranslator::markTrappingLoad).
inline constexpr const char *kTrappingLoadMetadata = "wasmrt.trapping-load";

// In guarded mode an out-of-bounds load traps through the fault on the guard
// region: the access is the check. LLVM treats a load as free of effects, so
// a load whose value nothing uses is deleted (FastISel skips it even at -O0),
// and `(drop (i32.xor (i32.load ...) ...))` would then not trap. This pass
// finds the marked loads that nothing with an effect depends on (the liveness
// ADCE computes: stores, calls, volatile accesses and terminators are roots)
// and makes them volatile, so that every later stage keeps them. Live loads
// stay ordinary loads, free to be combined, hoisted and vectorised. It runs
// first in every pipeline, after mem2reg of the whole module (a value stored
// in a local that is never read is dead only then). A value passed to a
// function of the same module that does not need that parameter, or needs it
// only for a result the caller drops, counts as dead too: inlining (eager
// chunks, artifacts) would make it so. A load that
// a simplification discards within one pass (`(i32.and (load) (i32.const
// 0))`: InstCombine folds the `and` and deletes the load with it) can still
// lose its trap in guarded mode; bounds-checked mode is exact.
class KeepTrappingLoadsPass : public llvm::PassInfoMixin<KeepTrappingLoadsPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &module, llvm::ModuleAnalysisManager &);
};

} // namespace wasmrt::internal::compiler
