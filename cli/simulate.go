package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg" // LFW photos
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	appcam "github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/hardware/ocr"
	"github.com/uketsuke/uketsuke/hardware/onnxface"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	simcam "github.com/uketsuke/uketsuke/sim/camera"
	"github.com/uketsuke/uketsuke/sim/cardface"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/standin"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
)

func init() {
	Register(Command{Name: "simulate", Summary: "run a whole kiosk session headless from a scenario", Run: runSimulate})
	Register(Command{Name: "simulate bench", Summary: "ms from choosing 顔認証 to the eligibility result (median, p95)", Run: runSimulateBench})
}

type simFlags struct {
	scenario  string
	json      bool
	transport string
	world     string
	face      string
	faces     string
	models    string
	latency   string
	attempt   time.Duration
	audit     string
}

func (f *simFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.transport, "transport", "inprocess", "how the kiosk reaches the virtual card: inprocess or pcsc")
	fs.StringVar(&f.world, "world", "virtual", "virtual: the real card stack on the virtual card and the eligibility stand-in over HTTPS;"+
		" stand-in: every port faked")
	fs.StringVar(&f.face, "face", "stand-in", "virtual world's cameras, card-face OCR and face engine: stand-in or real"+
		" (LFW photos through sim/camera, Tesseract, JPEG 2000, ONNX face engine)")
	fs.StringVar(&f.faces, "faces", "../shared/faces/lfw-devtrain", "photos for --face real, one folder per person")
	fs.StringVar(&f.models, "models", "build/models", "face models for --face real")
	fs.StringVar(&f.latency, "latency", "real", "stand-in speed: real (measured device latencies) or fast")
	fs.DurationVar(&f.attempt, "attempt-time", 10*time.Second, "time budget of one face attempt")
	fs.StringVar(&f.audit, "audit", "", "write the operation and error logs (JSON lines) into this folder")
}

func runSimulate(ctx context.Context, env *Env, args []string) error {
	var f simFlags
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.scenario, "scenario", "", "built-in scenario name or a scenario file ("+strings.Join(scenario.Names(), ", ")+", all)")
	fs.BoolVar(&f.json, "json", false, "one JSON object per line")
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if f.scenario == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: simulate --scenario NAME|FILE [--json] [--transport inprocess|pcsc]", ErrUsage)
	}
	names := []string{f.scenario}
	if f.scenario == "all" {
		names = scenario.Names()
	}
	for _, name := range names {
		if err := simulateOne(ctx, env, &f, name); err != nil {
			return err
		}
	}
	return nil
}

func simulateOne(ctx context.Context, env *Env, f *simFlags, name string) error {
	sc, err := scenario.Load(name)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	world, closeWorld, err := newSimWorld(f)
	if err != nil {
		return err
	}
	defer closeWorld()
	log, err := openSimAudit(f.audit)
	if err != nil {
		return err
	}
	if log != nil {
		defer log.Close()
	}
	out := newTracePrinter(env.Stdout, f.json, sc.Name)
	reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(f, world),
		Audit: log, Trace: out.print})
	for i, r := range reps {
		var runErr error
		if i == len(reps)-1 {
			runErr = err
		}
		out.report(r, runErr)
	}
	return err
}

// openSimAudit opens the audit logs when --audit names a folder.
func openSimAudit(dir string) (*audit.Logger, error) {
	if dir == "" {
		return nil, nil
	}
	return audit.Open(audit.Options{Dir: dir, App: audit.Version{Major: 0, Minor: 1}})
}

func simSettings(f *simFlags, w scenario.World) session.Settings {
	s := session.DefaultSettings()
	s.FaceAttemptTime = f.attempt
	return s
}

