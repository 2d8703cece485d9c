package reception

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/sim/onshi"
)

// onshiClient starts the eligibility stand-in over HTTPS on a loopback port
// with a small seeded population and returns a kiosk's client.
func onshiClient(t *testing.T, pop onshi.Population) *eligibility.Client {
	t.Helper()
	store, err := onshi.OpenStore(filepath.Join(t.TempDir(), "onshi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Seed(context.Background(), pop); err != nil {
		t.Fatal(err)
	}
	pki, err := onshi.NewTLSPKI("reception-test")
	if err != nil {
		t.Fatal(err)
	}
	srv := onshi.NewServer(onshi.Config{Store: store, Now: func() time.Time { return CaseTime }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, pki.ServerConfig()) }()
	t.Cleanup(func() { cancel(); <-done })
	cert, err := pki.KioskCert("KIOSK01", Institution)
	if err != nil {
		t.Fatal(err)
	}
	c, err := eligibility.NewClient(eligibility.Config{BaseURL: "https://" + ln.Addr().String(), TLS: pki.KioskConfig(cert)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestAnswersFromTheOnshiStandIn: a reception system asks by insured number,
// the service asks the eligibility stand-in over HTTPS, and the answers say
// what the stand-in knows: valid, 後期高齢 with its ratio, 70–74 with the
// 高齢受給者証, lost (2) and lost with a newer record (3); myclinic reads them.
func TestAnswersFromTheOnshiStandIn(t *testing.T) {
	pop := onshi.Population{Seed: 7, N: 400}
	client := onshiClient(t, pop)
	root, state := t.TempDir(), t.TempDir()
	clinic, err := NewClinic(root, reception.ShiftJIS)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		validity, ratio string
		elderly         bool
	}
	wants := map[string]want{}
	seen := map[string]bool{}
	for i := range pop.N {
		p := pop.Person(i)
		r := p.Records[0]
		var kind string
		switch {
		case p.Kind == onshi.KindInvalid:
			kind = "lost"
		case p.Kind == onshi.KindInvalidNew:
			kind = "lost-new"
		case p.Kind != onshi.KindValid:
			continue
		case r.Elderly == "後期高齢者":
			kind = "kouki-" + r.Ratio
		case r.Elderly != "":
			kind = "elderly"
		default:
			kind = "family-" + r.FamilyClass
		}
		if seen[kind] {
			continue
		}
		seen[kind] = true
		name, err := clinic.Ask(Query{InsurerNumber: r.Insurer, Symbol: r.Symbol, Number: r.Number, Branch: r.Branch,
			Birthdate: p.Birth, LimitConsent: i%2 == 0, Ref: kind})
		if err != nil {
			t.Fatal(err)
		}
		w := want{validity: "1"}
		switch {
		case kind == "lost":
			w.validity = "2"
		case kind == "lost-new":
			w.validity = "3"
		case r.Elderly == "後期高齢者":
			w.ratio = r.Ratio
		case r.Elderly != "":
			w.elderly = true
		}
		wants[name] = w
	}
	for _, k := range []string{"lost", "lost-new", "kouki-010", "kouki-020", "kouki-030", "elderly", "family-1", "family-2"} {
		if !seen[k] {
			t.Errorf("the population has no %s holder", k)
		}
	}
	svc, err := reception.NewService(reception.ServiceConfig{Root: root, StateDir: state, KioskID: "KIOSK01",
		Institution: Institution, Encoding: reception.ShiftJIS, Lookup: client})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go svc.Run(ctx)
	for name, w := range wants {
		d, err := clinic.Await(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		r := d.Body.Result
		if d.Header.SegmentOfResult != "1" || d.Body.QualificationValidity != w.validity || r.Name == "" || r.NameKana == "" ||
			r.InsuredCardClassification != "01" {
			t.Errorf("%s: %+v %+v", name, d.Header, d.Body)
		}
		if w.ratio != "" && (r.InsuredPartialContributionRatio != w.ratio || r.InsurerNumber[:2] != "39") {
			t.Errorf("%s: 後期 ratio %q insurer %q, want %q", name, r.InsuredPartialContributionRatio, r.InsurerNumber, w.ratio)
		}
		if w.elderly && (r.ElderlyRecipientCertificateInfo == nil || r.ElderlyRecipientCertificateInfo.ElderlyRecipientContributionRatio != "020" ||
			r.ElderlyRecipientCertificateInfo.ElderlyRecipientValidEndDate == "") {
			t.Errorf("%s: 高齢受給者証 %+v", name, r.ElderlyRecipientCertificateInfo)
		}
	}
	cancel()
	if script := checkerIfPresent(); script != "" {
		runChecker(t, script, filepath.Join(root, reception.ResFolder))
	}
}
