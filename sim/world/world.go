// Package world is the kiosk's simulated outside world, in one place: the
// virtual My Number Card (issued here and nowhere else), reached in process
// or through pcscd and vsmartcard's vpcd; the eligibility stand-in over
// HTTPS on SQLite with its seeded population; the face camera showing the
// card's holder, a stranger or nobody; and the card-face camera showing the
// holder's card. The composition root (wire/) builds it from a
// configuration and puts the kiosk's parts around it; scripts
// (sim/scenario), the demo's operator window and tests drive it.
package world

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"image"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	appcam "github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// Transports by which the kiosk reaches the virtual card.
const (
	TransportInProcess = "inprocess"
	TransportPCSC      = "pcsc"
)

// Options shape the world. The kiosk's own parts (a pcsc context, the OCR
// pool, the face engine) are built by wire/ and handed in.
type Options struct {
	Latency   standin.Latency // how fast the stand-in cameras and engines are
	RealSpeed bool            // the virtual card answers at a real card's pace
	Transport string          // TransportInProcess or TransportPCSC
	PCSC      *pcsc.Context   // the kiosk's reader context, for TransportPCSC
	Reader    string          // the vpcd slot the card appears in (default Virtual PCD 00 01)
	VPCDAddr  string          // that slot's vpcd port (default 127.0.0.1:35964)
	Real      *RealFace       // nil: stand-in cameras, card-face reader and face engine
}

// RealFace is what the world needs to show real photographs: the kiosk's
// face engine (to choose a clear holder pair or to find the face in a
// photo) and either a folder of photos, one folder per person, or two photo
// files: the holder's (the chip photo, the card front and the live camera
// all come from it) and a different person's (the stranger).
type RealFace struct {
	Engine   *face.Engine
	Faces    string
	Holder   string // a photo file; when set, Faces is not used
	Stranger string // a photo file of someone else; "" = nobody stands in as the stranger
}

// World is one kiosk's simulated surroundings.
type World struct {
	opts    Options
	stand   *standin.World
	jlis    *jlis.Hierarchy
	inst    *pinless.Hierarchy
	anchors *mynacard.TrustAnchors
	photo   []byte // the chip photo every card carries
	pop     onshi.Population
	service *stand
	net     *netSwitch
	people  *photos // nil: stand-in face pieces
	stop    []func()
	detach  func() // disconnects the previous card from vpcd

	mu          sync.Mutex
	script      scenario.Service
	nextPerson  int
	person      int
	cardLatency vcard.Latency
	card        *vcard.Card // the card issued last, for its traffic log
	seen        string      // who the face camera sees: holder, stranger or nobody
}

const (
	population  = 2000
	institution = "1312345678"
)

// Institution is the 医療機関コード the world's kiosk certificates name: a
// kiosk configured for the world belongs to that facility.
const Institution = institution

// DefaultReader and DefaultVPCDAddr are vpcd's second slot: card tools use the first.
const (
	DefaultReader   = "Virtual PCD 00 01"
	DefaultVPCDAddr = "127.0.0.1:35964"
)

