package session_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
)

// TestLogsCarryNoHolderData runs many sessions of holders with distinctive
// PINs, 照合番号B (birth date, expiry, security code) and certificate
// serials through every path, then greps every log file for any of them.
func TestLogsCarryNoHolderData(t *testing.T) {
	dir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: dir, MaxBytes: 16 << 10, Keep: 20})
	if err != nil {
		t.Fatal(err)
	}
	var needles []string
	const sessions = 24
	for i := range sessions {
		// A leading zero keeps PINs and codes from colliding with a logged
		// number (JSON integers never start with 0): a hit is a real leak.
		pin := fmt.Sprintf("0%03d", 1+rand.IntN(999)) // never 0000, the wrong PIN typed below
		birth := fmt.Sprintf("%02d%02d%02d", 10+rand.IntN(50), 1+rand.IntN(12), 10+rand.IntN(18))
		code := fmt.Sprintf("0%03d", rand.IntN(1000))
		key := birth + "2035" + code
		serial := fmt.Sprintf("SN%08X", rand.Uint32())
		needles = append(needles, pin, birth, code, key, serial)
		runLoggedSession(t, log, i%4, pin, key, serial)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String()
	if got := strings.Count(text, `"msg":"end"`); got != sessions {
		t.Fatalf("%d session ends logged in %d files, want %d", got, len(files), sessions)
	}
	if !strings.Contains(text, `"msg":"pin.wrong"`) || !strings.Contains(text, `"msg":"face_to_result"`) {
		t.Fatal("the log lacks the expected records")
	}
	for _, n := range needles {
		if regexp.MustCompile(`(^|[^0-9A-Za-z])` + n + `([^0-9A-Za-z]|$)`).MatchString(text) {
			t.Errorf("holder value %q found in the logs", n)
		}
	}
}

func runLoggedSession(t *testing.T, log *audit.Logger, path int, pin, key, serial string) {
	r := newRigLog(t, nil, log)
	h := standin.Holder{Person: 7, PIN: []byte(pin), KeyB: []byte(key), CertSerial: []byte(serial)}
	r.w.Scene.Show(7, session.GuidanceNone)
	r.place(h)
	r.await(session.StateMethod, nil)
	switch path {
	case 0:
		r.must(r.k.Press(session.EvChooseFace))
	case 1, 2:
		r.must(r.k.Press(session.EvChoosePIN))
		r.await(session.StatePIN, nil)
		if path == 2 {
			r.typePIN("0000")
			r.must(r.k.Press(session.EvSubmitPIN))
			r.await(session.StatePIN, func(v session.View) bool { return v.PIN.TriesLeft == 2 })
		}
		r.typePIN(pin)
		r.must(r.k.Press(session.EvSubmitPIN))
	case 3:
		r.must(r.k.Press(session.EvRequestStaff))
		r.await(session.StateStaffCheck, nil)
		r.must(r.k.Staff(session.EvStaffApprove))
	}
	r.await(session.StateConsent, nil)
	r.must(r.k.Press(session.EvConsentAll))
	r.await(session.StateDone, nil)
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.stop()
}

// A next-generation card on the real card stack (the virtual card in
// process): the kiosk rejects it with its own code, and the error log says
// which kind of card and which application, and nothing about the holder.
func TestNextGenerationCardIsRejectedAndLogged(t *testing.T) {
	dir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r := newRigLog(t, nil, log)
	vc, card := virtualCard(t, func(_ *profile.Profile, o *vcard.Options) { o.NextGeneration = true })
	r.must(r.k.CardPlaced(card))
	v := r.await(session.StateRejected, nil)
	if v.Error != session.ErrCodeNextGeneration {
		t.Fatalf("rejected with %q", v.Error)
	}
	vc.Pull()
	r.must(r.k.CardRemoved())
	r.await(session.StateIdle, nil)
	r.stop()
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, audit.ErrorFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"card.next_generation"`, `"card":"next_generation"`,
		fmt.Sprintf(`"aid":"%x"`, vcard.AIDNextAuth)} {
		if !strings.Contains(string(data), want) {
			t.Errorf("error log %s lacks %s", data, want)
		}
	}
	p := profile.Default()
	for _, needle := range []string{p.Name, p.SecurityCode, p.PIN, strings.ReplaceAll(p.Birth, "-", "")} {
		if strings.Contains(string(data), needle) {
			t.Errorf("holder value %q in the error log", needle)
		}
	}
}
