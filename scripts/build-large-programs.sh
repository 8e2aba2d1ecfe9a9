#!/usr/bin/env bash
# Builds the large real programs of bench/large (docs/BENCHMARKS-LARGE.md) twice
# from the same sources: to wasm32-wasi with clang-19 -O2 (Debian's wasi-libc and
# libc++-19-dev-wasm32), and natively with clang-19 -O2. Never downloads anything:
# the sources come from scripts/fetch-large-programs.sh; a program whose sources
# are absent is skipped with a message.
#
#   scripts/build-large-programs.sh [--src DIR] [--out DIR] [--jobs N] [--force] [PROGRAM...]
#
#   --src DIR   unpacked sources (default bench/large/src)
#   --out DIR   build output (default build/bench/large): OUT/wasm/NAME.wasm, OUT/native/NAME
#   --jobs N    parallel compile jobs (default 2)
#   --force     rebuild programs whose outputs already exist
#   PROGRAM     any of: generated lua sqlite3 zstd wabt (default: all)
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/bench/large/src
out=$here/build/bench/large
jobs=2
force=0
selected=()
while [ $# -gt 0 ]; do
  case $1 in
    --src) src=$(cd "$2" 2>/dev/null && pwd) || { echo "build-large-programs: no directory '$2'" >&2; exit 2; }; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-large-programs: unknown option '$1'" >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
  esac
