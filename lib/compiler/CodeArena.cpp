#include "compiler/CodeArena.h"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/Shared/AllocationActions.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/Memory.h>

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace wasmrt::internal::compiler {

namespace jitlink = llvm::jitlink;
namespace orc = llvm::orc;

namespace {

// Shares of a chunk per region: generated Wasm code is mostly code; constant
// pools, jump tables and GOT entries are small.
constexpr size_t kRegionEighths[CodeArena::kRegionCount] = {5, 2, 1};

CodeArena::Region regionOf(const orc::AllocGroup &group) {
  if (group.getMemLifetime() == orc::MemLifetime::Finalize)
    return CodeArena::ReadWrite; // written during linking, never read after
  unsigned protection = unsigned(group.getMemProt());
  if (protection & unsigned(orc::MemProt::Exec))
    return CodeArena::Code;
  if (protection & unsigned(orc::MemProt::Write))
    return CodeArena::ReadWrite;
  return CodeArena::ReadOnly;
}

int toMmapProtection(orc::MemProt protection) {
  int result = 0;
  if (unsigned(protection) & unsigned(orc::MemProt::Read))
    result |= PROT_READ;
  if (unsigned(protection) & unsigned(orc::MemProt::Write))
    result |= PROT_WRITE;
  if (unsigned(protection) & unsigned(orc::MemProt::Exec))
    result |= PROT_EXEC;
  return result;
}

llvm::Error systemError(const char *what) {
  return llvm::make_error<llvm::StringError>(what, std::error_code(errno, std::generic_category()));
}

// What a finalized graph leaves behind: the actions to run when it goes.
struct FinalizedInfo {
  std::vector<orc::shared::WrapperFunctionCall> deallocActions;
};

} // namespace

class CodeArena::InFlight final : public jitlink::JITLinkMemoryManager::InFlightAlloc {
public:
  InFlight(jitlink::LinkGraph &graph, jitlink::BasicLayout layout, size_t pageSize)
      : graph_(graph), layout_(std::move(layout)), pageSize_(pageSize) {}

  void finalize(OnFinalizedFunction onFinalized) override {
    for (auto &[group, segment] : layout_.segments()) {
      if (group.getMemLifetime() != orc::MemLifetime::Standard)
        continue;
      size_t bytes = llvm::alignTo(segment.ContentSize + segment.ZeroFillSize, pageSize_);
      if (bytes == 0)
        continue;
      if (mprotect(segment.WorkingMem, bytes, toMmapProtection(group.getMemProt())) != 0)
        return onFinalized(systemError("cannot protect JIT memory"));
      if (unsigned(group.getMemProt()) & unsigned(orc::MemProt::Exec))
        llvm::sys::Memory::InvalidateInstructionCache(segment.WorkingMem, bytes);
    }
    auto deallocActions = orc::shared::runFinalizeActions(graph_.allocActions());
    if (!deallocActions)
      return onFinalized(deallocActions.takeError());
    auto *info = new FinalizedInfo{std::move(*deallocActions)};
    onFinalized(FinalizedAlloc(orc::ExecutorAddr::fromPtr(info)));
  }

  // The pages stay in the arena unused; abandoning happens only when a link
  // fails.
  void abandon(OnAbandonedFunction onAbandoned) override { onAbandoned(llvm::Error::success()); }

private:
  jitlink::LinkGraph &graph_;
  jitlink::BasicLayout layout_;
  size_t pageSize_;
};

CodeArena::~CodeArena() {
  for (Chunk &chunk : chunks_)
    munmap(chunk.base, chunk.bytes);
}

size_t CodeArena::chunkCount() const {
  std::lock_guard lock(mutex_);
  return chunks_.size();
}

llvm::Expected<CodeArena::Chunk *> CodeArena::chunkWithRoom(const size_t (&needed)[kRegionCount]) {
  auto fits = [&](const Chunk &chunk) {
    for (int region = 0; region < kRegionCount; ++region)
      if (size_t(chunk.end[region] - chunk.next[region]) < needed[region])
        return false;
    return true;
  };
  if (!chunks_.empty() && fits(chunks_.back()))
    return &chunks_.back();

  // Regions sized by their share of a chunk, or larger for an outsized graph.
  size_t sizes[kRegionCount], total = 0;
  for (int region = 0; region < kRegionCount; ++region) {
    sizes[region] = std::max(llvm::alignTo(chunkBytes_ * kRegionEighths[region] / 8, pageSize_),
                             needed[region]);
    total += sizes[region];
  }
  // Reserved, not committed: pages cost memory once touched.
  void *base = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return systemError("cannot map JIT memory");
  Chunk chunk;
  chunk.base = static_cast<char *>(base);
  chunk.bytes = total;
  char *at = chunk.base;
  for (int region = 0; region < kRegionCount; ++region) {
    chunk.begin[region] = chunk.next[region] = at;
    at += sizes[region];
    chunk.end[region] = at;
  }
  if (onCodeRegion_) {
    if (llvm::Error error = onCodeRegion_(uintptr_t(chunk.begin[Code]), uintptr_t(chunk.end[Code]))) {
      munmap(base, total);
      return error;
    }
  }
  chunks_.push_back(chunk);
  return &chunks_.back();
}

void CodeArena::allocate(const jitlink::JITLinkDylib *, jitlink::LinkGraph &graph,
                         OnAllocatedFunction onAllocated) {
  jitlink::BasicLayout layout(graph);
  size_t needed[kRegionCount] = {};
  for (auto &[group, segment] : layout.segments()) {
    if (segment.Alignment.value() > pageSize_)
      return onAllocated(llvm::make_error<jitlink::JITLinkError>(
          llvm::formatv("{0}: a segment needs alignment {1}, more than a page", graph.getName(),
                        segment.Alignment.value())));
    needed[regionOf(group)] += llvm::alignTo(segment.ContentSize + segment.ZeroFillSize, pageSize_);
  }
  {
    std::lock_guard lock(mutex_);
    auto chunk = chunkWithRoom(needed);
    if (!chunk)
      return onAllocated(chunk.takeError());
    // One chunk holds all of a graph's segments, so its code reaches its
    // data with 32-bit displacements.
    for (auto &[group, segment] : layout.segments()) {
      char *&next = (*chunk)->next[regionOf(group)];
      segment.WorkingMem = next;
      segment.Addr = orc::ExecutorAddr::fromPtr(next);
      next += llvm::alignTo(segment.ContentSize + segment.ZeroFillSize, pageSize_);
    }
  }
  // Fresh pages are zero, and pages are never reused: zero-fill needs nothing.
  if (llvm::Error error = layout.apply())
    return onAllocated(std::move(error));
  onAllocated(std::make_unique<InFlight>(graph, std::move(layout), pageSize_));
}

void CodeArena::deallocate(std::vector<FinalizedAlloc> allocations,
                           OnDeallocatedFunction onDeallocated) {
  llvm::Error errors = llvm::Error::success();
  for (FinalizedAlloc &allocation : allocations) {
    auto *info = allocation.release().toPtr<FinalizedInfo *>();
    // Actions run in reverse order of their finalize counterparts.
    while (!info->deallocActions.empty()) {
      if (llvm::Error error = info->deallocActions.back().runWithSPSRetErrorMerged())
        errors = llvm::joinErrors(std::move(errors), std::move(error));
      info->deallocActions.pop_back();
    }
    delete info;
  }
  onDeallocated(std::move(errors));
}

} // namespace wasmrt::internal::compiler
