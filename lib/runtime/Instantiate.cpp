// Instantiation as the Wasm 2.0 spec defines it: import matching, allocation,
// element and data segments in order, then the start function.
#include "runtime/Instance.h"

#include "binary/InstrReader.h"

#include <fmt/format.h>

#include <algorithm>

namespace wasmrt::internal {

namespace {

// Limits subtyping: the actual minimum (current size) must be at least the
// import's, and an import maximum needs an actual maximum no larger.
bool limitsMatch(uint64_t actualMin, const std::optional<uint64_t> &actualMax,
                 const Limits &expected) {
  if (actualMin < expected.min)
    return false;
  if (!expected.max)
    return true;
  return actualMax && *actualMax <= *expected.max;
}

bool importMatches(const Import &import, const Extern &actual, const LoadedModule &loaded) {
  if (import.kind != actual.kind)
    return false;
  switch (import.kind) {
  case ExternKind::Func:
    return actual.func && actual.func->typeId == loaded.typeIds[import.funcTypeIndex];
  case ExternKind::Table:
    return actual.table && actual.table->elemType() == import.table.elemType &&
           limitsMatch(actual.table->size(), actual.table->declaredType().limits.max,
                       import.table.limits);
  case ExternKind::Memory:
    return actual.memory &&
           limitsMatch(actual.memory->pages(), actual.memory->declaredType().limits.max,
                       import.memory.limits);
  case ExternKind::Global: return actual.global && actual.global->type() == import.global;
  }
  return false;
}

} // namespace

Expected<Instance *> Store::instantiate(std::shared_ptr<const LoadedModule> loaded,
                                        std::span<const Extern> imports, Trap *trap) {
  const Module &module = *loaded->module;
  if (imports.size() != module.imports.size())
    return Error(ErrorKind::Unlinkable,
                 fmt::format("unknown import: {} imports given, the module has {}",
                             imports.size(), module.imports.size()));
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import &import = module.imports[i];
    if (!importMatches(import, imports[i], *loaded))
      return Error(ErrorKind::Unlinkable,
                   fmt::format("incompatible import type \"{}\" \"{}\": expected a {}",
                               import.module, import.name, externKindName(import.kind)));
  }
  auto owned = std::make_unique<Instance>(*this, std::move(loaded));
  Instance *instance = owned.get();
  if (auto allocated = instance->allocate(imports); !allocated)
    return std::move(allocated).error();
  instances_.push_back(std::move(owned));
  addContext(instance->context());
  instance->context()->stackLimit = stackLimit_;
  if (auto initialized = instance->initialize(trap); !initialized)
    return std::move(initialized).error();
  return instance;
}

Expected<Value> Instance::evalConst(const ConstExpr &expr, ValType type) const {
  // Validated constant expressions: one value-producing instruction (Wasm 2.0),
  // read with the same decoder as everything else.
  InstrReader reader(expr.bytes, expr.offset);
  Instr in;
  Value value;
  value.type = type;
  while (reader.next(in) && in.op != Opcode::End) {
    switch (in.op) {
    case Opcode::I32Const: value.bits = uint32_t(in.value.i32); break;
    case Opcode::I64Const: value.bits = uint64_t(in.value.i64); break;
    case Opcode::F32Const: value.bits = in.value.f32Bits; break;
    case Opcode::F64Const: value.bits = in.value.f64Bits; break;
    case Opcode::V128Const: value.v128 = in.v128; break;
    case Opcode::RefNull: value.ref = nullptr; break;
    case Opcode::RefFunc: value.ref = const_cast<abi::FuncRef *>(funcRefs_[in.index]); break;
    case Opcode::GlobalGet: value = globals_[in.index]->get(); break;
    default:
      return Error(ErrorKind::Unsupported,
                   fmt::format("constant expression at offset {}: unsupported instruction",
                               in.offset));
    }
  }
  value.type = type;
  return value;
}

