// Ahead-of-time compilation, artifacts and the code cache in the public API
// (docs/AOT.md, docs/CACHE.md).
#include "api/Internal.h"

#include "binary/Decoder.h"
#include "cache/CodeCache.h"
#include "compiler/Compiler.h"
#include "runtime/Artifact.h"
#include "runtime/CpuFingerprint.h"
#include "validation/Validator.h"
#include "wasmrt/Version.h"

#include <fmt/format.h>

namespace wasmrt {

namespace {

namespace cache = internal::cache;

internal::ArtifactRequirements requirementsOf(const Engine &engine) {
  internal::ArtifactRequirements requirements;
  requirements.explicitBoundsChecks =
      engine.impl()->engine.memoryMode() == internal::MemoryMode::BoundsChecked;
  requirements.epochInterruption = engine.config().epochInterruption;
  requirements.consumeFuel = engine.config().consumeFuel;
  requirements.features = engine.impl()->features;
  return requirements;
}

Expected<Module> fromArtifact(const Engine &engine, Expected<internal::LoadedArtifact> artifact,
                              const char *source) {
  if (!artifact)
    return std::move(artifact).error();
  auto loaded = engine.impl()->engine.loadPrecompiled(artifact->module, std::move(artifact->code));
  if (!loaded)
    return std::move(loaded).error();
  auto impl = std::make_shared<Module::Impl>();
  impl->engine = engine;
  impl->loaded = std::move(*loaded);
  impl->codeSource = source;
  return Module(std::move(impl));
}

Expected<internal::Module> decodeAndValidate(const Engine &engine, std::span<const uint8_t> wasm) {
  auto module = internal::decodeModule(wasm, engine.impl()->features);
  if (!module)
    return std::move(module).error();
  if (auto valid = internal::validateModule(*module, engine.impl()->features); !valid)
    return std::move(valid).error();
  return std::move(*module);
}

Expected<std::vector<uint8_t>> precompileValidated(const Engine &engine,
                                                   const internal::Module &module,
                                                   std::span<const uint8_t> wasm,
                                                   const cache::Sha256::Digest &sourceHash,
                                                   const Module::PrecompileOptions &options) {
  internal::ArtifactOptions artifact;
  artifact.targetArch = options.target;
  artifact.sourceHash = sourceHash;
  artifact.cpuFingerprint = internal::hostCpuFingerprint();
  artifact.onProgress = options.onProgress;
  internal::Engine &internalEngine = engine.impl()->engine;
  auto compiler = internalEngine.compiler();
  if (!compiler)
    return std::move(compiler).error();
  return (*compiler)->compileArtifact(module, wasm, internalEngine.compileOptions(), artifact);
}

cache::Sha256::Digest sha256(std::span<const uint8_t> bytes) {
  return cache::Sha256().update(bytes).digest();
}

// Everything that decides the generated code: the module, this build of
// wasmrt, the CPU, and the code-generation settings.
cache::CacheKey cacheKey(const Engine &engine, const cache::Sha256::Digest &moduleHash) {
  internal::CpuFingerprint cpu = internal::hostCpuFingerprint();
  const Config &config = engine.config();
  internal::ArtifactRequirements requirements = requirementsOf(engine);
  const internal::Features &f = requirements.features;
  std::string settings = fmt::format(
      "format={} opt={} bounds-checks={} epoch={} fuel={} features={}{}{}{}{}{}",
      abi::artifact::kFormatVersion, std::min(config.optLevel, 3u),
      requirements.explicitBoundsChecks, config.epochInterruption, config.consumeFuel,
      f.signExtension, f.saturatingFloatToInt, f.multiValue, f.bulkMemory, f.referenceTypes, f.simd);
  return cache::CacheKey::derive({"wasmrt module code", std::span<const uint8_t>(moduleHash),
                                  versionString(), std::span<const uint8_t>(cpu), settings});
}

Expected<cache::CodeCache> openCache(const CacheConfig &config) {
  cache::CacheEnvironment environment = cache::CacheEnvironment::fromProcess();
  auto options = cache::cacheOptionsFromEnvironment(environment);
  if (!options)
    return std::move(options).error();
  if (config.maxSize)
    options->maxSizeBytes = config.maxSize;
  std::string directory = config.directory;
  if (directory.empty()) {
    auto found = cache::defaultCacheDirectory(environment);
    if (!found)
      return std::move(found).error();
    directory = std::move(*found);
  }
  return cache::CodeCache::open(std::move(directory), *options);
}

// A cache hit, or nothing when the entry is missing or unusable (a corrupt or
// incompatible entry is removed, to be compiled again).
std::optional<Module> loadCached(const Engine &engine, const cache::CodeCache &codeCache,
                                 const cache::CacheKey &key,
                                 const cache::Sha256::Digest &moduleHash, const char *source) {
  auto entry = codeCache.lookup(key);
  if (!entry || !*entry)
    return std::nullopt;
  auto file = std::make_shared<cache::MappedFile>(std::move(**entry));
  auto artifact = internal::loadArtifactMapped(file, file->bytes(), file->fd(), requirementsOf(engine));
  if (!artifact || artifact->sourceHash != moduleHash) {
    (void)codeCache.remove(key);
    return std::nullopt;
  }
  auto module = fromArtifact(engine, std::move(artifact), source);
  if (!module)
    return std::nullopt;
  return std::move(*module);
}

} // namespace

namespace detail {

std::optional<Expected<Module>> compileWithCache(const Engine &engine,
                                                 std::span<const uint8_t> wasm) {
  const CacheConfig &config = engine.config().cache;
  auto codeCache = openCache(config);
  if (!codeCache)
    return std::nullopt; // compile as if there were no cache
  cache::Sha256::Digest moduleHash = sha256(wasm);
  cache::CacheKey key = cacheKey(engine, moduleHash);
  if (std::optional<Module> hit = loadCached(engine, *codeCache, key, moduleHash, "cache-hit"))
    return std::move(*hit);
  if (!config.fillOnMiss)
    return std::nullopt;
  auto module = decodeAndValidate(engine, wasm);
  if (!module)
    return Expected<Module>(std::move(module).error());
  auto artifact = precompileValidated(engine, *module, wasm, moduleHash, {});
  if (!artifact)
    return Expected<Module>(std::move(artifact).error());
  if (codeCache->store(key, *artifact))
    if (std::optional<Module> stored =
            loadCached(engine, *codeCache, key, moduleHash, "cache-store"))
      return std::move(*stored);
  return fromArtifact(engine, internal::loadArtifactBytes(*artifact, requirementsOf(engine)),
                      "cache-store");
}

} // namespace detail

Expected<std::vector<uint8_t>> Module::precompile(const Engine &engine,
                                                  std::span<const uint8_t> wasm,
                                                  const PrecompileOptions &options) {
  auto module = decodeAndValidate(engine, wasm);
  if (!module)
    return std::move(module).error();
  return precompileValidated(engine, *module, wasm, sha256(wasm), options);
}

Expected<std::vector<uint8_t>> Module::serialize() const {
  // A module from an artifact keeps the artifact's embedded bytes only as a
  // view: keep the artifact itself instead.
  const std::shared_ptr<const std::vector<uint8_t>> &bytes = impl_->loaded->module->storage;
  if (!bytes)
    return Error(ErrorKind::Usage,
                 "a module loaded from an artifact cannot be serialized again: keep the artifact");
  return precompile(impl_->engine, *bytes);
}

Expected<Module> Module::deserialize(const Engine &engine, std::span<const uint8_t> artifact) {
  return fromArtifact(engine, internal::loadArtifactBytes(artifact, requirementsOf(engine)),
                      "artifact");
}

Expected<Module> Module::deserializeFile(const Engine &engine, const std::string &path) {
  return fromArtifact(engine, internal::loadArtifactFile(path, requirementsOf(engine)), "artifact");
}

bool Module::isArtifact(std::span<const uint8_t> bytes) {
  return internal::looksLikeArtifact(bytes);
}

const char *Module::codeSource() const { return impl_->codeSource; }

} // namespace wasmrt
