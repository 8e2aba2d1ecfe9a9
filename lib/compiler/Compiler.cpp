// compileModule(): partitions the module into chunks, defines one ORC
// materialization unit per chunk (translation happens when it materializes,
// on a compile thread), looks every symbol up in one go (which compiles all
// chunks in parallel), and packages the addresses as a CompiledModule.
//
// Lazy mode: every defined function is its own unit in a separate JITDylib
// ("bodies"), under its body symbol; the main JITDylib holds ORC lazy
// reexports under the function symbols, i.e. stubs that jump to a resolver
// until the body is linked and straight to it afterwards. Generated code
// calls function symbols, so every call goes through a stub and nothing is
// compiled before it first runs.
#include "compiler/Compiler.h"

#include "compiler/CompileThreadPool.h"
#include "compiler/Jit.h"
#include "compiler/ModuleEmitter.h"

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
#include <llvm/ExecutionEngine/Orc/IndirectionUtils.h>
#include <llvm/ExecutionEngine/Orc/LazyReexports.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/ADT/StringSet.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace wasmrt::internal {

namespace compiler {

// Chunk sizing. A chunk is one LLVM module: calls inside it can be inlined,
// and chunks compile in parallel. ~48 KiB of Wasm code per chunk keeps the
// per-chunk overhead (target machine, pass managers, link graph) small while
// leaving enough chunks to balance across threads; modules over 8 KiB are
// split into at least one chunk per thread. Chunks are runs of neighbouring
// functions, which are the most likely to call each other.
constexpr size_t kChunkCodeBytes = 48 * 1024;
constexpr size_t kMinSplitBytes = 8 * 1024;

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

namespace {

namespace orc = llvm::orc;

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

// The body a stub lands on when lazy compilation failed: the stub jumps here
// with the call's arguments in place, so the first one is the callee's
// instance context, which wasmrt_trap needs.
constexpr const char *kLazyFailureSymbol = "wasmrt_lazy_compilation_failed";

void defineLazyFailureHandler(llvm::Module &out) {
  llvm::LLVMContext &context = out.getContext();
  auto *ptrTy = llvm::PointerType::get(context, 0);
  auto *i32Ty = llvm::Type::getInt32Ty(context);
  llvm::FunctionCallee trap = out.getOrInsertFunction(
      runtimeEntryNames()[size_t(RuntimeEntry::wasmrt_trap)],
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptrTy, i32Ty}, false));
  auto *handler = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptrTy}, false),
      llvm::GlobalValue::ExternalLinkage, kLazyFailureSymbol, out);
  handler->addFnAttr("frame-pointer", "all");
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "", handler));
  b.CreateCall(trap, {handler->getArg(0),
                      llvm::ConstantInt::get(i32Ty, uint32_t(abi::TrapKind::CompilationFailed))});
  b.CreateUnreachable();
}

// Background compilation for lazy mode. The module's entry points compile at
// once on the compile pool's urgent lane: they are about to be called.
// Whenever a function is taken for compilation or starts compiling on
// demand, the functions it calls directly (known from validation) are
// queued; `maxInFlight` of them compile at a time on the background lane, in
// breadth-first call-graph order from the code that runs first. Calls waiting
// for a body use the urgent lane (CompileThreadPool.h), so they never queue
// behind speculation; bounding speculation (to threads - 1) leaves a core to
// the guest.
//
// Tier-up requests (tiered mode) share that bound and come before speculation:
// code that is known to be hot matters more than code that may run.
class Speculator {
public:
  // With an interpreter first, a function's first body is its interpreter
  // thunk, compiled in a moment: only entries are compiled ahead (their
  // thunks), nothing is speculated.
  Speculator(orc::LLJIT &jit, orc::JITDylib &bodies, const Module &module, unsigned maxInFlight,
             bool interpreterFirst)
      : jit_(jit), bodies_(bodies), module_(module),
        queued_(std::make_unique<std::atomic<bool>[]>(module.numDefinedFuncs())),
        maxInFlight_(std::max(maxInFlight, 1u)), interpreterFirst_(interpreterFirst) {}

  // Tiered mode. `define` defines the unit of an optimized body or of an OSR
  // entry in `optimized` and returns its symbol, or nothing if that failed;
  // `installed` is told when an optimized body is ready (OSR entries are
  // handed out by requestTierUp).
  struct TierUp {
    orc::JITDylib *optimized = nullptr;
    std::function<std::optional<std::string>(uint32_t funcIndex, bool osrEntry)> define;
    std::function<void(uint32_t funcIndex, orc::ExecutorAddr body)> installed;
  };
  void enableTierUp(TierUp tierUp) {
    tierUp_ = std::move(tierUp);
    tiers_.resize(module_.numDefinedFuncs());
  }

