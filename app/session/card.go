package session

import (
	"context"

	"github.com/uketsuke/uketsuke/app/secret"
)

// guardedCard serialises a session's card operations: the pipeline, the PIN
// path and the relay share one reader, and an APDU exchange must never
// interleave with another. Waiting for the card honours the context.
type guardedCard struct {
	c    Card
	turn chan struct{}
}

func guard(c Card) *guardedCard { return &guardedCard{c: c, turn: make(chan struct{}, 1)} }

func (g *guardedCard) with(ctx context.Context, fn func() error) error {
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.turn }()
	return fn()
}

func (g *guardedCard) Detect(ctx context.Context) (k CardKind, err error) {
	err = g.with(ctx, func() error { k, err = g.c.Detect(ctx); return err })
	return
}

func (g *guardedCard) PINTriesLeft(ctx context.Context) (n int, err error) {
	err = g.with(ctx, func() error { n, err = g.c.PINTriesLeft(ctx); return err })
	return
}

func (g *guardedCard) VerifyPIN(ctx context.Context, pin *secret.Buffer) error {
	return g.with(ctx, func() error { return g.c.VerifyPIN(ctx, pin) })
}

func (g *guardedCard) SignDigest(ctx context.Context, d [32]byte) (sig []byte, err error) {
	err = g.with(ctx, func() error { sig, err = g.c.SignDigest(ctx, d); return err })
	return
}

func (g *guardedCard) AuthCertificate(ctx context.Context) (cert []byte, err error) {
	err = g.with(ctx, func() error { cert, err = g.c.AuthCertificate(ctx); return err })
	return
}

func (g *guardedCard) KeyBTriesLeft(ctx context.Context) (n int, err error) {
	err = g.with(ctx, func() error { n, err = g.c.KeyBTriesLeft(ctx); return err })
	return
}

func (g *guardedCard) VerifyKeyB(ctx context.Context, key *secret.Buffer) error {
	return g.with(ctx, func() error { return g.c.VerifyKeyB(ctx, key) })
}

func (g *guardedCard) ReadPhoto(ctx context.Context) (photo *secret.Buffer, err error) {
	err = g.with(ctx, func() error { photo, err = g.c.ReadPhoto(ctx); return err })
	return
}

func (g *guardedCard) Transmit(ctx context.Context, cmd []byte) (resp []byte, err error) {
	err = g.with(ctx, func() error { resp, err = g.c.Transmit(ctx, cmd); return err })
	return
}

// ExtendedLength reports whether the card's link carries extended-length
// commands, when the card can tell (see LinkReporter).
func (g *guardedCard) ExtendedLength() bool {
	r, ok := g.c.(LinkReporter)
	return ok && r.ExtendedLength()
}
