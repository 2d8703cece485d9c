package wire

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/sim/world"
)

// Simulated describes a simulated world's configuration: the demo's and
// `uketsuke simulate`'s. Everything outside the kiosk is the simulated
// world's; the kiosk's own engines are real or stand-ins as asked.
type Simulated struct {
	Dir       string // results and audit logs go under it
	Transport string // inprocess (default) or pcsc
	Fast      bool   // no modelled latencies
	RealFace  bool   // Tesseract, the ONNX face engine and photographs instead of tags
	Faces     string // photographs for RealFace, one folder per person
	Models    string // face models for RealFace
	Encoding  string // result files: utf-8 (default) or shift_jis
	Audit     string // audit logs' folder; "" = Dir/log
	Results   string // the 連携 folder (face/, req/, res/); "" = Dir/results
	// Console turns the management console on, for tests and the demo;
	// its operators go into Operators.
	Console   config.Console
	Operators []config.Operator
	// Revisit turns re-visit reception on (both modes): the table in a
	// SQLite file under Dir, keys the world makes for itself (demo- ids,
	// refused by a production kiosk), the visit-history stand-in and a
	// recording ticket printer.
	Revisit bool
}

// SimulatedRevisit is re-visit reception's configuration in a simulated
// world under dir.
func SimulatedRevisit(c *config.Config, dir string) {
	c.Revisit = config.Revisit{Mode: config.ModeBoth, ClinicName: "デモ内科クリニック",
		Departments: []string{"内科", "小児科"}, LapseMonths: 6, DeskOnFailedMonthlyCheck: true}
	rv := filepath.Join(dir, "revisit")
	c.Parts.Revisit = &config.RevisitParts{DatabaseURL: "sqlite:" + filepath.Join(rv, "revisit.db"),
		CodeKeysFile: filepath.Join(rv, "code.keys"), DataKeysFile: filepath.Join(rv, "data.keys")}
	c.Parts.World.Revisit = true
	// The facility of the stand-in's kiosk certificate: reference numbers
	// are registered and de-registered under it (another is refused).
	c.Facility.Code = world.Institution
}

// SimulatedConfig builds the configuration of a simulated world.
func SimulatedConfig(s Simulated) *config.Config {
	c := config.Default()
	speed := "real"
	if s.Fast {
		speed = "fast"
	}
	audit := s.Audit
	if audit == "" {
		audit = filepath.Join(s.Dir, "log")
	}
	c.Parts = &config.Parts{KioskID: "simulated", Audit: audit,
		Reader:      config.Reader{Kind: config.KindVirtual},
		FaceCamera:  config.Camera{Kind: config.KindVirtual},
		CardCamera:  config.Camera{Kind: config.KindVirtual},
		OCR:         config.OCR{Kind: config.KindStandIn},
		FaceEngine:  config.FaceEngine{Kind: config.KindStandIn},
		Eligibility: config.Eligibility{Kind: config.KindVirtual},
		Results: config.Results{Dir: orString(s.Results, filepath.Join(s.Dir, "results")), Encoding: s.Encoding,
			State: filepath.Join(s.Dir, "reception")},
		World:   &config.World{Transport: s.Transport, Speed: speed, Faces: s.Faces},
		Console: s.Console,
		Staff:   config.Staff{Operators: s.Operators},
	}
	if s.Revisit {
		SimulatedRevisit(c, s.Dir)
	}
	if s.RealFace {
		c.Parts.OCR = config.OCR{Kind: config.KindTesseract, Workers: 1}
		c.Parts.FaceEngine = config.FaceEngine{Kind: config.KindONNX, Models: s.Models}
		// The simulated camera moves one photograph: it cannot show a head turning.
		c.Face.AllowStill = true
	}
	return c
}

// Demo is where the demo finds its real pieces.
type Demo struct {
	Dir      string // results (Dir/results) and audit logs
	Models   string // face models (build/models)
	Holder   string // the holder's photograph (build/demo/astronaut.png)
	Stranger string // someone else's photograph; "" = no stranger
	// Card is how the virtual card reaches the kiosk: "pcsc" (through
	// pcscd and vsmartcard's vpcd), "inprocess", or "" for pcsc when pcscd
	// shows vpcd's reader and in process otherwise.
	Card string
	// Revisit turns re-visit reception on (Simulated.Revisit).
	Revisit bool
}

