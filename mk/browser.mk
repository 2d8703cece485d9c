# Browser tests of the staff console: Debian's chromium, headless, driven by
# chromedp through console/chrometest. libnss3-tools (certutil, pk12util)
# builds the browser's NSS database with the test server's CA and the
# operator's client certificate; the harness writes a chromium policy in
# /etc/chromium/policies/managed, so these tests run as root (docs/browser-tests.md).
APT_PACKAGES += chromium libnss3-tools

TEST_TARGETS += browser-selftest console-browser

# The tests that start a browser run once, in the two targets below, where a
# missing chromium fails them; `make unit` and `make console-test` skip them
# (a plain `go test ./...` still runs them when chromium is there). In
# console/ a browser test's name ends in InABrowser.
CONSOLE_BROWSER_TESTS := InABrowser$$
UNIT_SKIP += $(CONSOLE_BROWSER_TESTS) ^TestBrowserPresentsOperatorCertificate$$ ^TestBrowserWithoutCertificateIsRefused$$

.PHONY: browser-selftest console-browser

# The harness's own test fails here, rather than skips, when chromium is missing.
browser-selftest: deps
	UKETSUKE_REQUIRE_CHROMIUM=1 $(GO) test -count=1 ./console/chrometest/

# The staff console in the browser against a simulated kiosk built by wire:
# status, a visual check approved, settings and a signed bundle
# (console/browser_test.go); the re-visit section (console/revisit_test.go).
# Screenshots go to build/browser/.
console-browser: deps
	UKETSUKE_REQUIRE_CHROMIUM=1 $(GO) test -count=1 -run '$(CONSOLE_BROWSER_TESTS)' -v ./console/
