// libwasmrt-compiler.so: the compiler as a plugin (see Compiler.h). Only this
// file's factory is exported; everything else in the library (wasmrt_compiler
// and the layers below it, linked in statically) is hidden, so the plugin
// cannot clash with the copies of those layers in the process that loads it.
#include "compiler/Compiler.h"

#include <cstring>

// Set by lib/compiler/CMakeLists.txt, as for lib/loader.
#ifndef WASMRT_COMPILER_INTERFACE_ID
#error "WASMRT_COMPILER_INTERFACE_ID must be defined"
#endif

extern "C" __attribute__((visibility("default"))) wasmrt::internal::CompilerBackend *
wasmrt_compiler_backend_v1(const char *interfaceId, const char **pluginInterfaceId) {
  if (pluginInterfaceId)
    *pluginInterfaceId = WASMRT_COMPILER_INTERFACE_ID;
  // A loader built from other sources would pass types laid out differently.
  if (!interfaceId || std::strcmp(interfaceId, WASMRT_COMPILER_INTERFACE_ID) != 0)
    return nullptr;
  return wasmrt::internal::createCompilerBackend().release();
}
