// A command-line program around one benchmark kernel, for whole-process
// timing (bench_process): `prog [SCALE]` runs kernel_run(SCALE) once and
// prints the checksum, built the same way natively and for wasm32-wasi.
#include "../kernels/Kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCALE\n", argv[0]);
    return 2;
  }
  uint32_t scale = (uint32_t)strtoul(argv[1], NULL, 10);
  printf("checksum %016" PRIx64 "\n", KERNEL_RUN(scale));
  return 0;
}
