// The contract between generated code and the runtime, defined once.
//
// The compiler emits code against these layouts and entry points; the runtime
// lays out the data and implements the entry points. Nothing here includes
// LLVM or runtime headers, so both sides (and AOT objects loaded without LLVM)
// agree by construction. Offsets used by generated code are static_asserted.
//
// Calling convention of every compiled wasm function (defined, imported or
// host adapter):   R fn(InstanceContext *callee, InstanceContext *caller, P0 p0, ...)
// `callee` is the context of the instance defining the function (a
// HostFunctionContext for host adapters); `caller` lets host functions reach
// the calling instance's memory.
// where i32/i64/f32/f64 map to the native scalar types, v128 to <16 x i8>
// (passed in vector registers), funcref to `const FuncRef *` and externref to
// `void *` (null is nullptr). Multiple results are returned as an LLVM struct.
//
// Host -> wasm calls go through per-signature entry trampolines with the
// "array" convention (EntryTrampoline), so the runtime can call any function
// without knowing its signature at C++ compile time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmrt::abi {

// Why execution stopped. Messages match the spec test suite's wording.
enum class TrapKind : uint32_t {
  Unreachable = 1,
  MemoryOutOfBounds,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversionToInteger,
  UndefinedElement,       // call_indirect index beyond the table
  UninitializedElement,   // call_indirect through a null entry
  IndirectCallTypeMismatch,
  TableOutOfBounds,       // table.get/set/fill/copy/init out of bounds
  CallStackExhausted,
  NullReference,          // reserved for typed function references
  Interrupted,            // epoch deadline reached
  OutOfFuel,
  HostTrap,               // a host function reported a trap
  CompilationFailed,      // a lazily compiled function could not be compiled
};
inline const char *trapMessage(TrapKind kind) {
  switch (kind) {
  case TrapKind::Unreachable: return "unreachable";
  case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
  case TrapKind::IntegerDivideByZero: return "integer divide by zero";
  case TrapKind::IntegerOverflow: return "integer overflow";
  case TrapKind::InvalidConversionToInteger: return "invalid conversion to integer";
  case TrapKind::UndefinedElement: return "undefined element";
  case TrapKind::UninitializedElement: return "uninitialized element";
  case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
  case TrapKind::TableOutOfBounds: return "out of bounds table access";
  case TrapKind::CallStackExhausted: return "call stack exhausted";
  case TrapKind::NullReference: return "null reference";
  case TrapKind::Interrupted: return "interrupted";
  case TrapKind::OutOfFuel: return "all fuel consumed";
  case TrapKind::HostTrap: return "host function trapped";
  case TrapKind::CompilationFailed: return "internal error: lazy compilation failed";
  }
  return "unknown trap";
}

struct InstanceContext;

// A function reference: what funcref values point to and tables hold.
// Owned by the instance (or host function) that defines the function.
struct FuncRef {
  void *code;                // native entry with the convention above
  InstanceContext *context;  // passed as the callee context
  uint32_t typeId;           // engine-wide canonical signature id
  uint32_t funcIndex;        // in the defining module (for backtraces)
};

// Table storage: elements are `const FuncRef *` (funcref) or `void *`
// (externref), both pointer-sized; null is nullptr.
struct TableData {
  void **elements;
  uint32_t size;
  uint32_t maxSize;
};

// One global's storage; imported globals point to the exporter's cell.
struct alignas(16) GlobalCell {
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    void *ref;
  };
};

// Per-instance data passed to every compiled function. Hot fields first.
struct InstanceContext {
  uint8_t *memoryBase;          // memory 0; base never moves in guarded mode
  uint64_t memorySize;          // memory 0 size in bytes (bounds-checked mode)
  uintptr_t stackLimit;         // function prologues trap when SP is below it
  GlobalCell **globals;         // per global index
  TableData **tables;           // per table index
  const FuncRef **funcRefs;     // per function index (imports resolved)
  const uint32_t *typeIds;      // per module type index: canonical signature id
  const uint64_t *epochCounter; // engine epoch (interruption); may be null
  uint64_t epochDeadline;
  int64_t *fuelCounter;         // the store's fuel left, shared by its instances (metering)
  void *runtimeInstance;        // the runtime's Instance, for entry points
  // The module's interp::InterpretedModule when the instance runs in the
  // interpreter tier, else null. Generated code never reads it.
  void *interpreter;
};

