// Auto-vectorisable and explicit wasm SIMD loops (built with -msimd128).
#include <stdint.h>
#include <stdio.h>
#include <wasm_simd128.h>

static float dot(const float *a, const float *b, int n) {
  v128_t acc = wasm_f32x4_splat(0);
  for (int i = 0; i + 4 <= n; i += 4)
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  return wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
         wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
}

static int countByte(const uint8_t *data, int n, uint8_t needle) {
  int count = 0;
  v128_t wanted = wasm_i8x16_splat((int8_t)needle);
  int i = 0;
  for (; i + 16 <= n; i += 16)
    count += __builtin_popcount(wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(data + i), wanted)));
  for (; i < n; ++i)
    count += data[i] == needle;
  return count;
}

int main(void) {
  static float a[256], b[256];
  static uint8_t bytes[1000];
  for (int i = 0; i < 256; ++i) {
    a[i] = (float)i;
    b[i] = 0.5f;
  }
  for (int i = 0; i < 1000; ++i)
    bytes[i] = (uint8_t)(i * 7);
  printf("dot=%.1f count=%d\n", dot(a, b, 256), countByte(bytes, 1000, 21));
  return 0;
}
