"""sendmsg, recvmsg and recvmsg_into: each scenario runs once on stdlib's
sockets and once on libsock's, and the results must be the same (ports,
which differ from run to run, are left out of the comparison)."""
import array
import errno
import os
import socket as stdsock
import struct
import sys
import unittest

import libsock
from lsp_testutil import HAS_IPV6, HAS_UNIX, TIMEOUT, TestCase

LINUX = sys.platform.startswith('linux')
HAS_MSG = hasattr(stdsock.socket, 'recvmsg')
# Python 3.11 lacks these names; their Linux values.
IP_PKTINFO = getattr(stdsock, 'IP_PKTINFO', 8)
IP_RECVTTL = getattr(stdsock, 'IP_RECVTTL', 12)
UDP_SEGMENT, UDP_GRO = 103, 104
INT = array.array('i')


def ints(*values):
    return array.array('i', values).tobytes()


def udp_pair(mod, family):
    host = '127.0.0.1' if family == mod.AF_INET else '::1'
    r = mod.socket(family, mod.SOCK_DGRAM)
    s = mod.socket(family, mod.SOCK_DGRAM)
    r.bind((host, 0))
    s.bind((host, 0))
    r.settimeout(TIMEOUT)
    return r, s


def strip_port(result):
    """(data, ancdata, flags, address) without the address's port."""
    data, anc, flags, addr = result
    if isinstance(addr, tuple):
        addr = (addr[0],) + tuple(addr[2:])
    return data, anc, flags, addr


def both(test, scenario):
    """Run scenario(mod) on stdlib and on libsock; they must agree."""
    want = scenario(stdsock)
    got = scenario(libsock)
    test.assertEqual(got, want)
    return got