inline constexpr size_t kMemoryBaseOffset = 0;
inline constexpr size_t kMemorySizeOffset = 8;
inline constexpr size_t kStackLimitOffset = 16;
inline constexpr size_t kGlobalsOffset = 24;
inline constexpr size_t kTablesOffset = 32;
inline constexpr size_t kFuncRefsOffset = 40;
inline constexpr size_t kTypeIdsOffset = 48;
inline constexpr size_t kEpochCounterOffset = 56;
inline constexpr size_t kEpochDeadlineOffset = 64;
inline constexpr size_t kFuelCounterOffset = 72;
static_assert(offsetof(InstanceContext, memoryBase) == kMemoryBaseOffset);
static_assert(offsetof(InstanceContext, memorySize) == kMemorySizeOffset);
static_assert(offsetof(InstanceContext, stackLimit) == kStackLimitOffset);
static_assert(offsetof(InstanceContext, globals) == kGlobalsOffset);
static_assert(offsetof(InstanceContext, tables) == kTablesOffset);
static_assert(offsetof(InstanceContext, funcRefs) == kFuncRefsOffset);
static_assert(offsetof(InstanceContext, typeIds) == kTypeIdsOffset);
static_assert(offsetof(InstanceContext, epochCounter) == kEpochCounterOffset);
static_assert(offsetof(InstanceContext, epochDeadline) == kEpochDeadlineOffset);
static_assert(offsetof(InstanceContext, fuelCounter) == kFuelCounterOffset);
static_assert(offsetof(FuncRef, code) == 0 && offsetof(FuncRef, context) == 8 &&
              offsetof(FuncRef, typeId) == 16);
static_assert(offsetof(TableData, elements) == 0 && offsetof(TableData, size) == 8);

// Host -> wasm: calls `code` with `callee` and arguments read from `values`
// (one 16-byte slot per parameter), then writes the results to the same
// array from slot 0. The compiler emits one per function signature it needs,
// named by entryTrampolineSymbol().
struct alignas(16) ValueSlot {
  uint8_t bytes[16];
};
using EntryTrampoline = void (*)(void *code, InstanceContext *callee, ValueSlot *values);

// Runtime entry points: named symbols that generated code calls and the
// runtime defines (resolved at link time; never baked-in addresses). All
// take the calling instance's context first. Those that can trap do not
// return when they do.
#define WASMRT_RUNTIME_ENTRY_POINTS(X)                                                            \
  X(wasmrt_trap, void, (InstanceContext *, uint32_t trapKind)) /* never returns */                                 \
  X(wasmrt_memory_grow, uint32_t, (InstanceContext *, uint32_t memory, uint32_t deltaPages))   \
  X(wasmrt_memory_fill, void, (InstanceContext *, uint32_t memory, uint32_t dst, uint32_t value, uint32_t n)) \
  X(wasmrt_memory_copy, void, (InstanceContext *, uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src, uint32_t n)) \
  X(wasmrt_memory_init, void, (InstanceContext *, uint32_t memory, uint32_t data, uint32_t dst, uint32_t src, uint32_t n)) \
  X(wasmrt_data_drop, void, (InstanceContext *, uint32_t data))                                \
  X(wasmrt_table_grow, uint32_t, (InstanceContext *, uint32_t table, void *init, uint32_t delta)) \
  X(wasmrt_table_fill, void, (InstanceContext *, uint32_t table, uint32_t dst, void *value, uint32_t n)) \
  X(wasmrt_table_copy, void, (InstanceContext *, uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src, uint32_t n)) \
  X(wasmrt_table_init, void, (InstanceContext *, uint32_t table, uint32_t elem, uint32_t dst, uint32_t src, uint32_t n)) \
  X(wasmrt_elem_drop, void, (InstanceContext *, uint32_t elem))

extern "C" {
#define WASMRT_DECLARE_ENTRY(name, ret, params) ret name params;
WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_DECLARE_ENTRY)
#undef WASMRT_DECLARE_ENTRY
}

// Symbol names generated code defines, so the runtime can look them up in
// JIT-linked or AOT-loaded objects.
//   wasmrt_func_<index>        defined function <index> (module function index)
//   wasmrt_entry_<typeIndex>   EntryTrampoline for module type <typeIndex>
//   wasmrt_host_<typeIndex>    adapter that calls a host function of that type
inline constexpr const char *kFunctionSymbolPrefix = "wasmrt_func_";
inline constexpr const char *kEntryTrampolineSymbolPrefix = "wasmrt_entry_";
inline constexpr const char *kHostAdapterSymbolPrefix = "wasmrt_host_";

// Host functions: the adapter for a host FuncRef receives, as its callee
// context, a pointer to this record (not a real InstanceContext), stores the
// arguments into a ValueSlot array and calls `callback` with the caller's
// context; results come back in the same array. A non-zero return is a trap
// kind, raised by the adapter through wasmrt_trap(caller, kind) so that no
// C++ frame is ever unwound by a trap.
struct HostFunctionContext {
  uint32_t (*callback)(HostFunctionContext *self, InstanceContext *caller, ValueSlot *values);
  void *userData;
};

} // namespace wasmrt::abi
