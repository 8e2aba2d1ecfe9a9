# `wasmrt compile`, running artifacts, and the code cache end to end.
#   WASMRT: the CLI; EMULATOR: a ;-list put in front of it (cross builds)
#   PROGRAM: a WASI hello world (.wasm) that prints "hello from wasm" and its args
#   WORKDIR: scratch directory (wiped first and last)
#   PART: which part to run: artifact | cache | concurrent | damaged-cache | target |
#     no-llvm | front-end (READELF: readelf, for front-end)
#   TARGET: the architecture WASMRT runs on (x86_64 or aarch64)
#   HOST_WASMRT (PART target): a wasmrt for the build machine that compiles
#     portable TARGET code, which WASMRT (through EMULATOR) then runs
cmake_policy(SET CMP0054 NEW)
file(REMOVE_RECURSE ${WORKDIR})
file(MAKE_DIRECTORY ${WORKDIR})
set(cache ${WORKDIR}/cache)

# run(EXPECTED_STATUS REGEX args...) runs wasmrt and checks status and output.
function(run expected regex)
  execute_process(COMMAND ${EMULATOR} ${WASMRT} ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status STREQUAL expected OR NOT "${out}${err}" MATCHES "${regex}")
    message(FATAL_ERROR "wasmrt ${ARGN}\nexit ${status} (expected ${expected}), output:\n"
                        "${out}${err}\n(expected to match '${regex}')")
  endif()
  set(output "${out}${err}" PARENT_SCOPE)
endfunction()

