package wire

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/printer"
	"github.com/uketsuke/uketsuke/hardware/printer/printertest"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/store"
)

// DemoKeyPrefix starts the ids of the keys the simulated world makes for
// itself; a production kiosk refuses them.
const DemoKeyPrefix = "demo-"

// revisitParts is what re-visit reception runs on, kept for World.Run and
// the tests.
type revisitParts struct {
	adapter     *session.RevisitAdapter
	book        *revisit.Book
	outbox      *VisitOutbox  // nil without a visit-history service
	service     *VisitService // the simulated world's stand-in; nil otherwise
	serviceAddr string
	printed     *printertest.Recorder // the simulated world's recording printer; nil otherwise
}

// revisit builds re-visit reception when revisit.mode asks for it: the
// table on its database, the keys in locked memory, the adapter over the
// eligibility client and the printer, and the visit-record outbox.
func (w *World) revisit() error {
	c := w.Config
	if !c.Revisit.Enabled() {
		return nil
	}
	p := c.Parts.Revisit
	if w.Sim != nil && c.Parts.World != nil && c.Parts.World.Revisit {
		if err := w.revisitStandIns(); err != nil {
			return err
		}
	}
	book, err := w.revisitBook(p)
	if err != nil {
		return err
	}
	a := &session.RevisitAdapter{Book: book, Eligibility: w.results, Rules: c.Revisit.Rules(), Printer: w.Printer,
		Facility: c.Facility.Code, Kiosk: c.Parts.KioskID, ClinicName: c.Revisit.ClinicName,
		Departments: c.Revisit.Departments, TicketDir: c.Parts.Results.Dir, Log: w.log,
		Status: w.results.Client}
	if w.TheftLock != nil {
		a.Lock = w.TheftLock
	}
	// Unlinking (the kiosk's and the console's) de-registers the row's
	// patient number with the eligibility system first.
	book.UseReferences(session.ReferenceRegistry{Client: w.results.Client, Facility: c.Facility.Code})
	w.rv.adapter, w.rv.book = a, book
	if err := w.visitOutbox(p); err != nil {
		return err
	}
	if w.rv.outbox != nil {
		a.Visits = w.rv.outbox.Sender
	}
	w.Devices.Revisit = a
	return nil
}

func (w *World) revisitBook(p *config.RevisitParts) (*revisit.Book, error) {
	codeKeys, err := keyMaterial("parts.revisit.code_keys_file", p.CodeKeysFile)
	if err != nil {
		return nil, err
	}
	codes, err := revisit.NewCodeKeys(codeKeys)
	if err != nil {
		return nil, bad("parts.revisit.code_keys_file", "%v", err)
	}
	w.onClose(codes.Destroy)
	dataKeys, err := keyMaterial("parts.revisit.data_keys_file", p.DataKeysFile)
	if err != nil {
		return nil, err
	}
	sealer, err := revisit.NewSealer(dataKeys)
	if err != nil {
		return nil, bad("parts.revisit.data_keys_file", "%v", err)
	}
	w.onClose(sealer.Destroy)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, p.DatabaseURL)
	if err != nil {
		return nil, bad("parts.revisit.database_url", "%s: %v", redactedURL(p.DatabaseURL), err)
	}
	w.onClose(func() { db.Close() })
	return revisit.NewBook(db, codes, sealer, time.Now), nil
}

// visitOutbox connects the visit-history service: the configured one, or
// the simulated world's stand-in.
func (w *World) visitOutbox(p *config.RevisitParts) error {
	o := VisitOutboxOptions{Log: w.log}
	switch {
	case p.Visits != nil:
		o.OutboxURL, o.ServiceURL = "sqlite:"+p.Outbox, p.Visits.URL
		o.CAFile, o.ClientCert, o.ClientKey = p.Visits.CAFile, p.Visits.ClientCert, p.Visits.ClientKey
	case w.rv.service != nil:
		certs := w.standInCerts()
		o.OutboxURL = "sqlite:" + filepath.Join(w.Config.Parts.Results.State, "visits-outbox.db")
		o.ServiceURL = "https://" + w.rv.serviceAddr
		o.CAFile, o.ClientCert, o.ClientKey = filepath.Join(certs, onshi.FileCA), filepath.Join(certs, onshi.FileKiosk), filepath.Join(certs, onshi.FileKioskKey)
	default:
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := NewVisitOutbox(ctx, o)
	if err != nil {
		return err
	}
	w.onClose(func() { out.Close() })
	w.rv.outbox = out
	return nil
}

// keyMaterial reads a key file (0600, the current key first); the error
// names the field and the line, never a secret.
func keyMaterial(field, path string) ([]revisit.KeyMaterial, error) {
	keys, err := revisit.ReadKeyFile(path)
	if err != nil {
		return nil, bad(field, "%v", err)
	}
	return keys, nil
}

// runRevisit sends queued visit records while the kiosk runs.
func (w *World) runRevisit(ctx context.Context) {
	if w.rv.outbox == nil {
		return
	}
	go func() {
		if err := w.rv.outbox.Sender.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			w.log.Warn("visit records: the sender stopped", "fault", "revisit.visit_record", "err", err)
		}
	}()
}

// RevisitBook is the correspondence table; nil when re-visits are off.
func (w *World) RevisitBook() *revisit.Book { return w.rv.book }

