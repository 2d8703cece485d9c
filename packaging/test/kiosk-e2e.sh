#!/bin/bash
# The production kiosk end to end, as a clinic runs it: the real binary
# (built with the test hooks that report screens and button positions)
# under Xvfb, from a configuration file, through a real pcscd with the
# vsmartcard virtual card, image-file cameras, Tesseract, the ONNX face
# engine, and the eligibility stand-in over HTTPS with its CA pinned. It
# checks the configuration refusals (no pinned CA, a tampered bundle, a
# replayed older bundle after a restart), then reaches 受付完了 by PIN (紙の
# 処方箋) and by face (電子処方箋), and checks the result files (with the
# prescription choice), the audit log (no personal data)
# and the process's hardening.
#   packaging/test/kiosk-e2e.sh BIN HOOKS_BIN OUTDIR PHOTOS MODELS
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ "${UKETSUKE_E2E_INNER:-}" != 1 ]; then
	out=$(realpath -m "${3:?usage: kiosk-e2e.sh BIN HOOKS_BIN OUTDIR PHOTOS MODELS}")
	rm -rf "$out"
	mkdir -p "$out"
	UKETSUKE_E2E_INNER=1 exec "$here/with-pcscd.sh" xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi
bin=$(realpath "$1")
hooks=$(realpath "$2")
out=$(realpath -m "$3")
photos=$(realpath "$4")
models=$(realpath "$5")
export LANG=en_US.UTF-8 FYNE_SCALE=1
w="$out/world"
kiosk=""
world=""

cleanup() {
	[ -n "$kiosk" ] && { kill "$kiosk" 2>/dev/null || true; wait "$kiosk" 2>/dev/null || true; }
	[ -n "$world" ] && { kill "$world" 2>/dev/null || true; wait "$world" 2>/dev/null || true; }
	return 0
}
trap cleanup EXIT

fail() {
	echo "kiosk e2e: FAILED: $*" >&2
	for f in status.log kiosk.log world.log; do
		echo "--- $f:" >&2
		tail -n 40 "$out/$f" >&2 2>/dev/null || true
	done
	import -window root "$out/failure.png" 2>/dev/null || true
	exit 1
}

# The world: a card on vpcd, the stand-in service, the camera files, and
# the kiosk's configuration pointing at them.
"$bin" config keygen --out "$out/update" >/dev/null
hash=$(echo 73918264 | "$bin" config hash-pin)
mkfifo "$out/world.in"
"$bin" world serve --dir "$w" --photos "$photos" --models "$models" --staff-pin-hash "$hash" \
	--update-key "$(cat "$out/update.pub")" <"$out/world.in" >"$out/world.log" 2>&1 &
world=$!
exec 3>"$out/world.in"
for _ in $(seq 300); do grep -q "world ready" "$out/world.log" 2>/dev/null && break; sleep 0.1; done
grep -q "world ready" "$out/world.log" || fail "the world did not start"
cfg="$w/kiosk.json"

# 1. The dry run names the parts and exits 0.
"$bin" kiosk --config "$cfg" --dry-run --json >"$out/plan.json" || fail "dry run refused a good configuration"
for want in '"reader":{"allow":\["Virtual PCD 00 01"\],"kind":"pcsc"}' '"ca_pinned":true' '"kind":"tesseract"' '"kind":"onnx"'; do
	grep -Eq "$want" "$out/plan.json" || fail "dry-run plan lacks $want: $(cat "$out/plan.json")"
done

# 2. Without a pinned CA the kiosk refuses to start and names the field.
sed '/"ca_file"/d' "$cfg" >"$out/no-ca.json"
set +e
"$bin" kiosk --config "$out/no-ca.json" --dry-run --json >/dev/null 2>"$out/no-ca.err"
rc=$?
"$hooks" kiosk --config "$out/no-ca.json" >/dev/null 2>"$out/no-ca-start.err"
rc_start=$?
set -e
[ $rc = 2 ] && grep -q "parts.eligibility.ca_file" "$out/no-ca.err" || fail "no CA: exit $rc, $(cat "$out/no-ca.err")"
[ $rc_start = 2 ] && grep -q "parts.eligibility.ca_file" "$out/no-ca-start.err" ||
	fail "the kiosk started without a pinned CA: exit $rc_start, $(cat "$out/no-ca-start.err")"

