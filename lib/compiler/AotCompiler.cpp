// compileArtifact(): the whole module through the same translation and
// optimisation as eager JIT compilation (the same chunks, so calls inside a
// chunk can be inlined), emitted as relocatable objects in parallel, linked
// by AotLinker into one image and written in the artifact format.
#include "abi/ArtifactFormat.h"
#include "abi/LibraryRoutines.h"
#include "compiler/AotLinker.h"
#include "compiler/CompileThreadPool.h"
#include "compiler/Compiler.h"
#include "compiler/Jit.h"
#include "compiler/ModuleEmitter.h"
#include "support/Checksum.h"
#include "wasmrt/Version.h"

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace wasmrt::internal {
namespace compiler {
namespace {

namespace art = abi::artifact;
namespace orc = llvm::orc;

struct Target {
  orc::JITTargetMachineBuilder builder;
  art::TargetArch arch;
  uint32_t segmentAlign;
  bool hostNative;
};

// Segments are separate mappings: their distance must be a multiple of every
// page size the target's kernels use (4 KiB on x86-64; up to 64 KiB on AArch64).
uint32_t segmentAlignFor(art::TargetArch arch) {
  return arch == art::TargetArch::X86_64 ? 4096 : 65536;
}

Expected<Target> chooseTarget(const ArtifactOptions &artifact, unsigned optLevel) {
  std::optional<orc::JITTargetMachineBuilder> builder;
  art::TargetArch arch;
  if (artifact.targetArch.empty()) {
    if (!initializeNativeTarget())
      return Error(ErrorKind::Internal, "cannot initialise the LLVM native target");
    auto host = orc::JITTargetMachineBuilder::detectHost();
    if (!host)
      return toError(host.takeError(), ErrorKind::Internal, "cannot detect the host target");
    builder.emplace(std::move(*host));
    llvm::Triple::ArchType hostArch = builder->getTargetTriple().getArch();
    if (hostArch != llvm::Triple::x86_64 && hostArch != llvm::Triple::aarch64)
      return Error(ErrorKind::Usage, "AOT compilation supports x86_64 and aarch64 hosts only");
    arch = hostArch == llvm::Triple::x86_64 ? art::TargetArch::X86_64 : art::TargetArch::AArch64;
  } else {
    // Cross targets: register every target LLVM has (only on this path).
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    if (artifact.targetArch == "x86_64") {
      builder.emplace(llvm::Triple("x86_64-unknown-linux-gnu"));
      // SIMD lowering needs SSSE3; x86-64-v2 (2009 on) adds SSE4.1/4.2 and
      // POPCNT, which Wasm's rounding, lane and popcnt instructions use.
      builder->setCPU("x86-64-v2");
      arch = art::TargetArch::X86_64;
    } else if (artifact.targetArch == "aarch64") {
      builder.emplace(llvm::Triple("aarch64-unknown-linux-gnu"));
      builder->setCPU("generic");
      builder->getFeatures().AddFeature("neon");
      arch = art::TargetArch::AArch64;
    } else {
      return Error(ErrorKind::Usage,
                   fmt::format("unknown target '{}' (expected x86_64 or aarch64)",
                               artifact.targetArch));
    }
  }
  // -O0 chunks hold functions of every size: all get the baseline's
  // large-function set-up (FastISel with the greedy allocator; Jit.h,
  // kLargeBaselineFlag), so -O0 artifacts have frames as small as -O2's.
  builder->setCodeGenOptLevel(optLevel == 0 ? llvm::CodeGenOptLevel::Less
                                            : codeGenLevel(optLevel));
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  return Target{std::move(*builder), arch, segmentAlignFor(arch), artifact.targetArch.empty()};
}

bool isBoundAtLoad(std::string_view name) {
  if (abi::isLibraryRoutine(name))
    return true;
  std::span<const std::string_view> entries = runtimeEntryNames();
  return std::find(entries.begin(), entries.end(), name) != entries.end();
}

// Compiles every chunk to an object on `threads` threads, each with its own
// target machine (they are not thread-safe).
class ChunkCompiler {
public:
  ChunkCompiler(const Module &module, const CompileOptions &options, const Target &target,
                const ArtifactOptions &artifact)
      : module_(module), options_(options), target_(target), artifact_(artifact) {}

  Expected<std::vector<std::unique_ptr<llvm::MemoryBuffer>>> run(unsigned threads) {
    chunks_ = partition(module_, threads);
    objects_.resize(chunks_.size());
    std::vector<llvm::thread> workers;
    unsigned count = std::min<unsigned>(threads, unsigned(chunks_.size()));
    for (unsigned i = 1; i < count; ++i)
      workers.emplace_back(kCompileThreadStack, [this] { work(); });
    work();
    for (llvm::thread &worker : workers)
      worker.join();
    if (error_)
      return std::move(*error_);
    return std::move(objects_);
  }

private:
  void work() {
    orc::JITTargetMachineBuilder builder = target_.builder;
    auto machine = builder.createTargetMachine();
    if (!machine) {
      fail(toError(machine.takeError(), ErrorKind::Internal, "cannot create a target machine"));
      return;
    }
    if (options_.optLevel == 0) {
      (*machine)->setO0WantsFastISel(true);
      (*machine)->setFastISel(true);
    }
    for (size_t index = next_++; index < chunks_.size() && !failed_; index = next_++) {
      auto object = compileChunk(chunks_[index], **machine);
      if (!object) {
        fail(std::move(object).error());
        return;
      }
      objects_[index] = std::move(*object);
      report(chunks_[index].end - chunks_[index].first);
    }
  }

  Expected<std::unique_ptr<llvm::MemoryBuffer>> compileChunk(const Chunk &chunk,
                                                             llvm::TargetMachine &machine) {
    llvm::LLVMContext context;
    llvm::Module out(fmt::format("wasm-functions-{}-{}", chunk.first, chunk.end), context);
    out.setDataLayout(machine.createDataLayout());
    out.setTargetTriple(machine.getTargetTriple().str());
    auto translated = translateChunk(module_, options_, out, chunk.first, chunk.end, chunk.withGlue);
    if (!translated)
      return std::move(translated).error();
    optimize(out, machine, std::min(options_.optLevel, 3u));
    auto object = emitObject(out, machine);
    if (!object)
      return toError(object.takeError(), ErrorKind::Internal, "code generation failed");
    return std::move(*object);
  }

  void report(uint32_t functions) {
    if (!artifact_.onProgress)
      return;
    std::lock_guard lock(mutex_);
    done_ += functions;
    artifact_.onProgress(done_, module_.numDefinedFuncs());
  }

  void fail(Error error) {
    std::lock_guard lock(mutex_);
    failed_ = true;
    if (!error_)
      error_.emplace(std::move(error));
  }

  const Module &module_;
  const CompileOptions &options_;
  const Target &target_;
  const ArtifactOptions &artifact_;
  std::vector<Chunk> chunks_;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  uint32_t done_ = 0;
  std::optional<Error> error_;
};

void copyString(char *out, size_t capacity, std::string_view text) {
  size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

uint32_t codegenFlags(const CompileOptions &options, art::TargetArch arch) {
  uint32_t flags = 0;
  if (options.explicitBoundsChecks)
    flags |= art::kExplicitBoundsChecks;
  if (options.epochInterruption)
    flags |= art::kEpochInterruption;
  if (options.consumeFuel)
    flags |= art::kConsumeFuel;
  if (options.forceStoreProbes || arch == art::TargetArch::AArch64)
    flags |= art::kStoreProbes;
  return flags;
}

// Appends `bytes` at an offset aligned to `align`; returns the offset.
template <typename T> uint64_t append(std::vector<uint8_t> &file, const T *data, size_t count,
                                      uint64_t align = 8) {
  uint64_t offset = (file.size() + align - 1) / align * align;
  file.resize(offset, 0);
  const auto *bytes = reinterpret_cast<const uint8_t *>(data);
  file.insert(file.end(), bytes, bytes + count * sizeof(T));
  return offset;
}

Expected<std::vector<uint8_t>> writeArtifact(const Module &module,
                                             std::span<const uint8_t> wasmBytes,
                                             const CompileOptions &options, const Target &target,
                                             const ArtifactOptions &artifact,
                                             const LinkedImage &image,
                                             const llvm::TargetMachine &machine) {
  std::vector<art::FunctionEntry> functions(module.numDefinedFuncs());
  for (uint32_t i = 0; i < functions.size(); ++i) {
    auto found = image.symbols.find(functionSymbol(module.numImportedFuncs + i));
    if (found == image.symbols.end())
      return Error(ErrorKind::Internal, fmt::format("AOT: function {} has no code",
                                                    module.numImportedFuncs + i));
    functions[i] = {uint32_t(found->second.offset), uint32_t(found->second.size)};
  }
  std::vector<art::TypeGlueEntry> glue(module.types.size());
  for (uint32_t type = 0; type < glue.size(); ++type) {
    auto offsetOf = [&](const std::string &name) {
      auto found = image.symbols.find(name);
      return found == image.symbols.end() ? art::kNoCode : uint32_t(found->second.offset);
    };
    glue[type] = {offsetOf(entryTrampolineSymbol(type)), offsetOf(hostAdapterSymbol(type))};
  }
  if (image.text.size() + image.rodata.size() + image.data.size() > UINT32_MAX)
    return Error(ErrorKind::Usage, "AOT: the module's code is larger than 4 GiB");

  std::string cpu = machine.getTargetCPU().str();
  std::string description = fmt::format(
      "wasmrt-version: {}\ntarget: {}\ncpu: {}\nfeatures: {}\nopt-level: {}\nmemory: {}\n"
      "fuel: {}\nepoch-interruption: {}\nfunctions: {}\n",
      versionString(), machine.getTargetTriple().str(), target.hostNative ? cpu : cpu + " (portable)",
      machine.getTargetFeatureString().str(), options.optLevel,
      options.explicitBoundsChecks ? "bounds-checked" : "guarded", options.consumeFuel ? "yes" : "no",
      options.epochInterruption ? "yes" : "no", functions.size());

  art::ArtifactHeader header{};
  std::memcpy(header.magic, art::kMagic, sizeof header.magic);
  header.formatVersion = art::kFormatVersion;
  header.headerSize = sizeof header;
  std::memcpy(header.sourceHash, artifact.sourceHash.data(), sizeof header.sourceHash);
  copyString(header.wasmrtVersion, sizeof header.wasmrtVersion, versionString());
  copyString(header.targetTriple, sizeof header.targetTriple, machine.getTargetTriple().str());
  copyString(header.cpuName, sizeof header.cpuName, cpu);
  if (target.hostNative)
    std::memcpy(header.cpuFingerprint, artifact.cpuFingerprint.data(), sizeof header.cpuFingerprint);
  header.targetArch = uint32_t(target.arch);
  header.codegenFlags = codegenFlags(options, target.arch);
  header.optLevel = std::min(options.optLevel, 3u);
  header.segmentAlign = target.segmentAlign;
  header.numDefinedFuncs = uint32_t(functions.size());
  header.numTypes = uint32_t(glue.size());
  header.numBindings = uint32_t(image.bindings.size());

  std::vector<uint8_t> file(sizeof header, 0);
  header.descriptionOffset = append(file, description.data(), description.size());
  header.descriptionSize = description.size();
  header.functionsOffset = append(file, functions.data(), functions.size());
  header.typeGlueOffset = append(file, glue.data(), glue.size());
  header.bindingsOffset = append(file, image.bindings.data(), image.bindings.size());
  header.namesOffset = append(file, image.names.data(), image.names.size());
  header.namesSize = image.names.size();
  header.wasmOffset = append(file, wasmBytes.data(), wasmBytes.size());
  header.wasmSize = wasmBytes.size();
  header.imageFileOffset = append(file, image.text.data(), image.text.size(), target.segmentAlign);
  header.textSize = image.text.size();
  header.rodataOffset = image.rodataOffset;
  header.rodataSize = image.rodata.size();
  file.resize(header.imageFileOffset + image.rodataOffset, 0);
  file.insert(file.end(), image.rodata.begin(), image.rodata.end());
  header.dataOffset = image.dataOffset;
  header.dataSize = image.data.size();
  header.dataInitFileOffset = append(file, image.data.data(), image.data.size());
  header.dataInitSize = image.data.size();
  header.fileSize = file.size();

  std::memcpy(file.data(), &header, sizeof header);
  Checksum128 sum = checksum128({file});
  std::memcpy(file.data() + offsetof(art::ArtifactHeader, checksum), sum.data(), sum.size());
  return file;
}

} // namespace
} // namespace compiler

Expected<std::vector<uint8_t>> compileArtifact(const Module &module,
                                               std::span<const uint8_t> wasmBytes,
                                               const CompileOptions &options,
                                               const ArtifactOptions &artifact) {
  using namespace compiler;
  if (module.functionFacts.size() != module.numDefinedFuncs())
    return Error(ErrorKind::Usage, "compileArtifact needs a module that passed validateModule");
  unsigned optLevel = std::min(options.optLevel, 3u);
  auto target = chooseTarget(artifact, optLevel);
  if (!target)
    return std::move(target).error();
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  auto objects = ChunkCompiler(module, options, *target, artifact).run(std::max(threads, 1u));
  if (!objects)
    return std::move(objects).error();
  LinkOptions link{target->arch, target->segmentAlign, &isBoundAtLoad};
  auto image = linkObjects(*objects, link);
  if (!image)
    return std::move(image).error();
  auto machine = target->builder.createTargetMachine();
  if (!machine)
    return toError(machine.takeError(), ErrorKind::Internal, "cannot create a target machine");
  return writeArtifact(module, wasmBytes, options, *target, artifact, *image, **machine);
}

} // namespace wasmrt::internal
