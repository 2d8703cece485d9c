package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/operator"
)

// Parts chooses the kiosk's devices, engines and services and where its
// files go. Only the kiosk's own configuration file sets them: an update
// bundle carries policy (thresholds, limits, wording, anchors), never the
// plumbing or the keys that verify the next bundle.
type Parts struct {
	KioskID     string      `json:"kiosk_id"` // names this kiosk in result files and logs
	Reader      Reader      `json:"reader"`
	FaceCamera  Camera      `json:"face_camera"`
	CardCamera  Camera      `json:"card_camera"`
	OCR         OCR         `json:"ocr"`
	FaceEngine  FaceEngine  `json:"face_engine"`
	Eligibility Eligibility `json:"eligibility"`
	Results     Results     `json:"results"`
	Audit       string      `json:"audit"` // folder of the operation and error logs
	Updates     Updates     `json:"updates"`
	Staff       Staff       `json:"staff"`
	// Console is the staff's web console on the clinic network; off
	// without an address.
	Console Console `json:"console,omitempty"`
	// Printer prints reception tickets (受付票); nil: no printer, the
	// number is shown on screen only.
	Printer *Printer `json:"printer,omitempty"`
	// Speech is the voice guidance; nil: on, with the defaults
	// (SpeechOrDefault).
	Speech *Speech `json:"speech,omitempty"`
	// Revisit is re-visit reception's database, keys and visit-history
	// service; required when revisit.mode is revisit or both.
	Revisit *RevisitParts `json:"revisit,omitempty"`
	// World shapes the simulated surroundings when a part is "virtual".
	World *World `json:"world,omitempty"`
	// TheftLock locks re-visit reception when the kiosk is carried off (theftlock.go).
	TheftLock *TheftLock `json:"theft_lock,omitempty"`
}

// The kinds of parts. Virtual and stand-in parts belong to the demo, the
// simulator and tests; the production kiosk refuses them.
const (
	KindPCSC      = "pcsc"      // reader: PC/SC through pcscd
	KindV4L2      = "v4l2"      // camera: Video4Linux2
	KindFiles     = "files"     // camera: image files (a file or a folder)
	KindTesseract = "tesseract" // card-face reader: Tesseract
	KindONNX      = "onnx"      // face engine: ONNX Runtime
	KindHTTPS     = "https"     // eligibility: the service over mutual TLS
	KindVirtual   = "virtual"   // the simulated world's card, camera or service
	KindStandIn   = "stand-in"  // an engine that recognises test tags
	KindNetwork   = "network"   // printer: ESC/POS over raw TCP (port 9100)
	KindUSB       = "usb"       // printer: ESC/POS through a USB printer class device
)

// Reader is the card reader.
type Reader struct {
	Kind  string   `json:"kind"`            // pcsc or virtual
	Allow []string `json:"allow,omitempty"` // pcsc: reader names, "*" at the end matches any rest
	// AllowVirtual admits an allowed reader with no USB device behind it
	// (vsmartcard's vpcd): test rigs with image-file cameras only. Every
	// other reader must be a USB device listed in devices.
	AllowVirtual bool `json:"allow_virtual,omitempty"`
}

// Camera is the face camera or the card-face camera.
type Camera struct {
	Kind   string  `json:"kind"`             // v4l2, files or virtual
	Device string  `json:"device,omitempty"` // v4l2: /dev/videoN
	Width  int     `json:"width,omitempty"`  // v4l2: 0 = 1280
	Height int     `json:"height,omitempty"` // v4l2: 0 = 720
	Path   string  `json:"path,omitempty"`   // files: an image or a folder of images
	FPS    float64 `json:"fps,omitempty"`    // files: 0 = 15
	// Allow is the v4l2 allow-list: the opened device must match a rule.
	Allow []CameraRule `json:"allow,omitempty"`
}

