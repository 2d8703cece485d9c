#!/usr/bin/env bash
# Builds build/uketsuke_<version>_<arch>.deb from an already built binary,
# with dpkg-deb only. Usage: packaging/deb/build.sh [bin/uketsuke] [outdir]
# VERSION overrides the version (default: from git, else 0.0.0);
# DEB_COMPRESSION the dpkg-deb compressor (default xz; none for quick checks).
# Depends is derived from the libraries the binary really links (ldd +
# dpkg -S), plus what it runs but does not link.
set -euo pipefail
bin=${1:-bin/uketsuke}
out=${2:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$bin" ] || { echo "deb: $bin is not an executable; run make build first" >&2; exit 1; }

version=${VERSION:-$(git -C "$here" describe --tags --always --dirty 2>/dev/null | sed -e 's/^v//' -e 's/^\([0-9a-f]\{7,\}\)/0.0.0+g\1/' -e 's/-/+/g' || true)}
version=${version:-0.0.0}
case $version in [0-9]*) ;; *) version=0.0.0+$version ;; esac
arch=$(dpkg --print-architecture)

# Packages owning the libraries the binary names (ELF NEEDED); theirs
# bring the rest.
linked_packages() {
  local resolved name path
  resolved=$(ldd "$bin")
  for name in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(awk -v n="$name" '$1 == n && $3 ~ /^\// {print $3}' <<<"$resolved")
    [ -n "$path" ] || { echo "deb: $bin needs $name, which is not installed" >&2; return 1; }
    dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")"
  done | cut -d: -f1 | sort -u
}
runtime="pcscd, cage, xwayland, tesseract-ocr-jpn, adduser"
packages=$(linked_packages)
linked=$(echo "$packages" | { grep -v '^libc6$' || true; } | paste -sd, | sed 's/,/, /g')
depends="libc6${linked:+, $linked}, $runtime"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/uketsuke
install -D -m 0755 "$bin" "$root/usr/bin/uketsuke"
install -D -m 0644 "$here/systemd/uketsuke.service" "$root/lib/systemd/system/uketsuke.service"
install -D -m 0644 "$here/pam/uketsuke" "$root/etc/pam.d/uketsuke"
install -D -m 0644 "$here/README.md" "$root/usr/share/doc/uketsuke/README.md"
install -D -m 0644 "$here/polkit/50-uketsuke-pcsc.rules" "$root/usr/share/doc/uketsuke/examples/50-uketsuke-pcsc.rules"
# The operation manual, and the starter configuration exactly as postinst
# writes it to /etc/uketsuke/config.json (from this binary's config init).
install -D -m 0644 "$here/../docs/operations.md" "$root/usr/share/doc/uketsuke/operations.md"
"$bin" config init --out "$stage/config.json" >/dev/null
install -D -m 0644 "$stage/config.json" "$root/usr/share/doc/uketsuke/examples/config.json"
# Face models and ONNX Runtime from make's build/ folder, when present.
models=$here/../build/models
ort=$(ls "$here"/../build/lib/libonnxruntime.so.[0-9]* 2>/dev/null | head -n1 || true)
if [ -d "$models" ]; then
  install -d -m 0755 "$root/usr/share/uketsuke/models"
  install -m 0644 "$models"/* "$root/usr/share/uketsuke/models/"
fi
if [ -n "$ort" ]; then
  install -D -m 0644 "$ort" "$root/usr/lib/uketsuke/libonnxruntime.so"
  # The face engine looks for the library at <models>/../lib/ (the build
  # tree's layout) unless UKETSUKE_ORT_LIB says otherwise; the unit sets it,
  # and this link makes `uketsuke` run by hand find it too.
  install -d -m 0755 "$root/usr/share/uketsuke/lib"
  ln -s ../../../lib/uketsuke/libonnxruntime.so "$root/usr/share/uketsuke/lib/libonnxruntime.so"
fi

install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: uketsuke
Version: $version
Architecture: $arch
Maintainer: uketsuke developers <uketsuke@users.noreply.github.com>
Section: misc
Priority: optional
Depends: $depends
Recommends: espeak-ng, alsa-utils | pulseaudio-utils
Installed-Size: $(du -sk "$root" | cut -f1)
Description: face-authentication card reader kiosk for Japan's health insurance check
 Reads the My Number Card through PC/SC, matches the patient's face against
 the card's photo, and runs the online eligibility check, as a full-screen
 kiosk (cage) started by systemd.
CONTROL
echo /etc/pam.d/uketsuke >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd uketsuke >/dev/null; then
    adduser --system --group --home /var/lib/uketsuke --no-create-home \
      --gecos "uketsuke kiosk" uketsuke
  fi
  for g in video render; do
    getent group "$g" >/dev/null && adduser uketsuke "$g" >/dev/null || true
  done
  # Folders the kiosk writes: result files, arriving update bundles, the
  # applied bundle's state, and the audit logs.
  # Created when missing only: a clinic may have changed them (a results
  # share, say).
  folder() { [ -d "$1" ] || install -d -m "$2" -o uketsuke -g uketsuke "$1"; }
  folder /var/lib/uketsuke 0750
  folder /var/lib/uketsuke/results 0750
  folder /var/lib/uketsuke/updates 0750
  folder /var/lib/uketsuke/state 0700
  folder /var/log/uketsuke 0750
  # The starter configuration, only if the clinic has none: never overwrite
  # theirs. The kiosk reads it; only root edits it.
  [ -d /etc/uketsuke ] || install -d -m 0755 /etc/uketsuke
  if [ ! -e /etc/uketsuke/config.json ]; then
    # No locale: Fyne's locale parser complains about C.UTF-8 on stderr.
    LANG= LC_ALL= /usr/bin/uketsuke config init --out /etc/uketsuke/config.json >/dev/null
    chown root:uketsuke /etc/uketsuke/config.json
    chmod 0640 /etc/uketsuke/config.json
    echo "uketsuke: wrote /etc/uketsuke/config.json; fill it in (docs: /usr/share/doc/uketsuke/operations.md), then check it with: uketsuke kiosk --dry-run"
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
POSTINST
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# Purge removes the configuration postinst wrote; results, audit logs and
# the update state stay (they are the clinic's records).
if [ "$1" = purge ]; then
  rm -f /etc/uketsuke/config.json
  rmdir --ignore-fail-on-non-empty /etc/uketsuke 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"

mkdir -p "$out"
deb=$out/uketsuke_${version}_${arch}.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
