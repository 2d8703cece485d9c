#!/bin/bash
# `uketsuke demo --script ...` under Xvfb through the demo's real pieces
# (Tesseract on rendered card fronts, the ONNX face engine on the live
# camera made from a photograph, the HTTPS eligibility stand-in, the result
# writer): each script must reach 受付完了 with the expected stage lines
# and a face/ result file; screenshots of the face screen go to SHOTS.
# Then the demo once without its photographs: stand-ins, still 受付完了.
#   packaging/test/demo-test.sh [--bench N] BIN PHOTOS MODELS SHOTS
set -euo pipefail

bench=0
if [ "${1:-}" = --bench ]; then
	bench=$2
	shift 2
fi
if [ "${UKETSUKE_DEMO_INNER:-}" != 1 ]; then
	UKETSUKE_DEMO_INNER=1 exec xvfb-run -a -s "-screen 0 4000x1800x24" "$0" --bench "$bench" "$@"
fi
bin=$(realpath "$1")
photos=$(realpath -m "$2")
models=$(realpath "$3")
shots=$(realpath -m "$4")
export LANG=en_US.UTF-8 FYNE_SCALE=1
test -f "$photos/astronaut.png" || { echo "demo-test: $photos/astronaut.png is missing (make demo-photos)" >&2; exit 1; }
mkdir -p "$shots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "demo-test: FAILED: $*" >&2
	[ -f "$work/out" ] && sed 's/^/  stdout: /' "$work/out" >&2
	[ -f "$work/err" ] && grep -v 'Fyne error\|Cause:\|At:' "$work/err" | tail -20 | sed 's/^/  stderr: /' >&2
	exit 1
}

# run SCRIPT [SHOT] [demo flags...]: one scripted session; SHOT is taken
# shortly after the face screen shows.
run() {
	local script=$1 shot=$2
	shift 2
	rm -rf "$work/dir" "$work/out" "$work/err"
	"$bin" demo --script "$script" --exit-when-done --card inprocess --dir "$work/dir" --photos "$photos" --models "$models" "$@" \
		>"$work/out" 2>"$work/err" &
	local pid=$! rc=0
	if [ -n "$shot" ]; then
		for _ in $(seq 300); do
			grep -q '"state":"face"' "$work/out" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		sleep "${shot_delay:-0.4}"
		import -window root -crop 1280x800+0+0 +repage "$shots/$shot" 2>/dev/null || echo "demo-test: no screenshot $shot" >&2
	fi
	if [ "$script" = face-ok ] && [ -n "$shot" ]; then
		# The operator window with the result file and the stage timings.
		for _ in $(seq 300); do
			grep -q '"state":"done"' "$work/out" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		sleep 0.5
		local win
		win=$(xdotool search --name 'uketsuke demo: operator' 2>/dev/null | head -1)
		# Xvfb has no window manager: move it off the kiosk window first.
		[ -n "$win" ] && xdotool windowmove "$win" 1300 0 && sleep 0.5 &&
			import -window root -crop 1400x820+1300+0 +repage "$shots/operator.png" 2>/dev/null ||
			echo "demo-test: no operator screenshot" >&2
	fi
	wait $pid || rc=$?
	[ $rc = 0 ] || fail "$script exited $rc"
	grep -q '"state":"done"' "$work/out" || fail "$script: no done line"
}

has() { grep -q "$1" "$work/out" || fail "$2: no line matching $1"; }
hasnt() { ! grep -q "$1" "$work/out" || fail "$2: unexpected line matching $1"; }
results() { find "$work/dir/results/face" -type f -name '*.xml' 2>/dev/null | wc -l; }
result_ok() {
	local n
	n=$(results)
	[ "$n" = "$2" ] || fail "$1: $n face/ result files, want $2"
	head -c 200 "$(find "$work/dir/results/face" -type f -name '*.xml' | head -1)" | grep -q '<?xml' || fail "$1: result file is not XML"
}

