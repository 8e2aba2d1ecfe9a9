# Runs one program of the official WASI test suite under `wasmrt run` and
# checks it the way the suite's contract says (its SOURCE.md, from upstream's
# README and runner): NAME.json beside NAME.wasm may give `args`, `env`, `root`
# (a folder preopened as `/`), `exit_code` (default 0) and `stdout` (what
# standard output must start with). stdio are pipes; anything named *.cleanup
# in the root is removed before and after.
#
#   cmake -DWASMRT=... -DPROGRAM=.../NAME.wasm -DSCRATCH=DIR -P RunWasiTest.cmake
#
# The root is copied into SCRATCH first, so the suite's folder is never
# written to and tests sharing a root can run at the same time.
foreach(variable WASMRT PROGRAM SCRATCH)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "RunWasiTest.cmake needs -D${variable}=...")
  endif()
endforeach()

get_filename_component(folder ${PROGRAM} DIRECTORY)
get_filename_component(name ${PROGRAM} NAME_WE)
set(spec_file ${folder}/${name}.json)
set(spec "{}")
if(EXISTS ${spec_file})
  file(READ ${spec_file} spec)
endif()

# Optional members of the spec: `default` if absent.
function(spec_member out type member default)
  string(JSON kind ERROR_VARIABLE missing TYPE "${spec}" ${member})
  if(missing OR kind STREQUAL "NULL")
    set(${out} "${default}" PARENT_SCOPE)
    return()
  endif()
  if(NOT kind STREQUAL type)
    message(FATAL_ERROR "${spec_file}: '${member}' is ${kind}, expected ${type}")
  endif()
  string(JSON value GET "${spec}" ${member})
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# The entries of a JSON array (its values) or object (KEY=VALUE each), as a list.
function(json_entries out json)
  set(entries "")
  string(JSON count LENGTH "${json}")
  string(JSON kind TYPE "${json}")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      if(kind STREQUAL "OBJECT")
        string(JSON key MEMBER "${json}" ${i})
        string(JSON value GET "${json}" ${key})
        list(APPEND entries "${key}=${value}")
      else()
        string(JSON value GET "${json}" ${i})
        list(APPEND entries "${value}")
      endif()
    endforeach()
  endif()
  set(${out} "${entries}" PARENT_SCOPE)
endfunction()

set(command ${WASMRT} run --no-cache)

spec_member(env OBJECT env "{}")
json_entries(variables "${env}")
foreach(variable IN LISTS variables)
  list(APPEND command --env "${variable}")
endforeach()

spec_member(root STRING root "")
if(root)
  set(root_copy ${SCRATCH}/${root})
  # The suite's trees may be read-only (a shared checkout): the copy gets
  # ordinary permissions, so that tests can write where upstream's can.
  if(EXISTS ${SCRATCH})
    file(CHMOD_RECURSE ${SCRATCH} DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
    file(REMOVE_RECURSE ${SCRATCH})
  endif()
  file(MAKE_DIRECTORY ${SCRATCH})
  file(COPY ${folder}/${root} DESTINATION ${SCRATCH} NO_SOURCE_PERMISSIONS)
  list(APPEND command --dir "${root_copy}::/")
endif()

list(APPEND command ${PROGRAM})
spec_member(args ARRAY args "[]")
json_entries(arguments "${args}")
list(APPEND command ${arguments})

function(remove_cleanup_entries)
  if(root)
    # LIST_DIRECTORIES lists every directory the walk enters, matching or not.
    file(GLOB_RECURSE leftovers LIST_DIRECTORIES true ${root_copy}/*.cleanup)
    list(FILTER leftovers INCLUDE REGEX "\\.cleanup$")
    if(leftovers)
      file(REMOVE_RECURSE ${leftovers})
    endif()
  endif()
endfunction()

remove_cleanup_entries()
string(REPLACE ";" " " shown "${command}")
message(STATUS "running: ${shown}")
execute_process(COMMAND ${command}
  INPUT_FILE /dev/null
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE status
  TIMEOUT 100)
remove_cleanup_entries()

spec_member(expected_status NUMBER exit_code 0)
spec_member(expected_stdout STRING stdout "")
set(failed "")
if(NOT status STREQUAL expected_status)
  string(APPEND failed "exit status ${status}, expected ${expected_status}\n")
endif()
string(LENGTH "${expected_stdout}" prefix_length)
string(SUBSTRING "${out}" 0 ${prefix_length} prefix)
if(NOT prefix STREQUAL expected_stdout)
  string(APPEND failed "standard output does not start with the expected text\n")
endif()
if(failed)
  message(FATAL_ERROR "${name}: ${failed}--- stdout:\n${out}\n--- stderr:\n${err}\n--- expected stdout:\n${expected_stdout}")
endif()
message(STATUS "${name}: passed (exit status ${status})")
