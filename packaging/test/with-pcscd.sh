#!/usr/bin/env bash
# Runs a command with a real pcscd (and the vsmartcard vpcd driver it loads)
# running in the background; stops the pcscd it started afterwards.
# Integration tests see UKETSUKE_REQUIRE_PCSC=1 and fail, not skip, without it.
set -euo pipefail
started=""
if ! pgrep -x pcscd >/dev/null; then
  if [ "$(id -u)" != 0 ]; then echo "with-pcscd: pcscd is not running and we are not root" >&2; exit 1; fi
  pcscd --foreground >"${TMPDIR:-/tmp}/uketsuke-pcscd.log" 2>&1 &
  started=$!
  trap 'kill $started 2>/dev/null || true; wait $started 2>/dev/null || true' EXIT
  for _ in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.05; done
fi
export UKETSUKE_REQUIRE_PCSC=1
"$@"
