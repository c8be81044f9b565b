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
# TLS: OpenSSL through its own .pc files; Schannel is part of Windows.
set(LIBSOCK_PC_REQUIRES_PRIVATE "")
if(LIBSOCK_TLS_BACKEND STREQUAL "openssl")
  set(LIBSOCK_PC_REQUIRES_PRIVATE "libssl libcrypto")
elseif(LIBSOCK_TLS_BACKEND STREQUAL "schannel")
  string(APPEND LIBSOCK_PC_LIBS_PRIVATE " -lsecur32 -lcrypt32 -lncrypt")
endif()
# Relocatable .pc files: the prefix is ${pcfiledir} and the way up from
# <libdir>/pkgconfig, so an install moved with `cmake --install --prefix`
# (or copied elsewhere) still gives the right -I and -L. Absolute install
# directories stay as they are.
file(RELATIVE_PATH _ls_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" _ls_pc_up "${_ls_pc_up}")
set(LIBSOCK_PC_PREFIX "\${pcfiledir}/${_ls_pc_up}")
foreach(_d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(LIBSOCK_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(LIBSOCK_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(LIBSOCK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/libsock.pc.in ${CMAKE_BINARY_DIR}/libsock.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/libsock-static.pc.in ${CMAKE_BINARY_DIR}/libsock-static.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/libsock.pc ${CMAKE_BINARY_DIR}/libsock-static.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
