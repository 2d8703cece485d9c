# Devices and packaging: hardware/jp2 (libopenjp2), hardware/camera (V4L2),
# sim/camera, and the kiosk's .deb with its systemd unit (packaging/).

# libopenjp2 for the cgo wrapper, its tools as an independent codec in the
# tests, systemd-analyze to verify the service unit.
APT_PACKAGES += libopenjp2-7-dev libopenjp2-tools systemd

TEST_TARGETS += deb-check

.PHONY: deb deb-check devices-bench

# build/uketsuke_<version>_<arch>.deb from bin/uketsuke (dpkg-deb only).
deb: build
	packaging/deb/build.sh $(BIN) build

# Verifies the unit and a freshly built package (about 20 s).
deb-check: build
	packaging/deb/check.sh $(BIN)

# Decode speed of card-sized and VGA JPEG 2000, and the synthetic live camera.
devices-bench: deps
	$(GO) test -run='^$$' -bench=. -benchtime=50x ./hardware/jp2 ./sim/camera
