// Integer, float, memory and indirect-call kernels; exercises a broad
// instruction mix for decoder and validator tests.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int compareInts(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static double integrate(double (*f)(double), double lo, double hi, int steps) {
  double sum = 0, width = (hi - lo) / steps;
  for (int i = 0; i < steps; ++i)
    sum += f(lo + (i + 0.5) * width) * width;
  return sum;
}

static uint64_t checksum(const uint8_t *data, size_t length) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < length; ++i)
    hash = (hash ^ data[i]) * 1099511628211ull;
  return hash;
}

int main(void) {
  enum { N = 1000 };
  int *values = malloc(N * sizeof(int));
  uint32_t seed = 12345;
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u;
    values[i] = (int)(seed >> 8) % 10000;
  }
  qsort(values, N, sizeof(int), compareInts);
  char text[64];
  snprintf(text, sizeof text, "%d %d %d", values[0], values[N / 2], values[N - 1]);
  printf("fib(20)=%u sorted=%s\n", fib(20), text);
  printf("integral=%.6f\n", integrate(sin, 0.0, 3.141592653589793, 1000));
  printf("checksum=%016llx\n", (unsigned long long)checksum((const uint8_t *)values, N * sizeof(int)));
  int64_t big = INT64_MAX / 3;
  printf("div=%lld rem=%lld f32=%.3f\n", (long long)(big / 7), (long long)(big % 7), (float)sqrt(2.0));
  free(values);
  return 0;
}
