#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a given time.
#   scripts/fuzz.sh [--build-dir DIR] [--seconds N] TARGET [-- LIBFUZZER_ARGS...]
# TARGET is decode_validate or wat_parser. The corpus grows in DIR/corpus-TARGET,
# seeded from test/fuzz/seeds; crashes are written to DIR/artifacts-TARGET/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$root/build-fuzz"
seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
target=${1:?usage: scripts/fuzz.sh [--build-dir DIR] [--seconds N] TARGET}
shift
[ "${1:-}" = "--" ] && shift
case "$target" in
  decode_validate) seeds="$root/test/fuzz/seeds/wasm" ;;
  wat_parser) seeds="$root/test/fuzz/seeds/wat" ;;
  *) echo "unknown fuzz target '$target' (decode_validate, wat_parser)" >&2; exit 2 ;;
esac
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DWASMRT_BUILD_FUZZERS=ON -DWASMRT_BUILD_TESTS=OFF -DWASMRT_BUILD_BENCHMARKS=OFF
fi
cmake --build "$build_dir" --target "fuzz_$target"

corpus="$build_dir/corpus-$target"
artifacts="$build_dir/artifacts-$target"
mkdir -p "$corpus" "$artifacts"
cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
# -rss_limit_mb bounds memory per input; -timeout flags hangs (> 10 s per input).
"$build_dir/test/fuzz/fuzz_$target" "$corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
