# Devices and packaging: hardware/jp2 (libopenjp2), hardware/camera (V4L2),
# sim/camera, and the kiosk's .deb with its systemd unit (packaging/).

# libopenjp2 for the cgo wrapper, its tools as an independent codec in the
# tests, systemd-analyze to verify the service unit.
APT_PACKAGES += libopenjp2-7-dev libopenjp2-tools systemd

TEST_TARGETS += deb-check

# The packaged kiosk: built with the kiosk tag, which leaves out the test
# tools (scan, card read, card bench; cli/*.go with !kiosk).
KIOSK_BIN := bin/uketsuke-kiosk

.PHONY: deb deb-check devices-bench $(KIOSK_BIN)

$(KIOSK_BIN): deps
	$(GO) build -tags kiosk -o $@ .

# build/uketsuke_<version>_<arch>.deb from the kiosk build (dpkg-deb only).
deb: $(KIOSK_BIN)
	packaging/deb/build.sh $(KIOSK_BIN) build

# Verifies the unit and a freshly built package (about 20 s).
deb-check: $(KIOSK_BIN)
	packaging/deb/check.sh $(KIOSK_BIN)

# Decode speed of card-sized and VGA JPEG 2000, and the synthetic live camera.
devices-bench: deps
	$(GO) test -run='^$$' -bench=. -benchtime=50x ./hardware/jp2 ./sim/camera
