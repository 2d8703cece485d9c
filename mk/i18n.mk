# Languages and fonts (issue 6, part 1): copies Debian's fonts into
# assets/fonts (git-ignored) so package assets can embed them; see docs/i18n.md.
# Regular weights only, nothing subsetted. OFL fonts become WOFF (lossless,
# zlib per table); IPAmj Mincho stays byte-identical (its licence forbids
# redistributing a modified font under its name) and is only gzip-compressed.

APT_PACKAGES += fonts-noto-core fonts-noto-cjk fonts-ipamj-mincho
SETUP_TARGETS += i18n-fonts

I18N_FONT_DIR := assets/fonts
I18N_NOTO := /usr/share/fonts/truetype/noto
I18N_NOTO_SCRIPTS := NotoSans NotoSansThai NotoSansDevanagari NotoSansMyanmar NotoSansKhmer
I18N_FONTS := $(foreach f,$(I18N_NOTO_SCRIPTS),$(I18N_FONT_DIR)/$(f)-Regular.woff) \
	$(I18N_FONT_DIR)/NotoSansCJK-Regular.ttc \
	$(I18N_FONT_DIR)/ipamjm.ttf.gz
I18N_LICENSES := $(I18N_FONT_DIR)/LICENSE-Noto.txt $(I18N_FONT_DIR)/LICENSE-NotoCJK.txt \
	$(I18N_FONT_DIR)/LICENSE-IPA.txt

.PHONY: i18n-fonts i18n-fonts-clean
i18n-fonts: $(I18N_FONTS) $(I18N_LICENSES)

# Order-only on apt: the Debian files must exist before make looks at them.
$(I18N_FONT_DIR)/%-Regular.woff: $(I18N_NOTO)/%-Regular.ttf | apt
	$(GO) run ./assets/internal/fontgen $< $@

$(I18N_FONT_DIR)/NotoSansCJK-Regular.ttc: /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc | apt
	$(GO) run ./assets/internal/fontgen $< $@

$(I18N_FONT_DIR)/ipamjm.ttf.gz: /usr/share/fonts/truetype/ipamj/ipamjm.ttf | apt
	$(GO) run ./assets/internal/fontgen $< $@

$(I18N_FONT_DIR)/LICENSE-Noto.txt: /usr/share/doc/fonts-noto-core/copyright | apt
	cp $< $@

$(I18N_FONT_DIR)/LICENSE-NotoCJK.txt: /usr/share/doc/fonts-noto-cjk/copyright | apt
	cp $< $@

$(I18N_FONT_DIR)/LICENSE-IPA.txt: /usr/share/doc/fonts-ipamj-mincho/IPA_Font_License_Agreement_v1.0.txt.gz | apt
	gzip -dc $< > $@.tmp && mv $@.tmp $@

i18n-fonts-clean:
	rm -f $(I18N_FONTS) $(I18N_LICENSES)

# The embedded IPAmj must equal Debian's file (its licence), checked without
# the skip a machine lacking the package would allow.
# The "bare machine" check: run the font tests with every system font
# directory hidden (a private mount namespace with empty tmpfs over them, and
# a fresh HOME), so Fyne can find no font but the ones embedded. Needs root,
# as `make test` already does.
TEST_TARGETS += i18n-bare-test
I18N_SYSTEM_FONT_DIRS := /usr/share/fonts /usr/local/share/fonts /usr/X11R6/lib/X11/fonts \
	/usr/share/texmf/fonts/opentype/public

.PHONY: i18n-bare-test
i18n-bare-test: i18n-fonts
	UKETSUKE_REQUIRE_SHARED=1 $(GO) test -count=1 -run TestIPAmjIsUnmodified ./assets/
	gocache=$$($(GO) env GOCACHE); gomodcache=$$($(GO) env GOMODCACHE); gopath=$$($(GO) env GOPATH); \
	bare_home=$$(mktemp -d); trap 'rm -rf "$$bare_home"' EXIT; \
	unshare --mount -- sh -euc ' \
	  for d in $(I18N_SYSTEM_FONT_DIRS); do if [ -d "$$d" ]; then mount -t tmpfs none "$$d"; fi; done; \
	  exec env HOME="$$0" XDG_CACHE_HOME="$$0/cache" XDG_DATA_HOME="$$0/data" XDG_DATA_DIRS= \
	    GOCACHE="$$1" GOMODCACHE="$$2" GOPATH="$$3" UKETSUKE_BARE_FONTS=1 \
	    $(GO) test -count=1 -run "TestNoTofu|TestLanguageNames|TestRender" ./ui/theme/' \
	  "$$bare_home" "$$gocache" "$$gomodcache" "$$gopath"
