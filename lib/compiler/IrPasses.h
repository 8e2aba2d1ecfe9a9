// wasmrt's own IR passes: what translated Wasm needs that LLVM's passes do
// not provide (Pipeline.cpp runs them).
#pragma once

#include <llvm/IR/PassManager.h>

namespace wasmrt::internal::compiler {

// --- Dead OSR state (OsrStatePruning.cpp; docs/COMPILER.md, "On-stack replacement")

// Metadata kind on the stores that an OSR transfer block (EmitTiering.cpp)
// makes into its state buffer: one per local and operand-stack entry.
inline constexpr const char *kOsrStateStoreMetadata = "wasmrt.osr.state";

// A transfer stores every local and stack entry, which would keep each of
// them alive at every loop header: the register allocator then carries (and
// spills) values the code after the header never reads again, and spends
// its time on them. After mem2reg a local is an SSA value; this pass deletes
// each transfer store whose value is not live into the code that continues
// the loop when no transfer happens. Such a local is written before it is
// read on every path from there, in the OSR entry as in the baseline code,
// so the entry may load whatever the buffer holds in its slot.
class PruneDeadOsrStatePass : public llvm::PassInfoMixin<PruneDeadOsrStatePass> {
public:
  llvm::PreservedAnalyses run(llvm::Function &function, llvm::FunctionAnalysisManager &);
};

// --- Guarded loads whose value is unused (TrappingLoads.cpp; docs/COMPILER.md,
// "Loads whose value is unused")

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
// chunks, artifacts) would make it so. With `modelFolds` (every level that
// runs InstCombine, i.e. above O0), the analysis runs on a copy of each
// function that EarlyCSE, SimplifyCFG, InstCombine, ADCE and SimplifyCFG
// have folded, with the module's pure functions inlined into it, because
// what survives those folds is what the pipeline keeps: `x xor x`,
// `(a + b) xor (m xor (a + b))`, the condition of an empty `if`, of an `if`
// whose arms do the same, or around a call of an empty function do not
// keep a load. A load that a later stage discards in a way the copy does not
// show (after loop transformations, say), or that is moved without being
// lost (hoisted above a store), can still differ from the spec in guarded
// mode at -O1 and above; bounds-checked mode is exact.
class KeepTrappingLoadsPass : public llvm::PassInfoMixin<KeepTrappingLoadsPass> {
public:
  explicit KeepTrappingLoadsPass(bool modelFolds) : modelFolds_(modelFolds) {}
  llvm::PreservedAnalyses run(llvm::Module &module, llvm::ModuleAnalysisManager &);

private:
  bool modelFolds_;
};

// Above O0, a load that is needed can still be moved: InstCombine and
// MachineSink sink it into the one block that uses its value, where it runs
// only when that block does, or past a trap check that ends its block. This
// pass makes volatile each marked load whose value nothing in its own block
// needs (an effect, the terminator, a phi on an outgoing edge; after the
// folds KeepTrappingLoadsPass models; not through the arm of a select, nor
// an `and`/`or` that a branch tests, both of which code generation may turn
// into a branch of their own), so it stays where Wasm put it. It runs
// at the start of every -O1+ simplification pipeline: after inlining, a
// callee's load that its `ret` held in place may be used only further on.
// Loads used where they are, as in most hot loops, stay ordinary loads.
// At -O0 it runs too, without modelling folds: the baseline tier compiles
// large functions with FastISel at CodeGenOptLevel::Less, where MachineSink
// runs, and a load whose only user is an OSR transfer block (a value on the
// operand stack below a loop) was sunk into that block and lost its trap.
// There a conditional branch does not hold a load either: code generation
// at Less folds a branch between two arms that do the same, with its
// condition.
class AnchorTrappingLoadsPass : public llvm::PassInfoMixin<AnchorTrappingLoadsPass> {
public:
  explicit AnchorTrappingLoadsPass(bool modelFolds) : modelFolds_(modelFolds) {}
  llvm::PreservedAnalyses run(llvm::Function &function, llvm::FunctionAnalysisManager &);

private:
  bool modelFolds_;
};

} // namespace wasmrt::internal::compiler
