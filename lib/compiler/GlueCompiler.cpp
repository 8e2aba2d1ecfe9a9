// GlueCompiler: per-type entry trampolines and host adapters added batch by
// batch to one long-lived JIT session. Each batch's symbols get a batch
// prefix, since every batch names its types from 0.
#include "compiler/Compiler.h"

#include "compiler/Jit.h"
#include "compiler/ModuleEmitter.h"

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <mutex>

namespace wasmrt::internal {

namespace compiler {
namespace {

namespace orc = llvm::orc;

class JitGlueCompiler final : public GlueCompiler {
public:
  explicit JitGlueCompiler(const CompileOptions &options)
      : options_(options), codeMap_(options.onCodeLinked) {
    options_.lazy = false;
    options_.threads = 1;
  }

  Expected<void> init() {
    auto jit = createJit(options_, 1, codeMap_);
    if (!jit)
      return std::move(jit).error();
    jit_ = std::move(*jit);
    return defineRuntimeSymbols(*jit_, options_);
  }

  Expected<std::vector<Glue>> compile(std::span<const FuncType> types) override {
    std::lock_guard lock(mutex_);
    std::string prefix = fmt::format("glue{}.", batches_++);
    Module wasm;
    wasm.types.assign(types.begin(), types.end());
    auto context = std::make_unique<llvm::LLVMContext>();
    auto out = std::make_unique<llvm::Module>(prefix + "module", *context);
    out->setDataLayout(jit_->getDataLayout());
    out->setTargetTriple(jit_->getTargetTriple().str());
    if (auto translated = translateChunk(wasm, options_, *out, 0, 0, true); !translated)
      return std::move(translated).error();
    for (llvm::Function &function : out->functions())
      if (!function.isDeclaration())
        function.setName(prefix + function.getName().str());
    if (auto error = jit_->addIRModule(
            orc::ThreadSafeModule(std::move(out), orc::ThreadSafeContext(std::move(context)))))
      return toError(std::move(error), ErrorKind::Internal, "cannot add glue code");

    std::vector<std::string> names;
    for (uint32_t type = 0; type < types.size(); ++type) {
      names.push_back(prefix + hostAdapterSymbol(type));
      names.push_back(prefix + entryTrampolineSymbol(type));
    }
    auto symbols = lookupAll(*jit_, jit_->getMainJITDylib(), names);
    if (!symbols)
      return toError(symbols.takeError(), ErrorKind::Internal, "cannot compile glue code");
    auto address = [&](const std::string &name) {
      return (*symbols)[jit_->mangleAndIntern(name)].getAddress();
    };
    std::vector<Glue> glue;
    for (uint32_t type = 0; type < types.size(); ++type)
      glue.push_back({address(names[2 * type]).toPtr<void *>(),
                      address(names[2 * type + 1]).toPtr<abi::EntryTrampoline>()});
    return glue;
  }

private:
  CompileOptions options_;
  CodeMap codeMap_;
  std::mutex mutex_;
  uint32_t batches_ = 0;
  // Last: destroyed first, while the code map its plugin writes to exists.
  std::unique_ptr<orc::LLJIT> jit_;
};

} // namespace
} // namespace compiler

Expected<std::unique_ptr<GlueCompiler>> createGlueCompiler(const CompileOptions &options) {
  auto glue = std::make_unique<compiler::JitGlueCompiler>(options);
  if (auto ready = glue->init(); !ready)
    return std::move(ready).error();
  return std::unique_ptr<GlueCompiler>(std::move(glue));
}

} // namespace wasmrt::internal
