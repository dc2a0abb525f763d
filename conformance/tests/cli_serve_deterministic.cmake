# `synack serve --deterministic`: the device connects out to a guest
# forward inside libslirp, gets its bytes back, and two runs write the
# same capture. Run with cmake -P by CTest (conformance/CMakeLists.txt), so
# the asan preset runs the whole path (the board, the chip model, libslirp
# on the virtual clock, the capture) under ASan and UBSan with no recovery.
#   -DSYNACK=<synack binary> -DDIR=<a scratch directory>
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
foreach(run a b)
  execute_process(COMMAND "${SYNACK}" serve --deterministic --guestfwd tcp:10.0.2.100:7-echo
                          --connect 10.0.2.100:7 --send 30000 --pcap "${DIR}/${run}.pcap"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "received 30000, the same bytes" OR NOT err STREQUAL "")
    message(FATAL_ERROR "synack serve --deterministic (${run}): exit ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${DIR}/a.pcap" "${DIR}/b.pcap" RESULT_VARIABLE same)
file(REMOVE_RECURSE "${DIR}")
if(NOT same EQUAL 0)
  message(FATAL_ERROR "synack serve --deterministic: two runs wrote different captures")
endif()
