# Re-visit reception's kiosk flow (issue 20): the end-to-end test through a
# real pcscd (TestIntegrationRevisitByFaceThroughPCSC) runs in `make
# integration`, which already runs under packaging/test/with-pcscd.sh.
# Here: `uketsuke revisit bench` through pcscd once as a smoke test, and
# the figures of docs/revisit.md.

TEST_TARGETS += revisit-bench-pcsc

.PHONY: revisit-bench-pcsc revisit-bench

# A few re-visits through pcscd and vpcd, no modelled latency: the command
# and its pcsc path work (the figures are revisit-bench's).
revisit-bench-pcsc: build
	packaging/test/with-pcscd.sh ./$(BIN) revisit bench -n 5 --latency fast --transport pcsc >/dev/null
	@echo "revisit-bench-pcsc: passed"

# Placement → ticket for a known card at the modelled card latency, in
# process and through pcscd (docs/revisit.md, "Figures").
revisit-bench: build
	./$(BIN) revisit bench -n 30
	packaging/test/with-pcscd.sh ./$(BIN) revisit bench -n 30 --transport pcsc
