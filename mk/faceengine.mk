# Face engine (issue 4, part B): the pipeline in app/face, its ONNX Runtime
# engine in hardware/onnxface, the attack generator in sim/spoof, and the
# optional dlib backend in hardware/dlibface (build tag `dlib`).
# Models and libonnxruntime come from the `models` target (mk/facemodels.mk).

# go-face (dlib) for the optional backend; libatlas-base-dev provides libcblas.so.
APT_PACKAGES += libdlib-dev libblas-dev libatlas-base-dev liblapack-dev libjpeg62-turbo-dev

TEST_TARGETS += faceengine-test faceengine-dlib-build

.PHONY: faceengine-test faceengine-dlib-build faceengine-bench faceengine-fuzz

# Runs the model-backed tests with models, ONNX Runtime and ../shared/faces
# required: a missing piece fails instead of skipping.
faceengine-test: models
	UKETSUKE_REQUIRE_MODELS=1 UKETSUKE_REQUIRE_SHARED=1 \
	  $(GO) test -count=1 ./app/face/ ./hardware/onnxface/ ./sim/spoof/
	UKETSUKE_REQUIRE_MODELS=1 UKETSUKE_REQUIRE_SHARED=1 \
	  $(GO) test -count=1 -run 'Face' ./cli/

# go-face writes -march=native into its cgo flags, which makes a binary that
# crashes on older CPUs. The wrapper swaps it for a portable baseline.
FE_CXX := build/bin/cxx-portable
$(FE_CXX):
	@mkdir -p $(dir $@)
	printf '%s\n' '#!/bin/sh' \
	  'for a do shift; [ "$$a" = -march=native ] && a=-march=x86-64-v2; set -- "$$@" "$$a"; done' \
	  'exec $${REAL_CXX:-g++} "$$@"' > $@
	chmod +x $@

# Build only: dlib's models are not available from any registry here.
faceengine-dlib-build: $(FE_CXX)
	CXX=$(CURDIR)/$(FE_CXX) $(GO) build -tags dlib ./hardware/dlibface/

# Accuracy and speed on lfw-devtrain (several minutes; see docs/face-engine.md).
faceengine-bench: build models
	nice ./$(BIN) face bench --dir ../shared/faces/lfw-devtrain --frame 640x480 --limit 400
	nice ./$(BIN) face bench --dir ../shared/faces/lfw-devtrain

FUZZTIME ?= 60s
faceengine-fuzz: deps
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=$(FUZZTIME) -parallel=1 ./app/face/

# The kiosk's comparison on a small subset (100 studio portraits from both
# controlled sources, 100 LFW images): each image is also issued as the chip's
# photo (grey, 300x400, JPEG 2000 at the card's budget, as sim/vcard issues it)
# and compared with the others as live frames. Fails when the FMR at the
# configured threshold exceeds 1e-3 on any set, either way of comparing.
TEST_TARGETS += faceengine-cardphoto-test
FE_FACES := ../shared/faces
.PHONY: faceengine-cardphoto-test
faceengine-cardphoto-test: build models
	@for d in lfw-devtrain controlled; do test -d $(FE_FACES)/$$d || { \
	  echo "faceengine-cardphoto-test: $(FE_FACES)/$$d is missing: the face sets this test measures on (see docs/face-engine.md)" >&2; exit 1; }; done
	nice ./$(BIN) face bench --as-card-photo --limit 100 --max-fmr 1e-3 \
	  --singles $(FE_FACES)/controlled --dir $(FE_FACES)/lfw-devtrain
