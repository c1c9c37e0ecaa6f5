#!/usr/bin/python3
"""Real Python clients against mnemod: pymemcache (ASCII) and pylibmc (ASCII and binary).

Usage: mnemod_python_clients.py MNEMOD [ARGS...]
Starts mnemod with `-p 0`, reads the port from its "mnemod listening on ADDR:PORT" line, runs
every check with bounded timeouts and stops the server. Exits non-zero on the first failure.
"""
import os
import signal
import subprocess
import sys

import pylibmc
from pymemcache.client.base import Client as PymemcacheClient

from server_support import TIMEOUT, check, start_server


def pymemcache_checks(port):
    # default_noreply=False: every store answers, so the checks see NOT_STORED and friends.
    client = PymemcacheClient(("127.0.0.1", port), connect_timeout=TIMEOUT, timeout=TIMEOUT,
                              default_noreply=False)
    check(client.version() == b"1.6.18", "version")
    check(client.set("py:k", b"v1"), "set")
    check(client.get("py:k") == b"v1", "get")
    value, cas = client.gets("py:k")
    check(value == b"v1" and cas, "gets")
    check(client.cas("py:k", b"v2", cas), "cas with the current token")
    check(client.cas("py:k", b"v3", cas) is False, "cas with a stale token")
    check(client.add("py:k", b"x") is False, "add on an existing key")
    check(client.add("py:n", b"10"), "add")
    check(client.incr("py:n", 5) == 15, "incr")
    check(client.decr("py:n", 20) == 0, "decr floors at 0")
    check(client.append("py:k", b"+"), "append")
    check(client.prepend("py:k", b"-"), "prepend")
    # A decr that shortens the number leaves it space-padded, as memcached does.
    check(client.get_many(["py:k", "py:n", "py:none"]) == {"py:k": b"-v2+", "py:n": b"0 "},
          "get_many")
    check(client.touch("py:k", 300), "touch")
    check(client.delete("py:n") and client.get("py:n") is None, "delete")
    big = os.urandom(512 * 1024)
    check(client.set("py:big", big) and client.get("py:big") == big, "512 KiB value")
    stats = client.stats()
    check(int(stats[b"cmd_set"]) >= 3 and b"curr_connections" in stats, "stats")
    check(client.stats("settings")[b"maxconns"] == 1024, "stats settings")
    client.flush_all()
    check(client.get("py:k") is None, "flush_all")
    client.close()


def pylibmc_checks(port, binary):
    client = pylibmc.Client(["127.0.0.1:%d" % port], binary=binary,
                            behaviors={"connect_timeout": TIMEOUT * 1000,
                                       "receive_timeout": TIMEOUT * 1000000,
                                       "send_timeout": TIMEOUT * 1000000})
    tag = "bin" if binary else "ascii"
    check(client.set(tag + ":k", "value"), tag + " set")
    check(client.get(tag + ":k") == "value", tag + " get")
    check(client.add(tag + ":k", "x") is False, tag + " add on an existing key")
    check(client.replace(tag + ":k", "new") and client.get(tag + ":k") == "new", tag + " replace")
    client.set(tag + ":n", 10)
    check(client.incr(tag + ":n", 7) == 17 and client.decr(tag + ":n", 2) == 15, tag + " incr")
    client.set_multi({tag + ":a": "1", tag + ":b": "2"})
    check(client.get_multi([tag + ":a", tag + ":b", tag + ":c"]) ==
          {tag + ":a": "1", tag + ":b": "2"}, tag + " get_multi")
    data = b"\x00\x01binary\xff" * 1000
    check(client.set(tag + ":bytes", data) and client.get(tag + ":bytes") == data, tag + " bytes")
    check(client.delete(tag + ":k") and client.get(tag + ":k") is None, tag + " delete")
    check(client.touch(tag + ":a", 300), tag + " touch")
    stats = client.get_stats()
    check(stats and "pid" in stats[0][1], tag + " stats")
    client.disconnect_all()


def main():
    server, (port,) = start_server(sys.argv[1:] + ["-p", "0"])
    try:
        pymemcache_checks(port)
        pylibmc_checks(port, binary=False)
        pylibmc_checks(port, binary=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            status = server.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            status = "killed"
    check(status == 0, "mnemod exit status after SIGTERM: %s" % status)
    print("python clients: pymemcache and pylibmc (ascii, binary) passed")


if __name__ == "__main__":
    main()
