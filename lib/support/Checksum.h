// A fast 128-bit checksum (XXH3-128) for detecting corrupted or truncated
// files (precompiled artifacts, cache entries). Not collision resistant
// against an attacker: keys that must be use SHA-256 (lib/cache).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace wasmrt::internal {

using Checksum128 = std::array<uint8_t, 16>;

// The checksum of the concatenation of `parts`.
Checksum128 checksum128(std::initializer_list<std::span<const uint8_t>> parts);

} // namespace wasmrt::internal
