// A bounds-checked view of a guest's linear memory for WASI host functions.
//
// The binding builds a fresh GuestMemory (current base and byte size) for every host
// call, because memory.grow may move or enlarge the memory between calls; a WASI call
// itself never grows memory, so one snapshot is valid for the whole call. Every access
// is checked in 64-bit arithmetic, so ptr + len cannot wrap; a bad guest pointer
// yields EFAULT (errno_::kFault), never a host fault.
#pragma once

#include "wasi/WasiTypes.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace wasmrt::wasi {

class GuestMemory {
public:
  GuestMemory(uint8_t *base, uint64_t size) : base_(base), size_(size) {}

  uint64_t size() const { return size_; }
  bool inBounds(uint32_t ptr, uint64_t len) const {
    return uint64_t(ptr) <= size_ && len <= size_ - uint64_t(ptr);
  }

  // A writable/readable view of [ptr, ptr + len), or nullopt if it leaves memory.
  std::optional<std::span<uint8_t>> bytes(uint32_t ptr, uint64_t len) const {
    if (!inBounds(ptr, len))
      return std::nullopt;
    return std::span<uint8_t>(base_ + ptr, size_t(len));
  }
  // A guest string (not NUL-terminated); the caller decides what bytes are legal.
  std::optional<std::string_view> string(uint32_t ptr, uint32_t len) const {
    if (!inBounds(ptr, len))
      return std::nullopt;
    return std::string_view(reinterpret_cast<const char *>(base_ + ptr), len);
  }

  template <typename T> bool load(uint32_t ptr, T &out) const {
    static_assert(std::is_integral_v<T>);
    if (!inBounds(ptr, sizeof(T)))
      return false;
    // Wasm is little-endian, as is every host wasmrt supports (x86-64, AArch64).
    std::memcpy(&out, base_ + ptr, sizeof(T));
    return true;
  }
  template <typename T> bool store(uint32_t ptr, T value) const {
    static_assert(std::is_integral_v<T>);
    if (!inBounds(ptr, sizeof(T)))
      return false;
    std::memcpy(base_ + ptr, &value, sizeof(T));
    return true;
  }
  bool storeBytes(uint32_t ptr, const void *data, uint64_t len) const {
    if (!inBounds(ptr, len))
      return false;
    if (len)
      std::memcpy(base_ + ptr, data, size_t(len));
    return true;
  }

private:
  uint8_t *base_;
  uint64_t size_;
};

static_assert(std::endian::native == std::endian::little,
              "GuestMemory assumes a little-endian host");

} // namespace wasmrt::wasi
