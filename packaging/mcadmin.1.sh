#!/bin/sh
# mcadmin.1.sh MCADMIN OUT: writes the manual page of mcadmin. Its COMMANDS and OPTIONS
# sections are taken from `mcadmin --help`, so that the page cannot disagree with the program.
set -eu
mcadmin=$1
out=$2
help=$("$mcadmin" --help)
# troff: a backslash is an escape, and a line that starts with '.' or '\'' is a request.
escape() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
# The lines of one section of the help ("Options:", "Subcommands:"), up to the next blank line.
section() { printf '%s\n' "$help" | sed -n "/^$1:\$/,/^\$/{/^$1:\$/d;/^\$/d;p}"; }
{
  printf '.TH MCADMIN 1 "" "mnemo" "User Commands"\n'
  printf '.SH NAME\nmcadmin \\- %s\n' "$(printf '%s\n' "$help" | head -n 1 | escape)"
  printf '.SH SYNOPSIS\n.B mcadmin\n[\\fIOPTIONS\\fR] \\fB\\-\\-domain\\fR \\fINAME\\fR '
  printf '\\fICOMMAND\\fR [\\fIHOST:PORT\\fR[\\fI:WEIGHT\\fR]]\n'
  cat <<'TEXT'
.SH DESCRIPTION
A domain is a named, versioned list of servers that every mnemod of the domain keeps. Clients
built on the mnemo client library (Client::ForDomain) read it from any seed server and follow
every change without a restart. mcadmin asks each seed server for the domain, works on the
newest version found, and pushes a change to every server of the list; a server that was
unreachable is reported on standard error and skipped, and a later
.B sync
brings it up to date.
.SH COMMANDS
.nf
TEXT
  section Subcommands | escape
  printf '.fi\n.SH OPTIONS\n.nf\n'
  section Options | escape
  cat <<'TEXT'
.fi
.SH EXIT STATUS
.TP
0
success
.TP
2
a usage error
.TP
3
a server answered with an error or could not be reached
.SH EXAMPLES
.nf
mcadmin \-\-servers 10.0.0.1:11211 \-\-domain myapp add 10.0.0.4:11211
mcadmin \-\-servers 10.0.0.1:11211 \-\-domain myapp list
mcadmin \-\-servers 10.0.0.1:11211 \-\-domain myapp sync
mcadmin \-\-servers 10.0.0.1:11211 \-\-domain myapp clients \-\-json
.fi
.SH SEE ALSO
mnemod(1), mclient(1)
TEXT
} > "$out"
