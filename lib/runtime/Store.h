// Runtime objects and the Store that owns them.
//
// A Store owns everything instantiation creates: instances, memories, tables,
// globals and host functions. Objects live as long as their store (wasm
// references between them are raw pointers), so nothing is freed while a
// table, an import or a funcref might still reach it. A store and its objects
// are used by one thread at a time.
#pragma once

#include "binary/Module.h"
#include "abi/RuntimeAbi.h"
#include "runtime/Engine.h"
#include "runtime/LinearMemory.h"
#include "runtime/TrapKind.h"
#include "runtime/Value.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal {

class Instance;
class Store;

// A linear memory with the instance contexts that cache its base and size.
class Memory {
public:
  Memory(LinearMemory memory, MemoryType type) : memory_(std::move(memory)), type_(type) {}
  LinearMemory &linear() { return memory_; }
  const LinearMemory &linear() const { return memory_; }
  uint8_t *base() const { return memory_.base(); }
  uint64_t byteSize() const { return memory_.byteSize(); }
  uint32_t pages() const { return memory_.pages(); }
  // The declared type (for import matching the minimum is the current size).
  const MemoryType &declaredType() const { return type_; }
  // memory.grow: old page count or -1; updates every context using this memory.
  int32_t grow(uint32_t deltaPages);
  void addUser(abi::InstanceContext *context);

private:
  void refreshUsers();
  LinearMemory memory_;
  MemoryType type_;
  std::vector<abi::InstanceContext *> users_;
};

class Table {
public:
  // More elements than this are refused (table.grow returns -1).
  static constexpr uint32_t kMaxElements = 10'000'000;
  Table(TableType type, void *init);
  ValType elemType() const { return type_.elemType; }
  const TableType &declaredType() const { return type_; }
  uint32_t size() const { return data_.size; }
  void *get(uint32_t index) const { return elements_[index]; }
  void set(uint32_t index, void *value) { elements_[index] = value; }
  // table.grow: old size or UINT32_MAX.
  uint32_t grow(uint32_t delta, void *init);
  abi::TableData *data() { return &data_; }

private:
  TableType type_;
  std::vector<void *> elements_;
  abi::TableData data_{};
};

class GlobalVar {
public:
  GlobalVar(GlobalType type, const Value &value) : type_(type) { set(value); }
  const GlobalType &type() const { return type_; }
  Value get() const;
  void set(const Value &value);
  abi::GlobalCell *cell() { return &cell_; }

private:
  GlobalType type_;
  abi::GlobalCell cell_{};
};

// A host function: returns nothing on success (results written to `results`),
// or the kind of trap to raise in the calling wasm code. `caller` is the
// calling instance, or nullptr when the host calls the function directly.
using HostFunction = std::function<std::optional<TrapKind>(
    Instance *caller, std::span<const Value> params, std::span<Value> results)>;

// What an import can be bound to and an export is.
struct Extern {
  ExternKind kind = ExternKind::Func;
  const abi::FuncRef *func = nullptr;
  Table *table = nullptr;
  Memory *memory = nullptr;
  GlobalVar *global = nullptr;
};

// One wasm frame of a trap backtrace, innermost first.
struct TrapFrame {
  uint32_t funcIndex = 0;
  std::string moduleName; // name section module name, if any
  std::string funcName;   // name section function name, if any
};

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::vector<TrapFrame> frames;
  // "integer divide by zero\n  0: func[3] $div\n  1: func[5] $main"
  std::string describe() const;
};

// `text`, then one line per frame: "  0: $module.func[3] $name". Shared by the
// runtime's and the public API's trap descriptions.
std::string appendBacktrace(std::string text, std::span<const TrapFrame> frames);

// Imports by module and field name, as a script's `register` or an embedder's
// linker defines them.
class Linker {
public:
  void define(const std::string &module, const std::string &name, const Extern &value);
  // Every export of `instance`, under `module`.
  void defineInstance(const std::string &module, const Instance &instance);
  // The externs for `module`'s imports, in order; "unknown import" otherwise.
  Expected<std::vector<Extern>> resolve(const Module &module) const;

private:
  std::map<std::pair<std::string, std::string>, Extern, std::less<>> externs_;
};

