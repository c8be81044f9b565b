# Cross-compile libsock for 64-bit Windows with the mingw-w64 toolchain and
# run the resulting programs (tests) under wine.
#
#   cmake -S . -B build/win -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake
#
# Set LIBSOCK_MINGW_TRIPLE to use another target (i686-w64-mingw32).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 10.0)

if(NOT LIBSOCK_MINGW_TRIPLE)
  set(LIBSOCK_MINGW_TRIPLE x86_64-w64-mingw32)
endif()
if(LIBSOCK_MINGW_TRIPLE MATCHES "^i.86")
  set(CMAKE_SYSTEM_PROCESSOR x86)
else()
  set(CMAKE_SYSTEM_PROCESSOR AMD64)
endif()

set(CMAKE_C_COMPILER ${LIBSOCK_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${LIBSOCK_MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${LIBSOCK_MINGW_TRIPLE}-windres)

# Libraries and headers come from the mingw-w64 sysroot only; programs
# (code generators, the emulator) from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/${LIBSOCK_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Link libgcc statically so the .exe and .dll files run under wine (or on a
# bare Windows) without the mingw runtime DLLs on the search path. The
# compiler uses the win32 thread model, so there is no libwinpthread DLL to
# worry about.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc")

# add_test() runs executable targets through this. Debian's /usr/bin/wine
# is a wrapper script that picks the 32- or 64-bit loader; the 64-bit loader
# itself lives in /usr/lib/wine and runs our 64-bit programs directly.
# Scripts that run ctest set WINEDEBUG=-all to keep wine's logging quiet.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "x86")
    find_program(LIBSOCK_WINE NAMES wine PATHS /usr/lib/wine)
  else()
    find_program(LIBSOCK_WINE NAMES wine64 wine PATHS /usr/lib/wine /usr/lib64/wine)
  endif()
  if(LIBSOCK_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${LIBSOCK_WINE})
  endif()
endif()

# Windows finds a DLL next to the program that loads it, not through an
# rpath. Put every program and DLL of the build in one directory so the
# tests (and examples) find libsock.dll under wine without PATH tricks.
# try_compile() projects read this file too; leave their layout alone.
get_property(_ls_in_try_compile GLOBAL PROPERTY IN_TRY_COMPILE)
if(NOT _ls_in_try_compile AND NOT CMAKE_RUNTIME_OUTPUT_DIRECTORY)
  set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
endif()
