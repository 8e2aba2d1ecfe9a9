// Float kernel: dense single-precision matrix multiply plus a double-precision
// n-body style update, reduced to a checksum of the bit patterns.
#include "Kernel.h"

enum { kN = 128, kBodies = 64 };
static float a[kN * kN], b[kN * kN], c[kN * kN];
static double px[kBodies], py[kBodies], vx[kBodies], vy[kBodies];

static void multiply(void) {
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      float sum = 0;
      for (int k = 0; k < kN; ++k)
        sum += a[i * kN + k] * b[k * kN + j];
      c[i * kN + j] = sum;
    }
}

static void step(double dt) {
  for (int i = 0; i < kBodies; ++i) {
    double ax = 0, ay = 0;
    for (int j = 0; j < kBodies; ++j) {
      if (i == j)
        continue;
      double dx = px[j] - px[i], dy = py[j] - py[i];
      double inv = 1.0 / (dx * dx + dy * dy + 0.01);
      ax += dx * inv;
      ay += dy * inv;
    }
    vx[i] += ax * dt;
    vy[i] += ay * dt;
  }
  for (int i = 0; i < kBodies; ++i) {
    px[i] += vx[i] * dt;
    py[i] += vy[i] * dt;
  }
}

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  for (int i = 0; i < kN * kN; ++i) {
    a[i] = (float)(i % 17) * 0.25f;
    b[i] = (float)(i % 13) * 0.5f;
  }
  for (int i = 0; i < kBodies; ++i) {
    px[i] = i;
    py[i] = (i * 7) % 11;
    vx[i] = vy[i] = 0;
  }
  uint64_t checksum = 0;
  for (uint32_t round = 0; round < scale; ++round) {
    multiply();
    for (int s = 0; s < 20; ++s)
      step(0.001);
    checksum += (uint64_t)c[(round * 31) % (kN * kN)] + (uint64_t)(px[round % kBodies] * 1000.0);
  }
  return checksum;
}
