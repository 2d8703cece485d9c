package wire

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/world"
)

func TestTheRootBuildsOperatorLoginFromTheConfiguration(t *testing.T) {
	staff, err := world.IssueCard(profile.Staff(), vcard.Options{PhotoJP2: append([]byte{0xFF, 0x4F}, bytes.Repeat([]byte{1}, 200)...)})
	if err != nil {
		t.Fatal(err)
	}
	cred := operator.MyNumberCard{Card: mynacard.Open(staff)}
	cert, err := cred.Certificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fp := operator.FingerprintOf(cert.Raw)

	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true})
	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if w.Operators != nil || w.HPKI != nil {
		t.Fatal("operator login without registered operators")
	}

	cfg.Parts.Staff.Operators = []config.Operator{{ID: "reception.uketsuke", Name: "受付 太郎", Role: "reception",
		Fingerprint: hex.EncodeToString(fp[:])}}
	w, err = Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Operators == nil || w.HPKI != nil {
		t.Fatalf("operators %v, HPKI module %v", w.Operators, w.HPKI)
	}
	pin, err := secret.Take([]byte("5678"))
	if err != nil {
		t.Fatal(err)
	}
	defer pin.Destroy()
	s, err := w.Operators.Login(context.Background(), cred, pin)
	if err != nil || s.Role != operator.RoleReception {
		t.Fatalf("login %+v, %v", s, err)
	}
	if _, err := w.Operators.Use(operator.FuncDownloadLogs); !errors.Is(err, operator.ErrNotAllowed) {
		t.Fatalf("reception downloading logs: %v", err)
	}
	logs, err := os.ReadFile(filepath.Join(cfg.Parts.Audit, audit.OperationFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), `"operator":"reception.uketsuke","role":"reception","function":"login","result":"ok"`) {
		t.Fatalf("the audit log has no access record:\n%s", logs)
	}
}

func TestAnHPKIModuleThatDoesNotLoadStopsTheKiosk(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "hpki-ca.pem")
	if err := os.WriteFile(ca, []byte("no certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := SimulatedConfig(Simulated{Dir: dir, Fast: true})
	cfg.Parts.Staff.Operators = []config.Operator{{ID: "admin", Name: "a", Role: "administrator", Fingerprint: strings.Repeat("0f", 32)}}
	cfg.Parts.Staff.PKCS11Module, cfg.Parts.Staff.HPKICAFile = filepath.Join(dir, "missing.so"), ca
	for _, want := range []string{"parts.staff.hpki_ca_file", "parts.staff.pkcs11_module"} {
		w, err := Build(cfg, Options{})
		var ve *config.ValidationError
		if !errors.Is(err, ErrConfig) || !errors.As(err, &ve) || ve.Field != want {
			if w != nil {
				w.Close()
			}
			t.Fatalf("%s: got %v", want, err)
		}
		// The CA file is right the second time round; the module still is not.
		if err := os.WriteFile(ca, testCAPEM(t), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// testCAPEM is a CA certificate in PEM (the test J-LIS's JPKI root will do).
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: jlis.New(jlis.DefaultSeed).JPKIAuthCA.Raw})
}
