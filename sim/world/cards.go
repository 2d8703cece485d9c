package world

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
)

// IssueCard makes a virtual My Number Card: the one place where one is made,
// for the world and for `uketsuke card sim`.
func IssueCard(p *profile.Profile, o vcard.Options) (*vcard.Card, error) {
	return vcard.New(p, o)
}

// CardFromProfile issues a card for a holder profile file ("" for the demo
// holder), with the profile's photo as the chip photo (`uketsuke card sim`).
func CardFromProfile(path string, lat vcard.Latency) (*vcard.Card, *profile.Profile, error) {
	p := profile.Default()
	if path != "" {
		var err error
		if p, err = profile.Load(path); err != nil {
			return nil, nil, err
		}
	}
	photo, err := chipPhoto(p)
	if err != nil {
		return nil, nil, err
	}
	c, err := IssueCard(p, vcard.Options{PhotoJP2: photo, Latency: lat})
	return c, p, err
}

// chipPhoto converts the holder's photo to the card's greyscale JPEG 2000; a
// profile without one gets a plain grey portrait, enough for the card's logic.
func chipPhoto(p *profile.Profile) ([]byte, error) {
	var img image.Image = image.NewGray(image.Rect(0, 0, jp2.CardPhotoWidth, jp2.CardPhotoHeight))
	if p.Photo != "" {
		var err error
		if img, err = decodeImage(p.Photo); err != nil {
			return nil, fmt.Errorf("profile photo: %w", err)
		}
	}
	return jp2.EncodeCardPhoto(img)
}

// NewCard issues a fresh virtual card for the holder, links it to a seeded
// person unless the script wants an unregistered card, and connects it the
// way the options say. Every card is a new identity.
func (w *World) NewCard(h scenario.Holder) (scenario.Card, error) {
	w.mu.Lock()
	svc := w.script
	w.mu.Unlock()
	if err := w.pickPerson(svc.Validity, svc.Insurance); err != nil {
		return nil, err
	}
	vc, err := w.virtualCard(h)
	if err != nil {
		return nil, err
	}
	if !svc.Unregistered && !svc.Down && isMyNumberCard(h) {
		if err := w.link(vc); err != nil {
			return nil, fmt.Errorf("world: linking the card: %w", err)
		}
	}
	if w.opts.Transport == TransportPCSC {
		return w.viaPCSC(vc)
	}
	return w.inProcess(vc), nil
}

// inProcess hands the kiosk the virtual card without pcscd.
func (w *World) inProcess(vc *vcard.Card) *card {
	return &card{MynaCard: session.NewMynaCard(vc, w.anchors), pull: vc.Pull, link: vc, virtual: vc}
}

// PlaceAgain puts a card that was pulled back on the reader: the same
// card (the same certificate, so re-visit reception knows it), freshly
// powered up, as a patient's next visit does.
func (w *World) PlaceAgain(c scenario.Card) (scenario.Card, error) {
	cc, ok := c.(*card)
	if !ok || cc.virtual == nil {
		return nil, fmt.Errorf("world: %T is not a card of this world", c)
	}
	cc.virtual.Insert()
	if w.opts.Transport == TransportPCSC {
		return w.viaPCSC(cc.virtual)
	}
	return w.inProcess(cc.virtual), nil
}

func isMyNumberCard(h scenario.Holder) bool { return h.Kind == "" || h.Kind == "mynumber" }

// PIN is the holder's PIN as key values 0-9.
func (w *World) PIN() []byte {
	pin := []byte(profile.Default().PIN)
	for i := range pin {
		pin[i] -= '0'
	}
	return pin
}

