package vcard

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/tlv"
	"github.com/uketsuke/uketsuke/app/wareki"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
)

// AIDs of the card's applications.
var (
	AIDJPKI   = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	AIDKenmen = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02}
	AIDHojo   = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}
)

// Token names in JPKI-AP EF 0006.
const (
	TokenMyNumberCard = "JPKIAPICCTOKEN2"
	TokenJukiCard     = "JPKIAPICCTOKEN"
	TokenSmartphone   = "JPKIAPGPSETOKEN"
)

// Options shape a virtual card.
type Options struct {
	Hierarchy  *jlis.Hierarchy // nil: the default test hierarchy
	PhotoJP2   []byte          // the chip photo (greyscale JPEG 2000); required but for NextGeneration
	Latency    Latency
	Token      string // EF 0006 token name; empty: a My Number Card
	HojoPrefix bool   // put two bytes before FF20 in 入力補助AP EF 0002, as some cards do
	// TamperPhoto flips one bit of the photo after signing, for verification tests.
	TamperPhoto bool
	// NextGeneration issues a stand-in of the next-generation card instead:
	// none of today's applications, only the two of nextgen.go.
	NextGeneration bool
	// ShortAPDUsOnly makes the card answer 6700 to every extended-length
	// command, as a card without extended length support does.
	ShortAPDUsOnly bool
}

// ErrNoPhoto means Options.PhotoJP2 was empty.
var ErrNoPhoto = errors.New("vcard: the card needs a chip photo")

// New builds a card for the holder p, present on the reader.
func New(p *profile.Profile, opts Options) (*Card, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opts.NextGeneration {
		c := &Card{present: true, latency: opts.Latency, shortOnly: opts.ShortAPDUsOnly, apps: nextGenerationApps(), creds: map[Credential]*credential{}, sleep: time.Sleep}
		c.resetLocked()
		return c, nil
	}
	if len(opts.PhotoJP2) == 0 {
		return nil, ErrNoPhoto
	}
	h := opts.Hierarchy
	if h == nil {
		h = jlis.New(jlis.DefaultSeed)
	}
	expiry, _ := p.ExpiryDate()
	birth, _ := p.BirthDate()
	seed := p.Seed
	if seed == 0 {
		seed = jlis.CardSeed(p.Name, p.Birth, p.SecurityCode)
	}
	keys := h.IssueCard(seed, p.Name, expiry)
	b := &builder{p: p, h: h, keys: keys, opts: opts, birth: birth, expiry: expiry, number: personalNumber(seed)}
	c := &Card{present: true, latency: opts.Latency, shortOnly: opts.ShortAPDUsOnly, creds: map[Credential]*credential{}, sleep: time.Sleep}
	for _, mk := range []func(*Card) (*application, error){b.jpki, b.kenmen, b.hojo} {
		a, err := mk(c)
		if err != nil {
			return nil, err
		}
		c.apps = append(c.apps, a)
	}
	c.resetLocked()
	return c, nil
}

type builder struct {
	p             *profile.Profile
	h             *jlis.Hierarchy
	keys          *jlis.CardKeys
	opts          Options
	birth, expiry time.Time
	number        []byte // a synthetic 個人番号, only so the forbidden files are real
}

func (c *Card) newCred(name Credential, value string, tries int) *credential {
	cr := &credential{name: name, max: tries, left: tries}
	if value != "" {
		cr.value = []byte(value)
	}
	c.creds[name] = cr
	return cr
}

func newApp(name string, aid []byte, files ...*file) *application {
	a := &application{name: name, aid: aid, files: map[uint16]*file{}}
	for _, f := range files {
		a.files[f.id] = f
	}
	return a
}