// New starts the world: the eligibility stand-in on a loopback port and the
// photos the cameras show.
func New(o Options) (*World, error) {
	if o.Transport == "" {
		o.Transport = TransportInProcess
	}
	if o.Transport != TransportInProcess && o.Transport != TransportPCSC {
		return nil, fmt.Errorf("world: transport %q", o.Transport)
	}
	if o.Transport == TransportPCSC && o.PCSC == nil {
		return nil, errors.New("world: the pcsc transport needs the kiosk's reader context")
	}
	if o.Reader == "" {
		o.Reader = DefaultReader
	}
	if o.VPCDAddr == "" {
		o.VPCDAddr = DefaultVPCDAddr
	}
	w := &World{opts: o, stand: standin.NewWorld(o.Latency), jlis: jlis.New(jlis.DefaultSeed),
		pop: onshi.Population{Seed: 7, N: population}, net: &netSwitch{}, seen: "nobody"}
	w.anchors = w.jlis.Anchors()
	if err := w.start(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (w *World) start() error {
	var err error
	photo := image.Image(image.NewGray(image.Rect(0, 0, jp2.CardPhotoWidth, jp2.CardPhotoHeight)))
	if w.opts.Real != nil {
		if w.people, err = choosePeople(w.opts.Real); err != nil {
			return err
		}
		w.stop = append(w.stop, w.people.close)
		photo = w.people.chip
	}
	if w.photo, err = jp2.EncodeCardPhoto(photo); err != nil {
		return err
	}
	if w.inst, err = pinless.NewHierarchy("simulate"); err != nil {
		return err
	}
	w.service, err = startStand(w.jlis, w.inst, w.pop)
	if err != nil {
		return err
	}
	w.stop = append(w.stop, w.service.close)
	return nil
}

// Close stops the stand-in service and disconnects the card.
func (w *World) Close() {
	if w.detach != nil {
		w.detach()
	}
	for i := len(w.stop) - 1; i >= 0; i-- {
		w.stop[i]()
	}
	w.stop = nil
}

// Anchors are the test J-LIS trust anchors every virtual card is issued under.
func (w *World) Anchors() *mynacard.TrustAnchors { return w.anchors }

// ServiceURL is the eligibility stand-in's address.
func (w *World) ServiceURL() string { return w.service.url }

// KioskTLS is the kiosk's client certificate and the stand-in's CA, pinned.
func (w *World) KioskTLS() *tls.Config { return w.service.kioskTLS }

// Network is the kiosk's way to the eligibility stand-in: scripts slow it
// down or cut it.
func (w *World) Network() http.RoundTripper { return w.net.wrap(w.service.transport) }

// Record is the insurance record of the current card's holder, which
// 初回登録 links the card to (the real service knows it from the insurer).
func (w *World) Record() eligibility.InsuranceQuery {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pop.Person(w.person)
	r := p.Records[0]
	return eligibility.InsuranceQuery{InsurerNumber: r.Insurer, InsuredCardSymbol: r.Symbol,
		InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch, Birthdate: p.Birth}
}

// StandIns are the stand-in devices: tagged cameras, the card-face reader
// that knows the current card's 照合番号B, the tag-reading face engine and
// the JPEG 2000 decoder that tags the chip photo as the holder's. With real
// faces the cameras show photographs instead.
func (w *World) StandIns() session.Devices {
	d := w.stand.Devices()
	d.Decoder = tagDecoder{tag: w.people == nil}
	if w.people != nil {
		d.FaceCamera, d.CardCamera = w.people.live, w.people.cardTray
	}
	return d
}

// SetService shapes the stand-in's next answers: a slow or cut network, a
// person with invalid insurance, an unregistered card.
func (w *World) SetService(s scenario.Service) {
	w.mu.Lock()
	w.script = s
	w.mu.Unlock()
	d, _ := time.ParseDuration(s.Delay)
	w.net.set(d, s.Down)
}

// ShowFace puts the holder, a stranger or nobody in front of the face camera.
func (w *World) ShowFace(who string, problem session.Guidance) {
	w.mu.Lock()
	w.seen = who
	w.mu.Unlock()
	if w.people != nil {
		w.people.show(who)
		return
	}
	w.stand.Scene.Show(tags[who], problem)
}

// Seen is who the face camera sees now.
func (w *World) Seen() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen
}

// tags are the stand-in face engine's people: it recognises them by a tag
// in the frame, and the chip photo carries the holder's.
var tags = map[string]byte{"holder": 7, "stranger": 9}

// tagDecoder decodes the chip photo with the real JPEG 2000 decoder into
// locked memory; with tag it marks the frame as the holder's for the
// stand-in face engine.
type tagDecoder struct{ tag bool }

func (d tagDecoder) Decode(ctx context.Context, photo *secret.Buffer) (*appcam.Frame, error) {
	f, err := jp2.DecodeFrame(photo.Bytes())
	if err != nil {
		return nil, err
	}
	if d.tag && len(f.Image.Pix) > 1 {
		f.Image.Pix[0], f.Image.Pix[1] = tags["holder"], 0
	}
	return f, nil
}

// stand is the eligibility stand-in: HTTPS on a loopback port, SQLite in a
// temporary folder, and the kiosk's TLS configuration for it.
type stand struct {
	url       string
	kioskTLS  *tls.Config
	transport http.RoundTripper
	setup     *eligibility.Client // links cards before a run, never slowed or cut
	pki       *onshi.TLSPKI
	srv       *onshi.Server
	close     func()
}

func startStand(h *jlis.Hierarchy, inst *pinless.Hierarchy, pop onshi.Population) (*stand, error) {
	s := &stand{}
	var stops []func()
	s.close = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	fail := func(err error) (*stand, error) { s.close(); return nil, err }
	dir, err := os.MkdirTemp("", "uketsuke-world-")
	if err != nil {
		return nil, err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })
	store, err := onshi.OpenStore(filepath.Join(dir, "onshi.db"))
	if err != nil {
		return fail(err)
	}
	stops = append(stops, func() { store.Close() })
	if err := store.Seed(context.Background(), pop); err != nil {
		return fail(err)
	}
	pki, err := onshi.NewTLSPKI("simulate")
	if err != nil {
		return fail(err)
	}
	srv := onshi.NewServer(onshi.Config{Store: store, JPKIRoots: []*x509.Certificate{h.JPKIAuthCA},
		Institution: pinless.Simulated{H: inst}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln, pki.ServerConfig()); close(done) }()
	stops = append(stops, func() { cancel(); <-done })
	cert, err := pki.KioskCert(kioskName, institution)
	if err != nil {
		return fail(err)
	}
	// The world links cards under a name of its own, so that what the
	// service learns from the kiosk is told apart (Disclosures).
	setupCert, err := pki.KioskCert("world-setup", institution)
	if err != nil {
		return fail(err)
	}
	s.url, s.kioskTLS, s.pki, s.srv = "https://"+ln.Addr().String(), pki.KioskConfig(cert), pki, srv
	s.transport = &http.Transport{TLSClientConfig: s.kioskTLS, MaxIdleConnsPerHost: 4}
	if s.setup, err = eligibility.NewClient(eligibility.Config{BaseURL: s.url, TLS: pki.KioskConfig(setupCert)}); err != nil {
		return fail(err)
	}
	return s, nil
}

