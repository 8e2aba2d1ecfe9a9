#include "compiler/CodeArena.h"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/Shared/AllocationActions.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/Memory.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace wasmrt::internal::compiler {

namespace jitlink = llvm::jitlink;
namespace orc = llvm::orc;

namespace {

// Shares of a chunk per region: generated Wasm code is mostly code (with its
// constant pools, jump tables and GOT); writable data is rare.
constexpr size_t kRegionEighths[CodeArena::kRegionCount] = {7, 1};

CodeArena::Region regionOf(const orc::AllocGroup &group) {
  if (group.getMemLifetime() == orc::MemLifetime::Finalize)
    return CodeArena::Data; // written during linking, never read after
  return (unsigned(group.getMemProt()) & unsigned(orc::MemProt::Write)) ? CodeArena::Data
                                                                        : CodeArena::Code;
}

// "what: reason" (StringError prints only its message, so the reason goes in it too):
// at the address-space or mapping limit, compiling says "Cannot allocate memory".
llvm::Error systemError(const char *what) {
  std::error_code reason(errno, std::generic_category());
  return llvm::make_error<llvm::StringError>(std::string(what) + ": " + reason.message(), reason);
}

// What a finalized graph leaves behind: the actions to run when it goes.
struct FinalizedInfo {
  std::vector<orc::shared::WrapperFunctionCall> deallocActions;
};

} // namespace

class CodeArena::InFlight final : public jitlink::JITLinkMemoryManager::InFlightAlloc {
public:
  // `code`: where the graph's code-region segments start and their sizes
  // (BasicLayout::apply() moves the segments' addresses past their blocks).
  InFlight(jitlink::LinkGraph &graph, std::vector<std::pair<char *, size_t>> code,
           size_t pageSize, bool dualMapped)
      : graph_(graph), code_(std::move(code)), pageSize_(pageSize), dualMapped_(dualMapped) {}

  void finalize(OnFinalizedFunction onFinalized) override {
    for (auto [code, bytes] : code_) {
      // Without the second mapping, code was written in place: whole pages of
      // its own, which become read-only and executable now.
      if (!dualMapped_ &&
          mprotect(code, llvm::alignTo(bytes, pageSize_), PROT_READ | PROT_EXEC) != 0)
        return onFinalized(systemError("cannot protect JIT code"));
      llvm::sys::Memory::InvalidateInstructionCache(code, bytes);
    }
    auto deallocActions = orc::shared::runFinalizeActions(graph_.allocActions());
    if (!deallocActions)
      return onFinalized(deallocActions.takeError());
    auto *info = new FinalizedInfo{std::move(*deallocActions)};
    onFinalized(FinalizedAlloc(orc::ExecutorAddr::fromPtr(info)));
  }

  // The bytes stay in the arena unused; abandoning happens only when a link
  // fails.
  void abandon(OnAbandonedFunction onAbandoned) override { onAbandoned(llvm::Error::success()); }

private:
  jitlink::LinkGraph &graph_;
  std::vector<std::pair<char *, size_t>> code_;
  size_t pageSize_;
  bool dualMapped_;
};

CodeArena::~CodeArena() {
  for (const Chunk &chunk : chunks_)
    unmap(chunk);
}

void CodeArena::unmap(const Chunk &chunk) {
  if (chunk.writableCode)
    munmap(chunk.writableCode, size_t(chunk.end[Code] - chunk.begin[Code]));
  munmap(chunk.reservation, chunk.bytes);
}

size_t CodeArena::footprint(size_t bytes, size_t alignment) const {
  // Enough for either kind of chunk: packed (dual mapping) needs the segment
  // plus the worst-case padding before it, paged needs whole pages. The kind
  // of the next chunk is only known once it is mapped (memfd may fail).
  return std::max(bytes + alignment - 1, size_t(llvm::alignTo(bytes, pageSize_)));
}

