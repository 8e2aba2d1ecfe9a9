// Func, Memory, Table, Global, Caller, Instance and Linker.
#include "api/Internal.h"

#include <fmt/format.h>

#include <utility>
#include <variant>

namespace wasmrt {

using namespace detail;

namespace detail {

Extern fromInternal(const internal::Extern &value, StoreState *store) {
  switch (value.kind) {
  case internal::ExternKind::Func: return Func(store, value.func);
  case internal::ExternKind::Table: return Table(store, value.table);
  case internal::ExternKind::Memory: return Memory(store, value.memory);
  case internal::ExternKind::Global: return Global(store, value.global);
  }
  return Func();
}

Error recordTrap(StoreState *store, const internal::Trap &trap) {
  Trap details;
  details.kind = TrapKind(trap.kind);
  details.message = trapKindMessage(details.kind);
  if (details.kind == TrapKind::HostTrap && store->hostTrapMessage) {
    details.message = std::move(*store->hostTrapMessage);
    store->hostTrapMessage.reset();
  }
  for (const internal::TrapFrame &frame : trap.frames)
    details.frames.push_back({frame.funcIndex, frame.moduleName, frame.funcName});
  std::string message = details.describe();
  store->lastTrap = std::move(details);
  return Error(ErrorKind::Trap, std::move(message));
}

Expected<std::vector<Val>> callFunc(StoreState *store, const abi::FuncRef *func,
                                    std::span<const Val> args) {
  std::vector<internal::Value> values;
  values.reserve(args.size());
  for (const Val &arg : args)
    values.push_back(toInternal(arg));
  internal::Trap trap;
  auto results = store->store.call(func, values, &trap);
  if (!results) {
    if (results.error().kind() != ErrorKind::Trap)
      return std::move(results).error();
    return recordTrap(store, trap);
  }
  std::vector<Val> out;
  out.reserve(results->size());
  for (const internal::Value &value : *results)
    out.push_back(fromInternal(value, store));
  return out;
}

Expected<Func> createHostFunc(StoreState *store, const FuncType &type, HostCallback callback) {
  auto adapter = [store, type, callback = std::move(callback)](
                     internal::Instance *caller, std::span<const internal::Value> params,
                     std::span<internal::Value> results) -> std::optional<internal::TrapKind> {
    std::vector<Val> args;
    args.reserve(params.size());
    for (const internal::Value &param : params)
      args.push_back(fromInternal(param, store));
    std::vector<Val> outs;
    outs.reserve(results.size());
    for (ValType result : type.results)
      outs.push_back(Val::fromRaw(result, 0, nullptr, {}, store));
    Caller context(store, caller);
    if (auto done = callback(context, args, outs); !done) {
      store->hostTrapMessage = done.error().message();
      return internal::TrapKind::HostTrap;
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i].type() != type.results[i]) {
        store->hostTrapMessage =
            fmt::format("host function result {} has type {}, expected {}", i,
                        valTypeName(outs[i].type()), valTypeName(type.results[i]));
        return internal::TrapKind::HostTrap;
      }
      results[i] = toInternal(outs[i]);
    }
    return std::nullopt;
  };
  auto ref = store->store.createHostFunction(toInternal(type), std::move(adapter));
  if (!ref)
    return std::move(ref).error();
  return Func(store, *ref);
}

} // namespace detail

// --- Val.

Val::Val(const Func &func)
    : type_(ValType::FuncRef), ref_(func.raw()), store_(func.storeState()) {}

Func Val::funcref() const {
  if (type_ != ValType::FuncRef || !ref_)
    return Func();
  return Func(store_, ref_);
}

// --- Extern.

detail::StoreState *Extern::storeState() const {
  switch (kind_) {
  case ExternKind::Func: return func_->storeState();
  case ExternKind::Table: return table_->storeState();
  case ExternKind::Memory: return memory_->storeState();
  case ExternKind::Global: return global_->storeState();
  }
  return nullptr;
}

// --- Caller.

std::optional<Extern> Caller::getExport(std::string_view name) const {
  if (!instance_)
    return std::nullopt;
  auto found = static_cast<internal::Instance *>(instance_)->exportNamed(name);
  if (!found)
    return std::nullopt;
  return fromInternal(*found, store_);
}

