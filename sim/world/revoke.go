package world

import (
	"context"
	"crypto/x509"
	"errors"

	"github.com/uketsuke/uketsuke/app/mynacard"
)

// ErrNoCard: no card has been issued in this world yet.
var ErrNoCard = errors.New("world: no card issued yet")

// CardCertificate reads the user-authentication certificate of the card
// issued last (public: the card gives it to anyone). Call it between
// sessions: it talks to the card.
func (w *World) CardCertificate(ctx context.Context) (*x509.Certificate, error) {
	w.mu.Lock()
	vc := w.card
	w.mu.Unlock()
	if vc == nil {
		return nil, ErrNoCard
	}
	return mynacard.Open(vc).AuthCertificate(ctx)
}

// RevokeCard puts the certificate of the card issued last on the
// stand-in's revocation list, as J-LIS does for a card reported lost, and
// returns it.
func (w *World) RevokeCard(ctx context.Context) (*x509.Certificate, error) {
	cert, err := w.CardCertificate(ctx)
	if err != nil {
		return nil, err
	}
	return cert, w.service.srv.Revoke(ctx, cert)
}
