// Drops the stores of dead values from the OSR transfers of baseline code
// (docs/COMPILER.md, "On-stack replacement").
#pragma once

#include <llvm/IR/PassManager.h>

namespace wasmrt::internal::compiler {

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

} // namespace wasmrt::internal::compiler
