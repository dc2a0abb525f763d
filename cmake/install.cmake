# cmake --install: what a user needs to put their own stack and driver
# under test without a source checkout.
#
#   PREFIX/bin/synack                          the CLI
#   PREFIX/share/synack/suites/                the conformance suites (the
#                                              installed CLI finds them
#                                              beside itself)
#   PREFIX/share/synack/examples/seed_stack/   the example firmware
#   PREFIX/include/synack/                     headers, by the names the tree includes:
#       hal.h enc28j60_hw.h synack_board.h     (a board firmware needs only these)
#       enc28j60_model.h                       the chip model
#       sim.h board.h link.h pcap_tap.h ...    the simulator
#       enc28j60.h net.h tcp.h wire/ apps/ ... our driver and stack (core/enc28j60/
#                                              and core/net/ side by side)
#   PREFIX/lib/libsynack_{core,model,sim}.a    static, position-independent
#   PREFIX/lib/libsynack_packetdrill.so        for packetdrill --so_filename
#                                              (installed by conformance/packetdrill_so)
#   PREFIX/lib/pkgconfig/synack.pc             pkg_check_modules(SYNACK synack)
#   PREFIX/lib/cmake/synack/                   find_package(synack): targets
#       synack::headers (include path only: for a board firmware),
#       synack::core, synack::model, synack::sim, synack::synack (the CLI)
#
# Everything is relative to the prefix, so `cmake --install build --prefix
# DIR` may pick any DIR after configuring.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SYNACK_INCLUDE_SUBDIR ${CMAKE_INSTALL_INCLUDEDIR}/synack)
set(SYNACK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/synack)
set(SYNACK_DATA_DIR ${CMAKE_INSTALL_DATADIR}/synack)

# Headers only: what a firmware built as a shared object compiles against.
add_library(synack_headers INTERFACE)
target_include_directories(synack_headers INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/core> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/core/enc28j60>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/core/net> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/sim>
  $<INSTALL_INTERFACE:${SYNACK_INCLUDE_SUBDIR}>)
set_target_properties(synack_headers PROPERTIES EXPORT_NAME headers)

# An ASan+UBSan build installs instrumented libraries: their users must
# link the sanitizer runtimes too, so the package says so.
set(SYNACK_PC_SANITIZE "")
if(SYNACK_SANITIZE)
  set(SYNACK_PC_SANITIZE "-fsanitize=address,undefined")
  foreach(t synack_core synack_model synack_sim)
    set_property(TARGET ${t} APPEND PROPERTY INTERFACE_LINK_OPTIONS
                 $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
  endforeach()
endif()

set(_synack_targets synack_headers)
foreach(t synack_core synack_model synack_sim synack)
  if(TARGET ${t})
    list(APPEND _synack_targets ${t})
  endif()
endforeach()
install(TARGETS ${_synack_targets} EXPORT synackTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${SYNACK_INCLUDE_SUBDIR})
install(EXPORT synackTargets NAMESPACE synack:: DESTINATION ${SYNACK_CMAKE_DIR})

# Headers. Private ones (enc28j60_priv.h, net_internal.h, model_internal.h)
# stay in the tree. The driver's (core/enc28j60/) and the stack's
# (core/net/) go flat into include/synack/, beside each other, so the
# installed names are the ones the tree includes ("hal.h", "net.h"); wire/
# and apps/ keep their folders ("wire/tcp.h").
file(GLOB _core_h ${PROJECT_SOURCE_DIR}/core/enc28j60/*.h ${PROJECT_SOURCE_DIR}/core/net/*.h)
list(FILTER _core_h EXCLUDE REGEX "(_priv|_internal)\\.h$")
file(GLOB _sim_h ${PROJECT_SOURCE_DIR}/sim/*.h)
# synack serve's bridges and loop (libsynack_serve) are not installed.
list(FILTER _sim_h EXCLUDE REGEX "/(bridge|serve)[^/]*\\.h$")
# avr_host.h goes with synack_avr_host (libsimavr), which is not installed.
list(FILTER _sim_h EXCLUDE REGEX "avr_host\\.h$")
# netif.h: the TAP set-ups' interface calls, internal to serve and the tap DUT.
list(FILTER _sim_h EXCLUDE REGEX "netif\\.h$")
install(FILES ${_core_h} ${_sim_h} ${PROJECT_SOURCE_DIR}/enc28j60_model/enc28j60_model.h
        DESTINATION ${SYNACK_INCLUDE_SUBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/wire ${PROJECT_SOURCE_DIR}/core/apps
        DESTINATION ${SYNACK_INCLUDE_SUBDIR} FILES_MATCHING PATTERN "*.h")
# sim/*.h above includes any glue header that appears in sim/ later (e.g.
# spi_glue.h, an adapter from a user's own SPI functions to enc_spi_hal):
# list it here only if it must not be installed.

install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/suites/ DESTINATION ${SYNACK_DATA_DIR}/suites)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/seed_stack DESTINATION ${SYNACK_DATA_DIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
        ${PROJECT_SOURCE_DIR}/conformance/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)

# CMake package.
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/synackConfig.cmake.in
  ${PROJECT_BINARY_DIR}/synackConfig.cmake INSTALL_DESTINATION ${SYNACK_CMAKE_DIR}
  PATH_VARS SYNACK_INCLUDE_SUBDIR SYNACK_DATA_DIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/synackConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/synackConfig.cmake ${PROJECT_BINARY_DIR}/synackConfigVersion.cmake
        DESTINATION ${SYNACK_CMAKE_DIR})

# pkg-config, relative to its own location (pcfiledir).
file(RELATIVE_PATH SYNACK_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" SYNACK_PC_UP "${SYNACK_PC_UP}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/synack.pc.in ${PROJECT_BINARY_DIR}/synack.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/synack.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
