#!/bin/sh
# Regenerates tools/wasmrt/startup-order.txt, the functions the static `wasmrt`
# runs on its start-up paths, which its link places together (lld
# --symbol-ordering-file; docs/PERFORMANCE.md, "Start-up of a C hello world"):
# the few text pages a run needs are then a handful of 64 KiB fault-around
# blocks instead of ~35 faults spread over 2.7 MB of text. Stale entries do no
# harm (they are ignored); regenerate after large changes to the run path.
#
#   scripts/startup-order.sh [BUILD_DIR]      (needs valgrind)
set -eu
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
cli=$build/tools/wasmrt/wasmrt
hello=$build/bench/data/hello.wasm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Portable code: valgrind's CPUID is not the host's, so native code would be refused.
"$cli" compile --target x86_64 -o "$work/hello.cwasm" "$hello"
"$cli" compile --cache --cache-dir "$work/cache" "$hello"
n=0
profile() {
  n=$((n + 1))
  valgrind --demangle=no --tool=callgrind --callgrind-out-file="$work/cg.$n" "$cli" "$@" \
    >/dev/null 2>&1 || true
}
profile run "$work/hello.cwasm" a
profile run --invoke _start "$work/hello.cwasm"
profile --version
# A hit under valgrind misses (another CPU fingerprint) and hands over to
# wasmrt-dynamic, after hashing the module and looking it up: those parts.
profile run --cache-dir "$work/cache" "$hello" a
profile validate "$src/examples/hello.wat"
# Every function named in the profiles, in order of first appearance.
for i in $(seq 1 $n); do
  sed -n 's/^c\{0,1\}fn=([0-9]*) \([^ ]*\).*/\1/p' "$work/cg.$i"
done | grep -v '^0x\|^(' | awk '!seen[$0]++' > "$src/tools/wasmrt/startup-order.txt"
wc -l "$src/tools/wasmrt/startup-order.txt"
