// Internal: the ORC LLJIT set-up behind compileModule(): host target machine,
// the optimisation pipeline, the compile function and the JITLink plugin that
// records where generated code lands. Nothing here knows about Wasm.
#pragma once

#include "compiler/Compiler.h"

#include <llvm/ExecutionEngine/Orc/LLJIT.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace wasmrt::internal::compiler {

// Address ranges of linked code, filled by the plugin as link graphs are
// allocated (from compile threads, hence the mutex).
class CodeMap {
public:
  struct Function {
    uintptr_t begin;
    uintptr_t end;
    uint32_t funcIndex;
  };
  void addCode(uintptr_t begin, uintptr_t end);
  void addFunction(const Function &function);
  // Sorts and merges; call once all code is linked.
  void finish();

  const std::vector<std::pair<uintptr_t, uintptr_t>> &codeRanges() const { return code_; }
  const std::vector<Function> &functions() const { return functions_; }

private:
  std::mutex mutex_;
  std::vector<std::pair<uintptr_t, uintptr_t>> code_;
  std::vector<Function> functions_;
};

// An LLJIT for one module: host CPU, `options.optLevel`, `threads` compile
// threads (1 = compile on the calling thread), JITLink with `codeMap`
// recording code ranges, no process symbols except a few libm/libc routines
// code generation may call on targets without the instructions.
Expected<std::unique_ptr<llvm::orc::LLJIT>> createJit(const CompileOptions &options,
                                                      unsigned threads, CodeMap &codeMap);

// Turns an llvm::Error into a wasmrt Error of `kind`.
Error toError(llvm::Error error, ErrorKind kind, std::string_view context);

} // namespace wasmrt::internal::compiler
