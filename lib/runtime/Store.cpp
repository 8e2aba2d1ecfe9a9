#include "runtime/Store.h"

#include "runtime/Instance.h"
#include "runtime/TrapHandler.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

namespace wasmrt::internal {

// --- Memory, Table, Global.

int32_t Memory::grow(uint32_t deltaPages) {
  int32_t old = memory_.grow(deltaPages);
  if (old != LinearMemory::kGrowFailed)
    refreshUsers();
  return old;
}

void Memory::addUser(abi::InstanceContext *context) {
  users_.push_back(context);
  context->memoryBase = memory_.base();
  context->memorySize = memory_.byteSize();
}

void Memory::refreshUsers() {
  // Every instance that uses this memory caches its base and size; in
  // bounds-checked mode the base may have moved.
  for (abi::InstanceContext *context : users_) {
    context->memoryBase = memory_.base();
    context->memorySize = memory_.byteSize();
  }
}

Table::Table(TableType type, void *init)
    : type_(type), elements_(size_t(type.limits.min), init) {
  data_.elements = elements_.data();
  data_.size = uint32_t(elements_.size());
  data_.maxSize = uint32_t(std::min<uint64_t>(type.limits.max.value_or(UINT32_MAX), kMaxElements));
}

uint32_t Table::grow(uint32_t delta, void *init) {
  uint32_t old = data_.size;
  if (uint64_t(old) + delta > data_.maxSize)
    return UINT32_MAX;
  elements_.resize(size_t(old) + delta, init);
  data_.elements = elements_.data();
  data_.size = old + delta;
  return old;
}

Value GlobalVar::get() const {
  abi::ValueSlot slot{};
  std::memcpy(slot.bytes, &cell_, sizeof slot.bytes);
  return loadValue(slot, type_.type);
}

void GlobalVar::set(const Value &value) {
  abi::ValueSlot slot{};
  storeValue(slot, value);
  std::memcpy(&cell_, slot.bytes, sizeof slot.bytes);
}

void storeValue(abi::ValueSlot &slot, const Value &value) {
  std::memset(slot.bytes, 0, sizeof slot.bytes);
  switch (value.type) {
  case ValType::I32:
  case ValType::F32: {
    uint32_t bits = uint32_t(value.bits);
    std::memcpy(slot.bytes, &bits, 4);
    break;
  }
  case ValType::I64:
  case ValType::F64: std::memcpy(slot.bytes, &value.bits, 8); break;
  case ValType::FuncRef:
  case ValType::ExternRef: std::memcpy(slot.bytes, &value.ref, sizeof(void *)); break;
  case ValType::V128: std::memcpy(slot.bytes, value.v128.bytes, sizeof slot.bytes); break;
  }
}

Value loadValue(const abi::ValueSlot &slot, ValType type) {
  Value value;
  value.type = type;
  switch (type) {
  case ValType::I32:
  case ValType::F32: {
    uint32_t bits;
    std::memcpy(&bits, slot.bytes, 4);
    value.bits = bits;
    break;
  }
  case ValType::I64:
  case ValType::F64: std::memcpy(&value.bits, slot.bytes, 8); break;
  case ValType::FuncRef:
  case ValType::ExternRef: std::memcpy(&value.ref, slot.bytes, sizeof(void *)); break;
  case ValType::V128: std::memcpy(value.v128.bytes, slot.bytes, sizeof slot.bytes); break;
  }
  return value;
}

// --- Traps.

std::string Trap::describe() const { return appendBacktrace(trapMessage(kind), frames); }

std::string appendBacktrace(std::string text, std::span<const TrapFrame> frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    const TrapFrame &frame = frames[i];
    text += fmt::format("\n  {}: ", i);
    if (!frame.moduleName.empty())
      text += "$" + frame.moduleName + ".";
    text += fmt::format("func[{}]", frame.funcIndex);
    if (!frame.funcName.empty())
      text += " $" + frame.funcName;
  }
  return text;
}

