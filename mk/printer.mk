# Reception-ticket printer: hardware/printer (ESC/POS with Kanji mode) and
# printertest, which renders what it was sent in a Japanese font from
# Debian. `make unit` runs its tests (real TCP and a pseudo-terminal, no
# printer needed) and writes the rendered tickets to build/tickets/.
APT_PACKAGES += fonts-ipaexfont-gothic fonts-noto-cjk
