package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// Card is the session's view of the My Number Card on the reader. Adapters
// map the card stack's errors onto the ones below.
type Card interface {
	// Detect says what kind of card is on the reader; a card the kiosk
	// recognises but cannot use yet may instead be an *UnsupportedCardError.
	Detect(ctx context.Context) (CardKind, error)
	// PINTriesLeft reads the JPKI user-authentication PIN counter without
	// using a try; ErrNoPIN for a card issued without a PIN.
	PINTriesLeft(ctx context.Context) (int, error)
	VerifyPIN(ctx context.Context, pin *secret.Buffer) error
	SignDigest(ctx context.Context, digest [32]byte) ([]byte, error)
	AuthCertificate(ctx context.Context) ([]byte, error)
	// KeyBTriesLeft reads the 照合番号B counter of the 券面AP without using a try.
	KeyBTriesLeft(ctx context.Context) (int, error)
	// VerifyKeyB opens the 券面AP with 照合番号B (14 ASCII digits).
	VerifyKeyB(ctx context.Context, key *secret.Buffer) error
	// ReadPhoto reads the face record, verifies its signature against the
	// trust anchors and the card-presence check, and returns the JPEG 2000
	// photo in locked memory.
	ReadPhoto(ctx context.Context) (*secret.Buffer, error)
	// Transmit relays an APDU for PIN-less authentication.
	Transmit(ctx context.Context, cmd []byte) ([]byte, error)
}

// LinkReporter is a Card that knows whether its link (card and reader)
// carries extended-length commands; the PIN-less exchange then sends its
// certificate and signature in one command each.
type LinkReporter interface {
	ExtendedLength() bool
}

// KeyReader reads 照合番号B (birth YYMMDD in era years + expiry year +
// security code, 14 ASCII digits) from a still of the card's face.
type KeyReader interface {
	ReadKeyB(ctx context.Context, still *camera.Frame) (*secret.Buffer, error)
}

// PhotoDecoder decodes the card's JPEG 2000 photo into locked pixels.
type PhotoDecoder interface {
	Decode(ctx context.Context, jp2 *secret.Buffer) (*camera.Frame, error)
}

// FaceSample is one embedded face as the engine that made it keeps it, in
// locked memory: only that engine reads it. Destroy wipes it (safe on nil
// implementations' zero values and more than once).
type FaceSample interface{ Destroy() }

// LiveFace is one camera frame through the quality gate: a sample when the
// frame passed, the reason otherwise.
type LiveFace struct {
	Sample   FaceSample // nil when the gate refused the frame
	Guidance Guidance
}

// FaceVerdict is the engine's decision on one attempt's live samples.
type FaceVerdict struct {
	Accepted   bool    // the same person, and no presentation-attack check fired
	Attack     bool    // a presentation-attack check fired
	NeedMotion bool    // too still to tell a face from a photo: ask for a slight turn
	Score      float64 // the fused similarity the decision was made on (0 if the engine has none)
}

// FaceEngine detects, gates and embeds faces, and decides. The decision
// (fusion over frames, the threshold, the presentation-attack checks) is the
// engine's alone, so the kiosk has one home for it (app/face's Verify).
type FaceEngine interface {
	EmbedLive(ctx context.Context, f *camera.Frame) (LiveFace, error)
	EmbedPhoto(ctx context.Context, f *camera.Frame) (FaceSample, error)
	Verify(photo FaceSample, live []FaceSample) (FaceVerdict, error)
}

// Relay forwards APDUs to the card for PIN-less authentication.
type Relay interface {
	Transmit(ctx context.Context, cmd []byte) ([]byte, error)
}

// Challenge is the eligibility service's fresh nonce for the PIN path.
type Challenge struct {
	ID     string // opaque, service-issued
	Digest [32]byte
}

// Proof is how the patient was identified, as the eligibility service needs it.
type Proof struct {
	Method      Method
	ChallengeID string
	Signature   []byte // PIN path: the card's signature over the challenge
	Certificate []byte // PIN path: the user-authentication certificate
	Relay       Relay  // face and staff paths: PIN-less authentication
	// Prepared is the face and staff paths' PIN-less check readied while the
	// face was being matched (see Preparer); nil: Check does all of it.
	Prepared *PreparedCheck
}

// Result is the eligibility answer as the session needs it; the personal
// fields go from the eligibility client straight to the result file.
type Result struct {
	Validity Validity
	Ticket   string // opaque service reference for registration and consent
}

// Eligibility is the オンライン資格確認 client.
type Eligibility interface {
	Challenge(ctx context.Context) (Challenge, error)
	Check(ctx context.Context, p Proof) (Result, error)
	Register(ctx context.Context, ticket string) (Result, error)
	// Complete records the patient's consents and hands the result, with
	// the patient's choices, to the clinic's reception system.
	Complete(ctx context.Context, ticket string, c Completion) error
	// Forget drops what was kept for a session that has ended (its answer
	// names the patient), whether or not it completed.
	Forget(ticket string)
}

// Preparer is an Eligibility that can run the part of a PIN-less check
// that tells the service nothing about the patient before the holder is
// verified: Prepare (the card's public certificate, the connection, the
// exchange opened) while the card face is read, Advance (the institution's
// authentication to the card) once the photo is read. Check, given the
// result in Proof.Prepared, sends the rest only after the verification.
type Preparer interface {
	Prepare(ctx context.Context, card Card) (*PreparedCheck, error)
	Advance(ctx context.Context, card Card, c *PreparedCheck) error
}

// Devices is everything the session drives.
type Devices struct {
	FaceCamera  camera.Source
	CardCamera  camera.Source
	KeyReader   KeyReader
	Decoder     PhotoDecoder
	Face        FaceEngine
	Eligibility Eligibility
	Revisit     Revisit // nil: first visits only (VisitFirst)
}

func (d Devices) check() error {
	switch {
	case d.FaceCamera == nil, d.CardCamera == nil:
		return fmt.Errorf("%w: a camera is missing", ErrConfig)
	case d.KeyReader == nil, d.Decoder == nil, d.Face == nil:
		return fmt.Errorf("%w: a face pipeline part is missing", ErrConfig)
	case d.Eligibility == nil:
		return fmt.Errorf("%w: no eligibility client", ErrConfig)
	}
	return nil
}

// Errors ports return, and the kiosk's own.
var (
	ErrCardRemoved   = errors.New("session: card removed")
	ErrBlocked       = errors.New("session: credential blocked")
	ErrNoPIN         = errors.New("session: card has no PIN")
	ErrRecordInvalid = errors.New("session: card record failed verification")
	ErrConfig        = errors.New("session: bad configuration")
	ErrStopped       = errors.New("session: kiosk stopped")
	ErrNotAllowed    = errors.New("session: event not allowed from this source")
)

// UnsupportedCardError is Detect's answer for a card the kiosk recognises
// but cannot use yet (CardNextGeneration): Kind says what it is, AID names
// the application that told (public, the same on every such card; nil when
// the adapter does not know it). The rejection's log line carries both.
type UnsupportedCardError struct {
	Kind CardKind
	AID  []byte
}

func (e *UnsupportedCardError) Error() string {
	if len(e.AID) == 0 {
		return fmt.Sprintf("session: %v card is not supported yet", e.Kind)
	}
	return fmt.Sprintf("session: %v card (application %X) is not supported yet", e.Kind, e.AID)
}

// WrongCredentialError is a rejected PIN or 照合番号B with the tries left.
type WrongCredentialError struct{ Left int }

func (e *WrongCredentialError) Error() string {
	return fmt.Sprintf("session: wrong credential, %d tries left", e.Left)
}