func (b *builder) jpki(c *Card) (*application, error) {
	token := b.opts.Token
	if token == "" {
		token = TokenMyNumberCard
	}
	info := []byte(fmt.Sprintf("%-32s", token))
	files := []*file{
		{id: 0x0006, data: info},
		{id: 0x0002, data: b.h.JPKISignCA.Raw},
		{id: 0x000B, data: b.h.JPKIAuthCA.Raw},
		{id: 0x001B, kind: credentialFile, cred: c.newCred(CredSignPass, b.p.SignPassword, 5)},
		{id: 0x0001, data: b.keys.SignCert.Raw, openedBy: []uint16{0x001B}},
		{id: 0x001A, kind: keyFile, key: b.keys.SignKey, openedBy: []uint16{0x001B}},
	}
	// A 顔認証マイナンバーカード has its 利用者証明用 certificate and key, for
	// PIN-less 特定機関認証, but no PIN: its key can sign no other way.
	files = append(files,
		&file{id: 0x000A, data: b.keys.AuthCert.Raw},
		&file{id: 0x0017, kind: keyFile, key: b.keys.AuthKey, openedBy: []uint16{0x0018}})
	if b.p.PIN != "" {
		files = append(files, &file{id: 0x0018, kind: credentialFile, cred: c.newCred(CredAuthPIN, b.p.PIN, 3)})
	}
	return newApp("JPKI-AP", AIDJPKI, files...), nil
}

// CodeB is the holder's 照合番号B: era birth YYMMDD + expiry year + security code.
func CodeB(p *profile.Profile) (string, error) {
	birth, err := p.BirthDate()
	if err != nil {
		return "", err
	}
	expiry, _ := p.ExpiryDate()
	return fmt.Sprintf("%s%04d%s", BirthCode(p.Foreign, birth), expiry.Year(), p.SecurityCode), nil
}

// BirthCode is the 6-digit birth date as the card counts it: the era year
// (元年 → 01), or the Gregorian year for cards printed in the Gregorian calendar.
func BirthCode(gregorian bool, birth time.Time) string {
	if d, err := wareki.FromTime(birth); err == nil && !gregorian {
		return fmt.Sprintf("%02d%02d%02d", d.Year%100, d.Month, d.Day)
	}
	return birth.Format("060102")
}

func (b *builder) kenmen(c *Card) (*application, error) {
	codeB, _ := CodeB(b.p)
	record, err := b.faceRecord()
	if err != nil {
		return nil, err
	}
	a := newApp("券面AP", AIDKenmen,
		&file{id: 0x0011, kind: credentialFile, cred: c.newCred(CredBirthCode, BirthCode(b.p.Foreign, b.birth), 10)},
		&file{id: 0x0012, kind: credentialFile, cred: c.newCred(CredCodeB, codeB, 10)},
		&file{id: 0x0013, kind: credentialFile, cred: c.newCred(CredCodeA, string(b.number), 10), forbidden: true},
		&file{id: 0x0002, data: record, openedBy: []uint16{0x0012, 0x0013}},
		&file{id: 0x0004, data: b.h.KenmenSign.CVCert, openedBy: []uint16{0x0012, 0x0013}},
		&file{id: 0x0005, data: tlv.Append(nil, 0xFF20, tlv.Append(nil, 0xDF21, b.number)), openedBy: []uint16{0x0013}, forbidden: true},
	)
	a.presenceKey = b.keys.CardKey
	return a, nil
}

func (b *builder) faceRecord() ([]byte, error) {
	birth := []byte(b.birth.Format("20060102"))
	sex := []byte(b.p.Sex)
	cardKey := x509.MarshalPKCS1PublicKey(&b.keys.CardKey.PublicKey)
	nameImg, addrImg, codeImg := textPNG(b.p.Name), textPNG(b.p.Address), textPNG(b.p.SecurityCode)
	photo := b.opts.PhotoJP2
	di := mynacard.FaceRecordDigestInfo(birth, sex, cardKey, nameImg, addrImg, photo)
	sig, err := rsa.SignPKCS1v15(nil, b.h.KenmenSign.Key, crypto.Hash(0), di)
	if err != nil {
		return nil, err
	}
	if b.opts.TamperPhoto {
		photo = append([]byte(nil), photo...)
		photo[len(photo)/2] ^= 0x01
	}
	fields := []struct {
		tag   uint32
		value []byte
	}{
		{mynacard.TagBirth, birth}, {mynacard.TagSex, sex}, {mynacard.TagCardKey, cardKey},
		{mynacard.TagNameImage, nameImg}, {mynacard.TagAddressImage, addrImg}, {mynacard.TagPhoto, photo},
		{mynacard.TagSignature, sig}, {mynacard.TagExpiry, []byte(b.expiry.Format("20060102"))},
		{mynacard.TagCodeImage, codeImg},
	}
	var body []byte
	offsets := make([]byte, 0, 2*len(fields))
	for _, f := range fields {
		offsets = append(offsets, byte(len(body)>>8), byte(len(body)))
		body = tlv.Append(body, f.tag, f.value)
	}
	inner := append(tlv.Append(nil, mynacard.TagOffsets, offsets), body...)
	return tlv.Append(nil, mynacard.TagFaceRecord, inner), nil
}

