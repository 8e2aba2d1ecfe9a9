// Shared by the wasi-programs tests: a failed check prints where and why, exits 1.
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      printf("FAIL %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, errno,    \
             strerror(errno));                                                         \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

// A raw WASI call must fail with exactly `want` (a __WASI_ERRNO_* value).
#define CHECK_ERRNO(call, want)                                                        \
  do {                                                                                 \
    int got_ = (call);                                                                 \
    if (got_ != (want)) {                                                              \
      printf("FAIL %s:%d: %s returned %d, expected %d\n", __FILE__, __LINE__, #call,   \
             got_, (int)(want));                                                       \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)
