/* Force-included (-include) when building the bench/large programs for
 * wasm32-wasi: declarations wasi-libc lacks, as harmless stand-ins. Nothing in
 * the benchmark workloads depends on them doing anything. */
#ifndef WASMRT_BENCH_WASI_COMPAT_H
#define WASMRT_BENCH_WASI_COMPAT_H
#ifdef __wasi__
#include <sys/types.h>
#include <sys/stat.h>
#include <stdio.h> /* some programs get FILE from headers that wasi-libc does not chain */
static inline int chmod(const char *path, mode_t mode) { (void)path; (void)mode; return 0; }
static inline int fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static inline int chown(const char *path, uid_t u, gid_t g) { (void)path; (void)u; (void)g; return 0; }
static inline int fchown(int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; return 0; }
static inline mode_t umask(mode_t mask) { (void)mask; return 022; }
#endif
#endif
