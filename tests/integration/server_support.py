"""What the Python integration scripts share: mnemod started on ports the OS hands out, read
back from its "mnemod listening on ADDR:PORT" lines, and a failing check.
"""
import re
import subprocess
import sys
import threading

TIMEOUT = 5


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def start_server(argv, listeners=1, env=None):
    """Starts ARGV (mnemod with its ports set to 0); returns the process and the LISTENERS
    ports it printed, in the order of its -l flags, or exits when they do not come."""
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env)
    ports = []

    def read_ports():
        for line in server.stdout:
            match = re.search(r"listening on \S*:(\d+)$", line.strip())
            if match:
                ports.append(int(match.group(1)))
                if len(ports) == listeners:
                    return

    reader = threading.Thread(target=read_ports, daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    if len(ports) != listeners:
        server.kill()
        sys.exit("mnemod did not print its %d port(s): %s" % (listeners, ports))
    return server, ports
