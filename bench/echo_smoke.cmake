# echo_smoke.cmake - ctest smoke test of bench/echo_bench (cmake -P).
#
#   cmake -DECHO_BENCH=<path> -DHAVE_LIBUV=0|1 -P echo_smoke.cmake
#
# Runs the benchmark in quick mode and checks that it ran: exit status 0
# (echo_bench exits 1 when a server that started stopped answering), every
# expected line printed, every value and ratio numeric, except for a server
# the output names as not available (Python's libsock.selectors or uvloop
# missing, libuv not built), whose values are n/a. Speed is never asserted.

if(NOT ECHO_BENCH)
  message(FATAL_ERROR "usage: cmake -DECHO_BENCH=<echo_bench> [-DHAVE_LIBUV=1] -P echo_smoke.cmake")
endif()

execute_process(COMMAND ${ECHO_BENCH} --quick
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 100)
message("${out}")
if(err)
  message("stderr:\n${err}")
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "echo_bench --quick exited with '${rc}'")
endif()

set(num "[0-9]+(\\.[0-9]+)?")
set(failed "")

# A server may be n/a only if the output says it is not available.
function(check_line name peer group)
  set(re "(^|\n)${name} libsock=([^ \n]+) ${peer}=([^ \n]+) ratio=([^ \n]+)(\n|$)")
  if(NOT out MATCHES "${re}")
    set(failed "${failed}\n  missing line: ${name} ... ${peer}= ..." PARENT_SCOPE)
    return()
  endif()
  set(a "${CMAKE_MATCH_2}")
  set(b "${CMAKE_MATCH_3}")
  set(r "${CMAKE_MATCH_4}")
  foreach(pair "libsock;${a}" "${peer};${b}")
    list(GET pair 0 who)
    list(GET pair 1 v)
    if(v STREQUAL "n/a")
      if(NOT out MATCHES "# ${group} ${who}: not available")
        set(failed "${failed}\n  ${name}: ${who}=n/a without a 'not available' note" PARENT_SCOPE)
      endif()
    elseif(NOT v MATCHES "^${num}$")
      set(failed "${failed}\n  ${name}: ${who}=${v} is not a number" PARENT_SCOPE)
    endif()
  endforeach()
  if(NOT r MATCHES "^${num}$" AND NOT (r STREQUAL "n/a" AND (a STREQUAL "n/a" OR b STREQUAL "n/a")))
    set(failed "${failed}\n  ${name}: ratio=${r} is not a number" PARENT_SCOPE)
  endif()
endfunction()

foreach(c 1 100 1000)
  foreach(size 64B 4KiB)
    check_line("echo_c${c}_${size}" epoll echo)
    check_line("echo_c${c}_${size}" libuv echo)
    check_line("py_echo_c${c}_${size}" stdlib py_echo)
    check_line("py_echo_c${c}_${size}" uvloop py_echo)
  endforeach()
endforeach()
check_line("idle_c1000_bytes_per_conn" libuv idle)

# libsock's and the raw epoll server are always built: they must have answered.
if(NOT out MATCHES "echo_c100_64B libsock=${num} epoll=${num} ratio=${num}")
  set(failed "${failed}\n  the libsock and epoll C servers did not both answer")
endif()
if(HAVE_LIBUV AND NOT out MATCHES "echo_c100_64B libsock=${num} libuv=${num} ratio=${num}")
  set(failed "${failed}\n  libuv was built but its server did not answer")
endif()
if(out MATCHES "stopped answering")
  set(failed "${failed}\n  a server stopped answering")
endif()

if(failed)
  message(FATAL_ERROR "echo_bench --quick output is not as expected:${failed}")
endif()