done
[ ${#selected[@]} -eq 0 ] && selected=(generated lua sqlite3 zstd wabt)
mkdir -p "$out/wasm" "$out/native" "$out/obj"
out=$(cd "$out" && pwd)
shim=$here/bench/large/wasi-shim

CC=${CC:-clang-19}
CXX=${CXX:-clang++-19}
for tool in "$CC" "$CXX" cmake ninja; do
  command -v "$tool" >/dev/null || { echo "build-large-programs: '$tool' not found (see docs/BENCHMARKS-LARGE.md, Setup)" >&2; exit 1; }
done
wasm_defs="-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID"
WASM_CFLAGS="--target=wasm32-wasi -O2 $wasm_defs -I$shim -include $shim/wasi-compat.h"
# Linking with -O2 also runs binaryen's wasm-opt when it is installed, as clang
# does for any wasm32 program linked with -O (so does the toolchain of most users).
WASM_LIBS="-lwasi-emulated-mman -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-getpid"
NATIVE_CFLAGS="-O2"

log() { echo "build-large-programs: $*"; }
# Sources of one package: the directory fetch-large-programs.sh recorded.
source_dir() { # PACKAGE
  local f=$src/$1.fetched
  if [ -f "$f" ] && [ -d "$src/$(cat "$f")" ]; then echo "$src/$(cat "$f")"; return 0; fi
  return 1
}
up_to_date() { # OUTPUTS...
  [ $force -eq 1 ] && return 1
  local f; for f in "$@"; do [ -s "$f" ] || return 1; done
}
# Compiles C files in parallel into DIR (one object each), prints the objects.
compile_c() { # DIR "FLAGS" FILES...
  local dir=$1 flags=$2; shift 2
  mkdir -p "$dir"
  local f obj objs=() pids=() n=0 failed=0
  for f in "$@"; do
    obj=$dir/$(basename "${f%.*}").o
    objs+=("$obj")
    # shellcheck disable=SC2086
    $CC $flags -c "$f" -o "$obj" 2>>"$dir/compile.log" &
    pids+=($!)
    n=$((n + 1))
    if [ $((n % jobs)) -eq 0 ]; then for p in "${pids[@]}"; do wait "$p" || failed=1; done; pids=(); fi
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  if [ $failed -ne 0 ]; then
    echo "build-large-programs: compile errors, see $dir/compile.log:" >&2
    grep -m 20 'error' "$dir/compile.log" >&2
    return 1
  fi
  echo "${objs[@]}"
}
skip_missing() { # NAME PACKAGE
  log "$1: skipped: no sources of Debian package '$2' in $src (run scripts/fetch-large-programs.sh)"
}

build_generated() {
  local obj=$out/obj/generated
  if up_to_date "$out/wasm/generated.wasm" "$out/native/generated"; then log "generated: up to date"; return 0; fi
  mkdir -p "$obj"
  # The same generator and size as bench/CMakeLists.txt's large_O0.wasm (8000 functions, -O0).
  $CXX -O2 "$here/bench/tools/GenerateLargeProgram.cpp" -o "$obj/generate_large_program" &&
    "$obj/generate_large_program" 8000 >"$obj/generated.c" &&
    $CC --target=wasm32-wasi -O0 "$obj/generated.c" -o "$out/wasm/generated.wasm" &&
    $CC -O0 "$obj/generated.c" -o "$out/native/generated" &&
    log "generated: built (8000 generated functions, -O0)"
}

build_lua() {
  local dir; dir=$(source_dir lua5.4) || { skip_missing lua lua5.4; return 0; }
  if up_to_date "$out/wasm/lua.wasm" "$out/native/lua"; then log "lua: up to date"; return 0; fi
  local obj=$out/obj/lua files
  mkdir -p "$obj/inc"
  # Debian's luaconf.h includes a generated header naming the multiarch triplet.
  echo '#define DEB_HOST_MULTIARCH "wasm32-wasi"' >"$obj/inc/lua5.4-deb-multiarch.h"
  files=$(ls "$dir"/src/*.c | grep -v '/luac\.c$')
  local common="-DLUA_COMPAT_5_3 -I$obj/inc -include $shim/lua-config.h"
  local wobjs nobjs
  # shellcheck disable=SC2086
  wobjs=$(compile_c "$obj/wasm" "$WASM_CFLAGS $common -I$shim/lua" $files "$shim/wasi-stubs.c") || return 1
  # shellcheck disable=SC2086
  nobjs=$(compile_c "$obj/native" "$NATIVE_CFLAGS $common -DLUA_USE_POSIX" $files) || return 1
  # shellcheck disable=SC2086
  $CC --target=wasm32-wasi -O2 $wobjs $WASM_LIBS -lm -o "$out/wasm/lua.wasm" &&
    $CC $nobjs -lm -o "$out/native/lua" && log "lua: built"
}

build_sqlite3() {
  local dir; dir=$(source_dir sqlite3) || { skip_missing sqlite3 sqlite3; return 0; }
  if up_to_date "$out/wasm/sqlite3.wasm" "$out/native/sqlite3"; then log "sqlite3: up to date"; return 0; fi
  local obj=$out/obj/sqlite3
  mkdir -p "$obj/amalgamation"
  if [ ! -s "$obj/amalgamation/sqlite3.c" ] || [ ! -s "$obj/amalgamation/shell.c" ]; then
    command -v tclsh >/dev/null || { log "sqlite3: skipped: making the amalgamation needs tclsh (apt-get install tcl)"; return 0; }
    log "sqlite3: making the amalgamation (sqlite3.c, shell.c)"
    rm -rf "$obj/amalgamation" && mkdir -p "$obj/amalgamation" # no state of an interrupted run
    (cd "$obj/amalgamation" && "$dir/configure" --disable-tcl >configure.log 2>&1 &&
       make -j"$jobs" sqlite3.c shell.c >make.log 2>&1) ||
      { echo "build-large-programs: sqlite3: amalgamation failed, see $obj/amalgamation/*.log" >&2; return 1; }
  fi
  # The shell with the usual extensions; SQLite's own portable demo VFS (no locking,
  # no mmap) in both builds (bench/large/programs/sqlite_os_demovfs.c).
  local defs="-DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
    -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_GEOPOLY
    -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_STMTVTAB
    -DSQLITE_ENABLE_BYTECODE_VTAB -DSQLITE_ENABLE_EXPLAIN_COMMENTS -DSQLITE_ENABLE_COLUMN_METADATA
    -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_DEFAULT_MEMSTATUS=0
    -I$obj/amalgamation"
  local files="$obj/amalgamation/sqlite3.c $obj/amalgamation/shell.c $dir/src/test_demovfs.c
    $here/bench/large/programs/sqlite_os_demovfs.c"
  local wobjs nobjs
  # shellcheck disable=SC2086
  wobjs=$(compile_c "$obj/wasm" "$WASM_CFLAGS $defs" $files "$shim/wasi-stubs.c") || return 1
  # shellcheck disable=SC2086
  nobjs=$(compile_c "$obj/native" "$NATIVE_CFLAGS $defs" $files) || return 1
  # shellcheck disable=SC2086
  $CC --target=wasm32-wasi -O2 $wobjs $WASM_LIBS -lm -o "$out/wasm/sqlite3.wasm" &&
    $CC $nobjs -lm -o "$out/native/sqlite3" && log "sqlite3: built"
}

build_zstd() {
  local dir; dir=$(source_dir zstd) || { skip_missing zstd zstd; return 0; }
  if up_to_date "$out/wasm/zstd.wasm" "$out/native/zstd"; then log "zstd: up to date"; return 0; fi
  local obj=$out/obj/zstd files
  files=$(ls "$dir"/lib/common/*.c "$dir"/lib/compress/*.c "$dir"/lib/decompress/*.c \
             "$dir"/lib/dictBuilder/*.c "$dir"/lib/legacy/*.c "$dir"/programs/*.c)
  # Single-threaded (no ZSTD_MULTITHREAD) in both builds, and no x86 assembly
  # natively, so both run the same C code and produce the same bytes.
  local common="-I$dir/lib -I$dir/lib/common -I$dir/lib/legacy -DZSTD_LEGACY_SUPPORT=5 -DZSTD_DISABLE_ASM"
  local wobjs nobjs
  # shellcheck disable=SC2086
  wobjs=$(compile_c "$obj/wasm" "$WASM_CFLAGS $common" $files "$shim/wasi-stubs.c") || return 1
  # shellcheck disable=SC2086
  nobjs=$(compile_c "$obj/native" "$NATIVE_CFLAGS $common" $files) || return 1
  # shellcheck disable=SC2086
  $CC --target=wasm32-wasi -O2 $wobjs $WASM_LIBS -o "$out/wasm/zstd.wasm" &&
    $CC $nobjs -o "$out/native/zstd" && log "zstd: built"
}

wabt_tools=(wat2wasm wasm2wat wasm-interp wasm2c spectest-interp)
# wasm-ld's default stack is 64 KiB; wasm2c recurses deeper than that and then
# writes below the stack into static data (a trap, "memory access out of
# bounds", under node and wasmrt alike). 8 MiB, as a native main thread has.
wabt_stack=8388608
build_wabt() {
  local dir; dir=$(source_dir wabt) || { skip_missing wabt wabt; return 0; }
  local outputs=() t
  for t in "${wabt_tools[@]}"; do outputs+=("$out/wasm/$t.wasm" "$out/native/$t"); done
  if up_to_date "${outputs[@]}"; then log "wabt: up to date"; return 0; fi
  if [ ! -d /usr/include/wasm32-wasi/c++ ] && [ ! -d /usr/lib/llvm-19/include/wasm32-wasi/c++ ] &&
     ! echo '#include <vector>' | $CXX --target=wasm32-wasi -x c++ -fsyntax-only - 2>/dev/null; then
    log "wabt: skipped: no C++ library for wasm32-wasi (apt-get install libc++-19-dev-wasm32 libc++abi-19-dev-wasm32)"
    return 0
  fi
  local obj=$out/obj/wabt
  local wflags="-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID -I$shim -include $shim/wasi-compat.h"
  local common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG"
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DBUILD_TESTS=OFF -DBUILD_LIBWASM=OFF
    -DUSE_INTERNAL_SHA256=ON -DCMAKE_C_COMPILER_LAUNCHER= -DCMAKE_CXX_COMPILER_LAUNCHER=)
  log "wabt: configuring and building (${wabt_tools[*]}; a few minutes at -j$jobs)"
  cmake -S "$dir" -B "$obj/wasm" "${common[@]}" -DCMAKE_TOOLCHAIN_FILE="$here/bench/large/wasm32-wasi.cmake" \
      -DCMAKE_C_FLAGS="$wflags" -DCMAKE_CXX_FLAGS="$wflags" \
      -DCMAKE_EXE_LINKER_FLAGS="$WASM_LIBS -Wl,-z,stack-size=$wabt_stack" \
      >"$obj.wasm-configure.log" 2>&1 &&
    cmake --build "$obj/wasm" -j "$jobs" --target "${wabt_tools[@]}" >"$obj.wasm-build.log" 2>&1 ||
    { echo "build-large-programs: wabt (wasm) failed, see $obj.wasm-*.log" >&2; return 1; }
  cmake -S "$dir" -B "$obj/native" "${common[@]}" -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
      >"$obj.native-configure.log" 2>&1 &&
    cmake --build "$obj/native" -j "$jobs" --target "${wabt_tools[@]}" >"$obj.native-build.log" 2>&1 ||
    { echo "build-large-programs: wabt (native) failed, see $obj.native-*.log" >&2; return 1; }
  for t in "${wabt_tools[@]}"; do
    cp "$obj/wasm/$t" "$out/wasm/$t.wasm" && cp "$obj/native/$t" "$out/native/$t" || return 1
  done
  log "wabt: built"
}

status=0
for p in "${selected[@]}"; do
  case $p in
    generated|lua|sqlite3|zstd|wabt) "build_$p" || { log "$p: FAILED"; status=1; } ;;
    *) echo "build-large-programs: unknown program '$p' (generated lua sqlite3 zstd wabt)" >&2; status=2 ;;
  esac
done
if command -v wasm-objdump >/dev/null; then
  printf '%-18s %12s %10s\n' module bytes functions
  for f in "$out"/wasm/*.wasm; do
    [ -f "$f" ] || continue
    n=$(wasm-objdump -h "$f" 2>/dev/null | awk '/^ *Code /{for(i=1;i<=NF;i++) if($i=="count:") print $(i+1)}')
    printf '%-18s %12s %10s\n' "$(basename "$f")" "$(stat -c %s "$f")" "${n:-?}"
  done
fi
exit $status
