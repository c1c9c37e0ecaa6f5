#!/usr/bin/python3
"""TLS (-Z): certificates made at test time, every protocol over TLS, verify modes, bad
handshakes and refresh_certs.

Usage: mnemod_tls_test.py MNEMOD [ARGS...]
Makes a CA, two server certificates and a client certificate with the openssl CLI in a temp
dir, starts mnemod -Z on `-p 0` with a TLS listener and a `notls:` one, and checks: ASCII,
meta and binary over TLS (Python's ssl and `openssl s_client`); plain text to the TLS port
and TLS to the plain port fail alone and are counted (ssl_handshake_errors) while the server
serves others; ssl_verify_mode=2 and an `mtls:` listener refuse a client without a
certificate and serve one with it; mclient and mcadmin --tls (every protocol, --cert under
require, the server's name checked, bad files); refresh_certs swaps the certificate for new
connections only and a failed refresh keeps the old one; `stats settings` shows the TLS rows;
certificates that cannot be loaded stop mnemod at start; and, where Debian's memcached is
installed, the ssl_* rows of `stats`/`stats settings` and the refresh_certs replies match
memcached -Z byte for byte.
"""
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tls_support import (TIMEOUT, check, exchange, make_certificates,  # noqa: E402
                         peer_cn, s_client, start_memcached, start_server, stat, tls_connect,
                         use_certificate)


def check_protocols(port, certs):
    with tls_connect(port, certs) as conn:
        check(exchange(conn, b"set k 5 0 2\r\nhi\r\n", b"\r\n") == b"STORED\r\n", "ascii set")
        check(exchange(conn, b"get k\r\n", b"END\r\n") == b"VALUE k 5 2\r\nhi\r\nEND\r\n",
              "ascii get")
        check(exchange(conn, b"mg k v f\r\n", b"\r\n") == b"VA 2 f5\r\nhi\r\n", "meta get")
        big = b"x" * 200000  # many TLS records each way
        check(exchange(conn, b"set big 0 0 200000\r\n" + big + b"\r\n", b"\r\n") ==
              b"STORED\r\n", "large set")
        check(exchange(conn, b"get big\r\n", b"END\r\n") ==
              b"VALUE big 0 200000\r\n" + big + b"\r\nEND\r\n", "large get")
    with tls_connect(port, certs) as conn:
        # Binary get of "k": header, then flags 5 and the value.
        request = struct.pack(">BBHBBHIIQ", 0x80, 0x00, 1, 0, 0, 0, 1, 0, 0) + b"k"
        conn.sendall(request)
        reply = b""
        while len(reply) < 24 + 4 + 2:
            reply += conn.recv(65536)
        check(reply[0] == 0x81 and reply[6:8] == b"\0\0", "binary get status")
        check(reply[24:] == struct.pack(">I", 5) + b"hi", "binary get value")


def check_binary_s_client(port, certs):
    """The binary protocol through openssl s_client: get "k", then quit (0x07) to end it."""
    get = struct.pack(">BBHBBHIIQ", 0x80, 0x00, 1, 0, 0, 0, 1, 0, 0) + b"k"
    quit_ = struct.pack(">BBHBBHIIQ", 0x80, 0x07, 0, 0, 0, 0, 0, 0, 0)
    result = subprocess.run(
        ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:%d" % port, "-CAfile",
         os.path.join(certs, "ca.pem")],
        input=get + quit_, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    reply = result.stdout
    check(len(reply) >= 30 and reply[0] == 0x81 and reply[6:8] == b"\0\0" and
          reply[24:30] == struct.pack(">I", 5) + b"hi", "binary get via s_client: %r" % reply)


def check_bad_handshakes(tls_port, plain_port, certs):
    before = int(stat(tls_port, certs, "ssl_handshake_errors"))
    with socket.create_connection(("127.0.0.1", tls_port), timeout=TIMEOUT) as raw:
        raw.sendall(b"version\r\n")
        try:
            while raw.recv(4096):
                pass  # the server ends the connection (after its TLS alert)
        except ConnectionResetError:
            pass
    try:
        tls_connect(plain_port, certs).close()
        raise AssertionError("TLS to the plain port succeeded")
    except (ssl.SSLError, OSError):
        pass
    check(int(stat(tls_port, certs, "ssl_handshake_errors")) == before + 1,
          "ssl_handshake_errors counts the plain-text client")
    with socket.create_connection(("127.0.0.1", plain_port), timeout=TIMEOUT) as raw:
        check(exchange(raw, b"get k\r\n", b"END\r\n").startswith(b"VALUE k"),
              "the plain listener serves after a TLS client")
    check(s_client(tls_port, certs, b"version\r\n").startswith(b"VERSION "),
          "the TLS listener serves after bad handshakes")