@unittest.skipUnless(HAS_MSG and LINUX, 'stdlib has no recvmsg here, or not Linux (ancillary formats)')
class UdpAncillaryTest(TestCase):
    def exchange(self, family, recv_opts, send_anc, ancbufsize=1024, bufsize=64, data=b'datagram'):
        def scenario(mod):
            r, s = udp_pair(mod, family)
            with r, s:
                for level, name in recv_opts:
                    r.setsockopt(level, name, 1)
                n = s.sendmsg([data[:3], data[3:]], send_anc, 0, r.getsockname())
                return n, strip_port(r.recvmsg(bufsize, ancbufsize))
        return both(self, scenario)

    def test_ipv4_each_item(self):
        P = stdsock.IPPROTO_IP
        cases = {
            'pktinfo': [(P, IP_PKTINFO)],
            'tos': [(P, stdsock.IP_RECVTOS)],
            'ttl': [(P, IP_RECVTTL)],
            'all': [(P, IP_PKTINFO), (P, stdsock.IP_RECVTOS), (P, IP_RECVTTL)],
        }
        sends = {
            'none': [],
            'tos': [(P, stdsock.IP_TOS, ints(0x28 | 2))],
            'tos-byte': [(P, stdsock.IP_TOS, b'\x48')],
            'ttl': [(P, stdsock.IP_TTL, ints(9))],
            'both': [(P, stdsock.IP_TOS, ints(0xb8)), (P, stdsock.IP_TTL, ints(3))],
        }
        for rname, opts in cases.items():
            for sname, anc in sends.items():
                with self.subTest(recv=rname, send=sname):
                    n, (data, items, flags, _) = self.exchange(stdsock.AF_INET, opts, anc)
                    self.assertEqual((n, data, flags), (8, b'datagram', 0))
                    self.assertEqual(len(items), len(opts))

    def test_ipv4_source_address(self):
        # IP_PKTINFO to send: the datagram leaves from ipi_spec_dst.
        pi = struct.pack('=i4s4s', 0, stdsock.inet_aton('127.0.0.1'), bytes(4))
        self.exchange(stdsock.AF_INET, [(stdsock.IPPROTO_IP, IP_PKTINFO)],
                      [(stdsock.IPPROTO_IP, IP_PKTINFO, pi)])
        ifindex = stdsock.if_nametoindex('lo')
        pi = struct.pack('=i4s4s', ifindex, bytes(4), bytes(4))
        self.exchange(stdsock.AF_INET, [], [(stdsock.IPPROTO_IP, IP_PKTINFO, pi)])

    @unittest.skipUnless(HAS_IPV6, 'no IPv6 loopback')
    def test_ipv6_each_item(self):
        P = stdsock.IPPROTO_IPV6
        cases = {
            'pktinfo': [(P, stdsock.IPV6_RECVPKTINFO)],
            'tclass': [(P, stdsock.IPV6_RECVTCLASS)],
            'hoplimit': [(P, stdsock.IPV6_RECVHOPLIMIT)],
            'all': [(P, stdsock.IPV6_RECVPKTINFO), (P, stdsock.IPV6_RECVTCLASS),
                    (P, stdsock.IPV6_RECVHOPLIMIT)],
        }
        src = struct.pack('=16sI', stdsock.inet_pton(stdsock.AF_INET6, '::1'), 0)
        sends = {
            'none': [],
            'tclass': [(P, stdsock.IPV6_TCLASS, ints(0x28 | 1))],
            'hoplimit': [(P, stdsock.IPV6_HOPLIMIT, ints(5))],
            'pktinfo': [(P, stdsock.IPV6_PKTINFO, src)],
            'all': [(P, stdsock.IPV6_TCLASS, ints(4)), (P, stdsock.IPV6_HOPLIMIT, ints(2)),
                    (P, stdsock.IPV6_PKTINFO, src)],
        }
        for rname, opts in cases.items():
            for sname, anc in sends.items():
                with self.subTest(recv=rname, send=sname):
                    n, (data, items, flags, _) = self.exchange(stdsock.AF_INET6, opts, anc)
                    self.assertEqual((n, data, flags), (8, b'datagram', 0))
                    self.assertEqual(len(items), len(opts))

    @unittest.skipUnless(HAS_IPV6, 'no IPv6 loopback')
    def test_ipv6_default_tclass(self):
        # -1 asks for the default (RFC 3542), as libsock reads it; this
        # kernel sends 0xff for it through stdlib, which is not compared.
        P = libsock.IPPROTO_IPV6
        r, s = udp_pair(libsock, libsock.AF_INET6)
        with r, s:
            r.setsockopt(P, libsock.IPV6_RECVTCLASS, 1)
            s.sendmsg([b'd'], [(P, libsock.IPV6_TCLASS, ints(-1))], 0, r.getsockname())
            self.assertEqual(r.recvmsg(4, 64)[1], [(P, libsock.IPV6_TCLASS, ints(0))])

    def test_options_read_back(self):
        # The reception options set through setsockopt read back as the OS has them.
        def scenario(mod):
            r, s = udp_pair(mod, mod.AF_INET)
            with r, s:
                r.setsockopt(mod.IPPROTO_IP, IP_PKTINFO, 1)
                r.setsockopt(mod.IPPROTO_IP, mod.IP_RECVTOS, ints(1))
                on = (r.getsockopt(mod.IPPROTO_IP, IP_PKTINFO),
                      r.getsockopt(mod.IPPROTO_IP, mod.IP_RECVTOS))
                r.setsockopt(mod.IPPROTO_IP, IP_PKTINFO, 0)
                s.sendto(b'x', r.getsockname())
                return on, r.getsockopt(mod.IPPROTO_IP, IP_PKTINFO), strip_port(r.recvmsg(4, 256))
        both(self, scenario)

    def test_control_truncation(self):
        # Too small an ancbufsize: items cut or left out, MSG_CTRUNC.
        opts = [(stdsock.IPPROTO_IP, IP_PKTINFO), (stdsock.IPPROTO_IP, stdsock.IP_RECVTOS),
                (stdsock.IPPROTO_IP, IP_RECVTTL)]
        sizes = {0, 1, stdsock.CMSG_LEN(0), stdsock.CMSG_LEN(4), stdsock.CMSG_LEN(12) - 1,
                 stdsock.CMSG_LEN(12), stdsock.CMSG_SPACE(12), stdsock.CMSG_SPACE(12) + 17,
                 stdsock.CMSG_SPACE(12) + stdsock.CMSG_SPACE(4),
                 stdsock.CMSG_SPACE(12) + stdsock.CMSG_SPACE(4) + stdsock.CMSG_LEN(1)}
        for size in sorted(sizes):
            with self.subTest(ancbufsize=size):
                _, (_, items, flags, _) = self.exchange(stdsock.AF_INET, opts, [], ancbufsize=size)
                self.assertEqual(bool(flags & stdsock.MSG_CTRUNC), len(items) < 3 or size < 64)

    def test_datagram_truncation(self):
        for bufsize in (0, 1, 7, 8, 9):
            with self.subTest(bufsize=bufsize):
                _, (data, _, flags, _) = self.exchange(stdsock.AF_INET, [], [], bufsize=bufsize)
                self.assertEqual(bool(flags & stdsock.MSG_TRUNC), bufsize < 8)
                self.assertEqual(data, b'datagram'[:bufsize])

    def test_recvmsg_into(self):
        def scenario(mod):
            r, s = udp_pair(mod, mod.AF_INET)
            with r, s:
                r.setsockopt(mod.IPPROTO_IP, IP_RECVTTL, 1)
                s.sendto(b'0123456789', r.getsockname())
                b1, b2, b3 = bytearray(3), bytearray(4), memoryview(bytearray(2))
                res = strip_port(r.recvmsg_into([b1, b2, b3], 64))
                return res, bytes(b1), bytes(b2), bytes(b3)
        got = both(self, scenario)
        self.assertEqual(got[0][0], 9)
        self.assertEqual(got[0][2], stdsock.MSG_TRUNC)

    def test_udp_segmentation(self):
        # UDP_SEGMENT: the kernel cuts one send into datagrams of 100 bytes.
        def scenario(mod):
            r, s = udp_pair(mod, mod.AF_INET)
            with r, s:
                try:
                    n = s.sendmsg([b'a' * 250], [(stdsock.SOL_UDP, UDP_SEGMENT, struct.pack('=H', 100))],
                                  0, r.getsockname())
                except OSError as e:
                    return ('error', e.errno)
                return n, [r.recv(1000) for _ in range(3)]
        got = both(self, scenario)
        if got[0] == 'error':
            self.skipTest(f'kernel refuses UDP_SEGMENT (errno {got[1]})')
        self.assertEqual(got[1], [b'a' * 100, b'a' * 100, b'a' * 50])

    def test_udp_gro(self):
        def scenario(mod):
            r, s = udp_pair(mod, mod.AF_INET)
            with r, s:
                try:
                    r.setsockopt(stdsock.SOL_UDP, UDP_GRO, 1)
                except OSError as e:
                    return ('error', e.errno)
                s.sendto(b'g' * 10, r.getsockname())
                return strip_port(r.recvmsg(64, 64))
        got = both(self, scenario)
        if got[0] == 'error':
            self.skipTest(f'kernel refuses UDP_GRO (errno {got[1]})')


