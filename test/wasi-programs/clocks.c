// Clocks: realtime, monotonic, cputime, resolutions.
#include "check.h"
#include <sys/time.h>
#include <time.h>

int main(void) {
  struct timespec a, b, res;
  CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0);
  CHECK(a.tv_sec > 1600000000); // after 2020
  CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  for (volatile int i = 0; i < 1000000; ++i) {
  }
  CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
  CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0));
  CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);
  CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a) == 0);
  struct timeval tv;
  CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1600000000);
  CHECK(time(NULL) > 1600000000);
  printf("ok clocks\n");
  return 0;
}
