#include "CompilerTestUtil.h"

#include "binary/Decoder.h"
#include "binary/InstrReader.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <algorithm>
#include <cstdlib>
#include <sys/mman.h>

namespace wasmrt::internal::test {

using abi::InstanceContext;
using abi::TrapKind;

namespace {
constexpr uint64_t kReservation = 8ull << 30;
}

// The innermost guarded-mode call of this thread, for the SIGSEGV handler
// (test-only state; the runtime's trap handler does this for real).
thread_local TestInstance::GuardedCall *TestInstance::activeGuardedCall = nullptr;

// The runtime entry points, reduced to what the tests need. Each has exactly
// the prototype of RuntimeAbi.h (checked in testRuntimeSymbols()).
struct RuntimeDoubles {
  static TestInstance &instance(InstanceContext *ctx) {
    return *static_cast<TestInstance *>(ctx->runtimeInstance);
  }
  static bool outOfBounds(uint64_t start, uint64_t count, uint64_t size) {
    return start + count > size;
  }

  static void wasmrt_trap(InstanceContext *ctx, uint32_t kind) { instance(ctx).trap(kind); }
  static uint32_t wasmrt_memory_grow(InstanceContext *ctx, uint32_t, uint32_t delta) {
    instance(ctx).growRequests.push_back(delta);
    return instance(ctx).growMemory(delta);
  }
  static void wasmrt_memory_fill(InstanceContext *ctx, uint32_t, uint32_t dst, uint32_t value,
                                 uint32_t n) {
    if (outOfBounds(dst, n, ctx->memorySize))
      instance(ctx).trap(uint32_t(TrapKind::MemoryOutOfBounds));
    std::memset(ctx->memoryBase + dst, int(value & 0xFF), n);
  }
  static void wasmrt_memory_copy(InstanceContext *ctx, uint32_t, uint32_t, uint32_t dst,
                                 uint32_t src, uint32_t n) {
    if (outOfBounds(dst, n, ctx->memorySize) || outOfBounds(src, n, ctx->memorySize))
      instance(ctx).trap(uint32_t(TrapKind::MemoryOutOfBounds));
    std::memmove(ctx->memoryBase + dst, ctx->memoryBase + src, n);
  }
  static void wasmrt_memory_init(InstanceContext *ctx, uint32_t, uint32_t data, uint32_t dst,
                                 uint32_t src, uint32_t n) {
    TestInstance &self = instance(ctx);
    std::span<const uint8_t> bytes = self.module_->data[data].bytes;
    if (self.droppedData_[data])
      bytes = {};
    if (outOfBounds(dst, n, ctx->memorySize) || outOfBounds(src, n, bytes.size()))
      self.trap(uint32_t(TrapKind::MemoryOutOfBounds));
    // A dropped or empty segment has no data pointer, and memcpy's must not be
    // null even for no bytes (UBSan); the runtime's memoryInit skips n == 0 too.
    if (n)
      std::memcpy(ctx->memoryBase + dst, bytes.data() + src, n);
  }
  static void wasmrt_data_drop(InstanceContext *ctx, uint32_t data) {
    instance(ctx).droppedData_[data] = true;
  }
  static uint32_t wasmrt_table_grow(InstanceContext *ctx, uint32_t table, void *init,
                                    uint32_t delta) {
    TestInstance &self = instance(ctx);
    abi::TableData &data = *self.tables_[table];
    uint32_t old = data.size;
    if (uint64_t(old) + delta > data.maxSize)
      return UINT32_MAX;
    std::vector<void *> &storage = self.tableStorage_[table];
    storage.resize(old + delta, init);
    data.elements = storage.data();
    data.size = old + delta;
    return old;
  }
  static void wasmrt_table_fill(InstanceContext *ctx, uint32_t table, uint32_t dst, void *value,
                                uint32_t n) {
    abi::TableData &data = *instance(ctx).tables_[table];
    if (outOfBounds(dst, n, data.size))
      instance(ctx).trap(uint32_t(TrapKind::TableOutOfBounds));
    std::fill_n(data.elements + dst, n, value);
  }
  static void wasmrt_table_copy(InstanceContext *ctx, uint32_t dstTable, uint32_t srcTable,
                                uint32_t dst, uint32_t src, uint32_t n) {
    abi::TableData &to = *instance(ctx).tables_[dstTable];
    abi::TableData &from = *instance(ctx).tables_[srcTable];
    if (outOfBounds(dst, n, to.size) || outOfBounds(src, n, from.size))
      instance(ctx).trap(uint32_t(TrapKind::TableOutOfBounds));
    std::memmove(to.elements + dst, from.elements + src, n * sizeof(void *));
  }
  static void wasmrt_table_init(InstanceContext *ctx, uint32_t table, uint32_t elem, uint32_t dst,
                                uint32_t src, uint32_t n) {
    TestInstance &self = instance(ctx);
    const ElementSegment &segment = self.module_->elements[elem];
    abi::TableData &data = *self.tables_[table];
    size_t available = self.droppedElems_[elem] ? 0 : segment.size();
    if (outOfBounds(dst, n, data.size) || outOfBounds(src, n, available))
      self.trap(uint32_t(TrapKind::TableOutOfBounds));
    for (uint32_t i = 0; i < n; ++i)
      data.elements[dst + i] = self.segmentElement(segment, src + i);
  }
  static void wasmrt_elem_drop(InstanceContext *ctx, uint32_t elem) {
    instance(ctx).droppedElems_[elem] = true;
  }

