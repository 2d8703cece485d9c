package onshi

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
)

// Bench modes: what one "check" is.
const (
	BenchInsurance = "insurance" // one request by insurance card number
	BenchPIN       = "pin"       // challenge, card signature, check: the PIN path
	BenchPinless   = "pinless"   // PIN-less 特定機関認証 relayed to a simulated card, then the check
	BenchMixed     = "mixed"     // alternately by insurance number and by PIN
)

// BenchConfig describes a load run against a service on loopback.
type BenchConfig struct {
	URL      string  // https://127.0.0.1:PORT
	PKI      *TLSPKI // issues the kiosks' client certificates
	Kiosks   int
	Duration time.Duration
	Mode     string
	Cards    int // distinct virtual cards for the PIN and PIN-less paths
	// InstitutionCA is the key of the CA that certified the service's
	// institution certificate, which the PIN-less cards trust.
	InstitutionCA *rsa.PublicKey
	CardCA        *x509.Certificate // a JPKI CA the service trusts, and its key
	CardKey       *rsa.PrivateKey
	Pop           Population // the people the service was seeded with
	// ServerPID, when the service is another process on this machine, lets
	// the report give the service's own CPU time per check.
	ServerPID int
	// Rate, when above 0, paces the kiosks to this many checks per second in
	// total (an open loop: latency counts from when a check was due, so a
	// slow service cannot hide its queue); 0 runs every kiosk flat out.
	Rate float64
}

// BenchReport is what a run measured.
type BenchReport struct {
	Checks     int
	Errors     int
	FirstError string
	Elapsed    time.Duration
	PerSecond  float64
	P50, P99   time.Duration
	Max        time.Duration
	// CPU is the processor time this process spent during the run (user +
	// system): on a shared machine, CPU per check is the figure that does
	// not depend on what else is running.
	CPU       time.Duration
	ServerCPU time.Duration // the service process's, when ServerPID was given
	// WakeP99 is how late a 1 ms sleep of this process woke up, at the 99th
	// percentile, during the run: the machine's own scheduling delay, which
	// every latency above includes.
	WakeP99, WakeMax time.Duration
}

func (r BenchReport) String() string {
	s := fmt.Sprintf("%d checks in %v: %.0f checks/s, p50 %v, p99 %v, max %v, %d errors; process CPU %v (%v per check)",
		r.Checks, r.Elapsed.Round(time.Millisecond), r.PerSecond, r.P50.Round(10*time.Microsecond),
		r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), r.Errors,
		r.CPU.Round(time.Millisecond), (r.CPU / time.Duration(max(r.Checks, 1))).Round(time.Microsecond))
	if r.ServerCPU > 0 {
		s += fmt.Sprintf("; service process CPU %v (%v per check)", r.ServerCPU.Round(time.Millisecond),
			(r.ServerCPU / time.Duration(max(r.Checks, 1))).Round(time.Microsecond))
	}
	s += fmt.Sprintf("; 1 ms sleeps woke up to %v late (p99), %v (max)",
		r.WakeP99.Round(10*time.Microsecond), r.WakeMax.Round(10*time.Microsecond))
	if r.FirstError != "" {
		s += " (first: " + r.FirstError + ")"
	}
	return s
}

// CheckLoopback refuses a service URL that is not on this machine.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return fmt.Errorf("onshi: %q is not an https URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("onshi: bench only runs against loopback, not %q", host)
}

