# Cross-compiles wasmrt for aarch64 Linux on a Debian 12 x86-64 host, with Debian's
# multiarch arm64 packages and qemu-user to run the results. See docs/CROSS-COMPILING.md
# (scripts/cross-aarch64.sh installs the packages and drives the whole build).
#
#   cmake -S . -B build-aarch64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#     -DWASMRT_LLVM_CROSS_CONFIG_DIR=<dir holding llvm/Config/llvm-config.h for aarch64>
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Test discovery (catch_discover_tests), ctest and the spec tests run the aarch64
# binaries through qemu-user; there is no binfmt registration on these machines.
# No "-L /usr/aarch64-linux-gnu": the multiarch libc6:arm64 provides
# /lib/ld-linux-aarch64.so.1, and with the cross toolchain's libc
# (libc6-arm64-cross 2.36-8cross1) instead, qemu 7.2 spins forever in pthread_create
# and in waitpid for a child killed by a signal (docs/CROSS-COMPILING.md).
find_program(WASMRT_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${WASMRT_QEMU_AARCH64}")

# Debian multiarch: target libraries live in /usr/lib/aarch64-linux-gnu (and the cross
# libc in /usr/aarch64-linux-gnu), headers are shared in /usr/include. The host root
# must stay searchable for packages (fmt's arm64 config is under
# /usr/lib/aarch64-linux-gnu/cmake, Catch2's arch-independent one under /usr/lib/cmake);
# CMAKE_LIBRARY_ARCHITECTURE makes find_library/find_package prefer the aarch64 dirs.
# Programs (clang-19, wat2wasm, pkg-config) are always the host's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config (libuv) must read the arm64 .pc files, never the amd64 ones.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# LLVM: llvm-19-dev:arm64 cannot be co-installed with the amd64 one, so
# cmake/Dependencies.cmake's cross branch uses the amd64 headers, an aarch64
# llvm-config.h overlay and the arm64 libLLVM.so.19.1 (package libllvm19:arm64).
set(WASMRT_LLVM_CROSS ON CACHE BOOL "Use the cross LLVM set-up (headers + overlay + arm64 libLLVM)")
set(WASMRT_LLVM_CROSS_TRIPLE aarch64-unknown-linux-gnu CACHE STRING "")
set(WASMRT_LLVM_CROSS_ARCH AArch64 CACHE STRING "LLVM target name of the cross target")
