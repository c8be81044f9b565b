"""Client for hello_server.py: connects to 127.0.0.1:12345 (retrying until the
server listens, for at most about 10 seconds), prints what it receives.

    python3 -m libsock examples/python/hello_client.py
"""
import struct
import sys
import time

import libsock as socket

HOST, PORT = '127.0.0.1', 12345


def main() -> int:
    deadline = time.monotonic() + 10.0
    while True:
        try:
            sock = socket.create_connection((HOST, PORT), timeout=5.0)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                print('client: no server on port %d' % PORT, file=sys.stderr)
                return 1
            time.sleep(0.05)
    with sock:
        chunks = []
        while True:
            data = sock.recv(1024)
            if not data:
                break
            chunks.append(data)
        # Close with a reset (linger 0) once the server has closed: its port
        # 12345 is then not left in TIME_WAIT, so the demo can run again at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    print('Client received: %s' % b''.join(chunks).decode())
    return 0


if __name__ == '__main__':
    sys.exit(main())
