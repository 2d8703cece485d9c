# The staff management console (issue 19): app/console (what the console
# may do), console/ (HTTPS server, JSON API, the embedded page), wired in
# wire/console.go. Its unit tests run in `make unit`; this target runs the
# ones that need openssl as failures rather than skips, and a short fuzz of
# the API's request decoding (`make fuzz` runs every fuzz target longer).
# A settings change syncs its file to disk, so minimising a new input of
# FuzzPOSTBodies is slow: a few runs are enough here. The console in a
# browser is `make console-browser` (mk/browser.mk).
TEST_TARGETS += console-test

.PHONY: console-test

console-test: deps
	$(GO) test -count=1 -skip '^TestConsoleInABrowser$$' ./console/ ./console/consoletest/ ./app/console/
	UKETSUKE_REQUIRE_OPENSSL=1 $(GO) test -count=1 -run 'Console|StaffDecision|NewSettings|CallForStaff' ./wire/ ./app/operator/ ./app/config/ ./app/session/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeSettings$$' -fuzztime=10s ./app/console
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeDecision$$' -fuzztime=5s ./app/console
	$(GO) test -run='^$$' -fuzz='^FuzzPOSTBodies$$' -fuzztime=10s -fuzzminimizetime=20x ./console
