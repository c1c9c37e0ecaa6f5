#!/usr/bin/env bash
# apt_install_test.sh BUILD_DIR: what an operator does with the package: `apt-get install
# ./mnemo_*.deb` on this Debian, the installed mnemod answers, `apt-get remove` keeps the
# conffile and `apt-get purge` removes it. It changes the machine, so it runs only as root and
# only where no mnemo package is installed already (it must not replace an operator's); it is
# skipped (exit 77) otherwise. Whatever happens, the package is purged at the end.
set -euo pipefail
build=$(cd "$1" && pwd)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "SKIP: needs root and apt-get"
  exit 77
fi
if dpkg-query -W -f='${Status}' mnemo 2>/dev/null | grep -q 'installed'; then
  echo "SKIP: a mnemo package is installed on this machine already"
  exit 77
fi
work=$(mktemp -d)
installed=""
cleanup() {
  [ -n "$installed" ] && apt-get purge -y mnemo >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/mnemo_*.deb)
installed=yes
apt-get install -y "$deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "apt-get install"; }
[ "$(dpkg-query -W -f='${Status}' mnemo)" = "install ok installed" ] || fail "dpkg status"
for f in /usr/bin/mnemod /usr/bin/mclient /usr/bin/mcadmin /usr/share/man/man1/mnemod.1 \
         /usr/lib/systemd/system/mnemod.service /etc/default/mnemod; do
  [ -e "$f" ] || fail "$f not installed"
done
/usr/bin/mnemod -V | grep -q '^mnemod .* (memcached 1.6.18 compatible)$' || fail "mnemod -V"
# The installed binaries run with what the package pulled in (no build tree on their path).
/usr/bin/mclient --help >/dev/null || fail "mclient --help"

apt-get remove -y mnemo >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "remove"; }
[ ! -e /usr/bin/mnemod ] || fail "remove left /usr/bin/mnemod"
[ -e /etc/default/mnemod ] || fail "remove took the conffile /etc/default/mnemod"
apt-get purge -y mnemo >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
installed=""
[ ! -e /etc/default/mnemod ] || fail "purge left /etc/default/mnemod"
dpkg-query -W -f='${Status}' mnemo 2>/dev/null | grep -q 'installed' && fail "still installed"
echo "apt-get install, remove and purge OK: $(basename "$deb")"
