#!/bin/bash
# End-to-end check of the physical ten-key pad in the real kiosk binary on a
# virtual X screen: no clicks at all, only keypad keys sent through XTEST
# (xdotool), as a USB ten-key pad's would arrive. The focus ring is moved with
# KP_Add onto 暗証番号 and pressed with KP_Enter; the PIN is typed on the
# keypad with a wrong digit taken back with BackSpace, and KP_Enter with
# three digits must not send it; まとめて同意 and 電子処方箋 are chosen the
# same way until 受付完了. Where the ring is comes from the binary itself
# (UKETSUKE_UI_TARGETS: "Focus").
#   ui/e2e/keypad.sh BIN OUTDIR         starts Xvfb through xvfb-run
set -euo pipefail

bin=$(realpath "${1:?usage: keypad.sh BIN OUTDIR}")
out=$(realpath -m "${2:?usage: keypad.sh BIN OUTDIR}")

e2e_name="keypad e2e"
# shellcheck source=ui/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_under_xvfb
e2e_start_demo

# ringed NAME PNG: the screenshot shows the ring's dark frame just left of
# the target (the frame's outer half lies outside the button, on white).
ringed() {
	local x y px
	x=$(($(field "$1" X) - 3))
	y=$(field "$1" CenterY)
	px=$(convert "$2" -format "%[fx:int(255*p{$x,$y}.intensity)]" info:)
	[ "$px" -lt 45 ] || fail "no focus ring drawn at the left of $1 in $2 (luminance $px at $x,$y)"
}

# press KEYSYM: one key of the ten-key pad, to the window with the input focus.
press() { xdotool key --clearmodifiers "$1"; }

# ring TARGET: KP_Add until the focus ring is on TARGET.
ring() {
	local i
	for i in $(seq 1 20); do
		grep -q "\"Focus\":\"$1\"" "$out/targets.json" && return 0
		press KP_Add
		sleep 0.3
	done
	fail "the ring never reached $1"
}

await '"State":"method"' 60
# No window manager: give the kiosk's window the X input focus.
xdotool search --sync --name '^uketsuke$' windowfocus --sync
ring pin
sleep 0.5 # the targets file is written before the frame is drawn
import -window root "$out/1-method-ring.png"
ringed pin "$out/1-method-ring.png"
press KP_Enter
await '"State":"pin"' 10
n=0
for k in KP_1 KP_2 KP_3; do
	press $k
	n=$((n + 1))
	await "\"PINDigits\":$n," 10
done
press KP_Enter # three digits: refused, nothing is sent
sleep 1
grep -q '"State":"pin"' "$out/targets.json" || fail "Enter with three digits left the PIN screen"
press KP_9
await '"PINDigits":4,' 10
press BackSpace
await '"PINDigits":3,' 10
press KP_4
await '"PINDigits":4,' 10
import -window root "$out/2-pin.png"
press KP_Enter
await '"State":"consent"' 30
ring consent-all
sleep 0.5
import -window root "$out/3-consent-ring.png"
ringed consent-all "$out/3-consent-ring.png"
press KP_Enter
await '"State":"prescription"' 30
ring prescribe-electronic
press KP_Enter
await '"State":"done"' 30
import -window root "$out/4-done.png"

want="method pin pin_verifying checking consent prescription submitting done"
got=$(grep -Eo '^(method|pin|pin_verifying|checking|consent|prescription|submitting|done)$' "$out/status.log" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "states '$got', want '$want'"
for f in 1-method-ring 2-pin 3-consent-ring 4-done; do
	[ "$(stat -c %s "$out/$f.png")" -gt 10000 ] || fail "screenshot $f.png is empty"
done
echo "keypad e2e: keys alone reached 受付完了 under Xvfb (states: $got); screenshots in $out"
