# The production kiosk (wire/, main.go): built with the test hooks, run end
# to end under Xvfb through a real pcscd and the vsmartcard virtual card,
# Tesseract, the ONNX face engine and the HTTPS eligibility stand-in with a
# pinned CA. Needs ../shared/faces (the cc0 photographs) and the models.
APT_PACKAGES += util-linux
TEST_TARGETS += kiosk-e2e

HOOKS_BIN := bin/uketsuke-testhooks
KIOSK_E2E_PHOTOS ?= ../shared/faces/cc0/lisa

.PHONY: kiosk-e2e $(HOOKS_BIN)

$(HOOKS_BIN): deps
	$(GO) build -tags testhooks -o $@ .

# The result files go through a real reception system's parser too
# (mk/reception.mk builds it).
kiosk-e2e: build $(HOOKS_BIN) models $(CURDIR)/build/myclinic/dist/src/main.js
	test -d $(KIOSK_E2E_PHOTOS) || { echo "kiosk-e2e: $(KIOSK_E2E_PHOTOS) is missing (../shared/faces)"; exit 1; }
	$(RC_ENV) UKETSUKE_MYCLINIC_CHECK=$(realpath $(RC_CHECK)) \
	  packaging/test/kiosk-e2e.sh $(BIN) $(HOOKS_BIN) build/kiosk-e2e $(KIOSK_E2E_PHOTOS) build/models