# The cache's entries (.cwasm files), waiting up to `seconds` for at least one.
function(wait_for_entries seconds)
  foreach(i RANGE ${seconds})
    file(GLOB_RECURSE entries ${cache}/*.cwasm)
    if(entries)
      break()
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1)
  endforeach()
  set(entries "${entries}" PARENT_SCOPE)
endfunction()

# On a cache miss `wasmrt run` fills the cache in the background by spawning
# itself (/proc/self/exe). Under an emulator that is a target binary, which the
# kernel can only exec if binfmt_misc hands it to the emulator; without that the
# spawn fails (best effort, nothing reported) and no fill can appear. Then the
# fill is run here as the CLI would spawn it, and only the spawn goes untested.
set(self_exec TRUE)
if(EMULATOR)
  execute_process(COMMAND ${WASMRT} --version RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  if(NOT status EQUAL 0)
    set(self_exec FALSE)
    message(STATUS "${WASMRT} cannot be executed without ${EMULATOR} (no binfmt_misc): "
                   "cache fills run explicitly instead of in the background")
  endif()
endif()
# fill_in_background(): what `wasmrt run --cache-dir ${cache} PROGRAM` (-O2,
# guarded) starts on a miss, run here when the spawned one cannot be.
function(fill_in_background)
  if(NOT self_exec)
    run(0 "" compile --cache -O 2 --cache-dir ${cache} -- ${PROGRAM})
  endif()
endfunction()

set(ENV{WASMRT_LOG} cache)
unset(ENV{WASMRT_CACHE})

if(PART STREQUAL "artifact")
  set(artifact ${WORKDIR}/hello.cwasm)
  run(0 "" compile ${PROGRAM} -o ${artifact})
  run(0 "hello from wasm\narg 1: one\narg 2: two" run ${artifact} one two)
  run(0 "hello from wasm" ${artifact})
  # Options that change generated code must match the artifact's.
  run(1 "compiled for guarded memories.*compile it again" run --bounds-checks ${artifact})
  run(1 "compiled without fuel metering" run --fuel 1000000 ${artifact})
  run(1 "compiled without epoch interruption" run --timeout 5s ${artifact})
  run(0 "" compile --consume-fuel --epoch-interruption --bounds-checks ${PROGRAM}
      -o ${WORKDIR}/limits.cwasm)
  run(0 "hello from wasm" run --bounds-checks --fuel 100000000 --timeout 60s ${WORKDIR}/limits.cwasm)
  # Another architecture's artifact is refused. TARGET is the architecture
  # WASMRT runs on (not `uname -m`: under an emulator that is the build machine's).
  if("${TARGET}" STREQUAL "x86_64")
    set(other aarch64)
  else()
    set(other x86_64)
  endif()
  run(0 "" compile --target ${other} ${PROGRAM} -o ${WORKDIR}/other.cwasm)
  run(1 "compiled for ${other}" run ${WORKDIR}/other.cwasm)
  # Damaged artifacts: a clear error and status 1, never a crash.
  execute_process(COMMAND head -c 5000 ${artifact} OUTPUT_FILE ${WORKDIR}/truncated.cwasm)
  run(1 "invalid artifact: truncated" run ${WORKDIR}/truncated.cwasm)
  file(WRITE ${WORKDIR}/bad-magic.cwasm "WRTCWASMbut nothing else follows")
  run(1 "invalid artifact" run ${WORKDIR}/bad-magic.cwasm)
  # Usage errors.
  run(2 "usage: wasmrt compile" compile)
  run(2 "--target must be x86_64 or aarch64" compile --target sparc ${PROGRAM})
  run(2 "unknown or incomplete option '--frobnicate'" compile --frobnicate ${PROGRAM})
  run(1 "cannot read" compile ${WORKDIR}/missing.wasm)
elseif(PART STREQUAL "cache")
  # A miss runs at once and fills the cache in the background; the next run hits.
  run(0 "hello from wasm.*code: jit" run --cache-dir ${cache} ${PROGRAM} a)
  fill_in_background()
  wait_for_entries(120)
  if(NOT entries)
    message(FATAL_ERROR "the background fill left no cache entry")
  endif()
  run(0 "hello from wasm\narg 1: b.*code: cache-hit" run --cache-dir ${cache} ${PROGRAM} b)
  # Permissions: the directory 0700, entries 0600.
  execute_process(COMMAND stat -c %a ${cache} ${entries} OUTPUT_VARIABLE modes)
  if(NOT modes MATCHES "^700\n600\n$")
    message(FATAL_ERROR "cache permissions: ${modes}")
  endif()
  # --no-cache and WASMRT_CACHE=off neither read nor fill it.
  run(0 "code: jit" run --no-cache --cache-dir ${cache} ${PROGRAM})
  set(ENV{WASMRT_CACHE} off)
  run(0 "code: jit" run --cache-dir ${cache} ${PROGRAM})
  unset(ENV{WASMRT_CACHE})
  # Other code-generation options are other entries.
  run(0 "code: jit" run --cache-dir ${cache} -O1 ${PROGRAM})
  # A cache directory that is a file: the program still runs, without the cache.
  file(WRITE ${WORKDIR}/not-a-directory "x")
  run(0 "hello from wasm.*code: jit" run --cache-dir ${WORKDIR}/not-a-directory ${PROGRAM})
elseif(PART STREQUAL "concurrent")
  # Two processes filling the same entry at once (execute_process runs its
  # COMMANDs concurrently): both succeed, one complete entry remains, it hits.
  execute_process(
    COMMAND ${EMULATOR} ${WASMRT} compile --cache --cache-dir ${cache} ${PROGRAM}
    COMMAND ${EMULATOR} ${WASMRT} compile --cache --cache-dir ${cache} ${PROGRAM}
    RESULTS_VARIABLE statuses)
  if(NOT statuses STREQUAL "0;0")
    message(FATAL_ERROR "concurrent fills exited ${statuses}")
  endif()
  file(GLOB_RECURSE entries ${cache}/*.cwasm)
  list(LENGTH entries count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one entry, found: ${entries}")
  endif()
  run(0 "hello from wasm.*code: cache-hit" run --cache-dir ${cache} ${PROGRAM})
elseif(PART STREQUAL "damaged-cache")
  run(0 "" compile --cache --cache-dir ${cache} ${PROGRAM})
  file(GLOB_RECURSE entries ${cache}/*.cwasm)
  # Overwrite the entry with garbage of the same size: detected, removed, run
  # on JIT code, and filled again in the background.
  file(SIZE ${entries} size)
  string(REPEAT "x" ${size} garbage)
  file(WRITE ${entries} "${garbage}")
  run(0 "hello from wasm.*code: jit" run --cache-dir ${cache} ${PROGRAM})
  fill_in_background()
  foreach(i RANGE 120)
    if(EXISTS ${entries})
      file(READ ${entries} head LIMIT 8)
      if(head MATCHES "^WRTCWASM")
        break()
      endif()
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1)
  endforeach()
  run(0 "hello from wasm.*code: cache-hit" run --cache-dir ${cache} ${PROGRAM})
  # A truncated entry as well.
  execute_process(COMMAND head -c 1000 ${entries} OUTPUT_FILE ${WORKDIR}/cut)
  file(RENAME ${WORKDIR}/cut ${entries})
  run(0 "hello from wasm.*code: jit" run --cache-dir ${cache} ${PROGRAM})
elseif(PART STREQUAL "front-end")
  # The statically linked `wasmrt` (tools/wasmrt/Delegate.h) runs artifacts and
  # cache hits itself, and hands what must compile to wasmrt-dynamic: with
  # WASMRT_DYNAMIC_CLI naming nothing, the first keep working and the others
  # fail with a clear message.
  execute_process(COMMAND ${READELF} -lW ${WASMRT} OUTPUT_VARIABLE headers RESULT_VARIABLE status)
  if(NOT status EQUAL 0 OR headers MATCHES "INTERP")
    message(FATAL_ERROR "${WASMRT} is not statically linked:\n${headers}")
  endif()
  run(0 "" compile ${PROGRAM} -o ${WORKDIR}/hello.cwasm)
  run(0 "" compile --cache --cache-dir ${cache} ${PROGRAM})
  set(ENV{WASMRT_DYNAMIC_CLI} ${WORKDIR}/no-such-wasmrt-dynamic)
  run(0 "hello from wasm\narg 1: x\n.*code: artifact" run ${WORKDIR}/hello.cwasm x)
  run(0 "hello from wasm.*code: cache-hit" run --cache-dir ${cache} ${PROGRAM})
  run(0 "hello from wasm" ${WORKDIR}/hello.cwasm)
  run(0 "^wasmrt [0-9]" --version)
  run(0 "" validate ${PROGRAM})
  set(gone "needs the compiler, which only wasmrt-dynamic can load.*no-such-wasmrt-dynamic")
  run(1 "${gone}" compile ${PROGRAM} -o ${WORKDIR}/again.cwasm)
  run(1 "${gone}" wast ${WORKDIR}/none.wast)
  run(1 "${gone}" run --no-cache ${PROGRAM})
  run(1 "${gone}" run --cache-dir ${WORKDIR}/empty-cache ${PROGRAM}) # a miss
  # Damaged artifacts are refused by the front end itself.
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy ${WORKDIR}/hello.cwasm ${WORKDIR}/short.cwasm)
  file(SIZE ${WORKDIR}/hello.cwasm size)
  math(EXPR keep "${size} - 100")
  execute_process(COMMAND truncate -s ${keep} ${WORKDIR}/short.cwasm RESULT_VARIABLE status)
  if(status EQUAL 0)
    run(1 "invalid artifact: truncated" run ${WORKDIR}/short.cwasm)
  endif()
  # With wasmrt-dynamic found, the handed-over commands behave as before,
  # exit statuses included.
  unset(ENV{WASMRT_DYNAMIC_CLI})
  run(0 "hello from wasm.*code: jit" run --no-cache ${PROGRAM})
  run(1 "" compile ${WORKDIR}/no-such-module.wasm -o ${WORKDIR}/x.cwasm)
elseif(PART STREQUAL "no-llvm")
  # Running an artifact or a cache hit loads neither the compiler plugin nor
  # libLLVM (the dynamic loader lists every object it loads under
  # LD_DEBUG=files); compiling does, which shows the check can see it.
  run(0 "" compile ${PROGRAM} -o ${WORKDIR}/hello.cwasm)
  run(0 "" compile --cache --cache-dir ${cache} ${PROGRAM})
  set(ENV{LD_DEBUG} files)
  run(0 "libLLVM" run --no-cache ${PROGRAM})
  foreach(source artifact cache-hit)
    if(source STREQUAL "artifact")
      run(0 "hello from wasm.*code: artifact" run ${WORKDIR}/hello.cwasm)
    else()
      run(0 "hello from wasm.*code: cache-hit" run --cache-dir ${cache} ${PROGRAM})
    endif()
    if(output MATCHES "libLLVM|libwasmrt-compiler")
      message(FATAL_ERROR "running from ${source} loaded the compiler:\n${output}")
    endif()
  endforeach()
  unset(ENV{LD_DEBUG})
elseif(PART STREQUAL "target")
  # Portable code for the architecture WASMRT runs on, compiled by HOST_WASMRT:
  # in a cross build the build machine's wasmrt, run under the emulator.
  execute_process(COMMAND ${HOST_WASMRT} compile --target ${TARGET} ${PROGRAM}
                          -o ${WORKDIR}/portable.cwasm
                  RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${HOST_WASMRT} compile --target ${TARGET}: ${status}\n${err}")
  endif()
  run(0 "hello from wasm\narg 1: portable.*code: artifact" run ${WORKDIR}/portable.cwasm portable)
else()
  message(FATAL_ERROR "unknown PART '${PART}'")
endif()
file(REMOVE_RECURSE ${WORKDIR})
