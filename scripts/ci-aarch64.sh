#!/usr/bin/env bash
# CI's ARM64 step: cross-builds the parts of wasmrt a test subset needs for aarch64
# and runs that subset under qemu-aarch64 with CTest. The subset covers every layer
# (docs/CROSS-COMPILING.md, "What CI runs for ARM64"), fits CI's time budget and exits
# non-zero on any failure: a failed assertion or check, a crash, or a hang (every test
# has a CTest timeout).
#
#   scripts/ci-aarch64.sh [--no-install] [--build-dir DIR] [-j N] [--list]
#
# Needs, besides the packages scripts/cross-aarch64.sh installs:
#   - a native x86-64 build in ./build (or WASMRT_HOST_WASMRT=path/to/wasmrt) with its
#     compiler plugin: it compiles the `--target aarch64` artifact that the aarch64
#     wasmrt must run (cli/aot-target);
#   - the spec test suite in $WASMRT_TESTSUITE_DIR or ../shared/wasm-testsuite.
# --list configures (no build) and prints the tests the subset selects.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-aarch64"
jobs=2
install=1
list=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-install) install=0 ;;
    --build-dir) build="$(realpath -m "$2")"; shift ;;
    -j) jobs="$2"; shift ;;
    -j*) jobs="${1#-j}" ;;
    --list) list=1 ;;
    *) echo "usage: $0 [--no-install] [--build-dir DIR] [-j N] [--list]" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "ci-aarch64: $*" >&2; exit 1; }

# ---- what the subset needs ------------------------------------------------------------
# Build targets: the CLI and the compiler plugin it loads, the wasm32-wasi programs
# (compiled by the host's clang), the C++ API examples and the small test binaries
# below. Not the other Catch2 test binaries: each costs minutes of cross-compiling
# and their layers are covered by the spec scripts (see the docs).
targets=(
  wasmrt wasmrt_compiler_plugin wasm_programs wasi_programs
  example_hello example_host_memory example_call_exports example_many_instances
  example_timeout example_wasi
  layering_runtime_only
  test_runtime
)
# CTest selection: each group is there for a layer (docs/CROSS-COMPILING.md, "What CI
# runs for ARM64"). The spec scripts are the 90 core-2.0 files and a SIMD sample, in
# both memory modes.
simd='simd_(address|load|store|lane|load8_lane|store8_lane|i16x8_q15mulr_sat_s|conversions|f32x4)'
groups=(
  '^spec/core-2\.0/[^/]+$'           # text, binary, validation, JIT, traps: guarded, lazy
  '^spec-bounds/core-2\.0/[^/]+$'    # the same with explicit bounds checks, eager
  "^spec/core-2\.0/simd/$simd\$"     # NEON lowerings, SIMD memory accesses and traps
  "^spec-bounds/core-2\.0/simd/$simd\$"
  '^cli/'                             # the CLI, incl. limits, tiers, artifacts, the cache
  '^cli/aot-target$'                  # a --target aarch64 artifact compiled on x86-64
  '^wasi-programs/'                   # WASI on real C programs
  '^example_embedding_'               # the C++ embedding API
  '^layering/'                        # the compiler plugin loaded (or not) on aarch64
  '^test_runtime:'                    # linear memories, guard pages, the trap handler
)
# Left out for time (each minutes under qemu; natively they all run in CI): the cache
# tests that AOT-compile under qemu several times (cli/aot-artifact, aot-concurrent
# and aot-target stay), the C programs in every tier (the tiers stay on small modules), and WASI
# programs that differ from those kept only in arguments or optimisation level.
excluded=(
  '^cli/aot-(cache|damaged-cache|no-llvm)$'
  '^cli/run-tier-.*-program$'
  '^wasi-programs/(args-env-shorthand|exit-(zero|return|abort)|readonly-suffix)$'
  '^wasi-programs/programs-(hello-O0|compute.*|files)$'
)
exclude="$(IFS='|'; echo "${excluded[*]}")"
regex="$(IFS='|'; echo "${groups[*]}")"

# ---- preconditions --------------------------------------------------------------------
host_wasmrt="${WASMRT_HOST_WASMRT:-$root/build/tools/wasmrt/wasmrt}"
[[ -x "$host_wasmrt" ]] ||
  fail "no native wasmrt at $host_wasmrt: build ./build first (or set WASMRT_HOST_WASMRT)"
suite="${WASMRT_TESTSUITE_DIR:-$root/../shared/wasm-testsuite}"
[[ -d "$suite/core-2.0" ]] ||
  fail "no spec test suite at $suite (set WASMRT_TESTSUITE_DIR)"
export WASMRT_HOST_WASMRT="$host_wasmrt" WASMRT_TESTSUITE_DIR="$(realpath "$suite")"

# ---- build ----------------------------------------------------------------------------
options=(--build-dir "$build" -j "$jobs" --no-smoke)
[[ $install -eq 1 ]] || options+=(--no-install)
if [[ $list -eq 1 ]]; then
  options+=(--target build.ninja) # configure only
else
  for target in "${targets[@]}"; do options+=(--target "$target"); done
fi
"$root/scripts/cross-aarch64.sh" "${options[@]}"

# Every group must select something: a missing suite or a renamed test would
# otherwise make the step pass without running what it is there to run.
for group in "${groups[@]}"; do
  count="$(ctest --test-dir "$build" -N -R "$group" -E "$exclude" | sed -n 's/^Total Tests: //p')"
  [[ "${count:-0}" -gt 0 ]] || fail "no test matches '$group' in $build"
  printf '%-28s %4d tests\n' "$group" "$count"
done
if [[ $list -eq 1 ]]; then
  ctest --test-dir "$build" -N -R "$regex" -E "$exclude"
  exit 0
fi

# ---- run ------------------------------------------------------------------------------
printf '\n== running the aarch64 subset under qemu-aarch64 (-j %s)\n' "$jobs"
start=$SECONDS
status=0
ctest --test-dir "$build" -R "$regex" -E "$exclude" -j "$jobs" \
  --output-on-failure --no-tests=error || status=$?
# The spec scripts' own count lines, added up (CTest logs every test's output under
# a "N/M Test: NAME" line; other tests print count lines too, some on purpose failing).
awk '/^[0-9]+\/[0-9]+ Test: / {spec = ($3 ~ /^spec/)}
     spec && /^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {p += $1; f += $3; s += $5; n++}
     END {printf "spec assertions: %d passed, %d failed, %d skipped (%d scripts)\n", p, f, s, n}' \
  "$build/Testing/Temporary/LastTest.log"
echo "aarch64 subset: $((SECONDS - start)) s, ctest exit status $status"
exit "$status"