if [ "$bench" -gt 0 ]; then
	: >"$work/all"
	for i in $(seq "$bench"); do
		run face-ok ""
		cat "$work/out" >>"$work/all"
	done
	echo "face-ok, $bench runs: median ms per stage"
	for s in detect scan_keyb verify_keyb read_photo decode_photo embed_photo match eligibility consent; do
		grep "\"stage\":\"$s\"" "$work/all" | sed 's/.*"ms":\([0-9]*\).*/\1/' | sort -n |
			awk -v s="$s" '{v[NR]=$1} END {if (NR) printf "  %-13s %5d  (min %d, max %d)\n", s, (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR]}'
	done
	grep '"state":"done"' "$work/all" | sed 's/.*"ms_from_choice":\([0-9]*\).*/\1/' | sort -n |
		awk '{v[NR]=$1} END {printf "  %-13s %5d  (min %d, max %d)\n", "from choice", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR]}'
	exit 0
fi

run face-ok face-ok.png --linger 2s
has '"stage":"scan_keyb","part":"tesseract","ms":[0-9]*,"ok":true' face-ok
has '"stage":"match","part":"onnx:[a-z_]*","score":[0-9.]*,"ms":[0-9]*,"ok":true' face-ok
has '"stage":"eligibility","part":"https://127.0.0.1:[0-9]*","ms":[0-9]*,"ok":true' face-ok
has '"ms_from_choice":[0-9]' face-ok
result_ok face-ok 1
cp "$work/out" "$shots/face-ok.jsonl"

run pin-ok ""
has '"stage":"verify_pin"' pin-ok
has '"stage":"eligibility","part":"https://127.0.0.1:[0-9]*","ms":[0-9]*,"ok":true' pin-ok
hasnt '"stage":"match"' pin-ok
result_ok pin-ok 1

shot_delay=3 run stranger-then-pin stranger.png # with the quality gate's guidance
has '"state":"face_failed"' stranger-then-pin
hasnt '"stage":"match".*"ok":true' stranger-then-pin
has '"stage":"verify_pin"' stranger-then-pin
result_ok stranger-then-pin 1

run card-pulled ""
grep -q '"state":"face"' "$work/out" && sed -n '/"state":"face"/,$p' "$work/out" | grep -q '"state":"idle"' ||
	fail "card-pulled: the kiosk did not go back to idle after the card was pulled"
has '"stage":"match"' card-pulled
result_ok card-pulled 1

# Without photographs the demo still runs, on stand-ins.
photos="$work/no-photos"
run face-ok ""
has '"stage":"scan_keyb","part":"stand-in"' "face-ok on stand-ins"
grep -q 'stand-ins:' "$work/err" || fail "no stand-in note without photographs"
result_ok "face-ok on stand-ins" 1

# Ctrl-C on a demo left open closes it in order: exit 0, the audit log's
# stop record, and no temporary folder left behind (the stand-in's SQLite).
rm -rf "$work/dir" "$work/out" "$work/err" "$work/tmp"
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" "$bin" demo --script pin-ok --card inprocess --dir "$work/dir" --photos "$photos" --models "$models" \
	>"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 600); do
	grep -q '"state":"done"' "$work/out" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || fail "the demo exited before 受付完了"
	sleep 0.1
done
grep -q '"state":"done"' "$work/out" || fail "interrupt: no 受付完了 within 60 s"
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc = 0 ] || fail "the demo exited $rc on Ctrl-C"
tail -n 1 "$work/dir/log/operation.jsonl" | grep -q '"msg":"stop"' ||
	fail "no stop record after Ctrl-C: $(tail -n 2 "$work/dir/log/operation.jsonl")"
[ -z "$(ls -A "$work/tmp")" ] || fail "Ctrl-C left temporary files: $(ls "$work/tmp")"

echo "demo-test: all scripts passed, Ctrl-C closes the demo in order; screenshots in $shots"