def check_refresh(tls_port, certs):
    old = tls_connect(tls_port, certs)
    check(peer_cn(old) == "localhost", "first certificate")
    use_certificate(certs, "other")
    check(exchange(old, b"refresh_certs\r\n", b"\r\n") == b"OK\r\n", "refresh_certs")
    check(exchange(old, b"refresh_certs noreply\r\nmn\r\n", b"MN\r\n") == b"MN\r\n",
          "refresh_certs noreply")
    with tls_connect(tls_port, certs) as new:
        check(peer_cn(new) == "other", "a new connection gets the new certificate")
    check(exchange(old, b"get k\r\n", b"END\r\n").startswith(b"VALUE k"),
          "the old connection is kept")
    os.remove(os.path.join(certs, "live.pem"))
    reply = exchange(old, b"refresh_certs noreply\r\n", b"\r\n")
    check(reply.startswith(b"Error loading the certificate chain: ") and
          b"No such file" in reply, "a failed refresh: " + repr(reply))
    with tls_connect(tls_port, certs) as new:
        check(peer_cn(new) == "other", "a failed refresh keeps the certificate")
    old.close()


def tool(bindir, name, port, certs, *args, client_cert=False):
    """Runs mclient or mcadmin against localhost:PORT over TLS; returns (exit code, stdout)."""
    argv = [os.path.join(bindir, name), "--servers", "localhost:%d" % port, "--ca",
            os.path.join(certs, "ca.pem")]
    if client_cert:
        argv += ["--cert", os.path.join(certs, "client.pem"), "--key",
                 os.path.join(certs, "client.key")]
    result = subprocess.run(argv + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=TIMEOUT * 2)
    return result.returncode, result.stdout + result.stderr