Expected<void> Instance::allocate(std::span<const Extern> imports) {
  const Module &m = module();
  for (const Extern &import : imports) {
    switch (import.kind) {
    case ExternKind::Func: funcRefs_.push_back(import.func); break;
    case ExternKind::Table: tables_.push_back(import.table); break;
    case ExternKind::Memory: memories_.push_back(import.memory); break;
    case ExternKind::Global: globals_.push_back(import.global); break;
    }
  }
  // Defined functions: their FuncRefs exist before any constant expression
  // (ref.func) is evaluated.
  ownFuncRefs_.resize(m.numDefinedFuncs());
  for (uint32_t i = 0; i < m.numDefinedFuncs(); ++i) {
    uint32_t funcIndex = m.numImportedFuncs + i;
    ownFuncRefs_[i] = {loaded_->compiled->functionCode(funcIndex), &context_,
                       loaded_->typeIds[m.funcs[funcIndex]], funcIndex};
    funcRefs_.push_back(&ownFuncRefs_[i]);
  }
  if (loaded_->lazyBodies)
    loaded_->lazyBodies->attach(ownFuncRefs_);
  // Limit errors name the table or memory by its index in the module.
  for (size_t i = m.numImportedTables; i < m.tables.size(); ++i) {
    auto table = store_.createTable(m.tables[i]);
    if (!table)
      return Error(table.error().kind(), fmt::format("table {}: {}", i, table.error().message()));
    tables_.push_back(*table);
  }
  for (size_t i = m.numImportedMemories; i < m.memories.size(); ++i) {
    auto memory = store_.createMemory(m.memories[i]);
    if (!memory)
      return Error(memory.error().kind(),
                   fmt::format("memory {}: {}", i, memory.error().message()));
    memories_.push_back(*memory);
  }
  for (const Global &global : m.definedGlobals) {
    auto value = evalConst(global.init, global.type.type);
    if (!value)
      return std::move(value).error();
    globals_.push_back(store_.createGlobal(global.type, *value));
  }
  for (const ElementSegment &segment : m.elements) {
    std::vector<void *> refs;
    refs.reserve(segment.size());
    for (size_t i = 0; i < segment.size(); ++i) {
      if (!segment.usesExprs) {
        refs.push_back(const_cast<abi::FuncRef *>(funcRefs_[segment.funcIndices[i]]));
        continue;
      }
      auto value = evalConst(segment.exprs[i], segment.elemType);
      if (!value)
        return std::move(value).error();
      refs.push_back(value->ref);
    }
    elemSegments_.push_back(std::move(refs));
  }
  for (const DataSegment &segment : m.data)
    dataSegments_.push_back(segment.bytes);
  bindContext();
  return {};
}

void Instance::bindContext() {
  for (Table *table : tables_)
    tableData_.push_back(table->data());
  for (GlobalVar *global : globals_)
    globalCells_.push_back(global->cell());
  context_.globals = globalCells_.data();
  context_.tables = tableData_.data();
  context_.funcRefs = funcRefs_.data();
  context_.typeIds = loaded_->typeIds.data();
  context_.runtimeInstance = this;
  context_.interpreter = loaded_->interpreted.get();
  if (!memories_.empty())
    memories_[0]->addUser(&context_);
}

Expected<void> Instance::initialize(Trap *trap) {
  const Module &m = module();
  // Active element segments are table.init + elem.drop, declarative ones
  // elem.drop, in order; writes before a failing segment stay.
  for (uint32_t i = 0; i < m.elements.size(); ++i) {
    const ElementSegment &segment = m.elements[i];
    if (segment.mode == SegmentMode::Passive)
      continue;
    if (segment.mode == SegmentMode::Active) {
      auto offset = evalConst(segment.offsetExpr, ValType::I32);
      if (!offset)
        return std::move(offset).error();
      if (!tableInit(segment.tableIndex, i, uint32_t(offset->bits), 0,
                     uint32_t(segment.size()))) {
        if (trap)
          *trap = Trap{TrapKind::TableOutOfBounds, {}};
        return Error(ErrorKind::Trap, trapMessage(TrapKind::TableOutOfBounds));
      }
    }
    elemDrop(i);
  }
  for (uint32_t i = 0; i < m.data.size(); ++i) {
    const DataSegment &segment = m.data[i];
    if (segment.mode != SegmentMode::Active)
      continue;
    auto offset = evalConst(segment.offsetExpr, ValType::I32);
    if (!offset)
      return std::move(offset).error();
    if (!memoryInit(segment.memoryIndex, i, uint32_t(offset->bits), 0,
                    uint32_t(segment.bytes.size()))) {
      if (trap)
        *trap = Trap{TrapKind::MemoryOutOfBounds, {}};
      return Error(ErrorKind::Trap, trapMessage(TrapKind::MemoryOutOfBounds));
    }
    dataDrop(i);
  }
  if (m.startFunc) {
    auto started = callFunction(*m.startFunc, {}, trap);
    if (!started)
      return std::move(started).error();
  }
  return {};
}

} // namespace wasmrt::internal