@unittest.skipUnless(HAS_MSG and HAS_UNIX, 'no recvmsg or AF_UNIX in stdlib here')
class PassingSocketsTest(TestCase):
    def pass_sockets(self, ancbufsize, count=3, recv_into=False):
        """Send `count` sockets (stdlib's and libsock's, stream and datagram)."""
        def scenario(mod):
            a, b = mod.socketpair()
            kinds = [stdsock.socket(), stdsock.socket(stdsock.AF_INET, stdsock.SOCK_DGRAM),
                     libsock.socket(), libsock.socket(libsock.AF_INET6 if HAS_IPV6 else libsock.AF_INET)]
            socks = (kinds * 4)[:count]
            kinds[0].setblocking(False)
            kinds[1].settimeout(2.5)
            with a, b:
                fds = [s.fileno() for s in socks]
                sent = a.sendmsg([b'f'], [(stdsock.SOL_SOCKET, stdsock.SCM_RIGHTS, ints(*fds))])
                if recv_into:
                    buf = bytearray(4)
                    n, anc, flags, addr = b.recvmsg_into([buf], ancbufsize)
                    data = bytes(buf[:n])
                else:
                    data, anc, flags, addr = b.recvmsg(4, ancbufsize)
                received = []
                for level, kind, payload in anc:
                    arr = array.array('i')
                    arr.frombytes(payload[:len(payload) - len(payload) % arr.itemsize])
                    for fd in arr:
                        with stdsock.socket(fileno=fd) as dup:
                            received.append(dup.getsockname())
                # The senders' sockets are untouched: open, in their own modes.
                modes = [(s.fileno() == fd, s.gettimeout(), s.getblocking())
                         for s, fd in zip(socks, fds)]
                names = [s.getsockname() for s in socks]
                for s in kinds:
                    s.close()
                return (sent, data, [(lv, k, len(p)) for lv, k, p in anc], flags, addr,
                        received == names[:len(received)], len(received), modes)
        return both(self, scenario)

    def test_several_sockets(self):
        got = self.pass_sockets(stdsock.CMSG_SPACE(4 * 4), count=4)
        self.assertEqual(got[3], 0)
        self.assertEqual(got[6], 4)
        self.assertTrue(got[5])

    def test_control_buffer_too_small(self):
        for size in (0, stdsock.CMSG_LEN(0), stdsock.CMSG_LEN(0) + 3, stdsock.CMSG_LEN(4),
                     stdsock.CMSG_SPACE(4), stdsock.CMSG_LEN(8), stdsock.CMSG_SPACE(12)):
            with self.subTest(ancbufsize=size):
                got = self.pass_sockets(size)
                self.assertEqual(bool(got[3] & stdsock.MSG_CTRUNC), got[6] < 3)

    def test_recvmsg_into_with_sockets(self):
        got = self.pass_sockets(stdsock.CMSG_SPACE(8), count=2, recv_into=True)
        self.assertEqual(got[6], 2)

    def test_received_descriptor_is_a_plain_fd(self):
        a, b = libsock.socketpair()
        x, y = libsock.socketpair()
        with a, b, x, y:
            a.sendmsg([b'z'], [(libsock.SOL_SOCKET, libsock.SCM_RIGHTS, ints(x.fileno()))])
            _, anc, _, _ = b.recvmsg(1, libsock.CMSG_SPACE(4))
            fd = array.array('i', anc[0][2])[0]
            with libsock.socket(fileno=fd) as got:
                got.sendall(b'via fd')
                self.assertEqual(y.recv(10), b'via fd')
            self.assertEqual(x.fileno() != fd, True)

    @unittest.skipUnless(hasattr(stdsock, 'send_fds'), 'no send_fds in stdlib here')
    def test_send_fds_recv_fds(self):
        a, b = libsock.socketpair()
        x, y = libsock.socketpair()
        with a, b, x, y:
            libsock.send_fds(a, [b'fds'], [x.fileno(), y.fileno()])
            msg, fds, flags, addr = libsock.recv_fds(b, 10, 4)
            self.assertEqual((msg, len(fds), flags), (b'fds', 2, 0))
            for fd in fds:
                os.close(fd)

    def test_non_socket_descriptor_refused(self):
        r, w = os.pipe()
        a, b = libsock.socketpair()
        with a, b:
            with self.assertRaises(OSError) as cm:
                a.sendmsg([b'p'], [(libsock.SOL_SOCKET, libsock.SCM_RIGHTS, ints(r))])
            self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
            os.write(w, b'still open')
            self.assertEqual(os.read(r, 20), b'still open')
        os.close(r)
        os.close(w)

    def test_unix_stream_end_and_addresses(self):
        def scenario(mod):
            a, b = mod.socketpair()
            with a, b:
                a.sendmsg([b'one', b'two'])
                first = b.recvmsg(6)
                a.shutdown(mod.SHUT_WR)
                return first, b.recvmsg(6)
        both(self, scenario)


