// Internal: the ORC LLJIT set-up behind compileModule(): host target machine,
// the optimisation pipeline, the compile function and the JITLink plugin that
// records where generated code lands. Nothing here knows about Wasm.
#pragma once

#include "compiler/Compiler.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/TaskDispatch.h>

#include <condition_variable>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wasmrt::internal::compiler {

// Runs one ORC session's tasks on a CompileThreadPool; shutdown() (called when
// the session ends) waits until every task it dispatched has run and been
// destroyed, and drops tasks dispatched after it.
class PoolTaskDispatcher : public llvm::orc::TaskDispatcher {
public:
  explicit PoolTaskDispatcher(std::shared_ptr<CompileThreadPool> pool) : pool_(std::move(pool)) {}
  void dispatch(std::unique_ptr<llvm::orc::Task> task) override;
  void shutdown() override;

private:
  std::shared_ptr<CompileThreadPool> pool_;
  std::mutex mutex_;
  std::condition_variable finished_;
  size_t outstanding_ = 0;
  bool shutDown_ = false;
};

// Where linked code lies: executable ranges and wasm function bodies. Link
// graphs are added from compile threads while other threads may query it
// (lazily compiled code keeps arriving while the module runs), hence the mutex.
class CodeMap {
public:
  struct Function {
    uintptr_t begin;
    uintptr_t end;
    uint32_t funcIndex;
  };
  using Range = std::pair<uintptr_t, uintptr_t>;
  using LinkCallback = std::function<Expected<void>(uintptr_t begin, uintptr_t end)>;

  using BodyCallback = std::function<void(uint32_t funcIndex, void *body)>;

  explicit CodeMap(LinkCallback onCodeLinked = {}, BodyCallback onBodyReady = {})
      : onCodeLinked_(std::move(onCodeLinked)), onBodyReady_(std::move(onBodyReady)) {}

  // A region that will hold code (a CodeArena chunk), before any code in it
  // can run: reported to `onCodeLinked`, whose error fails the allocation.
  Expected<void> addCodeRegion(uintptr_t begin, uintptr_t end);
  // One link graph's executable ranges and function bodies, before its code
  // can run.
  void addGraph(std::span<const Range> code, std::span<const Function> functions);

  // The graph's functions are executable now (after finalization).
  void graphReady(std::span<const Function> functions) const;

  std::vector<Range> codeRanges() const;
  bool containsCode(uintptr_t pc) const;
  std::optional<uint32_t> functionAt(uintptr_t pc) const;
  bool hasFunction(uint32_t funcIndex) const;

private:
  LinkCallback onCodeLinked_;
  BodyCallback onBodyReady_;
  mutable std::mutex mutex_;
  std::vector<Range> code_;          // sorted, disjoint
  std::vector<Function> functions_;  // sorted by begin
};

// An LLJIT for one module: host CPU, `options.optLevel`, `threads` compile
// threads (1 = compile on the calling thread, except in lazy mode, where
// bodies always compile on a pool thread rather than on the guest's stack),
// JITLink with `codeMap` recording code ranges, no process symbols except a
// few libm/libc routines code generation may call on targets without the
// instructions.
Expected<std::unique_ptr<llvm::orc::LLJIT>> createJit(const CompileOptions &options,
                                                      unsigned threads, CodeMap &codeMap);

// Runs the optimisation pipeline of `optLevel` (Pipeline.cpp) on `module`.
void optimize(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel);
// What generated code may call as library routines: nothing (see Pipeline.cpp).
llvm::TargetLibraryInfoImpl libraryInfo(const llvm::Module &module);

// Module flag (an i32) that caps the optimisation level for one LLVM module.
inline constexpr const char *kOptLevelFlag = "wasmrt.opt-level";

// Defines options.runtimeSymbols (all entry points of RuntimeAbi.h, required)
// as absolute symbols in the JIT's main JITDylib.
Expected<void> defineRuntimeSymbols(llvm::orc::LLJIT &jit, const CompileOptions &options);

// Looks up all `names` in `dylib` in one session lookup, so that the units
// defining them materialize concurrently.
llvm::Expected<llvm::orc::SymbolMap> lookupAll(llvm::orc::LLJIT &jit, llvm::orc::JITDylib &dylib,
                                               const std::vector<std::string> &names);

// Object code (ELF) for `module`, with the library-call restrictions of
// libraryInfo().
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> emitObject(llvm::Module &module,
                                                               llvm::TargetMachine &machine);
llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel);
// Module flag (an i32, 1) on a baseline (-O0) module with a function of at
// least kLargeBaselineBytes of wasm code: it is compiled with FastISel at
// CodeGenOptLevel::Less, i.e. the greedy register allocator, instead of the
// fast one (docs/COMPILER.md, "The baseline pipeline").
inline constexpr const char *kLargeBaselineFlag = "wasmrt.baseline-large";
inline constexpr size_t kLargeBaselineBytes = 1024;
// Registers the host's target with LLVM, once; false if that failed.
bool initializeNativeTarget();

// Turns an llvm::Error into a wasmrt Error of `kind`.
Error toError(llvm::Error error, ErrorKind kind, std::string_view context);

} // namespace wasmrt::internal::compiler
