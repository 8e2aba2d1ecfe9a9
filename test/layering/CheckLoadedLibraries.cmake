# Checks which shared libraries a program needs and loads.
#   READELF, BINARY: BINARY's NEEDED entries must match none of NEEDED_FORBIDDEN (regex).
#   COMMAND (a ;-list, optional), run with LD_DEBUG=files (the dynamic loader
#     then reports every library it loads, dlopened ones included) behind
#     EMULATOR (optional), with the environment variable ENV (NAME=VALUE,
#     optional) set: it must exit with EXPECTED_STATUS (default 0), load
#     none matching LOADED_FORBIDDEN and, if given, one matching LOADED_EXPECTED
#     (the positive control that LD_DEBUG reports loads at all), and its output
#     must match EXPECTED_OUTPUT if given.
# The code cache off: a hit would run without loading the compiler at all.
set(ENV{WASMRT_CACHE} off)
execute_process(COMMAND ${READELF} -d ${BINARY} RESULT_VARIABLE status OUTPUT_VARIABLE dynamic
  ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${READELF} -d ${BINARY} failed: ${err}")
endif()
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed "${dynamic}")
message(STATUS "${BINARY}:\n  ${needed}")
foreach(entry IN LISTS needed)
  if(entry MATCHES "${NEEDED_FORBIDDEN}")
    message(FATAL_ERROR "${BINARY} needs a library it must not: ${entry}")
  endif()
endforeach()
if(NOT COMMAND)
  return()
endif()
if(NOT DEFINED EXPECTED_STATUS)
  set(EXPECTED_STATUS 0)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_DEBUG=files ${ENV} ${EMULATOR} ${COMMAND}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "file=[^ \t\n]+" loads "${err}")
list(REMOVE_DUPLICATES loads)
# The program's own output, without LD_DEBUG's lines ("<pid>:<tab>...").
string(REGEX REPLACE "(^|\n) *[0-9]+:\t[^\n]*" "" output "${out}${err}")
if(NOT status STREQUAL EXPECTED_STATUS)
  message(FATAL_ERROR "${COMMAND}: exit status ${status}, expected ${EXPECTED_STATUS}\n${output}")
endif()
if(DEFINED EXPECTED_OUTPUT AND NOT output MATCHES "${EXPECTED_OUTPUT}")
  message(FATAL_ERROR "output does not match '${EXPECTED_OUTPUT}':\n${output}")
endif()
set(expected_seen FALSE)
foreach(load IN LISTS loads)
  if(LOADED_FORBIDDEN AND load MATCHES "${LOADED_FORBIDDEN}")
    message(FATAL_ERROR "${COMMAND} loaded ${load}; it must not\nall loads: ${loads}")
  endif()
  if(LOADED_EXPECTED AND load MATCHES "${LOADED_EXPECTED}")
    set(expected_seen TRUE)
  endif()
endforeach()
if(LOADED_EXPECTED AND NOT expected_seen)
  message(FATAL_ERROR "${COMMAND} did not load ${LOADED_EXPECTED}\nall loads: ${loads}")
endif()
message(STATUS "ok: ${COMMAND}\n  loaded: ${loads}\n${output}")
