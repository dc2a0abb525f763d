# `synack run EMPTYDIR` must say "no scripts found" and exit 2. Run with
# cmake -P by CTest (conformance/CMakeLists.txt): in the asan preset the
# binary is built with UBSan and no recovery, so undefined behaviour on the
# way (qsort(NULL, 0, ...) on an empty list: qsort's base is declared
# nonnull) aborts the test instead of passing silently.
#   -DSYNACK=<synack binary> -DDIR=<a scratch directory>
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}/empty")
execute_process(COMMAND "${SYNACK}" run "${DIR}/empty"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE "${DIR}")
if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR NOT err STREQUAL "synack run: no scripts found\n")
  message(FATAL_ERROR "synack run EMPTYDIR: exit ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
