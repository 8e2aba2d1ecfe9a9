#!/usr/bin/env bash
# Installs every Debian 12 package wasmrt needs to build and test.
# Run as root (or through sudo). See docs/DEPENDENCIES.md for why each is needed.
set -euo pipefail
# Root runs apt-get directly (a fresh container has no sudo); anyone else
# through sudo.
if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  cmake ninja-build pkg-config g++ \
  clang-19 lld-19 llvm-19-dev libclang-rt-19-dev libclang-rt-19-dev-wasm32 wasi-libc \
  libzstd-dev zlib1g-dev libuv1-dev libfmt-dev libxxhash-dev nettle-dev catch2 libbenchmark-dev \
  wabt binaryen python3 nlohmann-json3-dev
# The containerd end-to-end test and density bench (test/containerd,
# bench/containerd, docs/KUBERNETES.md): containerd and runc to run containers,
# busybox-static for the busybox image, Debian's gRPC for the CRI client.
apt-get install -y --no-install-recommends \
  containerd runc busybox-static python3-grpcio python3-grpc-tools