  // From baseline code running on a guest thread (through kTierUpSymbol):
  // queues the optimized body of `funcIndex` and, from a loop, its OSR entry,
  // which it returns once compiled. Never compiles or looks anything up
  // itself: the guest may be deep in its stack, and must not wait.
  void *requestTierUp(uint32_t funcIndex, uint32_t loop) {
    std::lock_guard lock(mutex_);
    if (stopped_ || funcIndex < module_.numImportedFuncs ||
        funcIndex - module_.numImportedFuncs >= tiers_.size())
      return nullptr;
    FunctionTiers &tiers = tiers_[funcIndex - module_.numImportedFuncs];
    bool queued = false;
    if (loop != kNoLoop) {
      if (tiers.osrEntry) {
        ++stats_.osrTransfers; // the caller moves now
        return tiers.osrEntry;
      }
      // A loop that keeps running needs its entry first.
      if (!tiers.osrQueued) {
        tiers.osrQueued = queued = true;
        hot_.push_back({funcIndex, true});
      }
    }
    if (!tiers.optimizedQueued) {
      tiers.optimizedQueued = queued = true;
      hot_.push_back({funcIndex, false});
    }
    if (queued && speculating_ < maxInFlight_) {
      DispatchLaneScope background(CompileThreadPool::Lane::Background);
      jit_.getExecutionSession().dispatchTask(orc::makeGenericNamedTask(
          [this] {
            std::lock_guard lock(mutex_);
            pumpLocked();
          },
          "wasmrt-tier-up"));
    }
    return nullptr;
  }

  // Functions that run first (start function, _start, a library's exports).
  // The first `maxInFlight + 1` (the thread count) compile at once on the
  // urgent lane: the guest is about to wait for them. More would make real
  // calls queue behind them, so the rest are speculated.
  void enqueueEntries(const std::vector<uint32_t> &funcIndices) {
    std::lock_guard lock(mutex_);
    unsigned urgent = 0;
    for (uint32_t funcIndex : funcIndices) {
      if (!claim(funcIndex))
        continue;
      if (urgent++ > maxInFlight_) {
        pending_.push_back(funcIndex);
        continue;
      }
      queueCalleesLocked(funcIndex);
      lookUpLocked(funcIndex, /*speculative=*/false);
    }
    pumpLocked();
  }
  // Functions worth compiling once nothing closer to running code is queued
  // (table elements: reached by indirect calls, which speculation cannot see).
  void enqueueLater(const std::vector<uint32_t> &funcIndices) {
    if (interpreterFirst_)
      return;
    std::lock_guard lock(mutex_);
    for (uint32_t funcIndex : funcIndices)
      if (funcIndex >= module_.numImportedFuncs)
        later_.push_back(funcIndex);
    pumpLocked();
  }
  // The body of `funcIndex` is being compiled (on demand or speculatively):
  // it needs no speculation, and its direct callees are likely to run next.
  void compiling(uint32_t funcIndex) {
    std::lock_guard lock(mutex_);
    queued_[funcIndex - module_.numImportedFuncs].store(true, std::memory_order_relaxed);
    queueCalleesLocked(funcIndex);
    pumpLocked();
  }
  CompiledModule::TierStats tierStats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }
  // Drops what is pending and waits for what is in flight, so that no
  // compile thread is still working when the JIT is torn down.
  void stop() {
    std::unique_lock lock(mutex_);
    stopped_ = true;
    hot_.clear();
    pending_.clear();
    later_.clear();
    idle_.wait(lock, [this] { return inFlight_ == 0; });
  }

