# Warning and sanitizer flags applied to every wasmrt target via wasmrt_options.
add_library(wasmrt_options INTERFACE)
target_compile_options(wasmrt_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
# One section per function in what the CLI links, so that its link can order
# them: the static `wasmrt` puts the functions of its start-up path together
# (tools/wasmrt/CMakeLists.txt). Only there: elsewhere it changes nothing.
set(wasmrt_cli_layers wasmrt_support wasmrt_cache wasmrt_binary wasmrt_runtime wasmrt_loader
  wasmrt_api wasmrt_wasi wasmrt_wasi_binding wasmrt_text wasmrt_validation wasmrt)
target_compile_options(wasmrt_options INTERFACE
  "$<$<IN_LIST:$<TARGET_PROPERTY:NAME>,${wasmrt_cli_layers}>:-ffunction-sections>")
if(WASMRT_WERROR)
  target_compile_options(wasmrt_options INTERFACE -Werror)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/Sanitizers.cmake) # sets WASMRT_SANITIZER
if(WASMRT_SANITIZER STREQUAL "address")
  target_compile_options(wasmrt_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(wasmrt_options INTERFACE -fsanitize=address,undefined)
elseif(WASMRT_SANITIZER STREQUAL "thread")
  target_compile_options(wasmrt_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(wasmrt_options INTERFACE -fsanitize=thread)
endif()
if(WASMRT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WASMRT_BUILD_FUZZERS needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-19)")
  endif()
  # Coverage instrumentation everywhere; only fuzz_* executables link libFuzzer's main.
  target_compile_options(wasmrt_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(wasmrt_options INTERFACE -fsanitize=address,undefined)
endif()
target_include_directories(wasmrt_options INTERFACE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/lib)

# wasmrt_add_layer(NAME SOURCES... DEPENDS ...): one static library per layer.
function(wasmrt_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC wasmrt_options ${ARG_DEPENDS})
endfunction()