// CameraRule allows cameras whose named fields match (shell patterns); a
// rule must name the driver or the camera's model.
type CameraRule struct {
	Driver  string `json:"driver,omitempty"`   // e.g. uvcvideo
	Card    string `json:"card,omitempty"`     // e.g. "HD Pro Webcam C9*"
	BusInfo string `json:"bus_info,omitempty"` // e.g. usb-0000:00:14.0-2
}

// OCR is the card-face reader.
type OCR struct {
	Kind    string `json:"kind"`              // tesseract or stand-in
	Workers int    `json:"workers,omitempty"` // tesseract: 0 = 1
}

// FaceEngine is the face matcher.
type FaceEngine struct {
	Kind   string `json:"kind"`             // onnx or stand-in
	Models string `json:"models,omitempty"` // onnx: the folder with models.json
}

// Eligibility is the オンライン資格確認 service.
type Eligibility struct {
	Kind string `json:"kind"` // https or virtual
	URL  string `json:"url,omitempty"`
	// CAFile pins the service's CA: only certificates it issued are
	// trusted, never the system's roots.
	CAFile     string   `json:"ca_file,omitempty"`
	ClientCert string   `json:"client_cert,omitempty"` // the kiosk's certificate (PEM)
	ClientKey  string   `json:"client_key,omitempty"`  // its key (PEM), readable by the kiosk only
	Timeout    Duration `json:"timeout,omitempty"`     // one attempt; 0 = 3 s
}

// Results is the 連携 folder the clinic's reception system reads (face/,
// req/, res/ inside it; docs/reception-files.md), and the kiosk's own
// bookkeeping for it.
type Results struct {
	Dir      string `json:"dir"`                // a local folder or a mounted share; must exist
	Encoding string `json:"encoding,omitempty"` // utf-8 (default) or shift_jis
	// State is kiosk-local (never on the share): the file counter and the
	// req/ journal that answers every request exactly once.
	State string `json:"state"`
	// RetentionDays deletes this kiosk's files no reception system picked
	// up after that many days; 0 keeps them.
	RetentionDays int `json:"retention_days,omitempty"`
}

// Updates is where signed configuration bundles arrive and what verifies them.
type Updates struct {
	Dir   string   `json:"dir,omitempty"`   // bundles to apply (*.bundle)
	Keys  []string `json:"keys,omitempty"`  // Ed25519 public keys, base64
	State string   `json:"state,omitempty"` // folder for the applied bundle and its serial
}

// Staff is how staff prove who they are: the staff PIN (at least 6 digits,
// stored only as its hash) and the registered operators, who log in with
// their own card (app/operator; docs/operations.md says which wins).
type Staff struct {
	PINHash string `json:"pin_hash,omitempty"` // from `uketsuke config hash-pin`
	// Operators are the staff registered for card-based login.
	Operators []Operator `json:"operators,omitempty"`
	// SessionTimeout ends an operator session; 0 = 5 minutes.
	SessionTimeout Duration `json:"session_timeout,omitempty"`
	// PKCS11Module is the HPKI card vendor's PKCS#11 module (a .so);
	// empty: no HPKI cards, only My Number Cards.
	PKCS11Module string `json:"pkcs11_module,omitempty"`
	// HPKICAFile holds the HPKI CA certificates (PEM) an HPKI card's
	// certificate must chain to; required with PKCS11Module.
	HPKICAFile string `json:"hpki_ca_file,omitempty"`
}

// Printer is the reception-ticket printer: ESC/POS with Japanese Kanji
// mode (hardware/printer, docs/printer.md).
type Printer struct {
	Kind    string `json:"kind"`              // network or usb
	Address string `json:"address,omitempty"` // network: host:port, usually port 9100
	Device  string `json:"device,omitempty"`  // usb: /dev/usb/lpN or a udev link under /dev/
}

