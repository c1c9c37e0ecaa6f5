#!/bin/sh
# mnemod.1.sh MNEMOD OUT: writes the manual page of mnemod, its OPTIONS section being
# `mnemod -h` itself, so that the page cannot disagree with the option table.
set -eu
mnemod=$1
out=$2
version=$("$mnemod" -V)
{
  printf '.TH MNEMOD 1 "" "%s" "User Commands"\n' "$version"
  printf '.SH NAME\nmnemod \\- memcached-compatible cache server\n'
  printf '.SH SYNOPSIS\n.B mnemod\n[\\fIoptions\\fR]\n'
  cat <<'TEXT'
.SH DESCRIPTION
mnemod is a drop-in replacement for the memcached daemon: same flags, same replies and the same
stats, over the classic ASCII, meta and binary protocols. It listens on 127.0.0.1 unless
\fB\-l\fR says otherwise, and prints "mnemod listening on ADDR:PORT" for every listener.
.SH SIGNALS
SIGTERM, SIGINT and SIGUSR1 stop the server gracefully: no new connections, requests already
read are answered, the snapshot (\fB\-\-snapshot\fR) is written, and the exit status is 0.
SIGHUP is logged and ignored.
.SH FILES
.TP
/etc/default/mnemod
MNEMOD_OPTS, the options of the systemd service mnemod.service.
.TP
/var/lib/mnemo/cache.snapshot
the service's snapshot for warm restarts.
.SH OPTIONS
.nf
TEXT
  "$mnemod" -h | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
  printf '.fi\n.SH SEE ALSO\nmclient(1), memcached(1)\n'
} > "$out"
