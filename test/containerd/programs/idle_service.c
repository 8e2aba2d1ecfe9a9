// A long-running Wasm "service" that does nothing: it prints one line, then
// sleeps in long WASI poll_oneoff clock waits (nanosleep) until it is killed.
// The density benchmark (bench/containerd/density.py) starts many of these to
// measure what an idle Wasm container costs.
#include <stdio.h>
#include <time.h>

int main(void) {
  printf("idle-service: ready\n");
  fflush(stdout);
  for (;;) {
    struct timespec t = {3600, 0};
    nanosleep(&t, NULL);
  }
}
