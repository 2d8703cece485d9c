# Eligibility: the オンライン資格確認 stand-in (sim/onshi), the kiosk's client
# and result writer (app/eligibility), the `uketsuke onshi` commands.
TEST_TARGETS += onshi-test

.PHONY: onshi-test onshi-bench onshi-fuzz

# The integration test against a real HTTPS service on an ephemeral loopback
# port over a real SQLite file (temp dir) holding the full population, then
# the commands end to end: seed, a service process, a short bench that fails
# on any error.
onshi-test: build
	UKETSUKE_ONSHI_N=100000 $(GO) test -count=1 -tags integration -run Integration ./sim/onshi/
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	./$(BIN) onshi seed --db "$$tmp/onshi.db" --n 5000 && \
	./$(BIN) onshi bench --db "$$tmp/onshi.db" --n 5000 --kiosks 8 --duration 3s --mode mixed --cards 4

# The figures for the issue: 50 kiosks for 30 s, niced (the machine is shared).
onshi-bench: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	nice ./$(BIN) onshi bench --db "$$tmp/onshi.db" --n 100000 --kiosks 50 --duration 30s --mode insurance; \
	nice ./$(BIN) onshi bench --db "$$tmp/onshi.db" --n 100000 --kiosks 50 --duration 30s --mode insurance --rate 1000; \
	nice ./$(BIN) onshi bench --db "$$tmp/onshi.db" --n 100000 --kiosks 50 --duration 30s --mode pin

# The 特定機関認証 relay's guard: arbitrary bytes reach the card only as a
# command of the PIN-less exchange. (`make fuzz` runs it too, with the rest.)
onshi-fuzz: deps
	$(GO) test -run='^$$' -fuzz='^FuzzRelayGuard$$' -fuzztime=$(or $(FUZZTIME),60s) -parallel=1 ./app/mynacard/