// pickPerson takes the next unused seeded person of the wanted kind and
// insurance ("" for any).
func (w *World) pickPerson(validity int, insurance string) error {
	want := onshi.KindValid
	switch session.Validity(validity) {
	case session.ValidityInvalid:
		want = onshi.KindInvalid
	case session.ValidityInvalidNew:
		want = onshi.KindInvalidNew
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for ; w.nextPerson < population; w.nextPerson++ {
		if p := w.pop.Person(w.nextPerson); p.Kind == want && usableRecord(p) && hasInsurance(p, insurance) {
			w.person = w.nextPerson
			w.nextPerson++
			return nil
		}
	}
	return errors.New("world: the stand-in's population is used up")
}

// hasInsurance: the person's first record is of the named kind (see
// scenario.Service.Insurance).
func hasInsurance(p onshi.SeedPerson, kind string) bool {
	if kind == "" {
		return true
	}
	r := p.Records[0]
	switch kind {
	case "kouki-1", "kouki-2", "kouki-3":
		return r.Elderly == "後期高齢者" && len(r.Ratio) == 3 && r.Ratio[1] == kind[6]
	case "elderly":
		return r.Elderly == "高齢受給者"
	case "kokuho":
		return len(r.Insurer) == 6 && r.Elderly == ""
	case "shaho-self", "shaho-family":
		want := map[string]string{"shaho-self": "1", "shaho-family": "2"}[kind]
		return len(r.Insurer) == 8 && r.Elderly == "" && r.FamilyClass == want
	case "limit":
		return r.LimitClass != "" && r.Elderly == ""
	case "disease":
		return r.Diseases != ""
	}
	return false
}

// usableRecord: the first record can be linked and, for a valid person,
// is in force today (the seed also makes people whose cover starts later).
func usableRecord(p onshi.SeedPerson) bool {
	if len(p.Records) == 0 || !p.Records[0].Linkable {
		return false
	}
	today := time.Now().Format("20060102")
	r := p.Records[0]
	return p.Kind != onshi.KindValid || (r.QualDate <= today && (r.DisqDate == "" || r.DisqDate >= today))
}

// kindStaff is a holder who is a staff member: always the same card
// (profile.Staff, its keys from the profile), so its certificate can be
// registered as an operator's; it is never linked for insurance.
const kindStaff = "staff"

func (w *World) virtualCard(h scenario.Holder) (*vcard.Card, error) {
	p := profile.Default()
	p.Seed = time.Now().UnixNano()
	if h.Kind == kindStaff {
		p = profile.Staff()
	}
	if h.NoPIN {
		p.PIN = ""
	}
	opts := vcard.Options{PhotoJP2: w.photo, TamperPhoto: h.BadRecord, ShortAPDUsOnly: h.ShortAPDUs}
	switch h.Kind {
	case "juki":
		opts.Token = vcard.TokenJukiCard
	case "smartphone":
		opts.Token = vcard.TokenSmartphone
	case "next_generation":
		opts.NextGeneration = true
	}
	lat := vcard.Latency{}
	if w.opts.RealSpeed {
		lat = vcard.RealLatency
	}
	if d, _ := time.ParseDuration(h.CardDelay); d > 0 {
		lat = vcard.Latency{PerAPDU: d}
	}
	w.mu.Lock()
	w.cardLatency = lat
	w.mu.Unlock()
	opts.Latency = lat
	vc, err := IssueCard(p, opts)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.card = vc
	w.mu.Unlock()
	vc.EnableInstitutionAuth(&w.inst.CAKey.PublicKey)
	return vc, w.showCard(p)
}

// CardLink is what the current card answered since the last call, and the
// latency model of its link, for the bench's card-link floor.
func (w *World) CardLink() ([]vcard.Exchange, vcard.Latency) {
	w.mu.Lock()
	vc, lat := w.card, w.cardLatency
	w.mu.Unlock()
	if vc == nil {
		return nil, lat
	}
	return vc.TakeTraffic(), lat
}

// showCard teaches the card-face camera (or the stand-in reader) the card.
func (w *World) showCard(p *profile.Profile) error {
	if w.people != nil {
		return w.people.showCard(p)
	}
	code, err := vcard.CodeB(p)
	if err != nil {
		return err
	}
	w.stand.Keys.SetKey(standin.Masked([]byte(code)))
	return nil
}

// link registers the card with the stand-in, as a previous visit would have.
func (w *World) link(vc *vcard.Card) error {
	ctx := context.Background()
	vc.SetLatency(vcard.Latency{})
	w.mu.Lock()
	lat := w.cardLatency
	w.mu.Unlock()
	defer vc.SetLatency(lat)
	cert, err := mynacard.Open(vc).AuthCertificate(ctx)
	if err != nil {
		return err
	}
	out, err := w.service.setup.CheckPinless(ctx, vc, cert.Raw, false)
	if err != nil {
		return err
	}
	if out.RegistrationRequired {
		_, err = w.service.setup.Register(ctx, "", out.Session, w.Record())
	}
	return err
}

// viaPCSC connects the virtual card to vpcd and the kiosk to the reader
// pcscd shows.
func (w *World) viaPCSC(vc *vcard.Card) (scenario.Card, error) {
	if w.detach != nil {
		w.detach()
	}
	client := vpcd.New(w.opts.VPCDAddr, vc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { client.Run(ctx); close(done) }()
	var conn *pcsc.Conn
	pc, reader := w.opts.PCSC, w.opts.Reader
	w.detach = func() {
		if conn != nil {
			conn.Close()
		}
		cancel()
		<-done
		wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		pc.WaitFor(wait, reader, false)
		w.detach = nil
	}
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := pc.WaitFor(wait, reader, true); err != nil {
		w.detach()
		return nil, fmt.Errorf("world: the virtual card did not appear in %q: %w", reader, err)
	}
	var err error
	if conn, err = pc.Connect(reader); err != nil {
		w.detach()
		return nil, err
	}
	return &card{MynaCard: session.NewMynaCard(conn, w.anchors), pull: client.Pull, link: conn, virtual: vc}, nil
}

// card is the kiosk's card adapter plus the hand that pulls it.
type card struct {
	*session.MynaCard
	pull    func()
	link    apdu.Transport // what the kiosk talks to the card through
	virtual *vcard.Card    // the card itself, for placing it again
}

func (c *card) Pull() { c.pull() }

// Transport is the card's link, for a staff login that reads it as an
// operator's card instead of a patient's.
func (c *card) Transport() apdu.Transport { return c.link }

// RenewCard issues the current holder a new card, as a renewal or a
// reissue would: a new certificate (a new serial) for the same person,
// registered with the stand-in like the first. Re-visit tests use it to
// see a known patient come back with a code the table does not know.
func (w *World) RenewCard() (scenario.Card, error) {
	vc, err := w.virtualCard(scenario.Holder{})
	if err != nil {
		return nil, err
	}
	if err := w.link(vc); err != nil {
		return nil, fmt.Errorf("world: linking the renewed card: %w", err)
	}
	if w.opts.Transport == TransportPCSC {
		return w.viaPCSC(vc)
	}
	return w.inProcess(vc), nil
}