  static uint32_t hostDispatch(abi::HostFunctionContext *self, InstanceContext *,
                               abi::ValueSlot *values) {
    return reinterpret_cast<TestInstance::HostBinding *>(self)->function(values);
  }
};

std::vector<std::pair<std::string, void *>> testRuntimeSymbols() {
  return {
#define WASMRT_TEST_SYMBOL(name, ret, params)                                                     \
  {#name, reinterpret_cast<void *>(static_cast<ret(*) params>(&RuntimeDoubles::name))},
      WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_TEST_SYMBOL)
#undef WASMRT_TEST_SYMBOL
  };
}

CompileOptions testOptions(unsigned optLevel, bool boundsChecks) {
  CompileOptions options;
  options.optLevel = optLevel;
  options.explicitBoundsChecks = boundsChecks;
  options.runtimeSymbols = testRuntimeSymbols();
  options.verifyIR = true;
  return options;
}

TestInstance::~TestInstance() {
  if (reservation_)
    munmap(reservation_, kReservation);
  else
    std::free(context_.memoryBase);
}

std::unique_ptr<TestInstance>
TestInstance::create(std::string_view wat, CompileOptions options,
                     std::vector<std::pair<std::string, HostFunction>> hostFunctions,
                     std::string *error) {
  auto bytes = text::parseWat(wat);
  if (!bytes) {
    if (error)
      *error = bytes.error().describe();
    return nullptr;
  }
  return createFromBinary(std::move(*bytes), std::move(options), std::move(hostFunctions),
                          error);
}

std::unique_ptr<TestInstance>
TestInstance::createFromBinary(std::vector<uint8_t> bytes, CompileOptions options,
                               std::vector<std::pair<std::string, HostFunction>> hostFunctions,
                               std::string *error) {
  auto fail = [&](const Error &e) {
    if (error)
      *error = e.describe();
    return nullptr;
  };
  auto module = decodeModule(std::move(bytes));
  if (!module)
    return fail(module.error());
  if (auto valid = validateModule(*module); !valid)
    return fail(valid.error());
  std::unique_ptr<TestInstance> instance(new TestInstance());
  instance->module_ = std::make_unique<Module>(std::move(*module));
  if (options.runtimeSymbols.empty())
    options.runtimeSymbols = testRuntimeSymbols();
  auto compiled = compileModule(*instance->module_, options);
  if (!compiled)
    return fail(compiled.error());
  instance->compiled_ = std::move(*compiled);
  instance->boundsChecks_ = options.explicitBoundsChecks;
  if (!instance->instantiate(hostFunctions, error))
    return nullptr;
  if (instance->module_->startFunc) {
    Outcome started = instance->callIndex(*instance->module_->startFunc);
    if (started.trap) {
      if (error)
        *error = std::string("start function trapped: ") + abi::trapMessage(*started.trap);
      return nullptr;
    }
  }
  return instance;
}

uint64_t TestInstance::evalConst(const ConstExpr &expr, void **refOut, V128 *v128Out) const {
  InstrReader reader(expr.bytes, expr.offset);
  Instr in;
  uint64_t bits = 0;
  while (reader.next(in) && in.op != Opcode::End) {
    switch (in.op) {
    case Opcode::I32Const: bits = uint32_t(in.value.i32); break;
    case Opcode::I64Const: bits = uint64_t(in.value.i64); break;
    case Opcode::F32Const: bits = in.value.f32Bits; break;
    case Opcode::F64Const: bits = in.value.f64Bits; break;
    case Opcode::RefNull: if (refOut) *refOut = nullptr; break;
    case Opcode::RefFunc:
      if (refOut)
        *refOut = const_cast<abi::FuncRef *>(funcRefs_[in.index]);
      break;
    case Opcode::V128Const:
      if (v128Out)
        *v128Out = in.v128;
      break;
    case Opcode::GlobalGet:
      std::memcpy(&bits, globals_[in.index], 8);
      if (v128Out)
        std::memcpy(v128Out->bytes, globals_[in.index]->v128, 16);
      break;
    default: break;
    }
  }
  return bits;
}

bool TestInstance::setUpMemory() {
  if (module_->memories.empty())
    return true;
  const Limits &limits = module_->memories[0].limits;
  maxPages_ = std::min<uint64_t>(limits.max.value_or(kMaxMemoryPages), 1024);
  uint64_t size = limits.min * kWasmPageSize;
  if (boundsChecks_) {
    context_.memoryBase = static_cast<uint8_t *>(std::calloc(std::max<uint64_t>(size, 1), 1));
  } else {
    void *mapping = mmap(nullptr, kReservation, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED)
      return false;
    reservation_ = static_cast<uint8_t *>(mapping);
    if (size && mprotect(reservation_, size, PROT_READ | PROT_WRITE) != 0)
      return false;
    context_.memoryBase = reservation_;
  }
  context_.memorySize = size;
  return true;
}

uint32_t TestInstance::growMemory(uint32_t deltaPages) {
  uint64_t oldPages = context_.memorySize / kWasmPageSize;
  if (oldPages + deltaPages > maxPages_)
    return UINT32_MAX;
  uint64_t oldSize = context_.memorySize, newSize = (oldPages + deltaPages) * kWasmPageSize;
  if (boundsChecks_) {
    // Always move, so the tests see generated code reload the base.
    auto *moved = static_cast<uint8_t *>(std::calloc(std::max<uint64_t>(newSize, 1), 1));
    std::memcpy(moved, context_.memoryBase, oldSize);
    std::free(context_.memoryBase);
    context_.memoryBase = moved;
  } else if (newSize > oldSize) {
    mprotect(reservation_ + oldSize, newSize - oldSize, PROT_READ | PROT_WRITE);
  }
  context_.memorySize = newSize;
  return uint32_t(oldPages);
}

bool TestInstance::instantiate(std::vector<std::pair<std::string, HostFunction>> &hostFunctions,
                               std::string *error) {
  const Module &m = *module_;
  context_.runtimeInstance = this;
  for (const FuncType &type : m.types)
    typeIds_.push_back(
        uint32_t(std::find(m.types.begin(), m.types.end(), type) - m.types.begin()));
  context_.typeIds = typeIds_.data();

  funcRefStorage_.resize(m.funcs.size());
  for (uint32_t i = 0; i < m.funcs.size(); ++i) {
    uint32_t type = m.funcs[i];
    abi::FuncRef &ref = funcRefStorage_[i];
    ref = {compiled_->functionCode(i), &context_, typeIds_[type], i};
    if (i < m.numImportedFuncs) {
      const Import *import = nullptr;
      uint32_t seen = 0;
      for (const Import &candidate : m.imports)
        if (candidate.kind == ExternKind::Func && seen++ == i)
          import = &candidate;
      auto found = std::find_if(hostFunctions.begin(), hostFunctions.end(),
                                [&](const auto &f) { return f.first == import->name; });
      if (found == hostFunctions.end()) {
        if (error)
          *error = "no host function " + import->name;
        return false;
      }
      auto binding = std::make_unique<HostBinding>();
      binding->context.callback = &RuntimeDoubles::hostDispatch;
      binding->function = found->second;
      ref.code = compiled_->hostAdapter(type);
      ref.context = reinterpret_cast<InstanceContext *>(&binding->context);
      hostBindings_.push_back(std::move(binding));
    }
    funcRefs_.push_back(&ref);
  }
  context_.funcRefs = funcRefs_.data();

  globalStorage_.resize(m.globals.size());
  for (uint32_t i = 0; i < m.globals.size(); ++i)
    globals_.push_back(&globalStorage_[i]);
  for (uint32_t i = 0; i < m.definedGlobals.size(); ++i) {
    abi::GlobalCell &cell = globalStorage_[m.numImportedGlobals + i];
    void *refValue = nullptr;
    V128 vector;
    uint64_t bits = evalConst(m.definedGlobals[i].init, &refValue, &vector);
    if (isRefType(m.definedGlobals[i].type.type))
      cell.ref = refValue;
    else if (m.definedGlobals[i].type.type == ValType::V128)
      std::memcpy(cell.v128, vector.bytes, 16);
    else
      std::memcpy(cell.v128, &bits, 8);
  }
  context_.globals = globals_.data();

  if (!setUpMemory())
    return false;
  droppedData_.assign(m.data.size(), false);
  for (size_t i = 0; i < m.data.size(); ++i) {
    const DataSegment &segment = m.data[i];
    if (segment.mode != SegmentMode::Active)
      continue;
    std::memcpy(context_.memoryBase + evalConst(segment.offsetExpr), segment.bytes.data(),
                segment.bytes.size());
    droppedData_[i] = true;
  }

  tableStorage_.resize(m.tables.size());
  tableData_.resize(m.tables.size());
  for (uint32_t i = 0; i < m.tables.size(); ++i) {
    const Limits &limits = m.tables[i].limits;
    tableStorage_[i].assign(limits.min, nullptr);
    tableData_[i] = {tableStorage_[i].data(), uint32_t(limits.min),
                     uint32_t(limits.max.value_or(UINT32_MAX))};
    tables_.push_back(&tableData_[i]);
  }
  // Active and declarative segments are dropped once instantiation used them.
  droppedElems_.assign(m.elements.size(), false);
  for (size_t i = 0; i < m.elements.size(); ++i) {
    const ElementSegment &segment = m.elements[i];
    if (segment.mode == SegmentMode::Passive)
      continue;
    droppedElems_[i] = true;
    if (segment.mode == SegmentMode::Declarative)
      continue;
    uint64_t offset = evalConst(segment.offsetExpr);
    for (size_t j = 0; j < segment.size(); ++j)
      tableStorage_[segment.tableIndex][offset + j] = segmentElement(segment, j);
  }
  context_.tables = tables_.data();
  return true;
}

void *TestInstance::segmentElement(const ElementSegment &segment, size_t i) const {
  void *value = nullptr;
  if (segment.usesExprs)
    evalConst(segment.exprs[i], &value);
  else
    value = const_cast<abi::FuncRef *>(funcRefs_[segment.funcIndices[i]]);
  return value;
}

uint32_t TestInstance::exportedFunction(std::string_view name) const {
  for (const Export &e : module_->exports)
    if (e.kind == ExternKind::Func && e.name == name)
      return e.index;
  return UINT32_MAX;
}

void TestInstance::trap(uint32_t kind) {
  trapKind_ = kind;
  siglongjmp(jump_, 1);
}

Outcome TestInstance::call(std::string_view exportName, const std::vector<Value> &args) {
  return callIndex(exportedFunction(exportName), args);
}

Outcome TestInstance::callIndex(uint32_t funcIndex, const std::vector<Value> &args) {
  uint32_t typeIndex = module_->funcs[funcIndex];
  const FuncType &type = module_->types[typeIndex];
  std::vector<abi::ValueSlot> slots(std::max<size_t>({type.params.size(), type.results.size(), 1}));
  for (size_t i = 0; i < args.size() && i < slots.size(); ++i) {
    if (isRefType(args[i].type))
      std::memcpy(slots[i].bytes, &args[i].ref, sizeof(void *));
    else if (args[i].type == ValType::V128)
      std::memcpy(slots[i].bytes, args[i].v128.bytes, 16);
    else
      std::memcpy(slots[i].bytes, &args[i].bits, 8);
  }
  const abi::FuncRef *callee = funcRefs_[funcIndex];
  abi::EntryTrampoline trampoline = compiled_->entryTrampoline(typeIndex);
  context_.stackLimit = uintptr_t(__builtin_frame_address(0)) - stackBudget;
  // Guarded mode: a fault in the reservation is an out-of-bounds trap. The
  // handler is installed around each call (Catch2 installs its own per test).
  struct sigaction previous {};
  GuardedCall guard{this, activeGuardedCall};
  if (reservation_) {
    struct sigaction action {};
    action.sa_sigaction = &guardPageHandler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous);
    activeGuardedCall = &guard;
  }
  Outcome outcome;
  if (sigsetjmp(jump_, 1) == 0) {
    trampoline(callee->code, callee->context, slots.data());
    outcome.results.assign(slots.begin(), slots.begin() + ptrdiff_t(type.results.size()));
  } else {
    outcome.trap = TrapKind(trapKind_);
  }
  if (reservation_) {
    activeGuardedCall = guard.outer;
    sigaction(SIGSEGV, &previous, nullptr);
  }
  return outcome;
}

void TestInstance::guardPageHandler(int, siginfo_t *info, void *) {
  GuardedCall *call = activeGuardedCall;
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  auto begin = reinterpret_cast<uintptr_t>(call ? call->instance->reservation_ : nullptr);
  if (!call || address < begin || address >= begin + kReservation) {
    signal(SIGSEGV, SIG_DFL); // not ours: crash as usual when the access repeats
    return;
  }
  call->instance->trap(uint32_t(TrapKind::MemoryOutOfBounds));
}

} // namespace wasmrt::internal::test
