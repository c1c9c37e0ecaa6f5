#!/usr/bin/python3
"""SASL (-S) with a real client: pylibmc over the binary protocol with a username and password.

Usage: mnemod_sasl_clients.py MNEMOD [ARGS...]
Writes a user:password file, starts mnemod -S with it in MEMCACHED_SASL_PWDB (as memcached's
built-in fallback reads it) and on `-p 0`, and checks that the right password works, a wrong
one and no credentials are refused, and the refused clients leave the server serving.
"""
import os
import sys
import tempfile

import pylibmc

from server_support import TIMEOUT, check, start_server


def client(port, **credentials):
    behaviors = {"connect_timeout": TIMEOUT * 1000, "receive_timeout": TIMEOUT * 1000000,
                 "send_timeout": TIMEOUT * 1000000}
    return pylibmc.Client(["127.0.0.1:%d" % port], binary=True, behaviors=behaviors,
                          **credentials)


def refused(port, what, **credentials):
    try:
        client(port, **credentials).set("sasl:x", "y")
    except pylibmc.Error:
        return
    raise AssertionError(what + " was let in")


def run_checks(port):
    good = client(port, username="alice", password="s3cret-pw")
    check(good.set("sasl:k", "v1"), "set after auth")
    check(good.get("sasl:k") == "v1", "get after auth")
    refused(port, "a wrong password", username="alice", password="wrong")
    refused(port, "an unknown user", username="mallory", password="s3cret-pw")
    refused(port, "a client without credentials")
    # The refused clients changed nothing and the server still serves.
    check(good.get("sasl:k") == "v1", "served after refusals")
    # (libmemcached's stats call keeps only its own fields: auth_cmds is checked with raw
    # packets in mnemod_auth_test.)
    check(good.get_multi(["sasl:k", "sasl:none"]) == {"sasl:k": "v1"}, "multi-get after auth")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        pwdb = os.path.join(scratch, "pwdb")
        with open(pwdb, "w") as f:
            f.write("bob:other\nalice:s3cret-pw\n")
        env = dict(os.environ, MEMCACHED_SASL_PWDB=pwdb)
        server, (port,) = start_server(sys.argv[1:] + ["-S", "-p", "0"], env=env)
        try:
            run_checks(port)
        finally:
            server.terminate()
            server.wait(TIMEOUT)
    print("sasl clients: ok")


if __name__ == "__main__":
    main()
