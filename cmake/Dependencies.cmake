# The whole dependency set, fixed from day one (see docs/DEPENDENCIES.md).
find_package(LLVM 19.1 REQUIRED CONFIG)
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")
find_package(fmt 9 REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv>=1.44)
if(WASMRT_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED CONFIG)
endif()
if(WASMRT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED CONFIG)
endif()

# Tools used only to produce test inputs; their absence disables those tests.
find_program(WASMRT_WASM_CLANG NAMES clang-19 PATHS /usr/lib/llvm-19/bin)
find_program(WASMRT_WAT2WASM NAMES wat2wasm)
