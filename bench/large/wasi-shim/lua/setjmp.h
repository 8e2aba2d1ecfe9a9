/* wasi-libc has no <setjmp.h>; Lua's ldo.c includes it unconditionally, but
 * lua-config.h replaces the jumps, so nothing from it is needed. Only on the
 * include path of the wasm32-wasi build of Lua. */