std::optional<Memory> Caller::memory() const {
  auto found = getExport("memory");
  return found ? found->memory() : std::nullopt;
}

std::optional<Memory> Caller::memoryAt(uint32_t index) const {
  if (!instance_)
    return std::nullopt;
  auto *instance = static_cast<internal::Instance *>(instance_);
  if (index >= instance->module().memories.size())
    return std::nullopt;
  return Memory(store_, instance->memory(index));
}

void *Caller::data() const { return store_->data; }

// --- Func.

Expected<Func> Func::create(Store &store, const FuncType &type, HostCallback callback) {
  return createHostFunc(store.state(), type, std::move(callback));
}

FuncType Func::type() const {
  if (!ref_)
    return {};
  auto *ref = static_cast<const abi::FuncRef *>(ref_);
  return fromInternal(store_->store.engine().typeOf(ref->typeId));
}

Expected<std::vector<Val>> Func::call(std::span<const Val> args) const {
  if (!ref_)
    return Error(ErrorKind::Usage, "call of a null function");
  auto *ref = static_cast<const abi::FuncRef *>(ref_);
  // A reference into the engine's type table: no copy on the call path.
  const internal::FuncType &expected = store_->store.engine().typeOf(ref->typeId);
  bool matches = args.size() == expected.params.size();
  for (size_t i = 0; matches && i < args.size(); ++i)
    matches = toInternal(args[i].type()) == expected.params[i];
  if (!matches) {
    std::string given;
    for (size_t i = 0; i < args.size(); ++i)
      given += std::string(i ? ", " : "") + valTypeName(args[i].type());
    return Error(ErrorKind::Usage,
                 fmt::format("type mismatch: function has type {}, called with ({})",
                             type().toString(), given));
  }
  return callFunc(store_, ref, args);
}

// --- Memory.

namespace {
internal::Memory &memoryOf(void *raw) { return *static_cast<internal::Memory *>(raw); }
internal::Table &tableOf(void *raw) { return *static_cast<internal::Table *>(raw); }
internal::GlobalVar &globalOf(void *raw) { return *static_cast<internal::GlobalVar *>(raw); }
Error outOfBounds() {
  return Error(ErrorKind::Trap, abi::trapMessage(abi::TrapKind::MemoryOutOfBounds));
}
} // namespace

Expected<Memory> Memory::create(Store &store, const MemoryType &type) {
  auto memory = store.state()->store.createMemory({toInternal(type.limits)});
  if (!memory)
    return std::move(memory).error();
  return Memory(store.state(), *memory);
}

MemoryType Memory::type() const { return {fromInternal(memoryOf(memory_).declaredType().limits)}; }
uint8_t *Memory::data() const { return memoryOf(memory_).base(); }
uint64_t Memory::size() const { return memoryOf(memory_).byteSize(); }
uint32_t Memory::pages() const { return memoryOf(memory_).pages(); }

Expected<uint32_t> Memory::grow(uint32_t deltaPages) const {
  int32_t old = store_->store.growMemory(memoryOf(memory_), deltaPages);
  if (old < 0)
    return Error(ErrorKind::Usage,
                 fmt::format("memory cannot grow by {} pages: its maximum or the store's "
                             "memory limit would be exceeded",
                             deltaPages));
  return uint32_t(old);
}

Expected<std::span<uint8_t>> Memory::view(uint64_t offset, uint64_t length) const {
  uint64_t size = this->size();
  if (offset > size || length > size - offset)
    return outOfBounds();
  return std::span<uint8_t>(data() + offset, size_t(length));
}

Expected<void> Memory::read(uint64_t offset, std::span<uint8_t> out) const {
  auto bytes = view(offset, out.size());
  if (!bytes)
    return std::move(bytes).error();
  if (!out.empty())
    std::memcpy(out.data(), bytes->data(), out.size());
  return {};
}

Expected<void> Memory::write(uint64_t offset, std::span<const uint8_t> in) const {
  auto bytes = view(offset, in.size());
  if (!bytes)
    return std::move(bytes).error();
  if (!in.empty())
    std::memcpy(bytes->data(), in.data(), in.size());
  return {};
}

// --- Table.