// --- Linker.

void Linker::define(const std::string &module, const std::string &name, const Extern &value) {
  externs_[{module, name}] = value;
}

void Linker::defineInstance(const std::string &module, const Instance &instance) {
  for (const Export &e : instance.module().exports)
    define(module, e.name, instance.externFor(e.kind, e.index));
}

Expected<std::vector<Extern>> Linker::resolve(const Module &module) const {
  std::vector<Extern> externs;
  for (const Import &import : module.imports) {
    auto found = externs_.find(std::pair(import.module, import.name));
    if (found == externs_.end())
      return Error(ErrorKind::Unlinkable,
                   fmt::format("unknown import \"{}\" \"{}\"", import.module, import.name));
    externs.push_back(found->second);
  }
  return externs;
}

// --- Store.

struct Store::HostFunc {
  abi::HostFunctionContext context; // userData points back here
  abi::FuncRef ref;
  FuncType type;
  HostFunction function;
};

Store::Store(Engine &engine) : engine_(engine) {}


Store::~Store() {
  // Instances first: their contexts are memory users.
  instances_.clear();
}

int32_t Store::growMemory(Memory &memory, uint32_t deltaPages) {
  uint64_t total = 0;
  for (const auto &each : memories_)
    total += each->byteSize();
  if (total + uint64_t(deltaPages) * LinearMemory::kPageSize > limits_.maxMemoryBytes)
    return LinearMemory::kGrowFailed;
  return memory.grow(deltaPages);
}

uint32_t Store::growTable(Table &table, uint32_t delta, void *init) {
  uint64_t total = 0;
  for (const auto &each : tables_)
    total += each->size();
  if (total + delta > limits_.maxTableElements)
    return UINT32_MAX;
  return table.grow(delta, init);
}

void Store::addContext(abi::InstanceContext *context) {
  contexts_.push_back(context);
  context->epochCounter = engine_.epochCounter();
  context->epochDeadline = epochDeadline_;
  context->fuelCounter = &fuel_;
}

void Store::setEpochDeadline(uint64_t epoch) {
  epochDeadline_ = epoch;
  for (abi::InstanceContext *context : contexts_)
    context->epochDeadline = epoch;
}

Expected<Memory *> Store::createMemory(const MemoryType &type) {
  uint64_t inUse = 0;
  for (const auto &each : memories_)
    inUse += each->byteSize();
  // min is at most 2^32 pages (validated), so the product cannot wrap.
  uint64_t wanted = type.limits.min * LinearMemory::kPageSize;
  if (wanted > limits_.maxMemoryBytes || inUse > limits_.maxMemoryBytes - wanted)
    return Error(ErrorKind::Unlinkable,
                 fmt::format("initial size of {} pages ({} bytes) exceeds the store's memory "
                             "limit of {} bytes ({} bytes in use)",
                             type.limits.min, wanted, limits_.maxMemoryBytes, inUse));
  MemoryConfig config;
  config.initialPages = uint32_t(std::min<uint64_t>(type.limits.min, LinearMemory::kMaxPages + 1));
  if (type.limits.max)
    config.maxPages = uint32_t(std::min<uint64_t>(*type.limits.max, LinearMemory::kMaxPages));
  config.mode = engine_.memoryMode();
  auto memory = LinearMemory::create(config);
  if (!memory)
    return std::move(memory).error();
  memories_.push_back(std::make_unique<Memory>(std::move(*memory), type));
  return memories_.back().get();
}

Expected<Table *> Store::createTable(const TableType &type, void *init) {
  uint64_t inUse = 0;
  for (const auto &each : tables_)
    inUse += each->size();
  uint64_t wanted = type.limits.min;
  if (wanted > limits_.maxTableElements || inUse > limits_.maxTableElements - wanted)
    return Error(ErrorKind::Unlinkable,
                 fmt::format("initial size of {} elements exceeds the store's table limit of "
                             "{} elements ({} in use)",
                             wanted, limits_.maxTableElements, inUse));
  tables_.push_back(std::make_unique<Table>(type, init));
  return tables_.back().get();
}

