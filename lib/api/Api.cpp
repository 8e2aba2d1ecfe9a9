// Engine, Module, Store, types and values of the public API.
#include "api/Internal.h"

#include "binary/Decoder.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <fmt/format.h>

#include <algorithm>

namespace wasmrt {

using namespace detail;

// --- Types.

// Names and formats come from the internal layers, so the CLI, error messages
// and the API print types the same way.
const char *valTypeName(ValType type) { return internal::valTypeName(toInternal(type)); }

static_assert(uint8_t(ExternKind::Global) == uint8_t(internal::ExternKind::Global));
const char *externKindName(ExternKind kind) {
  return internal::externKindName(internal::ExternKind(kind));
}

std::string FuncType::toString() const { return internal::toString(toInternal(*this)); }

static_assert(uint32_t(TrapKind::Unreachable) == uint32_t(abi::TrapKind::Unreachable));
static_assert(uint32_t(TrapKind::CallStackExhausted) ==
              uint32_t(abi::TrapKind::CallStackExhausted));
static_assert(uint32_t(TrapKind::Interrupted) == uint32_t(abi::TrapKind::Interrupted));
static_assert(uint32_t(TrapKind::OutOfFuel) == uint32_t(abi::TrapKind::OutOfFuel));
static_assert(uint32_t(TrapKind::HostTrap) == uint32_t(abi::TrapKind::HostTrap));
static_assert(uint32_t(TrapKind::CompilationFailed) ==
              uint32_t(abi::TrapKind::CompilationFailed));

const char *trapKindMessage(TrapKind kind) { return abi::trapMessage(abi::TrapKind(kind)); }

std::string Trap::describe() const {
  std::vector<internal::TrapFrame> internalFrames;
  for (const TrapFrame &frame : frames)
    internalFrames.push_back({frame.funcIndex, frame.moduleName, frame.funcName});
  return internal::appendBacktrace(message, internalFrames);
}

namespace detail {

internal::ValType toInternal(ValType type) {
  switch (type) {
  case ValType::I32: return internal::ValType::I32;
  case ValType::I64: return internal::ValType::I64;
  case ValType::F32: return internal::ValType::F32;
  case ValType::F64: return internal::ValType::F64;
  case ValType::V128: return internal::ValType::V128;
  case ValType::FuncRef: return internal::ValType::FuncRef;
  case ValType::ExternRef: return internal::ValType::ExternRef;
  }
  return internal::ValType::I32;
}

ValType fromInternal(internal::ValType type) {
  switch (type) {
  case internal::ValType::I32: return ValType::I32;
  case internal::ValType::I64: return ValType::I64;
  case internal::ValType::F32: return ValType::F32;
  case internal::ValType::F64: return ValType::F64;
  case internal::ValType::V128: return ValType::V128;
  case internal::ValType::FuncRef: return ValType::FuncRef;
  case internal::ValType::ExternRef: return ValType::ExternRef;
  }
  return ValType::I32;
}

internal::FuncType toInternal(const FuncType &type) {
  internal::FuncType out;
  for (ValType t : type.params)
    out.params.push_back(toInternal(t));
  for (ValType t : type.results)
    out.results.push_back(toInternal(t));
  return out;
}

FuncType fromInternal(const internal::FuncType &type) {
  FuncType out;
  for (internal::ValType t : type.params)
    out.params.push_back(fromInternal(t));
  for (internal::ValType t : type.results)
    out.results.push_back(fromInternal(t));
  return out;
}

internal::Limits toInternal(const Limits &limits) { return {limits.min, limits.max}; }
Limits fromInternal(const internal::Limits &limits) { return {limits.min, limits.max}; }

internal::Value toInternal(const Val &value) {
  internal::Value out;
  out.type = toInternal(value.type());
  out.bits = value.rawBits();
  out.ref = const_cast<void *>(value.rawRef());
  if (value.type() == ValType::V128)
    std::memcpy(out.v128.bytes, value.v128().bytes, 16);
  return out;
}

Val fromInternal(const internal::Value &value, StoreState *store) {
  V128 v128;
  if (value.type == internal::ValType::V128)
    std::memcpy(v128.bytes, value.v128.bytes, 16);
  return Val::fromRaw(fromInternal(value.type), value.bits, value.ref, v128, store);
}

ExternType externTypeOf(const internal::Module &module, internal::ExternKind kind,
                        uint32_t index) {
  ExternType type;
  switch (kind) {
  case internal::ExternKind::Func:
    type.kind = ExternKind::Func;
    type.func = fromInternal(module.funcType(index));
    break;
  case internal::ExternKind::Table:
    type.kind = ExternKind::Table;
    type.table = {fromInternal(module.tables[index].elemType),
                  fromInternal(module.tables[index].limits)};
    break;
  case internal::ExternKind::Memory:
    type.kind = ExternKind::Memory;
    type.memory = {fromInternal(module.memories[index].limits)};
    break;
  case internal::ExternKind::Global:
    type.kind = ExternKind::Global;
    type.global = {fromInternal(module.globals[index].type), module.globals[index].isMutable};
    break;
  }
  return type;
}

} // namespace detail

// --- Engine.

Engine::Engine(const Config &config) {
  internal::EngineConfig internalConfig;
  internalConfig.optLevel = std::min(config.optLevel, 3u);
  if (config.memoryMode == MemoryMode::Guarded)
    internalConfig.memoryMode = internal::MemoryMode::Guarded;
  else if (config.memoryMode == MemoryMode::BoundsChecked)
    internalConfig.memoryMode = internal::MemoryMode::BoundsChecked;
  internalConfig.compileThreads = config.compileThreads;
  internalConfig.lazyCompilation = config.compilation == CompilationMode::Lazy;
  switch (config.tiering.mode) {
  case Tiering::Tiered: internalConfig.tiering = internal::CompileOptions::Tiering::Tiered; break;
  case Tiering::Baseline:
    internalConfig.tiering = internal::CompileOptions::Tiering::Baseline;
    break;
  case Tiering::Optimized:
    internalConfig.tiering = internal::CompileOptions::Tiering::Optimized;
    break;
  case Tiering::Interpreter: internalConfig.interpreter = true; break;
  }
  internalConfig.interpreterFirst = config.tiering.firstTier == FirstTier::Interpreter;
  internalConfig.tierUpThreshold = std::max(config.tiering.tierUpThreshold, 1u);
  internalConfig.osrCheckInterval = std::max(config.tiering.osrCheckInterval, 1u);
  internalConfig.entry.wasmStackSize = config.wasmStackSize;
  internalConfig.epochInterruption = config.epochInterruption;
  internalConfig.consumeFuel = config.consumeFuel;
  impl_ = std::make_shared<Impl>(config, internalConfig);
  const Features &f = config.features;
  impl_->features = {f.signExtension, f.saturatingFloatToInt, f.multiValue,
                     f.bulkMemory,    f.referenceTypes,       f.simd};
}

Engine::~Engine() = default;

const Config &Engine::config() const { return impl_->config; }
void Engine::incrementEpoch() { impl_->engine.incrementEpoch(); }
uint64_t Engine::epoch() const { return impl_->engine.epoch(); }

// --- Module.

namespace {

Expected<internal::Module> decodeAndValidate(const Engine &engine,
                                             std::span<const uint8_t> bytes) {
  auto module = internal::decodeModule(std::vector<uint8_t>(bytes.begin(), bytes.end()),
                                       engine.impl()->features);
  if (!module)
    return std::move(module).error();
  if (auto valid = internal::validateModule(*module, engine.impl()->features); !valid)
    return std::move(valid).error();
  return std::move(*module);
}

} // namespace

Expected<Module> Module::compile(const Engine &engine, std::span<const uint8_t> bytes) {
  // The cache holds compiled code; the interpreter tier has none.
  if (engine.config().cache.enabled && engine.config().tiering.mode != Tiering::Interpreter)
    if (std::optional<Expected<Module>> cached = compileWithCache(engine, bytes))
      return std::move(*cached);
  auto module = decodeAndValidate(engine, bytes);
  if (!module)
    return std::move(module).error();
  auto loaded = engine.impl()->engine.load(
      std::make_shared<const internal::Module>(std::move(*module)));
  if (!loaded)
    return std::move(loaded).error();
  auto impl = std::make_shared<Impl>();
  impl->engine = engine;
  impl->loaded = std::move(*loaded);
  if (engine.config().tiering.mode == Tiering::Interpreter)
    impl->codeSource = "interpreter";
  return Module(std::move(impl));
}

Expected<Module> Module::fromWat(const Engine &engine, std::string_view text) {
  auto bytes = internal::text::parseWat(text, {.emitNames = true});
  if (!bytes)
    return std::move(bytes).error();
  return compile(engine, *bytes);
}

Expected<void> Module::validate(const Engine &engine, std::span<const uint8_t> bytes) {
  auto module = decodeAndValidate(engine, bytes);
  if (!module)
    return std::move(module).error();
  return {};
}

std::vector<ImportType> Module::imports() const {
  const internal::Module &module = *impl_->loaded->module;
  std::vector<ImportType> out;
  for (const internal::Import &import : module.imports) {
    ImportType type{import.module, import.name, {}};
    switch (import.kind) {
    case internal::ExternKind::Func:
      type.type.kind = ExternKind::Func;
      type.type.func = fromInternal(module.types[import.funcTypeIndex]);
      break;
    case internal::ExternKind::Table:
      type.type.kind = ExternKind::Table;
      type.type.table = {fromInternal(import.table.elemType), fromInternal(import.table.limits)};
      break;
    case internal::ExternKind::Memory:
      type.type.kind = ExternKind::Memory;
      type.type.memory = {fromInternal(import.memory.limits)};
      break;
    case internal::ExternKind::Global:
      type.type.kind = ExternKind::Global;
      type.type.global = {fromInternal(import.global.type), import.global.isMutable};
      break;
    }
    out.push_back(std::move(type));
  }
  return out;
}

std::vector<ExportType> Module::exports() const {
  const internal::Module &module = *impl_->loaded->module;
  std::vector<ExportType> out;
  for (const internal::Export &e : module.exports)
    out.push_back({e.name, externTypeOf(module, e.kind, e.index)});
  return out;
}

const Engine &Module::engine() const { return impl_->engine; }

// --- Store.

Store::Store(const Engine &engine) : state_(std::make_unique<StoreState>(engine)) {}
Store::~Store() = default;
Store::Store(Store &&) noexcept = default;
Store &Store::operator=(Store &&) noexcept = default;

const Engine &Store::engine() const { return state_->engine; }

void Store::setLimits(const StoreLimits &limits) {
  state_->limits = limits;
  state_->store.setLimits({limits.maxMemoryBytes, limits.maxTableElements});
}

const StoreLimits &Store::limits() const { return state_->limits; }

void Store::setEpochDeadline(uint64_t ticks) {
  uint64_t now = state_->engine.epoch();
  state_->store.setEpochDeadline(ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks);
}

Expected<void> Store::setFuel(uint64_t fuel) {
  if (!state_->engine.config().consumeFuel)
    return Error(ErrorKind::Usage, "fuel is not enabled (Config::consumeFuel)");
  state_->store.setFuel(int64_t(std::min<uint64_t>(fuel, INT64_MAX)));
  return {};
}

Expected<uint64_t> Store::fuelRemaining() const {
  if (!state_->engine.config().consumeFuel)
    return Error(ErrorKind::Usage, "fuel is not enabled (Config::consumeFuel)");
  return state_->store.fuelRemaining();
}

const std::optional<Trap> &Store::lastTrap() const { return state_->lastTrap; }
void Store::setData(void *data) { state_->data = data; }
void *Store::data() const { return state_->data; }

} // namespace wasmrt
