# LLVM for cross builds (WASMRT_LLVM_CROSS, set by cmake/toolchains/*.cmake): Debian's
# llvm-19-dev cannot be co-installed for two architectures, so this defines by hand what
# find_package(LLVM) would: the imported target LLVM on the target's shared libLLVM
# (package libllvm19:<arch>), LLVM_INCLUDE_DIRS and LLVM_DEFINITIONS.
#
# The build host's LLVM headers are used for the target. They are identical across
# architectures except llvm/Config/llvm-config.h (host triple and native-target
# initialisers), so an overlay of that one header, generated here from the host's copy,
# goes first on the include path.
set(WASMRT_LLVM_CROSS_HEADERS "/usr/lib/llvm-19/include" CACHE PATH
    "LLVM 19 headers of the build host (llvm-19-dev)")
set(WASMRT_LLVM_CROSS_TRIPLE "" CACHE STRING "LLVM triple of the cross target")
set(WASMRT_LLVM_CROSS_ARCH "" CACHE STRING "LLVM target name of the cross target (AArch64)")
if(NOT WASMRT_LLVM_CROSS_TRIPLE OR NOT WASMRT_LLVM_CROSS_ARCH)
  message(FATAL_ERROR "WASMRT_LLVM_CROSS needs WASMRT_LLVM_CROSS_TRIPLE and "
                      "WASMRT_LLVM_CROSS_ARCH (set by the toolchain file)")
endif()

set(host_config "${WASMRT_LLVM_CROSS_HEADERS}/llvm/Config/llvm-config.h")
if(NOT EXISTS "${host_config}")
  message(FATAL_ERROR "No LLVM headers at ${WASMRT_LLVM_CROSS_HEADERS} (install llvm-19-dev)")
endif()
file(READ "${host_config}" config)
string(REGEX MATCH "#define LLVM_VERSION_STRING \"([^\"]*)\"" _ "${config}")
set(LLVM_PACKAGE_VERSION "${CMAKE_MATCH_1}")
string(REGEX MATCH "#define LLVM_NATIVE_ARCH ([A-Za-z0-9_]+)" _ "${config}")
set(host_arch "${CMAKE_MATCH_1}")
string(REGEX MATCH "#define LLVM_HOST_TRIPLE \"([^\"]*)\"" _ "${config}")
set(host_triple "${CMAKE_MATCH_1}")
if(NOT LLVM_PACKAGE_VERSION MATCHES "^19\\.1\\." OR NOT host_arch OR NOT host_triple)
  message(FATAL_ERROR "${host_config}: not an LLVM 19.1 llvm-config.h (version "
                      "'${LLVM_PACKAGE_VERSION}', native arch '${host_arch}')")
endif()
string(REPLACE "\"${host_triple}\"" "\"${WASMRT_LLVM_CROSS_TRIPLE}\"" config "${config}")
string(REPLACE "#define LLVM_NATIVE_ARCH ${host_arch}\n"
               "#define LLVM_NATIVE_ARCH ${WASMRT_LLVM_CROSS_ARCH}\n" config "${config}")
string(REPLACE "LLVMInitialize${host_arch}" "LLVMInitialize${WASMRT_LLVM_CROSS_ARCH}"
               config "${config}")
string(TOUPPER "${WASMRT_LLVM_CROSS_ARCH}" arch_upper)
if(NOT config MATCHES "#define LLVM_HAS_${arch_upper}_TARGET 1")
  message(FATAL_ERROR "The host LLVM was built without the ${WASMRT_LLVM_CROSS_ARCH} target")
endif()
set(overlay "${CMAKE_BINARY_DIR}/llvm-cross-overlay")
file(CONFIGURE OUTPUT "${overlay}/llvm/Config/llvm-config.h" CONTENT "${config}" @ONLY)

# The target's libLLVM: only the multiarch directory, never the host's
# /usr/lib/llvm-19/lib (which holds the x86-64 one).
find_library(WASMRT_LLVM_CROSS_LIBRARY NAMES libLLVM.so.19.1 LLVM-19
  PATHS "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}" NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
if(NOT WASMRT_LLVM_CROSS_LIBRARY)
  message(FATAL_ERROR "No libLLVM.so.19.1 in /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} "
                      "(install libllvm19:<arch> of the same version as llvm-19-dev)")
endif()
add_library(LLVM SHARED IMPORTED)
set_target_properties(LLVM PROPERTIES
  IMPORTED_LOCATION "${WASMRT_LLVM_CROSS_LIBRARY}"
  IMPORTED_SONAME "libLLVM.so.19.1")

set(LLVM_INCLUDE_DIRS "${overlay}" "${WASMRT_LLVM_CROSS_HEADERS}")
# What Debian's LLVMConfig.cmake puts in LLVM_DEFINITIONS.
set(LLVM_DEFINITIONS
  "-D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS -D__STDC_LIMIT_MACROS")
set(LLVM_DIR "${WASMRT_LLVM_CROSS_HEADERS} + ${overlay} + ${WASMRT_LLVM_CROSS_LIBRARY}")
