# The whole dependency set, fixed from day one (see docs/DEPENDENCIES.md).
option(WASMRT_LLVM_CROSS "Cross build: LLVM from host headers + the target's libLLVM (set by cmake/toolchains/*)" OFF)
if(WASMRT_LLVM_CROSS)
  include(${CMAKE_CURRENT_LIST_DIR}/LLVMCross.cmake) # see docs/CROSS-COMPILING.md
else()
  find_package(LLVM 19.1 REQUIRED CONFIG)
endif()
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")
find_package(fmt 9 REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv>=1.44)
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle>=3.7) # code cache keys (SHA-256)
if(WASMRT_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED CONFIG)
endif()
if(WASMRT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED CONFIG)
endif()

# Tools used only to produce test inputs; their absence disables those tests.
find_program(WASMRT_WASM_CLANG NAMES clang-19 PATHS /usr/lib/llvm-19/bin)
find_program(WASMRT_WAT2WASM NAMES wat2wasm)
