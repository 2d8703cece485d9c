# Shared by the end-to-end scripts of the real kiosk window (xvfb.sh,
# keypad.sh): sourced after `set -euo pipefail` with bin, out and e2e_name
# set. The binary writes where each target is to $out/targets.json
# (UKETSUKE_UI_TARGETS), so the scripts never guess coordinates.

# e2e_under_xvfb: re-runs the calling script on a fresh virtual X screen.
e2e_under_xvfb() {
	if [ "${UKETSUKE_E2E_INNER:-}" != 1 ]; then
		mkdir -p "$out"
		rm -f "$out"/*
		UKETSUKE_E2E_INNER=1 exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$bin" "$out"
	fi
}

# e2e_start_demo: the demo kiosk with its card placed and no operator
# window; $kiosk is its pid, stopped when the script exits.
e2e_start_demo() {
	export LANG=en_US.UTF-8 FYNE_SCALE=1
	export UKETSUKE_UI_TARGETS="$out/targets.json" UKETSUKE_STATUS="$out/status.log"
	export UKETSUKE_DEMO_CARD=1 UKETSUKE_DEMO_OPERATOR=0
	"$bin" demo >"$out/kiosk.log" 2>&1 &
	kiosk=$!
	trap 'kill $kiosk 2>/dev/null || true; wait $kiosk 2>/dev/null || true' EXIT
}

fail() {
	echo "$e2e_name: FAILED: $*" >&2
	echo "--- status log:" >&2
	cat "$out/status.log" >&2 || true
	echo "--- targets:" >&2
	cat "$out/targets.json" >&2 || true
	import -window root "$out/failure.png" 2>/dev/null || true
	exit 1
}

# field NAME KEY: a number from the target's JSON object.
field() {
	grep -o "{\"Name\":\"$1\",[^}]*}" "$out/targets.json" | grep -o "\"$2\":[0-9a-z]*" | cut -d: -f2
}

# await EXPR SECONDS: wait until the targets file matches EXPR (grep -E).
await() {
	local deadline=$((SECONDS + $2))
	until [ -f "$out/targets.json" ] && grep -Eq "$1" "$out/targets.json"; do
		kill -0 $kiosk 2>/dev/null || fail "the kiosk exited while waiting for $1"
		[ $SECONDS -lt $deadline ] || fail "no $1 within $2 s"
		sleep 0.2
	done
}
