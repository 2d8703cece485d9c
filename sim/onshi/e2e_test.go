package onshi

import (
	"errors"
	"maps"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// fakePhoto stands in for the chip photo: the card never decodes it.
var fakePhoto = append([]byte{0xFF, 0x4F, 0xFF, 0x51}, make([]byte, 3000)...)

func virtualCard(t *testing.T) *vcard.Card {
	vc, err := vcard.New(profile.Default(), vcard.Options{Hierarchy: nil, PhotoJP2: fakePhoto})
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

// The kiosk's real card stack against the virtual card: PIN-less
// 特定機関認証 relayed through the kiosk, then the PIN path, same holder.
func TestVirtualCardPinlessThenPIN(t *testing.T) {
	e := newEnv(t, 100)
	c := e.client("kiosk-1", nil)
	vc := virtualCard(t)
	vc.EnableInstitutionAuth(&e.inst.CAKey.PublicKey)

	out, err := checkPinless(c, vc)
	if err != nil {
		t.Fatal(err)
	}
	if !out.RegistrationRequired {
		t.Fatalf("a new card should need 初回登録: %+v", out)
	}
	_, p := e.personOfKind(KindValid)
	if _, err := c.Register(bg, "", out.Session, queryOf(p, 0)); err != nil {
		t.Fatal(err)
	}
	out, err = checkPinless(c, vc)
	if err != nil {
		t.Fatal(err)
	}
	if out.Result == nil || out.Result.Body.AuthMethod != eligibility.AuthPinless ||
		out.Result.Body.QualificationValidity != eligibility.ValidityValid {
		t.Fatalf("PIN-less check: %+v", out)
	}
	if vc.TriesLeft(vcard.CredAuthPIN) != 3 {
		t.Fatal("the PIN-less path touched the PIN counter")
	}

	card := mynacard.Open(vc)
	if err := card.VerifyAuthPIN(bg, take([]byte("1234"))); err != nil {
		t.Fatal(err)
	}
	out, err = c.CheckByPIN(bg, card)
	if err != nil {
		t.Fatal(err)
	}
	if out.Result == nil || out.Result.Body.AuthMethod != eligibility.AuthPIN ||
		out.Result.Body.Qualifications[0].InsuredName != p.Name {
		t.Fatalf("PIN check: %+v", out)
	}
	if vc.ForbiddenAccesses() != 0 {
		t.Fatal("the eligibility path touched the 個人番号")
	}
}

func TestPinlessRefusedByACardWithoutTheExtension(t *testing.T) {
	e := newEnv(t, 10)
	before := e.counts()
	_, err := checkPinless(e.client("kiosk-1", nil), virtualCard(t))
	if !errors.Is(err, eligibility.ErrCardAuthFailed) {
		t.Fatalf("want card authentication failure, got %v", err)
	}
	if e.srv.relays.len() == 0 {
		t.Fatal("the relay should be kept (finished) until it expires")
	}
	if !maps.Equal(before, e.counts()) {
		t.Fatal("a failed PIN-less exchange changed the database")
	}
}

func TestPinlessWithoutPINVerificationDoesNotSignTheRealWay(t *testing.T) {
	// The PIN path's SIGN still needs the PIN after a PIN-less exchange.
	e := newEnv(t, 10)
	vc := virtualCard(t)
	vc.EnableInstitutionAuth(&e.inst.CAKey.PublicKey)
	if _, err := checkPinless(e.client("kiosk-1", nil), vc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client("kiosk-1", nil).CheckByPIN(bg, mynacard.Open(vc)); err == nil {
		t.Fatal("the PIN path signed without a PIN after a PIN-less exchange")
	}
}

// checkPinless runs the PIN-less check as the kiosk does: the certificate
// is read from the card first, and sent only with the card's signature.
func checkPinless(c *eligibility.Client, vc *vcard.Card) (*eligibility.CardCheckResponse, error) {
	cert, err := mynacard.Open(vc).AuthCertificate(bg)
	if err != nil {
		return nil, err
	}
	return c.CheckPinless(bg, vc, cert.Raw, false)
}

// take moves b into locked memory; tests run far below the lock limit.
func take(b []byte) *secret.Buffer {
	buf, err := secret.Take(b)
	if err != nil {
		panic(err)
	}
	return buf
}
