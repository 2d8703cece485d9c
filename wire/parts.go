package wire

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	appcam "github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/reception"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/app/staff"
	hwcam "github.com/uketsuke/uketsuke/hardware/camera"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/hardware/ocr"
	"github.com/uketsuke/uketsuke/hardware/onnxface"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/i18n"
	simcam "github.com/uketsuke/uketsuke/sim/camera"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/world"
)

func bad(field, format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrConfig, &config.ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// engine is the real face engine, opened before the simulated world so
// that the world can choose clear photographs with it.
func (w *World) openFaceEngine() (*face.Engine, error) {
	p := w.Config.Parts.FaceEngine
	if p.Kind != config.KindONNX {
		return nil, nil
	}
	cfg, err := FaceConfig(w.Config)
	if err != nil {
		return nil, err
	}
	eng, closeEng, err := onnxface.Open(cfg)
	if err != nil {
		return nil, bad("parts.face_engine.models", "%v", err)
	}
	w.onClose(closeEng)
	return eng, nil
}

// FaceConfig is the face engine's configuration with the kiosk's policy
// applied: the threshold (0 keeps the model's calibrated one) and whether a
// still attempt may pass (image-file cameras in tests only).
func FaceConfig(c *config.Config) (*face.Config, error) {
	dir := c.Parts.FaceEngine.Models
	if _, err := os.Stat(filepath.Join(dir, "models.json")); err != nil {
		return nil, bad("parts.face_engine.models", "no models.json in %s", dir)
	}
	cfg := face.DefaultConfig(dir)
	if c.Face.Threshold != 0 {
		cfg.Embedder.Threshold = c.Face.Threshold
	}
	if c.Face.AllowStill {
		cfg.Temporal.RequireLive = false
	}
	return cfg, nil
}

// simulated builds the simulated world when a part is virtual.
func (w *World) simulated(eng *face.Engine) error {
	p := w.Config.Parts
	if p.Reader.Kind != config.KindVirtual {
		return nil
	}
	ws := config.World{}
	if p.World != nil {
		ws = *p.World
	}
	o := world.Options{Latency: standin.Realistic, RealSpeed: ws.Speed != "fast", Transport: ws.Transport,
		Reader: ws.Reader}
	if ws.Speed == "fast" {
		o.Latency = standin.Fast
	}
	if o.Transport == world.TransportPCSC {
		pc, err := pcsc.Establish(pcsc.AllowList{"Virtual PCD*"})
		if err != nil {
			return fmt.Errorf("wire: the virtual card through pcscd: %w", err)
		}
		w.onClose(func() { pc.Close() })
		o.PCSC = pc
	}
	realCameras := p.FaceCamera.Kind == config.KindVirtual && eng != nil
	if realCameras {
		if ws.Faces == "" && ws.Holder == "" {
			return bad("parts.world.faces", "a real face engine in the simulated world needs a folder of photos or a holder's photo")
		}
		o.Real = &world.RealFace{Engine: eng, Faces: ws.Faces, Holder: ws.Holder, Stranger: ws.Stranger}
	}
	sim, err := world.New(o)
	if err != nil {
		return err
	}
	w.onClose(sim.Close)
	w.Sim = sim
	return nil
}

func (w *World) trust() error {
	a, err := w.Config.TrustAnchors()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if a == nil && w.Sim != nil {
		a = w.Sim.Anchors()
	}
	if a == nil {
		return bad("trust_anchors", "the J-LIS trust anchors are missing: no card could be verified")
	}
	w.Anchors = a
	return nil
}

func (w *World) cardReader() error {
	r := w.Config.Parts.Reader
	if r.Kind == config.KindPCSC {
		g := w.gate()
		g.logged = new(sync.Map)
		w.reader = newPCSCReader(pcsc.AllowList(r.Allow), g, w.Anchors, w.log)
	}
	return nil
}

// cameras opens both cameras. A camera that does not open is a fault the
// kiosk shows, not a reason to stop: the PIN still works without it.
func (w *World) cameras() error {
	p := w.Config.Parts
	var err error
	w.Devices.FaceCamera, err = w.camera(p.FaceCamera, "parts.face_camera", session.ErrCodeNoFaceCamera)
	if err != nil {
		return err
	}
	w.Devices.CardCamera, err = w.camera(p.CardCamera, "parts.card_camera", session.ErrCodeNoCardCamera)
	return err
}

func (w *World) camera(c config.Camera, field string, missing session.ErrorCode) (appcam.Source, error) {
	switch c.Kind {
	case config.KindVirtual:
		if w.Sim == nil {
			return nil, bad(field+".kind", "virtual cameras belong to the simulated world")
		}
		d := w.Sim.StandIns()
		if field == "parts.face_camera" {
			return d.FaceCamera, nil
		}
		return d.CardCamera, nil
	case config.KindFiles:
		fps := c.FPS
		if fps == 0 {
			fps = 15
		}
		src, err := simcam.NewFileSource(simcam.FileConfig{Paths: []string{c.Path}, FPS: fps})
		if err != nil {
			return nil, bad(field+".path", "%v", err)
		}
		w.onClose(func() { src.Close() })
		return src, nil
	}
	kind := "face_camera"
	if field == "parts.card_camera" {
		kind = "card_camera"
	}
	if err := w.gate().camera(kind, c.Device); err != nil {
		w.fault(missing, err)
		return missingCamera{err}, nil
	}
	src, err := hwcam.Open(hwcam.Config{Path: c.Device, Width: orDefault(c.Width, 1280),
		Height: orDefault(c.Height, 720), Allow: cameraAllow(c.Allow)})
	if err != nil {
		w.fault(missing, err)
		return missingCamera{err}, nil
	}
	w.onClose(func() { src.Close() })
	return src, nil
}

func (w *World) gate() usbGate { return usbGate{cfg: w.Config, bus: w.usb, log: w.log} }

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func cameraAllow(rules []config.CameraRule) hwcam.AllowList {
	out := make(hwcam.AllowList, 0, len(rules))
	for _, r := range rules {
		out = append(out, hwcam.Rule{Driver: r.Driver, Card: r.Card, BusInfo: r.BusInfo})
	}
	return out
}

func (w *World) cardFaceReader() error {
	o := w.Config.Parts.OCR
	if o.Kind == config.KindStandIn {
		if w.Sim == nil {
			return bad("parts.ocr.kind", "the stand-in card-face reader belongs to the simulated world")
		}
		w.Devices.KeyReader = w.Sim.StandIns().KeyReader
		return nil
	}
	pool, err := ocr.NewPool(max(o.Workers, 1))
	if err != nil {
		return fmt.Errorf("wire: Tesseract: %w", err)
	}
	w.onClose(func() { pool.Close() })
	w.Devices.KeyReader = session.ScanKeys{Scanner: pool}
	return nil
}

// faceDevices puts the face engine and the photo decoder in place.
func (w *World) faceDevices(eng *face.Engine) error {
	if eng != nil {
		w.Devices.Face, w.Devices.Decoder = session.FaceAdapter{Engine: eng}, jp2.Decoder{}
		return nil
	}
	if w.Sim == nil {
		return bad("parts.face_engine.kind", "the stand-in face engine belongs to the simulated world")
	}
	d := w.Sim.StandIns()
	w.Devices.Face, w.Devices.Decoder = d.Face, d.Decoder
	return nil
}

func (w *World) eligibility() error {
	p := w.Config.Parts
	var client *eligibility.Client
	var err error
	adapter := &session.EligibilityAdapter{}
	if p.Eligibility.Kind == config.KindVirtual {
		if w.Sim == nil {
			return bad("parts.eligibility.kind", "the virtual service belongs to the simulated world")
		}
		client, err = eligibility.NewClient(eligibility.Config{BaseURL: w.Sim.ServiceURL(), TLS: w.Sim.KioskTLS(),
			Transport: w.Sim.Network(), AttemptTimeout: p.Eligibility.Timeout.Duration})
		adapter.Record = w.Sim.Record
	} else {
		client, err = httpsClient(p.Eligibility)
	}
	if err != nil {
		return err
	}
	w.onClose(client.Close)
	adapter.Client, adapter.Audit = client, w.filesRecorder()
	if adapter.Reception, err = w.receptionWriter(); err != nil {
		return err
	}
	w.Devices.Eligibility, w.results = adapter, adapter
	return w.requests(client)
}

// httpsClient is the real service's client: its CA pinned from the file,
// the kiosk's certificate, never the system's roots.
func httpsClient(e config.Eligibility) (*eligibility.Client, error) {
	tc, err := PinnedTLS(e)
	if err != nil {
		return nil, err
	}
	return eligibility.NewClient(eligibility.Config{BaseURL: e.URL, TLS: tc, AttemptTimeout: e.Timeout.Duration})
}

// PinnedTLS loads the service's CA and the kiosk's certificate.
func PinnedTLS(e config.Eligibility) (*tls.Config, error) {
	roots, err := certPool("parts.eligibility.ca_file", e.CAFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(e.ClientCert, e.ClientKey)
	if err != nil {
		return nil, bad("parts.eligibility.client_cert", "%v", err)
	}
	return &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// certPool reads the PEM certificates of a configured CA file (field names it).
func certPool(field, path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, bad(field, "%v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, bad(field, "%s holds no PEM certificate", path)
	}
	return pool, nil
}

// receptionFolders reads the result files' encoding, checks the 連携 folder
// and makes the kiosk-local state folder. The simulated world makes its own
// folder; a real kiosk's must exist (a share that is not mounted must never
// become a local folder).
func (w *World) receptionFolders() error {
	r := w.Config.Parts.Results
	enc, err := reception.ParseEncoding(orString(r.Encoding, "utf-8"))
	if err != nil {
		return bad("parts.results.encoding", "%v", err)
	}
	w.encoding = enc
	if w.Sim != nil {
		if err := os.MkdirAll(r.Dir, 0o750); err != nil {
			return bad("parts.results.dir", "%v", err)
		}
	}
	if fi, err := os.Stat(r.Dir); err != nil || !fi.IsDir() {
		return bad("parts.results.dir", "%s is not a folder the kiosk can reach (a share not mounted?)", r.Dir)
	}
	if err := os.MkdirAll(r.State, 0o700); err != nil {
		return bad("parts.results.state", "%v", err)
	}
	return nil
}

func (w *World) receptionWriter() (*reception.Writer, error) {
	if err := w.receptionFolders(); err != nil {
		return nil, err
	}
	r := w.Config.Parts.Results
	wr, err := reception.NewWriter(reception.WriterConfig{Root: r.Dir, StateDir: r.State,
		KioskID: w.Config.Parts.KioskID, Institution: w.Config.Facility.Code, Encoding: w.encoding})
	if err != nil {
		return nil, bad("parts.results.dir", "%v", err)
	}
	return wr, nil
}

// filesRecorder is the audit log's record of the reception files: one
// long-lived audit session for the kiosk's file work (written files,
// answered requests, retention), counts and terms only.
func (w *World) filesRecorder() reception.Recorder {
	if w.Audit == nil {
		return nil
	}
	if w.files == nil {
		w.files = w.Audit.Begin()
	}
	return w.files
}

// requests is the req/ → res/ service: checks by insured number that the
// reception system asks for, answered exactly once each.
func (w *World) requests(client *eligibility.Client) error {
	r := w.Config.Parts.Results
	svc, err := reception.NewService(reception.ServiceConfig{Root: r.Dir, StateDir: r.State,
		KioskID: w.Config.Parts.KioskID, Institution: w.Config.Facility.Code, Encoding: w.encoding, Lookup: client,
		Retention: time.Duration(r.RetentionDays) * 24 * time.Hour, Audit: w.filesRecorder(),
		OnError: func(err error) { w.log.Warn("reception folder", "fault", string(session.ErrCodeResults), "err", err) }})
	if err != nil {
		return bad("parts.results.dir", "%v", err)
	}
	w.requestService = svc
	return nil
}

func orString(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func (w *World) auditLog(v audit.Version) error {
	dir := w.Config.Parts.Audit
	log, err := audit.Open(audit.Options{Dir: dir, App: v})
	if err != nil {
		return bad("parts.audit", "%v", err)
	}
	w.onClose(func() { log.Close() })
	w.Audit = log
	return nil
}

func (w *World) staffGuard() error {
	h := w.Config.Parts.Staff.PINHash
	if h == "" {
		return nil
	}
	g, err := staff.NewGuard(h)
	if err != nil {
		return bad("parts.staff.pin_hash", "%v", err)
	}
	w.Staff = g
	return nil
}

// wording is the facility's own wording over the built-in catalogue.
func (w *World) wording() error {
	c, err := i18n.MustLoad().WithOverrides(i18n.Overrides(w.Config.Facility.Wording))
	if err != nil {
		return bad("facility.wording", "%v", err)
	}
	w.Catalog = c
	return nil
}

// workers is how many CPU-heavy tasks run at once: the OCR workers, at
// least two so face and card work overlap.
func workers(c *config.Config) int { return max(c.Parts.OCR.Workers, 2) }
