// Package kioskwire assembles the kiosk's embedded default world for the
// demo: the virtual My Number Card in process behind the real card stack
// (app/mynacard through session.MynaCard, verified against the test J-LIS
// anchors), the real JPEG 2000 decoder for the chip photo, and app/session's
// stand-ins for the cameras, the card-face scanner, the face engine and the
// eligibility service. An operator drives it: place or pull a card, pick the
// test person, put the holder or a stranger in front of the camera.
package kioskwire

import (
	"context"
	"errors"
	"image"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// Person is the test holder the next card is issued for.
type Person uint8

// The demo's test people.
const (
	PersonStandard     Person = iota // PIN 1234, registered, insurance valid
	PersonNoPIN                      // 顔認証マイナンバーカード: no PIN
	PersonUnregistered               // card not yet registered for insurance (初回登録)
	PersonInvalid                    // insurance no longer valid
	PersonJuki                       // an old 住基カード, not a My Number Card
	PersonSmartphone                 // a smartphone with the JPKI applet
)

// People names the test people for the operator window.
var People = []struct {
	Person Person
	Label  string
}{
	{PersonStandard, "Standard holder (PIN 1234)"},
	{PersonNoPIN, "Card without a PIN"},
	{PersonUnregistered, "Not registered yet (初回登録)"},
	{PersonInvalid, "Insurance no longer valid"},
	{PersonJuki, "住基カード (not a My Number Card)"},
	{PersonSmartphone, "Smartphone"},
}

// The stand-in face engine recognises people by a tag; the holder's photo
// carries holderTag.
const (
	holderTag   = 7
	strangerTag = 9
)

// Demo is the embedded default world.
type Demo struct {
	world   *standin.World
	anchors *mynacard.TrustAnchors
	photo   []byte

	mu      sync.Mutex
	card    *vcard.Card
	someone bool
	holder  bool
}

// New builds the world. The photo is a blank grey JPEG 2000 of the chip's
// size: the stand-in face engine goes by the holder tag, not the pixels.
func New() (*Demo, error) {
	photo, err := jp2.EncodeCardPhoto(image.NewGray(image.Rect(0, 0, jp2.CardPhotoWidth, jp2.CardPhotoHeight)))
	if err != nil {
		return nil, err
	}
	d := &Demo{world: standin.NewWorld(standin.Realistic), anchors: jlis.New(jlis.DefaultSeed).Anchors(), photo: photo}
	d.ShowFace(false, false, session.GuidanceNone)
	return d, nil
}

// Devices are the ports for session.New.
func (d *Demo) Devices() session.Devices {
	dev := d.world.Devices()
	dev.Decoder = holderDecoder{}
	return dev
}

// Settings are the kiosk limits for the demo: a short face attempt so the
// failure path is quick to see.
func Settings() session.Settings {
	s := session.DefaultSettings()
	s.FaceAttemptTime = 6 * time.Second
	s.Inactivity = 120 * time.Second
	return s
}

// ErrNoCard is returned by Pull when no card is on the reader.
var ErrNoCard = errors.New("kioskwire: no card on the reader")

// Issue makes a fresh virtual card for the person, tells the card-face
// stand-in its 照合番号B and shapes the eligibility stand-in's answer. The
// caller places it with (*session.Kiosk).CardPlaced.
func (d *Demo) Issue(p Person) (session.Card, error) {
	prof := profile.Default()
	prof.Seed = time.Now().UnixNano()
	opts := vcard.Options{PhotoJP2: d.photo}
	switch p {
	case PersonNoPIN:
		prof.PIN = ""
	case PersonJuki:
		opts.Token = vcard.TokenJukiCard
	case PersonSmartphone:
		opts.Token = vcard.TokenSmartphone
	}
	vc, err := vcard.New(prof, opts)
	if err != nil {
		return nil, err
	}
	vc.SetLatency(vcard.RealLatency)
	code, err := vcard.CodeB(prof)
	if err != nil {
		return nil, err
	}
	d.world.Keys.SetKey(standin.Masked([]byte(code)))
	validity := session.ValidityValid
	if p == PersonInvalid {
		validity = session.ValidityInvalid
	}
	d.world.Eligibility.Configure(p != PersonUnregistered, validity, false, standin.Realistic.Eligibility)
	d.mu.Lock()
	d.card = vc
	d.mu.Unlock()
	return session.NewMynaCard(vc, d.anchors), nil
}

// Pull takes the card off the reader: every further APDU fails. The caller
// tells the kiosk with (*session.Kiosk).CardRemoved.
func (d *Demo) Pull() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.card == nil {
		return ErrNoCard
	}
	d.card.Pull()
	d.card = nil
	return nil
}

// ShowFace sets who the face camera sees: nobody, the card's holder or a
// stranger, with a quality problem (GuidanceNone for a good picture).
func (d *Demo) ShowFace(someone, holder bool, problem session.Guidance) {
	var who byte
	switch {
	case someone && holder:
		who = holderTag
	case someone:
		who = strangerTag
	}
	d.world.Scene.Show(who, problem)
	d.mu.Lock()
	d.someone, d.holder = someone, holder
	d.mu.Unlock()
}

// Seen says who the face camera sees now (for the operator's preview).
func (d *Demo) Seen() (someone, holder bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.someone, d.holder
}

// ServiceDown makes the eligibility stand-in fail (or work again).
func (d *Demo) ServiceDown(down bool) {
	e := d.world.Eligibility
	e.Configure(true, session.ValidityValid, down, standin.Realistic.Eligibility)
}

// holderDecoder decodes the chip photo with the real JPEG 2000 decoder into
// locked memory and tags it as the holder's for the stand-in face engine.
type holderDecoder struct{}

func (holderDecoder) Decode(ctx context.Context, photo *secret.Buffer) (*camera.Frame, error) {
	f, err := jp2.DecodeFrame(photo.Bytes())
	if err != nil {
		return nil, err
	}
	if len(f.Image.Pix) > 1 {
		f.Image.Pix[0], f.Image.Pix[1] = holderTag, 0
	}
	return f, nil
}
