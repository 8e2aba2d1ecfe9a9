// Internal: per-LLVM-module state shared by all functions translated into one
// chunk: LLVM types for Wasm types, declarations of wasm functions and of the
// runtime entry points, and the glue (entry trampolines, host adapters).
#pragma once

#include "binary/Module.h"
#include "compiler/Compiler.h"
#include "abi/RuntimeAbi.h"
#include "wasmrt/Error.h"

#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::compiler {

// The runtime entry points of RuntimeAbi.h, in macro order.
enum class RuntimeEntry : uint8_t {
#define WASMRT_ENTRY_ENUM(name, ret, params) name,
  WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_ENTRY_ENUM)
#undef WASMRT_ENTRY_ENUM
};
inline constexpr unsigned kNumRuntimeEntries = 0
#define WASMRT_ENTRY_COUNT(name, ret, params) +1
    WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_ENTRY_COUNT)
#undef WASMRT_ENTRY_COUNT
    ;
// The symbol names of all entry points, indexed by RuntimeEntry.
std::span<const std::string_view> runtimeEntryNames();

std::string functionSymbol(uint32_t funcIndex);
// Lazy compilation: the body of defined function <funcIndex> is named
// functionSymbol() + kFunctionBodySuffix, and functionSymbol() is its stub.
inline constexpr const char *kFunctionBodySuffix = ".body";
std::string functionBodySymbol(uint32_t funcIndex);
// Tiered compilation: the optimized body that replaces a baseline body, and
// the function's on-stack-replacement entry, which enters optimized code at
// the head of any of its loops (counting the loops translation emits, in
// order), with the convention R entry(InstanceContext *, ValueSlot *state,
// uint32_t loop): see EmitTiering.cpp.
inline constexpr const char *kOptimizedBodySuffix = ".opt";
inline constexpr const char *kOsrEntrySuffix = ".osr";
std::string optimizedBodySymbol(uint32_t funcIndex);
std::string osrEntrySymbol(uint32_t funcIndex);
// The function index in a function, body or optimized-body symbol name.
// OSR entries are not functions of their own for backtraces (the baseline
// frame that entered one stays below it on the stack) and give nullopt.
std::optional<uint32_t> parseFunctionSymbol(std::string_view name);
// What baseline code of a tiered function calls when it gets hot:
// void *wasmrt_tier_up(void *state, uint32_t funcIndex, uint32_t loop),
// with the address of kTierUpStateSymbol as `state` and kNoLoop from the
// function entry. From a loop, it returns the function's OSR entry once it
// is ready, else null. Both symbols are defined by the JIT session (Compiler.cpp), never by
// the runtime: tiering exists only in JIT-compiled code.
inline constexpr const char *kTierUpSymbol = "wasmrt_tier_up";
inline constexpr const char *kTierUpStateSymbol = "wasmrt_tier_state";
inline constexpr uint32_t kNoLoop = UINT32_MAX;
// Interpreter first (CompileOptions::interpreterEntry): a function's first
// body is a thunk with the wasm convention that passes the call to the
// interpreter (the runtime's wasmrt_interpret, at the address the options
// give), and its OSR entry gets a second, array-convention entry for the
// interpreter to call: void entry(InstanceContext *, ValueSlot *frame,
// uint32_t loop), which writes the function's results to frame[0..].
// Neither name parses as a function (the thunk's frame is not a wasm frame:
// the interpreter's activation stands for it in backtraces).
inline constexpr const char *kInterpreterThunkSuffix = ".interp";
inline constexpr const char *kOsrArrayEntrySuffix = ".osr.array";
inline constexpr const char *kInterpreterEntrySymbol = "wasmrt_interpret";
std::string interpreterThunkSymbol(uint32_t funcIndex);
std::string osrArrayEntrySymbol(uint32_t funcIndex);

// How translateChunk translates each function.
struct FunctionVariant {
  // Baseline code of a tiered function: count calls and loop iterations and
  // call kTierUpSymbol when they reach CompileOptions::tierUpThreshold.
  bool countHotness = false;
  // Translate the function's OSR entry instead of the function (and, with
  // an interpreter first, its array-convention entry too).
  bool osrEntry = false;
  // Define the function's interpreter thunk instead of translating it.
  bool interpreterThunk = false;
};
std::string entryTrampolineSymbol(uint32_t typeIndex);
std::string hostAdapterSymbol(uint32_t typeIndex);

