# The staff management console (issue 19): app/console (what the console
# may do), console/ (HTTPS server, JSON API, the embedded page), wired in
# wire/console.go. Its unit tests run in `make unit`; this target runs the
# ones that need openssl as failures rather than skips. The fuzzers of the
# API's request decoding run their seeds in `make unit`; `console-fuzz` (and
# `make fuzz`, with every fuzz target) fuzzes them. They are not in `make
# test`: on a loaded machine a short fuzz run can end in "context deadline
# exceeded" while a worker minimises, which says nothing about the code.
# A settings change syncs its file to disk, so minimising a new input of
# FuzzPOSTBodies is slow: a few runs are enough. The console in a browser
# is `make console-browser` (mk/browser.mk): the browser tests run there.
TEST_TARGETS += console-test

.PHONY: console-test console-fuzz

console-test: deps
	$(GO) test -count=1 -skip '$(CONSOLE_BROWSER_TESTS)' ./console/ ./console/consoletest/ ./app/console/
	UKETSUKE_REQUIRE_OPENSSL=1 $(GO) test -count=1 -run 'Console|StaffDecision|NewSettings|CallForStaff' ./wire/ ./app/operator/ ./app/config/ ./app/session/

console-fuzz: deps
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeSettings$$' -fuzztime=10s ./app/console
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeDecision$$' -fuzztime=5s ./app/console
	$(GO) test -run='^$$' -fuzz='^FuzzPOSTBodies$$' -fuzztime=10s -fuzzminimizetime=20x ./console
