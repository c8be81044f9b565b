# install(): headers, both libraries, an exported CMake package with a
# version file, and a pkg-config file.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS libsock libsock_static EXPORT libsockTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT libsockTargets NAMESPACE libsock::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libsock)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/libsockConfig.cmake.in
  ${CMAKE_BINARY_DIR}/libsockConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libsock)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/libsockConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/libsockConfig.cmake ${CMAKE_BINARY_DIR}/libsockConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libsock)

if(LIBSOCK_PLATFORM STREQUAL "win32")
  set(LIBSOCK_PC_LIBS_PRIVATE "-lws2_32 -liphlpapi")
  set(LIBSOCK_PC_STATIC_LIB "-lsock_static")
else()
  set(LIBSOCK_PC_LIBS_PRIVATE "-pthread")
  # -l:NAME picks the archive even though libsock.so sits beside it.
  set(LIBSOCK_PC_STATIC_LIB "-l:libsock.a")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/libsock.pc.in ${CMAKE_BINARY_DIR}/libsock.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/libsock-static.pc.in ${CMAKE_BINARY_DIR}/libsock-static.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/libsock.pc ${CMAKE_BINARY_DIR}/libsock-static.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