// Embedder limits on what the wasm code of one store may allocate. Growing
// past them fails cleanly (memory.grow / table.grow return -1).
struct StoreLimits {
  uint64_t maxMemoryBytes = UINT64_MAX;   // all linear memories of the store together
  uint64_t maxTableElements = UINT64_MAX; // all tables of the store together
};

class Store {
public:
  explicit Store(Engine &engine);
  ~Store();
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  Engine &engine() { return engine_; }

  void setLimits(const StoreLimits &limits) { limits_ = limits; }
  const StoreLimits &limits() const { return limits_; }
  // memory.grow / table.grow within the limits: old size, or -1 / UINT32_MAX.
  int32_t growMemory(Memory &memory, uint32_t deltaPages);
  uint32_t growTable(Table &table, uint32_t delta, void *init);

  // Generated code with epoch checks traps once the engine's epoch reaches
  // this absolute value (UINT64_MAX: never).
  void setEpochDeadline(uint64_t epoch);
  // Fuel: one budget for all instances of the store, present and future
  // (their contexts point at it), so calls between them draw on the same
  // count. fuelRemaining() is 0 once a guest ran out (the counter is negative then).
  void setFuel(int64_t fuel) { fuel_ = fuel; }
  uint64_t fuelRemaining() const { return fuel_ < 0 ? 0 : uint64_t(fuel_); }

  // Both fail with ErrorKind::Unlinkable when the initial size would take the
  // store past its limits.
  Expected<Memory *> createMemory(const MemoryType &type);
  Expected<Table *> createTable(const TableType &type, void *init = nullptr);
  GlobalVar *createGlobal(const GlobalType &type, const Value &value);
  Expected<const abi::FuncRef *> createHostFunction(const FuncType &type, HostFunction function);

  // Instantiates `module` with `imports` (one per import, in order) as the
  // Wasm 2.0 spec says: import matching (ErrorKind::Unlinkable), allocation,
  // active/declarative segments, the start function (ErrorKind::Trap). An
  // instance whose segments or start function trapped still belongs to the
  // store (shared tables may refer to its functions) but is not returned; the
  // trap's details go to *trap, if given.
  Expected<Instance *> instantiate(std::shared_ptr<const LoadedModule> module,
                                   std::span<const Extern> imports, Trap *trap = nullptr);

  // Calls any function reference with `args`; a trap is an ErrorKind::Trap
  // error (its details in *trap, if given).
  Expected<std::vector<Value>> call(const abi::FuncRef *func, std::span<const Value> args,
                                    Trap *trap = nullptr);

  // Internal (instances and entry points).
  Expected<std::vector<Value>> callWith(abi::EntryTrampoline trampoline, const FuncType &type,
                                        const abi::FuncRef *func, std::span<const Value> args,
                                        Trap *trap);
  void addContext(abi::InstanceContext *context);
  // Sets every context's stack limit to the current thread's wasm limit.
  void refreshStackLimit();

private:
  struct HostFunc;
  static uint32_t callHost(abi::HostFunctionContext *self, abi::InstanceContext *caller,
                           abi::ValueSlot *values);
  Trap buildTrap(const TrapInfo &info) const;
  std::optional<TrapFrame> frameAt(uintptr_t pc) const;
  TrapFrame interpretedFrame(const TrapInfo::InterpretedFrame &activation) const;

  Engine &engine_;
  // Instances go first on destruction: nothing they own refers to them.
  std::vector<std::unique_ptr<Memory>> memories_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<GlobalVar>> globals_;
  std::vector<std::unique_ptr<HostFunc>> hostFunctions_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<abi::InstanceContext *> contexts_;
  uintptr_t stackLimit_ = 0;
  StoreLimits limits_;
  uint64_t epochDeadline_ = UINT64_MAX;
  int64_t fuel_ = 0;
};

// Slot <-> value conversion of the array calling convention.
void storeValue(abi::ValueSlot &slot, const Value &value);
Value loadValue(const abi::ValueSlot &slot, ValType type);

} // namespace wasmrt::internal
