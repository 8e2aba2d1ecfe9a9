#include "compiler/Jit.h"

#include "abi/LibraryRoutines.h"
#include "compiler/CodeArena.h"
#include "compiler/CompileThreadPool.h"
#include "compiler/ModuleEmitter.h"

#include <fmt/format.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/MCContext.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <map>

namespace wasmrt::internal::compiler {

namespace orc = llvm::orc;
namespace jitlink = llvm::jitlink;

Expected<void> CodeMap::addCodeRegion(uintptr_t begin, uintptr_t end) {
  return onCodeLinked_ ? onCodeLinked_(begin, end) : Expected<void>();
}

void CodeMap::addGraph(std::span<const Range> code, std::span<const Function> functions) {
  std::lock_guard lock(mutex_);
  for (const Range &range : code) {
    auto at = std::upper_bound(code_.begin(), code_.end(), range);
    at = code_.insert(at, range);
    // Merge with overlapping or touching neighbours to keep the list disjoint.
    if (at != code_.begin() && std::prev(at)->second >= at->first) {
      std::prev(at)->second = std::max(std::prev(at)->second, at->second);
      at = std::prev(code_.erase(at));
    }
    while (std::next(at) != code_.end() && std::next(at)->first <= at->second) {
      at->second = std::max(at->second, std::next(at)->second);
      code_.erase(std::next(at));
    }
  }
  for (const Function &function : functions) {
    auto at = std::upper_bound(
        functions_.begin(), functions_.end(), function.begin,
        [](uintptr_t begin, const Function &other) { return begin < other.begin; });
    functions_.insert(at, function);
  }
}

void CodeMap::graphReady(std::span<const Function> functions) const {
  if (!onBodyReady_)
    return;
  for (const Function &function : functions)
    onBodyReady_(function.funcIndex, reinterpret_cast<void *>(function.begin));
}

std::vector<CodeMap::Range> CodeMap::codeRanges() const {
  std::lock_guard lock(mutex_);
  return code_;
}

bool CodeMap::containsCode(uintptr_t pc) const {
  std::lock_guard lock(mutex_);
  auto after = std::upper_bound(code_.begin(), code_.end(), pc,
                                [](uintptr_t p, const Range &range) { return p < range.first; });
  return after != code_.begin() && pc < std::prev(after)->second;
}

bool CodeMap::hasFunction(uint32_t funcIndex) const {
  std::lock_guard lock(mutex_);
  return std::any_of(functions_.begin(), functions_.end(),
                     [&](const Function &function) { return function.funcIndex == funcIndex; });
}

std::optional<uint32_t> CodeMap::functionAt(uintptr_t pc) const {
  std::lock_guard lock(mutex_);
  auto after = std::upper_bound(functions_.begin(), functions_.end(), pc,
                                [](uintptr_t p, const Function &f) { return p < f.begin; });
  if (after == functions_.begin() || pc >= std::prev(after)->end)
    return std::nullopt;
  return std::prev(after)->funcIndex;
}

void PoolTaskDispatcher::dispatch(std::unique_ptr<llvm::orc::Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (shutDown_)
      return;
    ++outstanding_;
  }
  // std::function needs a copyable callable: hand the task over as a raw
  // pointer and own it again inside.
  pool_->run(
      [this, raw = task.release()] {
        std::unique_ptr<llvm::orc::Task> owned(raw);
        owned->run();
        owned.reset(); // destroyed before it counts as finished
        std::lock_guard lock(mutex_);
        --outstanding_;
        finished_.notify_all();
      },
      CompileThreadPool::currentDispatchLane());
}

void PoolTaskDispatcher::shutdown() {
  std::unique_lock lock(mutex_);
  shutDown_ = true;
  finished_.wait(lock, [this] { return outstanding_ == 0; });
}

Error toError(llvm::Error error, ErrorKind kind, std::string_view context) {
  return Error(kind, fmt::format("{}: {}", context, llvm::toString(std::move(error))));
}