@unittest.skipUnless(HAS_MSG, 'stdlib has no recvmsg here')
class ArgumentsTest(TestCase):
    def errors(self, mod, calls):
        out = []
        with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
            s.bind(('127.0.0.1', 0))
            s.setblocking(False)
            for args in calls:
                name, rest = args[0], args[1:]
                try:
                    getattr(s, name)(*rest)
                    out.append(None)
                except Exception as e:  # noqa: B902 - compared below
                    out.append((type(e).__name__, str(e)))
        return out

    def test_bad_arguments_as_stdlib(self):
        calls = [
            ('sendmsg',), ('sendmsg', 1), ('sendmsg', [1]), ('sendmsg', [b'x'], 1),
            ('sendmsg', [b'x'], [1]), ('sendmsg', [b'x'], [(1, 2)]), ('sendmsg', [b'x'], [(1, 2, 3)]),
            ('sendmsg', [b'x'], [], 'f'), ('sendmsg', [b'x'], [], 0, 5),
            ('sendmsg', [b'x'], [], 0, ('127.0.0.1', 70000)), ('sendmsg', [], [], 0, None, 1),
            ('recvmsg',), ('recvmsg', -1), ('recvmsg', 1, -1), ('recvmsg', 'a'),
            ('recvmsg', 1, 2, 3, 4), ('recvmsg', 10),
            ('recvmsg_into',), ('recvmsg_into', 1), ('recvmsg_into', [b'ro']),
            ('recvmsg_into', [bytearray(2)], -1), ('recvmsg_into', [bytearray(2)]),
        ]
        self.assertEqual(self.errors(libsock, calls), self.errors(stdsock, calls))

    def test_keywords_refused(self):
        with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM) as s:
            with self.assertRaisesRegex(TypeError, 'recvmsg\\(\\) takes no keyword arguments'):
                s.recvmsg(bufsize=1)

    def test_closed_socket(self):
        for mod in (stdsock, libsock):
            s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
            s.close()
            for call in (lambda: s.sendmsg([b'x']), lambda: s.recvmsg(1),
                         lambda: s.recvmsg_into([bytearray(1)])):
                with self.assertRaises(OSError) as cm:
                    call()
                self.assertEqual(cm.exception.errno, errno.EBADF)

    def test_timeout(self):
        with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM) as s:
            s.bind(('127.0.0.1', 0))
            s.settimeout(0.05)
            with self.assertRaises(TimeoutError):
                s.recvmsg(1)

    def test_cmsg_helpers(self):
        for n in (0, 1, 4, 12, 100):
            self.assertEqual(libsock.CMSG_LEN(n), stdsock.CMSG_LEN(n))
            self.assertEqual(libsock.CMSG_SPACE(n), stdsock.CMSG_SPACE(n))


