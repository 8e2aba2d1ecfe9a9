# Checks what the compiler plugin (PLUGIN) exports: its factory, and nothing
# else of its own. Everything from wasmrt_compiler, LLVM's headers and the
# layers below is hidden, so that it cannot interpose on (or be interposed
# by) the copies of those layers in the process that loads it. Instantiations
# of libstdc++'s templates are the exception the toolchain makes: libstdc++
# declares namespace std with default visibility (none with GCC 12 here); and
# the linker's own _end, _edata and __bss_start.
execute_process(COMMAND ${READELF} --dyn-syms --wide ${PLUGIN}
  RESULT_VARIABLE status OUTPUT_VARIABLE symbols ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${READELF} --dyn-syms ${PLUGIN} failed: ${err}")
endif()
string(REPLACE "\n" ";" lines "${symbols}")
set(factory FALSE)
set(unexpected "")
foreach(line IN LISTS lines)
  # Defined (not UND), global or weak symbols with default visibility.
  if(NOT line MATCHES "^ *[0-9]+: [0-9a-f]+ +[0-9]+ [A-Z_]+ +(GLOBAL|WEAK) +DEFAULT +([0-9]+|ABS) +([^ ]+)")
    continue()
  endif()
  set(name "${CMAKE_MATCH_3}")
  if(name STREQUAL "wasmrt_compiler_backend_v1")
    set(factory TRUE)
  elseif(name MATCHES "^(_end|_edata|__bss_start)$")
    continue()
  elseif(NOT name MATCHES "^_ZN?K?St|^_ZNSt|^_ZNKSt|^_ZSt|^_ZTSSt|^_ZTISt|^_ZTVNSt|^_ZTSNSt|^_ZTINSt|^_ZGVZNSt")
    list(APPEND unexpected "${name}")
  endif()
endforeach()
if(NOT factory)
  message(FATAL_ERROR "${PLUGIN} does not export wasmrt_compiler_backend_v1")
endif()
if(unexpected)
  list(JOIN unexpected "\n  " shown)
  message(FATAL_ERROR "${PLUGIN} exports symbols other than its factory:\n  ${shown}")
endif()
message(STATUS "ok: ${PLUGIN} exports wasmrt_compiler_backend_v1 (and no other wasmrt symbol)")
