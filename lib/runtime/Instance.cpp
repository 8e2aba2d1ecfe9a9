#include "runtime/Instance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace wasmrt::internal {

namespace {

// The spec's bounds rule: [start, start + n) must lie in [0, size]; n = 0 at
// exactly `size` is fine.
bool inBounds(uint64_t start, uint64_t n, uint64_t size) { return start + n <= size; }

} // namespace

Instance::Instance(Store &store, std::shared_ptr<const LoadedModule> loaded)
    : store_(store), loaded_(std::move(loaded)) {}

Instance::~Instance() {
  if (loaded_ && loaded_->lazyBodies)
    loaded_->lazyBodies->detach(ownFuncRefs_);
}

Extern Instance::externFor(ExternKind kind, uint32_t index) const {
  Extern value;
  value.kind = kind;
  switch (kind) {
  case ExternKind::Func: value.func = funcRefs_[index]; break;
  case ExternKind::Table: value.table = tables_[index]; break;
  case ExternKind::Memory: value.memory = memories_[index]; break;
  case ExternKind::Global: value.global = globals_[index]; break;
  }
  return value;
}

std::optional<Extern> Instance::exportNamed(std::string_view name) const {
  for (const Export &e : module().exports)
    if (e.name == name)
      return externFor(e.kind, e.index);
  return std::nullopt;
}

Expected<std::vector<Value>> Instance::invoke(std::string_view exportName,
                                              std::span<const Value> args, Trap *trap) {
  for (const Export &e : module().exports)
    if (e.name == exportName && e.kind == ExternKind::Func)
      return callFunction(e.index, args, trap);
  return Error(ErrorKind::Usage, fmt::format("no exported function \"{}\"", exportName));
}

Expected<std::vector<Value>> Instance::callFunction(uint32_t funcIndex,
                                                    std::span<const Value> args, Trap *trap) {
  const Module &m = module();
  if (funcIndex >= m.funcs.size())
    return Error(ErrorKind::Usage, fmt::format("no function {}", funcIndex));
  uint32_t typeIndex = m.funcs[funcIndex];
  return store_.callWith(loaded_->compiled->entryTrampoline(typeIndex), m.types[typeIndex],
                         funcRefs_[funcIndex], args, trap);
}

uint32_t Instance::memoryGrow(uint32_t memory, uint32_t delta) {
  return uint32_t(store_.growMemory(*memories_[memory], delta));
}

bool Instance::memoryFill(uint32_t memory, uint32_t dst, uint8_t value, uint32_t n) {
  Memory &target = *memories_[memory];
  if (!inBounds(dst, n, target.byteSize()))
    return false;
  std::memset(target.base() + dst, value, n);
  return true;
}

bool Instance::memoryCopy(uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src,
                          uint32_t n) {
  Memory &to = *memories_[dstMemory];
  Memory &from = *memories_[srcMemory];
  if (!inBounds(dst, n, to.byteSize()) || !inBounds(src, n, from.byteSize()))
    return false;
  std::memmove(to.base() + dst, from.base() + src, n);
  return true;
}

bool Instance::memoryInit(uint32_t memory, uint32_t data, uint32_t dst, uint32_t src,
                          uint32_t n) {
  Memory &target = *memories_[memory];
  std::span<const uint8_t> bytes = dataSegments_[data];
  if (!inBounds(dst, n, target.byteSize()) || !inBounds(src, n, bytes.size()))
    return false;
  if (n)
    std::memcpy(target.base() + dst, bytes.data() + src, n);
  return true;
}

uint32_t Instance::tableGrow(uint32_t table, void *init, uint32_t delta) {
  return store_.growTable(*tables_[table], delta, init);
}

bool Instance::tableFill(uint32_t table, uint32_t dst, void *value, uint32_t n) {
  Table &target = *tables_[table];
  if (!inBounds(dst, n, target.size()))
    return false;
  for (uint32_t i = 0; i < n; ++i)
    target.set(dst + i, value);
  return true;
}

bool Instance::tableCopy(uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src,
                         uint32_t n) {
  Table &to = *tables_[dstTable];
  Table &from = *tables_[srcTable];
  if (!inBounds(dst, n, to.size()) || !inBounds(src, n, from.size()))
    return false;
  if (n)
    std::memmove(&to.data()->elements[dst], &from.data()->elements[src], n * sizeof(void *));
  return true;
}

bool Instance::tableInit(uint32_t table, uint32_t elem, uint32_t dst, uint32_t src,
                         uint32_t n) {
  Table &target = *tables_[table];
  const std::vector<void *> &refs = elemSegments_[elem];
  if (!inBounds(dst, n, target.size()) || !inBounds(src, n, refs.size()))
    return false;
  for (uint32_t i = 0; i < n; ++i)
    target.set(dst + i, refs[src + i]);
  return true;
}

} // namespace wasmrt::internal