namespace {

// Records the executable sections and wasm function symbols of every link
// graph once addresses are assigned.
class CodeMapPlugin : public orc::ObjectLinkingLayer::Plugin {
public:
  explicit CodeMapPlugin(CodeMap &codeMap) : codeMap_(codeMap) {}

  void modifyPassConfig(orc::MaterializationResponsibility &responsibility, jitlink::LinkGraph &,
                        jitlink::PassConfiguration &config) override {
    config.PostAllocationPasses.push_back([this, &responsibility](jitlink::LinkGraph &graph) {
      return record(responsibility, graph);
    });
  }
  // Called once the graph's memory is finalized: its code may run now.
  llvm::Error notifyEmitted(orc::MaterializationResponsibility &responsibility) override {
    std::vector<CodeMap::Function> functions = takeLinking(responsibility);
    codeMap_.graphReady(functions);
    return llvm::Error::success();
  }
  llvm::Error notifyFailed(orc::MaterializationResponsibility &responsibility) override {
    takeLinking(responsibility);
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(orc::JITDylib &, orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(orc::JITDylib &, orc::ResourceKey, orc::ResourceKey) override {}

private:
  std::vector<CodeMap::Function> takeLinking(orc::MaterializationResponsibility &responsibility) {
    std::lock_guard lock(mutex_);
    auto found = linking_.find(&responsibility);
    if (found == linking_.end())
      return {};
    std::vector<CodeMap::Function> functions = std::move(found->second);
    linking_.erase(found);
    return functions;
  }

  llvm::Error record(orc::MaterializationResponsibility &responsibility,
                     jitlink::LinkGraph &graph) {
    std::vector<CodeMap::Range> code;
    std::vector<CodeMap::Function> functions;
    for (jitlink::Section &section : graph.sections()) {
      if ((unsigned(section.getMemProt()) & unsigned(orc::MemProt::Exec)) == 0)
        continue;
      jitlink::SectionRange range(section);
      if (!range.empty())
        code.emplace_back(range.getStart().getValue(), range.getEnd().getValue());
    }
    for (jitlink::Symbol *symbol : graph.defined_symbols()) {
      if (!symbol->hasName())
        continue;
      if (std::optional<uint32_t> funcIndex = parseFunctionSymbol(symbol->getName())) {
        uintptr_t begin = symbol->getAddress().getValue();
        functions.push_back({begin, begin + uintptr_t(symbol->getSize()), *funcIndex});
      }
    }
    codeMap_.addGraph(code, functions);
    std::lock_guard lock(mutex_);
    linking_[&responsibility] = std::move(functions);
    return llvm::Error::success();
  }

  CodeMap &codeMap_;
  std::mutex mutex_;
  // Functions of graphs between allocation and finalization.
  std::map<orc::MaterializationResponsibility *, std::vector<CodeMap::Function>> linking_;
};

} // namespace

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> emitObject(llvm::Module &module,
                                                               llvm::TargetMachine &machine) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  passes.add(new llvm::TargetLibraryInfoWrapperPass(libraryInfo(module)));
  llvm::MCContext *mcContext = nullptr;
  if (machine.addPassesToEmitMC(passes, mcContext, stream))
    return llvm::make_error<llvm::StringError>("the target cannot emit object code",
                                               llvm::inconvertibleErrorCode());
  passes.run(module);
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(buffer), module.getModuleIdentifier() + "-object", false);
}

