// SIMD kernel: 3x3 box blur of an 8-bit greyscale image (auto-vectorised
// with -msimd128 / native SSE).
#include "Kernel.h"

enum { kWidth = 512, kHeight = 512 };
static uint8_t image[kWidth * kHeight], blurred[kWidth * kHeight];

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  for (int i = 0; i < kWidth * kHeight; ++i)
    image[i] = (uint8_t)((i * 2654435761u) >> 24);
  uint64_t checksum = 0;
  for (uint32_t round = 0; round < scale; ++round) {
    for (int y = 1; y < kHeight - 1; ++y) {
      const uint8_t *above = image + (y - 1) * kWidth, *row = image + y * kWidth,
                    *below = image + (y + 1) * kWidth;
      uint8_t *out = blurred + y * kWidth;
      for (int x = 1; x < kWidth - 1; ++x) {
        uint32_t sum = above[x - 1] + above[x] + above[x + 1] + row[x - 1] + row[x] +
                       row[x + 1] + below[x - 1] + below[x] + below[x + 1];
        out[x] = (uint8_t)((sum * 7282u) >> 16); // sum / 9
      }
    }
    for (int i = 0; i < kWidth * kHeight; i += 97)
      checksum = checksum * 31 + blurred[i];
    image[round % (kWidth * kHeight)] ^= (uint8_t)checksum;
  }
  return checksum;
}
