# check_layering.cmake - which part of core/ may include which.
#
# core/ is two parts a user replaces, plus what they share:
#   core/enc28j60/  the ENC28J60 driver, its register map, the SPI HAL and
#                   the driver's netdev adapter (enc28j60_netdev.*)
#   core/net/       the TCP/IP stack and its device boundary netdev.h
#   core/wire/      the wire codecs, used by the stack (and the harness)
#   core/apps/      demo applications on the stack's API
# The arrows go one way: the stack sees the driver only through netdev.h,
# and the driver never includes the stack. This script reads every .c and
# .h under those folders, resolves each #include the way the compiler
# does (the including file's own folder first, then core/, core/enc28j60/,
# core/net/: synack_core's include path) and fails on any include that
# crosses a line it may not:
#   enc28j60/  -> enc28j60/; netdev.h only from enc28j60_netdev.{c,h} (so
#                 the rest of the driver stands alone for a user's own stack)
#   net/       -> net/, wire/        (never enc28j60/, hal.h included)
#   wire/      -> wire/
#   apps/      -> apps/, net/, wire/ (never enc28j60/)
#   every file -> of the C library only <stdint.h> <stddef.h> <string.h>
#                 <stdbool.h>; nothing outside core/
#   no .c or .h directly in core/ (each belongs to one part), and no two
#   headers of enc28j60/ and net/ with the same name (they are installed
#   flat into include/synack/ and share one include path)
#   enc28j60_model/ (when MODEL is given) -> itself and enc28j60_hw.h only
#
#   cmake -DCORE=<core dir> [-DMODEL=<enc28j60_model dir>] -P check_layering.cmake
#   cmake -DSELFTEST=ON -DWORK=<scratch dir> -P check_layering.cmake
# The first checks a tree: exit 0 and one summary line, or one line per
# violation ("core/net/tcp.c:12: ...") and a fatal error. The second builds
# small trees that each break one rule, checks that each draws exactly its
# violation and that a clean tree draws none: the check itself is tested.
cmake_minimum_required(VERSION 3.20)

set(_LIBC stdint.h stddef.h string.h stdbool.h)
set(_PARTS enc28j60 net wire apps)

# _part(<out> <core> <abs path>): the part folder a file is in, or "" when
# it is directly in core/, or "-" when it is outside core/.
function(_part out core path)
  file(RELATIVE_PATH rel "${core}" "${path}")
  if(rel MATCHES "^\\.\\./" OR IS_ABSOLUTE "${rel}")
    set(${out} "-" PARENT_SCOPE)
  elseif(rel MATCHES "^([^/]+)/")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# _includes(<out> <file>): the file's #include lines as a list of
