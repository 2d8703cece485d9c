# The demo (kiosk.go, operator.go, wire.DemoConfig): the real kiosk in the
# simulated world. Its photographs come from a Debian package with a free
# licence, fetched with `apt-get download` and unpacked with `dpkg -x`,
# never installed: python3-skimage's data folder holds
#   astronaut.png  NASA portrait of Eileen Collins, public domain (the card's holder)
#   camera.png     "cameraman" by Lav Varshney, CC0 (the stranger; in profile)
# Without them `make demo` still starts, on stand-ins, and says so.
APT_PACKAGES += xvfb xauth imagemagick
SETUP_TARGETS += demo-photos
TEST_TARGETS += demo-test

DEMO_PHOTOS ?= build/demo
DEMO_SHOTS ?= build/demo-shots
DEMO_SKIMAGE := python3-skimage
DEMO_SKIMAGE_DATA := usr/lib/python3/dist-packages/skimage/data

.PHONY: demo-photos demo-test demo-bench

demo-photos: $(DEMO_PHOTOS)/astronaut.png

# Both photos come from one .deb, so one rule makes both. A failed
# download is not fatal: the demo runs on stand-ins without them.
$(DEMO_PHOTOS)/astronaut.png:
	@mkdir -p $(DEMO_PHOTOS)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; chmod 755 "$$tmp"; \
	fetch() { (cd "$$tmp" && apt-get download -q $(DEMO_SKIMAGE) >/dev/null 2>&1); }; \
	if fetch || { apt-get update -qq && fetch; }; then \
	  dpkg -x "$$tmp"/$(DEMO_SKIMAGE)_*.deb "$$tmp/x" && \
	  cp "$$tmp/x/$(DEMO_SKIMAGE_DATA)/camera.png" $(DEMO_PHOTOS)/stranger.png && \
	  cp "$$tmp/x/$(DEMO_SKIMAGE_DATA)/astronaut.png" $@ && \
	  echo "demo-photos: $(DEMO_PHOTOS)/astronaut.png and stranger.png from $$(basename "$$tmp"/$(DEMO_SKIMAGE)_*.deb)"; \
	else \
	  echo "demo-photos: could not download $(DEMO_SKIMAGE); the demo will run on stand-ins" >&2; \
	fi

# Each script under Xvfb through the real pieces (Tesseract, the ONNX face
# engine, the HTTPS eligibility stand-in, result files), with screenshots
# of the face screen in $(DEMO_SHOTS).
demo-test: build demo-photos
	packaging/test/demo-test.sh $(BIN) $(DEMO_PHOTOS) build/models $(DEMO_SHOTS)

# Stage timings of `--script face-ok`, 10 runs, niced (the machine is shared).
demo-bench: build demo-photos
	packaging/test/demo-test.sh --bench 10 $(BIN) $(DEMO_PHOTOS) build/models $(DEMO_SHOTS)
