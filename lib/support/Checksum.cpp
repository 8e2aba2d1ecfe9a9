#include "support/Checksum.h"

// Header-only use of libxxhash: no shared library to load at start-up, which
// matters for precompiled artifacts whose whole run takes about a millisecond.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace wasmrt::internal {

Checksum128 checksum128(std::initializer_list<std::span<const uint8_t>> parts) {
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  for (std::span<const uint8_t> part : parts)
    XXH3_128bits_update(&state, part.data(), part.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(&state));
  Checksum128 result;
  static_assert(sizeof(canonical.digest) == result.size());
  for (size_t i = 0; i < result.size(); ++i)
    result[i] = canonical.digest[i];
  return result;
}

} // namespace wasmrt::internal