GlobalVar *Store::createGlobal(const GlobalType &type, const Value &value) {
  globals_.push_back(std::make_unique<GlobalVar>(type, value));
  return globals_.back().get();
}

uint32_t Store::callHost(abi::HostFunctionContext *self, abi::InstanceContext *caller,
                         abi::ValueSlot *values) {
  auto *host = static_cast<HostFunc *>(self->userData);
  // Entry trampolines pass the callee as the caller: then the host called us.
  Instance *callerInstance = caller == reinterpret_cast<abi::InstanceContext *>(self)
                                 ? nullptr
                                 : static_cast<Instance *>(caller->runtimeInstance);
  std::vector<Value> params, results(host->type.results.size());
  for (size_t i = 0; i < host->type.params.size(); ++i)
    params.push_back(loadValue(values[i], host->type.params[i]));
  for (size_t i = 0; i < results.size(); ++i)
    results[i].type = host->type.results[i];
  if (std::optional<TrapKind> trap = host->function(callerInstance, params, results))
    return uint32_t(*trap);
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].type = host->type.results[i];
    storeValue(values[i], results[i]);
  }
  return 0;
}

Expected<const abi::FuncRef *> Store::createHostFunction(const FuncType &type,
                                                         HostFunction function) {
  uint32_t typeId = engine_.internType(type);
  auto glue = engine_.glue(typeId);
  if (!glue)
    return std::move(glue).error();
  auto host = std::make_unique<HostFunc>();
  host->context.callback = &Store::callHost;
  host->context.userData = host.get();
  host->type = type;
  host->function = std::move(function);
  host->ref.code = glue->hostAdapter;
  host->ref.context = reinterpret_cast<abi::InstanceContext *>(&host->context);
  host->ref.typeId = typeId;
  host->ref.funcIndex = UINT32_MAX;
  hostFunctions_.push_back(std::move(host));
  return &hostFunctions_.back()->ref;
}

void Store::refreshStackLimit() {
  uintptr_t limit = wasmStackLimit();
  if (limit == stackLimit_)
    return;
  stackLimit_ = limit;
  for (abi::InstanceContext *context : contexts_)
    context->stackLimit = limit;
}

Expected<std::vector<Value>> Store::call(const abi::FuncRef *func, std::span<const Value> args,
                                         Trap *trap) {
  if (!func)
    return Error(ErrorKind::Trap, trapMessage(TrapKind::UninitializedElement));
  auto glue = engine_.glue(func->typeId);
  if (!glue)
    return std::move(glue).error();
  FuncType type = engine_.typeOf(func->typeId);
  return callWith(glue->entryTrampoline, type, func, args, trap);
}

namespace {

struct CallFrame {
  Store *store;
  abi::EntryTrampoline trampoline;
  const abi::FuncRef *func;
  abi::ValueSlot *slots;
};

void runCall(void *arg) {
  auto *call = static_cast<CallFrame *>(arg);
  call->store->refreshStackLimit();
  // A compile thread may be storing a lazily compiled body into this FuncRef
  // right now (LazyBodies::ready, a release store): a plain load would be a
  // data race (ThreadSanitizer reported it), and acquire makes the body's
  // code visible along with its address. The FuncRef itself is never const.
  const abi::FuncRef *func = call->func;
  void *code = std::atomic_ref<void *>(const_cast<void *&>(func->code))
                   .load(std::memory_order_acquire);
  if (code && call->trampoline) {
    call->trampoline(code, func->context, call->slots);
    return;
  }
  // No code: an interpreted function, or (the interpreter tier has no glue) a
  // host function, called as its adapter would (the callee passed as the
  // caller: the host called it).
  if (func->funcIndex == UINT32_MAX) {
    auto *host = reinterpret_cast<abi::HostFunctionContext *>(func->context);
    if (uint32_t kind = host->callback(host, func->context, call->slots))
      raiseTrap(TrapKind(kind));
    return;
  }
  if (!func->context->interpreter)
    raiseTrap(TrapKind::CompilationFailed);
  interp::interpret(func->context, func->context, func->funcIndex, call->slots);
}

} // namespace

