// Package dlibface is the optional dlib backend (github.com/Kagami/go-face)
// for users who bring dlib's own models (dlib_face_recognition_resnet_model_v1.dat,
// shape_predictor_5_face_landmarks.dat, mmod_human_face_detector.dat). It is
// compiled only with the build tag `dlib` and implements app/face.Embedder.
//
// go-face hard-codes -march=native in its cgo flags, which makes binaries
// crash on CPUs older than the build machine; mk/faceengine.mk builds it
// through a compiler wrapper that replaces -march=native with a portable
// baseline (x86-64-v2).
package dlibface
