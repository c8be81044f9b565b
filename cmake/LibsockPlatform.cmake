# Chooses the platform directory and probes OS features. The result is a
# generated header, lsi_config.h, with HAVE_* macros: platform code tests
# features, never OS names. LIBSOCK_PORTABLE turns the Linux-only features
# off so the generic POSIX paths (the ones macOS and the BSDs take) run.
include(CheckSymbolExists)
include(CheckCSourceCompiles)

if(WIN32)
  set(LIBSOCK_PLATFORM win32)
else()
  set(LIBSOCK_PLATFORM posix)
endif()

# A Linux-only feature: probed unless the portable build turns it off.
# (The result variables must not be set before a probe: check_c_source_compiles
# skips any variable that is already defined.)
macro(_ls_probe var src)
  if(NOT LIBSOCK_PORTABLE)
    check_c_source_compiles("${src}" ${var})
  endif()
endmacro()

if(LIBSOCK_PLATFORM STREQUAL "posix")
  set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
  _ls_probe(HAVE_ACCEPT4 "#include <sys/socket.h>
int main(void){return accept4(0,0,0,SOCK_CLOEXEC);}")
  _ls_probe(HAVE_SOCK_CLOEXEC "#include <sys/socket.h>
int main(void){return SOCK_CLOEXEC|SOCK_NONBLOCK;}")
  _ls_probe(HAVE_MSG_NOSIGNAL "#include <sys/socket.h>
int main(void){return MSG_NOSIGNAL;}")
  # SO_NOSIGPIPE is the generic fallback (macOS, BSD); it is probed even in
  # portable mode, where it is simply absent on Linux.
  check_c_source_compiles("#include <sys/socket.h>
int main(void){return SO_NOSIGPIPE;}" HAVE_SO_NOSIGPIPE)
  check_c_source_compiles("#include <sys/socket.h>
int main(void){return SO_REUSEPORT;}" HAVE_SO_REUSEPORT)
  check_c_source_compiles("#include <netinet/tcp.h>
int main(void){return TCP_KEEPIDLE;}" HAVE_TCP_KEEPIDLE)
  check_c_source_compiles("#include <netinet/tcp.h>
int main(void){return TCP_KEEPALIVE;}" HAVE_TCP_KEEPALIVE)
  check_c_source_compiles("#include <netinet/tcp.h>
int main(void){return TCP_KEEPINTVL + TCP_KEEPCNT;}" HAVE_TCP_KEEPINTVL)
  # The process-wide barrier of the handle fast path (posix/thread.c), only
  # when asked for (LIBSOCK_ASYM_BARRIER: see the top-level CMakeLists.txt).
  if(LIBSOCK_ASYM_BARRIER)
    _ls_probe(HAVE_MEMBARRIER "#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void){return (int)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);}")
  else()
    unset(HAVE_MEMBARRIER CACHE) # a build directory configured with it on before
  endif()
  _ls_probe(HAVE_LINUX_TCP_INFO "#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>
int main(void){struct tcp_info i; i.tcpi_rtt = 0; return TCP_INFO + (int)i.tcpi_rtt + (int)sizeof(i.tcpi_snd_mss);}")
  # TCP statistics elsewhere (libsock/posix/tcp_info_*.c). macOS:
  # TCP_CONNECTION_INFO; its retransmitted-segment count came later than
  # the rest. FreeBSD: TCP_INFO with its own struct tcp_info, told from
  # glibc's (no tcpi_snd_rexmitpack) and from NetBSD's and OpenBSD's (the
  # same fields, but NetBSD gives the congestion window in segments and
  # OpenBSD fills the extension fields for root only) by struct
  # tcp_function_set, which only FreeBSD's <netinet/tcp.h> declares.
  # Probed in portable mode too: these are not Linux features.
  set(_ls_tcp_h "#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>")
  check_c_source_compiles("${_ls_tcp_h}
int main(void){struct tcp_connection_info i = {0};
return TCP_CONNECTION_INFO + (int)i.tcpi_srtt + (int)i.tcpi_rttvar + (int)i.tcpi_rto +
(int)i.tcpi_snd_cwnd + (int)i.tcpi_txbytes + (int)i.tcpi_rxbytes + (int)i.tcpi_txretransmitbytes;}"
    HAVE_TCP_CONNECTION_INFO)
  check_c_source_compiles("${_ls_tcp_h}
int main(void){struct tcp_connection_info i = {0}; return (int)i.tcpi_txretransmitpackets;}"
    HAVE_TCPI_TXRETRANSMITPACKETS)
  check_c_source_compiles("${_ls_tcp_h}
int main(void){struct tcp_info i = {0}; struct tcp_function_set f = {{0}, 0};
return TCP_INFO + (int)i.tcpi_rtt + (int)i.tcpi_rttvar + (int)i.tcpi_rto + (int)i.tcpi_snd_cwnd +
(int)i.tcpi_snd_rexmitpack + (int)i.tcpi_state + (int)f.pcbcnt;}" HAVE_TCP_INFO_FREEBSD)
  _ls_probe(HAVE_SO_ATTACH_FILTER "#include <sys/socket.h>
#include <linux/filter.h>
int main(void){struct sock_fprog p = {0, 0}; return SO_ATTACH_FILTER + SO_DETACH_FILTER + SKF_NET_OFF + p.len;}")
  # Port sharing that balances (libsock/posix/share.c): only Linux's
  # reuseport groups take a steering program, and those groups balance, so
  # the program's option stands for "SO_REUSEPORT balances" (a Linux
  # feature: off in the portable build, which then takes the generic path).
  # FreeBSD's balancing kind is an option of its own.
  _ls_probe(HAVE_SO_ATTACH_REUSEPORT_CBPF "#include <sys/socket.h>
#include <linux/filter.h>
int main(void){return SO_REUSEPORT + SO_ATTACH_REUSEPORT_CBPF + SKF_AD_CPU;}")
  check_c_source_compiles("#include <sys/socket.h>
int main(void){return SO_REUSEPORT_LB;}" HAVE_SO_REUSEPORT_LB)
  _ls_probe(HAVE_SENDMMSG "#include <sys/socket.h>
int main(void){struct mmsghdr m[1]; return sendmmsg(0, m, 1, 0) + recvmmsg(0, m, 1, MSG_WAITFORONE, 0);}")
  _ls_probe(HAVE_UDP_SEGMENT "#include <netinet/udp.h>
int main(void){return UDP_SEGMENT + UDP_GRO;}")
  _ls_probe(HAVE_MSG_CMSG_CLOEXEC "#include <sys/socket.h>
int main(void){return MSG_CMSG_CLOEXEC;}")
  # Message calls: which IPv4 destination-address mechanism the OS has
  # (IP_PKTINFO: Linux, macOS; IP_RECVDSTADDR/IP_SENDSRCADDR: the BSDs).
  check_c_source_compiles("#include <netinet/in.h>
int main(void){struct in_pktinfo p; p.ipi_ifindex = 0; return IP_PKTINFO + p.ipi_ifindex;}" HAVE_IP_PKTINFO)
  check_c_source_compiles("#include <netinet/in.h>
int main(void){return IP_RECVDSTADDR;}" HAVE_IP_RECVDSTADDR)
  check_c_source_compiles("#include <netinet/in.h>
int main(void){return IP_SENDSRCADDR;}" HAVE_IP_SENDSRCADDR)
  _ls_probe(HAVE_EPOLL "#include <sys/epoll.h>
#include <sys/eventfd.h>
int main(void){return epoll_create1(EPOLL_CLOEXEC) + eventfd(0, EFD_NONBLOCK) + EPOLLRDHUP;}")
  if(NOT HAVE_EPOLL)
    _ls_probe(HAVE_KQUEUE "#include <sys/types.h>
#include <sys/event.h>
int main(void){struct kevent e; EV_SET(&e, 0, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0); return kqueue();}")
  endif()
  unset(CMAKE_REQUIRED_DEFINITIONS)
endif()

# Multicast (libsock/posix/multicast.c). The RFC 3678 protocol-independent
# calls (MCAST_JOIN_GROUP, struct group_req) are on Linux, the BSDs and
# macOS, but not in POSIX: the portable build leaves them out so that the
# generic fallback (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP) runs and is tested.
# ip_mreqn (an IPv4 interface by index) is Linux's; IP_MULTICAST_IFINDEX is
# macOS's; elsewhere an interface index is turned into one of its IPv4
# addresses with getifaddrs.
if(LIBSOCK_PLATFORM STREQUAL "posix")
  set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
  _ls_probe(HAVE_MCAST_JOIN_GROUP "#include <sys/socket.h>
#include <netinet/in.h>
int main(void){struct group_source_req r; r.gsr_interface = 0;
return MCAST_JOIN_GROUP + MCAST_LEAVE_GROUP + MCAST_JOIN_SOURCE_GROUP +
MCAST_LEAVE_SOURCE_GROUP + (int)sizeof(struct group_req) + (int)r.gsr_interface;}")
  _ls_probe(HAVE_IP_MREQN "#include <sys/socket.h>
#include <netinet/in.h>
int main(void){struct ip_mreqn m; m.imr_ifindex = 1; return m.imr_ifindex;}")
  check_c_source_compiles("#include <sys/socket.h>
#include <netinet/in.h>
int main(void){struct ip_mreq_source m; m.imr_sourceaddr.s_addr = 0;
return IP_ADD_SOURCE_MEMBERSHIP + IP_DROP_SOURCE_MEMBERSHIP + (int)m.imr_sourceaddr.s_addr;}"
    HAVE_IP_ADD_SOURCE_MEMBERSHIP)
  check_c_source_compiles("#include <sys/socket.h>
#include <netinet/in.h>
int main(void){return IP_MULTICAST_IFINDEX;}" HAVE_IP_MULTICAST_IFINDEX)
  # Linux delivers a group's datagrams to every socket bound to the port
  # once any socket on the host joined, unless IP_MULTICAST_ALL is off.
  # Probed even in portable mode: it is a correction, not a fast path.
  check_c_source_compiles("#include <sys/socket.h>
#include <netinet/in.h>
int main(void){return IP_MULTICAST_ALL;}" HAVE_IP_MULTICAST_ALL)
  check_c_source_compiles("#include <sys/types.h>
#include <ifaddrs.h>
int main(void){struct ifaddrs *a; int r = getifaddrs(&a); freeifaddrs(a); return r;}"
    HAVE_GETIFADDRS)
  unset(CMAKE_REQUIRED_DEFINITIONS)
endif()
foreach(v HAVE_MCAST_JOIN_GROUP HAVE_IP_MREQN HAVE_IP_ADD_SOURCE_MEMBERSHIP
          HAVE_IP_MULTICAST_IFINDEX HAVE_IP_MULTICAST_ALL HAVE_GETIFADDRS)
  if(${v})
    set(${v}_FLAG 1)
  else()
    set(${v}_FLAG 0)
  endif()
endforeach()

# The poller's native backend: one file, chosen here (libsock/poller/).
if(LIBSOCK_PLATFORM STREQUAL "win32")
  set(LIBSOCK_POLLER_NATIVE afd)
elseif(HAVE_EPOLL)
  set(LIBSOCK_POLLER_NATIVE epoll)
elseif(HAVE_KQUEUE)
  set(LIBSOCK_POLLER_NATIVE kqueue)
else()
  set(LIBSOCK_POLLER_NATIVE none)
endif()

# The source of TCP statistics from the OS: one file, chosen here
# (libsock/posix/tcp_info_<name>.c; Windows has win32/tcp_info.c).
if(LIBSOCK_PLATFORM STREQUAL "posix")
  if(HAVE_LINUX_TCP_INFO)
    set(LIBSOCK_TCP_INFO linux)
  elseif(HAVE_TCP_CONNECTION_INFO)
    set(LIBSOCK_TCP_INFO darwin)
  elseif(HAVE_TCP_INFO_FREEBSD)
    set(LIBSOCK_TCP_INFO freebsd)
  else()
    set(LIBSOCK_TCP_INFO none)
  endif()
endif()

# Normalise every feature to 0 or 1 for the generated header; a feature
# never probed (Windows, or portable mode) is absent.
foreach(v HAVE_ACCEPT4 HAVE_SOCK_CLOEXEC HAVE_MSG_NOSIGNAL HAVE_SO_NOSIGPIPE HAVE_SO_REUSEPORT
          HAVE_SO_ATTACH_REUSEPORT_CBPF HAVE_SO_REUSEPORT_LB
          HAVE_MEMBARRIER HAVE_LINUX_TCP_INFO HAVE_TCP_CONNECTION_INFO
          HAVE_TCPI_TXRETRANSMITPACKETS HAVE_TCP_INFO_FREEBSD HAVE_SO_ATTACH_FILTER HAVE_SENDMMSG HAVE_UDP_SEGMENT HAVE_MSG_CMSG_CLOEXEC HAVE_IP_PKTINFO HAVE_IP_RECVDSTADDR HAVE_IP_SENDSRCADDR
          HAVE_TCP_KEEPIDLE HAVE_TCP_KEEPALIVE HAVE_TCP_KEEPINTVL)
  if(${v})
    set(${v}_FLAG 1)
  else()
    set(${v}_FLAG 0)
  endif()
endforeach()

if(LIBSOCK_PORTABLE)
  set(LIBSOCK_PORTABLE_FLAG 1)
else()
  set(LIBSOCK_PORTABLE_FLAG 0)
endif()

configure_file(${CMAKE_CURRENT_LIST_DIR}/lsi_config.h.in
  ${CMAKE_BINARY_DIR}/generated/lsi_config.h @ONLY)
message(STATUS "libsock platform: ${LIBSOCK_PLATFORM} (portable=${LIBSOCK_PORTABLE_FLAG}, poller=${LIBSOCK_POLLER_NATIVE}, tcp_info=${LIBSOCK_TCP_INFO})")
