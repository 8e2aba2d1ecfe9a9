// The runtime entry points generated code calls (RuntimeAbi.h). Each finds its
// Instance through InstanceContext::runtimeInstance. Those that trap do it with
// raiseTrapAt, reporting the calling JIT code's return address and frame
// pointer so the trap gets a wasm backtrace. This file is compiled with frame
// pointers (see CMakeLists.txt): [our frame] holds the caller's frame pointer.
//
// A trap leaves these functions by siglongjmp, so nothing here may own a
// resource when it traps.
#include "abi/RuntimeAbi.h"
#include "interp/Interpreter.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/TrapHandler.h"

using wasmrt::abi::InstanceContext;

namespace {

wasmrt::internal::Instance &instanceOf(InstanceContext *context) {
  return *static_cast<wasmrt::internal::Instance *>(context->runtimeInstance);
}

} // namespace

// A macro, not a function: the addresses must be those of the entry point's
// own frame.
#define WASMRT_TRAP_FROM_JIT(kind)                                                                \
  wasmrt::internal::raiseTrapAt(kind, __builtin_return_address(0),                                           \
                      *static_cast<void *const *>(__builtin_frame_address(0)))

extern "C" {

// `context` may be a HostFunctionContext (host adapters pass their caller's
// context, which is the adapter itself when the host called it): never read.
void wasmrt_trap(InstanceContext *, uint32_t trapKind) {
  WASMRT_TRAP_FROM_JIT(static_cast<wasmrt::internal::TrapKind>(trapKind));
}

uint32_t wasmrt_memory_grow(InstanceContext *context, uint32_t memory, uint32_t deltaPages) {
  return instanceOf(context).memoryGrow(memory, deltaPages);
}

void wasmrt_memory_fill(InstanceContext *context, uint32_t memory, uint32_t dst, uint32_t value,
                        uint32_t n) {
  if (!instanceOf(context).memoryFill(memory, dst, uint8_t(value), n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::MemoryOutOfBounds);
}

void wasmrt_memory_copy(InstanceContext *context, uint32_t dstMemory, uint32_t srcMemory,
                        uint32_t dst, uint32_t src, uint32_t n) {
  if (!instanceOf(context).memoryCopy(dstMemory, srcMemory, dst, src, n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::MemoryOutOfBounds);
}

void wasmrt_memory_init(InstanceContext *context, uint32_t memory, uint32_t data, uint32_t dst,
                        uint32_t src, uint32_t n) {
  if (!instanceOf(context).memoryInit(memory, data, dst, src, n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::MemoryOutOfBounds);
}

void wasmrt_data_drop(InstanceContext *context, uint32_t data) {
  instanceOf(context).dataDrop(data);
}

uint32_t wasmrt_table_grow(InstanceContext *context, uint32_t table, void *init, uint32_t delta) {
  return instanceOf(context).tableGrow(table, init, delta);
}

void wasmrt_table_fill(InstanceContext *context, uint32_t table, uint32_t dst, void *value,
                       uint32_t n) {
  if (!instanceOf(context).tableFill(table, dst, value, n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::TableOutOfBounds);
}

void wasmrt_table_copy(InstanceContext *context, uint32_t dstTable, uint32_t srcTable,
                       uint32_t dst, uint32_t src, uint32_t n) {
  if (!instanceOf(context).tableCopy(dstTable, srcTable, dst, src, n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::TableOutOfBounds);
}

void wasmrt_table_init(InstanceContext *context, uint32_t table, uint32_t elem, uint32_t dst,
                       uint32_t src, uint32_t n) {
  if (!instanceOf(context).tableInit(table, elem, dst, src, n))
    WASMRT_TRAP_FROM_JIT(wasmrt::internal::TrapKind::TableOutOfBounds);
}

void wasmrt_elem_drop(InstanceContext *context, uint32_t elem) {
  instanceOf(context).elemDrop(elem);
}

// Not a runtime entry point of generated code's contract
// (WASMRT_RUNTIME_ENTRY_POINTS): the JIT's thunks into interpreted functions
// call it (docs/INTERPRETER.md). Arguments in slots, results from slots[0].
void wasmrt_interpret(InstanceContext *callee, InstanceContext *caller, uint32_t funcIndex,
                      wasmrt::abi::ValueSlot *slots) {
  // This file keeps frame pointers: our frame record holds the thunk's.
  wasmrt::internal::interp::interpret(callee, caller, funcIndex, slots,
                                      *static_cast<void *const *>(__builtin_frame_address(0)));
}

} // extern "C"

namespace wasmrt::internal {

void *Engine::interpreterEntry() { return reinterpret_cast<void *>(&wasmrt_interpret); }

std::vector<std::pair<std::string, void *>> Engine::runtimeSymbols() {
  return {
#define WASMRT_RUNTIME_SYMBOL(name, ret, params)                                                   \
  {#name, reinterpret_cast<void *>(static_cast<ret(*) params>(&::name))},
      WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_RUNTIME_SYMBOL)
#undef WASMRT_RUNTIME_SYMBOL
  };
}

} // namespace wasmrt::internal