// Operator is one registered staff member.
type Operator struct {
	ID   string `json:"id"`   // in the access log: a-z, 0-9, '_' and '.'
	Name string `json:"name"` // shown on screen, never logged
	Role string `json:"role"` // reception or administrator
	// Fingerprint is the SHA-256 of the authentication certificate (DER),
	// 64 hex digits: `openssl x509 -in cert.pem -outform der | sha256sum`.
	Fingerprint string `json:"fingerprint"`
	// ConsoleFingerprint is the SHA-256 of the operator's console client
	// certificate (DER), in the same format; empty: no console for them.
	ConsoleFingerprint string `json:"console_fingerprint,omitempty"`
}

// Console is the management console: HTTPS with TLS 1.3 only, and a client
// certificate from ClientCAFile required of every browser; the certificate's
// fingerprint names the operator (Operator.ConsoleFingerprint).
type Console struct {
	Address      string `json:"address,omitempty"`        // host:port to listen on; empty: no console
	CertFile     string `json:"cert_file,omitempty"`      // the console's server certificate (PEM)
	KeyFile      string `json:"key_file,omitempty"`       // its key (PEM), readable by the kiosk only
	ClientCAFile string `json:"client_ca_file,omitempty"` // the CA that issues operators' console certificates (PEM)
}

// Enabled says whether the console is configured.
func (c Console) Enabled() bool { return c.Address != "" }

