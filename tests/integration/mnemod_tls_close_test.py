#!/usr/bin/python3
"""TLS (-Z) connection ends and write sizes: close_notify, ssl_wbuf_size, ssl_kernel_tls.

Usage: mnemod_tls_close_test.py MNEMOD [ARGS...]
Every close the server decides on is a clean TLS close (a close_notify alert before the TCP
FIN), as memcached's: after `quit` (ASCII and binary; seen by `openssl s_client` and by
Python's ssl with ragged EOFs reported), after -o idle_timeout, and at `shutdown`. With
ssl_wbuf_size=4 no TLS record the server sends carries more than 4 KiB of data (records are
read by a relay between client and server), while with the default some do; ssl_kernel_tls
is accepted, reported by `stats settings`, and TLS works with it.
"""
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tls_support import (TIMEOUT, check, exchange, make_certificates,  # noqa: E402
                         start_server, stat, use_certificate)

RECORD_OVERHEAD = 256  # TLS record header, content type, nonce, tag and padding: far less


def connect(port, certs):
    """A TLS client that reports a connection closed without close_notify as an error."""
    context = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    context.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return context.wrap_socket(raw, suppress_ragged_eofs=False)


def expect_close_notify(conn, what, timeout=TIMEOUT):
    """Reads to the end: b"" after a close_notify; SSLEOFError for a bare TCP close."""
    conn.settimeout(timeout)
    try:
        while conn.recv(65536):
            pass
    except ssl.SSLEOFError:
        raise AssertionError(what + ": closed without close_notify")
    conn.close()


def check_quit(port, certs):
    result = subprocess.run(
        ["openssl", "s_client", "-ign_eof", "-connect", "127.0.0.1:%d" % port, "-CAfile",
         os.path.join(certs, "ca.pem")],
        input=b"version\r\nquit\r\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=TIMEOUT)
    output = result.stdout.decode(errors="replace")
    check(b"VERSION 1.6.18\r\n" in result.stdout, "s_client got the version")
    check("unexpected eof" not in output, "s_client: no unexpected EOF:\n" + output)
    check(result.returncode == 0 and "\nclosed\n" in output, "s_client saw a clean close")
    conn = connect(port, certs)
    check(exchange(conn, b"version\r\nquit\r\n", b"\r\n") == b"VERSION 1.6.18\r\n", "version")
    expect_close_notify(conn, "ascii quit")
    conn = connect(port, certs)
    conn.sendall(struct.pack(">BBHBBHIIQ", 0x80, 0x07, 0, 0, 0, 0, 0, 7, 0))  # quit
    reply = b""
    while len(reply) < 24:
        reply += conn.recv(65536)
    check(reply[:2] == b"\x81\x07" and reply[12:16] == struct.pack(">I", 7), "binary quit reply")
    expect_close_notify(conn, "binary quit")


class RecordRelay:
    """Relays one TLS connection to the server and keeps every byte the server sent."""

    def __init__(self, server_port):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.from_server = bytearray()
        self.server_port = server_port
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        client, _ = self.listener.accept()
        upstream = socket.create_connection(("127.0.0.1", self.server_port), timeout=TIMEOUT)

        def pump(source, sink, keep):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    if keep is not None:
                        keep.extend(data)
                    sink.sendall(data)
            except OSError:
                pass
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        up = threading.Thread(target=pump, args=(client, upstream, None), daemon=True)
        up.start()
        pump(upstream, client, self.from_server)
        up.join(TIMEOUT)
        client.close()
        upstream.close()

    def record_lengths(self):
        self.thread.join(TIMEOUT)
        lengths, at = [], 0
        data = bytes(self.from_server)
        while at + 5 <= len(data):
            kind, length = data[at], struct.unpack(">H", data[at + 3:at + 5])[0]
            if kind == 23:  # application data (in TLS 1.3 the encrypted handshake too)
                lengths.append(length)
            at += 5 + length
        return lengths


def largest_record(port, certs):
    """Gets a 100,000-byte value through a relay; the largest record the server sent."""
    value = b"v" * 100000
    with connect(port, certs) as conn:
        check(exchange(conn, b"set big 0 0 100000\r\n" + value + b"\r\n", b"\r\n") ==
              b"STORED\r\n", "set big")
    relay = RecordRelay(port)
    conn = connect(relay.port, certs)
    check(exchange(conn, b"get big\r\n", b"END\r\n") ==
          b"VALUE big 0 100000\r\n" + value + b"\r\nEND\r\n", "get big through the relay")
    conn.sendall(b"quit\r\n")
    expect_close_notify(conn, "quit through the relay")
    lengths = relay.record_lengths()
    check(len(lengths) > 0, "the relay saw records")
    return max(lengths)


def check_idle_timeout(port, certs):
    conn = connect(port, certs)
    check(exchange(conn, b"version\r\n", b"\r\n") == b"VERSION 1.6.18\r\n", "before idle")
    expect_close_notify(conn, "idle timeout", timeout=10)


def check_shutdown(server, port, certs):
    idle = connect(port, certs)
    check(exchange(idle, b"version\r\n", b"\r\n") == b"VERSION 1.6.18\r\n", "idle client")
    with connect(port, certs) as admin:
        admin.sendall(b"shutdown\r\n")
        expect_close_notify(idle, "shutdown")
    check(server.wait(TIMEOUT) == 0, "mnemod exits 0 after shutdown")


def start(base, certs, options):
    argv = base + ["-p", "0", "-l", "127.0.0.1", "-l", "notls:127.0.0.1", "-Z", "-A", "-o",
                   "ssl_chain_cert=%s/live.pem,ssl_key=%s/live.key" % (certs, certs) + options]
    return start_server(argv)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as certs:
        make_certificates(certs)
        use_certificate(certs, "server")
        server, (port, _) = start(sys.argv[1:], certs, ",ssl_wbuf_size=4,idle_timeout=2")
        try:
            check(stat(port, certs, "ssl_wbuf_size", b"settings") == "4096", "ssl_wbuf_size")
            check(stat(port, certs, "ssl_kernel_tls", b"settings") == "no", "kernel_tls off")
            check_quit(port, certs)
            largest = largest_record(port, certs)
            check(largest <= 4096 + RECORD_OVERHEAD, "records of at most 4 KiB: %d" % largest)
            check_idle_timeout(port, certs)
            check_shutdown(server, port, certs)
        finally:
            if server.poll() is None:
                server.kill()
        server, (port, _) = start(sys.argv[1:], certs, ",ssl_kernel_tls")
        try:
            check(stat(port, certs, "ssl_kernel_tls", b"settings") == "yes", "kernel_tls on")
            check(stat(port, certs, "ssl_wbuf_size", b"settings") == "16384", "default wbuf")
            largest = largest_record(port, certs)
            check(largest > 4096 + RECORD_OVERHEAD, "default: larger records: %d" % largest)
            check_quit(port, certs)
        finally:
            server.terminate()
            check(server.wait(TIMEOUT) == 0, "mnemod exits 0")
    print("mnemod TLS close: all checks passed")


if __name__ == "__main__":
    main()