private:
  void pumpLocked() {
    while (!stopped_ && speculating_ < maxInFlight_ &&
           (!hot_.empty() || !pending_.empty() || !later_.empty())) {
      uint32_t funcIndex = 0;
      if (!hot_.empty()) {
        auto [hotIndex, osrEntry] = hot_.front();
        hot_.pop_front();
        lookUpTierLocked(hotIndex, osrEntry);
        continue;
      }
      if (!pending_.empty()) {
        funcIndex = pending_.front();
        pending_.pop_front();
      } else {
        funcIndex = later_.front();
        later_.pop_front();
        if (!claim(funcIndex))
          continue;
      }
      // Queued before the next one is taken, so that what this function
      // calls comes before the `later_` list.
      queueCalleesLocked(funcIndex);
      lookUpLocked(funcIndex, /*speculative=*/true);
    }
  }
  void lookUpLocked(uint32_t funcIndex, bool speculative) {
    std::optional<DispatchLaneScope> background;
    if (speculative)
      background.emplace(CompileThreadPool::Lane::Background);
    // A failed compile is reported again if the function is called.
    lookUpSymbolLocked(bodies_,
                       interpreterFirst_ ? interpreterThunkSymbol(funcIndex)
                                         : functionBodySymbol(funcIndex),
                       speculative);
  }
  void lookUpTierLocked(uint32_t funcIndex, bool osrEntry) {
    std::optional<std::string> symbol = tierUp_.define(funcIndex, osrEntry);
    if (!symbol)
      return;
    // A failed optimized compile leaves the function in baseline code.
    DispatchLaneScope tierUpLane(CompileThreadPool::Lane::TierUp);
    lookUpSymbolLocked(*tierUp_.optimized, *symbol, /*speculative=*/true,
                       [this, funcIndex, osrEntry](orc::ExecutorAddr code) {
                         if (!osrEntry)
                           tierUp_.installed(funcIndex, code);
                         std::lock_guard lock(mutex_);
                         if (osrEntry) {
                           tiers_[funcIndex - module_.numImportedFuncs].osrEntry =
                               code.toPtr<void *>();
                           ++stats_.osrEntries;
                         } else {
                           ++stats_.optimizedBodies;
                         }
                       });
  }
  // Starts compiling `symbol` of `dylib` without waiting for it, on the lane
  // the caller's dispatch scope picks; `onReady` gets its address once it is
  // linked (never, if compilation failed). `speculative` lookups count
  // against maxInFlight_.
  void lookUpSymbolLocked(orc::JITDylib &dylib, const std::string &symbol, bool speculative,
                          std::function<void(orc::ExecutorAddr)> onReady = {}) {
    ++inFlight_;
    speculating_ += speculative;
    // The callback may run on this thread before lookup() returns, so it
    // must not take mutex_ here; it re-enters through done().
    jit_.getExecutionSession().lookup(
        orc::LookupKind::Static, orc::makeJITDylibSearchOrder(&dylib),
        orc::SymbolLookupSet(jit_.mangleAndIntern(symbol)), orc::SymbolState::Ready,
        [this, speculative, onReady = std::move(onReady)](llvm::Expected<orc::SymbolMap> result) {
          if (!result)
            llvm::consumeError(result.takeError());
          else if (onReady && !result->empty())
            onReady(result->begin()->second.getAddress());
          done(speculative);
        },
        orc::NoDependenciesToRegister);
  }
  const std::vector<uint32_t> &callees(uint32_t funcIndex) const {
    return module_.functionFacts[funcIndex - module_.numImportedFuncs].directCallees;
  }
  // Whether `funcIndex` is a defined function nobody has queued or compiled
  // yet; marks it queued.
  bool claim(uint32_t funcIndex) {
    return funcIndex >= module_.numImportedFuncs &&
           !queued_[funcIndex - module_.numImportedFuncs].exchange(true, std::memory_order_relaxed);
  }
  void queueCalleesLocked(uint32_t funcIndex) {
    if (interpreterFirst_)
      return;
    for (uint32_t callee : callees(funcIndex))
      if (claim(callee))
        pending_.push_back(callee);
  }
  void done(bool speculative) {
    std::lock_guard lock(mutex_);
    --inFlight_;
    speculating_ -= speculative;
    pumpLocked();
    if (inFlight_ == 0)
      idle_.notify_all();
  }

  orc::LLJIT &jit_;
  orc::JITDylib &bodies_;
  const Module &module_;
  std::unique_ptr<std::atomic<bool>[]> queued_; // per defined function
  const unsigned maxInFlight_;
  const bool interpreterFirst_;
  std::recursive_mutex mutex_;
  std::condition_variable_any idle_;
  std::deque<uint32_t> pending_; // breadth-first from code that ran or runs first
  std::deque<uint32_t> later_;   // queued_ is set when taken, not when added
  // Tiered mode: per defined function, what was asked for and what is ready.
  struct FunctionTiers {
    bool optimizedQueued = false;
    bool osrQueued = false;
    void *osrEntry = nullptr;
  };
  TierUp tierUp_;
  std::vector<FunctionTiers> tiers_;
  std::deque<std::pair<uint32_t, bool>> hot_; // (funcIndex, OSR entry or optimized body)
  CompiledModule::TierStats stats_;
  unsigned inFlight_ = 0;    // lookups not finished, entries included
  unsigned speculating_ = 0; // of those, on the background lane
  bool stopped_ = false;
};

// What a unit compiles.
enum class UnitKind : uint8_t {
  Eager,     // a chunk, under the function symbols
  LazyBody,  // one function's first body (lazy mode), under its body symbol
  Optimized, // tiered: a hot function's optimized body
  OsrEntry,  // tiered: the OSR entry (all loops) of a hot function
  InterpreterThunk, // lazy, interpreter first: one function's thunk
};

