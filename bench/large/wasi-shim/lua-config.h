/* Force-included (-include) when building Lua for bench/large, for wasm and natively: WASI preview1 (without the
 * exception-handling proposal) has no setjmp/longjmp, so Lua's error recovery
 * (ldo.c: LUAI_THROW / LUAI_TRY) is replaced by "report and abort". A Lua
 * error, error() call, or coroutine.yield (which Lua 5.4 implements with a
 * throw) ends the program; protected calls that raise no error work as usual.
 * The native build uses the same header, so both run the same code. The
 * benchmark scripts raise no errors and use no coroutines. */
#ifndef WASMRT_BENCH_LUA_CONFIG_H
#define WASMRT_BENCH_LUA_CONFIG_H
#include <stdio.h>
#include <stdlib.h>
#define LUAI_THROW(L, c) \
  (fprintf(stderr, "lua: error %d raised; this build cannot unwind (no longjmp): abort\n", \
           (c)->status), fflush(stderr), abort())
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int
/* os.tmpname: WASI has no tmpnam; fail as Lua does when it finds no name. */
#include <string.h>
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) { strcpy(b, "lua_tmp"); e = 1; }
#endif
