# Runs one WASI program under `wasmrt run` in a fresh scratch tree and checks it.
#   WASMRT, WORKDIR: the CLI and a scratch directory (wiped first)
#   EMULATOR: a ;-list run with WASMRT as its argument (optional; in cross builds
#     CMAKE_CROSSCOMPILING_EMULATOR)
#   COMMAND: arguments after `wasmrt` (a ;-list, run from WORKDIR)
#   EXPECTED_STATUS, EXPECTED_STDOUT (a file compared byte for byte; optional),
#   EXPECTED_STDERR (a regex; optional), STDIN (a file; optional)
# The scratch tree: box/ and box2/ (writable preopens), ro/ (read-only: data.txt,
# subdir/), outside.txt (never reachable), and in box/ host-made symlinks that point
# out: up_link -> ../outside.txt, abs_link -> WORKDIR/outside.txt, dir_up -> ..
# Afterwards outside.txt and ro/ must be as they were and nothing new may appear
# next to them, whatever the guest did.
# The code cache stays off unless a test turns it on: a cache miss starts a
# background compile, and tests must neither leave work behind nor depend on
# what an earlier test left in the user's cache.
if(NOT DEFINED ENV{WASMRT_CACHE})
  set(ENV{WASMRT_CACHE} off)
endif()
file(REMOVE_RECURSE ${WORKDIR})
file(MAKE_DIRECTORY ${WORKDIR}/box ${WORKDIR}/box2 ${WORKDIR}/ro/subdir)
file(WRITE ${WORKDIR}/outside.txt "secret\n")
file(WRITE ${WORKDIR}/ro/data.txt "read only\n")
file(CREATE_LINK ../outside.txt ${WORKDIR}/box/up_link SYMBOLIC)
file(CREATE_LINK ${WORKDIR}/outside.txt ${WORKDIR}/box/abs_link SYMBOLIC)
file(CREATE_LINK .. ${WORKDIR}/box/dir_up SYMBOLIC)
file(TIMESTAMP ${WORKDIR}/outside.txt outsideTime "%s")
file(TIMESTAMP ${WORKDIR}/ro/data.txt roTime "%s")

set(input "")
if(DEFINED STDIN)
  set(input INPUT_FILE ${STDIN})
endif()
execute_process(COMMAND ${EMULATOR} ${WASMRT} ${COMMAND} WORKING_DIRECTORY ${WORKDIR} ${input}
  TIMEOUT 100 RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(report "stdout:\n${out}\nstderr:\n${err}")
if(NOT status STREQUAL EXPECTED_STATUS)
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECTED_STATUS}\n${report}")
endif()
if(DEFINED EXPECTED_STDOUT)
  file(READ ${EXPECTED_STDOUT} expected)
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "stdout differs from ${EXPECTED_STDOUT}:\n${expected}\n${report}")
  endif()
endif()
if(DEFINED EXPECTED_STDERR AND NOT err MATCHES "${EXPECTED_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECTED_STDERR}'\n${report}")
endif()

file(READ ${WORKDIR}/outside.txt outside)
file(READ ${WORKDIR}/ro/data.txt roData)
file(TIMESTAMP ${WORKDIR}/outside.txt outsideTimeAfter "%s")
file(TIMESTAMP ${WORKDIR}/ro/data.txt roTimeAfter "%s")
file(GLOB top RELATIVE ${WORKDIR} ${WORKDIR}/*)
file(GLOB_RECURSE roTree RELATIVE ${WORKDIR}/ro LIST_DIRECTORIES true ${WORKDIR}/ro/*)
list(SORT top)
list(SORT roTree)
if(NOT outside STREQUAL "secret\n" OR NOT outsideTime STREQUAL outsideTimeAfter)
  message(FATAL_ERROR "outside.txt was changed\n${report}")
endif()
if(NOT roData STREQUAL "read only\n" OR NOT roTime STREQUAL roTimeAfter)
  message(FATAL_ERROR "ro/data.txt was changed\n${report}")
endif()
if(NOT top STREQUAL "box;box2;outside.txt;ro" OR NOT roTree STREQUAL "data.txt;subdir")
  message(FATAL_ERROR "files appeared outside the sandbox: ${top} / ro: ${roTree}\n${report}")
endif()
message(STATUS "ok: status ${status}\n${report}")
