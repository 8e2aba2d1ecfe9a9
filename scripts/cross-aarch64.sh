#!/usr/bin/env bash
# Cross-compiles wasmrt for aarch64 Linux on a Debian 12 x86-64 host and runs a smoke
# test of the result under qemu-aarch64. See docs/CROSS-COMPILING.md.
#
#   scripts/cross-aarch64.sh [--no-install] [--no-smoke] [--build-dir DIR] [-j N] [--target T]...
#
# Steps (each idempotent, safe to re-run):
#   1. install the host + arm64 packages (needs root; skip with --no-install),
#   2. configure DIR (default build-aarch64) with cmake/toolchains/aarch64-linux-gnu.cmake,
#      which generates the aarch64 llvm/Config/llvm-config.h overlay at configure time,
#   3. build everything except the benchmarks (or only the --target targets, as
#      scripts/ci-aarch64.sh does to keep CI's build short),
#   4. smoke test under qemu-aarch64: --version, validate, and a few core-2.0 spec scripts
#      in guarded and --bounds-checks modes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-aarch64"
jobs=2
install=1
smoke=1
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-install) install=0 ;;
    --no-smoke) smoke=0 ;;
    --build-dir) build="$(realpath -m "$2")"; shift ;;
    -j) jobs="$2"; shift ;;
    -j*) jobs="${1#-j}" ;;
    --target) targets+=("$2"); shift ;;
    *) echo "usage: $0 [--no-install] [--no-smoke] [--build-dir DIR] [-j N] [--target T]..." >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n== %s\n' "$*"; }

# ---- 1. packages ------------------------------------------------------------------------
install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64
  fi
  "${sudo[@]}" apt-get update
  # Host tools (same as scripts/install-deps.sh) + the cross toolchain, qemu and the
  # arm64 libraries wasmrt links. The amd64 llvm-19-dev supplies the LLVM headers; the
  # arm64 libLLVM must be the very same LLVM version, so pin it to the amd64 one.
  "${sudo[@]}" apt-get install -y --no-install-recommends \
    cmake ninja-build pkg-config g++ clang-19 lld-19 llvm-19-dev \
    libclang-rt-19-dev-wasm32 wasi-libc libzstd-dev zlib1g-dev libuv1-dev libfmt-dev \
    libxxhash-dev nettle-dev catch2 wabt \
    g++-aarch64-linux-gnu qemu-user
  local llvm_version
  llvm_version="$(dpkg-query -W -f='${Version}' llvm-19-dev)"
  "${sudo[@]}" apt-get install -y --no-install-recommends \
    "libllvm19:arm64=$llvm_version" libuv1-dev:arm64 libfmt-dev:arm64 nettle-dev:arm64 libc6:arm64
}

# ---- 2./3. configure and build ----------------------------------------------------------
configure_and_build() {
  # WERROR on, as in CI: warnings that only the aarch64 compiler reports fail the build.
  # A native wasmrt (the x86-64 build next to this one, if there is one)
  # compiles `--target aarch64` artifacts for the cli/aot-cross-target test.
  local host_wasmrt="${WASMRT_HOST_WASMRT:-$root/build/tools/wasmrt/wasmrt}"
  local host_option=()
  [[ -x "$host_wasmrt" ]] && host_option=(-DWASMRT_HOST_WASMRT="$host_wasmrt")
  # A compiler launcher from the environment (CMAKE_CXX_COMPILER_LAUNCHER=ccache
  # scripts/cross-aarch64.sh ...), as CMake itself would take it on a first configure;
  # passed explicitly so a re-configure of an existing build directory picks it up too.
  local launcher_options=() language
  for language in C CXX; do
    local variable="CMAKE_${language}_COMPILER_LAUNCHER"
    [[ -n "${!variable:-}" ]] && launcher_options+=("-D$variable=${!variable}")
  done
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" \
    -DWASMRT_WERROR=ON -DWASMRT_BUILD_BENCHMARKS=OFF "${host_option[@]}" "${launcher_options[@]}"
  local start=$SECONDS
  ninja -C "$build" -j "$jobs" "${targets[@]}"
  echo "build time: $((SECONDS - start)) s (-j $jobs)"
}

# ---- 4. smoke test under qemu -----------------------------------------------------------
# The multiarch libc6:arm64 (not -L /usr/aarch64-linux-gnu): see the toolchain file.
emu=(qemu-aarch64)
failures=0
run() {
  local expect="$1"; shift
  printf '$ %s\n' "$*"
  local start=$SECONDS rc=0 log
  log="$(mktemp)"
  timeout 600 "${emu[@]}" "$@" >"$log" 2>&1 || rc=$?
  tail -n 5 "$log"
  rm -f "$log"
  if [[ "$rc" -ne "$expect" ]]; then
    echo "FAILED: exit code $rc, expected $expect ($((SECONDS - start)) s)"
    failures=$((failures + 1))
  else
    echo "ok ($((SECONDS - start)) s)"
  fi
}

smoke() {
  local wasmrt="$build/tools/wasmrt/wasmrt"
  aarch64-linux-gnu-readelf -h "$wasmrt" | grep -q 'Machine:.*AArch64' ||
    { echo "$wasmrt is not an aarch64 binary" >&2; exit 1; }
  run 0 "$wasmrt" --version
  run 0 "$wasmrt" validate "$root/examples/hello.wat"
  # An artifact compiled on this x86-64 host for aarch64 runs on the cross-built
  # runtime (docs/AOT.md): no compiler involved under qemu.
  local host_wasmrt="${WASMRT_HOST_WASMRT:-$root/build/tools/wasmrt/wasmrt}"
  local hello="$root/build/test/programs/hello_O2.wasm"
  if [[ -x "$host_wasmrt" && -f "$hello" ]]; then
    local artifact
    artifact="$(mktemp --suffix=.cwasm)"
    "$host_wasmrt" compile --target aarch64 "$hello" -o "$artifact"
    run 0 "$wasmrt" run "$artifact"
    rm -f "$artifact"
  else
    echo "WARNING: no native wasmrt at $host_wasmrt (set WASMRT_HOST_WASMRT): aarch64 artifact smoke skipped"
  fi
  local suite="${WASMRT_TESTSUITE_DIR:-$root/../shared/wasm-testsuite}/core-2.0"
  if [[ ! -d "$suite" ]]; then
    echo "WARNING: no spec test suite at $suite (set WASMRT_TESTSUITE_DIR): spec smoke skipped"
    return
  fi
  # Small scripts, few memories each: qemu keeps ~50 MB per 8 GiB guarded reservation.
  local script
  for script in i32 f64 br_table call_indirect memory_trap; do
    run 0 "$wasmrt" wast "$suite/$script.wast"
    run 0 "$wasmrt" wast --bounds-checks "$suite/$script.wast"
  done
}

if [[ $install -eq 1 ]]; then step "installing packages"; install_packages; fi
step "configuring and building $build"
configure_and_build
if [[ $smoke -eq 1 ]]; then
  step "smoke test under qemu-aarch64"
  smoke
  if [[ $failures -ne 0 ]]; then echo "$failures smoke step(s) failed"; exit 1; fi
  echo "smoke test passed"
fi