// Translates its chunk to IR when ORC materializes it, then hands the IR to
// the compile layer (optimisation + code generation) on the same thread.
class ChunkUnit : public orc::MaterializationUnit {
public:
  ChunkUnit(orc::LLJIT &jit, const Module &module, const CompileOptions &options, Chunk chunk,
            ErrorSink &errors, Speculator *lazy, UnitKind kind)
      : MaterializationUnit(interface(jit, module, options, chunk, kind)), jit_(jit),
        module_(module),
        options_(options), chunk_(chunk), errors_(errors), lazy_(lazy), kind_(kind) {}

  llvm::StringRef getName() const override { return "wasmrt-chunk"; }

  void materialize(std::unique_ptr<orc::MaterializationResponsibility> responsibility) override {
    auto context = std::make_unique<llvm::LLVMContext>();
    auto out = std::make_unique<llvm::Module>(
        fmt::format("wasm-functions-{}-{}", chunk_.first, chunk_.end), *context);
    out->setDataLayout(jit_.getDataLayout());
    out->setTargetTriple(jit_.getTargetTriple().str());
    if (lazy_ && kind_ == UnitKind::LazyBody && chunk_.first < chunk_.end)
      lazy_->compiling(module_.numImportedFuncs + chunk_.first);
    FunctionVariant variant;
    variant.countHotness = kind_ == UnitKind::LazyBody &&
                           options_.tiering == CompileOptions::Tiering::Tiered;
    variant.osrEntry = kind_ == UnitKind::OsrEntry;
    variant.interpreterThunk = kind_ == UnitKind::InterpreterThunk;
    auto translated = translateChunk(module_, options_, *out, chunk_.first, chunk_.end,
                                     chunk_.withGlue, variant);
    if (!translated) {
      errors_.record(std::move(translated).error());
      responsibility->failMaterialization();
      return;
    }
    if (kind_ == UnitKind::LazyBody || kind_ == UnitKind::Optimized)
      nameBodies(*out);
    if (kind_ == UnitKind::InterpreterThunk)
      out->addModuleFlag(llvm::Module::Override, kOptLevelFlag, uint32_t(0));
    if (compilesAtBaseline())
      markLargeBaseline(*out);
    jit_.getIRCompileLayer().emit(
        std::move(responsibility),
        orc::ThreadSafeModule(std::move(out), orc::ThreadSafeContext(std::move(context))));
  }

  static std::vector<std::string> symbolNames(const Module &module, const CompileOptions &options,
                                              Chunk chunk, UnitKind kind) {
    std::vector<std::string> names;
    for (uint32_t i = chunk.first; i < chunk.end; ++i) {
      uint32_t funcIndex = module.numImportedFuncs + i;
      switch (kind) {
      case UnitKind::Eager: names.push_back(functionSymbol(funcIndex)); break;
      case UnitKind::LazyBody: names.push_back(functionBodySymbol(funcIndex)); break;
      case UnitKind::Optimized: names.push_back(optimizedBodySymbol(funcIndex)); break;
      case UnitKind::OsrEntry:
        // With an interpreter first, the array entry it calls comes first.
        if (options.interpreterEntry)
          names.push_back(osrArrayEntrySymbol(funcIndex));
        names.push_back(osrEntrySymbol(funcIndex));
        break;
      case UnitKind::InterpreterThunk: names.push_back(interpreterThunkSymbol(funcIndex)); break;
      }
    }
    if (chunk.withGlue) {
      for (uint32_t type = 0; type < module.types.size(); ++type) {
        names.push_back(entryTrampolineSymbol(type));
        names.push_back(hostAdapterSymbol(type));
      }
      if (kind == UnitKind::LazyBody)
        names.push_back(kLazyFailureSymbol);
    }
    return names;
  }

private:
  static Interface interface(orc::LLJIT &jit, const Module &module, const CompileOptions &options,
                             Chunk chunk, UnitKind kind) {
    orc::SymbolFlagsMap flags;
    for (const std::string &name : symbolNames(module, options, chunk, kind))
      flags[jit.mangleAndIntern(name)] =
          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable;
    return Interface(std::move(flags), nullptr);
  }

  void discard(const orc::JITDylib &, const orc::SymbolStringPtr &) override {}

