# Re-visit reception's database: app/revisit (converted codes, sealed
# numbers, rules) over store/ (SQLite or PostgreSQL, by database URL). The
# store's tests run on both; PostgreSQL is a throwaway cluster from Debian's
# server package, started in a temp folder by packaging/test/with-postgres.sh.
APT_PACKAGES += postgresql

TEST_TARGETS += store-postgres

.PHONY: store-postgres

# Fails here, rather than skips, when PostgreSQL is missing.
store-postgres: deps
	UKETSUKE_REQUIRE_POSTGRES=1 packaging/test/with-postgres.sh $(GO) test -count=1 ./store/

.PHONY: revisit-fuzz

# The CSV import's parser (app/revisit.FuzzParseImport); its seeds run in
# `make unit`, and `make fuzz` (packaging/test/fuzz.sh) finds it with the rest.
revisit-fuzz: deps
	$(GO) test -run='^$$' -fuzz='^FuzzParseImport$$' -fuzztime=$(or $(FUZZTIME),30s) ./app/revisit/