class ModuleEmitter {
public:
  ModuleEmitter(const Module &wasm, const CompileOptions &options, llvm::Module &out);

  const Module &wasm() const { return wasm_; }
  const CompileOptions &options() const { return options_; }
  llvm::Module &out() { return out_; }
  llvm::LLVMContext &context() { return out_.getContext(); }

  // Value types: i32/i64/float/double, <16 x i8> for v128, ptr for references.
  llvm::Type *valType(ValType type) const;
  // The wasm calling convention of RuntimeAbi.h for module type `typeIndex`:
  // (ptr callee, ptr caller, params...) -> void | T | {T...}.
  llvm::FunctionType *funcType(uint32_t typeIndex);
  // wasmrt_func_<funcIndex>: the definition if this chunk defines it, else a
  // declaration resolved by the JIT linker.
  llvm::Function *wasmFunction(uint32_t funcIndex);
  llvm::FunctionCallee runtimeEntry(RuntimeEntry entry);
  // osrEntrySymbol(funcIndex), defined in this module.
  llvm::Function *defineOsrEntry(uint32_t funcIndex);
  llvm::FunctionCallee tierUpEntry();
  llvm::Constant *tierUpState();

  // Builds `values` into the return value of a function with `results`.
  llvm::Value *packResults(llvm::IRBuilderBase &builder, std::span<llvm::Value *const> values,
                           llvm::Type *returnType);

  void defineEntryTrampoline(uint32_t typeIndex);
  void defineHostAdapter(uint32_t typeIndex);
  // interpreterThunkSymbol(funcIndex) (see above).
  void defineInterpreterThunk(uint32_t funcIndex);
  // osrArrayEntrySymbol(funcIndex) over `osrEntry`, defined in this module.
  void defineOsrArrayEntry(uint32_t funcIndex, llvm::Function *osrEntry);

  // Attributes every generated function gets (frame pointers, nounwind...).
  void setCommonAttributes(llvm::Function &function) const;

  llvm::Type *const voidTy;
  llvm::IntegerType *const i1Ty;
  llvm::IntegerType *const i8Ty;
  llvm::IntegerType *const i32Ty;
  llvm::IntegerType *const i64Ty;
  llvm::Type *const f32Ty;
  llvm::Type *const f64Ty;
  llvm::Type *const v128Ty;
  llvm::PointerType *const ptrTy;

private:
  // A function of module type `typeIndex`'s wasm convention, named `name`,
  // that stores its parameters into an array of value slots, calls
  // `callArray(builder, function, slots)` (which returns the trap kind, 0 for
  // none, or nullptr if it cannot trap) and returns the results read back
  // from the slots: host adapters and interpreter thunks.
  using ArrayCall = llvm::Value *(*)(ModuleEmitter &emitter, llvm::IRBuilderBase &builder,
                                     llvm::Function &function, llvm::Value *slots,
                                     uint32_t funcIndex);
  void defineArrayAdapter(const std::string &name, uint32_t typeIndex, ArrayCall callArray,
                          uint32_t funcIndex);
  // Stores a call's `count` results (a value, or a struct of them) into value
  // slots from slots[0] (entry trampolines, array OSR entries).
  void storeResultSlots(llvm::IRBuilderBase &b, llvm::Value *returned, size_t count,
                        llvm::Value *slots);

  const Module &wasm_;
  const CompileOptions &options_;
  llvm::Module &out_;
  std::vector<llvm::FunctionType *> funcTypes_;   // per module type, lazily
  std::vector<llvm::Function *> functions_;       // per function index, lazily
  std::array<llvm::Function *, kNumRuntimeEntries> entries_{};
};

// Translates defined functions [firstDefined, endDefined) into `out`, plus the
// entry trampolines and host adapters of all module types when `withGlue`.
Expected<void> translateChunk(const Module &wasm, const CompileOptions &options,
                              llvm::Module &out, uint32_t firstDefined, uint32_t endDefined,
                              bool withGlue, const FunctionVariant &variant = {});

// A run of neighbouring defined functions compiled as one LLVM module; the
// chunk with glue also holds the entry trampolines and host adapters.
struct Chunk {
  uint32_t first = 0; // defined function indices [first, end)
  uint32_t end = 0;
  bool withGlue = false;
};
// The module's functions in chunks for `threads` compile threads (eager and
// AOT compilation); the first chunk has the glue.
std::vector<Chunk> partition(const Module &module, unsigned threads);

} // namespace wasmrt::internal::compiler