func (b *builder) hojo(c *Card) (*application, error) {
	codeB, _ := CodeB(b.p)
	attrs := b.attributes()
	numberRecord := tlv.Append(nil, 0xFF20, tlv.Append(nil, 0xDF21, b.number))
	integrity, err := b.integrity(numberRecord, attrs)
	if err != nil {
		return nil, err
	}
	stored := attrs
	if b.opts.HojoPrefix {
		stored = append([]byte{0xD0, 0x01}, attrs...)
	}
	pinOrB := []uint16{0x0011, 0x0015}
	return newApp("入力補助AP", AIDHojo,
		&file{id: 0x0011, kind: credentialFile, cred: c.newCred(CredHojoPIN, b.p.PIN, 3)},
		&file{id: 0x0015, kind: credentialFile, cred: c.newCred(CredHojoCodeB, codeB, 10)},
		&file{id: 0x0001, data: numberRecord, openedBy: []uint16{0x0011}, forbidden: true},
		&file{id: 0x0002, data: stored, openedBy: pinOrB},
		&file{id: 0x0003, data: integrity, openedBy: pinOrB},
		&file{id: 0x0004, data: b.h.HojoSign.CVCert},
	), nil
}

func (b *builder) attributes() []byte {
	var inner []byte
	for _, f := range []struct {
		tag   uint32
		value []byte
	}{
		{mynacard.TagAttrName, []byte(b.p.Name)}, {mynacard.TagAttrAddress, []byte(b.p.Address)},
		{mynacard.TagAttrBirth, []byte(b.birth.Format("20060102"))}, {mynacard.TagAttrSex, []byte(b.p.Sex)},
	} {
		inner = tlv.Append(inner, f.tag, f.value)
	}
	return tlv.Append(nil, mynacard.TagFaceRecord, inner)
}

func (b *builder) integrity(numberRecord, attrs []byte) ([]byte, error) {
	dn, da := sha256.Sum256(numberRecord), sha256.Sum256(attrs)
	signed := sha256.Sum256(append(dn[:], da[:]...))
	sig, err := rsa.SignPKCS1v15(nil, b.h.HojoSign.Key, crypto.SHA256, signed[:])
	if err != nil {
		return nil, err
	}
	inner := tlv.Append(tlv.Append(tlv.Append(nil, mynacard.TagDigestNumber, dn[:]), mynacard.TagDigestAttrs, da[:]), mynacard.TagIntegritySig, sig)
	return tlv.Append(nil, mynacard.TagIntegrity, inner), nil
}

// personalNumber makes a synthetic 12-digit number with a valid check digit,
// so the forbidden files hold something realistic that tests can look for.
func personalNumber(seed int64) []byte {
	digits := make([]byte, 12)
	s := uint64(seed)
	for i := 0; i < 11; i++ {
		s = s*6364136223846793005 + 1442695040888963407
		digits[i] = byte('0' + (s>>33)%10)
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(digits[11-n] - '0')
		q := n + 1
		if n > 6 {
			q = n - 5
		}
		sum += p * q
	}
	check := 11 - sum%11
	if check >= 10 {
		check = 0
	}
	digits[11] = byte('0' + check)
	return digits
}
