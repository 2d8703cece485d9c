#!/bin/bash
# End-to-end check of the real kiosk binary on a virtual X screen: choose
# 暗証番号, type the demo holder's PIN, send it, agree to share, choose
# 電子処方箋, and see the session reach 受付完了; then staff hold the hidden top-right corner, type
# the staff PIN and leave kiosk mode from the staff menu. Click positions
# come from the binary itself (UKETSUKE_UI_TARGETS), never from guessed
# coordinates.
#   ui/e2e/xvfb.sh BIN OUTDIR         starts Xvfb through xvfb-run
set -euo pipefail

bin=$(realpath "${1:?usage: xvfb.sh BIN OUTDIR}")
out=$(realpath -m "${2:?usage: xvfb.sh BIN OUTDIR}")

e2e_name="ui e2e"
# shellcheck source=ui/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_under_xvfb
staff_pin=246810
export UKETSUKE_STAFF_PIN=$staff_pin
e2e_start_demo

click() {
	await "\"Name\":\"$1\",[^}]*\"Enabled\":true" 10
	local x y
	x=$(field "$1" CenterX)
	y=$(field "$1" CenterY)
	xdotool mousemove "$x" "$y" click 1
}

await '"State":"method"' 60
import -window root "$out/1-method.png"
# The language picker, in the real binary: switch to English and back.
click language
await '"Name":"lang-en"' 10
import -window root "$out/1-language.png"
click lang-en
await '"State":"method","Lang":"en"' 10
click language
await '"Name":"lang-ja"' 10
click lang-ja
await '"State":"method","Lang":"ja"' 10
click pin
await '"State":"pin"' 10
for d in 1 2 3 4; do
	click "digit-$d"
	n=$(( ${n:-0} + 1 ))
	await "\"PINDigits\":$n" 10
done
import -window root "$out/2-pin.png"
click send
await '"State":"consent"' 30
import -window root "$out/3-consent.png"
click consent-all
await '"State":"prescription"' 30
sleep 0.5 # the targets file is written before the frame is drawn
import -window root "$out/3-prescription.png"
click prescribe-electronic
await '"State":"done"' 30
import -window root "$out/4-done.png"

# Staff: a quick tap on the hidden corner does nothing; holding it 3.5 s
# opens the staff login; the staff PIN opens the menu, whose exit ends the
# kiosk.
await '"Name":"staff-corner"' 10
cx=$(field staff-corner CenterX)
cy=$(field staff-corner CenterY)
xdotool mousemove "$cx" "$cy" click 1
sleep 1
grep -q '"Page":"session"' "$out/targets.json" || fail "a quick tap on the corner left the patient's screen"
xdotool mousemove "$cx" "$cy" mousedown 1
sleep 3.5
xdotool mouseup 1
await '"Page":"staff-login"' 10
n=0
for d in $(echo "$staff_pin" | grep -o .); do
	click "staff-digit-$d"
	n=$((n + 1))
	await "\"StaffDigits\":$n," 10
done
import -window root "$out/5-staff-login.png"
click staff-ok
await '"Page":"staff-menu"' 30
await '"Name":"staff-exit-kiosk",[^}]*"Enabled":true' 10
sleep 0.5 # the targets file is written before the frame is drawn
import -window root "$out/6-staff-menu.png"
click staff-exit-kiosk
deadline=$((SECONDS + 15))
while kill -0 $kiosk 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the kiosk did not exit from the staff menu"
	sleep 0.2
done

want="method pin pin_verifying checking consent prescription submitting done"
got=$(grep -Eo '^(method|pin|pin_verifying|checking|consent|prescription|submitting|done)$' "$out/status.log" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "states '$got', want '$want'"
for f in 1-method 2-pin 3-consent 3-prescription 4-done 5-staff-login 6-staff-menu; do
	[ "$(stat -c %s "$out/$f.png")" -gt 10000 ] || fail "screenshot $f.png is empty"
done
echo "ui e2e: PIN path reached 受付完了 under Xvfb (states: $got), staff left kiosk mode through the corner; screenshots in $out"
