#pragma once

#include <cstdint>
#include <span>

namespace wasmrt::internal {
// True when `bytes` is well-formed UTF-8: shortest-form encodings only, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool isValidUtf8(std::span<const uint8_t> bytes);
} // namespace wasmrt::internal
