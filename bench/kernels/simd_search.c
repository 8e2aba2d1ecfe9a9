// SIMD kernel: counting occurrences of a byte in a 4 MiB buffer (memchr-like).
#include "Kernel.h"

enum { kBytes = 1 << 22 };
static uint8_t haystack[kBytes];

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  uint32_t seed = 88172645u;
  for (int i = 0; i < kBytes; ++i) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    haystack[i] = (uint8_t)seed;
  }
  uint64_t total = 0;
  for (uint32_t round = 0; round < scale; ++round) {
    uint8_t needle = (uint8_t)(round * 37);
    uint32_t count = 0;
    for (int i = 0; i < kBytes; ++i)
      count += haystack[i] == needle;
    total = total * 1000003 + count;
  }
  return total;
}
