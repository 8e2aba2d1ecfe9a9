# Runs COMMAND (a ;-list) and checks its exit status against EXPECTED_STATUS
# and, optionally, its combined output against EXPECTED_OUTPUT (a regex) and
# its wall-clock time against MAX_SECONDS. EMULATOR (a ;-list, optional) is put
# in front of COMMAND: CMAKE_CROSSCOMPILING_EMULATOR in cross builds.
# The code cache stays off unless a test turns it on: a cache miss starts a
# background compile, and tests must neither leave work behind nor depend on
# what an earlier test left in the user's cache.
if(NOT DEFINED ENV{WASMRT_CACHE})
  set(ENV{WASMRT_CACHE} off)
endif()
string(TIMESTAMP started "%s" UTC)
execute_process(COMMAND ${EMULATOR} ${COMMAND}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(TIMESTAMP finished "%s" UTC)
math(EXPR elapsed "${finished} - ${started}")
set(output "${out}${err}")
if(NOT status STREQUAL EXPECTED_STATUS)
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECTED_STATUS}\n${output}")
endif()
if(DEFINED EXPECTED_OUTPUT AND NOT output MATCHES "${EXPECTED_OUTPUT}")
  message(FATAL_ERROR "output does not match '${EXPECTED_OUTPUT}':\n${output}")
endif()
if(DEFINED MAX_SECONDS AND elapsed GREATER MAX_SECONDS)
  message(FATAL_ERROR "took ${elapsed} s, more than ${MAX_SECONDS} s\n${output}")
endif()
message(STATUS "ok: status ${status} in ${elapsed} s\n${output}")
