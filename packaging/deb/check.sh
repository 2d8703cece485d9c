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
sed -e 's|^ExecStart=.*|ExecStart=/bin/true|' -e 's|^ExecStartPre=.*|ExecStartPre=/bin/true|' \
  "$here/systemd/uketsuke.service" >"$tmp/uketsuke.service"
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (apt install systemd)"
msg=$(systemd-analyze verify "$tmp/uketsuke.service" 2>&1 || true)
[ -z "$msg" ] || fail "systemd-analyze verify: $msg"
for want in LimitMEMLOCK=64M MemorySwapMax=0 LimitCORE=0 NoNewPrivileges=yes User=uketsuke \
  Environment=GLIBC_TUNABLES=glibc.malloc.perturb=165:glibc.malloc.tcache_count=0 \
  Environment=GODEBUG=asyncpreemptoff=1; do
  grep -qx "$want" "$here/systemd/uketsuke.service" || fail "unit lacks $want"
done
# The production kiosk (no arguments) under cage, its configuration checked first.
grep -qx 'ExecStartPre=/usr/bin/uketsuke kiosk --dry-run' "$here/systemd/uketsuke.service" ||
  fail "unit does not check the configuration first (ExecStartPre=/usr/bin/uketsuke kiosk --dry-run)"
grep -qx 'ExecStart=/usr/bin/cage -- /usr/bin/uketsuke' "$here/systemd/uketsuke.service" ||
  fail "unit does not run the production kiosk (ExecStart=/usr/bin/cage -- /usr/bin/uketsuke)"

# The packaged binary is the kiosk build: no test tool that prints a card's
# code or reads a card with a credential (make deb builds it with -tags kiosk).
for tool in "scan" "scan bench" "card read" "card bench"; do
  status=0
  # shellcheck disable=SC2086 # the words are the command
  msg=$(LANG= LC_ALL= "$bin" $tool </dev/null 2>&1) || status=$?
  [ "$status" = 2 ] && grep -q 'unknown command' <<<"$msg" ||
    fail "$bin has the test tool '$tool' (exit $status); build it with -tags kiosk: $msg"
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
grep -Eq '^-rw-r--r-- root/root .* \./usr/share/doc/uketsuke/operations\.md$' <<<"$listing" || fail "no operation manual"
grep -Eq '^-rw-r--r-- root/root .* \./usr/share/doc/uketsuke/examples/config\.json$' <<<"$listing" || fail "no example configuration"
if grep -q '\./usr/lib/uketsuke/libonnxruntime\.so$' <<<"$listing"; then
  grep -q '\./usr/share/uketsuke/lib/libonnxruntime\.so -> \.\./\.\./\.\./lib/uketsuke/libonnxruntime\.so$' <<<"$listing" ||
    fail "ONNX Runtime is not reachable from the models folder (<models>/../lib/libonnxruntime.so)"
fi
dpkg-deb -e "$deb" "$tmp/ctl"
sh -n "$tmp/ctl/postinst" || fail "postinst does not parse"
sh -n "$tmp/ctl/postrm" || fail "postrm does not parse"
# postinst: the starter configuration only where there is none, root:uketsuke
# 0640, and the folders the kiosk writes, owned by uketsuke.
grep -q 'if \[ ! -e /etc/uketsuke/config.json \]' "$tmp/ctl/postinst" &&
  grep -q '/usr/bin/uketsuke config init --out /etc/uketsuke/config.json' "$tmp/ctl/postinst" ||
  fail "postinst does not write a missing /etc/uketsuke/config.json with config init"
grep -q 'chown root:uketsuke /etc/uketsuke/config.json' "$tmp/ctl/postinst" &&
  grep -q 'chmod 0640 /etc/uketsuke/config.json' "$tmp/ctl/postinst" ||
  fail "postinst does not make the configuration 0640 root:uketsuke"
for d in /var/lib/uketsuke/results /var/lib/uketsuke/updates /var/lib/uketsuke/state /var/log/uketsuke; do
  grep -Eq "^ *folder $d 07[0-5]0$" "$tmp/ctl/postinst" || fail "postinst does not create $d"
done
# The starter configuration in the package is what config init writes, and
# it parses: the dry run refuses it only for the staff PIN still to be set.
dpkg-deb -x "$deb" "$tmp/root"
"$bin" config init --out "$tmp/config.json" >/dev/null
cmp -s "$tmp/config.json" "$tmp/root/usr/share/doc/uketsuke/examples/config.json" ||
  fail "examples/config.json differs from config init's output"
status=0
msg=$("$bin" kiosk --config "$tmp/root/usr/share/doc/uketsuke/examples/config.json" --dry-run 2>&1) || status=$?
[ "$status" = 2 ] || fail "dry run of the starter configuration: exit $status, want 2: $msg"
grep -q 'parts\.staff\.pin_hash' <<<"$msg" || fail "dry run of the starter configuration does not name parts.staff.pin_hash: $msg"
echo "deb check: ok ($(basename "$deb"), $(du -h "$deb" | cut -f1))"
