/* SQLite built with -DSQLITE_OS_OTHER=1 needs the embedder's sqlite3_os_init.
 * The bench/large build uses SQLite's own portable example VFS
 * (src/test_demovfs.c: plain open/read/write/fsync, no locking, no mmap, no
 * shared memory), for the wasm32-wasi build and the native build alike, so both
 * run the same code. The benchmark workloads use :memory: databases and files
 * under one process, which need no locking. */
#include "sqlite3.h"

sqlite3_vfs *sqlite3_demovfs(void);

int sqlite3_os_init(void) { return sqlite3_vfs_register(sqlite3_demovfs(), 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }
