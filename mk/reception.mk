# Reception files (issue 13): app/reception (the face/ and req/ → res/
# documents, the folder writer and service), sim/reception (a reception-system
# stand-in and the result cases), `uketsuke reception samples`.
# Unit tests run in `make unit`; reception-test runs a real reception
# system's parser, ../shared/interop/myclinic-check.sh (hangilc/myclinic-ts on
# node, built with npm ci + tsc into build/myclinic), on the files the kiosk
# writes. It fails, instead of skipping, when ../shared is missing.
TEST_TARGETS += reception-test

# myclinic-check.sh needs node and npm (Debian's nodejs ships npm apart;
# NodeSource's bundles it and conflicts with Debian's npm).
APT_PACKAGES += nodejs
ifeq ($(shell command -v npm 2>/dev/null),)
APT_PACKAGES += npm
endif

RC_CHECK := ../shared/interop/myclinic-check.sh
RC_BUILD := $(CURDIR)/build/myclinic
RC_ENV := UKETSUKE_REQUIRE_SHARED=1 MYCLINIC_BUILD_DIR=$(RC_BUILD)

.PHONY: reception-test reception-fuzz

# The consumer, built once from its lockfile (the script does npm ci and tsc
# on first use); running it on the shared samples checks the build.
$(RC_BUILD)/dist/src/main.js: | apt build/go.mod
	@test -x $(RC_CHECK) || { echo "reception-test: $(RC_CHECK) is missing (../shared/interop)"; exit 1; }
	$(RC_ENV) $(RC_CHECK) ../shared/interop/samples/good >/dev/null

# Every result kind in both encodings through the Go tests (face/ from the
# cases, res/ from a fake and from the eligibility stand-in over HTTPS), then
# the files the built binary writes.
# Whole sessions too: every scenario through the simulated world writes its
# face/ files in both encodings, myclinic reads each field as the kiosk
# wrote it, and a reception system's checks by insured number (one of them
# malformed) all get their answers in res/.
reception-test: build $(RC_BUILD)/dist/src/main.js
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for enc in utf-8 shift_jis; do \
	  ./$(BIN) simulate --latency fast --attempt-time 2s --scenario all --results "$$tmp/sessions-$$enc" --encoding $$enc >/dev/null; \
	  ./$(BIN) simulate --latency fast --reqres "$$tmp/reqres-$$enc" --encoding $$enc >/dev/null; \
	done; \
	$(RC_ENV) UKETSUKE_SIMULATED_RESULTS="$$tmp/sessions-utf-8,$$tmp/sessions-shift_jis" \
	  $(GO) test -count=1 -run 'Myclinic|Onshi' ./sim/reception/; \
	$(RC_ENV) $(RC_CHECK) "$$tmp/reqres-utf-8/res" "$$tmp/reqres-shift_jis/res" >/dev/null
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for enc in utf-8 shift_jis; do ./$(BIN) reception samples --dir "$$tmp/$$enc" --encoding $$enc >/dev/null; done; \
	$(RC_ENV) $(RC_CHECK) "$$tmp/utf-8/face" "$$tmp/shift_jis/face" >/dev/null; \
	$(RC_ENV) $(RC_CHECK) --raw-utf8 "$$tmp/utf-8/face" >/dev/null
	@echo "reception-test: passed"

reception-fuzz: deps
	$(GO) test -run='^$$' -fuzz=FuzzParseRequest -fuzztime=30s ./app/reception
	$(GO) test -run='^$$' -fuzz=FuzzEncodeName -fuzztime=30s ./app/reception