Expected<std::vector<Value>> Store::callWith(abi::EntryTrampoline trampoline,
                                             const FuncType &type, const abi::FuncRef *func,
                                             std::span<const Value> args, Trap *trap) {
  if (args.size() != type.params.size())
    return Error(ErrorKind::Usage, fmt::format("expected {} arguments, got {}",
                                               type.params.size(), args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != type.params[i])
      return Error(ErrorKind::Usage, fmt::format("argument {} has the wrong type", i));
  std::vector<abi::ValueSlot> slots(std::max<size_t>({args.size(), type.results.size(), 1}));
  for (size_t i = 0; i < args.size(); ++i)
    storeValue(slots[i], args[i]);
  CallFrame frame{this, trampoline, func, slots.data()};
  TrapInfo info;
  auto done = callWithTrapHandling(&runCall, &frame, &info, engine_.config().entry);
  if (!done) {
    if (done.error().kind() != ErrorKind::Trap)
      return std::move(done).error();
    Trap details = buildTrap(info);
    std::string message = details.describe();
    if (trap)
      *trap = std::move(details);
    return Error(ErrorKind::Trap, std::move(message));
  }
  std::vector<Value> results;
  for (size_t i = 0; i < type.results.size(); ++i)
    results.push_back(loadValue(slots[i], type.results[i]));
  return results;
}

namespace {

TrapFrame describeFrame(const Module &module, uint32_t funcIndex) {
  TrapFrame frame;
  frame.funcIndex = funcIndex;
  if (const std::string *name = module.functionName(funcIndex))
    frame.funcName = *name;
  if (module.names.moduleName)
    frame.moduleName = *module.names.moduleName;
  return frame;
}

} // namespace

TrapFrame Store::interpretedFrame(const TrapInfo::InterpretedFrame &activation) const {
  // The activation's instance may belong to another store (a call through an
  // imported function or table); its context leads to it either way.
  const auto *context = static_cast<const abi::InstanceContext *>(activation.context);
  const auto *instance = static_cast<const Instance *>(context->runtimeInstance);
  return describeFrame(instance->module(), activation.funcIndex);
}

std::optional<TrapFrame> Store::frameAt(uintptr_t pc) const {
  for (const auto &instance : instances_) {
    const LoadedModule &loaded = instance->loaded();
    if (!loaded.containsCode(pc))
      continue;
    std::optional<uint32_t> index = loaded.functionAt(pc);
    if (!index)
      return std::nullopt;
    return describeFrame(*loaded.module, *index);
  }
  return std::nullopt; // entry trampolines, host adapters, interpreter thunks
}

Trap Store::buildTrap(const TrapInfo &info) const {
  // The trap handler captured the JIT frames (wasm functions, entry trampolines,
  // host adapters, interpreter thunks) and the interpreter's activations before
  // unwinding; keep the wasm functions.
  Trap trap;
  trap.kind = info.kind;
  for (uint32_t i = 0; i < info.frameCount; ++i) {
    if (info.interpreted[i].context) {
      trap.frames.push_back(interpretedFrame(info.interpreted[i]));
      continue;
    }
    // Return addresses may be just past the calling function's last instruction;
    // only a faulting pc is exact.
    bool exact = i == 0 && info.faultAddress != 0;
    if (auto frame = frameAt(exact ? info.frames[i] : info.frames[i] - 1))
      trap.frames.push_back(std::move(*frame));
  }
  return trap;
}

} // namespace wasmrt::internal
