# Checks the layering of the sources: which headers each folder includes.
#
#   cmake -DSOURCE_DIR=<repository root> -P cmake/CheckLayering.cmake
#
# Run by CTest (layering/includes). Every checked folder has a DEPS file that
# lists what its files may include besides the standard library (C++ and C)
# and the folder's own headers, one rule per line (docs/CONTRIBUTING.md):
#
#   binary/              any "binary/..." header (a rule ending in / is a prefix)
#   compiler/Compiler.h  exactly this header
#   <fmt/                any <fmt/...> header (angle-bracket includes are written
#   <unistd.h>           with their "<"; POSIX and library headers must be listed)
#   for A.cpp B.h:       the rules up to the next "for" line apply to files A.cpp
#                        and B.h instead of the rules before the first "for"
#
# Checked folders: every lib/<layer>/ (with its subfolders; own headers are
# "<layer>/..."), include/wasmrt/ (own: "wasmrt/..."), spec-tests/ and every
# tools/<tool>/ (own: headers next to the including file). A folder without a
# DEPS file fails the check, so a new layer cannot go unchecked. Only direct
# includes are checked, as in V8's checkdeps: what a header includes is checked
# in its own folder.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repository root> -P CheckLayering.cmake")
endif()

# The C++20 standard library and the C standard library headers.
set(standard_headers
  algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat charconv
  chrono cinttypes climits clocale cmath codecvt compare complex concepts condition_variable
  coroutine csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar
  cwchar cwctype deque exception execution expected filesystem format forward_list fstream
  functional future initializer_list iomanip ios iosfwd iostream istream iterator latch
  limits list locale map memory memory_resource mutex new numbers numeric optional ostream
  queue random ranges ratio regex scoped_allocator semaphore set shared_mutex source_location
  span sstream stack stdexcept stop_token streambuf string string_view syncstream
  system_error thread tuple type_traits typeindex typeinfo unordered_map unordered_set
  utility valarray variant vector version
  assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h
  signal.h stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h
  wctype.h)

set(folders "")
file(GLOB entries LIST_DIRECTORIES true "${SOURCE_DIR}/lib/*" "${SOURCE_DIR}/tools/*")
foreach(entry IN LISTS entries)
  if(IS_DIRECTORY "${entry}")
    list(APPEND folders "${entry}")
  endif()
endforeach()
list(APPEND folders "${SOURCE_DIR}/include/wasmrt" "${SOURCE_DIR}/spec-tests")

set(violations 0)

# Reads <folder>/DEPS into rules_default and, per "for" section i, section_files_<i>
# and section_rules_<i> (in the caller's scope); sections = the section count.
function(read_deps folder)
  file(STRINGS "${folder}/DEPS" lines)
  set(section -1)
  set(rules_default "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "#.*$" "" line "${line}")
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(line MATCHES "^for (.+):$")
      math(EXPR section "${section} + 1")
      string(REPLACE " " ";" files "${CMAKE_MATCH_1}")
      set(section_files_${section} "${files}" PARENT_SCOPE)
      set(section_rules_${section} "")
    elseif(section EQUAL -1)
      list(APPEND rules_default "${line}")
    else()
      list(APPEND section_rules_${section} "${line}")
    endif()
    if(section GREATER -1)
      set(section_rules_${section} "${section_rules_${section}}" PARENT_SCOPE)
    endif()
  endforeach()
  math(EXPR count "${section} + 1")
  set(sections ${count} PARENT_SCOPE)
  set(rules_default "${rules_default}" PARENT_SCOPE)
endfunction()

# allowed = whether `include` (x for "x", <x> for <x>) matches one of `rules`.
function(matches_rules include rules)
  set(result FALSE)
  foreach(rule IN LISTS rules)
    if(rule MATCHES "/$")
      string(FIND "${include}" "${rule}" position)
      if(position EQUAL 0)
        set(result TRUE)
      endif()
    elseif(include STREQUAL rule)
      set(result TRUE)
    endif()
  endforeach()
  set(allowed ${result} PARENT_SCOPE)
endfunction()

foreach(folder IN LISTS folders)
  file(RELATIVE_PATH name "${SOURCE_DIR}" "${folder}")
  if(NOT EXISTS "${folder}/DEPS")
    message(SEND_ERROR "${name}/ has no DEPS file listing what it may include "
                       "(docs/CONTRIBUTING.md)")
    math(EXPR violations "${violations} + 1")
    continue()
  endif()
  read_deps("${folder}")
  # What the folder's files call their own headers.
  get_filename_component(leaf "${folder}" NAME)
  set(own "")
  if(name MATCHES "^lib/|^include/|^spec-tests$")
    set(own "${leaf}/")
  endif()
  file(GLOB_RECURSE sources "${folder}/*.h" "${folder}/*.cpp" "${folder}/*.def" "${folder}/*.inc")
  foreach(source IN LISTS sources)
    file(RELATIVE_PATH source_name "${SOURCE_DIR}" "${source}")
    get_filename_component(source_dir "${source}" DIRECTORY)
    get_filename_component(source_leaf "${source}" NAME)
    set(rules "${rules_default}")
    set(rules_from "${name}/DEPS")
    if(sections GREATER 0)
      math(EXPR last "${sections} - 1")
      foreach(i RANGE ${last})
        if(source_leaf IN_LIST section_files_${i})
          set(rules "${section_rules_${i}}")
          set(rules_from "${name}/DEPS (for ${source_leaf})")
        endif()
      endforeach()
    endif()
    file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      if(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
        set(header "${CMAKE_MATCH_1}")
        if(NOT header MATCHES "/" AND EXISTS "${source_dir}/${header}")
          continue() # next to the including file
        endif()
        if(own AND header MATCHES "^${own}")
          continue()
        endif()
        set(shown "\"${header}\"")
        matches_rules("${header}" "${rules}")
      elseif(line MATCHES "#[ \t]*include[ \t]*<([^>]+)>")
        set(header "${CMAKE_MATCH_1}")
        if(header IN_LIST standard_headers)
          continue()
        endif()
        set(shown "<${header}>")
        matches_rules("<${header}>" "${rules}")
      else()
        continue() # a computed include: none in wasmrt
      endif()
      if(NOT allowed)
        message(SEND_ERROR "${source_name}: includes ${shown}, which ${rules_from} does not allow")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
  foreach(i RANGE 64)
    unset(section_files_${i})
    unset(section_rules_${i})
  endforeach()
endforeach()

list(LENGTH folders checked)
if(violations GREATER 0)
  message(FATAL_ERROR "layering: ${violations} violation(s) (docs/CONTRIBUTING.md, DEPS files)")
endif()
message(STATUS "layering: ${checked} folders checked, every include allowed by its DEPS file")
