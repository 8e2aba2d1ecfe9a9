// compileModule(): partitions the module into chunks, defines one ORC
// materialization unit per chunk (translation happens when it materializes,
// on a compile thread), looks every symbol up in one go (which compiles all
// chunks in parallel), and packages the addresses as a CompiledModule.
#include "compiler/Compiler.h"

#include "compiler/Jit.h"
#include "compiler/ModuleEmitter.h"

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace wasmrt::internal {

CompiledModule::~CompiledModule() = default;

namespace compiler {
namespace {

namespace orc = llvm::orc;

// Chunk sizing. A chunk is one LLVM module: calls inside it can be inlined,
// and chunks compile in parallel. ~48 KiB of Wasm code per chunk keeps the
// per-chunk overhead (target machine, pass managers, link graph) small while
// leaving enough chunks to balance across threads; modules over 8 KiB are
// split into at least one chunk per thread. Chunks are runs of neighbouring
// functions, which are the most likely to call each other.
constexpr size_t kChunkCodeBytes = 48 * 1024;
constexpr size_t kMinSplitBytes = 8 * 1024;

struct Chunk {
  uint32_t first = 0; // defined function indices [first, end)
  uint32_t end = 0;
  bool withGlue = false;
};

std::vector<Chunk> partition(const Module &module, unsigned threads) {
  uint32_t count = module.numDefinedFuncs();
  size_t total = 0;
  for (const FunctionBody &body : module.code)
    total += body.code.size();
  size_t chunks = std::max<size_t>(1, (total + kChunkCodeBytes - 1) / kChunkCodeBytes);
  if (total >= kMinSplitBytes)
    chunks = std::max<size_t>(chunks, std::min<size_t>(threads, total / (kMinSplitBytes / 2)));
  chunks = std::min<size_t>(chunks, std::max<uint32_t>(count, 1));

  std::vector<Chunk> result;
  size_t target = (total + chunks - 1) / chunks, filled = 0;
  Chunk current;
  for (uint32_t i = 0; i < count; ++i) {
    filled += module.code[i].code.size();
    if (filled >= target && result.size() + 1 < chunks) {
      current.end = i + 1;
      result.push_back(current);
      current.first = i + 1;
      filled = 0;
    }
  }
  current.end = count;
  if (current.first < current.end || result.empty())
    result.push_back(current);
  result.front().withGlue = true;
  return result;
}

// Errors from translation on compile threads; ORC itself only reports that
// materialization failed.
class ErrorSink {
public:
  void record(Error error) {
    std::lock_guard lock(mutex_);
    if (!error_)
      error_.emplace(std::move(error));
  }
  std::optional<Error> take() {
    std::lock_guard lock(mutex_);
    return std::move(error_);
  }

private:
  std::mutex mutex_;
  std::optional<Error> error_;
};

// Translates its chunk to IR when ORC materializes it, then hands the IR to
// the compile layer (optimisation + code generation) on the same thread.
class ChunkUnit : public orc::MaterializationUnit {
public:
  ChunkUnit(orc::LLJIT &jit, const Module &module, const CompileOptions &options, Chunk chunk,
            ErrorSink &errors)
      : MaterializationUnit(interface(jit, module, chunk)), jit_(jit), module_(module),
        options_(options), chunk_(chunk), errors_(errors) {}

  llvm::StringRef getName() const override { return "wasmrt-chunk"; }

  void materialize(std::unique_ptr<orc::MaterializationResponsibility> responsibility) override {
    auto context = std::make_unique<llvm::LLVMContext>();
    auto out = std::make_unique<llvm::Module>(
        fmt::format("wasm-functions-{}-{}", chunk_.first, chunk_.end), *context);
    out->setDataLayout(jit_.getDataLayout());
    out->setTargetTriple(jit_.getTargetTriple().str());
    auto translated =
        translateChunk(module_, options_, *out, chunk_.first, chunk_.end, chunk_.withGlue);
    if (!translated) {
      errors_.record(std::move(translated).error());
      responsibility->failMaterialization();
      return;
    }
    jit_.getIRCompileLayer().emit(
        std::move(responsibility),
        orc::ThreadSafeModule(std::move(out), orc::ThreadSafeContext(std::move(context))));
  }

  static std::vector<std::string> symbolNames(const Module &module, Chunk chunk) {
    std::vector<std::string> names;
    for (uint32_t i = chunk.first; i < chunk.end; ++i)
      names.push_back(functionSymbol(module.numImportedFuncs + i));
    if (chunk.withGlue) {
      for (uint32_t type = 0; type < module.types.size(); ++type) {
        names.push_back(entryTrampolineSymbol(type));
        names.push_back(hostAdapterSymbol(type));
      }
    }
    return names;
  }

private:
  static Interface interface(orc::LLJIT &jit, const Module &module, Chunk chunk) {
    orc::SymbolFlagsMap flags;
    for (const std::string &name : symbolNames(module, chunk))
      flags[jit.mangleAndIntern(name)] =
          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable;
    return Interface(std::move(flags), nullptr);
  }

  void discard(const orc::JITDylib &, const orc::SymbolStringPtr &) override {}

  orc::LLJIT &jit_;
  const Module &module_;
  const CompileOptions &options_;
  Chunk chunk_;
  ErrorSink &errors_;
};

class JitCompiledModule final : public CompiledModule {
public:
  JitCompiledModule(const Module &module)
      : numImportedFuncs_(module.numImportedFuncs), functions_(module.numDefinedFuncs()),
        entries_(module.types.size()), hostAdapters_(module.types.size()) {}

  void *functionCode(uint32_t funcIndex) const override {
    if (funcIndex < numImportedFuncs_ || funcIndex - numImportedFuncs_ >= functions_.size())
      return nullptr;
    return functions_[funcIndex - numImportedFuncs_];
  }
  abi::EntryTrampoline entryTrampoline(uint32_t typeIndex) const override {
    return typeIndex < entries_.size() ? entries_[typeIndex] : nullptr;
  }
  void *hostAdapter(uint32_t typeIndex) const override {
    return typeIndex < hostAdapters_.size() ? hostAdapters_[typeIndex] : nullptr;
  }
  std::span<const std::pair<uintptr_t, uintptr_t>> codeRanges() const override {
    return codeMap_.codeRanges();
  }
  std::optional<uint32_t> functionAt(uintptr_t pc) const override {
    const auto &functions = codeMap_.functions();
    auto after =
        std::upper_bound(functions.begin(), functions.end(), pc,
                         [](uintptr_t p, const CodeMap::Function &f) { return p < f.begin; });
    if (after == functions.begin())
      return std::nullopt;
    const CodeMap::Function &function = *std::prev(after);
    if (pc >= function.end)
      return std::nullopt;
    return function.funcIndex;
  }

  Expected<void> build(const Module &module, const CompileOptions &options);

private:
  Expected<void> defineRuntimeSymbols(const CompileOptions &options);

  uint32_t numImportedFuncs_;
  std::vector<void *> functions_;
  std::vector<abi::EntryTrampoline> entries_;
  std::vector<void *> hostAdapters_;
  CodeMap codeMap_;
  // Last: destroyed first, while the code map its plugin writes to exists.
  std::unique_ptr<orc::LLJIT> jit_;
};

Expected<void> JitCompiledModule::defineRuntimeSymbols(const CompileOptions &options) {
  orc::SymbolMap symbols;
  for (std::string_view name : runtimeEntryNames()) {
    auto found = std::find_if(options.runtimeSymbols.begin(), options.runtimeSymbols.end(),
                              [&](const auto &entry) { return entry.first == name; });
    if (found == options.runtimeSymbols.end() || !found->second)
      return Error(ErrorKind::Usage,
                   fmt::format("CompileOptions::runtimeSymbols lacks the entry point {}", name));
    symbols[jit_->mangleAndIntern(name)] = {
        orc::ExecutorAddr::fromPtr(found->second),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto error = jit_->getMainJITDylib().define(orc::absoluteSymbols(std::move(symbols))))
    return toError(std::move(error), ErrorKind::Internal, "cannot define runtime symbols");
  return {};
}

Expected<void> JitCompiledModule::build(const Module &module, const CompileOptions &options) {
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(threads, 1u);
  auto jit = createJit(options, threads, codeMap_);
  if (!jit)
    return std::move(jit).error();
  jit_ = std::move(*jit);
  if (auto defined = defineRuntimeSymbols(options); !defined)
    return defined;
  if (module.numDefinedFuncs() == 0 && module.types.empty())
    return {};

  ErrorSink errors;
  orc::SymbolLookupSet lookupSet;
  std::vector<std::string> names;
  for (const Chunk &chunk : partition(module, threads)) {
    for (std::string &name : ChunkUnit::symbolNames(module, chunk))
      names.push_back(std::move(name));
    auto unit = std::make_unique<ChunkUnit>(*jit_, module, options, chunk, errors);
    if (auto error = jit_->getMainJITDylib().define(std::move(unit)))
      return toError(std::move(error), ErrorKind::Internal, "cannot define code");
  }
  for (const std::string &name : names)
    lookupSet.add(jit_->mangleAndIntern(name));
  // One lookup for everything, so all chunks materialize concurrently.
  auto symbols = jit_->getExecutionSession().lookup(
      orc::makeJITDylibSearchOrder(&jit_->getMainJITDylib()), std::move(lookupSet));
  if (!symbols) {
    if (std::optional<Error> error = errors.take()) {
      llvm::consumeError(symbols.takeError());
      return std::move(*error);
    }
    return toError(symbols.takeError(), ErrorKind::Internal, "code generation failed");
  }
  auto address = [&](const std::string &name) {
    return (*symbols)[jit_->mangleAndIntern(name)].getAddress().toPtr<void *>();
  };
  for (uint32_t i = 0; i < module.numDefinedFuncs(); ++i)
    functions_[i] = address(functionSymbol(module.numImportedFuncs + i));
  for (uint32_t type = 0; type < module.types.size(); ++type) {
    entries_[type] = reinterpret_cast<abi::EntryTrampoline>(address(entryTrampolineSymbol(type)));
    hostAdapters_[type] = address(hostAdapterSymbol(type));
  }
  codeMap_.finish();
  return {};
}

} // namespace
} // namespace compiler

Expected<std::unique_ptr<CompiledModule>> compileModule(const Module &module,
                                                        const CompileOptions &options) {
  if (module.functionFacts.size() != module.numDefinedFuncs())
    return Error(ErrorKind::Usage, "compileModule needs a module that passed validateModule");
  auto compiled = std::make_unique<compiler::JitCompiledModule>(module);
  if (auto built = compiled->build(module, options); !built)
    return std::move(built).error();
  return std::unique_ptr<CompiledModule>(std::move(compiled));
}

} // namespace wasmrt::internal
