#!/usr/bin/env bash
# install_test.sh BUILD_DIR: installs libmnemo into a temporary prefix, then builds and runs a
# consumer outside the tree twice: through find_package(mnemo) and through pkg-config.
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$here/consumer" -B "$prefix/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/cmake-build" >/dev/null
"$prefix/cmake-build/consumer"
libdir=$(dirname "$(find "$prefix" -name libmnemo.a | head -1)")
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
c++ -o "$prefix/pc-consumer" "$here/consumer/main.cc" $(pkg-config --cflags --libs mnemo)
"$prefix/pc-consumer"
