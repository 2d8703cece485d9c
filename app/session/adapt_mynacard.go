package session

import (
	"context"
	"errors"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
)

// MynaCard adapts the card stack (app/mynacard over an apdu.Transport) to
// the session's Card port and maps its errors onto the session's.
type MynaCard struct {
	t       apdu.Transport
	c       *mynacard.Card
	anchors *mynacard.TrustAnchors
}

// NewMynaCard opens the card on t; anchors verify the face record.
func NewMynaCard(t apdu.Transport, anchors *mynacard.TrustAnchors) *MynaCard {
	return &MynaCard{t: t, c: mynacard.Open(t), anchors: anchors}
}

func (m *MynaCard) Detect(ctx context.Context) (CardKind, error) {
	k, err := m.c.Detect(ctx)
	var newer *mynacard.UnsupportedGenerationError
	switch {
	case errors.As(err, &newer):
		return CardUnknown, &UnsupportedCardError{Kind: CardNextGeneration, AID: newer.App.AID}
	case errors.Is(err, mynacard.ErrNotMyNumberCard):
		return CardUnknown, nil
	case err != nil:
		return CardUnknown, cardErr(err)
	}
	switch k {
	case mynacard.KindMyNumberCard:
		return CardMyNumber, nil
	case mynacard.KindJukiCard:
		return CardJuki, nil
	case mynacard.KindSmartphone:
		return CardSmartphone, nil
	}
	return CardUnknown, nil
}

func (m *MynaCard) PINTriesLeft(ctx context.Context) (int, error) {
	n, err := m.c.AuthPINTriesLeft(ctx)
	return n, cardErr(err)
}

func (m *MynaCard) VerifyPIN(ctx context.Context, pin *secret.Buffer) error {
	return cardErr(m.c.VerifyAuthPIN(ctx, pin))
}

func (m *MynaCard) SignDigest(ctx context.Context, d [32]byte) ([]byte, error) {
	sig, err := m.c.SignWithAuthKey(ctx, d)
	return sig, cardErr(err)
}

func (m *MynaCard) AuthCertificate(ctx context.Context) ([]byte, error) {
	cert, err := m.c.AuthCertificate(ctx)
	if err != nil {
		return nil, cardErr(err)
	}
	return append([]byte(nil), cert.Raw...), nil
}

func (m *MynaCard) KeyBTriesLeft(ctx context.Context) (int, error) {
	n, err := m.c.CodeBTriesLeft(ctx)
	return n, cardErr(err)
}

func (m *MynaCard) VerifyKeyB(ctx context.Context, key *secret.Buffer) error {
	return cardErr(m.c.VerifyCodeB(ctx, key))
}

// ReadPhoto reads the face record with its signature chain and the
// card-presence proof, and keeps only the photo.
func (m *MynaCard) ReadPhoto(ctx context.Context) (*secret.Buffer, error) {
	rec, err := m.c.ReadVerifiedFaceRecord(ctx, m.anchors)
	if err != nil {
		return nil, cardErr(err)
	}
	defer rec.Destroy()
	out, err := secret.New(len(rec.Photo))
	if err != nil {
		return nil, err
	}
	secret.Copy(out.Bytes(), rec.Photo)
	return out, nil
}

// ExtendedLength implements LinkReporter.
func (m *MynaCard) ExtendedLength() bool { return m.c.ExtendedLength() }

// Transmit relays an APDU from the eligibility service through the card
// stack's guard: JPKI-AP only, never a credential.
func (m *MynaCard) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	resp, err := m.c.Relay(ctx, cmd)
	return resp, cardErr(err)
}

// cardErr maps the card stack's errors; the original stays wrapped.
func cardErr(err error) error {
	var wrong *apdu.WrongCredentialError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, apdu.ErrCardRemoved):
		return errors.Join(ErrCardRemoved, err)
	case errors.As(err, &wrong):
		return &WrongCredentialError{Left: wrong.Left}
	case errors.Is(err, apdu.ErrBlocked):
		return errors.Join(ErrBlocked, err)
	case errors.Is(err, mynacard.ErrCredentialMissing):
		return errors.Join(ErrNoPIN, err)
	case errors.Is(err, mynacard.ErrVerification), errors.Is(err, mynacard.ErrUntrustedIssuer),
		errors.Is(err, mynacard.ErrMalformedRecord), errors.Is(err, mynacard.ErrRecordTooLarge):
		return errors.Join(ErrRecordInvalid, err)
	}
	return err
}