# "<line>|<delimiter>|<name>" entries.
function(_includes out file)
  file(READ "${file}" text)
  # Characters CMake's list syntax would read: gone, they never occur in an
  # include name. Then one list element per line, empty lines kept.
  string(REGEX REPLACE "[][;\\\\]" " " text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(n 0)
  set(found "")
  foreach(l IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(l MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]*)[>\"]")
      list(APPEND found "${n}|${CMAKE_MATCH_1}|${CMAKE_MATCH_2}")
    elseif(l MATCHES "^[ \t]*#[ \t]*include")
      list(APPEND found "${n}|?|${l}")
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# _resolve(<out> <core> <including file> <name>): the absolute path a
# quoted include opens, as the compiler searches, or "" if none.
function(_resolve out core from name)
  get_filename_component(dir "${from}" DIRECTORY)
  foreach(d "${dir}" "${core}" "${core}/enc28j60" "${core}/net")
    if(EXISTS "${d}/${name}" AND NOT IS_DIRECTORY "${d}/${name}")
      get_filename_component(p "${d}/${name}" ABSOLUTE)
      set(${out} "${p}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# check_layering(<out> <core> <model or "">): every violation, one string
# each, in <out>.
function(check_layering out core model)
  get_filename_component(core "${core}" ABSOLUTE)
  get_filename_component(top "${core}" DIRECTORY)
  set(bad "")
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${core}/*.c" "${core}/*.h")
  list(SORT files)
  foreach(f IN LISTS files)
    file(RELATIVE_PATH where "${top}" "${f}")
    _part(from "${core}" "${f}")
    if(from STREQUAL "tests")
      continue() # test code may reach anything it tests
    endif()
    if(from STREQUAL "")
      list(APPEND bad "${where}: directly in core/, but each file belongs to one part: enc28j60/, net/, wire/ or apps/")
      continue()
    endif()
    if(NOT from IN_LIST _PARTS)
      list(APPEND bad "${where}: core/${from}/ is not a part of core/ (enc28j60/, net/, wire/, apps/)")
      continue()
    endif()
    get_filename_component(base "${f}" NAME)
    _includes(incs "${f}")
    foreach(e IN LISTS incs)
      string(REGEX MATCH "^([0-9]+)\\|([^|]*)\\|(.*)$" _m "${e}")
      set(at "${where}:${CMAKE_MATCH_1}")
      set(delim "${CMAKE_MATCH_2}")
      set(name "${CMAKE_MATCH_3}")
      if(delim STREQUAL "?")
        list(APPEND bad "${at}: an #include this check cannot read: ${name}")
        continue()
      endif()
      if(delim STREQUAL "<")
        if(NOT name IN_LIST _LIBC)
          list(APPEND bad "${at}: includes <${name}>, but core/ uses only <stdint.h> <stddef.h> <string.h> <stdbool.h>")
        endif()
        continue()
      endif()
      _resolve(target "${core}" "${f}" "${name}")
      if(target STREQUAL "")
        list(APPEND bad "${at}: includes \"${name}\", which is not in core/")
        continue()
      endif()
      _part(to "${core}" "${target}")
      file(RELATIVE_PATH twhere "${top}" "${target}")
      get_filename_component(tbase "${target}" NAME)
      set(why "")
      if(to STREQUAL "-")
        set(why "core/ includes nothing outside itself")
      elseif(NOT to IN_LIST _PARTS)
        set(why "core/'s parts include only core/enc28j60/, core/net/, core/wire/ and core/apps/")
      elseif(from STREQUAL "enc28j60")
        if(to STREQUAL "net" AND tbase STREQUAL "netdev.h")
          if(NOT base MATCHES "^enc28j60_netdev\\.[ch]$")
            set(why "only the driver's netdev adapter (enc28j60_netdev.*) implements the device boundary, the rest of the driver stands without it")
          endif()
        elseif(NOT to STREQUAL "enc28j60")
          set(why "the driver never includes the stack (or anything outside core/enc28j60/ but netdev.h)")
        endif()
      elseif(from STREQUAL "net")
        if(to STREQUAL "enc28j60")
          set(why "the stack sees the driver only through netdev.h")
        elseif(NOT to STREQUAL "net" AND NOT to STREQUAL "wire")
          set(why "the stack uses only core/net/ and core/wire/")
        endif()
      elseif(from STREQUAL "wire")
        if(NOT to STREQUAL "wire")
          set(why "the wire codecs include only core/wire/")
        endif()
      elseif(from STREQUAL "apps")
        if(to STREQUAL "enc28j60")
          set(why "applications see only the stack's API, never the driver")
        endif()
      endif()
      if(NOT why STREQUAL "")
        list(APPEND bad "${at}: includes \"${name}\" (${twhere}): ${why}")
      endif()
    endforeach()
  endforeach()

  # Installed flat: two public headers with one name would overwrite each
  # other in include/synack/ and shadow each other on the include path.
  file(GLOB hdrs "${core}/enc28j60/*.h" "${core}/net/*.h")
  set(seen "")
  foreach(h IN LISTS hdrs)
    get_filename_component(hb "${h}" NAME)
    if(hb IN_LIST seen)
      list(APPEND bad "core/: two headers named ${hb} in enc28j60/ and net/, which are installed flat into include/synack/")
    endif()
    list(APPEND seen "${hb}")
  endforeach()

  if(NOT model STREQUAL "")
    get_filename_component(model "${model}" ABSOLUTE)
    file(GLOB mfiles "${model}/*.c" "${model}/*.h")
    list(SORT mfiles)
    foreach(f IN LISTS mfiles)
      file(RELATIVE_PATH where "${top}" "${f}")
      _includes(incs "${f}")
      foreach(e IN LISTS incs)
        string(REGEX MATCH "^([0-9]+)\\|([^|]*)\\|(.*)$" _m "${e}")
        if(NOT CMAKE_MATCH_2 STREQUAL "\"")
          continue()
        endif()
        set(name "${CMAKE_MATCH_3}")
        if(NOT EXISTS "${model}/${name}" AND NOT name STREQUAL "enc28j60_hw.h")
          list(APPEND bad "${where}:${CMAKE_MATCH_1}: includes \"${name}\": the model includes only itself and core/enc28j60/enc28j60_hw.h")
        endif()
      endforeach()
    endforeach()
  endif()
  set(${out} "${bad}" PARENT_SCOPE)
endfunction()

# --- self-test -------------------------------------------------------------
# _tree(<dir> <path> <content> [<path> <content>]...): a scratch tree.
# Contents are never empty: an unquoted list expansion drops empty items.
function(_tree dir)
  file(REMOVE_RECURSE "${dir}")
  set(args ${ARGN})
  while(args)
    list(POP_FRONT args path content)
    file(WRITE "${dir}/${path}" "${content}\n")
  endwhile()
endfunction()

if(SELFTEST)
  if(NOT WORK)
    message(FATAL_ERROR "check_layering: -DWORK=<scratch dir> is required with -DSELFTEST=ON")
  endif()
  # A minimal clean tree, the shape of the real one.
  set(CLEAN
    "core/enc28j60/hal.h" "#include <stdint.h>"
    "core/enc28j60/enc28j60_hw.h" "#include <stdint.h>"
    "core/enc28j60/enc28j60.h" "#include \"hal.h\""
    "core/enc28j60/enc28j60.c" "#include \"enc28j60.h\"\n#include \"enc28j60_hw.h\"\n#include <string.h>"
    "core/enc28j60/enc28j60_netdev.h" "#include \"enc28j60.h\"\n#include \"netdev.h\""
    "core/enc28j60/enc28j60_netdev.c" "#include \"enc28j60_netdev.h\"\n#include \"netdev.h\""
    "core/net/net_opts.h" "/* options */"
    "core/net/netdev.h" "#include <stdbool.h>\n#include \"net_opts.h\""
    "core/net/net.h" "#include \"netdev.h\"\n#include \"tcp.h\""
    "core/net/tcp.h" "#include <stddef.h>"
    "core/net/tcp.c" "#include \"net.h\"\n  #  include \"wire/tcp.h\""
    "core/wire/wire.h" "#include <stdint.h>"
    "core/wire/tcp.h" "#include \"wire.h\""
    "core/wire/tcp.c" "#include \"tcp.h\"" # wire/tcp.h: its own folder first
    "core/apps/echo.c" "#include \"net.h\"\n#include \"wire/tcp.h\""
    "core/tests/t.c" "#include \"enc28j60_hw.h\"\n#include <stdio.h>"
    "model/model.c" "#include \"model_internal.h\"\n#include \"enc28j60_hw.h\"\n#include <stdio.h>"
    "model/model_internal.h" "/* internal */")
  # Each case: a name, the expected message (a regex), then files that
  # replace or join the clean tree's.
  set(CASES
    "stack-includes-driver|core/net/tcp\\.c:2: includes \"enc28j60\\.h\" \\(core/enc28j60/enc28j60\\.h\\): the stack sees the driver only through netdev\\.h$"
    "stack-includes-hal|core/net/net\\.h:1: includes \"hal\\.h\" \\(core/enc28j60/hal\\.h\\): the stack sees the driver only"
    "stack-climbs-to-driver|core/net/tcp\\.c:1: includes \"\\.\\./enc28j60/enc28j60_hw\\.h\" \\(core/enc28j60/enc28j60_hw\\.h\\): the stack sees"
    "driver-includes-stack|core/enc28j60/enc28j60\\.c:3: includes \"net\\.h\" \\(core/net/net\\.h\\): the driver never includes the stack"
    "driver-includes-codec|core/enc28j60/enc28j60\\.c:1: includes \"wire/wire\\.h\" \\(core/wire/wire\\.h\\): the driver never includes"
    "driver-core-uses-netdev|core/enc28j60/enc28j60\\.c:1: includes \"netdev\\.h\" \\(core/net/netdev\\.h\\): only the driver's netdev adapter"
    "codec-includes-stack|core/wire/tcp\\.c:1: includes \"net\\.h\" \\(core/net/net\\.h\\): the wire codecs include only core/wire/"
    "app-includes-driver|core/apps/echo\\.c:2: includes \"enc28j60\\.h\" \\(core/enc28j60/enc28j60\\.h\\): applications see only"
    "libc|core/net/tcp\\.c:1: includes <stdio\\.h>, but core/ uses only"
    "outside|core/net/tcp\\.c:1: includes \"sim\\.h\", which is not in core/"
    "flat-file|core/arp\\.c: directly in core/, but each file belongs to one part"
    "same-name|core/: two headers named tcp\\.h in enc28j60/ and net/"
    "model|model/model\\.c:1: includes \"hal\\.h\": the model includes only itself and core/enc28j60/enc28j60_hw\\.h")
  set(FILES_stack-includes-driver "core/net/tcp.c" "#include \"net.h\"\n#include \"enc28j60.h\"")
  set(FILES_stack-includes-hal "core/net/net.h" "#include \"hal.h\"\n#include \"netdev.h\"")
  set(FILES_stack-climbs-to-driver "core/net/tcp.c" "#include \"../enc28j60/enc28j60_hw.h\"")
  set(FILES_driver-includes-stack "core/enc28j60/enc28j60.c" "#include \"enc28j60.h\"\n\n#include \"net.h\"")
  set(FILES_driver-includes-codec "core/enc28j60/enc28j60.c" "#include \"wire/wire.h\"")
  set(FILES_driver-core-uses-netdev "core/enc28j60/enc28j60.c" "#include \"netdev.h\"")
  set(FILES_codec-includes-stack "core/wire/tcp.c" "#include \"net.h\"")
  set(FILES_app-includes-driver "core/apps/echo.c" "#include \"net.h\"\n#include \"enc28j60.h\"")
  set(FILES_libc "core/net/tcp.c" "#include <stdio.h>")
  set(FILES_outside "core/net/tcp.c" "#include \"sim.h\"" "sim/sim.h" "/* outside */")
  set(FILES_flat-file "core/arp.c" "#include \"net.h\"")
  set(FILES_same-name "core/enc28j60/tcp.h" "/* a second tcp.h */")
  set(FILES_model "model/model.c" "#include \"hal.h\"")

  set(failed 0)
  _tree("${WORK}/clean" ${CLEAN})
  check_layering(v "${WORK}/clean/core" "${WORK}/clean/model")
  if(NOT v STREQUAL "")
    string(REPLACE ";" "\n  " vs "${v}")
    message("check_layering selftest: FAIL: the clean tree drew:\n  ${vs}")
    set(failed 1)
  endif()
  foreach(c IN LISTS CASES)
    string(REGEX MATCH "^([^|]*)\\|(.*)$" _m "${c}")
    set(name "${CMAKE_MATCH_1}")
    set(want "${CMAKE_MATCH_2}")
    _tree("${WORK}/${name}" ${CLEAN})
    set(extra ${FILES_${name}})
    while(extra)
      list(POP_FRONT extra path content)
      file(WRITE "${WORK}/${name}/${path}" "${content}\n")
    endwhile()
    check_layering(v "${WORK}/${name}/core" "${WORK}/${name}/model")
    list(LENGTH v nv)
    if(NOT nv EQUAL 1 OR NOT v MATCHES "${want}")
      string(REPLACE ";" "\n  " vs "${v}")
      message("check_layering selftest: FAIL: ${name}: want one violation matching\n  ${want}\ngot ${nv}:\n  ${vs}")
      set(failed 1)
    endif()
  endforeach()
  file(REMOVE_RECURSE "${WORK}")
  list(LENGTH CASES ncases)
  if(failed)
    message(FATAL_ERROR "check_layering selftest: failed")
  endif()
  message("check_layering selftest: the clean tree passes, each of ${ncases} broken trees draws its one violation")
  return()
endif()

# --- the check ---------------------------------------------------------------
if(NOT CORE)
  message(FATAL_ERROR "check_layering: -DCORE=<core dir> is required (or -DSELFTEST=ON)")
endif()
if(NOT IS_DIRECTORY "${CORE}/enc28j60" OR NOT IS_DIRECTORY "${CORE}/net")
  message(FATAL_ERROR "check_layering: ${CORE} has no enc28j60/ and net/ folders")
endif()
if(NOT MODEL)
  set(MODEL "")
endif()
check_layering(v "${CORE}" "${MODEL}")
if(NOT v STREQUAL "")
  foreach(l IN LISTS v)
    message("${l}")
  endforeach()
  list(LENGTH v nv)
  message(FATAL_ERROR "check_layering: ${nv} include(s) cross a line they may not (rules: tests/layering/check_layering.cmake)")
endif()
file(GLOB_RECURSE n LIST_DIRECTORIES false "${CORE}/enc28j60/*.[ch]" "${CORE}/net/*.[ch]"
     "${CORE}/wire/*.[ch]" "${CORE}/apps/*.[ch]")
list(LENGTH n nn)
message("check_layering: ${nn} files of core/ keep their arrows: the stack sees the driver only through netdev.h")
