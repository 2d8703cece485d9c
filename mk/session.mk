# Kiosk session core (issue 5): app/session (state machine, pipeline,
# scenarios), app/audit, app/config, app/harden, `uketsuke simulate`.
# Unit tests (the memory proof, the log grep, the goroutine checks) run in
# `make unit`; these targets run every scenario through the built binary.

TEST_TARGETS += session-scenarios session-scenarios-pcsc session-real-face

SIM := ./$(BIN) simulate --latency fast
SIM_QUICK := $(SIM) --attempt-time 1s
# The virtual card has no user-authentication certificate without a PIN, so
# card-without-pin cannot reach the eligibility stand-in there: it runs in
# the stand-in world (see docs/session.md).
SIM_VIRTUAL := face-ok face-fail-then-pin pin-wrong-three-times card-pulled-in-each-state \
	unregistered-card consent-individual next-generation-card

.PHONY: session-scenarios session-scenarios-pcsc session-bench session-fuzz

# Every scenario with every port faked, then against the real card stack,
# the virtual card and the eligibility stand-in over HTTPS (about a minute).
session-scenarios: build
	$(SIM_QUICK) --world stand-in --scenario all >/dev/null
	for s in $(SIM_VIRTUAL); do $(SIM_QUICK) --scenario $$s >/dev/null || exit 1; done
	$(SIM_QUICK) --world stand-in --scenario card-without-pin >/dev/null
	@echo "session-scenarios: all passed"

# The same kiosk through a real pcscd and vpcd's second slot.
session-scenarios-pcsc: build
	packaging/test/with-pcscd.sh bash -c 'for s in face-ok pin-wrong-three-times unregistered-card next-generation-card; do \
	  $(SIM_QUICK) --transport pcsc --scenario $$s >/dev/null || exit 1; done'
	@echo "session-scenarios-pcsc: all passed"

# The whole face path for real once: LFW photos through sim/camera,
# Tesseract on the rendered card face, JPEG 2000, the ONNX face engine.
# Needs ../shared/faces: without it this fails (as UKETSUKE_REQUIRE_SHARED=1 asks).
session-real-face: build models
	test -d ../shared/faces/lfw-devtrain || { echo "session-real-face: ../shared/faces/lfw-devtrain is missing"; exit 1; }
	$(SIM) --face real --attempt-time 10s --scenario face-ok >/dev/null
	$(SIM) --face real --attempt-time 2s --scenario face-fail-then-pin >/dev/null
	@echo "session-real-face: passed"

# Median and p95 from choosing 顔認証 to the eligibility answer, with the
# card-link floor, RSS and CPU (issue 18's figures): the real face path at
# real-card latency in process and through pcscd, and with an instant card.
session-bench: build models
	./$(BIN) simulate bench -n 20 --face real
	packaging/test/with-pcscd.sh ./$(BIN) simulate bench -n 50 --face real --transport pcsc
	packaging/test/with-pcscd.sh ./$(BIN) simulate bench -n 50 --face real --transport pcsc --latency fast

session-fuzz: deps
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=30s ./app/config
	$(GO) test -run='^$$' -fuzz=FuzzOpenBundle -fuzztime=30s ./app/config
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=30s ./sim/scenario
