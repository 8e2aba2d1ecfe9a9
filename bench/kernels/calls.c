// Call kernel: naive recursive Fibonacci and Ackermann, dominated by direct
// call and return overhead.
#include "Kernel.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static uint32_t ackermann(uint32_t m, uint32_t n) {
  if (m == 0)
    return n + 1;
  if (n == 0)
    return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  uint64_t checksum = 0;
  for (uint32_t round = 0; round < scale; ++round)
    checksum += fib(27 + round % 2) + ackermann(2, 500 + round % 3);
  return checksum;
}
