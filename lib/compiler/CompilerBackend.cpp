// createCompilerBackend(): the compiler's entry points behind the
// CompilerBackend interface the runtime uses (Compiler.h).
#include "compiler/Compiler.h"

namespace wasmrt::internal {

namespace {

class JitCompilerBackend final : public CompilerBackend {
public:
  std::shared_ptr<CompileThreadPool> createThreadPool(unsigned threads) override {
    return createCompileThreadPool(threads);
  }
  Expected<std::unique_ptr<CompiledModule>> compileModule(const Module &module,
                                                          const CompileOptions &options) override {
    return internal::compileModule(module, options);
  }
  Expected<std::unique_ptr<GlueCompiler>> createGlueCompiler(const CompileOptions &options) override {
    return internal::createGlueCompiler(options);
  }
  Expected<std::vector<uint8_t>> compileArtifact(const Module &module,
                                                 std::span<const uint8_t> wasmBytes,
                                                 const CompileOptions &options,
                                                 const ArtifactOptions &artifact) override {
    return internal::compileArtifact(module, wasmBytes, options, artifact);
  }
};

} // namespace

std::unique_ptr<CompilerBackend> createCompilerBackend() {
  return std::make_unique<JitCompilerBackend>();
}

} // namespace wasmrt::internal
