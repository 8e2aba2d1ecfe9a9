#!/usr/bin/env bash
# Execution fuzzing: random valid modules (binaryen's wasm-opt -ttf, from random
# bytes) run end to end by wasmrt_exec_driver in an ASan+UBSan build.
#   scripts/fuzz-exec.sh [--seconds N] [--build-dir DIR] [--bounds-checks]
# A run that ends by a signal other than the timeout's, exits with a status
# other than 0 (or 124, the 10 s timeout), or prints a sanitizer report is a
# failure: its module is kept in DIR/artifacts-exec/ and the script fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$root/build-exec-asan"
seconds=60
driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --bounds-checks) driver_args+=(--bounds-checks); shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
command -v wasm-opt >/dev/null || { echo "wasm-opt (binaryen) is needed" >&2; exit 2; }

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWASMRT_SANITIZE=address -DWASMRT_BUILD_BENCHMARKS=OFF
fi
cmake --build "$build_dir" --target wasmrt_exec_driver
driver="$build_dir/test/fuzz/wasmrt_exec_driver"

artifacts="$build_dir/artifacts-exec"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
# The runtime's SIGSEGV handler chains to ASan's for faults that are not traps
# (docs/RUNTIME.md), so ASan must install its handler (the default) and must
# leave the 8 GiB guarded reservations alone.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=1:allow_user_segv_handler=1:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"

# Wasm 2.0 features; reference types only every other run, because binaryen
# 108 then also emits typed function references (GC proposal), which wasmrt
# rejects as invalid.
features=(--enable-simd --enable-bulk-memory --enable-sign-ext
  --enable-nontrapping-float-to-int --enable-multivalue --enable-mutable-globals)
runs=0; invalid=0; timeouts=0; traps=0; failures=0; generator_failures=0
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  runs=$((runs + 1))
  extra=()
  [ $((runs % 2)) = 0 ] && extra=(--enable-reference-types)
  head -c $((1024 + RANDOM % 16384)) /dev/urandom > "$work/input.dat"
  if ! wasm-opt "$work/input.dat" -ttf "${features[@]}" "${extra[@]}" \
      -o "$work/module.wasm" 2>/dev/null; then
    generator_failures=$((generator_failures + 1))
    continue
  fi
  status=0
  timeout 10 "$driver" "${driver_args[@]}" "$work/module.wasm" > "$work/out.txt" \
    2> "$work/err.txt" || status=$?
  grep -q ': invalid: ' "$work/out.txt" && invalid=$((invalid + 1))
  grep -q ': trap: ' "$work/out.txt" && traps=$((traps + 1))
  if [ $status = 124 ]; then
    timeouts=$((timeouts + 1))
    continue
  fi
  if [ $status != 0 ] || grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
      "$work/err.txt"; then
    failures=$((failures + 1))
    kept="$artifacts/crash-$(date +%s)-$runs"
    cp "$work/module.wasm" "$kept.wasm"
    cp "$work/err.txt" "$kept.stderr"
    echo "FAILURE (exit status $status): $kept.wasm" >&2
    tail -20 "$work/err.txt" >&2
  fi
done
echo "fuzz-exec: $runs modules in $seconds s: $failures failures, $timeouts timeouts," \
  "$traps with traps, $invalid rejected as invalid, $generator_failures generator failures"
[ $failures = 0 ]