  // The translator names a defined function by its function symbol; in lazy
  // mode that is the stub, so the definition takes the body (or optimized
  // body) symbol while calls keep referring to stubs.
  void nameBodies(llvm::Module &out) {
    if (chunk_.withGlue)
      defineLazyFailureHandler(out);
    // Baseline bodies compile at -O0; so does the glue, compiled before
    // anything runs (keep that wait short).
    if (chunk_.withGlue || isBaselineBody())
      out.addModuleFlag(llvm::Module::Override, kOptLevelFlag, uint32_t(0));
    for (llvm::Function &function : out.functions()) {
      llvm::StringRef name = function.getName();
      std::optional<uint32_t> index = parseFunctionSymbol({name.data(), name.size()});
      if (index && !function.isDeclaration())
        function.setName(kind_ == UnitKind::Optimized ? optimizedBodySymbol(*index)
                                                      : functionBodySymbol(*index));
    }
  }

  // A lazy mode's first body, when tiers say it is baseline code.
  bool isBaselineBody() const {
    return kind_ == UnitKind::LazyBody && options_.tiering != CompileOptions::Tiering::Optimized;
  }
  // Whether the unit compiles at -O0 (the baseline pipeline).
  bool compilesAtBaseline() const { return isBaselineBody() || options_.optLevel == 0; }

  // Large functions get the greedy register allocator even in the baseline:
  // the fast one gives every value live across blocks a stack slot of its
  // own, and an interpreter's dispatch function got a frame 16x its -O2 size
  // (docs/COMPILER.md, "The baseline pipeline").
  void markLargeBaseline(llvm::Module &out) const {
    for (uint32_t i = chunk_.first; i < chunk_.end; ++i)
      if (module_.code[i].code.size() >= kLargeBaselineBytes) {
        out.addModuleFlag(llvm::Module::Override, kLargeBaselineFlag, uint32_t(1));
        return;
      }
  }

  orc::LLJIT &jit_;
  const Module &module_;
  const CompileOptions &options_;
  Chunk chunk_;
  ErrorSink &errors_;
  Speculator *lazy_;
  UnitKind kind_;
};

// Lazy stubs whose pointer, once a tiered function's optimized body is
// installed, stays on it: ORC's call-through for the baseline body sets the
// pointer when that body is resolved, which on a multi-threaded guest can
// happen after another thread already tiered the function up.
class TieredStubsManager : public orc::IndirectStubsManager {
public:
  explicit TieredStubsManager(std::unique_ptr<orc::IndirectStubsManager> stubs)
      : stubs_(std::move(stubs)) {}

  llvm::Error createStub(llvm::StringRef name, orc::ExecutorAddr address,
                         llvm::JITSymbolFlags flags) override {
    return stubs_->createStub(name, address, flags);
  }
  llvm::Error createStubs(const StubInitsMap &stubs) override {
    return stubs_->createStubs(stubs);
  }
  orc::ExecutorSymbolDef findStub(llvm::StringRef name, bool exportedOnly) override {
    return stubs_->findStub(name, exportedOnly);
  }
  orc::ExecutorSymbolDef findPointer(llvm::StringRef name) override {
    return stubs_->findPointer(name);
  }
  llvm::Error updatePointer(llvm::StringRef name, orc::ExecutorAddr address) override {
    std::lock_guard lock(mutex_);
    if (installed_.count(name))
      return llvm::Error::success();
    return stubs_->updatePointer(name, address);
  }
  // Points the stub at `address` for good.
  llvm::Error install(llvm::StringRef name, orc::ExecutorAddr address) {
    std::lock_guard lock(mutex_);
    installed_.insert(name);
    return stubs_->updatePointer(name, address);
  }

private:
  std::unique_ptr<orc::IndirectStubsManager> stubs_;
  std::mutex mutex_;
  llvm::StringSet<> installed_;
};

class JitCompiledModule final : public CompiledModule {
public:
  JitCompiledModule(const Module &module, const CompileOptions &options)
      : options_(options), numImportedFuncs_(module.numImportedFuncs),
        functions_(module.numDefinedFuncs()),
        optimizedBodies_(std::make_unique<std::atomic<void *>[]>(module.numDefinedFuncs())),
        entries_(module.types.size()),
        hostAdapters_(module.types.size()),
        codeMap_(options.onCodeLinked,
                 options.lazy ? options.onBodyReady : CodeMap::BodyCallback()) {}

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
  std::vector<std::pair<uintptr_t, uintptr_t>> codeRanges() const override {
    return codeMap_.codeRanges();
  }
  bool containsCode(uintptr_t pc) const override { return codeMap_.containsCode(pc); }
  bool isCompiled(uint32_t funcIndex) const override { return codeMap_.hasFunction(funcIndex); }
  std::optional<uint32_t> functionAt(uintptr_t pc) const override {
    return codeMap_.functionAt(pc);
  }
  TierStats tierStats() const override {
    return speculator_ ? speculator_->tierStats() : TierStats();
  }
  void *requestTierUp(uint32_t funcIndex, uint32_t loop) override {
    return speculator_ ? speculator_->requestTierUp(funcIndex, loop) : nullptr;
  }
  void *optimizedBody(uint32_t funcIndex) const override {
    if (funcIndex < numImportedFuncs_ || funcIndex - numImportedFuncs_ >= functions_.size())
      return nullptr;
    return optimizedBodies_[funcIndex - numImportedFuncs_].load(std::memory_order_acquire);
  }

