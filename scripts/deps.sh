#!/usr/bin/env bash
# Installs the Debian packages Phoneset needs, only those missing.
#   scripts/deps.sh run      build and run the app
#   scripts/deps.sh test     the above plus test services and cross-compilers
#   scripts/deps.sh windows  the MinGW C compiler for the Windows cross-build
#   scripts/deps.sh wine     Wine and MinGW, to run the Windows build (scripts/wine.sh)
#   scripts/deps.sh package  run and windows, plus the installers' tools: wixl
#                            and msitools (MSI), osslsigncode (signing it),
#                            dpkg-dev (dpkg-shlibdeps), ImageMagick (the .ico),
#                            desktop-file-utils
# Never installs dbus-x11: with it godbus autolaunches dbus-daemon and
# gnome-keyring-daemon processes that outlive the program.
set -euo pipefail

run_pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev wayland-protocols
  libturbojpeg0-dev)
# Debian 12's wine 8.0, 64-bit only: Phoneset ships no 32-bit build.
wine_pkgs=(wine wine64 libwine fonts-wine gcc-mingw-w64-x86-64)
test_pkgs=("${run_pkgs[@]}" xvfb x11-utils xdotool imagemagick pulseaudio pulseaudio-utils dbus
  gnome-keyring postgresql libvips-tools libreoffice-calc-nogui desktop-file-utils "${wine_pkgs[@]}"
  chromium # the person's browser in the single sign-on test (server/sso)
  openssl # the MSI signing test's self-signed certificate (e2e)
  swh-plugins # the LADSPA delay line of the headset check's latency test (audio)
  tesseract-ocr tesseract-ocr-eng # e2e reads the window's words: messages, what to click
  zbar-tools # e2e scans the Security page's QR code as an authenticator app would
  xclip) # e2e reads what "Copy codes" put on the clipboard
package_pkgs=(wixl msitools osslsigncode dpkg-dev imagemagick desktop-file-utils)
test_pkgs+=("${package_pkgs[@]}")

case "${1:-}" in
run) want=("${run_pkgs[@]}") ;;
test) want=("${test_pkgs[@]}") ;;
windows) want=(gcc-mingw-w64-x86-64) ;;
wine) want=("${wine_pkgs[@]}") ;;
package) want=("${run_pkgs[@]}" gcc-mingw-w64-x86-64 "${package_pkgs[@]}") ;;
*)
  echo "usage: $0 run|test|windows|wine|package" >&2
  exit 2
  ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
echo "deps: installing ${missing[*]}" >&2
# Another apt run (an unattended upgrade, a parallel install) holds the dpkg
# lock; wait for it instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600 -qq)
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
