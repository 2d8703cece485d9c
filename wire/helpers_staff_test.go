package wire

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/session"
)

// authFingerprint is the registered form (64 hex digits) of a card's
// user-authentication certificate: what an operator's entry names.
func authFingerprint(t *testing.T, card apdu.Transport) string {
	t.Helper()
	cert, err := mynacard.Open(card).AuthCertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fp := operator.FingerprintOf(cert.Raw)
	return hex.EncodeToString(fp[:])
}

// runKiosk runs a session core on the world's devices, settings and audit
// log until stop is called (defer it after the world's Close, so the core
// stops first); ctx ends with it, for the parts that run beside it.
func runKiosk(t *testing.T, w *World) (k *session.Kiosk, ctx context.Context, stop func()) {
	t.Helper()
	k, err := session.New(session.Options{Devices: w.Devices, Settings: w.Settings, Audit: w.Audit})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop = context.WithCancel(context.Background())
	go k.Run(ctx)
	return k, ctx, stop
}
