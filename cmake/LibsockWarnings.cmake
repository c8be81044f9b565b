# Warning and sanitizer flags, applied through an interface target so every
# target of the project (library, tests, examples, bench) gets the same ones.
add_library(libsock_flags INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(libsock_flags INTERFACE -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter)
  if(LIBSOCK_WERROR)
    target_compile_options(libsock_flags INTERFACE -Werror)
  endif()
  if(LIBSOCK_SANITIZE)
    target_compile_options(libsock_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
    target_link_options(libsock_flags INTERFACE -fsanitize=address,undefined)
  endif()
  if(LIBSOCK_FUZZ)
    target_compile_options(libsock_flags INTERFACE -fsanitize=address,undefined,fuzzer-no-link
      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(libsock_flags INTERFACE -fsanitize=address,undefined)
  endif()
  if(LIBSOCK_TSAN)
    target_compile_options(libsock_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(libsock_flags INTERFACE -fsanitize=thread)
  endif()
elseif(MSVC)
  target_compile_options(libsock_flags INTERFACE /W4)
endif()
