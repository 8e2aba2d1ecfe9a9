#!/usr/bin/env bash
# Builds what the containerd end-to-end test needs and runs it, or the density
# benchmark (docs/KUBERNETES.md, docs/PERFORMANCE.md). Needs root, containerd,
# runc, busybox-static, python3-grpcio and python3-grpc-tools
# (scripts/install-deps.sh).
#
# Usage: scripts/containerd-e2e.sh [--build-dir DIR] [--runtime PATH] [ARGS...]
#        scripts/containerd-e2e.sh [--build-dir DIR] --bench [-n N] [ARGS...]
#   --build-dir DIR  the CMake build directory (default: build)
#   --runtime PATH   the runtime binary to test instead of DIR/tools/wasmrt-oci/wasmrt-oci
#   --bench          run bench/containerd/density.py instead of the test
#   ARGS             passed on (e2e.py: --only CASES, --keep; density.py: -n N, --json FILE)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
runtime=""
bench=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || { echo "--build-dir needs a directory" >&2; exit 2; }
                 build=$2; shift 2 ;;
    --runtime) [ $# -ge 2 ] || { echo "--runtime needs a path" >&2; exit 2; }
               runtime=$2; shift 2 ;;
    --bench) bench=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done

[ -f "$build/build.ninja" ] || [ -f "$build/Makefile" ] ||
  { echo "$build is not a configured build directory (cmake -S . -B $build -G Ninja)" >&2; exit 2; }
# -j2: the e2e machines are small and shared.
targets=(wasmrt containerd_e2e_wasm http_hello_wasm)
if [ -z "$runtime" ]; then
  targets+=(wasmrt-oci)
  runtime=$build/tools/wasmrt-oci/wasmrt-oci
fi
cmake --build "$build" -j2 --target "${targets[@]}"

# Debian's python3 (its gRPC packages), not a python3 that may come first on PATH.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
programs=$build/test/containerd
if [ "$bench" = 1 ]; then
  exec "$python" bench/containerd/density.py --wasmrt-oci "$runtime" \
    --pause "$programs/pause" --idle-wasm "$programs/idle_service.wasm" "$@"
fi
exec "$python" test/containerd/e2e.py --wasmrt-oci="$runtime" --pause "$programs/pause" \
  --app-wasm "$programs/e2e_app.wasm" \
  --http-hello "$build/examples/http-hello/http-hello.wasm" "$@"