# 3. Signed bundles: one applies; a tampered one and an older one replayed
# after a restart (each `config apply` is a new process, as the kiosk's
# start is) are refused with the reason.
policy() { # SERIAL: the policy half of a configuration, no parts
	printf '{"serial": %s, "facility": {"code": "1312345678", "default_language": "ja"},' "$1"
	printf ' "face": {"threshold": 0, "fusion_frames": 3, "fusion_window": "2s", "attempt_time": "15s", "attempts": 3, "allow_still": true},'
	printf ' "card": {"scan_attempts": 3, "keyb_min_tries": 5}, "session": {"inactivity": "120s"},'
	printf ' "trust_anchors": %s}\n' "$(cat "$w/trust.json")"
}
mkdir -p "$w/updates"
for s in 3 5 7; do
	policy $s >"$out/policy$s.json"
	"$bin" config sign --key "$out/update.key" --in "$out/policy$s.json" --out "$out/p$s.bundle" --valid-for 720h
done
cp "$out/p5.bundle" "$w/updates/"
"$bin" config apply --config "$cfg" >"$out/apply1.log" 2>&1 || fail "bundle 5: $(cat "$out/apply1.log")"
grep -q "running serial 5" "$out/apply1.log" || fail "bundle 5 not applied: $(cat "$out/apply1.log")"
sed -E 's/("signature": ")A/\1B/; t; s/("signature": ")./\1A/' "$out/p7.bundle" >"$w/updates/p7.bundle"
if "$bin" config apply --config "$cfg" >"$out/apply2.log" 2>&1; then fail "a tampered bundle was applied"; fi
grep -q "p7.bundle: config: bundle signature does not verify" "$out/apply2.log" || fail "tampered: $(cat "$out/apply2.log")"
[ ! -e "$w/updates/p5.bundle" ] || fail "the applied bundle was left in the updates folder"
rm -f "$w/updates/p7.bundle"
cp "$out/p3.bundle" "$w/updates/"
if "$bin" config apply --config "$cfg" >"$out/apply3.log" 2>&1; then fail "an older bundle was applied"; fi
grep -q "p3.bundle: config: bundle is not newer" "$out/apply3.log" || fail "replay: $(cat "$out/apply3.log")"
grep -q "running serial 5" "$out/apply3.log" || fail "the applied bundle did not survive the restart: $(cat "$out/apply3.log")"

# 4. The kiosk itself.
export UKETSUKE_UI_TARGETS="$out/targets.json" UKETSUKE_STATUS="$out/status.log" UKETSUKE_WINDOWED=1
"$hooks" kiosk --config "$cfg" >"$out/kiosk.log" 2>&1 &
kiosk=$!

field() {
	grep -o "{\"Name\":\"$1\",[^}]*}" "$out/targets.json" | grep -o "\"$2\":[0-9a-z]*" | cut -d: -f2
}
await() {
	local deadline=$((SECONDS + $2))
	until [ -f "$out/targets.json" ] && grep -Eq "$1" "$out/targets.json"; do
		kill -0 "$kiosk" 2>/dev/null || fail "the kiosk exited while waiting for $1"
		[ $SECONDS -lt $deadline ] || fail "no $1 within $2 s"
		sleep 0.2
	done
}
click() {
	await "\"Name\":\"$1\",[^}]*\"Enabled\":true" 20
	xdotool mousemove "$(field "$1" CenterX)" "$(field "$1" CenterY)" click 1
}
results() { find "$w/results" -name '*.xml' | wc -l; }

