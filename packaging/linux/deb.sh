#!/usr/bin/env bash
# deb.sh VERSION PHONESET_BINARY OUT.deb builds the Debian package of the
# desktop app with dpkg-deb: dpkg's own tool, on every Debian machine, so the
# package needs no new Go dependency (goreleaser's nfpm would add one for a
# format we build natively).
set -euo pipefail
version=$1 exe=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps expects the tree at debian/<package>.
root=$work/debian/phoneset

install -D -m 755 "$exe" "$root/usr/bin/phoneset"
install -D -m 644 "$here/io.phoneset.app.desktop" "$root/usr/share/applications/io.phoneset.app.desktop"
install -D -m 644 "$top/assets/icon.png" "$root/usr/share/icons/hicolor/512x512/apps/io.phoneset.app.png"
# A commented template: dpkg keeps the admin's edits across upgrades (conffiles).
install -D -m 644 "$here/phoneset.conf" "$root/etc/phoneset/phoneset.conf"

# The libraries the binary links, as dpkg-shlibdeps reads them from its ELF
# headers (it wants a debian/control to run in).
printf 'Source: phoneset\n\nPackage: phoneset\nArchitecture: any\n' >"$work/debian/control"
linked=$(cd "$work" && dpkg-shlibdeps -O debian/phoneset/usr/bin/phoneset | sed -n 's/^shlibs:Depends=//p')
# What ldd cannot see: libraries loaded with dlopen. miniaudio needs ALSA or
# PulseAudio for any sound device (ALSA reaches PipeWire and PulseAudio through
# its plugins); GLFW runs without its X11 extension and Wayland libraries, with
# less (no cursor shapes, one monitor, X11 only), so they are recommended.
depends="$linked, libasound2"
recommends="libpulse0, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1, libxext6, libxrender1,
 libwayland-cursor0, libwayland-egl1, libxkbcommon0, libdecor-0-0, libegl1"

mkdir "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: phoneset
Version: $version
Architecture: $(dpkg --print-architecture)
Maintainer: Phoneset team <support@phoneset.io>
Installed-Size: $(du -sk "$root" | cut -f1)
Depends: $depends
Recommends: $recommends
Section: net
Priority: optional
Homepage: https://github.com/phoneset/phoneset
Description: account, status and headset settings for softphone users
 Phoneset lets contact-centre agents manage their account and availability
 status and pick and test their microphone, speaker and ringer before a
 shift. Every change syncs to the Phoneset account server, which an
 administrator names in /etc/phoneset/phoneset.conf.
CONTROL
echo /etc/phoneset/phoneset.conf >"$root/DEBIAN/conffiles"
# No maintainer scripts: dpkg triggers of desktop-file-utils and the icon
# theme refresh the menu and icon caches.
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
