// Test harness for the compiler: WAT -> Module -> compileModule, an instance
// context built by hand (memory, globals, tables, function references), test
// doubles of the runtime entry points, and calls through entry trampolines.
// Traps come back from wasmrt_trap's double by siglongjmp.
#pragma once

#include "binary/Module.h"
#include "compiler/Compiler.h"
#include "abi/RuntimeAbi.h"

#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::test {

struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;
  void *ref = nullptr;
  V128 v128; // ValType::V128
};
inline Value i32(int32_t v) { return {ValType::I32, uint32_t(v), nullptr, {}}; }
inline Value i64(int64_t v) { return {ValType::I64, uint64_t(v), nullptr, {}}; }
inline Value f32Bits(uint32_t bits) { return {ValType::F32, bits, nullptr, {}}; }
inline Value f64Bits(uint64_t bits) { return {ValType::F64, bits, nullptr, {}}; }
inline Value f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return f32Bits(bits);
}
inline Value f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return f64Bits(bits);
}
inline Value ref(void *p) { return {ValType::ExternRef, 0, p, {}}; }
inline Value vec(const V128 &value) { return {ValType::V128, 0, nullptr, value}; }
// A v128 from lanes of type T (lane 0 first).
template <typename T, size_t N> V128 lanes(const T (&values)[N]) {
  static_assert(sizeof(T) * N == 16);
  V128 value;
  std::memcpy(value.bytes, values, 16);
  return value;
}

struct Outcome {
  std::optional<abi::TrapKind> trap;
  std::vector<abi::ValueSlot> results;

  bool trapped(abi::TrapKind kind) const { return trap && *trap == kind; }
  bool ok() const { return !trap; }
  uint32_t u32(size_t i = 0) const { return load<uint32_t>(i); }
  int32_t i32(size_t i = 0) const { return load<int32_t>(i); }
  int64_t i64(size_t i = 0) const { return load<int64_t>(i); }
  uint64_t u64(size_t i = 0) const { return load<uint64_t>(i); }
  float f32(size_t i = 0) const { return load<float>(i); }
  double f64(size_t i = 0) const { return load<double>(i); }
  void *ref(size_t i = 0) const { return load<void *>(i); }
  V128 v128(size_t i = 0) const { return load<V128>(i); }
  // Lane `lane` of v128 result `i`, read as T.
  template <typename T> T lane(unsigned lane, size_t i = 0) const {
    T value{};
    if (i < results.size())
      std::memcpy(&value, results[i].bytes + lane * sizeof(T), sizeof(T));
    return value;
  }

  template <typename T> T load(size_t i) const {
    T value{};
    if (i < results.size())
      std::memcpy(&value, results[i].bytes, sizeof(T));
    return value;
  }
};

// A host function for imports from module "host": gets the argument slots,
// writes results to the same slots; a non-zero return is a trap kind.
using HostFunction = std::function<uint32_t(abi::ValueSlot *values)>;

class TestInstance {
public:
  ~TestInstance();
  // Compiles and instantiates `wat`; on failure returns nullptr and sets
  // *error (if given). Imports named host.<name> are bound to hostFunctions.
  static std::unique_ptr<TestInstance>
  create(std::string_view wat, CompileOptions options = {},
         std::vector<std::pair<std::string, HostFunction>> hostFunctions = {},
         std::string *error = nullptr);

  // The same from a binary module. Imported functions are bound by name only.
  static std::unique_ptr<TestInstance>
  createFromBinary(std::vector<uint8_t> bytes, CompileOptions options = {},
                   std::vector<std::pair<std::string, HostFunction>> hostFunctions = {},
                   std::string *error = nullptr);

  Outcome call(std::string_view exportName, const std::vector<Value> &args = {});
  Outcome callIndex(uint32_t funcIndex, const std::vector<Value> &args = {});

  uint8_t *memory() { return context_.memoryBase; }
  uint64_t memorySize() const { return context_.memorySize; }
  abi::GlobalCell &global(uint32_t index) { return *globals_[index]; }
  abi::TableData &table(uint32_t index) { return *tables_[index]; }
  const abi::FuncRef *funcRef(uint32_t index) const { return funcRefs_[index]; }
  const Module &module() const { return *module_; }
  const CompiledModule &compiled() const { return *compiled_; }
  uint32_t exportedFunction(std::string_view name) const;
  // Runtime doubles record every memory.grow request here.
  std::vector<uint32_t> growRequests;
  size_t stackBudget = 2 * 1024 * 1024;

private:
  struct HostBinding {
    abi::HostFunctionContext context; // first: the adapter's callee pointer
    HostFunction function;
  };
  friend struct RuntimeDoubles;

public:
  struct GuardedCall {
    TestInstance *instance;
    GuardedCall *outer;
  };

private:
  static thread_local GuardedCall *activeGuardedCall;
  static void guardPageHandler(int signal, siginfo_t *info, void *context);

  TestInstance() = default;
  bool instantiate(std::vector<std::pair<std::string, HostFunction>> &hostFunctions,
                   std::string *error);
  bool setUpMemory();
  // The value of a constant expression: scalars as bits, references in
  // *refOut, v128 in *v128Out (each when given).
  uint64_t evalConst(const ConstExpr &expr, void **refOut = nullptr,
                     V128 *v128Out = nullptr) const;
  void *segmentElement(const ElementSegment &segment, size_t i) const;
  [[noreturn]] void trap(uint32_t kind);
  uint32_t growMemory(uint32_t deltaPages);

  std::unique_ptr<Module> module_;
  std::unique_ptr<CompiledModule> compiled_;
  bool boundsChecks_ = false;
  abi::InstanceContext context_{};
  uint8_t *reservation_ = nullptr; // guarded mode: the 8 GiB mapping
  uint64_t maxPages_ = 0;
  std::vector<abi::GlobalCell> globalStorage_;
  std::vector<abi::GlobalCell *> globals_;
  std::vector<std::vector<void *>> tableStorage_;
  std::vector<abi::TableData> tableData_;
  std::vector<abi::TableData *> tables_;
  std::vector<abi::FuncRef> funcRefStorage_;
  std::vector<const abi::FuncRef *> funcRefs_;
  std::vector<uint32_t> typeIds_;
  std::vector<std::unique_ptr<HostBinding>> hostBindings_;
  std::vector<bool> droppedData_;
  std::vector<bool> droppedElems_;
  sigjmp_buf jump_;
  uint32_t trapKind_ = 0;
};

// The entry points as CompileOptions::runtimeSymbols, bound to the doubles.
std::vector<std::pair<std::string, void *>> testRuntimeSymbols();
CompileOptions testOptions(unsigned optLevel = 2, bool boundsChecks = false);

} // namespace wasmrt::internal::test
