#!/usr/bin/env bash
# Checks the service unit with systemd-analyze and a freshly built .deb with
# dpkg-deb: fields, files, modes, and that Depends names the libraries the
# binary links. Usage: packaging/deb/check.sh [bin/uketsuke]
set -euo pipefail
bin=${1:-bin/uketsuke}
here=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "deb check: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The unit, with ExecStart pointed at something that exists on a build
# machine (cage is a kiosk dependency, not a build one).
sed 's|^ExecStart=.*|ExecStart=/bin/true|' "$here/systemd/uketsuke.service" >"$tmp/uketsuke.service"
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (apt install systemd)"
msg=$(systemd-analyze verify "$tmp/uketsuke.service" 2>&1 || true)
[ -z "$msg" ] || fail "systemd-analyze verify: $msg"
for want in LimitMEMLOCK=64M LimitCORE=0 NoNewPrivileges=yes User=uketsuke \
  Environment=GLIBC_TUNABLES=glibc.malloc.perturb=165:glibc.malloc.tcache_count=0; do
  grep -qx "$want" "$here/systemd/uketsuke.service" || fail "unit lacks $want"
done

deb=$(VERSION=1.2.3 DEB_COMPRESSION=none "$here/deb/build.sh" "$bin" "$tmp/out")
control=$(dpkg-deb -f "$deb")
grep -qx 'Package: uketsuke' <<<"$control" || fail "Package field: $control"
grep -qx 'Version: 1.2.3' <<<"$control" || fail "Version field: $control"
depends=$(dpkg-deb -f "$deb" Depends)
for pkg in pcscd cage libc6; do
  grep -qw "$pkg" <<<"$depends" || fail "Depends lacks $pkg: $depends"
done
if ldd "$bin" | grep -q libpcsclite; then
  grep -qw libpcsclite1 <<<"$depends" || fail "binary links libpcsclite but Depends lacks libpcsclite1: $depends"
fi
listing=$(dpkg-deb -c "$deb")
grep -Eq '^-rwxr-xr-x root/root .* \./usr/bin/uketsuke$' <<<"$listing" || fail "no executable /usr/bin/uketsuke owned by root"
grep -q '\./lib/systemd/system/uketsuke.service$' <<<"$listing" || fail "no service unit"
grep -q '\./etc/pam.d/uketsuke$' <<<"$listing" || fail "no PAM file"
dpkg-deb -e "$deb" "$tmp/ctl"
sh -n "$tmp/ctl/postinst" || fail "postinst does not parse"
echo "deb check: ok ($(basename "$deb"), $(du -h "$deb" | cut -f1))"