// Bench runs Kiosks concurrent kiosks against the service for Duration.
// Each kiosk keeps its own TLS connection alive, as a real kiosk would.
func Bench(ctx context.Context, cfg BenchConfig) (*BenchReport, error) {
	if err := CheckLoopback(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Kiosks < 1 || cfg.Kiosks > 500 || cfg.Duration <= 0 || cfg.Duration > 10*time.Minute {
		return nil, errors.New("onshi: bench wants 1-500 kiosks for up to 10 minutes")
	}
	clients, err := benchClients(cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	var cards []benchCard
	if cfg.Mode != BenchInsurance {
		if cards, err = registerCards(ctx, cfg, clients[0]); err != nil {
			return nil, err
		}
	}
	valid := validPeople(cfg.Pop, 2000)
	if len(valid) == 0 {
		return nil, errors.New("onshi: the population has nobody to check")
	}
	if err := warmUp(ctx, clients, valid[0]); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var all []time.Duration
	report := &BenchReport{}
	cpu0, srv0 := processCPU(), pidCPU(cfg.ServerPID)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	probe := make(chan [2]time.Duration, 1)
	go func() { p99, worst := wakeLateness(deadline); probe <- [2]time.Duration{p99, worst} }()
	var wg sync.WaitGroup
	for k, c := range clients {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(k), 7))
			lat := make([]time.Duration, 0, 4096)
			var errs int
			var first string
			due := pacer(cfg, k, start)
			for n := 0; ctx.Err() == nil; n++ {
				t0 := due(n)
				if !t0.Before(deadline) || !time.Now().Before(deadline) {
					break // an overloaded service shows as a rate below the offered one
				}
				if wait := time.Until(t0); wait > 0 {
					time.Sleep(wait)
				}
				err := benchCheck(ctx, cfg.Mode, n, c, rng, valid, cards)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			report.Errors += errs
			if report.FirstError == "" {
				report.FirstError = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	report.Elapsed = time.Since(start)
	wake := <-probe
	report.WakeP99, report.WakeMax = wake[0], wake[1]
	report.CPU = processCPU() - cpu0
	if cfg.ServerPID > 0 {
		report.ServerCPU = pidCPU(cfg.ServerPID) - srv0
	}
	summarise(report, all)
	return report, ctx.Err()
}

// warmUp opens every kiosk's TLS connection before the clock starts: a
// kiosk connects once and keeps its connection, so handshakes are not checks.
func warmUp(ctx context.Context, clients []*eligibility.Client, q eligibility.InsuranceQuery) error {
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Go(func() { _, errs[i] = c.CheckByInsurance(ctx, q) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// wakeLateness sleeps 1 ms at a time until deadline and returns the 99th
// percentile and the maximum of how late it woke.
func wakeLateness(deadline time.Time) (p99, worst time.Duration) {
	var late []time.Duration
	for time.Now().Before(deadline) {
		t0 := time.Now()
		time.Sleep(time.Millisecond)
		late = append(late, max(0, time.Since(t0)-time.Millisecond))
	}
	if len(late) == 0 {
		return 0, 0
	}
	slices.Sort(late)
	return late[len(late)*99/100], late[len(late)-1]
}

// pacer returns when kiosk k's n-th check is due: now, flat out; or on a
// fixed schedule, staggered between kiosks, when a rate is set.
func pacer(cfg BenchConfig, k int, start time.Time) func(n int) time.Time {
	if cfg.Rate <= 0 {
		return func(int) time.Time { return time.Now() }
	}
	every := time.Duration(float64(cfg.Kiosks) / cfg.Rate * float64(time.Second))
	offset := every * time.Duration(k) / time.Duration(cfg.Kiosks)
	return func(n int) time.Time { return start.Add(offset + time.Duration(n)*every) }
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pidCPU reads another process's user and system time from /proc (0 if
// unknown). The kernel counts in clock ticks of 1/100 s on Linux.
func pidCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	rest := data[bytes.LastIndexByte(data, ')')+1:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func summarise(r *BenchReport, lat []time.Duration) {
	r.Checks = len(lat)
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	r.PerSecond = float64(len(lat)) / r.Elapsed.Seconds()
	r.P50 = lat[len(lat)/2]
	r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	r.Max = lat[len(lat)-1]
}

func benchCheck(ctx context.Context, mode string, n int, c *eligibility.Client, rng *mrand.Rand,
	valid []eligibility.InsuranceQuery, cards []benchCard) error {
	if mode == BenchPinless {
		card := cards[rng.IntN(len(cards))]
		out, err := c.CheckPinless(ctx, card.relay(), card.cert.Raw, false)
		if err == nil && (out.Result == nil || out.Result.Body.QualificationValidity != eligibility.ValidityValid) {
			err = fmt.Errorf("unexpected PIN-less check answer %+v", out)
		}
		return err
	}
	if mode == BenchPIN || (mode == BenchMixed && n%2 == 1) {
		out, err := c.CheckByPIN(ctx, cards[rng.IntN(len(cards))])
		if err == nil && (out.Result == nil || out.Result.Body.QualificationValidity != eligibility.ValidityValid) {
			err = fmt.Errorf("unexpected PIN check answer %+v", out)
		}
		return err
	}
	res, err := c.CheckByInsurance(ctx, valid[rng.IntN(len(valid))])
	if err == nil && res.Body.QualificationValidity != eligibility.ValidityValid {
		err = fmt.Errorf("unexpected validity %s", res.Body.QualificationValidity)
	}
	return err
}

func benchClients(cfg BenchConfig) ([]*eligibility.Client, error) {
	var out []*eligibility.Client
	for k := range cfg.Kiosks {
		cert, err := cfg.PKI.KioskCert(fmt.Sprintf("bench-kiosk-%03d", k), "1399999999")
		if err != nil {
			return nil, err
		}
		tc := cfg.PKI.KioskConfig(cert)
		c, err := eligibility.NewClient(eligibility.Config{BaseURL: cfg.URL, TLS: tc,
			Transport: &http.Transport{TLSClientConfig: tc, MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}})
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// validPeople lists insurance queries that answer 有効.
func validPeople(pop Population, limit int) []eligibility.InsuranceQuery {
	var out []eligibility.InsuranceQuery
	for i := 0; i < pop.N && len(out) < limit; i++ {
		if p := pop.Person(i); p.Kind == KindValid {
			r := p.Records[0]
			out = append(out, eligibility.InsuranceQuery{InsurerNumber: r.Insurer, InsuredCardSymbol: r.Symbol,
				InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch, Birthdate: p.Birth})
		}
	}
	return out
}

// benchCard is a virtual card's user-authentication key with a certificate
// from the trusted test CA; it signs in process, standing for the card.
type benchCard struct {
	cert   *x509.Certificate
	key    *rsa.PrivateKey
	instCA *rsa.PublicKey
}

// relay is the card as a PIN-less exchange reaches it: JPKI-AP's
// certificate file and the card side of package pinless, fresh per check.
func (c benchCard) relay() eligibility.Relay {
	r := &benchRelay{cert: c.cert.Raw}
	r.side = pinless.Card{InstitutionCA: c.instCA, Sign: func(d []byte) ([]byte, error) {
		return rsa.SignPKCS1v15(nil, c.key, crypto.SHA256, d)
	}}
	return r
}

type benchRelay struct {
	cert []byte
	side pinless.Card
}

func (r *benchRelay) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	if resp, ok := r.side.Handle(cmd); ok {
		return resp, nil
	}
	switch {
	case len(cmd) >= 4 && cmd[1] == 0xA4:
		return pinless.SWOK, nil
	case len(cmd) == 5 && cmd[1] == 0xB0:
		off, n := int(cmd[2])<<8|int(cmd[3]), int(cmd[4])
		if off >= len(r.cert) {
			return []byte{0x6B, 0x00}, nil
		}
		return append(slices.Clone(r.cert[off:min(off+n, len(r.cert))]), pinless.SWOK...), nil
	}
	return []byte{0x6D, 0x00}, nil
}

func (c benchCard) AuthCertificate(context.Context) (*x509.Certificate, error) { return c.cert, nil }
func (c benchCard) SignWithAuthKey(_ context.Context, d [32]byte) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, c.key, crypto.SHA256, d[:])
}

// registerCards makes cfg.Cards cards and links each to a valid holder (初回登録).
func registerCards(ctx context.Context, cfg BenchConfig, c *eligibility.Client) ([]benchCard, error) {
	if cfg.CardCA == nil || cfg.CardKey == nil {
		return nil, errors.New("onshi: the card benches need the JPKI test CA and its key")
	}
	if cfg.Mode == BenchPinless && cfg.InstitutionCA == nil {
		return nil, errors.New("onshi: the PIN-less bench needs the institution CA key")
	}
	valid := validPeople(cfg.Pop, max(cfg.Cards, 1))
	var cards []benchCard
	for i := range max(cfg.Cards, 1) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 96))
		tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Country: []string{"JP"}},
			NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, cfg.CardCA, &key.PublicKey, cfg.CardKey)
		if err != nil {
			return nil, err
		}
		cert, _ := x509.ParseCertificate(der)
		card := benchCard{cert: cert, key: key, instCA: cfg.InstitutionCA}
		out, err := c.CheckByPIN(ctx, card)
		if err != nil {
			return nil, fmt.Errorf("onshi: bench card %d: %w", i, err)
		}
		if _, err := c.Register(ctx, "", out.Session, valid[i%len(valid)]); err != nil {
			return nil, fmt.Errorf("onshi: bench card %d 初回登録: %w", i, err)
		}
		cards = append(cards, card)
	}
	return cards, nil
}
