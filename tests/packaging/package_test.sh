#!/usr/bin/env bash
# package_test.sh BUILD_DIR: builds the Debian package from an already built tree (cpack only
# installs what is built; nothing is compiled here), then checks it without touching the
# machine: control fields and dependencies (dpkg-deb -I), the file list (dpkg-deb -c), the
# systemd unit (systemd-analyze verify, against the unpacked tree), and the unpacked mnemod
# itself (-V, then a start and a request on an OS-chosen port).
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/mnemo_*.deb)

info=$(dpkg-deb -I "$deb")
grep -q '^ Package: mnemo$' <<<"$info" || fail "package name: $info"
grep -q '^ Version: ' <<<"$info" || fail "no version"
# dpkg-shlibdeps worked out the shared libraries mnemod and the tools link.
grep -E '^ Depends: .*libc6' <<<"$info" >/dev/null || fail "no libc6 dependency: $info"
grep -E '^ Depends: .*libssl3' <<<"$info" >/dev/null || fail "no libssl3 dependency: $info"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "architecture"
dpkg-deb -e "$deb" "$work/control"
grep -qx '/etc/default/mnemod' "$work/control/conffiles" || fail "conffiles"
for script in postinst postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
done

files=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ./usr/bin/mnemod ./usr/bin/mclient ./usr/bin/mcadmin ./usr/bin/mnemo-capable \
         ./usr/lib/systemd/system/mnemod.service ./etc/default/mnemod \
         ./usr/share/man/man1/mnemod.1 ./usr/share/man/man1/mclient.1 \
         ./usr/share/man/man1/mcadmin.1 \
         ./usr/include/mnemo/session.h ./usr/include/mnemo/engine.h; do
  grep -qx -- "$f" <<<"$files" || fail "missing $f"
done
grep -qE '^\./usr/lib/(.*/)?libmnemo\.a$' <<<"$files" || fail "missing libmnemo.a"
grep -qE '^\./usr/lib/(.*/)?pkgconfig/mnemo\.pc$' <<<"$files" || fail "missing mnemo.pc"
grep -qE '^\./usr/lib/(.*/)?cmake/mnemo/mnemoConfig\.cmake$' <<<"$files" ||
  fail "missing CMake package"
# Nothing from the build machine leaks in.
if grep -q "$build\|_CPack_Packages\|/tmp/" <<<"$files"; then fail "stray path in the package"; fi

root="$work/root"
dpkg -x "$deb" "$root"
# The manual pages are well-formed troff (groff warns of nothing), and mcadmin's lists every
# command its --help knows.
for page in mnemod mclient mcadmin; do
  file="$root/usr/share/man/man1/$page.1"
  grep -q "^\.TH ${page^^} 1 " "$file" || fail "$page.1 has no title line"
  warnings=$(groff -man -Tutf8 -ww -z "$file" 2>&1) || fail "$page.1 does not render"
  [ -z "$warnings" ] || fail "$page.1: $warnings"
done
commands=$("$root/usr/bin/mcadmin" --help | sed -n '/^Subcommands:$/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$commands" ] || fail "mcadmin --help lists no commands"
for command in $commands; do
  grep -q "^  $command " "$root/usr/share/man/man1/mcadmin.1" || fail "mcadmin.1 lacks $command"
done
unit="$root/usr/lib/systemd/system/mnemod.service"
# shellcheck disable=SC2016
grep -qx 'ExecStart=/usr/bin/mnemod $MNEMOD_OPTS' "$unit" ||
  fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx 'EnvironmentFile=-/etc/default/mnemod' "$unit" || fail "EnvironmentFile"
for key in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
           NoNewPrivileges=yes StateDirectory=mnemo LimitNOFILE=65536; do
  grep -qx "$key" "$unit" || fail "unit lacks $key"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  # Against the host's units (it needs their targets), with the paths pointed at the unpacked
  # tree; man pages are not installed there, so --man=no.
  mkdir "$work/verify"
  sed -e "s#/usr/bin/mnemod#$root/usr/bin/mnemod#" \
    -e "s#/etc/default/mnemod#$root/etc/default/mnemod#" "$unit" >"$work/verify/mnemod.service"
  systemd-analyze verify --man=no "$work/verify/mnemod.service" ||
    fail "systemd-analyze verify"
else
  echo "SKIP systemd-analyze verify: systemd is not installed"
fi

version=$("$root/usr/bin/mnemod" -V) || fail "mnemod -V exited $?"
grep -q '^mnemod .* (memcached 1.6.18 compatible)$' <<<"$version" || fail "mnemod -V: $version"
# The options the unit passes by default parse (a bad MNEMOD_OPTS would fail the service).
# shellcheck disable=SC1091
. "$root/etc/default/mnemod"
[ -n "$MNEMOD_OPTS" ] || fail "MNEMOD_OPTS is empty"
opts=$(sed -e 's/-p 11211/-p 0/' -e "s#/var/lib/mnemo#$work#" <<<"$MNEMOD_OPTS")
: >"$work/mnemod.log"  # exists before the loop below reads it
# shellcheck disable=SC2086
"$root/usr/bin/mnemod" -u "$(id -un)" $opts >>"$work/mnemod.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 200); do
  port=$(sed -n 's/^mnemod listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/mnemod.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/mnemod.log"; fail "the packaged mnemod did not start"; }
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'version\r\n' >&3
read -r -t 5 reply <&3
exec 3>&-
[ "$reply" = $'VERSION 1.6.18\r' ] || fail "version reply: $reply"
kill -TERM "$server_pid"
wait "$server_pid" || fail "mnemod exit status $?"
server_pid=""
grep -q "snapshot $work/cache.snapshot: saved 0 items" "$work/mnemod.log" ||
  { cat "$work/mnemod.log"; fail "no snapshot"; }
echo "package OK: $(basename "$deb")"