// kioskName is the simulated kiosk's name in its client certificate.
const kioskName = "kiosk-simulate"

// Disclosures are the requests from the kiosk that told the stand-in
// service who the patient is, oldest first.
func (w *World) Disclosures() []onshi.Disclosure {
	var out []onshi.Disclosure
	for _, d := range w.service.srv.Disclosures() {
		if d.Kiosk == kioskName {
			out = append(out, d)
		}
	}
	return out
}

// netSwitch is the network between the kiosk and the stand-in: a delay
// before each request (a slow network or a busy national system), or down.
type netSwitch struct {
	mu    sync.Mutex
	delay time.Duration
	down  bool
}

func (n *netSwitch) set(d time.Duration, down bool) {
	n.mu.Lock()
	n.delay, n.down = d, down
	n.mu.Unlock()
}

// ErrServiceDown is what the kiosk sees while the script has cut the network.
var ErrServiceDown = errors.New("world: the eligibility service is unreachable")

func (n *netSwitch) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		n.mu.Lock()
		d, down := n.delay, n.down
		n.mu.Unlock()
		if down {
			return nil, ErrServiceDown
		}
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
		}
		return next.RoundTrip(r)
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// RegisterReferenceNumbers registers the clinic's patient numbers (照会番号)
// with the stand-in under the simulated facility, as a clinic migrating
// its 診察券 numbers would (OQSmuimm01req); every later result for those
// insured people carries them.
func (w *World) RegisterReferenceNumbers(ctx context.Context, infos []eligibility.ReferenceNumberRegistrationInfo) (*eligibility.ReferenceNumberBulkResponse, error) {
	return w.service.setup.RegisterReferenceNumbers(ctx, "", institution, infos)
}

// Queries are checks by insured number a reception system would send for
// the stand-in's people: n valid ones, then one whose record was replaced
// by a newer qualification (無効（新しい資格あり）).
func (w *World) Queries(n int) []eligibility.InsuranceQuery {
	var out []eligibility.InsuranceQuery
	newer := false
	for i := 0; i < population && (len(out) < n || !newer); i++ {
		p := w.pop.Person(i)
		if len(p.Records) == 0 {
			continue
		}
		r := p.Records[0]
		q := eligibility.InsuranceQuery{InsurerNumber: r.Insurer, InsuredCardSymbol: r.Symbol,
			InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch, Birthdate: p.Birth}
		switch {
		case p.Kind == onshi.KindValid && len(out) < n && usableRecord(p):
			out = append(out, q)
		case p.Kind == onshi.KindInvalidNew && !newer:
			out, newer = append(out, q), true
		}
	}
	return out
}