  // Teardown order matters: no compile may be in flight when the JIT goes,
  // and the call-through manager holds symbol names from the session's
  // string pool, so it must go before the session.
  ~JitCompiledModule() override {
    if (speculator_)
      speculator_->stop();
    // A compile thread may still be finishing a body whose symbols are
    // already ready; the session must not tear down JITDylibs under it.
    if (jit_)
      jit_->getExecutionSession().getExecutorProcessControl().getDispatcher().shutdown();
    callThrough_.reset();
    stubs_.reset();
    jit_.reset();
  }

  Expected<void> build(const Module &module);

private:
  Expected<void> defineUnit(orc::JITDylib &dylib, const Module &module, Chunk chunk,
                            std::vector<std::string> &names);
  Expected<void> enableTierUp(const Module &module);
  Expected<orc::SymbolMap> lookup(orc::JITDylib &dylib, const std::vector<std::string> &names);
  Expected<void> defineLazyStubs(const Module &module, orc::ExecutorAddr failureHandler,
                                 std::vector<std::string> &names);
  void storeAddresses(const Module &module, const orc::SymbolMap &symbols);

  // Units read the options (and the Module) whenever they materialize,
  // which in lazy mode is long after compileModule() returned.
  CompileOptions options_;
  uint32_t numImportedFuncs_;
  std::vector<void *> functions_;
  std::unique_ptr<std::atomic<void *>[]> optimizedBodies_; // tiered: once installed
  std::vector<abi::EntryTrampoline> entries_;
  std::vector<void *> hostAdapters_;
  CodeMap codeMap_;
  ErrorSink errors_;
  orc::JITDylib *bodies_ = nullptr; // lazy mode: owned by the session
  std::unique_ptr<Speculator> speculator_;
  std::unique_ptr<orc::LazyCallThroughManager> callThrough_;
  std::unique_ptr<TieredStubsManager> stubs_;
  // Last: destroyed first (it waits for compile threads), while everything
  // its units and plugin use still exists.
  std::unique_ptr<orc::LLJIT> jit_;
};

Expected<void> JitCompiledModule::defineUnit(orc::JITDylib &dylib, const Module &module,
                                             Chunk chunk, std::vector<std::string> &names) {
  Speculator *lazy = options_.lazy ? speculator_.get() : nullptr;
  UnitKind kind = lazy ? UnitKind::LazyBody : UnitKind::Eager;
  if (lazy && options_.interpreterEntry && chunk.first < chunk.end)
    kind = UnitKind::InterpreterThunk;
  for (std::string &name : ChunkUnit::symbolNames(module, options_, chunk, kind))
    names.push_back(std::move(name));
  auto unit = std::make_unique<ChunkUnit>(*jit_, module, options_, chunk, errors_, lazy, kind);
  if (auto error = dylib.define(std::move(unit)))
    return toError(std::move(error), ErrorKind::Internal, "cannot define code");
  return {};
}

// Materialization errors recorded by the units explain a failed lookup
// better than ORC's own message.
Expected<orc::SymbolMap> JitCompiledModule::lookup(orc::JITDylib &dylib,
                                                   const std::vector<std::string> &names) {
  auto symbols = lookupAll(*jit_, dylib, names);
  if (symbols)
    return std::move(*symbols);
  if (std::optional<Error> error = errors_.take()) {
    llvm::consumeError(symbols.takeError());
    return std::move(*error);
  }
  return toError(symbols.takeError(), ErrorKind::Internal, "code generation failed");
}

