// SIMD kernel: single-precision dot products over 64K-element vectors.
#include "Kernel.h"

enum { kLength = 1 << 16 };
static float xs[kLength], ys[kLength];

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  for (int i = 0; i < kLength; ++i) {
    xs[i] = (float)(i % 101) * 0.01f;
    ys[i] = (float)(i % 37) * 0.02f;
  }
  uint64_t checksum = 0;
  for (uint32_t round = 0; round < scale * 16; ++round) {
    // Four partial sums: a fixed association order so native and wasm agree
    // bit for bit whether or not the compiler vectorises.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < kLength; i += 4) {
      s0 += xs[i] * ys[i];
      s1 += xs[i + 1] * ys[i + 1];
      s2 += xs[i + 2] * ys[i + 2];
      s3 += xs[i + 3] * ys[i + 3];
    }
    checksum += (uint64_t)((s0 + s1) + (s2 + s3));
    xs[round % kLength] += 1.0f;
  }
  return checksum;
}
