# Card-face scan (issue 3): Tesseract through gosseract, Japanese fonts for the
# card renderer. The scan tests run in the ordinary `go test ./...`; these
# targets are for measuring.
APT_PACKAGES += libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-jpn \
	fonts-ipaexfont-gothic fonts-ipaexfont-mincho \
	fonts-morisawa-bizud-gothic fonts-morisawa-bizud-mincho fonts-noto-cjk \
	fonts-takao-gothic fonts-takao-mincho fonts-vlgothic fonts-ipafont-gothic fonts-ipafont-mincho \
	fonts-noto-cjk-extra

SCAN_BENCH_N ?= 1000

.PHONY: scan-bench scan-fuzz
# Benchmarks both mixes with the project's own command (figures in docs/cardscan.md).
scan-bench: build
	OMP_THREAD_LIMIT=1 nice ./$(BIN) scan bench -n $(SCAN_BENCH_N) --seed 1 --mix normal
	OMP_THREAD_LIMIT=1 nice ./$(BIN) scan bench -n $(SCAN_BENCH_N) --seed 1 --mix hard

# Runs each field-parser fuzzer, and the line classifier's, briefly.
scan-fuzz: deps
	for f in FuzzParseBirth FuzzParseExpiry FuzzParseSecurityCode FuzzClassify; do \
	  $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=30s ./app/cardscan || exit 1; \
	done