llvm::Expected<CodeArena::Chunk> CodeArena::mapChunk(const size_t (&sizes)[kRegionCount]) {
  size_t total = sizes[Code] + sizes[Data];
  // One reservation for both regions keeps code and data within 32-bit reach.
  void *reserved =
      mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserved == MAP_FAILED)
    return systemError("cannot reserve JIT memory");
  Chunk chunk;
  chunk.reservation = static_cast<char *>(reserved);
  chunk.bytes = total;
  char *at = chunk.reservation;
  for (int region = 0; region < kRegionCount; ++region) {
    chunk.begin[region] = chunk.next[region] = at;
    at += sizes[region];
    chunk.end[region] = at;
  }
  char *code = chunk.begin[Code], *data = chunk.begin[Data];
  auto fail = [&](const char *what) {
    llvm::Error error = systemError(what);
    unmap(chunk);
    return error;
  };
  if (mmap(data, sizes[Data], PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
    return fail("cannot map JIT data memory");
  if (dualMapping_) {
    int fd = memfd_create("wasmrt-jit-code", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, off_t(sizes[Code])) == 0) {
      void *writable = mmap(nullptr, sizes[Code], PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (writable != MAP_FAILED) {
        chunk.writableCode = static_cast<char *>(writable);
        if (mmap(code, sizes[Code], PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0) ==
            MAP_FAILED) {
          close(fd);
          return fail("cannot map JIT code memory");
        }
      }
    }
    if (fd >= 0)
      close(fd); // the mappings keep the memory
    // From now on this session uses the fallback.
    dualMapping_ = chunk.writableCode != nullptr;
  }
  if (!chunk.writableCode &&
      mmap(code, sizes[Code], PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
    return fail("cannot map JIT code memory");
  return chunk;
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

  size_t chunkBytes =
      std::min(kLargestChunkBytes, kFirstChunkBytes << std::min<size_t>(chunks_.size(), 16));
  size_t sizes[kRegionCount];
  for (int region = 0; region < kRegionCount; ++region)
    sizes[region] = llvm::alignTo(
        std::max(chunkBytes * kRegionEighths[region] / 8, needed[region]), pageSize_);
  auto chunk = mapChunk(sizes);
  if (!chunk)
    return chunk.takeError();
  if (onCodeRegion_) {
    if (llvm::Error error =
            onCodeRegion_(uintptr_t(chunk->begin[Code]), uintptr_t(chunk->end[Code]))) {
      unmap(*chunk);
      return error;
    }
  }
  chunks_.push_back(*chunk);
  return &chunks_.back();
}

void CodeArena::allocate(const jitlink::JITLinkDylib *, jitlink::LinkGraph &graph,
                         OnAllocatedFunction onAllocated) {
  jitlink::BasicLayout layout(graph);
  bool dualMapped = false;
  std::vector<std::pair<char *, size_t>> code;
  {
    std::lock_guard lock(mutex_);
    size_t needed[kRegionCount] = {};
    for (auto &[group, segment] : layout.segments()) {
      if (segment.Alignment.value() > pageSize_)
        return onAllocated(llvm::make_error<jitlink::JITLinkError>(
            llvm::formatv("{0}: a segment needs alignment {1}, more than a page",
                          graph.getName(), segment.Alignment.value())));
      needed[regionOf(group)] +=
          footprint(segment.ContentSize + segment.ZeroFillSize, segment.Alignment.value());
    }
    auto chunk = chunkWithRoom(needed);
    if (!chunk)
      return onAllocated(chunk.takeError());
    Chunk &at = **chunk;
    dualMapped = at.writableCode != nullptr;
    for (auto &[group, segment] : layout.segments()) {
      Region region = regionOf(group);
      char *&next = at.next[region];
      next = reinterpret_cast<char *>(
          dualMapped ? llvm::alignTo(uintptr_t(next), segment.Alignment.value())
                     : llvm::alignTo(uintptr_t(next), pageSize_));
      segment.Addr = orc::ExecutorAddr::fromPtr(next);
      segment.WorkingMem =
          region == Code && dualMapped ? at.writableCode + (next - at.begin[Code]) : next;
      size_t bytes = segment.ContentSize + segment.ZeroFillSize;
      if (region == Code && bytes != 0)
        code.emplace_back(next, bytes);
      next += bytes;
    }
  }
  // Fresh memory is zero, and bytes are never reused: zero-fill needs nothing.
  if (llvm::Error error = layout.apply())
    return onAllocated(std::move(error));
  onAllocated(std::make_unique<InFlight>(graph, std::move(code), pageSize_, dualMapped));
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