// DemoConfig is the kiosk in the simulated world, with a short face
// attempt so the failure path is quick to see. With the holder's photo and
// the face models it runs the real pieces: Tesseract on rendered card
// fronts, the ONNX engine on a live camera made from the photo (the chip
// photo is made from the same photo); without them, stand-ins. The note
// says which, and why, for the operator window.
func DemoConfig(d Demo) (c *config.Config, note string) {
	missing := ""
	for _, f := range []string{d.Holder, filepath.Join(d.Models, "models.json")} {
		if _, err := os.Stat(f); err != nil || f == "" || d.Models == "" {
			missing = f
			break
		}
	}
	useReal := missing == ""
	transport, how := demoTransport(d.Card)
	c = SimulatedConfig(Simulated{Dir: d.Dir, RealFace: useReal, Models: d.Models, Transport: transport, Revisit: d.Revisit})
	defer func() { note += "; " + how }()
	c.Parts.KioskID = "demo"
	c.Face.AttemptTime.Duration = 6 * time.Second
	c.Session.Inactivity.Duration = 120 * time.Second
	if !useReal {
		return c, fmt.Sprintf("stand-ins: %s is missing (run `make demo-photos models`); card-face scan and face match are simulated", orString(missing, "the holder's photo"))
	}
	c.Parts.World.Holder = d.Holder
	if _, err := os.Stat(d.Stranger); err == nil {
		c.Parts.World.Stranger = d.Stranger
	}
	c.Face.AttemptTime.Duration = 10 * time.Second
	return c, "real pieces: Tesseract, ONNX face engine, HTTPS eligibility stand-in; photos " + filepath.Dir(d.Holder)
}

// demoTransport chooses how the demo's card reaches the kiosk and says so.
func demoTransport(want string) (transport, how string) {
	if want == "" {
		want = world.TransportInProcess
		if VirtualReaderReady() {
			want = world.TransportPCSC
		}
	}
	if want == world.TransportPCSC {
		return want, "the card through pcscd and vpcd (" + world.DefaultReader + ")"
	}
	return world.TransportInProcess, "the card in process (no pcscd showing vpcd's reader)"
}

// VirtualReaderReady says whether pcscd runs and shows the vpcd reader
// the simulated world's card goes into.
func VirtualReaderReady() bool {
	pc, err := pcsc.Establish(pcsc.AllowList{world.DefaultReader})
	if err != nil {
		return false
	}
	defer pc.Close()
	names, err := pc.Readers()
	return err == nil && slices.Contains(names, world.DefaultReader)
}

// ServedKiosk is what a production kiosk needs besides the served world.
type ServedKiosk struct {
	Dir       string // results, logs, update state
	Models    string // face models
	Reader    string // the vpcd reader's name pattern
	StaffHash string // parts.staff.pin_hash
	UpdateKey string // base64 Ed25519 public key for bundles
}

// ServedConfig is a production kiosk's configuration for a world served by
// another process (sim/world.Serve): the real reader stack through pcscd,
// image-file cameras, Tesseract, the ONNX face engine and the eligibility
// stand-in over HTTPS with its CA pinned. Image files do not move, so the
// motion check may not refuse a still attempt.
func ServedConfig(s *world.Served, k ServedKiosk) (*config.Config, error) {
	anchors, err := os.ReadFile(s.TrustFile)
	if err != nil {
		return nil, err
	}
	c := config.Default()
	c.Anchors = anchors
	c.Face.AllowStill = true
	c.Facility.Code = world.Institution // the facility its bundles are addressed to
	c.Parts = &config.Parts{KioskID: "kiosk-e2e", Audit: filepath.Join(k.Dir, "log"),
		// vpcd's reader has no USB device; the rig's image-file cameras make it a test rig.
		Reader:     config.Reader{Kind: config.KindPCSC, Allow: []string{k.Reader}, AllowVirtual: true},
		FaceCamera: config.Camera{Kind: config.KindFiles, Path: s.FaceFrames, FPS: 10},
		CardCamera: config.Camera{Kind: config.KindFiles, Path: s.CardFront, FPS: 5},
		OCR:        config.OCR{Kind: config.KindTesseract, Workers: 1},
		FaceEngine: config.FaceEngine{Kind: config.KindONNX, Models: k.Models},
		Eligibility: config.Eligibility{Kind: config.KindHTTPS, URL: s.URL,
			CAFile:     filepath.Join(s.TLSDir, onshi.FileCA),
			ClientCert: filepath.Join(s.TLSDir, onshi.FileKiosk), ClientKey: filepath.Join(s.TLSDir, onshi.FileKioskKey)},
		Results: config.Results{Dir: filepath.Join(k.Dir, "results"), State: filepath.Join(k.Dir, "reception")},
		Staff:   config.Staff{PINHash: k.StaffHash},
	}
	// The clinic's share, as the reception PC would have mounted it.
	if err := os.MkdirAll(c.Parts.Results.Dir, 0o750); err != nil {
		return nil, err
	}
	if k.UpdateKey != "" {
		c.Parts.Updates = config.Updates{Dir: filepath.Join(k.Dir, "updates"), State: filepath.Join(k.Dir, "state"),
			Keys: []string{k.UpdateKey}}
	}
	return c, c.Validate()
}