def check_tools(bindir, tls_port, plain_port, certs):
    """mclient --tls in every protocol; its refusals; mcadmin over TLS."""
    for protocol in ("ascii", "meta", "binary"):
        code, _ = tool(bindir, "mclient", tls_port, certs, "-p", protocol, "set",
                       "tool:" + protocol, protocol)
        check(code == 0, "mclient --tls set, " + protocol)
        code, out = tool(bindir, "mclient", tls_port, certs, "-p", protocol, "get",
                         "tool:" + protocol)
        check(code == 0 and out.startswith(protocol.encode()), "mclient --tls get, " + protocol)
    big = os.urandom(300000)  # many TLS records each way, through the client's poll loop
    base = [os.path.join(bindir, "mclient"), "--servers", "localhost:%d" % tls_port, "--ca",
            os.path.join(certs, "ca.pem")]
    stored = subprocess.run(base + ["set", "tool:big"], input=big, timeout=TIMEOUT * 2)
    fetched = subprocess.run(base + ["-p", "binary", "get", "tool:big"], stdout=subprocess.PIPE,
                             timeout=TIMEOUT * 2)
    check(stored.returncode == 0 and fetched.stdout == big, "mclient --tls, a 300 KB value")
    code, out = tool(bindir, "mclient", tls_port, certs, "--tls", "get", "k")
    check(code == 0 and out.startswith(b"hi"), "mclient --tls with --ca")
    # The certificate names localhost, not 127.0.0.1; and without TLS the server hangs up.
    argv = [os.path.join(bindir, "mclient"), "--servers", "127.0.0.1:%d" % tls_port, "--ca",
            os.path.join(certs, "ca.pem"), "get", "k"]
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    check(result.returncode != 0 and b"tls: IP address mismatch" in result.stderr,
          "mclient checks the name: " + repr(result.stderr))
    result = subprocess.run([os.path.join(bindir, "mclient"), "--servers",
                             "localhost:%d" % plain_port, "--ca",
                             os.path.join(certs, "ca.pem"), "get", "k"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    check(result.returncode != 0 and b"tls:" in result.stderr, "mclient --tls to a plain port")
    code, out = tool(bindir, "mcadmin", tls_port, certs, "--domain", "tlsd", "add",
                     "localhost:%d" % tls_port)
    check(code == 0, "mcadmin add over TLS: " + repr(out))
    code, out = tool(bindir, "mcadmin", tls_port, certs, "--domain", "tlsd", "list")
    check(code == 0 and b"localhost:%d" % tls_port in out, "mcadmin list over TLS: " + repr(out))


def check_settings(tls_port, certs):
    check(stat(tls_port, certs, "ssl_enabled", b"settings") == "yes", "ssl_enabled")
    check(stat(tls_port, certs, "ssl_verify_mode", b"settings") == "0", "ssl_verify_mode")
    check(stat(tls_port, certs, "ssl_min_version", b"settings") == "tlsv1.2", "ssl_min_version")
    check(stat(tls_port, certs, "time_since_server_cert_refresh") is not None,
          "time_since_server_cert_refresh")


def tls_replies(port, certs, name):
    """What memcached's TLS rows and refresh_certs replies look like on one server."""
    with tls_connect(port, certs) as conn:
        settings = exchange(conn, b"stats settings\r\n", b"END\r\n").decode()
        general = exchange(conn, b"stats\r\n", b"END\r\n").decode()
        refresh = exchange(conn, b"refresh_certs\r\nrefresh_certs noreply\r\nmn\r\n", b"MN\r\n")
        os.remove(os.path.join(certs, name + ".pem"))
        failed = exchange(conn, b"refresh_certs noreply\r\n", b"\r\n")
    return {
        "settings": re.findall(r"STAT (ssl_\S+ \S+)\r\n", settings),
        "stats": re.findall(r"STAT (ssl_\S+|time_since_server_cert_refresh) ", general),
        "refresh": refresh,
        "failed": failed.replace(certs.encode(), b"DIR"),
    }


def check_against_memcached(mnemod, certs):
    """The same TLS rows and refresh_certs bytes as Debian's memcached -Z (when installed)."""
    if not os.path.exists("/usr/bin/memcached"):
        return
    reference, port = start_memcached(certs, "mc")
    try:
        expected = tls_replies(port, certs, "mc")
    finally:
        reference.terminate()
        reference.wait(TIMEOUT)
    for ext in (".pem", ".key"):
        shutil.copy(os.path.join(certs, "server" + ext), os.path.join(certs, "mc" + ext))
    server, ports = start_server(mnemod + [
        "-p", "0", "-l", "127.0.0.1", "-l", "notls:127.0.0.1", "-Z", "-o",
        "ssl_chain_cert=%s/mc.pem,ssl_key=%s/mc.key,ssl_ca_cert=%s/ca.pem" % (certs, certs, certs)])
    try:
        got = tls_replies(ports[0], certs, "mc")
    finally:
        server.terminate()
        server.wait(TIMEOUT)
    for what in ("settings", "stats", "refresh", "failed"):
        check(got[what] == expected[what],
              "%s: mnemod %r, memcached %r" % (what, got[what], expected[what]))


def check_start_errors(mnemod, certs):
    """Certificates that cannot be loaded stop mnemod at start, with memcached's wording."""
    cases = [
        ([], "-Z needs a certificate: -o ssl_chain_cert=FILE"),
        (["-o", "ssl_chain_cert=%s/none.pem" % certs],
         "Error loading the certificate chain: %s/none.pem : " % certs),
        (["-o", "ssl_chain_cert=%s/server.pem,ssl_key=%s/other.key" % (certs, certs)],
         "Error loading the key: %s/other.key : " % certs),
        (["-o", "ssl_chain_cert=%s/server.pem,ssl_key=%s/server.key,ssl_ca_cert=%s/none" %
          (certs, certs, certs)], "Error loading the CA certificate: %s/none : " % certs),
        (["-o", "ssl_chain_cert=%s/server.pem,ssl_key=%s/server.key,ssl_ciphers=NOPE" %
          (certs, certs)], "Error setting the ciphers: NOPE : "),
    ]
    for extra, message in cases:
        result = subprocess.run(mnemod + ["-p", "0", "-Z"] + extra, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        check(result.returncode != 0 and message in result.stdout,
              "start refused: %r -> %r" % (extra, result.stdout))


def check_tool_errors(bindir, tls_port, certs):
    """Client-side files that cannot be loaded: exit 3, one line naming the file."""
    for args, message in (
            (["--ca", os.path.join(certs, "none.pem")], b"none.pem: "),
            (["--ca", os.path.join(certs, "ca.pem"), "--cert", os.path.join(certs, "none.pem")],
             b"none.pem: "),
            (["--ca", os.path.join(certs, "ca.pem"), "--cert", os.path.join(certs, "client.pem"),
              "--key", os.path.join(certs, "none.key")], b"none.key: ")):
        result = subprocess.run([os.path.join(bindir, "mclient"), "--servers",
                                 "localhost:%d" % tls_port] + args + ["get", "k"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        check(result.returncode == 3 and b"tls: " in result.stderr and message in result.stderr,
              "mclient %r: %r" % (args, result.stderr))


def check_mutual(argv, certs):
    """An mtls: listener requires a client certificate while the others do not."""
    server, (tls_port, mtls_port) = start_server(
        [a if a != "notls:127.0.0.1" else "mtls:127.0.0.1" for a in argv] +
        ["-o", "idle_timeout=1"])
    try:
        # A client that never starts its handshake is closed by the idle sweep, which is not
        # counted as a handshake error.
        before = stat(tls_port, certs, "ssl_handshake_errors")
        with socket.create_connection(("127.0.0.1", tls_port), timeout=TIMEOUT) as raw:
            check(raw.recv(100) == b"", "the idle sweep closes a silent TLS client")
        check(stat(tls_port, certs, "ssl_handshake_errors") == before,
              "an idle close is not a handshake error")
        with tls_connect(tls_port, certs) as conn:
            check(exchange(conn, b"version\r\n", b"\r\n").startswith(b"VERSION "),
                  "the plain TLS listener takes a client without a certificate")
        with tls_connect(mtls_port, certs, client_cert=True) as conn:
            check(exchange(conn, b"version\r\n", b"\r\n").startswith(b"VERSION "),
                  "mtls: with a client certificate")
        try:
            with tls_connect(mtls_port, certs) as conn:
                reply = exchange(conn, b"version\r\n", b"\r\n")
            check(reply == b"", "mtls: without a client certificate is refused")
        except (ssl.SSLError, OSError):
            pass
    finally:
        server.terminate()
        server.wait(TIMEOUT)


def check_require(argv, certs, bindir):
    server, (tls_port, _) = start_server(argv + ["-o", "ssl_verify_mode=2"])
    try:
        code, out = tool(bindir, "mclient", tls_port, certs, "version", client_cert=True)
        check(code == 0 and out.endswith(b"\t1.6.18\n"), "mclient --cert under require: " +
              repr(out))
        code, out = tool(bindir, "mclient", tls_port, certs, "version")
        check(code != 0, "mclient without --cert is refused under require")
        with tls_connect(tls_port, certs, client_cert=True) as conn:
            check(exchange(conn, b"version\r\n", b"\r\n").startswith(b"VERSION "),
                  "a client certificate is accepted under require")
        try:
            with tls_connect(tls_port, certs) as conn:
                # TLS 1.3: the server's refusal arrives after the client's handshake ends.
                reply = exchange(conn, b"version\r\n", b"\r\n")
            check(reply == b"", "no client certificate is refused under require")
        except (ssl.SSLError, OSError):
            pass
        with tls_connect(tls_port, certs, client_cert=True) as conn:
            check(exchange(conn, b"version\r\n", b"\r\n").startswith(b"VERSION "),
                  "served after a refused client")
    finally:
        server.terminate()
        server.wait(TIMEOUT)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bindir = os.path.dirname(sys.argv[1])  # mclient and mcadmin are built beside mnemod
    with tempfile.TemporaryDirectory() as certs:
        make_certificates(certs)
        use_certificate(certs, "server")
        argv = sys.argv[1:] + ["-p", "0", "-l", "127.0.0.1", "-l", "notls:127.0.0.1", "-Z",
                               "-o", "ssl_chain_cert=%s/live.pem,ssl_key=%s/live.key,"
                               "ssl_ca_cert=%s/ca.pem" % (certs, certs, certs)]
        server, (tls_port, plain_port) = start_server(argv)
        try:
            check_protocols(tls_port, certs)
            check(s_client(tls_port, certs, b"mn\r\nget k\r\n").startswith(
                b"MN\r\nVALUE k 5 2\r\nhi\r\nEND\r\n"), "openssl s_client")
            check_binary_s_client(tls_port, certs)
            check_bad_handshakes(tls_port, plain_port, certs)
            check_tools(bindir, tls_port, plain_port, certs)
            check_tool_errors(bindir, tls_port, certs)
            check_settings(tls_port, certs)
            check_refresh(tls_port, certs)
        finally:
            server.terminate()
            check(server.wait(TIMEOUT) == 0, "mnemod exits 0")
        use_certificate(certs, "server")  # check_refresh removed it
        check_require(argv, certs, bindir)
        check_mutual(argv, certs)
        check_start_errors(sys.argv[1:], certs)
        check_against_memcached(sys.argv[1:], certs)
    print("mnemod TLS: all checks passed")


if __name__ == "__main__":
    main()
