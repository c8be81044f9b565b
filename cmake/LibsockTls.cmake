# Chooses the TLS backend (libsock/tls/): LIBSOCK_TLS = auto, openssl,
# schannel or off. The result is LIBSOCK_TLS_BACKEND, the name of the one
# backend file compiled: openssl, schannel or none (every TLS call then
# returns LS_ENOTSUP).
#
# auto: Schannel on Windows once libsock/tls/schannel.c exists (until then
# a Windows build has no TLS, and says so); elsewhere OpenSSL 3 when CMake
# finds it (Debian: libssl-dev), else none.
set(LIBSOCK_TLS auto CACHE STRING "TLS backend: auto, openssl, schannel or off")
set_property(CACHE LIBSOCK_TLS PROPERTY STRINGS auto openssl schannel off)

set(_ls_schannel_src ${PROJECT_SOURCE_DIR}/libsock/tls/schannel.c)
if(LIBSOCK_TLS STREQUAL "auto")
  if(WIN32)
    if(EXISTS ${_ls_schannel_src})
      set(LIBSOCK_TLS_BACKEND schannel)
    else()
      set(LIBSOCK_TLS_BACKEND none)
      message(STATUS "libsock TLS: the Schannel backend is not written yet; "
        "this Windows build has no TLS (every ls_tls_* call returns LS_ENOTSUP)")
    endif()
  else()
    find_package(OpenSSL 3 QUIET COMPONENTS SSL Crypto)
    if(OPENSSL_FOUND)
      set(LIBSOCK_TLS_BACKEND openssl)
    else()
      set(LIBSOCK_TLS_BACKEND none)
      message(STATUS "libsock TLS: OpenSSL 3 not found (Debian: libssl-dev); building without TLS")
    endif()
  endif()
elseif(LIBSOCK_TLS STREQUAL "openssl")
  find_package(OpenSSL 3 REQUIRED COMPONENTS SSL Crypto)
  set(LIBSOCK_TLS_BACKEND openssl)
elseif(LIBSOCK_TLS STREQUAL "schannel")
  if(NOT WIN32 OR NOT EXISTS ${_ls_schannel_src})
    message(FATAL_ERROR "LIBSOCK_TLS=schannel: only on Windows, and libsock/tls/schannel.c "
      "is not written yet")
  endif()
  set(LIBSOCK_TLS_BACKEND schannel)
elseif(LIBSOCK_TLS STREQUAL "off")
  set(LIBSOCK_TLS_BACKEND none)
else()
  message(FATAL_ERROR "LIBSOCK_TLS must be auto, openssl, schannel or off (not ${LIBSOCK_TLS})")
endif()

# What the libraries link for TLS, and what their users need to know
# (LibsockInstall.cmake: pkg-config and the CMake package).
set(LIBSOCK_TLS_LIBS "")
if(LIBSOCK_TLS_BACKEND STREQUAL "openssl")
  set(LIBSOCK_TLS_LIBS OpenSSL::SSL OpenSSL::Crypto)
elseif(LIBSOCK_TLS_BACKEND STREQUAL "schannel")
  set(LIBSOCK_TLS_LIBS secur32 crypt32)
endif()
message(STATUS "libsock TLS: ${LIBSOCK_TLS_BACKEND} (LIBSOCK_TLS=${LIBSOCK_TLS})")