func (c Console) validate() error {
	if !c.Enabled() {
		if c.CertFile != "" || c.KeyFile != "" || c.ClientCAFile != "" {
			return bad("parts.console.address", "the console's files are set but its address is not")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(c.Address)
	if err != nil {
		return bad("parts.console.address", "%q is not host:port", c.Address)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.ContainsAny(host, "/ ") {
		return bad("parts.console.address", "%q: the port must be 0..65535", c.Address)
	}
	for _, f := range []struct{ field, path string }{{"parts.console.cert_file", c.CertFile},
		{"parts.console.key_file", c.KeyFile}, {"parts.console.client_ca_file", c.ClientCAFile}} {
		if f.path == "" {
			return bad(f.field, "the console needs its certificate, key and client CA")
		}
	}
	return nil
}

// World shapes the simulated surroundings.
type World struct {
	Transport string `json:"transport,omitempty"` // inprocess (default) or pcsc (through pcscd and vpcd)
	Speed     string `json:"speed,omitempty"`     // real (default: a real card's and engines' pace) or fast
	Faces     string `json:"faces,omitempty"`     // photos, one folder per person, for a real face engine
	// Holder and Stranger are two photo files (instead of Faces): the
	// card's holder (chip photo, live camera and card front) and a
	// different person at the camera.
	Holder   string `json:"holder,omitempty"`
	Stranger string `json:"stranger,omitempty"`
	Reader   string `json:"reader,omitempty"` // pcsc: the vpcd slot (default Virtual PCD 00 01)
	// Revisit runs re-visit's stand-ins beside the world (the demo's
	// `--revisit`): a visit-history service on loopback and a recording
	// ticket printer, where parts.revisit.visits and parts.printer are unset.
	Revisit bool `json:"revisit,omitempty"`
}

var (
	kioskID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,31}$`)
	pinHashes = regexp.MustCompile(`^\$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)
)

func (p *Parts) validate() error {
	checks := []func() error{p.validateID, p.Reader.validate, p.FaceCamera.validate("parts.face_camera"),
		p.CardCamera.validate("parts.card_camera"), p.OCR.validate, p.FaceEngine.validate,
		p.Eligibility.validate, p.Results.validate, p.Updates.validate, p.Staff.validate, p.validatePrinter,
		p.validateRevisit, p.Console.validate, p.validateConsoleOperators, p.SpeechOrDefault().validate, p.validateWorld}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return p.validateTheftLock()
}

func (p *Parts) validateID() error {
	if !kioskID.MatchString(p.KioskID) {
		return bad("parts.kiosk_id", "%q: 1-32 letters, digits or -", p.KioskID)
	}
	if p.Audit == "" {
		return bad("parts.audit", "the folder for the audit logs is missing")
	}
	return nil
}

func oneOf(field, kind string, kinds ...string) error {
	for _, k := range kinds {
		if kind == k {
			return nil
		}
	}
	return bad(field, "%q is not one of %s", kind, strings.Join(kinds, ", "))
}

func (r Reader) validate() error {
	if err := oneOf("parts.reader.kind", r.Kind, KindPCSC, KindVirtual); err != nil {
		return err
	}
	if r.Kind == KindPCSC && len(r.Allow) == 0 {
		return bad("parts.reader.allow", "a PC/SC reader needs an allow-list of reader names")
	}
	for i, a := range r.Allow {
		if a == "" || a == "*" || strings.Contains(strings.TrimSuffix(a, "*"), "*") {
			return bad(fmt.Sprintf("parts.reader.allow[%d]", i), "%q: a reader name, optionally ending in *", a)
		}
	}
	return nil
}

func (c Camera) validate(field string) func() error {
	return func() error {
		if err := oneOf(field+".kind", c.Kind, KindV4L2, KindFiles, KindVirtual); err != nil {
			return err
		}
		switch {
		case c.Kind == KindV4L2 && !strings.HasPrefix(c.Device, "/dev/"):
			return bad(field+".device", "%q is not a device path like /dev/video0", c.Device)
		case c.Kind == KindV4L2 && len(c.Allow) == 0:
			return bad(field+".allow", "a V4L2 camera needs an allow-list naming its driver or model")
		case c.Kind == KindFiles && c.Path == "":
			return bad(field+".path", "an image file or folder is needed")
		case c.Width < 0 || c.Width > 4096 || c.Height < 0 || c.Height > 4096:
			return bad(field+".width", "%dx%d is outside 0..4096", c.Width, c.Height)
		case c.FPS < 0 || c.FPS > 120:
			return bad(field+".fps", "%v is outside 0..120", c.FPS)
		}
		for i, r := range c.Allow {
			if r.Driver == "" && r.Card == "" {
				return bad(fmt.Sprintf("%s.allow[%d]", field, i), "name the driver or the camera's model")
			}
		}
		return nil
	}
}

func (o OCR) validate() error {
	if err := oneOf("parts.ocr.kind", o.Kind, KindTesseract, KindStandIn); err != nil {
		return err
	}
	if o.Workers < 0 || o.Workers > 8 {
		return bad("parts.ocr.workers", "%d is outside 0..8", o.Workers)
	}
	return nil
}

func (f FaceEngine) validate() error {
	if err := oneOf("parts.face_engine.kind", f.Kind, KindONNX, KindStandIn); err != nil {
		return err
	}
	if f.Kind == KindONNX && f.Models == "" {
		return bad("parts.face_engine.models", "the folder with models.json is missing")
	}
	return nil
}

func (e Eligibility) validate() error {
	if err := oneOf("parts.eligibility.kind", e.Kind, KindHTTPS, KindVirtual); err != nil {
		return err
	}
	if e.Timeout.Duration != 0 {
		if err := inRange("parts.eligibility.timeout", e.Timeout, 500*time.Millisecond, 30*time.Second); err != nil {
			return err
		}
	}
	if e.Kind != KindHTTPS {
		return nil
	}
	u, err := url.Parse(e.URL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return bad("parts.eligibility.url", "%q is not an https:// address", e.URL)
	case e.CAFile == "":
		return bad("parts.eligibility.ca_file", "the service's CA must be pinned; the system's roots are never trusted")
	case e.ClientCert == "" || e.ClientKey == "":
		return bad("parts.eligibility.client_cert", "the kiosk's client certificate and key are needed")
	}
	return nil
}

func (r Results) validate() error {
	if r.Dir == "" {
		return bad("parts.results.dir", "the folder for result files is missing")
	}
	if r.State == "" {
		return bad("parts.results.state", "a kiosk-local folder for the file counter and the request journal is missing")
	}
	if r.RetentionDays < 0 || r.RetentionDays > 365 {
		return bad("parts.results.retention_days", "%d is outside 0..365", r.RetentionDays)
	}
	if r.Encoding != "" {
		return oneOf("parts.results.encoding", r.Encoding, "utf-8", "shift_jis")
	}
	return nil
}

func (u Updates) validate() error {
	if u.Dir == "" && len(u.Keys) == 0 {
		return nil
	}
	if u.Dir == "" || u.State == "" {
		return bad("parts.updates.dir", "bundles need both a folder to arrive in and a state folder")
	}
	if len(u.Keys) == 0 {
		return bad("parts.updates.keys", "bundles need at least one verification key")
	}
	for i := range u.Keys {
		if _, err := u.key(i); err != nil {
			return bad(fmt.Sprintf("parts.updates.keys[%d]", i), "%v", err)
		}
	}
	return nil
}

func (u Updates) key(i int) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(u.Keys[i])
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not a base64 Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// VerificationKeys are the keys bundles must be signed with.
func (u Updates) VerificationKeys() []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for i := range u.Keys {
		if k, err := u.key(i); err == nil {
			out = append(out, k)
		}
	}
	return out
}

