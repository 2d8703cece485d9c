# The physical ten-key pad (ui/keypad.go, ui/focus.go): the real binary under
# Xvfb driven by keypad keys alone, sent through XTEST with xdotool (the
# unit tests in ui/ drive the same with Fyne's synthetic key events).
APT_PACKAGES += xvfb xauth xdotool imagemagick
TEST_TARGETS += ui-keypad-e2e

.PHONY: ui-keypad-e2e

ui-keypad-e2e: build
	ui/e2e/keypad.sh $(BIN) build/ui-keypad-e2e