@unittest.skipUnless(HAS_MSG and LINUX, 'Linux reception options')
class NotCarriedTest(TestCase):
    """What libsock's message calls cannot carry raises; nothing is dropped."""

    def test_unknown_item_to_send(self):
        with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM) as s:
            for item in [(libsock.SOL_SOCKET, 2, ints(1)),             # SCM_CREDENTIALS
                         (libsock.IPPROTO_IP, 7, bytes(40)),            # IP_RETOPTS
                         (libsock.IPPROTO_IPV6, libsock.IPV6_TCLASS, ints(1))]:  # wrong family
                with self.subTest(item=item[:2]):
                    with self.assertRaises(OSError) as cm:
                        s.sendmsg([b'x'], [item], 0, ('127.0.0.1', 9))
                    self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)

    def test_bad_item_values(self):
        # What the kernel refuses with EINVAL, libsock refuses the same way.
        P = libsock.IPPROTO_IP
        for item in [(P, libsock.IP_TTL, ints(0)), (P, libsock.IP_TTL, ints(256)),
                     (P, libsock.IP_TOS, b'\x01\x02'), (P, IP_PKTINFO, b'short')]:
            for mod in (stdsock, libsock):
                with self.subTest(item=item, mod=mod.__name__):
                    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
                        with self.assertRaises(OSError) as cm:
                            s.sendmsg([b'x'], [item], 0, ('127.0.0.1', 9))
                        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_foreign_reception_option(self):
        # SO_TIMESTAMP (29 on Linux) delivers data libsock cannot carry.
        with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM) as s:
            s.bind(('127.0.0.1', 0))
            s.setsockopt(libsock.SOL_SOCKET, 29, 1)
            s.sendto(b't', s.getsockname())
            with self.assertRaises(OSError) as cm:
                s.recvmsg(4, 256)
            self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
            self.assertIn('SO_TIMESTAMP', str(cm.exception))
            s.setsockopt(libsock.SOL_SOCKET, 29, 0)
            self.assertEqual(s.recvmsg(4, 256)[:3], (b't', [], 0))

    @unittest.skipUnless(HAS_UNIX, 'no AF_UNIX')
    def test_passcred_refused_on_receive(self):
        a, b = libsock.socketpair()
        with a, b:
            b.setsockopt(libsock.SOL_SOCKET, libsock.SO_PASSCRED, 1)
            a.send(b'c')
            with self.assertRaises(OSError):
                b.recvmsg(1, 256)


if __name__ == '__main__':
    unittest.main()
