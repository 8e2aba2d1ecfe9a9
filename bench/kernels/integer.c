// Integer kernel: a sieve of Eratosthenes plus xorshift hashing of the primes.
#include "Kernel.h"

enum { kLimit = 1 << 20 };
static uint8_t composite[kLimit];

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  uint64_t hash = 0x9E3779B97F4A7C15ull;
  for (uint32_t round = 0; round < scale; ++round) {
    for (uint32_t i = 0; i < kLimit; ++i)
      composite[i] = 0;
    for (uint32_t i = 2; i * i < kLimit; ++i)
      if (!composite[i])
        for (uint32_t j = i * i; j < kLimit; j += i)
          composite[j] = 1;
    for (uint32_t i = 2; i < kLimit; ++i)
      if (!composite[i]) {
        hash ^= i + round;
        hash ^= hash << 13;
        hash ^= hash >> 7;
        hash ^= hash << 17;
      }
  }
  return hash;
}
