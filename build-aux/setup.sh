# SPDX-License-Identifier: GPL-3.0-or-later
#
# Shared by build-aux/run and build-aux/test: installs the Debian or Ubuntu
# packages that are missing (printing the list first; as root, or through
# sudo), then configures and builds into ./build.

# Building and testing: compiler, meson, libraries (pkg-config names in
# meson.build), gettext, the validators the tests run, Xvfb and a session
# bus for the GUI tests, and the real data set the benchmarks use.
# shared-mime-info and gio (libglib2.0-bin) check the project file's type,
# flatpak-builder parses the Flatpak manifest. python3-sklearn runs the
# example scikit-learn teacher program in the teacher tests.
DISTILLERY_PACKAGES="
  gcc meson ninja-build pkg-config
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libcairo2-dev
  libopenblas-dev libsqlite3-dev libjson-glib-dev zlib1g-dev
  gettext desktop-file-utils appstream shared-mime-info libglib2.0-bin
  flatpak-builder python3-sklearn
  xvfb xauth dbus-daemon
  dataset-fashion-mnist
"

distillery_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
distillery_build="$distillery_root/build"

distillery_install_packages () {
  local missing=() p
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "This is not a Debian or Ubuntu system: install the equivalents of:" $DISTILLERY_PACKAGES >&2
    return 0
  fi
  for p in $DISTILLERY_PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  echo "Installing missing packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "Not root and no sudo: install these packages, then run this again." >&2
      return 1
    fi
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q || return 1
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

distillery_build_tree () {
  if [ ! -f "$distillery_build/build.ninja" ]; then
    meson setup "$distillery_build" "$distillery_root" || return 1
  fi
  meson compile -C "$distillery_build"
}