// newSimWorld picks the kiosk's surroundings for the flags.
func newSimWorld(f *simFlags) (scenario.World, func(), error) {
	lat := standin.Realistic
	switch f.latency {
	case "real":
	case "fast":
		lat = standin.Fast
	default:
		return nil, nil, fmt.Errorf("%w: --latency real or fast", ErrUsage)
	}
	if f.transport != "inprocess" && f.transport != "pcsc" {
		return nil, nil, fmt.Errorf("%w: --transport inprocess or pcsc", ErrUsage)
	}
	switch f.world {
	case "stand-in":
		if f.transport != "inprocess" {
			return nil, nil, fmt.Errorf("%w: the stand-in world has no card to reach through pcscd", ErrUsage)
		}
		return scenario.NewFakeWorld(lat), func() {}, nil
	case "virtual":
		w, err := newVirtualWorld(lat, f.transport, f.latency == "real")
		if err != nil {
			return nil, nil, err
		}
		if err := w.useFace(f); err != nil {
			w.close()
			return nil, nil, err
		}
		return w, w.close, nil
	}
	return nil, nil, fmt.Errorf("%w: --world virtual or stand-in", ErrUsage)
}

// tracePrinter writes each event with a millisecond timestamp.
type tracePrinter struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	name string
}

func newTracePrinter(w io.Writer, asJSON bool, name string) *tracePrinter {
	return &tracePrinter{w: w, json: asJSON, name: name}
}

func (p *tracePrinter) print(t scenario.Trace) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ms := float64(t.At.Microseconds()) / 1000
	if p.json {
		line, _ := json.Marshal(struct {
			T        float64 `json:"t_ms"`
			Scenario string  `json:"scenario"`
			Run      string  `json:"run"`
			Kind     string  `json:"kind"`
			Name     string  `json:"name"`
			From     string  `json:"from,omitempty"`
			To       string  `json:"to,omitempty"`
			Detail   string  `json:"detail,omitempty"`
		}{ms, p.name, t.Run, t.Kind, t.Name, t.From, t.To, t.Detail})
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	move := ""
	if t.Kind == "event" {
		move = t.From + " → " + t.To
	}
	fmt.Fprintf(p.w, "%10.3f ms  %-22s %-6s %-14s %-28s %s\n", ms, t.Run, t.Kind, t.Name, move, t.Detail)
}

func (p *tracePrinter) report(r scenario.Report, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := "ok"
	if err != nil {
		status = "FAILED: " + err.Error()
	}
	f2r := float64(r.FaceToResult.Microseconds()) / 1000
	if p.json {
		line, _ := json.Marshal(map[string]any{"kind": "result", "scenario": p.name, "run": r.Run,
			"elapsed_ms": r.Elapsed.Milliseconds(), "face_to_result_ms": f2r, "final": r.Final.String(), "status": status})
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	fmt.Fprintf(p.w, "== %s / %s: %s in %d ms (face→result %.1f ms), final %s\n", p.name, r.Run, status,
		r.Elapsed.Milliseconds(), f2r, r.Final)
}

func runSimulateBench(ctx context.Context, env *Env, args []string) error {
	var f simFlags
	fs := flag.NewFlagSet("simulate bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	n := fs.Int("n", 50, "sessions")
	think := fs.Duration("think", 0, "the patient reads each screen this long before touching (0: taps at once, the worst case)")
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *n < 1 || *n > 10000 {
		return fmt.Errorf("%w: -n must be 1..10000", ErrUsage)
	}
	sc, err := scenario.Load("face-ok")
	if err != nil {
		return err
	}
	sc = scenario.WithThinkTime(sc, *think)
	world, closeWorld, err := newSimWorld(&f)
	if err != nil {
		return err
	}
	defer closeWorld()
	var samples []time.Duration
	stages := map[string][]time.Duration{}
	failed := 0
	for i := 0; i < *n; i++ {
		reps, err := scenario.Run(ctx, sc, scenario.Options{World: world, Settings: simSettings(&f, world)})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			fmt.Fprintf(env.Stderr, "session %d: %v\n", i+1, err)
			continue
		}
		samples = append(samples, reps[0].FaceToResult)
		for name, d := range reps[0].Stages {
			stages[name] = append(stages[name], d)
		}
	}
	fmt.Fprintf(env.Stdout, "simulate bench: %d sessions, transport %s, latency %s, face %s, think %v\n",
		*n, f.transport, f.latency, f.face, *think)
	if len(samples) == 0 {
		return fmt.Errorf("simulate bench: every session failed")
	}
	med, p95 := simPercentile(samples, 0.5), simPercentile(samples, 0.95)
	fmt.Fprintf(env.Stdout, "choose 顔認証 → eligibility result: median %.1f ms, p95 %.1f ms, max %.1f ms (%d sessions)\n",
		simMS(med), simMS(p95), simMS(simPercentile(samples, 1)), len(samples))
	if failed > 0 {
		fmt.Fprintf(env.Stdout, "failed sessions: %d of %d (not in the figures)\n", failed, *n)
	}
	printStages(env.Stdout, stages)
	return nil
}

// printStages shows where the time goes: each stage's median and p95.
func printStages(w io.Writer, stages map[string][]time.Duration) {
	names := make([]string, 0, len(stages))
	for n := range stages {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "stages (median / p95 ms):")
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %8.1f %8.1f\n", strings.TrimPrefix(n, "stage."),
			simMS(simPercentile(stages[n], 0.5)), simMS(simPercentile(stages[n], 0.95)))
	}
}

