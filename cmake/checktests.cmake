# Every test_*.c in the calling directory becomes one Check suite binary and
# one CTest test, linked against the given libraries.
function(synack_check_dir)
  file(GLOB _tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.c)
  foreach(_src ${_tests})
    get_filename_component(_name ${_src} NAME_WE)
    synack_add_check(${_name} SOURCES ${_src} ${SYNACK_TEST_SUPPORT} LIBS ${ARGN})
  endforeach()
endfunction()