func (s Staff) validate() error {
	if s.PINHash != "" && !pinHashes.MatchString(s.PINHash) {
		return bad("parts.staff.pin_hash", "not an argon2id hash from `uketsuke config hash-pin`")
	}
	if s.SessionTimeout.Duration != 0 {
		if err := inRange("parts.staff.session_timeout", s.SessionTimeout, time.Minute, time.Hour); err != nil {
			return err
		}
	}
	if (s.PKCS11Module == "") != (s.HPKICAFile == "") {
		return bad("parts.staff.hpki_ca_file", "an HPKI PKCS#11 module and the HPKI CA file go together")
	}
	if s.PKCS11Module != "" && !strings.HasPrefix(s.PKCS11Module, "/") {
		return bad("parts.staff.pkcs11_module", "%q is not an absolute path", s.PKCS11Module)
	}
	_, err := s.Registered()
	return err
}

// Registered is the operator list in the domain's terms: ids that can
// name an operator in the access log, known roles, fingerprints of 64 hex
// digits, no id or certificate twice.
func (s Staff) Registered() ([]operator.Operator, error) {
	out := make([]operator.Operator, 0, len(s.Operators))
	ids, fps := map[string]bool{}, map[operator.Fingerprint]bool{}
	for i, o := range s.Operators {
		field := fmt.Sprintf("parts.staff.operators[%d]", i)
		role, err := operator.ParseRole(o.Role)
		if err != nil {
			return nil, bad(field+".role", "%v", err)
		}
		if err := operator.CheckID(o.ID); err != nil {
			return nil, bad(field+".id", "%v", err)
		}
		fp, err := operator.ParseFingerprint(o.Fingerprint)
		if err != nil {
			return nil, bad(field+".fingerprint", "%v", err)
		}
		var console operator.Fingerprint
		if o.ConsoleFingerprint != "" {
			if console, err = operator.ParseFingerprint(o.ConsoleFingerprint); err != nil {
				return nil, bad(field+".console_fingerprint", "%v", err)
			}
			if fps[console] || console == fp {
				return nil, bad(field+".console_fingerprint", "the same certificate is registered twice")
			}
		}
		switch {
		case ids[o.ID]:
			return nil, bad(field+".id", "%q is registered twice", o.ID)
		case fps[fp]:
			return nil, bad(field+".fingerprint", "the same certificate is registered twice")
		case o.Name == "" || len(o.Name) > 100:
			return nil, bad(field+".name", "a display name of 1-100 bytes is needed")
		}
		ids[o.ID], fps[fp] = true, true
		if o.ConsoleFingerprint != "" {
			fps[console] = true
		}
		out = append(out, operator.Operator{ID: o.ID, Name: o.Name, Role: role, Fingerprint: fp, Console: console})
	}
	return out, nil
}

