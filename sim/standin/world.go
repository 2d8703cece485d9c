package standin

import (
	"crypto/rand"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

// Latency is how long each stand-in takes.
type Latency struct {
	CardOp, OCR, Decode, Embed, Eligibility, FrameInterval time.Duration
}

// Fast is for unit tests.
var Fast = Latency{CardOp: 0, OCR: time.Millisecond, Decode: time.Millisecond,
	Embed: time.Millisecond, Eligibility: time.Millisecond, FrameInterval: 2 * time.Millisecond}

// Realistic follows measured figures: a contactless card op (several APDUs)
// about 25 ms, Tesseract on a card face 150 ms, JPEG 2000 decode 58 ms, one
// face embedding 55 ms, a local eligibility stand-in 30 ms, a 30 fps camera.
var Realistic = Latency{CardOp: 25 * time.Millisecond, OCR: 150 * time.Millisecond,
	Decode: 58 * time.Millisecond, Embed: 55 * time.Millisecond,
	Eligibility: 30 * time.Millisecond, FrameInterval: 33 * time.Millisecond}

// World is one kiosk's stand-in surroundings.
type World struct {
	Scene       *Scene
	FaceCam     *Camera
	CardCam     *Camera
	Keys        *KeyReader
	Decoder     Decoder
	Engine      *Engine
	Eligibility *Eligibility
	Revisit     *Revisit
	Latency     Latency
}

// NewWorld builds surroundings with the given latencies; nobody in front of
// the camera, no card-face key, an eligibility service with the card
// registered and valid.
func NewWorld(l Latency) *World {
	scene := &Scene{}
	return &World{
		Scene:       scene,
		FaceCam:     &Camera{Scene: scene, Interval: l.FrameInterval},
		CardCam:     &Camera{Interval: l.FrameInterval},
		Keys:        &KeyReader{Delay: l.OCR},
		Decoder:     Decoder{Delay: l.Decode},
		Engine:      &Engine{Delay: l.Embed, Genuine: 0.9, Impostor: 0.1},
		Eligibility: &Eligibility{Delay: l.Eligibility, Registered: true},
		Revisit:     &Revisit{Delay: l.Eligibility},
		Latency:     l,
	}
}

// Devices are the world's ports for session.New.
func (w *World) Devices() session.Devices {
	return session.Devices{
		FaceCamera: w.FaceCam, CardCamera: w.CardCam, KeyReader: w.Keys,
		Decoder: w.Decoder, Face: w.Engine, Eligibility: w.Eligibility, Revisit: w.Revisit,
	}
}

// Holder is a synthetic card holder; secrets are plain here and masked by
// Card, which wipes these slices.
type Holder struct {
	Person     byte   // who the photo shows (1..255)
	PIN        []byte // 4 ASCII digits; nil: no PIN
	PINTries   int
	KeyB       []byte // 14 ASCII digits
	KeyBTries  int    // 照合番号B tries left; 0: a fresh card's 10
	PhotoBytes int    // size of the stand-in JPEG 2000
	Kind       session.CardKind
	BadRecord  bool
	CertSerial []byte
}

// Card makes the holder's card and teaches the card-face scanner its key.
func (w *World) Card(h Holder) *Card {
	if h.Kind == session.CardUnknown {
		h.Kind = session.CardMyNumber
	}
	if h.KeyBTries == 0 {
		h.KeyBTries = 10
	}
	if h.PINTries == 0 && h.PIN != nil {
		h.PINTries = 3
	}
	photo := make([]byte, max(h.PhotoBytes, 64))
	rand.Read(photo)
	photo[0] = h.Person
	keyCopy := append([]byte(nil), h.KeyB...)
	var pin []byte
	if h.PIN != nil {
		pin = Masked(h.PIN)
	}
	w.Keys.SetKey(Masked(keyCopy))
	return NewCard(CardSpec{
		Kind: h.Kind, PIN: pin, PINTries: h.PINTries,
		KeyB: Masked(h.KeyB), KeyBTries: h.KeyBTries, Photo: Masked(photo),
		RecordValid: !h.BadRecord, OpDelay: w.Latency.CardOp, CertSerial: h.CertSerial,
	})
}