Expected<Table> Table::create(Store &store, const TableType &type, const Val &init) {
  if (!isRefType(type.elemType) || init.type() != type.elemType)
    return Error(ErrorKind::Usage, "type mismatch: table initial value");
  internal::TableType internalType{toInternal(type.elemType), toInternal(type.limits)};
  auto table = store.state()->store.createTable(internalType, const_cast<void *>(init.rawRef()));
  if (!table)
    return std::move(table).error();
  return Table(store.state(), *table);
}

TableType Table::type() const {
  const internal::TableType &t = tableOf(table_).declaredType();
  return {fromInternal(t.elemType), fromInternal(t.limits)};
}

uint32_t Table::size() const { return tableOf(table_).size(); }

Expected<Val> Table::get(uint32_t index) const {
  internal::Table &table = tableOf(table_);
  if (index >= table.size())
    return Error(ErrorKind::Trap, abi::trapMessage(abi::TrapKind::TableOutOfBounds));
  return Val::fromRaw(fromInternal(table.elemType()), 0, table.get(index), {}, store_);
}

Expected<void> Table::set(uint32_t index, const Val &value) const {
  internal::Table &table = tableOf(table_);
  if (value.type() != fromInternal(table.elemType()))
    return Error(ErrorKind::Usage, "type mismatch: table element");
  if (index >= table.size())
    return Error(ErrorKind::Trap, abi::trapMessage(abi::TrapKind::TableOutOfBounds));
  table.set(index, const_cast<void *>(value.rawRef()));
  return {};
}

Expected<uint32_t> Table::grow(uint32_t delta, const Val &init) const {
  internal::Table &table = tableOf(table_);
  if (init.type() != fromInternal(table.elemType()))
    return Error(ErrorKind::Usage, "type mismatch: table element");
  uint32_t old = store_->store.growTable(table, delta, const_cast<void *>(init.rawRef()));
  if (old == UINT32_MAX)
    return Error(ErrorKind::Usage,
                 fmt::format("table cannot grow by {} elements: its maximum or the store's "
                             "table limit would be exceeded",
                             delta));
  return old;
}

// --- Global.

Expected<Global> Global::create(Store &store, const GlobalType &type, const Val &value) {
  if (value.type() != type.type)
    return Error(ErrorKind::Usage, "type mismatch: global initial value");
  return Global(store.state(), store.state()->store.createGlobal(
                                   {toInternal(type.type), type.isMutable}, toInternal(value)));
}

GlobalType Global::type() const {
  const internal::GlobalType &t = globalOf(global_).type();
  return {fromInternal(t.type), t.isMutable};
}

Val Global::get() const { return fromInternal(globalOf(global_).get(), store_); }

Expected<void> Global::set(const Val &value) const {
  internal::GlobalVar &global = globalOf(global_);
  if (!global.type().isMutable)
    return Error(ErrorKind::Usage, "global is immutable");
  if (toInternal(value.type()) != global.type().type)
    return Error(ErrorKind::Usage, "type mismatch: global value");
  global.set(toInternal(value));
  return {};
}

// --- Instance.

namespace {
internal::Instance &instanceOf(void *raw) { return *static_cast<internal::Instance *>(raw); }

template <typename T>
Expected<T> exportAs(const Instance &instance, std::string_view name, ExternKind kind,
                     std::optional<T> (Extern::*get)() const) {
  auto found = instance.getExport(name);
  if (!found)
    return Error(ErrorKind::Usage, fmt::format("unknown export \"{}\"", name));
  if (found->kind() != kind)
    return Error(ErrorKind::Usage, fmt::format("export \"{}\" is a {}, not a {}", name,
                                               externKindName(found->kind()),
                                               externKindName(kind)));
  return *((*found).*get)();
}
} // namespace

Expected<Instance> Instance::create(Store &store, const Module &module) {
  return Linker().instantiate(store, module);
}

std::optional<Extern> Instance::getExport(std::string_view name) const {
  auto found = instanceOf(instance_).exportNamed(name);
  if (!found)
    return std::nullopt;
  return fromInternal(*found, store_);
}

Expected<Func> Instance::getFunc(std::string_view name) const {
  return exportAs<Func>(*this, name, ExternKind::Func, &Extern::func);
}
Expected<Memory> Instance::getMemory(std::string_view name) const {
  return exportAs<Memory>(*this, name, ExternKind::Memory, &Extern::memory);
}
Expected<Table> Instance::getTable(std::string_view name) const {
  return exportAs<Table>(*this, name, ExternKind::Table, &Extern::table);
}
Expected<Global> Instance::getGlobal(std::string_view name) const {
  return exportAs<Global>(*this, name, ExternKind::Global, &Extern::global);
}

