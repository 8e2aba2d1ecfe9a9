# Checks the compiler plugin's search order (lib/loader/CompilerLoader.h) with
# hard links of the CLI and the plugin in WORKDIR, in the layouts a
# relocatable unpacked tree and an install produce:
#   1. $WASMRT_COMPILER_LIBRARY, 2. next to the executable,
#   3. <exe dir>/../lib/wasmrt/, 4. the build tree (the build's own layout).
# Each case runs `wasmrt run MODULE` under LD_DEBUG=files and checks which copy
# of the plugin was loaded. Inputs: WASMRT, PLUGIN, MODULE, WORKDIR, EMULATOR,
# and WASMRT_DYNAMIC when WASMRT is the static front end (tools/wasmrt/Delegate.h):
# then wasmrt-dynamic is linked next to it, and it is the one that loads the plugin.
# The code cache off: a hit would run without loading the compiler at all.
set(ENV{WASMRT_CACHE} off)
file(REMOVE_RECURSE "${WORKDIR}")
set(prefix "${WORKDIR}/prefix")
file(MAKE_DIRECTORY "${prefix}/bin" "${prefix}/lib/wasmrt" "${WORKDIR}/elsewhere")
set(links "${prefix}/bin/wasmrt" "${prefix}/bin/libwasmrt-compiler.so"
          "${prefix}/lib/wasmrt/libwasmrt-compiler.so" "${WORKDIR}/elsewhere/custom.so")
if(WASMRT_DYNAMIC)
  list(APPEND links "${prefix}/bin/wasmrt-dynamic")
endif()
foreach(link IN LISTS links)
  if(link MATCHES "wasmrt-dynamic$")
    set(original "${WASMRT_DYNAMIC}")
  elseif(link MATCHES "wasmrt$")
    set(original "${WASMRT}")
  else()
    set(original "${PLUGIN}")
  endif()
  file(CREATE_LINK "${original}" "${link}" COPY_ON_ERROR)
endforeach()

# expect_plugin(NAME EXPECTED_PATH [ENV...]): runs the linked CLI, checks the
# plugin was loaded from EXPECTED_PATH and the module ran.
function(expect_plugin name expected)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_DEBUG=files ${ARGN}
                          ${EMULATOR} "${prefix}/bin/wasmrt" run --invoke answer "${MODULE}"
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "file=[^ \t\n]*libwasmrt-compiler[^ \t\n]*|file=[^ \t\n]*custom.so"
         loads "${err}")
  list(REMOVE_DUPLICATES loads)
  if(NOT status EQUAL 0 OR NOT out MATCHES "^42\n")
    message(FATAL_ERROR "${name}: exit status ${status}, output '${out}'")
  endif()
  if(NOT loads STREQUAL "file=${expected}")
    message(FATAL_ERROR "${name}: loaded '${loads}', expected file=${expected}")
  endif()
  message(STATUS "ok: ${name}: ${expected}")
endfunction()

expect_plugin("WASMRT_COMPILER_LIBRARY first" "${WORKDIR}/elsewhere/custom.so"
  "WASMRT_COMPILER_LIBRARY=${WORKDIR}/elsewhere/custom.so")
expect_plugin("next to the executable" "${prefix}/bin/libwasmrt-compiler.so")
file(REMOVE "${prefix}/bin/libwasmrt-compiler.so")
expect_plugin("<exe dir>/../lib/wasmrt" "${prefix}/lib/wasmrt/libwasmrt-compiler.so")
file(REMOVE "${prefix}/lib/wasmrt/libwasmrt-compiler.so")
expect_plugin("the build tree" "${PLUGIN}")
file(REMOVE_RECURSE "${WORKDIR}")
