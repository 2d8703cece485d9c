package wire

import (
	"errors"
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/secret"
)

// What a kiosk may hold in locked memory at once (app/secret): the sizes
// packaging/README.md explains, in one place so the unit's LimitMEMLOCK can
// be checked against them.
const (
	cardscanFrameBytes = 1600 * 1200 // cardscan's grey working frame, per OCR worker
	cardscanCardBytes  = 856 * 540   // its warped card, per OCR worker
	cardCameraFrames   = 2           // the still being read and the next one
	// IC photo, PIN, 照合番号B, fields, embeddings, face crops, the face
	// engine's input and output tensors (1.7 MB measured), memguard's keys.
	smallSecretsBytes = 4 << 20
)

// ErrMemLock means RLIMIT_MEMLOCK is below what the configured cameras and
// workers need: memory the kiosk would have to lock could not be, and a
// session would fail half-way instead.
var ErrMemLock = errors.New("wire: locked-memory limit too low")

// LockedBytes is the locked memory the configuration needs at most: face
// frames in flight (one per session worker, the one being captured, the
// one queued and the preview's copy), the card camera's stills, cardscan's
// frame and card per OCR worker, and the small secrets.
func LockedBytes(c *config.Config) int64 {
	p := c.Parts
	faceFrames := int64(workers(c) + 3)
	n := faceFrames*frameBytes(p.FaceCamera) + cardCameraFrames*frameBytes(p.CardCamera)
	if p.OCR.Kind == config.KindTesseract {
		n += int64(max(p.OCR.Workers, 1)) * (pages(cardscanFrameBytes) + pages(cardscanCardBytes))
	}
	return n + smallSecretsBytes
}

// frameBytes is one locked RGBA frame of the camera, rounded to pages as
// mlock counts it. A file or virtual camera's size (tests, the demo) is
// known only when its images are read, so it is not counted: a frame that
// does not fit ends its session with an error code instead.
func frameBytes(c config.Camera) int64 {
	if c.Kind != config.KindV4L2 {
		return 0
	}
	return pages(int64(orDefault(c.Width, 1280)) * int64(orDefault(c.Height, 720)) * 4)
}

func pages(n int64) int64 {
	ps := int64(os.Getpagesize())
	return (n + ps - 1) / ps * ps
}

// checkMemLock refuses to start a kiosk that could not lock what its
// sessions need (CAP_IPC_LOCK or an unlimited limit need no check).
func checkMemLock(c *config.Config) error {
	lim, need := secret.LockLimit(), LockedBytes(c)
	if lim < 0 || lim >= need {
		return nil
	}
	return fmt.Errorf("%w: RLIMIT_MEMLOCK is %d MiB, the configured cameras and OCR workers need %d MiB "+
		"(the systemd unit sets LimitMEMLOCK=64M; run the kiosk through it, or raise the limit: see packaging/README.md)",
		ErrMemLock, lim>>20, (need+1<<20-1)>>20)
}
