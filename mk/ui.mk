# Kiosk screens (ui/, main.go): every screen in every language as PNGs, and
# the real binary driven under Xvfb (choose 暗証番号, type the PIN, send, agree, 電子処方箋,
# 受付完了) with click positions the binary reports itself.
APT_PACKAGES += xvfb xauth xdotool imagemagick
TEST_TARGETS += ui-e2e

.PHONY: screenshots ui-e2e

# Offscreen (Fyne's software painter): no display needed.
screenshots: build
	rm -rf build/screenshots
	./$(BIN) screenshot --all build/screenshots
	@echo "open build/screenshots/index.html"

ui-e2e: build
	ui/e2e/xvfb.sh $(BIN) build/ui-e2e