// VisitOutbox is the kiosk's visit-record outbox; nil without a
// visit-history service.
func (w *World) VisitOutbox() *VisitOutbox { return w.rv.outbox }

// VisitService is the simulated world's visit-history stand-in and its
// address; nil unless parts.world.revisit.
func (w *World) VisitService() (*VisitService, string) { return w.rv.service, w.rv.serviceAddr }

// TicketRecorder is the simulated world's recording ticket printer; nil
// unless parts.world.revisit and no parts.printer.
func (w *World) TicketRecorder() *printertest.Recorder { return w.rv.printed }

// revisitStandIns starts the simulated world's re-visit surroundings: the
// demo's keys when there are none, a visit-history service on loopback
// and a recording printer.
func (w *World) revisitStandIns() error {
	p := w.Config.Parts.Revisit
	for _, k := range []struct{ field, path, id string }{{"parts.revisit.code_keys_file", p.CodeKeysFile, DemoKeyPrefix + "code-1"},
		{"parts.revisit.data_keys_file", p.DataKeysFile, DemoKeyPrefix + "data-1"}} {
		if _, err := os.Stat(k.path); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(k.path), 0o700); err != nil {
				return bad(k.field, "%v", err)
			}
			if err := revisit.AddKeyFileKey(k.path, k.id); err != nil {
				return bad(k.field, "%v", err)
			}
		}
	}
	if p.Visits == nil {
		if err := w.startVisitStandIn(); err != nil {
			return err
		}
	}
	if w.Printer == nil {
		return w.startRecordingPrinter()
	}
	return nil
}

func (w *World) standInCerts() string {
	return filepath.Join(w.Config.Parts.Results.State, "visits-tls")
}

func (w *World) startVisitStandIn() error {
	certs := w.standInCerts()
	pki, err := onshi.NewTLSPKI("uketsuke-demo-visits")
	if err == nil {
		err = pki.WriteFiles(certs, w.Config.Parts.KioskID, w.Config.Facility.Code)
	}
	if err != nil {
		return bad("parts.world.revisit", "the visit-history stand-in's certificates: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := NewVisitService(ctx, VisitServiceOptions{DB: filepath.Join(w.Config.Parts.Results.State, "visits-service.db"),
		CertFile: filepath.Join(certs, onshi.FileServer), KeyFile: filepath.Join(certs, onshi.FileServerKey),
		ClientCAFile: filepath.Join(certs, onshi.FileCA), Log: w.log})
	if err != nil {
		cancel()
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return bad("parts.world.revisit", "%v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Serve(ctx, ln)
	}()
	w.onClose(func() { cancel(); ln.Close(); <-done; svc.Close() })
	w.rv.service, w.rv.serviceAddr = svc, ln.Addr().String()
	return nil
}

// startRecordingPrinter serves a recording printer on loopback and prints
// to it as to a network printer.
func (w *World) startRecordingPrinter() error {
	rec := printertest.New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bad("parts.world.revisit", "%v", err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				rec.Serve(c)
			}()
		}
	}()
	w.onClose(func() { ln.Close() })
	p, err := printer.Network(ln.Addr().String())
	if err != nil {
		return bad("parts.world.revisit", "%v", err)
	}
	w.Printer, w.rv.printed = p, rec
	return nil
}

// checkRevisitFiles reads the key files as the kiosk would; a production
// kiosk refuses the simulated world's demo keys.
func checkRevisitFiles(c *config.Config, production bool) error {
	p := c.Parts.Revisit
	if !c.Revisit.Enabled() || p == nil {
		return nil
	}
	simulated := c.Parts.World != nil && c.Parts.World.Revisit
	for _, k := range []struct{ field, path string }{{"parts.revisit.code_keys_file", p.CodeKeysFile},
		{"parts.revisit.data_keys_file", p.DataKeysFile}} {
		if _, err := os.Stat(k.path); simulated && errors.Is(err, os.ErrNotExist) {
			continue // the simulated world makes its own
		}
		keys, err := keyMaterial(k.field, k.path)
		if err != nil {
			return err
		}
		for _, key := range keys {
			secret.Wipe(key.Secret)
			if production && strings.HasPrefix(key.ID, DemoKeyPrefix) {
				return bad(k.field, "key %q is the demo's: make the clinic's own with `uketsuke revisit keygen`", key.ID)
			}
		}
	}
	if v := p.Visits; v != nil {
		if _, err := certPool("parts.revisit.visits.ca_file", v.CAFile); err != nil {
			return err
		}
	}
	return nil
}

func revisitPlan(c *config.Config) map[string]any {
	r := c.Revisit
	m := map[string]any{"mode": r.VisitMode()}
	if !r.Enabled() || c.Parts.Revisit == nil {
		return m
	}
	p := c.Parts.Revisit
	m["database"] = redactedURL(p.DatabaseURL)
	m["code_keys_file"], m["data_keys_file"] = p.CodeKeysFile, p.DataKeysFile
	m["departments"], m["ask_proof"] = len(r.Departments), r.AskProof
	m["lapse_months"], m["desk_on_failed_monthly_check"] = r.LapseMonths, r.DeskOnFailedMonthlyCheck
	if p.Visits != nil {
		m["visits"] = map[string]any{"url": p.Visits.URL, "ca_pinned": true, "outbox": p.Outbox}
	}
	return m
}

// redactedURL drops a database URL's password and query (credentials).
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}
