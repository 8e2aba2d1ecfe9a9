// Memory kernel: shell sort of pseudo-random integers, block copies and a
// byte histogram over a 1 MiB buffer.
#include "Kernel.h"

enum { kCount = 1 << 16, kBytes = 1 << 20 };
static uint32_t values[kCount];
static uint8_t buffer[kBytes], copy[kBytes];

static void shellSort(uint32_t *data, int n) {
  for (int gap = n / 2; gap > 0; gap /= 2)
    for (int i = gap; i < n; ++i) {
      uint32_t v = data[i];
      int j = i;
      for (; j >= gap && data[j - gap] > v; j -= gap)
        data[j] = data[j - gap];
      data[j] = v;
    }
}

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  uint64_t checksum = 0;
  uint32_t seed = 2463534242u;
  for (uint32_t round = 0; round < scale; ++round) {
    for (int i = 0; i < kCount; ++i) {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      values[i] = seed;
    }
    shellSort(values, kCount);
    for (int i = 0; i < kBytes; ++i)
      buffer[i] = (uint8_t)(values[i % kCount] >> (i & 24));
    for (int block = 0; block < kBytes; block += 4096)
      for (int i = 0; i < 4096; ++i)
        copy[(block + 8192) % kBytes + i] = buffer[block + i];
    uint32_t histogram[256] = {0};
    for (int i = 0; i < kBytes; ++i)
      ++histogram[copy[i]];
    for (int i = 0; i < 256; ++i)
      checksum = checksum * 31 + histogram[i];
    checksum += values[round % kCount];
  }
  return checksum;
}
