// A module instance: the InstanceContext generated code runs against, the
// function references of its functions, and the memories, tables and globals
// it defines or imports. Created by Store::instantiate, owned by the store.
#pragma once

#include "binary/Module.h"
#include "abi/RuntimeAbi.h"
#include "runtime/Engine.h"
#include "runtime/Store.h"
#include "runtime/Value.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace wasmrt::internal {

class Instance {
public:
  Instance(Store &store, std::shared_ptr<const LoadedModule> loaded);
  ~Instance();
  Instance(const Instance &) = delete;
  Instance &operator=(const Instance &) = delete;

  Store &store() const { return store_; }
  const Module &module() const { return *loaded_->module; }
  const LoadedModule &loaded() const { return *loaded_; }
  abi::InstanceContext *context() { return &context_; }

  std::optional<Extern> exportNamed(std::string_view name) const;
  Extern externFor(ExternKind kind, uint32_t index) const;

  // Calls an exported function / a function by index; traps are ErrorKind::Trap.
  Expected<std::vector<Value>> invoke(std::string_view exportName, std::span<const Value> args,
                                      Trap *trap = nullptr);
  Expected<std::vector<Value>> invoke(std::string_view exportName,
                                      std::initializer_list<Value> args, Trap *trap = nullptr) {
    return invoke(exportName, std::span<const Value>(args.begin(), args.size()), trap);
  }
  Expected<std::vector<Value>> callFunction(uint32_t funcIndex, std::span<const Value> args,
                                            Trap *trap = nullptr);

  const abi::FuncRef *funcRef(uint32_t index) const { return funcRefs_[index]; }
  Memory *memory(uint32_t index) const { return memories_[index]; }
  Table *table(uint32_t index) const { return tables_[index]; }
  GlobalVar *global(uint32_t index) const { return globals_[index]; }

  // The runtime entry points' work. The bool results are false when the
  // operation is out of bounds (the entry point then traps); nothing was
  // written in that case.
  uint32_t memoryGrow(uint32_t memory, uint32_t delta);
  bool memoryFill(uint32_t memory, uint32_t dst, uint8_t value, uint32_t n);
  bool memoryCopy(uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src, uint32_t n);
  bool memoryInit(uint32_t memory, uint32_t data, uint32_t dst, uint32_t src, uint32_t n);
  void dataDrop(uint32_t data) { dataSegments_[data] = {}; }
  uint32_t tableGrow(uint32_t table, void *init, uint32_t delta);
  bool tableFill(uint32_t table, uint32_t dst, void *value, uint32_t n);
  bool tableCopy(uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src, uint32_t n);
  bool tableInit(uint32_t table, uint32_t elem, uint32_t dst, uint32_t src, uint32_t n);
  void elemDrop(uint32_t elem) { elemSegments_[elem].clear(); }

private:
  friend class Store;
  // Allocation: binds imports (already type-checked), creates what the module
  // defines, evaluates globals and element segments.
  Expected<void> allocate(std::span<const Extern> imports);
  // Active and declarative segments, then the start function; a trap's
  // details go to *trap, if given.
  Expected<void> initialize(Trap *trap);
  Expected<Value> evalConst(const ConstExpr &expr, ValType type) const;
  void bindContext();

  Store &store_;
  std::shared_ptr<const LoadedModule> loaded_;
  abi::InstanceContext context_{};
  std::vector<abi::FuncRef> ownFuncRefs_; // defined functions
  std::vector<const abi::FuncRef *> funcRefs_;
  std::vector<Memory *> memories_;
  std::vector<Table *> tables_;
  std::vector<abi::TableData *> tableData_;
  std::vector<GlobalVar *> globals_;
  std::vector<abi::GlobalCell *> globalCells_;
  std::vector<std::vector<void *>> elemSegments_;         // dropped: empty
  std::vector<std::span<const uint8_t>> dataSegments_;   // dropped: empty
};

} // namespace wasmrt::internal
