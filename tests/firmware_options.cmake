# firmware_options.cmake - the firmware_image_options CTest fixture (cmake -P):
# a build option that is not an address, or a SYNACK_FW_DEFS item that is
# not NAME=VALUE, is refused when CMake configures,
# and an AVR image built with another MAC and IP (DIR/build-avr) for
# test_avr_host to boot and check that it announces them; and the small
# image (SYNACK_FW_SMALL=ON, DIR/build-avr-small) builds.
#   -DSRC=<source dir> -DDIR=<build root>
find_program(AVR_GCC avr-gcc)
if(NOT AVR_GCC)
  message("SKIP: avr-gcc not installed")
  return()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --preset avr -S ${SRC} -B ${DIR}/bad -DSYNACK_FW_IP=192.168.1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "SYNACK_FW_IP: expected a dotted IPv4 address")
  message(FATAL_ERROR "a bad SYNACK_FW_IP was not refused as it should be:\n${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --preset avr -S ${SRC} -B ${DIR}/bad2 -DSYNACK_FW_MAC=02:53:4e:41:43
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "SYNACK_FW_MAC: expected six hex octets")
  message(FATAL_ERROR "a bad SYNACK_FW_MAC was not refused as it should be:\n${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --preset avr -S ${SRC} -B ${DIR}/bad3 "-DSYNACK_FW_DEFS=NET_TCP_FAST_RTX=0;x y"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "SYNACK_FW_DEFS: expected NAME=VALUE items")
  message(FATAL_ERROR "a bad SYNACK_FW_DEFS was not refused as it should be:\n${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --preset avr -S ${SRC} -B ${DIR}/build-avr
                        -DSYNACK_FW_MAC=02:11:22:33:44:55 -DSYNACK_FW_IP=10.9.8.7
                        -DSYNACK_FW_NETMASK=255.255.0.0 -DSYNACK_FW_GATEWAY=0.0.0.0
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure with build options failed:\n${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${DIR}/build-avr --target synack-avr -j 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build with build options failed:\n${out}${err}")
endif()
# The small image (SYNACK_FW_SMALL: UDP delivery, ICMP errors and the HTTP
# page compiled out) still builds under the strict warning set.
execute_process(COMMAND ${CMAKE_COMMAND} --preset avr -S ${SRC} -B ${DIR}/build-avr-small -DSYNACK_FW_SMALL=ON
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure with SYNACK_FW_SMALL=ON failed:\n${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${DIR}/build-avr-small --target synack-avr -j 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build with SYNACK_FW_SMALL=ON failed:\n${out}${err}")
endif()
