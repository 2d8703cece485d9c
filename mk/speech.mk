# Voice guidance (issue 21): app/guidance says what to speak and when (the
# Narrator follows the screens), hardware/speech renders it with espeak-ng;
# sox measures every rendering (length between 0.3 s and 15 s, not silent).
# See docs/speech.md.
APT_PACKAGES += espeak-ng sox

TEST_TARGETS += speech-test

.PHONY: speech-test speech-bench

# Fails, rather than skips, when espeak-ng or sox is missing. Renders every
# spoken prompt in all 13 spoken languages: about two and a half minutes.
speech-test: deps
	UKETSUKE_REQUIRE_SPEECH=1 $(GO) test -count=1 ./app/guidance/ ./hardware/speech/
	$(GO) test -count=1 -run 'Speaker|NothingSensitiveReachesTheLoudspeaker' ./wire/
	$(GO) test -count=1 -run 'Reading' ./i18n/

# The figures in docs/speech.md.
speech-bench: build
	nice ./$(BIN) speech bench
