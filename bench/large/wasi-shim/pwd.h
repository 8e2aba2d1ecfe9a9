/* wasi-libc has no <pwd.h>: the programs benchmarked in bench/large only use
 * it to find a home directory, which a WASI guest does not have. */
#ifndef WASMRT_BENCH_SHIM_PWD_H
#define WASMRT_BENCH_SHIM_PWD_H
#include <sys/types.h>
struct passwd {
  char *pw_name;
  char *pw_dir;
};
static inline uid_t getuid(void) { return 0; }
static inline uid_t geteuid(void) { return 0; }
static inline struct passwd *getpwuid(uid_t uid) { (void)uid; return 0; }
#endif