func simPercentile(s []time.Duration, q float64) time.Duration {
	c := append([]time.Duration(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	i := int(q*float64(len(c))+0.5) - 1
	return c[min(max(i, 0), len(c)-1)]
}

func simMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// virtualWorld puts the kiosk's real card stack (app/mynacard through the
// session's adapter) against the virtual My Number Card, in process or
// through pcscd and vpcd, and its real eligibility client against the
// stand-in service over HTTPS with an SQLite database. The cameras, the
// card-face OCR and the face engine are still stand-ins here.
type virtualWorld struct {
	stand       *standin.World
	transport   string
	realSpeed   bool
	jlis        *jlis.Hierarchy
	inst        *pinless.Hierarchy
	anchors     *mynacard.TrustAnchors
	photo       []byte
	pop         onshi.Population
	elig        *session.EligibilityAdapter
	live        *eligibility.Client
	setup       *eligibility.Client // links cards before a run, never delayed
	dead        *eligibility.Client
	delay       *delayTransport
	pc          *pcsc.Context
	stop        []func()
	real        *realFace // nil: stand-in face pieces
	detach      func()    // disconnects the previous card from vpcd
	cardLatency vcard.Latency

	mu         sync.Mutex
	service    scenario.Service
	nextPerson int
	person     int
}

const (
	simPopulation  = 2000
	simVPCDReader  = "Virtual PCD 00 01" // the second slot: card tools use the first
	simVPCDAddr    = "127.0.0.1:35964"
	simInstitution = "1312345678"
)

func newVirtualWorld(lat standin.Latency, transport string, realSpeed bool) (*virtualWorld, error) {
	w := &virtualWorld{stand: standin.NewWorld(lat), transport: transport, realSpeed: realSpeed,
		jlis: jlis.New(jlis.DefaultSeed), pop: onshi.Population{Seed: 7, N: simPopulation}}
	w.anchors = w.jlis.Anchors()
	var err error
	if w.photo, err = jp2.EncodeCardPhoto(image.NewGray(image.Rect(0, 0, jp2.CardPhotoWidth, jp2.CardPhotoHeight))); err != nil {
		return nil, err
	}
	if w.inst, err = pinless.NewHierarchy("simulate"); err != nil {
		return nil, err
	}
	if err := w.startService(); err != nil {
		w.close()
		return nil, err
	}
	if transport == "pcsc" {
		if w.pc, err = pcsc.Establish(pcsc.AllowList{"Virtual PCD*"}); err != nil {
			w.close()
			return nil, fmt.Errorf("simulate: --transport pcsc: %w", err)
		}
		w.stop = append(w.stop, func() { w.pc.Close() })
	}
	return w, nil
}

// startService runs the eligibility stand-in on a loopback port.
func (w *virtualWorld) startService() error {
	dir, err := os.MkdirTemp("", "uketsuke-simulate-")
	if err != nil {
		return err
	}
	w.stop = append(w.stop, func() { os.RemoveAll(dir) })
	store, err := onshi.OpenStore(filepath.Join(dir, "onshi.db"))
	if err != nil {
		return err
	}
	w.stop = append(w.stop, func() { store.Close() })
	if err := store.Seed(context.Background(), w.pop); err != nil {
		return err
	}
	pki, err := onshi.NewTLSPKI("simulate")
	if err != nil {
		return err
	}
	srv := onshi.NewServer(onshi.Config{Store: store, JPKIRoots: []*x509.Certificate{w.jlis.JPKIAuthCA},
		Institution: pinless.Simulated{H: w.inst}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln, pki.ServerConfig()); close(done) }()
	w.stop = append(w.stop, func() { cancel(); <-done })
	cert, err := pki.KioskCert("kiosk-simulate", simInstitution)
	if err != nil {
		return err
	}
	tlsCfg := pki.KioskConfig(cert)
	w.delay = &delayTransport{next: &http.Transport{TLSClientConfig: tlsCfg, MaxIdleConnsPerHost: 4}}
	if w.live, err = eligibility.NewClient(eligibility.Config{BaseURL: "https://" + ln.Addr().String(),
		TLS: tlsCfg, Transport: w.delay}); err != nil {
		return err
	}
	if w.setup, err = eligibility.NewClient(eligibility.Config{BaseURL: "https://" + ln.Addr().String(),
		TLS: tlsCfg}); err != nil {
		return err
	}
	// An address nothing listens on stands for the service being down.
	if w.dead, err = eligibility.NewClient(eligibility.Config{BaseURL: "https://127.0.0.1:1", TLS: tlsCfg,
		Attempts: 1, AttemptTimeout: 200 * time.Millisecond}); err != nil {
		return err
	}
	results := filepath.Join(dir, "results")
	if err := os.Mkdir(results, 0o700); err != nil {
		return err
	}
	writer, err := eligibility.NewWriter(results, eligibility.UTF8)
	if err != nil {
		return err
	}
	w.elig = &session.EligibilityAdapter{Client: w.live, Writer: writer, Record: w.record}
	return nil
}

func (w *virtualWorld) close() {
	if w.detach != nil {
		w.detach()
	}
	for i := len(w.stop) - 1; i >= 0; i-- {
		w.stop[i]()
	}
}

// delayTransport adds a configurable wait before each request: a slow
// network or a busy national system.
type delayTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	d    time.Duration
}

func (t *delayTransport) set(d time.Duration) { t.mu.Lock(); t.d = d; t.mu.Unlock() }

func (t *delayTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	d := t.d
	t.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return t.next.RoundTrip(r)
}

func (w *virtualWorld) Devices() session.Devices {
	d := w.stand.Devices()
	d.Eligibility = w.elig
	d.Decoder = jp2Decoder{tagHolder: true}
	if w.real != nil {
		d = w.real.devices(d)
	}
	return d
}

// useFace switches to the real face pieces when --face real.
func (w *virtualWorld) useFace(f *simFlags) error {
	switch f.face {
	case "stand-in":
		return nil
	case "real":
	default:
		return fmt.Errorf("%w: --face stand-in or real", ErrUsage)
	}
	if err := ocr.RestartWithThreadLimit(); err != nil {
		return err
	}
	r, err := newRealFace(f.faces, f.models)
	if err != nil {
		return err
	}
	w.real = r
	w.stop = append(w.stop, r.close)
	photo, err := jp2.EncodeCardPhoto(r.photo)
	if err != nil {
		return err
	}
	w.photo = photo
	return nil
}

// threshold is the face engine's calibrated threshold when it is real.
func (w *virtualWorld) threshold() (float64, bool) {
	if w.real == nil {
		return 0, false
	}
	return w.real.engine.Config.Threshold(), true
}

// jp2Decoder decodes the chip photo with the real JPEG 2000 decoder into
// locked memory. With tagHolder it marks the frame as the holder's for the
// stand-in face engine, which recognises people by that tag.
type jp2Decoder struct{ tagHolder bool }

func (d jp2Decoder) Decode(ctx context.Context, photo *secret.Buffer) (*appcam.Frame, error) {
	f, err := jp2.DecodeFrame(photo.Bytes())
	if err != nil {
		return nil, err
	}
	if d.tagHolder && len(f.Image.Pix) > 1 {
		f.Image.Pix[0], f.Image.Pix[1] = 7, 0
	}
	return f, nil
}

func (w *virtualWorld) ShowFace(who string, problem session.Guidance) {
	if w.real != nil {
		w.real.live.set(w.real.sources[who])
		return
	}
	person := map[string]byte{"holder": 7, "stranger": 9}[who]
	w.stand.Scene.Show(person, problem)
}

func (w *virtualWorld) PIN() []byte {
	pin := []byte(profile.Default().PIN)
	for i := range pin {
		pin[i] -= '0'
	}
	return pin
}

func (w *virtualWorld) SetService(s scenario.Service) {
	w.mu.Lock()
	w.service = s
	w.mu.Unlock()
	d, _ := time.ParseDuration(s.Delay)
	w.delay.set(d)
	w.elig.Client = w.live
	if s.Down {
		w.elig.Client = w.dead
	}
}

// record is the insurance record of the person the current card belongs to.
func (w *virtualWorld) record() eligibility.InsuranceQuery {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pop.Person(w.person)
	r := p.Records[0]
	return eligibility.InsuranceQuery{InsurerNumber: r.Insurer, InsuredCardSymbol: r.Symbol,
		InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch, Birthdate: p.Birth}
}

// pickPerson takes the next unused seeded person of the wanted kind: every
// card is a new identity, linked to a person nobody else holds.
func (w *virtualWorld) pickPerson(validity int) error {
	want := onshi.KindValid
	switch session.Validity(validity) {
	case session.ValidityInvalid:
		want = onshi.KindInvalid
	case session.ValidityInvalidNew:
		want = onshi.KindInvalidNew
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for ; w.nextPerson < simPopulation; w.nextPerson++ {
		if p := w.pop.Person(w.nextPerson); p.Kind == want && usableRecord(p) {
			w.person = w.nextPerson
			w.nextPerson++
			return nil
		}
	}
	return errors.New("simulate: the stand-in's population is used up")
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

// NewCard issues a fresh virtual card for the demo holder, links it to a
// seeded person unless the script wants an unregistered card, and connects
// it the way --transport says.
func (w *virtualWorld) NewCard(h scenario.Holder) (scenario.Card, error) {
	w.mu.Lock()
	svc := w.service
	w.mu.Unlock()
	if err := w.pickPerson(svc.Validity); err != nil {
		return nil, err
	}
	vc, err := w.virtualCard(h)
	if err != nil {
		return nil, err
	}
	// A card without a PIN has no user-authentication certificate on the
	// virtual card, so it cannot be linked (nor checked) PIN-less.
	if !svc.Unregistered && !svc.Down && kindOfHolder(h) == "" && !h.NoPIN {
		if err := w.link(vc); err != nil {
			return nil, fmt.Errorf("simulate: linking the card: %w", err)
		}
	}
	if w.transport == "pcsc" {
		return w.viaPCSC(vc)
	}
	return &simCard{MynaCard: session.NewMynaCard(vc, w.anchors), pull: vc.Pull}, nil
}

func kindOfHolder(h scenario.Holder) string {
	if h.Kind == "mynumber" {
		return ""
	}
	return h.Kind
}

func (w *virtualWorld) virtualCard(h scenario.Holder) (*vcard.Card, error) {
	p := profile.Default()
	p.Seed = time.Now().UnixNano()
	if h.NoPIN {
		p.PIN = ""
	}
	opts := vcard.Options{PhotoJP2: w.photo, TamperPhoto: h.BadRecord}
	switch h.Kind {
	case "juki":
		opts.Token = vcard.TokenJukiCard
	case "smartphone":
		opts.Token = vcard.TokenSmartphone
	}
	w.cardLatency = vcard.Latency{}
	if w.realSpeed {
		w.cardLatency = vcard.RealLatency
	}
	if d, _ := time.ParseDuration(h.CardDelay); d > 0 {
		w.cardLatency = vcard.Latency{PerAPDU: d}
	}
	opts.Latency = w.cardLatency
	vc, err := vcard.New(p, opts)
	if err != nil {
		return nil, err
	}
	vc.EnableInstitutionAuth(&w.inst.CAKey.PublicKey)
	if w.real != nil {
		return vc, w.real.showCard(p)
	}
	code, err := vcard.CodeB(p)
	if err != nil {
		return nil, err
	}
	w.stand.Keys.SetKey(standin.Masked([]byte(code)))
	return vc, nil
}

// link registers the card with the stand-in, as a previous visit would have.
func (w *virtualWorld) link(vc *vcard.Card) error {
	ctx := context.Background()
	vc.SetLatency(vcard.Latency{})
	defer vc.SetLatency(w.cardLatency)
	out, err := w.setup.CheckPinless(ctx, vc)
	if err != nil {
		return err
	}
	if out.RegistrationRequired {
		_, err = w.setup.Register(ctx, "", out.Session, w.record())
	}
	return err
}

// viaPCSC connects the virtual card to vpcd and the kiosk to the reader pcscd shows.
func (w *virtualWorld) viaPCSC(vc *vcard.Card) (scenario.Card, error) {
	if w.detach != nil {
		w.detach()
	}
	client := vpcd.New(simVPCDAddr, vc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { client.Run(ctx); close(done) }()
	var conn *pcsc.Conn
	w.detach = func() {
		if conn != nil {
			conn.Close()
		}
		cancel()
		<-done
		wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		w.pc.WaitFor(wait, simVPCDReader, false)
		w.detach = nil
	}
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := w.pc.WaitFor(wait, simVPCDReader, true); err != nil {
		w.detach()
		return nil, fmt.Errorf("simulate: the virtual card did not appear in %q: %w", simVPCDReader, err)
	}
	var err error
	if conn, err = w.pc.Connect(simVPCDReader); err != nil {
		w.detach()
		return nil, err
	}
	return &simCard{MynaCard: session.NewMynaCard(conn, w.anchors), pull: client.Pull}, nil
}

// simCard is the kiosk's card adapter plus the script's hand that pulls it.
type simCard struct {
	*session.MynaCard
	pull func()
}

func (c *simCard) Pull() { c.pull() }

// realFace replaces the stand-in face pieces with the real ones: image-file
// cameras (sim/camera) showing LFW photos, Tesseract reading the rendered
// card face, the JPEG 2000 decoder and the ONNX face engine. The card's chip
// photo and the live camera show different photos of the same person.
type realFace struct {
	ocr       *ocr.Pool
	engine    *face.Engine
	closeEng  func()
	photo     image.Image // the holder's chip photo
	cardStill *simcam.StillSource
	live      *switchSource
	sources   map[string]appcam.Source
}

func newRealFace(faces, models string) (*realFace, error) {
	r := &realFace{sources: map[string]appcam.Source{}}
	var err error
	if r.ocr, err = ocr.NewPool(1); err != nil {
		return nil, err
	}
	if r.engine, r.closeEng, err = onnxface.Open(face.DefaultConfig(models)); err != nil {
		r.ocr.Close()
		return nil, fmt.Errorf("simulate: --face real: %w", err)
	}
	holder, stranger, err := pickPeople(r.engine, faces)
	if err != nil {
		r.closeEng()
		r.ocr.Close()
		return nil, err
	}
	if err := r.openSources(holder, stranger); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *realFace) openSources(holder [2]string, stranger string) error {
	var err error
	if r.photo, err = simDecodeImage(holder[0]); err != nil {
		return err
	}
	for who, file := range map[string]string{"holder": holder[1], "stranger": stranger} {
		img, err := simDecodeImage(file)
		if err != nil {
			return err
		}
		if r.sources[who], err = simcam.NewLiveFaceSource(simcam.LiveConfig{Face: img, FPS: 15, Seed: 1}); err != nil {
			return err
		}
	}
	r.sources["nobody"] = simcam.NewStillSource(image.NewGray(image.Rect(0, 0, 640, 480)), 15)
	r.live = &switchSource{cur: r.sources["nobody"]}
	r.cardStill = simcam.NewStillSource(image.NewGray(image.Rect(0, 0, 64, 64)), 15)
	return nil
}

// pickPeople chooses, among the first people with two photos, the pair the
// engine scores highest as the holder (chip photo, live photo), and the
// next person as the stranger. This is a functional and timing simulator:
// a borderline LFW pair would make it flaky, and accuracy is what
// `uketsuke face bench` measures.
func pickPeople(eng *face.Engine, dir string) (holder [2]string, stranger string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return holder, "", fmt.Errorf("simulate: --faces %s: %w (../shared/faces is not on this machine?)", dir, err)
	}
	var people [][]string
	for _, e := range entries {
		files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*.jpg"))
		if len(files) > 0 {
			sort.Strings(files)
			people = append(people, files)
		}
	}
	best, bestAt, tried := -2.0, -1, 0
	for i, files := range people {
		if len(files) < 2 || tried == 8 {
			continue
		}
		tried++
		if s, ok := pairScore(eng, files[0], files[1]); ok && s > best {
			best, bestAt = s, i
		}
	}
	if bestAt < 0 || len(people) < 2 {
		return holder, "", fmt.Errorf("simulate: %s has no two people with usable photos", dir)
	}
	holder = [2]string{people[bestAt][0], people[bestAt][1]}
	return holder, people[(bestAt+1)%len(people)][0], nil
}

// pairScore is the engine's similarity of two photos of one person.
func pairScore(eng *face.Engine, a, b string) (float64, bool) {
	ea, ok := photoEmbedding(eng, a)
	if !ok {
		return 0, false
	}
	defer ea.Destroy()
	eb, ok := photoEmbedding(eng, b)
	if !ok {
		return 0, false
	}
	defer eb.Destroy()
	s, err := face.Score(ea, eb)
	return s, err == nil
}

func photoEmbedding(eng *face.Engine, file string) (*face.Embedding, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	img, err := face.Decode(data)
	if err != nil {
		return nil, false
	}
	defer img.Release()
	p, err := eng.Analyse(img, face.GateFaceOnly)
	if err != nil || p.Embedding == nil {
		return nil, false
	}
	return p.Embedding, true
}

func (r *realFace) close() {
	r.closeEng()
	r.ocr.Close()
	for _, s := range r.sources {
		s.Close()
	}
	r.cardStill.Close()
}

func (r *realFace) devices(d session.Devices) session.Devices {
	d.FaceCamera, d.CardCamera = r.live, r.cardStill
	d.KeyReader = session.ScanKeys{Scanner: r.ocr}
	d.Decoder = jp2Decoder{}
	d.Face = session.FaceAdapter{Engine: r.engine}
	return d
}

// showCard renders the holder's card front on the card-face camera's tray.
func (r *realFace) showCard(p *profile.Profile) error {
	img, _, err := cardface.Render(p, r.photo, cardface.Options{Seed: 1})
	if err != nil {
		return err
	}
	r.cardStill.Set(img)
	return nil
}

// switchSource is the face camera pointed at whoever stands in front of it.
type switchSource struct {
	mu  sync.Mutex
	cur appcam.Source
}

func (s *switchSource) set(src appcam.Source) { s.mu.Lock(); s.cur = src; s.mu.Unlock() }

func (s *switchSource) Next(ctx context.Context) (*appcam.Frame, error) {
	s.mu.Lock()
	src := s.cur
	s.mu.Unlock()
	return src.Next(ctx)
}

func (s *switchSource) Close() error { return nil }

func simDecodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("simulate: %s: %w", path, err)
	}
	return img, nil
}
