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

# Start-up of a whole `wasmrt run` is part of the product (a precompiled hello
# world runs in about a millisecond, docs/PERFORMANCE.md): loading and
# relocating libstdc++.so alone costs ~0.7 ms per process. So executables link
# libstdc++ and libgcc statically, fmt header-only, and libuv and nettle from
# their static archives; only glibc stays shared (dlopen of the compiler plugin
# needs it). The plugin, which loads libLLVM and with it libstdc++.so, never
# exchanges anything with the executable that depends on one copy of the C++
# runtime: no exceptions cross the seam, memory goes back to malloc either way.
# Off for sanitizer builds, whose runtimes expect a shared C++ runtime.
if(WASMRT_SANITIZE OR WASMRT_BUILD_FUZZERS)
  set(wasmrt_static_default OFF)
else()
  set(wasmrt_static_default ON)
endif()
option(WASMRT_STATIC_DEPS "Link the C++ runtime, fmt, libuv and nettle statically into executables"
       ${wasmrt_static_default})
add_library(wasmrt_fmt INTERFACE)
add_library(wasmrt_libuv INTERFACE)
add_library(wasmrt_nettle INTERFACE)
if(WASMRT_STATIC_DEPS)
  target_link_libraries(wasmrt_fmt INTERFACE fmt::fmt-header-only)
  find_library(WASMRT_LIBUV_ARCHIVE NAMES libuv_a.a libuv.a HINTS ${LIBUV_LIBRARY_DIRS})
  find_library(WASMRT_NETTLE_ARCHIVE NAMES libnettle.a HINTS ${NETTLE_LIBRARY_DIRS})
  if(NOT WASMRT_LIBUV_ARCHIVE OR NOT WASMRT_NETTLE_ARCHIVE)
    message(FATAL_ERROR "WASMRT_STATIC_DEPS: libuv_a.a or libnettle.a not found "
                        "(libuv1-dev, nettle-dev); configure with -DWASMRT_STATIC_DEPS=OFF")
  endif()
  target_include_directories(wasmrt_libuv SYSTEM INTERFACE ${LIBUV_INCLUDE_DIRS})
  target_link_libraries(wasmrt_libuv INTERFACE ${WASMRT_LIBUV_ARCHIVE} pthread dl rt)
  target_include_directories(wasmrt_nettle SYSTEM INTERFACE ${NETTLE_INCLUDE_DIRS})
  target_link_libraries(wasmrt_nettle INTERFACE ${WASMRT_NETTLE_ARCHIVE})
else()
  target_link_libraries(wasmrt_fmt INTERFACE fmt::fmt)
  target_link_libraries(wasmrt_libuv INTERFACE PkgConfig::LIBUV)
  target_link_libraries(wasmrt_nettle INTERFACE PkgConfig::NETTLE)
endif()

if(WASMRT_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED CONFIG)
endif()
if(WASMRT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED CONFIG)
endif()

# Tools used only to produce test inputs; their absence disables those tests.
find_program(WASMRT_WASM_CLANG NAMES clang-19 PATHS /usr/lib/llvm-19/bin)
find_program(WASMRT_WAT2WASM NAMES wat2wasm)
