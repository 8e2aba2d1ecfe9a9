// Internal: the JITLink memory manager of one JIT session.
//
// LLVM's InProcessMemoryManager maps every link graph separately, each
// segment on pages of its own. Lazy compilation links one graph per
// function, so a module with tens of thousands of functions would need tens
// of thousands of mappings (two to three per graph once protections differ),
// past Linux's default limit of 65,530 per process, as many trap-handler
// registrations, and a page or two per function however small it is.
//
// The arena carves graphs out of large chunks instead. A chunk has a code
// region (code and read-only data) and a data region (writable data), next
// to each other so that code reaches its data with 32-bit displacements.
// The code region is a memfd mapped twice: executable at the address code
// runs from, writable at another address through which JITLink writes, so
// graphs are packed back to back (no page per graph) and no page is ever
// writable and executable at the same address. A chunk's code region is
// reported (to the trap handler) once, when the chunk is mapped, before any
// code in it can run.
//
// Where memfd_create is unavailable (a restrictive seccomp filter), chunks
// are single anonymous mappings and each segment takes whole pages, made
// executable with mprotect at finalization, like LLVM's manager but still
// with one mapping per region.
//
// Memory is returned when the arena is destroyed, i.e. with its JIT session;
// wasmrt never unlinks graphs one by one.
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

  // Chunks double from the first size up to the largest: most modules need
  // less than a megabyte of code, and under strict overcommit accounting a
  // writable mapping counts in full even before it is touched.
  static constexpr size_t kFirstChunkBytes = size_t(1) << 20;
  static constexpr size_t kLargestChunkBytes = size_t(64) << 20;

  // `dualMapping` false forces the fallback (for tests).
  CodeArena(size_t pageSize, RegionCallback onCodeRegion, bool dualMapping = true)
      : pageSize_(pageSize), onCodeRegion_(std::move(onCodeRegion)), dualMapping_(dualMapping) {}
  ~CodeArena() override;

  void allocate(const llvm::jitlink::JITLinkDylib *dylib, llvm::jitlink::LinkGraph &graph,
                OnAllocatedFunction onAllocated) override;
  void deallocate(std::vector<FinalizedAlloc> allocations,
                  OnDeallocatedFunction onDeallocated) override;
  using JITLinkMemoryManager::allocate;
  using JITLinkMemoryManager::deallocate;

  enum Region { Code, Data, kRegionCount };

private:
  class InFlight;
  struct Chunk {
    char *reservation = nullptr; // both regions, contiguous
    size_t bytes = 0;
    char *writableCode = nullptr; // dual mapping: the code region's writable view
    char *begin[kRegionCount] = {};
    char *next[kRegionCount] = {};
    char *end[kRegionCount] = {};
  };

  // Bytes a segment may take in its region (alignment padding included).
  size_t footprint(size_t bytes, size_t alignment) const;
  static void unmap(const Chunk &chunk);
  // A chunk with room for `needed` bytes in each region, mapping a new one
  // (sized to fit) when the current one is full.
  llvm::Expected<Chunk *> chunkWithRoom(const size_t (&needed)[kRegionCount]);
  llvm::Expected<Chunk> mapChunk(const size_t (&sizes)[kRegionCount]);

  const size_t pageSize_;
  RegionCallback onCodeRegion_;
  bool dualMapping_;
  std::mutex mutex_;
  std::vector<Chunk> chunks_; // the last one is where allocations go
};

} // namespace wasmrt::internal::compiler
