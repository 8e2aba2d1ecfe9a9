// A set of address ranges that a signal handler can query while other threads add
// and remove ranges. The trap handler keeps two: JIT code and guarded memories.
//
// Why per-slot sequence locks rather than a copy-on-write snapshot: a snapshot needs
// safe reclamation of old versions, and a signal handler cannot take part in RCU or
// hazard-pointer protocols without extra per-thread bookkeeping. Here storage is never
// freed while the registry lives (slots are recycled, chunks are only ever added), so a
// reader never touches freed memory; a slot that changes while it is read is skipped.
// Skipping is sound: a range being added is not yet published to code that could
// fault in it, and a range being removed must no longer be in use (using it would be
// a use-after-free in the embedder, not a trap).
//
// Writers serialize on a mutex and allocate; they never run in signal handlers. The
// reader (contains) does atomic loads only: async-signal-safe, wait-free, and costs
// O(high-water slot count).
#pragma once

#include "wasmrt/Error.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace wasmrt::internal {

class RangeRegistry {
public:
  static constexpr uint32_t kChunkSlots = 256;
  static constexpr uint32_t kMaxChunks = 256;
  static constexpr uint32_t kMaxSlots = kChunkSlots * kMaxChunks;

  RangeRegistry() = default;
  ~RangeRegistry();
  RangeRegistry(const RangeRegistry &) = delete;
  RangeRegistry &operator=(const RangeRegistry &) = delete;

  // Adds [begin, end); returns the slot to pass to remove(). Fails when full.
  Expected<uint32_t> add(uintptr_t begin, uintptr_t end);
  void remove(uint32_t slot);

  // Async-signal-safe.
  bool contains(uintptr_t address) const;

  size_t liveCount() const;

private:
  struct Slot {
    // Odd while a writer is changing the slot.
    std::atomic<uintptr_t> sequence{0};
    // Empty (begin == end) when free, so a free slot contains nothing.
    std::atomic<uintptr_t> begin{0};
    std::atomic<uintptr_t> end{0};
  };
  static_assert(std::atomic<uintptr_t>::is_always_lock_free);
  static_assert(std::atomic<Slot *>::is_always_lock_free);
  static_assert(std::atomic<uint32_t>::is_always_lock_free);

  Slot &slotAt(uint32_t index) const;
  void write(Slot &slot, uintptr_t begin, uintptr_t end);

  std::atomic<Slot *> chunks_[kMaxChunks] = {};
  // Slots [0, highWater_) have been handed out at least once; readers scan only those.
  std::atomic<uint32_t> highWater_{0};
  mutable std::mutex writerMutex_;
  std::vector<uint32_t> freeSlots_;
  size_t liveCount_ = 0;
};

} // namespace wasmrt::internal