func (p *Parts) validateConsoleOperators() error {
	if !p.Console.Enabled() {
		return nil
	}
	for _, o := range p.Staff.Operators {
		if o.ConsoleFingerprint != "" {
			return nil
		}
	}
	return bad("parts.staff.operators", "the console is on but no operator has a console_fingerprint")
}

func (p *Parts) validatePrinter() error {
	pr := p.Printer
	if pr == nil {
		return nil
	}
	if err := oneOf("parts.printer.kind", pr.Kind, KindNetwork, KindUSB); err != nil {
		return err
	}
	if pr.Kind == KindUSB {
		if pr.Address != "" || !strings.HasPrefix(pr.Device, "/dev/") || path.Clean(pr.Device) != pr.Device {
			return bad("parts.printer.device", "%q is not a device path like /dev/usb/lp0 (and a usb printer has no address)", pr.Device)
		}
		return nil
	}
	host, port, err := net.SplitHostPort(pr.Address)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 || pr.Device != "" {
		return bad("parts.printer.address", "%q is not host:port like 192.0.2.10:9100 (and a network printer has no device)", pr.Address)
	}
	return nil
}

func (p *Parts) validateWorld() error {
	virtual := p.Reader.Kind == KindVirtual || p.FaceCamera.Kind == KindVirtual ||
		p.CardCamera.Kind == KindVirtual || p.Eligibility.Kind == KindVirtual
	if !virtual {
		if p.World != nil {
			return bad("parts.world", "no part is virtual")
		}
		return nil
	}
	if p.Reader.Kind != KindVirtual || p.Eligibility.Kind != KindVirtual {
		return bad("parts.reader.kind", "the simulated world's card and eligibility service go together")
	}
	if p.World == nil {
		return nil
	}
	w := p.World
	if w.Transport != "" {
		if err := oneOf("parts.world.transport", w.Transport, "inprocess", "pcsc"); err != nil {
			return err
		}
	}
	if w.Speed != "" {
		return oneOf("parts.world.speed", w.Speed, "real", "fast")
	}
	return nil
}

// Production reports the first part that only the demo or tests may use.
func (p *Parts) Production() error {
	kinds := []struct{ field, kind string }{
		{"parts.reader.kind", p.Reader.Kind}, {"parts.face_camera.kind", p.FaceCamera.Kind},
		{"parts.card_camera.kind", p.CardCamera.Kind}, {"parts.ocr.kind", p.OCR.Kind},
		{"parts.face_engine.kind", p.FaceEngine.Kind}, {"parts.eligibility.kind", p.Eligibility.Kind},
	}
	for _, k := range kinds {
		if k.kind == KindVirtual || k.kind == KindStandIn {
			return bad(k.field, "%q is for the demo and tests, not a kiosk", k.kind)
		}
	}
	if p.Staff.PINHash == "" {
		return bad("parts.staff.pin_hash", "a kiosk needs a staff PIN (`uketsuke config hash-pin`)")
	}
	return nil
}

// ProductionPolicy reports a policy setting that only a test rig may use.
func (c *Config) ProductionPolicy() error {
	filesOnly := c.Parts != nil && c.Parts.FaceCamera.Kind == KindFiles
	if c.Face.AllowStill && !filesOnly {
		return bad("face.allow_still", "a live camera must see motion: allow_still is for image-file cameras in tests")
	}
	if c.Parts != nil && c.Parts.Reader.AllowVirtual && !filesOnly {
		return bad("parts.reader.allow_virtual", "a virtual reader is for test rigs with image-file cameras")
	}
	if len(c.Anchors) == 0 {
		return bad("trust_anchors", "the J-LIS trust anchors are missing: no card could be verified")
	}
	return nil
}
