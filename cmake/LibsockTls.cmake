# Chooses the TLS backend (libsock/tls/): LIBSOCK_TLS = auto, openssl,
# schannel or off. The result is LIBSOCK_TLS_BACKEND, the name of the one
# backend file compiled: openssl, schannel or none (every TLS call then
# returns LS_ENOTSUP).
#
# auto: Schannel on Windows (secur32, crypt32 and ncrypt, part of every
# Windows since Vista); elsewhere OpenSSL 3 when CMake finds it (Debian:
# libssl-dev), else none.
set(LIBSOCK_TLS auto CACHE STRING "TLS backend: auto, openssl, schannel or off")
set_property(CACHE LIBSOCK_TLS PROPERTY STRINGS auto openssl schannel off)

if(LIBSOCK_TLS STREQUAL "auto")
  if(WIN32)
    set(LIBSOCK_TLS_BACKEND schannel)
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
  if(NOT WIN32)
    message(FATAL_ERROR "LIBSOCK_TLS=schannel: Schannel is Windows' own TLS; only on Windows")
  endif()
  set(LIBSOCK_TLS_BACKEND schannel)
elseif(LIBSOCK_TLS STREQUAL "off")
  set(LIBSOCK_TLS_BACKEND none)
else()
  message(FATAL_ERROR "LIBSOCK_TLS must be auto, openssl, schannel or off (not ${LIBSOCK_TLS})")
endif()

# What the libraries link for TLS, and what their users need to know
# (LibsockInstall.cmake: pkg-config's -lsecur32 -lcrypt32 -lncrypt, and the static
# library's link interface in the CMake package).
set(LIBSOCK_TLS_LIBS "")
if(LIBSOCK_TLS_BACKEND STREQUAL "openssl")
  set(LIBSOCK_TLS_LIBS OpenSSL::SSL OpenSSL::Crypto)
elseif(LIBSOCK_TLS_BACKEND STREQUAL "schannel")
  # ncrypt: CNG keys (EC keys, and PKCS#12 keys Windows imports into CNG).
  set(LIBSOCK_TLS_LIBS secur32 crypt32 ncrypt)
endif()
message(STATUS "libsock TLS: ${LIBSOCK_TLS_BACKEND} (LIBSOCK_TLS=${LIBSOCK_TLS})")
