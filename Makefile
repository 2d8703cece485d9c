# uketsuke build. `make demo` and `make test` do all set-up on a fresh Debian 12
# machine (as root): missing Debian packages, npm-packed models, Go modules.
# Feature fragments in mk/*.mk add to APT_PACKAGES, SETUP_TARGETS and TEST_TARGETS.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := bin/uketsuke
export LANG := en_US.UTF-8
export OMP_THREAD_LIMIT := 1
export GOFLAGS := -buildvcs=false

APT_PACKAGES := pkg-config gcc libgl1-mesa-dev xorg-dev libpcsclite-dev pcscd pcsc-tools \
	vsmartcard-vpcd opensc openssl libopenjp2-7-dev libopenjp2-tools xvfb xauth xdotool
SETUP_TARGETS :=
TEST_TARGETS :=
# Tests that a target of TEST_TARGETS runs, and fails rather than skips
# without its tools: `make unit` leaves them out, so `make test` runs each
# once. Go regular expressions of test names (no spaces); a fragment adds its own.
UNIT_SKIP :=

include $(sort $(wildcard mk/*.mk))

# Debian packages come first, in a make of their own: rules below name files
# that the packages install (fonts, libraries), and make decides what it can
# build from the files that exist when it reads this Makefile. Including a
# stamp that does not exist yet makes make install the packages, then read
# everything again with those files in place. The stamp's name follows the
# package list, so a feature that adds a package installs it the same way.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifndef UKETSUKE_APT_READY
APT_STAMP := build/.apt-$(shell echo $(sort $(APT_PACKAGES)) | md5sum | cut -c1-12).mk
-include $(APT_STAMP)
$(APT_STAMP):
	@$(MAKE) --no-print-directory UKETSUKE_APT_READY=1 apt
	@mkdir -p $(dir $@)
	@echo '# Debian packages installed for this package list' > $@
endif
endif

.PHONY: all deps apt gomod build vet unit integration test demo fuzz clean
all: build

deps: apt gomod build/go.mod $(SETUP_TARGETS)

# build/ holds downloads and scratch work; its own go.mod keeps it out of ./...
build/go.mod:
	mkdir -p build
	printf 'module uketsuke.invalid/build\n\ngo 1.26\n' > $@

# Installs only what is missing, so a warm machine pays nothing.
apt:
	@missing=""; for p in $(sort $(APT_PACKAGES)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

gomod:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) .

vet: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

empty :=
space := $(empty) $(empty)
unit: deps
	$(GO) test -count=1 $(if $(strip $(UNIT_SKIP)),-skip '$(subst $(space),|,$(strip $(UNIT_SKIP)))') ./...

# Integration tests run against a real pcscd with the vsmartcard virtual reader.
integration: build
	packaging/test/with-pcscd.sh $(GO) test -p 1 -count=1 -tags integration -run Integration ./...

test: build vet unit integration $(TEST_TARGETS)
	@echo "make test: all passed"

demo: build
	./$(BIN) demo

fuzz: deps
	packaging/test/fuzz.sh

clean:
	rm -rf bin build
