package wire

import (
	"context"
	"errors"
	"log/slog"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
)

// pcscReader watches the first allowed PC/SC reader and tells the kiosk
// when a card arrives or leaves. A missing pcscd or reader, or one that is
// unplugged, is a fault on screen until it is back: the kiosk keeps waiting.
type pcscReader struct {
	allow   pcsc.AllowList
	gate    usbGate // the reader's USB ids must be listed too
	anchors *mynacard.TrustAnchors
	log     *slog.Logger
	retry   time.Duration
	desk    *StaffDesk // routes a staff card to the operator login; nil: every card is a patient's
}

func newPCSCReader(allow pcsc.AllowList, gate usbGate, anchors *mynacard.TrustAnchors, log *slog.Logger) *pcscReader {
	return &pcscReader{allow: allow, gate: gate, anchors: anchors, log: log, retry: time.Second}
}

var errNoAllowedReader = errors.New("wire: no reader on the allow-list is connected")

func (r *pcscReader) run(ctx context.Context, k *session.Kiosk, board *faultBoard) {
	faulty := false
	for ctx.Err() == nil {
		err := r.watchOnce(ctx, k, func() {
			if faulty {
				faulty = false
				board.set(session.ErrCodeNoReader, false)
				r.log.Info("card reader connected")
			}
		})
		if ctx.Err() != nil {
			return
		}
		if !faulty {
			faulty = true
			board.set(session.ErrCodeNoReader, true)
			r.log.Warn("card reader missing", "fault", string(session.ErrCodeNoReader), "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.retry):
		}
	}
}

// watchOnce follows one reader until it goes away.
func (r *pcscReader) watchOnce(ctx context.Context, k *session.Kiosk, found func()) error {
	pc, err := pcsc.Establish(r.allow)
	if err != nil {
		return err
	}
	defer pc.Close()
	name, err := r.firstAllowed(pc)
	if err != nil {
		return err
	}
	found()
	var conn *pcsc.Conn
	release := func() {
		if conn != nil {
			conn.Close()
			conn = nil
			r.desk.removed(k)
		}
	}
	defer release()
	return pc.Watch(ctx, name, func(present bool) error {
		if !present {
			release()
			return nil
		}
		c, err := pc.Connect(name)
		if err != nil { // pulled at once, or another program holds it
			r.log.Warn("card could not be opened", "err", err)
			return nil
		}
		conn = c
		return r.desk.placed(k, c, func() session.Card { return session.NewMynaCard(c, r.anchors) })
	})
}

func (r *pcscReader) firstAllowed(pc *pcsc.Context) (string, error) {
	names, err := pc.Readers()
	if err != nil {
		return "", err
	}
	return r.pick(names)
}

// pick is the first reader whose name is allowed and whose USB device is
// listed; refused ones are logged by the gate.
func (r *pcscReader) pick(names []string) (string, error) {
	for _, n := range names {
		if r.allow.Allows(n) && r.gate.reader(n) == nil {
			return n, nil
		}
	}
	return "", errNoAllowedReader
}

// missingCamera stands where a camera failed to open: every frame is the
// open error, which the session shows as a camera fault.
type missingCamera struct{ err error }

func (m missingCamera) Next(ctx context.Context) (*appcam.Frame, error) { return nil, m.err }
func (m missingCamera) Close() error                                    { return nil }
