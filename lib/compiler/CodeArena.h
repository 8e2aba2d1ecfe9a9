// Internal: the JITLink memory manager of one JIT session.
//
// LLVM's InProcessMemoryManager maps every link graph separately. Lazy
// compilation links one graph per function, so a module with tens of
// thousands of functions would need tens of thousands of mappings (two to
// three per graph once protections differ), past Linux's default limit of
// 65,530 per process, and as many trap-handler registrations. The arena
// instead carves graphs out of large chunks, one mapping each, with separate
// regions for code, read-only data and writable data so that neighbouring
// graphs share protections and the kernel keeps each region one mapping. A
// chunk's code region is reported (to the trap handler) once, when the chunk
// is created, before any code in it can run.
//
// Each segment still starts on a page of its own (protections are per page,
// and code is never written once executable). Memory is returned when the
// arena is destroyed, i.e. with its JIT session; graphs are never unlinked
// one by one in wasmrt.
#pragma once

#include <llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace wasmrt::internal::compiler {

class CodeArena final : public llvm::jitlink::JITLinkMemoryManager {
public:
  // Called with each chunk's code region [begin, end) before any of it is
  // handed out; an error fails the allocation that needed the chunk.
  using RegionCallback = std::function<llvm::Error(uintptr_t begin, uintptr_t end)>;

  static constexpr size_t kDefaultChunkBytes = size_t(32) << 20;

  CodeArena(size_t pageSize, RegionCallback onCodeRegion, size_t chunkBytes = kDefaultChunkBytes)
      : pageSize_(pageSize), chunkBytes_(chunkBytes), onCodeRegion_(std::move(onCodeRegion)) {}
  ~CodeArena() override;

  void allocate(const llvm::jitlink::JITLinkDylib *dylib, llvm::jitlink::LinkGraph &graph,
                OnAllocatedFunction onAllocated) override;
  void deallocate(std::vector<FinalizedAlloc> allocations,
                  OnDeallocatedFunction onDeallocated) override;
  using JITLinkMemoryManager::allocate;
  using JITLinkMemoryManager::deallocate;

  // For tests: how many chunks are mapped.
  size_t chunkCount() const;

  enum Region { Code, ReadOnly, ReadWrite, kRegionCount };

private:
  class InFlight;
  struct Chunk {
    char *base = nullptr;
    size_t bytes = 0;
    char *begin[kRegionCount] = {};
    char *next[kRegionCount] = {};
    char *end[kRegionCount] = {};
  };

  // A chunk with room for `needed` bytes in each region, mapping a new one
  // (sized to fit) when the current one is full.
  llvm::Expected<Chunk *> chunkWithRoom(const size_t (&needed)[kRegionCount]);

  const size_t pageSize_;
  const size_t chunkBytes_;
  RegionCallback onCodeRegion_;
  mutable std::mutex mutex_;
  std::vector<Chunk> chunks_; // the last one is where allocations go
};

} // namespace wasmrt::internal::compiler
