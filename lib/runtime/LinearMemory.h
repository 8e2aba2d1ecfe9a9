// A wasm linear memory: a 32-bit index space of 64 KiB pages, zero-initialised.
//
// Guarded mode (default on 64-bit hosts) reserves kGuardedReservation bytes of
// address space once and never moves: every i32 index plus any u32 static offset plus
// the widest access lands inside the reservation, and everything past the current
// size is PROT_NONE, so JIT code needs no bounds checks; faults become traps through
// the trap handler, with which the reservation is registered.
//
// Bounds-checked mode reserves only what the memory can reach. JIT code compares each
// effective address against byteSize(). The base may move on grow() (see
// docs/RUNTIME.md), so JIT code must reload it after anything that can grow memory.
#pragma once

#include "runtime/TrapHandler.h"
#include "wasmrt/Error.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace wasmrt::internal {

enum class MemoryMode : uint8_t { Guarded, BoundsChecked };

constexpr MemoryMode defaultMemoryMode() {
  return sizeof(void *) >= 8 ? MemoryMode::Guarded : MemoryMode::BoundsChecked;
}

struct MemoryConfig {
  uint32_t initialPages = 0;
  std::optional<uint32_t> maxPages; // the module's declared maximum
  // Embedder cap on top of the declared maximum (e.g. a per-instance memory budget).
  uint32_t embedderMaxPages = 65536;
  MemoryMode mode = defaultMemoryMode();
};

class LinearMemory {
public:
  static constexpr uint64_t kPageSize = 64 * 1024;
  static constexpr uint32_t kMaxPages = 65536; // 4 GiB
  // 4 GiB of index space + 4 GiB for the largest u32 static offset + one page so an
  // access of up to 16 bytes starting at the last such address still faults.
  static constexpr uint64_t kGuardedReservation = (8ull << 30) + kPageSize;
  // Bounds-checked memories whose reachable size is at most this reserve all of it up
  // front and never move; larger ones reserve less and move when they outgrow it.
  static constexpr uint64_t kBoundsCheckedFullReservation = 256ull << 20;
  static constexpr int32_t kGrowFailed = -1;

  static Expected<LinearMemory> create(const MemoryConfig &config);

  LinearMemory(LinearMemory &&other) noexcept { *this = std::move(other); }
  LinearMemory &operator=(LinearMemory &&other) noexcept;
  LinearMemory(const LinearMemory &) = delete;
  LinearMemory &operator=(const LinearMemory &) = delete;
  ~LinearMemory();

  uint8_t *base() const { return base_; }
  uint64_t byteSize() const { return uint64_t(pages_) * kPageSize; }
  uint32_t pages() const { return pages_; }
  // The effective maximum: min(declared, embedder limit, 65536).
  uint32_t maxPages() const { return maxPages_; }
  MemoryMode mode() const { return mode_; }
  uint64_t reservedBytes() const { return reserved_; }
  // Whether `address` lies in this memory's reservation (accessible or not).
  bool reservationContains(const void *address) const {
    return reinterpret_cast<uintptr_t>(address) - reinterpret_cast<uintptr_t>(base_) <
           reserved_;
  }

  // memory.grow: returns the old page count, or kGrowFailed (-1) if the result would
  // exceed maxPages() or the system refuses the memory. On failure nothing changes.
  int32_t grow(uint32_t deltaPages);

private:
  LinearMemory() = default;
  bool growGuarded(uint64_t oldBytes, uint64_t newBytes);
  bool growBoundsChecked(uint64_t oldBytes, uint64_t newBytes);
  void release();

  uint8_t *base_ = nullptr;
  uint64_t reserved_ = 0;
  uint32_t pages_ = 0;
  uint32_t maxPages_ = 0;
  MemoryMode mode_ = MemoryMode::Guarded;
  TrapRegion trapRegion_; // guarded mode only
};

} // namespace wasmrt::internal
