"""Helpers of the TLS integration tests (mnemod_tls_test.py): certificates made with the openssl
CLI, servers on ports the OS hands out, TLS connections and exchanges, `stats` reads.
"""
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading

import server_support
from server_support import TIMEOUT, check  # noqa: F401  (the TLS scripts take them from here)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certificates(directory):
    """ca.pem; server.pem/.key (CN localhost), other.pem/.key (CN other); client.pem/.key."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=Mnemo Test CA", cwd=directory)
    for name, cn in (("server", "localhost"), ("other", "other"), ("client", "client")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + cn, cwd=directory)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", cwd=directory)


def use_certificate(certs, name):
    """Makes NAME.pem/.key the files the server is configured with (live.pem/.key)."""
    for ext in (".pem", ".key"):
        shutil.copy(os.path.join(certs, name + ext), os.path.join(certs, "live" + ext))


def start_server(argv):
    """Starts mnemod; returns it and the ports of its two listeners, in the order of its -l."""
    return server_support.start_server(argv, listeners=2)


def tls_connect(port, certs, client_cert=False):
    context = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    context.check_hostname = False
    if client_cert:
        context.load_cert_chain(os.path.join(certs, "client.pem"),
                                os.path.join(certs, "client.key"))
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return context.wrap_socket(raw)


def exchange(conn, request, expected_end):
    conn.sendall(request)
    reply = b""
    while not reply.endswith(expected_end):
        chunk = conn.recv(65536)
        if not chunk:
            break
        reply += chunk
    return reply


def peer_cn(conn):
    subject = dict(item[0] for item in conn.getpeercert()["subject"])
    return subject["commonName"]


def s_client(port, certs, request):
    result = subprocess.run(
        ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:%d" % port, "-CAfile",
         os.path.join(certs, "ca.pem")],
        input=request + b"quit\r\n", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        timeout=TIMEOUT)
    return result.stdout


def stat(port, certs, name, group=b""):
    with tls_connect(port, certs) as conn:
        text = exchange(conn, b"stats " + group + b"\r\n", b"END\r\n").decode()
    match = re.search(r"STAT %s (\S+)\r\n" % name, text)
    return match.group(1) if match else None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_memcached(certs, name):
    """memcached -Z on NAME.pem/.key (copies of server.*), once it takes connections."""
    for ext in (".pem", ".key"):
        shutil.copy(os.path.join(certs, "server" + ext), os.path.join(certs, name + ext))
    port = free_port()
    argv = ["/usr/bin/memcached", "-p", str(port), "-U", "0", "-l", "127.0.0.1", "-Z", "-o",
            "ssl_chain_cert=%s/%s.pem,ssl_key=%s/%s.key,ssl_ca_cert=%s/ca.pem" %
            (certs, name, certs, name, certs)]
    if os.geteuid() == 0:
        argv += ["-u", "root"]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()
            return server, port
        except OSError:
            check(server.poll() is None, "memcached -Z started")
            threading.Event().wait(0.01)
    server.kill()
    raise AssertionError("memcached -Z never took a connection")
