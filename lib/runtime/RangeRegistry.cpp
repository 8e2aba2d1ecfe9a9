#include "runtime/RangeRegistry.h"

#include <fmt/format.h>

namespace wasmrt::internal {

RangeRegistry::~RangeRegistry() {
  for (auto &chunk : chunks_)
    delete[] chunk.load(std::memory_order_relaxed);
}

RangeRegistry::Slot &RangeRegistry::slotAt(uint32_t index) const {
  Slot *chunk = chunks_[index / kChunkSlots].load(std::memory_order_acquire);
  return chunk[index % kChunkSlots];
}

void RangeRegistry::write(Slot &slot, uintptr_t begin, uintptr_t end) {
  uintptr_t sequence = slot.sequence.load(std::memory_order_relaxed);
  slot.sequence.store(sequence + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  slot.begin.store(begin, std::memory_order_relaxed);
  slot.end.store(end, std::memory_order_relaxed);
  slot.sequence.store(sequence + 2, std::memory_order_release);
}

Expected<uint32_t> RangeRegistry::add(uintptr_t begin, uintptr_t end) {
  if (end < begin)
    return Error(ErrorKind::Internal, "range registry: range ends before it begins");
  std::lock_guard lock(writerMutex_);
  uint32_t index;
  if (!freeSlots_.empty()) {
    index = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    index = highWater_.load(std::memory_order_relaxed);
    if (index == kMaxSlots)
      return Error(ErrorKind::Unlinkable,
                   fmt::format("range registry full ({} ranges)", kMaxSlots));
    auto &chunk = chunks_[index / kChunkSlots];
    if (!chunk.load(std::memory_order_relaxed))
      chunk.store(new Slot[kChunkSlots], std::memory_order_release);
    // Publish the slot only after its chunk is visible.
    highWater_.store(index + 1, std::memory_order_release);
  }
  write(slotAt(index), begin, end);
  ++liveCount_;
  return index;
}

void RangeRegistry::remove(uint32_t index) {
  std::lock_guard lock(writerMutex_);
  write(slotAt(index), 0, 0);
  freeSlots_.push_back(index);
  --liveCount_;
}

bool RangeRegistry::contains(uintptr_t address) const {
  uint32_t count = highWater_.load(std::memory_order_acquire);
  for (uint32_t index = 0; index < count; ++index) {
    const Slot &slot = slotAt(index);
    uintptr_t before = slot.sequence.load(std::memory_order_acquire);
    if (before & 1)
      continue;
    uintptr_t begin = slot.begin.load(std::memory_order_relaxed);
    uintptr_t end = slot.end.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slot.sequence.load(std::memory_order_relaxed) != before)
      continue; // changed under us: see the header for why skipping is sound
    if (address - begin < end - begin)
      return true;
  }
  return false;
}

size_t RangeRegistry::liveCount() const {
  std::lock_guard lock(writerMutex_);
  return liveCount_;
}

} // namespace wasmrt::internal