namespace {

// IR -> object for one unit, on whichever compile thread materializes it.
// A module may lower its own level with the kOptLevelFlag module flag (the
// glue is straight-line code that O0 compiles as well, much faster).
// Target machines are reused: creating one computes the host CPU's feature
// set from scratch, which costs about as much as compiling a small function.
// A machine is used by one thread at a time, hence the free lists.
class WasmIRCompiler : public orc::IRCompileLayer::IRCompiler {
public:
  WasmIRCompiler(orc::JITTargetMachineBuilder builder, unsigned optLevel)
      : IRCompiler(orc::IRSymbolMapper::ManglingOptions()), builder_(std::move(builder)),
        optLevel_(optLevel) {}

  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module &module) override {
    unsigned optLevel = optLevel_;
    if (auto *flag = llvm::mdconst::extract_or_null<llvm::ConstantInt>(
            module.getModuleFlag(kOptLevelFlag)))
      optLevel = std::min<unsigned>(optLevel, unsigned(flag->getZExtValue()));
    // Machines are kept per opt level, and large baseline modules get their own.
    unsigned machineKind = optLevel;
    if (optLevel == 0 && module.getModuleFlag(kLargeBaselineFlag))
      machineKind = kLargeBaselineMachine;
    auto machine = acquireMachine(machineKind);
    if (!machine)
      return machine.takeError();
    optimize(module, **machine, optLevel);
    auto object = emitObject(module, **machine);
    releaseMachine(machineKind, std::move(*machine));
    return object;
  }

private:
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> acquireMachine(unsigned optLevel) {
    {
      std::lock_guard lock(mutex_);
      auto &idle = idleMachines_[optLevel];
      if (!idle.empty()) {
        std::unique_ptr<llvm::TargetMachine> machine = std::move(idle.back());
        idle.pop_back();
        return machine;
      }
    }
    orc::JITTargetMachineBuilder builder = builder_;
    bool large = optLevel == kLargeBaselineMachine;
    builder.setCodeGenOptLevel(large ? llvm::CodeGenOptLevel::Less : codeGenLevel(optLevel));
    auto machine = builder.createTargetMachine();
    if (machine && (optLevel == 0 || large)) {
      (*machine)->setO0WantsFastISel(true);
      (*machine)->setFastISel(true);
    }
    return machine;
  }
  void releaseMachine(unsigned optLevel, std::unique_ptr<llvm::TargetMachine> machine) {
    std::lock_guard lock(mutex_);
    idleMachines_[optLevel].push_back(std::move(machine));
  }

  orc::JITTargetMachineBuilder builder_;
  unsigned optLevel_;
  std::mutex mutex_;
  // Per opt level, then large baseline modules: FastISel at Less (the greedy
  // register allocator; frames as small as -O2's, see Jit.h).
  static constexpr unsigned kLargeBaselineMachine = 4;
  std::vector<std::unique_ptr<llvm::TargetMachine>> idleMachines_[5];
};

} // namespace

llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0: return llvm::CodeGenOptLevel::None;
  case 1: return llvm::CodeGenOptLevel::Less;
  case 2: return llvm::CodeGenOptLevel::Default;
  default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

bool initializeNativeTarget() {
  static const bool initialized = [] {
    return !llvm::InitializeNativeTarget() && !llvm::InitializeNativeTargetAsmPrinter();
  }();
  return initialized;
}