await '"State":"method"' 120
grep -q "refused configuration bundle .*p3.bundle" "$out/kiosk.log" || fail "the kiosk did not report the refused bundle"
[ "$(head -n1 "$out/status.log")" = hardened ] || fail "the kiosk is not hardened: $(head -n1 "$out/status.log")"
[ "$(prlimit --pid "$kiosk" --core --output SOFT,HARD --noheadings | tr -s ' ' | sed 's/^ //')" = "0 0" ] ||
	fail "core dumps are allowed: $(prlimit --pid "$kiosk" --core)"
import -window root "$out/1-method.png"

# By PIN.
click pin
await '"State":"pin"' 20
n=0
for d in 1 2 3 4; do
	click "digit-$d"
	n=$((n + 1))
	await "\"PINDigits\":$n" 10
done
click send
await '"State":"consent"' 60
click consent-all
await '"State":"prescription"' 30
click prescribe-paper
await '"State":"done"' 60
import -window root "$out/2-done-pin.png"
[ "$(results)" = 1 ] || fail "PIN path: $(results) result files, want 1"

# Pull the card, put it back, and by face.
echo pull >&3
await '"State":"idle"' 30
echo insert >&3
await '"State":"method"' 60
click face
await '"State":"(consent|face_failed)"' 90
grep -q '"State":"consent"' "$out/targets.json" || fail "the face did not match"
click consent-all
await '"State":"prescription"' 30
click prescribe-electronic
await '"State":"done"' 60
import -window root "$out/3-done-face.png"
[ "$(results)" = 2 ] || fail "face path: $(results) result files, want 2"
# The patient's choices reached the files: 紙の処方箋 (2) by PIN, 電子処方箋 (1) by face.
for code in 1 2; do
	n=$(grep -rl --include='*.xml' "<PrescriptionIssueSelect>$code</PrescriptionIssueSelect>" "$w/results" | wc -l)
	[ "$n" = 1 ] || fail "$n result files with PrescriptionIssueSelect $code, want 1"
done
echo pull >&3
await '"State":"idle"' 30
# The kiosk's own memory, with both face models and Tesseract loaded (issue
# 18's budget is 350 MB); a figure for the notes, not a pass mark.
hwm_mb=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$kiosk/status")

# A real reception system's parser reads both files.
if [ -n "${UKETSUKE_MYCLINIC_CHECK:-}" ]; then
	"$UKETSUKE_MYCLINIC_CHECK" "$w/results/face" >"$out/myclinic.log" 2>&1 || fail "myclinic refused a result file: $(cat "$out/myclinic.log")"
fi

# The audit log has both sessions and none of the holder's data.
ops="$w/log/operation.jsonl"
[ -s "$ops" ] || fail "no operation log"
[ "$(grep -c '"msg":"end"' "$ops" || true)" -ge 2 ] || fail "the operation log lacks the sessions: $(tail -n 5 "$ops")"
[ "$(grep -c '"msg":"reception.face_written"' "$ops" || true)" = 2 ] || fail "the operation log does not count the result files"
while IFS= read -r secret; do
	[ -n "$secret" ] || continue
	if grep -rqF -- "$secret" "$w/log" "$out/kiosk.log"; then fail "a log holds the holder's data"; fi
done <"$w/holder.txt"

want="method pin pin_verifying checking consent prescription submitting done idle reading method face checking consent prescription submitting done idle"
got=$(grep -Ev '^hardened$' "$out/status.log" | tr '\n' ' ' | sed 's/ $//')
case "$got" in
*"$want"*) ;;
*) fail "states '$got' do not contain '$want'" ;;
esac
echo "kiosk e2e: the production kiosk reached 受付完了 by PIN and by face through pcscd, Tesseract, ONNX and HTTPS; 2 result files; refusals checked"
echo "kiosk e2e: the kiosk process's peak RSS after both sessions: ${hwm_mb} MB"