// Bodies in their own JITDylib, stubs under the function symbols in the main
// one. Bodies link against the main JITDylib, so their calls bind to stubs.
Expected<void> JitCompiledModule::defineLazyStubs(const Module &module,
                                                  orc::ExecutorAddr failureHandler,
                                                  std::vector<std::string> &names) {
  orc::ExecutionSession &session = jit_->getExecutionSession();
  const llvm::Triple &triple = jit_->getTargetTriple();
  auto callThrough = orc::createLocalLazyCallThroughManager(triple, session, failureHandler);
  if (!callThrough)
    return toError(callThrough.takeError(), ErrorKind::Internal,
                   "lazy compilation is not supported on this target");
  callThrough_ = std::move(*callThrough);
  stubs_ = std::make_unique<TieredStubsManager>(
      orc::createLocalIndirectStubsManagerBuilder(triple)());

  orc::JITDylib &bodies = *bodies_;
  orc::SymbolAliasMap aliases;
  std::vector<std::string> bodyNames;
  for (uint32_t i = 0; i < module.numDefinedFuncs(); ++i) {
    if (auto defined = defineUnit(bodies, module, Chunk{i, i + 1, false}, bodyNames); !defined)
      return defined;
    uint32_t funcIndex = module.numImportedFuncs + i;
    names.push_back(functionSymbol(funcIndex));
    aliases[jit_->mangleAndIntern(functionSymbol(funcIndex))] = {
        jit_->mangleAndIntern(options_.interpreterEntry ? interpreterThunkSymbol(funcIndex)
                                                        : functionBodySymbol(funcIndex)),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto error = jit_->getMainJITDylib().define(
          orc::lazyReexports(*callThrough_, *stubs_, bodies, std::move(aliases))))
    return toError(std::move(error), ErrorKind::Internal, "cannot define lazy stubs");
  // What runs first is known: the start function, then a WASI command's
  // `_start` or a reactor's `_initialize`; a module with neither is a
  // library whose exports are its entry points. Compiling them now overlaps
  // with instantiation. Other exports of a command come later, with the
  // table elements.
  auto isEntryName = [](const std::string &name) {
    return name == "_start" || name == "_initialize";
  };
  std::vector<uint32_t> entries, later;
  if (module.startFunc)
    entries.push_back(*module.startFunc);
  for (const Export &e : module.exports)
    if (e.kind == ExternKind::Func && isEntryName(e.name))
      entries.push_back(e.index);
  bool library = entries.empty();
  for (const Export &e : module.exports)
    if (e.kind == ExternKind::Func && !isEntryName(e.name))
      (library ? entries : later).push_back(e.index);
  speculator_->enqueueEntries(entries);
  for (const ElementSegment &segment : module.elements)
    later.insert(later.end(), segment.funcIndices.begin(), segment.funcIndices.end());
  speculator_->enqueueLater(later);
  return {};
}

void JitCompiledModule::storeAddresses(const Module &module, const orc::SymbolMap &symbols) {
  auto address = [&](const std::string &name) -> void * {
    auto found = symbols.find(jit_->mangleAndIntern(name));
    return found == symbols.end() ? nullptr : found->second.getAddress().toPtr<void *>();
  };
  for (uint32_t i = 0; i < module.numDefinedFuncs(); ++i)
    if (void *code = address(functionSymbol(module.numImportedFuncs + i)))
      functions_[i] = code;
  for (uint32_t type = 0; type < module.types.size(); ++type) {
    if (void *entry = address(entryTrampolineSymbol(type)))
      entries_[type] = reinterpret_cast<abi::EntryTrampoline>(entry);
    if (void *adapter = address(hostAdapterSymbol(type)))
      hostAdapters_[type] = adapter;
  }
}

// Baseline code calls this (kTierUpSymbol) with the session's Speculator
// as `state` (kTierUpStateSymbol is defined at its address).
extern "C" void *wasmrtTierUp(void *state, uint32_t funcIndex, uint32_t loop) {
  return static_cast<Speculator *>(state)->requestTierUp(funcIndex, loop);
}

// Tiered mode: optimized bodies and OSR entries go into a third JITDylib and
// link against the main one (their calls go through the stubs too); the
// symbols baseline code calls to ask for them are absolute. An optimized
// body, once ready, takes over the function's stub; the runtime hears of it
// through the code map (onBodyReady), as of any body, and points the
// FuncRefs at it.
Expected<void> JitCompiledModule::enableTierUp(const Module &module) {
  orc::JITDylib &optimized = jit_->getExecutionSession().createBareJITDylib("wasm-optimized");
  optimized.addToLinkOrder(jit_->getMainJITDylib());
  orc::SymbolMap symbols;
  symbols[jit_->mangleAndIntern(kTierUpSymbol)] = {
      orc::ExecutorAddr::fromPtr(&wasmrtTierUp),
      llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  symbols[jit_->mangleAndIntern(kTierUpStateSymbol)] = {
      orc::ExecutorAddr::fromPtr(speculator_.get()), llvm::JITSymbolFlags::Exported};
  if (auto error = jit_->getMainJITDylib().define(orc::absoluteSymbols(std::move(symbols))))
    return toError(std::move(error), ErrorKind::Internal, "cannot define tier-up symbols");

  Speculator::TierUp tierUp;
  tierUp.optimized = &optimized;
  tierUp.define = [this, &module, &optimized](uint32_t funcIndex,
                                              bool osrEntry) -> std::optional<std::string> {
    UnitKind kind = osrEntry ? UnitKind::OsrEntry : UnitKind::Optimized;
    uint32_t defined = funcIndex - module.numImportedFuncs;
    Chunk chunk{defined, defined + 1, false};
    std::string symbol = ChunkUnit::symbolNames(module, options_, chunk, kind).front();
    auto unit =
        std::make_unique<ChunkUnit>(*jit_, module, options_, chunk, errors_, nullptr, kind);
    if (auto error = optimized.define(std::move(unit))) {
      errors_.record(toError(std::move(error), ErrorKind::Internal, "cannot define tier-up"));
      return std::nullopt;
    }
    return symbol;
  };
  tierUp.installed = [this](uint32_t funcIndex, orc::ExecutorAddr body) {
    optimizedBodies_[funcIndex - numImportedFuncs_].store(body.toPtr<void *>(),
                                                          std::memory_order_release);
    if (auto error = stubs_->install(*jit_->mangleAndIntern(functionSymbol(funcIndex)), body))
      errors_.record(toError(std::move(error), ErrorKind::Internal, "cannot install tier-up"));
  };
  speculator_->enableTierUp(std::move(tierUp));
  return {};
}

Expected<void> JitCompiledModule::build(const Module &module) {
  unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
  threads = std::max(threads, 1u);
  // Eager compilation has one tier: the baseline pipeline, or optLevel.
  if (!options_.lazy && options_.tiering == CompileOptions::Tiering::Baseline)
    options_.optLevel = 0;
  auto jit = createJit(options_, threads, codeMap_);
  if (!jit)
    return std::move(jit).error();
  jit_ = std::move(*jit);
  // Materialization errors surface through ErrorSink and lookups; ORC's own
  // reports (e.g. of a failed lazy compile) would otherwise go to stderr.
  jit_->getExecutionSession().setErrorReporter(
      [this](llvm::Error error) { errors_.record(toError(std::move(error), ErrorKind::Internal,
                                                         "JIT session error")); });
  if (auto defined = defineRuntimeSymbols(*jit_, options_); !defined)
    return defined;
  if (module.numDefinedFuncs() == 0 && module.types.empty())
    return {};

  std::vector<std::string> names;
  if (options_.lazy) {
    bodies_ = &jit_->getExecutionSession().createBareJITDylib("wasm-function-bodies");
    bodies_->addToLinkOrder(jit_->getMainJITDylib());
    if (options_.tiering != CompileOptions::Tiering::Tiered)
      options_.interpreterEntry = nullptr;
    speculator_ = std::make_unique<Speculator>(*jit_, *bodies_, module, threads - 1,
                                               options_.interpreterEntry != nullptr);
    if (options_.tiering == CompileOptions::Tiering::Tiered)
      if (auto enabled = enableTierUp(module); !enabled)
        return enabled;
    std::vector<std::string> glue;
    if (auto defined = defineUnit(jit_->getMainJITDylib(), module, Chunk{0, 0, true}, glue);
        !defined)
      return defined;
    auto glueSymbols = lookup(jit_->getMainJITDylib(), glue);
    if (!glueSymbols)
      return std::move(glueSymbols).error();
    storeAddresses(module, *glueSymbols);
    orc::ExecutorAddr failureHandler =
        (*glueSymbols)[jit_->mangleAndIntern(kLazyFailureSymbol)].getAddress();
    if (auto defined = defineLazyStubs(module, failureHandler, names); !defined)
      return defined;
  } else {
    for (const Chunk &chunk : partition(module, threads))
      if (auto defined = defineUnit(jit_->getMainJITDylib(), module, chunk, names); !defined)
        return defined;
  }
  auto symbols = lookup(jit_->getMainJITDylib(), names);
  if (!symbols)
    return std::move(symbols).error();
  storeAddresses(module, *symbols);
  return {};
}

} // namespace
} // namespace compiler

Expected<std::unique_ptr<CompiledModule>> compileModule(const Module &module,
                                                        const CompileOptions &options) {
  if (module.functionFacts.size() != module.numDefinedFuncs())
    return Error(ErrorKind::Usage, "compileModule needs a module that passed validateModule");
  auto compiled = std::make_unique<compiler::JitCompiledModule>(module, options);
  if (auto built = compiled->build(module); !built)
    return std::move(built).error();
  return std::unique_ptr<CompiledModule>(std::move(compiled));
}

} // namespace wasmrt::internal