Expected<void> defineRuntimeSymbols(orc::LLJIT &jit, const CompileOptions &options) {
  orc::SymbolMap symbols;
  for (std::string_view name : runtimeEntryNames()) {
    auto found = std::find_if(options.runtimeSymbols.begin(), options.runtimeSymbols.end(),
                              [&](const auto &entry) { return entry.first == name; });
    if (found == options.runtimeSymbols.end() || !found->second)
      return Error(ErrorKind::Usage,
                   fmt::format("CompileOptions::runtimeSymbols lacks the entry point {}", name));
    symbols[jit.mangleAndIntern(name)] = {
        orc::ExecutorAddr::fromPtr(found->second),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (options.interpreterEntry)
    symbols[jit.mangleAndIntern(kInterpreterEntrySymbol)] = {
        orc::ExecutorAddr::fromPtr(options.interpreterEntry),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (auto error = jit.getMainJITDylib().define(orc::absoluteSymbols(std::move(symbols))))
    return toError(std::move(error), ErrorKind::Internal, "cannot define runtime symbols");
  return {};
}

llvm::Expected<orc::SymbolMap> lookupAll(orc::LLJIT &jit, orc::JITDylib &dylib,
                                         const std::vector<std::string> &names) {
  orc::SymbolLookupSet lookupSet;
  for (const std::string &name : names)
    lookupSet.add(jit.mangleAndIntern(name));
  return jit.getExecutionSession().lookup(orc::makeJITDylibSearchOrder(&dylib),
                                          std::move(lookupSet));
}

Expected<std::unique_ptr<orc::LLJIT>> createJit(const CompileOptions &options, unsigned threads,
                                                CodeMap &codeMap) {
  if (!initializeNativeTarget())
    return Error(ErrorKind::Internal, "cannot initialise the LLVM native target");
  auto builder = orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return toError(builder.takeError(), ErrorKind::Internal, "cannot detect the host target");
  unsigned optLevel = std::min(options.optLevel, 3u);
  builder->setCodeGenOptLevel(codeGenLevel(optLevel));
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);

  orc::LLJITBuilder jitBuilder;
  if (threads > 1 || options.lazy) {
    std::shared_ptr<CompileThreadPool> pool =
        options.threadPool ? options.threadPool : createCompileThreadPool(threads);
    auto control = orc::SelfExecutorProcessControl::Create(
        nullptr, std::make_unique<PoolTaskDispatcher>(std::move(pool)));
    if (!control)
      return toError(control.takeError(), ErrorKind::Internal, "cannot create the JIT executor");
    jitBuilder.setExecutorProcessControl(std::move(*control));
    jitBuilder.setSupportConcurrentCompilation(true);
  }
  auto jit =
      jitBuilder.setJITTargetMachineBuilder(*builder)
          .setLinkProcessSymbolsByDefault(false)
          .setPlatformSetUp(orc::setUpInactivePlatform)
          .setObjectLinkingLayerCreator(
              [&codeMap, dualMapped = options.dualMappedCode](orc::ExecutionSession &session,
                                                              const llvm::Triple &)
                  -> llvm::Expected<std::unique_ptr<orc::ObjectLayer>> {
                auto pageSize = llvm::sys::Process::getPageSize();
                if (!pageSize)
                  return pageSize.takeError();
                auto arena = std::make_unique<CodeArena>(
                    *pageSize, [&codeMap](uintptr_t begin, uintptr_t end) -> llvm::Error {
                      if (auto added = codeMap.addCodeRegion(begin, end); !added)
                        return llvm::make_error<llvm::StringError>(
                            added.error().message(), llvm::inconvertibleErrorCode());
                      return llvm::Error::success();
                    },
                    dualMapped);
                auto layer = std::make_unique<orc::ObjectLinkingLayer>(session, std::move(arena));
                layer->addPlugin(std::make_unique<CodeMapPlugin>(codeMap));
                return layer;
              })
          .setCompileFunctionCreator(
              [optLevel](orc::JITTargetMachineBuilder machineBuilder)
                  -> llvm::Expected<std::unique_ptr<orc::IRCompileLayer::IRCompiler>> {
                return std::make_unique<WasmIRCompiler>(std::move(machineBuilder), optLevel);
              })
          .create();
  if (!jit)
    return toError(jit.takeError(), ErrorKind::Internal, "cannot create the JIT");

  auto routines = orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix(),
      [](const orc::SymbolStringPtr &name) {
        return abi::isLibraryRoutine({(*name).data(), (*name).size()});
      });
  if (!routines)
    return toError(routines.takeError(), ErrorKind::Internal, "cannot search process symbols");
  (*jit)->getMainJITDylib().addGenerator(std::move(*routines));
  return std::move(*jit);
}

} // namespace wasmrt::internal::compiler