std::vector<ExportType> Instance::exports() const {
  const internal::Module &module = instanceOf(instance_).module();
  std::vector<ExportType> out;
  for (const internal::Export &e : module.exports)
    out.push_back({e.name, externTypeOf(module, e.kind, e.index)});
  return out;
}

// --- Linker.

namespace {
struct HostDef {
  FuncType type;
  HostCallback callback;
};
} // namespace

struct Linker::Impl {
  using Definition = std::variant<Extern, std::shared_ptr<const HostDef>>;
  std::map<std::pair<std::string, std::string>, Definition> definitions;
};

Linker::Linker() : impl_(std::make_unique<Impl>()) {}
Linker::~Linker() = default;
Linker::Linker(const Linker &other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Linker &Linker::operator=(const Linker &other) {
  impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

void Linker::define(const std::string &module, const std::string &name, const Extern &value) {
  impl_->definitions.insert_or_assign({module, name}, value);
}

void Linker::defineInstance(const std::string &module, const Instance &instance) {
  for (const ExportType &e : instance.exports())
    define(module, e.name, *instance.getExport(e.name));
}

void Linker::defineFunc(const std::string &module, const std::string &name,
                        const FuncType &type, HostCallback callback) {
  impl_->definitions.insert_or_assign(
      {module, name}, std::make_shared<const HostDef>(HostDef{type, std::move(callback)}));
}

namespace {

Expected<internal::Extern> toInternalExtern(StoreState *store,
                                            const Linker::Impl::Definition &def) {
  if (auto *host = std::get_if<std::shared_ptr<const HostDef>>(&def)) {
    auto found = store->linkerFuncs.find(host->get());
    if (found == store->linkerFuncs.end()) {
      auto func = createHostFunc(store, (*host)->type, (*host)->callback);
      if (!func)
        return std::move(func).error();
      store->keepAlive.push_back(*host);
      found = store->linkerFuncs.emplace(host->get(), *func).first;
    }
    internal::Extern out;
    out.func = static_cast<const abi::FuncRef *>(found->second.raw());
    return out;
  }
  const Extern &value = std::get<Extern>(def);
  if (value.storeState() != store)
    return Error(ErrorKind::Usage, "a definition of the linker belongs to another store");
  internal::Extern out;
  switch (value.kind()) {
  case ExternKind::Func:
    out.kind = internal::ExternKind::Func;
    out.func = static_cast<const abi::FuncRef *>(value.func()->raw());
    break;
  case ExternKind::Table:
    out.kind = internal::ExternKind::Table;
    out.table = static_cast<internal::Table *>(value.table()->raw());
    break;
  case ExternKind::Memory:
    out.kind = internal::ExternKind::Memory;
    out.memory = static_cast<internal::Memory *>(value.memory()->raw());
    break;
  case ExternKind::Global:
    out.kind = internal::ExternKind::Global;
    out.global = static_cast<internal::GlobalVar *>(value.global()->raw());
    break;
  }
  return out;
}

} // namespace

Expected<Instance> Linker::instantiate(Store &store, const Module &module) const {
  StoreState *state = store.state();
  if (module.engine().impl() != state->engine.impl())
    return Error(ErrorKind::Usage, "the module and the store belong to different engines");
  const internal::Module &wasm = *module.impl()->loaded->module;
  std::vector<internal::Extern> imports;
  for (const internal::Import &import : wasm.imports) {
    auto found = impl_->definitions.find({import.module, import.name});
    if (found == impl_->definitions.end())
      return Error(ErrorKind::Unlinkable,
                   fmt::format("unknown import \"{}\" \"{}\"", import.module, import.name));
    auto value = toInternalExtern(state, found->second);
    if (!value)
      return std::move(value).error();
    imports.push_back(*value);
  }
  internal::Trap trap;
  auto instance = state->store.instantiate(module.impl()->loaded, imports, &trap);
  if (!instance) {
    if (instance.error().kind() == ErrorKind::Trap)
      return recordTrap(state, trap);
    return std::move(instance).error();
  }
  return Instance(state, *instance);
}

} // namespace wasmrt
