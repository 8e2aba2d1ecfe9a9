#include "spec-tests/RuntimeExecutor.h"

#include "runtime/Artifact.h"
#include "runtime/CpuFingerprint.h"

#include <fmt/format.h>

namespace wasmrt::internal::spectest {

namespace {

Error noModule(const std::optional<std::string> &name) {
  return Error(ErrorKind::Usage,
               name ? fmt::format("unknown module {}", *name) : std::string("no current module"));
}

Expected<Value> toValue(const text::ScriptConst &c) {
  switch (c.kind) {
  case text::ConstKind::I32: return Value::i32(int32_t(uint32_t(c.bits)));
  case text::ConstKind::I64: return Value::i64(int64_t(c.bits));
  case text::ConstKind::F32: return Value::f32Bits(uint32_t(c.bits));
  case text::ConstKind::F64: return Value::f64Bits(c.bits);
  case text::ConstKind::RefNull:
    return c.heapType == "extern" ? Value::externRef(nullptr) : Value::funcRef(nullptr);
  case text::ConstKind::RefExtern: return Value::externRef(externRefFromPayload(c.bits));
  case text::ConstKind::V128: return Value::v128Value(c.v128);
  default: break;
  }
  return Error(ErrorKind::Unsupported, "argument kind " + text::toString(c));
}

text::ScriptConst toConst(const Value &value) {
  text::ScriptConst c;
  switch (value.type) {
  case ValType::I32: c.kind = text::ConstKind::I32; c.bits = uint32_t(value.bits); break;
  case ValType::I64: c.kind = text::ConstKind::I64; c.bits = value.bits; break;
  case ValType::F32: c.kind = text::ConstKind::F32; c.bits = uint32_t(value.bits); break;
  case ValType::F64: c.kind = text::ConstKind::F64; c.bits = value.bits; break;
  case ValType::FuncRef:
    c.kind = value.ref ? text::ConstKind::RefFunc : text::ConstKind::RefNull;
    c.heapType = "func";
    break;
  case ValType::ExternRef:
    if (value.ref) {
      c.kind = text::ConstKind::RefExtern;
      c.bits = payloadFromExternRef(value.ref);
    } else {
      c.kind = text::ConstKind::RefNull;
      c.heapType = "extern";
    }
    break;
  case ValType::V128:
    c.kind = text::ConstKind::V128;
    c.v128 = value.v128;
    break;
  }
  return c;
}

// The spec tests' argument types must match the function's exactly; ref.null
// arguments adopt the parameter's reference type.
void adaptNulls(std::vector<Value> &args, const FuncType &type) {
  for (size_t i = 0; i < args.size() && i < type.params.size(); ++i)
    if (args[i].ref == nullptr && (args[i].type == ValType::FuncRef ||
                                   args[i].type == ValType::ExternRef))
      if (type.params[i] == ValType::FuncRef || type.params[i] == ValType::ExternRef)
        args[i].type = type.params[i];
}

} // namespace

void *externRefFromPayload(uint64_t payload) {
  return reinterpret_cast<void *>(uintptr_t(payload) + 1);
}

uint64_t payloadFromExternRef(const void *ref) { return reinterpret_cast<uintptr_t>(ref) - 1; }

Expected<void> defineSpectestModule(Store &store, Linker &linker) {
  auto nothing = [](Instance *, std::span<const Value>, std::span<Value>) {
    return std::optional<TrapKind>();
  };
  using V = ValType;
  const std::pair<const char *, std::vector<ValType>> prints[] = {
      {"print", {}},           {"print_i32", {V::I32}},         {"print_i64", {V::I64}},
      {"print_f32", {V::F32}}, {"print_f64", {V::F64}},         {"print_i32_f32", {V::I32, V::F32}},
      {"print_f64_f64", {V::F64, V::F64}}};
  for (const auto &[name, params] : prints) {
    auto func = store.createHostFunction(FuncType{params, {}}, nothing);
    if (!func)
      return std::move(func).error();
    linker.define("spectest", name, Extern{ExternKind::Func, *func});
  }
  auto global = [&](const char *name, Value value) {
    Extern e{ExternKind::Global};
    e.global = store.createGlobal(GlobalType{value.type, false}, value);
    linker.define("spectest", name, e);
  };
  global("global_i32", Value::i32(666));
  global("global_i64", Value::i64(666));
  global("global_f32", Value::f32(666.6f));
  global("global_f64", Value::f64(666.6));
  Extern table{ExternKind::Table};
  auto created = store.createTable(TableType{ValType::FuncRef, Limits{10, 20}});
  if (!created)
    return std::move(created).error();
  table.table = *created;
  linker.define("spectest", "table", table);
  auto memory = store.createMemory(MemoryType{Limits{1, 2}});
  if (!memory)
    return std::move(memory).error();
  Extern memoryExtern{ExternKind::Memory};
  memoryExtern.memory = *memory;
  linker.define("spectest", "memory", memoryExtern);
  return {};
}

RuntimeExecutor::RuntimeExecutor(Engine &engine, bool viaArtifact)
    : engine_(engine), viaArtifact_(viaArtifact), store_(engine) {
  if (auto defined = defineSpectestModule(store_, linker_); !defined)
    setupError_ = std::move(defined).error();
}

Expected<std::shared_ptr<const LoadedModule>>
RuntimeExecutor::load(std::shared_ptr<const Module> module) {
  if (!viaArtifact_)
    return engine_.load(std::move(module));
  if (!module->storage)
    return Error(ErrorKind::Internal, "a script module without its bytes");
  auto compiler = engine_.compiler();
  if (!compiler)
    return std::move(compiler).error();
  ArtifactOptions options;
  options.cpuFingerprint = hostCpuFingerprint();
  auto artifact =
      (*compiler)->compileArtifact(*module, *module->storage, engine_.compileOptions(), options);
  if (!artifact)
    return std::move(artifact).error();
  ArtifactRequirements requirements;
  requirements.explicitBoundsChecks = engine_.memoryMode() == MemoryMode::BoundsChecked;
  requirements.epochInterruption = engine_.config().epochInterruption;
  requirements.consumeFuel = engine_.config().consumeFuel;
  // The copy the loader decodes and maps is what runs: nothing of the
  // original compilation survives the round trip.
  auto loaded = loadArtifactBytes(*artifact, requirements);
  if (!loaded)
    return std::move(loaded).error();
  return engine_.loadPrecompiled(loaded->module, std::move(loaded->code));
}

Expected<void> RuntimeExecutor::instantiate(const text::ScriptModule &script, Module &&module) {
  if (setupError_)
    return *setupError_;
  // An unsupported module and everything that uses it are skipped.
  auto unsupported = [&](Error error) {
    Slot slot{nullptr, error};
    current_ = slot;
    if (script.name)
      named_[*script.name] = slot;
    return error;
  };
  for (const Import &import : module.imports)
    if (auto skipped = unsupportedNames_.find(import.module); skipped != unsupportedNames_.end())
      return unsupported(skipped->second);
  auto shared = std::make_shared<const Module>(std::move(module));
  auto loaded = load(shared);
  if (!loaded) {
    if (loaded.error().kind() == ErrorKind::Unsupported)
      return unsupported(std::move(loaded).error());
    return std::move(loaded).error();
  }
  auto imports = linker_.resolve(*shared);
  if (!imports)
    return std::move(imports).error();
  auto instance = store_.instantiate(std::move(*loaded), *imports);
  if (!instance) {
    if (instance.error().kind() == ErrorKind::Unsupported)
      return unsupported(std::move(instance).error());
    return std::move(instance).error();
  }
  current_ = Slot{*instance, std::nullopt};
  if (script.name)
    named_[*script.name] = *current_;
  return {};
}

Expected<void> RuntimeExecutor::instantiateDefinition(
    const std::optional<std::string> &instanceName, const std::optional<std::string> &) {
  // The instance becomes current (and named) as unsupported, so every command
  // that uses it is skipped too rather than failing as "unknown module".
  Error error(ErrorKind::Unsupported, "module definitions are Wasm 3.0");
  Slot slot{nullptr, error};
  current_ = slot;
  if (instanceName)
    named_[*instanceName] = slot;
  return error;
}

Expected<Instance *> RuntimeExecutor::find(const std::optional<std::string> &name) const {
  const Slot *slot = nullptr;
  if (name) {
    auto found = named_.find(*name);
    if (found != named_.end())
      slot = &found->second;
  } else if (current_) {
    slot = &*current_;
  }
  if (!slot)
    return noModule(name);
  if (slot->unsupported)
    return *slot->unsupported;
  return slot->instance;
}

Expected<void> RuntimeExecutor::registerModule(const std::string &as,
                                               const std::optional<std::string> &moduleName) {
  auto instance = find(moduleName);
  if (!instance) {
    if (instance.error().kind() == ErrorKind::Unsupported)
      unsupportedNames_.insert_or_assign(as, instance.error());
    return std::move(instance).error();
  }
  unsupportedNames_.erase(as);
  linker_.defineInstance(as, **instance);
  return {};
}

Expected<std::vector<text::ScriptConst>> RuntimeExecutor::perform(const text::Action &action) {
  auto instance = find(action.moduleName);
  if (!instance)
    return std::move(instance).error();
  std::optional<Extern> target = (*instance)->exportNamed(action.field);
  if (!target)
    return Error(ErrorKind::Usage, fmt::format("unknown export \"{}\"", action.field));
  std::vector<text::ScriptConst> results;
  if (action.kind == text::ActionKind::Get) {
    if (target->kind != ExternKind::Global)
      return Error(ErrorKind::Usage, fmt::format("\"{}\" is not a global", action.field));
    results.push_back(toConst(target->global->get()));
    return results;
  }
  if (target->kind != ExternKind::Func)
    return Error(ErrorKind::Usage, fmt::format("\"{}\" is not a function", action.field));
  std::vector<Value> args;
  for (const text::ScriptConst &arg : action.args) {
    auto value = toValue(arg);
    if (!value)
      return std::move(value).error();
    args.push_back(*value);
  }
  for (const Export &e : (*instance)->module().exports)
    if (e.name == action.field && e.kind == ExternKind::Func)
      adaptNulls(args, (*instance)->module().funcType(e.index));
  auto values = (*instance)->invoke(action.field, args);
  if (!values)
    return std::move(values).error();
  for (const Value &value : *values)
    results.push_back(toConst(value));
  return results;
}

} // namespace wasmrt::internal::spectest
